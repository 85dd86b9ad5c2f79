// Reports of a Claude Code logs plan: per day, week, month, session and 5-hour block, their exports,
// and the log files it reads. The methods are the native ones (see index.d.ts for their docs),
// their values decoded by the generated functions.

import { decodeLogBlockUsage, decodeLogPeriodUsage, decodeLogSessionUsage } from './generated'
import { decoding, listOf, type NativeLedger } from './native'

export type { LogFile, LogReportOptions } from '../index.js'
export type { LogBlockUsage, LogModelUsage, LogPeriodUsage, LogSessionUsage, LogUsage } from './generated'

export const CLAUDE_CODE_LOGS_METHODS = [
  'claudeCodeLogFiles',
  'exportClaudeCodeLogsDaily',
  'exportClaudeCodeLogsWeekly',
  'exportClaudeCodeLogsMonthly',
  'exportClaudeCodeLogsSessions',
  'exportClaudeCodeLogsBlocks',
] as const

/** The reports of a Claude Code logs plan. */
export const claudeCodeLogsMethods = decoding({
  claudeCodeLogsDaily: listOf(decodeLogPeriodUsage),
  claudeCodeLogsWeekly: listOf(decodeLogPeriodUsage),
  claudeCodeLogsMonthly: listOf(decodeLogPeriodUsage),
  claudeCodeLogsSessions: listOf(decodeLogSessionUsage),
  claudeCodeLogsBlocks: listOf(decodeLogBlockUsage),
})

/** The Claude Code logs report methods of `Ledger`. */
export type ClaudeCodeLogsMethods = Pick<NativeLedger, (typeof CLAUDE_CODE_LOGS_METHODS)[number]> &
  typeof claudeCodeLogsMethods

// Reports of a Claude Code logs plan: per day, week, month, session and 5-hour block, their exports,
// and the log files it reads. The methods are the native ones (see index.d.ts for their docs).

import { type NativeLedger } from './native'

export type {
  LogBlockUsage,
  LogFile,
  LogModelUsage,
  LogPeriodUsage,
  LogReportOptions,
  LogSessionUsage,
  LogUsage,
} from '../index.js'

export const CLAUDE_CODE_LOGS_METHODS = [
  'claudeCodeLogsDaily',
  'claudeCodeLogsWeekly',
  'claudeCodeLogsMonthly',
  'claudeCodeLogsSessions',
  'claudeCodeLogsBlocks',
  'claudeCodeLogFiles',
  'exportClaudeCodeLogsDaily',
  'exportClaudeCodeLogsWeekly',
  'exportClaudeCodeLogsMonthly',
  'exportClaudeCodeLogsSessions',
  'exportClaudeCodeLogsBlocks',
] as const

/** The Claude Code logs report methods of `Ledger`. */
export type ClaudeCodeLogsMethods = Pick<NativeLedger, (typeof CLAUDE_CODE_LOGS_METHODS)[number]>

// `Ledger`: open and close here; the other methods come from the domain files, each a list
// of native methods delegated with errors turned into `CostLedgerError`s.

import { adaptCipher, type KeyCipher } from './cipher'
import { CLAUDE_CODE_LOGS_METHODS, claudeCodeLogsMethods, type ClaudeCodeLogsMethods } from './claude_code_logs'
import { call } from './errors'
import { MASTER_KEY_METHODS, type MasterKeyMethods } from './master_key'
import { attach, binding, delegate, type Native, type NativeLedger } from './native'
import { OAUTH_METHODS, oauthMethods, type OAuthMethods } from './oauth'
import { PLAN_METHODS, planMethods, type PlanMethods } from './plans'
import { REPORT_METHODS, reportMethods, type ReportMethods } from './reports'
import { SUBJECT_METHODS, subjectMethods, type SubjectMethods } from './subjects'
import { SYNC_METHODS, syncHistoryMethods, syncMethods, type SyncMethods } from './sync'

/** How to open a ledger; see the native `LedgerOptions` for every field and its default. */
export type LedgerOptions = Omit<Native.LedgerOptions, 'cipher'> & {
  /** A host-supplied cipher (a KMS) used instead of the master key. */
  cipher?: KeyCipher
}

/** The lifecycle methods of `Ledger` (opening is the static `Ledger.open`). */
export type LedgerMethods = Pick<NativeLedger, 'close'>

/**
 * A handle on costledger's data: plan connections, synced usage and cost, the host's users
 * (subjects) and their keys, reports, budgets and exports.
 *
 * Open one per process with `Ledger.open()` and share it. Every method returns a Promise,
 * runs off the event loop, and rejects with a `CostLedgerError`. No returned object ever
 * holds a credential, only its hint.
 */
export interface Ledger
  extends LedgerMethods,
    PlanMethods,
    OAuthMethods,
    SubjectMethods,
    SyncMethods,
    ReportMethods,
    ClaudeCodeLogsMethods,
    MasterKeyMethods {}

export class Ledger {
  private constructor(native: NativeLedger) {
    attach(this, native)
  }

  /**
   * Open the database (creating and migrating it as needed) and prepare the cipher. Rejects
   * with `INVALID_INPUT` when the URL or master key is malformed, and with `CRYPTO` when the
   * master key is not the one the ledger's credentials are sealed with. Opened without a master
   * key or cipher, it reads reports and history, and whatever needs a credential (adding a
   * plan, syncing a plan that has one) rejects with `INVALID_INPUT` saying how to make a key.
   */
  static async open(options: LedgerOptions = {}): Promise<Ledger> {
    const { cipher, ...rest } = options
    const native = await call(() => binding.Ledger.open({ ...rest, cipher: cipher ? adaptCipher(cipher) : undefined }))
    return new Ledger(native)
  }
}

Object.assign(
  Ledger.prototype,
  delegate([
    'close',
    ...PLAN_METHODS,
    ...OAUTH_METHODS,
    ...SUBJECT_METHODS,
    ...SYNC_METHODS,
    ...REPORT_METHODS,
    ...CLAUDE_CODE_LOGS_METHODS,
    ...MASTER_KEY_METHODS,
  ]),
  syncMethods,
  reportMethods,
  subjectMethods,
  planMethods,
  syncHistoryMethods,
  claudeCodeLogsMethods,
  oauthMethods,
)

// Compile-time check that every native method is delegated: a method added in Rust but
// not listed in its domain file makes this line fail to type-check.
const everyNativeMethod: Record<Exclude<keyof NativeLedger, keyof Ledger>, never> = {}
void everyNativeMethod

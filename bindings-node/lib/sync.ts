// Sync: bring plans' usage, cost and metadata in, and read the sync history. `sync` takes an
// `AbortSignal` (`signal`) on top of the native options: aborting it stops the sync
// gracefully, then rejects with an `AbortError`-named `CostLedgerError` (code `INTERRUPTED`).

import { abortError, call } from './errors'
import { decodeSyncEvent, decodeSyncReport, type SyncReport } from './generated'
import { binding, decoding, listOf, nativeOf, type Native, type NativeLedger } from './native'

export type {
  SyncHistoryOptions,
  TimeRange,
} from '../index.js'
export type {
  PlanSyncReport,
  StreamReport,
  SyncError,
  SyncEvent,
  SyncReport,
  SyncStatus,
  SyncStream,
} from './generated'

/** What `sync` does: the native options (every field optional), and a `signal`. */
export type SyncOptions = Native.SyncOptions & {
  /**
   * Aborting it stops the sync gracefully: each plan commits the page being written, records
   * an `interrupted` event and releases its lease; then the Promise rejects with a
   * `CostLedgerError` named `AbortError`, code `INTERRUPTED`, whose `cause` is the signal's
   * `reason`. A signal already aborted rejects at once, without syncing.
   */
  signal?: AbortSignal
}

export const SYNC_METHODS = [] as const

/** `syncHistory`, decoding the native events. */
export const syncHistoryMethods = decoding({ syncHistory: listOf(decodeSyncEvent) })

/** The sync methods of `Ledger`. */
export type SyncMethods = Pick<NativeLedger, (typeof SYNC_METHODS)[number]> & typeof syncHistoryMethods & {
  /**
   * Sync every plan that is not disconnected (or only `planId`): each plan's outcome is in
   * the report, one plan's failure never stops another, and a plan whose lease another
   * worker holds is reported `skipped` (`locked`). Runs off the event loop. `signal` stops
   * it gracefully (see `SyncOptions.signal`).
   */
  sync(options?: SyncOptions): Promise<SyncReport>
}

/** `sync` with its `AbortSignal`: the native sync and a cancel handle the signal triggers. */
export const syncMethods: Pick<SyncMethods, 'sync'> = {
  async sync(this: object, options: SyncOptions = {}): Promise<SyncReport> {
    const { signal, ...rest } = options
    if (signal?.aborted) throw abortError(signal)
    const native = nativeOf(this)
    const cancel = new binding.SyncCancel()
    const stop = () => cancel.cancel()
    signal?.addEventListener('abort', stop, { once: true })
    try {
      const report = await call(() => native.sync(rest, cancel))
      if (signal?.aborted) throw abortError(signal)
      return decodeSyncReport(JSON.parse(report))
    } finally {
      signal?.removeEventListener('abort', stop)
    }
  },
}

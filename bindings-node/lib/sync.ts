// Sync: bring plans' usage, cost and metadata in, and read the sync history.

import { type NativeLedger } from './native'

export type {
  PlanSyncReport,
  StreamReport,
  SyncError,
  SyncEvent,
  SyncHistoryOptions,
  SyncOptions,
  SyncReport,
  TimeRange,
} from '../index.js'

export const SYNC_METHODS = ['sync', 'syncHistory'] as const

/** The sync methods of `Ledger`. */
export type SyncMethods = Pick<NativeLedger, (typeof SYNC_METHODS)[number]>

// Master keys: generate one, and rotate the one a ledger seals with.

import { callSync } from './errors'
import { binding, type NativeLedger } from './native'

export const MASTER_KEY_METHODS = ['rotateMasterKey'] as const

/** The master-key methods of `Ledger`. */
export type MasterKeyMethods = Pick<NativeLedger, (typeof MASTER_KEY_METHODS)[number]>

/**
 * A new random master key (32 bytes from the operating system, as base64). Store it once in
 * your secret store and pass it as `masterKey` (or `COSTLEDGER_MASTER_KEY`).
 */
export function generateMasterKey(): string {
  return callSync(() => binding.generateMasterKey())
}

// A key cipher supplied by the host (a KMS), adapted to what the native side calls.

import { CostLedgerError } from './errors'
import { type Native } from './native'

/**
 * A host-supplied cipher that seals plan credentials instead of the built-in AES-256-GCM
 * master key, for instance with a cloud KMS. Methods may be `async` or return a Promise;
 * `this` is the cipher object. Whatever they throw or reject with becomes a `CRYPTO`
 * error.
 */
export interface KeyCipher {
  /**
   * Seal `plaintext`, binding it to `aad` (associated data): resolve to the ciphertext,
   * with whatever nonce and tag are needed to open it again.
   */
  encrypt(plaintext: Buffer, aad: Buffer): Promise<Uint8Array>
  /** Open what `encrypt` returned; must fail when `aad` differs from the one sealed with. */
  decrypt(ciphertext: Buffer, aad: Buffer): Promise<Uint8Array>
  /** Names the key, stored beside each sealed credential (a KMS key id). Default `"host"`. */
  keyId?: string
}

function toBuffer(what: string, value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength)
  throw new TypeError(`the cipher's ${what} must resolve to a Buffer or Uint8Array, got ${typeof value}`)
}

/** The native shape: bound, always async (a synchronous throw becomes a rejection), Buffers out. */
export function adaptCipher(cipher: KeyCipher): Native.KeyCipher {
  if (typeof cipher?.encrypt !== 'function' || typeof cipher?.decrypt !== 'function') {
    throw new CostLedgerError('cipher must be an object with encrypt and decrypt methods', 'INVALID_INPUT')
  }
  return {
    keyId: cipher.keyId,
    encrypt: async (plaintext, aad) => toBuffer('encrypt', await cipher.encrypt(plaintext, aad)),
    decrypt: async (ciphertext, aad) => toBuffer('decrypt', await cipher.decrypt(ciphertext, aad)),
  }
}

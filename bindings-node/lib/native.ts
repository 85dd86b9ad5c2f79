// The napi-rs loader, and how the domain files reach the native handle behind a `Ledger`.

import * as binding from '../index.js'
import { CostLedgerError, call } from './errors'

export { binding }

/** The native class, and the public type of the methods each domain file delegates. */
export type NativeLedger = binding.Ledger

const handles = new WeakMap<object, NativeLedger>()

/** Tie a facade object to its native handle (kept out of the object, so never printed). */
export function attach(facade: object, native: NativeLedger): void {
  handles.set(facade, native)
}

/** The native handle behind a facade object. */
export function nativeOf(facade: object): NativeLedger {
  const native = handles.get(facade)
  if (!native) throw new CostLedgerError('not a Ledger: open one with Ledger.open()', 'INVALID_INPUT')
  return native
}

type Method = (...args: unknown[]) => Promise<unknown>

/**
 * Methods that forward to the native method of the same name and turn its errors into
 * `CostLedgerError`s; typed, with their docs, by the native declaration.
 */
export function delegate<K extends keyof NativeLedger>(names: readonly K[]): Pick<NativeLedger, K> {
  const methods: Record<string, Method> = {}
  for (const name of names) {
    methods[name] = function (this: object, ...args: unknown[]) {
      return call(() => {
        const native = nativeOf(this)
        return (native[name] as unknown as Method).apply(native, args)
      })
    }
  }
  return methods as unknown as Pick<NativeLedger, K>
}

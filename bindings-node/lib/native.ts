// The napi-rs loader, and how the domain files reach the native handle behind a `Ledger`.

import type * as Native from '../index.js'
import { CostLedgerError, call } from './errors'

export type { Native }

/** The first words of the error a wrong runtime or a bundled copy gets. */
export const NEEDS_NODE = 'costledger needs the Node.js runtime; add it to serverExternalPackages'

/** The platforms a published package carries a prebuilt addon for (`napi.targets`). */
const PREBUILT = ['linux-x64-gnu']

declare const EdgeRuntime: unknown

/**
 * The addon, through napi's generated loader. napi's own error when that fails ("Cannot find
 * native binding … npm has a bug related to optional dependencies") sends a Next.js developer
 * the wrong way: the usual causes are the Edge runtime, which cannot load native code, and a
 * bundler that copied this file into its output, away from the addon beside it. Those get an
 * error that says so; a platform without a prebuilt addon gets one that says that.
 */
function load(): typeof Native {
  if (typeof EdgeRuntime !== 'undefined' || typeof process === 'undefined' || !process.versions?.node) {
    throw new Error(
      `${NEEDS_NODE}. It was loaded in the Edge runtime (or another non-Node.js runtime), which ` +
        "cannot load native addons: use it from route handlers, server actions and server components " +
        "on the Node.js runtime (export const runtime = 'nodejs'), never from middleware or client code.",
    )
  }
  try {
    return require('../index.js') as typeof Native
  } catch (cause) {
    const home = ownPackageDir()
    if (home === undefined) {
      throw new Error(
        `${NEEDS_NODE}. It was bundled: its code runs from ${__dirname}, outside its package, so ` +
          'the native addon it loads from its own folder is not there. Next.js: ' +
          "serverExternalPackages: ['costledger'] in next.config; other bundlers: mark it external.",
        { cause },
      )
    }
    const platform = `${process.platform}-${process.arch}`
    throw new Error(
      `costledger could not load its native addon in ${home} on ${platform}: prebuilt for ` +
        `${PREBUILT.join(', ')}; elsewhere build it from source (npm run build in bindings-node, ` +
        'with Rust), or reinstall the package if its .node file is missing. Cause: ' +
        (cause instanceof Error ? cause.message : String(cause)),
      { cause },
    )
  }
}

/** The folder of the installed package this file belongs to, when it still is in it. */
function ownPackageDir(): string | undefined {
  try {
    const { readFileSync } = require('node:fs') as typeof import('node:fs')
    const { dirname, join } = require('node:path') as typeof import('node:path')
    const home = dirname(__dirname)
    const manifest = JSON.parse(readFileSync(join(home, 'package.json'), 'utf8')) as { name?: unknown }
    return manifest.name === 'costledger' ? home : undefined
  } catch {
    return undefined
  }
}

export const binding = load()

/** The native class, and the public type of the methods each domain file delegates. */
export type NativeLedger = Native.Ledger

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

/** Native methods that return the core's JSON, each with the generated decoder of its value. */
export type Decoders = { [K in keyof NativeLedger]?: (json: any) => unknown }

/**
 * The methods of `D`: the native ones, with their docs and arguments, resolving to the decoded
 * value instead of the core's JSON text.
 */
export type Decoded<D extends Decoders> = {
  [K in keyof Pick<NativeLedger, keyof D & keyof NativeLedger>]: NativeLedger[K] extends (
    ...args: infer A
  ) => Promise<string>
    ? (...args: A) => Promise<ReturnType<NonNullable<D[K]>>>
    : never
}

/** A decoder of a JSON list, from the decoder of its items. */
export function listOf<T>(decode: (json: any) => T): (json: any[]) => T[] {
  return (json) => json.map(decode)
}

/** A decoder of a value or null, from the decoder of the value. */
export function orNull<T>(decode: (json: any) => T): (json: any) => T | null {
  return (json) => (json === null ? null : decode(json))
}

/**
 * Methods that forward to the native method of the same name, turn its errors into
 * `CostLedgerError`s and decode the JSON it resolves to.
 */
export function decoding<D extends Decoders>(decoders: D): Decoded<D> {
  const methods: Record<string, Method> = {}
  for (const [name, decode] of Object.entries(decoders) as [keyof NativeLedger, (json: any) => unknown][]) {
    methods[name] = async function (this: object, ...args: unknown[]) {
      const text = await call(() => {
        const native = nativeOf(this)
        return (native[name] as unknown as Method).apply(native, args)
      })
      return decode(JSON.parse(text as string))
    }
  }
  return methods as unknown as Decoded<D>
}

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

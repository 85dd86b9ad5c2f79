// Errors: one class, `CostLedgerError`, with the stable `.code` of the Rust core and the
// native error as `.cause`.
//
// napi cannot attach a code to the rejection of an async native function, so the native
// side writes it as a `[CODE] ` prefix of the message and `call()` below turns that into a
// `CostLedgerError`.

/** Every code a `CostLedgerError` can carry: the same strings as Rust's `Error::code()`. */
export const ERROR_CODES = [
  'INVALID_INPUT',
  'PLAN_NOT_FOUND',
  'SUBJECT_NOT_FOUND',
  'PROJECT_NOT_FOUND',
  'MAPPING_NOT_FOUND',
  'BUDGET_NOT_FOUND',
  'CONFLICT',
  'CREDENTIAL_REJECTED',
  'ORG_MISMATCH',
  'RATE_LIMITED',
  'UPSTREAM',
  'CRYPTO',
  'STORAGE',
  'CLOSED',
  'INTERRUPTED',
  'INTERNAL',
] as const

/** A stable error code (`'PLAN_NOT_FOUND'`, `'CONFLICT'`, …). */
export type ErrorCode = (typeof ERROR_CODES)[number]

/**
 * What every costledger method rejects with. Branch on `code`, which never changes
 * meaning; the message says what was wrong and what to do, and never holds a credential
 * beyond its hint. `cause` is the original native error.
 */
export class CostLedgerError extends Error {
  /** The stable code, identical in Rust, Python and Node. */
  readonly code: ErrorCode

  constructor(message: string, code: ErrorCode, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'CostLedgerError'
    this.code = code
  }
}

const CODED = /^\[([A-Z_]+)\] ([\s\S]*)$/
const CODES: ReadonlySet<string> = new Set(ERROR_CODES)

// napi's statuses for an argument of the wrong type (napi checks them before any Rust runs;
// a missing options object is a plain TypeError).
const ARGUMENT_STATUSES: ReadonlySet<string> = new Set([
  'InvalidArg',
  'ObjectExpected',
  'StringExpected',
  'NameExpected',
  'FunctionExpected',
  'NumberExpected',
  'BooleanExpected',
  'ArrayExpected',
  'BigintExpected',
  'DateExpected',
])

/** The `CostLedgerError` a native error stands for. */
export function toCostLedgerError(error: unknown): unknown {
  if (!(error instanceof Error) || error instanceof CostLedgerError) return error
  const coded = CODED.exec(error.message)
  if (coded && CODES.has(coded[1])) {
    return new CostLedgerError(coded[2], coded[1] as ErrorCode, { cause: error })
  }
  const status = (error as { code?: unknown }).code
  if (error instanceof TypeError || (typeof status === 'string' && ARGUMENT_STATUSES.has(status))) {
    return new CostLedgerError(`invalid argument: ${error.message}`, 'INVALID_INPUT', { cause: error })
  }
  // Every error the Rust side makes carries a code, so this is a panic napi caught itself.
  return new CostLedgerError(`costledger failed unexpectedly (a bug; please report it): ${error.message}`, 'INTERNAL', {
    cause: error,
  })
}

/**
 * The rejection of a sync stopped by its `AbortSignal`: a `CostLedgerError` with code
 * `INTERRUPTED` and name `AbortError` (as `fetch` and other abortable APIs name theirs), the
 * signal's `reason` as `cause`.
 */
export function abortError(signal: AbortSignal): CostLedgerError {
  const error = new CostLedgerError(
    'the sync was interrupted by its AbortSignal; what it committed is kept, and the next sync resumes from there',
    'INTERRUPTED',
    { cause: signal.reason },
  )
  error.name = 'AbortError'
  return error
}

/** Run a native call, turning what it throws or rejects with into a `CostLedgerError`. */
export async function call<T>(native: () => Promise<T>): Promise<T> {
  try {
    return await native()
  } catch (error) {
    throw toCostLedgerError(error)
  }
}

/** `call()` for the few synchronous native functions. */
export function callSync<T>(native: () => T): T {
  try {
    return native()
  } catch (error) {
    throw toCostLedgerError(error)
  }
}

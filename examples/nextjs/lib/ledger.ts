// One ledger per server process, shared by every page, server action and route handler.
//
// Opening a ledger opens a database pool and checks the schema, so it happens once, on first
// use, and every later caller awaits the same promise. Next.js may evaluate this module more
// than once in one process (once per route bundle, and again on every edit under `next dev`),
// so the promise lives on `globalThis` rather than in a module variable. When opening fails
// (the database is down, a variable is wrong), the promise is dropped and the next request
// tries again instead of failing forever.

import 'server-only'

import { Ledger } from 'costledger'

const SLOT = Symbol.for('costledger.example.ledger')
const slots = globalThis as { [SLOT]?: Promise<Ledger> }

/**
 * The process's ledger. Its options come from the environment: `COSTLEDGER_DATABASE_URL`,
 * `COSTLEDGER_MASTER_KEY` (needed to add and sync plans) and `COSTLEDGER_ANTHROPIC_BASE_URL`
 * are read by costledger itself; `COSTLEDGER_NOW` is this app's, see `now()`.
 */
export function getLedger(): Promise<Ledger> {
  slots[SLOT] ??= Ledger.open({ now: process.env.COSTLEDGER_NOW || undefined }).catch((error: unknown) => {
    delete slots[SLOT]
    throw error
  })
  return slots[SLOT]
}

/**
 * The ledger's clock: `COSTLEDGER_NOW` (an ISO-8601 instant) when set, for demos and tests
 * against the fake Admin API, whose history ends at a fixed date; the system clock otherwise.
 * Never set it in production: syncs would stop at that instant.
 */
export function now(): Date {
  return process.env.COSTLEDGER_NOW ? new Date(process.env.COSTLEDGER_NOW) : new Date()
}

/** This month (`2026-11`), in UTC, by the ledger's clock. */
export function thisMonth(): string {
  return now().toISOString().slice(0, 7)
}

/** Today (`2026-11-20`), in UTC, by the ledger's clock. */
export function today(): string {
  return now().toISOString().slice(0, 10)
}

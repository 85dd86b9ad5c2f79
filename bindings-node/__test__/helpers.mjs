// Shared fixtures: the fake Admin API as a process, a fresh database per suite (SQLite file,
// or a Postgres schema dropped afterwards), and the checks every suite uses.

import assert from 'node:assert/strict'
import { execFileSync, spawn } from 'node:child_process'
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { createInterface } from 'node:readline'
import util from 'node:util'

import { CostLedgerError, Ledger, generateMasterKey } from 'costledger'

/** The fake's clock, and the ledger's `now`, so sync windows line up with its history. */
export const NOW = '2026-11-20T00:00:00Z'
/** Days of history the fake serves; the first sync reaches back as far. */
export const DAYS = 10

const ROOT = path.resolve(import.meta.dirname, '..', '..')
const FAKE_BIN = process.env.COSTLEDGER_FAKE_ADMIN_API || path.join(ROOT, 'target', 'debug', 'fake-admin-api')
const PG_URL = process.env.COSTLEDGER_TEST_DATABASE_URL || ''
if (process.env.COSTLEDGER_REQUIRE_POSTGRES === '1' && !PG_URL) {
  throw new Error('COSTLEDGER_REQUIRE_POSTGRES=1 but COSTLEDGER_TEST_DATABASE_URL is not set')
}

/** The fake OpenAI API's binary, built beside the fake Admin API's; `startFake({ bin })`. */
export const FAKE_OPENAI_BIN = path.join(path.dirname(FAKE_BIN), 'fake-openai-api')

/** The backends every suite runs on: SQLite always, Postgres when its URL is set. */
export const BACKENDS = PG_URL ? ['sqlite', 'postgres'] : ['sqlite']

/** Start `fake-admin-api` as a process; resolves once it has announced its port and orgs.
 * `enterpriseOrgs` (`'1'`) makes those orgs Claude Enterprise (spend limits per member). */
export async function startFake({ orgs = 2, days = DAYS, faults, bin = FAKE_BIN, enterpriseOrgs } = {}) {
  const args = ['--port', '0', '--seed', '7', '--orgs', String(orgs), '--days', String(days), '--now', NOW]
  if (faults) args.push('--faults', faults)
  if (enterpriseOrgs) args.push('--enterprise-orgs', enterpriseOrgs)
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'inherit'] })
  const failed = once(child, 'error').then(([e]) => {
    throw new Error(`cannot start ${bin} (cargo test --workspace --no-run builds it): ${e.message}`)
  })
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]()
  const [listening, announced] = await Promise.race([Promise.all([lines.next(), lines.next()]), failed])
  const port = /^LISTENING (\d+)$/.exec(listening.value ?? '')?.[1]
  assert.ok(port, `fake-admin-api did not announce its port: ${listening.value}`)
  // With Enterprise orgs a third line lists their scoped (`sk-ant-api01-…`) keys.
  const scopedKeys = enterpriseOrgs ? JSON.parse((await lines.next()).value).scoped_keys : []
  const baseUrl = `http://127.0.0.1:${port}`
  const post = async (route, body) => {
    const res = await fetch(`${baseUrl}${route}`, { method: 'POST', body })
    assert.ok(res.ok, `POST ${route}: HTTP ${res.status}`)
    return res.json()
  }
  return {
    baseUrl,
    /** `[{ id, name, admin_key }]`, in the fake's order. */
    orgs: JSON.parse(announced.value).orgs,
    /** The Enterprise orgs' scoped keys: `[{ org_id, key, scopes }]`. */
    scopedKeys,
    /** What the fake served, over its whole history or `[from, to)` (RFC 3339). */
    truth: async ({ from, to } = {}) => {
      const range = new URLSearchParams()
      if (from) range.set('starting_at', from)
      if (to) range.set('ending_at', to)
      return (await fetch(`${baseUrl}/_fake/truth?${range}`)).json()
    },
    setFaults: (faults) => post('/_fake/faults', faults),
    revoke: (key) => post('/_fake/revoke', key),
    newAdminKey: async (orgId) => (await post('/_fake/admin_keys', orgId)).admin_key,
    /** What the Admin API served: `{ requests, by_key, by_endpoint, … }`. */
    stats: async () => (await fetch(`${baseUrl}/_fake/stats`)).json(),
    /** The authorization server's side (docs/oauth.md, tests/fake-admin-api/src/oauth/). */
    oauth: {
      /** `{ authorizations, codes_exchanged, refreshes, reuse_detected, revocations, bearer_refused, … }`. */
      stats: async () => (await (await fetch(`${baseUrl}/_fake/oauth`)).json()).stats,
      /** `'refuse_refresh'`, `'down'`, both comma-separated, or `'none'`. */
      setFaults: (faults) => post('/_fake/oauth/faults', faults),
      /** Expire every access token issued so far (`'access'`) or every code not yet exchanged (`'codes'`). */
      expire: (what = 'access') => post('/_fake/oauth/expire', what),
      /** The organisations the next sign-ins reach, the first being the tokens' own. */
      setAccount: (orgIds) => post('/_fake/oauth/account', JSON.stringify(orgIds)),
    },
    stop: async () => {
      child.kill('SIGTERM')
      if (child.exitCode === null) await once(child, 'exit')
    },
  }
}

/**
 * A fresh, empty database on `kind`: `options` for `Ledger.open`, and `drop()` to remove it
 * (a temporary SQLite file, or a Postgres schema).
 */
export function freshDb(kind) {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'costledger-node-'))
    const file = path.join(dir, 'ledger.db')
    return {
      kind,
      options: { databaseUrl: `sqlite://${file}` },
      /** Run SQL directly on the database (a test changing rows behind the library's back). */
      sql: (statement) => execFileSync('sqlite3', [file, statement], { encoding: 'utf8' }),
      drop: () => rmSync(dir, { recursive: true, force: true }),
    }
  }
  const schema = `cltest_node_${process.pid}_${randomBytes(6).toString('hex')}`
  return {
    kind,
    options: { databaseUrl: PG_URL, postgresSchema: schema },
    sql: (statement) =>
      execFileSync('psql', [PG_URL, '-qAtX', '-c', `SET search_path TO ${schema}; ${statement}`], { encoding: 'utf8' }),
    drop: () => execFileSync('psql', [PG_URL, '-qAt', '-c', `DROP SCHEMA IF EXISTS ${schema} CASCADE`]),
  }
}

/** Open a ledger on `db` against `fake`, its clock matched to the fake's. */
export function openLedger(db, fake, options = {}) {
  return Ledger.open({
    ...db.options,
    masterKey: db.masterKey ?? (db.masterKey = generateMasterKey()),
    anthropicBaseUrl: fake.baseUrl,
    now: NOW,
    requestIntervalMs: 0,
    retryBackoffMs: 10,
    ...options,
  })
}

/** Assert that `promise` rejects with a `CostLedgerError` of `code` whose cause is the native error. */
export async function rejectsWith(promise, code, message) {
  await assert.rejects(promise, (e) => {
    assert.ok(e instanceof CostLedgerError, `not a CostLedgerError: ${util.inspect(e)}`)
    assert.ok(e instanceof Error)
    assert.equal(e.code, code, e.message)
    assert.equal(e.name, 'CostLedgerError')
    assert.ok(e.cause instanceof Error, 'cause is the native error')
    assert.ok(!e.message.startsWith('['), `the [CODE] prefix is stripped: ${e.message}`)
    if (message) assert.match(e.message, message)
    return true
  })
}

/** Assert that no admin key shows in any printed form of `value` (inspect, JSON, message, cause). */
export function assertNoKey(value, keys) {
  const texts = [
    util.inspect(value, { depth: Infinity, showHidden: true, getters: true }),
    JSON.stringify(value) ?? '',
    String(value),
    value instanceof Error ? `${value.message} ${value.stack} ${util.inspect(value.cause)}` : '',
  ]
  for (const key of keys) {
    // The hint shows the prefix and the last four characters; the middle must never appear.
    const secret = key.slice(15, -4)
    for (const text of texts) assert.ok(!text.includes(secret), `a key leaked into: ${text.slice(0, 300)}`)
  }
}

/**
 * A ledger on a fresh `kind` database with one plan per organisation of a new fake, synced
 * over the fake's whole history. `close()` stops and removes everything.
 */
export async function syncedLedger(kind, { orgs = 2, ...options } = {}) {
  const fake = await startFake({ orgs })
  const db = freshDb(kind)
  const ledger = await openLedger(db, fake, options)
  const plans = []
  for (const org of fake.orgs) plans.push(await ledger.addPlan({ label: org.name, adminApiKey: org.admin_key }))
  const report = await ledger.sync({ initialBackfillDays: DAYS })
  assert.equal(report.ok, true, JSON.stringify(report.plans.map((p) => p.error)))
  return {
    fake,
    db,
    ledger,
    plans,
    keys: fake.orgs.map((o) => o.admin_key),
    close: async () => {
      await ledger.close()
      await fake.stop()
      db.drop()
    },
  }
}

/** An exact dollar string (`"1.2378912"`, `"-0.05"`) as a BigInt of nanodollars. */
export function nanos(usd) {
  const match = /^(-?)(\d+)(?:\.(\d{1,9}))?$/.exec(usd)
  assert.ok(match, `not an exact dollar amount: ${usd}`)
  const [, sign, whole, fraction = ''] = match
  const n = BigInt(whole) * 1_000_000_000n + BigInt(fraction.padEnd(9, '0'))
  return sign ? -n : n
}

/** Nanodollars as the exact dollar string the core writes: two decimals at least, no trailing zeros beyond. */
export function usd(nanodollars) {
  const n = BigInt(nanodollars)
  const abs = n < 0n ? -n : n
  const fraction = (abs % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '').padEnd(2, '0')
  return `${n < 0n ? '-' : ''}${abs / 1_000_000_000n}.${fraction}`
}

/** The sum of exact dollar strings, or of `Money` values, as a dollar string. */
export function sumUsd(amounts) {
  return usd(amounts.reduce((sum, a) => sum + nanos(typeof a === 'string' ? a : a.usd), 0n))
}

/**
 * RFC 4180 CSV as objects keyed by the header's names, checking that every line ends with
 * CRLF and has as many fields as the header. `header` is the header's names, in order.
 */
export function parseCsv(text) {
  assert.ok(text.endsWith('\r\n'), 'CSV lines end with CRLF')
  const rows = []
  let row = []
  let field = ''
  let quoted = false
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++
      else if (c === '"') quoted = false
      else field += c
    } else if (c === '"') quoted = true
    else if (c === ',') row.push(field), (field = '')
    else if (c === '\r' && text[i + 1] === '\n') row.push(field), rows.push(row), (row = []), (field = ''), i++
    else field += c
  }
  const [header, ...records] = rows
  for (const r of records) assert.equal(r.length, header.length, `a CSV record of ${r.length} fields under ${header.length} columns`)
  return { header, records: records.map((r) => Object.fromEntries(header.map((name, i) => [name, r[i]]))) }
}

/** The public OAuth client (PKCE, no secret) every fake knows. */
export const OAUTH_CLIENT_ID = 'costledger-fake-public-client'

/**
 * What a browser does with `begin().url`: ask the fake's authorize endpoint, which approves at
 * once, and read its redirect. Resolves to the redirect's URL (`code` and `state`, or
 * `error`, in its query).
 */
export async function visit(url) {
  const res = await fetch(url, { redirect: 'manual' })
  assert.equal(res.status, 302, `the authorize endpoint redirects: HTTP ${res.status}`)
  return new URL(res.headers.get('location'))
}

/** Where OAuth tokens could leak: the fake's token prefixes, and the tail of every access token it saw. */
export async function assertNoToken(fake, ...values) {
  const seen = Object.keys((await fake.stats()).by_key).filter((k) => k.startsWith('sk-ant-oat01-'))
  assert.ok(seen.length > 0, 'the fake saw bearer tokens')
  const needles = ['sk-ant-oat01-', 'sk-ant-ort01-', ...seen.map((t) => t.slice(-12))]
  for (const value of values) {
    const texts = [
      util.inspect(value, { depth: Infinity, showHidden: true, getters: true }),
      JSON.stringify(value) ?? '',
      String(value),
      value instanceof Error ? `${value.message} ${value.stack} ${util.inspect(value.cause)}` : '',
    ]
    for (const text of texts) {
      for (const needle of needles) assert.ok(!text.includes(needle), `a token leaked into: ${text.slice(0, 300)}`)
    }
  }
}

/**
 * A host cipher (AES-256-GCM under `key`, 32 bytes as base64) that several processes can
 * share, whose `encrypt` takes `sealDelayMs` longer: a slow KMS. A refresh seals the rotated
 * tokens while it holds the credential's row lock, so a slow seal holds the lock that long.
 */
export function sharedCipher(key, { sealDelayMs = 0 } = {}) {
  const secret = Buffer.from(key, 'base64')
  return {
    keyId: 'test:shared-aes',
    async encrypt(plaintext, aad) {
      await new Promise((resolve) => setTimeout(resolve, sealDelayMs))
      const iv = randomBytes(12)
      const cipher = createCipheriv('aes-256-gcm', secret, iv).setAAD(aad)
      const body = Buffer.concat([cipher.update(plaintext), cipher.final()])
      return Buffer.concat([iv, cipher.getAuthTag(), body])
    },
    async decrypt(ciphertext, aad) {
      const decipher = createDecipheriv('aes-256-gcm', secret, ciphertext.subarray(0, 12)).setAAD(aad)
      decipher.setAuthTag(ciphertext.subarray(12, 28))
      return Buffer.concat([decipher.update(ciphertext.subarray(28)), decipher.final()])
    },
  }
}

/** A valid-looking admin key that no organisation knows. */
export const UNKNOWN_KEY = 'sk-ant-admin01-' + 'Q'.repeat(60) + 'zZ9z'

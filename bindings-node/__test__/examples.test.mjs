// The examples, run as a user runs them: examples/node's script, and examples/nextjs built
// with `next build`, served by `next start` and asked for a user's monthly costs, which must
// be the library's own numbers.

import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'

import { assertNoKey, startFake, syncedLedger, usd } from './helpers.mjs'

const run = promisify(execFile)
const PKG = path.resolve(import.meta.dirname, '..')
const EXAMPLES = path.resolve(PKG, '..', 'examples')
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'

/**
 * `npm ci` in an example unless its node_modules was installed from the same lock file: the
 * lock's hash is kept beside what it installed, so a second run installs nothing.
 */
async function install(dir) {
  const hash = createHash('sha256').update(readFileSync(path.join(dir, 'package-lock.json'))).digest('hex')
  const marker = path.join(dir, 'node_modules', '.costledger-lock-sha256')
  if (existsSync(marker) && readFileSync(marker, 'utf8') === hash) return
  await run(NPM, ['ci', '--no-audit', '--no-fund'], { cwd: dir, maxBuffer: 1 << 26 })
  writeFileSync(marker, hash)
}

/**
 * Put the package as built now into an example that installs it as a copy (`install-links`,
 * as from the registry), with the files `npm pack` takes: the copy made by `npm ci` is of the
 * addon built then.
 */
function refreshCopy(dir) {
  const target = path.join(dir, 'node_modules', 'costledger')
  rmSync(target, { recursive: true, force: true })
  mkdirSync(target)
  const { files } = JSON.parse(readFileSync(path.join(PKG, 'package.json'), 'utf8'))
  const addons = readdirSync(PKG).filter((f) => f.endsWith('.node'))
  assert.ok(files.includes('*.node') && addons.length > 0, 'the addon is built')
  for (const name of ['package.json', 'README.md', ...files.filter((f) => !f.includes('*')), ...addons]) {
    cpSync(path.join(PKG, name), path.join(target, name), { recursive: true })
  }
}

async function freePort() {
  const server = net.createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address()
  server.close()
  await once(server, 'close')
  return port
}

/** Every file under `dir` whose name ends with `suffix`. */
function filesEndingWith(dir, suffix) {
  return readdirSync(dir, { recursive: true }).filter((f) => String(f).endsWith(suffix))
}

describe('examples/node', () => {
  it('syncs, maps keys to users and prints their monthly costs and the dashboard', async () => {
    const dir = path.join(EXAMPLES, 'node')
    await install(dir)
    const { stdout } = await run(process.execPath, ['monthly-costs.mjs'], { cwd: dir })
    assert.match(stdout, /^Synced Acme Robotics \(sk-ant-admin01-…\w{4}\) and Globex Research \(sk-ant-admin01-…\w{4}\): \d+ rows$/m)
    assert.match(stdout, /^Ada Lovelace in 2026-11 \(the keys of .+\):\n {2}\$\d+\.\d\d = billed \$\d+\.\d\d \+ estimated/m)
    assert.match(stdout, /^ {2}user Grace Hopper +\$\d+\.\d\d$/m)
    // The script's fake is the tests' fake (same seed, orgs, days and clock): its bill is known.
    const fake = await startFake({ orgs: 2 })
    try {
      const truth = await fake.truth()
      const billed = truth.orgs.reduce((n, o) => n + BigInt(o.cost_total_nanos), 0n)
      assert.match(stdout, new RegExp(`^ {2}billed exactly \\$${usd(billed).replace('.', '\\.')}, estimated \\$`, 'm'))
      assertNoKey(stdout, fake.orgs.map((o) => o.admin_key))
    } finally {
      await fake.stop()
    }
  })
})

describe('examples/nextjs', () => {
  const dir = path.join(EXAMPLES, 'nextjs')
  const nextBin = path.join(dir, 'node_modules', 'next', 'dist', 'bin', 'next')
  let s, server, base
  before(async () => {
    s = await syncedLedger('sqlite')
    const plan = s.plans[0]
    const { apiKeys } = await s.ledger.planMetadata(plan.id)
    await s.ledger.upsertSubject({ id: 'u-ada', name: 'Ada' })
    for (const key of apiKeys.slice(0, 4)) await s.ledger.mapKey({ planId: plan.id, apiKeyId: key.id, subjectId: 'u-ada' })
  })
  after(async () => {
    if (server && server.exitCode === null) {
      server.kill('SIGTERM')
      const killer = setTimeout(() => server.kill('SIGKILL'), 5000)
      await once(server, 'exit')
      clearTimeout(killer)
    }
    await s?.close()
  })

  it('builds with next build, the addon left out of the bundle', async (t) => {
    await install(dir)
    refreshCopy(dir)
    const started = performance.now()
    await run(process.execPath, [nextBin, 'build'], {
      cwd: dir,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
      maxBuffer: 1 << 26,
    })
    t.diagnostic(`next build took ${((performance.now() - started) / 1000).toFixed(1)} s`)
    assert.deepEqual(filesEndingWith(path.join(dir, '.next', 'server'), '.node'), [], 'serverExternalPackages keeps the addon out')
  })

  it('serves a user\'s monthly costs from the route handler, as userCosts reports them', async () => {
    const port = await freePort()
    server = spawn(process.execPath, [nextBin, 'start', '--port', String(port), '--hostname', '127.0.0.1'], {
      cwd: dir,
      env: {
        ...process.env,
        NEXT_TELEMETRY_DISABLED: '1',
        COSTLEDGER_DATABASE_URL: s.db.options.databaseUrl,
        COSTLEDGER_MASTER_KEY: s.db.masterKey,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    server.stdout.on('data', (d) => (output += d))
    server.stderr.on('data', (d) => (output += d))
    base = `http://127.0.0.1:${port}`
    const deadline = Date.now() + 30_000
    for (;;) {
      const up = await fetch(`${base}/`).then((r) => r.ok, () => false)
      if (up) break
      assert.ok(server.exitCode === null && Date.now() < deadline, `next start did not answer:\n${output}`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }

    const expected = await s.ledger.userCosts('u-ada', { period: '2026-11' })
    const res = await fetch(`${base}/api/costs?user=u-ada&period=2026-11`)
    assert.equal(res.status, 200, output)
    assert.match(res.headers.get('content-type'), /^application\/json/)
    const body = await res.json()
    assert.deepEqual(body, JSON.parse(JSON.stringify(expected)))
    assert.ok(body.total.total.usdNumber > 0)
    assert.equal(body.period.label, '2026-11')

    const la = await (await fetch(`${base}/api/costs?user=u-ada&period=2026-11&timeZone=America/Los_Angeles`)).json()
    assert.deepEqual(la, JSON.parse(JSON.stringify(await s.ledger.userCosts('u-ada', { period: '2026-11 America/Los_Angeles' }))))

    const missing = await fetch(`${base}/api/costs?user=nobody&period=2026-11`)
    assert.equal(missing.status, 404)
    assert.equal((await missing.json()).code, 'SUBJECT_NOT_FOUND')
    const bad = await fetch(`${base}/api/costs?user=u-ada&period=soon`)
    assert.equal(bad.status, 400)
    assert.equal((await bad.json()).code, 'INVALID_INPUT')
    assertNoKey(output, s.keys)
  })
})

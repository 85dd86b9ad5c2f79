// The examples, run as a user runs them: examples/node's script, and examples/nextjs built
// with `next build` and served by `next start`: its JSON route asked for a user's monthly
// costs, and its dashboard driven in headless Chromium; every figure must be the library's own.

import assert from 'node:assert/strict'
import { execFile, spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import net from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import { promisify } from 'node:util'

import {
  DAYS,
  NOW,
  OAUTH_CLIENT_ID,
  UNKNOWN_KEY,
  assertNoKey,
  assertNoToken,
  freshDb,
  openLedger,
  startFake,
  syncedLedger,
  usd,
} from './helpers.mjs'

const run = promisify(execFile)
const PKG = path.resolve(import.meta.dirname, '..')
const EXAMPLES = path.resolve(PKG, '..', 'examples')
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm'
/** Debian's Chromium: the browser test never downloads one. */
const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]
/** Where the browser test leaves its screenshots. */
const SCREENSHOTS = path.resolve(PKG, '..', 'target', 'browser-screenshots')

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
      // The script syncs the default streams: the Analytics API bills every day (net).
      const billed = truth.orgs.reduce((n, o) => n + BigInt(o.analytics.net_total_nanos), 0n)
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

  /** `next start` of the built app on a free port, with `env` added; resolves once it answers. */
  async function startNext(env) {
    const port = await freePort()
    // Idle connections stay open for the whole test: Node closes them after 5 s by default,
    // and a browser request sent on one as it closes fails with ERR_CONNECTION_RESET (seen
    // once in a clean-clone run, on a busy machine), which the browser test counts as an error.
    const args = ['start', '--port', String(port), '--hostname', '127.0.0.1', '--keepAliveTimeout', '600000']
    const child = spawn(process.execPath, [nextBin, ...args], {
      cwd: dir,
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (d) => (output += d))
    child.stderr.on('data', (d) => (output += d))
    const base = `http://127.0.0.1:${port}`
    const deadline = Date.now() + 30_000
    for (;;) {
      const up = await fetch(`${base}/api/costs`).then(() => true, () => false)
      if (up) break
      assert.ok(child.exitCode === null && Date.now() < deadline, `next start did not answer:\n${output}`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
    return {
      base,
      output: () => output,
      stop: async () => {
        if (child.exitCode !== null) return
        child.kill('SIGTERM')
        const killer = setTimeout(() => child.kill('SIGKILL'), 5000)
        await once(child, 'exit')
        clearTimeout(killer)
      },
    }
  }

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

  describe('the JSON route handler', () => {
    let s, server
    before(async () => {
      s = await syncedLedger('sqlite')
      const plan = s.plans[0]
      const { apiKeys } = await s.ledger.planMetadata(plan.id)
      await s.ledger.upsertSubject({ id: 'u-ada', name: 'Ada' })
      for (const key of apiKeys.slice(0, 4)) await s.ledger.mapKey({ planId: plan.id, apiKeyId: key.id, subjectId: 'u-ada' })
      server = await startNext({ COSTLEDGER_DATABASE_URL: s.db.options.databaseUrl, COSTLEDGER_MASTER_KEY: s.db.masterKey })
    })
    after(async () => {
      await server?.stop()
      await s?.close()
    })

    it('serves a user\'s monthly costs, as userCosts reports them', async () => {
      const { base } = server
      const expected = await s.ledger.userCosts('u-ada', { period: '2026-11' })
      const res = await fetch(`${base}/api/costs?user=u-ada&period=2026-11`)
      assert.equal(res.status, 200, server.output())
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
      assertNoKey(server.output(), s.keys)
    })
  })

  // "Connect with OAuth" as a browser goes through it, with fetch: the initiate route's
  // cookies, the fake's consent page (which approves at once), the callback, and the plan it
  // added syncing; then the errors the callback reports in the query, reconnecting a plan whose
  // grant was revoked, and disconnecting with and without the provider.
  describe('the OAuth routes', () => {
    const INITIATE = '/api/anthropic/oauth/initiate'
    let fake, db, ledger, server, planId, firstCallback
    const sent = [] // every header and body the app answered with, to look for tokens in

    before(async () => {
      fake = await startFake({ orgs: 2 })
      db = freshDb('sqlite')
      ledger = await openLedger(db, fake) // the test's own view of the app's database
      server = await startNext({
        COSTLEDGER_DATABASE_URL: db.options.databaseUrl,
        COSTLEDGER_MASTER_KEY: db.masterKey,
        COSTLEDGER_ANTHROPIC_BASE_URL: fake.baseUrl,
        COSTLEDGER_NOW: NOW,
        COSTLEDGER_OAUTH_CLIENT_ID: OAUTH_CLIENT_ID,
        COSTLEDGER_OAUTH_URL: fake.baseUrl,
      })
    })
    after(async () => {
      await server?.stop()
      await ledger?.close()
      await fake?.stop()
      db?.drop()
    })

    /** A browser's cookies for the app: name → { value, path, attributes }. */
    const newJar = () => new Map()

    /** Fetch without following redirects, sending and keeping `jar`'s cookies. */
    async function request(jar, url, init = {}) {
      const target = new URL(url, server.base)
      const ours = target.origin === server.base
      const cookie = ours
        ? [...jar].filter(([, c]) => target.pathname.startsWith(c.path)).map(([name, c]) => `${name}=${c.value}`).join('; ')
        : ''
      const res = await fetch(target, { ...init, redirect: 'manual', headers: { ...init.headers, ...(cookie ? { cookie } : {}) } })
      const body = await res.text()
      if (ours) {
        sent.push(body, JSON.stringify([...res.headers]))
        for (const line of res.headers.getSetCookie()) {
          const [pair, ...attributes] = line.split(';').map((p) => p.trim())
          const [name, value] = [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]
          const path = attributes.find((a) => /^path=/i.test(a))?.slice(5) ?? '/'
          if (/^max-age=0$/i.test(attributes.find((a) => /^max-age=/i.test(a)) ?? '') || value === '') jar.delete(name)
          else jar.set(name, { value, path, attributes })
        }
      }
      // React separates adjacent text with `<!-- -->`; without it the page reads as shown.
      return { status: res.status, location: res.headers.get('location'), body: body.replaceAll('<!-- -->', '') }
    }

    /** Initiate and consent: resolves to the callback URL the fake redirected to. */
    async function consent(jar, initiate = INITIATE) {
      const started = await request(jar, initiate)
      assert.equal(started.status, 302, started.body)
      const approved = await request(jar, started.location)
      assert.equal(approved.status, 302, approved.body)
      return new URL(approved.location)
    }

    /** The callback, answered with a redirect to /plans: resolves to that redirect's query. */
    async function callback(jar, url) {
      const res = await request(jar, url)
      assert.equal(res.status, 303, res.body)
      const back = new URL(res.location)
      assert.equal(`${back.origin}${back.pathname}`, `${server.base}/plans`)
      return back.searchParams
    }

    /** POST the OAuth disconnect form; resolves to the query it redirected with. */
    async function disconnect(id) {
      const res = await request(newJar(), '/api/anthropic/oauth/disconnect', {
        method: 'POST',
        headers: { origin: server.base, 'content-type': 'application/x-www-form-urlencoded' },
        body: `planId=${id}`,
      })
      assert.equal(res.status, 303, res.body)
      return new URL(res.location).searchParams
    }

    it('connects a plan: httpOnly cookies, consent, callback; the plan then syncs the exact truth', async () => {
      const plans = await request(newJar(), '/plans')
      assert.match(plans.body, /<a href="\/api\/anthropic\/oauth\/initiate"[^>]*>Connect with OAuth<\/a>/)

      const jar = newJar()
      const started = await request(jar, INITIATE)
      assert.equal(started.status, 302, started.body)
      const authorize = new URL(started.location)
      assert.equal(`${authorize.origin}${authorize.pathname}`, `${fake.baseUrl}/oauth/authorize`)
      assert.equal(authorize.searchParams.get('redirect_uri'), `${server.base}/api/anthropic/oauth/callback`)
      assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256')
      const state = jar.get('costledger_oauth_state')
      const verifier = jar.get('costledger_oauth_verifier')
      assert.equal(state.value, authorize.searchParams.get('state'))
      assert.match(verifier.value, /^[A-Za-z0-9_-]{86}$/)
      for (const cookie of [state, verifier]) {
        const attributes = cookie.attributes.join('; ')
        // next start runs in production: Secure is set.
        for (const flag of [/^HttpOnly$/i, /^SameSite=Lax$/i, /^Secure$/i, /^Max-Age=600$/i, /^Path=\/api\/anthropic\/oauth$/i]) {
          assert.ok(cookie.attributes.some((a) => flag.test(a)), `${flag} in ${attributes}`)
        }
      }

      const approved = await request(jar, started.location)
      firstCallback = new URL(approved.location)
      assert.equal(`${firstCallback.origin}${firstCallback.pathname}`, `${server.base}/api/anthropic/oauth/callback`)
      const firstCookies = new Map(jar)
      const back = await callback(jar, firstCallback)
      assert.equal(jar.size, 0, 'the callback cleared the cookies')
      planId = Number(back.get('connected'))
      const plan = await ledger.getPlan(planId)
      const [acme] = fake.orgs
      assert.deepEqual([plan.label, plan.orgId, plan.keyHint, plan.status], [acme.name, acme.id, 'OAuth (org:admin)', 'active'])
      const page = await request(newJar(), `/plans?${back}`)
      assert.match(page.body, new RegExp(`data-oauth="connected"[^>]*>Connected “${acme.name}”`))
      assert.match(page.body, /data-action="disconnect"/)

      // The sealed tokens the app stored sync the organisation's whole bill, with bearer tokens.
      const report = await ledger.sync({ planId, initialBackfillDays: DAYS + 1 })
      assert.equal(report.ok, true, JSON.stringify(report.plans.map((p) => p.error)))
      assert.ok(Object.keys((await fake.stats()).by_key).every((k) => k.startsWith('sk-ant-oat01-')))
      const truth = (await fake.truth()).orgs.find((o) => o.org_id === acme.id)
      const dashboard = await request(newJar(), '/?period=2026-11')
      assert.equal(/data-stat="billed"[\s\S]*?data-usd="([^"]+)"/.exec(dashboard.body)?.[1], usd(BigInt(truth.cost_total_nanos)))

      // Replaying the callback (a stolen code) is refused; the provider revokes what that code got.
      const replayed = await callback(firstCookies, firstCallback)
      assert.equal(replayed.get('error'), 'CREDENTIAL_REJECTED')
      assert.match(replayed.get('message'), /invalid_grant/)
      assert.equal((await fake.oauth.stats()).reuse_detected, 1)
    })

    it('explains a forged state, missing cookies, a denied consent and a second connection in the query', async () => {
      const jar = newJar()
      const url = await consent(jar)
      url.searchParams.set('state', 'forged-state')
      const forged = await callback(jar, url)
      assert.equal(forged.get('error'), 'INVALID_INPUT')
      assert.match(forged.get('message'), /state does not match/)
      assert.equal(jar.size, 0, 'cookies cleared after an error too')
      const page = await request(newJar(), `/plans?${forged}`)
      assert.match(page.body, /data-error-code="INVALID_INPUT"/)
      assert.match(page.body, /The sign-in could not be completed/)

      const missing = await callback(newJar(), firstCallback)
      assert.equal(missing.get('error'), 'INVALID_INPUT')
      assert.match(missing.get('message'), /no cookies/)

      // The user pressed "Deny": the provider redirects back with an error (RFC 6749 §4.1.2.1).
      const started = await request(jar, INITIATE)
      const denial = new URLSearchParams({
        error: 'access_denied',
        error_description: 'the user denied access',
        state: new URL(started.location).searchParams.get('state'),
      })
      const denied = await callback(jar, `/api/anthropic/oauth/callback?${denial}`)
      assert.equal(denied.get('error'), 'OAUTH_DENIED')
      assert.equal(denied.get('message'), 'access_denied: the user denied access')
      assert.equal(jar.size, 0)
      assert.match((await request(newJar(), `/plans?${denied}`)).body, /Anthropic did not grant access/)

      // The organisation is connected already (its grant revoked by the replay, but the plan
      // is there): CONFLICT, and the new grant no plan keeps is revoked at once.
      const revoked = (await fake.oauth.stats()).revocations
      const twice = await callback(jar, await consent(jar))
      assert.equal(twice.get('error'), 'CONFLICT')
      assert.equal((await fake.oauth.stats()).revocations, revoked + 1)
    })

    it('offers to reconnect a plan whose grant was refused, and reconnects it', async () => {
      const report = await ledger.sync({ planId })
      assert.equal(report.plans[0].error?.code, 'CREDENTIAL_REJECTED', JSON.stringify(report.plans))
      const page = await request(newJar(), '/plans')
      assert.match(page.body, new RegExp(`href="${INITIATE}\\?plan=${planId}"[^>]*>Reconnect with OAuth`))
      const jar = newJar()
      const back = await callback(jar, await consent(jar, `${INITIATE}?plan=${planId}`))
      assert.equal(back.get('reconnected'), String(planId))
      assert.equal((await ledger.getPlan(planId)).status, 'active')
      const again = await ledger.sync({ planId })
      assert.equal(again.ok, true, JSON.stringify(again.plans.map((p) => p.error)))
    })

    it('disconnects revoking the grant, and says so when Anthropic cannot revoke it', async () => {
      const revoked = (await fake.oauth.stats()).revocations
      const done = await disconnect(planId)
      assert.deepEqual([done.get('disconnected'), done.get('revocation')], [String(planId), 'revoked'])
      assert.equal((await fake.oauth.stats()).revocations, revoked + 1)
      assert.equal((await ledger.getPlan(planId)).status, 'disconnected')
      assert.match((await request(newJar(), `/plans?${done}`)).body, /data-oauth="disconnected"[^>]*>Disconnected “[^”]+”; Anthropic revoked/)

      // Connected again (the organisation's plan comes back), then disconnected while the
      // authorization server is down: the tokens are destroyed, and the page says the grant
      // may still be live.
      const jar = newJar()
      const back = await callback(jar, await consent(jar))
      assert.equal(back.get('connected'), String(planId))
      await fake.oauth.setFaults('down')
      const failed = await disconnect(planId)
      await fake.oauth.setFaults('none')
      assert.deepEqual([failed.get('revocation'), failed.get('code')], ['failed', 'UPSTREAM'])
      assert.match(failed.get('message'), /503/)
      assert.equal((await ledger.getPlan(planId)).keyHint, null)
      const page = await request(newJar(), `/plans?${failed}`)
      assert.match(page.body, /data-oauth="revocation-failed"/)
      assert.match(page.body, /Anthropic did not revoke its access/)

      const crossSite = await request(newJar(), '/api/anthropic/oauth/disconnect', {
        method: 'POST',
        headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
        body: `planId=${planId}`,
      })
      assert.equal(crossSite.status, 403)
    })

    it('sent no token to the browser, and logged none', async () => {
      await assertNoToken(fake, ...sent, server.output())
    })
  })

  // The dashboard as an admin uses it, in Debian's Chromium driven by playwright-core: an
  // empty ledger, plans added, synced and disconnected through the forms, and every figure
  // checked against the library's own report on the same database.
  describe('the dashboard, in Chromium', () => {
    const PERIOD = '2026-11'
    let fake, db, ledger, server, context, page, profile, started
    const bodies = [] // every response body the browser received, to look for keys in
    const pageErrors = [] // uncaught exceptions and console errors in the page

    before(async () => {
      started = performance.now()
      assert.ok(
        existsSync(CHROMIUM),
        `${CHROMIUM} is missing: install Debian's chromium (apt-get install -y chromium); scripts/test.sh does`,
      )
      fake = await startFake({ orgs: 2 })
      db = freshDb('sqlite')
      ledger = await openLedger(db, fake) // the test's own view of the app's database
      server = await startNext({
        COSTLEDGER_DATABASE_URL: db.options.databaseUrl,
        COSTLEDGER_MASTER_KEY: db.masterKey,
        COSTLEDGER_ANTHROPIC_BASE_URL: fake.baseUrl,
        COSTLEDGER_NOW: NOW,
      })
      const { chromium } = createRequire(path.join(dir, 'package.json'))('playwright-core')
      profile = mkdtempSync(path.join(tmpdir(), 'costledger-chromium-'))
      context = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        args: CHROMIUM_ARGS,
        viewport: { width: 1280, height: 900 },
      })
      page = context.pages()[0] ?? (await context.newPage())
      page.setDefaultTimeout(30_000)
      // Every response passes through here, so its body is kept whole (the browser's own
      // copy of a streamed server action answer cannot be read back).
      // A request the server resets (a prefetch the page stopped needing, a request still in
      // flight when the context closes) fails in the browser as it would have without this
      // hook, instead of rejecting outside any test; a page that needed it fails its test.
      await context.route('**/*', async (route) => {
        let response, body
        try {
          response = await route.fetch()
          body = await response.body()
        } catch {
          await route.abort('connectionreset').catch(() => {})
          return
        }
        bodies.push(body.toString('utf8'))
        await route.fulfill({ response, body }).catch(() => {})
      })
      page.on('pageerror', (error) => pageErrors.push(error.message))
      page.on('console', (message) => message.type() === 'error' && pageErrors.push(message.text()))
      mkdirSync(SCREENSHOTS, { recursive: true })
    })
    after(async () => {
      await context?.close()
      await server?.stop()
      await ledger?.close()
      await fake?.stop()
      db?.drop()
      if (profile) rmSync(profile, { recursive: true, force: true })
    })

    /** Open a page of the app and wait until React has hydrated it. */
    async function open(pathname) {
      await page.goto(`${server.base}${pathname}`)
      await page.waitForSelector('html[data-hydrated]')
    }
    async function shot(name) {
      await page.mouse.move(0, 0) // no tooltip left open by the last click
      await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`), fullPage: true })
    }
    const exact = (selector) => page.locator(selector).first().getAttribute('data-usd')
    const texts = (selector) => page.locator(selector).allTextContents()
    const plan = (id) => page.locator(`li[data-plan-id="${id}"]`)

    /** The summary figures on the page against `expected`'s totals, to the nanodollar. */
    async function assertTotals(expected) {
      for (const basis of ['total', 'billed', 'estimated', 'unallocated', 'subscription']) {
        assert.equal(await exact(`[data-stat="${basis}"] [data-usd]`), expected.totals[basis].usd, basis)
      }
      const tokens = expected.perModel.reduce(
        (n, m) => n + m.tokens.uncachedInput + m.tokens.cacheWrite5m + m.tokens.cacheWrite1h + m.tokens.cacheRead + m.tokens.output,
        0,
      )
      assert.equal(await page.locator('[data-stat="tokens"] [data-count]').getAttribute('data-count'), String(tokens))
      assert.deepEqual(await texts('[data-section="per-workspace"] td:first-child'), expected.perWorkspace.map((w) => w.name))
      assert.equal(await page.locator('[data-section="per-model"] tr[data-model]').count(), expected.perModel.length)
      for (const line of expected.perPlan) {
        assert.equal(await exact(`[data-section="per-plan"] tr[data-plan-id="${line.planId}"] [data-col="total"] [data-usd]`), line.cost.total.usd)
      }
    }

    /** Add a plan through the form; resolves to the form's note (`[data-error-code]` or the ok note). */
    async function addPlan({ label, key, tier, seats, anchorDate }) {
      const form = page.locator('form[data-form="add-plan"]')
      await form.locator('input[name="label"]').fill(label)
      await form.locator('input[name="adminApiKey"]').fill(key)
      await form.locator('select[name="tier"]').selectOption(tier ?? '')
      if (seats) await form.locator('input[name="seats"]').fill(String(seats))
      if (anchorDate) await form.locator('input[name="anchorDate"]').fill(anchorDate)
      await form.locator('button[data-action="add-plan"]').click()
      await form.locator('button[data-action="add-plan"][aria-busy="false"]').waitFor()
      return form.locator('.ok-note, .error-note')
    }

    /** Press a plan's sync button, see it spin (and no other), and wait for its outcome. */
    async function sync(id, others = []) {
      const button = plan(id).locator('button[data-action="sync"]')
      await button.click()
      await plan(id).locator('button[data-action="sync"][aria-busy="true"]').waitFor()
      assert.match(await button.textContent(), /Syncing/)
      for (const other of others) {
        assert.equal(await plan(other).locator('button[data-action="sync"]').getAttribute('aria-busy'), 'false')
      }
      await plan(id).locator('button[data-action="sync"][aria-busy="false"]').waitFor({ timeout: 180_000 })
      return plan(id).locator('form[data-form="sync"]').locator('.ok-note, .error-note')
    }

    it('shows the empty state, which leads to the plan form', async () => {
      await open('/')
      assert.match(await page.locator('[data-empty="dashboard"]').textContent(), /No plans connected yet/)
      await shot('01-empty-dashboard')
      await page.getByRole('link', { name: 'Connect a plan' }).click()
      await page.waitForURL('**/plans')
      await page.locator('[data-empty="plans"]').waitFor()
    })

    it('explains a refused or malformed key by its error code', async () => {
      await page.waitForSelector('html[data-hydrated]')
      const refused = await addPlan({ label: 'Acme', key: UNKNOWN_KEY })
      assert.equal(await refused.getAttribute('data-error-code'), 'CREDENTIAL_REJECTED')
      assert.match(await refused.textContent(), /Anthropic refused this admin key/)
      assert.equal(await page.locator('form[data-form="add-plan"] input[name="label"]').inputValue(), 'Acme', 'the label is kept')
      assert.equal(await page.locator('form[data-form="add-plan"] input[name="adminApiKey"]').inputValue(), '', 'the key is not')
      const malformed = await addPlan({ label: 'Acme', key: 'not-a-key' })
      assert.equal(await malformed.getAttribute('data-error-code'), 'INVALID_INPUT')
      assert.match(await malformed.textContent(), /Please check what you entered/)
      assert.deepEqual(await ledger.listPlans(), [])
    })

    it('adds a plan with a subscription; only its key hint comes back', async () => {
      const note = await addPlan({ label: 'Acme', key: fake.orgs[0].admin_key, tier: 'team_standard', seats: 5, anchorDate: '2026-11-05' })
      assert.match(await note.textContent(), /^Connected “Acme” \(Acme Robotics\) with key sk-ant-admin01-…\w{4}\.$/)
      const [added] = await ledger.listPlans()
      assert.equal(added.label, 'Acme')
      assert.deepEqual(added.subscription && [added.subscription.tier, added.subscription.seats], ['team_standard', 5])
      const row = plan(added.id)
      assert.equal(await row.locator('[data-key-hint]').textContent(), added.keyHint)
      assert.equal(await row.locator('[data-status-badge]').textContent(), 'active')
      assert.equal(await row.locator('[data-tier-badge]').textContent(), 'Team Standard')
      assert.equal(await row.locator('[data-next-payment]').textContent(), '2026-12-05') // monthly from Nov 5; now is Nov 20
      assert.equal(await row.locator('[data-last-sync]').textContent(), 'never')

      const twice = await addPlan({ label: 'Acme again', key: fake.orgs[0].admin_key })
      assert.equal(await twice.getAttribute('data-error-code'), 'CONFLICT')
      assert.match(await twice.textContent(), /Already connected/)
    })

    it('edits a plan\'s label', async () => {
      const [acme] = await ledger.listPlans()
      await plan(acme.id).locator('summary', { hasText: 'Edit label' }).click()
      await plan(acme.id).locator('input[name="label"]').fill('Acme prod')
      await plan(acme.id).locator('button[data-action="rename"]').click()
      await plan(acme.id).locator('form[data-form="rename"] .ok-note', { hasText: 'Renamed to “Acme prod”.' }).waitFor()
      assert.equal((await ledger.getPlan(acme.id)).label, 'Acme prod')
      assert.equal(await plan(acme.id).locator('[data-plan-badge]').textContent(), 'Acme prod')
    })

    it('syncs the plan with its own button, which spins meanwhile', async () => {
      const [acme] = await ledger.listPlans()
      const note = await sync(acme.id)
      assert.match(await note.textContent(), /^Synced: [\d,]+ rows written\.$/)
      const row = plan(acme.id)
      const synced = await ledger.getPlan(acme.id)
      assert.ok(synced.lastSyncedAt, 'the library records the sync')
      assert.equal(await row.locator('[data-last-sync]').textContent(), `${synced.lastSyncedAt.slice(0, 10)} ${synced.lastSyncedAt.slice(11, 16)} UTC`)
      await shot('02-plan-synced')
    })

    it('shows the library\'s dashboard numbers, the bill exactly the fake\'s', async () => {
      await open(`/?period=${PERIOD}`)
      const expected = await ledger.dashboard({ period: PERIOD })
      await assertTotals(expected)
      // The fake's whole history (Nov 10-20) is in November: its bill is the month's. The app
      // syncs the default streams, so the Analytics API bills every (whole) day, net.
      const truth = await fake.truth()
      assert.equal(await exact('[data-stat="billed"] [data-usd]'), usd(BigInt(truth.orgs[0].analytics.net_total_nanos)))
      assert.ok(Number(await exact('[data-stat="total"] [data-usd]')) > 0)
      assert.equal(await page.locator('[data-plan-filter]').count(), 0, 'no plan filter with one plan')
      await page.locator('[data-chart="cost-per-day"] .recharts-bar-rectangle').first().waitFor()
      await page.locator('[data-chart="tokens-per-day"] .recharts-area').first().waitFor()
      await page.locator('[data-chart="cost-per-model"] .recharts-bar-rectangle').first().waitFor()
      await shot('03-dashboard-one-plan')
    })

    it('shows a plan filter once a second plan is connected, and narrows every number with it', async () => {
      await open('/plans')
      const note = await addPlan({ label: 'Globex', key: fake.orgs[1].admin_key })
      assert.match(await note.textContent(), /^Connected “Globex”/)
      const [acme, globex] = await ledger.listPlans()
      assert.match(await (await sync(globex.id, [acme.id])).textContent(), /^Synced: /)

      await open(`/?period=${PERIOD}`)
      await assertTotals(await ledger.dashboard({ period: PERIOD }))
      const names = await texts('[data-section="per-workspace"] td:first-child')
      assert.ok(names.some((n) => n.endsWith(' (Acme prod)')) && names.some((n) => n.endsWith(' (Globex)')), names.join(', '))
      const filter = page.locator('select[data-plan-filter]')
      assert.deepEqual(await filter.locator('option').allTextContents(), ['All plans', 'Acme prod', 'Globex'])

      await filter.selectOption(String(globex.id))
      await page.getByRole('button', { name: 'Show' }).click()
      await page.waitForURL(`**/?period=${PERIOD}&plan=${globex.id}`)
      await page.locator('h1 [data-plan-badge]', { hasText: 'Globex' }).waitFor()
      const narrowed = await ledger.dashboard({ period: PERIOD, planIds: [globex.id] })
      await assertTotals(narrowed)
      assert.ok(!(await texts('[data-section="per-workspace"] td:first-child')).some((n) => n.includes('(')))
      await page.locator('[data-chart="tokens-per-day"] .recharts-area').first().waitFor()
      await shot('04-dashboard-filtered')
    })

    it('opens a user\'s monthly costs from the top users, with plan and tier badges', async () => {
      // The user who created most of Acme's keys: their keys are theirs by email.
      const [acme] = await ledger.listPlans()
      const { apiKeys, users } = await ledger.planMetadata(acme.id)
      const creators = apiKeys.map((k) => k.createdById)
      const creator = users.find((u) => u.id === creators.sort((a, b) => creators.filter((c) => c === b).length - creators.filter((c) => c === a).length)[0])
      await ledger.upsertSubject({ id: 'u-ada', email: creator.email, name: 'Ada Lovelace' })

      await open(`/?period=${PERIOD}`)
      await page.locator('[data-section="top-users"]').getByRole('link', { name: 'Ada Lovelace' }).click()
      await page.waitForURL(`**/users/u-ada?period=${PERIOD}`)
      await page.locator('[data-section="per-plan"]').waitFor()
      const expected = await ledger.userCosts('u-ada', { period: PERIOD })
      assert.ok(expected.total.total.usdNumber > 0)
      for (const basis of ['total', 'allocated', 'estimated', 'subscription']) {
        assert.equal(await exact(`[data-stat="${basis}"] [data-usd]`), expected.total[basis].usd, basis)
      }
      const line = page.locator(`[data-section="per-plan"] tr[data-plan-id="${acme.id}"]`)
      assert.equal(await line.locator('[data-plan-badge]').textContent(), 'Acme prod')
      assert.equal(await line.locator('[data-tier-badge]').textContent(), 'Team Standard')
      assert.equal(await line.locator('[data-next-payment]').textContent(), '2026-12-05')
      assert.equal(await exact(`[data-section="per-plan"] tr[data-plan-id="${acme.id}"] [data-usd]`), expected.perPlan[0].cost.total.usd)
      const [seat] = expected.seats
      assert.equal(seat.planId, acme.id, 'a member of Acme holds one of its seats')
      assert.equal(await exact(`[data-section="seats"] tr[data-plan-id="${acme.id}"] [data-usd]`), seat.amount.usd)
      assert.equal(await page.locator('[data-section="per-model"] tr[data-model]').count(), expected.perModel.length)
      await page.locator('[data-chart="cost-per-day"] .recharts-bar-rectangle').first().waitFor()
      await shot('05-user-costs')
    })

    it('explains a bad period and an unknown user instead of failing', async () => {
      await open('/?period=soon')
      assert.match(await page.locator('[data-error-code="INVALID_INPUT"]').textContent(), /Please check what you entered/)
      await shot('06-error-bad-period')
      await open('/users/nobody')
      assert.match(await page.locator('[data-error-code="SUBJECT_NOT_FOUND"]').textContent(), /No such user/)
    })

    it('disconnects a plan after a confirmation; its history stays on the dashboard', async () => {
      const [acme, globex] = await ledger.listPlans()
      await open('/plans')
      await plan(globex.id).locator('button[data-action="disconnect"]').click()
      await plan(globex.id).locator('button[data-action="confirm-disconnect"]').click()
      const gone = page.locator(`[data-section="disconnected"] li[data-plan-id="${globex.id}"]`)
      await gone.waitFor()
      assert.equal(await gone.getAttribute('data-status'), 'disconnected')
      assert.equal(await gone.locator('[data-key-hint]').textContent(), 'destroyed')
      assert.equal((await ledger.getPlan(globex.id)).status, 'disconnected')
      assert.deepEqual((await ledger.listPlans()).map((p) => p.id), [acme.id])
      await shot('07-plan-disconnected')

      await open(`/?period=${PERIOD}`)
      assert.equal(await page.locator('[data-plan-filter]').count(), 0, 'one plan left: no filter')
      await assertTotals(await ledger.dashboard({ period: PERIOD }))
      assert.equal(await page.locator(`[data-section="per-plan"] tr[data-plan-id="${globex.id}"] [data-status-badge]`).textContent(), 'disconnected')
    })

    it('never sent an admin key to the browser, nor threw in it', async (t) => {
      const keys = fake.orgs.map((o) => o.admin_key)
      const received = bodies.join('\n')
      assert.ok(received.includes('with key sk-ant-admin01-…'), 'the add-plan answers were read: they hold the hint')
      assertNoKey(received, keys)
      assertNoKey(server.output(), keys)
      assert.deepEqual(pageErrors, [])
      t.diagnostic(`the browser test took ${((performance.now() - started) / 1000).toFixed(1)} s; screenshots in ${SCREENSHOTS}`)
    })
  })
})

// OAuth plans, on every backend, against the fake's authorization server: the PKCE sign-in,
// a sync that refreshes an expired token mid-way, 401 then refresh then success, a refused
// refresh, a state mismatch, a reused code, several organisations, two processes refreshing
// at once (Postgres), disconnect with revocation and with the provider down, and no token in
// anything the package returns, prints or throws.

import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import path from 'node:path'
import { after, before, describe, it } from 'node:test'
import util from 'node:util'

import { OAuthClient } from 'costledger'

import {
  BACKENDS,
  DAYS,
  LEGACY_STREAMS,
  NOW,
  OAUTH_CLIENT_ID,
  assertNoToken,
  freshDb,
  openLedger,
  rejectsWith,
  sharedCipher,
  startFake,
  usd,
  visit,
} from './helpers.mjs'

const REDIRECT = 'http://127.0.0.1:53682/callback'
const HISTORY = '2026-11-10..2026-11-20'
// The legacy streams: OAuth tokens never reach the Analytics API, and the totals compared
// here are the legacy cost report's.
const SYNC = { initialBackfillDays: DAYS + 1, streams: LEGACY_STREAMS }

/** A public client of `fake`, on the fake's clock. */
function clientOf(fake) {
  return new OAuthClient({
    clientId: OAUTH_CLIENT_ID,
    redirectUri: REDIRECT,
    baseUrl: fake.baseUrl,
    scopes: ['org:admin', 'user:profile'],
    timeoutMs: 5000,
    now: NOW,
  })
}

/** A whole sign-in: begin, the browser's visit, finish. */
async function signIn(client) {
  const begin = client.begin()
  const back = await visit(begin.url)
  return client.finish(back.searchParams.get('code'), back.searchParams.get('state'), begin.state, begin.verifier)
}

/** The error `promise` rejects with, after checking its code (and message). */
async function failure(promise, code, message) {
  let error
  await rejectsWith(
    promise.catch((e) => {
      error = e
      throw e
    }),
    code,
    message,
  )
  return error
}

/** The stored credentials' kind, key id, nonce and ciphertext, as text (hex for bytes). */
function credentialRows(db) {
  return db.sql(
    db.kind === 'sqlite'
      ? 'SELECT kind, key_id, hex(nonce), hex(ciphertext) FROM costledger_credentials'
      : "SELECT kind, key_id, encode(nonce, 'hex'), encode(ciphertext, 'hex') FROM costledger_credentials",
  )
}

/** No token prefix in the stored credentials, in clear or as hex. */
function assertSealed(db) {
  const rows = credentialRows(db).toLowerCase()
  for (const prefix of ['sk-ant-oat01-', 'sk-ant-ort01-']) {
    assert.ok(!rows.includes(prefix) && !rows.includes(Buffer.from(prefix).toString('hex')), rows)
  }
}

/** Usage tokens and billed cost of `plan` as the dashboard reads them, and the fake's truth for its org. */
async function totalsAndTruth(ledger, fake, plan) {
  const dashboard = await ledger.dashboard({ period: HISTORY, planIds: [plan.id] })
  const truth = (await fake.truth()).orgs.find((o) => o.org_id === plan.orgId)
  return {
    stored: {
      billed: dashboard.totals.billed.usd,
      output: dashboard.perModel.reduce((n, m) => n + m.tokens.output, 0),
      cacheRead: dashboard.perModel.reduce((n, m) => n + m.tokens.cacheRead, 0),
    },
    truth: {
      billed: usd(truth.cost_total_nanos),
      output: truth.usage_totals.output_tokens,
      cacheRead: truth.usage_totals.cache_read_input_tokens,
    },
  }
}

for (const kind of BACKENDS) {
  describe(`OAuth on ${kind}`, () => {
    // Each test gets a fake, a database and a ledger with one OAuth plan for the fake's first org.
    let fake, db, ledger, client, plan
    async function setup({ faults, ledgerOptions } = {}) {
      fake = await startFake({ orgs: 3, faults })
      db = freshDb(kind)
      ledger = await openLedger(db, fake, ledgerOptions)
      client = clientOf(fake)
      plan = await ledger.addPlan({ label: 'OAuth org', oauthTokens: await signIn(client) })
    }
    async function teardown() {
      await ledger?.close()
      await fake?.stop()
      db?.drop()
      ledger = fake = db = undefined
    }

    describe('a sign-in', () => {
      before(() => setup())
      after(teardown)

      it('runs PKCE, adds the plan and syncs the exact truth with bearer tokens', async () => {
        const begin = client.begin()
        const url = new URL(begin.url)
        assert.equal(`${url.origin}${url.pathname}`, `${fake.baseUrl}/oauth/authorize`)
        assert.equal(url.searchParams.get('code_challenge_method'), 'S256')
        assert.equal(url.searchParams.get('state'), begin.state)
        assert.equal(url.searchParams.get('client_id'), OAUTH_CLIENT_ID)
        assert.equal(url.searchParams.get('redirect_uri'), REDIRECT)
        assert.equal(url.searchParams.get('scope'), 'org:admin user:profile')
        assert.match(begin.state, /^[A-Za-z0-9_-]{43}$/)
        assert.match(begin.verifier, /^[A-Za-z0-9_-]{86}$/)
        assert.ok(!begin.url.includes(begin.verifier), 'only the challenge travels')

        const back = await visit(begin.url)
        assert.equal(`${back.origin}${back.pathname}`, REDIRECT)
        assert.equal(back.searchParams.get('state'), begin.state)
        const tokens = await client.finish(back.searchParams.get('code'), begin.state, begin.state, begin.verifier)
        const [acme, globex] = fake.orgs
        assert.deepEqual(tokens.organization, { id: acme.id, name: acme.name })
        assert.equal(tokens.scope, 'org:admin user:profile')
        assert.equal(tokens.expiresAt, '2026-11-20T01:00:00.000Z', 'an hour from the client clock')
        assert.deepEqual(JSON.parse(JSON.stringify(tokens)), {
          expiresAt: '2026-11-20T01:00:00.000Z',
          scope: 'org:admin user:profile',
          organization: { id: acme.id, name: acme.name },
        })
        assert.equal(String(tokens), `OAuthTokens(${acme.id}, org:admin user:profile)`)
        assert.equal(util.inspect(tokens), 'OAuthTokens {}')
        assert.throws(() => new tokens.constructor(), 'tokens come from a sign-in only')
        assert.deepEqual(
          (await client.organizations(tokens)).map((o) => o.id),
          fake.orgs.map((o) => o.id),
          'the sign-in reaches every org, its own first',
        )

        // The plan added in setup: its hint is no part of a token, its org the sign-in's.
        assert.equal(plan.keyHint, 'OAuth (org:admin)')
        assert.equal(plan.orgId, acme.id)
        assert.equal(plan.orgName, acme.name)
        assert.equal(plan.status, 'active')
        await rejectsWith(ledger.addPlan({ label: 'Twice', oauthTokens: tokens }), 'CONFLICT')
        assert.ok(credentialRows(db).startsWith('oauth|'), 'sealed as one credential of kind oauth')

        const report = await ledger.sync(SYNC)
        assert.equal(report.ok, true, JSON.stringify(report.plans.map((p) => p.error)))
        const { stored, truth } = await totalsAndTruth(ledger, fake, plan)
        assert.deepEqual(stored, truth)
        assert.ok(truth.output > 0)
        const seen = Object.keys((await fake.stats()).by_key)
        assert.ok(seen.length > 0 && seen.every((k) => k.startsWith('sk-ant-oat01-')), 'every request had a bearer token')
        assert.equal((await fake.oauth.stats()).refreshes, 0)
        assert.deepEqual(await ledger.checkPlan(plan.id), { id: acme.id, name: acme.name })

        // Another org the sign-in reaches: a grant of its own, a plan of its own.
        const other = await client.selectOrganization(tokens, globex.id)
        assert.deepEqual(other.organization, { id: globex.id, name: globex.name })
        const second = await ledger.addPlan({ label: 'Second org', oauthTokens: other })
        assert.equal(second.orgId, globex.id)
        assert.equal((await ledger.sync({ planId: second.id, ...SYNC })).ok, true)
        const both = await totalsAndTruth(ledger, fake, second)
        assert.deepEqual(both.stored, both.truth)

        assertSealed(db)
        await assertNoToken(fake, begin, tokens, other, report, await ledger.listPlans(), await ledger.syncHistory(), ledger, client)
      })
    })

    describe('an access token expiring mid-sync', () => {
      // Slow answers leave time to expire the token while the sync is between pages.
      before(() => setup({ faults: 'slow:15' }))
      after(teardown)

      it('is refreshed once after its 401, and the sync goes on to the exact truth', async () => {
        let expired = false
        const expire = (async () => {
          while ((await fake.stats()).requests < 6) await new Promise((resolve) => setTimeout(resolve, 2))
          await fake.oauth.expire('access')
          expired = true
        })()
        const report = await ledger.sync(SYNC)
        await expire
        assert.ok(expired)
        assert.equal(report.ok, true, JSON.stringify(report.plans.map((p) => p.error)))
        const oauth = await fake.oauth.stats()
        assert.equal(oauth.bearer_refused, 1, JSON.stringify(oauth))
        assert.equal(oauth.refreshes, 1, JSON.stringify(oauth))
        const { stored, truth } = await totalsAndTruth(ledger, fake, plan)
        assert.deepEqual(stored, truth)
        // The rotated tokens were stored: checking needs no other refresh.
        await ledger.checkPlan(plan.id)
        assert.equal((await fake.oauth.stats()).refreshes, 1)
        assertSealed(db)
        await assertNoToken(fake, report, await ledger.listPlans(), await ledger.syncHistory())
      })
    })

    describe('an expired access token', () => {
      before(() => setup())
      after(teardown)

      it('gets a 401, is refreshed, and the request succeeds; near expiry it is refreshed before', async () => {
        await fake.oauth.expire('access')
        const report = await ledger.sync(SYNC)
        assert.equal(report.ok, true, JSON.stringify(report.plans.map((p) => p.error)))
        let oauth = await fake.oauth.stats()
        assert.deepEqual([oauth.bearer_refused, oauth.refreshes, oauth.reuse_detected], [1, 1, 0], JSON.stringify(oauth))
        const { stored, truth } = await totalsAndTruth(ledger, fake, plan)
        assert.deepEqual(stored, truth)

        // A ledger whose clock is 30 s before the stored token expires refreshes it before
        // sending it: no 401.
        const later = await openLedger(db, fake, { now: '2026-11-20T00:59:30Z' })
        try {
          await later.checkPlan(plan.id)
        } finally {
          await later.close()
        }
        oauth = await fake.oauth.stats()
        assert.deepEqual([oauth.bearer_refused, oauth.refreshes, oauth.reuse_detected], [1, 2, 0], JSON.stringify(oauth))
        await assertNoToken(fake, report, await ledger.listPlans())
      })
    })

    describe('a refused refresh', () => {
      before(() => setup())
      after(teardown)

      it('puts the plan in error with CREDENTIAL_REJECTED, and a new sign-in reconnects it', async () => {
        await fake.oauth.expire('access')
        await fake.oauth.setFaults('refuse_refresh')
        const report = await ledger.sync(SYNC)
        const [outcome] = report.plans
        assert.equal(outcome.status, 'error')
        assert.equal(outcome.error.code, 'CREDENTIAL_REJECTED')
        assert.match(outcome.error.message, /connect the plan again/)
        const errored = await ledger.getPlan(plan.id)
        assert.equal(errored.status, 'error')
        assert.match(errored.lastError, /signing in with OAuth/)
        const checked = await failure(ledger.checkPlan(plan.id), 'CREDENTIAL_REJECTED', /invalid_grant/)

        await fake.oauth.setFaults('none')
        // Tokens of another organisation cannot take the plan over.
        const [acme, globex] = fake.orgs
        await fake.oauth.setAccount([globex.id])
        await rejectsWith(ledger.rotatePlanOauth(plan.id, await signIn(client)), 'ORG_MISMATCH')
        await fake.oauth.setAccount([acme.id])
        const again = await ledger.rotatePlanOauth(plan.id, await signIn(client))
        assert.equal(again.status, 'active')
        assert.equal(again.keyHint, 'OAuth (org:admin)')
        const synced = await ledger.sync(SYNC)
        assert.equal(synced.ok, true, JSON.stringify(synced.plans.map((p) => p.error)))
        await rejectsWith(ledger.rotatePlanOauth(plan.id, { scope: 'org:admin' }), 'INVALID_INPUT', /OAuthTokens/)
        await assertNoToken(fake, report, errored, checked, synced, await ledger.listPlans())
      })
    })

    describe('a forged or replayed callback', () => {
      before(() => setup())
      after(teardown)

      it('refuses a state mismatch before any request, and a reused code', async () => {
        const exchanged = (await fake.oauth.stats()).codes_exchanged
        const begin = client.begin()
        const back = await visit(begin.url)
        const code = back.searchParams.get('code')
        const other = client.begin()
        const mismatch = await failure(
          client.finish(code, back.searchParams.get('state'), other.state, begin.verifier),
          'INVALID_INPUT',
          /state does not match/,
        )
        await rejectsWith(client.finish(code, '', '', begin.verifier), 'INVALID_INPUT')
        assert.equal((await fake.oauth.stats()).codes_exchanged, exchanged, 'nothing was sent')

        // The code is still good for the session that began the sign-in, once.
        const first = await client.finish(code, begin.state, begin.state, begin.verifier)
        const reused = await failure(client.finish(code, begin.state, begin.state, begin.verifier), 'CREDENTIAL_REJECTED', /invalid_grant/)
        assert.equal((await fake.oauth.stats()).reuse_detected, 1)
        // The reuse revoked what the first exchange got: adding it is refused, nothing stored.
        const added = await failure(
          ledger.addPlan({ label: 'Replayed', oauthTokens: first }),
          'CREDENTIAL_REJECTED',
          /OAuth token has been revoked/,
        )
        assert.match(added.message, /signing in with OAuth/)
        assert.equal((await ledger.listPlans()).length, 1)
        assert.equal(credentialRows(db).trim().split('\n').length, 1)

        // Another verifier than the one the sign-in began with.
        const again = client.begin()
        const wrongBack = await visit(again.url)
        await rejectsWith(
          client.finish(wrongBack.searchParams.get('code'), again.state, again.state, client.begin().verifier),
          'CREDENTIAL_REJECTED',
          /code_verifier/,
        )
        await assertNoToken(fake, mismatch, reused, added)
      })

      it('refuses arguments that are not tokens, and a bad client configuration', async () => {
        await rejectsWith(ledger.addPlan({ label: 'Fake', oauthTokens: { scope: 'org:admin' } }), 'INVALID_INPUT', /OAuthTokens/)
        const tokens = await signIn(client)
        await rejectsWith(
          ledger.addPlan({ label: 'Both', adminApiKey: fake.orgs[1].admin_key, oauthTokens: tokens }),
          'INVALID_INPUT',
          /either adminApiKey or oauthTokens/,
        )
        await rejectsWith(client.organizations('tokens'), 'INVALID_INPUT')
        const bad = (options) => () => new OAuthClient({ clientId: OAUTH_CLIENT_ID, redirectUri: REDIRECT, baseUrl: fake.baseUrl, ...options })
        const codeOf = (make) => {
          try {
            make()
          } catch (e) {
            assert.equal(e.name, 'CostLedgerError')
            return [e.code, e.message]
          }
          assert.fail('no error')
        }
        assert.deepEqual(codeOf(bad({ clientId: ' ' })), ['INVALID_INPUT', 'OAuth client id is empty; give the id the provider issued'])
        assert.match(codeOf(bad({ tokenUrl: 'ftp://x' }))[1], /token URL must be an absolute http\(s\) URL/)
        assert.match(codeOf(bad({ baseUrl: undefined }))[1], /authorize URL/)
        assert.match(codeOf(bad({ scopes: ['org:admin x'] }))[1], /scopes/)
        assert.match(codeOf(bad({ now: 'soon' }))[1], /now/)
        assert.equal(codeOf(() => new OAuthClient())[0], 'INVALID_INPUT')
        assert.equal(util.inspect(client), 'OAuthClient {}')
      })
    })

    describe('disconnecting', () => {
      before(() => setup())
      after(teardown)

      it('revokes the grant, and reports a provider that is down while destroying the tokens anyway', async () => {
        const done = await ledger.disconnectPlanReporting(plan.id)
        assert.deepEqual(done.revocation, { status: 'revoked', code: null, message: null })
        assert.equal(done.plan.status, 'disconnected')
        assert.equal(done.plan.keyHint, null)
        assert.equal((await fake.oauth.stats()).revocations, 1)
        assert.equal(credentialRows(db), '')

        // Connect the organisation again (its plan comes back), then disconnect it while the
        // provider is down.
        const back = await ledger.addPlan({ label: 'OAuth org', oauthTokens: await signIn(client) })
        assert.equal(back.id, plan.id)
        await ledger.sync(SYNC) // requests with bearer tokens, for assertNoToken
        await fake.oauth.setFaults('down')
        const down = await ledger.disconnectPlanReporting(plan.id, { purge: true })
        assert.equal(down.revocation.status, 'failed')
        assert.equal(down.revocation.code, 'UPSTREAM')
        assert.match(down.revocation.message, /503/)
        assert.equal(down.plan.status, 'disconnected')
        assert.equal(credentialRows(db), '')
        assert.equal((await fake.oauth.stats()).revocations, 1)

        // An admin-key plan has no grant to revoke.
        const admin = await ledger.addPlan({ label: 'Admin', adminApiKey: fake.orgs[2].admin_key })
        const plain = await ledger.disconnectPlanReporting(admin.id)
        assert.deepEqual(plain.revocation, { status: 'notApplicable', code: null, message: null })
        // disconnectPlan revokes too, and returns the plan only.
        await fake.oauth.setFaults('none')
        const again = await ledger.addPlan({ label: 'OAuth org', oauthTokens: await signIn(client) })
        assert.equal((await ledger.disconnectPlan(again.id)).status, 'disconnected')
        assert.equal((await fake.oauth.stats()).revocations, 2)
        // Tokens no plan keeps are revoked with the client.
        const spare = await signIn(client)
        await client.revoke(spare)
        assert.equal((await fake.oauth.stats()).revocations, 3)
        await client.revoke(spare) // revoking twice is harmless (RFC 7009)
        await rejectsWith(client.organizations(spare), 'CREDENTIAL_REJECTED')
        await assertNoToken(fake, done, down, plain, await ledger.listPlans({ includeDisconnected: true }))
      })
    })

    if (kind === 'postgres') {
      describe('two processes refreshing at once', () => {
        // Every process seals with one shared cipher; in the children it takes 2 s to seal, so
        // the first refresh holds the credential's row lock for 2 s: the other child reads
        // the old tokens meanwhile, meets a 401 too, and waits on the lock.
        const cipherKey = randomBytes(32).toString('base64')
        before(() => setup({ ledgerOptions: { masterKey: undefined, cipher: sharedCipher(cipherKey) } }))
        after(teardown)

        it('keep the newest refresh token: one rotates, the other adopts it, both succeed', async () => {
          await fake.oauth.expire('access')
          const env = {
            ...process.env,
            CL_OAUTH_CHILD: JSON.stringify({
              ledger: { ...db.options, anthropicBaseUrl: fake.baseUrl, now: NOW, requestIntervalMs: 0 },
              cipherKey,
              sealDelayMs: 2000,
              planId: plan.id,
            }),
          }
          const children = ['sync', 'check'].map((action) => {
            const proc = spawn(process.execPath, [path.join(import.meta.dirname, 'oauth_child.mjs'), action], {
              env,
              stdio: ['pipe', 'pipe', 'inherit'],
            })
            proc.stdin.on('error', () => {}) // a child that died early: its output says why
            let out = ''
            const ready = new Promise((resolve) => {
              proc.stdout.on('data', (d) => {
                out += d
                if (out.includes('READY\n')) resolve()
              })
            })
            const exited = once(proc, 'exit').then(([code]) => ({ code, out }))
            return { proc, ready, exited }
          })
          // Both have opened the ledger (loading the addon takes a while on a busy machine):
          // go at once.
          await Promise.race([Promise.all(children.map((c) => c.ready)), Promise.all(children.map((c) => c.exited))])
          for (const { proc } of children) proc.stdin.end('go\n')
          const [synced, checked] = await Promise.all(children.map((c) => c.exited))
          assert.equal(synced.code, 0, synced.out)
          assert.equal(checked.code, 0, checked.out)
          assert.match(synced.out, /^CHILD sync ok$/m)
          assert.match(checked.out, new RegExp(`^CHILD check ok ${fake.orgs[0].id}$`, 'm'))
          const oauth = await fake.oauth.stats()
          // Both sent the expired token, one rotated it, the other adopted the rotation: no
          // refresh token was presented twice, so the grant lives on.
          assert.equal(oauth.bearer_refused, 2, JSON.stringify(oauth))
          assert.deepEqual([oauth.refreshes, oauth.reuse_detected], [1, 0], JSON.stringify(oauth))
          // The newest refresh token is the stored one: this process refreshes with it.
          await fake.oauth.expire('access')
          const report = await ledger.sync(SYNC)
          assert.equal(report.ok, true, JSON.stringify(report.plans.map((p) => p.error)))
          assert.deepEqual([(await fake.oauth.stats()).refreshes, (await fake.oauth.stats()).reuse_detected], [2, 0])
          const { stored, truth } = await totalsAndTruth(ledger, fake, plan)
          assert.deepEqual(stored, truth)
          await assertNoToken(fake, synced.out, checked.out, report)
        })
      })
    }
  })
}

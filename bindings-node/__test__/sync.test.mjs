// Sync and its history, on every backend, against the fake Admin API as a process: exact
// totals (read back through the dashboard), the event loop kept free, and plan leases
// between concurrent syncs.

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'

import { Ledger } from 'costledger'

import { BACKENDS, DAYS, LEGACY_STREAMS, NOW, assertNoKey, freshDb, openLedger, rejectsWith, startFake, usd } from './helpers.mjs'

// The fake's token totals as the reports name them.
const TOKEN_FIELDS = {
  uncachedInput: 'uncached_input_tokens',
  cacheWrite5m: 'cache_creation_ephemeral_5m_input_tokens',
  cacheWrite1h: 'cache_creation_ephemeral_1h_input_tokens',
  cacheRead: 'cache_read_input_tokens',
  output: 'output_tokens',
  webSearchRequests: 'web_search_requests',
}

/** Per plan: its billed cost and its tokens summed over models, as the dashboard reads them. */
async function storedTotals(ledger, plans) {
  const out = []
  for (const plan of plans) {
    const dashboard = await ledger.dashboard({ period: HISTORY, planIds: [plan.id] })
    const tokens = Object.fromEntries(
      Object.entries(TOKEN_FIELDS).map(([field, name]) => [name, dashboard.perModel.reduce((n, m) => n + m.tokens[field], 0)]),
    )
    out.push({ planId: plan.id, billed: dashboard.totals.billed.usd, tokens })
  }
  return out
}

// The fake's whole history: the ten days before its clock.
const HISTORY = '2026-11-10..2026-11-20'

for (const kind of BACKENDS) {
  describe(`sync on ${kind}`, () => {
    let fake, db, ledger, plans, keys, firstReport
    before(async () => {
      fake = await startFake({ orgs: 2 })
      keys = fake.orgs.map((o) => o.admin_key)
      db = freshDb(kind)
      ledger = await openLedger(db, fake)
      plans = []
      for (const org of fake.orgs) plans.push(await ledger.addPlan({ label: org.name, adminApiKey: org.admin_key }))
    })
    after(async () => {
      await ledger?.close()
      await fake?.stop()
      db?.drop()
    })

    it('stores exactly the usage and cost the provider serves', async () => {
      // The legacy streams: the billed totals below are the legacy cost report's.
      const report = await ledger.sync({ initialBackfillDays: DAYS, streams: LEGACY_STREAMS })
      assert.equal(report.ok, true, JSON.stringify(report.plans.map((p) => p.error)))
      assert.deepEqual(
        report.plans.map((p) => [p.planId, p.label, p.status, p.skippedReason]),
        plans.map((p) => [p.id, p.label, 'ok', null]),
      )
      const [first] = report.plans
      assert.deepEqual(
        first.streams.slice(0, 4).map((s) => [s.stream, s.status]),
        [
          ['metadata', 'ok'],
          ['usage', 'ok'],
          ['cost', 'ok'],
          ['claude_code', 'ok'],
        ],
      )
      const usage = first.streams.find((s) => s.stream === 'usage')
      assert.equal(usage.windowStart, '2026-11-10T00:00:00.000Z')
      assert.equal(usage.windowEnd, '2026-11-20T00:00:00.000Z')
      assert.ok(usage.rowsWritten > 0 && usage.requests > 0 && usage.durationMs >= 0)
      assert.equal(report.rowsWritten, report.plans.reduce((n, p) => n + p.rowsWritten, 0))
      assert.deepEqual(report.budgetAlerts, [], 'no budget, no alert')
      assert.ok(Date.parse(report.startedAt) <= Date.parse(report.finishedAt))
      assertNoKey(report, keys)

      firstReport = report

      const truth = await fake.truth()
      assert.equal(truth.now, NOW)
      const byOrg = new Map(truth.orgs.map((o) => [o.org_id, o]))
      const stored = await storedTotals(ledger, plans)
      for (const [i, plan] of plans.entries()) {
        const org = byOrg.get(plan.orgId)
        assert.deepEqual(stored[i].tokens, org.usage_totals, `usage of plan ${plan.id}`)
        assert.equal(stored[i].billed, usd(org.cost_total_nanos), `billed cost of plan ${plan.id}`)
      }

      const again = await ledger.sync({ planId: plans[0].id, streams: ['usage', 'cost'] })
      assert.equal(again.ok, true)
      assert.deepEqual(again.plans[0].streams.slice(0, 2).map((s) => s.stream), ['usage', 'cost'])
      assert.deepEqual(await storedTotals(ledger, plans), stored, 'a second sync changes nothing')
    })

    it('reads the sync history back, newest first, filtered', async () => {
      const all = await ledger.syncHistory()
      assert.ok(all.length >= 10)
      const ids = all.map((e) => e.id)
      assert.deepEqual(ids, [...ids].sort((a, b) => b - a), 'newest first')
      assertNoKey(all, keys)

      const usage = await ledger.syncHistory({ planId: plans[1].id, stream: 'usage', status: 'ok' })
      assert.equal(usage.length, 1)
      assert.equal(usage[0].planId, plans[1].id)
      assert.equal(usage[0].stream, 'usage')
      assert.equal(usage[0].errorCode, null)
      assert.equal(usage[0].windowEnd, '2026-11-20T00:00:00.000Z')
      const synced = firstReport.plans[1].streams.find((st) => st.stream === 'usage')
      assert.deepEqual([usage[0].rowsWritten, usage[0].requests], [synced.rowsWritten, synced.requests])

      const page = await ledger.syncHistory({ limit: 2 })
      assert.deepEqual(page.map((e) => e.id), ids.slice(0, 2))
      const next = await ledger.syncHistory({ limit: 2, beforeId: page[1].id })
      assert.deepEqual(next.map((e) => e.id), ids.slice(2, 4))

      await rejectsWith(ledger.syncHistory({ stream: 'tokens' }), 'INVALID_INPUT', /sync stream must be one of/)
      await rejectsWith(ledger.syncHistory({ status: 'done' }), 'INVALID_INPUT', /sync status must be one of/)
    })

    it('keeps the event loop free while a slow sync runs', async () => {
      await fake.setFaults('slow:50')
      try {
        let ticks = 0
        const timer = setInterval(() => ticks++, 5)
        const started = performance.now()
        const report = await ledger.sync({ planId: plans[0].id, backfill: { from: '2026-11-12T00:00:00Z', to: NOW } })
        const elapsed = performance.now() - started
        clearInterval(timer)
        assert.equal(report.ok, true)
        const requests = report.plans[0].streams.reduce((n, s) => n + s.requests, 0)
        assert.ok(requests >= 8, `${requests} requests`)
        assert.ok(elapsed >= requests * 50, `the fake delayed each of ${requests} requests (${elapsed} ms)`)
        // A 5 ms timer fires about elapsed/5 times when nothing blocks; demand a third of that.
        assert.ok(ticks >= elapsed / 15, `the timer fired ${ticks} times in ${Math.round(elapsed)} ms`)
      } finally {
        await fake.setFaults('')
      }
    })

    it('skips a plan whose lease another sync holds', async () => {
      await fake.setFaults('slow:100')
      try {
        const planId = plans[1].id
        const reports = await Promise.all([ledger.sync({ planId }), ledger.sync({ planId })])
        const outcomes = reports.map((r) => r.plans[0])
        const skipped = outcomes.filter((p) => p.status === 'skipped')
        assert.equal(skipped.length, 1, JSON.stringify(outcomes.map((p) => p.status)))
        assert.match(skipped[0].skippedReason, /^locked/)
        assert.equal(skipped[0].planId, planId)
        assert.equal(outcomes.filter((p) => p.status === 'ok').length, 1)
        const [latest] = await ledger.syncHistory({ planId, status: 'skipped' })
        assert.equal(latest.stream, 'plan')
      } finally {
        await fake.setFaults('')
      }
    })

    it('rejects bad sync options and plans that cannot be synced', async () => {
      await rejectsWith(ledger.sync({ streams: ['usage', 'tokens'] }), 'INVALID_INPUT', /sync stream must be one of/)
      await rejectsWith(ledger.sync({ streams: [] }), 'INVALID_INPUT', /non-empty list/)
      await rejectsWith(ledger.sync({ usageWidth: '1m' }), 'INVALID_INPUT', /1m buckets/)
      await rejectsWith(ledger.sync({ usageWidth: '1w' }), 'INVALID_INPUT', /bucket width must be one of/)
      await rejectsWith(ledger.sync({ concurrency: 0 }), 'INVALID_INPUT', /concurrency must be between 1 and 64, got 0/)
      await rejectsWith(ledger.sync({ backfill: { from: NOW, to: '2026-11-01T00:00:00Z' } }), 'INVALID_INPUT', /must end after it starts/)
      await rejectsWith(ledger.sync({ backfill: { from: 'yesterday', to: NOW } }), 'INVALID_INPUT', /backfill.from must be an ISO-8601 timestamp/)
      await rejectsWith(ledger.sync({ planId: 9999 }), 'PLAN_NOT_FOUND')

      const third = await ledger.addPlan({ label: 'Gone', adminApiKey: (await fake.newAdminKey(fake.orgs[0].id)) }).catch((e) => e)
      assert.equal(third.code, 'CONFLICT', 'one plan per organisation')
      await ledger.disconnectPlan(plans[1].id)
      await rejectsWith(ledger.sync({ planId: plans[1].id }), 'INVALID_INPUT', /disconnected and cannot be synced/)
    })

    it('refuses up front to sync without a master key', async () => {
      const saved = process.env.COSTLEDGER_MASTER_KEY
      delete process.env.COSTLEDGER_MASTER_KEY
      const keyless = await Ledger.open({ ...db.options, anthropicBaseUrl: fake.baseUrl, now: NOW }).finally(() => {
        if (saved !== undefined) process.env.COSTLEDGER_MASTER_KEY = saved
      })
      const before = (await ledger.syncHistory()).length
      await rejectsWith(keyless.sync(), 'INVALID_INPUT', /no master key is configured/)
      await rejectsWith(keyless.sync({ planId: plans[0].id }), 'INVALID_INPUT', /no master key is configured/)
      assert.equal((await ledger.syncHistory()).length, before, 'no event recorded')
      await keyless.close()
    })

    it('reports a revoked key in the plan outcome, not as a rejection', async () => {
      await fake.revoke(fake.orgs[0].admin_key)
      const report = await ledger.sync({ planId: plans[0].id })
      assert.equal(report.ok, false)
      const [outcome] = report.plans
      assert.equal(outcome.status, 'error')
      assert.equal(outcome.error.code, 'CREDENTIAL_REJECTED')
      assertNoKey(report, keys)
      const plan = await ledger.getPlan(plans[0].id)
      assert.equal(plan.status, 'error')
      assert.match(plan.lastError, /refused the credential/)
    })
  })
}

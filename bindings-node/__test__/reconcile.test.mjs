// `reconcile` on every backend against the fake Admin API: after syncing the legacy streams
// and the Analytics API, a day's three columns and its differences equal the fake's truth.

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'

import { BACKENDS, nanos, rejectsWith, syncedLedger, usd } from './helpers.mjs'

const DAY = '2026-11-18'

for (const kind of BACKENDS) {
  describe(`reconcile on ${kind}`, () => {
    let s
    before(async () => {
      s = await syncedLedger(kind, { orgs: 1 })
      const report = await s.ledger.sync({ initialBackfillDays: 4, streams: ['usage', 'cost', 'analytics'] })
      assert.equal(report.ok, true, JSON.stringify(report.plans.map((p) => p.error)))
    })
    after(() => s?.close())

    it("equals the fake's truth on a day", async () => {
      const lines = await s.ledger.reconcile({ from: '2026-11-17', to: '2026-11-19' })
      assert.deepEqual(
        lines.map((l) => [l.planId, l.day]),
        [
          [s.plans[0].id, '2026-11-17'],
          [s.plans[0].id, DAY],
        ],
      )
      const line = lines[1]
      const org = (await s.fake.truth()).orgs[0]
      const analytics = org.analytics.by_day.find((r) => r.day === DAY)
      const code = org.cost
        .filter((r) => r.day === DAY && r.cost_type === 'code_execution')
        .reduce((n, r) => n + BigInt(r.amount_nanos), 0n)
      const legacy = BigInt(org.cost_per_day[DAY])
      assert.deepEqual([line.status, line.analyticsState, line.legacyState], ['reconciled', 'complete', 'complete'])
      assert.equal(line.analyticsNet.usd, usd(analytics.net_nanos))
      assert.equal(line.analyticsList.usd, usd(analytics.list_nanos))
      assert.equal(line.legacy.usd, usd(legacy))
      assert.equal(line.allocated.usd, usd(legacy - code))
      assert.equal(line.unallocated.usd, usd(code))
      assert.equal(line.rounding.usd, usd(org.analytics.legacy_rounding_residual_by_day[DAY]))
      assert.equal(line.priorityTier.usd, '0.00')
      assert.equal(line.late, null)
      assert.equal(nanos(line.analyticsList.usd) - nanos(line.discount.usd), nanos(line.analyticsNet.usd))
    })

    it('refuses a bad range and an unknown plan', async () => {
      await rejectsWith(s.ledger.reconcile({ from: DAY, to: DAY }), 'INVALID_INPUT')
      await rejectsWith(s.ledger.reconcile({ from: DAY, to: '2026-11-19', planIds: [999] }), 'PLAN_NOT_FOUND')
    })
  })
}

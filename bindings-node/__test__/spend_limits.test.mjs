// Spend limits through the Ledger on every backend, against a fake Admin API whose second
// organisation is Claude Enterprise: limits read live, a member's limit set, replaced and
// deleted, what a Console organisation cannot set refused clearly, no key in any result.

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'

import { BACKENDS, assertNoKey, freshDb, openLedger, rejectsWith, startFake } from './helpers.mjs'

for (const kind of BACKENDS) {
  describe(`spend limits on ${kind}`, () => {
    let fake, db, ledger, consolePlan, enterprisePlan
    before(async () => {
      fake = await startFake({ orgs: 2, days: 5, enterpriseOrgs: '1' })
      db = freshDb(kind)
      ledger = await openLedger(db, fake)
      consolePlan = await ledger.addPlan({ label: 'Console', adminApiKey: fake.orgs[0].admin_key })
      enterprisePlan = await ledger.addPlan({ label: 'Enterprise', adminApiKey: fake.orgs[1].admin_key })
    })
    after(async () => {
      await ledger?.close()
      await fake?.stop()
      db?.drop()
    })

    it('reads, sets, replaces and deletes a member limit', async () => {
      const truth = await fake.truth()
      const held = truth.orgs.find((o) => o.org_id === fake.orgs[1].id).spend_limits.limits
      const limits = await ledger.spendLimits({ planId: enterprisePlan.id })
      assert.equal(limits.length, held.length)
      const effective = await ledger.effectiveSpend({ planId: enterprisePlan.id })
      const member = effective.find((e) => e.userId !== null).userId
      assert.match(effective[0].periodToDateSpend.usd, /^\d+(\.\d+)?$/)
      const set = await ledger.setSpendLimit({ planId: enterprisePlan.id, scope: `user:${member}`, period: 'daily', amountUsd: '50' })
      assert.deepEqual([set.scope, set.period, set.amount.usd], [`user:${member}`, 'daily', '50.00'])
      const again = await ledger.setSpendLimit({ planId: enterprisePlan.id, scope: `user:${member}`, period: 'daily', amountUsd: '75.25' })
      assert.deepEqual([again.id, again.amount.usd], [set.id, '75.25'])
      const mine = await ledger.effectiveSpend({ planId: enterprisePlan.id, periods: ['daily'], userIds: [member] })
      assert.deepEqual(mine.map((e) => e.spendLimitId), [set.id])
      await ledger.deleteSpendLimit(enterprisePlan.id, set.id)
      assert.ok((await ledger.spendLimits({ planId: enterprisePlan.id })).every((l) => l.id !== set.id))
      assertNoKey([limits, effective], fake.orgs.map((o) => o.admin_key))
    })

    it('records what each credential reaches', async () => {
      assert.deepEqual([consolePlan.reach.legacyReports, consolePlan.reach.analytics, consolePlan.reach.spendLimits], [true, null, true])
      // The Enterprise org has its plan in `ledger`: the scoped key connects it in another.
      const otherDb = freshDb(kind)
      const other = await openLedger(otherDb, fake)
      try {
        const full = fake.scopedKeys.find((k) => k.scopes.includes('read:analytics'))
        const scoped = await other.addPlan({ label: 'Enterprise scoped', adminApiKey: full.key })
        assert.deepEqual([scoped.reach.legacyReports, scoped.reach.analytics], [false, null])
        assert.match(scoped.reach.checkedAt, /^\d{4}-\d\d-\d\dT/)
        const limitsOnly = fake.scopedKeys.find((k) => k.scopes.length === 1 && k.scopes[0] === 'read:spend_limits')
        await rejectsWith(other.addPlan({ label: 'Limits only', adminApiKey: limitsOnly.key }), 'INVALID_INPUT')
        assertNoKey([scoped], [full.key])
      } finally {
        await other.close()
        otherDb.drop()
      }
    })

    it('syncs the limits and mirrors one in a budget that flags a forecast over it', async () => {
      const low = await ledger.setSpendLimit({ planId: consolePlan.id, scope: 'organization', period: 'monthly', amountUsd: '0.01' })
      await ledger.sync({ initialBackfillDays: 5 })
      const synced = await ledger.syncedSpendLimits(consolePlan.id)
      assert.ok(synced.syncedAt !== null && synced.effective.length === 0 && synced.effectiveUnavailable)
      assert.ok(synced.limits.some((l) => l.id === low.id && l.amount.usd === '0.01'))
      const enterprise = await ledger.syncedSpendLimits(enterprisePlan.id)
      assert.ok(enterprise.effective.length > 0)
      const budget = await ledger.createMirroredBudget({ name: 'org cap', planId: consolePlan.id, limitScope: 'organization', period: 'month' })
      assert.deepEqual([budget.mirror.scope, budget.amount.usd, budget.scope.kind], ['organization', '0.01', 'plan'])
      const status = await ledger.budgetStatus(budget.id)
      assert.equal(status.providerLimit.state, 'present')
      assert.equal(status.providerLimit.amount.usd, '0.01')
      assert.equal(status.providerLimit.forecastOverProviderLimit, true)
      assert.match(status.providerLimit.crossesOn, /^\d{4}-\d{2}-\d{2}$/)
      await ledger.setSpendLimit({ planId: consolePlan.id, scope: 'organization', period: 'monthly', amountUsd: '100000000' })
      await ledger.sync({ streams: ['spend_limits'] })
      const high = await ledger.budgetStatus(budget.id)
      assert.equal(high.budget.amount.usd, '100000000.00')
      assert.equal(high.providerLimit.forecastOverProviderLimit, false)
      assert.equal(high.providerLimit.crossesOn, null)
    })

    it('refuses what the organisation cannot set, and bad input', async () => {
      await rejectsWith(
        ledger.setSpendLimit({ planId: consolePlan.id, scope: 'user:user_x', period: 'daily', amountUsd: '5' }),
        'INVALID_INPUT',
      )
      await rejectsWith(ledger.setSpendLimit({ planId: consolePlan.id, scope: 'team:1', period: 'daily', amountUsd: '5' }), 'INVALID_INPUT')
      await rejectsWith(ledger.setSpendLimit({ planId: consolePlan.id, scope: 'organization', period: 'hourly', amountUsd: '5' }), 'INVALID_INPUT')
      await rejectsWith(ledger.effectiveSpend({ planId: consolePlan.id }), 'INVALID_INPUT')
      await rejectsWith(ledger.spendLimits({ planId: 9999 }), 'PLAN_NOT_FOUND')
    })
  })
}

// Integer arguments: a JS number that is not a whole number in the argument's range is
// INVALID_INPUT naming the argument, never truncated (1.7 → 1) or wrapped (-1 → 2**32 - 1).

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'

import { freshDb, openLedger, rejectsWith, startFake } from './helpers.mjs'

const BAD = [1.5, -1, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]

describe('integer arguments', () => {
  let fake, db, ledger, plan
  before(async () => {
    fake = await startFake({ orgs: 1 })
    db = freshDb('sqlite')
    ledger = await openLedger(db, fake)
    plan = await ledger.addPlan({ label: 'Prod', adminApiKey: fake.orgs[0].admin_key })
    assert.equal(plan.id, 1)
  })
  after(async () => {
    await ledger?.close()
    await fake?.stop()
    db?.drop()
  })

  it('refuses ids that are not whole, not positive or too large', async () => {
    for (const bad of BAD) {
      const named = new RegExp(`^id must be a whole number from 0 to 9007199254740991, got `)
      await rejectsWith(ledger.getPlan(bad), 'INVALID_INPUT', named)
      await rejectsWith(ledger.checkPlan(bad), 'INVALID_INPUT', named)
      await rejectsWith(ledger.disconnectPlan(bad), 'INVALID_INPUT', named)
      await rejectsWith(ledger.deleteBudget(bad), 'INVALID_INPUT', named)
      await rejectsWith(ledger.claudeCodeLogFiles(bad), 'INVALID_INPUT', /^planId must be a whole number/)
      await rejectsWith(ledger.rebuildCostFacts(bad, { from: '2026-11-01', to: '2026-11-02' }), 'INVALID_INPUT', /^planId must/)
      await rejectsWith(ledger.dashboard({ period: '2026-11', planIds: [1, bad] }), 'INVALID_INPUT', /^planIds\[1\] must be a whole number/)
      await rejectsWith(ledger.focusExport({ period: '2026-11', planIds: [bad] }), 'INVALID_INPUT', /^planIds\[0\] must/)
      await rejectsWith(ledger.sync({ planId: bad }), 'INVALID_INPUT', /^planId must/)
      await rejectsWith(ledger.syncHistory({ planId: bad }), 'INVALID_INPUT', /^planId must/)
      await rejectsWith(ledger.syncHistory({ beforeId: bad }), 'INVALID_INPUT', /^beforeId must/)
      await rejectsWith(ledger.listMappings({ planId: bad }), 'INVALID_INPUT', /^planId must/)
      await rejectsWith(
        ledger.mapKey({ planId: bad, apiKeyId: 'apikey_x', subjectId: 'nobody' }),
        'INVALID_INPUT',
        /^planId must/,
      )
      await rejectsWith(
        ledger.dashboard({ period: '2026-11', workspace: { planId: bad } }),
        'INVALID_INPUT',
        /^workspace\.planId must/,
      )
    }
    // The messages say what was given.
    await rejectsWith(ledger.getPlan(1.7), 'INVALID_INPUT', /got 1\.7$/)
    await rejectsWith(ledger.getPlan(-1), 'INVALID_INPUT', /got -1$/)
    await rejectsWith(ledger.getPlan(Number.NaN), 'INVALID_INPUT', /got NaN$/)
    // Whole numbers in range still work, and an id that does not exist is not found.
    assert.equal((await ledger.getPlan(1)).label, 'Prod')
    await rejectsWith(ledger.getPlan(0), 'PLAN_NOT_FOUND')
    assert.equal((await ledger.dashboard({ period: '2026-11', planIds: [1.0] })).perPlan.length, 1)
  })

  it('refuses counts and sizes out of their range', async () => {
    const period = '2026-11'
    for (const bad of [-1, 1.5, 2 ** 32]) {
      await rejectsWith(ledger.dashboard({ period, topSubjects: bad }), 'INVALID_INPUT', /^topSubjects must be a whole number from 0 to 4294967295/)
      await rejectsWith(ledger.sync({ concurrency: bad }), 'INVALID_INPUT', /^concurrency must be a whole number/)
      await rejectsWith(ledger.sync({ leaseTtlMs: bad }), 'INVALID_INPUT', /^leaseTtlMs must/)
      await rejectsWith(ledger.sync({ initialBackfillDays: bad }), 'INVALID_INPUT', /^initialBackfillDays must/)
      await rejectsWith(openLedger(db, fake, { maxConnections: bad }), 'INVALID_INPUT', /^maxConnections must/)
      await rejectsWith(openLedger(db, fake, { httpTimeoutMs: bad }), 'INVALID_INPUT', /^httpTimeoutMs must/)
      await rejectsWith(
        ledger.createBudget({ name: 'B', scope: 'global', amount: '10', period: 'month', thresholds: [50, bad] }),
        'INVALID_INPUT',
        /^thresholds\[1\] must/,
      )
    }
    await rejectsWith(ledger.syncHistory({ limit: -1 }), 'INVALID_INPUT', /^limit must/)
    await rejectsWith(
      ledger.updatePlan(1, { subscription: { tier: 'pro', seats: 2.5, anchorDate: '2026-11-01' } }),
      'INVALID_INPUT',
      /^subscription\.seats must/,
    )
    // 0 is a count like any other: no subjects listed.
    assert.deepEqual((await ledger.dashboard({ period, topSubjects: 0 })).topSubjects, [])
  })
})

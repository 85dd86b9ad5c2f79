// verify(), on every backend: a consistent ledger verifies clean, a stored rollup changed
// behind the library's back is found to the nanodollar, and `repair` fixes it.

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'

import { BACKENDS, nanos, rejectsWith, syncedLedger } from './helpers.mjs'

for (const kind of BACKENDS) {
  describe(`verify on ${kind}`, () => {
    let s
    before(async () => {
      s = await syncedLedger(kind)
    })
    after(() => s?.close())

    it('finds a corrupted daily rollup and repairs it', async () => {
      const clean = await s.ledger.verify()
      assert.equal(clean.differences, 0)
      assert.equal(clean.consistent, true)
      assert.deepEqual(
        clean.plans.map((p) => p.planId),
        s.plans.map((p) => p.id),
      )
      assert.ok(clean.plans.every((p) => p.daysChecked >= 10 && p.staleDays === 0))

      s.db.sql(
        'UPDATE costledger_cost_daily SET amount_nanos = amount_nanos + 1 ' +
          'WHERE (plan_id, day, dim_id, basis) IN (SELECT plan_id, day, dim_id, basis ' +
          'FROM costledger_cost_daily ORDER BY plan_id, day, dim_id, basis LIMIT 1)',
      )
      const found = await s.ledger.verify({ planId: s.plans[0].id })
      assert.equal(found.differences, 2) // the day, and its month
      assert.equal(found.consistent, false)
      const [day] = found.plans[0].days
      assert.deepEqual(day.tables, ['cost_daily'])
      assert.equal(nanos(day.storedDaily.total.usd) - nanos(day.recomputed.total.usd), 1n)
      assert.equal(day.repaired, false)
      assert.deepEqual(found.plans[0].months[0].tables, ['cost_monthly'])

      const next = new Date(`${day.date}T00:00:00Z`)
      next.setUTCDate(next.getUTCDate() + 1)
      const narrow = await s.ledger.verify({ days: { from: day.date, to: next.toISOString().slice(0, 10) } })
      assert.ok(narrow.plans.every((p) => p.daysChecked === 1))

      const repaired = await s.ledger.verify({ repair: true })
      assert.equal(repaired.repair, true)
      assert.equal(repaired.consistent, true)
      assert.ok(repaired.plans[0].days.every((d) => d.repaired))
      assert.equal((await s.ledger.verify()).differences, 0)
      await rejectsWith(s.ledger.verify({ planId: 999 }), 'PLAN_NOT_FOUND')
    })
  })
}

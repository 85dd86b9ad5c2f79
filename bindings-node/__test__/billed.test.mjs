// billedCosts on every backend: after a sync with the analytics stream, the billed cost per
// actor and per day (net and list) equals the fake's Analytics truth to the nanodollar, and a
// member carries their e-mail and the subject with it.

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'

import { BACKENDS, DAYS, assertNoKey, freshDb, nanos, openLedger, rejectsWith, startFake } from './helpers.mjs'

const [FROM, TO] = ['2026-11-01', '2026-11-21']

function actorKey(a) {
  const id = { user_actor: a.user_id, api_actor: a.api_key_id, service_account_actor: a.service_account_id }[a.type]
  return `${a.type}:${id ?? `${a.provider} ${a.subject}`}`
}

function lineKey(l) {
  const a = l.actor
  return `${l.planId}/${l.day}/${a.actorType}:${a.id ?? `${a.federatedProvider} ${a.federatedSubject}`}`
}

for (const kind of BACKENDS) {
  describe(`billed costs on ${kind}`, () => {
    let fake, db, ledger, plans, truth
    before(async () => {
      fake = await startFake({ orgs: 2 })
      db = freshDb(kind)
      ledger = await openLedger(db, fake)
      plans = {}
      for (const org of fake.orgs) plans[org.id] = await ledger.addPlan({ label: org.name, adminApiKey: org.admin_key })
      const report = await ledger.sync({ initialBackfillDays: DAYS, streams: ['metadata', 'usage', 'cost', 'analytics'] })
      assert.equal(report.ok, true, JSON.stringify(report.plans.map((p) => p.error)))
      truth = await fake.truth()
    })
    after(async () => {
      await ledger?.close()
      await fake?.stop()
      db?.drop()
    })

    it('per actor, net and list equal the truth exactly', async () => {
      const want = new Map()
      let member
      for (const org of truth.orgs) {
        for (const r of org.analytics.by_actor) {
          if (r.net_nanos === 0 && r.list_nanos === 0) continue
          want.set(`${plans[org.org_id].id}/${r.day}/${actorKey(r.actor)}`, [BigInt(r.net_nanos), BigInt(r.list_nanos)])
          if (!member && r.actor.type === 'user_actor' && !r.actor.deleted) member = r.actor
        }
      }
      assert.ok(want.size > 0 && member)
      await ledger.upsertSubject({ id: 'member', email: member.email_address.toUpperCase() })
      const lines = await ledger.billedCosts({ from: FROM, to: TO, by: 'actor' })
      const got = new Map(lines.map((l) => [lineKey(l), [nanos(l.net.usd), nanos(l.list.usd)]]))
      assert.equal(got.size, lines.length)
      assert.deepEqual(got, want)
      for (const l of lines) {
        assert.equal(l.by, 'actor')
        assert.equal(l.basis, 'billed')
        assert.equal(l.requests, null)
        assert.equal(nanos(l.discount.usd), nanos(l.list.usd) - nanos(l.net.usd))
      }
      const mine = lines.filter((l) => l.actor.id === member.user_id)
      assert.ok(mine.length > 0)
      for (const l of mine) {
        assert.deepEqual(
          [l.actor.subjectId, l.actor.email, l.actor.name, l.actor.deleted],
          ['member', member.email_address, member.name, false],
        )
      }
      assertNoKey(lines, fake.orgs.map((o) => o.admin_key))
    })

    it('per day for one plan, and bad input refused', async () => {
      const org = truth.orgs.find((o) => o.org_id === fake.orgs[1].id)
      const planId = plans[org.org_id].id
      const want = org.analytics.by_day
        .filter((r) => r.net_nanos !== 0 || r.list_nanos !== 0)
        .map((r) => [r.day, BigInt(r.net_nanos), BigInt(r.list_nanos)])
      const days = await ledger.billedCosts({ from: FROM, to: TO, by: 'day', planIds: [planId] })
      assert.deepEqual(days.map((l) => [l.day, nanos(l.net.usd), nanos(l.list.usd)]), want)
      assert.ok(days.every((l) => l.planId === planId && l.actor === null))
      await rejectsWith(ledger.billedCosts({ from: TO, to: FROM }), 'INVALID_INPUT')
      await rejectsWith(ledger.billedCosts({ from: FROM, to: TO, by: 'person' }), 'INVALID_INPUT')
      await rejectsWith(ledger.billedCosts({ from: FROM, to: TO, planIds: [9999] }), 'PLAN_NOT_FOUND')
    })
  })
}

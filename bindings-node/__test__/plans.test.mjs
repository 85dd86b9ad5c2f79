// Plan connections, on every backend, against the fake Admin API as a process.

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import util from 'node:util'

import { BACKENDS, UNKNOWN_KEY, assertNoKey, freshDb, openLedger, rejectsWith, startFake } from './helpers.mjs'

for (const kind of BACKENDS) {
  describe(`plans on ${kind}`, () => {
    let fake, db, ledger, keys
    before(async () => {
      fake = await startFake({ orgs: 3 })
      keys = fake.orgs.map((o) => o.admin_key)
      db = freshDb(kind)
      ledger = await openLedger(db, fake)
    })
    after(async () => {
      await ledger?.close()
      await fake?.stop()
      db?.drop()
    })

    it('adds, lists and gets plans, showing only the key hint', async () => {
      const [acme] = fake.orgs
      const plan = await ledger.addPlan({ label: '  Prod org ', adminApiKey: acme.admin_key })
      assert.equal(plan.label, 'Prod org')
      assert.equal(plan.provider, 'anthropic')
      assert.equal(plan.status, 'active')
      assert.equal(plan.orgId, acme.id)
      assert.equal(plan.orgName, acme.name)
      assert.equal(plan.keyHint, `sk-ant-admin01-…${acme.admin_key.slice(-4)}`)
      assert.equal(plan.subscription, null)
      assert.equal(plan.lastSyncedAt, null)
      assert.deepEqual(plan.directories, [])
      assert.equal(typeof plan.id, 'number')
      assert.equal(new Date(plan.createdAt).toISOString(), plan.createdAt, 'ISO-8601 timestamps')

      const listed = await ledger.listPlans()
      assert.deepEqual(listed, [plan])
      assert.deepEqual(await ledger.getPlan(plan.id), plan)
      assertNoKey(plan, keys)
      assertNoKey(listed, keys)
      assertNoKey(ledger, keys)
      assert.equal(util.inspect(ledger), 'Ledger {}')
      assert.equal(JSON.stringify(ledger), '{}')
    })

    it('rejects bad plans with codes and messages that never show the key', async () => {
      const [acme, globex] = fake.orgs
      await rejectsWith(ledger.addPlan({ label: 'Prod org', adminApiKey: globex.admin_key }), 'CONFLICT', /already exists/)
      await rejectsWith(ledger.addPlan({ label: 'Again', adminApiKey: acme.admin_key }), 'CONFLICT')
      await rejectsWith(ledger.addPlan({ label: '', adminApiKey: globex.admin_key }), 'INVALID_INPUT', /label must be 1-200/)
      const regular = 'sk-ant-api03-' + 'x'.repeat(40) + 'AbCd'
      await rejectsWith(ledger.addPlan({ label: 'Regular', adminApiKey: regular }), 'INVALID_INPUT', /regular API key/)
      await rejectsWith(ledger.addPlan({ label: 'No key' }), 'INVALID_INPUT', /needs an admin key/)
      await rejectsWith(ledger.addPlan({ label: 'Bad', provider: 'azure', adminApiKey: globex.admin_key }), 'INVALID_INPUT', /provider must be one of anthropic, openai, claude_code_logs/)
      await rejectsWith(ledger.addPlan({ label: 'Bad', provider: 'openai', adminApiKey: globex.admin_key }), 'INVALID_INPUT', /is an Anthropic key; add it as an anthropic plan/)
      let rejected
      await rejectsWith(
        ledger.addPlan({ label: 'Unknown', adminApiKey: UNKNOWN_KEY }).catch((e) => {
          rejected = e
          throw e
        }),
        'CREDENTIAL_REJECTED',
        /HTTP 401/,
      )
      assertNoKey(rejected, [UNKNOWN_KEY, ...keys])
      await rejectsWith(ledger.getPlan(9999), 'PLAN_NOT_FOUND', /plan 9999 not found/)
      await rejectsWith(ledger.getPlan('1'), 'INVALID_INPUT')
      await rejectsWith(ledger.addPlan(), 'INVALID_INPUT')
    })

    it('updates the label and the subscription, with money as an exact string', async () => {
      const [plan] = await ledger.listPlans()
      const renamed = await ledger.updatePlan(plan.id, { label: 'Production' })
      assert.equal(renamed.label, 'Production')

      const subscribed = await ledger.updatePlan(plan.id, {
        subscription: { tier: 'team_premium', seats: 12, anchorDate: '2026-01-31', pricePerSeat: '150.125', cycle: 'annual' },
      })
      assert.deepEqual(subscribed.subscription, {
        tier: 'team_premium',
        seats: 12,
        pricePerSeat: { usd: '150.125', usdNumber: 150.125 },
        cycle: 'annual',
        anchorDate: '2026-01-31',
        currency: 'USD',
      })
      const listPrice = await ledger.updatePlan(plan.id, { subscription: { tier: 'pro', seats: 1, anchorDate: '2026-11-01' } })
      assert.equal(listPrice.subscription.pricePerSeat, null)
      assert.equal(listPrice.subscription.cycle, 'monthly')
      assert.equal(listPrice.label, 'Production')

      const cleared = await ledger.updatePlan(plan.id, { clearSubscription: true })
      assert.equal(cleared.subscription, null)

      const sub = { tier: 'pro', seats: 1, anchorDate: '2026-11-01' }
      await rejectsWith(ledger.updatePlan(plan.id, { subscription: sub, clearSubscription: true }), 'INVALID_INPUT', /not both/)
      await rejectsWith(ledger.updatePlan(plan.id, { subscription: { ...sub, tier: 'gold' } }), 'INVALID_INPUT', /subscription tier must be one of/)
      await rejectsWith(ledger.updatePlan(plan.id, { subscription: { ...sub, seats: 0 } }), 'INVALID_INPUT', /seats must be between/)
      await rejectsWith(ledger.updatePlan(plan.id, { subscription: { ...sub, anchorDate: '11/01/2026' } }), 'INVALID_INPUT', /anchorDate must be a date/)
      await rejectsWith(ledger.updatePlan(plan.id, { subscription: { ...sub, pricePerSeat: '$20' } }), 'INVALID_INPUT', /not a decimal number of dollars/)
      await rejectsWith(ledger.updatePlan(plan.id, { subscription: { ...sub, currency: 'EUR' } }), 'INVALID_INPUT', /currency must be USD/)
      await rejectsWith(ledger.updatePlan(9999, { label: 'x' }), 'PLAN_NOT_FOUND')
    })

    it('checks a plan, rotates its key, and refuses a key of another organisation', async () => {
      const [acme, globex] = fake.orgs
      const [plan] = await ledger.listPlans()
      assert.deepEqual(await ledger.checkPlan(plan.id), { id: acme.id, name: acme.name })

      const fresh = await fake.newAdminKey(acme.id)
      keys.push(fresh)
      const rotated = await ledger.rotatePlanCredential(plan.id, fresh)
      assert.equal(rotated.keyHint, `sk-ant-admin01-…${fresh.slice(-4)}`)
      assert.equal(rotated.status, 'active')
      assertNoKey(rotated, keys)
      // The stored credential is now the new key: revoking the old one changes nothing.
      await fake.revoke(acme.admin_key)
      assert.deepEqual(await ledger.checkPlan(plan.id), { id: acme.id, name: acme.name })

      await rejectsWith(ledger.rotatePlanCredential(plan.id, globex.admin_key), 'ORG_MISMATCH', /belongs to organisation/)
      await rejectsWith(ledger.rotatePlanCredential(plan.id, 'not-a-key-at-all-1234'), 'INVALID_INPUT')
      await rejectsWith(ledger.rotatePlanCredential(9999, fresh), 'PLAN_NOT_FOUND')

      await fake.revoke(fresh)
      let rejected
      await rejectsWith(
        ledger.checkPlan(plan.id).catch((e) => {
          rejected = e
          throw e
        }),
        'CREDENTIAL_REJECTED',
        new RegExp(`of plan ${plan.id}`),
      )
      assertNoKey(rejected, keys)
      await rejectsWith(ledger.checkPlan(9999), 'PLAN_NOT_FOUND')
    })

    it('disconnects plans, keeping or purging their data', async () => {
      const [, globex, initech] = fake.orgs
      const kept = await ledger.addPlan({ label: 'Globex', adminApiKey: globex.admin_key })
      const purged = await ledger.addPlan({ label: 'Initech', adminApiKey: initech.admin_key })
      const off = await ledger.disconnectPlan(kept.id)
      assert.equal(off.status, 'disconnected')
      assert.equal(off.keyHint, null)
      assert.equal((await ledger.disconnectPlan(kept.id)).status, 'disconnected', 'twice is harmless')
      assert.equal((await ledger.disconnectPlan(purged.id, { purge: true })).status, 'disconnected')

      const live = await ledger.listPlans()
      assert.ok(live.every((p) => p.status !== 'disconnected'))
      const all = await ledger.listPlans({ includeDisconnected: true })
      assert.deepEqual(
        all.filter((p) => p.status === 'disconnected').map((p) => p.id),
        [kept.id, purged.id],
      )
      await rejectsWith(ledger.checkPlan(kept.id), 'INVALID_INPUT', /has no credential/)
      await rejectsWith(ledger.rotatePlanCredential(kept.id, globex.admin_key), 'INVALID_INPUT', /disconnected/)
      await rejectsWith(ledger.disconnectPlan(9999), 'PLAN_NOT_FOUND')
      // The label of a disconnected plan is free again.
      const again = await ledger.addPlan({ label: 'Globex', adminApiKey: globex.admin_key })
      assert.equal(again.orgId, globex.id)
      assertNoKey(all, keys)
    })

    it('imports the key in ANTHROPIC_ADMIN_API_KEY once, into an empty ledger', async () => {
      const [, globex] = fake.orgs
      const emptyDb = freshDb(kind)
      const empty = await openLedger(emptyDb, fake)
      try {
        delete process.env.ANTHROPIC_ADMIN_API_KEY
        assert.equal(await empty.importPlanFromEnv(), null, 'nothing to import')
        process.env.ANTHROPIC_ADMIN_API_KEY = globex.admin_key
        const imported = await empty.importPlanFromEnv()
        assert.equal(imported.label, globex.name)
        assert.equal(imported.orgId, globex.id)
        assertNoKey(imported, keys)
        assert.equal(await empty.importPlanFromEnv(), null, 'a plan exists: nothing more to import')
        assert.equal((await empty.listPlans()).length, 1)
        assert.equal(await ledger.importPlanFromEnv(), null, 'the other ledger already has plans')
      } finally {
        delete process.env.ANTHROPIC_ADMIN_API_KEY
        await empty.close()
        emptyDb.drop()
      }
    })
  })
}

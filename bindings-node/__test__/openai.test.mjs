// OpenAI beside Anthropic, on every backend: the provider catalog, an OpenAI plan added with a
// read-only admin key, synced against the fake OpenAI API, and a dashboard across both
// providers whose billed total is the sum of both fakes' bills, filterable by provider.

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'

import { BACKENDS, DAYS, FAKE_OPENAI_BIN, assertNoKey, freshDb, nanos, openLedger, rejectsWith, startFake } from './helpers.mjs'

/** A fake's bill over `month` (`2026-11`), in nanodollars, from its ground truth. */
/** What the Analytics API bills an Anthropic fake's orgs over a month, net: what a sync of
 * the default streams bills the days it covers with. */
async function analyticsBillOf(fake, month) {
  const truth = await fake.truth()
  let total = 0n
  for (const org of truth.orgs) {
    for (const row of org.analytics.by_day) {
      if (row.day.startsWith(month)) total += BigInt(row.net_nanos)
    }
  }
  return total
}

async function billOf(fake, month) {
  const truth = await fake.truth()
  let total = 0n
  for (const org of truth.orgs) {
    for (const [day, amount] of Object.entries(org.cost_per_day)) {
      if (day.startsWith(month)) total += BigInt(amount)
    }
  }
  return total
}

for (const kind of BACKENDS) {
  describe(`OpenAI beside Anthropic on ${kind}`, () => {
    let anthropic, openai, db, ledger, claude, gpt
    before(async () => {
      anthropic = await startFake({ orgs: 1 })
      openai = await startFake({ orgs: 1, bin: FAKE_OPENAI_BIN })
      db = freshDb(kind)
      ledger = await openLedger(db, anthropic, { openaiBaseUrl: openai.baseUrl })
    })
    after(async () => {
      await ledger?.close()
      await anthropic?.stop()
      await openai?.stop()
      db?.drop()
    })

    it('lists every provider with what it can do', async () => {
      const catalog = await ledger.providers()
      assert.deepEqual(
        catalog.map((p) => [p.provider, p.credentialKinds, p.billedCost, p.perKeyBilledCost]),
        [
          ['anthropic', ['admin_key', 'oauth'], true, false],
          ['openai', ['admin_key'], true, true],
          ['claude_code_logs', [], false, false],
        ],
      )
      const logs = catalog.find((p) => p.provider === 'claude_code_logs')
      assert.equal(logs.costReportLagHours, null)
      assert.match(catalog.find((p) => p.provider === 'openai').docsUrl, /openai\.md$/)
    })

    it('adds an OpenAI plan with a read-only key, showing only its hint', async () => {
      const key = openai.orgs[0].read_only_key
      gpt = await ledger.addPlan({ label: 'OpenAI org', provider: 'openai', adminApiKey: key })
      claude = await ledger.addPlan({ label: 'Claude org', adminApiKey: anthropic.orgs[0].admin_key })
      assert.deepEqual([gpt.provider, gpt.orgId, gpt.status], ['openai', openai.orgs[0].slug, 'active'])
      assert.ok(gpt.keyHint.startsWith('sk-admin-') && gpt.keyHint.endsWith(key.slice(-4)), gpt.keyHint)
      assert.ok(!JSON.stringify(await ledger.listPlans()).includes(key.slice(12, -4)), 'no key in a list result')
      await rejectsWith(
        ledger.addPlan({ label: 'Wrong', provider: 'openai', adminApiKey: 'sk-admin-' + 'x'.repeat(40) }),
        'CREDENTIAL_REJECTED',
      )
    })

    it('syncs both providers; the dashboard bills each provider exactly, filterable', async () => {
      const report = await ledger.sync({ initialBackfillDays: DAYS })
      assert.equal(report.ok, true, JSON.stringify(report.plans.map((p) => [p.planId, p.status])))
      const period = '2026-11'
      const [anthropicBill, openaiBill] = [await analyticsBillOf(anthropic, period), await billOf(openai, period)]
      assert.ok(anthropicBill > 0n && openaiBill > 0n)
      const d = await ledger.dashboard({ period })
      assert.equal(nanos(d.totals.billed.usd), anthropicBill + openaiBill)
      const line = (id) => d.perPlan.find((p) => p.planId === id)
      assert.deepEqual([line(gpt.id).provider, line(claude.id).provider], ['openai', 'anthropic'])
      assert.equal(nanos(line(gpt.id).cost.billed.usd), openaiBill)
      assert.ok(d.perModel.some((m) => m.model.startsWith('gpt-')) && d.perModel.some((m) => m.model.startsWith('claude-')))

      const only = await ledger.dashboard({ period, providers: ['openai'] })
      assert.deepEqual(only.perPlan.map((p) => p.planId), [gpt.id])
      assert.equal(nanos(only.totals.billed.usd), openaiBill)
      await rejectsWith(ledger.dashboard({ period, providers: ['azure'] }), 'INVALID_INPUT')
      assertNoKey(d, [openai.orgs[0].read_only_key])
    })

    it('reports usage that is not tokens per day, with list-price estimates', async () => {
      const [from, to] = ['2026-11-10', '2026-11-13']
      const lines = await ledger.unitUsage({ from, to })
      assert.ok(lines.length > 0)
      assert.deepEqual([...new Set(lines.map((l) => l.planId))], [gpt.id])
      assert.deepEqual([...new Set(lines.map((l) => l.day))].sort(), ['2026-11-10', '2026-11-11', '2026-11-12'])
      const truth = (await openai.truth()).orgs[0]
      const images = truth.usage
        .filter((r) => r.endpoint === 'images' && r.day >= from && r.day < to)
        .reduce((n, r) => n + r.counts.images, 0)
      assert.ok(images > 0)
      assert.equal(lines.filter((l) => l.unit === 'images').reduce((n, l) => n + l.quantity, 0), images)
      assert.ok(lines.some((l) => l.estimate !== null && /^\d+(\.\d+)?$/.test(l.estimate.usd)))
      const storage = await ledger.unitUsage({ from, to, planIds: [gpt.id], units: ['storage_bytes'] })
      assert.ok(storage.length > 0 && storage.every((l) => l.unit === 'storage_bytes'))
      assert.deepEqual(await ledger.unitUsage({ from, to, planIds: [claude.id] }), [])
      await rejectsWith(ledger.unitUsage({ from, to, units: ['pixels'] }), 'INVALID_INPUT')
      await rejectsWith(ledger.unitUsage({ from: to, to: from }), 'INVALID_INPUT')
    })
  })
}

// User costs, the dashboard and the exports, on every backend against the fake Admin API as
// a process: billed totals equal the fake's bill to the nanodollar, every breakdown sums to
// its total, and the exports carry the same numbers.

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'

import { BACKENDS, assertNoKey, nanos, parseCsv, rejectsWith, sumUsd, syncedLedger, usd } from './helpers.mjs'

// The fake's whole history: the ten days before its clock.
const HISTORY = '2026-11-10..2026-11-20'
const PARTS = ['total', 'billed', 'billedPerKey', 'allocated', 'unallocated', 'estimated', 'subscription']

/** The exact dollar strings of a `Cost`. */
const exact = (cost) => Object.fromEntries(PARTS.map((p) => [p, cost[p].usd]))

/** The sum of `Cost`s, part by part, as exact dollar strings. */
const sumCosts = (costs) => Object.fromEntries(PARTS.map((p) => [p, sumUsd(costs.map((c) => c[p]))]))

/** Every part is the sum of the parts it is made of, and `usdNumber` shows `usd`. */
function assertConsistent(cost) {
  assert.equal(cost.billed.usd, sumUsd([cost.billedPerKey, cost.allocated, cost.unallocated]))
  assert.equal(cost.total.usd, sumUsd([cost.billed, cost.estimated, cost.subscription]))
  for (const part of PARTS) assert.equal(cost[part].usdNumber, Number(cost[part].usd))
}

/** Items grouped by `key(item)`, in first-seen order (`Map.groupBy` is Node 21+). */
function groupBy(items, key) {
  const groups = new Map()
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item])
  return groups
}

/** The fake's bill over `[from, to)` dates, every organisation, in nanodollars. */
async function billed(fake, from, to) {
  const truth = await fake.truth({ from: `${from}T00:00:00Z`, to: `${to}T00:00:00Z` })
  return truth.orgs.reduce((n, o) => n + BigInt(o.cost_total_nanos), 0n)
}

for (const kind of BACKENDS) {
  describe(`reports on ${kind}`, () => {
    let s, workspace, bobEmail
    before(async () => {
      s = await syncedLedger(kind)
      // Ada holds every key of the first plan's busiest workspace, through mappings.
      const meta = await s.ledger.planMetadata(s.plans[0].id)
      const byWorkspace = groupBy(
        meta.apiKeys.filter((k) => k.workspaceId),
        (k) => k.workspaceId,
      )
      const [workspaceId, keys] = [...byWorkspace].sort((a, b) => b[1].length - a[1].length)[0]
      workspace = { planId: s.plans[0].id, workspaceId }
      await s.ledger.upsertSubject({ id: 'u-ada', name: 'Ada' })
      for (const key of keys) await s.ledger.mapKey({ planId: s.plans[0].id, apiKeyId: key.id, subjectId: 'u-ada' })
      // Bob is a member of the second organisation: the keys he created are his by email.
      const other = await s.ledger.planMetadata(s.plans[1].id)
      const creators = groupBy(other.apiKeys, (k) => k.createdById)
      const bob = other.users.filter((u) => creators.has(u.id)).sort((a, b) => creators.get(b.id).length - creators.get(a.id).length)[0]
      bobEmail = bob.email
      await s.ledger.upsertSubject({ id: 'u-bob', email: bob.email.toUpperCase(), name: bob.name })
    })
    after(() => s?.close())

    it("bills the dashboard's period exactly as the provider did, and every breakdown sums to the totals", async () => {
      const dashboard = await s.ledger.dashboard({ period: HISTORY, topSubjects: 100 })
      assert.deepEqual(dashboard.period, { start: '2026-11-10', end: '2026-11-20', timeZone: 'UTC', label: HISTORY })
      assert.equal(dashboard.totals.billed.usd, usd(await billed(s.fake, '2026-11-10', '2026-11-20')))
      assert.ok(nanos(dashboard.totals.estimated.usd) > 0n, 'priority-tier usage is estimated')
      assert.equal(dashboard.totals.subscription.usd, '0.00')
      assertConsistent(dashboard.totals)

      const truth = await s.fake.truth()
      assert.deepEqual(
        dashboard.perPlan.map((p) => [p.planId, p.label, p.provider, p.status, p.cost.billed.usd]),
        s.plans.map((p) => [p.id, p.label, 'anthropic', 'active', usd(truth.orgs.find((o) => o.org_id === p.orgId).cost_total_nanos)]),
      )
      const totals = exact(dashboard.totals)
      assert.deepEqual(sumCosts(dashboard.perPlan.map((p) => p.cost)), totals)
      assert.deepEqual(sumCosts(dashboard.perWorkspace.map((w) => w.cost)), totals)
      assert.deepEqual(sumCosts(dashboard.perModel.map((m) => m.cost)), totals)
      assert.deepEqual(sumCosts(dashboard.daily.map((d) => d.cost)), totals)
      assert.deepEqual(sumCosts([...dashboard.topSubjects.map((t) => t.cost), dashboard.unattributed]), totals)
      assert.deepEqual(
        dashboard.daily.map((d) => d.date),
        Array.from({ length: 10 }, (_, i) => `2026-11-${10 + i}`),
      )
      assert.deepEqual(dashboard.topSubjects.map((t) => t.subjectId).sort(), ['u-ada', 'u-bob'])
      assert.ok(dashboard.perWorkspace.some((w) => w.workspace.workspaceId === null && w.name.startsWith('Default workspace')))
      assert.ok(dashboard.perModel.every((m) => m.tokens.output >= 0 && Number.isInteger(m.tokens.cacheWrite5m)))
      assert.deepEqual(dashboard.missingPrices, [])
      for (const line of [...dashboard.perPlan, ...dashboard.perModel]) assertConsistent(line.cost)
      assertNoKey(dashboard, s.keys)

      // Three days, and one plan.
      const days = await s.ledger.dashboard({ period: '2026-11-12..2026-11-15', planIds: [s.plans[1].id] })
      const bill = await s.fake.truth({ from: '2026-11-12T00:00:00Z', to: '2026-11-15T00:00:00Z' })
      assert.equal(days.totals.billed.usd, usd(bill.orgs.find((o) => o.org_id === s.plans[1].orgId).cost_total_nanos))
      assert.deepEqual(days.perPlan.map((p) => p.planId), [s.plans[1].id])
    })

    it('narrows the dashboard to a workspace, and cuts days in a time zone', async () => {
      const all = await s.ledger.dashboard({ period: HISTORY })
      const only = await s.ledger.dashboard({ period: HISTORY, workspace })
      const line = all.perWorkspace.find((w) => w.workspace.planId === workspace.planId && w.workspace.workspaceId === workspace.workspaceId)
      assert.deepEqual(exact(only.totals), exact(line.cost))
      assert.deepEqual(only.perWorkspace.map((w) => w.workspace), [workspace])
      const defaults = await s.ledger.dashboard({ period: HISTORY, workspace: { planId: workspace.planId } })
      assert.deepEqual(defaults.perWorkspace.map((w) => w.workspace), [{ planId: workspace.planId, workspaceId: null }])

      const la = await s.ledger.dashboard({ period: '2026-11-12..2026-11-15', timeZone: 'America/Los_Angeles' })
      assert.deepEqual(la.period, {
        start: '2026-11-12',
        end: '2026-11-15',
        timeZone: 'America/Los_Angeles',
        label: '2026-11-12..2026-11-15 America/Los_Angeles',
      })
      assert.deepEqual(la.daily.map((d) => d.date), ['2026-11-12', '2026-11-13', '2026-11-14'])
      const written = await s.ledger.dashboard({ period: '2026-11-12..2026-11-15 America/Los_Angeles' })
      assert.deepEqual(written, la, 'a zone written in the period is the same as timeZone')
      assert.deepEqual(sumCosts(la.daily.map((d) => d.cost)), exact(la.totals))

      const top = await s.ledger.dashboard({ period: HISTORY, topSubjects: 1 })
      assert.equal(top.topSubjects.length, 1)

      await rejectsWith(s.ledger.dashboard({ period: 'November' }), 'INVALID_INPUT', /period must look like 2026-11/)
      await rejectsWith(s.ledger.dashboard({ period: '2026-11', timeZone: 'Mars/Olympus' }), 'INVALID_INPUT', /time zone must be an IANA name/)
      await rejectsWith(s.ledger.dashboard({ period: '2026-11', planIds: [9999] }), 'PLAN_NOT_FOUND', /plan 9999 not found/)
      await rejectsWith(s.ledger.dashboard({ period: '2026-11', workspace: { planId: 9999 } }), 'PLAN_NOT_FOUND')
      await rejectsWith(s.ledger.dashboard({}), 'INVALID_INPUT', /period/)
    })

    it("reports a user's costs: their mapped keys, and the keys they created", async () => {
      const dashboard = await s.ledger.dashboard({ period: HISTORY })
      const line = (id) => dashboard.topSubjects.find((t) => t.subjectId === id)
      const ada = await s.ledger.userCosts('u-ada', { period: HISTORY })
      assert.deepEqual([ada.subject.id, ada.subject.name, ada.period.label], ['u-ada', 'Ada', HISTORY])
      assert.deepEqual(exact(ada.total), exact(line('u-ada').cost))
      assert.ok(nanos(ada.total.allocated.usd) > 0n)
      assert.equal(ada.total.unallocated.usd, '0.00', 'a user owns no unallocated bill')
      assertConsistent(ada.total)
      assert.deepEqual(ada.perPlan.map((p) => [p.planId, p.label]), [[s.plans[0].id, s.plans[0].label]])
      const total = exact(ada.total)
      assert.deepEqual(sumCosts(ada.perPlan.map((p) => p.cost)), total)
      assert.deepEqual(sumCosts(ada.perModel.map((m) => m.cost)), total)
      assert.deepEqual(sumCosts(ada.perProject.map((p) => p.cost)), total)
      assert.deepEqual(sumCosts(ada.perDay.map((d) => d.cost)), total)
      const [adaDefault] = await s.ledger.listProjects({ subjectId: 'u-ada' })
      assert.deepEqual(ada.perProject.map((p) => [p.projectId, p.name]), [[adaDefault.id, 'Default']])
      assert.deepEqual(ada.seats, [])

      const bob = await s.ledger.userCosts('u-bob', { period: '2026-11' })
      assert.equal(bob.subject.email, bobEmail.toUpperCase())
      assert.deepEqual(exact(bob.total), exact(line('u-bob').cost), 'November holds only the synced days')
      assert.ok(nanos(bob.total.total.usd) > 0n)
      assert.equal(bob.perDay.length, 30)
      assert.deepEqual(bob.perPlan.map((p) => p.planId), [s.plans[1].id])
      assertNoKey([ada, bob], s.keys)

      // Ada hands her keys back on the 15th: her costs stop there, without a sync.
      for (const m of await s.ledger.listMappings({ subjectId: 'u-ada' })) await s.ledger.endMapping(m.id, '2026-11-15T00:00:00Z')
      const before15 = await s.ledger.userCosts('u-ada', { period: '2026-11-10..2026-11-15' })
      assert.deepEqual(exact(before15.total), sumCosts(ada.perDay.slice(0, 5).map((d) => d.cost)))
      const after15 = await s.ledger.userCosts('u-ada', { period: '2026-11-15..2026-11-20' })
      assert.equal(after15.total.total.usd, '0.00')

      await rejectsWith(s.ledger.userCosts('nobody', { period: HISTORY }), 'SUBJECT_NOT_FOUND', /subject 'nobody' not found/)
      await rejectsWith(s.ledger.userCosts('u-ada', { period: '2026-13' }), 'INVALID_INPUT', /month must be 1-12, got 13/)
      await rejectsWith(s.ledger.userCosts('u-ada', { period: '2026-W45', timeZone: 'Nowhere' }), 'INVALID_INPUT', /time zone/)
    })

    it('rebuilds the cost facts of a range of days to the same totals', async () => {
      const before = await s.ledger.dashboard({ period: HISTORY })
      assert.equal(await s.ledger.rebuildCostFacts(s.plans[0].id, { from: '2026-11-10', to: '2026-11-20' }), 10)
      const after = await s.ledger.dashboard({ period: HISTORY })
      assert.deepEqual(exact(after.totals), exact(before.totals))
      assert.deepEqual(after.perPlan, before.perPlan)
      await rejectsWith(s.ledger.rebuildCostFacts(9999, { from: '2026-11-10', to: '2026-11-20' }), 'PLAN_NOT_FOUND')
      await rejectsWith(s.ledger.rebuildCostFacts(s.plans[0].id, { from: '2026-11-20', to: '2026-11-10' }), 'INVALID_INPUT', /must end after it starts/)
      await rejectsWith(s.ledger.rebuildCostFacts(s.plans[0].id, { from: 'last week', to: '2026-11-10' }), 'INVALID_INPUT', /from must be a date like 2026-11-01/)
    })

    it('exports the reports as the core writes them: JSON, CSV and FinOps FOCUS', async () => {
      const options = { period: HISTORY, planIds: s.plans.map((p) => p.id) }
      const dashboard = await s.ledger.dashboard(options)
      const json = JSON.parse(await s.ledger.exportDashboard(options, 'json'))
      assert.equal(json.totals.billed, dashboard.totals.billed.usd)
      assert.equal(json.per_plan.length, 2, 'the core export keeps its snake_case names')
      const csv = parseCsv(await s.ledger.exportDashboard(options, 'csv'))
      assert.deepEqual(
        csv.header,
        'period,section,plan_id,plan_label,workspace_id,name,model,service_tier,context_window,subject_id,date,tokens,total,billed,billed_per_key,allocated,unallocated,estimated,subscription'.split(','),
      )
      const [totalRow] = csv.records
      assert.deepEqual([totalRow.period, totalRow.section, totalRow.billed], [HISTORY, 'total', dashboard.totals.billed.usd])
      assert.equal(csv.records.filter((r) => r.section === 'day').length, 10)

      const costs = await s.ledger.userCosts('u-bob', { period: HISTORY })
      const costsJson = JSON.parse(await s.ledger.exportUserCosts('u-bob', { period: HISTORY }, 'json'))
      assert.deepEqual([costsJson.subject.id, costsJson.total.total], ['u-bob', costs.total.total.usd])
      const costsCsv = parseCsv(await s.ledger.exportUserCosts('u-bob', { period: HISTORY }, 'csv'))
      assert.deepEqual(
        costsCsv.header,
        'period,section,subject_id,plan_id,plan_label,model,project_id,name,date,tier,seats,total,billed,billed_per_key,allocated,unallocated,estimated,subscription'.split(','),
      )
      assert.equal(costsCsv.records[0].total, costs.total.total.usd)

      const focus = parseCsv(await s.ledger.focusExport(options))
      assert.deepEqual(focus.header.slice(0, 4), ['BilledCost', 'BillingAccountId', 'BillingAccountName', 'BillingCurrency'])
      assert.equal(focus.header.length, 34)
      assert.equal(sumUsd(focus.records.map((r) => r.BilledCost)), dashboard.totals.billed.usd, 'BilledCost sums to the bill')
      assert.ok(focus.records.every((r) => r.BillingCurrency === 'USD'))
      const la = parseCsv(await s.ledger.focusExport({ period: '2026-11-12', timeZone: 'America/Los_Angeles', planIds: [s.plans[0].id] }))
      assert.ok(la.records.length > 0)

      const history = JSON.parse(await s.ledger.exportSyncHistory({ limit: 3 }, 'json'))
      assert.equal(history.length, 3)
      assert.deepEqual(parseCsv(await s.ledger.exportSyncHistory({}, 'csv')).header.slice(0, 4), ['id', 'plan_id', 'stream', 'status'])
      const synced = parseCsv(await s.ledger.syncAndExport({ planId: s.plans[0].id, streams: ['usage'] }, 'csv'))
      assert.deepEqual(synced.header.slice(0, 3), ['section', 'started_at', 'finished_at'])
      assert.ok(synced.records.some((r) => r.stream === 'usage' && r.status === 'ok'))
      assert.equal(JSON.parse(await s.ledger.syncAndExport({ planId: s.plans[0].id, streams: ['usage'] }, 'json')).plans.length, 1)

      await rejectsWith(s.ledger.exportDashboard(options, 'xlsx'), 'INVALID_INPUT', /format must be json or csv, got "xlsx"/)
      await rejectsWith(s.ledger.focusExport({ period: HISTORY, planIds: [9999] }), 'PLAN_NOT_FOUND')
      await rejectsWith(s.ledger.exportUserCosts('nobody', { period: HISTORY }, 'csv'), 'SUBJECT_NOT_FOUND')
      for (const text of [JSON.stringify(json), JSON.stringify(csv), JSON.stringify(focus)]) assertNoKey(text, s.keys)
    })
  })
}

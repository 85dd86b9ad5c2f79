// Budgets, their status and forecast, and the alerts a sync reports, on every backend against
// the fake Admin API as a process. The ledger's clock is the fake's: 2026-11-20T00:00:00Z.

import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'

import { BACKENDS, assertNoKey, nanos, parseCsv, rejectsWith, sumUsd, syncedLedger, usd } from './helpers.mjs'

const SCOPE = { planId: null, workspaceId: null, subjectId: null, projectId: null }

for (const kind of BACKENDS) {
  describe(`budgets on ${kind}`, () => {
    let s, global, november
    before(async () => {
      s = await syncedLedger(kind)
      november = await s.ledger.dashboard({ period: '2026-11' })
    })
    after(() => s?.close())

    it('creates budgets on every kind of scope, with their defaults', async () => {
      global = await s.ledger.createBudget({ name: ' Company ', scope: 'global', amount: '100', period: 'month', thresholds: [50, 100, 1000] })
      assert.deepEqual(
        [global.name, global.scope, global.amount, global.period, global.timeZone, global.thresholds],
        ['Company', { ...SCOPE, kind: 'global', description: 'every plan' }, { usd: '100.00', usdNumber: 100 }, 'month', 'UTC', [50, 100, 1000]],
      )
      assert.equal(global.createdAt, '2026-11-20T00:00:00.000Z', "the ledger's clock")

      const [first, second] = s.plans
      const plan = await s.ledger.createBudget({ name: 'Prod', scope: `plan:${first.id}`, amount: '19.99', period: 'week', timeZone: 'europe/paris' })
      assert.deepEqual(
        [plan.scope, plan.timeZone, plan.thresholds],
        [{ ...SCOPE, kind: 'plan', planId: first.id, description: `plan ${first.id}` }, 'Europe/Paris', [50, 80, 100]],
      )
      const [ws] = (await s.ledger.planMetadata(second.id)).workspaces
      const workspace = await s.ledger.createBudget({ name: 'WS', scope: `workspace:${second.id}:${ws.id}`, amount: '5', period: 'day' })
      assert.deepEqual(workspace.scope, { ...SCOPE, kind: 'workspace', planId: second.id, workspaceId: ws.id, description: `workspace "${ws.id}" of plan ${second.id}` })
      const defaults = await s.ledger.createBudget({ name: 'Default WS', scope: `workspace:${second.id}:default`, amount: '5', period: 'day', thresholds: [] })
      assert.deepEqual([defaults.scope.workspaceId, defaults.thresholds], [null, []])
      await s.ledger.upsertSubject({ id: 'u-1', name: 'One' })
      const subject = await s.ledger.createBudget({ name: 'One', scope: 'subject:u-1', amount: '1', period: 'month' })
      assert.deepEqual(subject.scope, { ...SCOPE, kind: 'subject', subjectId: 'u-1', description: 'subject "u-1"' })
      const project = await s.ledger.createProject('u-1', 'Side')
      const byProject = await s.ledger.createBudget({ name: 'Side', scope: `project:${project.id}`, amount: '1', period: 'month' })
      assert.deepEqual(byProject.scope, { ...SCOPE, kind: 'project', projectId: project.id, description: `project ${project.id}` })

      const listed = await s.ledger.listBudgets()
      assert.deepEqual(listed.map((b) => b.id), [global, plan, workspace, defaults, subject, byProject].map((b) => b.id))
      assert.deepEqual(await s.ledger.getBudget(plan.id), plan)
      assertNoKey(listed, s.keys)
    })

    it('refuses bad budgets and missing targets with their codes', async () => {
      const budget = { name: 'B', scope: 'global', amount: '10', period: 'month' }
      await rejectsWith(s.ledger.createBudget({ ...budget, scope: 'team:1' }), 'INVALID_INPUT', /budget scope must be global, plan:ID/)
      await rejectsWith(s.ledger.createBudget({ ...budget, scope: 'plan:9999' }), 'PLAN_NOT_FOUND', /plan 9999 not found/)
      await rejectsWith(s.ledger.createBudget({ ...budget, scope: 'subject:nobody' }), 'SUBJECT_NOT_FOUND')
      await rejectsWith(s.ledger.createBudget({ ...budget, scope: 'project:9999' }), 'PROJECT_NOT_FOUND')
      await rejectsWith(s.ledger.createBudget({ ...budget, scope: `workspace:${s.plans[0].id}:wrkspc_nope` }), 'INVALID_INPUT', /wrkspc_nope/)
      await rejectsWith(s.ledger.createBudget({ ...budget, amount: '0' }), 'INVALID_INPUT', /more than \$0/)
      await rejectsWith(s.ledger.createBudget({ ...budget, amount: 'ten' }), 'INVALID_INPUT')
      await rejectsWith(s.ledger.createBudget({ ...budget, period: 'year' }), 'INVALID_INPUT', /budget period must be one of day, week, month/)
      await rejectsWith(s.ledger.createBudget({ ...budget, thresholds: [80, 50] }), 'INVALID_INPUT', /increasing/)
      await rejectsWith(s.ledger.createBudget({ ...budget, timeZone: 'Mars/Olympus' }), 'INVALID_INPUT', /time zone/)
      await rejectsWith(s.ledger.createBudget({ ...budget, name: ' ' }), 'INVALID_INPUT', /budget name must be 1-200/)
      await rejectsWith(s.ledger.getBudget(9999), 'BUDGET_NOT_FOUND', /budget 9999 not found/)
      await rejectsWith(s.ledger.updateBudget(9999, { name: 'X' }), 'BUDGET_NOT_FOUND')
      await rejectsWith(s.ledger.deleteBudget(9999), 'BUDGET_NOT_FOUND')
      await rejectsWith(s.ledger.budgetStatus(9999), 'BUDGET_NOT_FOUND')
    })

    it("tells where a budget stands: this month's usage cost, what is left, the forecast", async () => {
      const status = await s.ledger.budgetStatus(global.id)
      assert.deepEqual(status.budget, global)
      assert.deepEqual(status.period, { start: '2026-11-01', end: '2026-12-01', timeZone: 'UTC', label: '2026-11' })
      // Usage cost is the dashboard's billed + estimated; fixed fees are left out.
      assert.equal(status.spent.billed.usd, november.totals.billed.usd)
      assert.equal(status.spent.estimated.usd, november.totals.estimated.usd)
      assert.equal(status.spent.subscription.usd, '0.00')
      const used = nanos(november.totals.billed.usd) + nanos(november.totals.estimated.usd)
      assert.equal(status.remaining.usd, usd(nanos('100') - used))
      assert.ok(status.remaining.usdNumber < 0, 'overrun')
      assert.deepEqual(status.thresholdsCrossed, used >= nanos('1000') ? [50, 100, 1000] : [50, 100])
      assert.ok(Math.abs(status.percentUsed - Number(used) / 1e9) < 1e-6, `${status.percentUsed}`)

      const forecast = await s.ledger.forecast({ scope: 'global', period: '2026-11' })
      assert.deepEqual(status.forecast, forecast)
      assert.equal(forecast.spent.usd, usd(used))
      assert.equal(forecast.asOf, '2026-11-20T00:00:00.000Z')
      assert.ok(nanos(forecast.projected.usd) > used && nanos(forecast.dailyRate.usd) > 0n)
      assert.match(forecast.method, /mean of the last 7 complete days × 11 days left/)
      const ended = await s.ledger.forecast({ scope: `plan:${s.plans[0].id}`, period: '2026-11-10..2026-11-15', timeZone: 'UTC' })
      assert.deepEqual([ended.projected.usd, ended.dailyRate.usd], [ended.spent.usd, '0.00'])
      assert.match(ended.method, /the period has ended/)

      const statuses = await s.ledger.budgetStatuses()
      assert.deepEqual(statuses.map((st) => st.budget.id), (await s.ledger.listBudgets()).map((b) => b.id))
      const week = statuses[1]
      assert.deepEqual(week.period, { start: '2026-11-16', end: '2026-11-23', timeZone: 'Europe/Paris', label: '2026-11-16..2026-11-23 Europe/Paris' })
      assertNoKey(statuses, s.keys)

      await rejectsWith(s.ledger.forecast({ scope: 'subject:nobody', period: '2026-11' }), 'SUBJECT_NOT_FOUND')
      await rejectsWith(s.ledger.forecast({ scope: 'everything', period: '2026-11' }), 'INVALID_INPUT', /budget scope/)
      await rejectsWith(s.ledger.forecast({ scope: 'global', period: 'soon' }), 'INVALID_INPUT', /period must look like/)
    })

    it('reports each threshold reached once, in the sync that saw it', async () => {
      const report = await s.ledger.sync({ planId: s.plans[0].id, streams: ['cost'] })
      assert.equal(report.ok, true)
      const alerts = report.budgetAlerts.filter((a) => a.budgetId === global.id)
      assert.deepEqual(alerts.map((a) => a.threshold), (await s.ledger.budgetStatus(global.id)).thresholdsCrossed)
      for (const alert of alerts) {
        assert.equal(alert.name, 'Company')
        assert.equal(alert.period.label, '2026-11')
        assert.deepEqual(alert.amount, { usd: '100.00', usdNumber: 100 })
        assert.equal(alert.spent.usd, sumUsd([november.totals.billed, november.totals.estimated]))
      }
      const again = await s.ledger.sync({ planId: s.plans[0].id, streams: ['cost'] })
      assert.deepEqual(again.budgetAlerts, [], 'each alert once')

      // Raising the amount puts the thresholds out of reach; lowering it again re-arms them.
      const raised = await s.ledger.updateBudget(global.id, { amount: '100000', name: 'Company, raised' })
      assert.deepEqual([raised.name, raised.amount.usd, raised.thresholds], ['Company, raised', '100000.00', [50, 100, 1000]])
      assert.deepEqual((await s.ledger.budgetStatus(global.id)).thresholdsCrossed, [])
      await s.ledger.updateBudget(global.id, { amount: '100' })
      const rearmed = await s.ledger.sync({ planId: s.plans[0].id, streams: ['cost'] })
      assert.deepEqual(rearmed.budgetAlerts.filter((a) => a.budgetId === global.id).map((a) => a.threshold), alerts.map((a) => a.threshold))
      await rejectsWith(s.ledger.updateBudget(global.id, { period: 'fortnight' }), 'INVALID_INPUT', /budget period/)
      await rejectsWith(s.ledger.updateBudget(global.id, { amount: '-5' }), 'INVALID_INPUT')
      const moved = await s.ledger.updateBudget(global.id, { period: 'day', timeZone: 'Asia/Tokyo', thresholds: [90] })
      assert.deepEqual([moved.period, moved.timeZone, moved.thresholds], ['day', 'Asia/Tokyo', [90]])
      assertNoKey(report, s.keys)
    })

    it('exports budgets, their statuses and a forecast as the core writes them', async () => {
      const budgets = await s.ledger.listBudgets()
      const json = JSON.parse(await s.ledger.exportBudgets('json'))
      assert.deepEqual(json.map((b) => [b.id, b.scope.kind, b.amount]), budgets.map((b) => [b.id, b.scope.kind, b.amount.usd]))
      const csv = parseCsv(await s.ledger.exportBudgets('csv'))
      assert.deepEqual(csv.header.slice(0, 3), ['id', 'name', 'scope.kind'])
      assert.deepEqual(csv.records.map((r) => r.id), budgets.map((b) => String(b.id)))

      const statuses = await s.ledger.budgetStatuses()
      const statusJson = JSON.parse(await s.ledger.exportBudgetStatuses('json'))
      assert.deepEqual(statusJson.map((st) => st.spent.total), statuses.map((st) => st.spent.total.usd))
      assert.equal(parseCsv(await s.ledger.exportBudgetStatuses('csv')).records.length, statuses.length)

      const options = { scope: 'global', period: '2026-11' }
      const forecast = await s.ledger.forecast(options)
      assert.equal(JSON.parse(await s.ledger.exportForecast(options, 'json')).projected, forecast.projected.usd)
      const [row] = parseCsv(await s.ledger.exportForecast(options, 'csv')).records
      assert.deepEqual([row['period.start'], row.projected], ['2026-11-01', forecast.projected.usd])
      await rejectsWith(s.ledger.exportBudgets('pdf'), 'INVALID_INPUT', /format must be json or csv/)

      for (const budget of budgets) await s.ledger.deleteBudget(budget.id)
      assert.deepEqual(await s.ledger.listBudgets(), [])
      assert.equal(await s.ledger.exportBudgets('csv'), '', 'no budget, no columns')
    })
  })
}

// The company's AI spend for a month: summary figures, a plan filter once several plans are
// connected, cost and usage over time, and the breakdowns per plan, workspace, model and user.
// Every number is one `ledger.dashboard()` call, made here on the server.

import type { Dashboard, Plan } from 'costledger'
import Link from 'next/link'
import { Suspense } from 'react'

import { PlanBadge, StatusBadge } from '@/components/badges'
import { CostPerDayChart, ModelCostChart, TokensPerDayChart, WebSearchesPerDayChart } from '@/components/charts'
import { ErrorPanel } from '@/components/error-panel'
import { Money } from '@/components/money'
import { PeriodForm } from '@/components/period-form'
import { Stat } from '@/components/stat'
import { explain, explainCode } from '@/lib/errors'
import { formatCount, modelName, tokenTotal } from '@/lib/format'
import { getLedger, thisMonth } from '@/lib/ledger'

type SearchParams = Promise<Record<string, string | string[] | undefined>>

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined

export default async function DashboardPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams
  const period = one(params.period) ?? thisMonth()
  const plan = one(params.plan)
  if (plan !== undefined && !/^\d+$/.test(plan)) {
    return <ErrorPanel error={explainCode('INVALID_INPUT', `plan must be a plan id, got "${plan}"`)} />
  }
  const planIds = plan ? [Number(plan)] : undefined

  let plans: Plan[]
  let dashboard: Dashboard
  try {
    const ledger = await getLedger()
    plans = await ledger.listPlans({ includeDisconnected: true })
    if (plans.length === 0) return <NoPlans />
    dashboard = await ledger.dashboard({ period, planIds })
  } catch (error) {
    return (
      <>
        <PeriodForm action="/" period={period} />
        <ErrorPanel error={explain(error)} />
      </>
    )
  }
  const connected = plans.filter((p) => p.status !== 'disconnected')
  const tokens = dashboard.perModel.reduce((n, m) => n + tokenTotal(m.tokens), 0)
  const webSearches = dashboard.perModel.reduce((n, m) => n + m.tokens.webSearchRequests, 0)
  const shown = planIds ? plans.filter((p) => planIds.includes(p.id)) : plans

  return (
    <>
      <div className="page-head">
        <h1>
          AI spend, {dashboard.period.label}
          {planIds && shown[0] && (
            <>
              {' '}
              <PlanBadge planId={shown[0].id} label={shown[0].label} />
            </>
          )}
        </h1>
        {/* The plan filter appears once there is a choice: several plans connected. */}
        <PeriodForm action="/" period={period} plans={connected} plan={plan} />
      </div>

      <section className="stats" data-section="summary">
        <Stat name="total" label="Total">
          <Money value={dashboard.totals.total} />
        </Stat>
        <Stat name="billed" label="Billed">
          <Money value={dashboard.totals.billed} />
        </Stat>
        <Stat name="estimated" label="Estimated">
          <Money value={dashboard.totals.estimated} />
        </Stat>
        <Stat name="unallocated" label="Unallocated">
          <Money value={dashboard.totals.unallocated} />
        </Stat>
        <Stat name="subscription" label="Subscriptions">
          <Money value={dashboard.totals.subscription} />
        </Stat>
        <Stat name="tokens" label="Tokens">
          <span data-count={tokens}>{formatCount(tokens)}</span>
        </Stat>
        <Stat name="web-searches" label="Web search requests">
          <span data-count={webSearches}>{formatCount(webSearches)}</span>
        </Stat>
      </section>
      {dashboard.missingPrices.length > 0 && (
        <p className="warning" role="note">
          {dashboard.missingPrices.length} kind(s) of usage have no price yet (
          {dashboard.missingPrices.map((m) => m.model).join(', ')}): their cost is unknown, not zero.
        </p>
      )}

      <div className="grid">
        <section className="card">
          <h2>Usage cost per day</h2>
          <CostPerDayChart
            data={dashboard.daily.map((d) => ({
              date: d.date,
              billed: d.cost.billed.usdNumber,
              estimated: d.cost.estimated.usdNumber,
            }))}
          />
        </section>
        <Suspense fallback={<UsageLoading />}>
          <UsageOverTime dashboard={dashboard} planIds={planIds} />
        </Suspense>
      </div>

      <div className="grid">
        <section className="card" data-section="per-plan">
          <h2>Per plan</h2>
          <table>
            <thead>
              <tr>
                <th>Plan</th>
                <th>Status</th>
                <th className="num">Billed</th>
                <th className="num">Estimated</th>
                <th className="num">Subscription</th>
                <th className="num">Total</th>
              </tr>
            </thead>
            <tbody>
              {dashboard.perPlan.map((line) => (
                <tr key={line.planId} data-plan-id={line.planId}>
                  <td>
                    <PlanBadge planId={line.planId} label={line.label} />
                  </td>
                  <td>
                    <StatusBadge status={line.status} />
                  </td>
                  <td className="num">
                    <Money value={line.cost.billed} />
                  </td>
                  <td className="num">
                    <Money value={line.cost.estimated} />
                  </td>
                  <td className="num">
                    <Money value={line.cost.subscription} />
                  </td>
                  <td className="num" data-col="total">
                    <Money value={line.cost.total} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>

        <section className="card" data-section="per-workspace">
          <h2>Per workspace</h2>
          <table>
            <tbody>
              {dashboard.perWorkspace.map((line) => (
                <tr key={`${line.workspace.planId}/${line.workspace.workspaceId}`} data-workspace={line.name}>
                  {/* The library names a workspace "Name (plan label)" when several plans are shown. */}
                  <td>{line.name}</td>
                  <td className="num">
                    <Money value={line.cost.total} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>

      <div className="grid">
        <section className="card" data-section="per-model">
          <h2>Per model</h2>
          <ModelCostChart
            data={dashboard.perModel.map((m) => ({ model: modelName(m.model), cost: m.cost.total.usdNumber, tokens: tokenTotal(m.tokens) }))}
          />
          <table>
            <thead>
              <tr>
                <th>Model</th>
                <th className="num">Tokens</th>
                <th className="num">Cost</th>
              </tr>
            </thead>
            <tbody>
              {dashboard.perModel.map((m) => (
                <tr key={m.model} data-model={m.model}>
                  <td>{modelName(m.model)}</td>
                  <td className="num">{formatCount(tokenTotal(m.tokens))}</td>
                  <td className="num">
                    <Money value={m.cost.total} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>

        <section className="card" data-section="top-users">
          <h2>Top users</h2>
          {dashboard.topSubjects.length === 0 ? (
            <p className="empty">
              No spend is attributed to a user yet. Your app adds its users with <code>upsertSubject</code>; their keys are
              theirs by email or through <code>mapKey</code>.
            </p>
          ) : (
            <table>
              <tbody>
                {dashboard.topSubjects.map((s) => (
                  <tr key={s.subjectId} data-subject={s.subjectId}>
                    <td>
                      <Link href={`/users/${encodeURIComponent(s.subjectId)}?period=${encodeURIComponent(period)}`}>
                        {s.name ?? s.subjectId}
                      </Link>{' '}
                      <span className="muted">{s.email}</span>
                    </td>
                    <td className="num">
                      <Money value={s.cost.total} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <p className="muted" data-unattributed>
            Not attributed to anyone (Console usage, unmapped keys, unallocated bill): <Money value={dashboard.unattributed.total} />
          </p>
        </section>
      </div>
    </>
  )
}

/** The empty state: nothing to show until a plan is connected. */
function NoPlans() {
  return (
    <section className="card empty-state" data-empty="dashboard">
      <h1>No plans connected yet</h1>
      <p>Connect an Anthropic organisation with its Admin API key, sync it, and its costs show up here.</p>
      <Link className="button" href="/plans">
        Connect a plan
      </Link>
    </section>
  )
}

function UsageLoading() {
  return (
    <section className="card" aria-busy="true">
      <h2>Usage per day</h2>
      <div className="skeleton chart-skeleton" />
    </section>
  )
}

/**
 * Tokens and web search requests per day. The dashboard's daily series carries cost only, so
 * this asks for one day's dashboard per date of the period (cheap: each reads that day's
 * rollup) and streams in after the rest of the page.
 */
async function UsageOverTime({ dashboard, planIds }: { dashboard: Dashboard; planIds?: number[] }) {
  const ledger = await getLedger()
  const days = await Promise.all(
    dashboard.daily.map(async ({ date }) => {
      const day = await ledger.dashboard({ period: date, timeZone: dashboard.period.timeZone, planIds, topSubjects: 0 })
      const sum = (pick: (t: Dashboard['perModel'][number]['tokens']) => number) =>
        day.perModel.reduce((n, m) => n + pick(m.tokens), 0)
      return {
        date,
        uncachedInput: sum((t) => t.uncachedInput),
        cacheWrite: sum((t) => t.cacheWrite5m + t.cacheWrite1h),
        cacheRead: sum((t) => t.cacheRead),
        output: sum((t) => t.output),
        webSearches: sum((t) => t.webSearchRequests),
      }
    }),
  )
  return (
    <section className="card" data-section="usage">
      <h2>Tokens per day</h2>
      <TokensPerDayChart data={days} />
      <h2>Web search requests per day</h2>
      <WebSearchesPerDayChart data={days} />
    </section>
  )
}

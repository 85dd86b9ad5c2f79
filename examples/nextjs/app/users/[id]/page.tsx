// One user's costs in a month (`ledger.userCosts`): what their API keys cost on each plan,
// with each plan's badge and subscription tier, their seat fees, and per model, project and
// day.

import type { Plan, UserCosts } from 'costledger'

import { PlanBadge, TierBadge } from '@/components/badges'
import { CostPerDayChart } from '@/components/charts'
import { ErrorPanel } from '@/components/error-panel'
import { Money } from '@/components/money'
import { PeriodForm } from '@/components/period-form'
import { Stat } from '@/components/stat'
import { explain } from '@/lib/errors'
import { modelName } from '@/lib/format'
import { getLedger, thisMonth, today } from '@/lib/ledger'
import { nextPaymentDate } from '@/lib/subscription'

type Props = {
  params: Promise<{ id: string }>
  searchParams: Promise<Record<string, string | string[] | undefined>>
}

export default async function UserPage({ params, searchParams }: Props) {
  const { id } = await params
  const subjectId = decodeURIComponent(id)
  const requested = (await searchParams).period
  const period = (Array.isArray(requested) ? requested[0] : requested) || thisMonth()
  const action = `/users/${encodeURIComponent(subjectId)}`

  let costs: UserCosts
  let plans: Map<number, Plan>
  try {
    const ledger = await getLedger()
    costs = await ledger.userCosts(subjectId, { period })
    plans = new Map((await ledger.listPlans({ includeDisconnected: true })).map((p) => [p.id, p]))
  } catch (error) {
    return (
      <>
        <PeriodForm action={action} period={period} />
        <ErrorPanel error={explain(error)} />
      </>
    )
  }
  const { subject, total } = costs
  const day = today()

  return (
    <>
      <div className="page-head">
        <h1>
          {subject.name ?? subject.id}, {costs.period.label} <span className="muted">{subject.email}</span>
        </h1>
        <PeriodForm action={action} period={period} />
      </div>

      <section className="stats" data-section="summary">
        <Stat name="total" label="Total">
          <Money value={total.total} />
        </Stat>
        <Stat name="allocated" label="Billed to their keys">
          <Money value={total.allocated} />
        </Stat>
        <Stat name="estimated" label="Estimated">
          <Money value={total.estimated} />
        </Stat>
        <Stat name="subscription" label="Seat fees">
          <Money value={total.subscription} />
        </Stat>
      </section>

      <div className="grid">
        <section className="card" data-section="per-plan">
          <h2>Per plan</h2>
          {costs.perPlan.length === 0 ? (
            <p className="empty">No usage on any plan in this period.</p>
          ) : (
            <table>
              <tbody>
                {costs.perPlan.map((line) => {
                  const sub = plans.get(line.planId)?.subscription
                  return (
                    <tr key={line.planId} data-plan-id={line.planId}>
                      <td>
                        <PlanBadge planId={line.planId} label={line.label} />
                        {sub && (
                          <>
                            {' '}
                            <TierBadge tier={sub.tier} />{' '}
                            <span className="muted">
                              next payment <time data-next-payment>{nextPaymentDate(sub, day)}</time>
                            </span>
                          </>
                        )}
                      </td>
                      <td className="num">
                        <Money value={line.cost.total} />
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          )}
        </section>

        <section className="card" data-section="seats">
          <h2>Seats</h2>
          {costs.seats.length === 0 ? (
            <p className="empty">No seat on a plan with a subscription.</p>
          ) : (
            <table>
              <tbody>
                {costs.seats.map((seat) => {
                  const sub = plans.get(seat.planId)?.subscription
                  return (
                    <tr key={seat.planId} data-plan-id={seat.planId}>
                      <td>
                        <PlanBadge planId={seat.planId} label={seat.label} /> <TierBadge tier={seat.tier} />{' '}
                        <span className="muted">
                          one of {seat.seats} seats
                          {sub && (
                            <>
                              , next payment <time data-next-payment>{nextPaymentDate(sub, day)}</time>
                            </>
                          )}
                        </span>
                      </td>
                      <td className="num">
                        <Money value={seat.amount} />
                      </td>
                    </tr>
                  )
                })}
              </tbody>
            </table>
          )}
        </section>
      </div>

      <section className="card">
        <h2>Usage cost per day</h2>
        <CostPerDayChart
          data={costs.perDay.map((d) => ({
            date: d.date,
            billed: d.cost.billed.usdNumber,
            estimated: d.cost.estimated.usdNumber,
          }))}
        />
      </section>

      <div className="grid">
        <section className="card" data-section="per-model">
          <h2>Per model</h2>
          <table>
            <tbody>
              {costs.perModel.map((m) => (
                <tr key={m.model} data-model={m.model}>
                  <td>{modelName(m.model)}</td>
                  <td className="num">
                    <Money value={m.cost.total} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <section className="card" data-section="per-project">
          <h2>Per project</h2>
          <table>
            <tbody>
              {costs.perProject.map((p) => (
                <tr key={p.projectId ?? p.name}>
                  <td>{p.name}</td>
                  <td className="num">
                    <Money value={p.cost.total} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      </div>
    </>
  )
}

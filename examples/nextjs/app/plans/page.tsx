// The plan-connections card: every plan with its status, key hint, subscription and last
// sync, its own sync button, label editing and disconnecting; and the form that adds one.

import type { Plan } from 'costledger'

import { addPlan, disconnectPlan, renamePlan, syncPlan } from './actions'
import { PlanBadge, StatusBadge, TierBadge } from '@/components/badges'
import { ErrorPanel } from '@/components/error-panel'
import { AddPlanForm, DisconnectButton, RenameForm, SyncButton } from '@/components/plan-forms'
import { explain } from '@/lib/errors'
import { formatInstant } from '@/lib/format'
import { getLedger, today } from '@/lib/ledger'
import { nextPaymentDate } from '@/lib/subscription'

export const metadata = { title: 'Plan connections · costledger' }

export default async function PlansPage() {
  let plans: Plan[]
  try {
    plans = await (await getLedger()).listPlans({ includeDisconnected: true })
  } catch (error) {
    return <ErrorPanel error={explain(error)} />
  }
  const connected = plans.filter((p) => p.status !== 'disconnected')
  const disconnected = plans.filter((p) => p.status === 'disconnected')
  return (
    <>
      <h1>Plan connections</h1>
      <section className="card" data-section="plans">
        <h2>Connected plans</h2>
        {connected.length === 0 ? (
          <p className="empty" data-empty="plans">
            No plan is connected yet. Add an Anthropic organisation below with one of its Admin API keys.
          </p>
        ) : (
          <ul className="plans">
            {connected.map((plan) => (
              <PlanRow key={plan.id} plan={plan} />
            ))}
          </ul>
        )}
      </section>
      <section className="card" data-section="add-plan">
        <h2>Add a plan</h2>
        <p className="muted">
          The key is checked with Anthropic, then sealed with the server’s master key. Only its hint is ever shown again.
        </p>
        <AddPlanForm action={addPlan} today={today()} />
      </section>
      {disconnected.length > 0 && (
        <section className="card" data-section="disconnected">
          <h2>Disconnected</h2>
          <p className="muted">Their keys are destroyed; their synced costs stay in past reports.</p>
          <ul className="plans">
            {disconnected.map((plan) => (
              <PlanRow key={plan.id} plan={plan} />
            ))}
          </ul>
        </section>
      )}
    </>
  )
}

function PlanRow({ plan }: { plan: Plan }) {
  const live = plan.status !== 'disconnected'
  const sub = plan.subscription
  return (
    <li className="plan" data-plan-id={plan.id} data-status={plan.status}>
      <div className="plan-head">
        <PlanBadge planId={plan.id} label={plan.label} />
        <StatusBadge status={plan.status} />
        {sub && <TierBadge tier={sub.tier} />}
        <span className="muted">{plan.orgName}</span>
      </div>
      <dl className="facts">
        <dt>Admin key</dt>
        <dd>
          <code data-key-hint>{plan.keyHint ?? 'destroyed'}</code>
        </dd>
        {sub && (
          <>
            <dt>Subscription</dt>
            <dd>
              {sub.seats} seat{sub.seats === 1 ? '' : 's'}, billed {sub.cycle}; next payment{' '}
              <time data-next-payment>{nextPaymentDate(sub, today())}</time>
            </dd>
          </>
        )}
        <dt>Last sync</dt>
        <dd data-last-sync>{plan.lastSyncedAt ? formatInstant(plan.lastSyncedAt) : 'never'}</dd>
        {plan.lastError && (
          <>
            <dt>Last error</dt>
            <dd className="error-text" data-last-error>
              {plan.lastError}
            </dd>
          </>
        )}
      </dl>
      {live && (
        <div className="plan-actions">
          <SyncButton action={syncPlan.bind(null, plan.id)} />
          <RenameForm action={renamePlan.bind(null, plan.id)} label={plan.label} />
          <DisconnectButton action={disconnectPlan.bind(null, plan.id)} label={plan.label} />
        </div>
      )}
    </li>
  )
}

// The plan-connections card: every plan with its status, key hint, subscription and last
// sync, its own sync button, label editing and disconnecting; the form that adds one with an
// admin key, and "Connect with OAuth". The OAuth routes come back here with what happened in
// the query (`?connected=`, `?reconnected=`, `?disconnected=…&revocation=`, `?error=…&message=`).

import type { Plan } from 'costledger'

import { addPlan, disconnectPlan, renamePlan, syncPlan } from './actions'
import { PlanBadge, StatusBadge, TierBadge } from '@/components/badges'
import { ErrorPanel } from '@/components/error-panel'
import { AddPlanForm, DisconnectButton, OAuthDisconnectButton, RenameForm, SyncButton } from '@/components/plan-forms'
import { explain, explainOAuthCode } from '@/lib/errors'
import { formatInstant } from '@/lib/format'
import { getLedger, today } from '@/lib/ledger'
import { nextPaymentDate } from '@/lib/subscription'

export const metadata = { title: 'Plan connections · costledger' }

type SearchParams = Promise<Record<string, string | string[] | undefined>>

const one = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value) || undefined

/** An OAuth plan's hint: no part of a token. */
const isOAuth = (plan: Plan) => plan.keyHint === 'OAuth (org:admin)'

export default async function PlansPage({ searchParams }: { searchParams: SearchParams }) {
  const params = await searchParams
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
      <OAuthOutcome params={params} plans={plans} />
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
        <p className="oauth-connect">
          Or sign in to Anthropic instead of pasting a key:{' '}
          <a href="/api/anthropic/oauth/initiate" className="button" data-action="connect-oauth">
            Connect with OAuth
          </a>{' '}
          <span className="muted">(the organisation’s tokens are sealed like a key, refreshed as they expire, and revoked on disconnect)</span>
        </p>
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
        <dt>{isOAuth(plan) ? 'Credential' : 'Admin key'}</dt>
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
          {isOAuth(plan) ? (
            <>
              {plan.status === 'error' && (
                <a href={`/api/anthropic/oauth/initiate?plan=${plan.id}`} className="button" data-action="reconnect-oauth">
                  Reconnect with OAuth
                </a>
              )}
              <OAuthDisconnectButton planId={plan.id} label={plan.label} />
            </>
          ) : (
            <DisconnectButton action={disconnectPlan.bind(null, plan.id)} label={plan.label} />
          )}
        </div>
      )}
    </li>
  )
}

/** What the OAuth routes reported, from the query they redirected here with. */
function OAuthOutcome({ params, plans }: { params: Record<string, string | string[] | undefined>; plans: Plan[] }) {
  const named = (id: string | undefined) => plans.find((p) => String(p.id) === id)
  const error = one(params.error)
  if (error) return <ErrorPanel error={explainOAuthCode(error, one(params.message) ?? '')} />
  const connected = named(one(params.connected))
  if (connected) {
    return (
      <p className="card ok-note" role="status" data-oauth="connected">
        Connected “{connected.label}” ({connected.orgName}) with OAuth. Sync it below.
      </p>
    )
  }
  const reconnected = named(one(params.reconnected))
  if (reconnected) {
    return (
      <p className="card ok-note" role="status" data-oauth="reconnected">
        Reconnected “{reconnected.label}” with a new sign-in; it is {reconnected.status} again.
      </p>
    )
  }
  const disconnected = named(one(params.disconnected))
  if (!disconnected) return null
  if (one(params.revocation) === 'failed') {
    return (
      <section className="card error-panel" role="alert" data-oauth="revocation-failed" data-error-code={one(params.code)}>
        <h2>Disconnected “{disconnected.label}”, but Anthropic did not revoke its access</h2>
        <p>
          Its tokens are destroyed here, but the grant may still be live at Anthropic: revoke this app’s access in the
          organisation’s settings.
        </p>
        <p className="detail">
          <code>{one(params.code)}</code> {one(params.message)}
        </p>
      </section>
    )
  }
  return (
    <p className="card ok-note" role="status" data-oauth="disconnected">
      Disconnected “{disconnected.label}”{one(params.revocation) === 'revoked' ? '; Anthropic revoked its OAuth access' : ''}.
    </p>
  )
}

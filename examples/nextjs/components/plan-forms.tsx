'use client'

// The forms of the plan-connections card. Each posts to a server action (app/plans/actions.ts)
// and shows what it answered; each has its own pending state, so syncing one plan spins only
// that plan's button. They work before hydration too, as plain form posts.

import type { Subscription } from 'costledger'
import { useActionState, useState, type ReactNode } from 'react'
import { useFormStatus } from 'react-dom'

import type { ActionState } from '@/app/plans/actions'
import { ErrorNote } from '@/components/error-panel'
import { TIER_NAMES } from '@/lib/format'

type Action = (state: ActionState, form: FormData) => Promise<ActionState>

/** A submit button that spins while its own form's action runs. */
function Submit({ name, pendingText, children }: { name: string; pendingText: string; children: ReactNode }) {
  const { pending } = useFormStatus()
  return (
    <button type="submit" data-action={name} disabled={pending} aria-busy={pending}>
      {pending ? (
        <>
          <span className="spinner" aria-hidden="true" /> {pendingText}
        </>
      ) : (
        children
      )}
    </button>
  )
}

function Outcome({ state }: { state: ActionState }) {
  if (state.error) return <ErrorNote error={state.error} />
  if (state.ok) return <p className="ok-note" role="status">{state.ok}</p>
  return null
}

/**
 * Add a plan: a label, the organisation's admin key and, optionally, its subscription. The
 * key goes to the server action and is sealed there; nothing sends it back, and after an
 * error it has to be typed again (only the label is kept).
 */
export function AddPlanForm({ action, today }: { action: Action; today: string }) {
  const [state, formAction] = useActionState(action, {})
  return (
    <form action={formAction} className="add-plan" autoComplete="off" data-form="add-plan">
      <label>
        Label
        <input name="label" required maxLength={200} placeholder="Prod org" defaultValue={state.label} />
      </label>
      <label>
        Admin API key
        <input name="adminApiKey" type="password" required placeholder="sk-ant-admin01-…" spellCheck={false} autoComplete="off" />
      </label>
      <fieldset>
        <legend>Subscription (optional)</legend>
        <label>
          Tier
          <select name="tier" defaultValue="">
            <option value="">None</option>
            {(Object.keys(TIER_NAMES) as Subscription['tier'][]).map((tier) => (
              <option key={tier} value={tier}>
                {TIER_NAMES[tier]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Seats
          <input name="seats" type="number" min={1} defaultValue={1} />
        </label>
        <label>
          Billed from
          <input name="anchorDate" type="date" defaultValue={today} />
        </label>
      </fieldset>
      <Submit name="add-plan" pendingText="Checking the key…">
        Add plan
      </Submit>
      <Outcome state={state} />
    </form>
  )
}

/** Sync one plan now. */
export function SyncButton({ action }: { action: Action }) {
  const [state, formAction] = useActionState(action, {})
  return (
    <form action={formAction} className="inline-form" data-form="sync">
      <Submit name="sync" pendingText="Syncing…">
        Sync now
      </Submit>
      <Outcome state={state} />
    </form>
  )
}

/** Rename a plan. */
export function RenameForm({ action, label }: { action: Action; label: string }) {
  const [state, formAction] = useActionState(action, {})
  return (
    <details className="rename">
      <summary>Edit label</summary>
      <form action={formAction} className="inline-form" data-form="rename">
        <input name="label" required maxLength={200} defaultValue={label} aria-label="New label" />
        <Submit name="rename" pendingText="Saving…">
          Save
        </Submit>
        <Outcome state={state} />
      </form>
    </details>
  )
}

/** Disconnect a plan, after a second click. */
export function DisconnectButton({ action, label }: { action: Action; label: string }) {
  const [state, formAction] = useActionState(action, {})
  const [confirming, setConfirming] = useState(false)
  if (!confirming) {
    return (
      <button type="button" className="quiet" data-action="disconnect" onClick={() => setConfirming(true)}>
        Disconnect…
      </button>
    )
  }
  return (
    <form action={formAction} className="inline-form confirm">
      <span>
        Disconnect <strong>{label}</strong>? Its admin key is destroyed; its synced costs stay in past reports.
      </span>
      <Submit name="confirm-disconnect" pendingText="Disconnecting…">
        Disconnect
      </Submit>
      <button type="button" className="quiet" onClick={() => setConfirming(false)}>
        Cancel
      </button>
      <Outcome state={state} />
    </form>
  )
}

/**
 * Disconnect an OAuth plan, after a second click: a plain form post to
 * `/api/anthropic/oauth/disconnect`, which revokes the grant at Anthropic first and comes back
 * to this page saying whether that worked.
 */
export function OAuthDisconnectButton({ planId, label }: { planId: number; label: string }) {
  const [confirming, setConfirming] = useState(false)
  if (!confirming) {
    return (
      <button type="button" className="quiet" data-action="disconnect" onClick={() => setConfirming(true)}>
        Disconnect…
      </button>
    )
  }
  return (
    <form action="/api/anthropic/oauth/disconnect" method="post" className="inline-form confirm" data-form="oauth-disconnect">
      <input type="hidden" name="planId" value={planId} />
      <span>
        Disconnect <strong>{label}</strong>? Its OAuth access is revoked at Anthropic and its tokens destroyed; its synced costs
        stay in past reports.
      </span>
      <button type="submit" data-action="confirm-disconnect">
        Disconnect
      </button>
      <button type="button" className="quiet" onClick={() => setConfirming(false)}>
        Cancel
      </button>
    </form>
  )
}

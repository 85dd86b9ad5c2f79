'use server'

// The plan-connections card's server actions. Each runs on the server, calls the process's
// ledger, and returns what the form shows: a sentence, or an error explained from its code.
// None returns a key: only the plan's hint ever leaves the server. Like every server action
// they are public endpoints: put the app behind your own authentication.

import type { SubscriptionInput } from 'costledger'
import { revalidatePath } from 'next/cache'

import { explain, explainCode, type Explained } from '@/lib/errors'
import { getLedger } from '@/lib/ledger'
import { formatCount } from '@/lib/format'

/** What a plan form shows after its action ran. */
export interface ActionState {
  ok?: string
  error?: Explained
  /** The label typed, to fill the form again after an error. */
  label?: string
}

const field = (form: FormData, name: string) => String(form.get(name) ?? '').trim()

/** Every page shows plans or their costs: render them all again. */
const refreshPages = () => revalidatePath('/', 'layout')

export async function addPlan(_state: ActionState, form: FormData): Promise<ActionState> {
  const label = field(form, 'label')
  const tier = field(form, 'tier')
  const subscription: SubscriptionInput | undefined = tier
    ? { tier: tier as SubscriptionInput['tier'], seats: Number(field(form, 'seats') || 1), anchorDate: field(form, 'anchorDate') }
    : undefined
  try {
    const ledger = await getLedger()
    const plan = await ledger.addPlan({ label, adminApiKey: String(form.get('adminApiKey') ?? ''), subscription })
    refreshPages()
    return { ok: `Connected “${plan.label}” (${plan.orgName}) with key ${plan.keyHint}.` }
  } catch (error) {
    return { error: explain(error), label }
  }
}

export async function syncPlan(planId: number, _state: ActionState): Promise<ActionState> {
  try {
    const report = await (await getLedger()).sync({ planId })
    refreshPages()
    const outcome = report.plans[0]
    if (!outcome) return { error: explainCode('PLAN_NOT_FOUND', `plan ${planId} is disconnected`) }
    switch (outcome.status) {
      case 'ok':
        return { ok: `Synced: ${formatCount(outcome.rowsWritten)} rows written.` }
      case 'skipped':
        return { ok: `Another sync of this plan is running (${outcome.skippedReason}).` }
      default: // partial or error: what succeeded is kept
        return { error: explainCode(outcome.error?.code ?? 'INTERNAL', outcome.error?.message ?? outcome.status) }
    }
  } catch (error) {
    return { error: explain(error) }
  }
}

export async function renamePlan(planId: number, _state: ActionState, form: FormData): Promise<ActionState> {
  try {
    const plan = await (await getLedger()).updatePlan(planId, { label: field(form, 'label') })
    refreshPages()
    return { ok: `Renamed to “${plan.label}”.` }
  } catch (error) {
    return { error: explain(error) }
  }
}

export async function disconnectPlan(planId: number, _state: ActionState): Promise<ActionState> {
  try {
    const plan = await (await getLedger()).disconnectPlan(planId)
    refreshPages()
    return { ok: `Disconnected “${plan.label}”.` }
  } catch (error) {
    return { error: explain(error) }
  }
}

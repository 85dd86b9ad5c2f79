// POST /api/anthropic/oauth/disconnect (form field `planId`): disconnect a plan, revoking its
// OAuth grant at Anthropic first. The revocation is best effort: when Anthropic cannot be
// reached the local tokens are destroyed anyway, and the plan-connections page says the grant
// may still be live (`?disconnected=<id>&revocation=failed&code=…&message=…`).

import { CostLedgerError } from 'costledger'

import { getLedger } from '@/lib/ledger'
import { backToPlans } from '@/lib/oauth'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

export async function POST(request: Request): Promise<Response> {
  // A form post from another site must not disconnect plans here (server actions get the same
  // check from Next.js).
  const origin = request.headers.get('origin')
  if (origin && new URL(origin).host !== request.headers.get('host')) {
    return Response.json({ code: 'INVALID_INPUT', error: 'cross-site request refused' }, { status: 403 })
  }
  const planId = String((await request.formData()).get('planId') ?? '')
  if (!/^\d+$/.test(planId)) {
    return backToPlans(request, { error: 'INVALID_INPUT', message: `planId must be a plan id, got "${planId}"` })
  }
  try {
    const { plan, revocation } = await (await getLedger()).disconnectPlanReporting(Number(planId))
    const params: Record<string, string> = { disconnected: String(plan.id), revocation: revocation.status }
    if (revocation.status === 'failed') {
      params.code = revocation.code ?? 'INTERNAL'
      params.message = revocation.message ?? ''
    }
    return backToPlans(request, params)
  } catch (error) {
    if (error instanceof CostLedgerError) return backToPlans(request, { error: error.code, message: error.message })
    throw error
  }
}

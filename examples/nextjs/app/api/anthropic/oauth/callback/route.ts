// GET /api/anthropic/oauth/callback?code=…&state=…: where Anthropic sends the browser back.
// costledger's `finish()` checks the state against the cookie's (in constant time) and
// exchanges the code with the PKCE verifier; the tokens are sealed into a new plan (or the
// plan being reconnected). The cookies are cleared whatever happens, and the browser goes
// back to the plan-connections page: `?connected=<id>` / `?reconnected=<id>`, or
// `?error=<CODE>&message=…`.

import { CostLedgerError } from 'costledger'
import { cookies } from 'next/headers'

import { getLedger } from '@/lib/ledger'
import { PLAN_COOKIE, STATE_COOKIE, VERIFIER_COOKIE, backToPlans, oauthClient } from '@/lib/oauth'

export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

export async function GET(request: Request): Promise<Response> {
  const query = new URL(request.url).searchParams
  const jar = await cookies()
  const expectedState = jar.get(STATE_COOKIE)?.value ?? ''
  const verifier = jar.get(VERIFIER_COOKIE)?.value ?? ''
  const planId = jar.get(PLAN_COOKIE)?.value || undefined

  // The provider's own refusal (RFC 6749 §4.1.2.1): the user denied access, or the request was bad.
  const denied = query.get('error')
  if (denied) {
    const description = query.get('error_description')
    return backToPlans(request, { error: 'OAUTH_DENIED', message: description ? `${denied}: ${description}` : denied })
  }
  if (!expectedState || !verifier) {
    return backToPlans(request, {
      error: 'INVALID_INPUT',
      message: 'this sign-in has no cookies (they last 10 minutes, and each sign-in uses them once): start Connect with OAuth again',
    })
  }
  try {
    const client = oauthClient(request)
    const tokens = await client.finish(query.get('code') ?? '', query.get('state') ?? '', expectedState, verifier)
    const ledger = await getLedger()
    try {
      if (planId) {
        const plan = await ledger.rotatePlanOauth(Number(planId), tokens)
        return backToPlans(request, { reconnected: String(plan.id) })
      }
      const plan = await ledger.addPlan({ label: tokens.organization?.name ?? 'Anthropic (OAuth)', oauthTokens: tokens })
      return backToPlans(request, { connected: String(plan.id) })
    } catch (error) {
      // No plan keeps these tokens (the organisation is connected already, …): end the grant.
      await client.revoke(tokens).catch(() => undefined)
      throw error
    }
  } catch (error) {
    if (error instanceof CostLedgerError) return backToPlans(request, { error: error.code, message: error.message })
    throw error
  }
}

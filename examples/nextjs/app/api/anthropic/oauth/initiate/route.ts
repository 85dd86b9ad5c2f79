// GET /api/anthropic/oauth/initiate: start "Connect with OAuth". costledger's `begin()` makes
// the authorization URL (PKCE S256 challenge, state); the state and the verifier go into
// httpOnly cookies for the callback, and the browser goes to Anthropic's consent page.
// `?plan=<id>` reconnects that plan (after a refused refresh) instead of adding one.

import { CostLedgerError, type OAuthBegin } from 'costledger'
import { NextResponse } from 'next/server'

import { COOKIE_OPTIONS, PLAN_COOKIE, STATE_COOKIE, VERIFIER_COOKIE, backToPlans, oauthClient } from '@/lib/oauth'

// A native addon needs the Node.js runtime; the Edge runtime cannot load it.
export const runtime = 'nodejs'
export const dynamic = 'force-dynamic'

export async function GET(request: Request): Promise<Response> {
  const plan = new URL(request.url).searchParams.get('plan')
  if (plan !== null && !/^\d+$/.test(plan)) {
    return backToPlans(request, { error: 'INVALID_INPUT', message: `plan must be a plan id, got "${plan}"` })
  }
  let begin: OAuthBegin
  try {
    begin = oauthClient(request).begin()
  } catch (error) {
    // The OAuth client is not configured (COSTLEDGER_OAUTH_CLIENT_ID, COSTLEDGER_OAUTH_URL).
    if (error instanceof CostLedgerError) return backToPlans(request, { error: error.code, message: error.message })
    throw error
  }
  const response = NextResponse.redirect(begin.url, 302)
  response.cookies.set(STATE_COOKIE, begin.state, COOKIE_OPTIONS)
  response.cookies.set(VERIFIER_COOKIE, begin.verifier, COOKIE_OPTIONS)
  if (plan !== null) response.cookies.set(PLAN_COOKIE, plan, COOKIE_OPTIONS)
  else response.cookies.set(PLAN_COOKIE, '', { ...COOKIE_OPTIONS, maxAge: 0 })
  return response
}

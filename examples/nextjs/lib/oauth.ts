// Connect with OAuth: the app's OAuth client, and the short-lived cookies that carry a
// sign-in from `/api/anthropic/oauth/initiate` to `/api/anthropic/oauth/callback`.
//
// costledger does the protocol (PKCE, state, the code exchange, sealing the tokens); the app
// keeps the state and the PKCE verifier in httpOnly cookies between the two routes, for ten
// minutes at most, and clears them in the callback whatever happens.

import 'server-only'

import { OAuthClient } from 'costledger'
import { NextResponse } from 'next/server'

/** The anti-CSRF state `begin()` issued, compared with the callback's by `finish()`. */
export const STATE_COOKIE = 'costledger_oauth_state'
/** The PKCE code verifier: a secret until the code is exchanged. */
export const VERIFIER_COOKIE = 'costledger_oauth_verifier'
/** The plan a sign-in reconnects (after a refused refresh), when it is not a new plan. */
export const PLAN_COOKIE = 'costledger_oauth_plan'
export const COOKIES = [STATE_COOKIE, VERIFIER_COOKIE, PLAN_COOKIE] as const

/**
 * httpOnly (no script reads them), SameSite=Lax (sent on the provider's top-level redirect
 * back, not on cross-site subrequests), Secure in production, ten minutes, and only on the
 * OAuth routes.
 */
export const COOKIE_OPTIONS = {
  httpOnly: true,
  sameSite: 'lax',
  secure: process.env.NODE_ENV === 'production',
  maxAge: 600,
  path: '/api/anthropic/oauth',
} as const

/**
 * This app's origin as the browser addressed it: the `Host` header, which the browser's
 * cookies belong to (Next.js builds `request.url` from its own idea of the host name, which
 * may be `localhost` where the browser used `127.0.0.1`).
 */
function origin(request: Request): string {
  const url = new URL(request.url)
  return `${url.protocol}//${request.headers.get('host') ?? url.host}`
}

/**
 * The callback route on this app's origin, unless `COSTLEDGER_OAUTH_REDIRECT_URI` names it
 * (behind a proxy, set it to the public URL registered with the provider).
 */
function redirectUri(request: Request): string {
  return process.env.COSTLEDGER_OAUTH_REDIRECT_URI || `${origin(request)}/api/anthropic/oauth/callback`
}

const clients = new Map<string, OAuthClient>()

/**
 * The app's OAuth client, from the environment: `COSTLEDGER_OAUTH_CLIENT_ID`,
 * `COSTLEDGER_OAUTH_CLIENT_SECRET` (a confidential client only) and `COSTLEDGER_OAUTH_URL`
 * (the authorization server; the fake Admin API in the demo). Rejects with `INVALID_INPUT`
 * when they are missing or malformed.
 */
export function oauthClient(request: Request): OAuthClient {
  const uri = redirectUri(request)
  let client = clients.get(uri)
  if (!client) {
    client = new OAuthClient({
      clientId: process.env.COSTLEDGER_OAUTH_CLIENT_ID ?? '',
      clientSecret: process.env.COSTLEDGER_OAUTH_CLIENT_SECRET || undefined,
      redirectUri: uri,
      baseUrl: process.env.COSTLEDGER_OAUTH_URL || undefined,
      // The fake's tokens expire by its clock; see lib/ledger.ts.
      now: process.env.COSTLEDGER_NOW || undefined,
    })
    clients.set(uri, client)
  }
  return client
}

/**
 * A redirect (303) to the plan-connections page with what happened in its query, clearing
 * the sign-in's cookies.
 */
export function backToPlans(request: Request, params: Record<string, string>): NextResponse {
  const url = new URL('/plans', origin(request))
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value)
  const response = NextResponse.redirect(url, 303)
  for (const name of COOKIES) response.cookies.set(name, '', { ...COOKIE_OPTIONS, maxAge: 0 })
  return response
}

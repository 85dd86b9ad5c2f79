// Connecting a plan with OAuth: `OAuthClient` runs the PKCE sign-in and hands back the tokens
// as an opaque `OAuthTokens` handle, which `addPlan({ label, oauthTokens })` seals into a
// plan. The OAuth methods of `Ledger` (reconnect, disconnect reporting the revocation) are
// the native ones (see index.d.ts for their docs).

import { call, callSync, CostLedgerError } from './errors'
import { decodeDisconnected, decodePlan } from './generated'
import { binding, decoding, type Native, type NativeLedger } from './native'

export type { OAuthBegin, OAuthClientOptions, OAuthTokensInfo } from '../index.js'
export type { Disconnected, Revocation } from './generated'

/**
 * The tokens of an OAuth grant, as an opaque handle made by `OAuthClient.finish` and
 * `selectOrganization`. No part of a token is readable: `util.inspect`, `JSON.stringify` and
 * `String()` show the expiry, scope and organisation only.
 */
export type OAuthTokens = Native.OAuthTokens

export const OAUTH_METHODS = [] as const

/** The OAuth methods of `Ledger`: reconnect, and disconnect reporting the revocation. */
export const oauthMethods = decoding({
  rotatePlanOauth: decodePlan,
  disconnectPlanReporting: decodeDisconnected,
})

/** The OAuth methods of `Ledger`. */
export type OAuthMethods = Pick<NativeLedger, (typeof OAUTH_METHODS)[number]> & typeof oauthMethods

const natives = new WeakMap<object, Native.OAuthClient>()

function nativeClient(client: object): Native.OAuthClient {
  const native = natives.get(client)
  if (!native) throw new CostLedgerError('not an OAuthClient: make one with new OAuthClient(options)', 'INVALID_INPUT')
  return native
}

/**
 * The OAuth client of a host application: the authorization-code flow with PKCE (RFC 7636),
 * the organisations a sign-in reaches, and revocation (RFC 7009). Make one per configuration
 * and share it. Methods reject with a `CostLedgerError`.
 *
 * ```ts
 * const client = new OAuthClient({ clientId, redirectUri, baseUrl })
 * const { url, state, verifier } = client.begin() // keep state and verifier in httpOnly cookies
 * // … the provider redirects to redirectUri?code=…&state=…
 * const tokens = await client.finish(code, callbackState, cookieState, cookieVerifier)
 * await ledger.addPlan({ label: 'Prod org', oauthTokens: tokens })
 * ```
 */
export class OAuthClient {
  /**
   * Check the options and make the client: `INVALID_INPUT` names a URL that is not
   * absolute http(s), an empty client id or a scope with a space.
   */
  constructor(options: Native.OAuthClientOptions) {
    natives.set(
      this,
      callSync(() => new binding.OAuthClient(options)),
    )
  }

  /**
   * Start a sign-in: the authorization URL with a fresh state and the S256 challenge of a
   * fresh verifier. Send the browser to `url`; keep `state` and `verifier` server-side (in
   * httpOnly cookies) until the callback.
   */
  begin(): Native.OAuthBegin {
    return callSync(() => nativeClient(this).begin())
  }

  /**
   * Complete a sign-in from the callback's `code` and `state`: `state` must equal
   * `expectedState`, the one `begin` gave (compared in constant time; `INVALID_INPUT`
   * otherwise, and nothing is sent), then the code is exchanged with `verifier`. A code the
   * provider refuses (reused, expired, another verifier) is `CREDENTIAL_REJECTED`; a
   * provider that is down, `UPSTREAM`.
   */
  finish(code: string, state: string, expectedState: string, verifier: string): Promise<OAuthTokens> {
    return call(() => nativeClient(this).finish(code, state, expectedState, verifier))
  }

  /** The organisations the sign-in reaches, the tokens' own first. */
  organizations(tokens: OAuthTokens): Promise<Native.OrgInfo[]> {
    return call(() => nativeClient(this).organizations(tokens))
  }

  /**
   * Tokens for another organisation the sign-in reaches: a grant of its own, so each plan
   * (one per organisation) rotates its own refresh token.
   */
  selectOrganization(tokens: OAuthTokens, orgId: string): Promise<OAuthTokens> {
    return call(() => nativeClient(this).selectOrganization(tokens, orgId))
  }

  /**
   * Revoke a grant at the provider, for tokens a sign-in got but no plan keeps (a plan's
   * grant is revoked by `disconnectPlanReporting`). Revoking twice is harmless.
   */
  revoke(tokens: OAuthTokens): Promise<void> {
    return call(() => nativeClient(this).revoke(tokens))
  }
}

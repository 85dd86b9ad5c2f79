//! Connecting a plan with OAuth: the PKCE sign-in (`OAuthClient`), its tokens as an opaque
//! handle (`OAuthTokens`), and the OAuth side of plans on `Ledger`: reconnect after a refused
//! refresh, disconnect reporting the revocation. Adding a plan with tokens is `addPlan`'s
//! `oauthTokens` (`plans.rs`).

use std::sync::Arc;
use std::time::Duration;

use costledger::FixedClock;
use costledger::oauth::{OAuthClient, OAuthConfig, OAuthTokens};
use napi::bindgen_prelude::{FromNapiValue, TypeName, ValidateNapiValue, ValueType};
use napi::sys;
use napi_derive::napi;

use crate::error::{coded, run, run_json, to_napi};
use crate::integers;
use crate::ledger::JsLedger;
use crate::model::{iso_opt, parse_instant};
use crate::org::OrgInfo;
use crate::plans::{DisconnectOptions, retention};

/// How the host's OAuth application reaches the provider.
#[napi(object, object_to_js = false)]
pub struct OAuthClientOptions {
    /// The client id the provider issued to the host's application.
    pub client_id: String,
    /// The client secret, for a confidential client (sent with HTTP Basic). Default: none,
    /// a public client that relies on PKCE alone.
    pub client_secret: Option<String>,
    /// Where the provider sends the browser back with `code` and `state`: the host's
    /// callback route (`https://app.example/api/anthropic/oauth/callback`).
    pub redirect_uri: String,
    /// Every endpoint under one base URL, at the paths the fake Admin API serves
    /// (`/oauth/authorize`, `/v1/oauth/token`, `/v1/oauth/revoke`,
    /// `/v1/oauth/organizations`). The four URLs below override it one by one.
    pub base_url: Option<String>,
    /// The authorization endpoint the browser is sent to.
    pub authorize_url: Option<String>,
    /// The token endpoint (code exchange and refresh).
    pub token_url: Option<String>,
    /// The revocation endpoint (RFC 7009); without one, disconnecting cannot revoke.
    pub revocation_url: Option<String>,
    /// The endpoint listing the organisations a sign-in reaches.
    pub organizations_url: Option<String>,
    /// The scopes to ask for. Default `['org:admin']`, what the Admin API needs.
    pub scopes: Option<Vec<String>>,
    /// Timeout of one request to the provider, in milliseconds. Default 30000.
    pub timeout_ms: Option<f64>,
    /// For tests and simulations: a fixed "now" (ISO-8601) the tokens' expiry is computed
    /// from. Default: the system clock.
    pub now: Option<String>,
}

impl TryFrom<OAuthClientOptions> for OAuthConfig {
    type Error = costledger::Error;

    fn try_from(o: OAuthClientOptions) -> costledger::Result<Self> {
        let mut c = OAuthConfig::new(o.client_id, o.redirect_uri);
        if let Some(base) = o.base_url {
            c = c.endpoints_at(&base);
        }
        if let Some(secret) = o.client_secret {
            c = c.client_secret(secret);
        }
        if let Some(url) = o.authorize_url {
            c = c.authorize_url(url);
        }
        if let Some(url) = o.token_url {
            c = c.token_url(url);
        }
        if let Some(url) = o.revocation_url {
            c = c.revocation_url(url);
        }
        if let Some(url) = o.organizations_url {
            c = c.organizations_url(url);
        }
        if let Some(scopes) = o.scopes {
            c = c.scopes(scopes);
        }
        if let Some(ms) = integers::opt_uint32("timeoutMs", o.timeout_ms)? {
            c = c.timeout(Duration::from_millis(ms.into()));
        }
        if let Some(now) = o.now {
            c = c.clock(Arc::new(FixedClock::new(parse_instant("now", &now)?)));
        }
        Ok(c)
    }
}

/// The start of a sign-in: send the browser to `url`; keep `state` and `verifier` (in
/// httpOnly cookies, or a server session) until the callback.
#[napi(object, object_from_js = false)]
pub struct OAuthBegin {
    /// The authorization URL, with the S256 challenge and the state in its query.
    pub url: String,
    /// The anti-CSRF state (43 base64url characters). It is in the URL, so not a secret;
    /// what matters is that the callback's state equals it.
    pub state: String,
    /// The PKCE code verifier (86 base64url characters): a secret until the code is
    /// exchanged. Keep it server-side or in an httpOnly cookie, never in a page.
    pub verifier: String,
}

/// The tokens of an OAuth grant, as an opaque handle: `finish` and `selectOrganization`
/// make them, `Ledger.addPlan({ label, oauthTokens })` seals them into a plan.
///
/// No part of a token is readable from JavaScript: `util.inspect`, `JSON.stringify` and
/// `String()` show the expiry, scope and organisation only. They cannot be constructed.
#[napi(js_name = "OAuthTokens")]
pub struct JsOAuthTokens {
    inner: OAuthTokens,
}

/// What `OAuthTokens` shows of itself: no part of any token.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct OAuthTokensInfo {
    /// When the access token expires (ISO-8601, UTC), when the provider said.
    pub expires_at: Option<String>,
    /// The granted scopes, space-separated (`org:admin user:profile`).
    pub scope: String,
    /// The organisation the tokens answer for, when the provider named it.
    pub organization: Option<OrgInfo>,
}

#[napi]
impl JsOAuthTokens {
    /// When the access token expires (ISO-8601, UTC), when the provider said.
    #[napi(getter)]
    pub fn expires_at(&self) -> Option<String> {
        iso_opt(self.inner.expires_at())
    }

    /// The granted scopes, space-separated.
    #[napi(getter)]
    pub fn scope(&self) -> String {
        self.inner.scope().to_string()
    }

    /// The organisation the tokens answer for, when the provider named it.
    #[napi(getter)]
    pub fn organization(&self) -> Option<OrgInfo> {
        self.inner.organization().cloned().map(OrgInfo::from)
    }

    /// What `JSON.stringify` writes: expiry, scope and organisation, no token.
    #[napi(js_name = "toJSON")]
    pub fn to_json(&self) -> OAuthTokensInfo {
        OAuthTokensInfo {
            expires_at: self.expires_at(),
            scope: self.scope(),
            organization: self.organization(),
        }
    }

    /// `OAuthTokens(<organisation id>, <scope>)`: no token.
    #[napi(js_name = "toString")]
    pub fn to_display(&self) -> String {
        let org = self
            .inner
            .organization()
            .map_or("unknown organisation", |o| &o.id);
        format!("OAuthTokens({org}, {})", self.inner.scope())
    }
}

impl From<OAuthTokens> for JsOAuthTokens {
    fn from(inner: OAuthTokens) -> Self {
        JsOAuthTokens { inner }
    }
}

/// An `OAuthTokens` argument, copied out of its JS object while the call converts its
/// arguments, so an async method owns it (a borrow of the JS object would not outlive the
/// call).
pub struct TokensArg(pub(crate) OAuthTokens);

impl TypeName for TokensArg {
    fn type_name() -> &'static str {
        "OAuthTokens"
    }

    fn value_type() -> ValueType {
        ValueType::Object
    }
}

impl ValidateNapiValue for TokensArg {}

impl FromNapiValue for TokensArg {
    unsafe fn from_napi_value(env: sys::napi_env, value: sys::napi_value) -> napi::Result<Self> {
        // SAFETY: called by napi's argument conversion with the callback's env and value.
        match unsafe { <&JsOAuthTokens>::from_napi_value(env, value) } {
            Ok(tokens) => Ok(TokensArg(tokens.inner.clone())),
            Err(_) => Err(coded(
                "INVALID_INPUT",
                "expected the OAuthTokens that OAuthClient.finish or selectOrganization returned",
            )),
        }
    }
}

/// The OAuth client of a host application: the authorization-code flow with PKCE
/// (RFC 7636), the organisations a sign-in reaches, and revocation (RFC 7009).
///
/// Construct one per configuration and share it; every request it sends has the
/// configured timeout and follows no redirect.
#[napi(js_name = "OAuthClient")]
pub struct JsOAuthClient {
    inner: OAuthClient,
}

#[napi]
impl JsOAuthClient {
    /// Check the options (`INVALID_INPUT` names a URL that is not absolute http(s), an
    /// empty client id, a scope with a space) and make the client.
    #[napi(constructor)]
    pub fn new(options: OAuthClientOptions) -> napi::Result<Self> {
        let config = OAuthConfig::try_from(options).map_err(to_napi)?;
        let inner = OAuthClient::new(config).map_err(to_napi)?;
        Ok(JsOAuthClient { inner })
    }

    /// Start a sign-in: the authorization URL with a fresh state and the S256 challenge of
    /// a fresh verifier, both from the operating system's generator.
    #[napi(catch_unwind)]
    pub fn begin(&self) -> napi::Result<OAuthBegin> {
        let begin = self.inner.begin().map_err(to_napi)?;
        Ok(OAuthBegin {
            url: begin.url,
            state: begin.state,
            verifier: begin.verifier.expose().to_string(),
        })
    }

    /// Complete a sign-in from the callback's `code` and `state`: `state` must equal
    /// `expectedState`, the one `begin` gave (compared in constant time; `INVALID_INPUT`
    /// otherwise, and nothing is sent), then the code is exchanged with `verifier`. A code
    /// the provider refuses (reused, expired, another verifier) is `CREDENTIAL_REJECTED`;
    /// a provider that is down, `UPSTREAM`.
    #[napi(catch_unwind)]
    pub async fn finish(
        &self,
        code: String,
        state: String,
        expected_state: String,
        verifier: String,
    ) -> napi::Result<JsOAuthTokens> {
        run(self.inner.finish(&code, &state, &expected_state, &verifier))
            .await
            .map(JsOAuthTokens::from)
    }

    /// The organisations the sign-in reaches, the tokens' own first.
    #[napi(catch_unwind, ts_args_type = "tokens: OAuthTokens")]
    pub async fn organizations(&self, tokens: TokensArg) -> napi::Result<Vec<OrgInfo>> {
        let orgs = run(self.inner.organizations(&tokens.0)).await?;
        Ok(orgs.into_iter().map(OrgInfo::from).collect())
    }

    /// Tokens for another organisation the sign-in reaches (see `organizations`): a grant
    /// of its own, so each plan rotates its own refresh token. Connect one plan per
    /// organisation.
    #[napi(catch_unwind, ts_args_type = "tokens: OAuthTokens, orgId: string")]
    pub async fn select_organization(
        &self,
        tokens: TokensArg,
        org_id: String,
    ) -> napi::Result<JsOAuthTokens> {
        run(self.inner.select_organization(&tokens.0, &org_id))
            .await
            .map(JsOAuthTokens::from)
    }

    /// Revoke a grant at the provider (its refresh token, which ends its access tokens
    /// too): for tokens a sign-in got but no plan keeps. A plan's grant is revoked by
    /// `Ledger.disconnectPlanReporting`. Revoking twice is harmless.
    #[napi(catch_unwind, ts_args_type = "tokens: OAuthTokens")]
    pub async fn revoke(&self, tokens: TokensArg) -> napi::Result<()> {
        run(self.inner.revoke(&tokens.0)).await
    }
}

#[napi]
impl JsLedger {
    /// Reconnect an OAuth plan (after a refused refresh left it in `error`) with the tokens
    /// of a new sign-in. They must answer for the plan's organisation (`ORG_MISMATCH`
    /// otherwise) and are sealed in place of the old ones; the plan becomes active again.
    #[napi(catch_unwind, ts_args_type = "id: number, tokens: OAuthTokens")]
    pub async fn rotate_plan_oauth(&self, id: f64, tokens: TokensArg) -> napi::Result<String> {
        run_json(async {
            let id = integers::id("id", id)?;
            self.inner.rotate_plan_oauth(id, tokens.0).await
        })
        .await
    }

    /// `disconnectPlan`, reporting what happened at the provider: an OAuth plan's grant is
    /// revoked first, best effort; when that fails (the provider is down, the grant was
    /// already gone) the failure is in `revocation` and the local credential is destroyed
    /// regardless.
    #[napi(catch_unwind)]
    pub async fn disconnect_plan_reporting(
        &self,
        id: f64,
        options: Option<DisconnectOptions>,
    ) -> napi::Result<String> {
        let retention = retention(options);
        run_json(async {
            let id = integers::id("id", id)?;
            self.inner.disconnect_plan_reporting(id, retention).await
        })
        .await
    }
}

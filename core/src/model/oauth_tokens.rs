//! The secret values of a sign-in: the authorization request's verifier and the tokens.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::{Zeroize, Zeroizing};

use super::OrgInfo;
use crate::crypto::SecretString;
use crate::error::{Error, Result};

/// What [`super::OAuthClient::begin`] returns: send the user to `url`, keep `state` and
/// `verifier` (in httpOnly cookies, a server session) until the callback.
///
/// `Debug` shows the URL and the state, never the verifier.
#[derive(Clone)]
pub struct OAuthBegin {
    /// The authorization URL, with the S256 challenge and the state in its query.
    pub url: String,
    /// The anti-CSRF state (43 base64url characters from the OS generator). It is in the URL,
    /// so it is not a secret; what matters is that the callback's value equals it.
    pub state: String,
    /// The PKCE code verifier (86 base64url characters from the OS generator): a secret
    /// until the code is exchanged.
    pub verifier: SecretString,
}

impl fmt::Debug for OAuthBegin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthBegin")
            .field("url", &self.url)
            .field("state", &self.state)
            .field("verifier", &"[redacted]")
            .finish()
    }
}

/// Where and as whom tokens are refreshed and revoked: travels with the tokens, sealed with
/// them, so a sync needs no OAuth configuration of its own.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TokenEndpoint {
    pub token_url: String,
    pub revocation_url: Option<String>,
    pub organizations_url: Option<String>,
    pub client_id: String,
    pub client_secret: Option<String>,
}

impl Drop for TokenEndpoint {
    fn drop(&mut self) {
        self.client_secret.zeroize();
    }
}

/// The tokens of an OAuth grant: access token, refresh token, expiry, scope, the
/// organisation they answer for, and the client they were issued to.
///
/// A secret value: `Debug` shows the expiry, scope and organisation only, never any part of
/// a token (not even a hint), and there is no `Display`. The tokens are wiped from memory
/// when the value is dropped. Pass it to [`crate::NewPlan::anthropic_oauth`] to add a plan.
#[derive(Clone)]
pub struct OAuthTokens {
    pub(crate) access: SecretString,
    pub(crate) refresh: SecretString,
    pub(crate) expires_at: Option<DateTime<Utc>>,
    pub(crate) scope: String,
    pub(crate) organization: Option<OrgInfo>,
    pub(crate) endpoint: TokenEndpoint,
}

impl fmt::Debug for OAuthTokens {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthTokens")
            .field("access_token", &"[redacted]")
            .field("refresh_token", &"[redacted]")
            .field("expires_at", &self.expires_at)
            .field("scope", &self.scope)
            .field("organization", &self.organization)
            .field("client_id", &self.endpoint.client_id)
            .finish()
    }
}

/// The sealed form (version 1): the plaintext a cipher encrypts.
#[derive(Serialize, Deserialize)]
struct SealedForm {
    v: u8,
    access: String,
    refresh: String,
    expires_at: Option<DateTime<Utc>>,
    scope: String,
    organization: Option<OrgInfo>,
    endpoint: TokenEndpoint,
}

impl Drop for SealedForm {
    fn drop(&mut self) {
        self.access.zeroize();
        self.refresh.zeroize();
    }
}

impl OAuthTokens {
    /// When the access token expires, when the provider said.
    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.expires_at
    }

    /// The granted scopes, space-separated (`org:admin …`).
    pub fn scope(&self) -> &str {
        &self.scope
    }

    /// The organisation the tokens answer for, when the provider named it.
    pub fn organization(&self) -> Option<&OrgInfo> {
        self.organization.as_ref()
    }

    /// True when the grant includes `org:admin`, the scope the Admin API needs.
    pub fn has_org_admin(&self) -> bool {
        self.scope.split(' ').any(|s| s == "org:admin")
    }

    /// True when the access token expires within `margin` of `now` (or has expired).
    pub fn expires_within(&self, now: DateTime<Utc>, margin: chrono::Duration) -> bool {
        self.expires_at.is_some_and(|at| at - margin <= now)
    }

    /// The access token, for the `Authorization` header.
    pub(crate) fn access_token(&self) -> &SecretString {
        &self.access
    }

    /// True when both hold the same refresh token (compared without timing leaks).
    pub(crate) fn same_grant_state(&self, other: &OAuthTokens) -> bool {
        crate::crypto::constant_time_eq(
            self.refresh.expose().as_bytes(),
            other.refresh.expose().as_bytes(),
        )
    }

    /// The plaintext to seal: every field together, so the tokens and their expiry can only
    /// be replaced as one.
    pub(crate) fn to_sealed_bytes(&self) -> Zeroizing<Vec<u8>> {
        let form = SealedForm {
            v: 1,
            access: self.access.expose().to_string(),
            refresh: self.refresh.expose().to_string(),
            expires_at: self.expires_at,
            scope: self.scope.clone(),
            organization: self.organization.clone(),
            endpoint: self.endpoint.clone(),
        };
        // Sized up front so the writer never reallocates and leaves a copy behind.
        let mut out = Zeroizing::new(Vec::with_capacity(8192));
        serde_json::to_writer(&mut *out, &form).expect("serialisable");
        out
    }

    /// Rebuild from opened bytes.
    pub(crate) fn from_sealed_bytes(bytes: &[u8]) -> Result<Self> {
        let mut form: SealedForm = serde_json::from_slice(bytes).map_err(|_| {
            Error::crypto("an opened OAuth credential is not in the expected form; it is corrupt")
        })?;
        if form.v != 1 {
            return Err(Error::crypto(format!(
                "an opened OAuth credential has version {}, which this costledger cannot read",
                form.v
            )));
        }
        Ok(OAuthTokens {
            access: SecretString::new(std::mem::take(&mut form.access)),
            refresh: SecretString::new(std::mem::take(&mut form.refresh)),
            expires_at: form.expires_at,
            scope: std::mem::take(&mut form.scope),
            organization: form.organization.take(),
            endpoint: form.endpoint.clone(),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn sample() -> OAuthTokens {
        OAuthTokens {
            access: SecretString::from("sk-ant-oat01-ACCESSSECRETACCESSSECRET"),
            refresh: SecretString::from("sk-ant-ort01-REFRESHSECRETREFRESHSECRET"),
            expires_at: Some(DateTime::from_timestamp(1_800_000_000, 0).unwrap()),
            scope: "org:admin user:profile".into(),
            organization: Some(OrgInfo {
                id: "org-1".into(),
                name: "Acme".into(),
            }),
            endpoint: TokenEndpoint {
                token_url: "http://127.0.0.1:1/v1/oauth/token".into(),
                revocation_url: None,
                organizations_url: None,
                client_id: "client".into(),
                client_secret: Some("CLIENTSECRETVALUE".into()),
            },
        }
    }

    #[test]
    fn debug_shows_no_part_of_any_token() {
        let tokens = sample();
        let text = format!("{tokens:?}");
        for secret in ["SECRET", "ET", "sk-ant-oat01", "sk-ant-ort01", "VALUE"] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(
            text.contains("org:admin") && text.contains("Acme"),
            "{text}"
        );
        assert!(tokens.has_org_admin());
    }

    #[test]
    fn sealed_form_round_trips_and_rejects_garbage() {
        let tokens = sample();
        let bytes = tokens.to_sealed_bytes();
        let back = OAuthTokens::from_sealed_bytes(&bytes).unwrap();
        assert!(back.same_grant_state(&tokens));
        assert_eq!(back.access.expose(), tokens.access.expose());
        assert_eq!(back.expires_at, tokens.expires_at);
        assert!(back.endpoint == tokens.endpoint);
        let e = OAuthTokens::from_sealed_bytes(b"{}").unwrap_err();
        assert_eq!(e.code(), "CRYPTO");
        assert!(!e.to_string().contains('{'), "{e}");
    }

    #[test]
    fn expiry_margin() {
        let tokens = sample();
        let at = tokens.expires_at.unwrap();
        let margin = chrono::Duration::seconds(60);
        assert!(!tokens.expires_within(at - chrono::Duration::seconds(61), margin));
        assert!(tokens.expires_within(at - chrono::Duration::seconds(60), margin));
        assert!(tokens.expires_within(at, margin));
    }
}

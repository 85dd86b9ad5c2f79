//! Connecting a plan with OAuth 2.0: the authorization-code flow with PKCE (RFC 7636),
//! token refresh with rotation, revocation (RFC 7009), and the organisations a sign-in
//! reaches.
//!
//! The host wires two routes; the core does the rest:
//!
//! ```no_run
//! use costledger::oauth::{OAuthClient, OAuthConfig};
//!
//! # async fn run(code: &str, state_from_callback: &str) -> costledger::Result<()> {
//! let config = OAuthConfig::new("my-client-id", "https://app.example/oauth/callback")
//!     .endpoints_at("https://auth.example");
//! let client = OAuthClient::new(config)?;
//! // Route 1: redirect the user to `begin.url`; keep state and verifier in httpOnly cookies.
//! let begin = client.begin()?;
//! // Route 2, the callback: compare the state, exchange the code.
//! let tokens = client
//!     .finish(code, state_from_callback, &begin.state, begin.verifier.expose())
//!     .await?;
//! println!("signed in to {:?}", tokens.organization());
//! # Ok(()) }
//! ```
//!
//! See `docs/oauth.md` for the flow, the choices made and the threat model.

pub(crate) mod client;
pub(crate) mod pkce;

use std::sync::Arc;
use std::time::Duration;

pub use crate::model::{OAuthBegin, OAuthTokens};
pub use client::OAuthClient;

use crate::clock::{Clock, SystemClock};
use crate::crypto::SecretString;
use crate::error::{Error, Result};

/// The scope the Anthropic Admin API asks of an OAuth access token.
pub const ORG_ADMIN_SCOPE: &str = "org:admin";

/// How a host's OAuth application reaches the provider.
///
/// `Debug` shows everything but the client secret.
#[derive(Clone)]
pub struct OAuthConfig {
    pub(crate) client_id: String,
    pub(crate) client_secret: Option<SecretString>,
    pub(crate) authorize_url: String,
    pub(crate) token_url: String,
    pub(crate) revocation_url: Option<String>,
    pub(crate) organizations_url: Option<String>,
    pub(crate) redirect_uri: String,
    pub(crate) scopes: Vec<String>,
    pub(crate) timeout: Duration,
    pub(crate) clock: Arc<dyn Clock>,
}

impl std::fmt::Debug for OAuthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthConfig")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "[redacted]"),
            )
            .field("authorize_url", &self.authorize_url)
            .field("token_url", &self.token_url)
            .field("revocation_url", &self.revocation_url)
            .field("organizations_url", &self.organizations_url)
            .field("redirect_uri", &self.redirect_uri)
            .field("scopes", &self.scopes)
            .field("timeout", &self.timeout)
            .finish()
    }
}

impl OAuthConfig {
    /// A public client (no secret) asking for `org:admin`, with no endpoints yet: set them
    /// with [`OAuthConfig::endpoints_at`] or one by one.
    pub fn new(client_id: impl Into<String>, redirect_uri: impl Into<String>) -> Self {
        OAuthConfig {
            client_id: client_id.into(),
            client_secret: None,
            authorize_url: String::new(),
            token_url: String::new(),
            revocation_url: None,
            organizations_url: None,
            redirect_uri: redirect_uri.into(),
            scopes: vec![ORG_ADMIN_SCOPE.to_string()],
            timeout: Duration::from_secs(30),
            clock: Arc::new(SystemClock),
        }
    }

    /// Every endpoint under one base URL, at the paths the fake Admin API serves:
    /// `/oauth/authorize`, `/v1/oauth/token`, `/v1/oauth/revoke`, `/v1/oauth/organizations`.
    pub fn endpoints_at(self, base_url: &str) -> Self {
        let base = base_url.trim().trim_end_matches('/');
        self.authorize_url(format!("{base}/oauth/authorize"))
            .token_url(format!("{base}/v1/oauth/token"))
            .revocation_url(format!("{base}/v1/oauth/revoke"))
            .organizations_url(format!("{base}/v1/oauth/organizations"))
    }

    /// The client secret, for a confidential client (sent with HTTP Basic).
    pub fn client_secret(mut self, secret: impl Into<SecretString>) -> Self {
        self.client_secret = Some(secret.into());
        self
    }

    /// The authorization endpoint the user's browser is sent to.
    pub fn authorize_url(mut self, url: impl Into<String>) -> Self {
        self.authorize_url = url.into();
        self
    }

    /// The token endpoint (code exchange and refresh).
    pub fn token_url(mut self, url: impl Into<String>) -> Self {
        self.token_url = url.into();
        self
    }

    /// The revocation endpoint (RFC 7009); without one, disconnecting cannot revoke.
    pub fn revocation_url(mut self, url: impl Into<String>) -> Self {
        self.revocation_url = Some(url.into());
        self
    }

    /// The endpoint listing the organisations a sign-in reaches.
    pub fn organizations_url(mut self, url: impl Into<String>) -> Self {
        self.organizations_url = Some(url.into());
        self
    }

    /// The scopes to ask for (default `org:admin`).
    pub fn scopes(mut self, scopes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.scopes = scopes.into_iter().map(Into::into).collect();
        self
    }

    /// Timeout of one request to the provider (default 30 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The clock token expiry is computed with (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    fn validate(&self) -> Result<()> {
        if self.client_id.trim().is_empty() {
            return Err(Error::invalid(
                "OAuth client id is empty; give the id the provider issued",
            ));
        }
        let urls = [
            ("authorize URL", Some(&self.authorize_url)),
            ("token URL", Some(&self.token_url)),
            ("revocation URL", self.revocation_url.as_ref()),
            ("organizations URL", self.organizations_url.as_ref()),
            ("redirect URI", Some(&self.redirect_uri)),
        ];
        for (what, url) in urls {
            let Some(url) = url else { continue };
            let parsed = reqwest::Url::parse(url).ok();
            let ok = parsed.as_ref().is_some_and(|u| {
                (u.scheme() == "https" || u.scheme() == "http") && u.fragment().is_none()
            });
            if !ok {
                return Err(Error::invalid(format!(
                    "OAuth {what} must be an absolute http(s) URL without a fragment, got {url:?}"
                )));
            }
        }
        if self.scopes.is_empty() || self.scopes.iter().any(|s| s.is_empty() || s.contains(' ')) {
            return Err(Error::invalid(format!(
                "OAuth scopes must be non-empty words without spaces, got {:?}",
                self.scopes
            )));
        }
        if self.timeout.is_zero() {
            return Err(Error::invalid(
                "the OAuth HTTP timeout must be greater than zero",
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_validation_names_the_field() {
        let ok = OAuthConfig::new("id", "http://127.0.0.1:9/cb").endpoints_at("http://x/");
        assert!(ok.validate().is_ok());
        assert_eq!(ok.token_url, "http://x/v1/oauth/token");
        let e = OAuthConfig::new("id", "http://127.0.0.1:9/cb")
            .validate()
            .unwrap_err();
        assert!(e.to_string().contains("authorize URL"), "{e}");
        let e = ok.clone().authorize_url("ftp://x").validate().unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT");
        let e = OAuthConfig::new(" ", "http://a/cb")
            .endpoints_at("http://x")
            .validate();
        assert!(e.unwrap_err().to_string().contains("client id"));
        let e = ok.clone().scopes(["org:admin x"]).validate().unwrap_err();
        assert!(e.to_string().contains("scopes"), "{e}");
        let debug = format!("{:?}", ok.client_secret("TOPSECRETVALUE"));
        assert!(
            !debug.contains("TOPSECRET") && debug.contains("[redacted]"),
            "{debug}"
        );
    }
}

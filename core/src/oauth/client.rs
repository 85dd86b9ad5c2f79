//! [`OAuthClient`]: the authorization request, the code exchange, refresh, revocation and
//! the organisations of a sign-in, over HTTP.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::{DateTime, Utc};
use serde::Deserialize;
use zeroize::{Zeroize, Zeroizing};

use super::pkce::{challenge, new_state, new_verifier, verifier_shaped};
use super::{OAuthBegin, OAuthConfig, OAuthTokens};
use crate::crypto::SecretString;
use crate::crypto::constant_time_eq;
use crate::error::{Error, Result};
use crate::model::OrgInfo;
use crate::model::oauth_tokens::TokenEndpoint;

/// The OAuth client of a host application. Cheap to clone (the HTTP pool is shared).
#[derive(Clone, Debug)]
pub struct OAuthClient {
    config: OAuthConfig,
    http: reqwest::Client,
}

/// `application/x-www-form-urlencoded` encoding of one value.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

fn form(pairs: &[(&str, &str)]) -> Zeroizing<String> {
    let mut out = Zeroizing::new(String::with_capacity(1024));
    for (i, (k, v)) in pairs.iter().enumerate() {
        if i > 0 {
            out.push('&');
        }
        out.push_str(&encode(k));
        out.push('=');
        let mut value = encode(v);
        out.push_str(&value);
        value.zeroize();
    }
    out
}

/// A token endpoint answer (RFC 6749 §5.1), wiped when dropped.
#[derive(Deserialize)]
struct TokenResponse {
    #[serde(default)]
    access_token: String,
    #[serde(default)]
    token_type: String,
    expires_in: Option<i64>,
    #[serde(default)]
    refresh_token: Option<String>,
    scope: Option<String>,
    organization: Option<OrgInfo>,
}

impl Drop for TokenResponse {
    fn drop(&mut self) {
        self.access_token.zeroize();
        self.refresh_token.zeroize();
    }
}

/// An error answer (RFC 6749 §5.2).
#[derive(Deserialize, Default)]
struct ErrorResponse {
    #[serde(default)]
    error: String,
    #[serde(default)]
    error_description: String,
}

impl OAuthClient {
    /// A client with its own HTTP pool (rustls, no redirects followed).
    pub fn new(config: OAuthConfig) -> Result<Self> {
        OAuthClient::with_client(config, crate::http::client(None)?)
    }

    /// A client that sends its requests through `http`; configure it not to follow
    /// redirects.
    pub fn with_client(config: OAuthConfig, http: reqwest::Client) -> Result<Self> {
        config.validate()?;
        Ok(OAuthClient { config, http })
    }

    /// Its config.
    pub fn config(&self) -> &OAuthConfig {
        &self.config
    }

    /// Start a sign-in: the authorization URL with a fresh state and an S256 challenge of a
    /// fresh verifier, both from the operating system's generator.
    pub fn begin(&self) -> Result<OAuthBegin> {
        let verifier = new_verifier();
        let state = new_state();
        let scope = self.config.scopes.join(" ");
        let url = reqwest::Url::parse_with_params(
            &self.config.authorize_url,
            [
                ("response_type", "code"),
                ("client_id", self.config.client_id.as_str()),
                ("redirect_uri", self.config.redirect_uri.as_str()),
                ("scope", scope.as_str()),
                ("state", state.as_str()),
                ("code_challenge", challenge(&verifier).as_str()),
                ("code_challenge_method", "S256"),
            ],
        )
        .map_err(|_| Error::invalid("the OAuth authorize URL cannot be parsed"))?;
        Ok(OAuthBegin {
            url: url.into(),
            state,
            verifier,
        })
    }

    /// Complete a sign-in from the callback's `code` and `state`: the state must equal the
    /// one [`OAuthClient::begin`] issued (compared in constant time), then the code is
    /// exchanged with the verifier. A mismatched state is `INVALID_INPUT` and nothing is
    /// sent; a code the provider refuses (reused, expired, wrong verifier) is
    /// `CREDENTIAL_REJECTED`.
    pub async fn finish(
        &self,
        code: &str,
        state: &str,
        expected_state: &str,
        verifier: &str,
    ) -> Result<OAuthTokens> {
        if expected_state.is_empty()
            || !constant_time_eq(state.as_bytes(), expected_state.as_bytes())
        {
            return Err(Error::invalid(
                "the OAuth callback's state does not match the state this sign-in began with; \
                 the callback was not for this browser session (or was forged): start the \
                 sign-in again",
            ));
        }
        if code.is_empty() {
            return Err(Error::invalid(
                "the OAuth callback carries no code; the user may have denied access",
            ));
        }
        if !verifier_shaped(verifier) {
            return Err(Error::invalid(
                "the PKCE verifier must be the 43-128 character value begin() returned",
            ));
        }
        let endpoint = self.endpoint();
        let body = form(&[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &self.config.redirect_uri),
            ("code_verifier", verifier),
        ]);
        let answer = token_request(&self.http, &endpoint, body, self.config.timeout).await?;
        let now = self.config.clock.now();
        into_tokens(answer, endpoint, now, None)
    }

    /// Exchange the refresh token for new tokens (the provider rotates the refresh token).
    pub async fn refresh(&self, tokens: &OAuthTokens) -> Result<OAuthTokens> {
        refresh(
            &self.http,
            tokens,
            self.config.clock.now(),
            self.config.timeout,
        )
        .await
    }

    /// Tokens of another organisation the sign-in reaches (one plan each): a grant of its
    /// own, so each plan rotates its own refresh token.
    pub async fn select_organization(
        &self,
        tokens: &OAuthTokens,
        org_id: &str,
    ) -> Result<OAuthTokens> {
        let body = form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", tokens.refresh.expose()),
            ("organization_id", org_id),
        ]);
        let endpoint = tokens.endpoint.clone();
        let answer = token_request(&self.http, &endpoint, body, self.config.timeout).await?;
        into_tokens(answer, endpoint, self.config.clock.now(), Some(tokens))
    }

    /// Revoke the grant at the provider (RFC 7009, the refresh token).
    pub async fn revoke(&self, tokens: &OAuthTokens) -> Result<()> {
        revoke(&self.http, tokens, self.config.timeout).await
    }

    /// The organisations the sign-in reaches, the tokens' own first.
    pub async fn organizations(&self, tokens: &OAuthTokens) -> Result<Vec<OrgInfo>> {
        let Some(url) = &tokens.endpoint.organizations_url else {
            return Err(Error::invalid(
                "no organizations URL is configured for this OAuth client",
            ));
        };
        let mut auth =
            reqwest::header::HeaderValue::from_str(&format!("Bearer {}", tokens.access.expose()))
                .map_err(|_| Error::invalid("the access token cannot be sent in a header"))?;
        auth.set_sensitive(true);
        let response = self
            .http
            .get(url)
            .header(reqwest::header::AUTHORIZATION, auth)
            .timeout(self.config.timeout)
            .send()
            .await
            .map_err(|e| transport("GET", url, e))?;
        let status = response.status().as_u16();
        let body = response
            .bytes()
            .await
            .map_err(|e| transport("GET", url, e))?;
        if status == 401 || status == 403 {
            let e: ErrorResponse = serde_json::from_slice(&body).unwrap_or_default();
            return Err(Error::OAuthRejected {
                plan: None,
                status,
                error: e.error,
                description: scrub(e.error_description, tokens),
            });
        }
        #[derive(Deserialize)]
        struct List {
            data: Vec<OrgInfo>,
        }
        match serde_json::from_slice::<List>(&body) {
            Ok(list) if status == 200 => Ok(list.data),
            _ => Err(Error::Upstream {
                status: Some(status),
                request_id: None,
                message: format!("GET {url} did not answer with a list of organizations"),
                source: None,
            }),
        }
    }

    fn endpoint(&self) -> TokenEndpoint {
        TokenEndpoint {
            token_url: self.config.token_url.clone(),
            revocation_url: self.config.revocation_url.clone(),
            organizations_url: self.config.organizations_url.clone(),
            client_id: self.config.client_id.clone(),
            client_secret: self
                .config
                .client_secret
                .as_ref()
                .map(|s| s.expose().to_string()),
        }
    }
}

/// Rotate `tokens` at their token endpoint.
pub(crate) async fn refresh(
    http: &reqwest::Client,
    tokens: &OAuthTokens,
    now: DateTime<Utc>,
    timeout: std::time::Duration,
) -> Result<OAuthTokens> {
    let body = form(&[
        ("grant_type", "refresh_token"),
        ("refresh_token", tokens.refresh.expose()),
    ]);
    let endpoint = tokens.endpoint.clone();
    let answer = token_request(http, &endpoint, body, timeout).await?;
    into_tokens(answer, endpoint, now, Some(tokens))
}

/// Revoke the grant of `tokens` (its refresh token) at their revocation endpoint.
pub(crate) async fn revoke(
    http: &reqwest::Client,
    tokens: &OAuthTokens,
    timeout: std::time::Duration,
) -> Result<()> {
    let Some(url) = tokens.endpoint.revocation_url.clone() else {
        return Err(Error::invalid(
            "no revocation URL is configured for this OAuth client, so the grant cannot be \
             revoked at the provider",
        ));
    };
    let body = form(&[
        ("token", tokens.refresh.expose()),
        ("token_type_hint", "refresh_token"),
    ]);
    let mut endpoint = tokens.endpoint.clone();
    endpoint.token_url = url;
    token_request(http, &endpoint, body, timeout)
        .await
        .map(drop)
}

/// POST a form to the endpoint's token URL with the client's authentication; the parsed
/// answer of a 200, or the error.
async fn token_request(
    http: &reqwest::Client,
    endpoint: &TokenEndpoint,
    mut body: Zeroizing<String>,
    timeout: std::time::Duration,
) -> Result<Zeroizing<Vec<u8>>> {
    let url = &endpoint.token_url;
    let mut request = http
        .post(url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(reqwest::header::ACCEPT, "application/json")
        .timeout(timeout);
    match &endpoint.client_secret {
        Some(secret) => {
            // RFC 6749 §2.3.1: both parts form-encoded, then Basic.
            let pair = Zeroizing::new(format!(
                "{}:{}",
                encode(&endpoint.client_id),
                encode(secret)
            ));
            let mut value = reqwest::header::HeaderValue::from_str(&format!(
                "Basic {}",
                STANDARD.encode(pair.as_bytes())
            ))
            .map_err(|_| Error::invalid("the OAuth client id cannot be sent in a header"))?;
            value.set_sensitive(true);
            request = request.header(reqwest::header::AUTHORIZATION, value);
        }
        None => {
            body.push_str("&client_id=");
            body.push_str(&encode(&endpoint.client_id));
        }
    }
    let response = request
        .body(body.to_string())
        .send()
        .await
        .map_err(|e| transport("POST", url, e))?;
    let status = response.status().as_u16();
    let bytes = Zeroizing::new(
        response
            .bytes()
            .await
            .map_err(|e| transport("POST", url, e))?
            .to_vec(),
    );
    if status == 200 {
        return Ok(bytes);
    }
    let e: ErrorResponse = serde_json::from_slice(&bytes).unwrap_or_default();
    let refused = matches!(
        e.error.as_str(),
        "invalid_grant" | "invalid_client" | "unauthorized_client"
    );
    if refused && (status == 400 || status == 401) {
        return Err(Error::OAuthRejected {
            plan: None,
            status,
            error: e.error,
            description: e.error_description,
        });
    }
    let what = if e.error.is_empty() {
        format!("HTTP {status} without an OAuth error body")
    } else {
        format!("{}: {}", e.error, e.error_description)
    };
    let advice = if status >= 500 {
        "the provider's authorization server is having trouble; try again later"
    } else {
        "check the OAuth client configuration"
    };
    Err(Error::Upstream {
        status: Some(status),
        request_id: None,
        message: format!("POST {url} failed: {what}; {advice}"),
        source: None,
    })
}

fn transport(method: &str, url: &str, e: reqwest::Error) -> Error {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "got no complete response"
    };
    Error::Upstream {
        status: None,
        request_id: None,
        message: format!("{method} {url} {what}; check that the provider is reachable"),
        source: Some(Box::new(e.without_url())),
    }
}

/// Replace any echo of the tokens in a provider's message.
fn scrub(mut text: String, tokens: &OAuthTokens) -> String {
    for secret in [tokens.access.expose(), tokens.refresh.expose()] {
        if !secret.is_empty() {
            text = text.replace(secret, "[redacted]");
        }
    }
    text
}

/// Build tokens from a 200 answer; `previous` supplies what a refresh answer may leave out
/// (the refresh token when not rotated, the scope, the organisation).
fn into_tokens(
    body: Zeroizing<Vec<u8>>,
    endpoint: TokenEndpoint,
    now: DateTime<Utc>,
    previous: Option<&OAuthTokens>,
) -> Result<OAuthTokens> {
    let malformed = |why: &str| Error::Upstream {
        status: Some(200),
        request_id: None,
        message: format!("the OAuth token endpoint's answer {why}"),
        source: None,
    };
    let mut answer: TokenResponse =
        serde_json::from_slice(&body).map_err(|_| malformed("is not a token response"))?;
    if answer.access_token.is_empty() {
        return Err(malformed("has no access_token"));
    }
    if !answer.token_type.eq_ignore_ascii_case("bearer") {
        return Err(malformed("is not a Bearer token"));
    }
    let refresh = match (answer.refresh_token.take(), previous) {
        (Some(r), _) if !r.is_empty() => SecretString::new(r),
        (_, Some(p)) => p.refresh.clone(),
        _ => {
            return Err(malformed(
                "has no refresh_token, so the plan could not stay connected",
            ));
        }
    };
    let expires_at = answer
        .expires_in
        .filter(|s| *s >= 0)
        .map(|s| now + chrono::Duration::seconds(s.min(10 * 365 * 86_400)));
    let scope = match (answer.scope.take(), previous) {
        (Some(s), _) => s,
        (None, Some(p)) => p.scope.clone(),
        (None, None) => String::new(),
    };
    let organization = answer
        .organization
        .take()
        .or_else(|| previous.and_then(|p| p.organization.clone()));
    Ok(OAuthTokens {
        access: SecretString::new(std::mem::take(&mut answer.access_token)),
        refresh,
        expires_at,
        scope,
        organization,
        endpoint,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_are_percent_encoded() {
        assert_eq!(
            form(&[("a", "x y&z"), ("b", "é")]).as_str(),
            "a=x%20y%26z&b=%C3%A9"
        );
    }

    #[test]
    fn begin_builds_an_s256_request_with_fresh_values() {
        let config = super::super::OAuthConfig::new("cid", "http://127.0.0.1:7/cb")
            .endpoints_at("http://auth.test")
            .scopes(["org:admin", "user:profile"]);
        let client = OAuthClient::new(config).unwrap();
        let a = client.begin().unwrap();
        let b = client.begin().unwrap();
        assert_ne!(a.state, b.state);
        assert_ne!(a.verifier.expose(), b.verifier.expose());
        let url = reqwest::Url::parse(&a.url).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(url.path(), "/oauth/authorize");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["code_challenge"], challenge(&a.verifier));
        assert_eq!(q["state"], a.state);
        assert_eq!(q["scope"], "org:admin user:profile");
        assert_eq!(q["redirect_uri"], "http://127.0.0.1:7/cb");
        assert!(!a.url.contains(a.verifier.expose()));
        assert!(!format!("{a:?}").contains(a.verifier.expose()));
    }
}

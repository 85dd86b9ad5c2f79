//! The grants: authorization request, code exchange with PKCE, refresh with rotation and
//! reuse detection, organisation selection, revocation.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use super::{
    Access, CODE_TTL_SECS, Code, Family, OAUTH_CLIENT_SECRET, OAUTH_CONFIDENTIAL_CLIENT_ID,
    OAUTH_PUBLIC_CLIENT_ID, OAUTH_SCOPES, OAuthState, Refresh,
};
use crate::query::Query;

/// An RFC 6749 §5.2 error: status, `error` and `error_description`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OAuthError {
    pub status: u16,
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    fn new(status: u16, error: &'static str, description: impl Into<String>) -> OAuthError {
        OAuthError {
            status,
            error,
            description: description.into(),
        }
    }

    fn invalid_request(description: impl Into<String>) -> OAuthError {
        OAuthError::new(400, "invalid_request", description)
    }

    fn invalid_grant(description: impl Into<String>) -> OAuthError {
        OAuthError::new(400, "invalid_grant", description)
    }

    pub fn body(&self) -> Value {
        json!({ "error": self.error, "error_description": self.description })
    }
}

/// How an authorization request ends.
pub(crate) enum Authorized {
    /// 302 to this URL (a code, or an error the client may see).
    Redirect(String),
    /// 400 without a redirect: the client or redirect URI cannot be trusted (§4.1.2.1).
    Refuse(String),
}

/// Appends `pairs` to `url`'s query, percent-encoded.
pub(crate) fn with_query(url: &str, pairs: &[(&str, &str)]) -> String {
    let encoded: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}{}", encoded.join("&"))
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// RFC 7636 §4.1: 43-128 characters of `[A-Za-z0-9-._~]`.
fn pkce_shaped(s: &str) -> bool {
    (43..=128).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

fn s256(verifier: &str) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()))
}

impl OAuthState {
    /// `GET /oauth/authorize`: checks the request and auto-approves it for the account.
    pub fn authorize(&mut self, q: &Query, now: i64) -> Authorized {
        let client_id = q.get("client_id").unwrap_or("");
        if client_id != OAUTH_PUBLIC_CLIENT_ID && client_id != OAUTH_CONFIDENTIAL_CLIENT_ID {
            return Authorized::Refuse(format!("unknown client_id {client_id:?}"));
        }
        let redirect_uri = q.get("redirect_uri").unwrap_or("");
        let absolute = redirect_uri.starts_with("http://") || redirect_uri.starts_with("https://");
        if !absolute || redirect_uri.contains('#') {
            return Authorized::Refuse(format!(
                "redirect_uri must be an absolute http(s) URL without a fragment, got \
                 {redirect_uri:?}"
            ));
        }
        let state = q.get("state").unwrap_or("");
        let fail = |error: &str, description: &str| {
            let mut pairs = vec![("error", error), ("error_description", description)];
            if !state.is_empty() {
                pairs.push(("state", state));
            }
            Authorized::Redirect(with_query(redirect_uri, &pairs))
        };
        if q.get("response_type") != Some("code") {
            return fail("unsupported_response_type", "response_type must be code");
        }
        if state.is_empty() {
            return fail("invalid_request", "state is required");
        }
        let challenge = q.get("code_challenge").unwrap_or("");
        if q.get("code_challenge_method") != Some("S256") {
            return fail("invalid_request", "code_challenge_method must be S256");
        }
        // An S256 challenge is 32 bytes in unpadded base64url: 43 characters.
        if challenge.len() != 43 || !pkce_shaped(challenge) {
            return fail(
                "invalid_request",
                "code_challenge must be the 43-character base64url SHA-256 of the verifier",
            );
        }
        let scopes: Vec<String> = q
            .get("scope")
            .unwrap_or("")
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        if scopes.is_empty() || scopes.iter().any(|s| !OAUTH_SCOPES.contains(&s.as_str())) {
            return fail(
                "invalid_scope",
                "scope must list some of org:admin, user:profile, user:inference",
            );
        }
        if self.account.is_empty() {
            return fail("access_denied", "the account belongs to no organization");
        }
        let code = self.mint("", 40);
        self.codes.insert(
            code.clone(),
            Code {
                client_id: client_id.to_string(),
                redirect_uri: redirect_uri.to_string(),
                challenge: challenge.to_string(),
                scopes,
                reach: self.account.clone(),
                expires_at: now + CODE_TTL_SECS,
                exchanged: None,
            },
        );
        self.stats.authorizations += 1;
        Authorized::Redirect(with_query(
            redirect_uri,
            &[("code", &code), ("state", state)],
        ))
    }

    /// The authenticated client of a token or revocation request (§2.3.1: HTTP Basic or
    /// `client_id` + `client_secret` in the body; public clients send `client_id` only).
    fn client(&self, form: &Query, basic: Option<(String, String)>) -> Result<String, OAuthError> {
        let (id, secret) = match (basic, form.get("client_id")) {
            (Some((id, _)), Some(body_id)) if id != body_id => {
                return Err(OAuthError::invalid_request(
                    "client_id in the body differs from the Authorization header",
                ));
            }
            (Some((id, secret)), _) => (id, Some(secret)),
            (None, Some(id)) => (
                id.to_string(),
                form.get("client_secret").map(str::to_string),
            ),
            (None, None) => {
                return Err(OAuthError::new(
                    401,
                    "invalid_client",
                    "client_id is required",
                ));
            }
        };
        let ok = match id.as_str() {
            OAUTH_PUBLIC_CLIENT_ID => secret.is_none_or(|s| s.is_empty()),
            OAUTH_CONFIDENTIAL_CLIENT_ID => secret.as_deref() == Some(OAUTH_CLIENT_SECRET),
            _ => false,
        };
        if ok {
            Ok(id)
        } else {
            Err(OAuthError::new(
                401,
                "invalid_client",
                "client authentication failed",
            ))
        }
    }

    /// `POST /v1/oauth/token`.
    pub fn token(
        &mut self,
        form: &Query,
        basic: Option<(String, String)>,
        now: i64,
        org_ids: &[String],
    ) -> Result<(usize, String, String), OAuthError> {
        let client = self.client(form, basic)?;
        match form.get("grant_type") {
            Some("authorization_code") => self.exchange(&client, form, now),
            Some("refresh_token") => self.refresh_grant(&client, form, now, org_ids),
            Some(other) => Err(OAuthError::new(
                400,
                "unsupported_grant_type",
                format!("grant_type {other:?} is not supported"),
            )),
            None => Err(OAuthError::invalid_request("grant_type is required")),
        }
    }

    fn exchange(
        &mut self,
        client: &str,
        form: &Query,
        now: i64,
    ) -> Result<(usize, String, String), OAuthError> {
        let (Some(code_value), Some(verifier)) = (form.get("code"), form.get("code_verifier"))
        else {
            return Err(OAuthError::invalid_request(
                "code and code_verifier are required",
            ));
        };
        let Some(code) = self.codes.get(code_value) else {
            return Err(OAuthError::invalid_grant("unknown authorization code"));
        };
        if let Some(family) = code.exchanged {
            // RFC 6749 §4.1.2: a reused code revokes what it was exchanged for.
            self.families[family].revoked = true;
            self.stats.reuse_detected += 1;
            return Err(OAuthError::invalid_grant(
                "authorization code was already used; the tokens issued for it are revoked",
            ));
        }
        if code.client_id != client {
            return Err(OAuthError::invalid_grant(
                "authorization code was issued to another client",
            ));
        }
        if code.expires_at <= now {
            return Err(OAuthError::invalid_grant("authorization code has expired"));
        }
        if form.get("redirect_uri") != Some(code.redirect_uri.as_str()) {
            return Err(OAuthError::invalid_grant(
                "redirect_uri differs from the authorization request's",
            ));
        }
        if !pkce_shaped(verifier) || s256(verifier) != code.challenge {
            return Err(OAuthError::invalid_grant(
                "code_verifier does not match the code_challenge",
            ));
        }
        let family = Family {
            client_id: client.to_string(),
            org: code.reach[0],
            reach: code.reach.clone(),
            scopes: code.scopes.clone(),
            revoked: false,
        };
        self.families.push(family);
        let id = self.families.len() - 1;
        self.codes
            .get_mut(code_value)
            .expect("found above")
            .exchanged = Some(id);
        self.stats.codes_exchanged += 1;
        let (access, refresh) = self.issue(id, now);
        Ok((id, access, refresh))
    }

    fn refresh_grant(
        &mut self,
        client: &str,
        form: &Query,
        now: i64,
        org_ids: &[String],
    ) -> Result<(usize, String, String), OAuthError> {
        let Some(token) = form.get("refresh_token") else {
            return Err(OAuthError::invalid_request("refresh_token is required"));
        };
        let Some(refresh) = self.refresh.get(token) else {
            return Err(OAuthError::invalid_grant("unknown refresh token"));
        };
        let family_id = refresh.family;
        let family = &self.families[family_id];
        if family.client_id != client {
            return Err(OAuthError::invalid_grant(
                "refresh token was issued to another client",
            ));
        }
        if family.revoked {
            return Err(OAuthError::invalid_grant("refresh token has been revoked"));
        }
        if refresh.used {
            // Reuse of a rotated refresh token: someone holds a stale copy, so the whole
            // grant goes (OAuth 2.0 Security BCP §4.14.2).
            self.families[family_id].revoked = true;
            self.stats.reuse_detected += 1;
            return Err(OAuthError::invalid_grant(
                "refresh token was already used; every token of this grant is revoked",
            ));
        }
        if self.faults.refuse_refresh {
            self.stats.refused_refreshes += 1;
            return Err(OAuthError::invalid_grant(
                "the user revoked this application's access",
            ));
        }
        if let Some(scope) = form.get("scope") {
            let narrower = scope
                .split(' ')
                .filter(|s| !s.is_empty())
                .all(|s| family.scopes.iter().any(|f| f == s));
            if !narrower {
                return Err(OAuthError::new(
                    400,
                    "invalid_scope",
                    "scope may only narrow the granted scopes",
                ));
            }
        }
        let select = match form.get("organization_id") {
            None => None,
            Some(org_id) => match org_ids.iter().position(|o| o == org_id) {
                Some(i) if family.reach.contains(&i) => Some(i),
                _ => {
                    return Err(OAuthError::invalid_request(format!(
                        "organization_id {org_id:?} is not an organization this sign-in reaches"
                    )));
                }
            },
        };
        let id = match select {
            None => {
                self.refresh.get_mut(token).expect("found above").used = true;
                family_id
            }
            // Choosing an organisation starts a grant of its own, so each plan rotates its
            // own refresh token; the sign-in's grant stays as it was.
            Some(org) => {
                let derived = Family {
                    client_id: family.client_id.clone(),
                    org,
                    reach: family.reach.clone(),
                    scopes: family.scopes.clone(),
                    revoked: false,
                };
                self.families.push(derived);
                self.families.len() - 1
            }
        };
        self.stats.refreshes += 1;
        let (access, refresh) = self.issue(id, now);
        Ok((id, access, refresh))
    }

    fn issue(&mut self, family: usize, now: i64) -> (String, String) {
        let access = self.mint("sk-ant-oat01-", 86);
        let refresh = self.mint("sk-ant-ort01-", 86);
        self.access.insert(
            access.clone(),
            Access {
                family,
                expires_at: now.saturating_add(self.access_ttl),
                revoked: false,
            },
        );
        self.refresh.insert(
            refresh.clone(),
            Refresh {
                family,
                used: false,
            },
        );
        (access, refresh)
    }

    /// The token response body for a family's fresh tokens.
    pub fn token_body(&self, family: usize, access: &str, refresh: &str) -> (usize, Value) {
        let f = &self.families[family];
        let body = json!({
            "token_type": "Bearer",
            "access_token": access,
            "expires_in": self.access_ttl,
            "refresh_token": refresh,
            "scope": f.scopes.join(" "),
        });
        (f.org, body)
    }

    /// `POST /v1/oauth/revoke` (RFC 7009): a refresh token revokes its whole grant, an
    /// access token only itself; an unknown token is not an error.
    pub fn revoke(
        &mut self,
        form: &Query,
        basic: Option<(String, String)>,
    ) -> Result<(), OAuthError> {
        let client = self.client(form, basic)?;
        let Some(token) = form.get("token") else {
            return Err(OAuthError::invalid_request("token is required"));
        };
        let hint = form.get("token_type_hint");
        if let Some(h) = hint
            && h != "access_token"
            && h != "refresh_token"
        {
            return Err(OAuthError::new(
                400,
                "unsupported_token_type",
                format!("token_type_hint {h:?} is not supported"),
            ));
        }
        let family = match (self.refresh.get(token), self.access.get(token)) {
            (Some(r), _) => Some((r.family, true)),
            (None, Some(a)) => Some((a.family, false)),
            (None, None) => None,
        };
        let Some((family, is_refresh)) = family else {
            return Ok(());
        };
        if self.families[family].client_id != client {
            return Err(OAuthError::invalid_request(
                "token was not issued to this client",
            ));
        }
        if is_refresh {
            self.families[family].revoked = true;
        } else {
            self.access.get_mut(token).expect("found").revoked = true;
        }
        self.stats.revocations += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s256_matches_rfc_7636_appendix_b() {
        let verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
        assert_eq!(
            s256(verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
        assert!(pkce_shaped(verifier));
        assert!(!pkce_shaped("short"));
        assert!(!pkce_shaped(&"a".repeat(129)));
        assert!(!pkce_shaped(&format!("{}+", "a".repeat(50))));
    }

    #[test]
    fn query_encoding() {
        assert_eq!(
            with_query("http://h/cb?x=1", &[("state", "a b&c"), ("code", "Z9")]),
            "http://h/cb?x=1&state=a%20b%26c&code=Z9"
        );
    }
}

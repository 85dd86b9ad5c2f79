//! The OAuth 2.0 authorization server (RFC 6749, PKCE per RFC 7636, revocation per
//! RFC 7009): clients, authorization codes, token families with refresh-token rotation and
//! reuse detection, and the bearer check the Admin API endpoints use.
//!
//! Its clock is the fake's clock (`World::now`), so a test expires tokens by moving the
//! clock or with `POST /_fake/oauth/expire`.

mod endpoints;
mod grants;

pub(crate) use endpoints::{bearer_token, handle, is_oauth_path};

use std::collections::HashMap;
use std::str::FromStr;

use serde::Serialize;

pub(crate) use grants::OAuthError;

/// The public client (PKCE, no secret) every fake knows.
pub const OAUTH_PUBLIC_CLIENT_ID: &str = "costledger-fake-public-client";
/// The confidential client (PKCE and a secret) every fake knows.
pub const OAUTH_CONFIDENTIAL_CLIENT_ID: &str = "costledger-fake-confidential-client";
/// The confidential client's secret.
pub const OAUTH_CLIENT_SECRET: &str = "fake-client-secret-0123456789abcdef";
/// The scopes the authorize endpoint grants; only `org:admin` reaches the Admin API.
pub const OAUTH_SCOPES: [&str; 3] = ["org:admin", "user:profile", "user:inference"];
/// Access-token lifetime unless a test changes it, in seconds of the fake's clock.
pub const DEFAULT_ACCESS_TTL_SECS: i64 = 3_600;
/// Authorization-code lifetime (RFC 6749 §4.1.2 recommends at most 10 minutes).
pub const CODE_TTL_SECS: i64 = 600;

pub(crate) const TAG_OAUTH: u64 = 40;

/// Faults of the authorization server, separate from the Admin API's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OAuthFaults {
    /// Every `refresh_token` grant answers 400 `invalid_grant` (the user revoked access).
    pub refuse_refresh: bool,
    /// The authorize, token, revocation and organizations endpoints answer 503
    /// `temporarily_unavailable`.
    pub down: bool,
}

impl FromStr for OAuthFaults {
    type Err = String;

    /// `refuse_refresh`, `down`, both comma-separated, or `""` / `none`.
    fn from_str(s: &str) -> Result<Self, String> {
        let mut faults = OAuthFaults::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part {
                "none" => {}
                "refuse_refresh" => faults.refuse_refresh = true,
                "down" => faults.down = true,
                other => {
                    return Err(format!(
                        "unknown OAuth fault {other:?}; expected refuse_refresh, down or none"
                    ));
                }
            }
        }
        Ok(faults)
    }
}

impl std::fmt::Display for OAuthFaults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<&str> = [(self.refuse_refresh, "refuse_refresh"), (self.down, "down")]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// What the authorization server has done since start.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OAuthStats {
    /// Codes issued by the authorize endpoint.
    pub authorizations: u64,
    /// Codes exchanged for tokens.
    pub codes_exchanged: u64,
    /// Successful `refresh_token` grants (rotations and organisation selections).
    pub refreshes: u64,
    /// Refresh grants refused by the `refuse_refresh` fault.
    pub refused_refreshes: u64,
    /// Codes or refresh tokens presented a second time (each revoked its grant).
    pub reuse_detected: u64,
    /// Tokens revoked through the revocation endpoint (unknown tokens not counted).
    pub revocations: u64,
    /// Requests answered 503 by the `down` fault.
    pub down_answers: u64,
    /// Admin API requests authenticated with a bearer token.
    pub bearer_requests: u64,
    /// Bearer requests refused with 401 (unknown, expired or revoked token).
    pub bearer_refused: u64,
}

/// What `expire` acts on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OAuthExpiry {
    /// Every access token issued so far is expired.
    AccessTokens,
    /// Every authorization code not yet exchanged is expired.
    Codes,
}

struct Code {
    client_id: String,
    redirect_uri: String,
    challenge: String,
    scopes: Vec<String>,
    reach: Vec<usize>,
    expires_at: i64,
    /// The family it was exchanged for, once it was.
    exchanged: Option<usize>,
}

struct Family {
    client_id: String,
    /// The organisation its tokens answer for on the Admin API.
    org: usize,
    /// Every organisation the sign-in reaches.
    reach: Vec<usize>,
    scopes: Vec<String>,
    revoked: bool,
}

struct Access {
    family: usize,
    expires_at: i64,
    revoked: bool,
}

struct Refresh {
    family: usize,
    used: bool,
}

/// A valid bearer token: the organisation it answers for and whether it has `org:admin`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Bearer {
    pub org: usize,
    pub org_admin: bool,
}

/// The authorization server's state.
pub(crate) struct OAuthState {
    seed: u64,
    issued: u64,
    /// Organisations a sign-in reaches, the first being the one its tokens answer for.
    account: Vec<usize>,
    access_ttl: i64,
    faults: OAuthFaults,
    codes: HashMap<String, Code>,
    families: Vec<Family>,
    access: HashMap<String, Access>,
    refresh: HashMap<String, Refresh>,
    stats: OAuthStats,
}

impl OAuthState {
    /// A server whose sign-ins reach every one of `orgs` organisations.
    pub fn new(seed: u64, orgs: usize) -> OAuthState {
        OAuthState {
            seed,
            issued: 0,
            account: (0..orgs).collect(),
            access_ttl: DEFAULT_ACCESS_TTL_SECS,
            faults: OAuthFaults::default(),
            codes: HashMap::new(),
            families: Vec::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            stats: OAuthStats::default(),
        }
    }

    pub fn stats(&self) -> OAuthStats {
        self.stats.clone()
    }

    pub fn faults(&self) -> OAuthFaults {
        self.faults
    }

    pub fn set_faults(&mut self, faults: OAuthFaults) {
        self.faults = faults;
    }

    pub fn set_access_ttl(&mut self, secs: i64) {
        self.access_ttl = secs;
    }

    /// Sign-ins from now on reach these organisations (by index), the first being the one
    /// their tokens answer for.
    pub fn set_account(&mut self, orgs: Vec<usize>) {
        self.account = orgs;
    }

    pub fn expire(&mut self, what: OAuthExpiry) {
        match what {
            OAuthExpiry::AccessTokens => self
                .access
                .values_mut()
                .for_each(|a| a.expires_at = i64::MIN),
            OAuthExpiry::Codes => self
                .codes
                .values_mut()
                .for_each(|c| c.expires_at = i64::MIN),
        }
    }

    /// Which organisation a bearer token answers for, or why it is refused (401).
    pub fn bearer(&mut self, token: &str, now: i64) -> Result<Bearer, &'static str> {
        self.stats.bearer_requests += 1;
        let found = match self.access.get(token) {
            None => Err("invalid bearer token"),
            Some(a) if a.revoked || self.families[a.family].revoked => {
                Err("OAuth token has been revoked")
            }
            Some(a) if a.expires_at <= now => Err("OAuth token has expired"),
            Some(a) => {
                let family = &self.families[a.family];
                Ok(Bearer {
                    org: family.org,
                    org_admin: family.scopes.iter().any(|s| s == "org:admin"),
                })
            }
        };
        if found.is_err() {
            self.stats.bearer_refused += 1;
        }
        found
    }

    /// The organisations a valid bearer token's sign-in reaches, its own first.
    pub fn reach(&mut self, token: &str, now: i64) -> Result<Vec<usize>, &'static str> {
        let bearer = self.bearer(token, now)?;
        let family = &self.families[self.access[token].family];
        let mut orgs = vec![bearer.org];
        orgs.extend(family.reach.iter().copied().filter(|&o| o != bearer.org));
        Ok(orgs)
    }

    fn mint(&mut self, prefix: &str, len: usize) -> String {
        self.issued += 1;
        let mut rng = crate::rng::Rng::from_parts(&[self.seed, TAG_OAUTH, self.issued]);
        format!("{prefix}{}", rng.base62(len))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_parse_and_print() {
        let f: OAuthFaults = "down, refuse_refresh".parse().unwrap();
        assert!(f.down && f.refuse_refresh);
        assert_eq!(f.to_string(), "refuse_refresh,down");
        assert_eq!(
            "none".parse::<OAuthFaults>().unwrap(),
            OAuthFaults::default()
        );
        assert_eq!("".parse::<OAuthFaults>().unwrap().to_string(), "");
        assert!("slow".parse::<OAuthFaults>().unwrap_err().contains("slow"));
    }
}

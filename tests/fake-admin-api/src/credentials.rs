//! The two kinds of admin credential and what each may reach.
//!
//! A Claude Console admin key (`sk-ant-admin01-…`) has no scopes: it reaches every
//! endpoint of its org. A Claude Enterprise key (`sk-ant-api01-…`) carries the scopes it
//! was minted with and reaches only the endpoints those scopes name; it never reaches the
//! Console-only endpoints (legacy usage and cost reports, Claude Code, API keys,
//! workspaces), because Enterprise keys do not work with those APIs.

use crate::errors::ApiError;
use crate::rng::Rng;

/// The scopes an Enterprise key can be minted with (the documented list).
pub const SCOPES: [&str; 12] = [
    "read:analytics",
    "read:spend_limits",
    "write:spend_limits",
    "read:members",
    "write:members",
    "read:rbac_groups",
    "write:rbac_groups",
    "read:compliance_activities",
    "read:compliance_user_data",
    "delete:compliance_user_data",
    "read:compliance_org_data",
    "read:org_audit",
];

pub(crate) const TAG_SCOPED_KEY: u64 = 4;

/// A valid key: which org it belongs to and, for Enterprise keys, its scopes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Credential {
    /// Org index.
    pub org: usize,
    /// `None` for a Console admin key (no scopes, full access).
    pub scopes: Option<Vec<String>>,
    /// An OAuth access token with `org:admin`: reaches what a Console admin key reaches,
    /// except the Analytics and Spend Limits APIs, whose docs name only API keys.
    pub oauth: bool,
}

/// What an endpoint asks of a credential.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Any valid key of the org (`/me`).
    AnyKey,
    /// A Console admin key, or an Enterprise key with this scope.
    Scope(&'static str),
    /// Console admin keys only.
    ConsoleOnly,
}

/// `sk-ant-api01-` and 86 base62 characters.
pub fn scoped_key(rng: &mut Rng) -> String {
    format!("sk-ant-api01-{}", rng.base62(86))
}

impl Credential {
    /// An `org:admin` OAuth access token of org `org`.
    pub fn oauth(org: usize) -> Credential {
        Credential {
            org,
            scopes: None,
            oauth: true,
        }
    }

    /// 403 `permission_error` unless this credential may call `what` (e.g.
    /// `GET /v1/organizations/analytics/cost`). The message lists the key's scopes and the
    /// scope the endpoint needs, as the real API's does.
    pub fn authorize(&self, access: Access, what: &str) -> Result<(), ApiError> {
        if self.oauth {
            return match access {
                Access::Scope(s) if s != "read:members" => Err(ApiError::permission(format!(
                    "{what} does not accept OAuth tokens; use an API key with the {s} scope or \
                     an Admin API key"
                ))),
                _ => Ok(()),
            };
        }
        let Some(scopes) = &self.scopes else {
            return Ok(());
        };
        let has = if scopes.is_empty() {
            "no scopes".to_string()
        } else {
            format!("the scopes {}", scopes.join(", "))
        };
        match access {
            Access::AnyKey => Ok(()),
            Access::Scope(needed) if scopes.iter().any(|s| s == needed) => Ok(()),
            Access::Scope(needed) => Err(ApiError::permission(format!(
                "This API key has {has}; {what} requires the {needed} scope. Mint a key with \
                 {needed} in claude.ai > Organization settings > API."
            ))),
            Access::ConsoleOnly => Err(ApiError::permission(format!(
                "{what} only accepts Claude Console admin keys (sk-ant-admin01-…); this is a \
                 Claude Enterprise key with {has}."
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn console_keys_reach_everything_scoped_keys_their_scopes() {
        let console = Credential {
            org: 0,
            scopes: None,
            oauth: false,
        };
        let scoped = Credential {
            org: 0,
            scopes: Some(vec!["read:spend_limits".into()]),
            oauth: false,
        };
        let oauth = Credential::oauth(0);
        assert!(oauth.authorize(Access::ConsoleOnly, "x").is_ok());
        assert!(oauth.authorize(Access::Scope("read:members"), "x").is_ok());
        let e = oauth
            .authorize(
                Access::Scope("read:analytics"),
                "GET /v1/organizations/analytics/cost",
            )
            .unwrap_err();
        assert!(
            e.message.contains("does not accept OAuth tokens"),
            "{}",
            e.message
        );
        for access in [
            Access::AnyKey,
            Access::ConsoleOnly,
            Access::Scope("read:analytics"),
        ] {
            assert!(console.authorize(access, "x").is_ok());
        }
        assert!(scoped.authorize(Access::AnyKey, "x").is_ok());
        assert!(
            scoped
                .authorize(Access::Scope("read:spend_limits"), "x")
                .is_ok()
        );
        let e = scoped
            .authorize(
                Access::Scope("read:analytics"),
                "GET /v1/organizations/analytics/cost",
            )
            .unwrap_err();
        assert_eq!((e.status.as_u16(), e.kind), (403, "permission_error"));
        assert!(e.message.contains("read:spend_limits") && e.message.contains("read:analytics"));
        assert!(scoped.authorize(Access::ConsoleOnly, "x").is_err());
        assert!(
            scoped
                .authorize(Access::Scope("read:members"), "x")
                .is_err()
        );
    }
}

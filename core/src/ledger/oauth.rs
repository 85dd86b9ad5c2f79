//! OAuth plans on [`Ledger`]: revocation on disconnect. Keeping a plan's tokens fresh while
//! it is used is [`crate::context::PlanTokens`].

use super::Ledger;
use crate::context::{OAUTH_TIMEOUT, oauth_http};
use crate::model::Credential;

/// What happened at the provider when an OAuth plan was disconnected.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Revocation {
    /// The plan had no OAuth grant to revoke (an admin key, local logs, already
    /// disconnected).
    NotApplicable,
    /// The provider revoked the grant.
    Revoked,
    /// Revocation failed; the local credential was destroyed regardless. `code` is the
    /// error's code, `message` what went wrong (no token in it).
    Failed {
        /// The error code (`UPSTREAM`, `CREDENTIAL_REJECTED`, …).
        code: String,
        /// The error message.
        message: String,
    },
}

impl Ledger {
    /// Revoke a plan's OAuth grant at the provider, best effort.
    pub(crate) async fn revoke_plan_grant(&self, credential: Option<&Credential>) -> Revocation {
        let Some(Credential::OAuth(tokens)) = credential else {
            return Revocation::NotApplicable;
        };
        let result = match oauth_http() {
            Ok(http) => crate::oauth::client::revoke(&http, tokens, OAUTH_TIMEOUT).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(()) => Revocation::Revoked,
            Err(e) => Revocation::Failed {
                code: e.code().to_string(),
                message: e.full_message(),
            },
        }
    }
}

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

/// In JSON (the bindings read it): `{"status": "revoked" | "failed" | "notApplicable",
/// "code", "message"}`, the last two null unless it failed.
impl serde::Serialize for Revocation {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let (status, code, message) = match self {
            Revocation::NotApplicable => ("notApplicable", None, None),
            Revocation::Revoked => ("revoked", None, None),
            Revocation::Failed { code, message } => ("failed", Some(code), Some(message)),
        };
        let mut st = s.serialize_struct("Revocation", 3)?;
        st.serialize_field("status", status)?;
        st.serialize_field("code", &code)?;
        st.serialize_field("message", &message)?;
        st.end()
    }
}

impl schemars::JsonSchema for Revocation {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Revocation".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "What happened at the provider when a plan was disconnected.",
            "properties": {
                "status": {
                    "type": "string",
                    "enum": ["revoked", "failed", "notApplicable"],
                    "description": "`revoked`: the provider revoked the OAuth grant; `failed`: it could \
                        not be revoked (see `code` and `message`), and the local credential was \
                        destroyed regardless; `notApplicable`: the plan had no OAuth grant (an \
                        admin key, local logs, already disconnected).",
                },
                "code": {
                    "type": ["string", "null"],
                    "description": "For `failed`: the error code (`UPSTREAM`, `CREDENTIAL_REJECTED`, …).",
                },
                "message": {
                    "type": ["string", "null"],
                    "description": "For `failed`: what went wrong (no token in it).",
                },
            },
            "required": ["status", "code", "message"],
        })
    }
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

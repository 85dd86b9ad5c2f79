//! Which kind of admin credential a key is, and which of the organisation's APIs it
//! reaches, each verified with one cheap request.

use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;

use super::spend_limits::SPEND_LIMIT_READS_BETA;
use super::{AnalyticsRequest, analytics_earliest};
use crate::crypto::SecretString;
use crate::error::{Error, Result};
use crate::macros::string_enum;
pub use crate::model::CredentialReach;
use crate::model::{BucketWidth, validate_admin_key};
use crate::source::SourceContext;
use crate::source::anthropic::AnthropicSource;
use crate::source::anthropic::http::Call;
use crate::source::anthropic::reports::{param, rfc3339};

string_enum! {
    /// The kind of an Anthropic admin credential.
    AdminKeyKind, "admin key kind" {
        /// A Claude Console admin key (`sk-ant-admin01-…`): no scopes, every Admin API.
        ConsoleAdmin => "console_admin_key",
        /// A Claude Enterprise admin key with scopes (`sk-ant-api01-…`, e.g.
        /// `read:analytics`): the Analytics and Spend Limits APIs its scopes name, never the
        /// legacy reports.
        EnterpriseScoped => "enterprise_scoped_key",
    }
}

/// How a Claude Enterprise admin key with scopes starts.
pub const SCOPED_KEY_PREFIX: &str = "sk-ant-api01-";

/// The kind of `key`, after the same checks as [`validate_admin_key`] (no whitespace,
/// ASCII, 24–512 characters). A `sk-ant-api01-…` key looks like an ordinary API key:
/// only [`AnthropicSource::credential_reach`] tells whether it has admin scopes.
pub fn admin_key_kind(key: &SecretString) -> Result<AdminKeyKind> {
    let text = key.expose();
    if text.starts_with(SCOPED_KEY_PREFIX) {
        if text.chars().any(char::is_whitespace) {
            return Err(Error::invalid(format!(
                "admin key {} contains whitespace; paste it without spaces or newlines",
                key.hint()
            )));
        }
        if !text.is_ascii() || text.len() < 24 || text.len() > 512 {
            return Err(Error::invalid(format!(
                "admin key {} is not a whole key (ASCII, 24-512 characters); check that it was \
                 copied whole",
                key.hint()
            )));
        }
        return Ok(AdminKeyKind::EnterpriseScoped);
    }
    validate_admin_key(key)?;
    Ok(AdminKeyKind::ConsoleAdmin)
}

/// `Ok(false)` for a refusal of this credential on this API (403, or a 400/404 saying the
/// organisation does not have it); other errors pass.
fn reached(result: Result<()>) -> Result<bool> {
    match result {
        Ok(()) => Ok(true),
        Err(Error::CredentialRejected { status: 403, .. })
        | Err(Error::OAuthRejected { status: 403, .. })
        | Err(Error::Upstream {
            status: Some(400 | 404),
            ..
        }) => Ok(false),
        Err(e) => Err(e),
    }
}

impl AnthropicSource {
    /// Which of the organisation's APIs the plan's credential reaches at `now`: one
    /// smallest request each to the legacy cost report, the analytics cost report and the
    /// spend limit list. A credential refused outright (401) is an error.
    pub async fn credential_reach(
        &self,
        ctx: SourceContext<'_>,
        now: DateTime<Utc>,
    ) -> Result<CredentialReach> {
        let today = DateTime::from_timestamp(now.timestamp().div_euclid(86_400) * 86_400, 0)
            .expect("in range");
        let legacy_params = [
            param("starting_at", rfc3339(today - Duration::days(1))),
            param("ending_at", rfc3339(today)),
            param("limit", "1"),
        ];
        let legacy = self
            .send(
                &ctx,
                Call::get("/v1/organizations/cost_report", &legacy_params),
                |_| Ok(()),
            )
            .await
            .map(|_| ());
        let legacy_reports = reached(legacy)?;

        let hour = DateTime::from_timestamp(now.timestamp().div_euclid(3_600) * 3_600, 0)
            .expect("in range");
        let start = (hour - Duration::hours(1)).max(analytics_earliest(now));
        let request = AnalyticsRequest::new(start, start + Duration::hours(1))
            .width(BucketWidth::Hour)
            .rows_per_page(1);
        let mut pages = self.analytics_cost(ctx, request);
        let analytics = match pages.next().await {
            None | Some(Ok(_)) => None,
            // A reason of the range (history too old) says nothing of the credential.
            Some(Err(e)) => match e.analytics_unavailable() {
                Some(reason) if reason.is_permanent() => Some(reason),
                Some(_) => None,
                None => return Err(e),
            },
        };
        drop(pages);

        let list_params = [param("limit", "1")];
        let list = self
            .send(
                &ctx,
                Call::get("/v1/organizations/spend_limits", &list_params)
                    .beta(SPEND_LIMIT_READS_BETA),
                |_| Ok(()),
            )
            .await
            .map(|_| ());
        let spend_limits = reached(list)?;
        Ok(CredentialReach {
            legacy_reports,
            analytics,
            spend_limits,
            checked_at: now,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_kinds() {
        let console = SecretString::new(format!("sk-ant-admin01-{}", "a".repeat(40)));
        assert_eq!(
            admin_key_kind(&console).unwrap(),
            AdminKeyKind::ConsoleAdmin
        );
        let scoped = SecretString::new(format!("sk-ant-api01-{}", "b".repeat(86)));
        assert_eq!(
            admin_key_kind(&scoped).unwrap(),
            AdminKeyKind::EnterpriseScoped
        );
        let spaced = SecretString::new(format!("sk-ant-api01-{} x", "b".repeat(30)));
        let e = admin_key_kind(&spaced).unwrap_err();
        assert!(!e.to_string().contains(&"b".repeat(30)), "{e}");
        assert!(admin_key_kind(&SecretString::new("hello".to_string())).is_err());
    }
}

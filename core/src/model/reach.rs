//! What a plan's credential reaches at its provider: checked with one small request per API
//! when the plan is added or its credential rotated, and stored on the plan.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::AnalyticsUnavailable;

/// Which of the organisation's APIs a credential reaches, each verified with one request.
///
/// A Claude Console admin key (`sk-ant-admin01-…`) reaches the legacy usage and cost reports,
/// the Analytics API (unless the organisation is HIPAA-ready or the beta is off) and the spend
/// limits. A Claude Enterprise admin key with scopes (`sk-ant-api01-…`) reaches what its
/// scopes name and never the legacy reports. An OAuth `org:admin` token reaches the legacy
/// reports only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct CredentialReach {
    /// The legacy usage and cost reports (and the Claude Code report, workspaces, API keys).
    pub legacy_reports: bool,
    /// `None` when the Analytics API answers; otherwise why it cannot. Only reasons that hold
    /// for every range of the plan are kept ([`AnalyticsUnavailable::is_permanent`]).
    pub analytics: Option<AnalyticsUnavailable>,
    /// Whether the spend limits can be read.
    pub spend_limits: bool,
    /// When this was checked.
    pub checked_at: DateTime<Utc>,
}

impl CredentialReach {
    /// Whether the credential reaches nothing costledger reads.
    pub fn reaches_nothing(&self) -> bool {
        !self.legacy_reports && self.analytics.is_some() && !self.spend_limits
    }

    /// This reach with the Analytics API refused for `reason` (a sync learnt it).
    pub fn without_analytics(&self, reason: AnalyticsUnavailable, at: DateTime<Utc>) -> Self {
        CredentialReach {
            analytics: Some(reason),
            checked_at: at,
            ..self.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_as_json() {
        let reach = CredentialReach {
            legacy_reports: false,
            analytics: Some(AnalyticsUnavailable::MissingScope),
            spend_limits: true,
            checked_at: DateTime::from_timestamp(1_790_000_000, 0).unwrap(),
        };
        let text = serde_json::to_string(&reach).unwrap();
        assert!(text.contains("\"analytics\":\"missing_scope\""), "{text}");
        assert_eq!(
            serde_json::from_str::<CredentialReach>(&text).unwrap(),
            reach
        );
        assert!(!reach.reaches_nothing());
        let none = CredentialReach {
            spend_limits: false,
            ..reach
        };
        assert!(none.reaches_nothing());
    }
}

//! When the Analytics API cannot answer: known before asking (history before its first
//! day), or read from its refusal (400 for a HIPAA-ready organisation or a range older
//! than 365 days, 403 for a credential without the scope, 404 when the beta is off).

use chrono::{DateTime, Duration, TimeZone, Utc};

use crate::error::Error;
use crate::model::AnalyticsUnavailable;

/// The Analytics API's first day: 2026-01-01T00:00:00Z.
pub fn analytics_start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
        .single()
        .expect("valid date")
}

/// How far back the Analytics API reaches.
pub const MAX_AGE_DAYS: i64 = 365;

/// The earliest instant the Analytics API serves at `now`: the later of 2026-01-01 and the
/// first whole hour within the last 365 days. A sync reads the legacy reports before it.
pub fn analytics_earliest(now: DateTime<Utc>) -> DateTime<Utc> {
    let oldest = (now - Duration::days(MAX_AGE_DAYS)).timestamp();
    let hour = -(-oldest).div_euclid(3_600) * 3_600;
    let oldest = DateTime::from_timestamp(hour, 0).expect("in range");
    oldest.max(analytics_start())
}

/// The error for a range that starts before the API's first day (no request is sent).
pub(super) fn before_start(plan: Option<i64>, start: DateTime<Utc>) -> Error {
    Error::AnalyticsUnavailable {
        plan,
        reason: AnalyticsUnavailable::BeforeAnalyticsStart,
        status: None,
        request_id: None,
        message: format!(
            "the range starts {}, before the Analytics API's first day 2026-01-01",
            start.to_rfc3339()
        ),
    }
}

/// Turns the refusals that mean "this API cannot answer here" into
/// [`Error::AnalyticsUnavailable`]; other errors pass unchanged.
///
/// The statuses are documented (400 HIPAA, 403 scope); the texts of the 400s are not, so a
/// 400 is read by what it names: `HIPAA`, the 2026-01-01 floor, the 365-day window, or the
/// beta flag.
pub(super) fn classify(e: Error) -> Error {
    let (reason, plan, status, request_id, message) = match e {
        Error::Upstream {
            status: Some(400),
            request_id,
            message,
            source,
        } => {
            let lower = message.to_ascii_lowercase();
            let reason = if lower.contains("hipaa") {
                AnalyticsUnavailable::HipaaOrganization
            } else if lower.contains("2026-01-01") {
                AnalyticsUnavailable::BeforeAnalyticsStart
            } else if lower.contains("365 days") {
                AnalyticsUnavailable::OlderThan365Days
            } else if lower.contains("anthropic-beta") {
                AnalyticsUnavailable::BetaNotEnabled
            } else {
                return Error::Upstream {
                    status: Some(400),
                    request_id,
                    message,
                    source,
                };
            };
            (reason, None, Some(400), request_id, message)
        }
        Error::Upstream {
            status: Some(404),
            request_id,
            message,
            ..
        } => (
            AnalyticsUnavailable::BetaNotEnabled,
            None,
            Some(404),
            request_id,
            message,
        ),
        Error::CredentialRejected {
            plan,
            status: 403,
            request_id,
            message,
        } => (
            AnalyticsUnavailable::MissingScope,
            plan,
            Some(403),
            request_id,
            message,
        ),
        Error::OAuthRejected {
            plan,
            status: 403,
            description,
            ..
        } => (
            AnalyticsUnavailable::MissingScope,
            plan,
            Some(403),
            None,
            description,
        ),
        other => return other,
    };
    Error::AnalyticsUnavailable {
        plan,
        reason,
        status,
        request_id,
        message: without_advice(&message).to_string(),
    }
}

/// The refusal without the generic advice appended to it (report it, check the base URL):
/// here the advice is to read the legacy reports.
fn without_advice(message: &str) -> &str {
    [
        "; this is not retried",
        "; check that the base URL",
        "; check the admin key",
    ]
    .iter()
    .filter_map(|cut| message.find(cut))
    .min()
    .map_or(message, |at| &message[..at])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn upstream(status: u16, message: &str) -> Error {
        Error::Upstream {
            status: Some(status),
            request_id: Some("req_1".into()),
            message: message.into(),
            source: None,
        }
    }

    #[test]
    fn refusals_become_reasons() {
        let cases = [
            (
                upstream(
                    400,
                    "GET x was refused: invalid_request_error: not available to HIPAA-ready organizations",
                ),
                Some(AnalyticsUnavailable::HipaaOrganization),
            ),
            (
                upstream(
                    400,
                    "starting_at: must be no earlier than 2026-01-01T00:00:00Z",
                ),
                Some(AnalyticsUnavailable::BeforeAnalyticsStart),
            ),
            (
                upstream(400, "starting_at: must be within the last 365 days"),
                Some(AnalyticsUnavailable::OlderThan365Days),
            ),
            (
                upstream(404, "not enabled"),
                Some(AnalyticsUnavailable::BetaNotEnabled),
            ),
            (upstream(400, "limit: must be at most 1000"), None),
            (upstream(500, "HIPAA"), None),
            (
                Error::CredentialRejected {
                    plan: Some(3),
                    status: 403,
                    request_id: None,
                    message: "needs read:analytics".into(),
                },
                Some(AnalyticsUnavailable::MissingScope),
            ),
            (
                Error::CredentialRejected {
                    plan: Some(3),
                    status: 401,
                    request_id: None,
                    message: "bad key".into(),
                },
                None,
            ),
        ];
        for (e, want) in cases {
            let got = classify(e);
            assert_eq!(got.analytics_unavailable(), want, "{got}");
        }
        let e = classify(upstream(
            400,
            "GET /v1/organizations/analytics/cost was refused: invalid_request_error: HIPAA; \
             this is not retried; if it persists, report it with this message",
        ));
        assert_eq!(
            e.to_string(),
            "the Analytics API cannot answer (hipaa_organization, HTTP 400, request id req_1): \
             GET /v1/organizations/analytics/cost was refused: invalid_request_error: HIPAA; \
             the legacy usage and cost reports still serve this"
        );
    }

    #[test]
    fn the_window_starts_at_2026_or_365_days_back() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(
            analytics_earliest(t("2026-11-20T00:00:00Z")),
            analytics_start()
        );
        assert_eq!(
            analytics_earliest(t("2027-03-01T10:30:00Z")),
            t("2026-03-01T11:00:00Z")
        );
        let e = before_start(Some(1), t("2025-12-01T00:00:00Z"));
        assert_eq!(e.code(), "UPSTREAM");
        assert_eq!(
            e.analytics_unavailable(),
            Some(AnalyticsUnavailable::BeforeAnalyticsStart)
        );
    }
}

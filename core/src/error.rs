//! The one error type of costledger, with a stable machine-readable [`Error::code`].
//!
//! Every binding carries the same code: Python's `CostLedgerError.code`, Node's
//! `CostLedgerError.code`, the CLI's stderr. Messages say what was wrong and what to do,
//! and never contain a credential beyond its hint.

use std::time::Duration;

use crate::macros::string_enum;

/// A boxed third-party error kept as a source, so that sqlx or reqwest types never become
/// part of costledger's public API.
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// `Result` with costledger's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in costledger.
///
/// Match on [`Error::code`] rather than on variants when the caller only needs the kind: the
/// enum is `#[non_exhaustive]` and grows, the codes never change meaning.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument or configuration value was rejected before anything was written.
    #[error("{message}")]
    InvalidInput {
        /// What was wrong and what to do.
        message: String,
    },

    /// No plan connection has this id.
    #[error("plan {id} not found; list the plans to see their ids")]
    PlanNotFound {
        /// The id that was asked for.
        id: i64,
    },

    /// No subject (host user) has this id.
    #[error("subject '{id}' not found; create the subject first")]
    SubjectNotFound {
        /// The id that was asked for.
        id: String,
    },

    /// No project has this id.
    #[error("project {id} not found")]
    ProjectNotFound {
        /// The id that was asked for.
        id: i64,
    },

    /// No key mapping has this id.
    #[error("mapping {id} not found")]
    MappingNotFound {
        /// The id that was asked for.
        id: i64,
    },

    /// No budget has this id.
    #[error("budget {id} not found")]
    BudgetNotFound {
        /// The id that was asked for.
        id: i64,
    },

    /// The write would break a uniqueness rule (a label already in use, an org already
    /// connected, a concurrent change).
    #[error("{message}")]
    Conflict {
        /// What collided with what.
        message: String,
    },

    /// The provider refused the credential (HTTP 401 or 403). Retrying will not help: the
    /// key was revoked, mistyped, or lacks admin rights.
    #[error(
        "the provider refused the credential{plan} (HTTP {status}{request}): {message}; \
         check the admin key, and replace it by rotating the plan's credential",
        plan = plan_suffix(*plan),
        request = request_suffix(request_id)
    )]
    CredentialRejected {
        /// The plan whose credential was refused, when known.
        plan: Option<i64>,
        /// The HTTP status (401 or 403).
        status: u16,
        /// The provider's request id, for support tickets.
        request_id: Option<String>,
        /// The provider's own message.
        message: String,
    },

    /// The OAuth authorization server refused a grant: a code that is reused, expired or
    /// does not match its verifier, a refresh token that was revoked or already used, or a
    /// client it does not know. Same code as [`Error::CredentialRejected`]: the way back is
    /// signing in again.
    #[error(
        "the OAuth provider refused the grant{plan} (HTTP {status}): {error}{sep}{description}; \
         connect the plan again by signing in with OAuth",
        plan = plan_suffix(*plan),
        sep = if description.is_empty() { "" } else { ": " }
    )]
    OAuthRejected {
        /// The plan whose grant was refused, when known.
        plan: Option<i64>,
        /// The HTTP status (400 or 401).
        status: u16,
        /// The OAuth error code (`invalid_grant`, `invalid_client`, …).
        error: String,
        /// The provider's `error_description`.
        description: String,
    },

    /// A credential answered for another organisation than the one the plan was created for.
    #[error(
        "the credential answers for organisation {found}, but plan {plan} belongs to \
         organisation {expected}; use a key of organisation {expected}, or add a new plan"
    )]
    OrgMismatch {
        /// The plan concerned.
        plan: i64,
        /// The org id recorded on the plan.
        expected: String,
        /// The org id the credential answered for.
        found: String,
    },

    /// The provider kept answering 429 after every retry.
    #[error(
        "the provider rate-limited the requests (HTTP {status}{request}) and {retries} retries \
         did not get through; sync again later or lower the concurrency",
        request = request_suffix(request_id)
    )]
    RateLimited {
        /// The last HTTP status (429).
        status: u16,
        /// The provider's request id of the last attempt.
        request_id: Option<String>,
        /// How many retries were made.
        retries: u32,
        /// The wait the provider asked for in its last answer.
        retry_after: Option<Duration>,
    },

    /// The provider failed (5xx, 529, a connection error, a malformed body) after every
    /// retry, or answered with an error that retrying cannot fix.
    #[error(
        "the provider request failed{status}{request}: {message}",
        status = status.map(|s| format!(" (HTTP {s})")).unwrap_or_default(),
        request = request_suffix(request_id)
    )]
    Upstream {
        /// The HTTP status, when a response arrived.
        status: Option<u16>,
        /// The provider's request id, when known.
        request_id: Option<String>,
        /// What went wrong.
        message: String,
        /// The underlying error, when there is one.
        #[source]
        source: Option<BoxError>,
    },

    /// The Anthropic Usage and Cost Analytics API cannot answer for this plan and range
    /// (history before 2026 or older than 365 days, a HIPAA-ready organisation, a credential
    /// without the scope, the beta not enabled): read the legacy usage and cost reports
    /// instead. Its code is `UPSTREAM`; match the variant (or
    /// [`Error::analytics_unavailable`]) for the reason.
    #[error(
        "the Analytics API cannot answer{plan} ({reason}{status}{request}): {message}; \
         the legacy usage and cost reports still serve this",
        plan = plan.map(|p| format!(" for plan {p}")).unwrap_or_default(),
        status = status.map(|s| format!(", HTTP {s}")).unwrap_or_default(),
        request = request_suffix(request_id)
    )]
    AnalyticsUnavailable {
        /// The plan concerned, when known.
        plan: Option<i64>,
        /// Why.
        reason: AnalyticsUnavailable,
        /// The HTTP status, when the provider said so (none when costledger knew before
        /// asking).
        status: Option<u16>,
        /// The provider's request id, when known.
        request_id: Option<String>,
        /// The provider's message, or costledger's.
        message: String,
    },

    /// A credential could not be sealed or opened: a wrong or missing master key, a tampered
    /// or moved ciphertext, a failing host cipher.
    #[error("{message}")]
    Crypto {
        /// What failed, naming the plan when one is concerned.
        message: String,
    },

    /// The database failed or holds something costledger cannot read.
    #[error("storage error: {message}")]
    Storage {
        /// What was being done.
        message: String,
        /// The database driver's error.
        #[source]
        source: Option<BoxError>,
    },

    /// The ledger handle was closed.
    #[error("the ledger is closed; open a new one")]
    Closed,

    /// A sync was cancelled ([`crate::SyncCancel`], a signal, a binding's interrupt) and
    /// stopped after its last committed page.
    #[error(
        "the sync was interrupted; what it committed is kept, and the next sync resumes from \
         there"
    )]
    Interrupted,

    /// A bug in costledger: please report it with the message.
    #[error("internal error: {message}")]
    Internal {
        /// What went wrong.
        message: String,
    },
}

fn plan_suffix(plan: Option<i64>) -> String {
    plan.map(|p| format!(" of plan {p}")).unwrap_or_default()
}

fn request_suffix(request_id: &Option<String>) -> String {
    request_id
        .as_ref()
        .map(|r| format!(", request id {r}"))
        .unwrap_or_default()
}

impl Error {
    /// The stable SCREAMING_SNAKE code of this error, identical in Rust, Python, Node and
    /// the CLI.
    pub fn code(&self) -> &'static str {
        match self {
            Error::InvalidInput { .. } => "INVALID_INPUT",
            Error::PlanNotFound { .. } => "PLAN_NOT_FOUND",
            Error::SubjectNotFound { .. } => "SUBJECT_NOT_FOUND",
            Error::ProjectNotFound { .. } => "PROJECT_NOT_FOUND",
            Error::MappingNotFound { .. } => "MAPPING_NOT_FOUND",
            Error::BudgetNotFound { .. } => "BUDGET_NOT_FOUND",
            Error::Conflict { .. } => "CONFLICT",
            Error::CredentialRejected { .. } | Error::OAuthRejected { .. } => "CREDENTIAL_REJECTED",
            Error::OrgMismatch { .. } => "ORG_MISMATCH",
            Error::RateLimited { .. } => "RATE_LIMITED",
            Error::Upstream { .. } | Error::AnalyticsUnavailable { .. } => "UPSTREAM",
            Error::Crypto { .. } => "CRYPTO",
            Error::Storage { .. } => "STORAGE",
            Error::Closed => "CLOSED",
            Error::Interrupted => "INTERRUPTED",
            Error::Internal { .. } => "INTERNAL",
        }
    }

    /// Why the Analytics API cannot answer, when this is that error.
    pub fn analytics_unavailable(&self) -> Option<AnalyticsUnavailable> {
        match self {
            Error::AnalyticsUnavailable { reason, .. } => Some(*reason),
            _ => None,
        }
    }

    /// Every code [`Error::code`] can return, for bindings that build one class per code.
    pub const CODES: &'static [&'static str] = &[
        "INVALID_INPUT",
        "PLAN_NOT_FOUND",
        "SUBJECT_NOT_FOUND",
        "PROJECT_NOT_FOUND",
        "MAPPING_NOT_FOUND",
        "BUDGET_NOT_FOUND",
        "CONFLICT",
        "CREDENTIAL_REJECTED",
        "ORG_MISMATCH",
        "RATE_LIMITED",
        "UPSTREAM",
        "CRYPTO",
        "STORAGE",
        "CLOSED",
        "INTERRUPTED",
        "INTERNAL",
    ];

    /// True for the not-found family (`*_NOT_FOUND`).
    pub fn is_not_found(&self) -> bool {
        self.code().ends_with("_NOT_FOUND")
    }

    /// Shorthand for [`Error::InvalidInput`].
    pub fn invalid(message: impl Into<String>) -> Self {
        Error::InvalidInput {
            message: message.into(),
        }
    }

    /// Shorthand for [`Error::Conflict`].
    pub fn conflict(message: impl Into<String>) -> Self {
        Error::Conflict {
            message: message.into(),
        }
    }

    /// Shorthand for [`Error::Crypto`].
    pub fn crypto(message: impl Into<String>) -> Self {
        Error::Crypto {
            message: message.into(),
        }
    }

    /// Shorthand for [`Error::Internal`].
    pub fn internal(message: impl Into<String>) -> Self {
        Error::Internal {
            message: message.into(),
        }
    }

    /// A storage error with its driver source.
    pub fn storage(message: impl Into<String>, source: impl Into<BoxError>) -> Self {
        Error::Storage {
            message: message.into(),
            source: Some(source.into()),
        }
    }

    /// The message followed by the messages of its sources, for bindings that flatten the
    /// chain into one string.
    pub fn full_message(&self) -> String {
        let mut text = self.to_string();
        let mut cause = std::error::Error::source(self);
        while let Some(c) = cause {
            let next = c.to_string();
            if !text.contains(&next) {
                text.push_str(": ");
                text.push_str(&next);
            }
            cause = c.source();
        }
        text
    }

    /// Attach the plan id to an error that concerns one plan's credential.
    pub(crate) fn for_plan(self, plan_id: i64) -> Self {
        match self {
            Error::CredentialRejected {
                plan: None,
                status,
                request_id,
                message,
            } => Error::CredentialRejected {
                plan: Some(plan_id),
                status,
                request_id,
                message,
            },
            Error::OAuthRejected {
                plan: None,
                status,
                error,
                description,
            } => Error::OAuthRejected {
                plan: Some(plan_id),
                status,
                error,
                description,
            },
            other => other,
        }
    }
}

string_enum! {
    /// Why the Analytics API cannot answer for a plan and range, so a sync reads the legacy
    /// usage and cost reports instead and records this reason.
    AnalyticsUnavailable, "analytics unavailable reason" {
        /// The range starts before 2026-01-01, the API's first day.
        BeforeAnalyticsStart => "before_2026",
        /// The range starts more than 365 days ago.
        OlderThan365Days => "older_than_365_days",
        /// A HIPAA-ready organisation: the API answers 400.
        HipaaOrganization => "hipaa_organization",
        /// The credential may not read analytics (a scoped key without `read:analytics`,
        /// or an OAuth token): 403.
        MissingScope => "missing_scope",
        /// The organisation has not enabled the beta (404).
        BetaNotEnabled => "beta_not_enabled",
    }
}

impl AnalyticsUnavailable {
    /// The reason in words, for messages.
    pub fn explain(self) -> &'static str {
        match self {
            AnalyticsUnavailable::BeforeAnalyticsStart => {
                "the Analytics API serves nothing before 2026-01-01"
            }
            AnalyticsUnavailable::OlderThan365Days => {
                "the Analytics API serves nothing older than 365 days"
            }
            AnalyticsUnavailable::HipaaOrganization => {
                "the organisation is HIPAA-ready, which the Analytics API does not serve"
            }
            AnalyticsUnavailable::MissingScope => {
                "the credential has no read:analytics scope (OAuth tokens never do)"
            }
            AnalyticsUnavailable::BetaNotEnabled => {
                "the organisation has not enabled the Analytics API beta"
            }
        }
    }

    /// Whether it holds for every range of the plan (so a sync need not ask again until
    /// the credential or the organisation changes), rather than for this range only.
    pub fn is_permanent(self) -> bool {
        !matches!(
            self,
            AnalyticsUnavailable::BeforeAnalyticsStart | AnalyticsUnavailable::OlderThan365Days
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_variant_has_a_listed_code() {
        let samples = [
            Error::invalid("x"),
            Error::PlanNotFound { id: 1 },
            Error::SubjectNotFound { id: "u".into() },
            Error::ProjectNotFound { id: 1 },
            Error::MappingNotFound { id: 1 },
            Error::BudgetNotFound { id: 1 },
            Error::conflict("x"),
            Error::CredentialRejected {
                plan: None,
                status: 401,
                request_id: None,
                message: "m".into(),
            },
            Error::OrgMismatch {
                plan: 1,
                expected: "a".into(),
                found: "b".into(),
            },
            Error::RateLimited {
                status: 429,
                request_id: None,
                retries: 2,
                retry_after: None,
            },
            Error::Upstream {
                status: Some(500),
                request_id: None,
                message: "m".into(),
                source: None,
            },
            Error::crypto("x"),
            Error::Storage {
                message: "x".into(),
                source: None,
            },
            Error::Closed,
            Error::Interrupted,
            Error::internal("x"),
        ];
        assert_eq!(samples.len(), Error::CODES.len());
        for (e, code) in samples.iter().zip(Error::CODES) {
            assert_eq!(e.code(), *code);
        }
    }

    #[test]
    fn credential_rejected_names_plan_and_request() {
        let e = Error::CredentialRejected {
            plan: None,
            status: 401,
            request_id: Some("req_1".into()),
            message: "invalid x-api-key".into(),
        }
        .for_plan(3);
        let text = e.to_string();
        assert!(text.contains("of plan 3"), "{text}");
        assert!(text.contains("HTTP 401, request id req_1"), "{text}");
        assert!(text.contains("invalid x-api-key"), "{text}");
    }

    #[test]
    fn oauth_rejected_is_credential_rejected_and_says_reconnect() {
        let e = Error::OAuthRejected {
            plan: None,
            status: 400,
            error: "invalid_grant".into(),
            description: "refresh token was revoked".into(),
        }
        .for_plan(4);
        assert_eq!(e.code(), "CREDENTIAL_REJECTED");
        assert_eq!(
            e.to_string(),
            "the OAuth provider refused the grant of plan 4 (HTTP 400): invalid_grant: refresh \
             token was revoked; connect the plan again by signing in with OAuth"
        );
    }

    #[test]
    fn full_message_includes_sources_once() {
        let e = Error::storage("opening the database", std::io::Error::other("disk full"));
        assert_eq!(
            e.full_message(),
            "storage error: opening the database: disk full"
        );
    }
}

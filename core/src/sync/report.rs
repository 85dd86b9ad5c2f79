//! What a sync returns: one outcome per plan, and per stream what it did.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::Error;
use crate::model::{SyncStatus, SyncStream};
use crate::reports::BudgetAlert;

/// An error as a sync report carries it: the stable code and the message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SyncError {
    /// The stable code ([`Error::code`]).
    pub code: String,
    /// The message, with its causes.
    pub message: String,
}

impl From<&Error> for SyncError {
    fn from(e: &Error) -> Self {
        SyncError {
            code: e.code().to_string(),
            message: e.full_message(),
        }
    }
}

/// What one stream of one plan did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StreamReport {
    /// The stream.
    pub stream: SyncStream,
    /// How it ended.
    pub status: SyncStatus,
    /// When it started (by the ledger's clock).
    pub started_at: DateTime<Utc>,
    /// When it finished (by the ledger's clock).
    pub finished_at: DateTime<Utc>,
    /// Start of the window synced.
    pub window_start: Option<DateTime<Utc>>,
    /// End of the window synced.
    pub window_end: Option<DateTime<Utc>>,
    /// Buckets (hours, days) written.
    pub buckets_written: i64,
    /// Rows written.
    pub rows_written: i64,
    /// HTTP requests made, retries included.
    pub requests: i64,
    /// Retries among them.
    pub retries: i64,
    /// How long it took; written as `duration_ms`, in milliseconds.
    #[serde(rename = "duration_ms", with = "duration_ms")]
    #[schemars(
        rename = "duration_ms",
        with = "f64",
        description = "How long it took, in milliseconds."
    )]
    pub duration: Duration,
    /// Why it failed.
    pub error: Option<SyncError>,
}

/// What the sync of one plan did. Serialized with its [`rows_written`](Self::rows_written)
/// beside its fields, so the bindings read the sum instead of adding it up themselves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlanSyncReport {
    /// The plan.
    pub plan_id: i64,
    /// Its label.
    pub label: String,
    /// ok, partial, error, skipped, or interrupted.
    pub status: SyncStatus,
    /// Why it was skipped (`locked`: another worker holds the plan's lease).
    pub skipped_reason: Option<String>,
    /// The error that ended the plan's sync, the first stream error of a partial sync, or
    /// `INTERRUPTED`.
    pub error: Option<SyncError>,
    /// One report per stream that ran.
    pub streams: Vec<StreamReport>,
}

impl PlanSyncReport {
    /// The report of one stream, if it ran.
    pub fn stream(&self, stream: SyncStream) -> Option<&StreamReport> {
        self.streams.iter().find(|s| s.stream == stream)
    }

    /// Rows written by every stream.
    pub fn rows_written(&self) -> i64 {
        self.streams.iter().map(|s| s.rows_written).sum()
    }
}

/// What [`crate::Ledger::sync`] did, one entry per plan in id order. Serialized with
/// [`is_ok`](Self::is_ok) (as `ok`) and [`rows_written`](Self::rows_written) beside its
/// fields, so the bindings read them instead of deriving them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncReport {
    /// When the sync started.
    pub started_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: DateTime<Utc>,
    /// One outcome per plan.
    pub plans: Vec<PlanSyncReport>,
    /// Budget thresholds reached for the first time in their current period, evaluated at
    /// the end of the sync; each is returned by one sync only.
    pub budget_alerts: Vec<BudgetAlert>,
}

impl SyncReport {
    /// The outcome of one plan.
    pub fn plan(&self, plan_id: i64) -> Option<&PlanSyncReport> {
        self.plans.iter().find(|p| p.plan_id == plan_id)
    }

    /// True when every plan synced completely.
    pub fn is_ok(&self) -> bool {
        self.plans.iter().all(|p| p.status == SyncStatus::Ok)
    }

    /// Rows written across all plans.
    pub fn rows_written(&self) -> i64 {
        self.plans.iter().map(PlanSyncReport::rows_written).sum()
    }
}

/// A [`PlanSyncReport`] as it is written, with its rows summed.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(
    rename = "PlanSyncReport",
    description = "What the sync of one plan did."
)]
struct PlanSyncReportForm<'a> {
    /// The plan.
    plan_id: i64,
    /// Its label.
    label: &'a str,
    /// `ok`, `partial` (some streams failed; what succeeded is committed), `error`,
    /// `skipped` (see `skipped_reason`), or `interrupted` (cancelled: stopped after its last
    /// committed page).
    status: SyncStatus,
    /// Why it was skipped: it starts with `locked` when another worker holds the plan's sync
    /// lease.
    skipped_reason: &'a Option<String>,
    /// The error that ended the plan's sync, the first stream error of a partial sync, or
    /// `INTERRUPTED`.
    error: &'a Option<SyncError>,
    /// Rows written by all its streams.
    rows_written: i64,
    /// One report per stream that ran.
    streams: &'a [StreamReport],
}

impl Serialize for PlanSyncReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        PlanSyncReportForm {
            plan_id: self.plan_id,
            label: &self.label,
            status: self.status,
            skipped_reason: &self.skipped_reason,
            error: &self.error,
            rows_written: self.rows_written(),
            streams: &self.streams,
        }
        .serialize(s)
    }
}

impl schemars::JsonSchema for PlanSyncReport {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PlanSyncReport".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        PlanSyncReportForm::json_schema(generator)
    }
}

/// A [`SyncReport`] as it is written, with its outcome and rows summed.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(
    rename = "SyncReport",
    description = "What `sync` did, one entry per plan in id order."
)]
struct SyncReportForm<'a> {
    /// When the sync started.
    started_at: DateTime<Utc>,
    /// When it finished.
    finished_at: DateTime<Utc>,
    /// True when every plan synced completely.
    ok: bool,
    /// Rows written across all plans.
    rows_written: i64,
    /// One outcome per plan.
    plans: &'a [PlanSyncReport],
    /// Budget thresholds reached for the first time in their current period, checked at the
    /// end of the sync; each is reported by one sync only.
    budget_alerts: &'a [BudgetAlert],
}

impl Serialize for SyncReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        SyncReportForm {
            started_at: self.started_at,
            finished_at: self.finished_at,
            ok: self.is_ok(),
            rows_written: self.rows_written(),
            plans: &self.plans,
            budget_alerts: &self.budget_alerts,
        }
        .serialize(s)
    }
}

impl schemars::JsonSchema for SyncReport {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "SyncReport".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        SyncReportForm::json_schema(generator)
    }
}

mod duration_ms {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64() * 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(rows: i64) -> StreamReport {
        let at = DateTime::<Utc>::from_timestamp(1_790_000_000, 0).unwrap();
        StreamReport {
            stream: SyncStream::Usage,
            status: SyncStatus::Ok,
            started_at: at,
            finished_at: at,
            window_start: None,
            window_end: None,
            buckets_written: 1,
            rows_written: rows,
            requests: 1,
            retries: 0,
            duration: Duration::from_millis(5),
            error: None,
        }
    }

    #[test]
    fn json_carries_the_outcome_and_the_sums() {
        let plan = |plan_id, status, rows: &[i64]| PlanSyncReport {
            plan_id,
            label: format!("Org {plan_id}"),
            status,
            skipped_reason: None,
            error: None,
            streams: rows.iter().map(|&r| stream(r)).collect(),
        };
        let report = SyncReport {
            started_at: DateTime::<Utc>::from_timestamp(1_790_000_000, 0).unwrap(),
            finished_at: DateTime::<Utc>::from_timestamp(1_790_000_060, 0).unwrap(),
            plans: vec![
                plan(1, SyncStatus::Ok, &[3, 4]),
                plan(2, SyncStatus::Partial, &[5]),
            ],
            budget_alerts: Vec::new(),
        };
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["ok"], false);
        assert_eq!(json["rows_written"], 12);
        assert_eq!(json["plans"][0]["rows_written"], 7);
        assert_eq!(json["plans"][1]["status"], "partial");
        assert_eq!(json["plans"][0]["streams"][1]["rows_written"], 4);
        assert_eq!(json["finished_at"], "2026-09-21T14:14:20Z");
        let ok = SyncReport {
            plans: vec![plan(1, SyncStatus::Ok, &[])],
            ..report
        };
        assert_eq!(serde_json::to_value(&ok).unwrap()["ok"], true);
    }
}

//! What a sync returns: one outcome per plan, and per stream what it did.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::error::Error;
use crate::model::{SyncStatus, SyncStream};
use crate::reports::BudgetAlert;

/// An error as a sync report carries it: the stable code and the message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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
    /// How long it took.
    #[serde(with = "duration_ms")]
    pub duration: Duration,
    /// Why it failed.
    pub error: Option<SyncError>,
}

/// What the sync of one plan did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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

/// What [`crate::Ledger::sync`] did, one entry per plan in id order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
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

mod duration_ms {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u64(d.as_millis() as u64)
    }
}

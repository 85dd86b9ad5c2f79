//! What a sync did: events per plan and stream, the filter to read them back, and the
//! requests an operation took.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::macros::string_enum;

string_enum! {
    /// One of the things a sync brings in for a plan.
    SyncStream, "sync stream" {
        /// Organisation identity, workspaces, API keys, users.
        Metadata => "metadata",
        /// Usage buckets (tokens).
        Usage => "usage",
        /// Billed cost (daily).
        Cost => "cost",
        /// Claude Code analytics (daily, per user and terminal).
        ClaudeCode => "claude_code",
        /// Billed cost of the Anthropic Analytics API (hourly, per key, actor, workspace,
        /// model, cost and token type, tier, window): the billed basis of the days it covers.
        Analytics => "analytics",
        /// The organisation's spend limits and (Claude Enterprise) each member's effective
        /// limit and period-to-date spend, replaced as a whole each sync (Anthropic).
        SpendLimits => "spend_limits",
        /// Allocation of the bill to keys, recomputed for the days the other streams changed
        /// (runs by itself after them; not a stream to ask for).
        Allocation => "allocation",
        /// The plan as a whole, for what fails before any stream starts (the lease, the
        /// credential).
        Plan => "plan",
    }
}

impl SyncStream {
    /// The streams a sync runs by default, in the order it runs them: the legacy ones and,
    /// for Anthropic plans, the Analytics API's billed cost, which bills the days it covers,
    /// and the organisation's spend limits.
    pub const DEFAULT: &'static [SyncStream] = &[
        SyncStream::Metadata,
        SyncStream::Usage,
        SyncStream::Cost,
        SyncStream::ClaudeCode,
        SyncStream::Analytics,
        SyncStream::SpendLimits,
    ];

    /// The legacy streams alone (no [`SyncStream::Analytics`], no spend limits): every day is
    /// billed by the legacy cost report's allocation, or estimated.
    pub const LEGACY: &'static [SyncStream] = &[
        SyncStream::Metadata,
        SyncStream::Usage,
        SyncStream::Cost,
        SyncStream::ClaudeCode,
    ];

    /// [`SyncStream::DEFAULT`] (kept for code written when the analytics stream had to be
    /// asked for).
    pub const WITH_ANALYTICS: &'static [SyncStream] = SyncStream::DEFAULT;
}

string_enum! {
    /// How a sync of a plan, or of one of its streams, ended.
    SyncStatus, "sync status" {
        /// Everything asked for was brought in.
        Ok => "ok",
        /// Some streams failed; what succeeded is committed.
        Partial => "partial",
        /// Nothing succeeded; see the error.
        Error => "error",
        /// Not run: another worker holds the plan's lease.
        Skipped => "skipped",
        /// Stopped early on request (a [`crate::SyncCancel`], a signal); what was committed
        /// is kept and the next sync resumes from it.
        Interrupted => "interrupted",
    }
}

/// One persisted record of a sync of one plan's stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SyncEvent {
    /// The event's id (increasing).
    pub id: i64,
    /// The plan.
    pub plan_id: i64,
    /// The stream.
    pub stream: SyncStream,
    /// When the stream started.
    pub started_at: DateTime<Utc>,
    /// When it finished.
    pub finished_at: DateTime<Utc>,
    /// How it ended.
    pub status: SyncStatus,
    /// Start of the window it synced.
    pub window_start: Option<DateTime<Utc>>,
    /// End of the window it synced.
    pub window_end: Option<DateTime<Utc>>,
    /// Buckets (hours, days) written.
    pub buckets_written: i64,
    /// Rows written.
    pub rows_written: i64,
    /// HTTP requests made, retries included.
    pub requests: i64,
    /// Retries among them.
    pub retries: i64,
    /// The error code, when it failed or was skipped.
    pub error_code: Option<String>,
    /// The error message.
    pub error_message: Option<String>,
}

/// Which sync events [`crate::Ledger::sync_history`] returns, newest first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncHistoryFilter {
    /// Only this plan.
    pub plan_id: Option<i64>,
    /// Only this stream.
    pub stream: Option<SyncStream>,
    /// Only this status.
    pub status: Option<SyncStatus>,
    /// Only events with an id below this (for paging back).
    pub before_id: Option<i64>,
    /// At most this many (default 100, at most 10 000).
    pub limit: i64,
}

impl Default for SyncHistoryFilter {
    fn default() -> Self {
        SyncHistoryFilter {
            plan_id: None,
            stream: None,
            status: None,
            before_id: None,
            limit: 100,
        }
    }
}

impl SyncHistoryFilter {
    /// Events of one plan.
    pub fn plan(plan_id: i64) -> Self {
        SyncHistoryFilter {
            plan_id: Some(plan_id),
            ..Self::default()
        }
    }
}

/// How many HTTP requests an operation took, and how many of them were retries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestStats {
    /// Requests sent, retries included.
    pub requests: u32,
    /// Requests that repeated a failed one.
    pub retries: u32,
}

impl RequestStats {
    /// Add another operation's counts.
    pub fn add(&mut self, other: RequestStats) {
        self.requests += other.requests;
        self.retries += other.retries;
    }
}

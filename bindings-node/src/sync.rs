//! Sync on `Ledger`: bring plans' usage, cost and metadata in, and read the sync history.

use std::time::Duration;

use chrono::TimeDelta;
use costledger::{SyncHistoryFilter, SyncOptions as CoreSyncOptions};
use napi::Env;
use napi::bindgen_prelude::PromiseRaw;
use napi_derive::napi;

use crate::error::run;
use crate::integers;
use crate::ledger::JsLedger;
use crate::model::{iso, iso_opt, list, parse_instant, parse_opt};
use crate::reports::BudgetAlert;

/// Stops a running `sync` gracefully: each plan commits the page being written, records an
/// `interrupted` event and releases its lease. The `Ledger` facade triggers it from the
/// `signal` option (an `AbortSignal`).
#[napi]
#[derive(Default)]
pub struct SyncCancel {
    inner: costledger::SyncCancel,
}

#[napi]
impl SyncCancel {
    /// A handle not cancelled yet.
    #[napi(constructor)]
    pub fn new() -> Self {
        Self::default()
    }

    /// Ask the sync to stop after the page being written.
    #[napi]
    pub fn cancel(&self) {
        self.inner.cancel();
    }

    /// True once cancelled.
    #[napi(getter)]
    pub fn cancelled(&self) -> bool {
        self.inner.is_cancelled()
    }
}

/// A time range `[from, to)`, as ISO-8601 instants.
#[napi(object, object_to_js = false)]
pub struct TimeRange {
    /// Start, inclusive (`2026-10-01T00:00:00Z`).
    pub from: String,
    /// End, exclusive.
    pub to: String,
}

/// What `sync` does. Every field is optional.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct SyncOptions {
    /// Sync only this plan. Default: every plan not disconnected.
    pub plan_id: Option<f64>,
    /// Which streams, in this order. Default `['metadata', 'usage', 'cost', 'claude_code', 'spend_limits']`.
    #[napi(
        ts_type = "Array<'metadata' | 'usage' | 'cost' | 'claude_code' | 'analytics' | 'spend_limits'>"
    )]
    pub streams: Option<Vec<String>>,
    /// Usage bucket width. Default `'1h'`.
    #[napi(ts_type = "'1h' | '1d'")]
    pub usage_width: Option<String>,
    /// How far back a plan's first sync reaches, in days. Default 30.
    pub initial_backfill_days: Option<f64>,
    /// How much recent usage is synced again each time, in days. Default 2.
    pub usage_lookback_days: Option<f64>,
    /// How much recent cost is synced again each time, in days. Default 3.
    pub cost_lookback_days: Option<f64>,
    /// How many recent days of Claude Code analytics are synced again. Default 2.
    pub claude_code_lookback_days: Option<f64>,
    /// Re-sync this explicit range instead of the usual window, without moving any
    /// watermark back.
    pub backfill: Option<TimeRange>,
    /// Plans synced at once (1-64). Default 4.
    pub concurrency: Option<f64>,
    /// Lifetime of a plan's sync lease in milliseconds, renewed every third of it; a crashed
    /// worker's plan can be synced again after this long. Default 60000.
    pub lease_ttl_ms: Option<f64>,
}

impl TryFrom<SyncOptions> for CoreSyncOptions {
    type Error = costledger::Error;

    fn try_from(o: SyncOptions) -> costledger::Result<Self> {
        let mut s = CoreSyncOptions {
            plan_id: integers::opt_id("planId", o.plan_id)?,
            ..CoreSyncOptions::default()
        };
        if let Some(streams) = o.streams {
            s.streams = streams
                .iter()
                .map(|t| t.parse())
                .collect::<costledger::Result<_>>()?;
        }
        if let Some(width) = parse_opt(o.usage_width)? {
            s.usage_width = width;
        }
        let days = |d: u32| TimeDelta::days(d.into());
        let opt = integers::opt_uint32;
        if let Some(d) = opt("initialBackfillDays", o.initial_backfill_days)? {
            s.initial_backfill = days(d);
        }
        if let Some(d) = opt("usageLookbackDays", o.usage_lookback_days)? {
            s.usage_lookback = days(d);
        }
        if let Some(d) = opt("costLookbackDays", o.cost_lookback_days)? {
            s.cost_lookback = days(d);
        }
        if let Some(d) = opt("claudeCodeLookbackDays", o.claude_code_lookback_days)? {
            s.claude_code_lookback = days(d);
        }
        if let Some(range) = o.backfill {
            s.backfill = Some((
                parse_instant("backfill.from", &range.from)?,
                parse_instant("backfill.to", &range.to)?,
            ));
        }
        if let Some(n) = opt("concurrency", o.concurrency)? {
            s.concurrency = n as usize;
        }
        if let Some(ms) = opt("leaseTtlMs", o.lease_ttl_ms)? {
            s.lease_ttl = Duration::from_millis(ms.into());
        }
        Ok(s)
    }
}

/// An error as a sync report carries it.
#[napi(object, object_from_js = false)]
pub struct SyncError {
    /// The stable code: one of `ERROR_CODES`, as on `CostLedgerError.code`, or
    /// `LOG_LINES_SKIPPED` when a Claude Code logs sync skipped malformed or over-long lines
    /// (its stream is then `partial`).
    pub code: String,
    /// The message, with its causes.
    pub message: String,
}

impl From<costledger::SyncError> for SyncError {
    fn from(e: costledger::SyncError) -> Self {
        SyncError {
            code: e.code,
            message: e.message,
        }
    }
}

/// What one stream of one plan did.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct StreamReport {
    /// The stream: one that was asked for, `allocation` (the bill split across keys for the
    /// days the other streams changed, run after them), or `plan` (what failed before any
    /// stream started).
    #[napi(
        ts_type = "'metadata' | 'usage' | 'cost' | 'claude_code' | 'analytics' | 'spend_limits' | 'allocation' | 'plan'"
    )]
    pub stream: String,
    /// How it ended.
    #[napi(ts_type = "'ok' | 'partial' | 'error' | 'skipped' | 'interrupted'")]
    pub status: String,
    /// When it started (ISO-8601, UTC).
    pub started_at: String,
    /// Start of the window synced (ISO-8601, UTC).
    pub window_start: Option<String>,
    /// End of the window synced (ISO-8601, UTC).
    pub window_end: Option<String>,
    /// Buckets (hours, days) written.
    pub buckets_written: i64,
    /// Rows written.
    pub rows_written: i64,
    /// HTTP requests made, retries included.
    pub requests: i64,
    /// Retries among them.
    pub retries: i64,
    /// How long it took, in milliseconds.
    pub duration_ms: f64,
    /// Why it failed.
    pub error: Option<SyncError>,
}

impl From<costledger::StreamReport> for StreamReport {
    fn from(s: costledger::StreamReport) -> Self {
        StreamReport {
            stream: s.stream.to_string(),
            status: s.status.to_string(),
            started_at: iso(s.started_at),
            window_start: iso_opt(s.window_start),
            window_end: iso_opt(s.window_end),
            buckets_written: s.buckets_written,
            rows_written: s.rows_written,
            requests: s.requests,
            retries: s.retries,
            duration_ms: s.duration.as_secs_f64() * 1000.0,
            error: s.error.map(SyncError::from),
        }
    }
}

/// What the sync of one plan did.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct PlanSyncReport {
    /// The plan.
    pub plan_id: i64,
    /// Its label.
    pub label: String,
    /// `ok`, `partial` (some streams failed; what succeeded is committed), `error`,
    /// `skipped` (see `skippedReason`), or `interrupted` (cancelled: stopped after its last
    /// committed page).
    #[napi(ts_type = "'ok' | 'partial' | 'error' | 'skipped' | 'interrupted'")]
    pub status: String,
    /// Why it was skipped: it starts with `locked` when another worker holds the plan's sync
    /// lease.
    pub skipped_reason: Option<String>,
    /// The error that ended the plan's sync, the first stream error of a partial sync, or
    /// `INTERRUPTED`.
    pub error: Option<SyncError>,
    /// Rows written by all its streams.
    pub rows_written: i64,
    /// One report per stream that ran.
    pub streams: Vec<StreamReport>,
}

impl From<costledger::PlanSyncReport> for PlanSyncReport {
    fn from(p: costledger::PlanSyncReport) -> Self {
        PlanSyncReport {
            rows_written: p.rows_written(),
            plan_id: p.plan_id,
            label: p.label,
            status: p.status.to_string(),
            skipped_reason: p.skipped_reason,
            error: p.error.map(SyncError::from),
            streams: p.streams.into_iter().map(StreamReport::from).collect(),
        }
    }
}

/// What `sync` did, one entry per plan in id order.
#[napi(object, object_from_js = false)]
pub struct SyncReport {
    /// When the sync started (ISO-8601, UTC).
    pub started_at: String,
    /// When it finished (ISO-8601, UTC).
    pub finished_at: String,
    /// True when every plan synced completely.
    pub ok: bool,
    /// Rows written across all plans.
    pub rows_written: i64,
    /// One outcome per plan.
    pub plans: Vec<PlanSyncReport>,
    /// Budget thresholds reached for the first time in their current period, checked at the
    /// end of the sync; each is reported by one sync only.
    pub budget_alerts: Vec<BudgetAlert>,
}

impl From<costledger::SyncReport> for SyncReport {
    fn from(r: costledger::SyncReport) -> Self {
        SyncReport {
            ok: r.is_ok(),
            rows_written: r.rows_written(),
            started_at: iso(r.started_at),
            finished_at: iso(r.finished_at),
            plans: list(r.plans),
            budget_alerts: list(r.budget_alerts),
        }
    }
}

/// Which sync events `syncHistory` returns, newest first.
#[napi(object, object_to_js = false)]
pub struct SyncHistoryOptions {
    /// Only this plan.
    pub plan_id: Option<f64>,
    /// Only this stream.
    #[napi(
        ts_type = "'metadata' | 'usage' | 'cost' | 'claude_code' | 'analytics' | 'spend_limits' | 'allocation' | 'plan'"
    )]
    pub stream: Option<String>,
    /// Only this status.
    #[napi(ts_type = "'ok' | 'partial' | 'error' | 'skipped' | 'interrupted'")]
    pub status: Option<String>,
    /// Only events with an id below this, to page back.
    pub before_id: Option<f64>,
    /// At most this many (1-10000). Default 100.
    pub limit: Option<f64>,
}

impl TryFrom<SyncHistoryOptions> for SyncHistoryFilter {
    type Error = costledger::Error;

    fn try_from(o: SyncHistoryOptions) -> costledger::Result<Self> {
        let default = SyncHistoryFilter::default();
        Ok(SyncHistoryFilter {
            plan_id: integers::opt_id("planId", o.plan_id)?,
            stream: parse_opt(o.stream)?,
            status: parse_opt(o.status)?,
            before_id: integers::opt_id("beforeId", o.before_id)?,
            limit: match o.limit {
                Some(n) => integers::count("limit", n)?,
                None => default.limit,
            },
        })
    }
}

/// One recorded sync of one plan's stream.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct SyncEvent {
    /// The event's id (increasing).
    pub id: i64,
    /// The plan.
    pub plan_id: i64,
    /// The stream.
    #[napi(
        ts_type = "'metadata' | 'usage' | 'cost' | 'claude_code' | 'analytics' | 'spend_limits' | 'allocation' | 'plan'"
    )]
    pub stream: String,
    /// When the stream started (ISO-8601, UTC).
    pub started_at: String,
    /// When it finished (ISO-8601, UTC).
    pub finished_at: String,
    /// How it ended.
    #[napi(ts_type = "'ok' | 'partial' | 'error' | 'skipped' | 'interrupted'")]
    pub status: String,
    /// Start of the window it synced (ISO-8601, UTC).
    pub window_start: Option<String>,
    /// End of the window it synced (ISO-8601, UTC).
    pub window_end: Option<String>,
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

impl From<costledger::SyncEvent> for SyncEvent {
    fn from(e: costledger::SyncEvent) -> Self {
        SyncEvent {
            id: e.id,
            plan_id: e.plan_id,
            stream: e.stream.to_string(),
            started_at: iso(e.started_at),
            finished_at: iso(e.finished_at),
            status: e.status.to_string(),
            window_start: iso_opt(e.window_start),
            window_end: iso_opt(e.window_end),
            buckets_written: e.buckets_written,
            rows_written: e.rows_written,
            requests: e.requests,
            retries: e.retries,
            error_code: e.error_code,
            error_message: e.error_message,
        }
    }
}

#[napi]
impl JsLedger {
    /// Sync every plan that is not disconnected (or only `planId`): each plan's outcome is in
    /// the report, one plan's failure never stops another, and a plan whose lease another
    /// worker holds is reported `skipped` (`locked`). Runs off the event loop: a long sync
    /// never delays the host's other requests. `cancel` stops it gracefully (the facade's
    /// `signal` option drives it): every plan is then reported `interrupted`. Rejects up front
    /// with `INVALID_INPUT` when a plan to sync has a credential and the ledger was opened
    /// without a master key.
    #[napi(catch_unwind)]
    pub fn sync<'env>(
        &self,
        env: &'env Env,
        options: Option<SyncOptions>,
        cancel: Option<&SyncCancel>,
    ) -> napi::Result<PromiseRaw<'env, SyncReport>> {
        let options = options.unwrap_or_default();
        let ledger = self.inner.clone();
        let cancel = cancel.map(|c| c.inner.clone());
        env.spawn_future(async move {
            run(async {
                let mut options: CoreSyncOptions = options.try_into()?;
                options.cancel = cancel;
                ledger.sync(options).await
            })
            .await
            .map(SyncReport::from)
        })
    }

    /// Recorded sync events, newest first.
    #[napi(catch_unwind)]
    pub async fn sync_history(
        &self,
        options: Option<SyncHistoryOptions>,
    ) -> napi::Result<Vec<SyncEvent>> {
        let filter = options.map_or_else(|| Ok(SyncHistoryFilter::default()), TryInto::try_into);
        run(async { self.inner.sync_history(filter?).await })
            .await
            .map(list)
    }
}

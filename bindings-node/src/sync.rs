//! Sync on `Ledger`: bring plans' usage, cost and metadata in, and read the sync history.

use std::time::Duration;

use chrono::TimeDelta;
use costledger::{SyncHistoryFilter, SyncOptions as CoreSyncOptions};
use napi::Env;
use napi::bindgen_prelude::PromiseRaw;
use napi_derive::napi;

use crate::error::run_json;
use crate::integers;
use crate::ledger::JsLedger;
use crate::model::{parse_instant, parse_opt};

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
    ) -> napi::Result<PromiseRaw<'env, String>> {
        let options = options.unwrap_or_default();
        let ledger = self.inner.clone();
        let cancel = cancel.map(|c| c.inner.clone());
        env.spawn_future(async move {
            run_json(async {
                let mut options: CoreSyncOptions = options.try_into()?;
                options.cancel = cancel;
                ledger.sync(options).await
            })
            .await
        })
    }

    /// Recorded sync events, newest first.
    #[napi(catch_unwind)]
    pub async fn sync_history(&self, options: Option<SyncHistoryOptions>) -> napi::Result<String> {
        let filter = options.map_or_else(|| Ok(SyncHistoryFilter::default()), TryInto::try_into);
        run_json(async { self.inner.sync_history(filter?).await }).await
    }
}

//! The multi-plan sync engine: [`crate::Ledger::sync`] brings every active plan's
//! metadata, usage, cost and Claude Code analytics into the store.
//!
//! Per plan, at most `concurrency` plans at once: take the plan's lease (skip it when another
//! worker holds it), open the credential in memory, refresh the metadata (an organisation that
//! changed under the key is an error), then for each stream compute the window from its
//! watermark and write page by page, each page in one transaction that replaces the buckets it
//! covers and advances the watermark. One plan failing never stops or rolls back another.

mod cancel;
mod derive;
mod export;
mod lease;
mod logs;
mod plan;
mod report;
mod streams;
pub mod window;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

pub use crate::failpoints;
pub use cancel::SyncCancel;
pub use report::{PlanSyncReport, StreamReport, SyncError, SyncReport};

use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::ListPlans;
use crate::model::{BucketWidth, SyncEvent, SyncHistoryFilter, SyncStream};

/// What [`crate::Ledger::sync`] does. `SyncOptions::default()` syncs every active plan's
/// default streams.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SyncOptions {
    /// Sync only this plan (under only its lease); `None` syncs every plan not disconnected.
    pub plan_id: Option<i64>,
    /// Which streams, in this order (default: metadata, usage, cost, claude code, analytics,
    /// spend limits).
    pub streams: Vec<SyncStream>,
    /// Usage bucket width: 1h (default) or 1d.
    pub usage_width: BucketWidth,
    /// How far back a plan's first sync reaches (default 30 days).
    pub initial_backfill: TimeDelta,
    /// How much recent usage is synced again each time (default 2 days).
    pub usage_lookback: TimeDelta,
    /// How much recent cost is synced again each time (default 3 days).
    pub cost_lookback: TimeDelta,
    /// How many recent days of Claude Code analytics are synced again (default 2 days).
    pub claude_code_lookback: TimeDelta,
    /// Re-sync this explicit range instead of the watermark window, without moving any
    /// watermark back.
    pub backfill: Option<(DateTime<Utc>, DateTime<Utc>)>,
    /// Plans synced at once (default 4).
    pub concurrency: usize,
    /// Lifetime of a plan's sync lease, renewed every third of it (default 60 s). A crashed
    /// worker's plan can be synced again after this long.
    pub lease_ttl: Duration,
    /// Stops the sync gracefully when cancelled (see [`SyncCancel`]); `None`: runs to the
    /// end.
    pub cancel: Option<SyncCancel>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            plan_id: None,
            streams: SyncStream::DEFAULT.to_vec(),
            usage_width: BucketWidth::Hour,
            initial_backfill: TimeDelta::days(30),
            usage_lookback: TimeDelta::days(2),
            cost_lookback: TimeDelta::days(3),
            claude_code_lookback: TimeDelta::days(2),
            backfill: None,
            concurrency: 4,
            lease_ttl: Duration::from_secs(60),
            cancel: None,
        }
    }
}

impl SyncOptions {
    /// Sync only one plan.
    pub fn plan(mut self, plan_id: i64) -> Self {
        self.plan_id = Some(plan_id);
        self
    }

    /// Sync only these streams.
    pub fn streams(mut self, streams: &[SyncStream]) -> Self {
        self.streams = streams.to_vec();
        self
    }

    /// Usage bucket width (1h or 1d).
    pub fn usage_width(mut self, width: BucketWidth) -> Self {
        self.usage_width = width;
        self
    }

    /// How far back a first sync reaches.
    pub fn initial_backfill(mut self, backfill: TimeDelta) -> Self {
        self.initial_backfill = backfill;
        self
    }

    /// Re-sync `[from, to)` without moving watermarks back.
    pub fn backfill(mut self, from: DateTime<Utc>, to: DateTime<Utc>) -> Self {
        self.backfill = Some((from, to));
        self
    }

    /// Plans synced at once.
    pub fn concurrency(mut self, plans: usize) -> Self {
        self.concurrency = plans;
        self
    }

    /// Lifetime of a sync lease.
    pub fn lease_ttl(mut self, ttl: Duration) -> Self {
        self.lease_ttl = ttl;
        self
    }

    /// Stop gracefully when `cancel` is cancelled.
    pub fn cancel(mut self, cancel: SyncCancel) -> Self {
        self.cancel = Some(cancel);
        self
    }

    /// Check the options; `INVALID_INPUT` says which is wrong.
    pub fn validate(&self) -> Result<()> {
        if self.usage_width == BucketWidth::Minute {
            return Err(Error::invalid(
                "usage width must be 1h or 1d; 1m buckets are too fine to store",
            ));
        }
        if self.streams.is_empty()
            || self.streams.contains(&SyncStream::Plan)
            || self.streams.contains(&SyncStream::Allocation)
        {
            return Err(Error::invalid(
                "streams must be a non-empty list of metadata, usage, cost, claude_code",
            ));
        }
        if !(1..=64).contains(&self.concurrency) {
            return Err(Error::invalid(format!(
                "concurrency must be between 1 and 64, got {}",
                self.concurrency
            )));
        }
        let days = |d: TimeDelta| d >= TimeDelta::zero() && d <= TimeDelta::days(3660);
        if !days(self.initial_backfill)
            || !days(self.usage_lookback)
            || !days(self.cost_lookback)
            || !days(self.claude_code_lookback)
        {
            return Err(Error::invalid(
                "initial backfill and lookbacks must be between 0 and 3660 days",
            ));
        }
        if let Some((from, to)) = self.backfill
            && from >= to
        {
            return Err(Error::invalid(format!(
                "backfill range must end after it starts, got {from} to {to}"
            )));
        }
        if self.lease_ttl < Duration::from_secs(1) {
            return Err(Error::invalid("lease ttl must be at least 1 second"));
        }
        Ok(())
    }
}

impl Context {
    /// [`crate::Ledger::sync`].
    pub(crate) async fn sync(self: &Arc<Self>, options: SyncOptions) -> Result<SyncReport> {
        options.validate()?;
        let started_at = self.now();
        let plans = match options.plan_id {
            Some(id) => vec![self.get_plan(id).await?],
            None => self.list_plans(ListPlans::default()).await?,
        };
        if let Some(plan) = plans
            .iter()
            .find(|p| p.status == crate::model::PlanStatus::Disconnected)
        {
            return Err(Error::invalid(format!(
                "plan {} ({:?}) is disconnected and cannot be synced",
                plan.id, plan.label
            )));
        }
        // Refuse up front, before any lease or event, when a plan needs its credential opened
        // and no master key is configured (plans of local logs have none).
        if plans
            .iter()
            .any(|p| p.provider != crate::model::Provider::ClaudeCodeLogs)
        {
            self.require_cipher()?;
        }
        let holder = lease_holder();
        // Each plan is its own task, so the plans' decoding and derivation use every core of
        // the runtime; dropping this future aborts them (the JoinSet's drop), as dropping a
        // single future would.
        let mut tasks = tokio::task::JoinSet::new();
        let mut waiting = plans.into_iter();
        let mut outcomes: Vec<PlanSyncReport> = Vec::new();
        loop {
            while tasks.len() < options.concurrency {
                let Some(plan) = waiting.next() else { break };
                let (ledger, options, holder) = (self.clone(), options.clone(), holder.clone());
                tasks.spawn(async move { ledger.sync_plan(plan, &options, &holder).await });
            }
            match tasks.join_next().await {
                Some(Ok(outcome)) => outcomes.push(outcome),
                Some(Err(e)) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Some(Err(e)) => return Err(Error::internal(format!("a plan's sync task: {e}"))),
                None => break,
            }
        }
        outcomes.sort_by_key(|o| o.plan_id);
        let interrupted = options
            .cancel
            .as_ref()
            .is_some_and(SyncCancel::is_cancelled);
        // Alerts read reports, which would derive what an interrupted sync left stale; the
        // next sync evaluates them.
        let budget_alerts = if interrupted {
            Vec::new()
        } else {
            self.budget_alerts_at(self.now()).await
        };
        Ok(SyncReport {
            started_at,
            finished_at: self.now(),
            plans: outcomes,
            budget_alerts,
        })
    }

    /// [`crate::Ledger::sync_history`].
    pub(crate) async fn sync_history(&self, filter: SyncHistoryFilter) -> Result<Vec<SyncEvent>> {
        self.store.sync_events(&filter).await
    }
}

/// An id for this sync call's leases: host, process, and random bits.
fn lease_holder() -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .or_else(|| std::fs::read_to_string("/etc/hostname").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "host".to_string());
    format!(
        "{host}/{}/{}",
        std::process::id(),
        crate::crypto::random_hex(8)
    )
}

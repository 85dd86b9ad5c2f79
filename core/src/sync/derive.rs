//! Derived facts that heal themselves.
//!
//! The cost facts and rollups reports read are derived from the raw usage and cost. Every
//! write that changes a day's raw data (a page, a purge), or how the day is billed (the cost
//! and analytics watermarks), marks the day stale in the same transaction (`costledger_stale_days`).
//! Deriving a day writes its facts and clears its mark in one transaction, only if the mark
//! still has the generation read before the raw data was; a write that raced with it renews
//! the mark, and the day is derived again.
//!
//! Who derives: every sync, for all of its plan's stale days before it ends, and every report,
//! for the stale days of the plans and range it reads (see [`Ledger::facts_for`]). So a
//! process killed anywhere leaves marks that the next ordinary sync or report resolves.

use std::collections::HashMap;
use std::time::Instant;

use super::cancel::{SyncCancel, unless_cancelled};
use super::failpoints;
use super::report::{StreamReport, SyncError};
use crate::Ledger;
use crate::error::{Error, Result};
use crate::model::{Plan, SyncStatus, SyncStream};
use crate::reports::analytics_facts::{ANALYTICS_STREAM, day_source};
use crate::reports::materialize::{AllocatedDay, NewDimIds, dims_by_key, ensure_new_dims};
use crate::store::{DayFacts, StaleDay, Store};

const DAY: i64 = 86_400;

/// The UTC month (year * 12 + month) of a day (Unix seconds).
fn month(day: i64) -> i32 {
    use chrono::Datelike;
    let date = chrono::DateTime::from_timestamp(day, 0)
        .unwrap_or_default()
        .date_naive();
    date.year() * 12 + date.month0() as i32
}

/// Stale days read per query.
const BATCH: i64 = 512;
/// Passes over a plan's stale days at the end of a sync: a day can only be renewed by a write
/// racing with the sync, which holds the plan's lease, so a second pass is already rare.
const SYNC_PASSES: usize = 3;

/// What a derivation did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Derived {
    /// Days whose facts this call wrote.
    pub days: u64,
    /// Facts written.
    pub facts: u64,
    /// First and last day seen stale (Unix seconds).
    pub range: Option<(i64, i64)>,
}

impl Ledger {
    /// The store, once the derived facts of `plan_ids` over `[start, end)` (Unix seconds,
    /// widened to whole UTC days) are up to date: the one way reports read facts. When nothing
    /// is stale this costs one indexed query.
    pub(crate) async fn facts_for(
        &self,
        plan_ids: &[i64],
        start: i64,
        end: i64,
    ) -> Result<&dyn Store> {
        let range = (
            start.div_euclid(DAY) * DAY,
            end.div_euclid(DAY) * DAY + if end.rem_euclid(DAY) == 0 { 0 } else { DAY },
        );
        self.derive_stale(plan_ids, Some(range), None).await?;
        Ok(self.inner.store.as_ref())
    }

    /// Derive the stale days of these plans (in `range` when given), stopping between two
    /// days when `cancel` fires: one pass over the marks, in (plan, day) order. A day that
    /// another worker derived meanwhile is left to it, and one that a write renewed stays
    /// marked for the next pass (see the module docs).
    pub(crate) async fn derive_stale(
        &self,
        plan_ids: &[i64],
        range: Option<(i64, i64)>,
        cancel: Option<&SyncCancel>,
    ) -> Result<Derived> {
        let store = &self.inner.store;
        let mut out = Derived::default();
        let mut after = None;
        loop {
            let batch = store.stale_days(plan_ids, range, after, BATCH).await?;
            let Some(last) = batch.last() else {
                return Ok(out);
            };
            after = Some((last.plan_id, last.day));
            self.derive_days(&batch, cancel, &mut out).await?;
            if (batch.len() as i64) < BATCH {
                return Ok(out);
            }
        }
    }

    async fn derive_days(
        &self,
        days: &[StaleDay],
        cancel: Option<&SyncCancel>,
        out: &mut Derived,
    ) -> Result<()> {
        let store = &self.inner.store;
        let mut plan = None;
        let mut cost_mark = None;
        let mut analytics_mark = None;
        let mut provider = crate::model::Provider::Anthropic;
        let mut dims = HashMap::new();
        // The days of one plan and UTC month are written in one transaction: its rollups are
        // summed once rather than once per day.
        for group in days.chunk_by(|a, b| a.plan_id == b.plan_id && month(a.day) == month(b.day)) {
            let plan_id = group[0].plan_id;
            // Read after the marks, like the raw data: a watermark move renews the marks.
            if plan != Some(plan_id) {
                cost_mark = store.watermark(plan_id, "cost").await?;
                analytics_mark = store.watermark(plan_id, ANALYTICS_STREAM).await?;
                provider = self.get_plan(plan_id).await?.provider;
                dims = dims_by_key(store.dims(&[plan_id]).await?);
                plan = Some(plan_id);
            }
            let mut allocated = Vec::with_capacity(group.len());
            for stale in group {
                if cancel.is_some_and(SyncCancel::is_cancelled) {
                    return Err(Error::Interrupted);
                }
                let source = day_source(cost_mark.as_ref(), analytics_mark.as_ref(), stale.day);
                allocated.push(
                    self.allocate_stored_day(plan_id, stale.day, provider, source)
                        .await?,
                );
            }
            // The month's new dimensions in one write transaction, in day order (the order a
            // day-by-day derivation would give them ids in).
            let keys = allocated.iter().flat_map(AllocatedDay::new_dims);
            ensure_new_dims(store.as_ref(), plan_id, &mut dims, keys).await?;
            let mut computed = Vec::with_capacity(group.len());
            for (day, stale) in allocated.into_iter().zip(group) {
                let facts = self
                    .materialize_day(plan_id, day, NewDimIds::Create(&mut dims))
                    .await?;
                computed.push((facts, stale.generation));
            }
            let batch: Vec<(&DayFacts, i64)> = computed.iter().map(|(f, g)| (f, *g)).collect();
            let written = store.replace_days_facts(plan_id, &batch).await?;
            for ((facts, _), written) in computed.iter().zip(written) {
                out.range = Some(match out.range {
                    None => (facts.day, facts.day),
                    Some((a, b)) => (a.min(facts.day), b.max(facts.day)),
                });
                if written {
                    out.days += 1;
                    out.facts += facts.facts.len() as u64;
                    failpoints::hit(failpoints::AFTER_DAY_DERIVED);
                }
            }
        }
        Ok(())
    }

    /// The allocation stream of a sync cancelled before it could derive: the plan's stale
    /// days stay marked for the next sync or report.
    pub(crate) fn skipped_derivation(&self) -> StreamReport {
        let now = self.now();
        StreamReport {
            stream: SyncStream::Allocation,
            status: SyncStatus::Interrupted,
            started_at: now,
            finished_at: now,
            window_start: None,
            window_end: None,
            buckets_written: 0,
            rows_written: 0,
            requests: 0,
            retries: 0,
            duration: std::time::Duration::ZERO,
            error: Some(SyncError::from(&Error::Interrupted)),
        }
    }

    /// The end of a plan's sync: derive every stale day of the plan, whatever the streams
    /// touched (an interrupted sync before this one may have left days). `None` when nothing
    /// was stale.
    pub(crate) async fn derive_plan(
        &self,
        plan: &Plan,
        cancel: Option<&SyncCancel>,
    ) -> Option<StreamReport> {
        let started_at = self.now();
        let clock = Instant::now();
        let mut total = Derived::default();
        let mut result = Ok(());
        for _ in 0..SYNC_PASSES {
            let pass = unless_cancelled(cancel, self.derive_stale(&[plan.id], None, cancel)).await;
            match pass {
                Some(Ok(d)) => {
                    let done = d.range.is_none();
                    total.days += d.days;
                    total.facts += d.facts;
                    total.range = match (total.range, d.range) {
                        (Some((a, b)), Some((c, e))) => Some((a.min(c), b.max(e))),
                        (r, None) | (None, r) => r,
                    };
                    if done {
                        break;
                    }
                }
                Some(Err(e)) => {
                    result = Err(e);
                    break;
                }
                None => {
                    result = Err(Error::Interrupted);
                    break;
                }
            }
        }
        if total.range.is_none() && result.is_ok() {
            return None;
        }
        let (status, error) = match &result {
            Ok(()) => (SyncStatus::Ok, None),
            Err(Error::Interrupted) => (
                SyncStatus::Interrupted,
                Some(SyncError::from(&Error::Interrupted)),
            ),
            Err(e) => (SyncStatus::Error, Some(SyncError::from(e))),
        };
        Some(StreamReport {
            stream: SyncStream::Allocation,
            status,
            started_at,
            finished_at: self.now(),
            window_start: total
                .range
                .and_then(|(first, _)| chrono::DateTime::from_timestamp(first, 0)),
            window_end: total
                .range
                .and_then(|(_, last)| chrono::DateTime::from_timestamp(last + DAY, 0)),
            buckets_written: total.days as i64,
            rows_written: total.facts as i64,
            requests: 0,
            retries: 0,
            duration: clock.elapsed(),
            error,
        })
    }
}

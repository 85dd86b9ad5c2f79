//! Derived facts that heal themselves.
//!
//! The cost facts and rollups reports read are derived from the raw usage and cost. Every
//! write that changes a day's raw data (a page, a purge), or how the day is billed (the cost
//! and analytics watermarks), marks the day stale in the same transaction
//! (`costledger_stale_days`).
//! Deriving a day writes its facts and clears its mark in one transaction, only if the mark
//! still has the generation read before the raw data was; a write that raced with it renews
//! the mark, and the day is derived again.
//!
//! Who derives: every sync, for all of its plan's stale days before it ends
//! (`crate::sync`), and every report, for the stale days of the plans and range it reads
//! (see [`Context::facts_for`]). So a process killed anywhere leaves marks that the next
//! ordinary sync or report resolves.

use super::analytics_facts::{ANALYTICS_STREAM, day_source};
use super::materialize::{AllocatedDay, NewDimIds, dims_by_key, ensure_new_dims};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::failpoints;
use crate::store::{DayFacts, StaleDay, Store};

pub(crate) const DAY: i64 = 86_400;

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

/// A derivation that runs to the end.
pub(crate) fn never() -> bool {
    false
}

impl Context {
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
        self.derive_stale(plan_ids, Some(range), &never).await?;
        Ok(self.store.as_ref())
    }

    /// Derive the stale days of these plans (in `range` when given), stopping between two
    /// days when `cancelled` says so: one pass over the marks, in (plan, day) order. A day that
    /// another worker derived meanwhile is left to it, and one that a write renewed stays
    /// marked for the next pass (see the module docs).
    pub(crate) async fn derive_stale(
        &self,
        plan_ids: &[i64],
        range: Option<(i64, i64)>,
        cancelled: &(dyn Fn() -> bool + Sync),
    ) -> Result<Derived> {
        let store = &self.store;
        let mut out = Derived::default();
        let mut after = None;
        loop {
            let batch = store.stale_days(plan_ids, range, after, BATCH).await?;
            let Some(last) = batch.last() else {
                return Ok(out);
            };
            after = Some((last.plan_id, last.day));
            self.derive_days(&batch, cancelled, &mut out).await?;
            if (batch.len() as i64) < BATCH {
                return Ok(out);
            }
        }
    }

    async fn derive_days(
        &self,
        days: &[StaleDay],
        cancelled: &(dyn Fn() -> bool + Sync),
        out: &mut Derived,
    ) -> Result<()> {
        let store = &self.store;
        let mut plan = None;
        let mut cost_mark = None;
        let mut analytics_mark = None;
        let mut provider = crate::model::Provider::Anthropic;
        let mut dims = foldhash::HashMap::default();
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
                if cancelled() {
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
}

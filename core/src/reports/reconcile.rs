//! `reconcile`: per Anthropic plan and UTC day, the three figures of the same spend side by
//! side (the Analytics API's billed total, the legacy cost report's total and costledger's
//! allocation of that report), with the differences between them and their reasons, so that
//! finance can sign off a month.
//!
//! Every figure is read from what the sync stored: the analytics column sums the stored
//! analytics cost rows, the legacy column the stored legacy cost rows, and the allocation is
//! computed afresh from the day's raw usage and cost with the allocation code (never from the
//! derived facts, whose basis can itself be the analytics rows).
//!
//! The differences add up exactly:
//! - `analytics_list − discount = analytics_net`;
//! - both days complete: `legacy + rounding + priority_tier = analytics_list`;
//! - both present, one not complete (late data): `legacy + priority_tier + late = analytics_list`;
//! - `allocated + unallocated = legacy`.
//!
//! A figure a source does not have is `None`, never zero, and the line's status and the
//! sources' states say why.

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveTime, TimeDelta};
use serde::Serialize;

use super::allocation::allocate_day;
use crate::clock::ceil_to;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::ListPlans;
use crate::model::{Basis, Money, Provider, SyncHistoryFilter, SyncStatus, SyncStream};
use crate::pricing::PriceTable;
use crate::source::anthropic::analytics::analytics_earliest;
use crate::store::{AnalyticsTotalsBy, Watermark};

const DAY: i64 = 86_400;
/// The longest range one call reconciles.
const MAX_DAYS: i64 = 366;
/// The service tier the legacy cost report leaves out (reference §7).
const PRIORITY_TIER: &str = "priority";

super::export::export_records!(ReconcileLine);

/// What [`Ledger::reconcile`] reads: UTC days `[from, to)` of some Anthropic plans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReconcileFilter {
    /// First UTC day.
    pub from: NaiveDate,
    /// Day after the last (at most 366 days after `from`).
    pub to: NaiveDate,
    /// The plans (empty: every Anthropic plan).
    pub plan_ids: Vec<i64>,
}

impl ReconcileFilter {
    /// Every Anthropic plan over UTC days `[from, to)`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Self {
        ReconcileFilter {
            from,
            to,
            plan_ids: Vec::new(),
        }
    }
}

crate::macros::string_enum! {
    /// How much of a UTC day a source has, by its stream's watermark.
    SourceState, "source state" {
        /// The whole day: the stream's watermark is past its end.
        Complete => "complete",
        /// Part of it: the watermark is inside the day, or rows of a bucket not yet complete
        /// are stored. More may come (late data).
        Partial => "partial",
        /// Nothing yet: the stream has not reached the day (or was never run).
        NotSynced => "not_synced",
        /// Analytics only: the day is before 2026-01-01 or older than the API's 365 days.
        BeforeWindow => "before_window",
        /// Analytics only: the organisation cannot use the Analytics API (HIPAA-ready, a
        /// credential without the scope, the beta not enabled); the line says why.
        Unavailable => "unavailable",
    }
}

impl SourceState {
    /// Whether the source has figures for the day (complete or partial).
    pub fn has_data(self) -> bool {
        matches!(self, SourceState::Complete | SourceState::Partial)
    }
}

crate::macros::string_enum! {
    /// What a reconcile line can say about its day.
    ReconcileStatus, "reconcile status" {
        /// Both sources have the whole day: `legacy + rounding + priority_tier =
        /// analytics_list`.
        Reconciled => "reconciled",
        /// One source has (part of) the day and the other not all of it yet: when both have
        /// figures, `legacy + priority_tier + late = analytics_list`.
        LateData => "late_data",
        /// Only the legacy report can answer for this day (before the Analytics API's
        /// window, the organisation cannot use it, or the plan never synced the `analytics`
        /// stream).
        LegacyOnly => "legacy_only",
        /// Neither source has anything for this day.
        NoData => "no_data",
    }
}

/// One plan's UTC day, reconciled.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ReconcileLine {
    /// The plan.
    pub plan_id: i64,
    /// The UTC day.
    pub day: NaiveDate,
    /// What the line can say.
    pub status: ReconcileStatus,
    /// How much of the day the Analytics API rows cover.
    pub analytics_state: SourceState,
    /// Why the Analytics API cannot answer, when `analytics_state` is `unavailable`.
    pub analytics_unavailable: Option<String>,
    /// How much of the day the legacy cost report rows cover.
    pub legacy_state: SourceState,
    /// The Analytics API's billed total, post-discount (stored analytics rows).
    pub analytics_net: Option<Money>,
    /// The Analytics API's billed total at list price.
    pub analytics_list: Option<Money>,
    /// The legacy cost report's total (stored legacy cost rows).
    pub legacy: Option<Money>,
    /// costledger's allocation of the legacy total: what the token-share split placed on keys
    /// and dimensions.
    pub allocated: Option<Money>,
    /// `analytics_list − analytics_net`: the organisation's discount.
    pub discount: Option<Money>,
    /// Analytics list amount of the Priority Tier, which the legacy report leaves out.
    pub priority_tier: Option<Money>,
    /// Both days complete: `analytics_list − priority_tier − legacy`, the rounding of the
    /// Analytics API's amounts (each piece rounded to 5 decimals of a cent).
    pub rounding: Option<Money>,
    /// Both present, one not complete: `analytics_list − priority_tier − legacy`, what one
    /// source has reported and the other not yet.
    pub late: Option<Money>,
    /// `legacy − allocated`: cost the split could not place on usage (code execution, a line
    /// without matching tokens).
    pub unallocated: Option<Money>,
}

/// One plan's inputs, read once.
struct PlanInputs {
    analytics: BTreeMap<NaiveDate, (Money, Money)>,
    priority: BTreeMap<NaiveDate, Money>,
    analytics_mark: Option<Watermark>,
    cost_mark: Option<Watermark>,
    unavailable: Option<String>,
    first_analytics_day: i64,
}

fn coverage(mark: Option<&Watermark>, day: i64, has_rows: bool) -> SourceState {
    let (start, end) = (day, day + DAY);
    match mark.map(|w| (w.first_start.timestamp(), w.watermark.timestamp())) {
        Some((first, last)) if first <= start && end <= last => SourceState::Complete,
        Some((first, last)) if first < end && last > start => SourceState::Partial,
        _ if has_rows => SourceState::Partial,
        _ => SourceState::NotSynced,
    }
}

impl Context {
    /// [`crate::Ledger::reconcile`].
    pub(crate) async fn reconcile(&self, filter: &ReconcileFilter) -> Result<Vec<ReconcileLine>> {
        let days = (filter.to - filter.from).num_days();
        if days <= 0 {
            return Err(Error::invalid(format!(
                "the range must end after it starts, got {} to {}",
                filter.from, filter.to
            )));
        }
        if days > MAX_DAYS {
            return Err(Error::invalid(format!(
                "reconcile reads at most {MAX_DAYS} days at a time, got {days}"
            )));
        }
        let plans = self.list_plans(ListPlans::default()).await?;
        for id in &filter.plan_ids {
            let plan = match plans.iter().find(|p| p.id == *id) {
                Some(p) => p.clone(),
                None => self.get_plan(*id).await?,
            };
            if plan.provider != Provider::Anthropic {
                return Err(Error::invalid(format!(
                    "plan {id} is a {} plan: reconcile compares Anthropic's Analytics API with \
                     its legacy cost report",
                    plan.provider
                )));
            }
        }
        let mut lines = Vec::new();
        for plan in &plans {
            let wanted = filter.plan_ids.is_empty() || filter.plan_ids.contains(&plan.id);
            if wanted && plan.provider == Provider::Anthropic {
                self.reconcile_plan(plan.id, filter, &mut lines).await?;
            }
        }
        Ok(lines)
    }

    async fn plan_inputs(&self, plan_id: i64, filter: &ReconcileFilter) -> Result<PlanInputs> {
        let store = &self.store;
        let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
        let (from, to) = (midnight(filter.from), midnight(filter.to));
        let analytics = store
            .analytics_cost_totals(plan_id, from, to, AnalyticsTotalsBy::Day)
            .await?
            .into_iter()
            .map(|t| (t.day, (t.net, t.list)))
            .collect();
        let priority = store
            .analytics_tier_totals(plan_id, from, to, PRIORITY_TIER)
            .await?
            .into_iter()
            .map(|t| (t.day, t.list))
            .collect();
        let last = store
            .sync_events(&SyncHistoryFilter {
                plan_id: Some(plan_id),
                stream: Some(SyncStream::Analytics),
                limit: 1,
                ..SyncHistoryFilter::default()
            })
            .await?;
        let unavailable = last
            .into_iter()
            .find(|e| e.status == SyncStatus::Skipped)
            .map(|e| {
                e.error_message
                    .or(e.error_code)
                    .unwrap_or_else(|| "the Analytics API cannot be used".into())
            });
        Ok(PlanInputs {
            analytics,
            priority,
            analytics_mark: store
                .watermark(plan_id, SyncStream::Analytics.as_str())
                .await?,
            cost_mark: store.watermark(plan_id, SyncStream::Cost.as_str()).await?,
            unavailable,
            first_analytics_day: ceil_to(analytics_earliest(self.now()), DAY).timestamp(),
        })
    }

    async fn reconcile_plan(
        &self,
        plan_id: i64,
        filter: &ReconcileFilter,
        lines: &mut Vec<ReconcileLine>,
    ) -> Result<()> {
        let inputs = self.plan_inputs(plan_id, filter).await?;
        let mut date = filter.from;
        while date < filter.to {
            lines.push(self.reconcile_day(plan_id, date, &inputs).await?);
            date += TimeDelta::days(1);
        }
        Ok(())
    }

    async fn reconcile_day(
        &self,
        plan_id: i64,
        date: NaiveDate,
        inputs: &PlanInputs,
    ) -> Result<ReconcileLine> {
        let day = date.and_time(NaiveTime::MIN).and_utc().timestamp();
        let analytics = inputs.analytics.get(&date).copied();
        let mut analytics_state =
            coverage(inputs.analytics_mark.as_ref(), day, analytics.is_some());
        let mut analytics_unavailable = None;
        if !analytics_state.has_data() {
            if day < inputs.first_analytics_day {
                analytics_state = SourceState::BeforeWindow;
            } else if let Some(reason) = &inputs.unavailable {
                analytics_state = SourceState::Unavailable;
                analytics_unavailable = Some(reason.clone());
            }
        }
        let (usage, costs) = self.store.day_inputs(plan_id, day).await?;
        let legacy_state = coverage(inputs.cost_mark.as_ref(), day, !costs.is_empty());

        let (analytics_net, analytics_list) = if analytics_state.has_data() {
            let (net, list) = analytics.unwrap_or_default();
            (Some(net), Some(list))
        } else {
            (None, None)
        };
        let priority_tier =
            analytics_list.map(|_| inputs.priority.get(&date).copied().unwrap_or(Money::ZERO));
        let (legacy, allocated) = if legacy_state.has_data() {
            let split = allocate_day(
                Provider::Anthropic,
                day,
                &usage,
                &costs,
                true,
                PriceTable::bundled(),
            );
            let allocated: Money = split
                .facts
                .iter()
                .filter(|((_, _, basis), _)| *basis == Basis::Allocated)
                .map(|(_, amount)| *amount)
                .sum();
            (
                Some(costs.iter().map(|c| c.amount).sum::<Money>()),
                Some(allocated),
            )
        } else {
            (None, None)
        };
        let gap = match (analytics_list, priority_tier, legacy) {
            (Some(list), Some(priority), Some(legacy)) => Some(list - priority - legacy),
            _ => None,
        };
        let both_complete =
            analytics_state == SourceState::Complete && legacy_state == SourceState::Complete;
        let status = if both_complete {
            ReconcileStatus::Reconciled
        } else if matches!(
            analytics_state,
            SourceState::BeforeWindow | SourceState::Unavailable
        ) || (inputs.analytics_mark.is_none() && !analytics_state.has_data())
        {
            if legacy_state.has_data() {
                ReconcileStatus::LegacyOnly
            } else {
                ReconcileStatus::NoData
            }
        } else if analytics_state.has_data() || legacy_state.has_data() {
            ReconcileStatus::LateData
        } else {
            ReconcileStatus::NoData
        };
        Ok(ReconcileLine {
            plan_id,
            day: date,
            status,
            analytics_state,
            analytics_unavailable,
            legacy_state,
            analytics_net,
            analytics_list,
            legacy,
            allocated,
            discount: analytics_list.zip(analytics_net).map(|(l, n)| l - n),
            priority_tier,
            rounding: gap.filter(|_| both_complete),
            late: gap.filter(|_| !both_complete),
            unallocated: legacy.zip(allocated).map(|(l, a)| l - a),
        })
    }
}

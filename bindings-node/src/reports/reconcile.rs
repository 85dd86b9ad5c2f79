//! `reconcile`: per Anthropic plan and UTC day, the Analytics API's billed total, the legacy
//! cost report's total and costledger's allocation of it, with the differences and their
//! reasons.

use napi_derive::napi;

use crate::error::run;
use crate::integers::ids;
use crate::ledger::JsLedger;
use crate::model::{Money, date, parse_date};

/// What `reconcile` reads.
#[napi(object, object_to_js = false)]
pub struct ReconcileOptions {
    /// First UTC day, `YYYY-MM-DD`.
    pub from: String,
    /// The day after the last, `YYYY-MM-DD` (at most 366 days after `from`).
    pub to: String,
    /// Only these plans (default: every Anthropic plan).
    pub plan_ids: Option<Vec<f64>>,
}

/// One Anthropic plan's UTC day, reconciled. A figure a source does not have is null, never
/// zero. The differences add up exactly: `analyticsList − discount = analyticsNet`;
/// reconciled days `legacy + rounding + priorityTier = analyticsList`; late days with both
/// figures `legacy + priorityTier + late = analyticsList`; `allocated + unallocated = legacy`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ReconcileLine {
    /// The plan.
    pub plan_id: i64,
    /// The UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// `reconciled` (both sources have the whole day), `late_data` (one has not all of it
    /// yet), `legacy_only` (before the Analytics API's window, the organisation cannot use
    /// it, or the plan never synced the `analytics` stream), `no_data`.
    #[napi(ts_type = "'reconciled' | 'late_data' | 'legacy_only' | 'no_data'")]
    pub status: String,
    /// How much of the day the Analytics API rows cover.
    #[napi(ts_type = "'complete' | 'partial' | 'not_synced' | 'before_window' | 'unavailable'")]
    pub analytics_state: String,
    /// Why the Analytics API cannot answer (`unavailable`).
    pub analytics_unavailable: Option<String>,
    /// How much of the day the legacy cost report rows cover.
    #[napi(ts_type = "'complete' | 'partial' | 'not_synced'")]
    pub legacy_state: String,
    /// The Analytics API's billed total, post-discount.
    pub analytics_net: Option<Money>,
    /// The Analytics API's billed total at list price.
    pub analytics_list: Option<Money>,
    /// The legacy cost report's total.
    pub legacy: Option<Money>,
    /// costledger's allocation of the legacy total (placed on keys by token share).
    pub allocated: Option<Money>,
    /// `analyticsList − analyticsNet`: the organisation's discount.
    pub discount: Option<Money>,
    /// The Analytics API's list amount of the Priority Tier, which the legacy report leaves
    /// out.
    pub priority_tier: Option<Money>,
    /// Reconciled days: `analyticsList − priorityTier − legacy`.
    pub rounding: Option<Money>,
    /// Late days with both figures: `analyticsList − priorityTier − legacy`.
    pub late: Option<Money>,
    /// `legacy − allocated`: cost the split could not place on usage.
    pub unallocated: Option<Money>,
}

impl From<costledger::ReconcileLine> for ReconcileLine {
    fn from(l: costledger::ReconcileLine) -> Self {
        let money = |m: Option<costledger::Money>| m.map(Into::into);
        ReconcileLine {
            plan_id: l.plan_id,
            day: date(l.day),
            status: l.status.to_string(),
            analytics_state: l.analytics_state.to_string(),
            analytics_unavailable: l.analytics_unavailable,
            legacy_state: l.legacy_state.to_string(),
            analytics_net: money(l.analytics_net),
            analytics_list: money(l.analytics_list),
            legacy: money(l.legacy),
            allocated: money(l.allocated),
            discount: money(l.discount),
            priority_tier: money(l.priority_tier),
            rounding: money(l.rounding),
            late: money(l.late),
            unallocated: money(l.unallocated),
        }
    }
}

#[napi]
impl JsLedger {
    /// Per Anthropic plan and UTC day in `[from, to)`: the Analytics API's billed total (net
    /// and list), the legacy cost report's total and costledger's allocation of it, with the
    /// differences (discount, Priority Tier, rounding, late data, unallocated). One line per
    /// plan and day, days without data included. A `to` not after `from`, a range over 366
    /// days or a plan of another provider is `INVALID_INPUT`; an unknown plan `PLAN_NOT_FOUND`.
    #[napi(catch_unwind)]
    pub async fn reconcile(&self, options: ReconcileOptions) -> napi::Result<Vec<ReconcileLine>> {
        run(async {
            let filter = costledger::ReconcileFilter {
                plan_ids: ids("planIds", options.plan_ids.unwrap_or_default())?,
                ..costledger::ReconcileFilter::new(
                    parse_date("from", &options.from)?,
                    parse_date("to", &options.to)?,
                )
            };
            self.inner.reconcile(&filter).await
        })
        .await
        .map(|lines| lines.into_iter().map(Into::into).collect())
    }
}

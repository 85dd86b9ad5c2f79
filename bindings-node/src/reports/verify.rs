//! `verify`: recompute the derived cost facts from the synced usage and cost, compare them
//! with what is stored, and repair them on request (core `reports/verify.rs`).

use napi_derive::napi;

use super::Cost;
use super::materialize::DateRange;
use crate::error::run;
use crate::ledger::JsLedger;
use crate::model::{date, list, parse_date};

/// What `verify` checks. Every field is optional.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct VerifyOptions {
    /// Only this plan. Default: every plan.
    pub plan_id: Option<i64>,
    /// Only these UTC days. Default: each plan's whole history.
    pub days: Option<DateRange>,
    /// Derive again the days and months that differ. Default false: nothing is written.
    pub repair: Option<bool>,
}

/// A day whose derived rows differ from what its synced usage and cost give.
#[napi(object, object_from_js = false)]
pub struct DayDifference {
    /// The UTC day (`YYYY-MM-DD`).
    pub date: String,
    /// The derived tables that differ: `cost_facts`, `cost_daily`, `cost_hourly_ws`,
    /// `cost_daily_ws`, `usage_daily`, `unpriced`.
    pub tables: Vec<String>,
    /// The day's stored hourly facts summed, per basis.
    pub stored: Cost,
    /// The day's stored daily rollup, per basis.
    pub stored_daily: Cost,
    /// The day's facts recomputed from the synced data, per basis.
    pub recomputed: Cost,
    /// The day was marked stale (its derivation was pending), so the difference was expected.
    pub stale: bool,
    /// The day was derived again and now matches.
    pub repaired: bool,
}

impl From<costledger::reports::DayDifference> for DayDifference {
    fn from(d: costledger::reports::DayDifference) -> Self {
        DayDifference {
            date: date(d.date),
            tables: d.tables,
            stored: d.stored.into(),
            stored_daily: d.stored_daily.into(),
            recomputed: d.recomputed.into(),
            stale: d.stale,
            repaired: d.repaired,
        }
    }
}

/// A month whose rollups differ from the sum of its stored days.
#[napi(object, object_from_js = false)]
pub struct MonthDifference {
    /// The month's first day (`YYYY-MM-DD`).
    pub month: String,
    /// The rollups that differ: `cost_monthly`, `usage_monthly`.
    pub tables: Vec<String>,
    /// The stored monthly cost rollup, per basis.
    pub stored: Cost,
    /// The month's daily rollups summed, per basis.
    pub recomputed: Cost,
    /// The rollups were rewritten and now match.
    pub repaired: bool,
}

impl From<costledger::reports::MonthDifference> for MonthDifference {
    fn from(m: costledger::reports::MonthDifference) -> Self {
        MonthDifference {
            month: date(m.month),
            tables: m.tables,
            stored: m.stored.into(),
            recomputed: m.recomputed.into(),
            repaired: m.repaired,
        }
    }
}

/// One plan's verification.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct PlanVerification {
    /// The plan.
    pub plan_id: i64,
    /// Its label.
    pub label: String,
    /// The first UTC day checked; null when the plan has no data.
    pub from: Option<String>,
    /// The day after the last one checked.
    pub to: Option<String>,
    /// UTC days checked.
    pub days_checked: i64,
    /// Days pending derivation among them (the next sync or report derives them).
    pub stale_days: i64,
    /// Days whose stored rows differ from the recomputation.
    pub days: Vec<DayDifference>,
    /// Months whose rollups differ from the sum of their days.
    pub months: Vec<MonthDifference>,
}

impl From<costledger::reports::PlanVerification> for PlanVerification {
    fn from(p: costledger::reports::PlanVerification) -> Self {
        PlanVerification {
            plan_id: p.plan_id,
            label: p.label,
            from: p.from.map(date),
            to: p.to.map(date),
            days_checked: p.days_checked,
            stale_days: p.stale_days,
            days: list(p.days),
            months: list(p.months),
        }
    }
}

/// What `verify` found, per plan.
#[napi(object, object_from_js = false)]
pub struct VerifyReport {
    /// One entry per plan checked, in id order.
    pub plans: Vec<PlanVerification>,
    /// Whether differences were repaired.
    pub repair: bool,
    /// Days and months that differed, over every plan.
    pub differences: i64,
    /// True when nothing differs, or everything that differed was repaired.
    pub consistent: bool,
}

impl From<costledger::VerifyReport> for VerifyReport {
    fn from(r: costledger::VerifyReport) -> Self {
        VerifyReport {
            differences: r.differences() as i64,
            consistent: r.is_consistent(),
            repair: r.repair,
            plans: list(r.plans),
        }
    }
}

#[napi]
impl JsLedger {
    /// Recompute the derived cost facts (allocation and every rollup) from the synced usage
    /// and cost, and compare them with what is stored: the `fsck` of a ledger. With
    /// `repair`, the days and months that differ are derived again; without it nothing is
    /// written. `PLAN_NOT_FOUND` when the plan named does not exist.
    #[napi(catch_unwind)]
    pub async fn verify(&self, options: Option<VerifyOptions>) -> napi::Result<VerifyReport> {
        let options = options.unwrap_or_default();
        run(async {
            let range = match &options.days {
                Some(d) => Some((
                    parse_date("days.from", &d.from)?,
                    parse_date("days.to", &d.to)?,
                )),
                None => None,
            };
            self.inner
                .verify(options.plan_id, range, options.repair.unwrap_or(false))
                .await
        })
        .await
        .map(VerifyReport::from)
    }
}

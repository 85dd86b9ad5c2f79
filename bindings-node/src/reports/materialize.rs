//! `rebuildCostFacts`: recompute the cost facts reports read, for days a sync did not touch.

use napi_derive::napi;

use crate::error::run;
use crate::integers;
use crate::ledger::JsLedger;
use crate::model::parse_date;

/// UTC calendar days `[from, to)`.
#[napi(object, object_to_js = false)]
pub struct DateRange {
    /// The first day, inclusive (`YYYY-MM-DD`).
    pub from: String,
    /// The day after the last, exclusive (`YYYY-MM-DD`).
    pub to: String,
}

#[napi]
impl JsLedger {
    /// Recompute the cost facts of one plan's UTC days `[from, to)` (the bill allocated to
    /// keys, estimates, rollups): after a price-table update, or to rebuild reports. Syncs
    /// and reports do this by themselves for the days whose synced data changed. Resolves to
    /// the number of days recomputed; `PLAN_NOT_FOUND` when there is no such plan.
    #[napi(catch_unwind)]
    pub async fn rebuild_cost_facts(&self, plan_id: f64, days: DateRange) -> napi::Result<i64> {
        let count = run(async {
            let plan_id = integers::id("planId", plan_id)?;
            let from = parse_date("from", &days.from)?;
            let to = parse_date("to", &days.to)?;
            self.inner.rebuild_cost_facts(plan_id, from, to).await
        })
        .await?;
        Ok(count as i64)
    }
}

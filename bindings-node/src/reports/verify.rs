//! `verify`: recompute the derived cost facts from the synced usage and cost, compare them
//! with what is stored, and repair them on request (core `reports/verify.rs`).

use napi_derive::napi;

use super::materialize::DateRange;
use crate::error::run_json;
use crate::ledger::JsLedger;
use crate::model::parse_date;

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

#[napi]
impl JsLedger {
    /// Recompute the derived cost facts (allocation and every rollup) from the synced usage
    /// and cost, and compare them with what is stored: the `fsck` of a ledger. With
    /// `repair`, the days and months that differ are derived again; without it nothing is
    /// written. `PLAN_NOT_FOUND` when the plan named does not exist.
    #[napi(catch_unwind)]
    pub async fn verify(&self, options: Option<VerifyOptions>) -> napi::Result<String> {
        let options = options.unwrap_or_default();
        run_json(async {
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
    }
}

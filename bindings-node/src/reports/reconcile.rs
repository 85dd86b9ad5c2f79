//! `reconcile`: per Anthropic plan and UTC day, the Analytics API's billed total, the legacy
//! cost report's total and costledger's allocation of it, with the differences and their
//! reasons.

use napi_derive::napi;

use crate::error::run_json;
use crate::integers::ids;
use crate::ledger::JsLedger;
use crate::model::parse_date;

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

#[napi]
impl JsLedger {
    /// Per Anthropic plan and UTC day in `[from, to)`: the Analytics API's billed total (net
    /// and list), the legacy cost report's total and costledger's allocation of it, with the
    /// differences (discount, Priority Tier, rounding, late data, unallocated). One line per
    /// plan and day, days without data included. A `to` not after `from`, a range over 366
    /// days or a plan of another provider is `INVALID_INPUT`; an unknown plan `PLAN_NOT_FOUND`.
    #[napi(catch_unwind)]
    pub async fn reconcile(&self, options: ReconcileOptions) -> napi::Result<String> {
        run_json(async {
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
    }
}

//! `billedCosts`: the Analytics API's billed cost per UTC day and per API key, actor or
//! workspace, net (after the organisation's discount) and list.

use napi_derive::napi;

use crate::error::run_json;
use crate::integers::ids;
use crate::ledger::JsLedger;
use crate::model::parse_date;

/// What `billedCosts` reads.
#[napi(object, object_to_js = false)]
pub struct BilledCostsOptions {
    /// First UTC day, `YYYY-MM-DD`.
    pub from: String,
    /// The day after the last, `YYYY-MM-DD`.
    pub to: String,
    /// What each line sums, besides the plan and the day (default `'actor'`).
    #[napi(ts_type = "'day' | 'api_key' | 'actor' | 'workspace'")]
    pub by: Option<String>,
    /// Only these plans (default: every connected Anthropic plan).
    pub plan_ids: Option<Vec<f64>>,
}

#[napi]
impl JsLedger {
    /// The Analytics API's billed cost per plan and UTC day in `[from, to)`, summed by day,
    /// API key, actor or workspace (`by`, default `'actor'`), net and list exact. Read from
    /// what the `analytics` sync stream stored: plans and days it has not read have no lines.
    /// A `to` not after `from`, or an unknown `by`, is `INVALID_INPUT`; an unknown plan
    /// `PLAN_NOT_FOUND`.
    #[napi(catch_unwind)]
    pub async fn billed_costs(&self, options: BilledCostsOptions) -> napi::Result<String> {
        run_json(async {
            let by = options.by.as_deref().unwrap_or("actor").parse()?;
            let filter = costledger::BilledCostFilter {
                plan_ids: ids("planIds", options.plan_ids.unwrap_or_default())?,
                ..costledger::BilledCostFilter::new(
                    parse_date("from", &options.from)?,
                    parse_date("to", &options.to)?,
                    by,
                )
            };
            self.inner.billed_costs(&filter).await
        })
        .await
    }
}

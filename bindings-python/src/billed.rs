//! The Analytics API's billed cost per day, API key, actor or workspace (core
//! `reports/billed.rs`). Results cross as the core's JSON.

use chrono::NaiveDate;
use costledger::BilledCostFilter;
use pyo3::prelude::*;

use crate::ledger::PyLedger;
use crate::pending::Pending;

#[pymethods]
impl PyLedger {
    /// Billed cost per plan and UTC day in `[from_, to)`, summed by `by` (`day`, `api_key`,
    /// `actor` or `workspace`), net and list.
    #[pyo3(signature = (from_, to, by, plan_ids=None))]
    fn billed_costs(
        &self,
        from_: NaiveDate,
        to: NaiveDate,
        by: String,
        plan_ids: Option<Vec<i64>>,
    ) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move {
            let filter = BilledCostFilter {
                plan_ids: plan_ids.unwrap_or_default(),
                ..BilledCostFilter::new(from_, to, by.parse()?)
            };
            ledger.billed_costs(&filter).await
        })
    }
}

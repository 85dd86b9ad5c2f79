//! The reconcile report (core `reports/reconcile.rs`): per Anthropic plan and UTC day, the
//! Analytics API's billed total, the legacy cost report's and costledger's allocation.

use chrono::NaiveDate;
use costledger::ReconcileFilter;
use pyo3::prelude::*;

use crate::ledger::PyLedger;
use crate::pending::Pending;

#[pymethods]
impl PyLedger {
    /// Reconcile lines per plan and UTC day in `[from_, to)`.
    #[pyo3(signature = (from_, to, plan_ids=None))]
    fn reconcile(&self, from_: NaiveDate, to: NaiveDate, plan_ids: Option<Vec<i64>>) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move {
            let filter = ReconcileFilter {
                plan_ids: plan_ids.unwrap_or_default(),
                ..ReconcileFilter::new(from_, to)
            };
            ledger.reconcile(&filter).await
        })
    }
}

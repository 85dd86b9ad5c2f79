//! A plan's spend limits at its provider, read and written live (core
//! `ledger/spend_limits.rs`). Results cross as the core's JSON.

use costledger::model::{SpendLimitWrite, SpendPeriod};
use costledger::{Error, Money, SpendLimitFilter};
use pyo3::prelude::*;

use crate::ledger::PyLedger;
use crate::pending::Pending;

#[pymethods]
impl PyLedger {
    /// The plan's spend limits, optionally of some scope types and one workspace.
    #[pyo3(signature = (plan_id, scope_types=None, workspace_id=None))]
    fn spend_limits(
        &self,
        plan_id: i64,
        scope_types: Option<Vec<String>>,
        workspace_id: Option<String>,
    ) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move {
            let filter = SpendLimitFilter {
                scope_types: scope_types.unwrap_or_default(),
                workspace_id,
            };
            ledger.spend_limits(plan_id, &filter).await
        })
    }

    /// Set a limit: `scope` in text form, `amount` in dollars (a decimal string) or `None`
    /// for an explicit "no limit".
    #[pyo3(signature = (plan_id, scope, period, amount))]
    fn set_spend_limit(
        &self,
        plan_id: i64,
        scope: String,
        period: String,
        amount: Option<String>,
    ) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move {
            let write = SpendLimitWrite {
                scope: scope.parse()?,
                period: period.parse()?,
                amount: amount
                    .map(|a| {
                        Money::parse_dollars(&a).map_err(|_| {
                            Error::invalid(format!(
                                "a spend limit amount is a decimal number of dollars, got {a:?}"
                            ))
                        })
                    })
                    .transpose()?,
            };
            ledger.set_spend_limit(plan_id, &write).await
        })
    }

    /// The plan's limits and effective report as the last sync stored them.
    fn synced_spend_limits(&self, plan_id: i64) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.synced_spend_limits(plan_id).await })
    }

    /// Delete a limit by id.
    fn delete_spend_limit(&self, plan_id: i64, limit_id: String) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.delete_spend_limit(plan_id, &limit_id).await })
    }

    /// Each member's effective limit and period-to-date spend.
    #[pyo3(signature = (plan_id, periods=None, user_ids=None))]
    fn effective_spend(
        &self,
        plan_id: i64,
        periods: Option<Vec<String>>,
        user_ids: Option<Vec<String>>,
    ) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move {
            let periods: Vec<SpendPeriod> = periods
                .unwrap_or_default()
                .iter()
                .map(|p| p.parse())
                .collect::<Result<_, _>>()?;
            ledger
                .effective_spend(plan_id, &periods, &user_ids.unwrap_or_default())
                .await
        })
    }
}

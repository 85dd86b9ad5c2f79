//! Budgets (core `reports/budgets.rs`): create, read, change, delete, and where each stands.

use costledger::{BudgetUpdate, Error, Money, NewBudget};
use pyo3::prelude::*;

use crate::export::One;
use crate::ledger::PyLedger;
use crate::pending::Pending;

/// An amount of dollars as the decimal text the core parses.
fn dollars(text: Option<String>) -> costledger::Result<Option<Money>> {
    text.map(|t| Money::parse_dollars(&t)).transpose()
}

/// Thresholds as the core's percents; a negative one is `INVALID_INPUT`.
fn percents(thresholds: Vec<i64>) -> costledger::Result<Vec<u32>> {
    thresholds
        .into_iter()
        .map(|t| {
            u32::try_from(t).map_err(|_| {
                Error::invalid(format!("thresholds must be percents of 1-1000, got {t}"))
            })
        })
        .collect()
}

/// Changes to a budget as the Python layer passes them (a dict); `None` keeps what is there.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub(crate) struct UpdateArgs {
    name: Option<String>,
    amount: Option<String>,
    period: Option<String>,
    time_zone: Option<String>,
    thresholds: Option<Vec<i64>>,
}

impl UpdateArgs {
    fn into_core(self) -> costledger::Result<BudgetUpdate> {
        Ok(BudgetUpdate {
            name: self.name,
            amount: dollars(self.amount)?,
            period: self.period.map(|p| p.parse()).transpose()?,
            time_zone: self.time_zone,
            thresholds: self.thresholds.map(percents).transpose()?,
        })
    }
}

#[pymethods]
impl PyLedger {
    /// Create a budget; the scope, amount and period as the core's text forms.
    fn create_budget(
        &self,
        name: String,
        scope: String,
        amount: String,
        period: String,
        time_zone: String,
        thresholds: Vec<i64>,
    ) -> Pending {
        let ledger = self.inner.clone();
        Pending::report(async move {
            let amount = Money::parse_dollars(&amount)?;
            let budget = NewBudget::new(name, scope.parse()?, amount, period.parse()?)
                .time_zone(time_zone)
                .thresholds(percents(thresholds)?);
            ledger.create_budget(budget).await.map(One)
        })
    }

    /// Create a budget mirroring the provider spend limit of a plan with `limit_scope` (text
    /// form) and `period`: its scope and amount come from the limit as last synced.
    fn create_mirrored_budget(
        &self,
        name: String,
        plan_id: i64,
        limit_scope: String,
        period: String,
        thresholds: Vec<i64>,
    ) -> Pending {
        let ledger = self.inner.clone();
        Pending::report(async move {
            let budget = NewBudget::mirroring(name, plan_id, limit_scope.parse()?, period.parse()?)
                .thresholds(percents(thresholds)?);
            ledger.create_budget(budget).await.map(One)
        })
    }

    /// One budget, or `BUDGET_NOT_FOUND`.
    fn get_budget(&self, id: i64) -> Pending {
        let ledger = self.inner.clone();
        Pending::report(async move { ledger.get_budget(id).await.map(One) })
    }

    /// Every budget, by id.
    fn list_budgets(&self) -> Pending {
        let ledger = self.inner.clone();
        Pending::report(async move { ledger.list_budgets().await })
    }

    /// Change a budget's name, amount, period, time zone or thresholds.
    fn update_budget(&self, id: i64, update: UpdateArgs) -> Pending {
        let ledger = self.inner.clone();
        Pending::report(async move {
            let update = update.into_core()?;
            ledger.update_budget(id, update).await.map(One)
        })
    }

    /// Delete a budget and its alert records.
    fn delete_budget(&self, id: i64) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.delete_budget(id).await })
    }

    /// Where a budget stands in its current period.
    fn budget_status(&self, id: i64) -> Pending {
        let ledger = self.inner.clone();
        Pending::report(async move { ledger.budget_status(id).await.map(One) })
    }

    /// The status of every budget, by id.
    fn budget_statuses(&self) -> Pending {
        let ledger = self.inner.clone();
        Pending::report(async move { ledger.budget_statuses().await })
    }
}

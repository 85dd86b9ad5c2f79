//! [`BudgetStore`]: budgets, and the alerts recorded once per budget, period and threshold.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::Money;
use crate::model::{Budget, NewBudget};

/// Budgets and their recorded alerts.
#[async_trait]
pub trait BudgetStore: Send + Sync + fmt::Debug {
    /// Store a validated budget whose target was checked.
    async fn insert_budget(&self, budget: &NewBudget, now: DateTime<Utc>) -> Result<Budget>;

    /// One budget, or `BUDGET_NOT_FOUND`.
    async fn get_budget(&self, id: i64) -> Result<Budget>;

    /// Every budget, by id.
    async fn list_budgets(&self) -> Result<Vec<Budget>>;

    /// Replace a budget's name, amount, period, time zone and thresholds (its scope stays);
    /// `BUDGET_NOT_FOUND` when there is none.
    async fn update_budget(
        &self,
        id: i64,
        budget: &NewBudget,
        now: DateTime<Utc>,
    ) -> Result<Budget>;

    /// Delete a budget and its alerts; `BUDGET_NOT_FOUND` when there is none.
    async fn delete_budget(&self, id: i64) -> Result<()>;

    /// Record that `thresholds` were reached in the period starting at `period_start` (Unix
    /// seconds) with `spent`; returns the thresholds not recorded before, each returned to
    /// one caller only however many record at once.
    async fn record_budget_alerts(
        &self,
        budget_id: i64,
        period_start: i64,
        thresholds: &[u32],
        spent: Money,
        at: DateTime<Utc>,
    ) -> Result<Vec<u32>>;

    /// Forget the alerts recorded in the period starting at `period_start` for every
    /// threshold but `keep`, so that they alert again when reached.
    async fn rearm_budget_alerts(
        &self,
        budget_id: i64,
        period_start: i64,
        keep: &[u32],
    ) -> Result<()>;
}

//! Reports on [`Ledger`]: each forwards to the reports engine (`crate::reports`).

use chrono::NaiveDate;

use super::Ledger;
use crate::error::Result;
use crate::model::{Budget, BudgetScope, BudgetUpdate, NewBudget};
use crate::reports::period::Period;
use crate::reports::{
    BilledCostFilter, BilledCostLine, BudgetStatus, Dashboard, DashboardFilter, FocusFilter,
    FocusRow, Forecast, ReconcileFilter, ReconcileLine, UnitUsageFilter, UnitUsageLine, UserCosts,
    VerifyReport,
};
use crate::source::claude_code_logs::{
    LogBlockUsage, LogPeriodUsage, LogReportOptions, LogSessionUsage,
};
use crate::store::logs::LogFile;

impl Ledger {
    /// The Analytics API's billed cost per plan and UTC day in `[from, to)`, summed by day,
    /// API key, actor or workspace, with net and list amounts exact. Read from the rows the
    /// `analytics` sync stream stored: a plan or day it has not read (not asked for, a
    /// HIPAA-ready organisation, days before 2026) has no lines, and today is as far as the
    /// last sync reached. Lines are ordered by plan, day and group (no key, the Default
    /// workspace first; actors by type then id). Plans of other providers have no lines.
    pub async fn billed_costs(&self, filter: &BilledCostFilter) -> Result<Vec<BilledCostLine>> {
        self.inner.billed_costs(filter).await
    }

    /// The allocated cost of `filter`'s plans and period as CSV in the FinOps FOCUS 1.1
    /// column layout ([`crate::reports::FOCUS_COLUMNS`]): one row per plan, UTC day, API
    /// key, workspace, model, tier, window and basis. Summed over a period, BilledCost is the
    /// provider's bill and EffectiveCost the dashboard's usage total.
    pub async fn focus_export(&self, filter: FocusFilter) -> Result<String> {
        self.inner.focus_export(filter).await
    }

    /// The rows of [`Ledger::focus_export`], in charge-period, plan and dimension order.
    pub async fn focus_rows(&self, filter: FocusFilter) -> Result<Vec<FocusRow>> {
        self.inner.focus_rows(filter).await
    }

    /// Recompute the derived facts of `plan` (every plan when `None`) over the UTC days
    /// `[from, to)` of `range` (each plan's whole history when `None`) from the stored raw
    /// usage and cost, and compare them with the stored facts and every rollup (daily, per
    /// workspace, monthly, usage, unpriced). With `repair`, the days and months that differ
    /// are derived again, under the same rules as a sync's derivation. Without it nothing is
    /// written.
    ///
    /// A day marked stale (its derivation is pending) may differ; it is reported with
    /// `stale: true`. Run it when no sync is writing the plans checked: a page written
    /// meanwhile can make its day differ for a moment (that day is then marked stale too).
    pub async fn verify(
        &self,
        plan: Option<i64>,
        range: Option<(NaiveDate, NaiveDate)>,
        repair: bool,
    ) -> Result<VerifyReport> {
        self.inner.verify(plan, range, repair).await
    }

    /// Non-token usage per plan, UTC day, workspace, key, actor, model, unit and variant,
    /// with a list-price estimate. Plans of providers without such usage (Anthropic) have no
    /// lines.
    pub async fn unit_usage(&self, filter: &UnitUsageFilter) -> Result<Vec<UnitUsageLine>> {
        self.inner.unit_usage(filter).await
    }

    /// Recompute the cost facts of one plan's UTC days `[from, to)`: after a price-table
    /// update, or to rebuild reports. The days are marked stale and derived at once (a sync or
    /// report running meanwhile derives them just the same). Returns the number of days
    /// recomputed by this call.
    pub async fn rebuild_cost_facts(
        &self,
        plan_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u64> {
        self.inner.rebuild_cost_facts(plan_id, from, to).await
    }

    /// The company's spend in a period: totals, per plan (with subscription fees), per
    /// workspace (identified by plan and workspace), per model, top subjects, the daily series
    /// in the period's time zone, unattributed cost and usage without a price.
    pub async fn dashboard(&self, filter: DashboardFilter) -> Result<Dashboard> {
        self.inner.dashboard(filter).await
    }

    /// Create a budget. Besides the fields ([`NewBudget::validated`]; `INVALID_INPUT`), its
    /// target must exist: `PLAN_NOT_FOUND`, `SUBJECT_NOT_FOUND`, `PROJECT_NOT_FOUND`, and a
    /// workspace must be one the plan's synced metadata lists.
    ///
    /// A budget mirroring a provider limit ([`NewBudget::mirroring`]) takes its scope and
    /// amount from the limit the last sync of the plan stored: a limit not stored (never
    /// synced, not at the provider) or without a cap is `INVALID_INPUT`.
    pub async fn create_budget(&self, budget: NewBudget) -> Result<Budget> {
        self.inner.create_budget(budget).await
    }

    /// One budget, or `BUDGET_NOT_FOUND`.
    pub async fn get_budget(&self, id: i64) -> Result<Budget> {
        self.inner.get_budget(id).await
    }

    /// Every budget, by id.
    pub async fn list_budgets(&self) -> Result<Vec<Budget>> {
        self.inner.list_budgets().await
    }

    /// Change a budget's name, amount, period, time zone or thresholds. Thresholds already
    /// alerted in the current period stay alerted, except those the new amount or thresholds
    /// put out of reach of the spend again: they alert again when reached.
    pub async fn update_budget(&self, id: i64, update: BudgetUpdate) -> Result<Budget> {
        self.inner.update_budget(id, update).await
    }

    /// Delete a budget and its alert records; `BUDGET_NOT_FOUND` when there is none.
    pub async fn delete_budget(&self, id: i64) -> Result<()> {
        self.inner.delete_budget(id).await
    }

    /// Where a budget stands now (the ledger's clock): its current period, usage cost spent,
    /// remaining, forecast to the period's end and thresholds reached. A budget whose subject
    /// or project was deleted fails with that target's not-found code.
    pub async fn budget_status(&self, id: i64) -> Result<BudgetStatus> {
        self.inner.budget_status(id).await
    }

    /// [`Ledger::budget_status`] of every budget, by id.
    pub async fn budget_statuses(&self) -> Result<Vec<BudgetStatus>> {
        self.inner.budget_statuses().await
    }

    /// What `subject_id` cost in `period`: the allocated and estimated cost of the keys
    /// attributed to them (mapping first, key creator's email otherwise, resolved per hour)
    /// and of the keyless usage of the org members with their email (OpenAI Playground),
    /// per plan, model, project and day, plus their seat share of plan subscriptions.
    pub async fn user_costs(&self, subject_id: &str, period: Period) -> Result<UserCosts> {
        self.inner.user_costs(subject_id, period).await
    }

    /// Where a scope's usage cost will end `period`, at the ledger's clock: spent so far plus
    /// the mean daily usage cost of the last 7 complete days in the period's time zone (fewer
    /// at the start of the plans' history) times the time left. A period that has ended
    /// projects what was spent; one that has not begun projects the rate times its length.
    pub async fn forecast(&self, scope: &BudgetScope, period: Period) -> Result<Forecast> {
        self.inner.forecast(scope, period).await
    }

    /// Per Anthropic plan and UTC day of `[from, to)`: the Analytics API's billed total (net
    /// and list), the legacy cost report's total and costledger's allocation of it, with the
    /// differences (discount, Priority Tier, rounding, late data, unallocated) that add up
    /// exactly. One line per plan and day, days without data included.
    pub async fn reconcile(&self, filter: &ReconcileFilter) -> Result<Vec<ReconcileLine>> {
        self.inner.reconcile(filter).await
    }

    /// Counted usage of a `claude_code_logs` plan per day (in `options.time_zone`, default
    /// UTC), oldest first. Costs are estimates at list prices.
    pub async fn claude_code_logs_daily(
        &self,
        plan_id: i64,
        options: &LogReportOptions,
    ) -> Result<Vec<LogPeriodUsage>> {
        self.inner.claude_code_logs_daily(plan_id, options).await
    }

    /// Counted usage of a `claude_code_logs` plan per ISO week (Monday to Sunday, in
    /// `options.time_zone`), named by its Monday, oldest first.
    pub async fn claude_code_logs_weekly(
        &self,
        plan_id: i64,
        options: &LogReportOptions,
    ) -> Result<Vec<LogPeriodUsage>> {
        self.inner.claude_code_logs_weekly(plan_id, options).await
    }

    /// Counted usage of a `claude_code_logs` plan per month, oldest first.
    pub async fn claude_code_logs_monthly(
        &self,
        plan_id: i64,
        options: &LogReportOptions,
    ) -> Result<Vec<LogPeriodUsage>> {
        self.inner.claude_code_logs_monthly(plan_id, options).await
    }

    /// Counted usage of a `claude_code_logs` plan per session (and its project), the most
    /// recently active first.
    pub async fn claude_code_logs_sessions(
        &self,
        plan_id: i64,
        options: &LogReportOptions,
    ) -> Result<Vec<LogSessionUsage>> {
        self.inner.claude_code_logs_sessions(plan_id, options).await
    }

    /// Counted usage of a `claude_code_logs` plan per 5-hour block (ccusage's `blocks`),
    /// oldest first. `active` is judged against the ledger's clock.
    pub async fn claude_code_logs_blocks(
        &self,
        plan_id: i64,
        options: &LogReportOptions,
    ) -> Result<Vec<LogBlockUsage>> {
        self.inner.claude_code_logs_blocks(plan_id, options).await
    }

    /// The log files a `claude_code_logs` plan tracks, with how far each was read and the
    /// lines it skipped so far.
    pub async fn claude_code_log_files(&self, plan_id: i64) -> Result<Vec<LogFile>> {
        self.inner.claude_code_log_files(plan_id).await
    }
}

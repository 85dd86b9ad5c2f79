//! Budgets on `Ledger`: an amount of usage cost per day, week or month in a time zone, on a
//! scope, with alert thresholds; their status now; the alerts a sync reports.

use costledger::{BudgetScope as CoreBudgetScope, BudgetUpdate as CoreBudgetUpdate};
use costledger::{Money as CoreMoney, NewBudget as CoreNewBudget};
use napi_derive::napi;

use super::{Cost, Period};
use crate::error::run;
use crate::integers;
use crate::ledger::JsLedger;
use crate::model::{Money, iso, list, parse_opt};

/// What a budget counts, as its parts: `kind`, and the target fields that kind has (the
/// others are null).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct BudgetScope {
    /// What kind of target.
    #[napi(ts_type = "'global' | 'plan' | 'workspace' | 'subject' | 'project'")]
    pub kind: String,
    /// The plan, for `plan` and `workspace` scopes.
    pub plan_id: Option<i64>,
    /// The workspace, for `workspace` scopes; null for the plan's Default workspace.
    pub workspace_id: Option<String>,
    /// The subject, for `subject` scopes.
    pub subject_id: Option<String>,
    /// The project, for `project` scopes.
    pub project_id: Option<i64>,
    /// In words: `every plan`, `plan 3`, `the Default workspace of plan 3`, `subject "u-1"`.
    pub description: String,
}

impl From<CoreBudgetScope> for BudgetScope {
    fn from(s: CoreBudgetScope) -> Self {
        let mut scope = BudgetScope {
            kind: s.kind().to_string(),
            plan_id: None,
            workspace_id: None,
            subject_id: None,
            project_id: None,
            description: s.to_string(),
        };
        match s {
            CoreBudgetScope::Global => {}
            CoreBudgetScope::Plan(id) => scope.plan_id = Some(id),
            CoreBudgetScope::Workspace(ws) => {
                scope.plan_id = Some(ws.plan_id);
                scope.workspace_id = ws.workspace_id;
            }
            CoreBudgetScope::Subject(id) => scope.subject_id = Some(id),
            CoreBudgetScope::Project(id) => scope.project_id = Some(id),
        }
        scope
    }
}

/// The provider spend limit a budget mirrors.
#[napi(object, object_from_js = false)]
pub struct LimitMirror {
    /// The plan whose organisation has the limit.
    pub plan_id: i64,
    /// `organization`, `workspace:ID` or `user:ID`.
    pub scope: String,
}

/// The provider's limit beside a mirrored budget's spend and forecast.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ProviderLimitStatus {
    /// The plan whose organisation has the limit.
    pub plan_id: i64,
    /// The limit's scope in text form.
    pub scope: String,
    /// The limit's period.
    #[napi(ts_type = "'daily' | 'weekly' | 'monthly'")]
    pub period: String,
    /// `present`; `no_cap`; `missing` (gone at the provider: the budget keeps its last
    /// amount); `not_synced`.
    #[napi(ts_type = "'present' | 'no_cap' | 'missing' | 'not_synced'")]
    pub state: String,
    /// Its id at the provider, when found.
    pub limit_id: Option<String>,
    /// Its amount, when found with a cap.
    pub amount: Option<Money>,
    /// False when extra usage is switched off at the provider.
    pub is_enabled: Option<bool>,
    /// When the plan's limits were last synced (ISO-8601).
    pub synced_at: Option<String>,
    /// The forecast reaches the limit before the period ends (or spend already has).
    pub forecast_over_provider_limit: bool,
    /// The day (`YYYY-MM-DD`, UTC) the run rate reaches the limit, when within the period.
    pub crosses_on: Option<String>,
}

impl From<costledger::ProviderLimitStatus> for ProviderLimitStatus {
    fn from(p: costledger::ProviderLimitStatus) -> Self {
        ProviderLimitStatus {
            plan_id: p.plan_id,
            scope: p.scope.to_string(),
            period: p.period.to_string(),
            state: p.state.as_str().to_string(),
            limit_id: p.limit_id,
            amount: p.amount.map(Into::into),
            is_enabled: p.is_enabled,
            synced_at: crate::model::iso_opt(p.synced_at),
            forecast_over_provider_limit: p.forecast_over_provider_limit,
            crosses_on: p.crosses_on.map(|d| d.to_string()),
        }
    }
}

/// A budget mirroring a provider spend limit, to create.
#[napi(object, object_to_js = false)]
pub struct NewMirroredBudget {
    /// Its name (1-200 characters, trimmed).
    pub name: String,
    /// The plan whose organisation has the limit.
    pub plan_id: f64,
    /// The limit's scope: `organization`, `workspace:ID` or `user:ID` (the budget counts the
    /// plan, the workspace, or the subject with the member's e-mail).
    pub limit_scope: String,
    /// The period (the limit's daily, weekly or monthly).
    #[napi(ts_type = "'day' | 'week' | 'month'")]
    pub period: String,
    /// Alert thresholds in percent. Default `[50, 80, 100]`.
    pub thresholds: Option<Vec<f64>>,
}

/// A stored budget.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Budget {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// What it counts.
    pub scope: BudgetScope,
    /// The usage cost (billed + estimated) allowed per period.
    pub amount: Money,
    /// The calendar period it resets on, in its time zone.
    #[napi(ts_type = "'day' | 'week' | 'month'")]
    pub period: String,
    /// The IANA time zone of its periods.
    pub time_zone: String,
    /// Alert thresholds, in percent of the amount, increasing.
    pub thresholds: Vec<u32>,
    /// When it was created (ISO-8601, UTC).
    pub created_at: String,
    /// When it last changed (ISO-8601, UTC).
    pub updated_at: String,
    /// The provider spend limit it mirrors (its amount is the limit's as last synced).
    pub mirror: Option<LimitMirror>,
}

impl From<costledger::Budget> for Budget {
    fn from(b: costledger::Budget) -> Self {
        Budget {
            id: b.id,
            name: b.name,
            scope: b.scope.into(),
            amount: b.amount.into(),
            period: b.period.to_string(),
            time_zone: b.time_zone,
            thresholds: b.thresholds,
            created_at: iso(b.created_at),
            updated_at: iso(b.updated_at),
            mirror: b.mirror.map(|m| LimitMirror {
                plan_id: m.plan_id,
                scope: m.scope.to_string(),
            }),
        }
    }
}

/// A budget to create.
#[napi(object, object_to_js = false)]
pub struct NewBudget {
    /// Its name (1-200 characters, trimmed).
    pub name: String,
    /// What it counts: `global` (every plan), `plan:3`, `workspace:3:wrkspc_…` (or
    /// `workspace:3:default` for the plan's Default workspace), `subject:u-1` or `project:7`.
    /// The target must exist (`PLAN_NOT_FOUND`, `SUBJECT_NOT_FOUND`, `PROJECT_NOT_FOUND`;
    /// a workspace must be one the plan's synced metadata lists).
    pub scope: String,
    /// The usage cost allowed per period, as an exact decimal string of dollars (`"500"`,
    /// `"19.99"`); more than zero.
    pub amount: String,
    /// The calendar period it resets on.
    #[napi(ts_type = "'day' | 'week' | 'month'")]
    pub period: String,
    /// The IANA time zone of its periods. Default `'UTC'`.
    pub time_zone: Option<String>,
    /// Percents of the amount that raise an alert when spend reaches them: increasing, each
    /// 1-1000, at most 20; may be empty. Default `[50, 80, 100]`.
    pub thresholds: Option<Vec<f64>>,
}

impl TryFrom<NewBudget> for CoreNewBudget {
    type Error = costledger::Error;

    fn try_from(b: NewBudget) -> costledger::Result<Self> {
        let amount = CoreMoney::parse_dollars(&b.amount)?;
        let mut budget = CoreNewBudget::new(b.name, b.scope.parse()?, amount, b.period.parse()?);
        if let Some(zone) = b.time_zone {
            budget = budget.time_zone(zone);
        }
        if let Some(thresholds) = b.thresholds {
            budget = budget.thresholds(integers::uint32s("thresholds", thresholds)?);
        }
        Ok(budget)
    }
}

/// Changes to a budget; fields left out stay as they are. The scope cannot change: create
/// another budget for another scope.
#[napi(object, object_to_js = false)]
pub struct BudgetUpdate {
    /// A new name.
    pub name: Option<String>,
    /// A new amount, as an exact decimal string of dollars.
    pub amount: Option<String>,
    /// A new period.
    #[napi(ts_type = "'day' | 'week' | 'month'")]
    pub period: Option<String>,
    /// A new IANA time zone.
    pub time_zone: Option<String>,
    /// New thresholds (an empty list removes every alert).
    pub thresholds: Option<Vec<f64>>,
}

impl TryFrom<BudgetUpdate> for CoreBudgetUpdate {
    type Error = costledger::Error;

    fn try_from(u: BudgetUpdate) -> costledger::Result<Self> {
        Ok(CoreBudgetUpdate {
            name: u.name,
            amount: u.amount.map(|a| CoreMoney::parse_dollars(&a)).transpose()?,
            period: parse_opt(u.period)?,
            time_zone: u.time_zone,
            thresholds: u
                .thresholds
                .map(|t| integers::uint32s("thresholds", t))
                .transpose()?,
        })
    }
}

/// Where a budget stands in its current period.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct BudgetStatus {
    /// The budget.
    pub budget: Budget,
    /// The current period: the day, week or month containing now in its time zone.
    pub period: Period,
    /// Usage cost so far in the period, by basis (`subscription` is always zero: fixed fees
    /// are known in advance and left out).
    pub spent: Cost,
    /// The amount minus the usage cost spent; negative once the budget is overrun.
    pub remaining: Money,
    /// The projection to the end of the period.
    pub forecast: Forecast,
    /// The thresholds the spend has reached, in percent.
    pub thresholds_crossed: Vec<u32>,
    /// Spent as a percent of the amount, for display (thresholds are checked exactly).
    pub percent_used: f64,
    /// For a budget mirroring a provider spend limit: the provider's limit and whether the
    /// forecast reaches it before the period ends.
    pub provider_limit: Option<ProviderLimitStatus>,
}

impl From<costledger::BudgetStatus> for BudgetStatus {
    fn from(s: costledger::BudgetStatus) -> Self {
        BudgetStatus {
            budget: s.budget.into(),
            period: s.period.into(),
            spent: s.spent.into(),
            remaining: s.remaining.into(),
            forecast: s.forecast.into(),
            thresholds_crossed: s.thresholds_crossed,
            percent_used: s.percent_used,
            provider_limit: s.provider_limit.map(Into::into),
        }
    }
}

/// An end-of-period projection of usage cost (billed + estimated).
#[napi(object, object_from_js = false)]
pub struct Forecast {
    /// The period projected.
    pub period: Period,
    /// Usage cost spent in the period so far.
    pub spent: Money,
    /// Usage cost expected by the end of the period.
    pub projected: Money,
    /// The run rate: mean usage cost per complete day of the last 7 (zero when no complete
    /// day was available or the period has ended).
    pub daily_rate: Money,
    /// How `projected` was computed, in words ("spent so far + mean of the last 7 complete
    /// days × 12.5 days left").
    pub method: String,
    /// The instant of the projection: the ledger's clock (ISO-8601, UTC).
    pub as_of: String,
}

impl From<costledger::Forecast> for Forecast {
    fn from(f: costledger::Forecast) -> Self {
        Forecast {
            period: f.period.into(),
            spent: f.spent.into(),
            projected: f.projected.into(),
            daily_rate: f.daily_rate.into(),
            method: f.method,
            as_of: iso(f.as_of),
        }
    }
}

#[napi]
impl JsLedger {
    /// Create a budget. Bad fields are `INVALID_INPUT`; a target that does not exist is
    /// `PLAN_NOT_FOUND`, `SUBJECT_NOT_FOUND` or `PROJECT_NOT_FOUND`. A budget counts usage
    /// cost (billed + estimated), never subscription fees.
    #[napi(catch_unwind)]
    pub async fn create_budget(&self, budget: NewBudget) -> napi::Result<Budget> {
        run(async { self.inner.create_budget(budget.try_into()?).await })
            .await
            .map(Budget::from)
    }

    /// Create a budget mirroring a provider spend limit, in UTC: its amount is the limit as
    /// the last sync stored it (refreshed by each sync). A limit not stored or without a cap
    /// is `INVALID_INPUT`.
    #[napi(catch_unwind)]
    pub async fn create_mirrored_budget(&self, budget: NewMirroredBudget) -> napi::Result<Budget> {
        run(async {
            let mut new = CoreNewBudget::mirroring(
                budget.name,
                integers::id("planId", budget.plan_id)?,
                budget.limit_scope.parse()?,
                budget.period.parse()?,
            );
            if let Some(thresholds) = budget.thresholds {
                new = new.thresholds(integers::uint32s("thresholds", thresholds)?);
            }
            self.inner.create_budget(new).await
        })
        .await
        .map(Budget::from)
    }

    /// One budget, or `BUDGET_NOT_FOUND`.
    #[napi(catch_unwind)]
    pub async fn get_budget(&self, id: f64) -> napi::Result<Budget> {
        run(async { self.inner.get_budget(integers::id("id", id)?).await })
            .await
            .map(Budget::from)
    }

    /// Every budget, by id.
    #[napi(catch_unwind)]
    pub async fn list_budgets(&self) -> napi::Result<Vec<Budget>> {
        run(self.inner.list_budgets()).await.map(list)
    }

    /// Change a budget's name, amount, period, time zone or thresholds. Thresholds already
    /// alerted in the current period stay alerted, except those the change puts out of reach
    /// again: they alert again when reached. `BUDGET_NOT_FOUND` when there is none.
    #[napi(catch_unwind)]
    pub async fn update_budget(&self, id: f64, update: BudgetUpdate) -> napi::Result<Budget> {
        run(async {
            let id = integers::id("id", id)?;
            self.inner.update_budget(id, update.try_into()?).await
        })
        .await
        .map(Budget::from)
    }

    /// Delete a budget and its alert records; `BUDGET_NOT_FOUND` when there is none.
    #[napi(catch_unwind)]
    pub async fn delete_budget(&self, id: f64) -> napi::Result<()> {
        run(async { self.inner.delete_budget(integers::id("id", id)?).await }).await
    }

    /// Where a budget stands now (the ledger's clock): its current period, usage cost spent,
    /// remaining, forecast to the period's end and thresholds reached. `BUDGET_NOT_FOUND`
    /// when there is none; a budget whose subject or project was deleted fails with that
    /// target's not-found code.
    #[napi(catch_unwind)]
    pub async fn budget_status(&self, id: f64) -> napi::Result<BudgetStatus> {
        run(async { self.inner.budget_status(integers::id("id", id)?).await })
            .await
            .map(BudgetStatus::from)
    }

    /// `budgetStatus` of every budget, by id.
    #[napi(catch_unwind)]
    pub async fn budget_statuses(&self) -> napi::Result<Vec<BudgetStatus>> {
        run(self.inner.budget_statuses()).await.map(list)
    }
}

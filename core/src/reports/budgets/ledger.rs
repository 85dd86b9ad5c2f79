//! Budgets on [`Ledger`]: create, read, update and delete them, where they stand, and the
//! alerts a sync records.

use chrono::{DateTime, Utc};

use super::{
    Budget, BudgetAlert, BudgetScope, BudgetStatus, BudgetUpdate, NewBudget, ProviderLimitStatus,
};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::Money;
use crate::reports::cost::Cost;
use crate::reports::dashboard::{DashboardFilter, WorkspaceRef};
use crate::reports::period::Period;
use crate::store::to_ts;

impl Context {
    /// [`crate::Ledger::create_budget`].
    pub(crate) async fn create_budget(&self, budget: NewBudget) -> Result<Budget> {
        let budget = match &budget.mirror {
            Some(mirror) => self.mirrored(budget.clone(), mirror).await?,
            None => budget,
        };
        let budget = budget.validated()?;
        self.check_scope(&budget.scope).await?;
        self.store.insert_budget(&budget, self.now()).await
    }

    /// [`crate::Ledger::get_budget`].
    pub(crate) async fn get_budget(&self, id: i64) -> Result<Budget> {
        self.store.get_budget(id).await
    }

    /// [`crate::Ledger::list_budgets`].
    pub(crate) async fn list_budgets(&self) -> Result<Vec<Budget>> {
        self.store.list_budgets().await
    }

    /// The budget `budget` becomes with the scope and amount of the limit it mirrors.
    async fn mirrored(&self, budget: NewBudget, mirror: &super::LimitMirror) -> Result<NewBudget> {
        let store = self.store.as_ref();
        store.get_plan(mirror.plan_id).await?;
        let period = budget.period.spend_period();
        let synced = store.synced_spend_limits(mirror.plan_id).await?;
        let limit = synced.limit(&mirror.scope, period).ok_or_else(|| {
            Error::invalid(format!(
                "plan {} has no {period} {} spend limit stored; sync the plan (stream \
                 spend_limits) or set the limit at the provider first",
                mirror.plan_id, mirror.scope
            ))
        })?;
        let amount = limit.amount.filter(|a| *a > Money::ZERO).ok_or_else(|| {
            Error::invalid(format!(
                "the provider's {period} {} spend limit of plan {} has no cap to mirror",
                mirror.scope, mirror.plan_id
            ))
        })?;
        Ok(NewBudget {
            scope: super::mirror::budget_scope(store, mirror).await?,
            amount,
            ..budget
        })
    }

    /// [`crate::Ledger::update_budget`].
    pub(crate) async fn update_budget(&self, id: i64, update: BudgetUpdate) -> Result<Budget> {
        let current = self.get_budget(id).await?;
        if current.mirror.is_some()
            && (update.amount.is_some() || update.period.is_some() || update.time_zone.is_some())
        {
            return Err(Error::invalid(format!(
                "budget {id} mirrors a provider spend limit: its amount, period and time zone \
                 follow the limit; change the limit at the provider, or create another budget"
            )));
        }
        let mut next = current.as_new();
        if let Some(name) = update.name {
            next.name = name;
        }
        if let Some(amount) = update.amount {
            next.amount = amount;
        }
        if let Some(period) = update.period {
            next.period = period;
        }
        if let Some(time_zone) = update.time_zone {
            next.time_zone = time_zone;
        }
        if let Some(thresholds) = update.thresholds {
            next.thresholds = thresholds;
        }
        let next = next.validated()?;
        let rearm = next.amount != current.amount
            || next.thresholds != current.thresholds
            || next.period != current.period
            || next.time_zone != current.time_zone;
        let reached = if rearm {
            let draft = Budget {
                name: next.name.clone(),
                amount: next.amount,
                period: next.period,
                time_zone: next.time_zone.clone(),
                thresholds: next.thresholds.clone(),
                ..current.clone()
            };
            let period = draft.period_at(self.now())?;
            let spent = self.scope_spend(&draft.scope, period).await?.usage();
            Some((period, draft.thresholds_reached(spent)))
        } else {
            None
        };
        let updated = self.store.update_budget(id, &next, self.now()).await?;
        if let Some((period, reached)) = reached {
            self.store
                .rearm_budget_alerts(id, to_ts(period.start_instant()), &reached)
                .await?;
        }
        Ok(updated)
    }

    /// [`crate::Ledger::delete_budget`].
    pub(crate) async fn delete_budget(&self, id: i64) -> Result<()> {
        self.store.delete_budget(id).await
    }

    /// [`crate::Ledger::budget_status`].
    pub(crate) async fn budget_status(&self, id: i64) -> Result<BudgetStatus> {
        let budget = self.get_budget(id).await?;
        self.status_of(budget).await
    }

    /// [`crate::Ledger::budget_statuses`].
    pub(crate) async fn budget_statuses(&self) -> Result<Vec<BudgetStatus>> {
        let mut out = Vec::new();
        for budget in self.list_budgets().await? {
            out.push(self.status_of(budget).await?);
        }
        Ok(out)
    }

    async fn status_of(&self, budget: Budget) -> Result<BudgetStatus> {
        let now = self.now();
        let period = budget.period_at(now)?;
        let spent = self.scope_spend(&budget.scope, period).await?;
        let forecast = self
            .forecast_from(&budget.scope, period, spent.usage(), now)
            .await?;
        let used = spent.usage();
        let provider_limit = match &budget.mirror {
            Some(mirror) => {
                let synced = self.store.synced_spend_limits(mirror.plan_id).await?;
                Some(ProviderLimitStatus::of(
                    mirror,
                    budget.period,
                    &synced,
                    &forecast,
                ))
            }
            None => None,
        };
        Ok(BudgetStatus {
            provider_limit,
            remaining: budget.amount - used,
            thresholds_crossed: budget.thresholds_reached(used),
            percent_used: used.to_f64() / budget.amount.to_f64() * 100.0,
            period,
            spent,
            forecast,
            budget,
        })
    }

    /// The usage cost of a scope in a period, from the report that owns it: the dashboard's
    /// totals (every plan, one plan, one workspace), or the subject's `user_costs` (its total,
    /// or its project's line). Subscription fees are left out.
    pub(crate) async fn scope_spend(&self, scope: &BudgetScope, period: Period) -> Result<Cost> {
        let filter = DashboardFilter::new(period).top(0);
        let mut cost = match scope {
            BudgetScope::Global => self.dashboard(filter).await?.totals,
            BudgetScope::Plan(id) => self.dashboard(filter.plans(vec![*id])).await?.totals,
            BudgetScope::Workspace(ws) => {
                self.dashboard(filter.workspace(ws.plan_id, ws.workspace_id.clone()))
                    .await?
                    .totals
            }
            BudgetScope::Subject(id) => self.user_costs(id, period).await?.total,
            BudgetScope::Project(id) => {
                let project = self.store.get_project(*id).await?;
                self.user_costs(&project.subject_id, period)
                    .await?
                    .per_project
                    .into_iter()
                    .find(|line| line.project_id == Some(*id))
                    .map(|line| line.cost)
                    .unwrap_or_default()
            }
        };
        cost.subscription = Money::ZERO;
        Ok(cost)
    }

    async fn check_scope(&self, scope: &BudgetScope) -> Result<()> {
        let store = self.store.as_ref();
        if let Some(plan_id) = scope.plan_id() {
            store.get_plan(plan_id).await?;
        }
        match scope {
            BudgetScope::Workspace(WorkspaceRef {
                plan_id,
                workspace_id: Some(id),
            }) => {
                let workspaces = store.metadata(*plan_id).await?.workspaces;
                if !workspaces.iter().any(|w| &w.id == id) {
                    return Err(Error::invalid(format!(
                        "workspace {id:?} is not a workspace of plan {plan_id}; sync the plan \
                         to bring in its workspaces, or leave the workspace out for its \
                         Default workspace"
                    )));
                }
            }
            BudgetScope::Subject(id) => {
                store.get_subject(id).await?;
            }
            BudgetScope::Project(id) => {
                store.get_project(*id).await?;
            }
            _ => {}
        }
        Ok(())
    }

    /// Evaluate every budget at now and record the thresholds reached in each one's current
    /// period that were not recorded yet (once per budget, period and threshold, even when
    /// several syncs run at once); returns those. A budget that cannot be evaluated is logged
    /// and skipped: alerts never fail a sync.
    pub(crate) async fn budget_alerts_at(&self, now: DateTime<Utc>) -> Vec<BudgetAlert> {
        let budgets = match self.list_budgets().await {
            Ok(budgets) => budgets,
            Err(e) => {
                tracing::warn!(error = %e, "listing budgets for alerts failed");
                return Vec::new();
            }
        };
        let mut alerts = Vec::new();
        for budget in budgets {
            match self.new_alerts(&budget, now).await {
                Ok(new) => alerts.extend(new),
                Err(e) => {
                    tracing::warn!(budget = budget.id, error = %e, "evaluating a budget failed");
                }
            }
        }
        alerts
    }

    async fn new_alerts(&self, budget: &Budget, now: DateTime<Utc>) -> Result<Vec<BudgetAlert>> {
        let period = budget.period_at(now)?;
        let spent = self.scope_spend(&budget.scope, period).await?.usage();
        let reached = budget.thresholds_reached(spent);
        if reached.is_empty() {
            return Ok(Vec::new());
        }
        let recorded = self
            .store
            .record_budget_alerts(
                budget.id,
                to_ts(period.start_instant()),
                &reached,
                spent,
                now,
            )
            .await?;
        Ok(recorded
            .into_iter()
            .map(|threshold| BudgetAlert {
                budget_id: budget.id,
                name: budget.name.clone(),
                threshold,
                period,
                spent,
                amount: budget.amount,
            })
            .collect())
    }
}

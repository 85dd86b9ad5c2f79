//! Budgets: an amount of usage cost per calendar day, ISO week or month in a time zone, on a
//! scope (everything, a plan, a workspace, a subject, a project), with alert thresholds.
//!
//! What a budget counts is usage cost, `billed + estimated`, read from the same reports the
//! dashboard and `user_costs` serve (no second attribution): subscription fees are fixed and
//! known in advance, so they are left out. Alerts are recorded once per threshold and period
//! by [`crate::Ledger::sync`].

use std::fmt;

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::cost::Cost;
use super::dashboard::{DashboardFilter, WorkspaceRef};
use super::forecast::Forecast;
use super::period::{Period, parse_time_zone};
use crate::Ledger;
use crate::error::{Error, Result};
use crate::model::plan::string_enum;
use crate::model::{Money, check_text};
use crate::store::to_ts;

/// The thresholds a budget gets unless told otherwise, in percent of its amount.
pub const DEFAULT_THRESHOLDS: [u32; 3] = [50, 80, 100];
/// The largest threshold, in percent (ten times the amount).
pub const MAX_THRESHOLD: u32 = 1000;
/// The most thresholds a budget may have.
pub const MAX_THRESHOLDS: usize = 20;

string_enum! {
    /// The calendar period a budget resets on, in the budget's time zone.
    BudgetPeriod, "budget period" {
        /// A calendar day, from local midnight to local midnight.
        Day => "day",
        /// An ISO week, Monday to Sunday.
        Week => "week",
        /// A calendar month.
        Month => "month",
    }
}

impl BudgetPeriod {
    /// The period of this kind containing the instant `at`, in `time_zone`.
    pub fn containing(self, at: DateTime<Utc>, time_zone: Tz) -> Period {
        let date = at.with_timezone(&time_zone).date_naive();
        let period = match self {
            BudgetPeriod::Day => Period::day(date),
            BudgetPeriod::Week => Period::week_of(date),
            BudgetPeriod::Month => {
                Period::month(date.year(), date.month()).expect("a date's month is valid")
            }
        };
        period.with_time_zone(time_zone)
    }
}

/// What a budget counts the spend of.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BudgetScope {
    /// Every plan, disconnected ones included.
    Global,
    /// One plan.
    Plan(i64),
    /// One workspace of one plan (`workspace_id: None` is its Default workspace).
    Workspace(WorkspaceRef),
    /// The keys attributed to one subject.
    Subject(String),
    /// The keys attributed to one project of a subject.
    Project(i64),
}

impl BudgetScope {
    /// One workspace of a plan (`None` for its Default workspace).
    pub fn workspace(plan_id: i64, workspace_id: Option<String>) -> Self {
        BudgetScope::Workspace(WorkspaceRef {
            plan_id,
            workspace_id,
        })
    }

    /// A subject's keys.
    pub fn subject(subject_id: impl Into<String>) -> Self {
        BudgetScope::Subject(subject_id.into())
    }

    /// The stable name of its kind: `global`, `plan`, `workspace`, `subject` or `project`.
    pub fn kind(&self) -> &'static str {
        match self {
            BudgetScope::Global => "global",
            BudgetScope::Plan(_) => "plan",
            BudgetScope::Workspace(_) => "workspace",
            BudgetScope::Subject(_) => "subject",
            BudgetScope::Project(_) => "project",
        }
    }

    /// Rebuild a scope from its stored columns.
    pub(crate) fn from_columns(
        kind: &str,
        plan_id: Option<i64>,
        workspace_id: Option<String>,
        subject_id: Option<String>,
        project_id: Option<i64>,
    ) -> Result<BudgetScope> {
        let bad = || Error::Storage {
            message: format!("stored budget scope {kind:?} is missing its target"),
            source: None,
        };
        Ok(match kind {
            "global" => BudgetScope::Global,
            "plan" => BudgetScope::Plan(plan_id.ok_or_else(bad)?),
            "workspace" => BudgetScope::workspace(plan_id.ok_or_else(bad)?, workspace_id),
            "subject" => BudgetScope::Subject(subject_id.ok_or_else(bad)?),
            "project" => BudgetScope::Project(project_id.ok_or_else(bad)?),
            _ => return Err(bad()),
        })
    }

    /// The plan id a plan or workspace scope names.
    pub(crate) fn plan_id(&self) -> Option<i64> {
        match self {
            BudgetScope::Plan(id) => Some(*id),
            BudgetScope::Workspace(ws) => Some(ws.plan_id),
            _ => None,
        }
    }
}

impl std::str::FromStr for BudgetScope {
    type Err = Error;

    /// `global`, `plan:ID`, `workspace:PLAN:WORKSPACE` (`workspace:PLAN:default` for the
    /// Default workspace), `subject:ID` or `project:ID`.
    fn from_str(text: &str) -> Result<BudgetScope> {
        let bad = || {
            Error::invalid(format!(
                "budget scope must be global, plan:ID, workspace:PLAN:WORKSPACE (or \
                 workspace:PLAN:default), subject:ID or project:ID, got {text:?}"
            ))
        };
        let id = |s: &str| s.trim().parse::<i64>().map_err(|_| bad());
        let text = text.trim();
        let (kind, rest) = text.split_once(':').unwrap_or((text, ""));
        Ok(match kind {
            "global" if rest.is_empty() => BudgetScope::Global,
            "plan" => BudgetScope::Plan(id(rest)?),
            "workspace" => {
                let (plan, ws) = rest.split_once(':').ok_or_else(bad)?;
                let ws = ws.trim();
                if ws.is_empty() {
                    return Err(bad());
                }
                let ws = (ws != "default").then(|| ws.to_string());
                BudgetScope::workspace(id(plan)?, ws)
            }
            "subject" if !rest.trim().is_empty() => BudgetScope::Subject(rest.trim().to_string()),
            "project" => BudgetScope::Project(id(rest)?),
            _ => return Err(bad()),
        })
    }
}

impl BudgetScope {
    /// The scope in the form [`BudgetScope::from_str`](std::str::FromStr) reads: `global`,
    /// `plan:3`, `workspace:3:wrkspc_…`, `workspace:3:default`, `subject:u-1`, `project:7`.
    pub fn spec(&self) -> String {
        match self {
            BudgetScope::Global => "global".to_string(),
            BudgetScope::Plan(id) => format!("plan:{id}"),
            BudgetScope::Workspace(ws) => format!(
                "workspace:{}:{}",
                ws.plan_id,
                ws.workspace_id.as_deref().unwrap_or("default")
            ),
            BudgetScope::Subject(id) => format!("subject:{id}"),
            BudgetScope::Project(id) => format!("project:{id}"),
        }
    }
}

impl fmt::Display for BudgetScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BudgetScope::Global => f.write_str("every plan"),
            BudgetScope::Plan(id) => write!(f, "plan {id}"),
            BudgetScope::Workspace(ws) => match &ws.workspace_id {
                Some(w) => write!(f, "workspace {w:?} of plan {}", ws.plan_id),
                None => write!(f, "the Default workspace of plan {}", ws.plan_id),
            },
            BudgetScope::Subject(id) => write!(f, "subject {id:?}"),
            BudgetScope::Project(id) => write!(f, "project {id}"),
        }
    }
}

impl Serialize for BudgetScope {
    /// Flat: `{"kind": "workspace", "plan_id": 1, "workspace_id": null}`, with only the
    /// fields the kind has.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("kind", self.kind())?;
        match self {
            BudgetScope::Global => {}
            BudgetScope::Plan(id) => map.serialize_entry("plan_id", id)?,
            BudgetScope::Workspace(ws) => {
                map.serialize_entry("plan_id", &ws.plan_id)?;
                map.serialize_entry("workspace_id", &ws.workspace_id)?;
            }
            BudgetScope::Subject(id) => map.serialize_entry("subject_id", id)?,
            BudgetScope::Project(id) => map.serialize_entry("project_id", id)?,
        }
        map.end()
    }
}

/// A budget to create ([`Ledger::create_budget`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewBudget {
    /// Its name (1-200 characters).
    pub name: String,
    /// What it counts.
    pub scope: BudgetScope,
    /// The usage cost allowed per period (more than zero).
    pub amount: Money,
    /// Day, week or month.
    pub period: BudgetPeriod,
    /// The IANA time zone its periods are in (default `UTC`).
    pub time_zone: String,
    /// Percents of `amount` that raise an alert when spend reaches them, increasing, each
    /// 1-1000 (default 50, 80, 100). May be empty: a budget watched without alerts.
    pub thresholds: Vec<u32>,
}

impl NewBudget {
    /// A budget of `amount` per `period` on `scope`, in UTC, alerting at 50, 80 and 100%.
    pub fn new(
        name: impl Into<String>,
        scope: BudgetScope,
        amount: Money,
        period: BudgetPeriod,
    ) -> Self {
        NewBudget {
            name: name.into(),
            scope,
            amount,
            period,
            time_zone: "UTC".to_string(),
            thresholds: DEFAULT_THRESHOLDS.to_vec(),
        }
    }

    /// Periods in this IANA time zone.
    pub fn time_zone(mut self, time_zone: impl Into<String>) -> Self {
        self.time_zone = time_zone.into();
        self
    }

    /// Alert at these percents of the amount.
    pub fn thresholds(mut self, percents: impl Into<Vec<u32>>) -> Self {
        self.thresholds = percents.into();
        self
    }

    /// Trim and check the fields (not the scope's target, which needs the store); the time
    /// zone comes back in its canonical spelling.
    pub fn validated(&self) -> Result<NewBudget> {
        let name = self.name.trim();
        check_text("budget name", name, 1, 200)?;
        if self.amount <= Money::ZERO {
            return Err(Error::invalid(format!(
                "budget amount must be more than $0, got ${}",
                self.amount.to_dollars_string()
            )));
        }
        let time_zone = parse_time_zone(&self.time_zone)?;
        check_thresholds(&self.thresholds)?;
        if let BudgetScope::Subject(id) = &self.scope {
            check_text("subject id", id, 1, 200)?;
        }
        if let BudgetScope::Workspace(WorkspaceRef {
            workspace_id: Some(id),
            ..
        }) = &self.scope
        {
            check_text("workspace id", id, 1, 200)?;
        }
        Ok(NewBudget {
            name: name.to_string(),
            time_zone: time_zone.name().to_string(),
            ..self.clone()
        })
    }
}

fn check_thresholds(thresholds: &[u32]) -> Result<()> {
    let increasing = thresholds.windows(2).all(|w| w[0] < w[1]);
    let in_range = thresholds.iter().all(|t| (1..=MAX_THRESHOLD).contains(t));
    if !increasing || !in_range || thresholds.len() > MAX_THRESHOLDS {
        return Err(Error::invalid(format!(
            "thresholds must be at most {MAX_THRESHOLDS} percents from 1 to {MAX_THRESHOLD}, \
             increasing and without repeats (such as [50, 80, 100]), got {thresholds:?}"
        )));
    }
    Ok(())
}

/// A stored budget.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Budget {
    /// Its id.
    pub id: i64,
    /// Its name.
    pub name: String,
    /// What it counts.
    pub scope: BudgetScope,
    /// The usage cost allowed per period.
    pub amount: Money,
    /// Day, week or month.
    pub period: BudgetPeriod,
    /// The IANA time zone of its periods.
    pub time_zone: String,
    /// Alert thresholds, in percent of the amount, increasing.
    pub thresholds: Vec<u32>,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

impl Budget {
    /// The period containing the instant `at`: the local day, ISO week or month in the
    /// budget's time zone.
    pub fn period_at(&self, at: DateTime<Utc>) -> Result<Period> {
        Ok(self
            .period
            .containing(at, parse_time_zone(&self.time_zone)?))
    }

    /// The thresholds `spent` reaches: `spent × 100 ≥ threshold × amount`, exactly.
    pub fn thresholds_reached(&self, spent: Money) -> Vec<u32> {
        let spent = i128::from(spent.nanos()) * 100;
        let amount = i128::from(self.amount.nanos());
        self.thresholds
            .iter()
            .copied()
            .filter(|t| spent >= i128::from(*t) * amount)
            .collect()
    }

    fn as_new(&self) -> NewBudget {
        NewBudget {
            name: self.name.clone(),
            scope: self.scope.clone(),
            amount: self.amount,
            period: self.period,
            time_zone: self.time_zone.clone(),
            thresholds: self.thresholds.clone(),
        }
    }
}

/// Changes to a budget ([`Ledger::update_budget`]); `None` fields stay as they are. The scope
/// cannot change: create another budget for another scope.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BudgetUpdate {
    /// A new name.
    pub name: Option<String>,
    /// A new amount.
    pub amount: Option<Money>,
    /// A new period.
    pub period: Option<BudgetPeriod>,
    /// A new time zone.
    pub time_zone: Option<String>,
    /// New thresholds.
    pub thresholds: Option<Vec<u32>>,
}

impl BudgetUpdate {
    /// No changes yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Rename.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Change the amount.
    pub fn amount(mut self, amount: Money) -> Self {
        self.amount = Some(amount);
        self
    }

    /// Change the period.
    pub fn period(mut self, period: BudgetPeriod) -> Self {
        self.period = Some(period);
        self
    }

    /// Change the time zone.
    pub fn time_zone(mut self, time_zone: impl Into<String>) -> Self {
        self.time_zone = Some(time_zone.into());
        self
    }

    /// Change the thresholds.
    pub fn thresholds(mut self, percents: impl Into<Vec<u32>>) -> Self {
        self.thresholds = Some(percents.into());
        self
    }
}

/// Where a budget stands in its current period ([`Ledger::budget_status`]).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct BudgetStatus {
    /// The budget.
    pub budget: Budget,
    /// The current period: the day, week or month containing now in its time zone.
    pub period: Period,
    /// Usage cost so far in the period, by basis (`subscription` is always zero).
    pub spent: Cost,
    /// The amount minus the usage cost spent; negative once the budget is overrun.
    pub remaining: Money,
    /// The projection to the end of the period.
    pub forecast: Forecast,
    /// The thresholds the spend has reached.
    pub thresholds_crossed: Vec<u32>,
    /// Spent as a percent of the amount, for display (the thresholds are checked exactly).
    pub percent_used: f64,
}

/// A threshold newly reached in a period, returned once in [`crate::SyncReport`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BudgetAlert {
    /// The budget.
    pub budget_id: i64,
    /// Its name.
    pub name: String,
    /// The threshold reached, in percent of the amount.
    pub threshold: u32,
    /// The period it was reached in.
    pub period: Period,
    /// Usage cost spent in the period when it was seen.
    pub spent: Money,
    /// The budget's amount.
    pub amount: Money,
}

impl Ledger {
    /// Create a budget. Besides the fields ([`NewBudget::validated`]; `INVALID_INPUT`), its
    /// target must exist: `PLAN_NOT_FOUND`, `SUBJECT_NOT_FOUND`, `PROJECT_NOT_FOUND`, and a
    /// workspace must be one the plan's synced metadata lists.
    pub async fn create_budget(&self, budget: NewBudget) -> Result<Budget> {
        let budget = budget.validated()?;
        self.check_scope(&budget.scope).await?;
        self.inner.store.insert_budget(&budget, self.now()).await
    }

    /// One budget, or `BUDGET_NOT_FOUND`.
    pub async fn get_budget(&self, id: i64) -> Result<Budget> {
        self.inner.store.get_budget(id).await
    }

    /// Every budget, by id.
    pub async fn list_budgets(&self) -> Result<Vec<Budget>> {
        self.inner.store.list_budgets().await
    }

    /// Change a budget's name, amount, period, time zone or thresholds. Thresholds already
    /// alerted in the current period stay alerted, except those the new amount or thresholds
    /// put out of reach of the spend again: they alert again when reached.
    pub async fn update_budget(&self, id: i64, update: BudgetUpdate) -> Result<Budget> {
        let current = self.get_budget(id).await?;
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
        let updated = self
            .inner
            .store
            .update_budget(id, &next, self.now())
            .await?;
        if let Some((period, reached)) = reached {
            self.inner
                .store
                .rearm_budget_alerts(id, to_ts(period.start_instant()), &reached)
                .await?;
        }
        Ok(updated)
    }

    /// Delete a budget and its alert records; `BUDGET_NOT_FOUND` when there is none.
    pub async fn delete_budget(&self, id: i64) -> Result<()> {
        self.inner.store.delete_budget(id).await
    }

    /// Where a budget stands now (the ledger's clock): its current period, usage cost spent,
    /// remaining, forecast to the period's end and thresholds reached. A budget whose subject
    /// or project was deleted fails with that target's not-found code.
    pub async fn budget_status(&self, id: i64) -> Result<BudgetStatus> {
        let budget = self.get_budget(id).await?;
        self.status_of(budget).await
    }

    /// [`Ledger::budget_status`] of every budget, by id.
    pub async fn budget_statuses(&self) -> Result<Vec<BudgetStatus>> {
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
        Ok(BudgetStatus {
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
                let project = self.inner.store.get_project(*id).await?;
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
        let store = self.inner.store.as_ref();
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
            .inner
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

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn budget(amount: Money, thresholds: &[u32]) -> Budget {
        let at = Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap();
        Budget {
            id: 1,
            name: "b".into(),
            scope: BudgetScope::Global,
            amount,
            period: BudgetPeriod::Month,
            time_zone: "UTC".into(),
            thresholds: thresholds.to_vec(),
            created_at: at,
            updated_at: at,
        }
    }

    #[test]
    fn periods_contain_the_instant_in_their_time_zone() {
        let la: Tz = "America/Los_Angeles".parse().unwrap();
        // 05:00 UTC on Nov 1 is still Oct 31 in Los Angeles.
        let at = Utc.with_ymd_and_hms(2026, 11, 1, 5, 0, 0).unwrap();
        let month = BudgetPeriod::Month.containing(at, la);
        assert_eq!(
            (month.start, month.end),
            (date(2026, 10, 1), date(2026, 11, 1))
        );
        assert_eq!(month.time_zone, la);
        let utc = BudgetPeriod::Month.containing(at, Tz::UTC);
        assert_eq!(utc.start, date(2026, 11, 1));
        // Sunday Nov 1 belongs to the ISO week that began on Monday Oct 26.
        let week = BudgetPeriod::Week.containing(at, Tz::UTC);
        assert_eq!(
            (week.start, week.end),
            (date(2026, 10, 26), date(2026, 11, 2))
        );
        let day = BudgetPeriod::Day.containing(at, la);
        assert_eq!((day.start, day.len_days()), (date(2026, 10, 31), 1));
        assert_eq!("week".parse::<BudgetPeriod>().unwrap(), BudgetPeriod::Week);
        let e = "year".parse::<BudgetPeriod>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "budget period must be one of day, week, month, got \"year\""
        );
    }

    #[test]
    fn thresholds_are_reached_exactly() {
        let b = budget(Money::from_nanos(1_000), &[50, 80, 100, 150]);
        assert!(b.thresholds_reached(Money::from_nanos(499)).is_empty());
        assert_eq!(b.thresholds_reached(Money::from_nanos(500)), vec![50]);
        assert_eq!(b.thresholds_reached(Money::from_nanos(999)), vec![50, 80]);
        assert_eq!(
            b.thresholds_reached(Money::from_nanos(1_500)),
            vec![50, 80, 100, 150]
        );
        assert!(b.thresholds_reached(Money::from_nanos(-5)).is_empty());
        // No overflow near the top of the range.
        let big = budget(Money::from_nanos(i64::MAX), &[1000]);
        assert!(
            big.thresholds_reached(Money::from_nanos(i64::MAX))
                .is_empty()
        );
    }

    #[test]
    fn new_budgets_are_checked_with_clear_messages() {
        let ok = NewBudget::new(
            "  Team  ",
            BudgetScope::Global,
            Money::from_cents(100),
            BudgetPeriod::Month,
        );
        let v = ok.clone().time_zone(" America/Los_Angeles ").validated();
        assert_eq!(v.unwrap().time_zone, "America/Los_Angeles");
        let v = ok.validated().unwrap();
        assert_eq!((v.name.as_str(), v.time_zone.as_str()), ("Team", "UTC"));
        assert_eq!(v.thresholds, vec![50, 80, 100]);
        let msg = |b: NewBudget| b.validated().unwrap_err().to_string();
        assert_eq!(
            msg(ok.clone().thresholds(vec![80, 50])),
            "thresholds must be at most 20 percents from 1 to 1000, increasing and without \
             repeats (such as [50, 80, 100]), got [80, 50]"
        );
        assert!(ok.clone().thresholds(Vec::new()).validated().is_ok());
    }

    #[test]
    fn scopes_have_a_string_form() {
        use std::str::FromStr;
        assert_eq!(
            BudgetScope::from_str("global").unwrap(),
            BudgetScope::Global
        );
        assert_eq!(
            BudgetScope::from_str("plan:3").unwrap(),
            BudgetScope::Plan(3)
        );
        assert_eq!(
            BudgetScope::from_str("workspace:3:default").unwrap(),
            BudgetScope::workspace(3, None)
        );
        assert_eq!(
            BudgetScope::from_str("workspace:3:wrkspc_01").unwrap(),
            BudgetScope::workspace(3, Some("wrkspc_01".into()))
        );
        assert_eq!(
            BudgetScope::from_str("subject:u-1").unwrap(),
            BudgetScope::Subject("u-1".into())
        );
        assert_eq!(
            BudgetScope::from_str("project:7").unwrap(),
            BudgetScope::Project(7)
        );
        for scope in [
            BudgetScope::Global,
            BudgetScope::Plan(3),
            BudgetScope::workspace(3, None),
            BudgetScope::workspace(3, Some("wrkspc_01".into())),
            BudgetScope::Subject("u-1".into()),
            BudgetScope::Project(7),
        ] {
            assert_eq!(BudgetScope::from_str(&scope.spec()).unwrap(), scope);
        }
        for bad in [
            "",
            "plan",
            "plan:x",
            "workspace:3",
            "workspace:3:",
            "subject:",
            "team:1",
            "global:1",
        ] {
            let e = BudgetScope::from_str(bad).unwrap_err();
            assert!(
                e.to_string()
                    .starts_with("budget scope must be global, plan:ID"),
                "{bad}: {e}"
            );
        }
    }
}

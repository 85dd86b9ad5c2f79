//! Budgets as stored: an amount of usage cost per calendar day, ISO week or month in a time
//! zone, on a scope, with alert thresholds, and the provider spend limit a budget may mirror.
//! Their status and alerts are computed in `reports::budgets`.

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::period::{Period, parse_time_zone};
use super::{BudgetScope, Money, SpendLimitScope, SpendPeriod, check_text};
use crate::error::{Error, Result};
use crate::macros::string_enum;

/// One workspace of one plan: the identity of a workspace in every report.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, schemars::JsonSchema)]
pub struct WorkspaceRef {
    /// The plan.
    pub plan_id: i64,
    /// The workspace; `None` is the Default workspace.
    pub workspace_id: Option<String>,
}

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

/// A budget to create ([`Ledger::create_budget`](crate::Ledger::create_budget)).
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
    /// The provider spend limit it mirrors: then its scope and amount come from the limit
    /// ([`NewBudget::mirroring`]).
    pub mirror: Option<LimitMirror>,
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
            mirror: None,
        }
    }

    /// A budget mirroring the provider spend limit of `plan_id`'s organisation with `scope`
    /// (`organization`, `workspace:ID`, `user:ID`) and the period `period` (day ↔ daily,
    /// week ↔ weekly, month ↔ monthly), in UTC: its amount is the limit the last sync stored
    /// (sync the plan first), refreshed by each sync; its scope is what the limit applies to
    /// (the plan, the workspace, the subject with the member's e-mail).
    pub fn mirroring(
        name: impl Into<String>,
        plan_id: i64,
        scope: crate::model::SpendLimitScope,
        period: BudgetPeriod,
    ) -> Self {
        NewBudget {
            mirror: Some(LimitMirror { plan_id, scope }),
            ..NewBudget::new(name, BudgetScope::Plan(plan_id), Money::ZERO, period)
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
        if self.mirror.is_some() && time_zone != Tz::UTC {
            return Err(Error::invalid(format!(
                "a budget mirroring a provider spend limit is in UTC, as the provider's \
                 periods are, not {}",
                time_zone.name()
            )));
        }
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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
    /// The provider spend limit it mirrors, if any: its amount is the limit's as last synced.
    pub mirror: Option<LimitMirror>,
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

    pub(crate) fn as_new(&self) -> NewBudget {
        NewBudget {
            name: self.name.clone(),
            scope: self.scope.clone(),
            amount: self.amount,
            period: self.period,
            time_zone: self.time_zone.clone(),
            thresholds: self.thresholds.clone(),
            mirror: self.mirror.clone(),
        }
    }
}

/// Changes to a budget ([`Ledger::update_budget`](crate::Ledger::update_budget)); `None` fields stay as they are. The scope
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

/// The provider spend limit a budget mirrors: a limit of this plan's organisation with this
/// scope and the budget's period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LimitMirror {
    /// The plan whose organisation has the limit.
    pub plan_id: i64,
    /// `organization`, `workspace:ID` or `user:ID`.
    #[serde(serialize_with = "scope_text")]
    #[schemars(with = "String")]
    pub scope: SpendLimitScope,
}

/// A spend limit's scope as reports write it: its text form (`workspace:wrkspc_…`), the one
/// `NewBudget::mirroring` and the packages take.
pub(crate) fn scope_text<S: serde::Serializer>(
    scope: &SpendLimitScope,
    s: S,
) -> std::result::Result<S::Ok, S::Error> {
    s.collect_str(scope)
}

impl BudgetPeriod {
    /// The provider's period this budget period mirrors.
    pub fn spend_period(self) -> SpendPeriod {
        match self {
            BudgetPeriod::Day => SpendPeriod::Daily,
            BudgetPeriod::Week => SpendPeriod::Weekly,
            BudgetPeriod::Month => SpendPeriod::Monthly,
        }
    }
}

//! Budgets: an amount of usage cost per calendar day, ISO week or month in a time zone, on a
//! scope (everything, a plan, a workspace, a subject, a project), with alert thresholds.
//!
//! What a budget counts is usage cost, `billed + estimated`, read from the same reports the
//! dashboard and `user_costs` serve (no second attribution): subscription fees are fixed and
//! known in advance, so they are left out. Alerts are recorded once per threshold and period
//! by [`crate::Ledger::sync`].

use chrono::{DateTime, Datelike, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::cost::Cost;
use super::dashboard::WorkspaceRef;
use super::forecast::Forecast;
use super::period::{Period, parse_time_zone};
use crate::error::{Error, Result};
use crate::macros::string_enum;
use crate::model::{Money, check_text};

mod ledger;
mod mirror;
mod scope;

pub use mirror::{LimitMirror, ProviderLimitState, ProviderLimitStatus};
pub use scope::BudgetScope;

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

    fn as_new(&self) -> NewBudget {
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

/// Where a budget stands in its current period ([`Ledger::budget_status`](crate::Ledger::budget_status)).
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
    /// For a budget mirroring a provider spend limit: the provider's limit beside the spend
    /// and forecast, and whether the forecast reaches it before the period ends.
    pub provider_limit: Option<ProviderLimitStatus>,
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
            mirror: None,
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

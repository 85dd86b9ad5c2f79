//! Budgets: an amount of usage cost per calendar day, ISO week or month in a time zone, on a
//! scope (everything, a plan, a workspace, a subject, a project), with alert thresholds.
//!
//! What a budget counts is usage cost, `billed + estimated`, read from the same reports the
//! dashboard and `user_costs` serve (no second attribution): subscription fees are fixed and
//! known in advance, so they are left out. Alerts are recorded once per threshold and period
//! by [`crate::Ledger::sync`].

use serde::Serialize;

use super::cost::Cost;
use super::forecast::Forecast;
use super::period::Period;
use crate::model::Money;

mod ledger;
mod mirror;

pub use crate::model::{
    Budget, BudgetPeriod, BudgetScope, BudgetUpdate, DEFAULT_THRESHOLDS, LimitMirror, NewBudget,
};
pub use mirror::{ProviderLimitState, ProviderLimitStatus};

/// Where a budget stands in its current period ([`Ledger::budget_status`](crate::Ledger::budget_status)).
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
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
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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
    use chrono::{NaiveDate, TimeZone, Utc};
    use chrono_tz::Tz;

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

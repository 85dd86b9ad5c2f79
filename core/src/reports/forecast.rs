//! `forecast`: where a scope's usage cost will end a period, from the recent daily run rate.
//!
//! The projection is the usage cost spent so far in the period plus the mean daily usage cost
//! of the last 7 complete local days before now (fewer when the plans were first synced less
//! than 7 days ago) times the days left, the current day counted by the fraction of it left
//! (so a 23- or 25-hour DST day counts as one day). The arithmetic is exact: one integer
//! division of nanodollars, rounded half away from zero.

use chrono::{DateTime, Days, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use super::budgets::BudgetScope;
use super::period::Period;
use crate::context::Context;
use crate::error::Result;
use crate::model::ListPlans;
use crate::model::{BucketWidth, Money};

/// How many complete days the run rate is the mean of.
pub const RUN_RATE_DAYS: u64 = 7;

/// An end-of-period projection ([`Ledger::forecast`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Forecast {
    /// The period projected.
    pub period: Period,
    /// Usage cost spent in the period so far.
    pub spent: Money,
    /// Usage cost expected by the end of the period.
    pub projected: Money,
    /// The run rate: mean usage cost per complete day of the rate window (zero when no
    /// complete day was available or the period has ended).
    pub daily_rate: Money,
    /// How `projected` was computed, in words, such as "spent so far + mean of the last 7
    /// complete days × 12.5 days left".
    pub method: String,
    /// The instant of the projection (the ledger's clock).
    pub as_of: DateTime<Utc>,
}

/// What is left of a period at an instant, in local days: `whole_days` after the current one,
/// plus `partial / day_len` of the current one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct TimeLeft {
    whole_days: i64,
    partial: i64,
    day_len: i64,
}

impl TimeLeft {
    /// What is left of `period` at `now`; `None` once it has ended.
    pub(crate) fn of(period: &Period, now: DateTime<Utc>) -> Option<TimeLeft> {
        if now >= period.end_instant() {
            return None;
        }
        if now < period.start_instant() {
            return Some(TimeLeft {
                whole_days: period.len_days(),
                partial: 0,
                day_len: 1,
            });
        }
        let today = period.local_date(now);
        let tomorrow = today + Days::new(1);
        let day_end = Period::midnight(period.time_zone, tomorrow);
        Some(TimeLeft {
            whole_days: (period.end - tomorrow).num_days(),
            partial: (day_end - now).num_seconds(),
            day_len: (day_end - Period::midnight(period.time_zone, today)).num_seconds(),
        })
    }

    /// The days left as a rational: (numerator, denominator).
    fn ratio(&self) -> (i128, i128) {
        (
            i128::from(self.whole_days) * i128::from(self.day_len) + i128::from(self.partial),
            i128::from(self.day_len),
        )
    }

    /// The days left, for the method text: at most two decimals, no trailing zeros.
    fn describe(&self) -> String {
        let (num, den) = self.ratio();
        let hundredths = div_round(num * 100, den);
        let (whole, frac) = (hundredths / 100, hundredths % 100);
        let days = match frac {
            0 => format!("{whole}"),
            f if f % 10 == 0 => format!("{whole}.{}", f / 10),
            f => format!("{whole}.{f:02}"),
        };
        format!(
            "{days} day{} left",
            if hundredths == 100 { "" } else { "s" }
        )
    }
}

/// `num / den` rounded half away from zero (`den > 0`).
fn div_round(num: i128, den: i128) -> i128 {
    let half = den / 2;
    if num >= 0 {
        (num + half) / den
    } else {
        (num - half) / den
    }
}

/// The complete local days the run rate is taken from: up to [`RUN_RATE_DAYS`] dates before
/// the local date of `now`, none starting before `history_start`. `None` when there is none.
pub(crate) fn rate_window(
    time_zone: Tz,
    now: DateTime<Utc>,
    history_start: Option<DateTime<Utc>>,
) -> Option<Period> {
    let end = now.with_timezone(&time_zone).date_naive();
    let mut start = end - Days::new(RUN_RATE_DAYS);
    if let Some(history) = history_start {
        while start < end && Period::midnight(time_zone, start) < history {
            start = start + Days::new(1);
        }
    }
    (start < end).then_some(Period {
        start,
        end,
        time_zone,
    })
}

/// The projection of `period` at `now` from the spend so far and the usage cost `window_sum`
/// of `window_days` complete days.
pub(crate) fn project(
    period: Period,
    now: DateTime<Utc>,
    spent: Money,
    window_sum: Money,
    window_days: i64,
) -> Forecast {
    let forecast = |projected, daily_rate, method: String| Forecast {
        period,
        spent,
        projected,
        daily_rate,
        method,
        as_of: now,
    };
    let Some(left) = TimeLeft::of(&period, now) else {
        return forecast(
            spent,
            Money::ZERO,
            "the period has ended: projected = spent".into(),
        );
    };
    if window_days <= 0 {
        return forecast(
            spent,
            Money::ZERO,
            "spent so far (no complete day of history yet to take a run rate from)".into(),
        );
    }
    let sum = i128::from(window_sum.nanos());
    let days = i128::from(window_days);
    let (num, den) = left.ratio();
    let rest = div_round(sum * num, days * den);
    let daily_rate = div_round(sum, days);
    let nanos = |v: i128| Money::from_nanos(i64::try_from(v).unwrap_or(i64::MAX));
    forecast(
        spent + nanos(rest),
        nanos(daily_rate),
        format!(
            "spent so far + mean of the last {window_days} complete day{} × {}",
            if window_days == 1 { "" } else { "s" },
            left.describe()
        ),
    )
}

impl Context {
    /// [`crate::Ledger::forecast`].
    pub(crate) async fn forecast(&self, scope: &BudgetScope, period: Period) -> Result<Forecast> {
        let spent = self.scope_spend(scope, period).await?.usage();
        self.forecast_from(scope, period, spent, self.now()).await
    }

    /// [`Ledger::forecast`] when the spend in the period is already known.
    pub(crate) async fn forecast_from(
        &self,
        scope: &BudgetScope,
        period: Period,
        spent: Money,
        now: DateTime<Utc>,
    ) -> Result<Forecast> {
        if TimeLeft::of(&period, now).is_none() {
            return Ok(project(period, now, spent, Money::ZERO, 0));
        }
        let history = self.history_start(scope).await?;
        let (sum, days) = match rate_window(period.time_zone, now, history) {
            Some(window) => (
                self.scope_spend(scope, window).await?.usage(),
                window.len_days(),
            ),
            None => (Money::ZERO, 0),
        };
        Ok(project(period, now, spent, sum, days))
    }

    /// The first instant the scope's plans were synced from (the earliest start of their
    /// usage streams); `None` when none was synced from the Admin API (no limit is known).
    async fn history_start(&self, scope: &BudgetScope) -> Result<Option<DateTime<Utc>>> {
        let store = self.store.as_ref();
        let plan_ids = match scope.plan_id() {
            Some(id) => vec![id],
            None => self
                .list_plans(ListPlans::all())
                .await?
                .into_iter()
                .map(|p| p.id)
                .collect(),
        };
        let mut first: Option<DateTime<Utc>> = None;
        for plan_id in plan_ids {
            for width in [BucketWidth::Hour, BucketWidth::Day] {
                if let Some(mark) = store.watermark(plan_id, &format!("usage:{width}")).await? {
                    first = Some(first.map_or(mark.first_start, |f| f.min(mark.first_start)));
                }
            }
        }
        Ok(first)
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone};

    use super::*;

    fn at(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn a_hand_checked_projection() {
        // November (30 days), now Nov 18 12:00 UTC: 12.5 days left (half of the 18th, then
        // the 19th to the 30th). Last 7 complete days cost $70.00 in all: $10.00 a day.
        let november: Period = "2026-11".parse().unwrap();
        let f = project(
            november,
            at(2026, 11, 18, 12),
            Money::from_cents(20_000),
            Money::from_cents(7_000),
            7,
        );
        assert_eq!(f.daily_rate, Money::from_cents(1_000));
        assert_eq!(f.projected, Money::from_cents(20_000 + 12_500));
        assert_eq!(
            f.method,
            "spent so far + mean of the last 7 complete days × 12.5 days left"
        );
        assert_eq!(f.spent, Money::from_cents(20_000));
        assert_eq!(f.as_of, at(2026, 11, 18, 12));
    }

    #[test]
    fn projections_round_once_and_exactly() {
        // $1 over 3 days is 333333333.33… nanodollars a day; 2 days left project 666666667,
        // not 2 × the rounded rate (666666666).
        let november: Period = "2026-11".parse().unwrap();
        let f = project(
            november,
            at(2026, 11, 29, 0),
            Money::ZERO,
            Money::from_cents(100),
            3,
        );
        assert_eq!(f.daily_rate, Money::from_nanos(333_333_333));
        assert_eq!(f.projected, Money::from_nanos(666_666_667));
        assert_eq!(
            f.method,
            "spent so far + mean of the last 3 complete days × 2 days left"
        );
    }

    #[test]
    fn ended_future_and_rateless_periods() {
        let october: Period = "2026-10".parse().unwrap();
        let now = at(2026, 11, 18, 12);
        let ended = project(october, now, Money::from_cents(5), Money::from_cents(70), 7);
        assert_eq!(ended.projected, Money::from_cents(5));
        assert_eq!(ended.method, "the period has ended: projected = spent");
        let december: Period = "2026-12".parse().unwrap();
        let future = project(december, now, Money::ZERO, Money::from_cents(70), 7);
        assert_eq!(future.projected, Money::from_cents(310));
        assert!(
            future.method.ends_with("× 31 days left"),
            "{}",
            future.method
        );
        let none = project(december, now, Money::ZERO, Money::ZERO, 0);
        assert_eq!(none.projected, Money::ZERO);
        assert!(none.method.contains("no complete day"), "{}", none.method);
    }

    #[test]
    fn the_current_day_counts_by_its_local_length() {
        // Nov 1 2026 in Los Angeles has 25 hours (PDT to PST). At 08:00 UTC (01:00 PDT) 24 of
        // them are left: 24/25 of the day, plus 29 whole days.
        let la: Period = "2026-11 America/Los_Angeles".parse().unwrap();
        let left = TimeLeft::of(&la, at(2026, 11, 1, 8)).unwrap();
        assert_eq!(left.ratio(), (29 * 25 * 3600 + 24 * 3600, 25 * 3600));
        assert_eq!(left.describe(), "29.96 days left");
        let day: Period = "2026-11-05".parse().unwrap();
        let one = TimeLeft::of(&day, at(2026, 11, 5, 0)).unwrap();
        assert_eq!(one.describe(), "1 day left");
    }

    #[test]
    fn the_rate_window_is_seven_complete_local_days_within_history() {
        let utc = Tz::UTC;
        let now = at(2026, 11, 20, 15);
        let w = rate_window(utc, now, None).unwrap();
        assert_eq!((w.start, w.end), (date(2026, 11, 13), date(2026, 11, 20)));
        // History from Nov 17 10:00: the 17th is not complete, so the 18th and 19th.
        let w = rate_window(utc, now, Some(at(2026, 11, 17, 10))).unwrap();
        assert_eq!((w.start, w.len_days()), (date(2026, 11, 18), 2));
        assert_eq!(rate_window(utc, now, Some(at(2026, 11, 20, 0))), None);
        // In Los Angeles 2026-11-20 05:00 UTC is still the 19th.
        let la: Tz = "America/Los_Angeles".parse().unwrap();
        let w = rate_window(la, at(2026, 11, 20, 5), None).unwrap();
        assert_eq!((w.start, w.end), (date(2026, 11, 12), date(2026, 11, 19)));
        assert_eq!(w.time_zone, la);
    }
}

//! Billing periods of a subscription, the fixed fee of any date range, and the next payment
//! date.
//!
//! Periods start on the subscription's anchor date (the day it started) and renew on the
//! anchor's day of month (monthly) or month and day (annual). A day the month lacks is
//! clamped to the month's last day, and every renewal is measured from the anchor, never from
//! the previous renewal, so clamping never drifts: anchored on Jan 31, periods start Feb 28
//! (29 in a leap year), Mar 31, Apr 30, May 31. An annual plan anchored on Feb 29 renews on
//! Feb 28 in common years. No period starts before the anchor.

use chrono::{Datelike, NaiveDate};

use super::subscriptions::{SubscriptionCatalog, seat_price};
use super::unit_price::{div_round_half_even, saturate};
use crate::error::{Error, Result};
use crate::model::{BillingCycle, Money, Subscription};

/// One billing period of a fixed fee, and the part of it that falls in the asked range.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeePeriod {
    /// The period's first day.
    pub start: NaiveDate,
    /// The day after the period's last day (the next period's start).
    pub end: NaiveDate,
    /// The price of one seat for the whole period.
    pub seat_price: Money,
    /// The whole period's fee, all seats.
    pub fee: Money,
    /// The part of `fee` that accrues inside the asked range.
    pub prorated: Money,
}

/// The fixed fee of a subscription over a date range.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixedFee {
    /// The fee of the range, all seats: the exact sum of the periods' `prorated`.
    pub total: Money,
    /// The fee of the range for one seat (each period's seat price prorated by the same
    /// rule). Because each amount is rounded on its own, `per_seat × seats` can differ from
    /// `total` by a few nanodollars; `total` is the one that adds up to the invoices.
    pub per_seat: Money,
    /// The billing periods that overlap the range, in order.
    pub periods: Vec<FeePeriod>,
}

/// The start of billing period `k` (0 = the anchor), or `None` past the calendar's end.
fn period_start(sub: &Subscription, k: i64) -> Option<NaiveDate> {
    let anchor = sub.anchor_date;
    let (year, month) = match sub.cycle {
        BillingCycle::Monthly => {
            let index = i64::from(anchor.year()) * 12 + i64::from(anchor.month0()) + k;
            (index.div_euclid(12), index.rem_euclid(12) as u32 + 1)
        }
        BillingCycle::Annual => (i64::from(anchor.year()) + k, anchor.month()),
    };
    let year = i32::try_from(year).ok()?;
    let last_day = last_day_of_month(year, month)?;
    NaiveDate::from_ymd_opt(year, month, anchor.day().min(last_day))
}

fn last_day_of_month(year: i32, month: u32) -> Option<u32> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    Some(first_of_next.pred_opt()?.day())
}

/// The index of a period that starts on or before `day` (at most one period early), or 0.
fn period_index_near(sub: &Subscription, day: NaiveDate) -> i64 {
    let anchor = sub.anchor_date;
    let years = i64::from(day.year()) - i64::from(anchor.year());
    let k = match sub.cycle {
        BillingCycle::Monthly => {
            years * 12 + i64::from(day.month0()) - i64::from(anchor.month0()) - 1
        }
        BillingCycle::Annual => years - 1,
    };
    k.max(0)
}

/// The billing periods `[start, end)` of `sub` that overlap `[from, to)`, in order. Empty
/// when `from >= to` or the range ends before the anchor.
pub fn billing_periods(
    sub: &Subscription,
    from: NaiveDate,
    to: NaiveDate,
) -> Vec<(NaiveDate, NaiveDate)> {
    let mut periods = Vec::new();
    if from >= to {
        return periods;
    }
    let mut k = period_index_near(sub, from);
    while let (Some(start), Some(end)) = (period_start(sub, k), period_start(sub, k + 1)) {
        if start >= to {
            break;
        }
        if end > from {
            periods.push((start, end));
        }
        k += 1;
    }
    periods
}

/// The first period start strictly after `after`: the day the next fee is due. A fee due on
/// `after` itself counts as paid (so on a renewal day this is the following renewal); before
/// the anchor it is the anchor.
pub fn next_payment_date(sub: &Subscription, after: NaiveDate) -> NaiveDate {
    let mut k = period_index_near(sub, after);
    loop {
        match period_start(sub, k) {
            Some(start) if start > after => return start,
            Some(_) => k += 1,
            None => return NaiveDate::MAX,
        }
    }
}

/// The part of fee `fee` of period `[p0, p1)` that accrues before `day`:
/// `round_half_even(fee × (clamp(day) − p0) / (p1 − p0))` with days as the unit.
fn accrued(fee: Money, p0: NaiveDate, p1: NaiveDate, day: NaiveDate) -> i128 {
    let day = day.clamp(p0, p1);
    let elapsed = i128::from((day - p0).num_days());
    let length = i128::from((p1 - p0).num_days());
    div_round_half_even(i128::from(fee.nanos()) * elapsed, length)
}

fn prorate(fee: Money, p0: NaiveDate, p1: NaiveDate, from: NaiveDate, to: NaiveDate) -> Money {
    Money::from_nanos(saturate(
        accrued(fee, p0, p1, to) - accrued(fee, p0, p1, from),
    ))
}

/// The fixed fee of `sub` over `[from, to)`, per billing period.
///
/// Each period is priced by [`seat_price`] on its first day (a custom price per seat wins
/// over the catalog) times the seats. Proration: a period's fee accrues evenly per day; the
/// part of period `[p0, p1)` with fee `F` that falls in `[a, b)` is `G(b) − G(a)`, where
/// `G(d) = round_half_even(F × (clamp(d, p0, p1) − p0) / (p1 − p0))` in nanodollars and days.
/// So consecutive ranges add up exactly: the days of a month, or the twelve months of an
/// annual period, sum to `F` to the nanodollar, and a range covering a whole period is `F`.
///
/// [`Error::InvalidInput`] when `from > to`, the subscription is invalid, or a period has no
/// price (enterprise without `price_per_seat`).
pub fn fixed_fee(
    sub: &Subscription,
    from: NaiveDate,
    to: NaiveDate,
    catalog: &SubscriptionCatalog,
) -> Result<FixedFee> {
    sub.validate()?;
    if from > to {
        return Err(Error::invalid(format!(
            "the range must not end before it starts, got {from} to {to}"
        )));
    }
    let mut fee_total = FixedFee::default();
    for (start, end) in billing_periods(sub, from, to) {
        let seat = seat_price(sub, start, catalog)?;
        let fee = seat
            .nanos()
            .checked_mul(sub.seats)
            .map(Money::from_nanos)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "{} seats at {seat} overflow the largest amount costledger can hold",
                    sub.seats
                ))
            })?;
        let prorated = prorate(fee, start, end, from, to);
        fee_total.total += prorated;
        fee_total.per_seat += prorate(seat, start, end, from, to);
        fee_total.periods.push(FeePeriod {
            start,
            end,
            seat_price: seat,
            fee,
            prorated,
        });
    }
    Ok(fee_total)
}

#[cfg(test)]
#[path = "billing_tests.rs"]
mod tests;

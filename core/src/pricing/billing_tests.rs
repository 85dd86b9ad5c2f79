//! Tests of billing periods, proration and payment dates.

use super::*;
use crate::model::SubscriptionTier::{self, *};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn dollars(text: &str) -> Money {
    Money::parse_dollars(text).unwrap()
}

fn catalog() -> &'static SubscriptionCatalog {
    SubscriptionCatalog::bundled()
}

fn monthly(tier: SubscriptionTier, seats: i64, anchor: NaiveDate) -> Subscription {
    Subscription::new(tier, seats, anchor)
}

fn annual(tier: SubscriptionTier, seats: i64, anchor: NaiveDate) -> Subscription {
    Subscription::new(tier, seats, anchor).cycle(BillingCycle::Annual)
}

fn starts(sub: &Subscription, from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    billing_periods(sub, from, to)
        .into_iter()
        .map(|(s, _)| s)
        .collect()
}

/// Fee of each consecutive range between `cuts`, with the exactness the rule promises.
fn fees_between(sub: &Subscription, cuts: &[NaiveDate]) -> Vec<Money> {
    cuts.windows(2)
        .map(|w| fixed_fee(sub, w[0], w[1], catalog()).unwrap().total)
        .collect()
}

#[test]
fn monthly_renewals_clamp_from_the_anchor_without_drift() {
    let sub = monthly(Pro, 1, day(2026, 1, 31));
    assert_eq!(
        starts(&sub, day(2026, 1, 1), day(2026, 7, 1)),
        [
            day(2026, 1, 31),
            day(2026, 2, 28),
            day(2026, 3, 31),
            day(2026, 4, 30),
            day(2026, 5, 31),
            day(2026, 6, 30)
        ]
    );
    let leap = monthly(Pro, 1, day(2024, 1, 31));
    assert_eq!(
        starts(&leap, day(2024, 2, 1), day(2024, 4, 1)),
        [day(2024, 1, 31), day(2024, 2, 29), day(2024, 3, 31)]
    );
    // Periods are [start, end) and chain: each ends where the next starts.
    let periods = billing_periods(&sub, day(2026, 1, 31), day(2027, 2, 1));
    assert_eq!(periods.len(), 13);
    for pair in periods.windows(2) {
        assert_eq!(pair[0].1, pair[1].0);
    }
    assert_eq!(periods[12], (day(2027, 1, 31), day(2027, 2, 28)));
}

#[test]
fn annual_renewals_and_a_leap_day_anchor() {
    let sub = annual(Pro, 1, day(2024, 2, 29));
    assert_eq!(
        billing_periods(&sub, day(2024, 1, 1), day(2028, 3, 1)),
        [
            (day(2024, 2, 29), day(2025, 2, 28)),
            (day(2025, 2, 28), day(2026, 2, 28)),
            (day(2026, 2, 28), day(2027, 2, 28)),
            (day(2027, 2, 28), day(2028, 2, 29)),
            (day(2028, 2, 29), day(2029, 2, 28)),
        ]
    );
}

#[test]
fn periods_overlapping_a_range() {
    let sub = monthly(Pro, 1, day(2026, 1, 15));
    assert_eq!(
        billing_periods(&sub, day(2026, 3, 1), day(2026, 3, 31)),
        [
            (day(2026, 2, 15), day(2026, 3, 15)),
            (day(2026, 3, 15), day(2026, 4, 15))
        ]
    );
    // [from, to) is half-open on both sides of the comparison.
    assert_eq!(
        starts(&sub, day(2026, 3, 15), day(2026, 4, 15)),
        [day(2026, 3, 15)]
    );
    assert!(billing_periods(&sub, day(2025, 1, 1), day(2026, 1, 15)).is_empty());
    assert!(billing_periods(&sub, day(2026, 3, 1), day(2026, 3, 1)).is_empty());
    assert!(billing_periods(&sub, day(2026, 4, 1), day(2026, 3, 1)).is_empty());
    // Far from the anchor, no period is skipped.
    let far = billing_periods(&sub, day(2040, 7, 20), day(2040, 7, 21));
    assert_eq!(far, [(day(2040, 7, 15), day(2040, 8, 15))]);
}

#[test]
fn next_payment_date_is_strictly_after() {
    let sub = monthly(Pro, 1, day(2026, 1, 31));
    assert_eq!(next_payment_date(&sub, day(2025, 12, 1)), day(2026, 1, 31));
    assert_eq!(next_payment_date(&sub, day(2026, 1, 30)), day(2026, 1, 31));
    // A fee due on `after` itself is taken as paid.
    assert_eq!(next_payment_date(&sub, day(2026, 1, 31)), day(2026, 2, 28));
    assert_eq!(next_payment_date(&sub, day(2026, 2, 28)), day(2026, 3, 31));
    assert_eq!(next_payment_date(&sub, day(2026, 3, 1)), day(2026, 3, 31));
    let yearly = annual(TeamStandard, 5, day(2024, 2, 29));
    assert_eq!(
        next_payment_date(&yearly, day(2026, 11, 22)),
        day(2027, 2, 28)
    );
    assert_eq!(
        next_payment_date(&yearly, day(2027, 2, 28)),
        day(2028, 2, 29)
    );
}

#[test]
fn whole_periods_cost_the_fee_and_seats_multiply() {
    let sub = monthly(TeamStandard, 5, day(2026, 1, 10));
    let fee = fixed_fee(&sub, day(2026, 1, 10), day(2026, 3, 10), catalog()).unwrap();
    assert_eq!(fee.total, dollars("300"));
    assert_eq!(fee.per_seat, dollars("60"));
    assert_eq!(fee.periods.len(), 2);
    assert_eq!(fee.periods[0].seat_price, dollars("30"));
    assert_eq!(fee.periods[0].fee, dollars("150"));
    assert_eq!(fee.periods[0].prorated, dollars("150"));
    let custom = sub.clone().price_per_seat(dollars("27.50"));
    let fee = fixed_fee(&custom, day(2026, 1, 10), day(2026, 2, 10), catalog()).unwrap();
    assert_eq!(fee.total, dollars("137.50"));
    assert_eq!(fee.per_seat, dollars("27.50"));
}

#[test]
fn each_period_is_priced_on_its_first_day() {
    // The Team price cut of 2026-05-06 applies from the first renewal on or after it.
    let sub = monthly(TeamStandard, 2, day(2026, 4, 10));
    let fee = fixed_fee(&sub, day(2026, 4, 10), day(2026, 6, 10), catalog()).unwrap();
    let fees: Vec<_> = fee.periods.iter().map(|p| p.fee).collect();
    assert_eq!(fees, [dollars("60"), dollars("50")]);
    assert_eq!(fee.total, dollars("110"));
}

#[test]
fn the_days_of_a_month_add_up_exactly() {
    // $20 over a 31-day period does not divide evenly into days.
    let sub = monthly(Pro, 1, day(2026, 1, 15));
    let cuts: Vec<_> = day(2026, 1, 15).iter_days().take(32).collect();
    let fees = fees_between(&sub, &cuts);
    assert_eq!(fees.len(), 31);
    assert_eq!(fees.iter().sum::<Money>(), dollars("20"));
    assert!(
        fees.iter().any(|f| *f != fees[0]),
        "rounding spreads over days"
    );
    for f in &fees {
        assert!((f.nanos() - 645_161_290).abs() <= 1, "{f}");
    }
    // A range straddling a renewal takes its share of each period.
    let straddle = fixed_fee(&sub, day(2026, 2, 1), day(2026, 3, 1), catalog()).unwrap();
    assert_eq!(straddle.periods.len(), 2);
    assert_eq!(
        straddle.total,
        straddle.periods.iter().map(|p| p.prorated).sum::<Money>()
    );
}

#[test]
fn the_months_of_an_annual_plan_anchored_on_the_31st_add_up_exactly() {
    // 7 seats at $199.99 a year: $1,399.93 over 365 days.
    let sub = annual(Pro, 7, day(2025, 5, 31)).price_per_seat(dollars("199.99"));
    let mut cuts = vec![day(2025, 5, 31)];
    cuts.extend((6..=12).map(|m| day(2025, m, 1)));
    cuts.extend((1..=5).map(|m| day(2026, m, 1)));
    cuts.push(day(2026, 5, 31));
    let fees = fees_between(&sub, &cuts);
    assert_eq!(fees.len(), 13);
    assert_eq!(fees.iter().sum::<Money>(), dollars("1399.93"));
    // July is days 31..62 of the period's 365: G(62) − G(31), each rounded half to even
    // (round(F×62/365) = 237,796,328,767, round(F×31/365) = 118,898,164,384).
    assert_eq!(
        fees[2],
        Money::from_nanos(237_796_328_767 - 118_898_164_384)
    );
    // The one-day stub at the start: 1/365 of the fee, rounded half to even.
    assert_eq!(fees[0], Money::from_nanos(3_835_424_658));
    // A whole year in one call is the fee itself.
    let year = fixed_fee(&sub, day(2025, 5, 31), day(2026, 5, 31), catalog()).unwrap();
    assert_eq!(year.total, dollars("1399.93"));
    assert_eq!(year.per_seat, dollars("199.99"));
}

#[test]
fn a_leap_year_february_and_a_leap_day_anchor() {
    // Monthly from Feb 1, 2024: February is a 29-day period.
    let sub = monthly(Pro, 1, day(2024, 2, 1));
    let fee = fixed_fee(&sub, day(2024, 2, 1), day(2024, 2, 15), catalog()).unwrap();
    assert_eq!(fee.periods[0].end, day(2024, 3, 1));
    // 20 × 14/29 = 9.655172413793… → 9.655172414.
    assert_eq!(fee.total, Money::from_nanos(9_655_172_414));
    let rest = fixed_fee(&sub, day(2024, 2, 15), day(2024, 3, 1), catalog()).unwrap();
    assert_eq!(fee.total + rest.total, dollars("20"));

    // Annual from Feb 29, 2024 (a 365-day first year): the months add up to the fee.
    // (Annual Pro has a list price only from 2025-04-09, so this one sets its own.)
    let leap = annual(Pro, 3, day(2024, 2, 29)).price_per_seat(dollars("200"));
    let mut cuts = vec![day(2024, 2, 29)];
    cuts.extend((3..=12).map(|m| day(2024, m, 1)));
    cuts.extend([day(2025, 1, 1), day(2025, 2, 1), day(2025, 2, 28)]);
    let fees = fees_between(&leap, &cuts);
    assert_eq!(fees.iter().sum::<Money>(), dollars("600"));
    let second = fixed_fee(&leap, day(2025, 2, 28), day(2026, 2, 28), catalog()).unwrap();
    assert_eq!(second.periods.len(), 1);
    assert_eq!(second.total, dollars("600"));
}

#[test]
fn free_and_api_cost_nothing_and_enterprise_needs_a_price() {
    for tier in [Free, Api] {
        let sub = monthly(tier, 3, day(2026, 1, 1));
        let fee = fixed_fee(&sub, day(2026, 1, 1), day(2026, 4, 1), catalog()).unwrap();
        assert_eq!(fee.total, Money::ZERO, "{tier}");
        assert_eq!(fee.periods.len(), 3, "{tier}");
    }
    let enterprise = annual(Enterprise, 100, day(2026, 1, 1));
    let e = fixed_fee(&enterprise, day(2026, 1, 1), day(2026, 2, 1), catalog()).unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    assert!(e.to_string().contains("set price_per_seat"), "{e}");
    let priced = enterprise.price_per_seat(dollars("720"));
    let fee = fixed_fee(&priced, day(2026, 1, 1), day(2027, 1, 1), catalog()).unwrap();
    assert_eq!(fee.total, dollars("72000"));
    // A range with no period (before the anchor) needs no price.
    let before = fixed_fee(
        &annual(Enterprise, 1, day(2026, 1, 1)),
        day(2025, 1, 1),
        day(2025, 6, 1),
        catalog(),
    )
    .unwrap();
    assert_eq!(before, FixedFee::default());
}

#[test]
fn bad_ranges_and_subscriptions_are_invalid_input() {
    let sub = monthly(Pro, 1, day(2026, 1, 1));
    let e = fixed_fee(&sub, day(2026, 2, 1), day(2026, 1, 1), catalog()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the range must not end before it starts, got 2026-02-01 to 2026-01-01"
    );
    let empty = fixed_fee(&sub, day(2026, 2, 1), day(2026, 2, 1), catalog()).unwrap();
    assert_eq!(empty.total, Money::ZERO);
    let e = fixed_fee(
        &monthly(Pro, 0, day(2026, 1, 1)),
        day(2026, 1, 1),
        day(2026, 2, 1),
        catalog(),
    )
    .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    let huge =
        monthly(Pro, 1_000_000, day(2026, 1, 1)).price_per_seat(Money::from_nanos(i64::MAX / 10));
    let e = fixed_fee(&huge, day(2026, 1, 1), day(2026, 2, 1), catalog()).unwrap_err();
    assert!(e.to_string().contains("overflow"), "{e}");
}

#[test]
fn the_docs_example_holds() {
    // docs/pricing.md: an annual Team standard plan of 10 seats from 2026-01-15.
    let start = day(2026, 1, 15);
    let team = annual(TeamStandard, 10, start);
    let january = fixed_fee(&team, start, day(2026, 2, 15), catalog()).unwrap();
    assert_eq!(january.periods[0].fee, dollars("3000"));
    assert_eq!(january.total, Money::from_nanos(254_794_520_548)); // 31/365 of $3,000
    assert_eq!(next_payment_date(&team, start), day(2027, 1, 15));
}

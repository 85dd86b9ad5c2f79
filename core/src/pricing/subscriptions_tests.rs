//! Tests of the subscription catalog and of seat prices.

use super::*;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn dollars(text: &str) -> Money {
    Money::parse_dollars(text).unwrap()
}

use BillingCycle::{Annual, Monthly};
use SubscriptionTier::*;

#[test]
fn bundled_catalog_parses() {
    let catalog = SubscriptionCatalog::bundled();
    assert!(catalog.as_of().is_some());
    // Every tier has an entry, so none is silently unpriced.
    for tier in SubscriptionTier::ALL {
        assert!(catalog.entries().any(|e| e.tier == *tier), "{tier}");
    }
    let again = SubscriptionCatalog::from_toml(BUNDLED_CATALOG).unwrap();
    assert_eq!(again.entries().count(), catalog.entries().count());
}

#[test]
fn list_prices_by_tier_cycle_and_date() {
    let c = SubscriptionCatalog::bundled();
    let on = day(2026, 1, 15);
    assert_eq!(c.list_price(Pro, Monthly, on), Some(dollars("20")));
    assert_eq!(c.list_price(Pro, Annual, on), Some(dollars("200")));
    assert_eq!(c.list_price(Pro, Annual, day(2025, 1, 1)), None);
    assert_eq!(c.list_price(Pro, Monthly, day(2023, 9, 6)), None);
    assert_eq!(c.list_price(Max5x, Monthly, on), Some(dollars("100")));
    assert_eq!(c.list_price(Max20x, Monthly, on), Some(dollars("200")));
    assert_eq!(c.list_price(Max5x, Annual, on), None, "Max is monthly only");
    assert_eq!(c.list_price(TeamStandard, Monthly, on), Some(dollars("30")));
    assert_eq!(c.list_price(TeamStandard, Annual, on), Some(dollars("300")));
    assert_eq!(c.list_price(TeamPremium, Monthly, on), Some(dollars("150")));
    assert_eq!(c.list_price(TeamPremium, Annual, on), Some(dollars("1800")));
    assert_eq!(c.list_price(TeamPremium, Monthly, day(2025, 8, 19)), None);
    // The 2026 Team price cut.
    let after = day(2026, 6, 1);
    assert_eq!(
        c.list_price(TeamStandard, Monthly, after),
        Some(dollars("25"))
    );
    assert_eq!(
        c.list_price(TeamStandard, Annual, after),
        Some(dollars("240"))
    );
    assert_eq!(
        c.list_price(TeamPremium, Monthly, after),
        Some(dollars("125"))
    );
    assert_eq!(
        c.list_price(TeamPremium, Annual, after),
        Some(dollars("1200"))
    );
    for cycle in [Monthly, Annual] {
        assert_eq!(c.list_price(Free, cycle, on), Some(Money::ZERO));
        assert_eq!(c.list_price(Api, cycle, on), Some(Money::ZERO));
        assert_eq!(c.list_price(Enterprise, cycle, on), None);
    }
}

#[test]
fn custom_price_overrides_the_catalog() {
    let c = SubscriptionCatalog::bundled();
    let on = day(2026, 1, 15);
    let list = Subscription::new(TeamStandard, 10, on);
    assert_eq!(seat_price(&list, on, c).unwrap(), dollars("30"));
    let custom = list.clone().price_per_seat(dollars("27.50"));
    assert_eq!(seat_price(&custom, on, c).unwrap(), dollars("27.50"));
    let enterprise = Subscription::new(Enterprise, 50, on).price_per_seat(dollars("60"));
    assert_eq!(seat_price(&enterprise, on, c).unwrap(), dollars("60"));
}

#[test]
fn missing_list_prices_say_to_set_a_custom_price() {
    let c = SubscriptionCatalog::bundled();
    let on = day(2026, 1, 15);
    let e = seat_price(&Subscription::new(Enterprise, 50, on), on, c).unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    assert_eq!(
        e.to_string(),
        "enterprise seats have no list price (the price is negotiated); set price_per_seat \
         on the subscription to what one seat costs per month"
    );
    let max_annual = Subscription::new(Max5x, 1, on).cycle(Annual);
    let e = seat_price(&max_annual, on, c).unwrap_err().to_string();
    assert!(
        e.starts_with("the catalog has no annual list price for max_5x on 2026-01-15;"),
        "{e}"
    );
    assert!(e.ends_with("per year"), "{e}");
    let early = Subscription::new(Max5x, 1, day(2025, 1, 1));
    let e = seat_price(&early, day(2025, 1, 1), c)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("no price for max_5x before its first entry"),
        "{e}"
    );
    let no_seats = Subscription::new(Pro, 0, on);
    assert!(
        seat_price(&no_seats, on, c)
            .unwrap_err()
            .to_string()
            .contains("seats")
    );
}

#[test]
fn malformed_catalogs_name_the_entry_and_field() {
    let err = |text: &str| {
        SubscriptionCatalog::from_toml(text)
            .unwrap_err()
            .to_string()
    };
    assert!(
        err("[[price]]\ntier = \"gold\"\neffective_from = 2026-01-01\n")
            .starts_with("subscription catalog, price entry 1 (gold): field `tier` subscription tier must be one of free, pro")
    );
    assert_eq!(
        err("[[price]]\ntier = \"pro\"\neffective_from = 2026-01-01\nmonthly = 20.5\n"),
        "subscription catalog, price entry 1 (pro): field `monthly` must be written as a \
         string (\"20.5\") so it stays exact"
    );
    assert!(
        err("[[price]]\ntier = \"pro\"\nmonthly = \"20\"\n")
            .contains("`effective_from` is missing")
    );
    assert!(
        err("[[price]]\ntier = \"pro\"\neffective_from = 2026-01-01\nyearly = \"200\"\n")
            .contains("unknown field(s) yearly")
    );
    let twice = "[[price]]\ntier = \"pro\"\neffective_from = 2026-01-01\n".repeat(2);
    assert_eq!(
        err(&twice),
        "subscription catalog: tier pro has two entries effective from 2026-01-01; keep one"
    );
    let ok = SubscriptionCatalog::from_toml(
        "[[price]]\ntier = \"pro\"\neffective_from = 2026-01-01\nmonthly = 18\n",
    )
    .unwrap();
    assert_eq!(
        ok.list_price(Pro, Monthly, day(2026, 1, 1)),
        Some(dollars("18"))
    );
    assert_eq!(ok.list_price(Pro, Annual, day(2026, 1, 1)), None);
}

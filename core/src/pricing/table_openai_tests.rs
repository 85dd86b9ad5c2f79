//! The OpenAI rows of the bundled price table.

use super::*;
use crate::model::{Money, TokenCounts};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn dollars(text: &str) -> Money {
    Money::parse_dollars(text).unwrap()
}

#[test]
fn openai_prices_tiers_and_what_is_left_out() {
    let table = PriceTable::bundled();
    let on = day(2026, 11, 1);
    let tokens = TokenCounts {
        uncached_input: 1_000_000,
        cache_read: 1_000_000,
        output: 1_000_000,
        ..TokenCounts::default()
    };
    let total = |model: &str, tier: &str| {
        table
            .estimate(model, on, tier, "", &tokens)
            .map(|e| e.total)
    };
    // GPT-5: $1.25 + $0.125 + $10; priority 2x, flex and batch half.
    assert_eq!(
        total("gpt-5-2025-08-07", "default").unwrap(),
        dollars("11.375")
    );
    assert_eq!(total("gpt-5", "priority").unwrap(), dollars("22.75"));
    assert_eq!(total("gpt-5", "flex").unwrap(), dollars("5.6875"));
    assert_eq!(total("gpt-5", "batch").unwrap(), dollars("5.6875"));
    // GPT-4.1 priority is 1.75x: $3.50 + $0.875 + $14.
    assert_eq!(
        total("gpt-4.1-2025-04-14", "priority").unwrap(),
        dollars("18.375")
    );
    // gpt-4o-mini's priority prices are no decimal factor: standard rates.
    assert_eq!(total("gpt-4o-mini", "priority").unwrap(), dollars("0.825"));
    // o3 is not priced until its cached-input price is confirmed.
    assert!(total("o3-2025-04-16", "default").is_err());
    // Before a snapshot's date there is no price.
    assert!(
        table
            .estimate("gpt-5-2025-08-07", day(2025, 8, 6), "default", "", &tokens)
            .is_err()
    );
}

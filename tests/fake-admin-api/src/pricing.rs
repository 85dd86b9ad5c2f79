//! List prices in integer nanodollars, and cents rendering.
//!
//! $1 per million tokens is 1,000 nanodollars per token, so every rate below is an exact
//! integer: no float ever touches money in the fake.

use crate::catalog::{GEO_US, TIER_BATCH, TokenType, WINDOW_LONG};

/// Nanodollars per token for (uncached input, 5m write, 1h write, cache read, output).
type Rates = [u64; 5];

/// Standard rates per model, indexed like [`crate::catalog::MODELS`].
const STANDARD: [Rates; 5] = [
    [5_000, 6_250, 10_000, 500, 25_000], // Opus 4.6 (also for its 1M window)
    [3_000, 3_750, 6_000, 300, 15_000],  // Sonnet 4.5
    [3_000, 3_750, 6_000, 300, 15_000],  // Sonnet 4
    [1_000, 1_250, 2_000, 100, 5_000],   // Haiku 4.5
    [800, 1_000, 1_600, 80, 4_000],      // Haiku 3.5
];

/// Sonnet 4 / 4.5 above 200k input tokens: the whole request at these rates.
const SONNET_LONG: Rates = [6_000, 7_500, 12_000, 600, 22_500];

/// Web search: $10 per 1,000 searches.
pub const WEB_SEARCH_NANOS: u64 = 10_000_000;

/// Code execution: $0.05 per container hour, billed here in hundredths of an hour.
pub const CODE_EXECUTION_NANOS_PER_CENTIHOUR: u64 = 500_000;

/// Nanodollars in one cent.
pub const NANOS_PER_CENT: u64 = 10_000_000;

/// The price of one token of `token` for an event of this model, tier, window and geo.
///
/// Modifiers: Sonnet 4/4.5 `200k-1M` use the long-context rates (Opus 4.6 bills its 1M
/// window at standard rates); `inference_geo: us` costs 1.1x on models that route by geo;
/// batch is half of every token category. The generator never emits batch together with
/// `us`, the one pairing whose 5m write rate (3,437.5) would not be an integer.
pub fn token_rate(model: u8, tier: u8, window: u8, geo: u8, token: TokenType) -> u64 {
    let rates = if window == WINDOW_LONG && (model == 1 || model == 2) {
        &SONNET_LONG
    } else {
        &STANDARD[model as usize]
    };
    let mut rate = rates[token as usize];
    if geo == GEO_US {
        debug_assert_eq!(rate * 11 % 10, 0);
        rate = rate * 11 / 10;
    }
    if tier == TIER_BATCH {
        debug_assert_eq!(rate % 2, 0, "batch rate must stay integral");
        rate /= 2;
    }
    rate
}

/// Renders nanodollars as the cost report does: a decimal string in cents with up to
/// seven decimals and no trailing zeros (`"123.78912"`, `"1500"`, `"0.1"`).
pub fn cents_string(nanos: u64) -> String {
    let whole = nanos / NANOS_PER_CENT;
    let frac = nanos % NANOS_PER_CENT;
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:07}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{GEO_GLOBAL, GEO_NOT_AVAILABLE, TIER_STANDARD};

    #[test]
    fn reference_test_vector_sonnet_45() {
        // 1500 in, 500 5m, 1000 1h, 200 read, 500 out → $0.019935 (reference §9).
        let counts = [1500u64, 500, 1000, 200, 500];
        let nanos: u64 = TokenType::ALL
            .iter()
            .zip(counts)
            .map(|(t, n)| n * token_rate(1, TIER_STANDARD, 0, GEO_NOT_AVAILABLE, *t))
            .sum();
        assert_eq!(nanos, 19_935_000);
        assert_eq!(cents_string(nanos), "1.9935");
        assert_eq!(cents_string(10 * WEB_SEARCH_NANOS), "10");
    }

    #[test]
    fn modifiers() {
        let out = TokenType::Output;
        assert_eq!(
            token_rate(1, TIER_BATCH, WINDOW_LONG, GEO_NOT_AVAILABLE, out),
            11_250
        );
        assert_eq!(
            token_rate(0, TIER_STANDARD, WINDOW_LONG, GEO_GLOBAL, out),
            25_000
        );
        assert_eq!(token_rate(0, TIER_STANDARD, 0, GEO_US, out), 27_500);
        assert_eq!(
            token_rate(4, TIER_BATCH, 0, GEO_NOT_AVAILABLE, TokenType::CacheRead),
            40
        );
    }

    #[test]
    fn cents_rendering() {
        assert_eq!(cents_string(0), "0");
        assert_eq!(cents_string(1_000_000), "0.1");
        assert_eq!(cents_string(15_000_000_000), "1500");
        assert_eq!(cents_string(1_237_891_200), "123.78912");
        assert_eq!(cents_string(1), "0.0000001");
    }
}

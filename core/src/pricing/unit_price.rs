//! Exact unit prices and multipliers, and the one rounding rule of the pricing module.

use std::fmt;

use crate::error::{Error, Result};
use crate::model::Money;

/// Units in the "million" a [`UnitPrice`] is quoted for.
const MILLION: i128 = 1_000_000;

/// The price of one million units, in integer nanodollars.
///
/// A unit is a token for every token type, and one request for web search (so $10 per
/// 1,000 searches is `nanos_per_million = 10_000 × 1e9`). Quoting per million keeps every
/// list price exact: $0.0625 per million tokens is 62,500,000 nanodollars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UnitPrice {
    /// Nanodollars for 1,000,000 units.
    pub nanos_per_million: i64,
}

impl UnitPrice {
    /// Free.
    pub const ZERO: UnitPrice = UnitPrice {
        nanos_per_million: 0,
    };

    /// The unit price whose million units cost `price`.
    pub const fn per_million(price: Money) -> Self {
        UnitPrice {
            nanos_per_million: price.nanos(),
        }
    }

    /// The price of one million units.
    pub const fn million(self) -> Money {
        Money::from_nanos(self.nanos_per_million)
    }

    /// The cost of `units` units: `units × nanos_per_million / 1e6`, computed in `i128` and
    /// rounded half to even to a whole nanodollar. A result beyond `Money`'s range (about
    /// $9.2 billion) saturates.
    pub fn cost(&self, units: i64) -> Money {
        let exact = i128::from(units) * i128::from(self.nanos_per_million);
        Money::from_nanos(saturate(div_round_half_even(exact, MILLION)))
    }

    /// This price times `multiplier`, rounded half to even to a whole nanodollar per million
    /// units (exact for every listed price and the 0.5 batch multiplier).
    pub fn scaled(self, multiplier: Multiplier) -> UnitPrice {
        let exact = i128::from(self.nanos_per_million) * i128::from(multiplier.millionths);
        UnitPrice {
            nanos_per_million: saturate(div_round_half_even(exact, MILLION)),
        }
    }
}

impl fmt::Display for UnitPrice {
    /// `$3.75/M`: dollars per million units.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/M", self.million())
    }
}

/// An exact decimal factor applied to prices (the batch tier's 0.5), held in millionths.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Multiplier {
    /// The factor times 1,000,000 (`500_000` is 0.5).
    pub millionths: i64,
}

impl Multiplier {
    /// The factor 1: prices unchanged.
    pub const ONE: Multiplier = Multiplier {
        millionths: 1_000_000,
    };

    /// Parse a non-negative decimal with at most six decimals (`"0.5"`, `"1.1"`).
    pub fn parse(text: &str) -> Result<Self> {
        let nanos = Money::parse_dollars(text)
            .map_err(|_| Error::invalid(format!("{text:?} is not a decimal number")))?
            .nanos();
        if nanos < 0 {
            return Err(Error::invalid(format!("{text:?} is negative")));
        }
        if nanos % 1_000 != 0 {
            return Err(Error::invalid(format!("{text:?} has more than 6 decimals")));
        }
        Ok(Multiplier {
            millionths: nanos / 1_000,
        })
    }
}

impl fmt::Display for Multiplier {
    /// The decimal factor: `0.5`, `1`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole = self.millionths / 1_000_000;
        let mut frac = format!("{:06}", (self.millionths % 1_000_000).abs());
        while frac.ends_with('0') {
            frac.pop();
        }
        if frac.is_empty() {
            write!(f, "{whole}")
        } else {
            write!(f, "{whole}.{frac}")
        }
    }
}

/// `n / d` rounded half to even (banker's rounding); `d` must be positive.
pub(crate) fn div_round_half_even(n: i128, d: i128) -> i128 {
    debug_assert!(d > 0);
    let q = n.div_euclid(d);
    let twice_rem = 2 * n.rem_euclid(d);
    if twice_rem > d || (twice_rem == d && q % 2 != 0) {
        q + 1
    } else {
        q
    }
}

/// Clamp an `i128` amount of nanodollars into `i64`.
pub(crate) fn saturate(value: i128) -> i64 {
    i64::try_from(value).unwrap_or(if value < 0 { i64::MIN } else { i64::MAX })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dollars(text: &str) -> Money {
        Money::parse_dollars(text).unwrap()
    }

    #[test]
    fn rounds_half_to_even_both_signs() {
        assert_eq!(div_round_half_even(5, 2), 2);
        assert_eq!(div_round_half_even(7, 2), 4);
        assert_eq!(div_round_half_even(6, 4), 2);
        assert_eq!(div_round_half_even(-5, 2), -2);
        assert_eq!(div_round_half_even(-7, 2), -4);
        assert_eq!(div_round_half_even(-1, 3), 0);
        assert_eq!(div_round_half_even(-2, 3), -1);
        assert_eq!(div_round_half_even(2, 3), 1);
        assert_eq!(div_round_half_even(0, 3), 0);
    }

    #[test]
    fn costs_are_exact_and_rounded_half_even() {
        let input = UnitPrice::per_million(dollars("3"));
        assert_eq!(input.cost(1500), dollars("0.0045"));
        assert_eq!(input.cost(0), Money::ZERO);
        // $0.0625/MTok stays exact; one token costs 62.5 nanodollars.
        let tiny = UnitPrice::per_million(dollars("0.0625"));
        assert_eq!(tiny.nanos_per_million, 62_500_000);
        assert_eq!(tiny.cost(1), Money::from_nanos(62)); // 62.5 → even 62
        assert_eq!(tiny.cost(3), Money::from_nanos(188)); // 187.5 → even 188
        assert_eq!(tiny.cost(16), Money::from_nanos(1_000));
        assert_eq!(tiny.cost(16_000_000), dollars("1"));
        assert_eq!(tiny.cost(-3), Money::from_nanos(-188));
        // Web search: $10 per 1,000 requests is $10,000 per million.
        let search = UnitPrice::per_million(dollars("10000"));
        assert_eq!(search.cost(10), dollars("0.10"));
        assert_eq!(
            UnitPrice::per_million(Money::from_nanos(i64::MAX)).cost(i64::MAX),
            Money::from_nanos(i64::MAX)
        );
    }

    #[test]
    fn multipliers_parse_display_and_scale() {
        let half = Multiplier::parse("0.5").unwrap();
        assert_eq!(half.millionths, 500_000);
        assert_eq!(half.to_string(), "0.5");
        assert_eq!(Multiplier::ONE.to_string(), "1");
        assert_eq!(Multiplier::parse("1.1").unwrap().to_string(), "1.1");
        assert!(Multiplier::parse("0.0000001").is_err());
        assert!(Multiplier::parse("-1").is_err());
        assert!(Multiplier::parse("half").is_err());
        let cache_write = UnitPrice::per_million(dollars("3.75"));
        assert_eq!(cache_write.scaled(half).million(), dollars("1.875"));
        assert_eq!(cache_write.to_string(), "$3.75/M");
    }
}

//! Money as an exact integer number of nanodollars (1e-9 USD).
//!
//! Every amount costledger stores or sums is a [`Money`]. The provider's decimal strings are
//! parsed digit by digit, never through a float, so totals reconcile with the invoice to the
//! last unit.

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, AddAssign, Neg, Sub, SubAssign};
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// Nanodollars in one US dollar.
pub const NANOS_PER_DOLLAR: i64 = 1_000_000_000;
/// Nanodollars in one US cent.
pub const NANOS_PER_CENT: i64 = 10_000_000;

/// An exact amount of US dollars, held as integer nanodollars.
///
/// `i64` nanodollars reach about $9.2 billion, far beyond any plan's bill; arithmetic that
/// would overflow panics in debug builds and is checked in the parsers.
///
/// Serialised as an exact decimal string of dollars (`"1.2378912"`); read back from such a
/// string or from an integer of nanodollars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Money(i64);

impl Money {
    /// Zero dollars.
    pub const ZERO: Money = Money(0);

    /// An amount of nanodollars.
    pub const fn from_nanos(nanos: i64) -> Self {
        Money(nanos)
    }

    /// A whole number of cents.
    pub const fn from_cents(cents: i64) -> Self {
        Money(cents * NANOS_PER_CENT)
    }

    /// The amount in nanodollars.
    pub const fn nanos(self) -> i64 {
        self.0
    }

    /// Parse a decimal string of US cents, the form of the Admin API cost report
    /// (`"123.78912"` is $1.2378912).
    ///
    /// Digits finer than a nanodollar (more than 7 decimals of a cent) are rounded half to
    /// even; the API has not been seen to send them.
    pub fn parse_cents(text: &str) -> Result<Self> {
        parse_scaled(text, 7).map(Money).map_err(|why| {
            Error::invalid(format!(
                "amount {text:?} is not a decimal number of cents ({why})"
            ))
        })
    }

    /// Parse a decimal string of US dollars (`"20"`, `"0.019935"`).
    pub fn parse_dollars(text: &str) -> Result<Self> {
        parse_scaled(text, 9).map(Money).map_err(|why| {
            Error::invalid(format!(
                "amount {text:?} is not a decimal number of dollars ({why})"
            ))
        })
    }

    /// The exact amount in dollars as a decimal string with at least two decimals and no
    /// trailing zeros beyond them: `"1.2378912"`, `"20.00"`, `"-0.05"`.
    pub fn to_dollars_string(self) -> String {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let whole = abs / NANOS_PER_DOLLAR as u64;
        let frac = abs % NANOS_PER_DOLLAR as u64;
        let mut digits = format!("{frac:09}");
        while digits.len() > 2 && digits.ends_with('0') {
            digits.pop();
        }
        format!("{sign}{whole}.{digits}")
    }

    /// The amount in dollars as a float, for charts and other display-only uses. Sums must
    /// use [`Money`] itself.
    pub fn to_f64(self) -> f64 {
        self.0 as f64 / NANOS_PER_DOLLAR as f64
    }

    /// Checked addition.
    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    /// The amount multiplied by an integer count (tokens times a per-token price).
    pub fn times(self, count: i64) -> Money {
        Money(self.0 * count)
    }
}

/// Parse an optionally signed decimal into an integer scaled by 10^scale, rounding half to
/// even past `scale` decimals.
fn parse_scaled(text: &str, scale: u32) -> std::result::Result<i64, &'static str> {
    let s = text.trim();
    let (negative, body) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let (int_part, frac_part) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if int_part.is_empty() && frac_part.is_empty() {
        return Err("no digits");
    }
    if !int_part.bytes().all(|b| b.is_ascii_digit())
        || !frac_part.bytes().all(|b| b.is_ascii_digit())
    {
        return Err("only digits, one '.' and a leading sign are allowed");
    }
    let overflow = "too large";
    let mut value: i64 = 0;
    for b in int_part.bytes() {
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(i64::from(b - b'0')))
            .ok_or(overflow)?;
    }
    let frac = frac_part.as_bytes();
    for i in 0..scale as usize {
        let digit = frac.get(i).map_or(0, |b| i64::from(b - b'0'));
        value = value
            .checked_mul(10)
            .and_then(|v| v.checked_add(digit))
            .ok_or(overflow)?;
    }
    if frac.len() > scale as usize {
        let rest = &frac[scale as usize..];
        let first = rest[0] - b'0';
        let beyond_nonzero = rest[1..].iter().any(|&b| b != b'0');
        let round_up = first > 5 || (first == 5 && (beyond_nonzero || value % 2 == 1));
        if round_up {
            value = value.checked_add(1).ok_or(overflow)?;
        }
    }
    Ok(if negative { -value } else { value })
}

impl fmt::Display for Money {
    /// `$1.2378912`: the exact amount, never rounded for display.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let text = self.to_dollars_string();
        match text.strip_prefix('-') {
            Some(abs) => write!(f, "-${abs}"),
            None => write!(f, "${text}"),
        }
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_dollars_string())
    }
}

/// In the bindings' schema: the exact decimal string of dollars that `Serialize` writes.
impl schemars::JsonSchema for Money {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Money".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "format": "dollars",
            "description": "An exact amount of US dollars: a decimal string with at least two \
                decimals and no trailing zeros beyond them (`\"20.00\"`, `\"1.2378912\"`, \
                `\"-0.05\"`), down to the nanodollar.",
        })
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Money, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Form {
            Dollars(String),
            Nanos(i64),
        }
        match Form::deserialize(d)? {
            Form::Dollars(text) => Money::parse_dollars(&text).map_err(serde::de::Error::custom),
            Form::Nanos(nanos) => Ok(Money(nanos)),
        }
    }
}

impl FromStr for Money {
    type Err = Error;
    /// Parses dollars, as [`Money::parse_dollars`].
    fn from_str(s: &str) -> Result<Self> {
        Money::parse_dollars(s)
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, rhs: Money) -> Money {
        Money(self.0 + rhs.0)
    }
}

impl AddAssign for Money {
    fn add_assign(&mut self, rhs: Money) {
        self.0 += rhs.0;
    }
}

impl Sub for Money {
    type Output = Money;
    fn sub(self, rhs: Money) -> Money {
        Money(self.0 - rhs.0)
    }
}

impl SubAssign for Money {
    fn sub_assign(&mut self, rhs: Money) {
        self.0 -= rhs.0;
    }
}

impl Neg for Money {
    type Output = Money;
    fn neg(self) -> Money {
        Money(-self.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl<'a> Sum<&'a Money> for Money {
    fn sum<I: Iterator<Item = &'a Money>>(iter: I) -> Money {
        iter.copied().sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_reference_cent_strings_exactly() {
        // Amounts quoted in the Admin API reference (cost report, cents as decimal strings).
        assert_eq!(
            Money::parse_cents("123.78912").unwrap().nanos(),
            1_237_891_200
        );
        assert_eq!(Money::parse_cents("0.1").unwrap().nanos(), 1_000_000);
        assert_eq!(Money::parse_cents("1500").unwrap().nanos(), 15_000_000_000);
        assert_eq!(Money::parse_cents("946.6").unwrap().nanos(), 9_466_000_000);
        assert_eq!(Money::parse_cents("0.24").unwrap().nanos(), 2_400_000);
        assert_eq!(
            Money::parse_cents("116.3715").unwrap().nanos(),
            1_163_715_000
        );
        assert_eq!(Money::parse_cents("1.9935").unwrap().nanos(), 19_935_000);
        assert_eq!(Money::parse_cents("0.0000001").unwrap().nanos(), 1);
        assert_eq!(Money::parse_cents("-2.5").unwrap().nanos(), -25_000_000);
        assert_eq!(Money::parse_cents(".5").unwrap().nanos(), 5_000_000);
    }

    #[test]
    fn no_float_drift_on_sums() {
        // 0.1 + 0.2 cents, a thousand times: exact, unlike f64.
        let total: Money = (0..1000)
            .flat_map(|_| ["0.1", "0.2"])
            .map(|s| Money::parse_cents(s).unwrap())
            .sum();
        assert_eq!(total, Money::from_cents(300));
    }

    #[test]
    fn rounds_sub_nanodollar_digits_half_to_even() {
        assert_eq!(Money::parse_cents("0.00000005").unwrap().nanos(), 0);
        assert_eq!(Money::parse_cents("0.00000015").unwrap().nanos(), 2);
        assert_eq!(Money::parse_cents("0.000000051").unwrap().nanos(), 1);
        assert_eq!(Money::parse_cents("0.00000004999").unwrap().nanos(), 0);
    }

    #[test]
    fn rejects_what_is_not_a_plain_decimal() {
        for bad in ["", "-", ".", "1e5", "1,5", "12.3.4", "NaN", " 1 2", "0x10"] {
            let err = Money::parse_cents(bad).unwrap_err();
            assert_eq!(err.code(), "INVALID_INPUT", "{bad:?}");
            assert!(
                err.to_string().contains("not a decimal number of cents"),
                "{err}"
            );
        }
        assert!(Money::parse_cents("99999999999999999999").is_err());
    }

    #[test]
    fn json_is_an_exact_dollar_string() {
        let m = Money::parse_cents("123.78912").unwrap();
        assert_eq!(serde_json::to_string(&m).unwrap(), "\"1.2378912\"");
        assert_eq!(serde_json::from_str::<Money>("\"1.2378912\"").unwrap(), m);
        assert_eq!(serde_json::from_str::<Money>("1237891200").unwrap(), m);
        assert!(serde_json::from_str::<Money>("\"1e3\"").is_err());
    }

    #[test]
    fn dollars_round_trip_and_display() {
        let m = Money::parse_dollars("0.019935").unwrap();
        assert_eq!(m.nanos(), 19_935_000);
        assert_eq!(m.to_dollars_string(), "0.019935");
        assert_eq!(Money::from_cents(2000).to_dollars_string(), "20.00");
        assert_eq!(Money::from_nanos(-50_000_000).to_string(), "-$0.05");
        assert_eq!(Money::from_nanos(1).to_string(), "$0.000000001");
        assert_eq!("12.5".parse::<Money>().unwrap(), Money::from_cents(1250));
    }
}

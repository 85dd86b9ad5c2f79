//! Decimal rendering of money and quantities as JSON numbers, exact from integers.

/// Renders a non-negative integer scaled by `10^places` as a JSON number: the whole part,
/// then the fraction without trailing zeros (`"12.5"`, `"0.000001"`, `"3"`).
fn decimal(value: u64, places: u32) -> String {
    let scale = 10u64.pow(places);
    let (whole, frac) = (value / scale, value % scale);
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:0width$}", width = places as usize);
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

/// Nanodollars as the costs endpoint writes `amount.value`: dollars with up to nine
/// decimals. Every amount below $1,000,000 has at most 15 significant digits, so even a
/// client that reads it as an f64 and rounds to nanodollars gets it back exactly.
pub fn dollars(nanos: u64) -> String {
    decimal(nanos, 9)
}

/// A quantity in thousandths of its unit, as the costs endpoint writes `quantity`.
pub fn quantity(milli: u64) -> String {
    decimal(milli, 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendering_is_exact_and_minimal() {
        assert_eq!(dollars(0), "0");
        assert_eq!(dollars(60_000_000), "0.06");
        assert_eq!(dollars(12_500_000_000), "12.5");
        assert_eq!(dollars(1), "0.000000001");
        assert_eq!(dollars(999_999_999_999_999), "999999.999999999");
        let parsed: f64 = dollars(123_456_789_012_345).parse().unwrap();
        assert_eq!((parsed * 1e9).round() as u64, 123_456_789_012_345);
        assert_eq!(quantity(375), "0.375");
        assert_eq!(quantity(12_000), "12");
    }
}

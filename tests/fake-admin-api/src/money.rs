//! Rounding and rendering of the Analytics and Spend Limits amounts.
//!
//! Amounts stay integers of nanodollars. The Analytics API rounds each cost atom (one
//! event's tokens of one type, or its web searches) to 5 decimals of a cent, which is
//! 100 nanodollars, so every sum of atoms renders exactly with 5 decimals. Spend limits
//! show period-to-date spend with at most 3 decimals of a cent.

/// Nanodollars in one cent.
const NANOS_PER_CENT: u64 = 10_000_000;
/// One unit of the 5th decimal of a cent.
pub const ATOM_UNIT: u64 = 100;

/// `numer / denom` rounded half to even.
pub fn round_half_even(numer: u128, denom: u128) -> u128 {
    let (q, r) = (numer / denom, numer % denom);
    match (2 * r).cmp(&denom) {
        std::cmp::Ordering::Less => q,
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal => q + (q & 1),
    }
}

/// A list-price atom: the exact price rounded half-even to 5 decimals of a cent.
pub fn list_atom(exact_nanos: u64) -> u64 {
    (round_half_even(exact_nanos as u128, ATOM_UNIT as u128) * ATOM_UNIT as u128) as u64
}

/// A net atom: the exact price less the org's discount, rounded like [`list_atom`].
/// It is computed from the exact price, not from the rounded list atom, so each of the
/// two is the correctly rounded value of what it stands for.
pub fn net_atom(exact_nanos: u64, discount_percent: u64) -> u64 {
    let numer = exact_nanos as u128 * (100 - discount_percent) as u128;
    (round_half_even(numer, 100 * ATOM_UNIT as u128) * ATOM_UNIT as u128) as u64
}

/// Cents with exactly 5 decimals, as the Analytics API writes `amount` and
/// `list_amount`: `"4293.63008"`, `"0.00000"`. `nanos` is a multiple of 100.
pub fn cents5(nanos: u64) -> String {
    let mut text = Vec::with_capacity(16);
    write_cents5(&mut text, nanos);
    String::from_utf8(text).expect("digits and a point")
}

/// [`cents5`] written straight into a JSON body.
pub fn write_cents5(out: &mut Vec<u8>, nanos: u64) {
    use std::io::Write;
    debug_assert_eq!(nanos % ATOM_UNIT, 0, "analytics amounts are whole atoms");
    let whole = nanos / NANOS_PER_CENT;
    let frac = nanos % NANOS_PER_CENT / ATOM_UNIT;
    write!(out, "{whole}.{frac:05}").expect("writing to a Vec");
}

/// Cents rounded half-even to at most 3 decimals, without trailing zeros, as the
/// effective report writes `period_to_date_spend`: `"12050.5"`, `"0"`.
pub fn cents3(nanos: u64) -> String {
    let thousandths = round_half_even(nanos as u128, 10_000) as u64;
    let (whole, frac) = (thousandths / 1_000, thousandths % 1_000);
    if frac == 0 {
        return whole.to_string();
    }
    let digits = format!("{frac:03}");
    format!("{whole}.{}", digits.trim_end_matches('0'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn half_even() {
        assert_eq!(round_half_even(5, 10), 0);
        assert_eq!(round_half_even(15, 10), 2);
        assert_eq!(round_half_even(25, 10), 2);
        assert_eq!(round_half_even(26, 10), 3);
        assert_eq!(round_half_even(24, 10), 2);
    }

    #[test]
    fn atoms() {
        // 1 token at 40 nanodollars: 0.000004 cents rounds to 0 at 5 decimals.
        assert_eq!(list_atom(40), 0);
        assert_eq!(list_atom(150), 200);
        assert_eq!(list_atom(250), 200);
        assert_eq!(list_atom(12_345_678), 12_345_700);
        // 15 % off 1,000 nanodollars is 850 → 800 (half-even at 100).
        assert_eq!(net_atom(1_000, 15), 800);
        assert_eq!(net_atom(1_000, 0), 1_000);
        assert_eq!(net_atom(12_345_678, 20), 9_876_500);
    }

    #[test]
    fn rendering() {
        assert_eq!(cents5(0), "0.00000");
        assert_eq!(cents5(42_936_300_800), "4293.63008");
        assert_eq!(cents5(100), "0.00001");
        assert_eq!(cents3(0), "0");
        assert_eq!(cents3(120_505_000_000), "12050.5");
        assert_eq!(cents3(5_000), "0");
        assert_eq!(cents3(15_000), "0.002");
        assert_eq!(cents3(123_456), "0.012");
    }
}

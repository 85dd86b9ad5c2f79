//! Exact money from the API's JSON: cost amounts are cents as decimal strings, Claude Code
//! estimates are cents as JSON numbers. Both are read from their text, never through a float.

use serde_json::value::RawValue;

use crate::model::Money;

/// Cents from a JSON value that is a decimal string (`"123.78912"`) or a number (`1025`,
/// `10.25`, `1.025e3`).
pub(crate) fn cents(raw: &RawValue) -> Result<Money, String> {
    Money::parse_cents(&decimal_text(raw)?).map_err(|e| e.to_string())
}

/// The decimal digits of a JSON string or number: borrowed from the JSON when it is a string
/// without escapes or a number without an exponent (every amount a page carries, as a rule).
fn decimal_text(raw: &RawValue) -> Result<std::borrow::Cow<'_, str>, String> {
    let text = raw.get().trim();
    Ok(if let Some(inner) = text.strip_prefix('"') {
        match inner.strip_suffix('"') {
            Some(plain) if !plain.contains(['\\', '"']) => plain.into(),
            _ => serde_json::from_str::<String>(text)
                .map_err(|e| format!("amount {text}: {e}"))?
                .into(),
        }
    } else if text.contains(['e', 'E']) {
        expand_exponent(text)
            .ok_or_else(|| format!("amount {text} is not a usable number"))?
            .into()
    } else {
        text.into()
    })
}

/// Dollars from a JSON value that is a number (`0.0147536`, `1e-3`) or a decimal string, as
/// OpenAI's costs endpoint writes `amount.value`; digits finer than a nanodollar are rounded.
pub(crate) fn dollars(raw: &RawValue) -> Result<Money, String> {
    Money::parse_dollars(&decimal_text(raw)?).map_err(|e| e.to_string())
}

/// `1.025e3` → `1025`, `5E-2` → `0.05`: the same number in plain decimal digits.
fn expand_exponent(text: &str) -> Option<String> {
    let (mantissa, exponent) = text.split_once(['e', 'E'])?;
    let exponent: i64 = exponent
        .strip_prefix('+')
        .unwrap_or(exponent)
        .parse()
        .ok()?;
    // Amounts of a bill never need more than a few dozen digits; refuse absurd exponents.
    if exponent.abs() > 40 {
        return None;
    }
    let (sign, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", mantissa),
    };
    let (int, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = format!("{int}{frac}");
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let point = int.len() as i64 + exponent;
    let plain = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point as usize >= digits.len() {
        format!("{digits}{}", "0".repeat(point as usize - digits.len()))
    } else {
        let (a, b) = digits.split_at(point as usize);
        format!("{a}.{b}")
    };
    Some(format!("{sign}{plain}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_string()).unwrap()
    }

    #[test]
    fn strings_and_numbers_of_cents_are_exact() {
        assert_eq!(cents(&raw("\"123.78912\"")).unwrap().nanos(), 1_237_891_200);
        // A string with an escape is unescaped first.
        assert_eq!(cents(&raw(r#""12\u002e5""#)).unwrap().nanos(), 125_000_000);
        assert_eq!(cents(&raw("1025")).unwrap(), Money::from_cents(1025));
        assert_eq!(cents(&raw("10.25")).unwrap().nanos(), 102_500_000);
        assert_eq!(cents(&raw("1.025e3")).unwrap(), Money::from_cents(1025));
        assert_eq!(cents(&raw("1.025E+3")).unwrap(), Money::from_cents(1025));
        assert_eq!(cents(&raw("5e-2")).unwrap().nanos(), 500_000);
        assert_eq!(cents(&raw("-2.5")).unwrap().nanos(), -25_000_000);
        // 0.1 + 0.2 as floats would drift; as text they are exact.
        assert_eq!(
            cents(&raw("0.30000000000000004")).unwrap().nanos(),
            3_000_000
        );
    }

    #[test]
    fn dollars_are_exact_and_rounded_to_nanos() {
        assert_eq!(dollars(&raw("0.0147536")).unwrap().nanos(), 14_753_600);
        assert_eq!(
            dollars(&raw("0.5617712500000000")).unwrap().nanos(),
            561_771_250
        );
        assert_eq!(
            dollars(&raw("32.075424364")).unwrap().nanos(),
            32_075_424_364
        );
        assert_eq!(dollars(&raw("1e-3")).unwrap().nanos(), 1_000_000);
        assert_eq!(dollars(&raw("\"2\"")).unwrap().nanos(), 2_000_000_000);
        assert!(dollars(&raw("null")).is_err());
    }

    #[test]
    fn what_is_not_an_amount_is_refused() {
        for bad in ["null", "true", "\"ten\"", "1e999", "{}", "\"\""] {
            assert!(cents(&raw(bad)).is_err(), "{bad}");
        }
    }

    #[test]
    fn exponent_expansion() {
        assert_eq!(expand_exponent("1e0").unwrap(), "1");
        assert_eq!(expand_exponent("12.5e1").unwrap(), "125");
        assert_eq!(expand_exponent("12.5e-3").unwrap(), "0.0125");
        assert_eq!(expand_exponent("-3e2").unwrap(), "-300");
        assert!(expand_exponent("e5").is_none());
    }
}

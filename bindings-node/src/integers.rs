//! Integer arguments. JavaScript has one number type, a double, and napi's own integer
//! conversions truncate (`1.7` → 1) or wrap (`-1` → 4294967295, `2 ** 32` → 0). Every integer
//! argument therefore crosses as a number and is checked here: anything that is not a whole
//! number in the argument's range is `INVALID_INPUT` naming the argument.

use crate::error::invalid;

/// `Number.MAX_SAFE_INTEGER`: the largest integer every double above it cannot skip.
const MAX_SAFE: i64 = (1 << 53) - 1;

/// `value` as an integer in `min..=max`, or `INVALID_INPUT` naming `name`.
pub(crate) fn int(name: &str, value: f64, min: i64, max: i64) -> costledger::Result<i64> {
    // `min`/`max` are at most 2^53 in size, so the comparisons in f64 are exact.
    if value.is_finite() && value.fract() == 0.0 && value >= min as f64 && value <= max as f64 {
        return Ok(value as i64);
    }
    let got = if value.is_nan() {
        "NaN".to_string()
    } else if value.is_infinite() {
        if value > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else {
        value.to_string()
    };
    Err(invalid(format!(
        "{name} must be a whole number from {min} to {max}, got {got}"
    )))
}

/// An id (of a plan, project, mapping, budget, sync event): a whole number, not negative.
pub(crate) fn id(name: &str, value: f64) -> costledger::Result<i64> {
    int(name, value, 0, MAX_SAFE)
}

/// An optional id.
pub(crate) fn opt_id(name: &str, value: Option<f64>) -> costledger::Result<Option<i64>> {
    value.map(|v| id(name, v)).transpose()
}

/// A list of ids; an element is named by its index (`planIds[2]`).
pub(crate) fn ids(name: &str, values: Vec<f64>) -> costledger::Result<Vec<i64>> {
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| id(&format!("{name}[{i}]"), v))
        .collect()
}

/// A count or quantity: a whole number, not negative, up to `Number.MAX_SAFE_INTEGER`.
pub(crate) fn count(name: &str, value: f64) -> costledger::Result<i64> {
    int(name, value, 0, MAX_SAFE)
}

/// A whole number from 0 to 4294967295 (durations in milliseconds, days, small counts).
pub(crate) fn uint32(name: &str, value: f64) -> costledger::Result<u32> {
    int(name, value, 0, u32::MAX.into()).map(|v| v as u32)
}

/// An optional [`uint32`].
pub(crate) fn opt_uint32(name: &str, value: Option<f64>) -> costledger::Result<Option<u32>> {
    value.map(|v| uint32(name, v)).transpose()
}

/// A list of [`uint32`]; an element is named by its index.
pub(crate) fn uint32s(name: &str, values: Vec<f64>) -> costledger::Result<Vec<u32>> {
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| uint32(&format!("{name}[{i}]"), v))
        .collect()
}

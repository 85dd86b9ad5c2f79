//! Prices of usage that is not tokens (`[[unit_price]]` in the price table): dollars per
//! image, per speech character, per transcribed second, per file search call, per code
//! interpreter session, and per GiB-day of vector storage.

use chrono::NaiveDate;
use toml::Table;

use super::data_file::Fields;
use super::estimate::MissingPrice;
use crate::error::{Error, Result};
use crate::model::{Money, UnitRow, UsageUnit};

/// Bytes in a GiB: storage is priced per GiB-day.
const GIB: i128 = 1 << 30;
const DAY: i128 = 86_400;

/// One `[[unit_price]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageUnitPrice {
    /// What it prices.
    pub unit: UsageUnit,
    /// The model it applies to; `None` for units reported without one (file search, code
    /// interpreter, storage).
    pub model: Option<String>,
    /// For images, the size it applies to (`1024x1024`); `None` applies to every variant.
    pub variant: Option<String>,
    /// First day it applies.
    pub effective_from: NaiveDate,
    /// Dollars per unit; for storage, per GiB-day.
    pub price: Money,
}

/// Read the `index`-th (1-based) `[[unit_price]]` table.
pub(crate) fn read_unit_price(index: usize, table: &Table) -> Result<UsageUnitPrice> {
    let mut fields = Fields::new(format!("price table, unit_price entry {index}"), table);
    let unit_name = fields.required_str("unit")?;
    let unit: UsageUnit = unit_name
        .parse()
        .map_err(|e: Error| fields.error("unit", e.to_string()))?;
    let model = fields.str("model")?.map(|m| m.trim().to_lowercase());
    let variant = fields.str("variant")?.map(|v| v.trim().to_string());
    let effective_from = fields.required_date("effective_from")?;
    let price = match unit {
        UsageUnit::StorageBytes => fields.required_dollars("per_gib_day")?,
        _ => fields.required_dollars("price")?,
    };
    fields.finish()?;
    Ok(UsageUnitPrice {
        unit,
        model,
        variant,
        effective_from,
        price,
    })
}

/// Refuse two entries for the same (unit, model, variant, day).
pub(crate) fn check_unit_prices(entries: &[UsageUnitPrice]) -> Result<()> {
    for (i, a) in entries.iter().enumerate() {
        if let Some(b) = entries[i + 1..].iter().find(|b| {
            (b.unit, &b.model, &b.variant, b.effective_from)
                == (a.unit, &a.model, &a.variant, a.effective_from)
        }) {
            return Err(Error::invalid(format!(
                "price table: two unit_price entries for {} of {} from {}",
                b.unit,
                b.model.as_deref().unwrap_or("no model"),
                b.effective_from
            )));
        }
    }
    Ok(())
}

/// The size part of an image variant (`1024x1024/image.edit` → `1024x1024`).
fn price_variant(row: &UnitRow) -> Option<&str> {
    let v = row.variant.as_deref()?;
    Some(v.split_once('/').map_or(v, |(size, _)| size))
}

/// The entry that prices `row` on `on`: of the entries of its unit and model whose variant
/// is the row's or unset (the row's own preferred), the latest on or before `on`.
pub(crate) fn lookup<'a>(
    entries: &'a [UsageUnitPrice],
    row: &UnitRow,
    on: NaiveDate,
) -> Option<&'a UsageUnitPrice> {
    let model = row.model.as_deref().map(str::to_lowercase);
    let variant = price_variant(row);
    let best = |exact: bool| {
        entries
            .iter()
            .filter(|e| e.unit == row.unit && e.model == model && e.effective_from <= on)
            .filter(|e| match (&e.variant, exact) {
                (Some(v), true) => Some(v.as_str()) == variant,
                (None, false) => true,
                _ => false,
            })
            .max_by_key(|e| e.effective_from)
    };
    best(true).or_else(|| best(false))
}

/// Half-to-even division of a non-negative numerator by a positive denominator.
fn div_half_even(n: i128, d: i128) -> i128 {
    let (q, r) = (n / d, n % d);
    match (2 * r).cmp(&d) {
        std::cmp::Ordering::Greater => q + 1,
        std::cmp::Ordering::Equal if q % 2 == 1 => q + 1,
        _ => q,
    }
}

/// What `row` (a bucket of `width_secs` seconds) costs at `price`: quantity × price, and for
/// storage bytes × seconds / (GiB × day) × price per GiB-day, rounded half to even to a
/// nanodollar.
pub(crate) fn cost_of(price: &UsageUnitPrice, row: &UnitRow, width_secs: i64) -> Money {
    let nanos = i128::from(price.price.nanos());
    let quantity = i128::from(row.quantity);
    let cost = match row.unit {
        UsageUnit::StorageBytes => {
            div_half_even(quantity * i128::from(width_secs) * nanos, GIB * DAY)
        }
        _ => quantity * nanos,
    };
    Money::from_nanos(i64::try_from(cost).unwrap_or(i64::MAX))
}

/// The estimate of one unit row, or the price it lacks.
pub(crate) fn estimate_unit(
    entries: &[UsageUnitPrice],
    row: &UnitRow,
    width_secs: i64,
    on: NaiveDate,
) -> std::result::Result<Money, MissingPrice> {
    let price = lookup(entries, row, on).ok_or_else(|| MissingPrice {
        model: row
            .model
            .clone()
            .unwrap_or_else(|| row.unit.as_str().to_string()),
        on,
        context_window: None,
        speed: None,
    })?;
    Ok(cost_of(price, row, width_secs))
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate};

    use crate::model::{Money, UnitRow, UsageUnit};
    use crate::pricing::PriceTable;

    fn row(unit: UsageUnit, model: Option<&str>, variant: Option<&str>, quantity: u64) -> UnitRow {
        UnitRow {
            bucket_start: DateTime::from_timestamp(1_767_225_600, 0).unwrap(),
            workspace_id: None,
            api_key_id: None,
            actor_id: None,
            model: model.map(str::to_string),
            unit,
            variant: variant.map(str::to_string),
            requests: 0,
            quantity,
        }
    }

    fn on() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
    }

    #[test]
    fn the_bundled_table_prices_each_unit() {
        let t = PriceTable::bundled();
        let cost = |r: UnitRow| t.estimate_unit(&r, 3_600, on()).map(Money::nanos);
        let image = row(
            UsageUnit::Images,
            Some("dall-e-3"),
            Some("1024x1792/image.edit"),
            3,
        );
        assert_eq!(cost(image), Ok(240_000_000));
        let speech = row(UsageUnit::SpeechCharacters, Some("tts-1-hd"), None, 1_000);
        assert_eq!(cost(speech), Ok(30_000_000));
        let calls = row(UsageUnit::FileSearchCalls, None, Some("vs_abc"), 4);
        assert_eq!(cost(calls), Ok(10_000_000));
        // A GiB for one hour is a 24th of $0.10, rounded half to even.
        let gib = row(UsageUnit::StorageBytes, None, None, 1 << 30);
        assert_eq!(cost(gib), Ok(4_166_667));
        // Unknown sizes, models and days before the first price are missing, never $0.
        let odd = row(UsageUnit::Images, Some("dall-e-3"), Some("1792x1792/x"), 1);
        let missing = t.estimate_unit(&odd, 3_600, on()).unwrap_err();
        assert_eq!(missing.model, "dall-e-3");
        assert!(cost(row(UsageUnit::Images, Some("gpt-image-9"), None, 1)).is_err());
        let early = NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
        let old = row(UsageUnit::CodeInterpreterSessions, None, None, 1);
        assert!(t.estimate_unit(&old, 3_600, early).is_err());
    }

    #[test]
    fn entries_are_checked() {
        let base = "as_of = 2026-01-01\n";
        let bad = [
            (
                "[[unit_price]]\nunit = \"pixels\"\neffective_from = 2026-01-01\nprice = \"1\"",
                "unknown usage unit",
            ),
            (
                "[[unit_price]]\nunit = \"images\"\neffective_from = 2026-01-01\nprice = 0.5",
                "stays exact",
            ),
            (
                "[[unit_price]]\nunit = \"storage_bytes\"\neffective_from = 2026-01-01\nprice = \"1\"",
                "per_gib_day",
            ),
            (
                "[[unit_price]]\nunit = \"images\"\neffective_from = 2026-01-01\nprice = \"1\"\n\
                 [[unit_price]]\nunit = \"images\"\neffective_from = 2026-01-01\nprice = \"2\"",
                "two unit_price entries",
            ),
        ];
        for (text, expected) in bad {
            let e = PriceTable::from_toml(&format!("{base}{text}")).unwrap_err();
            assert_eq!(e.code(), "INVALID_INPUT");
            assert!(e.to_string().contains(expected), "{e}");
        }
        // A later entry of the same unit applies from its day; a sized entry beats an
        // unsized one.
        let t = PriceTable::from_toml(&format!(
            "{base}[[unit_price]]\nunit = \"images\"\nmodel = \"m\"\neffective_from = 2025-01-01\nprice = \"1\"\n\
             [[unit_price]]\nunit = \"images\"\nmodel = \"m\"\neffective_from = 2025-12-01\nprice = \"2\"\n\
             [[unit_price]]\nunit = \"images\"\nmodel = \"m\"\nvariant = \"9x9\"\neffective_from = 2025-01-01\nprice = \"5\""
        ))
        .unwrap();
        let cost = |v: Option<&str>| {
            t.estimate_unit(&row(UsageUnit::Images, Some("m"), v, 1), 3_600, on())
                .unwrap()
                .nanos()
        };
        assert_eq!(cost(None), 2_000_000_000);
        assert_eq!(cost(Some("9x9/image.generation")), 5_000_000_000);
        assert_eq!(t.unit_prices().count(), 3);
    }
}

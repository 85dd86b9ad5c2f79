//! Estimates of non-token usage (images, speech, transcription, file search, code
//! interpreter, storage) for the days a keyed bill (OpenAI) has not reached yet.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate};

use super::allocation::{DayAllocation, FactDim};
use crate::model::{Basis, Money, UnitRow};
use crate::pricing::PriceTable;

const HOUR: i64 = 3_600;

/// Add each unit row's list-price estimate, as *estimated*, under its key, workspace and
/// model (the dimension the bill's line for it lands on once billed: no tier, no window),
/// in its hour. A row without a price adds nothing: the unit report shows it without an
/// estimate, and the bill prices it when it comes.
///
/// Storage is priced by the byte-second, which is rarely a whole nanodollar per hour: each
/// hour gets the difference of the rounded running total, so the day's estimate is the
/// exact day rounded once, as a bill would be.
pub(crate) fn estimate_units(
    out: &mut DayAllocation,
    day: i64,
    units: &[UnitRow],
    prices: &PriceTable,
) {
    let date = DateTime::from_timestamp(day, 0)
        .map(|d| d.date_naive())
        .unwrap_or(NaiveDate::MIN);
    let mut levels: BTreeMap<FactDim, Vec<&UnitRow>> = BTreeMap::new();
    for row in units {
        if row.unit.is_level() {
            levels.entry(dim_of(row)).or_default().push(row);
        } else if let Ok(amount) = prices.estimate_unit(row, HOUR, date) {
            out.add(hour_of(row), dim_of(row), Basis::Estimated, amount);
        }
    }
    for (dim, mut rows) in levels {
        rows.sort_by_key(|r| r.bucket_start);
        let mut running = rows[0].clone();
        running.quantity = 0;
        let mut before = Money::ZERO;
        for row in rows {
            running.quantity = running.quantity.saturating_add(row.quantity);
            let Ok(after) = prices.estimate_unit(&running, HOUR, date) else {
                break;
            };
            out.add(hour_of(row), dim.clone(), Basis::Estimated, after - before);
            before = after;
        }
    }
}

fn hour_of(row: &UnitRow) -> i64 {
    let t = row.bucket_start.timestamp();
    t - t.rem_euclid(HOUR)
}

fn dim_of(row: &UnitRow) -> FactDim {
    FactDim::New(
        row.api_key_id.clone(),
        row.workspace_id.clone(),
        row.model.clone().unwrap_or_default(),
        String::new(),
        String::new(),
        None,
    )
}

//! `unit_usage`: usage that is not tokens, per UTC day (images, speech characters,
//! transcribed seconds, file search calls, code interpreter sessions, vector storage).

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime};
use serde::Serialize;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::ListPlans;
use crate::model::{BucketWidth, Money, Provider, UnitRow, UsageUnit};
use crate::pricing::PriceTable;

const DAY: i64 = 86_400;

super::export::export_records!(UnitUsageLine);

/// What [`Ledger::unit_usage`] reads: UTC days `[from, to)` of some plans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnitUsageFilter {
    /// First UTC day.
    pub from: NaiveDate,
    /// Day after the last.
    pub to: NaiveDate,
    /// The plans (empty: every connected plan).
    pub plan_ids: Vec<i64>,
    /// Only these units (empty: all).
    pub units: Vec<UsageUnit>,
}

impl UnitUsageFilter {
    /// Every plan and unit over UTC days `[from, to)`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Self {
        UnitUsageFilter {
            from,
            to,
            plan_ids: Vec::new(),
            units: Vec::new(),
        }
    }
}

/// One day of one combination of a plan's non-token usage.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct UnitUsageLine {
    /// The plan.
    pub plan_id: i64,
    /// The UTC day.
    pub day: NaiveDate,
    /// The workspace (OpenAI project); `None` for usage no project owns.
    pub workspace_id: Option<String>,
    /// The API key; `None` for Playground use and for units not reported per key.
    pub api_key_id: Option<String>,
    /// The org member who made the requests, when the provider says.
    pub actor_id: Option<String>,
    /// The model, for units reported per model.
    pub model: Option<String>,
    /// What is counted.
    pub unit: UsageUnit,
    /// Image `size/source`, or the vector store of file search calls.
    pub variant: Option<String>,
    /// Model requests behind it.
    pub requests: u64,
    /// The day's count of `unit`; for `storage_bytes`, byte-days: the bytes stored,
    /// averaged over the whole day (rounded down).
    pub quantity: u64,
    /// Its list-price estimate from the price table; `None` when the table has no price for
    /// it. An estimate, whether or not the day is billed: the bill (in the cost reports) is
    /// what the provider charged.
    pub estimate: Option<Money>,
}

type LineKey = (
    i64,
    NaiveDate,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    UsageUnit,
    Option<String>,
);

/// Sums per line: requests, quantity (storage: byte-hours), estimate (None once a row had
/// no price).
type Sums = (u64, u128, Option<Money>);

impl Context {
    /// [`crate::Ledger::unit_usage`].
    pub(crate) async fn unit_usage(&self, filter: &UnitUsageFilter) -> Result<Vec<UnitUsageLine>> {
        if filter.to <= filter.from {
            return Err(Error::invalid(format!(
                "the range must end after it starts, got {} to {}",
                filter.from, filter.to
            )));
        }
        let plans = self.list_plans(ListPlans::default()).await?;
        for id in &filter.plan_ids {
            if !plans.iter().any(|p| p.id == *id) {
                self.get_plan(*id).await?;
            }
        }
        let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
        let (from, to) = (midnight(filter.from), midnight(filter.to));
        let prices = PriceTable::bundled();
        let mut sums: BTreeMap<LineKey, Sums> = BTreeMap::new();
        for plan in plans {
            let wanted = filter.plan_ids.is_empty() || filter.plan_ids.contains(&plan.id);
            if !wanted || plan.provider != Provider::OpenAi {
                continue;
            }
            let rows = self
                .store
                .unit_rows(plan.id, BucketWidth::Hour, from, to)
                .await?;
            for row in rows {
                if !filter.units.is_empty() && !filter.units.contains(&row.unit) {
                    continue;
                }
                add(&mut sums, plan.id, row, prices);
            }
        }
        Ok(sums
            .into_iter()
            .map(|(key, sums)| line(key, sums, prices))
            .collect())
    }
}

fn add(sums: &mut BTreeMap<LineKey, Sums>, plan_id: i64, row: UnitRow, prices: &PriceTable) {
    let start = row.bucket_start.timestamp();
    let day = DateTime::from_timestamp(start - start.rem_euclid(DAY), 0)
        .map(|d| d.date_naive())
        .unwrap_or(NaiveDate::MIN);
    // A level is priced once per line, from the day's byte-hours (see `line`).
    let estimate = if row.unit.is_level() {
        Some(Money::ZERO)
    } else {
        prices
            .estimate_unit(&row, BucketWidth::Hour.seconds(), day)
            .ok()
    };
    let key = (
        plan_id,
        day,
        row.workspace_id,
        row.api_key_id,
        row.actor_id,
        row.model,
        row.unit,
        row.variant,
    );
    let entry = sums.entry(key).or_insert((0, 0, Some(Money::ZERO)));
    entry.0 += row.requests;
    entry.1 += u128::from(row.quantity);
    entry.2 = match (entry.2, estimate) {
        (Some(total), Some(e)) => Some(total + e),
        _ => None,
    };
}

fn line(key: LineKey, sums: Sums, prices: &PriceTable) -> UnitUsageLine {
    let (plan_id, day, workspace_id, api_key_id, actor_id, model, unit, variant) = key;
    let mut out = UnitUsageLine {
        plan_id,
        day,
        workspace_id,
        api_key_id,
        actor_id,
        model,
        unit,
        variant,
        requests: sums.0,
        quantity: u64::try_from(sums.1).unwrap_or(u64::MAX),
        estimate: sums.2,
    };
    if unit.is_level() {
        // Hourly levels summed are byte-hours: the estimate of them all at once is the
        // day's exact cost rounded once (as the derived facts have it), and the day's
        // byte-days are byte-hours over 24.
        let hours = UnitRow {
            bucket_start: day.and_time(NaiveTime::MIN).and_utc(),
            workspace_id: out.workspace_id.clone(),
            api_key_id: out.api_key_id.clone(),
            actor_id: out.actor_id.clone(),
            model: out.model.clone(),
            unit,
            variant: out.variant.clone(),
            requests: 0,
            quantity: out.quantity,
        };
        out.estimate = prices
            .estimate_unit(&hours, BucketWidth::Hour.seconds(), day)
            .ok();
        out.quantity /= (DAY / BucketWidth::Hour.seconds()) as u64;
    }
    out
}

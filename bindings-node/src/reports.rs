//! Reports on `Ledger`: user costs, the dashboard, budgets and forecasts, their exports, and
//! rebuilding the cost facts they read.
//! This file holds the values every report shares (cost by basis, periods, workspaces); each
//! report lives in `reports/`, beside the core's file of the same name.

mod billed;
mod budgets;
mod dashboard;
mod export;
mod forecast;
mod materialize;
mod reconcile;
mod units;
mod user_costs;
mod verify;

pub(crate) use export::by_format;

use napi_derive::napi;

use crate::model::{Money, date};

/// An amount split by where it comes from, so every figure says its basis. Each part is
/// `Money` (`usd` exact, `usdNumber` for display).
#[napi(object, object_from_js = false)]
pub struct Cost {
    /// Everything: billed + estimated + subscription.
    pub total: Money,
    /// The provider's bill: billedPerKey + allocated + unallocated, to the nanodollar.
    pub billed: Money,
    /// Billed by the provider to a key or person (Anthropic's Analytics API, OpenAI's cost
    /// per key): its own amounts, net of discounts, no allocation.
    pub billed_per_key: Money,
    /// The part of a bill without keys split across API keys in proportion to their tokens.
    pub allocated: Money,
    /// Billed cost that matched no usage (code execution, for one).
    pub unallocated: Money,
    /// Priced from costledger's price table: usage the bill leaves out, days not billed
    /// yet, local logs. An estimate, never billed.
    pub estimated: Money,
    /// Subscription fees, prorated to the period.
    pub subscription: Money,
}

impl From<costledger::Cost> for Cost {
    fn from(c: costledger::Cost) -> Self {
        Cost {
            total: c.total().into(),
            billed: c.billed().into(),
            billed_per_key: c.billed_per_key.into(),
            allocated: c.allocated.into(),
            unallocated: c.unallocated.into(),
            estimated: c.estimated.into(),
            subscription: c.subscription.into(),
        }
    }
}

/// A range of calendar dates in a time zone, as a report covers it.
#[napi(object, object_from_js = false)]
pub struct Period {
    /// The first date, inclusive (`YYYY-MM-DD`).
    pub start: String,
    /// The date after the last, exclusive (`YYYY-MM-DD`).
    pub end: String,
    /// The IANA time zone its dates are in (`UTC`, `America/Los_Angeles`).
    pub time_zone: String,
    /// The period as the core writes it, which `period` options accept back: `2026-11`,
    /// `2026-11-05`, `2026-11-01..2026-11-16`, followed by the zone unless it is UTC.
    pub label: String,
}

impl From<costledger::Period> for Period {
    fn from(p: costledger::Period) -> Self {
        Period {
            label: p.to_string(),
            start: date(p.start),
            end: date(p.end),
            time_zone: p.time_zone.name().to_string(),
        }
    }
}

/// A report period from its options: `period` in the core's syntax (`2026-11`, `2026-11-05`,
/// `2026-W45`, `2026-11-01..2026-11-16`, optionally followed by a zone), in `time_zone` when
/// one is given.
pub(crate) fn period(
    period: &str,
    time_zone: Option<String>,
) -> costledger::Result<costledger::Period> {
    let period: costledger::Period = period.parse()?;
    match time_zone {
        Some(zone) => period.in_time_zone(&zone),
        None => Ok(period),
    }
}

//! Plain values shared by every domain: money, timestamps, dates, and the string parsing
//! that turns JS strings into core enums.

use std::collections::HashMap;
use std::fmt;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use napi_derive::napi;

use crate::error::invalid;

/// An exact amount of US dollars.
///
/// `usd` is exact: a decimal string with at least two decimals and no trailing zeros beyond
/// them (`"20.00"`, `"1.2378912"`, `"-0.05"`), down to the nanodollar. Sum and compare with it
/// (or a decimal library). `usdNumber` is the same amount as a float, for charts and display
/// only: it may lose the last digits.
#[napi(object, object_from_js = false)]
pub struct Money {
    /// The exact amount in dollars, as a decimal string (`"1.2378912"`).
    pub usd: String,
    /// The amount in dollars as a float, for display only.
    pub usd_number: f64,
}

impl From<costledger::Money> for Money {
    fn from(m: costledger::Money) -> Self {
        Money {
            usd: m.to_dollars_string(),
            usd_number: m.to_f64(),
        }
    }
}

/// Every item of a list, converted.
pub(crate) fn list<T, U: From<T>>(items: Vec<T>) -> Vec<U> {
    items.into_iter().map(U::from).collect()
}

/// A calendar date as `YYYY-MM-DD`.
pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// An instant as the ISO-8601 string `Date.prototype.toISOString` writes:
/// `2026-11-20T00:00:00.000Z` (UTC, milliseconds).
pub(crate) fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// An optional instant as ISO-8601.
pub(crate) fn iso_opt(t: Option<DateTime<Utc>>) -> Option<String> {
    t.map(iso)
}

/// Parse an ISO-8601 / RFC 3339 instant with an offset (`2026-11-20T00:00:00Z`).
pub(crate) fn parse_instant(what: &str, text: &str) -> costledger::Result<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            invalid(format!(
                "{what} must be an ISO-8601 timestamp with a time zone, like \
                 2026-11-20T00:00:00Z, got {text:?} ({e})"
            ))
        })
}

/// Parse a calendar date (`2026-11-01`).
pub(crate) fn parse_date(what: &str, text: &str) -> costledger::Result<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|e| {
        invalid(format!(
            "{what} must be a date like 2026-11-01, got {text:?} ({e})"
        ))
    })
}

/// Parse an optional string into a core enum (its `FromStr` names the choices on error).
pub(crate) fn parse_opt<T>(text: Option<String>) -> costledger::Result<Option<T>>
where
    T: std::str::FromStr<Err = costledger::Error>,
{
    text.map(|t| t.parse()).transpose()
}

/// The values of each string enumeration that crosses the boundary, straight from the core,
/// so the tests can check the unions written into `index.d.ts` (`ts_type`) against them.
/// Not part of the API.
#[napi(catch_unwind, skip_typescript, js_name = "__enumValues")]
pub fn enum_values() -> HashMap<String, Vec<String>> {
    fn all<T: fmt::Display>(values: &[T]) -> Vec<String> {
        values.iter().map(ToString::to_string).collect()
    }
    HashMap::from([
        ("Provider".to_string(), all(costledger::Provider::ALL)),
        ("PlanStatus".to_string(), all(costledger::PlanStatus::ALL)),
        (
            "SubscriptionTier".to_string(),
            all(costledger::SubscriptionTier::ALL),
        ),
        (
            "BillingCycle".to_string(),
            all(costledger::BillingCycle::ALL),
        ),
        ("SyncStream".to_string(), all(costledger::SyncStream::ALL)),
        ("SyncStatus".to_string(), all(costledger::SyncStatus::ALL)),
        (
            "BudgetPeriod".to_string(),
            all(costledger::BudgetPeriod::ALL),
        ),
        ("BilledBy".to_string(), all(costledger::BilledBy::ALL)),
        ("ActorType".to_string(), all(costledger::ActorType::ALL)),
    ])
}

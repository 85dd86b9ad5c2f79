//! Reports of a Claude Code logs plan: per day, month, session and 5-hour block, each with
//! tokens per model, the cost estimated at list prices, and the models without a price.

use std::str::FromStr;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::model::{Money, TokenCounts};

/// What the log reports cover and how they cut days.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LogReportOptions {
    /// The IANA time zone days and months are cut in (`Europe/Paris`); `None` is UTC.
    pub time_zone: Option<String>,
    /// The first day included, in that time zone.
    pub since: Option<NaiveDate>,
    /// The last day included, in that time zone.
    pub until: Option<NaiveDate>,
    /// Only this project's entries (the directory under `projects/`, as sessions name it).
    pub project: Option<String>,
    /// Where each entry's cost comes from (default [`CostMode::Auto`], as ccusage).
    pub cost_mode: CostMode,
}

/// Where a log report takes each entry's cost from (ccusage's `--mode`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CostMode {
    /// The `costUSD` Claude Code wrote in the line when it has one, else calculated.
    #[default]
    Auto,
    /// Always calculated from the tokens with costledger's price table.
    Calculate,
    /// Only the `costUSD` of the line ($0 when it has none); never calculated.
    Display,
}

impl CostMode {
    /// Its name: `auto`, `calculate` or `display`.
    pub fn as_str(self) -> &'static str {
        match self {
            CostMode::Auto => "auto",
            CostMode::Calculate => "calculate",
            CostMode::Display => "display",
        }
    }
}

impl FromStr for CostMode {
    type Err = Error;

    /// `auto`, `calculate` or `display` (any case, surrounding spaces ignored).
    fn from_str(text: &str) -> Result<Self> {
        match text.trim().to_ascii_lowercase().as_str() {
            "auto" => Ok(CostMode::Auto),
            "calculate" => Ok(CostMode::Calculate),
            "display" => Ok(CostMode::Display),
            _ => Err(Error::invalid(format!(
                "cost mode must be auto, calculate or display, got {text:?}"
            ))),
        }
    }
}

/// How a periods report cuts time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Cut {
    Day,
    /// ISO weeks, Monday to Sunday, named by their Monday.
    Week,
    Month,
}

/// One model's tokens in a report group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LogModelUsage {
    /// The model, as the logs name it.
    pub model: String,
    /// Entries counted (after dedup).
    pub entries: i64,
    /// Their tokens (`uncached_input` is the logs' `input_tokens`).
    pub tokens: TokenCounts,
    /// The cost by the report's [`CostMode`]: calculated at list prices (fast-mode and
    /// long-context requests at their own rates) and/or the `costUSD` of the lines; an
    /// estimate, never billed. `None` when a cost had to be calculated and the price table
    /// has no price for the model on one of the days (or for fast mode).
    pub estimated_cost: Option<Money>,
}

/// The usage of a report group (a day, a month, a session, a block).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LogUsage {
    /// Entries counted.
    pub entries: i64,
    /// Their tokens, every model included.
    pub tokens: TokenCounts,
    /// The estimated cost of the models with a price (an estimate, never a billed amount).
    pub estimated_cost: Money,
    /// Per model, in name order.
    pub models: Vec<LogModelUsage>,
    /// Models without a price: their tokens are counted, their cost is in no total.
    pub missing_prices: Vec<String>,
}

/// The usage of one day or month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LogPeriodUsage {
    /// `2026-01-05` for a day, the week's Monday (`2026-01-05`) for a week, `2026-01` for a
    /// month, in the report's time zone.
    pub period: String,
    /// Its usage.
    pub usage: LogUsage,
}

/// The usage of one session.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LogSessionUsage {
    /// The project (the directory under `projects/`).
    pub project: String,
    /// The session id.
    pub session: String,
    /// Its first counted entry.
    pub first_at: DateTime<Utc>,
    /// Its last counted entry.
    pub last_at: DateTime<Utc>,
    /// Its usage.
    pub usage: LogUsage,
}

/// The usage of one 5-hour block.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LogBlockUsage {
    /// Its start: the first entry's hour (UTC).
    pub start: DateTime<Utc>,
    /// Its end, 5 hours later.
    pub end: DateTime<Utc>,
    /// Its first entry.
    pub first_at: DateTime<Utc>,
    /// Its last entry.
    pub last_at: DateTime<Utc>,
    /// True while it runs: now is before its end and within 5 hours of its last entry.
    pub active: bool,
    /// Its usage.
    pub usage: LogUsage,
}

pub(crate) fn instant(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

pub(crate) fn utc_day(ms: i64) -> NaiveDate {
    instant(ms).date_naive()
}

/// The time zone and the `[start, end)` range in milliseconds of a report's options.
pub(crate) fn scope(options: &LogReportOptions) -> Result<(Tz, i64, i64)> {
    let tz = match options
        .time_zone
        .as_deref()
        .map(str::trim)
        .filter(|z| !z.is_empty())
    {
        None => Tz::UTC,
        Some(name) => Tz::from_str(name).map_err(|_| {
            Error::invalid(format!(
                "time zone must be an IANA name such as Europe/Paris, got {name:?}"
            ))
        })?,
    };
    let midnight = |day: NaiveDate| {
        let local = day.and_hms_opt(0, 0, 0).expect("midnight exists");
        tz.from_local_datetime(&local).earliest().map_or_else(
            || local.and_utc().timestamp_millis(),
            |t| t.timestamp_millis(),
        )
    };
    let start = options.since.map_or(i64::MIN, midnight);
    let end = options
        .until
        .and_then(|d| d.succ_opt())
        .map_or(i64::MAX, midnight);
    if start >= end {
        return Err(Error::invalid(format!(
            "since ({}) must not be after until ({})",
            options.since.unwrap_or_default(),
            options.until.unwrap_or_default()
        )));
    }
    Ok((tz, start, end))
}

/// The project filter of a report's options (an empty name is none).
pub(crate) fn project(options: &LogReportOptions) -> Option<&str> {
    options.project.as_deref().filter(|p| !p.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_cuts_local_days() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        let options = LogReportOptions {
            time_zone: Some("Asia/Kathmandu".into()),
            since: Some(day(5)),
            until: Some(day(5)),
            ..Default::default()
        };
        let (_, start, end) = scope(&options).unwrap();
        // Kathmandu is UTC+5:45.
        assert_eq!(instant(start).to_rfc3339(), "2026-01-04T18:15:00+00:00");
        assert_eq!(end - start, 86_400_000);
        let bad = LogReportOptions {
            time_zone: Some("Mars/Olympus".into()),
            ..Default::default()
        };
        assert_eq!(scope(&bad).unwrap_err().code(), "INVALID_INPUT");
        let backwards = LogReportOptions {
            since: Some(day(6)),
            until: Some(day(5)),
            ..Default::default()
        };
        assert_eq!(scope(&backwards).unwrap_err().code(), "INVALID_INPUT");
        assert_eq!(scope(&LogReportOptions::default()).unwrap().1, i64::MIN);
    }
}

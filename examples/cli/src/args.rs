//! Values typed on the command line: dates, instants, periods, amounts. Periods, money and
//! enumerations are parsed by the core; this module only names the option in the message.

use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use costledger::{BudgetScope, Money, Period};

use crate::failure::{CliResult, Failure};

/// Parse a value with the core's `FromStr`, naming the option when it fails.
pub fn parse<T>(option: &str, text: &str) -> CliResult<T>
where
    T: FromStr<Err = costledger::Error>,
{
    text.parse::<T>().map_err(|e| {
        let mut failure = Failure::from(e);
        failure.message = format!("{option}: {}", failure.message);
        failure
    })
}

/// An instant: a date (`2026-11-01`, midnight UTC) or RFC 3339 (`2026-11-01T08:00:00Z`).
pub fn instant(option: &str, text: &str) -> CliResult<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    if let Ok(day) = NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(day.and_hms_opt(0, 0, 0).expect("midnight").and_utc());
    }
    Err(Failure::usage(format!(
        "{option} must be a date (2026-11-01, UTC) or an RFC 3339 instant \
         (2026-11-01T08:00:00Z), got {text:?}"
    )))
}

/// A calendar date, `YYYY-MM-DD`.
pub fn date(option: &str, text: &str) -> CliResult<NaiveDate> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
        Failure::usage(format!(
            "{option} must be a date such as 2026-11-01, got {text:?}"
        ))
    })
}

/// The period an option names, or the current month (UTC) of `now`.
pub fn period_or_month(text: Option<&str>, now: DateTime<Utc>) -> CliResult<Period> {
    match text {
        Some(text) => parse("--period", text),
        None => Ok(Period::month(now.year(), now.month())?),
    }
}

/// An IANA time zone name.
pub fn time_zone(option: &str, text: &str) -> CliResult {
    costledger::reports::period::parse_time_zone(text)
        .map(drop)
        .map_err(|e| {
            let mut failure = Failure::from(e);
            failure.message = format!("{option}: {}", failure.message);
            failure
        })
}

/// An amount of dollars.
pub fn dollars(option: &str, text: &str) -> CliResult<Money> {
    parse(option, text)
}

/// A budget or forecast scope, in the form the core reads ([`BudgetScope::spec`]).
pub fn scope(text: &str) -> CliResult<BudgetScope> {
    parse("--scope", text)
}

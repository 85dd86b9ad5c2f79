//! [`Args`]: the named arguments of one [`Ledger::call`](crate::Ledger::call), read from a
//! JSON object one by one, each checked as it is read, and none left unread.

use std::str::FromStr;
use std::time::Duration;

use chrono::TimeDelta;

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::model::Money;
use crate::reports::period::Period;

/// The arguments of a call: a JSON object whose keys are the method's argument names
/// (`snake_case`). A key given as `null` is the same as a key left out.
pub(crate) struct Args<'m> {
    method: &'m str,
    map: Map<String, Value>,
}

impl<'m> Args<'m> {
    /// The object `text` holds; anything else is `INVALID_INPUT`.
    pub(crate) fn parse(method: &'m str, text: &str) -> Result<Args<'m>> {
        let value = if text.trim().is_empty() {
            Value::Object(Map::new())
        } else {
            serde_json::from_str(text).map_err(|e| {
                Error::invalid(format!("the arguments of {method} are not JSON: {e}"))
            })?
        };
        match value {
            Value::Object(map) => Ok(Args { method, map }),
            other => Err(Error::invalid(format!(
                "the arguments of {method} are a JSON object of named arguments, not {}",
                kind(&other)
            ))),
        }
    }

    /// An argument that may be left out (`None`).
    pub(crate) fn opt<T: DeserializeOwned>(&mut self, name: &str) -> Result<Option<T>> {
        match self.map.remove(name) {
            None | Some(Value::Null) => Ok(None),
            Some(value) => serde_json::from_value(value)
                .map(Some)
                .map_err(|e| Error::invalid(format!("{e} (argument {name} of {})", self.method))),
        }
    }

    /// An argument that must be given.
    pub(crate) fn req<T: DeserializeOwned>(&mut self, name: &str) -> Result<T> {
        self.opt(name)?
            .ok_or_else(|| Error::invalid(format!("{} needs the argument {name}", self.method)))
    }

    /// An argument with a default when left out.
    pub(crate) fn or<T: DeserializeOwned>(&mut self, name: &str, default: T) -> Result<T> {
        Ok(self.opt(name)?.unwrap_or(default))
    }

    /// An argument in the core's text form (a scope, a provider, a period of a budget), read
    /// with its `FromStr`, which says what was wrong.
    pub(crate) fn text<T: FromStr<Err = Error>>(&mut self, name: &str) -> Result<T> {
        self.req::<String>(name)?.parse()
    }

    /// [`Args::text`], left out as `None`.
    pub(crate) fn opt_text<T: FromStr<Err = Error>>(&mut self, name: &str) -> Result<Option<T>> {
        self.opt::<String>(name)?.map(|t| t.parse()).transpose()
    }

    /// A list of texts ([`Args::text`]), left out as `None`.
    pub(crate) fn texts<T: FromStr<Err = Error>>(&mut self, name: &str) -> Result<Option<Vec<T>>> {
        self.opt::<Vec<String>>(name)?
            .map(|list| list.iter().map(|t| t.parse()).collect())
            .transpose()
    }

    /// An amount of dollars as exact decimal text (`"12.50"`): never a JSON number, which
    /// could not be exact.
    pub(crate) fn dollars(&mut self, name: &str) -> Result<Option<Money>> {
        self.opt::<String>(name)?
            .map(|text| {
                Money::parse_dollars(&text).map_err(|_| {
                    Error::invalid(format!(
                        "{name} is a decimal number of dollars as text, got {text:?}"
                    ))
                })
            })
            .transpose()
    }

    /// A number of days, left out as `None`.
    pub(crate) fn days(&mut self, name: &str) -> Result<Option<TimeDelta>> {
        self.opt::<i64>(name)?
            .map(|d| {
                TimeDelta::try_days(d)
                    .ok_or_else(|| Error::invalid(format!("{name} is out of range, got {d} days")))
            })
            .transpose()
    }

    /// A number of seconds (with a fraction), left out as `None`.
    pub(crate) fn seconds(&mut self, name: &str) -> Result<Option<Duration>> {
        self.opt::<f64>(name)?
            .map(|s| {
                Duration::try_from_secs_f64(s).map_err(|_| {
                    Error::invalid(format!(
                        "{name} must be a non-negative number of seconds, got {s}"
                    ))
                })
            })
            .transpose()
    }

    /// A report period from `period` (the core's text form, `2026-11 America/Los_Angeles`,
    /// or a `[start, end]` pair of dates, end exclusive), moved to `time_zone` when given.
    pub(crate) fn period(&mut self) -> Result<Period> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Form {
            Text(String),
            Dates(chrono::NaiveDate, chrono::NaiveDate),
        }
        let form = match self.map.get("period") {
            Some(Value::Null) | None => self.req::<Form>("period")?,
            Some(_) => self.req::<Form>("period").map_err(|_| {
                Error::invalid(format!(
                    "period of {} is text such as \"2026-11\" or a [start, end] pair of \
                     YYYY-MM-DD dates",
                    self.method
                ))
            })?,
        };
        let period = match form {
            Form::Text(text) => text.parse()?,
            Form::Dates(start, end) => Period::dates(start, end)?,
        };
        match self.opt::<String>("time_zone")? {
            Some(zone) => period.in_time_zone(&zone),
            None => Ok(period),
        }
    }

    /// Every argument was read: one left over is a misspelt name, refused rather than
    /// ignored.
    pub(crate) fn done(self) -> Result<()> {
        match self.map.keys().next() {
            None => Ok(()),
            Some(name) => Err(Error::invalid(format!(
                "{} has no argument {name:?}",
                self.method
            ))),
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

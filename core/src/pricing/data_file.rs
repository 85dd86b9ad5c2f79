//! Reading the pricing data files (TOML) field by field, so that every error names the
//! entry and the field that is wrong, and a misspelt field is an error rather than ignored.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use toml::{Table, Value};

use crate::error::{Error, Result};
use crate::model::Money;

/// Parse a whole data file into its top-level table.
pub(crate) fn parse(file: &str, text: &str) -> Result<Table> {
    text.parse::<Table>()
        .map_err(|e| Error::invalid(format!("{file} is not valid TOML: {e}")))
}

/// A short description of a TOML value for error messages: `a float (0.3)`, `a table`.
pub(crate) fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => format!("a string ({s:?})"),
        Value::Integer(i) => format!("an integer ({i})"),
        Value::Float(f) => format!("a float ({f})"),
        Value::Boolean(b) => format!("a boolean ({b})"),
        Value::Datetime(d) => format!("a date-time ({d})"),
        Value::Array(_) => "a list".to_string(),
        Value::Table(_) => "a table".to_string(),
    }
}

/// One table of a data file (an entry, or the file's top level) being read field by field.
pub(crate) struct Fields<'a> {
    /// How errors name this table: `price table, model entry 3 (claude-opus-4-6)`.
    what: String,
    table: &'a Table,
    read: BTreeSet<&'a str>,
}

impl<'a> Fields<'a> {
    /// Start reading `table`, named `what` in errors.
    pub(crate) fn new(what: impl Into<String>, table: &'a Table) -> Self {
        Fields {
            what: what.into(),
            table,
            read: BTreeSet::new(),
        }
    }

    /// How errors name this table.
    pub(crate) fn what(&self) -> &str {
        &self.what
    }

    /// An error about `field` of this table.
    pub(crate) fn error(&self, field: &str, problem: impl std::fmt::Display) -> Error {
        Error::invalid(format!("{}: field `{field}` {problem}", self.what))
    }

    fn get(&mut self, field: &'a str) -> Option<&'a Value> {
        self.read.insert(field);
        self.table.get(field)
    }

    /// An optional string field.
    pub(crate) fn str(&mut self, field: &'a str) -> Result<Option<&'a str>> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.as_str())),
            Some(other) => {
                Err(self.error(field, format!("must be a string, got {}", describe(other))))
            }
        }
    }

    /// A required, non-blank string field.
    pub(crate) fn required_str(&mut self, field: &'a str) -> Result<&'a str> {
        match self.str(field)? {
            Some(s) if !s.trim().is_empty() => Ok(s),
            Some(_) => Err(self.error(field, "must not be blank")),
            None => Err(self.error(field, "is missing")),
        }
    }

    /// An optional list of strings (empty when absent).
    pub(crate) fn str_list(&mut self, field: &'a str) -> Result<Vec<&'a str>> {
        match self.get(field) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => {
                items
                    .iter()
                    .map(|item| match item {
                        Value::String(s) => Ok(s.as_str()),
                        other => Err(self
                            .error(field, format!("must list strings, got {}", describe(other)))),
                    })
                    .collect()
            }
            Some(other) => Err(self.error(
                field,
                format!("must be a list of strings, got {}", describe(other)),
            )),
        }
    }

    /// An optional date: a TOML local date (`2025-09-29`) or a `"YYYY-MM-DD"` string.
    pub(crate) fn date(&mut self, field: &'a str) -> Result<Option<NaiveDate>> {
        let text = match self.get(field) {
            None => return Ok(None),
            Some(Value::Datetime(dt)) if dt.time.is_none() && dt.offset.is_none() => dt.to_string(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => {
                return Err(self.error(
                    field,
                    format!("must be a date like 2025-09-29, got {}", describe(other)),
                ));
            }
        };
        NaiveDate::parse_from_str(&text, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| {
                self.error(
                    field,
                    format!("must be a date like 2025-09-29, got {text:?}"),
                )
            })
    }

    /// A required date.
    pub(crate) fn required_date(&mut self, field: &'a str) -> Result<NaiveDate> {
        self.date(field)?
            .ok_or_else(|| self.error(field, "is missing"))
    }

    /// An optional non-negative amount of dollars, written as a decimal string (`"0.30"`) or
    /// an integer; a float is refused because it is not exact.
    pub(crate) fn dollars(&mut self, field: &'a str) -> Result<Option<Money>> {
        let money = match self.get(field) {
            None => return Ok(None),
            Some(Value::String(s)) => Money::parse_dollars(s).map_err(|_| {
                self.error(
                    field,
                    format!("must be a decimal number of dollars, got {s:?}"),
                )
            })?,
            Some(Value::Integer(i)) => i
                .checked_mul(crate::model::NANOS_PER_DOLLAR)
                .map(Money::from_nanos)
                .ok_or_else(|| self.error(field, "is too large"))?,
            Some(Value::Float(f)) => {
                return Err(self.error(
                    field,
                    format!("must be written as a string (\"{f}\") so it stays exact"),
                ));
            }
            Some(other) => {
                return Err(self.error(
                    field,
                    format!("must be a decimal string, got {}", describe(other)),
                ));
            }
        };
        if money.nanos() < 0 {
            return Err(self.error(field, format!("must not be negative, got {money}")));
        }
        Ok(Some(money))
    }

    /// A required amount of dollars.
    pub(crate) fn required_dollars(&mut self, field: &'a str) -> Result<Money> {
        self.dollars(field)?
            .ok_or_else(|| self.error(field, "is missing"))
    }

    /// An optional sub-table.
    pub(crate) fn table(&mut self, field: &'a str) -> Result<Option<&'a Table>> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::Table(t)) => Ok(Some(t)),
            Some(other) => {
                Err(self.error(field, format!("must be a table, got {}", describe(other))))
            }
        }
    }

    /// An optional array of tables (`[[model]]`), empty when absent.
    pub(crate) fn tables(&mut self, field: &'a str) -> Result<Vec<&'a Table>> {
        match self.get(field) {
            None => Ok(Vec::new()),
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| match item {
                    Value::Table(t) => Ok(t),
                    other => {
                        Err(self.error(field, format!("must hold tables, got {}", describe(other))))
                    }
                })
                .collect(),
            Some(other) => Err(self.error(
                field,
                format!(
                    "must be an array of tables ([[{field}]]), got {}",
                    describe(other)
                ),
            )),
        }
    }

    /// Fail on any field that was never read: a typo must not silently drop a price.
    pub(crate) fn finish(self) -> Result<()> {
        let unknown: Vec<&str> = self
            .table
            .keys()
            .map(String::as_str)
            .filter(|k| !self.read.contains(k))
            .collect();
        if unknown.is_empty() {
            Ok(())
        } else {
            let known: Vec<&str> = self.read.iter().copied().collect();
            Err(Error::invalid(format!(
                "{}: unknown field(s) {}; the fields are {}",
                self.what,
                unknown.join(", "),
                known.join(", ")
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_fields_and_names_the_bad_one() {
        let table = parse(
            "test.toml",
            "a = \"0.30\"\nb = 3\nc = 0.3\nd = 2025-09-29\ne = \"x\"\nf = -1\n",
        )
        .unwrap();
        let mut fields = Fields::new("entry 1 (x)", &table);
        assert_eq!(fields.dollars("a").unwrap(), Some(Money::from_cents(30)));
        assert_eq!(fields.dollars("b").unwrap(), Some(Money::from_cents(300)));
        let e = fields.dollars("c").unwrap_err().to_string();
        assert_eq!(
            e,
            "entry 1 (x): field `c` must be written as a string (\"0.3\") so it stays exact"
        );
        assert_eq!(
            fields.required_date("d").unwrap(),
            NaiveDate::from_ymd_opt(2025, 9, 29).unwrap()
        );
        assert!(fields.dollars("e").unwrap_err().to_string().contains("`e`"));
        assert!(
            fields
                .dollars("f")
                .unwrap_err()
                .to_string()
                .contains("negative")
        );
        assert!(
            fields
                .required_str("g")
                .unwrap_err()
                .to_string()
                .contains("`g` is missing")
        );
        fields.finish().unwrap();
    }

    #[test]
    fn unknown_fields_are_errors() {
        let table = parse("t", "input = \"1\"\ncache_raed = \"0.1\"\n").unwrap();
        let mut fields = Fields::new("entry 2", &table);
        fields.dollars("input").unwrap();
        let e = fields.finish().unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT");
        assert!(e.to_string().contains("unknown field(s) cache_raed"), "{e}");
    }

    #[test]
    fn bad_toml_is_invalid_input() {
        let e = parse("prices.toml", "[[model]\n").unwrap_err();
        assert!(
            e.to_string().starts_with("prices.toml is not valid TOML"),
            "{e}"
        );
    }
}

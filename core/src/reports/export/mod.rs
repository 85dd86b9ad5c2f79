//! Exports: every report as JSON and as CSV, without a [`crate::Ledger`].
//!
//! JSON is the report's `serde` form (money as exact decimal strings of dollars). CSV follows
//! RFC 4180: one header line, CRLF line ends, a field quoted when it holds a comma, a quote
//! or a line break (quotes doubled inside). Amounts are exact decimal dollars (`"12.3456789"`),
//! dates ISO (`2026-11-05`), instants RFC 3339 in UTC (`2026-11-05T07:00:00Z`), a missing
//! value an empty field. The column layout of each report is documented on its
//! `impl Export` and in `docs/reports.md` ("Exports").
//!
//! A report type added later in the crate gets both formats in one line: `export_records!(T)`
//! for a type listed many at a time (one CSV row per value, exported as `[T]` or `Vec<T>`), or
//! `export_record!(T)` for a single report (one CSV row). Their CSV columns are the report's
//! JSON fields ([`flat_csv`]): nested objects joined with `.` (`cost.total`), lists written as
//! compact JSON in one field.

use chrono::{DateTime, SecondsFormat, Utc};
use serde::Serialize;

use super::cost::Cost;
use crate::error::{Error, Result};

mod flat;
mod layouts;

pub use flat::flat_csv;
pub use layouts::{DASHBOARD_COLUMNS, SYNC_EVENT_COLUMNS, SYNC_REPORT_COLUMNS, USER_COSTS_COLUMNS};

crate::macros::string_enum! {
    /// The format of an export.
    ExportFormat, "export format" {
        /// Pretty-printed JSON, money as exact decimal strings of dollars.
        Json => "json",
        /// RFC 4180 CSV with a header line.
        Csv => "csv",
    }
}

impl ExportFormat {
    /// Export `report` in this format.
    pub fn export<T: Export + ?Sized>(self, report: &T) -> Result<String> {
        match self {
            ExportFormat::Json => report.to_json(),
            ExportFormat::Csv => report.to_csv(),
        }
    }
}

/// A report that can be written as JSON and as CSV.
pub trait Export {
    /// The report as pretty-printed JSON; money as exact decimal strings of dollars.
    fn to_json(&self) -> Result<String>;

    /// The report as RFC 4180 CSV: a header line, then its rows.
    fn to_csv(&self) -> Result<String>;
}

/// A type exported as a list, one CSV row per value; `[T]` and `Vec<T>` implement
/// [`Export`] for every `T: ExportRecord`.
pub trait ExportRecord: Serialize + Sized {
    /// The CSV of `records`, header included.
    fn csv(records: &[Self]) -> Result<String>;
}

impl<T: ExportRecord> Export for [T] {
    fn to_json(&self) -> Result<String> {
        json(self)
    }

    fn to_csv(&self) -> Result<String> {
        T::csv(self)
    }
}

impl<T: ExportRecord> Export for Vec<T> {
    fn to_json(&self) -> Result<String> {
        self.as_slice().to_json()
    }

    fn to_csv(&self) -> Result<String> {
        self.as_slice().to_csv()
    }
}

/// Pretty JSON of any report.
pub fn json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string_pretty(value)
        .map_err(|e| Error::internal(format!("cannot write the report as JSON: {e}")))
}

/// Writes RFC 4180 CSV: fields quoted only when they must be, CRLF after every record.
#[derive(Debug)]
pub struct CsvWriter {
    out: String,
    columns: usize,
}

impl CsvWriter {
    /// A document starting with this header line.
    pub fn new<S: AsRef<str>>(header: &[S]) -> CsvWriter {
        let mut w = CsvWriter {
            out: String::new(),
            columns: header.len(),
        };
        w.record(header);
        w
    }

    /// Append one record; it must have as many fields as the header.
    pub fn record<S: AsRef<str>>(&mut self, fields: &[S]) {
        debug_assert_eq!(
            fields.len(),
            self.columns,
            "a CSV record of the wrong width"
        );
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                self.out.push(',');
            }
            push_field(&mut self.out, field.as_ref());
        }
        self.out.push_str("\r\n");
    }

    /// The document.
    pub fn finish(self) -> String {
        self.out
    }
}

pub(super) fn push_field(out: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// An instant as RFC 3339 in UTC with a `Z` (seconds, fractions only when present).
pub(crate) fn instant(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

pub(crate) fn opt_instant(at: Option<DateTime<Utc>>) -> String {
    at.map(instant).unwrap_or_default()
}

pub(crate) fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The seven amount columns of a [`Cost`]: total, billed, billed per key, allocated,
/// unallocated, estimated, subscription.
const COST_COLUMNS: [&str; 7] = [
    "total",
    "billed",
    "billed_per_key",
    "allocated",
    "unallocated",
    "estimated",
    "subscription",
];

pub(super) fn cost_fields(cost: Option<&Cost>) -> [String; 7] {
    match cost {
        None => Default::default(),
        Some(c) => [
            c.total().to_dollars_string(),
            c.billed().to_dollars_string(),
            c.billed_per_key.to_dollars_string(),
            c.allocated.to_dollars_string(),
            c.unallocated.to_dollars_string(),
            c.estimated.to_dollars_string(),
            c.subscription.to_dollars_string(),
        ],
    }
}

pub(super) fn header(leading: &[&'static str]) -> Vec<&'static str> {
    leading.iter().chain(COST_COLUMNS.iter()).copied().collect()
}

/// Export a report type listed many at a time (`[T]`, `Vec<T>`): JSON is the list, CSV one
/// row per value with the columns of [`flat_csv`].
/// `crate::reports::export::export_records!(BudgetStatus);`
macro_rules! export_records {
    ($t:ty) => {
        impl $crate::reports::export::ExportRecord for $t {
            fn csv(records: &[Self]) -> $crate::error::Result<String> {
                $crate::reports::export::flat_csv(records)
            }
        }
    };
}

/// Export a single report: JSON is the report, CSV one row with the columns of
/// [`flat_csv`]. `crate::reports::export::export_record!(Forecast);`
macro_rules! export_record {
    ($t:ty) => {
        impl $crate::reports::export::Export for $t {
            fn to_json(&self) -> $crate::error::Result<String> {
                $crate::reports::export::json(self)
            }

            fn to_csv(&self) -> $crate::error::Result<String> {
                $crate::reports::export::flat_csv(::std::slice::from_ref(self))
            }
        }
    };
}

#[allow(unused_imports)] // for report modules that add their own types
pub(crate) use {export_record, export_records};

export_records!(crate::reports::budgets::Budget);
export_records!(crate::reports::budgets::BudgetStatus);
export_records!(crate::reports::budgets::BudgetAlert);
export_record!(crate::reports::forecast::Forecast);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_quoted_only_when_they_must_be() {
        let mut csv = CsvWriter::new(&["a", "b", "c", "d"]);
        csv.record(&["plain", "a,b", "say \"hi\"", "two\nlines"]);
        csv.record(&["", " x ", "cr\rhere", "-1.50"]);
        assert_eq!(
            csv.finish(),
            "a,b,c,d\r\nplain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\r\n, x ,\"cr\rhere\",-1.50\r\n"
        );
    }

    #[derive(Serialize)]
    struct Inner {
        total: String,
        n: Option<i64>,
    }

    #[derive(Serialize)]
    struct Outer {
        name: String,
        inner: Inner,
        list: Vec<String>,
        ratio: f64,
        flag: bool,
        missing: Option<Inner>,
    }

    #[test]
    fn flat_csv_names_columns_after_json_fields_in_order() {
        let records = [
            Outer {
                name: "a, b".into(),
                inner: Inner {
                    total: "1.50".into(),
                    n: None,
                },
                list: vec!["x".into(), "y\"".into()],
                ratio: 0.25,
                flag: true,
                missing: None,
            },
            Outer {
                name: "c".into(),
                inner: Inner {
                    total: "2.00".into(),
                    n: Some(3),
                },
                list: vec![],
                ratio: 1.0,
                flag: false,
                missing: Some(Inner {
                    total: "0.10".into(),
                    n: Some(-1),
                }),
            },
        ];
        let csv = flat_csv(&records).unwrap();
        let lines: Vec<&str> = csv.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "name,inner.total,inner.n,list,ratio,flag,missing,missing.total,missing.n"
        );
        assert_eq!(
            lines[1],
            "\"a, b\",1.50,,\"[\"\"x\"\",\"\"y\\\"\"\"\"]\",0.25,true,,,"
        );
        assert_eq!(lines[2], "c,2.00,3,[],1.0,false,,0.10,-1");
        assert_eq!(flat_csv::<Outer>(&[]).unwrap(), "");
    }
}

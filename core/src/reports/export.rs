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
use super::dashboard::Dashboard;
use super::user_costs::UserCosts;
use crate::error::{Error, Result};
use crate::model::SyncEvent;
use crate::sync::SyncReport;

crate::model::plan::string_enum! {
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

fn push_field(out: &mut String, field: &str) {
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

fn opt_instant(at: Option<DateTime<Utc>>) -> String {
    at.map(instant).unwrap_or_default()
}

fn opt<T: ToString>(value: Option<T>) -> String {
    value.map(|v| v.to_string()).unwrap_or_default()
}

/// The six amount columns of a [`Cost`]: total, billed, allocated, unallocated, estimated,
/// subscription.
const COST_COLUMNS: [&str; 6] = [
    "total",
    "billed",
    "allocated",
    "unallocated",
    "estimated",
    "subscription",
];

fn cost_fields(cost: Option<&Cost>) -> [String; 6] {
    match cost {
        None => Default::default(),
        Some(c) => [
            c.total().to_dollars_string(),
            c.billed().to_dollars_string(),
            c.allocated.to_dollars_string(),
            c.unallocated.to_dollars_string(),
            c.estimated.to_dollars_string(),
            c.subscription.to_dollars_string(),
        ],
    }
}

fn header(leading: &[&'static str]) -> Vec<&'static str> {
    leading.iter().chain(COST_COLUMNS.iter()).copied().collect()
}

/// The CSV columns of a [`Dashboard`], before the six amounts.
pub const DASHBOARD_COLUMNS: [&str; 12] = [
    "period",
    "section",
    "plan_id",
    "plan_label",
    "workspace_id",
    "name",
    "model",
    "service_tier",
    "context_window",
    "subject_id",
    "date",
    "tokens",
];

#[derive(Default)]
struct DashboardRow<'a> {
    section: &'static str,
    plan_id: Option<i64>,
    plan_label: Option<&'a str>,
    workspace_id: Option<&'a str>,
    name: Option<&'a str>,
    model: Option<&'a str>,
    service_tier: Option<&'a str>,
    context_window: Option<&'a str>,
    subject_id: Option<&'a str>,
    date: Option<String>,
    tokens: Option<i64>,
    cost: Option<&'a Cost>,
}

impl Export for Dashboard {
    fn to_json(&self) -> Result<String> {
        json(self)
    }

    /// Columns: `period,section,plan_id,plan_label,workspace_id,name,model,service_tier,
    /// context_window,subject_id,date,tokens,total,billed,allocated,unallocated,estimated,
    /// subscription`. One `total` row, then a row per `plan`, `workspace` (workspace_id empty
    /// for the Default workspace; name as displayed), `model` (tokens: input + output),
    /// `subject` (name: the subject's name or email), one `unattributed` row, a row per `day`
    /// and per `missing_price` (model, tier, window and tokens; amounts empty: unknown, not
    /// zero). A model none of whose usage has a price has empty amounts too.
    fn to_csv(&self) -> Result<String> {
        let period = self.period.to_string();
        let labels: std::collections::HashMap<i64, &str> = self
            .per_plan
            .iter()
            .map(|p| (p.plan_id, p.label.as_str()))
            .collect();
        let mut rows = vec![DashboardRow {
            section: "total",
            cost: Some(&self.totals),
            ..Default::default()
        }];
        rows.extend(self.per_plan.iter().map(|p| DashboardRow {
            section: "plan",
            plan_id: Some(p.plan_id),
            plan_label: Some(&p.label),
            cost: Some(&p.cost),
            ..Default::default()
        }));
        rows.extend(self.per_workspace.iter().map(|w| DashboardRow {
            section: "workspace",
            plan_id: Some(w.workspace.plan_id),
            plan_label: labels.get(&w.workspace.plan_id).copied(),
            workspace_id: w.workspace.workspace_id.as_deref(),
            name: Some(&w.name),
            cost: Some(&w.cost),
            ..Default::default()
        }));
        rows.extend(self.per_model.iter().map(|m| DashboardRow {
            section: "model",
            model: Some(&m.model),
            tokens: Some(m.tokens.total_input() + m.tokens.output),
            // A model none of whose usage has a price: unknown, not zero.
            cost: (!(m.cost_unknown && m.cost.is_zero())).then_some(&m.cost),
            ..Default::default()
        }));
        rows.extend(self.top_subjects.iter().map(|s| DashboardRow {
            section: "subject",
            subject_id: Some(&s.subject_id),
            name: s.name.as_deref().or(s.email.as_deref()),
            cost: Some(&s.cost),
            ..Default::default()
        }));
        rows.push(DashboardRow {
            section: "unattributed",
            cost: Some(&self.unattributed),
            ..Default::default()
        });
        rows.extend(self.daily.iter().map(|d| DashboardRow {
            section: "day",
            date: Some(d.date.to_string()),
            cost: Some(&d.cost),
            ..Default::default()
        }));
        rows.extend(self.missing_prices.iter().map(|m| DashboardRow {
            section: "missing_price",
            plan_id: Some(m.plan_id),
            plan_label: labels.get(&m.plan_id).copied(),
            model: Some(&m.model),
            service_tier: Some(&m.service_tier),
            context_window: Some(&m.context_window),
            tokens: Some(m.tokens),
            ..Default::default()
        }));
        let mut csv = CsvWriter::new(&header(&DASHBOARD_COLUMNS));
        for r in rows {
            let lead = [
                period.clone(),
                r.section.to_string(),
                opt(r.plan_id),
                opt(r.plan_label),
                opt(r.workspace_id),
                opt(r.name),
                opt(r.model),
                opt(r.service_tier),
                opt(r.context_window),
                opt(r.subject_id),
                r.date.unwrap_or_default(),
                opt(r.tokens),
            ];
            let fields: Vec<String> = lead.into_iter().chain(cost_fields(r.cost)).collect();
            csv.record(&fields);
        }
        Ok(csv.finish())
    }
}

/// The CSV columns of [`UserCosts`], before the six amounts.
pub const USER_COSTS_COLUMNS: [&str; 11] = [
    "period",
    "section",
    "subject_id",
    "plan_id",
    "plan_label",
    "model",
    "project_id",
    "name",
    "date",
    "tier",
    "seats",
];

impl Export for UserCosts {
    fn to_json(&self) -> Result<String> {
        json(self)
    }

    /// Columns: `period,section,subject_id,plan_id,plan_label,model,project_id,name,date,
    /// tier,seats,total,billed,allocated,unallocated,estimated,subscription`, subject_id on
    /// every row. One `total` row (name: the subject's name or email), then a row per `plan`,
    /// `model`, `project` (name: the project's), `day`, and `seat` (tier and seats of the
    /// plan's subscription; the seat's fee in total and subscription).
    fn to_csv(&self) -> Result<String> {
        let period = self.period.to_string();
        let subject = self.subject.id.as_str();
        let mut csv = CsvWriter::new(&header(&USER_COSTS_COLUMNS));
        let mut row = |section: &str,
                       plan: Option<(i64, &str)>,
                       model: Option<&str>,
                       project_id: Option<i64>,
                       name: Option<&str>,
                       date: Option<String>,
                       seat: Option<(String, i64)>,
                       cost: &Cost| {
            let lead = [
                period.clone(),
                section.to_string(),
                subject.to_string(),
                opt(plan.map(|p| p.0)),
                opt(plan.map(|p| p.1)),
                opt(model),
                opt(project_id),
                opt(name),
                date.unwrap_or_default(),
                opt(seat.as_ref().map(|s| s.0.clone())),
                opt(seat.map(|s| s.1)),
            ];
            let fields: Vec<String> = lead.into_iter().chain(cost_fields(Some(cost))).collect();
            csv.record(&fields);
        };
        let who = self
            .subject
            .name
            .as_deref()
            .or(self.subject.email.as_deref());
        row("total", None, None, None, who, None, None, &self.total);
        for p in &self.per_plan {
            let plan = Some((p.plan_id, p.label.as_str()));
            row("plan", plan, None, None, None, None, None, &p.cost);
        }
        for m in &self.per_model {
            row(
                "model",
                None,
                Some(&m.model),
                None,
                None,
                None,
                None,
                &m.cost,
            );
        }
        for p in &self.per_project {
            let name = Some(p.name.as_str());
            row(
                "project",
                None,
                None,
                p.project_id,
                name,
                None,
                None,
                &p.cost,
            );
        }
        for d in &self.per_day {
            let date = Some(d.date.to_string());
            row("day", None, None, None, None, date, None, &d.cost);
        }
        for s in &self.seats {
            let fee = Cost {
                subscription: s.amount,
                ..Cost::default()
            };
            let plan = Some((s.plan_id, s.label.as_str()));
            let seat = Some((s.tier.to_string(), s.seats));
            row("seat", plan, None, None, None, None, seat, &fee);
        }
        Ok(csv.finish())
    }
}

/// The CSV columns of a [`SyncReport`].
pub const SYNC_REPORT_COLUMNS: [&str; 25] = [
    "section",
    "started_at",
    "finished_at",
    "plan_id",
    "label",
    "plan_status",
    "skipped_reason",
    "stream",
    "status",
    "stream_started_at",
    "window_start",
    "window_end",
    "buckets_written",
    "rows_written",
    "requests",
    "retries",
    "duration_ms",
    "error_code",
    "error_message",
    "budget_id",
    "budget_name",
    "threshold",
    "period",
    "spent",
    "amount",
];

impl Export for SyncReport {
    fn to_json(&self) -> Result<String> {
        json(self)
    }

    /// Columns: [`SYNC_REPORT_COLUMNS`], the sync's start and finish on every row. A
    /// `stream` row per stream of each plan (with the plan's id, label, status); a `plan` row
    /// for a plan that ran no stream (skipped, or failed before any), with the plan's error;
    /// a `budget_alert` row per alert (budget id and name, threshold in percent, period,
    /// spent and amount in dollars).
    fn to_csv(&self) -> Result<String> {
        let mut csv = CsvWriter::new(&SYNC_REPORT_COLUMNS);
        let times = [instant(self.started_at), instant(self.finished_at)];
        let blank = |n: usize| std::iter::repeat_n(String::new(), n);
        for plan in &self.plans {
            let plan_fields = [
                plan.plan_id.to_string(),
                plan.label.clone(),
                plan.status.to_string(),
                opt(plan.skipped_reason.as_deref()),
            ];
            if plan.streams.is_empty() {
                let fields: Vec<String> = std::iter::once("plan".to_string())
                    .chain(times.clone())
                    .chain(plan_fields.clone())
                    .chain(blank(10))
                    .chain([
                        opt(plan.error.as_ref().map(|e| &e.code)),
                        opt(plan.error.as_ref().map(|e| &e.message)),
                    ])
                    .chain(blank(6))
                    .collect();
                csv.record(&fields);
            }
            for s in &plan.streams {
                let fields: Vec<String> = std::iter::once("stream".to_string())
                    .chain(times.clone())
                    .chain(plan_fields.clone())
                    .chain([
                        s.stream.to_string(),
                        s.status.to_string(),
                        instant(s.started_at),
                        opt_instant(s.window_start),
                        opt_instant(s.window_end),
                        s.buckets_written.to_string(),
                        s.rows_written.to_string(),
                        s.requests.to_string(),
                        s.retries.to_string(),
                        s.duration.as_millis().to_string(),
                        opt(s.error.as_ref().map(|e| &e.code)),
                        opt(s.error.as_ref().map(|e| &e.message)),
                    ])
                    .chain(blank(6))
                    .collect();
                csv.record(&fields);
            }
        }
        for a in &self.budget_alerts {
            let fields: Vec<String> = std::iter::once("budget_alert".to_string())
                .chain(times.clone())
                .chain(blank(16))
                .chain([
                    a.budget_id.to_string(),
                    a.name.clone(),
                    a.threshold.to_string(),
                    a.period.to_string(),
                    a.spent.to_dollars_string(),
                    a.amount.to_dollars_string(),
                ])
                .collect();
            csv.record(&fields);
        }
        Ok(csv.finish())
    }
}

/// The CSV columns of a list of [`SyncEvent`]s.
pub const SYNC_EVENT_COLUMNS: [&str; 14] = [
    "id",
    "plan_id",
    "stream",
    "status",
    "started_at",
    "finished_at",
    "window_start",
    "window_end",
    "buckets_written",
    "rows_written",
    "requests",
    "retries",
    "error_code",
    "error_message",
];

impl ExportRecord for SyncEvent {
    /// Columns: [`SYNC_EVENT_COLUMNS`], one row per event in the list's order.
    fn csv(records: &[Self]) -> Result<String> {
        let mut csv = CsvWriter::new(&SYNC_EVENT_COLUMNS);
        for e in records {
            csv.record(&[
                e.id.to_string(),
                e.plan_id.to_string(),
                e.stream.to_string(),
                e.status.to_string(),
                instant(e.started_at),
                instant(e.finished_at),
                opt_instant(e.window_start),
                opt_instant(e.window_end),
                e.buckets_written.to_string(),
                e.rows_written.to_string(),
                e.requests.to_string(),
                e.retries.to_string(),
                opt(e.error_code.as_deref()),
                opt(e.error_message.as_deref()),
            ]);
        }
        Ok(csv.finish())
    }
}

/// The CSV of any serializable records, for report types without a hand-made layout: the
/// columns are the JSON fields of the records (nested objects joined with `.`, in field
/// order, the union over all records), lists are compact JSON in one field, null is empty.
/// An empty list has no fields to name, so its CSV is an empty document.
pub fn flat_csv<T: Serialize>(records: &[T]) -> Result<String> {
    let mut columns: Vec<String> = Vec::new();
    let mut rows: Vec<Vec<(String, String)>> = Vec::with_capacity(records.len());
    for record in records {
        let text = serde_json::to_string(record)
            .map_err(|e| Error::internal(format!("cannot write the report as JSON: {e}")))?;
        let node: flat::Node = serde_json::from_str(&text)
            .map_err(|e| Error::internal(format!("cannot flatten the report: {e}")))?;
        let mut cells = Vec::new();
        node.flatten("", &mut cells);
        for (column, _) in &cells {
            if !columns.contains(column) {
                columns.push(column.clone());
            }
        }
        rows.push(cells);
    }
    if columns.is_empty() {
        return Ok(String::new());
    }
    let mut csv = CsvWriter::new(&columns);
    for cells in rows {
        let fields: Vec<String> = columns
            .iter()
            .map(|c| {
                cells
                    .iter()
                    .find(|(k, _)| k == c)
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            })
            .collect();
        csv.record(&fields);
    }
    Ok(csv.finish())
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

export_records!(super::budgets::Budget);
export_records!(super::budgets::BudgetStatus);
export_records!(super::budgets::BudgetAlert);
export_record!(super::forecast::Forecast);

/// JSON read back with its object keys in order (serde_json's `Value` sorts them).
mod flat {
    use std::fmt;

    use serde::de::{Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

    pub(super) enum Node {
        Null,
        /// A string, number or boolean: its text, and its JSON form (strings quoted).
        Scalar {
            text: String,
            json: String,
        },
        /// A list, kept as compact JSON.
        List(String),
        Map(Vec<(String, Node)>),
    }

    impl Node {
        fn plain(text: String) -> Node {
            Node::Scalar {
                json: text.clone(),
                text,
            }
        }

        pub(super) fn flatten(self, prefix: &str, out: &mut Vec<(String, String)>) {
            match self {
                Node::Map(fields) if !fields.is_empty() => {
                    for (key, value) in fields {
                        let name = if prefix.is_empty() {
                            key
                        } else {
                            format!("{prefix}.{key}")
                        };
                        value.flatten(&name, out);
                    }
                }
                Node::Null => out.push((prefix.to_string(), String::new())),
                Node::Scalar { text, .. } => out.push((prefix.to_string(), text)),
                other => out.push((prefix.to_string(), other.json())),
            }
        }

        /// The node as compact JSON.
        fn json(&self) -> String {
            match self {
                Node::Null => "null".into(),
                Node::Scalar { json, .. } => json.clone(),
                Node::List(json) => json.clone(),
                Node::Map(fields) => {
                    let inner: Vec<String> = fields
                        .iter()
                        .map(|(k, v)| {
                            format!("{}:{}", serde_json::Value::from(k.as_str()), v.json())
                        })
                        .collect();
                    format!("{{{}}}", inner.join(","))
                }
            }
        }
    }

    impl<'de> Deserialize<'de> for Node {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Node, D::Error> {
            d.deserialize_any(NodeVisitor)
        }
    }

    struct NodeVisitor;

    impl<'de> Visitor<'de> for NodeVisitor {
        type Value = Node;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("JSON")
        }

        fn visit_unit<E>(self) -> Result<Node, E> {
            Ok(Node::Null)
        }

        fn visit_none<E>(self) -> Result<Node, E> {
            Ok(Node::Null)
        }

        fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
            Ok(Node::plain(v.to_string()))
        }

        fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
            Ok(Node::plain(v.to_string()))
        }

        fn visit_u64<E>(self, v: u64) -> Result<Node, E> {
            Ok(Node::plain(v.to_string()))
        }

        fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
            Ok(Node::plain(serde_json::Value::from(v).to_string()))
        }

        fn visit_str<E>(self, v: &str) -> Result<Node, E> {
            Ok(Node::Scalar {
                text: v.to_string(),
                json: serde_json::Value::from(v).to_string(),
            })
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element::<Node>()? {
                items.push(item.json());
            }
            Ok(Node::List(format!("[{}]", items.join(","))))
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
            let mut fields = Vec::new();
            while let Some((k, v)) = map.next_entry::<String, Node>()? {
                fields.push((k, v));
            }
            Ok(Node::Map(fields))
        }
    }
}

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

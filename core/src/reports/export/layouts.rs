//! The hand-made CSV layouts: the dashboard, a user's costs, a sync report and the sync
//! history, each a section column and the six amounts.

use super::{
    CsvWriter, Export, ExportRecord, cost_fields, header, instant, json, opt, opt_instant,
};
use crate::error::Result;
use crate::model::SyncEvent;
use crate::reports::cost::Cost;
use crate::reports::dashboard::Dashboard;
use crate::reports::user_costs::UserCosts;

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

/// The CSV columns of a [`crate::SyncReport`].
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

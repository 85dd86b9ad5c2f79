//! A [`SyncReport`] as JSON and as CSV ([`SYNC_REPORT_COLUMNS`]), like every report.

use super::SyncReport;
use crate::error::Result;
use crate::reports::export::{
    CsvWriter, Export, SYNC_REPORT_COLUMNS, instant, json, opt, opt_instant,
};

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

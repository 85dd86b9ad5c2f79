//! Reports of a Claude Code logs plan (core `source/claude_code_logs/report.rs`): usage per
//! day, month, session and 5-hour block, and the log files tracked.

use chrono::NaiveDate;
use costledger::source::claude_code_logs::LogReportOptions;
use costledger::store::logs::LogFile;
use pyo3::prelude::*;
use serde::Serialize;

use crate::export::{Flat, PyReport};
use crate::ledger::PyLedger;
use crate::pending::{Pending, Reply};

/// A tracked log file as it crosses: the core's `LogFile` has no `Serialize`, so its fields
/// are copied here as they are.
#[derive(Serialize)]
struct LogFileRow {
    id: i64,
    path: String,
    project: String,
    device: i64,
    inode: i64,
    size: i64,
    mtime_ns: i64,
    parsed_to: i64,
    fingerprint: i64,
    lines: i64,
    entries: i64,
    malformed: i64,
    too_long: i64,
}

impl From<LogFile> for LogFileRow {
    fn from(f: LogFile) -> Self {
        LogFileRow {
            id: f.id,
            path: f.path,
            project: f.project,
            device: f.device,
            inode: f.inode,
            size: f.size,
            mtime_ns: f.mtime_ns,
            parsed_to: f.parsed_to,
            fingerprint: f.fingerprint,
            lines: f.lines,
            entries: f.entries,
            malformed: f.malformed,
            too_long: f.too_long,
        }
    }
}

#[pymethods]
impl PyLedger {
    /// One of the reports of a Claude Code logs plan: `report` is `daily`, `weekly`,
    /// `monthly`, `sessions` or `blocks`; `cost_mode` `auto` (the default), `calculate` or
    /// `display`. The typed methods of the Python package call this.
    #[pyo3(signature = (report, plan_id, time_zone=None, since=None, until=None, project=None, cost_mode=None))]
    #[allow(clippy::too_many_arguments)]
    fn claude_code_logs(
        &self,
        report: String,
        plan_id: i64,
        time_zone: Option<String>,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
        project: Option<String>,
        cost_mode: Option<String>,
    ) -> Pending {
        let ledger = self.inner.clone();
        Pending::new(async move {
            let options = LogReportOptions {
                time_zone,
                since,
                until,
                project,
                cost_mode: cost_mode
                    .as_deref()
                    .map(str::parse)
                    .transpose()?
                    .unwrap_or_default(),
            };
            let (id, o) = (plan_id, &options);
            match report.as_str() {
                "daily" => PyReport::new(Flat(ledger.claude_code_logs_daily(id, o).await?)),
                "weekly" => PyReport::new(Flat(ledger.claude_code_logs_weekly(id, o).await?)),
                "monthly" => PyReport::new(Flat(ledger.claude_code_logs_monthly(id, o).await?)),
                "sessions" => PyReport::new(Flat(ledger.claude_code_logs_sessions(id, o).await?)),
                "blocks" => PyReport::new(Flat(ledger.claude_code_logs_blocks(id, o).await?)),
                other => Err(costledger::Error::invalid(format!(
                    "unknown Claude Code logs report {other:?}: use daily, weekly, monthly, \
                     sessions or blocks"
                ))),
            }
            .map(Reply::Report)
        })
    }

    /// The log files the plan tracks, with how far each was read.
    fn claude_code_log_files(&self, plan_id: i64) -> Pending {
        let ledger = self.inner.clone();
        Pending::report(async move {
            let files = ledger.claude_code_log_files(plan_id).await?;
            Ok(Flat(files.into_iter().map(LogFileRow::from).collect()))
        })
    }
}

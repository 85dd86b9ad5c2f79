//! Reports of a Claude Code logs plan (core `source/claude_code_logs/report.rs`): usage per
//! day, month, session and 5-hour block, and the log files tracked.

use chrono::NaiveDate;
use costledger::source::claude_code_logs::LogReportOptions;
use costledger::store::logs::LogFile;
use pyo3::prelude::*;
use serde::Serialize;

use crate::export::Flat;
use crate::ledger::PyLedger;
use crate::pending::Pending;

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

fn options(
    time_zone: Option<String>,
    since: Option<NaiveDate>,
    until: Option<NaiveDate>,
    project: Option<String>,
) -> LogReportOptions {
    LogReportOptions {
        time_zone,
        since,
        until,
        project,
    }
}

#[pymethods]
impl PyLedger {
    /// Counted usage per local day, oldest first.
    #[pyo3(signature = (plan_id, time_zone=None, since=None, until=None, project=None))]
    fn claude_code_logs_daily(
        &self,
        plan_id: i64,
        time_zone: Option<String>,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
        project: Option<String>,
    ) -> Pending {
        let ledger = self.inner.clone();
        let options = options(time_zone, since, until, project);
        Pending::report(async move {
            ledger
                .claude_code_logs_daily(plan_id, &options)
                .await
                .map(Flat)
        })
    }

    /// Counted usage per ISO week (Monday to Sunday, named by its Monday), oldest first.
    #[pyo3(signature = (plan_id, time_zone=None, since=None, until=None, project=None))]
    fn claude_code_logs_weekly(
        &self,
        plan_id: i64,
        time_zone: Option<String>,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
        project: Option<String>,
    ) -> Pending {
        let ledger = self.inner.clone();
        let options = options(time_zone, since, until, project);
        Pending::report(async move {
            ledger
                .claude_code_logs_weekly(plan_id, &options)
                .await
                .map(Flat)
        })
    }

    /// Counted usage per local month, oldest first.
    #[pyo3(signature = (plan_id, time_zone=None, since=None, until=None, project=None))]
    fn claude_code_logs_monthly(
        &self,
        plan_id: i64,
        time_zone: Option<String>,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
        project: Option<String>,
    ) -> Pending {
        let ledger = self.inner.clone();
        let options = options(time_zone, since, until, project);
        Pending::report(async move {
            ledger
                .claude_code_logs_monthly(plan_id, &options)
                .await
                .map(Flat)
        })
    }

    /// Counted usage per session, the most recently active first.
    #[pyo3(signature = (plan_id, time_zone=None, since=None, until=None, project=None))]
    fn claude_code_logs_sessions(
        &self,
        plan_id: i64,
        time_zone: Option<String>,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
        project: Option<String>,
    ) -> Pending {
        let ledger = self.inner.clone();
        let options = options(time_zone, since, until, project);
        Pending::report(async move {
            ledger
                .claude_code_logs_sessions(plan_id, &options)
                .await
                .map(Flat)
        })
    }

    /// Counted usage per 5-hour block, oldest first.
    #[pyo3(signature = (plan_id, time_zone=None, since=None, until=None, project=None))]
    fn claude_code_logs_blocks(
        &self,
        plan_id: i64,
        time_zone: Option<String>,
        since: Option<NaiveDate>,
        until: Option<NaiveDate>,
        project: Option<String>,
    ) -> Pending {
        let ledger = self.inner.clone();
        let options = options(time_zone, since, until, project);
        Pending::report(async move {
            ledger
                .claude_code_logs_blocks(plan_id, &options)
                .await
                .map(Flat)
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

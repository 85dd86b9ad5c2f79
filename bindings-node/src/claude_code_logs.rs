//! Reports of a Claude Code logs plan on `Ledger`: per day, month, session and 5-hour block,
//! with tokens per model and the cost estimated at list prices; their exports; and the log
//! files it reads.

use chrono::DateTime;
use costledger::reports::export::{flat_csv, json};
use costledger::source::claude_code_logs::LogReportOptions as CoreLogReportOptions;
use costledger::store::logs::LogFile as CoreLogFile;
use napi_derive::napi;

use crate::error::{run, run_json};
use crate::integers::id;
use crate::ledger::JsLedger;
use crate::model::{iso, list, parse_date};
use crate::reports::by_format;

/// What a log report covers and how it cuts days. Every field is optional.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct LogReportOptions {
    /// The IANA time zone days and months are cut in (`Europe/Paris`). Default UTC.
    pub time_zone: Option<String>,
    /// The first day included (`YYYY-MM-DD`, in that time zone). Default: the first logged.
    pub since: Option<String>,
    /// The last day included (`YYYY-MM-DD`, in that time zone). Default: the last logged.
    pub until: Option<String>,
    /// Only this project's entries (the directory under `projects/`). Default: every project.
    pub project: Option<String>,
    /// How costs are worked out: `auto` (the `costUSD` Claude Code wrote when the line has
    /// one, else calculated; the default), `calculate` (always from the tokens at list
    /// prices) or `display` (only the `costUSD` of the lines).
    pub cost_mode: Option<String>,
}

impl TryFrom<LogReportOptions> for CoreLogReportOptions {
    type Error = costledger::Error;

    fn try_from(o: LogReportOptions) -> costledger::Result<Self> {
        let day = |what, d: Option<String>| d.map(|d| parse_date(what, &d)).transpose();
        Ok(CoreLogReportOptions {
            time_zone: o.time_zone,
            since: day("since", o.since)?,
            until: day("until", o.until)?,
            project: o.project,
            cost_mode: o
                .cost_mode
                .as_deref()
                .map(str::parse)
                .transpose()?
                .unwrap_or_default(),
        })
    }
}

/// A log file a `claude_code_logs` plan tracks, and how far it was read.
#[napi(object, object_from_js = false)]
pub struct LogFile {
    /// The ledger's id for it.
    pub id: i64,
    /// Its path when last seen.
    pub path: String,
    /// The project its entries belong to (the directory under `projects/`).
    pub project: String,
    /// Its size in bytes when last read.
    pub size: i64,
    /// Its modification time when last read (ISO-8601, UTC, to the millisecond).
    pub modified_at: String,
    /// The byte offset after the last complete line read.
    pub parsed_to: i64,
    /// Lines read so far.
    pub lines: i64,
    /// Usage entries found so far (duplicates included).
    pub entries: i64,
    /// Lines skipped because they were not the JSON they claimed to be.
    pub malformed: i64,
    /// Lines skipped because they were longer than the line buffer.
    pub too_long: i64,
}

impl From<CoreLogFile> for LogFile {
    fn from(f: CoreLogFile) -> Self {
        LogFile {
            id: f.id,
            path: f.path,
            project: f.project,
            size: f.size,
            modified_at: iso(DateTime::from_timestamp_nanos(f.mtime_ns)),
            parsed_to: f.parsed_to,
            lines: f.lines,
            entries: f.entries,
            malformed: f.malformed,
            too_long: f.too_long,
        }
    }
}

#[napi]
impl JsLedger {
    /// Counted usage of a `claude_code_logs` plan per day in `timeZone`, oldest first; costs
    /// are estimates at list prices. `PLAN_NOT_FOUND`, or `INVALID_INPUT` for another kind
    /// of plan.
    #[napi(catch_unwind)]
    pub async fn claude_code_logs_daily(
        &self,
        plan_id: f64,
        options: Option<LogReportOptions>,
    ) -> napi::Result<String> {
        let options = options.unwrap_or_default();
        run_json(async {
            let plan_id = id("planId", plan_id)?;
            let options = options.try_into()?;
            self.inner.claude_code_logs_daily(plan_id, &options).await
        })
        .await
    }

    /// Counted usage of a `claude_code_logs` plan per ISO week (Monday to Sunday) in
    /// `timeZone`, named by its Monday, oldest first.
    #[napi(catch_unwind)]
    pub async fn claude_code_logs_weekly(
        &self,
        plan_id: f64,
        options: Option<LogReportOptions>,
    ) -> napi::Result<String> {
        let options = options.unwrap_or_default();
        run_json(async {
            let plan_id = id("planId", plan_id)?;
            let options = options.try_into()?;
            self.inner.claude_code_logs_weekly(plan_id, &options).await
        })
        .await
    }

    /// Counted usage of a `claude_code_logs` plan per month in `timeZone`, oldest first.
    #[napi(catch_unwind)]
    pub async fn claude_code_logs_monthly(
        &self,
        plan_id: f64,
        options: Option<LogReportOptions>,
    ) -> napi::Result<String> {
        let options = options.unwrap_or_default();
        run_json(async {
            let plan_id = id("planId", plan_id)?;
            let options = options.try_into()?;
            self.inner.claude_code_logs_monthly(plan_id, &options).await
        })
        .await
    }

    /// Counted usage of a `claude_code_logs` plan per session (and its project), the most
    /// recently active first.
    #[napi(catch_unwind)]
    pub async fn claude_code_logs_sessions(
        &self,
        plan_id: f64,
        options: Option<LogReportOptions>,
    ) -> napi::Result<String> {
        let options = options.unwrap_or_default();
        run_json(async {
            let plan_id = id("planId", plan_id)?;
            let options = options.try_into()?;
            self.inner
                .claude_code_logs_sessions(plan_id, &options)
                .await
        })
        .await
    }

    /// Counted usage of a `claude_code_logs` plan per 5-hour block (ccusage's `blocks`),
    /// oldest first; `active` is judged against the ledger's clock.
    #[napi(catch_unwind)]
    pub async fn claude_code_logs_blocks(
        &self,
        plan_id: f64,
        options: Option<LogReportOptions>,
    ) -> napi::Result<String> {
        let options = options.unwrap_or_default();
        run_json(async {
            let plan_id = id("planId", plan_id)?;
            let options = options.try_into()?;
            self.inner.claude_code_logs_blocks(plan_id, &options).await
        })
        .await
    }

    /// The log files a `claude_code_logs` plan tracks, with how far each was read and the
    /// lines it skipped so far.
    #[napi(catch_unwind)]
    pub async fn claude_code_log_files(&self, plan_id: f64) -> napi::Result<Vec<LogFile>> {
        run(async {
            let plan_id = id("planId", plan_id)?;
            self.inner.claude_code_log_files(plan_id).await
        })
        .await
        .map(list)
    }

    /// `claudeCodeLogsDaily` as the core exports it: `json` (its snake_case records) or
    /// `csv` (a row per day, nested fields joined with `.`, lists as JSON).
    #[napi(catch_unwind)]
    pub async fn export_claude_code_logs_daily(
        &self,
        plan_id: f64,
        options: LogReportOptions,
        #[napi(ts_arg_type = "'json' | 'csv'")] format: String,
    ) -> napi::Result<String> {
        run(async {
            let plan_id = id("planId", plan_id)?;
            let options = options.try_into()?;
            let days = self.inner.claude_code_logs_daily(plan_id, &options).await?;
            by_format(&format, || json(&days), || flat_csv(&days))
        })
        .await
    }

    /// `claudeCodeLogsWeekly` as the core exports it: `json` or `csv` (a row per week).
    #[napi(catch_unwind)]
    pub async fn export_claude_code_logs_weekly(
        &self,
        plan_id: f64,
        options: LogReportOptions,
        #[napi(ts_arg_type = "'json' | 'csv'")] format: String,
    ) -> napi::Result<String> {
        run(async {
            let plan_id = id("planId", plan_id)?;
            let options = options.try_into()?;
            let weeks = self
                .inner
                .claude_code_logs_weekly(plan_id, &options)
                .await?;
            by_format(&format, || json(&weeks), || flat_csv(&weeks))
        })
        .await
    }

    /// `claudeCodeLogsMonthly` as the core exports it: `json` or `csv` (a row per month).
    #[napi(catch_unwind)]
    pub async fn export_claude_code_logs_monthly(
        &self,
        plan_id: f64,
        options: LogReportOptions,
        #[napi(ts_arg_type = "'json' | 'csv'")] format: String,
    ) -> napi::Result<String> {
        run(async {
            let plan_id = id("planId", plan_id)?;
            let options = options.try_into()?;
            let months = self
                .inner
                .claude_code_logs_monthly(plan_id, &options)
                .await?;
            by_format(&format, || json(&months), || flat_csv(&months))
        })
        .await
    }

    /// `claudeCodeLogsSessions` as the core exports it: `json` or `csv` (a row per session).
    #[napi(catch_unwind)]
    pub async fn export_claude_code_logs_sessions(
        &self,
        plan_id: f64,
        options: LogReportOptions,
        #[napi(ts_arg_type = "'json' | 'csv'")] format: String,
    ) -> napi::Result<String> {
        run(async {
            let plan_id = id("planId", plan_id)?;
            let options = options.try_into()?;
            let sessions = self
                .inner
                .claude_code_logs_sessions(plan_id, &options)
                .await?;
            by_format(&format, || json(&sessions), || flat_csv(&sessions))
        })
        .await
    }

    /// `claudeCodeLogsBlocks` as the core exports it: `json` or `csv` (a row per block).
    #[napi(catch_unwind)]
    pub async fn export_claude_code_logs_blocks(
        &self,
        plan_id: f64,
        options: LogReportOptions,
        #[napi(ts_arg_type = "'json' | 'csv'")] format: String,
    ) -> napi::Result<String> {
        run(async {
            let plan_id = id("planId", plan_id)?;
            let options = options.try_into()?;
            let blocks = self
                .inner
                .claude_code_logs_blocks(plan_id, &options)
                .await?;
            by_format(&format, || json(&blocks), || flat_csv(&blocks))
        })
        .await
    }
}

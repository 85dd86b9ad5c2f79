//! Reports of a Claude Code logs plan on `Ledger`: per day, month, session and 5-hour block,
//! with tokens per model and the cost estimated at list prices; their exports; and the log
//! files it reads.

use chrono::DateTime;
use costledger::reports::export::{flat_csv, json};
use costledger::source::claude_code_logs::{
    LogBlockUsage as CoreLogBlockUsage, LogModelUsage as CoreLogModelUsage,
    LogPeriodUsage as CoreLogPeriodUsage, LogReportOptions as CoreLogReportOptions,
    LogSessionUsage as CoreLogSessionUsage, LogUsage as CoreLogUsage,
};
use costledger::store::logs::LogFile as CoreLogFile;
use napi_derive::napi;

use crate::error::run;
use crate::integers::id;
use crate::ledger::JsLedger;
use crate::model::{Money, TokenCounts, iso, list, parse_date};
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

/// One model's tokens in a report group.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct LogModelUsage {
    /// The model, as the logs name it.
    pub model: String,
    /// Entries counted (after deduplication).
    pub entries: i64,
    /// Their tokens (`uncachedInput` is the logs' `input_tokens`).
    pub tokens: TokenCounts,
    /// The cost estimated at list prices (an estimate: the logs carry no bill); null when the
    /// price table has no price for the model on one of the days.
    pub estimated_cost: Option<Money>,
}

impl From<CoreLogModelUsage> for LogModelUsage {
    fn from(m: CoreLogModelUsage) -> Self {
        LogModelUsage {
            model: m.model,
            entries: m.entries,
            tokens: m.tokens.into(),
            estimated_cost: m.estimated_cost.map(Money::from),
        }
    }
}

/// The usage of a report group (a day, a month, a session, a block).
#[napi(object, object_from_js = false)]
pub struct LogUsage {
    /// Entries counted.
    pub entries: i64,
    /// Their tokens, every model included.
    pub tokens: TokenCounts,
    /// The estimated cost of the models with a price (an estimate, never billed).
    pub estimated_cost: Money,
    /// Per model, in name order.
    pub models: Vec<LogModelUsage>,
    /// Models without a price: their tokens are counted, their cost is in no total.
    pub missing_prices: Vec<String>,
}

impl From<CoreLogUsage> for LogUsage {
    fn from(u: CoreLogUsage) -> Self {
        LogUsage {
            entries: u.entries,
            tokens: u.tokens.into(),
            estimated_cost: u.estimated_cost.into(),
            models: list(u.models),
            missing_prices: u.missing_prices,
        }
    }
}

/// The usage of one day or month.
#[napi(object, object_from_js = false)]
pub struct LogPeriodUsage {
    /// `2026-01-05` for a day, the week's Monday (`2026-01-05`) for a week, `2026-01` for a
    /// month, in the report's time zone.
    pub period: String,
    /// Its usage.
    pub usage: LogUsage,
}

impl From<CoreLogPeriodUsage> for LogPeriodUsage {
    fn from(p: CoreLogPeriodUsage) -> Self {
        LogPeriodUsage {
            period: p.period,
            usage: p.usage.into(),
        }
    }
}

/// The usage of one session.
#[napi(object, object_from_js = false)]
pub struct LogSessionUsage {
    /// The project (the directory under `projects/`).
    pub project: String,
    /// The session id.
    pub session: String,
    /// Its first counted entry (ISO-8601, UTC).
    pub first_at: String,
    /// Its last counted entry (ISO-8601, UTC).
    pub last_at: String,
    /// Its usage.
    pub usage: LogUsage,
}

impl From<CoreLogSessionUsage> for LogSessionUsage {
    fn from(s: CoreLogSessionUsage) -> Self {
        LogSessionUsage {
            project: s.project,
            session: s.session,
            first_at: iso(s.first_at),
            last_at: iso(s.last_at),
            usage: s.usage.into(),
        }
    }
}

/// The usage of one 5-hour block.
#[napi(object, object_from_js = false)]
pub struct LogBlockUsage {
    /// Its start: the first entry's hour (ISO-8601, UTC).
    pub start: String,
    /// Its end, 5 hours later (ISO-8601, UTC).
    pub end: String,
    /// Its first entry (ISO-8601, UTC).
    pub first_at: String,
    /// Its last entry (ISO-8601, UTC).
    pub last_at: String,
    /// True while it runs: now (the ledger's clock) is before its end and within 5 hours of
    /// its last entry.
    pub active: bool,
    /// Its usage.
    pub usage: LogUsage,
}

impl From<CoreLogBlockUsage> for LogBlockUsage {
    fn from(b: CoreLogBlockUsage) -> Self {
        LogBlockUsage {
            start: iso(b.start),
            end: iso(b.end),
            first_at: iso(b.first_at),
            last_at: iso(b.last_at),
            active: b.active,
            usage: b.usage.into(),
        }
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
    ) -> napi::Result<Vec<LogPeriodUsage>> {
        let options = options.unwrap_or_default();
        run(async {
            let plan_id = id("planId", plan_id)?;
            let options = options.try_into()?;
            self.inner.claude_code_logs_daily(plan_id, &options).await
        })
        .await
        .map(list)
    }

    /// Counted usage of a `claude_code_logs` plan per ISO week (Monday to Sunday) in
    /// `timeZone`, named by its Monday, oldest first.
    #[napi(catch_unwind)]
    pub async fn claude_code_logs_weekly(
        &self,
        plan_id: f64,
        options: Option<LogReportOptions>,
    ) -> napi::Result<Vec<LogPeriodUsage>> {
        let options = options.unwrap_or_default();
        run(async {
            let plan_id = id("planId", plan_id)?;
            let options = options.try_into()?;
            self.inner.claude_code_logs_weekly(plan_id, &options).await
        })
        .await
        .map(list)
    }

    /// Counted usage of a `claude_code_logs` plan per month in `timeZone`, oldest first.
    #[napi(catch_unwind)]
    pub async fn claude_code_logs_monthly(
        &self,
        plan_id: f64,
        options: Option<LogReportOptions>,
    ) -> napi::Result<Vec<LogPeriodUsage>> {
        let options = options.unwrap_or_default();
        run(async {
            let plan_id = id("planId", plan_id)?;
            let options = options.try_into()?;
            self.inner.claude_code_logs_monthly(plan_id, &options).await
        })
        .await
        .map(list)
    }

    /// Counted usage of a `claude_code_logs` plan per session (and its project), the most
    /// recently active first.
    #[napi(catch_unwind)]
    pub async fn claude_code_logs_sessions(
        &self,
        plan_id: f64,
        options: Option<LogReportOptions>,
    ) -> napi::Result<Vec<LogSessionUsage>> {
        let options = options.unwrap_or_default();
        run(async {
            let plan_id = id("planId", plan_id)?;
            let options = options.try_into()?;
            self.inner
                .claude_code_logs_sessions(plan_id, &options)
                .await
        })
        .await
        .map(list)
    }

    /// Counted usage of a `claude_code_logs` plan per 5-hour block (ccusage's `blocks`),
    /// oldest first; `active` is judged against the ledger's clock.
    #[napi(catch_unwind)]
    pub async fn claude_code_logs_blocks(
        &self,
        plan_id: f64,
        options: Option<LogReportOptions>,
    ) -> napi::Result<Vec<LogBlockUsage>> {
        let options = options.unwrap_or_default();
        run(async {
            let plan_id = id("planId", plan_id)?;
            let options = options.try_into()?;
            self.inner.claude_code_logs_blocks(plan_id, &options).await
        })
        .await
        .map(list)
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

//! Claude Code's local JSONL logs as a usage source, for Claude Pro and Max users, whose
//! only record of their usage is what Claude Code writes under `~/.claude/projects`.
//!
//! A `claude_code_logs` plan is synced like any other, but incrementally: each file's
//! identity, size, modification time and parsed offset are kept, so a sync reads only the
//! bytes appended since the last one (a truncated, replaced or rewritten file is read again
//! from the start, replacing its entries; a deleted file is forgotten and its entries kept).
//! Files are streamed line by line through a bounded buffer, lines without `"usage"` are
//! never parsed, and only the fields an entry needs are. Entries are deduplicated as ccusage
//! 20 does (see `dedup`), stored with their per-hour sums, and the hours that changed are
//! written to `costledger_usage` (no API key, no workspace, service tier `standard`, context
//! window `0-200k`). The reports on [`crate::Ledger`] (`claude_code_logs_daily`, `_monthly`,
//! `_sessions`, `_blocks`) price each request at list prices (fast mode and requests over 200k
//! input tokens at their own rates) or take the `costUSD` of its line, by
//! [`LogReportOptions::cost_mode`]: an estimate, never a bill.
//!
//! ```no_run
//! use costledger::{Ledger, LedgerConfig, NewPlan, SyncOptions};
//! use costledger::source::claude_code_logs::LogReportOptions;
//!
//! # async fn run() -> costledger::Result<()> {
//! let ledger = Ledger::open(LedgerConfig::new("sqlite://ledger.db").master_key("…")).await?;
//! let plan = ledger.add_plan(NewPlan::claude_code_logs("My Max plan", vec![])).await?;
//! ledger.sync(SyncOptions::default().plan(plan.id)).await?;
//! for day in ledger.claude_code_logs_daily(plan.id, &LogReportOptions::default()).await? {
//!     println!("{}: {} tokens out, ~${}", day.period, day.usage.tokens.output, day.usage.estimated_cost);
//! }
//! # Ok(())
//! # }
//! ```

pub(crate) mod blocks;
pub(crate) mod dedup;
pub(crate) mod dirs;
pub(crate) mod files;
mod keys;
mod line;
pub(crate) mod reader;
pub(crate) mod report;
pub(crate) mod scan;
pub(crate) mod tally;

use async_trait::async_trait;

pub use dirs::{CLAUDE_CONFIG_DIR_ENV, host_name, log_directories};
pub use report::{
    CostMode, LogBlockUsage, LogModelUsage, LogPeriodUsage, LogReportOptions, LogSessionUsage,
    LogUsage,
};

use super::{LocalFileSource, LocalFiles, ReadResults, SourceContext, UsageSource};
use crate::error::{Error, Result};
use crate::model::{OrgInfo, OrgMetadata, PlanSettings, Provider};
use crate::store::logs::LogFile;
use files::{FileWork, plan_file_work};
use reader::{ReadTask, read_all, same_bytes_before};
use scan::FoundFile;

/// The service tier and context window of the usage rows a logs plan writes.
pub const LOG_SERVICE_TIER: &str = "standard";
/// See [`LOG_SERVICE_TIER`].
pub const LOG_CONTEXT_WINDOW: &str = "0-200k";

/// The code of a logs sync that skipped malformed or over-long lines or unreadable files
/// (status `partial`: everything else was synced).
pub const SKIPPED_CODE: &str = "LOG_LINES_SKIPPED";

/// The source of `claude_code_logs` plans: the sync engine reads its files through
/// [`UsageSource::local_files`]; it has no pages.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClaudeCodeLogsSource;

#[async_trait]
impl UsageSource for ClaudeCodeLogsSource {
    fn provider(&self) -> Provider {
        Provider::ClaudeCodeLogs
    }

    /// Check that the plan's log directories exist; the "organisation" is this machine
    /// (`local:<hostname>`).
    async fn verify(&self, ctx: SourceContext<'_>) -> Result<OrgInfo> {
        log_directories(ctx.settings)?;
        let host = host_name();
        Ok(OrgInfo {
            id: format!("local:{host}"),
            name: host,
        })
    }

    /// Local logs have no workspaces, keys or users.
    async fn metadata(&self, _ctx: SourceContext<'_>) -> Result<OrgMetadata> {
        Ok(OrgMetadata::default())
    }

    fn local_files(&self) -> Option<LocalFiles<'_>> {
        Some(LocalFiles(self))
    }
}

#[async_trait]
impl LocalFileSource for ClaudeCodeLogsSource {
    /// The JSONL files under the plan's log directories.
    async fn find(&self, settings: &PlanSettings) -> Result<Vec<FoundFile>> {
        let roots = log_directories(settings)?;
        tokio::task::spawn_blocking(move || scan::find_log_files(&roots))
            .await
            .map_err(|e| Error::internal(format!("listing Claude Code logs failed: {e}")))
    }

    /// A file under a new path is the tracked one only if its bytes are (64 read per move).
    fn plan_reads(&self, found: Vec<FoundFile>, tracked: Vec<LogFile>) -> FileWork {
        plan_file_work(tracked, found, |f, s| {
            same_bytes_before(&f.path, s.parsed_to, s.fingerprint)
        })
    }

    async fn read(&self, tasks: Vec<ReadTask>) -> Result<ReadResults> {
        read_all(tasks).await
    }
}

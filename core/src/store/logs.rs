//! [`LogStore`]: what the Claude Code logs source keeps between syncs (the files it read and
//! how far, the entries it found, their hourly sums) and what its reports read back.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{Money, TokenCounts};

/// A log file a plan tracks, with how far it was read.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct LogFile {
    /// The store's id (never reused; 0 before it is stored).
    pub id: i64,
    /// The file's path when last seen.
    pub path: String,
    /// The project its entries belong to (the directory under `projects/`).
    pub project: String,
    /// Device number of its identity (0 where the platform has none).
    pub device: i64,
    /// Inode number of its identity (0 where the platform has none).
    pub inode: i64,
    /// Its size in bytes when last read.
    pub size: i64,
    /// Its modification time when last read, in nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
    /// The offset after the last complete line parsed.
    pub parsed_to: i64,
    /// Hash of the bytes just before `parsed_to`, to tell an append from a rewrite.
    pub fingerprint: i64,
    /// Lines read so far.
    pub lines: i64,
    /// Usage entries found so far (duplicates included).
    pub entries: i64,
    /// Lines skipped because they were not the JSON they claimed to be.
    pub malformed: i64,
    /// Lines skipped because they were longer than the line buffer.
    pub too_long: i64,
}

/// A (project, session) pair of a plan's entries, stored once.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LogSession {
    /// The store's id.
    pub id: i64,
    /// The project (the directory under `projects/`).
    pub project: String,
    /// The session id.
    pub session: String,
}

/// The key of a stored entry: one dedup group in one file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LogEntryKey {
    /// 64-bit hash of `message.id` (or, without one, of the file and offset).
    pub message_key: i64,
    /// True for a sidechain entry (its group is the message alone).
    pub sidechain: bool,
    /// 64-bit hash of `requestId`; 0 for sidechain entries; without a request id, a hash of
    /// the entry's instant.
    pub request_key: i64,
    /// The file it was read from.
    pub file_id: i64,
}

/// A stored entry: the largest snapshot of its group in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogEntry {
    /// The store's id (0 before it is stored).
    pub id: i64,
    /// Its key.
    pub key: LogEntryKey,
    /// Its timestamp, in milliseconds since the Unix epoch.
    pub at_ms: i64,
    /// Its (project, session) pair.
    pub session_ref: i64,
    /// The model.
    pub model: Arc<str>,
    /// Its tokens (`uncached_input` is the log's `input_tokens`).
    pub tokens: TokenCounts,
    /// The `costUSD` the log carried, if any.
    pub cost_usd: Option<Money>,
    /// A fast-mode request (`usage.speed: "fast"`).
    pub fast: bool,
    /// True when the totals count it: it won its group across files.
    pub counted: bool,
}

/// A change of one hour's counted sums.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogHourDelta {
    /// Start of the hour, in Unix seconds.
    pub hour: i64,
    /// The model.
    pub model: Arc<str>,
    /// Change of the number of counted entries.
    pub entries: i64,
    /// Change of the tokens.
    pub tokens: TokenCounts,
}

/// The counted sums of one hour and model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogHour {
    /// Start of the hour, in Unix seconds.
    pub hour: i64,
    /// The model.
    pub model: String,
    /// Counted entries.
    pub entries: i64,
    /// Their tokens.
    pub tokens: TokenCounts,
}

/// Everything one sync changes, committed in one transaction.
#[derive(Clone, Debug, Default)]
pub struct LogCommit {
    /// Ids of the entries to delete (a changed entry is deleted and inserted again).
    pub delete_entries: Vec<i64>,
    /// Entries to insert (their `id` is ignored); no key may be stored already.
    pub insert_entries: Vec<LogEntry>,
    /// Changes of the hourly sums; each marks its hour dirty.
    pub hour_deltas: Vec<LogHourDelta>,
    /// New states of tracked files (by id).
    pub files: Vec<LogFile>,
    /// Files no longer tracked (their entries stay).
    pub forget_files: Vec<i64>,
    /// When the commit happens, by the ledger's clock (the files' `updated_at`).
    pub now: DateTime<Utc>,
}

impl LogCommit {
    /// True when it changes nothing.
    pub fn is_empty(&self) -> bool {
        self.delete_entries.is_empty()
            && self.insert_entries.is_empty()
            && self.hour_deltas.is_empty()
            && self.files.is_empty()
            && self.forget_files.is_empty()
    }
}

/// Counted tokens of one model in one slice of time or one session, as reports read them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogUsageRow {
    /// Start of the slice (ms): the quarter hour for [`LogStore::log_usage_by_quarter`], the
    /// UTC day for [`LogStore::log_usage_by_session`], the entry's instant for
    /// [`LogStore::log_counted_entries`].
    pub at_ms: i64,
    /// The session pair, for [`LogStore::log_usage_by_session`] (0 otherwise).
    pub session_ref: i64,
    /// The model.
    pub model: String,
    /// Counted entries.
    pub entries: i64,
    /// Their tokens.
    pub tokens: TokenCounts,
    /// Earliest entry (ms).
    pub first_ms: i64,
    /// Latest entry (ms).
    pub last_ms: i64,
    /// The entries are fast-mode requests (rows are split by speed).
    pub fast: bool,
    /// The entries are requests over 200k input tokens, cache reads and writes included
    /// (rows are split by it: such a request is priced whole at long-context rates).
    pub long_context: bool,
    /// The sum of the `costUSD` the entries carried, when they all carried one (rows are
    /// split by whether they did); `None` for entries without.
    pub cost_usd: Option<Money>,
}

/// The Claude Code logs bookkeeping of plans.
#[async_trait]
pub trait LogStore: Send + Sync + fmt::Debug {
    /// The files a plan tracks.
    async fn log_files(&self, plan_id: i64) -> Result<Vec<LogFile>>;

    /// Start tracking files (their `id` is ignored) at `now`; returns their ids in order.
    async fn insert_log_files(
        &self,
        plan_id: i64,
        files: &[LogFile],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>>;

    /// Every (project, session) pair of a plan.
    async fn log_sessions(&self, plan_id: i64) -> Result<Vec<LogSession>>;

    /// The pairs stored for these (project, session) names, inserting the new ones.
    async fn insert_log_sessions(
        &self,
        plan_id: i64,
        names: &[(String, String)],
    ) -> Result<Vec<LogSession>>;

    /// True when a plan has any stored entry.
    async fn has_log_entries(&self, plan_id: i64) -> Result<bool>;

    /// Every stored entry of these messages.
    async fn log_entries_of_messages(
        &self,
        plan_id: i64,
        message_keys: &[i64],
    ) -> Result<Vec<LogEntry>>;

    /// Every stored entry read from these files.
    async fn log_entries_of_files(&self, plan_id: i64, file_ids: &[i64]) -> Result<Vec<LogEntry>>;

    /// Apply a sync's changes in one transaction.
    async fn commit_log_sync(&self, plan_id: i64, commit: &LogCommit) -> Result<()>;

    /// First and last dirty hour (Unix seconds), if any.
    async fn dirty_log_hours(&self, plan_id: i64) -> Result<Option<(i64, i64)>>;

    /// The hourly sums of hours in `[start, end)` (Unix seconds), in hour order.
    async fn log_hours(&self, plan_id: i64, start: i64, end: i64) -> Result<Vec<LogHour>>;

    /// Mark the hours in `[start, end)` written, dropping the sums that became empty.
    async fn clean_log_hours(&self, plan_id: i64, start: i64, end: i64) -> Result<()>;

    /// Counted tokens per quarter hour and model, for entries in `[start_ms, end_ms)` (of
    /// `project`'s sessions only, when given; the same for the two methods below).
    async fn log_usage_by_quarter(
        &self,
        plan_id: i64,
        start_ms: i64,
        end_ms: i64,
        project: Option<&str>,
    ) -> Result<Vec<LogUsageRow>>;

    /// Counted tokens per session pair, model and UTC day, for entries in `[start_ms, end_ms)`.
    async fn log_usage_by_session(
        &self,
        plan_id: i64,
        start_ms: i64,
        end_ms: i64,
        project: Option<&str>,
    ) -> Result<Vec<LogUsageRow>>;

    /// Counted entries in `[start_ms, end_ms)`, in time order.
    async fn log_counted_entries(
        &self,
        plan_id: i64,
        start_ms: i64,
        end_ms: i64,
        project: Option<&str>,
    ) -> Result<Vec<LogUsageRow>>;
}

//! The sync engine's stream of a plan whose source reads local files (Claude Code logs):
//! the source, through [`crate::source::UsageSource::local_files`], finds the files and reads
//! only what is new since the offsets stored here; this gives new files their ids, merges
//! what was read into the stored entries, commits it with the new offsets, and copies the
//! hours that changed into the usage table.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use super::{StreamReport, SyncError, SyncOptions};
use crate::context::Context;
use crate::error::Result;
use crate::model::{BucketWidth, Plan, SyncStatus, SyncStream, UsagePage, UsageRow};
use crate::source::claude_code_logs::dedup::{SessionNames, merge};
use crate::source::claude_code_logs::reader::{MAX_LINE, ReadOutcome};
use crate::source::claude_code_logs::{LOG_CONTEXT_WINDOW, LOG_SERVICE_TIER, SKIPPED_CODE};
use crate::source::{LocalFiles, RequestStats};
use crate::store::logs::{LogCommit, LogEntry, LogEntryKey, LogFile};
use crate::store::{Store, from_ts};

/// What one sync of a logs plan did.
#[derive(Clone, Debug, Default)]
pub(crate) struct LogSyncStats {
    pub files_found: usize,
    pub files_read: usize,
    pub files_reset: usize,
    pub files_forgotten: usize,
    pub bytes_read: u64,
    pub entries_read: usize,
    pub rows_changed: usize,
    pub malformed: i64,
    pub too_long: i64,
    pub unreadable: Vec<String>,
    /// The hours copied into the usage table, and the usage rows written.
    pub hours: Option<(i64, i64, u64)>,
}

/// Sync a `claude_code_logs` plan: its one stream is `usage`. Errors end up in the stream's
/// report, as for any other plan.
pub(crate) async fn sync_plan(
    ctx: &Context,
    plan: &Plan,
    files: LocalFiles<'_>,
    options: &SyncOptions,
) -> Result<Vec<StreamReport>> {
    if !options.streams.contains(&SyncStream::Usage) {
        return Ok(Vec::new());
    }
    let started_at = ctx.now();
    let clock = Instant::now();
    let outcome = sync_logs(ctx, plan, &files).await;
    let mut report = StreamReport {
        stream: SyncStream::Usage,
        status: SyncStatus::Ok,
        started_at,
        finished_at: started_at,
        window_start: None,
        window_end: None,
        buckets_written: 0,
        rows_written: 0,
        requests: 0,
        retries: 0,
        duration: clock.elapsed(),
        error: None,
    };
    match outcome {
        Ok(stats) => {
            tracing::info!(
                plan = plan.id,
                ?stats,
                elapsed_ms = clock.elapsed().as_millis() as u64,
                "Claude Code logs synced"
            );
            if let Some((start, end, rows)) = stats.hours {
                report.window_start = Some(from_ts(start)?);
                report.window_end = Some(from_ts(end)?);
                report.buckets_written = (end - start) / 3_600;
                report.rows_written = rows as i64;
            }
            if let Some(message) = skipped_message(&stats) {
                report.status = SyncStatus::Partial;
                report.error = Some(SyncError {
                    code: SKIPPED_CODE.to_string(),
                    message,
                });
            }
        }
        Err(e) => {
            report.status = SyncStatus::Error;
            report.error = Some(SyncError::from(&e));
        }
    }
    report.duration = clock.elapsed();
    report.finished_at = ctx.now();
    Ok(vec![report])
}

fn skipped_message(stats: &LogSyncStats) -> Option<String> {
    let mut parts = Vec::new();
    if stats.malformed > 0 {
        parts.push(format!("{} malformed line(s)", stats.malformed));
    }
    if stats.too_long > 0 {
        parts.push(format!(
            "{} line(s) over {} MiB",
            stats.too_long,
            MAX_LINE >> 20
        ));
    }
    if !stats.unreadable.is_empty() {
        parts.push(format!(
            "{} unreadable file(s) ({})",
            stats.unreadable.len(),
            stats.unreadable.join("; ")
        ));
    }
    (!parts.is_empty()).then(|| format!("skipped {}; everything else was synced", parts.join(", ")))
}

async fn sync_logs(ctx: &Context, plan: &Plan, files: &LocalFiles<'_>) -> Result<LogSyncStats> {
    let store = ctx.store.as_ref();
    let mut stats = LogSyncStats::default();
    // The source's listing, the tracked files and the known sessions, at once.
    let (found, stored, known) = tokio::join!(
        files.0.find(&plan.settings),
        store.log_files(plan.id),
        store.log_sessions(plan.id)
    );
    let (found, stored, known) = (found?, stored?, known?);
    stats.files_found = found.len();
    let surely_has_entries = stored.iter().any(|f| f.entries > 0);
    let mut work = files.0.plan_reads(found, stored);
    stats.files_forgotten = work.forget.len();
    // New files get their ids first: entries without a message id are keyed by them. They
    // are stored as never read, so that a failed sync reads them again.
    let new: Vec<usize> = (0..work.reads.len())
        .filter(|&i| work.reads[i].0.id == 0)
        .collect();
    if !new.is_empty() {
        let files: Vec<LogFile> = new
            .iter()
            .map(|&i| LogFile {
                size: -1,
                mtime_ns: -1,
                ..work.reads[i].0.clone()
            })
            .collect();
        let ids = store.insert_log_files(plan.id, &files, ctx.now()).await?;
        for (&i, id) in new.iter().zip(ids) {
            work.reads[i].0.id = id;
            work.reads[i].1.file_id = id;
        }
    }
    let mut states: HashMap<i64, LogFile> = HashMap::with_capacity(work.reads.len());
    let mut tasks = Vec::with_capacity(work.reads.len());
    for (state, task) in work.reads {
        states.insert(state.id, state);
        tasks.push(task);
    }
    let mut resets: HashSet<i64> = work.resets.into_iter().collect();
    let mut outcomes: Vec<ReadOutcome> = Vec::new();
    for (task, result) in files.0.read(tasks).await? {
        match result {
            Ok(outcome) => outcomes.push(outcome),
            Err(e) => {
                // Keep what was stored until the file can be read.
                resets.remove(&task.file_id);
                states.remove(&task.file_id);
                stats
                    .unreadable
                    .push(format!("{}: {e}", task.path.display()));
            }
        }
    }
    // Sessions: every (project, session) pair read, stored once.
    let mut sessions: HashMap<(String, String), i64> = HashMap::with_capacity(known.len());
    let mut names = SessionNames::with_capacity(known.len());
    for s in known {
        names.insert(s.id, (s.project.clone(), s.session.clone()));
        sessions.insert((s.project, s.session), s.id);
    }
    let mut missing: HashSet<(String, String)> = HashSet::new();
    for o in &outcomes {
        let project = &states[&o.file_id].project;
        for s in &o.sessions {
            let pair = (project.clone(), s.clone());
            if !sessions.contains_key(&pair) {
                missing.insert(pair);
            }
        }
    }
    let missing: Vec<(String, String)> = missing.into_iter().collect();
    if !missing.is_empty() {
        for s in store.insert_log_sessions(plan.id, &missing).await? {
            names.insert(s.id, (s.project.clone(), s.session.clone()));
            sessions.insert((s.project, s.session), s.id);
        }
    }
    let mut incoming: Vec<LogEntry> =
        Vec::with_capacity(outcomes.iter().map(|o| o.entries.len()).sum());
    let mut files = Vec::with_capacity(outcomes.len());
    for o in outcomes {
        let mut state = states.remove(&o.file_id).expect("a state per read file");
        if o.restarted {
            resets.insert(o.file_id);
        }
        if o.restarted || resets.contains(&o.file_id) {
            state = LogFile {
                lines: 0,
                entries: 0,
                malformed: 0,
                too_long: 0,
                ..state
            };
        }
        stats.files_read += 1;
        stats.bytes_read += o.end.saturating_sub(if o.restarted {
            0
        } else {
            u64::try_from(state.parsed_to).unwrap_or(0)
        });
        let found = o.entries.len() as i64;
        stats.entries_read += o.entries.len();
        stats.malformed += o.malformed;
        stats.too_long += o.too_long;
        let refs: Vec<i64> = o
            .sessions
            .iter()
            .map(|s| sessions[&(state.project.clone(), s.clone())])
            .collect();
        incoming.extend(o.entries.into_iter().map(|e| LogEntry {
            id: 0,
            key: LogEntryKey {
                message_key: e.message_key,
                sidechain: e.sidechain,
                request_key: e.request_key,
                file_id: o.file_id,
            },
            at_ms: e.at_ms,
            session_ref: refs[e.session as usize],
            model: e.model,
            tokens: e.tokens,
            cost_usd: e.cost_usd,
            fast: e.fast,
            counted: false,
        }));
        files.push(LogFile {
            size: i64::try_from(o.end).unwrap_or(i64::MAX),
            parsed_to: i64::try_from(o.parsed_to).unwrap_or(i64::MAX),
            fingerprint: o.fingerprint,
            lines: state.lines + o.lines,
            entries: state.entries + found,
            malformed: state.malformed + o.malformed,
            too_long: state.too_long + o.too_long,
            ..state
        });
    }
    stats.files_reset = resets.len();
    let mut reset_ids: Vec<i64> = resets.iter().copied().collect();
    reset_ids.sort_unstable();
    let existing = if surely_has_entries || store.has_log_entries(plan.id).await? {
        let mut keys: Vec<i64> = incoming.iter().map(|e| e.key.message_key).collect();
        if !reset_ids.is_empty() {
            keys.extend(
                store
                    .log_entries_of_files(plan.id, &reset_ids)
                    .await?
                    .iter()
                    .map(|e| e.key.message_key),
            );
        }
        keys.sort_unstable();
        keys.dedup();
        store.log_entries_of_messages(plan.id, &keys).await?
    } else {
        Vec::new()
    };
    let merged = merge(existing, &resets, incoming, &names);
    stats.rows_changed = merged.inserts.len() + merged.deletes.len();
    let commit = LogCommit {
        delete_entries: merged.deletes,
        insert_entries: merged.inserts,
        hour_deltas: merged.deltas,
        files,
        forget_files: work.forget,
        now: ctx.now(),
    };
    if !commit.is_empty() {
        store.commit_log_sync(plan.id, &commit).await?;
    }
    drop(commit);
    stats.hours = write_dirty_hours(store, plan.id).await?;
    Ok(stats)
}

/// Copy the hours changed since they were last copied into the usage table: one page from
/// the first to the last, read from the hourly sums. Returns the hours and rows written.
pub(crate) async fn write_dirty_hours(
    store: &dyn Store,
    plan_id: i64,
) -> Result<Option<(i64, i64, u64)>> {
    let Some((first, last)) = store.dirty_log_hours(plan_id).await? else {
        return Ok(None);
    };
    let (start, end) = (first, last + 3_600);
    let mut rows = Vec::new();
    for hour in store.log_hours(plan_id, start, end).await? {
        if hour.tokens.is_zero() {
            continue;
        }
        rows.push(UsageRow {
            bucket_start: from_ts(hour.hour)?,
            api_key_id: None,
            workspace_id: None,
            model: Some(hour.model),
            service_tier: Some(LOG_SERVICE_TIER.to_string()),
            context_window: Some(LOG_CONTEXT_WINDOW.to_string()),
            inference_geo: None,
            actor_id: None,
            tokens: hour.tokens,
        });
    }
    let page = UsagePage {
        width: BucketWidth::Hour,
        starting_at: from_ts(start)?,
        ending_at: from_ts(end)?,
        rows,
        units: Vec::new(),
        stats: RequestStats::default(),
    };
    let written = store.replace_usage_page(plan_id, &page, None).await?;
    store.clean_log_hours(plan_id, start, end).await?;
    Ok(Some((start, end, written)))
}

// Shared LogStore queries, compiled once per backend: the including module defines `Db` and
// `ThisStore` (with `pool` and `begin_write`).

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row};

use crate::error::Result;
use crate::model::{Money, TokenCounts};
use crate::store::logs::{
    LogCommit, LogEntry, LogEntryKey, LogFile, LogHour, LogSession, LogStore, LogUsageRow,
};
use crate::store::{db_error, shaped_chunks, to_ts};

type DbRow = <Db as sqlx::Database>::Row;

use super::sql_log_writes::{set_pragmas, write_log_commit};

// Rows per multi-row statement, powers of two (see `shaped_chunks`): a statement has one of a
// few shapes, so the driver's per-connection statement cache stays small.
/// Entries per statement (16 parameters each).
pub(super) const ENTRY_CHUNK: usize = 1_024;
/// Keys per lookup statement (bound as one text).
pub(super) const KEYS_PER_LOOKUP: usize = 8_192;
/// Files, sessions or hours per statement (15 parameters at most each).
pub(super) const SMALL_CHUNK: usize = 2_048;
/// How many rows the small index of recent entries holds before they join the main one.
pub(super) const RECENT_ENTRIES: i64 = 32_768;

pub(super) const ENTRY_COLUMNS: &str = "message_key, sidechain, request_key, file_id, at_ms, session_ref, \
     model, input, output, cache_read, cache_write_5m, cache_write_1h, web_searches, \
     cost_usd_nanos, counted, fast";

pub(super) const FILE_COLUMNS: &str = "id, path, project, device, inode, size, mtime_ns, parsed_to, \
     fingerprint, lines, entries, malformed, too_long";

/// 1 for a request over 200k input tokens (cache reads and writes included), else 0.
macro_rules! long_context_sql {
    () => {
        "CAST(CASE WHEN input + cache_read + cache_write_5m + cache_write_1h > 200000 \
         THEN 1 ELSE 0 END AS BIGINT)"
    };
}

/// Entries, token sums, first and last instant, then what prices the group: speed, long
/// context and the `costUSD` sum (NULL for entries without one).
const TOKEN_SUMS: &str = concat!(
    "COUNT(*), CAST(SUM(input) AS BIGINT), CAST(SUM(output) AS BIGINT), \
     CAST(SUM(cache_read) AS BIGINT), CAST(SUM(cache_write_5m) AS BIGINT), \
     CAST(SUM(cache_write_1h) AS BIGINT), CAST(SUM(web_searches) AS BIGINT), \
     MIN(at_ms), MAX(at_ms), fast, ",
    long_context_sql!(),
    ", CAST(SUM(cost_usd_nanos) AS BIGINT)"
);

/// What usage rows are split by besides their slice and model: what prices them.
const PRICING_GROUPS: &str = concat!("fast, ", long_context_sql!(), ", cost_usd_nanos IS NULL");

/// Tokens from six consecutive columns starting at `at`, in the order the tables keep them.
fn tokens_at(row: &DbRow, at: usize) -> std::result::Result<TokenCounts, sqlx::Error> {
    Ok(TokenCounts {
        uncached_input: row.try_get(at)?,
        output: row.try_get(at + 1)?,
        cache_read: row.try_get(at + 2)?,
        cache_write_5m: row.try_get(at + 3)?,
        cache_write_1h: row.try_get(at + 4)?,
        web_search_requests: row.try_get(at + 5)?,
    })
}

fn entry_from(row: &DbRow) -> std::result::Result<LogEntry, sqlx::Error> {
    let model: String = row.try_get(7)?;
    Ok(LogEntry {
        id: row.try_get(0)?,
        key: LogEntryKey {
            message_key: row.try_get(1)?,
            sidechain: row.try_get(2)?,
            request_key: row.try_get(3)?,
            file_id: row.try_get(4)?,
        },
        at_ms: row.try_get(5)?,
        session_ref: row.try_get(6)?,
        model: Arc::from(model),
        tokens: tokens_at(row, 8)?,
        cost_usd: row.try_get::<Option<i64>, _>(14)?.map(Money::from_nanos),
        counted: row.try_get(15)?,
        fast: row.try_get(16)?,
    })
}

fn file_from(row: &DbRow) -> std::result::Result<LogFile, sqlx::Error> {
    Ok(LogFile {
        id: row.try_get(0)?,
        path: row.try_get(1)?,
        project: row.try_get(2)?,
        device: row.try_get(3)?,
        inode: row.try_get(4)?,
        size: row.try_get(5)?,
        mtime_ns: row.try_get(6)?,
        parsed_to: row.try_get(7)?,
        fingerprint: row.try_get(8)?,
        lines: row.try_get(9)?,
        entries: row.try_get(10)?,
        malformed: row.try_get(11)?,
        too_long: row.try_get(12)?,
    })
}

fn usage_from(row: &DbRow, session: bool) -> std::result::Result<LogUsageRow, sqlx::Error> {
    let at = if session { 3 } else { 2 };
    Ok(LogUsageRow {
        at_ms: row.try_get(0)?,
        session_ref: if session { row.try_get(2)? } else { 0 },
        model: row.try_get(1)?,
        entries: row.try_get(at)?,
        tokens: tokens_at(row, at + 1)?,
        first_ms: row.try_get(at + 7)?,
        last_ms: row.try_get(at + 8)?,
        fast: row.try_get(at + 9)?,
        long_context: row.try_get::<i64, _>(at + 10)? != 0,
        cost_usd: row
            .try_get::<Option<i64>, _>(at + 11)?
            .map(Money::from_nanos),
    })
}

/// `column` is one of the keys bound as `$n`: one statement whatever their number (a list of
/// placeholders would be parsed again for every length).
pub(super) fn in_keys(column: &str, n: usize) -> String {
    if BACKEND == crate::store::Backend::Sqlite {
        format!("{column} IN (SELECT value FROM json_each(${n}))")
    } else {
        format!("{column} = ANY(CAST(${n} AS BIGINT[]))")
    }
}

/// The keys as the text [`in_keys`] binds: a JSON array for SQLite, an array literal for
/// Postgres.
pub(super) fn key_text(keys: &[i64]) -> String {
    let list = keys
        .iter()
        .map(i64::to_string)
        .collect::<Vec<_>>()
        .join(",");
    if BACKEND == crate::store::Backend::Sqlite {
        format!("[{list}]")
    } else {
        format!("{{{list}}}")
    }
}

impl ThisStore {
    /// Entries of a plan whose `column` is one of `keys`. For message keys, each of the two
    /// partial message indexes is searched; file ids are rare enough to scan for.
    async fn log_entries_where(
        &self,
        column: &str,
        plan_id: i64,
        keys: &[i64],
    ) -> Result<Vec<LogEntry>> {
        let filters: &[&str] = if column == "message_key" {
            &["indexed", "NOT indexed"]
        } else {
            &["TRUE"]
        };
        let sql = filters
            .iter()
            .map(|filter| {
                format!(
                    "SELECT id, {ENTRY_COLUMNS} FROM costledger_log_entries WHERE plan_id = $1 \
                     AND {filter} AND {}",
                    in_keys(column, 2)
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ");
        let mut entries = Vec::new();
        for chunk in keys.chunks(KEYS_PER_LOOKUP) {
            let rows = sqlx::query(sqlx::AssertSqlSafe(sql.clone()))
                .bind(plan_id)
                .bind(key_text(chunk))
                .fetch_all(&self.pool)
                .await
                .map_err(db_error("reading log entries"))?;
            for row in &rows {
                entries.push(entry_from(row).map_err(db_error("reading log entries"))?);
            }
        }
        Ok(entries)
    }

    /// Run a usage query whose `{PROJECT}` is replaced by the filter on `project`'s sessions
    /// (or by nothing); its parameters are plan, `counted`, start, end and the project.
    async fn log_usage(
        &self,
        sql: String,
        plan_id: i64,
        start: i64,
        end: i64,
        project: Option<&str>,
    ) -> Result<Vec<DbRow>> {
        let filter = if project.is_some() {
            " AND session_ref IN (SELECT id FROM costledger_log_sessions WHERE plan_id = $1 \
             AND project = $5)"
        } else {
            ""
        };
        let sql = sql.replace("{PROJECT}", filter);
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(plan_id)
            .bind(true)
            .bind(start)
            .bind(end);
        if let Some(project) = project {
            query = query.bind(project.to_string());
        }
        query
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("reading log usage"))
    }
}

#[async_trait]
impl LogStore for ThisStore {
    async fn log_files(&self, plan_id: i64) -> Result<Vec<LogFile>> {
        let sql = format!(
            "SELECT {FILE_COLUMNS} FROM costledger_log_files WHERE plan_id = $1 ORDER BY id"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(plan_id)
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("reading log files"))?;
        rows.iter()
            .map(file_from)
            .collect::<std::result::Result<_, _>>()
            .map_err(db_error("reading log files"))
    }

    async fn insert_log_files(
        &self,
        plan_id: i64,
        files: &[LogFile],
        now: DateTime<Utc>,
    ) -> Result<Vec<i64>> {
        let mut ids: HashMap<String, i64> = HashMap::with_capacity(files.len());
        let mut tx = self.begin_write().await?;
        let now = to_ts(now);
        for chunk in shaped_chunks(files, SMALL_CHUNK) {
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO costledger_log_files (plan_id, path, project, device, inode, size, \
                 mtime_ns, parsed_to, fingerprint, lines, entries, malformed, too_long, updated_at) ",
            );
            q.push_values(chunk, |mut b, f| {
                b.push_bind(plan_id)
                    .push_bind(&f.path)
                    .push_bind(&f.project)
                    .push_bind(f.device)
                    .push_bind(f.inode)
                    .push_bind(f.size)
                    .push_bind(f.mtime_ns)
                    .push_bind(f.parsed_to)
                    .push_bind(f.fingerprint)
                    .push_bind(f.lines)
                    .push_bind(f.entries)
                    .push_bind(f.malformed)
                    .push_bind(f.too_long)
                    .push_bind(now);
            });
            q.push(" RETURNING id, path");
            for row in q
                .build()
                .fetch_all(&mut *tx)
                .await
                .map_err(db_error("tracking log files"))?
            {
                let read = db_error("tracking log files");
                ids.insert(
                    row.try_get(1).map_err(read)?,
                    row.try_get(0).map_err(db_error("tracking log files"))?,
                );
            }
        }
        tx.commit()
            .await
            .map_err(db_error("committing tracked log files"))?;
        Ok(files
            .iter()
            .map(|f| ids.get(&f.path).copied().unwrap_or_default())
            .collect())
    }

    async fn log_sessions(&self, plan_id: i64) -> Result<Vec<LogSession>> {
        let rows = sqlx::query(
            "SELECT id, project, session FROM costledger_log_sessions WHERE plan_id = $1",
        )
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading log sessions"))?;
        rows.iter()
            .map(|r| {
                Ok(LogSession {
                    id: r.try_get(0)?,
                    project: r.try_get(1)?,
                    session: r.try_get(2)?,
                })
            })
            .collect::<std::result::Result<_, sqlx::Error>>()
            .map_err(db_error("reading log sessions"))
    }

    async fn insert_log_sessions(
        &self,
        plan_id: i64,
        names: &[(String, String)],
    ) -> Result<Vec<LogSession>> {
        let mut out = Vec::with_capacity(names.len());
        let mut tx = self.begin_write().await?;
        for chunk in shaped_chunks(names, SMALL_CHUNK) {
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO costledger_log_sessions (plan_id, project, session) ",
            );
            q.push_values(chunk, |mut b, (project, session)| {
                b.push_bind(plan_id).push_bind(project).push_bind(session);
            });
            // DO UPDATE (not DO NOTHING) so that RETURNING yields existing rows too.
            q.push(
                " ON CONFLICT (plan_id, project, session) DO UPDATE SET project = excluded.project \
                 RETURNING id, project, session",
            );
            let rows = q
                .build()
                .fetch_all(&mut *tx)
                .await
                .map_err(db_error("storing log sessions"))?;
            for r in rows {
                let read = |e| crate::error::Error::storage("storing log sessions", e);
                out.push(LogSession {
                    id: r.try_get(0).map_err(read)?,
                    project: r.try_get(1).map_err(read)?,
                    session: r.try_get(2).map_err(read)?,
                });
            }
        }
        tx.commit()
            .await
            .map_err(db_error("committing log sessions"))?;
        Ok(out)
    }

    async fn has_log_entries(&self, plan_id: i64) -> Result<bool> {
        let found: Option<i64> = sqlx::query_scalar(
            "SELECT plan_id FROM costledger_log_entries WHERE plan_id = $1 LIMIT 1",
        )
        .bind(plan_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("reading log entries"))?;
        Ok(found.is_some())
    }

    async fn log_entries_of_messages(
        &self,
        plan_id: i64,
        message_keys: &[i64],
    ) -> Result<Vec<LogEntry>> {
        self.log_entries_where("message_key", plan_id, message_keys)
            .await
    }

    async fn log_entries_of_files(&self, plan_id: i64, file_ids: &[i64]) -> Result<Vec<LogEntry>> {
        self.log_entries_where("file_id", plan_id, file_ids).await
    }

    async fn commit_log_sync(&self, plan_id: i64, commit: &LogCommit) -> Result<()> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(db_error("starting a write transaction"))?;
        // SQLite keeps the pages a multi-row statement changes in a statement journal, which
        // spills to a temporary file past 64 KiB, and its page cache (2 MB) is smaller than
        // what an append of scattered messages dirties in the message index. Keep both in
        // memory for this transaction (the journal's place is fixed when it begins), then put
        // the connection's settings back.
        let saved = if BACKEND == crate::store::Backend::Sqlite {
            let row = sqlx::query(
                "SELECT (SELECT cache_size FROM pragma_cache_size), \
                 (SELECT temp_store FROM pragma_temp_store)",
            )
            .fetch_one(&mut *conn)
            .await
            .map_err(db_error("reading SQLite settings"))?;
            let read = |i| {
                row.try_get::<i64, _>(i)
                    .map_err(db_error("reading SQLite settings"))
            };
            let saved = (read(0)?, read(1)?);
            set_pragmas(&mut conn, -262_144, 2).await?;
            Some(saved)
        } else {
            None
        };
        let written = write_log_commit(&mut conn, plan_id, commit).await;
        if let Some((cache_size, temp_store)) = saved {
            set_pragmas(&mut conn, cache_size, temp_store).await?;
        }
        written
    }

    async fn dirty_log_hours(&self, plan_id: i64) -> Result<Option<(i64, i64)>> {
        let row = sqlx::query("SELECT MIN(hour), MAX(hour) FROM costledger_log_hours WHERE plan_id = $1 AND dirty = $2")
            .bind(plan_id)
            .bind(true)
            .fetch_one(&self.pool)
            .await
            .map_err(db_error("reading dirty log hours"))?;
        let read = db_error("reading dirty log hours");
        let first: Option<i64> = row.try_get(0).map_err(read)?;
        let last: Option<i64> = row
            .try_get(1)
            .map_err(db_error("reading dirty log hours"))?;
        Ok(first.zip(last))
    }

    async fn log_hours(&self, plan_id: i64, start: i64, end: i64) -> Result<Vec<LogHour>> {
        let rows = sqlx::query(
            "SELECT hour, model, entries, input, output, cache_read, cache_write_5m, cache_write_1h, \
             web_searches FROM costledger_log_hours WHERE plan_id = $1 AND hour >= $2 AND hour < $3 \
             ORDER BY hour, model",
        )
        .bind(plan_id)
        .bind(start)
        .bind(end)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading log hours"))?;
        rows.iter()
            .map(|r| {
                Ok(LogHour {
                    hour: r.try_get(0)?,
                    model: r.try_get(1)?,
                    entries: r.try_get(2)?,
                    tokens: tokens_at(r, 3)?,
                })
            })
            .collect::<std::result::Result<_, sqlx::Error>>()
            .map_err(db_error("reading log hours"))
    }

    async fn clean_log_hours(&self, plan_id: i64, start: i64, end: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM costledger_log_hours WHERE plan_id = $1 AND hour >= $2 AND hour < $3 AND entries = 0")
            .bind(plan_id)
            .bind(start)
            .bind(end)
            .execute(&mut *tx)
            .await
            .map_err(db_error("cleaning log hours"))?;
        sqlx::query("UPDATE costledger_log_hours SET dirty = $4 WHERE plan_id = $1 AND hour >= $2 AND hour < $3")
            .bind(plan_id)
            .bind(start)
            .bind(end)
            .bind(false)
            .execute(&mut *tx)
            .await
            .map_err(db_error("cleaning log hours"))?;
        tx.commit()
            .await
            .map_err(db_error("committing clean log hours"))
    }

    async fn log_usage_by_quarter(
        &self,
        plan_id: i64,
        start_ms: i64,
        end_ms: i64,
        project: Option<&str>,
    ) -> Result<Vec<LogUsageRow>> {
        let sql = format!(
            "SELECT at_ms / 900000 * 900000 AS q, model, {TOKEN_SUMS} FROM costledger_log_entries \
             WHERE plan_id = $1 AND counted = $2 AND at_ms >= $3 AND at_ms < $4{{PROJECT}} \
             GROUP BY at_ms / 900000 * 900000, model, {PRICING_GROUPS} ORDER BY q, model"
        );
        let rows = self
            .log_usage(sql, plan_id, start_ms, end_ms, project)
            .await?;
        rows.iter()
            .map(|r| usage_from(r, false))
            .collect::<std::result::Result<_, _>>()
            .map_err(db_error("reading log usage"))
    }

    async fn log_usage_by_session(
        &self,
        plan_id: i64,
        start_ms: i64,
        end_ms: i64,
        project: Option<&str>,
    ) -> Result<Vec<LogUsageRow>> {
        let sql = format!(
            "SELECT at_ms / 86400000 * 86400000 AS d, model, session_ref, {TOKEN_SUMS} \
             FROM costledger_log_entries WHERE plan_id = $1 AND counted = $2 AND at_ms >= $3 \
             AND at_ms < $4{{PROJECT}} GROUP BY session_ref, at_ms / 86400000 * 86400000, model, \
             {PRICING_GROUPS} ORDER BY session_ref, d, model"
        );
        let rows = self
            .log_usage(sql, plan_id, start_ms, end_ms, project)
            .await?;
        rows.iter()
            .map(|r| usage_from(r, true))
            .collect::<std::result::Result<_, _>>()
            .map_err(db_error("reading log usage"))
    }

    async fn log_counted_entries(
        &self,
        plan_id: i64,
        start_ms: i64,
        end_ms: i64,
        project: Option<&str>,
    ) -> Result<Vec<LogUsageRow>> {
        let sql = concat!(
            "SELECT at_ms, model, CAST(1 AS BIGINT), input, output, cache_read, \
             cache_write_5m, cache_write_1h, web_searches, at_ms, at_ms, fast, ",
            long_context_sql!(),
            ", cost_usd_nanos FROM costledger_log_entries \
             WHERE plan_id = $1 AND counted = $2 AND at_ms >= $3 AND at_ms < $4{PROJECT} \
             ORDER BY at_ms"
        );
        let rows = self
            .log_usage(sql.to_string(), plan_id, start_ms, end_ms, project)
            .await?;
        rows.iter()
            .map(|r| usage_from(r, false))
            .collect::<std::result::Result<_, _>>()
            .map_err(db_error("reading log entries"))
    }
}

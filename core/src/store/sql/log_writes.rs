// Writing a Claude Code logs sync, compiled once per backend: the including module defines
// `Db` and `BACKEND`. One write transaction applies a scan's changes (files, entries, the
// hours they touch).

use sqlx::QueryBuilder;

use crate::error::Result;
use crate::model::Money;
use crate::store::logs::LogCommit;
use crate::store::{db_error, shaped_chunks, to_ts};

type DbConn = <Db as sqlx::Database>::Connection;

use super::sql_logs::{
    ENTRY_CHUNK, ENTRY_COLUMNS, FILE_COLUMNS, KEYS_PER_LOOKUP, RECENT_ENTRIES, SMALL_CHUNK,
    in_keys, key_text,
};

/// Set SQLite's page cache size and temporary store on a transaction's connection.
pub(super) async fn set_pragmas(conn: &mut DbConn, cache_size: i64, temp_store: i64) -> Result<()> {
    let pragmas = format!("PRAGMA cache_size = {cache_size}; PRAGMA temp_store = {temp_store}");
    sqlx::raw_sql(sqlx::AssertSqlSafe(pragmas))
        .execute(&mut *conn)
        .await
        .map_err(db_error("setting SQLite's cache"))?;
    Ok(())
}

/// Apply a sync's changes in one write transaction on `conn`.
pub(super) async fn write_log_commit(
    conn: &mut DbConn,
    plan_id: i64,
    commit: &LogCommit,
) -> Result<()> {
    let begin = if BACKEND == crate::store::Backend::Sqlite {
        "BEGIN IMMEDIATE"
    } else {
        "BEGIN"
    };
    let mut tx = sqlx::Connection::begin_with(conn, begin)
        .await
        .map_err(db_error("starting a write transaction"))?;
    for chunk in commit.delete_entries.chunks(KEYS_PER_LOOKUP) {
        let sql = format!(
            "DELETE FROM costledger_log_entries WHERE plan_id = $1 AND {}",
            in_keys("id", 2)
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(plan_id)
            .bind(key_text(chunk))
            .execute(&mut *tx)
            .await
            .map_err(db_error("deleting log entries"))?;
    }
    // New rows go to the small index of recent rows, unless they and the rows already there
    // are many: then all of them go to the main index at once (in key order, a sequential
    // write of it rather than a page per row).
    let recent: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM costledger_log_entries WHERE plan_id = $1 AND NOT indexed",
    )
    .bind(plan_id)
    .fetch_one(&mut *tx)
    .await
    .map_err(db_error("counting recent log entries"))?;
    let fold = recent + commit.insert_entries.len() as i64 > RECENT_ENTRIES;
    if fold && recent > 0 {
        sqlx::query(
            "UPDATE costledger_log_entries SET indexed = $2 WHERE plan_id = $1 AND NOT indexed",
        )
        .bind(plan_id)
        .bind(true)
        .execute(&mut *tx)
        .await
        .map_err(db_error("indexing recent log entries"))?;
    }
    for chunk in shaped_chunks(&commit.insert_entries, ENTRY_CHUNK) {
        let mut q = QueryBuilder::<Db>::new(format!(
            "INSERT INTO costledger_log_entries (plan_id, indexed, {ENTRY_COLUMNS}) "
        ));
        q.push_values(chunk, |mut b, e| {
            let t = &e.tokens;
            b.push_bind(plan_id)
                .push_bind(fold)
                .push_bind(e.key.message_key)
                .push_bind(e.key.sidechain)
                .push_bind(e.key.request_key)
                .push_bind(e.key.file_id)
                .push_bind(e.at_ms)
                .push_bind(e.session_ref)
                .push_bind(&*e.model)
                .push_bind(t.uncached_input)
                .push_bind(t.output)
                .push_bind(t.cache_read)
                .push_bind(t.cache_write_5m)
                .push_bind(t.cache_write_1h)
                .push_bind(t.web_search_requests)
                .push_bind(e.cost_usd.map(Money::nanos))
                .push_bind(e.counted)
                .push_bind(e.fast);
        });
        q.build()
            .execute(&mut *tx)
            .await
            .map_err(db_error("storing log entries"))?;
    }
    for chunk in shaped_chunks(&commit.hour_deltas, SMALL_CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO costledger_log_hours (plan_id, hour, model, entries, input, output, \
             cache_read, cache_write_5m, cache_write_1h, web_searches, dirty) ",
        );
        q.push_values(chunk, |mut b, d| {
            let t = &d.tokens;
            b.push_bind(plan_id)
                .push_bind(d.hour)
                .push_bind(&*d.model)
                .push_bind(d.entries)
                .push_bind(t.uncached_input)
                .push_bind(t.output)
                .push_bind(t.cache_read)
                .push_bind(t.cache_write_5m)
                .push_bind(t.cache_write_1h)
                .push_bind(t.web_search_requests)
                .push_bind(true);
        });
        q.push(
            " ON CONFLICT (plan_id, hour, model) DO UPDATE SET \
             entries = costledger_log_hours.entries + excluded.entries, \
             input = costledger_log_hours.input + excluded.input, \
             output = costledger_log_hours.output + excluded.output, \
             cache_read = costledger_log_hours.cache_read + excluded.cache_read, \
             cache_write_5m = costledger_log_hours.cache_write_5m + excluded.cache_write_5m, \
             cache_write_1h = costledger_log_hours.cache_write_1h + excluded.cache_write_1h, \
             web_searches = costledger_log_hours.web_searches + excluded.web_searches, \
             dirty = excluded.dirty",
        );
        q.build()
            .execute(&mut *tx)
            .await
            .map_err(db_error("storing log hours"))?;
    }
    let now = to_ts(commit.now);
    for chunk in shaped_chunks(&commit.files, SMALL_CHUNK) {
        let mut q = QueryBuilder::<Db>::new(format!(
            "INSERT INTO costledger_log_files (plan_id, updated_at, {FILE_COLUMNS}) "
        ));
        q.push_values(chunk, |mut b, f| {
            b.push_bind(plan_id)
                .push_bind(now)
                .push_bind(f.id)
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
                .push_bind(f.too_long);
        });
        q.push(
            " ON CONFLICT (id) DO UPDATE SET path = excluded.path, project = excluded.project, \
             device = excluded.device, inode = excluded.inode, size = excluded.size, \
             mtime_ns = excluded.mtime_ns, parsed_to = excluded.parsed_to, \
             fingerprint = excluded.fingerprint, lines = excluded.lines, \
             entries = excluded.entries, malformed = excluded.malformed, \
             too_long = excluded.too_long, updated_at = excluded.updated_at",
        );
        q.build()
            .execute(&mut *tx)
            .await
            .map_err(db_error("storing log files"))?;
    }
    if !commit.forget_files.is_empty() {
        let sql = format!(
            "DELETE FROM costledger_log_files WHERE plan_id = $1 AND {}",
            in_keys("id", 2)
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(plan_id)
            .bind(key_text(&commit.forget_files))
            .execute(&mut *tx)
            .await
            .map_err(db_error("forgetting log files"))?;
    }
    tx.commit().await.map_err(db_error("committing a log sync"))
}

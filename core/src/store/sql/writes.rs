// What the write transactions of every stream share, compiled once per backend (the
// including module defines `Db`): prebuilt statements, the usage dimensions' ids, and
// watermarks.

use std::collections::HashMap;

use sqlx::{QueryBuilder, Row};

use crate::error::Result;
use crate::store::{WatermarkAdvance, db_error, shaped_chunks, to_ts};

pub(crate) type DbConn = <Db as sqlx::Database>::Connection;

/// The dimensions of a usage row as stored (`''` for none).
/// (key, workspace, model, tier, window, actor).
pub(crate) type DimKey = (String, String, String, String, String, String);

/// Built statements, each with what it does (for its error), to run inside a transaction:
/// writers build and encode them before taking the write lock, so the lock is held for the
/// writes alone.
pub(crate) type Statements = Vec<(QueryBuilder<Db>, &'static str)>;

/// Executes built statements inside the caller's transaction.
pub(crate) async fn run_statements(
    conn: &mut DbConn,
    statements: &mut [(QueryBuilder<Db>, &'static str)],
) -> Result<()> {
    for (q, what) in statements {
        q.build()
            .execute(&mut *conn)
            .await
            .map_err(db_error(what))?;
    }
    Ok(())
}

/// A stored dimension from a row of (id, key, workspace, model, tier, window, actor).
fn dim_from_row(row: &<Db as sqlx::Database>::Row) -> Result<(DimKey, i64)> {
    let read = |e| Error::storage("reading usage dimensions", e);
    let key: DimKey = (
        row.try_get(1).map_err(read)?,
        row.try_get(2).map_err(read)?,
        row.try_get(3).map_err(read)?,
        row.try_get(4).map_err(read)?,
        row.try_get(5).map_err(read)?,
        row.try_get(6).map_err(read)?,
    );
    Ok((key, row.try_get(0).map_err(read)?))
}

/// Every usage dimension of `plan_id` with its id.
pub(crate) async fn plan_dims(conn: &mut DbConn, plan_id: i64) -> Result<HashMap<DimKey, i64>> {
    let rows = sqlx::query(
        "SELECT id, api_key_id, workspace_id, model, service_tier, context_window, actor_id \
         FROM costledger_usage_dims WHERE plan_id = $1",
    )
    .bind(plan_id)
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error("reading usage dimensions"))?;
    rows.iter().map(dim_from_row).collect()
}

/// Dimensions per multi-row insert (7 values each): well inside both backends' bind limits.
const DIM_CHUNK: usize = 128;

/// Insert these dimensions of `plan_id` (an existing one keeps its id) and return their ids.
/// New ones get their ids in the order of `keys` (exports list a day's rows by dimension
/// id), a few multi-row statements instead of one per dimension.
pub(crate) async fn insert_dims(
    conn: &mut DbConn,
    plan_id: i64,
    keys: Vec<DimKey>,
) -> Result<HashMap<DimKey, i64>> {
    let mut seen = std::collections::HashSet::with_capacity(keys.len());
    let keys: Vec<DimKey> = keys
        .into_iter()
        .filter(|k| seen.insert(k.clone()))
        .collect();
    let mut ids = HashMap::with_capacity(keys.len());
    for chunk in shaped_chunks(&keys, DIM_CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO costledger_usage_dims \
             (plan_id, api_key_id, workspace_id, model, service_tier, context_window, actor_id) ",
        );
        q.push_values(chunk, |mut b, k| {
            b.push_bind(plan_id)
                .push_bind(k.0.as_str())
                .push_bind(k.1.as_str())
                .push_bind(k.2.as_str())
                .push_bind(k.3.as_str())
                .push_bind(k.4.as_str())
                .push_bind(k.5.as_str());
        });
        // DO UPDATE (not DO NOTHING) so RETURNING yields the id even if the row exists; the
        // rows come back in no set order, so with their values.
        q.push(
            " ON CONFLICT (plan_id, api_key_id, workspace_id, model, service_tier, \
             context_window, actor_id) DO UPDATE SET model = excluded.model \
             RETURNING id, api_key_id, workspace_id, model, service_tier, context_window, \
             actor_id",
        );
        let rows = q
            .build()
            .fetch_all(&mut *conn)
            .await
            .map_err(db_error("storing usage dimensions"))?;
        for row in &rows {
            let (key, id) = dim_from_row(row)?;
            ids.insert(key, id);
        }
    }
    Ok(ids)
}

/// Advance a stream's watermark inside the caller's transaction. Returns the stored
/// (watermark, first start) from before, if the stream had any.
pub(crate) async fn advance_watermark(
    conn: &mut DbConn,
    plan_id: i64,
    advance: &WatermarkAdvance,
) -> Result<Option<(i64, i64)>> {
    let before: Option<(i64, i64)> = sqlx::query_as(
        "SELECT watermark, first_start FROM costledger_sync_state \
         WHERE plan_id = $1 AND stream = $2",
    )
    .bind(plan_id)
    .bind(&advance.stream)
    .fetch_optional(&mut *conn)
    .await
    .map_err(db_error("reading a watermark"))?;
    sqlx::query(
        "INSERT INTO costledger_sync_state (plan_id, stream, watermark, first_start, updated_at) \
         VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (plan_id, stream) DO UPDATE SET \
         watermark = CASE WHEN excluded.watermark > costledger_sync_state.watermark \
             THEN excluded.watermark ELSE costledger_sync_state.watermark END, \
         first_start = CASE WHEN excluded.first_start < costledger_sync_state.first_start \
             THEN excluded.first_start ELSE costledger_sync_state.first_start END, \
         updated_at = excluded.updated_at",
    )
    .bind(plan_id)
    .bind(&advance.stream)
    .bind(to_ts(advance.watermark))
    .bind(to_ts(advance.first_start))
    .bind(to_ts(advance.at))
    .execute(&mut *conn)
    .await
    .map_err(db_error("advancing a watermark"))?;
    Ok(before)
}

/// The days whose billed status (see `reports::materialize`) a cost watermark advance
/// changes: a day is billed when it lies in `[first_start, watermark)`.
pub(crate) fn billed_days_changed(
    before: Option<(i64, i64)>,
    advance: &WatermarkAdvance,
) -> Vec<i64> {
    let (new_mark, new_first) = (to_ts(advance.watermark), to_ts(advance.first_start));
    let (old_mark, old_first) = match before {
        Some((w, f)) => (w, f),
        None => (new_first, new_first),
    };
    let (mark, first) = (new_mark.max(old_mark), new_first.min(old_first));
    let mut days = super::sql_stale::days_of(first, old_first.min(mark));
    days.extend(super::sql_stale::days_of(old_mark.max(first), mark));
    days.sort_unstable();
    days.dedup();
    days
}

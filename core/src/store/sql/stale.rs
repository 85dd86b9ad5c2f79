// Shared stale-day queries, compiled once per backend: the including module defines `Db`,
// `ThisStore` (with `pool` and `begin_write`) and `NEXT_GENERATION`.
//
// A stale day is a (plan, UTC day) whose derived facts no longer match its raw usage and cost
// (docs/sync.md, "Derived facts"). Marks are written by the transaction that changes the raw
// data, and deleted by the transaction that writes the day's facts, only if their generation
// is still the one the derivation read.

use sqlx::QueryBuilder;

use crate::error::Result;
use crate::store::{StaleDay, db_error, shaped_chunks};

type DbConn = <Db as sqlx::Database>::Connection;

const DAY: i64 = 86_400;
/// Days per multi-row insert (a power of two: see `shaped_chunks`).
const CHUNK: usize = 256;

/// The UTC days overlapping `[start, end)` (Unix seconds).
pub(crate) fn days_of(start: i64, end: i64) -> Vec<i64> {
    if start >= end {
        return Vec::new();
    }
    let first = start.div_euclid(DAY) * DAY;
    (first..end).step_by(DAY as usize).collect()
}

/// Mark the UTC days overlapping `[start, end)` of a plan stale, inside the caller's write
/// transaction, with one new generation.
pub(crate) async fn mark_stale(conn: &mut DbConn, plan_id: i64, start: i64, end: i64) -> Result<()> {
    let days = days_of(start, end);
    mark_days(conn, plan_id, &days).await
}

/// Mark these days (UTC midnights, increasing) of a plan stale, inside the caller's write
/// transaction, with one new generation.
pub(crate) async fn mark_days(conn: &mut DbConn, plan_id: i64, days: &[i64]) -> Result<()> {
    if days.is_empty() {
        return Ok(());
    }
    let generation: i64 = sqlx::query_scalar(NEXT_GENERATION)
        .fetch_one(&mut *conn)
        .await
        .map_err(db_error("numbering stale days"))?;
    for chunk in shaped_chunks(days, CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO costledger_stale_days (plan_id, day, generation) ",
        );
        q.push_values(chunk, |mut b, day| {
            b.push_bind(plan_id).push_bind(*day).push_bind(generation);
        });
        q.push(" ON CONFLICT (plan_id, day) DO UPDATE SET generation = excluded.generation");
        q.build()
            .execute(&mut *conn)
            .await
            .map_err(db_error("marking days stale"))?;
    }
    Ok(())
}

/// Delete a day's mark if it still has `generation`, inside the transaction that writes the
/// day's facts. False when the mark is gone or newer: the facts must not be written.
pub(crate) async fn clear_mark(
    conn: &mut DbConn,
    plan_id: i64,
    day: i64,
    generation: i64,
) -> Result<bool> {
    let done = sqlx::query(
        "DELETE FROM costledger_stale_days WHERE plan_id = $1 AND day = $2 AND generation = $3",
    )
    .bind(plan_id)
    .bind(day)
    .bind(generation)
    .execute(&mut *conn)
    .await
    .map_err(db_error("clearing a stale day"))?;
    Ok(done.rows_affected() == 1)
}

impl ThisStore {
    /// Stale days of these plans, in `[from, to)` and after `(plan, day)` when given, by plan
    /// and day; at most `limit`.
    pub(crate) async fn read_stale_days(
        &self,
        plan_ids: &[i64],
        range: Option<(i64, i64)>,
        after: Option<(i64, i64)>,
        limit: i64,
    ) -> Result<Vec<StaleDay>> {
        if plan_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(
            "SELECT plan_id, day, generation FROM costledger_stale_days WHERE plan_id IN (",
        );
        let mut list = q.separated(", ");
        for id in plan_ids {
            list.push_bind(*id);
        }
        q.push(")");
        if let Some((from, to)) = range {
            q.push(" AND day >= ").push_bind(from);
            q.push(" AND day < ").push_bind(to);
        }
        if let Some((plan, day)) = after {
            q.push(" AND (plan_id > ").push_bind(plan);
            q.push(" OR (plan_id = ").push_bind(plan);
            q.push(" AND day > ").push_bind(day).push("))");
        }
        q.push(" ORDER BY plan_id, day LIMIT ").push_bind(limit);
        let rows: Vec<(i64, i64, i64)> = q
            .build_query_as()
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("reading stale days"))?;
        Ok(rows
            .into_iter()
            .map(|(plan_id, day, generation)| StaleDay {
                plan_id,
                day,
                generation,
            })
            .collect())
    }

    /// Mark days `[from, to)` of a plan stale in a transaction of their own.
    pub(crate) async fn mark_range_stale(&self, plan_id: i64, from: i64, to: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        mark_stale(&mut tx, plan_id, from, to).await?;
        tx.commit()
            .await
            .map_err(db_error("committing stale days"))
    }
}

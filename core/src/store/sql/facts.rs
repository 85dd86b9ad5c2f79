// The derived facts, compiled once per backend: the including module defines `Db` and
// `ThisStore` (with `pool` and `begin_write`). Writing a day's facts and rollups, stale
// days, and what `verify` reads; the sums reports read are in `fact_sums.rs`.

use async_trait::async_trait;
use chrono::Datelike;
use sqlx::{QueryBuilder, Row};

use crate::error::{Error, Result};
use crate::model::{Basis, CostRow, Money, TokenCounts};
use crate::store::{
    DayFacts, Dim, FactStore, FactSum, HourUsage, MonthRollups, SeriesOf, StaleDay, SumOver,
    UsageStore, db_error, dim_in, dim_out, from_ts, shaped_chunks,
};

use super::sql_writes::{DbConn, DimKey, Statements, insert_dims, plan_dims, run_statements};

type DbRow = <Db as sqlx::Database>::Row;

pub(super) const DAY: i64 = 86_400;
const CHUNK: usize = 256;

pub(super) fn basis_of(code: i64) -> Result<Basis> {
    Basis::from_fact_code(code).ok_or_else(|| Error::Storage {
        message: format!("stored basis code {code} is unknown; the row is corrupt"),
        source: None,
    })
}

fn dim_from_row(row: &DbRow, offset: usize, plan_id: i64) -> Result<Dim> {
    let read = |e| Error::storage("reading a usage dimension", e);
    Ok(Dim {
        id: row.try_get(offset).map_err(read)?,
        plan_id,
        api_key_id: dim_out(row.try_get(offset + 1).map_err(read)?),
        workspace_id: dim_out(row.try_get(offset + 2).map_err(read)?),
        model: row.try_get(offset + 3).map_err(read)?,
        service_tier: row.try_get(offset + 4).map_err(read)?,
        context_window: row.try_get(offset + 5).map_err(read)?,
        actor_id: dim_out(row.try_get(offset + 6).map_err(read)?),
    })
}

pub(super) fn tokens_from_row(row: &DbRow, offset: usize) -> Result<TokenCounts> {
    let read = |e| Error::storage("reading token counts", e);
    Ok(TokenCounts {
        uncached_input: row.try_get(offset).map_err(read)?,
        cache_write_5m: row.try_get(offset + 1).map_err(read)?,
        cache_write_1h: row.try_get(offset + 2).map_err(read)?,
        cache_read: row.try_get(offset + 3).map_err(read)?,
        output: row.try_get(offset + 4).map_err(read)?,
        web_search_requests: row.try_get(offset + 5).map_err(read)?,
    })
}

pub(super) fn push_in(q: &mut QueryBuilder<Db>, column: &str, ids: &[i64]) {
    q.push(format!(" AND {column} IN ("));
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    q.push(")");
}

/// The statements that replace one day's facts and its daily rollups (the month's rollups
/// are the caller's: [`sum_month`]), each with what it does for its error.
fn day_facts_statements(plan_id: i64, day: &DayFacts) -> Statements {
    let (start, end) = (day.day, day.day + DAY);
    let mut statements = Vec::new();
    // A day's rows of each table: by hour in [start, end), or by day.
    for (table, by_hour) in [
        ("costledger_cost_facts", true),
        ("costledger_cost_hourly_ws", true),
        ("costledger_cost_daily", false),
        ("costledger_usage_daily", false),
        ("costledger_unpriced_hourly", true),
        ("costledger_cost_daily_ws", false),
    ] {
        let mut q = QueryBuilder::<Db>::new(format!("DELETE FROM {table} WHERE plan_id = "));
        q.push_bind(plan_id);
        if by_hour {
            q.push(" AND hour >= ").push_bind(start);
            q.push(" AND hour < ").push_bind(end);
        } else {
            q.push(" AND day = ").push_bind(start);
        }
        statements.push((q, "clearing a day's cost facts"));
    }
    for chunk in shaped_chunks(&day.facts, CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO costledger_cost_facts (plan_id, hour, dim_id, basis, amount_nanos) ",
        );
        q.push_values(chunk, |mut b, f| {
            b.push_bind(plan_id)
                .push_bind(f.hour)
                .push_bind(f.dim_id)
                .push_bind(f.basis.fact_code())
                .push_bind(f.amount.nanos());
        });
        statements.push((q, "storing cost facts"));
    }
    for chunk in shaped_chunks(&day.daily, CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO costledger_cost_daily (plan_id, day, dim_id, basis, amount_nanos) ",
        );
        q.push_values(chunk, |mut b, (dim, basis, amount)| {
            b.push_bind(plan_id)
                .push_bind(start)
                .push_bind(*dim)
                .push_bind(basis.fact_code())
                .push_bind(amount.nanos());
        });
        statements.push((q, "storing daily cost"));
    }
    for chunk in shaped_chunks(&day.hourly_ws, CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO costledger_cost_hourly_ws (plan_id, hour, workspace_id, basis, \
                 amount_nanos) ",
        );
        q.push_values(chunk, |mut b, (hour, ws, basis, amount)| {
            b.push_bind(plan_id)
                .push_bind(*hour)
                .push_bind(ws.clone())
                .push_bind(basis.fact_code())
                .push_bind(amount.nanos());
        });
        statements.push((q, "storing hourly cost"));
    }
    for chunk in shaped_chunks(&day.daily_ws, CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO costledger_cost_daily_ws (plan_id, day, workspace_id, basis, \
                 amount_nanos) ",
        );
        q.push_values(chunk, |mut b, (ws, basis, amount)| {
            b.push_bind(plan_id)
                .push_bind(start)
                .push_bind(ws.clone())
                .push_bind(basis.fact_code())
                .push_bind(amount.nanos());
        });
        statements.push((q, "storing daily cost per workspace"));
    }
    for chunk in shaped_chunks(&day.usage, CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO costledger_usage_daily (plan_id, day, dim_id, uncached_input, \
                 cache_write_5m, cache_write_1h, cache_read, output, web_search_requests) ",
        );
        q.push_values(chunk, |mut b, (dim, t)| {
            b.push_bind(plan_id)
                .push_bind(start)
                .push_bind(*dim)
                .push_bind(t.uncached_input)
                .push_bind(t.cache_write_5m)
                .push_bind(t.cache_write_1h)
                .push_bind(t.cache_read)
                .push_bind(t.output)
                .push_bind(t.web_search_requests);
        });
        statements.push((q, "storing daily usage"));
    }
    for chunk in shaped_chunks(&day.unpriced, CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO costledger_unpriced_hourly (plan_id, hour, dim_id, tokens) ",
        );
        q.push_values(chunk, |mut b, u| {
            b.push_bind(plan_id)
                .push_bind(u.hour)
                .push_bind(u.dim_id)
                .push_bind(u.tokens);
        });
        statements.push((q, "storing unpriced usage"));
    }
    statements
}

/// Sum the month starting at `month_start` (Unix seconds) of a plan's rollups again from its
/// days (self-healing, and a month holds at most 31 days of a plan's daily rows), inside the
/// caller's transaction.
async fn sum_month(tx: &mut DbConn, plan_id: i64, month_start: i64) -> Result<()> {
    let (month, next) = month_of(month_start);
    for sql in [
        "DELETE FROM costledger_cost_monthly WHERE plan_id = $1 AND month = $2",
        "DELETE FROM costledger_usage_monthly WHERE plan_id = $1 AND month = $2",
    ] {
        sqlx::query(sql)
            .bind(plan_id)
            .bind(month)
            .execute(&mut *tx)
            .await
            .map_err(db_error("clearing a month's rollups"))?;
    }
    for sql in [
        "INSERT INTO costledger_cost_monthly (plan_id, month, dim_id, basis, amount_nanos) \
             SELECT plan_id, $2, dim_id, basis, CAST(SUM(amount_nanos) AS BIGINT) \
             FROM costledger_cost_daily WHERE plan_id = $1 AND day >= $2 AND day < $3 \
             GROUP BY plan_id, dim_id, basis",
        "INSERT INTO costledger_usage_monthly (plan_id, month, dim_id, uncached_input, \
             cache_write_5m, cache_write_1h, cache_read, output, web_search_requests) \
             SELECT plan_id, $2, dim_id, CAST(SUM(uncached_input) AS BIGINT), \
             CAST(SUM(cache_write_5m) AS BIGINT), CAST(SUM(cache_write_1h) AS BIGINT), \
             CAST(SUM(cache_read) AS BIGINT), CAST(SUM(output) AS BIGINT), \
             CAST(SUM(web_search_requests) AS BIGINT) \
             FROM costledger_usage_daily WHERE plan_id = $1 AND day >= $2 AND day < $3 \
             GROUP BY plan_id, dim_id",
    ] {
        sqlx::query(sql)
            .bind(plan_id)
            .bind(month)
            .bind(next)
            .execute(&mut *tx)
            .await
            .map_err(db_error("summing a month's rollups"))?;
    }
    Ok(())
}

/// The UTC calendar month of a day: (its first instant, the next month's), Unix seconds.
pub(super) fn month_of(day: i64) -> (i64, i64) {
    let date = chrono::DateTime::from_timestamp(day, 0)
        .expect("a stored day is a valid instant")
        .date_naive();
    let first = date.with_day(1).expect("every month has a first day");
    let next = first + chrono::Months::new(1);
    let ts = |d: chrono::NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
    (ts(first), ts(next))
}

impl ThisStore {
    /// Dimensions of `pairs` of (plan, value), `column_eq` ending in the compared column.
    async fn dims_where(&self, pairs: &[(i64, String)], column_eq: &str) -> Result<Vec<Dim>> {
        if pairs.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(
            "SELECT plan_id, id, api_key_id, workspace_id, model, service_tier, context_window, \
             actor_id FROM costledger_usage_dims WHERE ",
        );
        for (i, (plan, value)) in pairs.iter().enumerate() {
            q.push(if i == 0 { "(" } else { " OR (" })
                .push("plan_id = ")
                .push_bind(*plan)
                .push(" AND ")
                .push(column_eq)
                .push_bind(value.clone())
                .push(")");
        }
        q.push(" ORDER BY id");
        let rows = q
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("reading usage dimensions"))?;
        rows.iter()
            .map(|row| {
                let plan_id: i64 = row
                    .try_get(0)
                    .map_err(db_error("reading usage dimensions"))?;
                dim_from_row(row, 1, plan_id)
            })
            .collect()
    }
}

#[async_trait]
impl FactStore for ThisStore {
    async fn day_usage(&self, plan_id: i64, day: i64) -> Result<Vec<HourUsage>> {
        // Hourly usage when the day was synced hourly, else its daily bucket.
        let mut usage = Vec::new();
        for width in [3_600_i64, DAY] {
            let rows = sqlx::query(
                "SELECT u.bucket_start, d.id, d.api_key_id, d.workspace_id, d.model, \
                 d.service_tier, d.context_window, d.actor_id, u.uncached_input, \
                 u.cache_write_5m, u.cache_write_1h, u.cache_read, u.output, \
                 u.web_search_requests \
                 FROM costledger_usage u JOIN costledger_usage_dims d ON d.id = u.dim_id \
                 WHERE u.plan_id = $1 AND u.width = $2 AND u.bucket_start >= $3 \
                 AND u.bucket_start < $4 ORDER BY u.bucket_start, d.id",
            )
            .bind(plan_id)
            .bind(width)
            .bind(day)
            .bind(day + DAY)
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("reading a day's usage"))?;
            for row in &rows {
                usage.push(HourUsage {
                    hour: row.try_get(0).map_err(db_error("reading a day's usage"))?,
                    dim: dim_from_row(row, 1, plan_id)?,
                    tokens: tokens_from_row(row, 8)?,
                });
            }
            if !usage.is_empty() {
                break;
            }
        }
        Ok(usage)
    }

    async fn day_costs(&self, plan_id: i64, day: i64) -> Result<Vec<CostRow>> {
        self.cost_rows(plan_id, from_ts(day)?, from_ts(day + DAY)?)
            .await
    }

    async fn ensure_dims(&self, plan_id: i64, dims: &[Dim]) -> Result<Vec<i64>> {
        let keys: Vec<DimKey> = dims
            .iter()
            .map(|d| {
                (
                    dim_in(&d.api_key_id).to_string(),
                    dim_in(&d.workspace_id).to_string(),
                    d.model.clone(),
                    d.service_tier.clone(),
                    d.context_window.clone(),
                    dim_in(&d.actor_id).to_string(),
                )
            })
            .collect();
        // Dimensions are only ever added: when every one exists, a read answers without
        // taking the write lock.
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(db_error("reading usage dimensions"))?;
        let known = plan_dims(&mut conn, plan_id).await?;
        drop(conn);
        if let Some(ids) = keys.iter().map(|k| known.get(k).copied()).collect() {
            return Ok(ids);
        }
        let missing: Vec<DimKey> = keys
            .iter()
            .filter(|k| !known.contains_key(*k))
            .cloned()
            .collect();
        let mut tx = self.begin_write().await?;
        let created = insert_dims(&mut tx, plan_id, missing).await?;
        tx.commit()
            .await
            .map_err(db_error("committing usage dimensions"))?;
        Ok(keys
            .iter()
            .map(|k| {
                known
                    .get(k)
                    .or_else(|| created.get(k))
                    .copied()
                    .unwrap_or(0)
            })
            .collect())
    }

    async fn replace_days_facts(
        &self,
        plan_id: i64,
        days: &[(&DayFacts, i64)],
    ) -> Result<Vec<bool>> {
        let mut tx = self.begin_write().await?;
        // One derivation of a plan's days at a time (they share the month's rollups); on
        // SQLite the write transaction already excludes every other writer.
        sqlx::query(LOCK_PLAN_FACTS)
            .bind(plan_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error("locking a plan's cost facts"))?;
        let mut written = Vec::with_capacity(days.len());
        let mut months = std::collections::BTreeSet::new();
        for (day, generation) in days {
            // Derived by someone else meanwhile, or changed again since: write nothing.
            let current =
                super::sql_stale::clear_mark(&mut tx, plan_id, day.day, *generation).await?;
            if current {
                // Built one day at a time: a month's statements built up front held a copy of
                // every value of the month (peak RSS +10 MB for 90 days) for no measurable
                // gain in time.
                run_statements(&mut tx, &mut day_facts_statements(plan_id, day)).await?;
                months.insert(month_of(day.day).0);
            }
            written.push(current);
        }
        if months.is_empty() {
            tx.rollback()
                .await
                .map_err(db_error("abandoning a day's cost facts"))?;
            return Ok(written);
        }
        for month in months {
            sum_month(&mut tx, plan_id, month).await?;
        }
        tx.commit()
            .await
            .map_err(db_error("committing a day's cost facts"))?;
        Ok(written)
    }

    async fn stale_days(
        &self,
        plan_ids: &[i64],
        range: Option<(i64, i64)>,
        after: Option<(i64, i64)>,
        limit: i64,
    ) -> Result<Vec<StaleDay>> {
        self.read_stale_days(plan_ids, range, after, limit).await
    }

    async fn mark_stale(&self, plan_id: i64, from: i64, to: i64) -> Result<()> {
        self.mark_range_stale(plan_id, from, to).await
    }

    async fn stored_day_facts(&self, plan_id: i64, day: i64) -> Result<DayFacts> {
        self.stored_day_rows(plan_id, day).await
    }

    async fn fact_extent(&self, plan_id: i64) -> Result<Option<(i64, i64)>> {
        let (first, last): (Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT MIN(lo), MAX(hi) FROM ( \
             SELECT MIN(bucket_start) AS lo, MAX(bucket_start) AS hi FROM costledger_usage \
             WHERE plan_id = $1 \
             UNION ALL SELECT MIN(bucket_start), MAX(bucket_start) FROM costledger_costs \
             WHERE plan_id = $1 \
             UNION ALL SELECT MIN(bucket_start), MAX(bucket_start) FROM costledger_usage_units \
             WHERE plan_id = $1 \
             UNION ALL SELECT MIN(hour), MAX(hour) FROM costledger_cost_facts WHERE plan_id = $1 \
             UNION ALL SELECT MIN(day), MAX(day) FROM costledger_cost_daily WHERE plan_id = $1 \
             UNION ALL SELECT MIN(day), MAX(day) FROM costledger_usage_daily WHERE plan_id = $1 \
             ) extent",
        )
        .bind(plan_id)
        .fetch_one(&self.pool)
        .await
        .map_err(db_error("reading the extent of a plan's data"))?;
        Ok(first
            .zip(last)
            .map(|(a, b)| (a.div_euclid(DAY) * DAY, b.div_euclid(DAY) * DAY + DAY)))
    }

    async fn month_rollups(&self, plan_id: i64, month: i64) -> Result<MonthRollups> {
        self.month_rollup_rows(plan_id, month).await
    }

    async fn dims(&self, plan_ids: &[i64]) -> Result<Vec<Dim>> {
        if plan_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(
            "SELECT plan_id, id, api_key_id, workspace_id, model, service_tier, context_window, \
             actor_id FROM costledger_usage_dims WHERE 1 = 1",
        );
        push_in(&mut q, "plan_id", plan_ids);
        q.push(" ORDER BY id");
        let rows = q
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("reading usage dimensions"))?;
        rows.iter()
            .map(|row| {
                let plan_id: i64 = row
                    .try_get(0)
                    .map_err(db_error("reading usage dimensions"))?;
                dim_from_row(row, 1, plan_id)
            })
            .collect()
    }

    async fn workspace_names(&self, plan_ids: &[i64]) -> Result<Vec<(i64, String, String)>> {
        if plan_ids.is_empty() {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(
            "SELECT plan_id, workspace_id, name FROM costledger_workspaces \
             WHERE workspace_id <> ''",
        );
        push_in(&mut q, "plan_id", plan_ids);
        q.build_query_as()
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("reading workspace names"))
    }

    async fn dims_of_keys(&self, keys: &[(i64, String)]) -> Result<Vec<Dim>> {
        self.dims_where(keys, "api_key_id = ").await
    }

    async fn dims_of_actors(&self, actors: &[(i64, String)]) -> Result<Vec<Dim>> {
        self.dims_where(actors, "actor_id = ").await
    }

    async fn sum_costs(
        &self,
        plan_ids: &[i64],
        span: SumOver<'_>,
        dim_ids: Option<&[i64]>,
    ) -> Result<Vec<FactSum>> {
        self.sums_of_costs(plan_ids, span, dim_ids).await
    }

    async fn cost_series(
        &self,
        plan_ids: &[i64],
        span: SumOver<'_>,
        of: SeriesOf<'_>,
    ) -> Result<Vec<(i64, Basis, Money)>> {
        self.series_of_costs(plan_ids, span, of).await
    }

    async fn sum_usage(
        &self,
        plan_ids: &[i64],
        span: SumOver<'_>,
    ) -> Result<Vec<(i64, i64, TokenCounts)>> {
        self.sums_of_usage(plan_ids, span).await
    }

    async fn unpriced(
        &self,
        plan_ids: &[i64],
        from: i64,
        to: i64,
        dim_ids: Option<&[i64]>,
    ) -> Result<Vec<(i64, i64, i64)>> {
        self.unpriced_usage(plan_ids, from, to, dim_ids).await
    }
}

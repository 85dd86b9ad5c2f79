// What `verify` reads of the derived facts, compiled once per backend (the including module
// defines `Db` and `ThisStore` with `pool`): a day's stored rows in the shape allocation
// computes them, and a month's rollups beside the sum of its days.

use sqlx::Row;

use crate::error::{Error, Result};
use crate::model::{Basis, Money, TokenCounts};
use crate::store::{DayFacts, Fact, MonthRollups, Unpriced, db_error};

use super::sql_facts::{DAY, basis_of, month_of, tokens_from_row};

impl ThisStore {
    /// (dimension, basis, amount) rows of a plan's rollup query with more `$n` bounds.
    async fn cost_rollup(
        &self,
        sql: &'static str,
        plan_id: i64,
        bounds: &[i64],
    ) -> Result<Vec<(i64, Basis, Money)>> {
        let mut q = sqlx::query_as::<_, (i64, i64, i64)>(sql).bind(plan_id);
        for b in bounds {
            q = q.bind(*b);
        }
        let rows = q
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("reading cost rollups"))?;
        rows.into_iter()
            .map(|(dim, basis, amount)| Ok((dim, basis_of(basis)?, Money::from_nanos(amount))))
            .collect()
    }

    /// (dimension, tokens) rows of a plan's usage rollup query with more `$n` bounds.
    async fn usage_rollup(
        &self,
        sql: &'static str,
        plan_id: i64,
        bounds: &[i64],
    ) -> Result<Vec<(i64, TokenCounts)>> {
        let mut q = sqlx::query(sql).bind(plan_id);
        for b in bounds {
            q = q.bind(*b);
        }
        let rows = q
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("reading usage rollups"))?;
        rows.iter()
            .map(|row| {
                let dim: i64 = row.try_get(0).map_err(db_error("reading usage rollups"))?;
                Ok((dim, tokens_from_row(row, 1)?))
            })
            .collect()
    }

    pub(super) async fn stored_day_rows(&self, plan_id: i64, day: i64) -> Result<DayFacts> {
        let (start, end) = (day, day + DAY);
        let read = |e| Error::storage("reading a day's cost facts", e);
        let mut out = DayFacts {
            day,
            ..DayFacts::default()
        };
        let rows: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT hour, dim_id, basis, amount_nanos FROM costledger_cost_facts \
             WHERE plan_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour, dim_id, basis",
        )
        .bind(plan_id)
        .bind(start)
        .bind(end)
        .fetch_all(&self.pool)
        .await
        .map_err(read)?;
        for (hour, dim_id, basis, amount) in rows {
            out.facts.push(Fact {
                hour,
                dim_id,
                basis: basis_of(basis)?,
                amount: Money::from_nanos(amount),
            });
        }
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT dim_id, basis, amount_nanos FROM costledger_cost_daily \
             WHERE plan_id = $1 AND day = $2 ORDER BY dim_id, basis",
        )
        .bind(plan_id)
        .bind(start)
        .fetch_all(&self.pool)
        .await
        .map_err(read)?;
        for (dim_id, basis, amount) in rows {
            out.daily
                .push((dim_id, basis_of(basis)?, Money::from_nanos(amount)));
        }
        let rows: Vec<(i64, String, i64, i64)> = sqlx::query_as(
            "SELECT hour, workspace_id, basis, amount_nanos FROM costledger_cost_hourly_ws \
             WHERE plan_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour, workspace_id, basis",
        )
        .bind(plan_id)
        .bind(start)
        .bind(end)
        .fetch_all(&self.pool)
        .await
        .map_err(read)?;
        for (hour, ws, basis, amount) in rows {
            out.hourly_ws
                .push((hour, ws, basis_of(basis)?, Money::from_nanos(amount)));
        }
        let rows: Vec<(String, i64, i64)> = sqlx::query_as(
            "SELECT workspace_id, basis, amount_nanos FROM costledger_cost_daily_ws \
             WHERE plan_id = $1 AND day = $2 ORDER BY workspace_id, basis",
        )
        .bind(plan_id)
        .bind(start)
        .fetch_all(&self.pool)
        .await
        .map_err(read)?;
        for (ws, basis, amount) in rows {
            out.daily_ws
                .push((ws, basis_of(basis)?, Money::from_nanos(amount)));
        }
        let rows = sqlx::query(
            "SELECT dim_id, uncached_input, cache_write_5m, cache_write_1h, cache_read, output, \
             web_search_requests FROM costledger_usage_daily WHERE plan_id = $1 AND day = $2 \
             ORDER BY dim_id",
        )
        .bind(plan_id)
        .bind(start)
        .fetch_all(&self.pool)
        .await
        .map_err(read)?;
        for row in &rows {
            out.usage
                .push((row.try_get(0).map_err(read)?, tokens_from_row(row, 1)?));
        }
        let rows: Vec<(i64, i64, i64)> = sqlx::query_as(
            "SELECT hour, dim_id, tokens FROM costledger_unpriced_hourly \
             WHERE plan_id = $1 AND hour >= $2 AND hour < $3 ORDER BY hour, dim_id",
        )
        .bind(plan_id)
        .bind(start)
        .bind(end)
        .fetch_all(&self.pool)
        .await
        .map_err(read)?;
        out.unpriced = rows
            .into_iter()
            .map(|(hour, dim_id, tokens)| Unpriced {
                hour,
                dim_id,
                tokens,
            })
            .collect();
        Ok(out)
    }

    pub(super) async fn month_rollup_rows(&self, plan_id: i64, month: i64) -> Result<MonthRollups> {
        let (month, next) = month_of(month);
        Ok(MonthRollups {
            cost: self
                .cost_rollup(
                    "SELECT dim_id, basis, amount_nanos FROM costledger_cost_monthly \
                     WHERE plan_id = $1 AND month = $2 ORDER BY dim_id, basis",
                    plan_id,
                    &[month],
                )
                .await?,
            cost_from_days: self
                .cost_rollup(
                    "SELECT dim_id, basis, CAST(SUM(amount_nanos) AS BIGINT) \
                     FROM costledger_cost_daily WHERE plan_id = $1 AND day >= $2 AND day < $3 \
                     GROUP BY dim_id, basis ORDER BY dim_id, basis",
                    plan_id,
                    &[month, next],
                )
                .await?,
            usage: self
                .usage_rollup(
                    "SELECT dim_id, uncached_input, cache_write_5m, cache_write_1h, cache_read, \
                     output, web_search_requests FROM costledger_usage_monthly \
                     WHERE plan_id = $1 AND month = $2 ORDER BY dim_id",
                    plan_id,
                    &[month],
                )
                .await?,
            usage_from_days: self
                .usage_rollup(
                    "SELECT dim_id, CAST(SUM(uncached_input) AS BIGINT), \
                     CAST(SUM(cache_write_5m) AS BIGINT), CAST(SUM(cache_write_1h) AS BIGINT), \
                     CAST(SUM(cache_read) AS BIGINT), CAST(SUM(output) AS BIGINT), \
                     CAST(SUM(web_search_requests) AS BIGINT) FROM costledger_usage_daily \
                     WHERE plan_id = $1 AND day >= $2 AND day < $3 GROUP BY dim_id \
                     ORDER BY dim_id",
                    plan_id,
                    &[month, next],
                )
                .await?,
        })
    }
}

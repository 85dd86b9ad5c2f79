// The sums and series reports read from the facts and rollups, compiled once per backend:
// the including module defines `Db` and `ThisStore` (with `pool`). Every sum is one query,
// built from what it sums (cost per dimension, a cost series, usage), over which span.

use sqlx::{QueryBuilder, Row};

use crate::error::{Error, Result};
use crate::model::{Basis, Money, TokenCounts};
use crate::store::db_error;
use crate::store::facts::{FactSum, Grain, SeriesOf, SumOver};

use super::sql_facts::{basis_of, push_in, tokens_from_row};

/// The usage columns summed, in [`TokenCounts`] order.
const USAGE_COLUMNS: [&str; 6] = [
    "uncached_input",
    "cache_write_5m",
    "cache_write_1h",
    "cache_read",
    "output",
    "web_search_requests",
];

/// The cost table of a grain, and its time column.
fn cost_table(grain: Grain, of: SeriesOf<'_>) -> Result<(&'static str, &'static str)> {
    Ok(match (grain, of) {
        (Grain::Month, SeriesOf::Dims(_)) => ("costledger_cost_monthly", "month"),
        (Grain::Day, SeriesOf::Dims(_)) => ("costledger_cost_daily", "day"),
        (Grain::Hour, SeriesOf::Dims(_)) => ("costledger_cost_facts", "hour"),
        (Grain::Day, SeriesOf::Workspace(_)) => ("costledger_cost_daily_ws", "day"),
        (Grain::Hour, SeriesOf::Workspace(_)) => ("costledger_cost_hourly_ws", "hour"),
        (Grain::Month, SeriesOf::Workspace(_)) => {
            return Err(Error::internal("no monthly rollup per workspace"));
        }
    })
}

/// The usage table of a grain, its time column and the condition that picks its rows.
fn usage_table(grain: Grain) -> (&'static str, &'static str, &'static str) {
    match grain {
        Grain::Month => ("costledger_usage_monthly", "month", ""),
        Grain::Day => ("costledger_usage_daily", "day", ""),
        Grain::Hour => ("costledger_usage", "bucket_start", " AND width = 3600"),
    }
}

/// `CASE WHEN {time} < b1 THEN b0 WHEN … END`: the start of the bucket an instant falls in.
fn push_bucket(q: &mut QueryBuilder<Db>, time: &str, bounds: &[i64]) {
    q.push("CASE");
    for w in bounds.windows(2) {
        q.push(format!(" WHEN {time} < "))
            .push_bind(w[1])
            .push(" THEN ")
            .push_bind(w[0]);
    }
    q.push(" END");
}

/// ` WHERE {time} >= from AND {time} < to` and the filters of `of`.
fn push_where(
    q: &mut QueryBuilder<Db>,
    time: &str,
    from: i64,
    to: i64,
    plans: &[i64],
    of: SeriesOf<'_>,
) {
    q.push(format!(" WHERE {time} >= "))
        .push_bind(from)
        .push(format!(" AND {time} < "))
        .push_bind(to);
    push_in(q, "plan_id", plans);
    match of {
        SeriesOf::Dims(Some(dims)) => push_in(q, "dim_id", dims),
        SeriesOf::Workspace(Some(ws)) => {
            q.push(" AND workspace_id = ").push_bind(ws.to_string());
        }
        SeriesOf::Dims(None) | SeriesOf::Workspace(None) => {}
    }
}

/// The one cost query: rows of (plan, time, dimension, basis, amount) when `per_dim`, of
/// (time, basis, amount) for a series; the time is NULL where `span` sums it away.
fn cost_query(
    plans: &[i64],
    span: SumOver<'_>,
    of: SeriesOf<'_>,
    per_dim: bool,
) -> Result<QueryBuilder<Db>> {
    let (keys, after) = if per_dim {
        ("plan_id, ", "dim_id, basis")
    } else {
        ("", "basis")
    };
    let mut q = QueryBuilder::<Db>::new(format!("SELECT {keys}"));
    let grouped_in_time = match span {
        // A per-dimension table's rows are already one per plan, time, dimension and basis
        // (its primary key): read as they are, without grouping them again (on Postgres the
        // grouping was most of a month's dashboard query).
        SumOver::Each(grain, from, to) if per_dim && matches!(of, SeriesOf::Dims(_)) => {
            let (table, time) = cost_table(grain, of)?;
            q.push(format!("{time}, {after}, amount_nanos FROM {table}"));
            push_where(&mut q, time, from, to, plans, of);
            return Ok(q);
        }
        SumOver::Total(grain, from, to) | SumOver::Each(grain, from, to) => {
            let (table, time) = cost_table(grain, of)?;
            let each = matches!(span, SumOver::Each(..));
            q.push(if each { time } else { "CAST(NULL AS BIGINT)" });
            q.push(format!(
                ", {after}, CAST(SUM(amount_nanos) AS BIGINT) FROM {table}"
            ));
            push_where(&mut q, time, from, to, plans, of);
            each
        }
        SumOver::Buckets(bounds) => {
            let (table, time) = cost_table(Grain::Hour, of)?;
            push_bucket(&mut q, time, bounds);
            q.push(format!(
                ", {after}, CAST(SUM(amount_nanos) AS BIGINT) FROM {table}"
            ));
            push_where(&mut q, time, bounds[0], bounds[bounds.len() - 1], plans, of);
            true
        }
        SumOver::Hours(ranges) => {
            // One index range per range of hours, rather than a scan of the span between.
            let (table, time) = cost_table(Grain::Hour, of)?;
            q.push(format!("t, {after}, CAST(SUM(a) AS BIGINT) FROM ("));
            let ranges = ranges.iter().filter(|(from, to)| from < to);
            for (i, (from, to)) in ranges.enumerate() {
                if i > 0 {
                    q.push(" UNION ALL ");
                }
                q.push(format!(
                    "SELECT {time} AS t, {keys}{after}, amount_nanos AS a FROM {table}"
                ));
                push_where(&mut q, time, *from, *to, plans, of);
            }
            q.push(") hours");
            true
        }
        SumOver::Pieces(pieces) => {
            q.push(format!(
                "CAST(NULL AS BIGINT), {after}, CAST(SUM(a) AS BIGINT) FROM ("
            ));
            for (i, p) in pieces.iter().enumerate() {
                let (table, time) = cost_table(p.grain, of)?;
                let sign = if p.minus { "-" } else { "" };
                if i > 0 {
                    q.push(" UNION ALL ");
                }
                q.push(format!(
                    "SELECT plan_id, dim_id, basis, {sign}amount_nanos AS a FROM {table}"
                ));
                push_where(&mut q, time, p.from, p.to, plans, of);
            }
            q.push(") pieces");
            false
        }
    };
    // A series is always per bucket (`series_of_costs` checks).
    q.push(match (per_dim, grouped_in_time) {
        (true, true) => " GROUP BY 1, 2, 3, 4",
        (true, false) => " GROUP BY 1, 3, 4",
        (false, _) => " GROUP BY 1, 2 ORDER BY 1",
    });
    if matches!(span, SumOver::Pieces(_)) {
        q.push(" HAVING SUM(a) <> 0");
    }
    Ok(q)
}

impl ThisStore {
    pub(super) async fn sums_of_costs(
        &self,
        plan_ids: &[i64],
        span: SumOver<'_>,
        dim_ids: Option<&[i64]>,
    ) -> Result<Vec<FactSum>> {
        if plan_ids.is_empty() || dim_ids.is_some_and(<[i64]>::is_empty) || span.is_empty() {
            return Ok(Vec::new());
        }
        let rows: Vec<(i64, Option<i64>, i64, i64, i64)> =
            cost_query(plan_ids, span, SeriesOf::Dims(dim_ids), true)?
                .build_query_as()
                .fetch_all(&self.pool)
                .await
                .map_err(db_error("summing cost facts"))?;
        rows.into_iter()
            .map(|(plan_id, at, dim_id, basis, amount)| {
                Ok(FactSum {
                    plan_id,
                    at,
                    dim_id,
                    basis: basis_of(basis)?,
                    amount: Money::from_nanos(amount),
                })
            })
            .collect()
    }

    pub(super) async fn series_of_costs(
        &self,
        plan_ids: &[i64],
        span: SumOver<'_>,
        of: SeriesOf<'_>,
    ) -> Result<Vec<(i64, Basis, Money)>> {
        if !matches!(
            span,
            SumOver::Each(..) | SumOver::Buckets(_) | SumOver::Hours(_)
        ) {
            return Err(Error::internal("a cost series is summed per bucket"));
        }
        if plan_ids.is_empty()
            || matches!(of, SeriesOf::Dims(Some(d)) if d.is_empty())
            || span.is_empty()
        {
            return Ok(Vec::new());
        }
        let rows: Vec<(i64, i64, i64)> = cost_query(plan_ids, span, of, false)?
            .build_query_as()
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("summing a cost series"))?;
        rows.into_iter()
            .map(|(at, basis, amount)| Ok((at, basis_of(basis)?, Money::from_nanos(amount))))
            .collect()
    }

    pub(super) async fn sums_of_usage(
        &self,
        plan_ids: &[i64],
        span: SumOver<'_>,
    ) -> Result<Vec<(i64, i64, TokenCounts)>> {
        let one;
        let pieces = match span {
            SumOver::Total(grain, from, to) => {
                one = [crate::store::facts::Piece {
                    grain,
                    from,
                    to,
                    minus: false,
                }];
                &one[..]
            }
            SumOver::Pieces(pieces) => pieces,
            SumOver::Each(..) | SumOver::Buckets(_) | SumOver::Hours(_) => {
                return Err(Error::internal("usage is summed over a whole span"));
            }
        };
        if plan_ids.is_empty() || span.is_empty() {
            return Ok(Vec::new());
        }
        let sums: Vec<String> = USAGE_COLUMNS
            .iter()
            .map(|c| format!("CAST(SUM({c}) AS BIGINT)"))
            .collect();
        let mut q =
            QueryBuilder::<Db>::new(format!("SELECT plan_id, dim_id, {} FROM ", sums.join(", ")));
        if let [p] = pieces
            && !p.minus
        {
            let (table, time, rows) = usage_table(p.grain);
            q.push(table);
            push_where(&mut q, time, p.from, p.to, plan_ids, SeriesOf::Dims(None));
            q.push(rows);
        } else {
            q.push("(");
            for (i, p) in pieces.iter().enumerate() {
                let (table, time, rows) = usage_table(p.grain);
                let sign = if p.minus { "-" } else { "" };
                let columns: Vec<String> = USAGE_COLUMNS
                    .iter()
                    .map(|c| format!("{sign}{c} AS {c}"))
                    .collect();
                if i > 0 {
                    q.push(" UNION ALL ");
                }
                q.push(format!(
                    "SELECT plan_id, dim_id, {} FROM {table}",
                    columns.join(", ")
                ));
                push_where(&mut q, time, p.from, p.to, plan_ids, SeriesOf::Dims(None));
                q.push(rows);
            }
            q.push(") pieces");
        }
        q.push(" GROUP BY plan_id, dim_id");
        let rows = q
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("summing usage"))?;
        rows.iter()
            .map(|row| {
                let read = |e| Error::storage("summing usage", e);
                Ok((
                    row.try_get(0).map_err(read)?,
                    row.try_get(1).map_err(read)?,
                    tokens_from_row(row, 2)?,
                ))
            })
            .collect()
    }

    pub(super) async fn unpriced_usage(
        &self,
        plan_ids: &[i64],
        from: i64,
        to: i64,
        dim_ids: Option<&[i64]>,
    ) -> Result<Vec<(i64, i64, i64)>> {
        if plan_ids.is_empty() || dim_ids.is_some_and(<[i64]>::is_empty) {
            return Ok(Vec::new());
        }
        let mut q = QueryBuilder::<Db>::new(
            "SELECT plan_id, dim_id, CAST(SUM(tokens) AS BIGINT) FROM costledger_unpriced_hourly",
        );
        push_where(&mut q, "hour", from, to, plan_ids, SeriesOf::Dims(dim_ids));
        q.push(" GROUP BY plan_id, dim_id");
        q.build_query_as()
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("reading unpriced usage"))
    }
}

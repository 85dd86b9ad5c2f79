// Non-token usage (`costledger_usage_units`), compiled once per backend: the including
// module defines `Db`. Written inside a usage page's transaction; read by tests, the unit
// report and the estimate of a day the bill has not reached.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row};

use crate::error::{Error, Result};
use crate::model::{UnitRow, UsageUnit};
use crate::store::{db_error, dim_in, dim_out, from_ts, shaped_chunks, to_ts};

type UnitConn = <Db as sqlx::Database>::Connection;

/// (bucket start, workspace, key, actor, model, unit, variant) as stored.
type UnitKey = (i64, String, String, String, String, &'static str, String);

/// Rows per multi-row insert (a power of two: see `shaped_chunks`).
const UNIT_CHUNK: usize = 64;

/// Rows of one key merged (a provider that repeats a combination within a bucket must not
/// make the insert fail, nor lose counts; a level is the same in each repeat, so it is kept
/// once).
fn merged_units(units: &[UnitRow]) -> Vec<(UnitKey, u64, u64)> {
    let mut merged: BTreeMap<UnitKey, (u64, u64)> = BTreeMap::new();
    for u in units {
        let key = (
            to_ts(u.bucket_start),
            dim_in(&u.workspace_id).to_string(),
            dim_in(&u.api_key_id).to_string(),
            dim_in(&u.actor_id).to_string(),
            dim_in(&u.model).to_string(),
            u.unit.as_str(),
            dim_in(&u.variant).to_string(),
        );
        let entry = merged.entry(key).or_default();
        entry.0 += u.requests;
        entry.1 = if u.unit.is_level() {
            entry.1.max(u.quantity)
        } else {
            entry.1 + u.quantity
        };
    }
    merged.into_iter().map(|(k, (r, q))| (k, r, q)).collect()
}

fn to_db(n: u64, what: &str) -> Result<i64> {
    i64::try_from(n).map_err(|_| Error::invalid(format!("{what} {n} is too large to store")))
}

/// Replace the unit rows of `[start, end)` at `width` seconds with `units`, inside the
/// caller's transaction. Returns the rows written.
pub(crate) async fn replace_units(
    conn: &mut UnitConn,
    plan_id: i64,
    width: i64,
    (start, end): (i64, i64),
    units: &[UnitRow],
) -> Result<u64> {
    sqlx::query(
        "DELETE FROM costledger_usage_units WHERE plan_id = $1 AND width = $2 \
         AND bucket_start >= $3 AND bucket_start < $4",
    )
    .bind(plan_id)
    .bind(width)
    .bind(start)
    .bind(end)
    .execute(&mut *conn)
    .await
    .map_err(db_error("replacing non-token usage"))?;
    let rows = merged_units(units);
    for (key, _, _) in &rows {
        if key.0 < start || key.0 >= end {
            return Err(Error::invalid(format!(
                "a usage page from {start} to {end} holds a {} row of bucket {}",
                key.5, key.0
            )));
        }
    }
    for chunk in shaped_chunks(&rows, UNIT_CHUNK) {
        let mut values = Vec::with_capacity(chunk.len());
        for (key, requests, quantity) in chunk {
            values.push((key, to_db(*requests, "requests")?, to_db(*quantity, "quantity")?));
        }
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO costledger_usage_units (plan_id, width, bucket_start, workspace_id, \
             api_key_id, actor_id, model, unit, variant, requests, quantity) ",
        );
        q.push_values(values, |mut b, (key, requests, quantity)| {
            b.push_bind(plan_id)
                .push_bind(width)
                .push_bind(key.0)
                .push_bind(key.1.clone())
                .push_bind(key.2.clone())
                .push_bind(key.3.clone())
                .push_bind(key.4.clone())
                .push_bind(key.5)
                .push_bind(key.6.clone())
                .push_bind(requests)
                .push_bind(quantity);
        });
        q.build()
            .execute(&mut *conn)
            .await
            .map_err(db_error("storing non-token usage"))?;
    }
    Ok(rows.len() as u64)
}

/// Stored unit rows of a plan at `width` seconds with buckets in `[start, end)`, in bucket
/// order.
pub(crate) async fn unit_rows(
    pool: &sqlx::Pool<Db>,
    plan_id: i64,
    width: i64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<Vec<UnitRow>> {
    let rows = sqlx::query(
        "SELECT bucket_start, workspace_id, api_key_id, actor_id, model, unit, variant, \
         requests, quantity FROM costledger_usage_units \
         WHERE plan_id = $1 AND width = $2 AND bucket_start >= $3 AND bucket_start < $4 \
         ORDER BY bucket_start, workspace_id, api_key_id, actor_id, model, unit, variant",
    )
    .bind(plan_id)
    .bind(width)
    .bind(to_ts(start))
    .bind(to_ts(end))
    .fetch_all(pool)
    .await
    .map_err(db_error("reading non-token usage"))?;
    let read = |e| Error::storage("reading a non-token usage row", e);
    rows.iter()
        .map(|row| {
            let unit: String = row.try_get(5).map_err(read)?;
            let unit: UsageUnit = unit.parse().map_err(|_| Error::Storage {
                message: format!("stored usage unit {unit:?} cannot be read; the row is corrupt"),
                source: None,
            })?;
            let count = |i: usize| -> Result<u64> {
                let n: i64 = row.try_get(i).map_err(read)?;
                u64::try_from(n).map_err(|_| Error::Storage {
                    message: format!("stored unit count {n} is negative; the row is corrupt"),
                    source: None,
                })
            };
            Ok(UnitRow {
                bucket_start: from_ts(row.try_get(0).map_err(read)?)?,
                workspace_id: dim_out(row.try_get(1).map_err(read)?),
                api_key_id: dim_out(row.try_get(2).map_err(read)?),
                actor_id: dim_out(row.try_get(3).map_err(read)?),
                model: dim_out(row.try_get(4).map_err(read)?),
                unit,
                variant: dim_out(row.try_get(6).map_err(read)?),
                requests: count(7)?,
                quantity: count(8)?,
            })
        })
        .collect()
}

// Shared ReconcileStore queries, compiled once per backend: the including module defines `Db`
// and `ThisStore` (with `pool`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::error::{Error, Result};
use crate::model::Money;
use crate::store::reconcile::{ReconcileStore, TierTotal};
use crate::store::{db_error, from_ts, to_ts};

#[async_trait]
impl ReconcileStore for ThisStore {
    async fn analytics_tier_totals(
        &self,
        plan_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        tier: &str,
    ) -> Result<Vec<TierTotal>> {
        // Integer division floors for the non-negative instants stored.
        let rows = sqlx::query(
            "SELECT CAST(bucket_start / 86400 AS BIGINT) AS day_number, \
             CAST(SUM(amount_net_nanos) AS BIGINT) AS net, \
             CAST(SUM(amount_list_nanos) AS BIGINT) AS list \
             FROM costledger_analytics_costs \
             WHERE plan_id = $1 AND bucket_start >= $2 AND bucket_start < $3 \
             AND service_tier = $4 \
             GROUP BY (bucket_start / 86400) ORDER BY 1",
        )
        .bind(plan_id)
        .bind(to_ts(start))
        .bind(to_ts(end))
        .bind(tier)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("summing analytics cost rows of a tier"))?;
        let read = |e| Error::storage("reading analytics tier totals", e);
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let day_number: i64 = row.try_get("day_number").map_err(read)?;
            out.push(TierTotal {
                day: from_ts(day_number * 86_400)?.date_naive(),
                net: Money::from_nanos(row.try_get("net").map_err(read)?),
                list: Money::from_nanos(row.try_get("list").map_err(read)?),
            });
        }
        Ok(out)
    }
}

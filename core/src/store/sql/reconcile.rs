// Shared ReconcileStore queries, compiled once per backend: the including module defines `Db`
// and `ThisStore` (with `pool`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use crate::error::Result;
use crate::store::analytics_hours::tier_totals;
use crate::store::reconcile::{ReconcileStore, TierTotal};
use crate::store::{db_error, to_ts};

#[async_trait]
impl ReconcileStore for ThisStore {
    async fn analytics_tier_totals(
        &self,
        plan_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        tier: &str,
    ) -> Result<Vec<TierTotal>> {
        let records: Vec<(i64, Vec<u8>)> = sqlx::query_as(
            "SELECT bucket_start, cost_rows FROM costledger_analytics_hours \
             WHERE plan_id = $1 AND bucket_start >= $2 AND bucket_start < $3 \
             ORDER BY bucket_start, bucket_width",
        )
        .bind(plan_id)
        .bind(to_ts(start))
        .bind(to_ts(end))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading analytics cost rows of a tier"))?;
        tier_totals(&records, tier)
    }
}

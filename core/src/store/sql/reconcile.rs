// Shared ReconcileStore queries, compiled once per backend: the including module defines `Db`
// and `ThisStore` (with `pool`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::store::analytics_hours::tier_totals;
use crate::store::reconcile::{ReconcileStore, TierTotal};
use crate::store::to_ts;

#[async_trait]
impl ReconcileStore for ThisStore {
    async fn analytics_tier_totals(
        &self,
        plan_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        tier: &str,
    ) -> Result<Vec<TierTotal>> {
        let records =
            super::sql_analytics::read_records(&self.pool, plan_id, (to_ts(start), to_ts(end)), None)
                .await?;
        tier_totals(&records, tier)
    }
}

// Shared SyncStore queries, compiled once per backend: the including module defines `Db`
// and `ThisStore` (with `pool`).

use async_trait::async_trait;
use sqlx::{QueryBuilder, Row};

use crate::error::{Error, Result};
use crate::model::{SyncEvent, SyncHistoryFilter};
use crate::store::{
    LeaseInfo, PlanSyncUpdate, SyncStore, db_error, from_ms, from_ts, to_ms, to_ts,
};

type DbRow = <Db as sqlx::Database>::Row;

fn event_from_row(row: &DbRow) -> Result<SyncEvent> {
    let read = |e| Error::storage("reading a sync event", e);
    let stream: String = row.try_get("stream").map_err(read)?;
    let status: String = row.try_get("status").map_err(read)?;
    let opt_ts = |v: Option<i64>| v.map(from_ts).transpose();
    Ok(SyncEvent {
        id: row.try_get("id").map_err(read)?,
        plan_id: row.try_get("plan_id").map_err(read)?,
        stream: stream.parse()?,
        started_at: from_ms(row.try_get("started_at_ms").map_err(read)?)?,
        finished_at: from_ms(row.try_get("finished_at_ms").map_err(read)?)?,
        status: status.parse()?,
        window_start: opt_ts(row.try_get("window_start").map_err(read)?)?,
        window_end: opt_ts(row.try_get("window_end").map_err(read)?)?,
        buckets_written: row.try_get("buckets_written").map_err(read)?,
        rows_written: row.try_get("rows_written").map_err(read)?,
        requests: row.try_get("requests").map_err(read)?,
        retries: row.try_get("retries").map_err(read)?,
        error_code: row.try_get("error_code").map_err(read)?,
        error_message: row.try_get("error_message").map_err(read)?,
    })
}

#[async_trait]
impl SyncStore for ThisStore {
    async fn try_acquire_lease(
        &self,
        plan_id: i64,
        holder: &str,
        now_ms: i64,
        ttl_ms: i64,
    ) -> Result<bool> {
        // Inserts when free; overwrites only an expired lease; otherwise touches nothing and
        // returns no row.
        let taken = sqlx::query(
            "INSERT INTO costledger_sync_leases (plan_id, holder, lease_until_ms, acquired_at_ms) \
             VALUES ($1, $2, $3, $4) \
             ON CONFLICT (plan_id) DO UPDATE SET holder = excluded.holder, \
             lease_until_ms = excluded.lease_until_ms, acquired_at_ms = excluded.acquired_at_ms \
             WHERE costledger_sync_leases.lease_until_ms < excluded.acquired_at_ms \
             RETURNING holder",
        )
        .bind(plan_id)
        .bind(holder)
        .bind(now_ms + ttl_ms)
        .bind(now_ms)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("taking a sync lease"))?;
        Ok(taken.is_some())
    }

    async fn renew_lease(
        &self,
        plan_id: i64,
        holder: &str,
        now_ms: i64,
        ttl_ms: i64,
    ) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE costledger_sync_leases SET lease_until_ms = $1 \
             WHERE plan_id = $2 AND holder = $3",
        )
        .bind(now_ms + ttl_ms)
        .bind(plan_id)
        .bind(holder)
        .execute(&self.pool)
        .await
        .map_err(db_error("renewing a sync lease"))?;
        Ok(done.rows_affected() == 1)
    }

    async fn release_lease(&self, plan_id: i64, holder: &str) -> Result<()> {
        sqlx::query("DELETE FROM costledger_sync_leases WHERE plan_id = $1 AND holder = $2")
            .bind(plan_id)
            .bind(holder)
            .execute(&self.pool)
            .await
            .map_err(db_error("releasing a sync lease"))?;
        Ok(())
    }

    async fn lease(&self, plan_id: i64) -> Result<Option<LeaseInfo>> {
        let row: Option<(String, i64)> = sqlx::query_as(
            "SELECT holder, lease_until_ms FROM costledger_sync_leases WHERE plan_id = $1",
        )
        .bind(plan_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("reading a sync lease"))?;
        row.map(|(holder, until)| {
            Ok(LeaseInfo {
                holder,
                lease_until: from_ms(until)?,
            })
        })
        .transpose()
    }

    async fn insert_sync_events(&self, events: &[SyncEvent]) -> Result<()> {
        if events.is_empty() {
            return Ok(());
        }
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO costledger_sync_events (plan_id, stream, started_at_ms, finished_at_ms, \
             status, window_start, window_end, buckets_written, rows_written, requests, retries, \
             error_code, error_message) ",
        );
        q.push_values(events, |mut b, e| {
            b.push_bind(e.plan_id)
                .push_bind(e.stream.as_str())
                .push_bind(to_ms(e.started_at))
                .push_bind(to_ms(e.finished_at))
                .push_bind(e.status.as_str())
                .push_bind(e.window_start.map(to_ts))
                .push_bind(e.window_end.map(to_ts))
                .push_bind(e.buckets_written)
                .push_bind(e.rows_written)
                .push_bind(e.requests)
                .push_bind(e.retries)
                .push_bind(e.error_code.clone())
                .push_bind(e.error_message.clone());
        });
        q.build()
            .execute(&self.pool)
            .await
            .map_err(db_error("recording sync events"))?;
        Ok(())
    }

    async fn sync_events(&self, filter: &SyncHistoryFilter) -> Result<Vec<SyncEvent>> {
        if !(1..=10_000).contains(&filter.limit) {
            return Err(Error::invalid(format!(
                "history limit must be between 1 and 10000, got {}",
                filter.limit
            )));
        }
        let mut q = QueryBuilder::<Db>::new(
            "SELECT id, plan_id, stream, started_at_ms, finished_at_ms, status, window_start, \
             window_end, buckets_written, rows_written, requests, retries, error_code, \
             error_message FROM costledger_sync_events WHERE 1 = 1",
        );
        if let Some(plan) = filter.plan_id {
            q.push(" AND plan_id = ").push_bind(plan);
        }
        if let Some(stream) = filter.stream {
            q.push(" AND stream = ").push_bind(stream.as_str());
        }
        if let Some(status) = filter.status {
            q.push(" AND status = ").push_bind(status.as_str());
        }
        if let Some(before) = filter.before_id {
            q.push(" AND id < ").push_bind(before);
        }
        q.push(" ORDER BY id DESC LIMIT ").push_bind(filter.limit);
        let rows = q
            .build()
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("reading sync events"))?;
        rows.iter().map(event_from_row).collect()
    }

    async fn record_plan_sync(&self, plan_id: i64, update: &PlanSyncUpdate) -> Result<()> {
        let mut q = QueryBuilder::<Db>::new("UPDATE costledger_plans SET updated_at = updated_at");
        if let Some(status) = update.status {
            // A plan disconnected while it synced stays disconnected.
            q.push(", status = CASE WHEN status = 'disconnected' THEN status ELSE ")
                .push_bind(status.as_str())
                .push(" END");
        }
        if let Some(at) = update.last_synced_at {
            q.push(", last_synced_at = ").push_bind(to_ts(at));
        }
        if let Some(error) = &update.last_error {
            q.push(", last_error = ").push_bind(error.clone());
        }
        if let Some(name) = &update.org_name {
            q.push(", org_name = ").push_bind(name.clone());
        }
        q.push(" WHERE id = ").push_bind(plan_id);
        q.build()
            .execute(&self.pool)
            .await
            .map_err(db_error("recording a plan's sync outcome"))?;
        Ok(())
    }
}

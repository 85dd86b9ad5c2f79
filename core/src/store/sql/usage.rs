// Shared UsageStore queries, compiled once per backend: the including module defines `Db`,
// `ThisStore` (with `pool`, `begin_write` and `insert_usage_rows`).

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row};

use crate::error::{Error, Result};
use crate::model::{
    ApiKeyInfo, BucketWidth, ClaudeCodePage, ClaudeCodeRecord, CostPage, CostRow, Money,
    OrgMetadata, OrgUser, TokenCounts, UsagePage, UsageRow, Workspace,
};
use crate::store::{
    UsageStore, Watermark, WatermarkAdvance, db_error, dim_in, dim_out, from_ts, shaped_chunks,
    to_ts,
};

use super::sql_writes::{
    DbConn, DimKey, advance_watermark, billed_days_changed, insert_dims, plan_dims,
};

/// One usage row ready for the bulk insert.
pub(crate) struct UsageInsert {
    pub bucket_start: i64,
    pub dim_id: i64,
    pub tokens: TokenCounts,
}

fn dim_key(row: &UsageRow) -> DimKey {
    (
        dim_in(&row.api_key_id).to_string(),
        dim_in(&row.workspace_id).to_string(),
        dim_in(&row.model).to_string(),
        dim_in(&row.service_tier).to_string(),
        dim_in(&row.context_window).to_string(),
        dim_in(&row.actor_id).to_string(),
    )
}

/// Ids of the page's dimension combinations, inserting the new ones.
pub(crate) async fn resolve_dims(
    conn: &mut DbConn,
    plan_id: i64,
    wanted: impl Iterator<Item = DimKey>,
) -> Result<HashMap<DimKey, i64>> {
    let mut ids = plan_dims(conn, plan_id).await?;
    let missing: Vec<DimKey> = wanted.filter(|k| !ids.contains_key(k)).collect();
    ids.extend(insert_dims(conn, plan_id, missing).await?);
    Ok(ids)
}

/// Rows of a page merged by bucket and dimensions (a provider that repeats a combination
/// within a bucket must not make the insert fail, nor lose tokens).
fn merged_rows(page: &UsagePage) -> Vec<(i64, DimKey, TokenCounts)> {
    let mut merged: HashMap<(i64, DimKey), TokenCounts> = HashMap::with_capacity(page.rows.len());
    for row in &page.rows {
        merged
            .entry((to_ts(row.bucket_start), dim_key(row)))
            .or_default()
            .add(&row.tokens);
    }
    let mut rows: Vec<_> = merged.into_iter().map(|((t, k), c)| (t, k, c)).collect();
    rows.sort_by(|a, b| (a.0, &a.1).cmp(&(b.0, &b.1)));
    rows
}

/// Rows per multi-row insert (a power of two: see `shaped_chunks`).
pub(super) const METADATA_CHUNK: usize = 256;

#[async_trait]
impl UsageStore for ThisStore {
    async fn replace_usage_page(
        &self,
        plan_id: i64,
        page: &UsagePage,
        advance: Option<&WatermarkAdvance>,
    ) -> Result<u64> {
        let rows = merged_rows(page);
        let mut tx = self.begin_write().await?;
        let dims = resolve_dims(&mut tx, plan_id, rows.iter().map(|r| r.1.clone())).await?;
        sqlx::query(
            "DELETE FROM costledger_usage WHERE plan_id = $1 AND width = $2 \
             AND bucket_start >= $3 AND bucket_start < $4",
        )
        .bind(plan_id)
        .bind(page.width.seconds())
        .bind(to_ts(page.starting_at))
        .bind(to_ts(page.ending_at))
        .execute(&mut *tx)
        .await
        .map_err(db_error("replacing usage buckets"))?;
        let inserts: Vec<UsageInsert> = rows
            .into_iter()
            .map(|(bucket_start, key, tokens)| UsageInsert {
                bucket_start,
                dim_id: dims[&key],
                tokens,
            })
            .collect();
        ThisStore::insert_usage_rows(&mut tx, plan_id, page.width.seconds(), &inserts).await?;
        let range = (to_ts(page.starting_at), to_ts(page.ending_at));
        let units = super::sql_units::replace_units(
            &mut tx,
            plan_id,
            page.width.seconds(),
            range,
            &page.units,
        )
        .await?;
        super::sql_stale::mark_stale(
            &mut tx,
            plan_id,
            to_ts(page.starting_at),
            to_ts(page.ending_at),
        )
        .await?;
        if let Some(advance) = advance {
            advance_watermark(&mut tx, plan_id, advance).await?;
        }
        tx.commit()
            .await
            .map_err(db_error("committing a usage page"))?;
        Ok(inserts.len() as u64 + units)
    }

    async fn replace_cost_page(
        &self,
        plan_id: i64,
        page: &CostPage,
        advance: Option<&WatermarkAdvance>,
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "DELETE FROM costledger_costs WHERE plan_id = $1 \
             AND bucket_start >= $2 AND bucket_start < $3",
        )
        .bind(plan_id)
        .bind(to_ts(page.starting_at))
        .bind(to_ts(page.ending_at))
        .execute(&mut *tx)
        .await
        .map_err(db_error("replacing cost rows"))?;
        for chunk in shaped_chunks(&page.rows, METADATA_CHUNK) {
            let mut insert = QueryBuilder::<Db>::new(
                "INSERT INTO costledger_costs (plan_id, bucket_start, workspace_id, cost_type, \
                 model, service_tier, context_window, token_type, inference_geo, description, \
                 amount_nanos, api_key_id) ",
            );
            insert.push_values(chunk, |mut b, row| {
                b.push_bind(plan_id)
                    .push_bind(to_ts(row.bucket_start))
                    .push_bind(dim_in(&row.workspace_id).to_string())
                    .push_bind(dim_in(&row.cost_type).to_string())
                    .push_bind(dim_in(&row.model).to_string())
                    .push_bind(dim_in(&row.service_tier).to_string())
                    .push_bind(dim_in(&row.context_window).to_string())
                    .push_bind(dim_in(&row.token_type).to_string())
                    .push_bind(dim_in(&row.inference_geo).to_string())
                    .push_bind(row.description.clone())
                    .push_bind(row.amount.nanos())
                    .push_bind(dim_in(&row.api_key_id).to_string());
            });
            insert
                .build()
                .execute(&mut *tx)
                .await
                .map_err(db_error("storing cost rows"))?;
        }
        let mut stale = super::sql_stale::days_of(to_ts(page.starting_at), to_ts(page.ending_at));
        if let Some(advance) = advance {
            let before = advance_watermark(&mut tx, plan_id, advance).await?;
            stale.extend(billed_days_changed(before, advance));
        }
        stale.sort_unstable();
        stale.dedup();
        super::sql_stale::mark_days(&mut tx, plan_id, &stale).await?;
        tx.commit()
            .await
            .map_err(db_error("committing a cost page"))?;
        Ok(page.rows.len() as u64)
    }

    async fn watermark(&self, plan_id: i64, stream: &str) -> Result<Option<Watermark>> {
        let row: Option<(i64, i64)> = sqlx::query_as(
            "SELECT watermark, first_start FROM costledger_sync_state \
             WHERE plan_id = $1 AND stream = $2",
        )
        .bind(plan_id)
        .bind(stream)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("reading a watermark"))?;
        row.map(|(w, f)| {
            Ok(Watermark {
                watermark: from_ts(w)?,
                first_start: from_ts(f)?,
            })
        })
        .transpose()
    }

    async fn usage_rows(
        &self,
        plan_id: i64,
        width: BucketWidth,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<UsageRow>> {
        let rows = sqlx::query(
            "SELECT u.bucket_start, d.api_key_id, d.workspace_id, d.model, d.service_tier, \
             d.context_window, u.uncached_input, u.cache_write_5m, u.cache_write_1h, \
             u.cache_read, u.output, u.web_search_requests, d.actor_id \
             FROM costledger_usage u JOIN costledger_usage_dims d ON d.id = u.dim_id \
             WHERE u.plan_id = $1 AND u.width = $2 AND u.bucket_start >= $3 \
             AND u.bucket_start < $4 \
             ORDER BY u.bucket_start, d.api_key_id, d.workspace_id, d.model, d.service_tier, \
             d.context_window, d.actor_id",
        )
        .bind(plan_id)
        .bind(width.seconds())
        .bind(to_ts(start))
        .bind(to_ts(end))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading usage rows"))?;
        let read = |e| Error::storage("reading a usage row", e);
        rows.iter()
            .map(|row| {
                Ok(UsageRow {
                    bucket_start: from_ts(row.try_get(0).map_err(read)?)?,
                    api_key_id: dim_out(row.try_get(1).map_err(read)?),
                    workspace_id: dim_out(row.try_get(2).map_err(read)?),
                    model: dim_out(row.try_get(3).map_err(read)?),
                    service_tier: dim_out(row.try_get(4).map_err(read)?),
                    context_window: dim_out(row.try_get(5).map_err(read)?),
                    inference_geo: None,
                    actor_id: dim_out(row.try_get(12).map_err(read)?),
                    tokens: TokenCounts {
                        uncached_input: row.try_get(6).map_err(read)?,
                        cache_write_5m: row.try_get(7).map_err(read)?,
                        cache_write_1h: row.try_get(8).map_err(read)?,
                        cache_read: row.try_get(9).map_err(read)?,
                        output: row.try_get(10).map_err(read)?,
                        web_search_requests: row.try_get(11).map_err(read)?,
                    },
                })
            })
            .collect()
    }

    async fn unit_rows(
        &self,
        plan_id: i64,
        width: BucketWidth,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<crate::model::UnitRow>> {
        super::sql_units::unit_rows(&self.pool, plan_id, width.seconds(), start, end).await
    }

    async fn cost_rows(
        &self,
        plan_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<CostRow>> {
        let rows = sqlx::query(
            "SELECT bucket_start, workspace_id, cost_type, model, service_tier, context_window, \
             token_type, inference_geo, description, amount_nanos, api_key_id \
             FROM costledger_costs \
             WHERE plan_id = $1 AND bucket_start >= $2 AND bucket_start < $3 \
             ORDER BY bucket_start, id",
        )
        .bind(plan_id)
        .bind(to_ts(start))
        .bind(to_ts(end))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading cost rows"))?;
        let read = |e| Error::storage("reading a cost row", e);
        rows.iter()
            .map(|row| {
                Ok(CostRow {
                    bucket_start: from_ts(row.try_get(0).map_err(read)?)?,
                    workspace_id: dim_out(row.try_get(1).map_err(read)?),
                    cost_type: dim_out(row.try_get(2).map_err(read)?),
                    model: dim_out(row.try_get(3).map_err(read)?),
                    service_tier: dim_out(row.try_get(4).map_err(read)?),
                    context_window: dim_out(row.try_get(5).map_err(read)?),
                    token_type: dim_out(row.try_get(6).map_err(read)?),
                    inference_geo: dim_out(row.try_get(7).map_err(read)?),
                    description: row.try_get(8).map_err(read)?,
                    amount: Money::from_nanos(row.try_get(9).map_err(read)?),
                    api_key_id: dim_out(row.try_get(10).map_err(read)?),
                })
            })
            .collect()
    }

    async fn upsert_metadata(&self, plan_id: i64, metadata: &OrgMetadata) -> Result<()> {
        let mut tx = self.begin_write().await?;
        for chunk in shaped_chunks(&metadata.workspaces, METADATA_CHUNK) {
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO costledger_workspaces (plan_id, workspace_id, name, display_color, \
                 created_at, archived_at) ",
            );
            q.push_values(chunk, |mut b, w| {
                b.push_bind(plan_id)
                    .push_bind(w.id.clone())
                    .push_bind(w.name.clone())
                    .push_bind(w.display_color.clone())
                    .push_bind(w.created_at.map(to_ts))
                    .push_bind(w.archived_at.map(to_ts));
            });
            q.push(
                " ON CONFLICT (plan_id, workspace_id) DO UPDATE SET name = excluded.name, \
                 display_color = excluded.display_color, created_at = excluded.created_at, \
                 archived_at = excluded.archived_at",
            );
            q.build()
                .execute(&mut *tx)
                .await
                .map_err(db_error("storing workspaces"))?;
        }
        for chunk in shaped_chunks(&metadata.api_keys, METADATA_CHUNK) {
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO costledger_api_keys (plan_id, api_key_id, name, workspace_id, \
                 status, created_at, created_by_id, created_by_type, partial_key_hint, \
                 expires_at) ",
            );
            q.push_values(chunk, |mut b, k| {
                b.push_bind(plan_id)
                    .push_bind(k.id.clone())
                    .push_bind(k.name.clone())
                    .push_bind(dim_in(&k.workspace_id).to_string())
                    .push_bind(k.status.clone())
                    .push_bind(k.created_at.map(to_ts))
                    .push_bind(k.created_by_id.clone())
                    .push_bind(k.created_by_type.clone())
                    .push_bind(k.partial_key_hint.clone())
                    .push_bind(k.expires_at.map(to_ts));
            });
            q.push(
                " ON CONFLICT (plan_id, api_key_id) DO UPDATE SET name = excluded.name, \
                 workspace_id = excluded.workspace_id, status = excluded.status, \
                 created_at = excluded.created_at, created_by_id = excluded.created_by_id, \
                 created_by_type = excluded.created_by_type, \
                 partial_key_hint = excluded.partial_key_hint, expires_at = excluded.expires_at",
            );
            q.build()
                .execute(&mut *tx)
                .await
                .map_err(db_error("storing API keys"))?;
        }
        for chunk in shaped_chunks(&metadata.users, METADATA_CHUNK) {
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO costledger_org_users (plan_id, user_id, email, name, role, added_at) ",
            );
            q.push_values(chunk, |mut b, u| {
                b.push_bind(plan_id)
                    .push_bind(u.id.clone())
                    .push_bind(u.email.clone())
                    .push_bind(u.name.clone())
                    .push_bind(u.role.clone())
                    .push_bind(u.added_at.map(to_ts));
            });
            q.push(
                " ON CONFLICT (plan_id, user_id) DO UPDATE SET email = excluded.email, \
                 name = excluded.name, role = excluded.role, added_at = excluded.added_at",
            );
            q.build()
                .execute(&mut *tx)
                .await
                .map_err(db_error("storing organisation users"))?;
        }
        tx.commit().await.map_err(db_error("committing metadata"))?;
        Ok(())
    }

    async fn metadata(&self, plan_id: i64) -> Result<OrgMetadata> {
        let read = |e| Error::storage("reading metadata", e);
        let opt_ts = |v: Option<i64>| v.map(from_ts).transpose();
        let mut meta = OrgMetadata::default();
        let rows = sqlx::query(
            "SELECT workspace_id, name, display_color, created_at, archived_at \
             FROM costledger_workspaces WHERE plan_id = $1 AND workspace_id <> '' \
             ORDER BY workspace_id",
        )
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading stored data"))?;
        for row in rows {
            meta.workspaces.push(Workspace {
                id: row.try_get(0).map_err(read)?,
                name: row.try_get(1).map_err(read)?,
                display_color: row.try_get(2).map_err(read)?,
                created_at: opt_ts(row.try_get(3).map_err(read)?)?,
                archived_at: opt_ts(row.try_get(4).map_err(read)?)?,
            });
        }
        let rows = sqlx::query(
            "SELECT api_key_id, name, workspace_id, status, created_at, created_by_id, \
             created_by_type, partial_key_hint, expires_at FROM costledger_api_keys \
             WHERE plan_id = $1 ORDER BY api_key_id",
        )
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading stored data"))?;
        for row in rows {
            meta.api_keys.push(ApiKeyInfo {
                id: row.try_get(0).map_err(read)?,
                name: row.try_get(1).map_err(read)?,
                workspace_id: dim_out(row.try_get(2).map_err(read)?),
                status: row.try_get(3).map_err(read)?,
                created_at: opt_ts(row.try_get(4).map_err(read)?)?,
                created_by_id: row.try_get(5).map_err(read)?,
                created_by_type: row.try_get(6).map_err(read)?,
                partial_key_hint: row.try_get(7).map_err(read)?,
                expires_at: opt_ts(row.try_get(8).map_err(read)?)?,
            });
        }
        let rows = sqlx::query(
            "SELECT user_id, email, name, role, added_at FROM costledger_org_users \
             WHERE plan_id = $1 ORDER BY user_id",
        )
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading stored data"))?;
        for row in rows {
            meta.users.push(OrgUser {
                id: row.try_get(0).map_err(read)?,
                email: row.try_get(1).map_err(read)?,
                name: row.try_get(2).map_err(read)?,
                role: row.try_get(3).map_err(read)?,
                added_at: opt_ts(row.try_get(4).map_err(read)?)?,
            });
        }
        Ok(meta)
    }

    async fn replace_claude_code_page(
        &self,
        plan_id: i64,
        page: &ClaudeCodePage,
        advance: Option<&WatermarkAdvance>,
    ) -> Result<u64> {
        self.write_claude_code_page(plan_id, page, advance).await
    }

    async fn claude_code_records(
        &self,
        plan_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<ClaudeCodeRecord>> {
        self.read_claude_code_records(plan_id, start, end).await
    }
}

// Shared AnalyticsStore queries, compiled once per backend: the including module defines `Db`
// and `ThisStore` (with `pool` and `begin_write`).

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::BTreeMap;

use sqlx::{QueryBuilder, Row};

use crate::error::{Error, Result};
use crate::model::{Actor, ActorKey, AnalyticsCostRow, Money};
use crate::store::analytics::{
    AnalyticsFactRow, AnalyticsStore, AnalyticsTotal, AnalyticsTotalsBy, actor_columns, actor_key,
};
use crate::store::{WatermarkAdvance, db_error, from_ts, shaped_chunks, to_ts};

use super::sql_stale::{days_of, mark_days};
use super::sql_writes::{
    DbConn, Statements, advance_watermark, billed_days_changed, run_statements,
};

/// `None` stored as `''`, as the usage dimensions do.
fn col(v: &Option<String>) -> &str {
    v.as_deref().unwrap_or("")
}

fn uncol(v: String) -> Option<String> {
    (!v.is_empty()).then_some(v)
}

/// Cost rows per multi-row statement (19 values each): well inside both backends' bind limits.
const COST_CHUNK: usize = 256;

/// Actors per multi-row statement (10 values each).
const ACTOR_CHUNK: usize = 64;

/// The conflict key of a cost row in primary-key order: (bucket, key, workspace, model,
/// actor type and id, the other group values).
type CostKey<'a> = (i64, [&'a str; 3], &'static str, String, [&'a str; 7]);

/// Cost rows ready for writing, prepared before the write lock is taken: each actor once, and
/// the rows in primary-key order (a row repeated in `rows` counts once, the last one).
struct PreparedCosts<'a> {
    actors: BTreeMap<(&'static str, String), &'a Actor>,
    rows: Vec<(CostKey<'a>, &'a AnalyticsCostRow)>,
}

/// Checks every row names its actor, and keys and orders them.
fn prepare_costs(rows: &[AnalyticsCostRow]) -> Result<PreparedCosts<'_>> {
    let mut actors: BTreeMap<(&'static str, String), &Actor> = BTreeMap::new();
    let mut unique: BTreeMap<CostKey<'_>, &AnalyticsCostRow> = BTreeMap::new();
    for row in rows {
        let actor = row.group.actor.as_ref().ok_or_else(|| {
            Error::invalid(
                "analytics cost rows are stored grouped by actor; request them with \
                 AnalyticsDimension::Actor",
            )
        })?;
        let (actor_type, actor_id) = actor_columns(&actor.key());
        let g = &row.group;
        let key = (
            to_ts(row.starting_at),
            [col(&g.api_key_id), col(&g.workspace_id), col(&g.model)],
            actor_type,
            actor_id.clone(),
            [
                col(&g.cost_type),
                col(&g.token_type),
                col(&g.service_tier),
                col(&g.context_window),
                col(&g.inference_geo),
                col(&g.product),
                col(&g.speed),
            ],
        );
        unique.insert(key, row);
        actors.insert((actor_type, actor_id), actor);
    }
    Ok(PreparedCosts {
        actors,
        rows: unique.into_iter().collect(),
    })
}

/// The statements that write prepared cost rows and the actors they name (metadata updated,
/// first seen kept), upserting on (bucket, width, every group value): multi-row statements
/// of a few fixed sizes. They are built (their values encoded) before the write lock is
/// taken; `run_statements` executes them inside the transaction.
fn cost_statements(
    plan_id: i64,
    width_secs: i64,
    prepared: &PreparedCosts<'_>,
    now: DateTime<Utc>,
) -> Statements {
    let PreparedCosts { actors, rows } = prepared;
    let mut statements = Vec::new();
    let actors: Vec<_> = actors.iter().collect();
    for chunk in shaped_chunks(&actors, ACTOR_CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO costledger_analytics_actors \
             (plan_id, actor_type, actor_id, provider, subject, email_address, name, deleted, \
              first_seen, last_seen) ",
        );
        q.push_values(chunk, |mut b, ((actor_type, actor_id), actor)| {
            let (provider, subject, email, name, deleted) = match actor {
                Actor::User {
                    email_address,
                    name,
                    deleted,
                    ..
                } => (None, None, email_address.as_deref(), name.as_deref(), *deleted),
                Actor::Federated { provider, subject } => {
                    (Some(provider.as_str()), Some(subject.as_str()), None, None, false)
                }
                _ => (None, None, None, None, false),
            };
            b.push_bind(plan_id)
                .push_bind(*actor_type)
                .push_bind(actor_id.as_str())
                .push_bind(provider)
                .push_bind(subject)
                .push_bind(email)
                .push_bind(name)
                .push_bind(i64::from(deleted))
                .push_bind(to_ts(now))
                .push_bind(to_ts(now));
        });
        q.push(
            " ON CONFLICT (plan_id, actor_type, actor_id) DO UPDATE SET \
             email_address = excluded.email_address, name = excluded.name, \
             deleted = excluded.deleted, last_seen = excluded.last_seen",
        );
        statements.push((q, "storing analytics actors"));
    }
    for chunk in shaped_chunks(rows, COST_CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO costledger_analytics_costs \
             (plan_id, bucket_start, bucket_width, api_key_id, workspace_id, model, \
              actor_type, actor_id, cost_type, token_type, service_tier, context_window, \
              inference_geo, product, speed, currency, amount_net_nanos, amount_list_nanos, \
              requests) ",
        );
        q.push_values(chunk, |mut b, ((start, ids, actor_type, actor_id, more), row)| {
            b.push_bind(plan_id)
                .push_bind(*start)
                .push_bind(width_secs);
            for v in ids {
                b.push_bind(*v);
            }
            b.push_bind(*actor_type).push_bind(actor_id.as_str());
            for v in more {
                b.push_bind(*v);
            }
            b.push_bind(row.currency.as_str())
                .push_bind(row.amount.nanos())
                .push_bind(row.list_amount.nanos())
                .push_bind(row.requests);
        });
        q.push(
            " ON CONFLICT (plan_id, bucket_start, bucket_width, api_key_id, workspace_id, \
             model, actor_type, actor_id, cost_type, token_type, service_tier, \
             context_window, inference_geo, product, speed) DO UPDATE SET \
             currency = excluded.currency, amount_net_nanos = excluded.amount_net_nanos, \
             amount_list_nanos = excluded.amount_list_nanos, requests = excluded.requests",
        );
        statements.push((q, "storing analytics cost rows"));
    }
    statements
}

/// Deletes the cost rows of `plan_id` whose bucket starts in `[start, end)`, inside the
/// caller's transaction; returns how many.
async fn delete_cost_rows(
    conn: &mut DbConn,
    plan_id: i64,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM costledger_analytics_costs \
         WHERE plan_id = $1 AND bucket_start >= $2 AND bucket_start < $3",
    )
    .bind(plan_id)
    .bind(to_ts(start))
    .bind(to_ts(end))
    .execute(&mut *conn)
    .await
    .map_err(db_error("deleting analytics cost rows"))?;
    Ok(done.rows_affected())
}

#[async_trait]
impl AnalyticsStore for ThisStore {
    async fn upsert_analytics_costs(
        &self,
        plan_id: i64,
        width_secs: i64,
        rows: &[AnalyticsCostRow],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let prepared = prepare_costs(rows)?;
        let mut statements = cost_statements(plan_id, width_secs, &prepared, now);
        let mut tx = self.begin_write().await?;
        run_statements(&mut tx, &mut statements).await?;
        tx.commit()
            .await
            .map_err(db_error("committing analytics cost rows"))
    }

    async fn replace_analytics_range(
        &self,
        plan_id: i64,
        width_secs: i64,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
        rows: &[AnalyticsCostRow],
        advance: Option<&WatermarkAdvance>,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        // Checked, ordered and encoded before the write lock is taken: the lock is held for
        // the writes alone.
        let prepared = prepare_costs(rows)?;
        let mut statements = cost_statements(plan_id, width_secs, &prepared, now);
        let mut tx = self.begin_write().await?;
        delete_cost_rows(&mut tx, plan_id, start, end).await?;
        run_statements(&mut tx, &mut statements).await?;
        let mut stale = days_of(to_ts(start), to_ts(end));
        if let Some(advance) = advance {
            let before = advance_watermark(&mut tx, plan_id, advance).await?;
            stale.extend(billed_days_changed(before, advance));
        }
        stale.sort_unstable();
        stale.dedup();
        mark_days(&mut tx, plan_id, &stale).await?;
        tx.commit()
            .await
            .map_err(db_error("committing analytics cost rows"))?;
        Ok(rows.len() as u64)
    }

    async fn delete_analytics_costs(
        &self,
        plan_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        let deleted = delete_cost_rows(&mut tx, plan_id, start, end).await?;
        tx.commit()
            .await
            .map_err(db_error("committing deleted analytics cost rows"))?;
        Ok(deleted)
    }

    async fn analytics_cost_totals(
        &self,
        plan_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        by: AnalyticsTotalsBy,
    ) -> Result<Vec<AnalyticsTotal>> {
        // Integer division floors for the non-negative instants stored.
        let (select, group) = match by {
            AnalyticsTotalsBy::Day => ("CAST('' AS TEXT) AS gid, CAST('' AS TEXT) AS gtype", ""),
            AnalyticsTotalsBy::ApiKey => ("c.api_key_id AS gid, CAST('' AS TEXT) AS gtype", ", c.api_key_id"),
            AnalyticsTotalsBy::Workspace => {
                ("c.workspace_id AS gid, CAST('' AS TEXT) AS gtype", ", c.workspace_id")
            }
            AnalyticsTotalsBy::Actor => (
                "c.actor_id AS gid, c.actor_type AS gtype",
                ", c.actor_type, c.actor_id",
            ),
        };
        let query = format!(
            "SELECT CAST(c.bucket_start / 86400 AS BIGINT) AS day_number, {select}, \
             CAST(SUM(c.amount_net_nanos) AS BIGINT) AS net, \
             CAST(SUM(c.amount_list_nanos) AS BIGINT) AS list, \
             CAST(SUM(c.requests) AS BIGINT) AS requests, CAST(COUNT(*) AS BIGINT) AS n, \
             CAST(COUNT(c.requests) AS BIGINT) AS with_requests, \
             MIN(a.provider) AS provider, MIN(a.subject) AS subject \
             FROM costledger_analytics_costs c \
             LEFT JOIN costledger_analytics_actors a ON a.plan_id = c.plan_id \
               AND a.actor_type = c.actor_type AND a.actor_id = c.actor_id \
             WHERE c.plan_id = $1 AND c.bucket_start >= $2 AND c.bucket_start < $3 \
             GROUP BY (c.bucket_start / 86400){group} \
             ORDER BY 1, 2, 3"
        );
        // Only the fixed fragments above are spliced in; every value is bound.
        let rows = sqlx::query(sqlx::AssertSqlSafe(query))
            .bind(plan_id)
            .bind(to_ts(start))
            .bind(to_ts(end))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("summing analytics cost rows"))?;
        let read = |e| Error::storage("reading analytics totals", e);
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let day_number: i64 = row.try_get("day_number").map_err(read)?;
            let day: NaiveDate = from_ts(day_number * 86_400)?.date_naive();
            let gid: String = row.try_get("gid").map_err(read)?;
            let gtype: String = row.try_get("gtype").map_err(read)?;
            let n: i64 = row.try_get("n").map_err(read)?;
            let with_requests: i64 = row.try_get("with_requests").map_err(read)?;
            let requests: Option<i64> = row.try_get("requests").map_err(read)?;
            let (id, actor) = match by {
                AnalyticsTotalsBy::Day => (None, None),
                AnalyticsTotalsBy::ApiKey | AnalyticsTotalsBy::Workspace => (uncol(gid), None),
                AnalyticsTotalsBy::Actor => {
                    let provider: Option<String> = row.try_get("provider").map_err(read)?;
                    let subject: Option<String> = row.try_get("subject").map_err(read)?;
                    let key: ActorKey = actor_key(&gtype, gid, provider.zip(subject))?;
                    (None, Some(key))
                }
            };
            out.push(AnalyticsTotal {
                day,
                id,
                actor,
                net: Money::from_nanos(row.try_get("net").map_err(read)?),
                list: Money::from_nanos(row.try_get("list").map_err(read)?),
                requests: (with_requests == n).then(|| requests.unwrap_or(0)),
            });
        }
        Ok(out)
    }

    async fn analytics_fact_rows(
        &self,
        plan_id: i64,
        start: i64,
        end: i64,
    ) -> Result<Vec<AnalyticsFactRow>> {
        let rows = sqlx::query(
            "SELECT bucket_start, api_key_id, workspace_id, model, service_tier, \
             context_window, \
             CASE WHEN actor_type = 'user_actor' THEN actor_id ELSE '' END AS user_id, \
             CAST(SUM(amount_net_nanos) AS BIGINT) AS net, \
             CAST(SUM(amount_list_nanos) AS BIGINT) AS list \
             FROM costledger_analytics_costs \
             WHERE plan_id = $1 AND bucket_width = 3600 \
               AND bucket_start >= $2 AND bucket_start < $3 \
             GROUP BY bucket_start, api_key_id, workspace_id, model, service_tier, \
               context_window, CASE WHEN actor_type = 'user_actor' THEN actor_id ELSE '' END \
             ORDER BY 1, 2, 3, 4, 5, 6, 7",
        )
        .bind(plan_id)
        .bind(start)
        .bind(end)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading a day's analytics cost rows"))?;
        let read = |e| Error::storage("reading an analytics cost row", e);
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(AnalyticsFactRow {
                hour: row.try_get("bucket_start").map_err(read)?,
                api_key_id: uncol(row.try_get("api_key_id").map_err(read)?),
                workspace_id: uncol(row.try_get("workspace_id").map_err(read)?),
                model: row.try_get("model").map_err(read)?,
                service_tier: row.try_get("service_tier").map_err(read)?,
                context_window: row.try_get("context_window").map_err(read)?,
                user_id: uncol(row.try_get("user_id").map_err(read)?),
                net: Money::from_nanos(row.try_get("net").map_err(read)?),
                list: Money::from_nanos(row.try_get("list").map_err(read)?),
            });
        }
        Ok(out)
    }

    async fn analytics_actors(&self, plan_id: i64) -> Result<Vec<Actor>> {
        let rows = sqlx::query(
            "SELECT actor_type, actor_id, provider, subject, email_address, name, deleted \
             FROM costledger_analytics_actors WHERE plan_id = $1 \
             ORDER BY actor_type, actor_id",
        )
        .bind(plan_id)
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading analytics actors"))?;
        let read = |e| Error::storage("reading an analytics actor", e);
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let actor_type: String = row.try_get("actor_type").map_err(read)?;
            let actor_id: String = row.try_get("actor_id").map_err(read)?;
            let provider: Option<String> = row.try_get("provider").map_err(read)?;
            let subject: Option<String> = row.try_get("subject").map_err(read)?;
            let deleted: i64 = row.try_get("deleted").map_err(read)?;
            let actor = match actor_key(&actor_type, actor_id, provider.zip(subject))? {
                ActorKey::User(user_id) => Actor::User {
                    user_id,
                    email_address: row.try_get("email_address").map_err(read)?,
                    name: row.try_get("name").map_err(read)?,
                    deleted: deleted != 0,
                },
                ActorKey::ApiKey(api_key_id) => Actor::ApiKey { api_key_id },
                ActorKey::ServiceAccount(service_account_id) => {
                    Actor::ServiceAccount { service_account_id }
                }
                ActorKey::Federated { provider, subject } => Actor::Federated { provider, subject },
            };
            out.push(actor);
        }
        Ok(out)
    }
}

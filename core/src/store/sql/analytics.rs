// Shared AnalyticsStore queries, compiled once per backend: the including module defines `Db`
// and `ThisStore` (with `pool` and `begin_write`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use std::collections::BTreeMap;

use sqlx::{QueryBuilder, Row};

use crate::error::{Error, Result};
use crate::model::{Actor, ActorKey, AnalyticsCostRow};
use crate::store::analytics::{
    AnalyticsFactRow, AnalyticsStore, AnalyticsTotal, AnalyticsTotalsBy, actor_key,
};
use crate::store::analytics_hours::{
    StoredActor, decode, encode, fact_rows, row_identity, totals,
};
use crate::store::{WatermarkAdvance, db_error, from_ts, shaped_chunks, to_ts};

use super::sql_stale::{days_of, mark_days};
use super::sql_writes::{
    DbConn, Statements, advance_watermark, billed_days_changed, run_statements,
};

/// Hour records per multi-row statement (5 values each).
const RECORD_CHUNK: usize = 64;

/// Actors per multi-row statement (10 values each).
const ACTOR_CHUNK: usize = 64;

/// Cost rows ready for writing, prepared before the write lock is taken: each actor once,
/// and each bucket's rows (a row repeated counts once, the last one) as its stored record.
struct PreparedCosts<'a> {
    /// Each actor by its identity, with its metadata as the last row naming it gave it.
    actors: BTreeMap<StoredActor<'a>, &'a Actor>,
    /// (bucket start, rows, record).
    records: Vec<(i64, i64, Vec<u8>)>,
}

/// Checks every row names its actor, keeps the last of repeated rows, and encodes each
/// bucket's rows in the order of their group values.
fn prepare_costs(rows: &[AnalyticsCostRow]) -> Result<PreparedCosts<'_>> {
    let actors = actors_of(rows)?;
    let mut keyed = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        keyed.push((to_ts(row.starting_at), row_identity(row), i));
    }
    // By bucket and group, a repeated row's copies in the order given: the last one is kept.
    // Sorted by bucket first (the pages give the rows nearly so), then each bucket's few
    // rows by group: far fewer comparisons of group values than one sort of the whole range.
    keyed.sort_unstable_by_key(|(start, _, i)| (*start, *i));
    for bucket in keyed.chunk_by_mut(|a, b| a.0 == b.0) {
        bucket.sort_unstable();
    }
    let mut records = Vec::new();
    let mut at = 0;
    while at < keyed.len() {
        let start = keyed[at].0;
        let mut bucket: Vec<&AnalyticsCostRow> = Vec::new();
        while at < keyed.len() && keyed[at].0 == start {
            let same_as_next = keyed
                .get(at + 1)
                .is_some_and(|next| (next.0, &next.1) == (start, &keyed[at].1));
            if !same_as_next {
                bucket.push(&rows[keyed[at].2]);
            }
            at += 1;
        }
        records.push((start, bucket.len() as i64, encode(bucket)));
    }
    Ok(PreparedCosts { actors, records })
}

/// Each actor `rows` name, with its metadata as the last row naming it gave it; an error when
/// a row names none.
fn actors_of(rows: &[AnalyticsCostRow]) -> Result<BTreeMap<StoredActor<'_>, &Actor>> {
    // A run of rows naming the same actor is looked up once, with the run's last row.
    let mut named: Vec<(StoredActor<'_>, &Actor)> = Vec::new();
    for row in rows {
        let Some(actor) = row.group.actor.as_ref() else {
            return Err(Error::invalid(
                "analytics cost rows are stored grouped by actor; request them with \
                 AnalyticsDimension::Actor",
            ));
        };
        let key = StoredActor::from(actor);
        match named.last_mut() {
            Some(last) if last.0 == key => last.1 = actor,
            _ => named.push((key, actor)),
        }
    }
    // Inserted in row order: a later row's metadata replaces an earlier one's.
    Ok(named.into_iter().collect())
}

/// The statements that write prepared records (replacing a bucket's record) and the actors
/// they name (metadata updated, first seen kept): multi-row statements of a few fixed sizes,
/// built before the write lock is taken; `run_statements` executes them inside the
/// transaction.
fn cost_statements(
    plan_id: i64,
    width_secs: i64,
    prepared: &PreparedCosts<'_>,
    now: DateTime<Utc>,
) -> Statements {
    let PreparedCosts { actors, records } = prepared;
    let mut statements = Vec::new();
    let actors: Vec<_> = actors
        .iter()
        .map(|(stored, actor)| ((stored.type_name(), stored.column_id()), *actor))
        .collect();
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
                .push_bind(actor_id.as_ref())
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
    for chunk in shaped_chunks(records, RECORD_CHUNK) {
        let mut q = QueryBuilder::<Db>::new(
            "INSERT INTO costledger_analytics_hours \
             (plan_id, bucket_start, bucket_width, row_count, cost_rows) ",
        );
        q.push_values(chunk, |mut b, (start, count, record)| {
            b.push_bind(plan_id)
                .push_bind(*start)
                .push_bind(width_secs)
                .push_bind(*count)
                .push_bind(record.as_slice());
        });
        q.push(
            " ON CONFLICT (plan_id, bucket_start, bucket_width) DO UPDATE SET \
             row_count = excluded.row_count, cost_rows = excluded.cost_rows",
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
    let counts: Vec<(i64,)> = sqlx::query_as(
        "DELETE FROM costledger_analytics_hours \
         WHERE plan_id = $1 AND bucket_start >= $2 AND bucket_start < $3 \
         RETURNING row_count",
    )
    .bind(plan_id)
    .bind(to_ts(start))
    .bind(to_ts(end))
    .fetch_all(&mut *conn)
    .await
    .map_err(db_error("deleting analytics cost rows"))?;
    Ok(counts.iter().map(|(n,)| *n as u64).sum())
}

/// The stored records of `plan_id` whose bucket starts in `[start, end)` (of width
/// `width_secs` when given), in bucket order.
pub(super) async fn read_records(
    pool: &sqlx::Pool<Db>,
    plan_id: i64,
    (start, end): (i64, i64),
    width_secs: Option<i64>,
) -> Result<Vec<(i64, Vec<u8>)>> {
    sqlx::query_as(
        "SELECT bucket_start, cost_rows FROM costledger_analytics_hours \
         WHERE plan_id = $1 AND bucket_start >= $2 AND bucket_start < $3 \
           AND ($4 IS NULL OR bucket_width = $4) \
         ORDER BY bucket_start, bucket_width",
    )
    .bind(plan_id)
    .bind(start)
    .bind(end)
    .bind(width_secs)
    .fetch_all(pool)
    .await
    .map_err(db_error("reading analytics cost rows"))
}

/// The rows of one stored record, owned again (for merging a page into a bucket).
fn owned_rows(start: i64, width_secs: i64, record: &[u8]) -> Result<Vec<AnalyticsCostRow>> {
    let (starting_at, ending_at) = (from_ts(start)?, from_ts(start + width_secs)?);
    decode(record)?
        .into_iter()
        .map(|row| Ok(row.to_cost_row(starting_at, ending_at)))
        .collect()
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
        let mut tx = self.begin_write().await?;
        // A page upserts rows into buckets that may hold others: each bucket it touches is
        // read, merged (the page's rows win) and written back, inside the transaction.
        let mut buckets: Vec<i64> = rows.iter().map(|r| to_ts(r.starting_at)).collect();
        buckets.sort_unstable();
        buckets.dedup();
        let mut merged: Vec<AnalyticsCostRow> = Vec::new();
        for start in buckets {
            let stored: Option<(Vec<u8>,)> = sqlx::query_as(
                "SELECT cost_rows FROM costledger_analytics_hours \
                 WHERE plan_id = $1 AND bucket_start = $2 AND bucket_width = $3",
            )
            .bind(plan_id)
            .bind(start)
            .bind(width_secs)
            .fetch_optional(&mut *tx)
            .await
            .map_err(db_error("reading analytics cost rows"))?;
            if let Some((record,)) = stored {
                merged.extend(owned_rows(start, width_secs, &record)?);
            }
        }
        merged.extend(rows.iter().cloned());
        let mut prepared = prepare_costs(&merged)?;
        // Only the page's rows carry their actors' metadata (a record keeps an actor's
        // identity alone): the actors of the rows read back are not written again, which
        // would blank their emails and names.
        prepared.actors = actors_of(rows)?;
        let mut statements = cost_statements(plan_id, width_secs, &prepared, now);
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
        // Checked, grouped and encoded before the write lock is taken: the lock is held for
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
        let records = read_records(&self.pool, plan_id, (to_ts(start), to_ts(end)), None).await?;
        totals(&records, by)
    }

    async fn analytics_fact_rows(
        &self,
        plan_id: i64,
        start: i64,
        end: i64,
    ) -> Result<Vec<AnalyticsFactRow>> {
        let records = read_records(&self.pool, plan_id, (start, end), Some(3_600)).await?;
        fact_rows(&records)
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

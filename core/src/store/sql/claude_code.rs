// The Claude Code analytics stream's days, compiled once per backend (the including module
// defines `Db` and `ThisStore` with `pool` and `begin_write`).

use chrono::{DateTime, Utc};
use sqlx::{QueryBuilder, Row};

use crate::error::{Error, Result};
use crate::model::{ClaudeCodeModelUsage, ClaudeCodePage, ClaudeCodeRecord, Money};
use crate::store::{WatermarkAdvance, db_error, from_ts, shaped_chunks, to_ts};

use super::sql_usage::METADATA_CHUNK;
use super::sql_writes::advance_watermark;

/// Records of a day merged by (actor, terminal): a provider that splits one actor's
/// terminal into two records must not make the insert fail, nor lose counts.
fn merged_records(page: &ClaudeCodePage) -> Vec<ClaudeCodeRecord> {
    let mut merged: Vec<ClaudeCodeRecord> = Vec::with_capacity(page.records.len());
    for record in &page.records {
        let same = merged.iter_mut().find(|m| {
            (&m.actor_type, &m.actor_id, &m.terminal_type)
                == (&record.actor_type, &record.actor_id, &record.terminal_type)
        });
        let Some(m) = same else {
            merged.push(record.clone());
            continue;
        };
        m.num_sessions += record.num_sessions;
        m.lines_added += record.lines_added;
        m.lines_removed += record.lines_removed;
        m.commits += record.commits;
        m.pull_requests += record.pull_requests;
        for (tool, (accepted, rejected)) in &record.tool_actions {
            let entry = m.tool_actions.entry(tool.clone()).or_default();
            entry.0 += accepted;
            entry.1 += rejected;
        }
        for usage in &record.models {
            match m.models.iter_mut().find(|u| u.model == usage.model) {
                Some(u) => {
                    u.input += usage.input;
                    u.output += usage.output;
                    u.cache_read += usage.cache_read;
                    u.cache_creation += usage.cache_creation;
                    u.estimated_cost += usage.estimated_cost;
                }
                None => m.models.push(usage.clone()),
            }
        }
    }
    merged
}

impl ThisStore {
    pub(super) async fn write_claude_code_page(
        &self,
        plan_id: i64,
        page: &ClaudeCodePage,
        advance: Option<&WatermarkAdvance>,
    ) -> Result<u64> {
        let day = to_ts(page.day.and_hms_opt(0, 0, 0).expect("midnight").and_utc());
        let records = merged_records(page);
        let mut tx = self.begin_write().await?;
        for table in ["costledger_claude_code_models", "costledger_claude_code"] {
            let sql = format!("DELETE FROM {table} WHERE plan_id = $1 AND day = $2");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .bind(plan_id)
                .bind(day)
                .execute(&mut *tx)
                .await
                .map_err(db_error("replacing Claude Code analytics"))?;
        }
        for chunk in shaped_chunks(&records, METADATA_CHUNK) {
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO costledger_claude_code (plan_id, day, actor_type, actor_id, \
                 terminal_type, customer_type, subscription_type, num_sessions, lines_added, \
                 lines_removed, commits, pull_requests, tool_actions) ",
            );
            q.push_values(chunk, |mut b, r| {
                b.push_bind(plan_id)
                    .push_bind(day)
                    .push_bind(r.actor_type.clone())
                    .push_bind(r.actor_id.clone())
                    .push_bind(r.terminal_type.clone())
                    .push_bind(r.customer_type.clone())
                    .push_bind(r.subscription_type.clone())
                    .push_bind(r.num_sessions)
                    .push_bind(r.lines_added)
                    .push_bind(r.lines_removed)
                    .push_bind(r.commits)
                    .push_bind(r.pull_requests)
                    .push_bind(serde_json::to_string(&r.tool_actions).unwrap_or_default());
            });
            q.build()
                .execute(&mut *tx)
                .await
                .map_err(db_error("storing Claude Code analytics"))?;
        }
        let models: Vec<(&ClaudeCodeRecord, &ClaudeCodeModelUsage)> = records
            .iter()
            .flat_map(|r| r.models.iter().map(move |m| (r, m)))
            .collect();
        for chunk in shaped_chunks(&models, METADATA_CHUNK) {
            let mut q = QueryBuilder::<Db>::new(
                "INSERT INTO costledger_claude_code_models (plan_id, day, actor_type, actor_id, \
                 terminal_type, model, input_tokens, output_tokens, cache_read_tokens, \
                 cache_creation_tokens, estimated_cost_nanos) ",
            );
            q.push_values(chunk, |mut b, (r, m)| {
                b.push_bind(plan_id)
                    .push_bind(day)
                    .push_bind(r.actor_type.clone())
                    .push_bind(r.actor_id.clone())
                    .push_bind(r.terminal_type.clone())
                    .push_bind(m.model.clone())
                    .push_bind(m.input)
                    .push_bind(m.output)
                    .push_bind(m.cache_read)
                    .push_bind(m.cache_creation)
                    .push_bind(m.estimated_cost.nanos());
            });
            q.build()
                .execute(&mut *tx)
                .await
                .map_err(db_error("storing Claude Code model usage"))?;
        }
        if let Some(advance) = advance {
            advance_watermark(&mut tx, plan_id, advance).await?;
        }
        tx.commit()
            .await
            .map_err(db_error("committing Claude Code analytics"))?;
        Ok(records.len() as u64)
    }

    pub(super) async fn read_claude_code_records(
        &self,
        plan_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<ClaudeCodeRecord>> {
        let read = |e| Error::storage("reading Claude Code analytics", e);
        let rows = sqlx::query(
            "SELECT day, actor_type, actor_id, terminal_type, customer_type, subscription_type, \
             num_sessions, lines_added, lines_removed, commits, pull_requests, tool_actions \
             FROM costledger_claude_code WHERE plan_id = $1 AND day >= $2 AND day < $3 \
             ORDER BY day, actor_type, actor_id, terminal_type",
        )
        .bind(plan_id)
        .bind(to_ts(start))
        .bind(to_ts(end))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading stored data"))?;
        let mut records = Vec::with_capacity(rows.len());
        for row in rows {
            let tools: String = row.try_get(11).map_err(read)?;
            records.push(ClaudeCodeRecord {
                date: from_ts(row.try_get(0).map_err(read)?)?.date_naive(),
                actor_type: row.try_get(1).map_err(read)?,
                actor_id: row.try_get(2).map_err(read)?,
                terminal_type: row.try_get(3).map_err(read)?,
                customer_type: row.try_get(4).map_err(read)?,
                subscription_type: row.try_get(5).map_err(read)?,
                num_sessions: row.try_get(6).map_err(read)?,
                lines_added: row.try_get(7).map_err(read)?,
                lines_removed: row.try_get(8).map_err(read)?,
                commits: row.try_get(9).map_err(read)?,
                pull_requests: row.try_get(10).map_err(read)?,
                tool_actions: serde_json::from_str(&tools)
                    .map_err(|e| Error::storage("reading Claude Code tool actions", e))?,
                models: Vec::new(),
            });
        }
        let rows = sqlx::query(
            "SELECT day, actor_type, actor_id, terminal_type, model, input_tokens, output_tokens, \
             cache_read_tokens, cache_creation_tokens, estimated_cost_nanos \
             FROM costledger_claude_code_models WHERE plan_id = $1 AND day >= $2 AND day < $3 \
             ORDER BY day, actor_type, actor_id, terminal_type, model",
        )
        .bind(plan_id)
        .bind(to_ts(start))
        .bind(to_ts(end))
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading stored data"))?;
        for row in rows {
            let date = from_ts(row.try_get(0).map_err(read)?)?.date_naive();
            let key: (String, String, String) = (
                row.try_get(1).map_err(read)?,
                row.try_get(2).map_err(read)?,
                row.try_get(3).map_err(read)?,
            );
            let usage = ClaudeCodeModelUsage {
                model: row.try_get(4).map_err(read)?,
                input: row.try_get(5).map_err(read)?,
                output: row.try_get(6).map_err(read)?,
                cache_read: row.try_get(7).map_err(read)?,
                cache_creation: row.try_get(8).map_err(read)?,
                estimated_cost: Money::from_nanos(row.try_get(9).map_err(read)?),
            };
            if let Some(record) = records.iter_mut().find(|r| {
                r.date == date
                    && (&r.actor_type, &r.actor_id, &r.terminal_type) == (&key.0, &key.1, &key.2)
            }) {
                record.models.push(usage);
            }
        }
        Ok(records)
    }
}

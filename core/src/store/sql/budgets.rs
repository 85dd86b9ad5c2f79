// Shared BudgetStore queries, compiled once per backend: the including module defines `Db`
// and `ThisStore` (with `pool` and `begin_write`).

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::error::{Error, Result};
use crate::model::Money;
use crate::model::{Budget, BudgetScope, LimitMirror, NewBudget};
use crate::store::budgets::BudgetStore;
use crate::store::{db_error, from_ts, to_ts};

type DbRow = <Db as sqlx::Database>::Row;
type DbConn = <Db as sqlx::Database>::Connection;

macro_rules! select_budgets {
    ($rest:literal) => {
        concat!(
            "SELECT id, name, scope, plan_id, workspace_id, subject_id, project_id, \
             amount_nanos, period, time_zone, thresholds, created_at, updated_at, \
             mirror_plan_id, mirror_scope FROM costledger_budgets ",
            $rest
        )
    };
}

fn budget_from_row(row: &DbRow) -> Result<Budget> {
    let read = |e| Error::storage("reading a budget", e);
    let kind: String = row.try_get("scope").map_err(read)?;
    let period: String = row.try_get("period").map_err(read)?;
    let thresholds: String = row.try_get("thresholds").map_err(read)?;
    let thresholds: Vec<u32> = serde_json::from_str(&thresholds).map_err(|e| Error::Storage {
        message: format!("stored budget thresholds {thresholds:?} are not a list of percents"),
        source: Some(Box::new(e)),
    })?;
    let mirror_plan: Option<i64> = row.try_get("mirror_plan_id").map_err(read)?;
    let mirror_scope: Option<String> = row.try_get("mirror_scope").map_err(read)?;
    let mirror = match (mirror_plan, mirror_scope) {
        (Some(plan_id), Some(scope)) => Some(LimitMirror {
            plan_id,
            scope: scope.parse()?,
        }),
        _ => None,
    };
    Ok(Budget {
        id: row.try_get("id").map_err(read)?,
        name: row.try_get("name").map_err(read)?,
        scope: BudgetScope::from_columns(
            &kind,
            row.try_get("plan_id").map_err(read)?,
            row.try_get("workspace_id").map_err(read)?,
            row.try_get("subject_id").map_err(read)?,
            row.try_get("project_id").map_err(read)?,
        )?,
        amount: Money::from_nanos(row.try_get("amount_nanos").map_err(read)?),
        period: period.parse()?,
        time_zone: row.try_get("time_zone").map_err(read)?,
        thresholds,
        created_at: from_ts(row.try_get("created_at").map_err(read)?)?,
        updated_at: from_ts(row.try_get("updated_at").map_err(read)?)?,
        mirror,
    })
}

async fn fetch_budget(conn: &mut DbConn, id: i64) -> Result<Budget> {
    let row = sqlx::query(select_budgets!("WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error("reading a budget"))?;
    match row {
        Some(row) => budget_from_row(&row),
        None => Err(Error::BudgetNotFound { id }),
    }
}

fn thresholds_json(thresholds: &[u32]) -> String {
    serde_json::to_string(thresholds).expect("a list of integers serialises")
}

#[async_trait]
impl BudgetStore for ThisStore {
    async fn insert_budget(&self, budget: &NewBudget, now: DateTime<Utc>) -> Result<Budget> {
        let (plan_id, workspace_id, subject_id, project_id) = match &budget.scope {
            BudgetScope::Global => (None, None, None, None),
            BudgetScope::Plan(id) => (Some(*id), None, None, None),
            BudgetScope::Workspace(ws) => (Some(ws.plan_id), ws.workspace_id.clone(), None, None),
            BudgetScope::Subject(id) => (None, None, Some(id.clone()), None),
            BudgetScope::Project(id) => (None, None, None, Some(*id)),
        };
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO costledger_budgets (name, scope, plan_id, workspace_id, subject_id, \
             project_id, amount_nanos, period, time_zone, thresholds, created_at, updated_at, \
             mirror_plan_id, mirror_scope) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11, $12, $13) RETURNING id",
        )
        .bind(&budget.name)
        .bind(budget.scope.kind())
        .bind(plan_id)
        .bind(workspace_id)
        .bind(subject_id)
        .bind(project_id)
        .bind(budget.amount.nanos())
        .bind(budget.period.as_str())
        .bind(&budget.time_zone)
        .bind(thresholds_json(&budget.thresholds))
        .bind(to_ts(now))
        .bind(budget.mirror.as_ref().map(|m| m.plan_id))
        .bind(budget.mirror.as_ref().map(|m| m.scope.to_string()))
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error("storing a budget"))?;
        let stored = fetch_budget(&mut tx, id).await?;
        tx.commit().await.map_err(db_error("committing a budget"))?;
        Ok(stored)
    }

    async fn get_budget(&self, id: i64) -> Result<Budget> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(db_error("reading a budget"))?;
        fetch_budget(&mut conn, id).await
    }

    async fn list_budgets(&self) -> Result<Vec<Budget>> {
        let rows = sqlx::query(select_budgets!("ORDER BY id"))
            .fetch_all(&self.pool)
            .await
            .map_err(db_error("listing budgets"))?;
        rows.iter().map(budget_from_row).collect()
    }

    async fn update_budget(
        &self,
        id: i64,
        budget: &NewBudget,
        now: DateTime<Utc>,
    ) -> Result<Budget> {
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE costledger_budgets SET name = $1, amount_nanos = $2, period = $3, \
             time_zone = $4, thresholds = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(&budget.name)
        .bind(budget.amount.nanos())
        .bind(budget.period.as_str())
        .bind(&budget.time_zone)
        .bind(thresholds_json(&budget.thresholds))
        .bind(to_ts(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db_error("updating a budget"))?;
        if updated.rows_affected() == 0 {
            return Err(Error::BudgetNotFound { id });
        }
        let stored = fetch_budget(&mut tx, id).await?;
        tx.commit()
            .await
            .map_err(db_error("committing a budget update"))?;
        Ok(stored)
    }

    async fn delete_budget(&self, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM costledger_budget_alerts WHERE budget_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error("deleting a budget's alerts"))?;
        let deleted = sqlx::query("DELETE FROM costledger_budgets WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error("deleting a budget"))?;
        if deleted.rows_affected() == 0 {
            return Err(Error::BudgetNotFound { id });
        }
        tx.commit()
            .await
            .map_err(db_error("committing a budget's deletion"))
    }

    async fn record_budget_alerts(
        &self,
        budget_id: i64,
        period_start: i64,
        thresholds: &[u32],
        spent: Money,
        at: DateTime<Utc>,
    ) -> Result<Vec<u32>> {
        let mut tx = self.begin_write().await?;
        let mut recorded = Vec::new();
        for threshold in thresholds {
            // The primary key decides: of two syncs recording the same crossing, the second
            // waits for the first and then inserts nothing.
            let inserted = sqlx::query(
                "INSERT INTO costledger_budget_alerts \
                 (budget_id, period_start, threshold, spent_nanos, fired_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (budget_id, period_start, threshold) DO NOTHING",
            )
            .bind(budget_id)
            .bind(period_start)
            .bind(i64::from(*threshold))
            .bind(spent.nanos())
            .bind(to_ts(at))
            .execute(&mut *tx)
            .await
            .map_err(db_error("recording a budget alert"))?;
            if inserted.rows_affected() == 1 {
                recorded.push(*threshold);
            }
        }
        tx.commit()
            .await
            .map_err(db_error("committing budget alerts"))?;
        Ok(recorded)
    }

    async fn rearm_budget_alerts(
        &self,
        budget_id: i64,
        period_start: i64,
        keep: &[u32],
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let recorded: Vec<i64> = sqlx::query_scalar(
            "SELECT threshold FROM costledger_budget_alerts \
             WHERE budget_id = $1 AND period_start = $2",
        )
        .bind(budget_id)
        .bind(period_start)
        .fetch_all(&mut *tx)
        .await
        .map_err(db_error("reading a budget's alerts"))?;
        for threshold in recorded {
            if keep.iter().any(|k| i64::from(*k) == threshold) {
                continue;
            }
            sqlx::query(
                "DELETE FROM costledger_budget_alerts \
                 WHERE budget_id = $1 AND period_start = $2 AND threshold = $3",
            )
            .bind(budget_id)
            .bind(period_start)
            .bind(threshold)
            .execute(&mut *tx)
            .await
            .map_err(db_error("re-arming a budget alert"))?;
        }
        tx.commit()
            .await
            .map_err(db_error("committing re-armed budget alerts"))
    }
}

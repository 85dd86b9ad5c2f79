// Shared PlanStore queries, compiled once per backend: the including module defines `Db`
// (the sqlx database), `ThisStore` (the store type, with a `pool` field) and
// `ThisStore::begin_write`.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::crypto::Sealed;
use crate::error::{Error, Result};
use crate::model::{CredentialReach, Plan, PlanStatus, PlanUpdate, Provider};
use crate::store::{
    Backend, CredentialResealer, CredentialSealer, CredentialUpdater, KeyCheck, NewPlanRecord,
    PlanStore, StoredCredential, db_error, is_unique_violation, to_ts,
};

use super::sql_credentials::insert_credential;
use super::sql_plan_rows::{
    credential_from_row, key_check_from_row, plan_from_row, reach_column, subscription_columns,
};

type DbConn = <Db as sqlx::Database>::Connection;

macro_rules! select_plans {
    ($rest:literal) => {
        concat!(
            "SELECT id, provider, label, status, key_hint, org_id, org_name, settings, sub_tier, \
             sub_seats, sub_seat_price_nanos, sub_cycle, sub_anchor_date, sub_currency, \
             created_at, updated_at, last_synced_at, last_error, credential_reach FROM costledger_plans ",
            $rest
        )
    };
}

/// Tables holding a plan's synced data, emptied by a purge (children before parents).
const PURGED_TABLES: &[&str] = &[
    "DELETE FROM costledger_usage WHERE plan_id = $1",
    "DELETE FROM costledger_usage_units WHERE plan_id = $1",
    "DELETE FROM costledger_usage_dims WHERE plan_id = $1",
    "DELETE FROM costledger_costs WHERE plan_id = $1",
    "DELETE FROM costledger_sync_state WHERE plan_id = $1",
    "DELETE FROM costledger_workspaces WHERE plan_id = $1",
    "DELETE FROM costledger_api_keys WHERE plan_id = $1",
    "DELETE FROM costledger_org_users WHERE plan_id = $1",
    "DELETE FROM costledger_claude_code_models WHERE plan_id = $1",
    "DELETE FROM costledger_claude_code WHERE plan_id = $1",
    "DELETE FROM costledger_cost_facts WHERE plan_id = $1",
    "DELETE FROM costledger_cost_daily WHERE plan_id = $1",
    "DELETE FROM costledger_cost_hourly_ws WHERE plan_id = $1",
    "DELETE FROM costledger_usage_daily WHERE plan_id = $1",
    "DELETE FROM costledger_unpriced_hourly WHERE plan_id = $1",
    "DELETE FROM costledger_cost_monthly WHERE plan_id = $1",
    "DELETE FROM costledger_usage_monthly WHERE plan_id = $1",
    "DELETE FROM costledger_cost_daily_ws WHERE plan_id = $1",
    // Raw data and every derived row go together: nothing is left to derive.
    "DELETE FROM costledger_stale_days WHERE plan_id = $1",
];

async fn fetch_plan(conn: &mut DbConn, id: i64) -> Result<Plan> {
    let row = sqlx::query(select_plans!("WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db_error("reading a plan"))?;
    match row {
        Some(row) => plan_from_row(&row),
        None => Err(Error::PlanNotFound { id }),
    }
}

impl ThisStore {
    /// Turn a unique violation on the live-label or live-org index into a clear conflict.
    async fn plan_conflict(&self, e: sqlx::Error, label: &str, org_id: Option<&str>) -> Error {
        if is_unique_violation(&e, "costledger_plans_live_label", ".label") {
            return Error::conflict(format!(
                "a plan labelled {label:?} already exists; choose another label or disconnect \
                 that plan first"
            ));
        }
        if is_unique_violation(&e, "costledger_plans_live_org", ".org_id") {
            let holder: Option<(i64, String)> = match org_id {
                Some(org) => sqlx::query_as(
                    "SELECT id, label FROM costledger_plans \
                     WHERE org_id = $1 AND status <> 'disconnected'",
                )
                .bind(org)
                .fetch_optional(&self.pool)
                .await
                .ok()
                .flatten(),
                None => None,
            };
            return Error::conflict(match holder {
                Some((id, other)) => format!(
                    "organisation {} is already connected as plan {id} ({other:?}); a second \
                     plan for the same organisation would count its cost twice",
                    org_id.unwrap_or_default()
                ),
                None => format!(
                    "organisation {} is already connected",
                    org_id.unwrap_or_default()
                ),
            });
        }
        Error::storage("writing a plan", e)
    }
}

#[async_trait]
impl PlanStore for ThisStore {
    fn backend(&self) -> Backend {
        BACKEND
    }

    async fn close(&self) {
        self.pool.close().await;
    }

    async fn insert_plan(
        &self,
        plan: &NewPlanRecord,
        sealer: Option<&dyn CredentialSealer>,
    ) -> Result<Plan> {
        let settings = serde_json::to_string(&plan.settings)
            .map_err(|e| Error::internal(format!("plan settings do not serialise: {e}")))?;
        let (tier, seats, price, cycle, anchor, currency) =
            subscription_columns(plan.subscription.as_ref());
        let now = to_ts(plan.now);
        let mut tx = self.begin_write().await?;
        let inserted = sqlx::query(
            "INSERT INTO costledger_plans (provider, label, status, key_hint, org_id, org_name, \
             settings, sub_tier, sub_seats, sub_seat_price_nanos, sub_cycle, sub_anchor_date, \
             sub_currency, created_at, updated_at, credential_reach) \
             VALUES ($1, $2, 'active', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14) \
             RETURNING id",
        )
        .bind(plan.provider.as_str())
        .bind(&plan.label)
        .bind(&plan.key_hint)
        .bind(&plan.org_id)
        .bind(&plan.org_name)
        .bind(settings)
        .bind(tier)
        .bind(seats)
        .bind(price)
        .bind(cycle)
        .bind(anchor)
        .bind(currency)
        .bind(now)
        .bind(reach_column(plan.reach.as_ref())?)
        .fetch_one(&mut *tx)
        .await;
        let id: i64 = match inserted {
            Ok(row) => row.try_get(0).map_err(db_error("reading a new plan id"))?,
            Err(e) => {
                drop(tx);
                return Err(self
                    .plan_conflict(e, &plan.label, plan.org_id.as_deref())
                    .await);
            }
        };
        if let Some(sealer) = sealer {
            let (kind, sealed) = sealer.seal(id).await?;
            insert_credential(&mut tx, id, &kind, &sealed, now).await?;
        }
        let created = fetch_plan(&mut tx, id).await?;
        tx.commit()
            .await
            .map_err(db_error("committing a new plan"))?;
        Ok(created)
    }

    async fn get_plan(&self, id: i64) -> Result<Plan> {
        let mut conn = self
            .pool
            .acquire()
            .await
            .map_err(db_error("reading a plan"))?;
        fetch_plan(&mut conn, id).await
    }

    async fn list_plans(&self, include_disconnected: bool) -> Result<Vec<Plan>> {
        let rows = if include_disconnected {
            sqlx::query(select_plans!("ORDER BY id"))
                .fetch_all(&self.pool)
                .await
        } else {
            sqlx::query(select_plans!("WHERE status <> 'disconnected' ORDER BY id"))
                .fetch_all(&self.pool)
                .await
        }
        .map_err(db_error("listing plans"))?;
        rows.iter().map(plan_from_row).collect()
    }

    async fn count_plans(&self) -> Result<i64> {
        sqlx::query_scalar("SELECT COUNT(*) FROM costledger_plans")
            .fetch_one(&self.pool)
            .await
            .map_err(db_error("counting plans"))
    }

    async fn update_plan(&self, id: i64, update: &PlanUpdate, now: DateTime<Utc>) -> Result<Plan> {
        let mut tx = self.begin_write().await?;
        let current = fetch_plan(&mut tx, id).await?;
        if let Some(label) = &update.label {
            let result = sqlx::query(
                "UPDATE costledger_plans SET label = $1, updated_at = $2 WHERE id = $3",
            )
            .bind(label)
            .bind(to_ts(now))
            .bind(id)
            .execute(&mut *tx)
            .await;
            if let Err(e) = result {
                drop(tx);
                return Err(self
                    .plan_conflict(e, label, current.org_id.as_deref())
                    .await);
            }
        }
        if let Some(subscription) = &update.subscription {
            let (tier, seats, price, cycle, anchor, currency) =
                subscription_columns(subscription.as_ref());
            sqlx::query(
                "UPDATE costledger_plans SET sub_tier = $1, sub_seats = $2, \
                 sub_seat_price_nanos = $3, sub_cycle = $4, sub_anchor_date = $5, \
                 sub_currency = $6, updated_at = $7 WHERE id = $8",
            )
            .bind(tier)
            .bind(seats)
            .bind(price)
            .bind(cycle)
            .bind(anchor)
            .bind(currency)
            .bind(to_ts(now))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error("updating a plan's subscription"))?;
        }
        let updated = fetch_plan(&mut tx, id).await?;
        tx.commit()
            .await
            .map_err(db_error("committing a plan update"))?;
        Ok(updated)
    }

    async fn disconnect_plan(&self, id: i64, purge: bool, now: DateTime<Utc>) -> Result<Plan> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE costledger_plans SET status = $1, key_hint = NULL, updated_at = $2 \
             WHERE id = $3",
        )
        .bind(PlanStatus::Disconnected.as_str())
        .bind(to_ts(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(db_error("disconnecting a plan"))?;
        if done.rows_affected() == 0 {
            return Err(Error::PlanNotFound { id });
        }
        sqlx::query("DELETE FROM costledger_credentials WHERE plan_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error("destroying a plan's credential"))?;
        if purge {
            sqlx::query("UPDATE costledger_plans SET purged_at = $1 WHERE id = $2")
                .bind(to_ts(now))
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(db_error("marking a plan's data purged"))?;
            for statement in PURGED_TABLES {
                sqlx::query(*statement)
                    .bind(id)
                    .execute(&mut *tx)
                    .await
                    .map_err(db_error("purging a plan's synced data"))?;
            }
        }
        let plan = fetch_plan(&mut tx, id).await?;
        tx.commit()
            .await
            .map_err(db_error("committing a disconnect"))?;
        Ok(plan)
    }

    async fn get_credential(&self, plan_id: i64) -> Result<Option<StoredCredential>> {
        let row = sqlx::query(
            "SELECT kind, key_id, nonce, ciphertext FROM costledger_credentials \
             WHERE plan_id = $1",
        )
        .bind(plan_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error("reading a credential"))?;
        row.map(|row| credential_from_row(plan_id, &row))
            .transpose()
    }

    async fn update_credential(
        &self,
        plan_id: i64,
        updater: &dyn CredentialUpdater,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        self.refresh_credential_in_place(plan_id, updater, now).await
    }

    async fn set_plan_reach(&self, plan_id: i64, reach: Option<&CredentialReach>) -> Result<()> {
        let done = sqlx::query("UPDATE costledger_plans SET credential_reach = $1 WHERE id = $2")
            .bind(reach_column(reach)?)
            .bind(plan_id)
            .execute(&self.pool)
            .await
            .map_err(db_error("recording what a plan's credential reaches"))?;
        if done.rows_affected() == 0 {
            return Err(Error::PlanNotFound { id: plan_id });
        }
        Ok(())
    }

    async fn replace_credential(
        &self,
        plan_id: i64,
        kind: &str,
        key_hint: &str,
        sealed: &Sealed,
        now: DateTime<Utc>,
    ) -> Result<Plan> {
        let mut tx = self.begin_write().await?;
        let done = sqlx::query(
            "UPDATE costledger_plans SET key_hint = $1, status = 'active', last_error = NULL, \
             credential_reach = NULL, updated_at = $2 WHERE id = $3",
        )
        .bind(key_hint)
        .bind(to_ts(now))
        .bind(plan_id)
        .execute(&mut *tx)
        .await
        .map_err(db_error("updating a plan's credential hint"))?;
        if done.rows_affected() == 0 {
            return Err(Error::PlanNotFound { id: plan_id });
        }
        sqlx::query("DELETE FROM costledger_credentials WHERE plan_id = $1")
            .bind(plan_id)
            .execute(&mut *tx)
            .await
            .map_err(db_error("replacing a credential"))?;
        insert_credential(&mut tx, plan_id, kind, sealed, to_ts(now)).await?;
        let plan = fetch_plan(&mut tx, plan_id).await?;
        tx.commit()
            .await
            .map_err(db_error("committing a credential"))?;
        Ok(plan)
    }

    async fn reseal_credentials(
        &self,
        resealer: &dyn CredentialResealer,
        check: &Sealed,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        self.reseal_every_credential(resealer, check, now).await
    }

    async fn credentials(&self) -> Result<Vec<StoredCredential>> {
        let rows = sqlx::query(
            "SELECT plan_id, kind, key_id, nonce, ciphertext FROM costledger_credentials \
             ORDER BY plan_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading credentials"))?;
        rows.iter()
            .map(|row| {
                let plan_id: i64 = row
                    .try_get("plan_id")
                    .map_err(db_error("reading a credential"))?;
                credential_from_row(plan_id, row)
            })
            .collect()
    }

    async fn key_checks(&self) -> Result<Vec<KeyCheck>> {
        let rows = sqlx::query(
            "SELECT key_id, nonce, ciphertext, is_current, created_at, retired_at \
             FROM costledger_key_checks ORDER BY is_current IS NULL, created_at, key_id",
        )
        .fetch_all(&self.pool)
        .await
        .map_err(db_error("reading the master-key versions"))?;
        rows.iter().map(key_check_from_row).collect()
    }

    async fn record_key_check(&self, check: &Sealed, now: DateTime<Utc>) -> Result<()> {
        // Either unique index (the key id, or the one current version) ends the insert.
        sqlx::query(
            "INSERT INTO costledger_key_checks (key_id, nonce, ciphertext, is_current, \
             created_at) VALUES ($1, $2, $3, 1, $4) ON CONFLICT DO NOTHING",
        )
        .bind(&check.key_id)
        .bind(&check.nonce)
        .bind(&check.ciphertext)
        .bind(to_ts(now))
        .execute(&self.pool)
        .await
        .map_err(db_error("recording the master-key version"))?;
        Ok(())
    }

    async fn reconnectable_plan(&self, provider: Provider, org_id: &str) -> Result<Option<i64>> {
        sqlx::query_scalar(
            "SELECT id FROM costledger_plans WHERE provider = $1 AND org_id = $2 \
             AND status = 'disconnected' AND purged_at IS NULL ORDER BY id DESC LIMIT 1",
        )
        .bind(provider.as_str())
        .bind(org_id)
        .fetch_optional(&self.pool)
        .await
        .map_err(db_error(
            "looking for a disconnected plan of the organisation",
        ))
    }

    async fn reconnect_plan(
        &self,
        id: i64,
        plan: &NewPlanRecord,
        sealer: Option<&dyn CredentialSealer>,
    ) -> Result<Plan> {
        let settings = serde_json::to_string(&plan.settings)
            .map_err(|e| Error::internal(format!("plan settings do not serialise: {e}")))?;
        let now = to_ts(plan.now);
        let mut tx = self.begin_write().await?;
        let updated = sqlx::query(
            "UPDATE costledger_plans SET status = 'active', label = $1, key_hint = $2, \
             org_name = COALESCE($3, org_name), settings = $4, last_error = NULL, \
             updated_at = $5, credential_reach = $7 \
             WHERE id = $6 AND status = 'disconnected' AND purged_at IS NULL",
        )
        .bind(&plan.label)
        .bind(&plan.key_hint)
        .bind(&plan.org_name)
        .bind(settings)
        .bind(now)
        .bind(id)
        .bind(reach_column(plan.reach.as_ref())?)
        .execute(&mut *tx)
        .await;
        match updated {
            Ok(done) if done.rows_affected() == 1 => {}
            Ok(_) => {
                drop(tx);
                return Err(Error::conflict(format!(
                    "plan {id} was reconnected or purged meanwhile; list the plans and try again"
                )));
            }
            Err(e) => {
                drop(tx);
                return Err(self
                    .plan_conflict(e, &plan.label, plan.org_id.as_deref())
                    .await);
            }
        }
        if let Some(subscription) = &plan.subscription {
            let (tier, seats, price, cycle, anchor, currency) =
                subscription_columns(Some(subscription));
            sqlx::query(
                "UPDATE costledger_plans SET sub_tier = $1, sub_seats = $2, \
                 sub_seat_price_nanos = $3, sub_cycle = $4, sub_anchor_date = $5, \
                 sub_currency = $6 WHERE id = $7",
            )
            .bind(tier)
            .bind(seats)
            .bind(price)
            .bind(cycle)
            .bind(anchor)
            .bind(currency)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error("setting a reconnected plan's subscription"))?;
        }
        sqlx::query("DELETE FROM costledger_credentials WHERE plan_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(db_error("clearing a reconnected plan's credential"))?;
        if let Some(sealer) = sealer {
            let (kind, sealed) = sealer.seal(id).await?;
            insert_credential(&mut tx, id, &kind, &sealed, now).await?;
        }
        let reconnected = fetch_plan(&mut tx, id).await?;
        tx.commit()
            .await
            .map_err(db_error("committing a reconnected plan"))?;
        Ok(reconnected)
    }
}

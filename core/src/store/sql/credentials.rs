// Writing sealed credentials, compiled once per backend: the including module defines `Db`,
// `ThisStore`, `LOCK_CURRENT_KEY_CHECK` and `LOCK_ALL_CREDENTIALS`. Every credential written
// is sealed under the ledger's current master key, checked under the lock a rotation holds.

use chrono::{DateTime, Utc};
use sqlx::Row;

use crate::crypto::Sealed;
use crate::error::{Error, Result};
use crate::store::{CredentialResealer, CredentialUpdater, db_error, to_ts};

use super::sql_plan_rows::credential_from_row;

type DbConn = <Db as sqlx::Database>::Connection;

pub(super) async fn insert_credential(
    conn: &mut DbConn,
    plan_id: i64,
    kind: &str,
    sealed: &Sealed,
    now: i64,
) -> Result<()> {
    check_key_version(conn, plan_id, sealed).await?;
    sqlx::query(
        "INSERT INTO costledger_credentials (plan_id, kind, key_id, nonce, ciphertext, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(plan_id)
    .bind(kind)
    .bind(&sealed.key_id)
    .bind(&sealed.nonce)
    .bind(&sealed.ciphertext)
    .bind(now)
    .execute(&mut *conn)
    .await
    .map_err(db_error("storing a sealed credential"))?;
    Ok(())
}

/// Refuse a value sealed under another master key than the current version.
pub(super) async fn check_key_version(
    conn: &mut DbConn,
    plan_id: i64,
    sealed: &Sealed,
) -> Result<()> {
    // The master-key version every credential is sealed with, read under a lock that a
    // rotation in progress holds (so this waits for it, then sees the new version).
    sqlx::query(LOCK_CURRENT_KEY_CHECK)
        .fetch_all(&mut *conn)
        .await
        .map_err(db_error("reading the current master-key version"))?;
    let current: Option<String> =
        sqlx::query_scalar("SELECT key_id FROM costledger_key_checks WHERE is_current = 1")
            .fetch_optional(&mut *conn)
            .await
            .map_err(db_error("reading the current master-key version"))?;
    if let Some(expected) = current
        && expected != sealed.key_id
    {
        return Err(Error::crypto(format!(
            "the credential of plan {plan_id} was sealed with master key {}, but this ledger's \
             credentials are sealed with master key {expected}; nothing was stored. Open the \
             ledger with the master key whose id is {expected} (it may have been rotated since \
             this process started)",
            sealed.key_id
        )));
    }
    Ok(())
}

/// Replace a credential's sealed value in place (its row is never deleted: a refresh waiting
/// on the row's lock must find it).
async fn replace_sealed(
    conn: &mut DbConn,
    plan_id: i64,
    sealed: &Sealed,
    now_ts: i64,
) -> std::result::Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE costledger_credentials SET key_id = $1, nonce = $2, ciphertext = $3, \
         updated_at = $4 WHERE plan_id = $5",
    )
    .bind(&sealed.key_id)
    .bind(&sealed.nonce)
    .bind(&sealed.ciphertext)
    .bind(now_ts)
    .bind(plan_id)
    .execute(&mut *conn)
    .await
    .map(|_| ())
}

impl ThisStore {
    /// `PlanStore::update_credential`: the credential's row locked from the read to the write.
    pub(super) async fn refresh_credential_in_place(
        &self,
        plan_id: i64,
        updater: &dyn CredentialUpdater,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        // The master-key version first, in the order a key rotation takes its locks.
        sqlx::query(LOCK_CURRENT_KEY_CHECK)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error("reading the current master-key version"))?;
        // Then the row lock, before reading (a no-op write: Postgres locks the row, SQLite's
        // write transaction already holds the database), so a second updater waits here and
        // then reads what the first committed. The row is updated in place, never deleted
        // and inserted again, so the waiting statement finds it.
        let locked =
            sqlx::query("UPDATE costledger_credentials SET plan_id = plan_id WHERE plan_id = $1")
                .bind(plan_id)
                .execute(&mut *tx)
                .await
                .map_err(db_error("locking a credential"))?;
        if locked.rows_affected() == 0 {
            return Err(Error::PlanNotFound { id: plan_id });
        }
        let row = sqlx::query(
            "SELECT kind, key_id, nonce, ciphertext FROM costledger_credentials \
             WHERE plan_id = $1",
        )
        .bind(plan_id)
        .fetch_one(&mut *tx)
        .await
        .map_err(db_error("reading a credential"))?;
        let stored = credential_from_row(plan_id, &row)?;
        let Some(sealed) = updater.update(&stored).await? else {
            return Ok(false);
        };
        check_key_version(&mut tx, plan_id, &sealed).await?;
        replace_sealed(&mut tx, plan_id, &sealed, to_ts(now))
            .await
            .map_err(db_error("storing a refreshed credential"))?;
        tx.commit()
            .await
            .map_err(db_error("committing a refreshed credential"))?;
        Ok(true)
    }

    /// `PlanStore::reseal_credentials`: every credential, and the new key check, in one
    /// transaction.
    pub(super) async fn reseal_every_credential(
        &self,
        resealer: &dyn CredentialResealer,
        check: &Sealed,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.begin_write().await?;
        // First the current key version, so that a credential being sealed under the old key
        // either commits before this reads the credentials or sees the new version and stops.
        sqlx::query(LOCK_CURRENT_KEY_CHECK)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error("locking the current master-key version"))?;
        let rows = sqlx::query(LOCK_ALL_CREDENTIALS)
            .fetch_all(&mut *tx)
            .await
            .map_err(db_error("reading credentials to re-seal"))?;
        let stored = rows
            .iter()
            .map(|row| {
                let plan_id: i64 = row.try_get("plan_id").map_err(db_error("reading"))?;
                credential_from_row(plan_id, row)
            })
            .collect::<Result<Vec<_>>>()?;
        let now = to_ts(now);
        for credential in &stored {
            let sealed = resealer.reseal(credential).await?;
            replace_sealed(&mut tx, credential.plan_id, &sealed, now)
                .await
                .map_err(db_error("writing a re-sealed credential"))?;
        }
        sqlx::query(
            "UPDATE costledger_key_checks SET is_current = NULL, retired_at = $1 \
             WHERE is_current = 1 AND key_id <> $2",
        )
        .bind(now)
        .bind(&check.key_id)
        .execute(&mut *tx)
        .await
        .map_err(db_error("retiring the previous master-key version"))?;
        sqlx::query(
            "INSERT INTO costledger_key_checks (key_id, nonce, ciphertext, is_current, \
             created_at) VALUES ($1, $2, $3, 1, $4) ON CONFLICT (key_id) DO UPDATE SET \
             nonce = excluded.nonce, ciphertext = excluded.ciphertext, is_current = 1, \
             retired_at = NULL",
        )
        .bind(&check.key_id)
        .bind(&check.nonce)
        .bind(&check.ciphertext)
        .bind(now)
        .execute(&mut *tx)
        .await
        .map_err(db_error("recording the new master-key version"))?;
        tx.commit()
            .await
            .map_err(db_error("committing re-sealed credentials"))?;
        Ok(stored.len() as u64)
    }
}

// Writing sealed credentials, compiled once per backend: the including module defines `Db`
// and `LOCK_CURRENT_KEY_CHECK`. Every credential written is sealed under the ledger's current
// master key, checked under the lock a rotation holds.

use crate::crypto::Sealed;
use crate::error::{Error, Result};
use crate::store::db_error;

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

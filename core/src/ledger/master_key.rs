//! The master key on [`Ledger`]: which version a ledger expects, and rotation.
//!
//! `costledger_key_checks` holds one key-check value per master-key version (a constant sealed
//! under it) and marks the version every credential is sealed with. A ledger opened with the
//! built-in keyring refuses, with `CRYPTO`, a master key other than that version, before it
//! seals anything; the first credential sealed records the version, and a ledger made before
//! key checks records it on the first open whose key opens its credentials.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;

use super::Ledger;
use crate::context::CipherState;
use crate::crypto::{Keyring, MasterKey, Sealed, credential_aad};
use crate::error::{Error, Result};
use crate::store::{CredentialResealer, KeyCheck, StoredCredential};

/// What to do about a master key the ledger does not expect.
const ROTATE_HINT: &str = "Set COSTLEDGER_MASTER_KEY (or the master key given to open) to the key \
     with that id; to change the master key, rotate it with rotate_master_key (`costledger \
     master-key rotate`), which re-seals every credential";

fn wrong_key(given: &MasterKey, expected: &KeyCheck, checks: &[KeyCheck]) -> Error {
    let retired = checks
        .iter()
        .find(|c| c.sealed.key_id == given.id())
        .and_then(|c| c.retired_at)
        .map(|at| {
            format!(
                " (it was rotated away on {})",
                at.format("%Y-%m-%d %H:%M:%S UTC")
            )
        })
        .unwrap_or_default();
    Error::crypto(format!(
        "wrong master key: this ledger's credentials are sealed with master key {}, but the \
         master key given is {}{retired}; nothing was opened or sealed. {ROTATE_HINT}",
        expected.sealed.key_id,
        given.id()
    ))
}

impl Ledger {
    /// Refuse a master key other than the version the ledger's credentials are sealed with
    /// (at open, and again before sealing). Ledgers opened without a key, or with a host
    /// cipher, are not checked: a host cipher's keys are its own (docs/security.md).
    pub(crate) async fn check_master_key(&self) -> Result<()> {
        let Some(keyring) = self.inner.cipher_state().keyring else {
            return Ok(());
        };
        let given = keyring.current();
        let store = &self.inner.store;
        let checks = store.key_checks().await?;
        if let Some(expected) = checks.iter().find(|c| c.current) {
            if expected.sealed.key_id != given.id() {
                return Err(wrong_key(given, expected, &checks));
            }
            if !given.opens_key_check(&expected.sealed) {
                return Err(Error::crypto(format!(
                    "the key-check value of master key {} does not open under the master key \
                     given, which has the same id: the stored value was altered; nothing was \
                     opened or sealed",
                    given.id()
                )));
            }
            return Ok(());
        }
        // Nothing recorded: no credential was sealed yet, or the ledger predates key checks
        // and its credentials say which key sealed them.
        let credentials = store.credentials().await?;
        if credentials.is_empty() {
            return Ok(());
        }
        let sealed_with: BTreeSet<&str> = credentials
            .iter()
            .map(|c| c.sealed.key_id.as_str())
            .collect();
        let Some(sample) = credentials.iter().find(|c| c.sealed.key_id == given.id()) else {
            return Err(Error::crypto(format!(
                "wrong master key: this ledger's credentials are sealed with master key {}, but \
                 the master key given is {}; nothing was opened or sealed. {ROTATE_HINT}",
                sealed_with.into_iter().collect::<Vec<_>>().join(" and "),
                given.id()
            )));
        };
        Keyring::new(given.clone(), Vec::new())
            .open(
                &sample.sealed,
                &credential_aad(sample.plan_id, &sample.kind),
            )
            .map_err(|e| {
                Error::crypto(format!(
                    "the master key given ({}) cannot open the credential of plan {}: {e}",
                    given.id(),
                    sample.plan_id
                ))
            })?;
        self.record_master_key(&keyring).await
    }

    /// Before sealing a credential: record the master-key version when none is recorded yet,
    /// and refuse a key other than the recorded one (another process may have rotated it).
    pub(crate) async fn ensure_master_key(&self) -> Result<()> {
        let Some(keyring) = self.inner.cipher_state().keyring else {
            return Ok(());
        };
        self.check_master_key().await?;
        // Does nothing when a version is recorded; two processes recording different keys
        // at once: one wins, and the check below refuses the other.
        self.record_master_key(&keyring).await?;
        self.check_master_key().await
    }

    async fn record_master_key(&self, keyring: &Keyring) -> Result<()> {
        let check = keyring.current().key_check()?;
        self.inner
            .store
            .record_key_check(&check, self.inner.now())
            .await
    }
}

struct Reseal<'a> {
    old: &'a Keyring,
    new: &'a Keyring,
}

#[async_trait]
impl CredentialResealer for Reseal<'_> {
    async fn reseal(&self, credential: &StoredCredential) -> Result<Sealed> {
        let aad = credential_aad(credential.plan_id, &credential.kind);
        let opened = self.old.open(&credential.sealed, &aad).map_err(|e| {
            Error::crypto(format!(
                "cannot open the credential of plan {} to re-seal it: {e}; nothing was changed",
                credential.plan_id
            ))
        })?;
        self.new.seal(&opened, &aad)
    }
}

impl Ledger {
    /// Re-seal every stored credential under `new_key`, in one transaction, and make it the
    /// key this ledger seals with. Returns how many credentials were re-sealed.
    ///
    /// Afterwards the old key alone opens nothing and `new_key` opens everything: give the new
    /// key to every process (`COSTLEDGER_MASTER_KEY`) before they restart. The new key's
    /// version becomes the one the ledger expects, in the same transaction: a ledger opened
    /// with the old key afterwards is refused with `CRYPTO`. If any credential cannot be
    /// opened, nothing is changed. Works with the built-in keyring only; a host cipher (KMS)
    /// rotates its own keys.
    pub async fn rotate_master_key(&self, new_key: MasterKey) -> Result<u64> {
        let state = self.inner.cipher_state();
        self.inner.require_cipher()?;
        let old = state.keyring.ok_or_else(|| {
            Error::invalid(
                "this ledger uses a host-supplied cipher, which rotates its own keys; \
                 rotate_master_key works with the built-in master-key keyring",
            )
        })?;
        // A process holding a key the ledger no longer expects must not re-seal with it.
        self.check_master_key().await?;
        let new = Keyring::new(new_key.clone(), Vec::new());
        let check = new_key.key_check()?;
        let count = self
            .inner
            .store
            .reseal_credentials(
                &Reseal {
                    old: &old,
                    new: &new,
                },
                &check,
                self.inner.now(),
            )
            .await?;
        // Keep the old keys for reading in this process only: a sync that loaded a sealed
        // value just before the rotation can still open it.
        let mut previous = vec![old.current().clone()];
        previous.extend(old.previous().iter().cloned());
        let keyring = Keyring::new(new_key, previous);
        *self.inner.cipher.write().unwrap_or_else(|p| p.into_inner()) = CipherState {
            cipher: Arc::new(keyring.clone()),
            keyring: Some(keyring),
            configured: true,
        };
        Ok(count)
    }
}

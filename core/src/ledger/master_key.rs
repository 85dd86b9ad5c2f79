//! Master-key rotation on [`Ledger`].

use std::sync::Arc;

use async_trait::async_trait;

use super::{CipherState, Ledger};
use crate::crypto::{Keyring, MasterKey, Sealed, credential_aad};
use crate::error::{Error, Result};
use crate::store::{CredentialResealer, StoredCredential};

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
    /// key to every process (`COSTLEDGER_MASTER_KEY`) before they restart. If any credential
    /// cannot be opened, nothing is changed. Works with the built-in keyring only; a host
    /// cipher (KMS) rotates its own keys.
    pub async fn rotate_master_key(&self, new_key: MasterKey) -> Result<u64> {
        let state = self.cipher_state();
        self.require_cipher()?;
        let old = state.keyring.ok_or_else(|| {
            Error::invalid(
                "this ledger uses a host-supplied cipher, which rotates its own keys; \
                 rotate_master_key works with the built-in master-key keyring",
            )
        })?;
        let new = Keyring::new(new_key.clone(), Vec::new());
        let count = self
            .inner
            .store
            .reseal_credentials(
                &Reseal {
                    old: &old,
                    new: &new,
                },
                self.now(),
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

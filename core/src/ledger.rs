//! [`Ledger`]: the facade every binding wraps.

mod calls;
mod master_key;
mod oauth;
mod plans;
mod reports;
mod spend_limits;
mod subjects;
mod sync;

use std::fmt;
use std::sync::{Arc, RwLock};

pub use calls::{CALLS, Reply, new_plan, sync_options};
pub use oauth::Revocation;
pub use plans::{DataRetention, Disconnected};

use crate::config::LedgerConfig;
use crate::context::{CipherState, Context, NoMasterKey};
use crate::crypto::{Keyring, MasterKey};
use crate::error::Result;
use crate::model::{ListPlans, Plan};
use crate::store::{Store, open_store};

/// A handle on costledger's data: plan connections, synced usage and cost, reports.
///
/// Cheap to clone (an `Arc` inside); clones share one database pool. Every method is
/// `async` and runs on the caller's tokio runtime: the ledger starts no runtime or thread of
/// its own.
#[derive(Clone)]
pub struct Ledger {
    pub(crate) inner: Arc<Context>,
}

impl fmt::Debug for Ledger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cipher = self.inner.cipher_state();
        f.debug_struct("Ledger")
            .field("store", &self.inner.store)
            .field("cipher", &cipher.cipher)
            .field("sources", &self.inner.sources.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Ledger {
    /// Open the database (creating and migrating it as needed) and prepare the cipher and the
    /// provider sources.
    ///
    /// Fails with `INVALID_INPUT` when the database URL or the master key is malformed, and
    /// with `CRYPTO` when the master key is not the one the ledger's credentials are sealed
    /// with (the message names the key id expected, never a key). A ledger opened without a
    /// master key (nor a host cipher) reads reports and history, but everything that seals or
    /// opens a credential (adding a plan, syncing a plan that has one) fails with
    /// `INVALID_INPUT` saying a master key is needed.
    pub async fn open(config: LedgerConfig) -> Result<Ledger> {
        let state = match &config.cipher {
            Some(cipher) => CipherState {
                cipher: cipher.clone(),
                keyring: None,
                configured: true,
            },
            None => match config.master_keys()? {
                None => CipherState {
                    cipher: Arc::new(NoMasterKey),
                    keyring: None,
                    configured: false,
                },
                Some((current, previous)) => {
                    let current = MasterKey::from_base64(current.expose())?;
                    let previous = previous
                        .iter()
                        .map(|k| MasterKey::from_base64(k.expose()))
                        .collect::<Result<Vec<_>>>()?;
                    let keyring = Keyring::new(current, previous);
                    CipherState {
                        cipher: Arc::new(keyring.clone()),
                        keyring: Some(keyring),
                        configured: true,
                    }
                }
            },
        };
        let mut sources = config.default_sources()?;
        for source in &config.sources {
            sources.insert(source.provider(), source.clone());
        }
        let store = open_store(&config.database_url, &config.store).await?;
        let ledger = Ledger {
            inner: Arc::new(Context {
                store,
                cipher: RwLock::new(state),
                sources,
                clock: config.clock.clone(),
                attribution_inputs: Default::default(),
            }),
        };
        ledger.check_master_key().await?;
        Ok(ledger)
    }

    /// Close the database pool. Every clone of this ledger shares it, so every later call on
    /// any of them fails with `CLOSED`. Closing twice is harmless.
    pub async fn close(&self) {
        self.inner.store.close().await;
    }

    /// The store behind this ledger, for hosts that query it directly.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    /// The catalog of supported providers and what each can do: credential kinds, streams,
    /// billed and per-key billed cost, per-user attribution, cost report lag, docs link.
    pub fn providers(&self) -> Vec<crate::model::ProviderInfo> {
        crate::model::provider_catalog()
    }

    /// The organisation metadata last synced for a plan: workspaces, API keys of every status
    /// (with who created them), members. What a "map this key to a user" screen lists.
    pub async fn plan_metadata(&self, id: i64) -> Result<crate::model::OrgMetadata> {
        let plan = self.get_plan(id).await?;
        let mut metadata = self.inner.store.metadata(id).await?;
        if let (Some(id), Some(name)) = (plan.org_id, plan.org_name) {
            metadata.org = Some(crate::model::OrgInfo { id, name });
        }
        Ok(metadata)
    }

    /// Plans in id order: active and error plans, and disconnected ones when asked for.
    pub async fn list_plans(&self, filter: ListPlans) -> Result<Vec<Plan>> {
        self.inner.list_plans(filter).await
    }

    /// One plan, or `PLAN_NOT_FOUND`.
    pub async fn get_plan(&self, id: i64) -> Result<Plan> {
        self.inner.get_plan(id).await
    }
}

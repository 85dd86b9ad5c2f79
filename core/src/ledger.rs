//! [`Ledger`]: the facade every binding wraps.

mod master_key;
mod oauth;
mod plans;
mod spend_limits;
mod subjects;

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

pub(crate) use oauth::PlanTokens;
pub use oauth::Revocation;
pub use plans::{DataRetention, Disconnected, ListPlans};

use crate::clock::Clock;
use crate::config::LedgerConfig;
use crate::crypto::{KeyCipher, Keyring, MasterKey, credential_aad};
use crate::error::{Error, Result};
use crate::model::{Credential, Plan, Provider};
use crate::source::UsageSource;
use crate::store::{Store, open_store};

/// What a ledger opened without a master key seals and opens with: nothing.
#[derive(Debug)]
struct NoMasterKey;

const NO_MASTER_KEY: &str = "no master key is configured: set COSTLEDGER_MASTER_KEY (32 random \
     bytes as base64; `costledger master-key generate` makes one) or give one when opening the \
     ledger";

#[async_trait::async_trait]
impl KeyCipher for NoMasterKey {
    async fn encrypt(&self, _: &[u8], _: &[u8]) -> Result<crate::crypto::Sealed> {
        Err(Error::invalid(NO_MASTER_KEY))
    }

    async fn decrypt(
        &self,
        _: &crate::crypto::Sealed,
        _: &[u8],
    ) -> Result<zeroize::Zeroizing<Vec<u8>>> {
        Err(Error::invalid(NO_MASTER_KEY))
    }
}

/// The cipher in use, and the built-in keyring behind it when there is one (rotation needs
/// it; a host cipher rotates its own keys).
#[derive(Clone)]
pub(crate) struct CipherState {
    pub(crate) cipher: Arc<dyn KeyCipher>,
    pub(crate) keyring: Option<Keyring>,
    /// False when the ledger was opened without a master key or host cipher.
    pub(crate) configured: bool,
}

pub(crate) struct LedgerInner {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) cipher: RwLock<CipherState>,
    pub(crate) sources: HashMap<Provider, Arc<dyn UsageSource>>,
    pub(crate) clock: Arc<dyn Clock>,
}

/// A handle on costledger's data: plan connections, synced usage and cost, reports.
///
/// Cheap to clone (an `Arc` inside); clones share one database pool. Every method is
/// `async` and runs on the caller's tokio runtime: the ledger starts no runtime or thread of
/// its own.
#[derive(Clone)]
pub struct Ledger {
    pub(crate) inner: Arc<LedgerInner>,
}

impl fmt::Debug for Ledger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let cipher = self.cipher_state();
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
        let mut sources = crate::source::default_sources(&config)?;
        for source in &config.sources {
            sources.insert(source.provider(), source.clone());
        }
        let store = open_store(&config.database_url, &config.store).await?;
        let ledger = Ledger {
            inner: Arc::new(LedgerInner {
                store,
                cipher: RwLock::new(state),
                sources,
                clock: config.clock.clone(),
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

    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }

    /// Fail early, before any network call, when a credential will have to be sealed or
    /// opened and no master key is configured.
    pub(crate) fn require_cipher(&self) -> Result<()> {
        let state = self.cipher_state();
        if !state.configured {
            return Err(Error::invalid(NO_MASTER_KEY));
        }
        Ok(())
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

    pub(crate) fn cipher_state(&self) -> CipherState {
        self.inner
            .cipher
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn source(&self, provider: Provider) -> Result<Arc<dyn UsageSource>> {
        self.inner.sources.get(&provider).cloned().ok_or_else(|| {
            Error::invalid(format!(
                "no usage source is configured for provider {provider}; configure one \
                 for it"
            ))
        })
    }

    /// Open a plan's credential in memory. `None` for plans that need no credential; a plan
    /// that should have one but has none (disconnected) is `INVALID_INPUT`.
    pub(crate) async fn open_credential(&self, plan: &Plan) -> Result<Option<Credential>> {
        if plan.provider != Provider::ClaudeCodeLogs {
            self.require_cipher()?;
        }
        let Some(stored) = self.inner.store.get_credential(plan.id).await? else {
            return match plan.provider {
                Provider::ClaudeCodeLogs => Ok(None),
                Provider::Anthropic | Provider::OpenAi => Err(Error::invalid(format!(
                    "plan {} ({:?}) has no credential (it is {}); add the organisation again \
                     with add_plan",
                    plan.id, plan.label, plan.status
                ))),
            };
        };
        let aad = credential_aad(plan.id, &stored.kind);
        let cipher = self.cipher_state().cipher;
        let opened = cipher.decrypt(&stored.sealed, &aad).await.map_err(|e| {
            Error::crypto(format!(
                "cannot open the credential of plan {} ({:?}): {}",
                plan.id,
                plan.label,
                e.full_message()
            ))
        })?;
        Credential::from_opened(&stored.kind, &opened).map(Some)
    }
}

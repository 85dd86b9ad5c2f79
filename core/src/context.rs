//! What the sync and report engines work with, below the [`crate::Ledger`] facade: the
//! store, the cipher, the provider sources and the clock, and the plan lookups and credential
//! opening every engine needs.

mod tokens;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, Utc};

pub(crate) use tokens::{OAUTH_TIMEOUT, PlanTokens, oauth_http};

use crate::attribution::{Attribution, InputsCache};
use crate::clock::Clock;
use crate::crypto::{KeyCipher, Keyring, credential_aad};
use crate::error::{Error, Result};
use crate::model::{Credential, ListPlans, Plan, Project, Provider, Subject};
use crate::source::UsageSource;
use crate::store::Store;

/// What a ledger opened without a master key seals and opens with: nothing.
#[derive(Debug)]
pub(crate) struct NoMasterKey;

pub(crate) const NO_MASTER_KEY: &str = "no master key is configured: set \
     COSTLEDGER_MASTER_KEY (32 random bytes as base64; `costledger master-key generate` makes \
     one) or give one when opening the ledger";

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

/// What the engines work with: the store, the cipher, the sources and the clock. The
/// [`crate::Ledger`] facade holds one and forwards its methods to the engines, which take a
/// `Context` rather than the facade.
pub(crate) struct Context {
    pub(crate) store: Arc<dyn Store>,
    pub(crate) cipher: RwLock<CipherState>,
    pub(crate) sources: HashMap<Provider, Arc<dyn UsageSource>>,
    pub(crate) clock: Arc<dyn Clock>,
    /// What attribution read last, kept while it stays current.
    pub(crate) attribution_inputs: InputsCache,
}

impl Context {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.clock.now()
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

    pub(crate) fn cipher_state(&self) -> CipherState {
        self.cipher
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub(crate) fn source(&self, provider: Provider) -> Result<Arc<dyn UsageSource>> {
        self.sources.get(&provider).cloned().ok_or_else(|| {
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
        let Some(stored) = self.store.get_credential(plan.id).await? else {
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

    /// Plans in id order: active and error plans, and disconnected ones when asked for.
    pub(crate) async fn list_plans(&self, filter: ListPlans) -> Result<Vec<Plan>> {
        self.store.list_plans(filter.include_disconnected).await
    }

    /// One plan, or `PLAN_NOT_FOUND`.
    pub(crate) async fn get_plan(&self, id: i64) -> Result<Plan> {
        self.store.get_plan(id).await
    }

    /// Attribution for `plans` (see [`Attribution::load`]).
    pub(crate) async fn attribution(&self, plans: &[Plan]) -> Result<Attribution> {
        let inputs = self
            .attribution_inputs
            .get(self.store.as_ref(), plans)
            .await?;
        Ok(Attribution::load(&inputs, plans))
    }

    /// Attribution of `subject`'s hours (see [`Attribution::load_for_subject`]).
    pub(crate) async fn attribution_for_subject(
        &self,
        plans: &[Plan],
        subject: &Subject,
        projects: &[Project],
    ) -> Result<Attribution> {
        let inputs = self
            .attribution_inputs
            .get(self.store.as_ref(), plans)
            .await?;
        Ok(Attribution::load_for_subject(
            &inputs, plans, subject, projects,
        ))
    }
}

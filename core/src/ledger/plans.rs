//! Plan management on [`Ledger`]: add, list, get, update, disconnect, rotate a credential,
//! import from the environment.

use async_trait::async_trait;

use super::Ledger;
use crate::config::ENV_ANTHROPIC_ADMIN_API_KEY;
use crate::context::PlanTokens;
use crate::crypto::{KeyCipher, Sealed, SecretString, credential_aad};
use crate::error::{Error, Result};
use crate::ledger::Revocation;
use crate::model::{
    Credential, CredentialReach, NewPlan, OrgInfo, Plan, PlanStatus, PlanUpdate, Provider,
    check_credential_kind, validate_label, validate_openai_admin_key,
};
use crate::oauth::OAuthTokens;
use crate::source::anthropic::analytics::{AdminKeyKind, admin_key_kind};
use crate::source::{SourceContext, TokenRefresher};
use crate::store::{CredentialSealer, NewPlanRecord};

/// What [`Ledger::disconnect_plan_reporting`] did.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Disconnected {
    /// The plan, now disconnected.
    pub plan: Plan,
    /// What happened to its grant at the provider.
    pub revocation: Revocation,
}

/// What happens to a plan's synced data when it is disconnected.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DataRetention {
    /// Keep usage, cost and metadata: past reports still show the plan.
    #[default]
    Keep,
    /// Delete them.
    Purge,
}

/// Seals a credential for a plan id inside the creating transaction.
struct SealFor<'a> {
    cipher: &'a dyn KeyCipher,
    credential: &'a Credential,
}

#[async_trait]
impl CredentialSealer for SealFor<'_> {
    async fn seal(&self, plan_id: i64) -> Result<(String, Sealed)> {
        let kind = self.credential.kind();
        let sealed = self
            .cipher
            .encrypt(
                &self.credential.sealed_plaintext(),
                &credential_aad(plan_id, kind),
            )
            .await
            .map_err(|e| {
                Error::crypto(format!(
                    "cannot seal the credential of plan {plan_id}: {}; nothing was stored",
                    e.full_message()
                ))
            })?;
        Ok((kind.to_string(), sealed))
    }
}

/// What the provider said of a credential: its organisation and what it reaches.
struct Verified {
    org: Option<OrgInfo>,
    reach: Option<CredentialReach>,
}

/// A scoped Enterprise key is useful only if it reaches the Analytics API.
fn check_scoped_reach(plan: &NewPlan, reach: Option<&CredentialReach>) -> Result<()> {
    let hint = plan
        .credential
        .as_ref()
        .map(Credential::hint)
        .unwrap_or_default();
    match reach.map(|r| r.analytics) {
        Some(None) => Ok(()),
        Some(Some(reason)) => Err(Error::invalid(format!(
            "admin key {hint} is a Claude Enterprise key with scopes, which cannot read the \
             legacy usage and cost reports, and the Analytics API refuses it: {reason}; \
             create a key with the read:analytics scope (and read:spend_limits for limits)"
        ))),
        None => Err(Error::invalid(format!(
            "admin key {hint} is a Claude Enterprise key with scopes; the provider did not \
             say what it reaches"
        ))),
    }
}

fn check_credential(provider: Provider, credential: Option<&Credential>) -> Result<()> {
    check_credential_kind(provider, credential.map(Credential::kind))?;
    match (provider, credential) {
        (Provider::Anthropic, Some(Credential::AdminKey(key))) => admin_key_kind(key).map(|_| ()),
        (Provider::Anthropic, Some(Credential::OAuth(tokens))) if !tokens.has_org_admin() => {
            Err(Error::invalid(format!(
                "the OAuth tokens were granted {:?}, without org:admin, which the Admin API \
                 needs; sign in again asking for the org:admin scope",
                tokens.scope()
            )))
        }
        (Provider::OpenAi, Some(Credential::AdminKey(key))) => validate_openai_admin_key(key),
        _ => Ok(()),
    }
}

impl Ledger {
    /// Add a plan connection.
    ///
    /// The label is trimmed and checked (1-200 characters, unique among plans not
    /// disconnected), the key's shape is checked before any network call, then the provider
    /// verifies the credential and names its organisation. A second plan for the same
    /// organisation, or a label in use, is `CONFLICT`; the database enforces both, so two
    /// concurrent adds cannot both succeed. The credential is sealed before it is stored.
    ///
    /// An organisation whose plan was disconnected with its data kept is **reconnected**: that
    /// plan becomes active again with the new credential, label and subscription (when one is
    /// given) and keeps its id, history and watermarks, so the next sync continues where it
    /// stopped and nothing is counted twice. After a disconnect with
    /// [`DataRetention::Purge`] the organisation starts afresh as a new plan.
    pub async fn add_plan(&self, plan: NewPlan) -> Result<Plan> {
        let label = validate_label(&plan.label)?;
        if let Some(subscription) = &plan.subscription {
            subscription.validate()?;
        }
        check_credential(plan.provider, plan.credential.as_ref())?;
        if plan.credential.is_some() {
            self.inner.require_cipher()?;
        }
        let live = self.inner.store.list_plans(false).await?;
        if live.iter().any(|p| p.label == label) {
            return Err(Error::conflict(format!(
                "a plan labelled {label:?} already exists; choose another label or disconnect \
                 that plan first"
            )));
        }
        let verified = self.verify_credential(None, &plan).await?;
        self.insert_verified(label, plan, verified).await
    }

    /// Ask the provider which organisation the credential answers for, then which of its
    /// APIs the credential reaches (one small request each).
    ///
    /// A scoped Claude Enterprise key (`sk-ant-api01-…`) must reach the Analytics API, the
    /// only cost data it can read: otherwise the plan is refused, saying why. For other
    /// credentials the reach is best effort: a check that fails for another reason than a
    /// refusal (a 5xx after retries) leaves it unknown, and the next sync checks again.
    async fn verify_credential(&self, plan_id: Option<i64>, plan: &NewPlan) -> Result<Verified> {
        let source = self.inner.source(plan.provider)?;
        let ctx = || SourceContext {
            plan_id,
            credential: plan.credential.as_ref(),
            settings: &plan.settings,
            requests: None,
            refresher: None,
        };
        let org = source.verify(ctx()).await?;
        // Local sources answer with a placeholder identity that is not an organisation.
        let org = (plan.provider != Provider::ClaudeCodeLogs).then_some(org);
        let scoped = matches!(
            &plan.credential,
            Some(Credential::AdminKey(key))
                if matches!(admin_key_kind(key), Ok(AdminKeyKind::EnterpriseScoped))
        );
        let reach = match (
            &plan.credential,
            source.reach(ctx(), self.inner.now()).await,
        ) {
            (None, _) => None,
            (Some(_), Ok(reach)) => reach,
            (Some(_), Err(e)) if scoped => return Err(e),
            (Some(_), Err(_)) => None,
        };
        if scoped {
            check_scoped_reach(plan, reach.as_ref())?;
        }
        Ok(Verified { org, reach })
    }

    async fn insert_verified(
        &self,
        label: String,
        plan: NewPlan,
        verified: Verified,
    ) -> Result<Plan> {
        let Verified { org, reach } = verified;
        let record = NewPlanRecord {
            provider: plan.provider,
            label,
            key_hint: plan.credential.as_ref().map(Credential::hint),
            org_id: org.as_ref().map(|o| o.id.clone()),
            org_name: org.map(|o| o.name),
            settings: plan.settings.clone(),
            subscription: plan.subscription.clone(),
            now: self.inner.now(),
            reach,
        };
        if plan.credential.is_some() {
            self.ensure_master_key().await?;
        }
        let reconnect = match &record.org_id {
            Some(org) => {
                self.inner
                    .store
                    .reconnectable_plan(record.provider, org)
                    .await?
            }
            None => None,
        };
        let cipher = self.inner.cipher_state().cipher;
        let sealer = plan.credential.as_ref().map(|credential| SealFor {
            cipher: cipher.as_ref(),
            credential,
        });
        let sealer = sealer.as_ref().map(|s| s as &dyn CredentialSealer);
        let store = &self.inner.store;
        match reconnect {
            Some(id) => store.reconnect_plan(id, &record, sealer).await,
            None => store.insert_plan(&record, sealer).await,
        }
    }

    /// Change a plan's label or subscription. A label in use by another live plan is
    /// `CONFLICT`.
    pub async fn update_plan(&self, id: i64, update: PlanUpdate) -> Result<Plan> {
        let mut update = update;
        if let Some(label) = &update.label {
            update.label = Some(validate_label(label)?);
        }
        if let Some(Some(subscription)) = &update.subscription {
            subscription.validate()?;
        }
        self.inner
            .store
            .update_plan(id, &update, self.inner.now())
            .await
    }

    /// Disconnect a plan: its status becomes `disconnected` and its sealed credential is
    /// destroyed. Its synced data stays for past reports unless `retention` is
    /// [`DataRetention::Purge`]. Disconnecting twice is harmless. An OAuth plan's grant is
    /// revoked at the provider first, best effort; [`Ledger::disconnect_plan_reporting`]
    /// says whether that worked.
    pub async fn disconnect_plan(&self, id: i64, retention: DataRetention) -> Result<Plan> {
        Ok(self.disconnect_plan_reporting(id, retention).await?.plan)
    }

    /// [`Ledger::disconnect_plan`], reporting what happened at the provider: an OAuth plan's
    /// grant is revoked (RFC 7009), and when that fails (the provider is down, the grant
    /// was already gone) the failure is reported and the local credential is destroyed
    /// regardless.
    pub async fn disconnect_plan_reporting(
        &self,
        id: i64,
        retention: DataRetention,
    ) -> Result<Disconnected> {
        let plan = self.get_plan(id).await?;
        let revocation = match self.inner.store.get_credential(id).await? {
            Some(stored) if stored.kind == "oauth" => match self.inner.open_credential(&plan).await
            {
                Ok(credential) => self.revoke_plan_grant(credential.as_ref()).await,
                Err(e) => Revocation::Failed {
                    code: e.code().to_string(),
                    message: e.full_message(),
                },
            },
            _ => Revocation::NotApplicable,
        };
        if let Revocation::Failed { code, .. } = &revocation {
            tracing::warn!(plan = id, code = %code, "revoking an OAuth grant failed; destroying the local credential anyway");
        }
        let plan = self
            .inner
            .store
            .disconnect_plan(id, retention == DataRetention::Purge, self.inner.now())
            .await?;
        Ok(Disconnected { plan, revocation })
    }

    /// Reconnect an OAuth plan (after a refused refresh left it in `error`) with tokens of a
    /// new sign-in. They must answer for the plan's organisation (`ORG_MISMATCH`
    /// otherwise) and are sealed in place of the old ones; the plan becomes active again.
    pub async fn rotate_plan_oauth(&self, id: i64, tokens: OAuthTokens) -> Result<Plan> {
        self.rotate_credential(id, Credential::OAuth(Box::new(tokens)))
            .await
    }

    /// Replace a plan's admin key. The new key is checked, must answer for the plan's
    /// organisation (`ORG_MISMATCH` otherwise), and is sealed in place of the old one; the
    /// plan becomes active again.
    pub async fn rotate_plan_credential(
        &self,
        id: i64,
        admin_key: impl Into<SecretString>,
    ) -> Result<Plan> {
        self.rotate_credential(id, Credential::AdminKey(admin_key.into()))
            .await
    }

    async fn rotate_credential(&self, id: i64, credential: Credential) -> Result<Plan> {
        let plan = self.get_plan(id).await?;
        if plan.status == PlanStatus::Disconnected {
            return Err(Error::invalid(format!(
                "plan {id} ({:?}) is disconnected; add the organisation again with add_plan",
                plan.label
            )));
        }
        check_credential(plan.provider, Some(&credential))?;
        let probe = NewPlan {
            label: plan.label.clone(),
            provider: plan.provider,
            credential: Some(credential.clone()),
            settings: plan.settings.clone(),
            subscription: None,
        };
        let Verified { org, reach } = self
            .verify_credential(Some(id), &probe)
            .await
            .map_err(|e| e.for_plan(id))?;
        if let (Some(expected), Some(found)) = (&plan.org_id, &org)
            && *expected != found.id
        {
            return Err(Error::OrgMismatch {
                plan: id,
                expected: expected.clone(),
                found: found.id.clone(),
            });
        }
        self.ensure_master_key().await?;
        let cipher = self.inner.cipher_state().cipher;
        let (kind, sealed) = SealFor {
            cipher: cipher.as_ref(),
            credential: &credential,
        }
        .seal(id)
        .await?;
        let store = &self.inner.store;
        // The replacement clears the old reach; a kill before the new one is recorded leaves
        // it unknown, and the next sync checks it.
        let replaced = store
            .replace_credential(id, &kind, &credential.hint(), &sealed, self.inner.now())
            .await?;
        if reach.is_none() {
            return Ok(replaced);
        }
        store.set_plan_reach(id, reach.as_ref()).await?;
        self.get_plan(id).await
    }

    /// Open a plan's stored credential and ask the provider again which organisation it
    /// answers for: the "test connection" of a settings page.
    ///
    /// It also checks again which of the provider's APIs the credential reaches and records
    /// it on the plan ([`Plan::reach`]).
    ///
    /// Fails with `CRYPTO` (naming the plan) when the credential cannot be opened with the
    /// configured master key, `CREDENTIAL_REJECTED` when the provider refuses it, and
    /// `ORG_MISMATCH` when it now answers for another organisation.
    pub async fn check_plan(&self, id: i64) -> Result<OrgInfo> {
        let plan = self.get_plan(id).await?;
        let credential = self.inner.open_credential(&plan).await?;
        let source = self.inner.source(plan.provider)?;
        let tokens = PlanTokens::of(&self.inner, id, credential.as_ref());
        let ctx = SourceContext {
            plan_id: Some(id),
            credential: credential.as_ref(),
            settings: &plan.settings,
            requests: None,
            refresher: tokens.as_ref().map(|t| t as &dyn TokenRefresher),
        };
        let org = source.verify(ctx).await.map_err(|e| e.for_plan(id))?;
        if let Some(expected) = &plan.org_id
            && *expected != org.id
        {
            return Err(Error::OrgMismatch {
                plan: id,
                expected: expected.clone(),
                found: org.id,
            });
        }
        // What the credential reaches is checked again: an organisation can enable the
        // Analytics beta, or stop being HIPAA-ready, after a sync recorded its refusal.
        if let Some(reach) = source
            .reach(ctx, self.inner.now())
            .await
            .map_err(|e| e.for_plan(id))?
        {
            self.inner.store.set_plan_reach(id, Some(&reach)).await?;
        }
        Ok(org)
    }

    /// Import the admin key in `ANTHROPIC_ADMIN_API_KEY` as the first plan, labelled with its
    /// organisation's name. Does nothing (returns `None`) when the variable is unset or any
    /// plan already exists, so running it at every start is safe.
    pub async fn import_plan_from_env(&self) -> Result<Option<Plan>> {
        let key = std::env::var(ENV_ANTHROPIC_ADMIN_API_KEY)
            .ok()
            .filter(|k| !k.trim().is_empty())
            .map(SecretString::new);
        self.import_plan_from_key(key).await
    }

    pub(crate) async fn import_plan_from_key(
        &self,
        key: Option<SecretString>,
    ) -> Result<Option<Plan>> {
        let Some(key) = key else { return Ok(None) };
        if self.inner.store.count_plans().await? > 0 {
            return Ok(None);
        }
        let plan = NewPlan::anthropic("imported", key);
        check_credential(plan.provider, plan.credential.as_ref())?;
        let verified = self.verify_credential(None, &plan).await?;
        let label = verified
            .org
            .as_ref()
            .and_then(|o| validate_label(&o.name).ok())
            .unwrap_or_else(|| "Anthropic organisation".to_string());
        match self.insert_verified(label, plan, verified).await {
            Ok(plan) => Ok(Some(plan)),
            // Another process imported it first.
            Err(Error::Conflict { .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

//! The tokens of an OAuth plan, kept fresh while a sync or a check uses them.
//!
//! A refresh runs inside the store transaction that replaces the sealed tokens, with the
//! credential's row locked from the read to the write. A second process that wants to
//! refresh the same plan waits on that lock, then finds tokens other than the ones it holds
//! and adopts them instead of presenting a refresh token that was already used (which the
//! provider would answer by revoking the whole grant).

use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use tokio::sync::Mutex as AsyncMutex;

use super::Context;
use crate::crypto::constant_time_eq;
use crate::crypto::{Sealed, SecretString, credential_aad};
use crate::error::{Error, Result};
use crate::model::Credential;
use crate::oauth::OAuthTokens;
use crate::source::TokenRefresher;
use crate::store::{CredentialUpdater, StoredCredential};

/// An access token this close to its expiry is refreshed before it is sent.
pub(crate) const REFRESH_MARGIN: chrono::Duration = chrono::Duration::seconds(60);

/// Timeout of one request to the authorization server.
pub(crate) const OAUTH_TIMEOUT: Duration = Duration::from_secs(30);

pub(crate) fn oauth_http() -> Result<reqwest::Client> {
    crate::http::client(None)
}

/// The tokens of one stored plan while an operation uses them.
pub(crate) struct PlanTokens<'a> {
    ctx: &'a Context,
    plan_id: i64,
    current: AsyncMutex<OAuthTokens>,
}

impl std::fmt::Debug for PlanTokens<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PlanTokens")
            .field("plan_id", &self.plan_id)
            .finish_non_exhaustive()
    }
}

impl<'a> PlanTokens<'a> {
    /// A session for the plan's opened OAuth credential; `None` for other credentials.
    pub(crate) fn of(
        ctx: &'a Context,
        plan_id: i64,
        credential: Option<&Credential>,
    ) -> Option<Self> {
        match credential {
            Some(Credential::OAuth(tokens)) => Some(PlanTokens {
                ctx,
                plan_id,
                current: AsyncMutex::new(OAuthTokens::clone(tokens)),
            }),
            _ => None,
        }
    }

    /// Refresh `held` under the store's lock: adopt what another holder stored meanwhile,
    /// or rotate at the provider and store the result.
    async fn refresh(&self, held: &mut OAuthTokens, force: bool) -> Result<()> {
        let updater = Refresh {
            ctx: self.ctx,
            plan_id: self.plan_id,
            held: held.clone(),
            force,
            result: Mutex::new(None),
        };
        let store = &self.ctx.store;
        store
            .update_credential(self.plan_id, &updater, self.ctx.now())
            .await
            .map_err(|e| e.for_plan(self.plan_id))?;
        let fresh = updater
            .result
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(fresh) = fresh {
            *held = fresh;
        }
        Ok(())
    }
}

#[async_trait]
impl TokenRefresher for PlanTokens<'_> {
    async fn access_token(&self) -> Result<SecretString> {
        let mut held = self.current.lock().await;
        if held.expires_within(self.ctx.now(), REFRESH_MARGIN) {
            self.refresh(&mut held, false).await?;
        }
        Ok(held.access_token().clone())
    }

    async fn after_rejection(&self, used: &SecretString) -> Result<SecretString> {
        let mut held = self.current.lock().await;
        let same = constant_time_eq(
            held.access_token().expose().as_bytes(),
            used.expose().as_bytes(),
        );
        if same {
            self.refresh(&mut held, true).await?;
        }
        Ok(held.access_token().clone())
    }
}

/// The store-side half of a refresh, run with the credential's row locked.
struct Refresh<'a> {
    ctx: &'a Context,
    plan_id: i64,
    /// The tokens the caller holds.
    held: OAuthTokens,
    /// Refresh even when the stored access token has not neared expiry (it got a 401).
    force: bool,
    result: Mutex<Option<OAuthTokens>>,
}

#[async_trait]
impl CredentialUpdater for Refresh<'_> {
    async fn update(&self, stored: &StoredCredential) -> Result<Option<Sealed>> {
        let aad = credential_aad(self.plan_id, &stored.kind);
        let cipher = self.ctx.cipher_state().cipher;
        let opened = cipher.decrypt(&stored.sealed, &aad).await.map_err(|e| {
            Error::crypto(format!(
                "cannot open the credential of plan {}: {}",
                self.plan_id,
                e.full_message()
            ))
        })?;
        let Credential::OAuth(latest) = Credential::from_opened(&stored.kind, &opened)? else {
            return Err(Error::invalid(format!(
                "plan {}'s credential is no longer OAuth tokens; sync it again",
                self.plan_id
            )));
        };
        let now = self.ctx.now();
        // Another holder rotated the tokens since ours were read: theirs are the newest.
        let rotated_elsewhere = !latest.same_grant_state(&self.held);
        let fresh_enough = !latest.expires_within(now, REFRESH_MARGIN);
        if rotated_elsewhere && (fresh_enough || self.force) {
            *self.result.lock().unwrap_or_else(|p| p.into_inner()) = Some(*latest);
            return Ok(None);
        }
        let http = oauth_http()?;
        let fresh = crate::oauth::client::refresh(&http, &latest, now, OAUTH_TIMEOUT).await?;
        let sealed = cipher
            .encrypt(&fresh.to_sealed_bytes(), &aad)
            .await
            .map_err(|e| {
                Error::crypto(format!(
                    "cannot seal the refreshed tokens of plan {}: {}; the old ones stay",
                    self.plan_id,
                    e.full_message()
                ))
            })?;
        tracing::debug!(plan = self.plan_id, "refreshed an OAuth access token");
        *self.result.lock().unwrap_or_else(|p| p.into_inner()) = Some(fresh);
        Ok(Some(sealed))
    }
}

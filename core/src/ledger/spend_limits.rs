//! A plan's spend limits at its provider (Anthropic's Spend Limits API): list, set, delete
//! and the per-member effective report, read and written live with the plan's credential.
//! See docs/analytics.md.

use crate::context::PlanTokens;
use crate::error::{Error, Result};
use crate::ledger::Ledger;
use crate::model::{
    Credential, EffectiveSpend, OrgKind, Plan, SpendLimit, SpendLimitWrite, SpendPeriod,
    SyncedSpendLimits,
};
use crate::source::anthropic::analytics::{AdminKeyKind, SpendLimitFilter, admin_key_kind};
use crate::source::{SourceContext, SpendLimitApi, TokenRefresher, UsageSource};

/// What one call needs: the plan, its opened credential and the provider's limits API.
struct LimitsCall {
    plan: Plan,
    credential: Option<Credential>,
    source: std::sync::Arc<dyn UsageSource>,
}

impl LimitsCall {
    fn api(&self) -> Result<&dyn SpendLimitApi> {
        self.source.spend_limit_api().ok_or_else(|| {
            Error::invalid(format!(
                "plan {} is a {} plan: its provider has no spend limits API costledger can \
                 reach (Anthropic organisations have one)",
                self.plan.id, self.plan.provider
            ))
        })
    }

    /// The organisation kind the credential proves: a scoped `sk-ant-api01-…` admin key
    /// exists only in Claude Enterprise. A Console admin key or an OAuth token does not tell
    /// (Enterprise organisations have Console keys too): the provider decides.
    fn known_kind(&self) -> Option<OrgKind> {
        match &self.credential {
            Some(Credential::AdminKey(key)) => match admin_key_kind(key) {
                Ok(AdminKeyKind::EnterpriseScoped) => Some(OrgKind::Enterprise),
                _ => None,
            },
            _ => None,
        }
    }
}

impl Ledger {
    async fn limits_call(&self, plan_id: i64) -> Result<LimitsCall> {
        let plan = self.get_plan(plan_id).await?;
        let source = self.inner.source(plan.provider)?;
        let call = LimitsCall {
            credential: None,
            source,
            plan,
        };
        call.api()?;
        let credential = self.inner.open_credential(&call.plan).await?;
        Ok(LimitsCall { credential, ..call })
    }

    /// The plan's spend limits at its provider, as they are now (read live, not synced):
    /// every limit matching `filter` (scope types, a workspace).
    ///
    /// A plan of a provider without a spend limits API is `INVALID_INPUT`; a credential
    /// without the scope (`read:spend_limits`) is `CREDENTIAL_REJECTED`.
    pub async fn spend_limits(
        &self,
        plan_id: i64,
        filter: &SpendLimitFilter,
    ) -> Result<Vec<SpendLimit>> {
        let call = self.limits_call(plan_id).await?;
        let tokens = PlanTokens::of(&self.inner, plan_id, call.credential.as_ref());
        let ctx = context(&call, tokens.as_ref());
        call.api()?
            .list(ctx, filter)
            .await
            .map_err(|e| e.for_plan(plan_id))
    }

    /// Set a spend limit at the plan's provider: create it, or replace the one of the same
    /// scope and period (the provider keeps its id). What the organisation's kind cannot set
    /// (Claude Enterprise: user limits only; Console: organisation and workspace limits,
    /// monthly) is `INVALID_INPUT` naming the scope, before anything is sent when the
    /// credential shows the kind, else from the provider's refusal.
    pub async fn set_spend_limit(
        &self,
        plan_id: i64,
        write: &SpendLimitWrite,
    ) -> Result<SpendLimit> {
        let call = self.limits_call(plan_id).await?;
        let kind = call.known_kind();
        let tokens = PlanTokens::of(&self.inner, plan_id, call.credential.as_ref());
        let ctx = context(&call, tokens.as_ref());
        call.api()?
            .set(ctx, write, kind)
            .await
            .map_err(|e| e.for_plan(plan_id))
    }

    /// Delete a spend limit at the plan's provider by its id. A limit that is not there is
    /// `INVALID_INPUT`, as is a scope the organisation cannot delete.
    pub async fn delete_spend_limit(&self, plan_id: i64, limit_id: &str) -> Result<()> {
        if limit_id.trim().is_empty() {
            return Err(Error::invalid("a spend limit id is required"));
        }
        let call = self.limits_call(plan_id).await?;
        let tokens = PlanTokens::of(&self.inner, plan_id, call.credential.as_ref());
        let ctx = context(&call, tokens.as_ref());
        call.api()?
            .delete(ctx, limit_id)
            .await
            .map_err(|e| e.for_plan(plan_id))
    }

    /// Each member's effective limit and spend since the period began (Claude Enterprise;
    /// a Console organisation is `INVALID_INPUT` with the provider's reason), for `periods`
    /// and `user_ids` (empty: all).
    pub async fn effective_spend(
        &self,
        plan_id: i64,
        periods: &[SpendPeriod],
        user_ids: &[String],
    ) -> Result<Vec<EffectiveSpend>> {
        let call = self.limits_call(plan_id).await?;
        let tokens = PlanTokens::of(&self.inner, plan_id, call.credential.as_ref());
        let ctx = context(&call, tokens.as_ref());
        call.api()?
            .effective(ctx, periods, user_ids)
            .await
            .map_err(|e| e.for_plan(plan_id))
    }
}

impl Ledger {
    /// The plan's spend limits and effective report as the last sync stored them (the
    /// `spend_limits` stream), with the time they were read; empty with no `synced_at` before
    /// the first sync. Nothing is asked of the provider.
    pub async fn synced_spend_limits(&self, plan_id: i64) -> Result<SyncedSpendLimits> {
        self.get_plan(plan_id).await?;
        self.inner.store.synced_spend_limits(plan_id).await
    }
}

fn context<'a>(call: &'a LimitsCall, tokens: Option<&'a PlanTokens<'a>>) -> SourceContext<'a> {
    SourceContext {
        plan_id: Some(call.plan.id),
        credential: call.credential.as_ref(),
        settings: &call.plan.settings,
        requests: None,
        refresher: tokens.map(|t| t as &dyn TokenRefresher),
    }
}

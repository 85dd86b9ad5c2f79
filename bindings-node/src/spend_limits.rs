//! A plan's spend limits at its provider (Anthropic's Spend Limits API), read and written
//! live with the plan's sealed credential.

use costledger::model::{SpendLimitScope, SpendLimitWrite, SpendMember, SpendPeriod};
use costledger::{Error, SpendLimitFilter};
use napi_derive::napi;

use crate::error::run;
use crate::integers::id;
use crate::ledger::JsLedger;
use crate::model::{Money, iso_opt};

/// Which limits `spendLimits` lists.
#[napi(object, object_to_js = false)]
pub struct SpendLimitsOptions {
    /// The plan.
    pub plan_id: f64,
    /// Only these scope types (`organization`, `workspace`, `user`, …).
    pub scope_types: Option<Vec<String>>,
    /// Only this workspace's limits.
    pub workspace_id: Option<String>,
}

/// A limit to set (an upsert on scope and period).
#[napi(object, object_to_js = false)]
pub struct SetSpendLimitOptions {
    /// The plan.
    pub plan_id: f64,
    /// `organization`, `workspace:ID`, `user:ID`, `seat_tier:TIER`, `rbac_group:ID`,
    /// `organization_service:SERVICE`.
    pub scope: String,
    /// The window it resets over.
    #[napi(ts_type = "'daily' | 'weekly' | 'monthly'")]
    pub period: String,
    /// The cap in dollars, a decimal string of whole cents (`"50"`, `"75.25"`); null sets an
    /// explicit "no limit".
    pub amount_usd: Option<String>,
}

/// Which effective rows `effectiveSpend` reads.
#[napi(object, object_to_js = false)]
pub struct EffectiveSpendOptions {
    /// The plan.
    pub plan_id: f64,
    /// Only these periods.
    pub periods: Option<Vec<String>>,
    /// Only these members.
    pub user_ids: Option<Vec<String>>,
}

/// A spend limit set at the provider.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct SpendLimit {
    /// Its id (`spl_…`).
    pub id: String,
    /// What it applies to, in text form (`user:user_…`).
    pub scope: String,
    /// Its period.
    #[napi(ts_type = "'daily' | 'weekly' | 'monthly'")]
    pub period: String,
    /// The cap; null is an explicit "no limit".
    pub amount: Option<Money>,
    /// The currency.
    pub currency: String,
    /// False when extra usage is switched off (the amount is kept).
    pub is_enabled: bool,
    /// Created (ISO-8601), when the provider says.
    pub created_at: Option<String>,
    /// Last written (ISO-8601), when the provider says.
    pub updated_at: Option<String>,
}

impl From<costledger::model::SpendLimit> for SpendLimit {
    fn from(l: costledger::model::SpendLimit) -> Self {
        SpendLimit {
            id: l.id,
            scope: l.scope.to_string(),
            period: l.period.to_string(),
            amount: l.amount.map(Into::into),
            currency: l.currency,
            is_enabled: l.is_enabled,
            created_at: iso_opt(l.created_at),
            updated_at: iso_opt(l.updated_at),
        }
    }
}

/// A member's resolved limit for one period and their spend since it began.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct EffectiveSpend {
    /// The member; null for a scoped API key's row.
    pub user_id: Option<String>,
    /// Their e-mail, when known.
    pub email: Option<String>,
    /// Their name, when set.
    pub name: Option<String>,
    /// Deleted, or no longer a member.
    pub deleted: bool,
    /// The scoped API key the row is about, if it is about one.
    pub scoped_api_key_id: Option<String>,
    /// The effective cap; null when no limit applies.
    pub amount: Option<Money>,
    /// The currency.
    pub currency: String,
    /// The period.
    #[napi(ts_type = "'daily' | 'weekly' | 'monthly'")]
    pub period: String,
    /// Spend since the period began, exact to 1/1000 cent (zero can also mean the reading is
    /// unavailable).
    pub period_to_date_spend: Money,
    /// The row's own scope, when stated.
    pub scope: Option<String>,
    /// The scope the limit was inherited from.
    pub source: Option<String>,
    /// The limit resolved.
    pub spend_limit_id: Option<String>,
}

impl From<costledger::model::EffectiveSpend> for EffectiveSpend {
    fn from(e: costledger::model::EffectiveSpend) -> Self {
        let text = |s: Option<SpendLimitScope>| s.map(|s| s.to_string());
        let (user_id, email, name, deleted, key) = match e.member {
            SpendMember::User {
                user_id,
                email_address,
                name,
                deleted,
            } => (Some(user_id), email_address, name, deleted, None),
            SpendMember::ScopedApiKey { scoped_api_key_id } => {
                (None, None, None, false, Some(scoped_api_key_id))
            }
        };
        EffectiveSpend {
            user_id,
            email,
            name,
            deleted,
            scoped_api_key_id: key,
            amount: e.amount.map(Into::into),
            currency: e.currency,
            period: e.period.to_string(),
            period_to_date_spend: e.period_to_date_spend.into(),
            scope: text(e.scope),
            source: text(e.source),
            spend_limit_id: e.spend_limit_id,
        }
    }
}

/// A plan's spend limits and effective report as the last sync stored them.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct SyncedSpendLimits {
    /// The plan.
    pub plan_id: i64,
    /// When the sync read them (ISO-8601); null: never synced.
    pub synced_at: Option<String>,
    /// Every limit, in the provider's order.
    pub limits: Vec<SpendLimit>,
    /// The effective report (Claude Enterprise), in the provider's order.
    pub effective: Vec<EffectiveSpend>,
    /// Why there is no effective report (a Claude Console organisation refuses it).
    pub effective_unavailable: Option<String>,
}

#[napi]
impl JsLedger {
    /// The plan's spend limits and effective report as the last sync stored them (the
    /// `spend_limits` stream); nothing is asked of the provider.
    #[napi(catch_unwind)]
    pub async fn synced_spend_limits(&self, plan_id: f64) -> napi::Result<SyncedSpendLimits> {
        run(async { self.inner.synced_spend_limits(id("planId", plan_id)?).await })
            .await
            .map(|s| SyncedSpendLimits {
                plan_id: s.plan_id,
                synced_at: iso_opt(s.synced_at),
                limits: s.limits.into_iter().map(Into::into).collect(),
                effective: s.effective.into_iter().map(Into::into).collect(),
                effective_unavailable: s.effective_unavailable,
            })
    }

    /// The plan's spend limits at its provider, read live. A provider without a spend limits
    /// API is `INVALID_INPUT`; a credential that cannot read them `CREDENTIAL_REJECTED`.
    #[napi(catch_unwind)]
    pub async fn spend_limits(&self, options: SpendLimitsOptions) -> napi::Result<Vec<SpendLimit>> {
        run(async {
            let filter = SpendLimitFilter {
                scope_types: options.scope_types.unwrap_or_default(),
                workspace_id: options.workspace_id,
            };
            self.inner
                .spend_limits(id("planId", options.plan_id)?, &filter)
                .await
        })
        .await
        .map(|v| v.into_iter().map(Into::into).collect())
    }

    /// Set a spend limit at the plan's provider (an upsert on scope and period: the id is
    /// kept). What the organisation's kind cannot set is `INVALID_INPUT` naming the scope.
    #[napi(catch_unwind)]
    pub async fn set_spend_limit(&self, options: SetSpendLimitOptions) -> napi::Result<SpendLimit> {
        run(async {
            let amount = options
                .amount_usd
                .map(|a| {
                    costledger::Money::parse_dollars(&a).map_err(|_| {
                        Error::invalid(format!(
                            "amountUsd is a decimal string of dollars, got {a:?}"
                        ))
                    })
                })
                .transpose()?;
            let write = SpendLimitWrite {
                scope: options.scope.parse()?,
                period: options.period.parse()?,
                amount,
            };
            self.inner
                .set_spend_limit(id("planId", options.plan_id)?, &write)
                .await
        })
        .await
        .map(Into::into)
    }

    /// Delete a spend limit at the plan's provider by its id.
    #[napi(catch_unwind)]
    pub async fn delete_spend_limit(&self, plan_id: f64, limit_id: String) -> napi::Result<()> {
        run(async {
            self.inner
                .delete_spend_limit(id("planId", plan_id)?, &limit_id)
                .await
        })
        .await
    }

    /// Each member's effective limit and period-to-date spend (Claude Enterprise; a Console
    /// organisation is `INVALID_INPUT` with the provider's reason).
    #[napi(catch_unwind)]
    pub async fn effective_spend(
        &self,
        options: EffectiveSpendOptions,
    ) -> napi::Result<Vec<EffectiveSpend>> {
        run(async {
            let periods: Vec<SpendPeriod> = options
                .periods
                .unwrap_or_default()
                .iter()
                .map(|p| p.parse())
                .collect::<costledger::Result<_>>()?;
            self.inner
                .effective_spend(
                    id("planId", options.plan_id)?,
                    &periods,
                    &options.user_ids.unwrap_or_default(),
                )
                .await
        })
        .await
        .map(|v| v.into_iter().map(Into::into).collect())
    }
}

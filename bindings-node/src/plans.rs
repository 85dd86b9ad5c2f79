//! Plan connections on `Ledger`: add, list, get, update, disconnect, rotate a credential,
//! check, read its organisation's metadata, import from the environment. The OAuth side
//! (reconnect with new tokens, disconnect reporting the revocation) is in `oauth.rs`.

use costledger::{DataRetention, ListPlans, Money as CoreMoney, PlanSettings};
use napi_derive::napi;

use crate::error::{invalid, run_json};
use crate::integers;
use crate::ledger::JsLedger;
use crate::model::{parse_date, parse_opt};
use crate::oauth::TokensArg;

/// A subscription to record on a plan.
#[napi(object, object_to_js = false)]
pub struct SubscriptionInput {
    /// The tier.
    #[napi(
        ts_type = "'free' | 'pro' | 'max_5x' | 'max_20x' | 'team_standard' | 'team_premium' | 'enterprise' | 'api'"
    )]
    pub tier: String,
    /// Seats paid for (1 to 1 000 000).
    pub seats: f64,
    /// The first day of a billing period (`2026-11-01`).
    pub anchor_date: String,
    /// A custom price per seat per billing cycle, as an exact decimal string of dollars
    /// (`"19.99"`). Default: the catalog's list price for the tier.
    pub price_per_seat: Option<String>,
    /// How often it is billed. Default `'monthly'`.
    #[napi(ts_type = "'monthly' | 'annual'")]
    pub cycle: Option<String>,
    /// ISO currency of the fees; only `USD` is supported. Default `'USD'`.
    pub currency: Option<String>,
}

impl TryFrom<SubscriptionInput> for costledger::Subscription {
    type Error = costledger::Error;

    fn try_from(s: SubscriptionInput) -> costledger::Result<Self> {
        let anchor = parse_date("anchorDate", &s.anchor_date)?;
        let seats = integers::count("subscription.seats", s.seats)?;
        let mut sub = costledger::Subscription::new(s.tier.parse()?, seats, anchor);
        if let Some(cycle) = parse_opt(s.cycle)? {
            sub = sub.cycle(cycle);
        }
        if let Some(price) = s.price_per_seat {
            sub = sub.price_per_seat(CoreMoney::parse_dollars(&price)?);
        }
        if let Some(currency) = s.currency {
            sub.currency = currency;
        }
        Ok(sub)
    }
}

/// A plan to add.
#[napi(object, object_to_js = false)]
pub struct NewPlan {
    /// The host's name for it: 1-200 characters (trimmed), unique among plans not
    /// disconnected.
    pub label: String,
    /// Where its usage comes from (`ledger.providers()` lists them). Default `'anthropic'`.
    #[napi(ts_type = "'anthropic' | 'openai' | 'claude_code_logs'")]
    pub provider: Option<String>,
    /// For `anthropic` plans the organisation's Admin API key (`sk-ant-admin…`), for
    /// `openai` plans its admin key (`sk-admin-…`; a read-only one is enough). It is
    /// verified with the provider, sealed, and never returned; only its hint is.
    pub admin_api_key: Option<String>,
    /// For `anthropic` plans, instead of `adminApiKey`: the tokens of an OAuth sign-in
    /// (`OAuthClient.finish` or `selectOrganization`), with the `org:admin` scope. They are
    /// verified with the provider, sealed together (access token, refresh token, expiry),
    /// refreshed when they expire, and revoked when the plan is disconnected.
    #[napi(ts_type = "OAuthTokens")]
    pub oauth_tokens: Option<TokensArg>,
    /// For `claude_code_logs` plans: the directories scanned for `*.jsonl` logs. Default:
    /// Claude Code's own log directories.
    pub directories: Option<Vec<String>>,
    /// The plan's subscription, if any.
    pub subscription: Option<SubscriptionInput>,
}

impl TryFrom<NewPlan> for costledger::NewPlan {
    type Error = costledger::Error;

    fn try_from(p: NewPlan) -> costledger::Result<Self> {
        let credential = match (p.admin_api_key, p.oauth_tokens) {
            (Some(_), Some(_)) => {
                return Err(invalid("give either adminApiKey or oauthTokens, not both"));
            }
            (Some(key), None) => Some(costledger::Credential::AdminKey(key.into())),
            (None, Some(tokens)) => Some(costledger::Credential::OAuth(Box::new(tokens.0))),
            (None, None) => None,
        };
        Ok(costledger::NewPlan {
            label: p.label,
            provider: parse_opt(p.provider)?.unwrap_or(costledger::Provider::Anthropic),
            credential,
            settings: PlanSettings {
                directories: p.directories.unwrap_or_default(),
            },
            subscription: p.subscription.map(TryInto::try_into).transpose()?,
        })
    }
}

/// Which plans `listPlans` returns.
#[napi(object, object_to_js = false)]
pub struct ListPlansOptions {
    /// Also return disconnected plans. Default false.
    pub include_disconnected: Option<bool>,
}

/// Changes to a plan; fields left out stay as they are.
#[napi(object, object_to_js = false)]
pub struct PlanUpdate {
    /// A new label.
    pub label: Option<String>,
    /// A new subscription (replaces the current one).
    pub subscription: Option<SubscriptionInput>,
    /// Remove the subscription. Default false.
    pub clear_subscription: Option<bool>,
}

impl TryFrom<PlanUpdate> for costledger::PlanUpdate {
    type Error = costledger::Error;

    fn try_from(u: PlanUpdate) -> costledger::Result<Self> {
        // JS has no `Some(None)`: a separate flag removes the subscription.
        let subscription = match (u.subscription, u.clear_subscription.unwrap_or(false)) {
            (Some(_), true) => {
                return Err(invalid(
                    "give either subscription or clearSubscription: true, not both",
                ));
            }
            (Some(s), false) => Some(Some(s.try_into()?)),
            (None, true) => Some(None),
            (None, false) => None,
        };
        Ok(costledger::PlanUpdate {
            label: u.label,
            subscription,
        })
    }
}

/// How to disconnect a plan.
#[napi(object, object_to_js = false)]
pub struct DisconnectOptions {
    /// Also delete the plan's synced usage, cost and metadata. Default false: past reports
    /// still show the plan.
    pub purge: Option<bool>,
}

/// What disconnecting does with a plan's synced data.
pub(crate) fn retention(options: Option<DisconnectOptions>) -> DataRetention {
    match options.and_then(|o| o.purge) {
        Some(true) => DataRetention::Purge,
        _ => DataRetention::Keep,
    }
}

#[napi]
impl JsLedger {
    /// Add a plan connection. The label is checked, the key's shape (or the OAuth tokens'
    /// `org:admin` scope) is checked, then the provider verifies the credential and names
    /// its organisation; the credential is sealed before it is stored. A second plan for the
    /// same organisation, or a label in use, is `CONFLICT`; a refused key or token is
    /// `CREDENTIAL_REJECTED`.
    #[napi(catch_unwind)]
    pub async fn add_plan(&self, plan: NewPlan) -> napi::Result<String> {
        run_json(async { self.inner.add_plan(plan.try_into()?).await }).await
    }

    /// Plans in id order: active and error plans, and disconnected ones when asked for.
    #[napi(catch_unwind)]
    pub async fn list_plans(&self, options: Option<ListPlansOptions>) -> napi::Result<String> {
        let filter = ListPlans {
            include_disconnected: options.and_then(|o| o.include_disconnected) == Some(true),
        };
        run_json(self.inner.list_plans(filter)).await
    }

    /// One plan, or `PLAN_NOT_FOUND`.
    #[napi(catch_unwind)]
    pub async fn get_plan(&self, id: f64) -> napi::Result<String> {
        run_json(async { self.inner.get_plan(integers::id("id", id)?).await }).await
    }

    /// Change a plan's label or subscription. A label in use by another live plan is
    /// `CONFLICT`.
    #[napi(catch_unwind)]
    pub async fn update_plan(&self, id: f64, update: PlanUpdate) -> napi::Result<String> {
        run_json(async {
            let id = integers::id("id", id)?;
            self.inner.update_plan(id, update.try_into()?).await
        })
        .await
    }

    /// Disconnect a plan: its status becomes `disconnected` and its sealed credential is
    /// destroyed. Its synced data stays for past reports unless `purge` is true.
    /// Disconnecting twice is harmless. An OAuth plan's grant is revoked at the provider
    /// first, best effort; `disconnectPlanReporting` says whether that worked.
    #[napi(catch_unwind)]
    pub async fn disconnect_plan(
        &self,
        id: f64,
        options: Option<DisconnectOptions>,
    ) -> napi::Result<String> {
        let retention = retention(options);
        run_json(async {
            let id = integers::id("id", id)?;
            self.inner.disconnect_plan(id, retention).await
        })
        .await
    }

    /// Replace a plan's Admin API key. The new key must answer for the plan's organisation
    /// (`ORG_MISMATCH` otherwise); the plan becomes active again.
    #[napi(catch_unwind)]
    pub async fn rotate_plan_credential(
        &self,
        id: f64,
        admin_api_key: String,
    ) -> napi::Result<String> {
        run_json(async {
            let id = integers::id("id", id)?;
            self.inner.rotate_plan_credential(id, admin_api_key).await
        })
        .await
    }

    /// Open a plan's stored credential and ask the provider which organisation it answers
    /// for: the "test connection" of a settings page. `CRYPTO` when it cannot be opened,
    /// `CREDENTIAL_REJECTED` when the provider refuses it, `ORG_MISMATCH` when it answers for
    /// another organisation.
    #[napi(catch_unwind)]
    pub async fn check_plan(&self, id: f64) -> napi::Result<String> {
        run_json(async { self.inner.check_plan(integers::id("id", id)?).await }).await
    }

    /// The organisation metadata last synced for a plan: workspaces, API keys of every
    /// status (with who created them), members. What a "map this key to a user" screen
    /// lists. Empty lists before the plan's first sync; `PLAN_NOT_FOUND` when there is no
    /// such plan.
    #[napi(catch_unwind)]
    pub async fn plan_metadata(&self, id: f64) -> napi::Result<String> {
        run_json(async { self.inner.plan_metadata(integers::id("id", id)?).await }).await
    }

    /// Import the key in `ANTHROPIC_ADMIN_API_KEY` as the first plan, labelled with its
    /// organisation's name. Resolves to null when the variable is unset or a plan already
    /// exists, so calling it at every start is safe.
    #[napi(catch_unwind)]
    pub async fn import_plan_from_env(&self) -> napi::Result<String> {
        run_json(self.inner.import_plan_from_env()).await
    }
}

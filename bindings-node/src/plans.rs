//! Plan connections on `Ledger`: add, list, get, update, disconnect, rotate a credential,
//! check, read its organisation's metadata, import from the environment. The OAuth side
//! (reconnect with new tokens, disconnect reporting the revocation) is in `oauth.rs`.

use costledger::{DataRetention, ListPlans, Money as CoreMoney, PlanSettings};
use napi_derive::napi;

use crate::error::{invalid, run, run_json};
use crate::integers;
use crate::ledger::JsLedger;
use crate::model::{Money, iso, iso_opt, parse_date, parse_opt};
use crate::oauth::TokensArg;
use crate::org::OrgInfo;

/// A plan connection. Holds no secret: only the credential's hint.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Plan {
    /// The plan's id, stable for its lifetime and never reused.
    pub id: i64,
    /// Where its usage comes from.
    #[napi(ts_type = "'anthropic' | 'claude_code_logs'")]
    pub provider: String,
    /// The host's name for it: 1-200 characters, unique among plans not disconnected.
    pub label: String,
    /// `active`; `error` when the last sync found the credential refused (replace it with
    /// `rotatePlanCredential`, or an OAuth plan's tokens with `rotatePlanOauth`);
    /// `disconnected`.
    #[napi(ts_type = "'active' | 'disconnected' | 'error'")]
    pub status: String,
    /// The credential's hint (`sk-ant-admin01-…AbCd`), the only part of it that ever leaves
    /// the store; `OAuth (org:admin)` for OAuth tokens, no part of which is shown; null when
    /// the plan has no credential (local logs, or disconnected).
    pub key_hint: Option<String>,
    /// The provider's organisation id the credential answered for.
    pub org_id: Option<String>,
    /// The provider's organisation name.
    pub org_name: Option<String>,
    /// For `claude_code_logs` plans: the directories scanned for logs.
    pub directories: Vec<String>,
    /// The subscription, when one was entered.
    pub subscription: Option<Subscription>,
    /// When the plan was added (ISO-8601, UTC).
    pub created_at: String,
    /// When the plan last changed (ISO-8601, UTC).
    pub updated_at: String,
    /// When a sync of the plan last finished without error (ISO-8601, UTC).
    pub last_synced_at: Option<String>,
    /// The last sync's error message, cleared by a successful sync.
    pub last_error: Option<String>,
    /// What the credential reaches at the provider (Anthropic), checked when the plan was
    /// added or its credential rotated; null until checked.
    pub reach: Option<CredentialReach>,
}

/// Which of the organisation's APIs a plan's credential reaches, each checked with one
/// request. A Claude Console admin key reaches the legacy reports, the Analytics API (unless
/// the organisation is HIPAA-ready or the beta is off) and the spend limits; a Claude
/// Enterprise key with scopes (`sk-ant-api01-…`) what its scopes name, never the legacy
/// reports.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct CredentialReach {
    /// The legacy usage and cost reports.
    pub legacy_reports: bool,
    /// Null when the Analytics API answers; otherwise why it cannot.
    #[napi(ts_type = "'hipaa_organization' | 'missing_scope' | 'beta_not_enabled' | null")]
    pub analytics: Option<String>,
    /// Whether the spend limits can be read.
    pub spend_limits: bool,
    /// When this was checked (ISO-8601, UTC).
    pub checked_at: String,
}

impl From<costledger::CredentialReach> for CredentialReach {
    fn from(r: costledger::CredentialReach) -> Self {
        CredentialReach {
            legacy_reports: r.legacy_reports,
            analytics: r.analytics.map(|a| a.to_string()),
            spend_limits: r.spend_limits,
            checked_at: iso(r.checked_at),
        }
    }
}

impl From<costledger::Plan> for Plan {
    fn from(p: costledger::Plan) -> Self {
        Plan {
            id: p.id,
            provider: p.provider.to_string(),
            label: p.label,
            status: p.status.to_string(),
            key_hint: p.key_hint,
            org_id: p.org_id,
            org_name: p.org_name,
            directories: p.settings.directories,
            subscription: p.subscription.map(Subscription::from),
            created_at: iso(p.created_at),
            updated_at: iso(p.updated_at),
            last_synced_at: iso_opt(p.last_synced_at),
            last_error: p.last_error,
            reach: p.reach.map(CredentialReach::from),
        }
    }
}

/// The fixed-fee side of a plan, as entered by the host.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Subscription {
    /// The tier, priced from costledger's dated catalog unless `pricePerSeat` is set.
    #[napi(
        ts_type = "'free' | 'pro' | 'max_5x' | 'max_20x' | 'team_standard' | 'team_premium' | 'enterprise' | 'api'"
    )]
    pub tier: String,
    /// Seats paid for (1 for an individual plan).
    pub seats: i64,
    /// A custom price per seat per billing cycle, overriding the catalog's list price.
    pub price_per_seat: Option<Money>,
    /// How often it is billed.
    #[napi(ts_type = "'monthly' | 'annual'")]
    pub cycle: String,
    /// The first day of a billing period (`2026-11-01`); periods renew on its day.
    pub anchor_date: String,
    /// ISO currency of the fees (always `USD`).
    pub currency: String,
}

impl From<costledger::Subscription> for Subscription {
    fn from(s: costledger::Subscription) -> Self {
        Subscription {
            tier: s.tier.to_string(),
            seats: s.seats,
            price_per_seat: s.price_per_seat.map(Money::from),
            cycle: s.cycle.to_string(),
            anchor_date: s.anchor_date.to_string(),
            currency: s.currency,
        }
    }
}

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
    pub async fn add_plan(&self, plan: NewPlan) -> napi::Result<Plan> {
        run(async { self.inner.add_plan(plan.try_into()?).await })
            .await
            .map(Plan::from)
    }

    /// Plans in id order: active and error plans, and disconnected ones when asked for.
    #[napi(catch_unwind)]
    pub async fn list_plans(&self, options: Option<ListPlansOptions>) -> napi::Result<Vec<Plan>> {
        let filter = ListPlans {
            include_disconnected: options.and_then(|o| o.include_disconnected) == Some(true),
        };
        let plans = run(self.inner.list_plans(filter)).await?;
        Ok(plans.into_iter().map(Plan::from).collect())
    }

    /// One plan, or `PLAN_NOT_FOUND`.
    #[napi(catch_unwind)]
    pub async fn get_plan(&self, id: f64) -> napi::Result<Plan> {
        run(async { self.inner.get_plan(integers::id("id", id)?).await })
            .await
            .map(Plan::from)
    }

    /// Change a plan's label or subscription. A label in use by another live plan is
    /// `CONFLICT`.
    #[napi(catch_unwind)]
    pub async fn update_plan(&self, id: f64, update: PlanUpdate) -> napi::Result<Plan> {
        run(async {
            let id = integers::id("id", id)?;
            self.inner.update_plan(id, update.try_into()?).await
        })
        .await
        .map(Plan::from)
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
    ) -> napi::Result<Plan> {
        let retention = retention(options);
        run(async {
            let id = integers::id("id", id)?;
            self.inner.disconnect_plan(id, retention).await
        })
        .await
        .map(Plan::from)
    }

    /// Replace a plan's Admin API key. The new key must answer for the plan's organisation
    /// (`ORG_MISMATCH` otherwise); the plan becomes active again.
    #[napi(catch_unwind)]
    pub async fn rotate_plan_credential(
        &self,
        id: f64,
        admin_api_key: String,
    ) -> napi::Result<Plan> {
        run(async {
            let id = integers::id("id", id)?;
            self.inner.rotate_plan_credential(id, admin_api_key).await
        })
        .await
        .map(Plan::from)
    }

    /// Open a plan's stored credential and ask the provider which organisation it answers
    /// for: the "test connection" of a settings page. `CRYPTO` when it cannot be opened,
    /// `CREDENTIAL_REJECTED` when the provider refuses it, `ORG_MISMATCH` when it answers for
    /// another organisation.
    #[napi(catch_unwind)]
    pub async fn check_plan(&self, id: f64) -> napi::Result<OrgInfo> {
        run(async { self.inner.check_plan(integers::id("id", id)?).await })
            .await
            .map(OrgInfo::from)
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
    pub async fn import_plan_from_env(&self) -> napi::Result<Option<Plan>> {
        run(self.inner.import_plan_from_env())
            .await
            .map(|p| p.map(Plan::from))
    }
}

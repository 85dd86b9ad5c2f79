//! Rows of the Anthropic Usage and Cost Analytics API: billed cost and usage per API key,
//! actor, workspace, model and the other dimensions, with the net (post-discount) and list
//! amounts as exact [`Money`]; the actors they are attributed to; and why the API cannot
//! answer for a plan (so a sync falls back to the legacy usage and cost reports).

use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::RequestStats;
use super::{Money, TokenCounts};
pub use crate::error::AnalyticsUnavailable;
use crate::macros::string_enum;

string_enum! {
    /// The kind of an [`Actor`], as `group.actor_type` and `actor_types[]` spell it.
    ActorType, "actor type" {
        /// A member of the organisation.
        User => "user_actor",
        /// Usage attributed to the API key itself.
        ApiKey => "api_actor",
        /// A service account.
        ServiceAccount => "service_account_actor",
        /// A federated workload identity (no id; keyed by provider and subject).
        Federated => "federated_actor",
    }
}

/// Who a row's usage or cost is attributed to: the API's `group.actor` union.
///
/// Identify an actor by [`Actor::key`], never by e-mail: e-mail and name are mutable
/// metadata, may be null, and are kept for former members.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum Actor {
    /// A member (`user_actor`).
    #[serde(rename = "user_actor")]
    User {
        /// `user_…`
        user_id: String,
        /// E-mail address, when known (kept for former members).
        email_address: Option<String>,
        /// Display name; null when the user never set one.
        name: Option<String>,
        /// Deleted, or no longer a member of the organisation.
        #[serde(default)]
        deleted: bool,
    },
    /// Usage attributed to an API key itself (`api_actor`).
    #[serde(rename = "api_actor")]
    ApiKey {
        /// `apikey_…`
        api_key_id: String,
    },
    /// A service account (`service_account_actor`).
    #[serde(rename = "service_account_actor")]
    ServiceAccount {
        /// `svac_…`
        service_account_id: String,
    },
    /// A federated identity (`federated_actor`): it has no id.
    #[serde(rename = "federated_actor")]
    Federated {
        /// The identity provider (token issuer).
        provider: String,
        /// The subject claim.
        subject: String,
    },
}

/// The stable identity of an [`Actor`]: its type and id (provider and subject for a
/// federated identity).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum ActorKey {
    /// `user_…`
    User(String),
    /// `apikey_…`
    ApiKey(String),
    /// `svac_…`
    ServiceAccount(String),
    /// Provider and subject.
    Federated {
        /// The identity provider.
        provider: String,
        /// The subject claim.
        subject: String,
    },
}

impl Actor {
    /// Its type.
    pub fn actor_type(&self) -> ActorType {
        match self {
            Actor::User { .. } => ActorType::User,
            Actor::ApiKey { .. } => ActorType::ApiKey,
            Actor::ServiceAccount { .. } => ActorType::ServiceAccount,
            Actor::Federated { .. } => ActorType::Federated,
        }
    }

    /// Its identity: (type, id), never the e-mail.
    pub fn key(&self) -> ActorKey {
        match self {
            Actor::User { user_id, .. } => ActorKey::User(user_id.clone()),
            Actor::ApiKey { api_key_id } => ActorKey::ApiKey(api_key_id.clone()),
            Actor::ServiceAccount { service_account_id } => {
                ActorKey::ServiceAccount(service_account_id.clone())
            }
            Actor::Federated { provider, subject } => ActorKey::Federated {
                provider: provider.clone(),
                subject: subject.clone(),
            },
        }
    }
}

impl ActorKey {
    /// Its type.
    pub fn actor_type(&self) -> ActorType {
        match self {
            ActorKey::User(_) => ActorType::User,
            ActorKey::ApiKey(_) => ActorType::ApiKey,
            ActorKey::ServiceAccount(_) => ActorType::ServiceAccount,
            ActorKey::Federated { .. } => ActorType::Federated,
        }
    }

    /// The id the API filters by (`actor_ids[]`); `None` for a federated identity, which
    /// has none.
    pub fn id(&self) -> Option<&str> {
        match self {
            ActorKey::User(id) | ActorKey::ApiKey(id) | ActorKey::ServiceAccount(id) => Some(id),
            ActorKey::Federated { .. } => None,
        }
    }
}

string_enum! {
    /// A dimension the Analytics API groups by (`group_by[]`). `cost_type` and `token_type`
    /// exist for the cost report only.
    AnalyticsDimension, "analytics group_by dimension" {
        /// The API key that authenticated the request (null: Console usage without a key).
        ApiKeyId => "api_key_id",
        /// The workspace (null: the Default workspace).
        WorkspaceId => "workspace_id",
        /// The model.
        Model => "model",
        /// Who the usage is attributed to.
        Actor => "actor",
        /// The kind of actor only.
        ActorType => "actor_type",
        /// `tokens`, `web_search`, `code_execution` (cost only).
        CostType => "cost_type",
        /// The token kind of a `tokens` cost (cost only).
        TokenType => "token_type",
        /// The service tier.
        ServiceTier => "service_tier",
        /// `0-200k`, `200k-1M`.
        ContextWindow => "context_window",
        /// `global`, `us`, or null when unset.
        InferenceGeo => "inference_geo",
        /// The product surface (`claude_code`, …; null when none is known).
        Product => "product",
        /// `fast`, `standard`.
        Speed => "speed",
    }
}

impl AnalyticsDimension {
    /// Whether the usage report accepts it (it has no `cost_type` / `token_type`).
    pub fn in_usage_report(self) -> bool {
        !matches!(
            self,
            AnalyticsDimension::CostType | AnalyticsDimension::TokenType
        )
    }

    /// Every dimension a billed-cost sync groups by so that each amount is attributable to
    /// key, actor, workspace, model, cost/token type, tier, window, geo, product and speed.
    pub const SYNC_COST: &'static [AnalyticsDimension] = &[
        AnalyticsDimension::ApiKeyId,
        AnalyticsDimension::WorkspaceId,
        AnalyticsDimension::Model,
        AnalyticsDimension::Actor,
        AnalyticsDimension::CostType,
        AnalyticsDimension::TokenType,
        AnalyticsDimension::ServiceTier,
        AnalyticsDimension::ContextWindow,
        AnalyticsDimension::InferenceGeo,
        AnalyticsDimension::Product,
        AnalyticsDimension::Speed,
    ];
}

/// The group of one row: each field is `None` when its dimension was not grouped by, and
/// can be `None` when it was (the null group is a real group: usage without a key, the
/// Default workspace, …). Open enumerations stay strings. The rows of a page share their
/// strings (`Arc<str>`): a page repeats a few hundred values over a thousand rows.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AnalyticsGroup {
    /// `apikey_…`
    pub api_key_id: Option<Arc<str>>,
    /// `wrkspc_…`
    pub workspace_id: Option<Arc<str>>,
    /// Model id.
    pub model: Option<Arc<str>>,
    /// The actor.
    pub actor: Option<Actor>,
    /// The actor's type (when grouped by `actor_type`).
    pub actor_type: Option<ActorType>,
    /// `tokens`, `web_search`, `code_execution` (cost only).
    pub cost_type: Option<Arc<str>>,
    /// `uncached_input_tokens`, `output_tokens`, `cache_read_input_tokens`,
    /// `cache_creation.ephemeral_5m_input_tokens`, `cache_creation.ephemeral_1h_input_tokens`
    /// (cost only).
    pub token_type: Option<Arc<str>>,
    /// Service tier.
    pub service_tier: Option<Arc<str>>,
    /// Context window.
    pub context_window: Option<Arc<str>>,
    /// Inference geography.
    pub inference_geo: Option<Arc<str>>,
    /// Product surface.
    pub product: Option<Arc<str>>,
    /// Speed.
    pub speed: Option<Arc<str>>,
}

/// One row of `GET /v1/organizations/analytics/cost`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsCostRow {
    /// Bucket start (or the range start floored to the hour, without a width).
    pub starting_at: DateTime<Utc>,
    /// Bucket end.
    pub ending_at: DateTime<Utc>,
    /// The group.
    pub group: AnalyticsGroup,
    /// `amount`: billed, after discounts and before credits, exact.
    pub amount: Money,
    /// `list_amount`: at list price, before discounts, exact.
    pub list_amount: Money,
    /// Currency of both amounts (`USD`).
    pub currency: Arc<str>,
    /// Requests (code execution: execution spans); `None` when grouped by `cost_type` or
    /// `token_type`, which split a request across rows. Never add `None` as zero.
    pub requests: Option<i64>,
}

impl AnalyticsCostRow {
    /// The discount: list minus net.
    pub fn discount(&self) -> Money {
        Money::from_nanos(self.list_amount.nanos() - self.amount.nanos())
    }
}

/// One row of `GET /v1/organizations/analytics/usage`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsUsageRow {
    /// Bucket start.
    pub starting_at: DateTime<Utc>,
    /// Bucket end.
    pub ending_at: DateTime<Utc>,
    /// The group (never `cost_type` / `token_type`).
    pub group: AnalyticsGroup,
    /// Token counts and web searches.
    pub tokens: TokenCounts,
    /// `total_tokens` as the API reports it.
    pub total_tokens: i64,
    /// Requests, when the API states them.
    pub requests: Option<i64>,
}

/// One page of an analytics report: one request series (a first request or a `page=`
/// follow-up, with its retries). Rows are paged by count, so one time bucket can continue
/// on the next page: store rows by upserting on (bucket start, width, group), or replace
/// `[range_start, range_end)` once the page with `last_of_range` has arrived.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyticsPage<R> {
    /// The range of the request series this page belongs to (at most 31 days).
    pub range_start: DateTime<Utc>,
    /// Its end (exclusive).
    pub range_end: DateTime<Utc>,
    /// Whether it is the last page of that range.
    pub last_of_range: bool,
    /// The rows.
    pub rows: Vec<R>,
    /// `data_refreshed_at`: how fresh the data is.
    pub data_refreshed_at: Option<DateTime<Utc>>,
    /// Requests this page took.
    pub stats: RequestStats,
}

/// A page of billed-cost rows.
pub type AnalyticsCostPage = AnalyticsPage<AnalyticsCostRow>;
/// A page of usage rows.
pub type AnalyticsUsagePage = AnalyticsPage<AnalyticsUsageRow>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actors_decode_from_the_api_union_and_key_by_type_and_id() {
        let user: Actor = serde_json::from_str(
            r#"{"type":"user_actor","user_id":"user_1","email_address":null,"name":"A","deleted":true}"#,
        )
        .unwrap();
        assert_eq!(user.key(), ActorKey::User("user_1".into()));
        assert_eq!(user.actor_type().as_str(), "user_actor");
        let fed: Actor =
            serde_json::from_str(r#"{"type":"federated_actor","provider":"p","subject":"s"}"#)
                .unwrap();
        assert_eq!(fed.key().id(), None);
        assert_eq!(fed.key().actor_type(), ActorType::Federated);
        let key: Actor =
            serde_json::from_str(r#"{"type":"api_actor","api_key_id":"apikey_1"}"#).unwrap();
        assert_eq!(key.key().id(), Some("apikey_1"));
        assert!(serde_json::from_str::<Actor>(r#"{"type":"robot"}"#).is_err());
        // Same user, another e-mail: same key.
        let renamed = Actor::User {
            user_id: "user_1".into(),
            email_address: Some("new@example.com".into()),
            name: None,
            deleted: false,
        };
        assert_eq!(renamed.key(), user.key());
    }

    #[test]
    fn dimensions_and_reasons() {
        assert!(!AnalyticsDimension::CostType.in_usage_report());
        assert!(AnalyticsDimension::Actor.in_usage_report());
        assert_eq!(
            "hipaa_organization"
                .parse::<AnalyticsUnavailable>()
                .unwrap(),
            AnalyticsUnavailable::HipaaOrganization
        );
        assert!(AnalyticsUnavailable::MissingScope.is_permanent());
        assert!(!AnalyticsUnavailable::OlderThan365Days.is_permanent());
    }
}

//! [`AnalyticsStore`]: billed cost rows of the Anthropic Analytics API (net and list
//! amounts per bucket and group) and the actors they are attributed to.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::error::Result;
use crate::model::{Actor, ActorKey, AnalyticsCostRow, Money};

/// What [`AnalyticsStore::analytics_cost_totals`] sums by, besides the UTC day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnalyticsTotalsBy {
    /// The day only.
    Day,
    /// The API key (`None`: no key).
    ApiKey,
    /// The actor.
    Actor,
    /// The workspace (`None`: the Default workspace).
    Workspace,
}

/// One day's billed totals of one group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyticsTotal {
    /// The UTC day.
    pub day: NaiveDate,
    /// The API key or workspace id, as asked (`None` for the null group or by day).
    pub id: Option<String>,
    /// The actor, when summed by actor.
    pub actor: Option<ActorKey>,
    /// Net (post-discount) amount.
    pub net: Money,
    /// List-price amount.
    pub list: Money,
    /// Requests, when every row summed states them.
    pub requests: Option<i64>,
}

/// One hour's billed cost of one (key, workspace, model, tier, window, person), summed over
/// the other group values (cost and token type, geography, product, speed): what a report
/// bills an analytics-covered day from ([`AnalyticsStore::analytics_fact_rows`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyticsFactRow {
    /// Start of the hour (Unix seconds).
    pub hour: i64,
    /// The API key (`None`: no key).
    pub api_key_id: Option<String>,
    /// The workspace (`None`: the Default workspace).
    pub workspace_id: Option<String>,
    /// The model (`""` when the row has none, such as code execution).
    pub model: String,
    /// The service tier (`""` when none).
    pub service_tier: String,
    /// The context window (`""` when none).
    pub context_window: String,
    /// The user id when the actor is a person (`user_actor`); `None` for an API key, a
    /// service account or a federated identity.
    pub user_id: Option<String>,
    /// Net (post-discount) amount.
    pub net: Money,
    /// List-price amount.
    pub list: Money,
}

/// Billed cost rows of the Analytics API and their actors.
#[async_trait]
pub trait AnalyticsStore: Send + Sync + fmt::Debug {
    /// Upserts a page of cost rows of `plan_id`, bucket `width_secs` wide, keyed on (bucket,
    /// width, every group value), and the actors they name (metadata updated, first seen
    /// kept), in one transaction. Every row must be grouped by actor.
    async fn upsert_analytics_costs(
        &self,
        plan_id: i64,
        width_secs: i64,
        rows: &[AnalyticsCostRow],
        now: DateTime<Utc>,
    ) -> Result<()>;

    /// Replaces the cost rows of `plan_id` whose bucket starts in `[start, end)` by `rows`
    /// (a whole range of the sync: rows that late data moved to another group disappear),
    /// advances the stream's watermark and marks the range's days and the days whose
    /// coverage the watermark changes stale, in one transaction. Returns the rows written.
    async fn replace_analytics_range(
        &self,
        plan_id: i64,
        width_secs: i64,
        range: (DateTime<Utc>, DateTime<Utc>),
        rows: &[AnalyticsCostRow],
        advance: Option<&crate::store::WatermarkAdvance>,
        now: DateTime<Utc>,
    ) -> Result<u64>;

    /// Deletes the cost rows of `plan_id` whose bucket starts in `[start, end)` (before a
    /// window is read again from its first page).
    async fn delete_analytics_costs(
        &self,
        plan_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<u64>;

    /// Net and list amounts and requests of `plan_id` per UTC day in `[start, end)`,
    /// summed by `by`, ordered by day and group.
    async fn analytics_cost_totals(
        &self,
        plan_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        by: AnalyticsTotalsBy,
    ) -> Result<Vec<AnalyticsTotal>>;

    /// The hourly cost rows of `plan_id` whose bucket starts in `[start, end)` (Unix
    /// seconds), summed per [`AnalyticsFactRow`] group, ordered by hour and group.
    async fn analytics_fact_rows(
        &self,
        plan_id: i64,
        start: i64,
        end: i64,
    ) -> Result<Vec<AnalyticsFactRow>>;

    /// The actors of `plan_id` seen so far, ordered by type and id.
    async fn analytics_actors(&self, plan_id: i64) -> Result<Vec<Actor>>;
}

/// The key back from its columns (a federated key needs its stored provider and subject).
pub(crate) fn actor_key(
    actor_type: &str,
    actor_id: String,
    federated: Option<(String, String)>,
) -> Result<ActorKey> {
    use crate::model::ActorType;
    Ok(match actor_type.parse::<ActorType>()? {
        ActorType::User => ActorKey::User(actor_id),
        ActorType::ApiKey => ActorKey::ApiKey(actor_id),
        ActorType::ServiceAccount => ActorKey::ServiceAccount(actor_id),
        ActorType::Federated => {
            let (provider, subject) = federated.ok_or_else(|| crate::error::Error::Storage {
                message: format!("stored federated actor {actor_id:?} has no provider and subject"),
                source: None,
            })?;
            ActorKey::Federated { provider, subject }
        }
    })
}

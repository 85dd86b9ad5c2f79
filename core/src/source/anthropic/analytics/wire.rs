//! The JSON of the Analytics and Spend Limits APIs, and its conversion to costledger's
//! model. Amounts are read from their decimal text, never through a float; a missing
//! amount or token count is a malformed page, not a zero.

use std::cell::RefCell;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::model::{
    Actor, ActorType, AnalyticsCostRow, AnalyticsGroup, AnalyticsUsageRow, EffectiveSpend, Money,
    SpendLimit, SpendLimitScope, SpendMember, SpendPeriod, TokenCounts,
};
use crate::source::anthropic::amounts;
use crate::source::anthropic::wire::timestamp;

/// `{data, has_more, next_page, data_refreshed_at}` (analytics) or `{data, next_page}`
/// (spend limits, whose `has_more` may be absent).
#[derive(Debug, Deserialize)]
pub(super) struct Page<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub has_more: Option<bool>,
    #[serde(default)]
    pub next_page: Option<String>,
    #[serde(default)]
    pub data_refreshed_at: Option<DateTime<Utc>>,
}

impl<T> Page<T> {
    /// The cursor of the next page, if there is one.
    pub(super) fn next(&self) -> Option<&str> {
        match self.has_more {
            Some(false) => None,
            _ => self.next_page.as_deref(),
        }
    }
}

/// Parses a page, refusing `has_more: true` without a cursor. Its rows share their group
/// values (see [`Shared`]).
pub(super) fn page<T: DeserializeOwned>(body: &[u8]) -> Result<Page<T>, String> {
    // Checked as UTF-8 once, the page's strings are then read without a check each.
    let text = std::str::from_utf8(body).map_err(|e| format!("the page is not UTF-8 ({e})"))?;
    let parsed = serde_json::from_str(text);
    // The page's values are not kept for the next page's.
    PAGE_STRINGS.with_borrow_mut(|strings| *strings = foldhash::HashSet::default());
    let page: Page<T> = parsed.map_err(|e| format!("the page's JSON did not parse ({e})"))?;
    if page.has_more == Some(true) && page.next_page.is_none() {
        return Err("has_more is true but next_page is missing".into());
    }
    Ok(page)
}

thread_local! {
    /// The strings of the page being parsed on this thread, each allocated once.
    static PAGE_STRINGS: RefCell<foldhash::HashSet<Arc<str>>> =
        RefCell::new(foldhash::HashSet::default());
}

/// A string of a page shared by every row that has it: a page of a thousand rows names a
/// few hundred keys, workspaces, models and types, and allocating each value once per row
/// was most of the cost of parsing it.
#[derive(Debug)]
pub(super) struct Shared(Arc<str>);

impl<'de> Deserialize<'de> for Shared {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Shared, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = Shared;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Shared, E> {
                Ok(Shared(PAGE_STRINGS.with_borrow_mut(
                    |strings| match strings.get(text) {
                        Some(shared) => shared.clone(),
                        None => {
                            let shared: Arc<str> = text.into();
                            strings.insert(shared.clone());
                            shared
                        }
                    },
                )))
            }
        }
        d.deserialize_str(Visitor)
    }
}

fn shared(value: Option<Shared>) -> Option<Arc<str>> {
    value.map(|Shared(s)| s)
}

/// `group`: every key may be missing or null.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct Group {
    api_key_id: Option<Shared>,
    workspace_id: Option<Shared>,
    model: Option<Shared>,
    actor: Option<WireActor>,
    actor_type: Option<ActorType>,
    cost_type: Option<Shared>,
    token_type: Option<Shared>,
    service_tier: Option<Shared>,
    context_window: Option<Shared>,
    inference_geo: Option<Shared>,
    product: Option<Shared>,
    speed: Option<Shared>,
}

impl TryFrom<Group> for AnalyticsGroup {
    type Error = String;

    fn try_from(g: Group) -> Result<Self, String> {
        Ok(AnalyticsGroup {
            api_key_id: shared(g.api_key_id),
            workspace_id: shared(g.workspace_id),
            model: shared(g.model),
            actor: g.actor.map(Actor::try_from).transpose()?,
            actor_type: g.actor_type,
            cost_type: shared(g.cost_type),
            token_type: shared(g.token_type),
            service_tier: shared(g.service_tier),
            context_window: shared(g.context_window),
            inference_geo: shared(g.inference_geo),
            product: shared(g.product),
            speed: shared(g.speed),
        })
    }
}

/// `group.actor`: read flat, its `type` deciding which fields make the [`Actor`] (serde's
/// internally tagged enums buffer every field first, which a page of a thousand rows pays
/// for a thousand times).
#[derive(Debug, Deserialize)]
struct WireActor {
    #[serde(rename = "type")]
    kind: ActorType,
    user_id: Option<String>,
    email_address: Option<String>,
    name: Option<String>,
    #[serde(default)]
    deleted: bool,
    api_key_id: Option<String>,
    service_account_id: Option<String>,
    provider: Option<String>,
    subject: Option<String>,
}

impl TryFrom<WireActor> for Actor {
    type Error = String;

    fn try_from(a: WireActor) -> Result<Actor, String> {
        let kind = a.kind;
        let need = |v: Option<String>, field: &str| {
            v.ok_or_else(|| format!("a {kind} actor has no {field}"))
        };
        Ok(match kind {
            ActorType::User => Actor::User {
                user_id: need(a.user_id, "user_id")?,
                email_address: a.email_address,
                name: a.name,
                deleted: a.deleted,
            },
            ActorType::ApiKey => Actor::ApiKey {
                api_key_id: need(a.api_key_id, "api_key_id")?,
            },
            ActorType::ServiceAccount => Actor::ServiceAccount {
                service_account_id: need(a.service_account_id, "service_account_id")?,
            },
            ActorType::Federated => Actor::Federated {
                provider: need(a.provider, "provider")?,
                subject: need(a.subject, "subject")?,
            },
        })
    }
}

#[derive(Debug, Deserialize)]
pub(super) struct CostMetrics {
    amount: Box<RawValue>,
    list_amount: Box<RawValue>,
    #[serde(default)]
    currency: Option<Shared>,
    #[serde(default)]
    requests: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub(super) struct CostItem {
    #[serde(deserialize_with = "timestamp")]
    starting_at: DateTime<Utc>,
    #[serde(deserialize_with = "timestamp")]
    ending_at: DateTime<Utc>,
    #[serde(default)]
    group: Option<Group>,
    cost: CostMetrics,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CacheCreation {
    ephemeral_1h_input_tokens: i64,
    ephemeral_5m_input_tokens: i64,
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct ServerToolUse {
    web_search_requests: i64,
}

#[derive(Debug, Deserialize)]
pub(super) struct UsageMetrics {
    uncached_input_tokens: i64,
    #[serde(
        default,
        deserialize_with = "crate::source::anthropic::wire::null_as_default"
    )]
    cache_creation: CacheCreation,
    cache_read_input_tokens: i64,
    output_tokens: i64,
    #[serde(
        default,
        deserialize_with = "crate::source::anthropic::wire::null_as_default"
    )]
    server_tool_use: ServerToolUse,
    #[serde(default)]
    total_tokens: Option<i64>,
    #[serde(default)]
    requests: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub(super) struct UsageItem {
    #[serde(deserialize_with = "timestamp")]
    starting_at: DateTime<Utc>,
    #[serde(deserialize_with = "timestamp")]
    ending_at: DateTime<Utc>,
    #[serde(default)]
    group: Option<Group>,
    usage: UsageMetrics,
}

/// A row's bucket, for the pager's checks.
pub(super) trait Bucketed {
    fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>);
}

impl Bucketed for CostItem {
    fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.starting_at, self.ending_at)
    }
}

impl Bucketed for UsageItem {
    fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        (self.starting_at, self.ending_at)
    }
}

pub(super) fn cost_row(item: CostItem) -> Result<AnalyticsCostRow, String> {
    let amount = amounts::cents(&item.cost.amount)?;
    let list_amount = amounts::cents(&item.cost.list_amount)?;
    Ok(AnalyticsCostRow {
        starting_at: item.starting_at,
        ending_at: item.ending_at,
        group: item.group.unwrap_or_default().try_into()?,
        amount,
        list_amount,
        currency: shared(item.cost.currency).unwrap_or_else(|| "USD".into()),
        requests: item.cost.requests,
    })
}

pub(super) fn usage_row(item: UsageItem) -> Result<AnalyticsUsageRow, String> {
    let u = item.usage;
    let tokens = TokenCounts {
        uncached_input: u.uncached_input_tokens,
        cache_write_5m: u.cache_creation.ephemeral_5m_input_tokens,
        cache_write_1h: u.cache_creation.ephemeral_1h_input_tokens,
        cache_read: u.cache_read_input_tokens,
        output: u.output_tokens,
        web_search_requests: u.server_tool_use.web_search_requests,
    };
    let total_tokens = u
        .total_tokens
        .unwrap_or_else(|| tokens.total_input() + tokens.output);
    Ok(AnalyticsUsageRow {
        starting_at: item.starting_at,
        ending_at: item.ending_at,
        group: item.group.unwrap_or_default().try_into()?,
        tokens,
        total_tokens,
        requests: u.requests,
    })
}

/// A whole number of cents (`"50000"`), as spend limit amounts are written.
fn whole_cents(text: &str) -> Result<Money, String> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!(
            "spend limit amount {text:?} is not a whole number of cents"
        ));
    }
    text.parse::<i64>()
        .ok()
        .and_then(|c| c.checked_mul(crate::model::NANOS_PER_CENT))
        .map(Money::from_nanos)
        .ok_or_else(|| format!("spend limit amount {text:?} is too large"))
}

#[derive(Debug, Deserialize)]
pub(super) struct WireLimit {
    id: String,
    amount: Option<String>,
    #[serde(default)]
    currency: Option<String>,
    period: SpendPeriod,
    scope: SpendLimitScope,
    #[serde(default)]
    is_enabled: Option<bool>,
    #[serde(default)]
    created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    updated_at: Option<DateTime<Utc>>,
}

pub(super) fn spend_limit(w: WireLimit) -> Result<SpendLimit, String> {
    Ok(SpendLimit {
        amount: w.amount.as_deref().map(whole_cents).transpose()?,
        id: w.id,
        currency: w.currency.unwrap_or_else(|| "USD".into()),
        period: w.period,
        scope: w.scope,
        is_enabled: w.is_enabled.unwrap_or(true),
        created_at: w.created_at,
        updated_at: w.updated_at,
    })
}

#[derive(Debug, Deserialize)]
pub(super) struct WireEffective {
    actor: SpendMember,
    amount: Option<String>,
    #[serde(default)]
    currency: Option<String>,
    period: SpendPeriod,
    period_to_date_spend: String,
    #[serde(default)]
    scope: Option<SpendLimitScope>,
    #[serde(default)]
    source: Option<SpendLimitScope>,
    #[serde(default)]
    spend_limit_id: Option<String>,
}

pub(super) fn effective(w: WireEffective) -> Result<EffectiveSpend, String> {
    let spend = Money::parse_cents(&w.period_to_date_spend).map_err(|e| e.to_string())?;
    Ok(EffectiveSpend {
        member: w.actor,
        amount: w.amount.as_deref().map(whole_cents).transpose()?,
        currency: w.currency.unwrap_or_else(|| "USD".into()),
        period: w.period,
        period_to_date_spend: spend,
        scope: w.scope,
        source: w.source,
        spend_limit_id: w.spend_limit_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_rows_keep_both_amounts_exactly() {
        let body = br#"{"data":[{"starting_at":"2026-11-01T00:00:00Z","ending_at":"2026-11-02T00:00:00Z",
            "group":{"actor":{"type":"api_actor","api_key_id":"apikey_1"},"api_key_id":null,"product":null},
            "cost":{"amount":"4293.63008","currency":"USD","list_amount":"5051.32950","requests":354}}],
            "has_more":false,"next_page":null,"data_refreshed_at":"2026-11-20T15:00:00Z"}"#;
        let p: Page<CostItem> = page(body).unwrap();
        assert_eq!(p.next(), None);
        let row = cost_row(p.data.into_iter().next().unwrap()).unwrap();
        assert_eq!(row.amount.nanos(), 42_936_300_800);
        assert_eq!(row.list_amount.nanos(), 50_513_295_000);
        assert_eq!(row.discount().nanos(), 50_513_295_000 - 42_936_300_800);
        assert_eq!(row.requests, Some(354));
        assert_eq!(row.group.actor.unwrap().key().id(), Some("apikey_1"));
        let missing =
            br#"{"data":[{"starting_at":"2026-11-01T00:00:00Z","ending_at":"2026-11-02T00:00:00Z",
            "cost":{"amount":"1","currency":"USD","requests":null}}],"has_more":false}"#;
        assert!(page::<CostItem>(missing).is_err());
        assert!(page::<CostItem>(br#"{"data":[],"has_more":true}"#).is_err());
    }

    #[test]
    fn usage_rows_need_their_token_counts() {
        let ok = br#"{"data":[{"starting_at":"2026-11-01T00:00:00Z","ending_at":"2026-11-01T01:00:00Z","group":null,
            "usage":{"uncached_input_tokens":5,"cache_creation":null,"cache_read_input_tokens":1,"output_tokens":2,
            "server_tool_use":{"web_search_requests":3},"total_tokens":8,"requests":1}}],"has_more":false}"#;
        let p: Page<UsageItem> = page(ok).unwrap();
        let row = usage_row(p.data.into_iter().next().unwrap()).unwrap();
        assert_eq!(
            (row.tokens.output, row.total_tokens, row.requests),
            (2, 8, Some(1))
        );
        let bad =
            br#"{"data":[{"starting_at":"2026-11-01T00:00:00Z","ending_at":"2026-11-01T01:00:00Z",
            "usage":{"cache_read_input_tokens":1,"output_tokens":2}}],"has_more":false}"#;
        assert!(page::<UsageItem>(bad).is_err());
    }

    #[test]
    fn spend_amounts_are_whole_cents_and_spend_is_exact() {
        assert_eq!(whole_cents("50000").unwrap(), Money::from_cents(50_000));
        assert!(whole_cents("5.5").is_err());
        assert!(whole_cents("-1").is_err());
        let w: WireEffective = serde_json::from_str(
            r#"{"actor":{"type":"user_actor","user_id":"user_1","email_address":null,"name":null,"deleted":false},
            "amount":null,"currency":"USD","period":"daily","period_to_date_spend":"12050.5",
            "scope":{"type":"user","user_id":"user_1"},"source":{"type":"organization"},"spend_limit_id":"spl_1"}"#,
        )
        .unwrap();
        let e = effective(w).unwrap();
        assert_eq!(e.period_to_date_spend.nanos(), 120_505_000_000);
        assert_eq!(e.amount, None);
    }
}

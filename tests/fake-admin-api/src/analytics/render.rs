//! The JSON of an analytics page: rows with their group object and metrics.

use serde::Serialize;

use crate::actors::{ACTOR_TYPES, ActorJson, actor_json};
use crate::analytics::atoms::Report;
use crate::analytics::dims::{COST_TYPES, Dim, NULL};
use crate::analytics::rows::Row;
use crate::buckets::rfc3339;
use crate::catalog::{
    CONTEXT_WINDOWS, INFERENCE_GEOS, MODELS, PRODUCTS, SERVICE_TIERS, SPEEDS, TokenType,
};
use crate::data::Org;
use crate::money::cents5;

/// The group object: every key present, null unless grouped (or null as a value).
#[derive(Serialize)]
struct Group<'a> {
    actor: Option<ActorJson>,
    actor_type: Option<&'static str>,
    agent_id: Option<&'a str>,
    api_key_id: Option<&'a str>,
    claude_tag_category: Option<&'a str>,
    claude_tag_user_id: Option<&'a str>,
    context_window: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost_type: Option<Option<&'static str>>,
    deployment_id: Option<&'a str>,
    environment_id: Option<&'a str>,
    inference_geo: Option<&'static str>,
    model: Option<&'static str>,
    organization_id: Option<&'a str>,
    product: Option<&'static str>,
    rbac_group_id: Option<&'a str>,
    service_tier: Option<&'static str>,
    session_id: Option<&'a str>,
    slack_channel_id: Option<&'a str>,
    speed: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    token_type: Option<Option<&'static str>>,
    user_profile_id: Option<&'a str>,
    workspace_id: Option<&'a str>,
}

#[derive(Serialize)]
struct CacheCreation {
    ephemeral_1h_input_tokens: u64,
    ephemeral_5m_input_tokens: u64,
}

#[derive(Serialize)]
struct ServerToolUse {
    web_search_requests: u64,
}

#[derive(Serialize)]
struct Usage {
    uncached_input_tokens: u64,
    cache_creation: CacheCreation,
    cache_read_input_tokens: u64,
    output_tokens: u64,
    server_tool_use: ServerToolUse,
    total_tokens: u64,
    requests: Option<u64>,
}

#[derive(Serialize)]
struct Cost {
    amount: String,
    currency: &'static str,
    list_amount: String,
    requests: Option<u64>,
}

#[derive(Serialize)]
struct Item<'a> {
    starting_at: String,
    ending_at: String,
    group: Group<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    usage: Option<Usage>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cost: Option<Cost>,
}

/// One page of rows.
#[derive(Serialize)]
struct Page<'a> {
    data: Vec<Item<'a>>,
    has_more: bool,
    next_page: Option<String>,
    data_refreshed_at: String,
}

fn value<T: Copy>(v: u8, list: &[T]) -> Option<T> {
    (v != NULL).then(|| list[v as usize])
}

fn group<'a>(org: &'a Org, report: Report, k: &[u8]) -> Group<'a> {
    let d = |dim: Dim| k[dim as usize];
    let cost_only = |v: Option<&'static str>| (report == Report::Cost).then_some(v);
    let token_types = TokenType::ALL.map(TokenType::wire);
    Group {
        actor: (d(Dim::Actor) != NULL).then(|| actor_json(org, d(Dim::Actor))),
        actor_type: value(d(Dim::ActorType), &ACTOR_TYPES),
        agent_id: None,
        api_key_id: match d(Dim::ApiKey) {
            NULL | 0 => None,
            i => Some(org.api_keys[i as usize - 1].id.as_str()),
        },
        claude_tag_category: None,
        claude_tag_user_id: None,
        context_window: value(d(Dim::Window), &CONTEXT_WINDOWS),
        cost_type: cost_only(value(d(Dim::CostType), &COST_TYPES)),
        deployment_id: None,
        environment_id: None,
        inference_geo: value(d(Dim::Geo), &INFERENCE_GEOS),
        model: value(d(Dim::Model), &MODELS).map(|m| m.id),
        organization_id: (d(Dim::Organization) != NULL).then_some(org.id.as_str()),
        product: value(d(Dim::Product), &PRODUCTS),
        rbac_group_id: value_ref(d(Dim::RbacGroup), &org.actors.rbac_groups).map(|g| g.id.as_str()),
        service_tier: value(d(Dim::Tier), &SERVICE_TIERS),
        session_id: None,
        slack_channel_id: None,
        speed: value(d(Dim::Speed), &SPEEDS),
        token_type: cost_only(value(d(Dim::TokenType), &token_types)),
        user_profile_id: None,
        workspace_id: match d(Dim::Workspace) {
            NULL | 0 => None,
            i => Some(org.workspaces[i as usize - 1].id.as_str()),
        },
    }
}

fn value_ref<T>(v: u8, list: &[T]) -> Option<&T> {
    (v != NULL).then(|| &list[v as usize])
}

/// The JSON body of one page.
pub fn page_body(
    org: &Org,
    report: Report,
    rows: &[Row],
    split_by_cost: bool,
    next_page: Option<String>,
    data_refreshed_at: i64,
) -> Vec<u8> {
    let data = rows
        .iter()
        .map(|r| {
            let m = &r.metrics;
            let (usage, cost) = match report {
                Report::Usage => (
                    Some(Usage {
                        uncached_input_tokens: m.tokens[0],
                        cache_creation: CacheCreation {
                            ephemeral_1h_input_tokens: m.tokens[2],
                            ephemeral_5m_input_tokens: m.tokens[1],
                        },
                        cache_read_input_tokens: m.tokens[3],
                        output_tokens: m.tokens[4],
                        server_tool_use: ServerToolUse {
                            web_search_requests: m.web_search,
                        },
                        total_tokens: m.total_tokens(),
                        requests: Some(m.requests),
                    }),
                    None,
                ),
                Report::Cost => (
                    None,
                    Some(Cost {
                        amount: cents5(m.net),
                        currency: "USD",
                        list_amount: cents5(m.list),
                        requests: (!split_by_cost).then_some(m.requests),
                    }),
                ),
            };
            Item {
                starting_at: rfc3339(r.start),
                ending_at: rfc3339(r.end),
                group: group(org, report, &r.key),
                usage,
                cost,
            }
        })
        .collect();
    let page = Page {
        data,
        has_more: next_page.is_some(),
        next_page,
        data_refreshed_at: rfc3339(data_refreshed_at),
    };
    serde_json::to_vec(&page).expect("serialisable")
}

//! The JSON of an analytics page: rows with their group object and metrics.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::value::RawValue;

use crate::actors::{ACTOR_TYPES, actor_json};
use crate::analytics::atoms::Report;
use crate::analytics::dims::{COST_TYPES, Dim, Dims, NULL};
use crate::analytics::rows::Row;
use crate::buckets::rfc3339;
use crate::catalog::{
    CONTEXT_WINDOWS, INFERENCE_GEOS, MODELS, PRODUCTS, SERVICE_TIERS, SPEEDS, TokenType,
};
use crate::data::Org;
use crate::money::write_cents5;

/// The group object: every key present, null unless grouped (or null as a value).
#[derive(Serialize)]
struct Group<'a> {
    actor: Option<&'a RawValue>,
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

fn value<T: Copy>(v: u8, list: &[T]) -> Option<T> {
    (v != NULL).then(|| list[v as usize])
}

/// What the rows of a page share, rendered once per page rather than once per row: the
/// actors' JSON (by actor index) and the bucket boundaries' text.
struct Shared {
    actors: Vec<Option<Box<RawValue>>>,
    times: Vec<(i64, String)>,
}

impl Shared {
    fn new(org: &Org, rows: &[Row]) -> Shared {
        let mut actors: Vec<Option<Box<RawValue>>> = vec![None; org.actors.table.len()];
        let mut times: Vec<(i64, String)> = Vec::new();
        for r in rows {
            let a = r.key[Dim::Actor as usize];
            if a != NULL && actors[a as usize].is_none() {
                let json = serde_json::to_string(&actor_json(org, a)).expect("serialisable");
                actors[a as usize] = Some(RawValue::from_string(json).expect("valid JSON"));
            }
            for t in [r.start, r.end] {
                if let Err(at) = times.binary_search_by_key(&t, |(k, _)| *k) {
                    times.insert(at, (t, rfc3339(t)));
                }
            }
        }
        Shared { actors, times }
    }

    fn time(&self, t: i64) -> &str {
        let at = self
            .times
            .binary_search_by_key(&t, |(k, _)| *k)
            .expect("every row's bounds were rendered");
        &self.times[at].1
    }
}

fn group<'a>(org: &'a Org, shared: &'a Shared, report: Report, k: &[u8]) -> Group<'a> {
    let d = |dim: Dim| k[dim as usize];
    let cost_only = |v: Option<&'static str>| (report == Report::Cost).then_some(v);
    let token_types = TokenType::ALL.map(TokenType::wire);
    Group {
        actor: match d(Dim::Actor) {
            NULL => None,
            a => shared.actors[a as usize].as_deref(),
        },
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

/// The JSON body of one page, as serde_json would write `{data, has_more, next_page,
/// data_refreshed_at}` with each row `{starting_at, ending_at, group, usage | cost}`. A page
/// repeats a few hundred group objects over its hours: each is rendered once.
pub fn page_body(
    org: &Org,
    report: Report,
    rows: &[Row],
    split_by_cost: bool,
    next_page: Option<String>,
    data_refreshed_at: i64,
) -> Vec<u8> {
    let shared = Shared::new(org, rows);
    let mut groups: HashMap<Dims, Vec<u8>> = HashMap::new();
    // About 800 bytes a row: one allocation instead of a doubling series of them.
    let mut body = Vec::with_capacity(1024 + rows.len() * 1024);
    body.extend_from_slice(b"{\"data\":[");
    for (i, r) in rows.iter().enumerate() {
        if i > 0 {
            body.push(b',');
        }
        // Timestamps are plain ASCII: no escaping.
        body.extend_from_slice(b"{\"starting_at\":\"");
        body.extend_from_slice(shared.time(r.start).as_bytes());
        body.extend_from_slice(b"\",\"ending_at\":\"");
        body.extend_from_slice(shared.time(r.end).as_bytes());
        body.extend_from_slice(b"\",\"group\":");
        let group_json = groups.entry(r.key).or_insert_with(|| {
            serde_json::to_vec(&group(org, &shared, report, &r.key)).expect("serialisable")
        });
        body.extend_from_slice(group_json);
        let m = &r.metrics;
        match report {
            Report::Usage => {
                body.extend_from_slice(b",\"usage\":");
                let usage = Usage {
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
                };
                serde_json::to_writer(&mut body, &usage).expect("serialisable");
            }
            Report::Cost => {
                // `{amount, currency, list_amount, requests}`, as serde_json writes it.
                body.extend_from_slice(b",\"cost\":{\"amount\":\"");
                write_cents5(&mut body, m.net);
                body.extend_from_slice(b"\",\"currency\":\"USD\",\"list_amount\":\"");
                write_cents5(&mut body, m.list);
                body.extend_from_slice(b"\",\"requests\":");
                match (!split_by_cost).then_some(m.requests) {
                    Some(n) => body.extend_from_slice(n.to_string().as_bytes()),
                    None => body.extend_from_slice(b"null"),
                }
                body.push(b'}');
            }
        }
        body.push(b'}');
    }
    body.extend_from_slice(b"],\"has_more\":");
    body.extend_from_slice(if next_page.is_some() {
        b"true"
    } else {
        b"false"
    });
    body.extend_from_slice(b",\"next_page\":");
    serde_json::to_writer(&mut body, &next_page).expect("serialisable");
    body.extend_from_slice(b",\"data_refreshed_at\":\"");
    body.extend_from_slice(rfc3339(data_refreshed_at).as_bytes());
    body.extend_from_slice(b"\"}");
    body
}

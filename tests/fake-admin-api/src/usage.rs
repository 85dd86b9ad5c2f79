//! `GET /v1/organizations/usage_report/messages`

use serde::Serialize;

use crate::aggregate::{Filter, GroupSpec, NOT_GROUPED, Sums, aggregate, unpack};
use crate::buckets::{Width, rfc3339};
use crate::catalog::{
    CONTEXT_WINDOWS, INFERENCE_GEOS, MODELS, SERVICE_TIERS, SPEEDS, USAGE_GROUP_BY, index_of,
};
use crate::errors::{ApiError, ApiResult};
use crate::query::{Query, one_of};
use crate::range::resolve;
use crate::world::World;

/// The most `group_by[]` values one request may carry.
pub const MAX_GROUP_BY: usize = 5;

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
struct Row<'a> {
    uncached_input_tokens: u64,
    cache_creation: CacheCreation,
    cache_read_input_tokens: u64,
    output_tokens: u64,
    server_tool_use: ServerToolUse,
    api_key_id: Option<&'a str>,
    workspace_id: Option<&'a str>,
    model: Option<&'static str>,
    service_tier: Option<&'static str>,
    context_window: Option<&'static str>,
    inference_geo: Option<&'static str>,
    account_id: Option<&'static str>,
    service_account_id: Option<&'static str>,
}

/// One time bucket of a bucketed report, with its rows.
#[derive(Serialize)]
pub struct Bucket<R> {
    starting_at: String,
    ending_at: String,
    results: Vec<R>,
}

impl<R> Bucket<R> {
    /// The bucket `[start, end)` (Unix seconds) holding `results`.
    pub fn new(start: i64, end: i64, results: Vec<R>) -> Self {
        Bucket {
            starting_at: rfc3339(start),
            ending_at: rfc3339(end),
            results,
        }
    }
}

/// The envelope shared by the bucketed reports.
#[derive(Serialize)]
pub struct Report<B> {
    /// Buckets.
    pub data: Vec<B>,
    /// Whether another page follows.
    pub has_more: bool,
    /// Token of the next page.
    pub next_page: Option<String>,
}

/// Validates `group_by[]` values against `allowed` (and their count).
pub fn group_by<'q>(query: &'q Query, allowed: &[&str]) -> Result<Vec<&'q str>, ApiError> {
    let values = query.all("group_by");
    if values.len() > MAX_GROUP_BY {
        return Err(ApiError::invalid(
            "Cannot specify more than 5 group_by[] dimensions.",
        ));
    }
    for v in &values {
        if index_of(allowed, v).is_none() {
            return Err(ApiError::invalid(format!(
                "group_by[]: Input should be {}; got {v:?}",
                one_of(allowed)
            )));
        }
    }
    Ok(values)
}

fn bits(indices: &[u8]) -> u64 {
    indices.iter().fold(0, |acc, &i| acc | 1 << i)
}

fn id_bits<'a>(wanted: &[&str], ids: impl Iterator<Item = &'a str>) -> u64 {
    // Bit 0 (no key / Default workspace) has no id, so an id filter never matches it.
    ids.enumerate()
        .filter(|(_, id)| wanted.contains(id))
        .fold(0, |acc, (i, _)| acc | 1 << (i + 1))
}

fn filter(world: &World, org: usize, query: &Query, beta: bool) -> Result<Filter, ApiError> {
    let org = &world.orgs[org].org;
    let mut f = Filter::default();
    let keys = query.all("api_key_ids");
    if !keys.is_empty() {
        f.api_keys = id_bits(&keys, org.api_keys.iter().map(|k| k.id.as_str()));
    }
    let workspaces = query.all("workspace_ids");
    if !workspaces.is_empty() {
        f.workspaces = id_bits(&workspaces, org.workspaces.iter().map(|w| w.id.as_str()));
    }
    let models = query.all("models");
    if !models.is_empty() {
        let known: Vec<u8> = MODELS
            .iter()
            .enumerate()
            .filter(|(_, m)| models.contains(&m.id))
            .map(|(i, _)| i as u8)
            .collect();
        f.models = bits(&known);
    }
    let tiers = query.enum_list("service_tiers", &SERVICE_TIERS)?;
    if !tiers.is_empty() {
        f.tiers = bits(&tiers);
    }
    let windows = query.enum_list("context_window", &CONTEXT_WINDOWS)?;
    if !windows.is_empty() {
        f.windows = bits(&windows);
    }
    let geos = query.enum_list("inference_geos", &INFERENCE_GEOS)?;
    if !geos.is_empty() {
        f.geos = bits(&geos);
    }
    let speeds = query.enum_list("speeds", &SPEEDS)?;
    if !speeds.is_empty() {
        require_beta(beta, "speeds[]")?;
        if !speeds.contains(&0) {
            return Ok(Filter::nothing()); // every generated request ran at standard speed
        }
    }
    // No OAuth or federated usage is generated, so these filters match nothing.
    if !query.all("account_ids").is_empty() || !query.all("service_account_ids").is_empty() {
        return Ok(Filter::nothing());
    }
    Ok(f)
}

fn require_beta(beta: bool, what: &str) -> Result<(), ApiError> {
    if beta {
        return Ok(());
    }
    Err(ApiError::invalid(format!(
        "{what} requires the anthropic-beta header {:?}",
        crate::catalog::FAST_MODE_BETA
    )))
}

/// Serves one page of the messages usage report for org `org`.
pub fn usage_report(world: &World, org: usize, query: &Query, beta: bool) -> ApiResult {
    let width_raw = query.get("bucket_width").unwrap_or("1d");
    let width = Width::parse(width_raw).ok_or_else(|| {
        ApiError::invalid(format!(
            "bucket_width: Input should be '1d', '1h' or '1m'; got {width_raw:?}"
        ))
    })?;
    let (default, max) = width.limits();
    let limit = query.limit(default, 1, max)?;
    let groups = group_by(query, &USAGE_GROUP_BY)?;
    if groups.contains(&"speed") {
        require_beta(beta, "group_by[]=speed")?;
    }
    let spec = GroupSpec {
        api_key: groups.contains(&"api_key_id"),
        workspace: groups.contains(&"workspace_id"),
        model: groups.contains(&"model"),
        tier: groups.contains(&"service_tier"),
        window: groups.contains(&"context_window"),
        geo: groups.contains(&"inference_geo"),
    };
    let filter = filter(world, org, query, beta)?;
    let page = resolve(
        query,
        "usage_report/messages",
        width.secs(),
        limit,
        world.now,
    )?;
    let meta = &world.orgs[org].org;
    let data = page
        .starts()
        .map(|start| {
            let end = start + page.width;
            let results = aggregate(world, org, start, end, &filter, &spec)
                .into_iter()
                .map(|(key, sums)| row(meta, key, &sums))
                .collect();
            Bucket::new(start, end, results)
        })
        .collect();
    let report = Report {
        data,
        has_more: page.next_page.is_some(),
        next_page: page.next_page,
    };
    Ok(serde_json::to_vec(&report).expect("serialisable"))
}

fn row<'a>(org: &'a crate::data::Org, key: u64, s: &Sums) -> Row<'a> {
    let [k, w, m, t, c, g] = unpack(key);
    let grouped = |v: u8| (v != NOT_GROUPED).then_some(v);
    Row {
        uncached_input_tokens: s.tokens[0],
        cache_creation: CacheCreation {
            ephemeral_1h_input_tokens: s.tokens[2],
            ephemeral_5m_input_tokens: s.tokens[1],
        },
        cache_read_input_tokens: s.tokens[3],
        output_tokens: s.tokens[4],
        server_tool_use: ServerToolUse {
            web_search_requests: s.web_search,
        },
        api_key_id: grouped(k)
            .filter(|&k| k > 0)
            .map(|k| org.api_keys[k as usize - 1].id.as_str()),
        workspace_id: grouped(w)
            .filter(|&w| w > 0)
            .map(|w| org.workspaces[w as usize - 1].id.as_str()),
        model: grouped(m).map(|m| MODELS[m as usize].id),
        service_tier: grouped(t).map(|t| SERVICE_TIERS[t as usize]),
        context_window: grouped(c).map(|c| CONTEXT_WINDOWS[c as usize]),
        inference_geo: grouped(g).map(|g| INFERENCE_GEOS[g as usize]),
        account_id: None,
        service_account_id: None,
    }
}

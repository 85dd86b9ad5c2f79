//! `GET /v1/organizations/cost_report`: the same usage priced from the list-price table.

use serde::Serialize;

use crate::aggregate::{NOT_GROUPED, for_each_event};
use crate::catalog::{
    CONTEXT_WINDOWS, COST_GROUP_BY, MODELS, SERVICE_TIERS, TIER_PRIORITY, TokenType,
};
use crate::errors::{ApiError, ApiResult};
use crate::events::code_execution;
use crate::pricing::{WEB_SEARCH_NANOS, cents_string, token_rate};
use crate::query::Query;
use crate::range::resolve;
use crate::usage::{Bucket, Report, group_by};
use crate::world::World;

/// `cost_type: tokens`
pub const KIND_TOKENS: u8 = 0;
/// `cost_type: web_search`
pub const KIND_WEB_SEARCH: u8 = 1;
/// `cost_type: code_execution`
pub const KIND_CODE_EXECUTION: u8 = 2;

const DAY: i64 = 86_400;

/// A cost line's identity, unpacked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Line {
    /// 0 = Default workspace, i+1 = workspace i, [`NOT_GROUPED`].
    pub workspace: u8,
    /// `KIND_*`, or [`NOT_GROUPED`] when not grouped by description.
    pub kind: u8,
    /// Model index (token lines only).
    pub model: u8,
    /// Tier index (token lines only).
    pub tier: u8,
    /// Window index (token lines only).
    pub window: u8,
    /// Index into [`TokenType::ALL`] (token lines only).
    pub token: u8,
}

impl Line {
    fn pack(self) -> u64 {
        (self.workspace as u64) << 40
            | (self.kind as u64) << 32
            | (self.model as u64) << 24
            | (self.tier as u64) << 16
            | (self.window as u64) << 8
            | self.token as u64
    }

    fn unpack(key: u64) -> Line {
        let b = |shift: u32| (key >> shift) as u8;
        Line {
            workspace: b(40),
            kind: b(32),
            model: b(24),
            tier: b(16),
            window: b(8),
            token: b(0),
        }
    }

    fn other(kind: u8, workspace: u8) -> Line {
        Line {
            workspace,
            kind,
            model: NOT_GROUPED,
            tier: NOT_GROUPED,
            window: NOT_GROUPED,
            token: NOT_GROUPED,
        }
    }

    /// The cost report `description`.
    pub fn description(&self) -> Option<String> {
        match self.kind {
            KIND_TOKENS => Some(format!(
                "{} Usage - {}",
                MODELS[self.model as usize].display,
                TokenType::ALL[self.token as usize].description_suffix()
            )),
            KIND_WEB_SEARCH => Some("Web Search Usage".into()),
            KIND_CODE_EXECUTION => Some("Code Execution Usage".into()),
            _ => None,
        }
    }

    /// The cost report `cost_type`.
    pub fn cost_type(&self) -> Option<&'static str> {
        ["tokens", "web_search", "code_execution"]
            .get(self.kind as usize)
            .copied()
    }

    fn token_field<T>(&self, v: u8, list: &[T]) -> Option<T>
    where
        T: Copy,
    {
        (self.kind == KIND_TOKENS).then(|| list[v as usize])
    }

    /// Model id of a token line.
    pub fn model_id(&self) -> Option<&'static str> {
        self.token_field(self.model, &MODELS).map(|m| m.id)
    }

    /// Service tier of a token line.
    pub fn service_tier(&self) -> Option<&'static str> {
        self.token_field(self.tier, &SERVICE_TIERS)
    }

    /// Context window of a token line.
    pub fn context_window(&self) -> Option<&'static str> {
        self.token_field(self.window, &CONTEXT_WINDOWS)
    }

    /// `token_type` of a token line.
    pub fn token_type(&self) -> Option<&'static str> {
        self.token_field(self.token, &TokenType::ALL)
            .map(TokenType::wire)
    }
}

fn merge(mut lines: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    lines.sort_unstable_by_key(|l| l.0);
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(lines.len());
    for (key, nanos) in lines {
        match out.last_mut() {
            Some((k, n)) if *k == key => *n += nanos,
            _ => out.push((key, nanos)),
        }
    }
    out
}

/// Every cost line of one day (`day_start` in epoch seconds) at full detail, sorted.
/// Only hours already served count; the priority tier is left out, as the real report does.
pub fn day_lines(world: &World, org: usize, day_start: i64) -> Vec<(Line, u64)> {
    let mut lines: Vec<(u64, u64)> = Vec::new();
    for_each_event(world, org, day_start, day_start + DAY, |e| {
        if e.tier == TIER_PRIORITY {
            return;
        }
        for (i, &tokens) in e.tokens.iter().enumerate() {
            if tokens > 0 {
                let rate = token_rate(e.model, e.tier, e.window, e.geo, TokenType::ALL[i]);
                let line = Line {
                    workspace: e.workspace,
                    kind: KIND_TOKENS,
                    model: e.model,
                    tier: e.tier,
                    window: e.window,
                    token: i as u8,
                };
                lines.push((line.pack(), tokens as u64 * rate));
            }
        }
        if e.web_search > 0 {
            let line = Line::other(KIND_WEB_SEARCH, e.workspace);
            lines.push((line.pack(), e.web_search as u64 * WEB_SEARCH_NANOS));
        }
    });
    let day = day_start / DAY;
    let org_meta = &world.orgs[org].org;
    if let Some(run) = code_execution(world.seed, org_meta, day) {
        let hour = day * 24 + run.hour_of_day as i64;
        if hour >= world.start_hour && hour < world.now_hour() {
            let line = Line::other(KIND_CODE_EXECUTION, run.workspace);
            lines.push((line.pack(), run.nanos));
        }
    }
    merge(lines)
        .into_iter()
        .map(|(k, n)| (Line::unpack(k), n))
        .collect()
}

#[derive(Serialize)]
struct Row<'a> {
    currency: &'static str,
    amount: String,
    workspace_id: Option<&'a str>,
    description: Option<String>,
    cost_type: Option<&'static str>,
    context_window: Option<&'static str>,
    model: Option<&'static str>,
    service_tier: Option<&'static str>,
    token_type: Option<&'static str>,
    inference_geo: Option<&'static str>,
}

/// Serves one page of the cost report for org `org`.
pub fn cost_report(world: &World, org: usize, query: &Query) -> ApiResult {
    let width = query.get("bucket_width").unwrap_or("1d");
    if width != "1d" {
        return Err(ApiError::invalid(format!(
            "bucket_width: Input should be '1d'; got {width:?}"
        )));
    }
    let limit = query.limit(7, 1, 31)?;
    let groups = group_by(query, &COST_GROUP_BY)?;
    let by_workspace = groups.contains(&"workspace_id");
    let by_description = groups.contains(&"description");
    let page = resolve(query, "cost_report", DAY, limit, world.now)?;
    let meta = &world.orgs[org].org;
    let data = page
        .starts()
        .map(|start| {
            let grouped = day_lines(world, org, start).into_iter().map(|(mut l, n)| {
                if !by_workspace {
                    l.workspace = NOT_GROUPED;
                }
                if !by_description {
                    l = Line::other(NOT_GROUPED, l.workspace);
                }
                (l.pack(), n)
            });
            let results = merge(grouped.collect())
                .into_iter()
                .map(|(k, nanos)| {
                    let l = Line::unpack(k);
                    Row {
                        currency: "USD",
                        amount: cents_string(nanos),
                        workspace_id: (l.workspace != NOT_GROUPED && l.workspace > 0)
                            .then(|| meta.workspaces[l.workspace as usize - 1].id.as_str()),
                        description: l.description(),
                        cost_type: l.cost_type(),
                        context_window: l.context_window(),
                        model: l.model_id(),
                        service_tier: l.service_tier(),
                        token_type: l.token_type(),
                        inference_geo: None,
                    }
                })
                .collect();
            Bucket::new(start, start + DAY, results)
        })
        .collect();
    let report = Report {
        data,
        has_more: page.next_page.is_some(),
        next_page: page.next_page,
    };
    Ok(serde_json::to_vec(&report).expect("serialisable"))
}

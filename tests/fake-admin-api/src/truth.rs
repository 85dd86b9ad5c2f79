//! The exact totals the fake serves, for tests to compare a sync against.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aggregate::{Filter, GroupSpec, aggregate, unpack};
use crate::analytics::params::{EARLIEST, MAX_AGE_DAYS};
use crate::analytics::truth::{AnalyticsTruth, org_analytics};
use crate::buckets::{ceil, date, floor, rfc3339};
use crate::catalog::{CONTEXT_WINDOWS, MODELS, SERVICE_TIERS};
use crate::cost::day_lines;
use crate::pricing::cents_string;
use crate::spend_limits::truth::{SpendLimitsTruth, org_spend_limits};
use crate::world::World;

/// Ground truth for every org over one window (see the README for the JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truth {
    /// The fake's clock when the truth was taken.
    pub now: String,
    /// Start of the usage window (inclusive, hour-aligned).
    pub usage_starting_at: String,
    /// End of the usage window (exclusive): what the 1h usage report serves.
    pub usage_ending_at: String,
    /// Start of the cost window (inclusive, day-aligned).
    pub cost_starting_at: String,
    /// End of the cost window (exclusive): what the 1d cost report serves.
    pub cost_ending_at: String,
    /// One entry per org, in org order.
    pub orgs: Vec<OrgTruth>,
}

/// Ground truth of one org.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgTruth {
    /// Org UUID.
    pub org_id: String,
    /// Org name.
    pub name: String,
    /// Usage per (day, api key, workspace, model, service tier, context window).
    pub usage: Vec<UsageTruthRow>,
    /// Sum of `usage`.
    pub usage_totals: TokenTotals,
    /// Billed cost per (day, workspace, model, tier, window, token type, cost type).
    pub cost: Vec<CostTruthRow>,
    /// Billed cost per day (`YYYY-MM-DD` → nanodollars), days with cost only.
    pub cost_per_day: BTreeMap<String, u64>,
    /// Sum of `cost`, in nanodollars.
    pub cost_total_nanos: u64,
    /// The same in cents, as the cost report writes amounts.
    pub cost_total_cents: String,
    /// `console` or `enterprise`.
    pub kind: String,
    /// HIPAA-ready: the Analytics API answers 400 for this org.
    pub hipaa: bool,
    /// Whether the org has the Analytics beta (404 otherwise).
    pub analytics_beta: bool,
    /// What the Analytics API serves, and its exact relation to the legacy cost report.
    pub analytics: AnalyticsTruth,
    /// The spend limits and (Enterprise) the effective report.
    pub spend_limits: SpendLimitsTruth,
}

/// Token and web search counts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenTotals {
    /// `uncached_input_tokens`
    pub uncached_input_tokens: u64,
    /// `cache_creation.ephemeral_5m_input_tokens`
    pub cache_creation_ephemeral_5m_input_tokens: u64,
    /// `cache_creation.ephemeral_1h_input_tokens`
    pub cache_creation_ephemeral_1h_input_tokens: u64,
    /// `cache_read_input_tokens`
    pub cache_read_input_tokens: u64,
    /// `output_tokens`
    pub output_tokens: u64,
    /// `server_tool_use.web_search_requests`
    pub web_search_requests: u64,
}

impl TokenTotals {
    fn add(&mut self, o: &TokenTotals) {
        self.uncached_input_tokens += o.uncached_input_tokens;
        self.cache_creation_ephemeral_5m_input_tokens += o.cache_creation_ephemeral_5m_input_tokens;
        self.cache_creation_ephemeral_1h_input_tokens += o.cache_creation_ephemeral_1h_input_tokens;
        self.cache_read_input_tokens += o.cache_read_input_tokens;
        self.output_tokens += o.output_tokens;
        self.web_search_requests += o.web_search_requests;
    }
}

/// One usage row of the truth.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageTruthRow {
    /// UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// `null` for Console usage.
    pub api_key_id: Option<String>,
    /// `null` for the Default workspace.
    pub workspace_id: Option<String>,
    /// Model id.
    pub model: String,
    /// Service tier.
    pub service_tier: String,
    /// Context window.
    pub context_window: String,
    /// The counts.
    #[serde(flatten)]
    pub tokens: TokenTotals,
}

/// One cost row of the truth.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostTruthRow {
    /// UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// `null` for the Default workspace.
    pub workspace_id: Option<String>,
    /// Model id (token rows only).
    pub model: Option<String>,
    /// Service tier (token rows only).
    pub service_tier: Option<String>,
    /// Context window (token rows only).
    pub context_window: Option<String>,
    /// Token type in cost report spelling (token rows only).
    pub token_type: Option<String>,
    /// `tokens`, `web_search` or `code_execution`.
    pub cost_type: String,
    /// The cost report description.
    pub description: String,
    /// Exact amount in nanodollars.
    pub amount_nanos: u64,
    /// The amount as the cost report renders it (cents, decimal string).
    pub amount_cents: String,
}

impl Truth {
    /// The truth of the org with this id.
    pub fn org(&self, org_id: &str) -> Option<&OrgTruth> {
        self.orgs.iter().find(|o| o.org_id == org_id)
    }
}

const HOUR: i64 = 3_600;
const DAY: i64 = 86_400;

/// What the 1h usage report and the 1d cost report serve for `[start, end)` (epoch seconds).
pub fn compute(world: &World, start: i64, end: i64) -> Truth {
    let (us, ue) = (ceil(start, HOUR), floor(end, HOUR).max(ceil(start, HOUR)));
    let (cs, ce) = (ceil(start, DAY), floor(end, DAY).max(ceil(start, DAY)));
    // The Analytics API serves nothing before 2026-01-01 or older than 365 days.
    let earliest = crate::buckets::parse_rfc3339(EARLIEST)
        .expect("valid literal")
        .max(world.now - chrono::Duration::days(MAX_AGE_DAYS));
    let analytics = (us.max(ceil(earliest.timestamp(), HOUR)), ue);
    let orgs = (0..world.orgs.len())
        .map(|o| org_truth(world, o, (us, ue), (cs, ce), analytics))
        .collect();
    Truth {
        now: world
            .now
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        usage_starting_at: rfc3339(us),
        usage_ending_at: rfc3339(ue),
        cost_starting_at: rfc3339(cs),
        cost_ending_at: rfc3339(ce),
        orgs,
    }
}

fn org_truth(
    world: &World,
    o: usize,
    usage: (i64, i64),
    cost: (i64, i64),
    analytics: (i64, i64),
) -> OrgTruth {
    let meta = &world.orgs[o].org;
    let mut rows = Vec::new();
    let mut totals = TokenTotals::default();
    let mut day = floor(usage.0, DAY);
    while day < usage.1 {
        let (from, to) = (day.max(usage.0), (day + DAY).min(usage.1));
        for (key, s) in aggregate(world, o, from, to, &Filter::default(), &GroupSpec::TRUTH) {
            let [k, w, m, t, c, _] = unpack(key);
            let tokens = TokenTotals {
                uncached_input_tokens: s.tokens[0],
                cache_creation_ephemeral_5m_input_tokens: s.tokens[1],
                cache_creation_ephemeral_1h_input_tokens: s.tokens[2],
                cache_read_input_tokens: s.tokens[3],
                output_tokens: s.tokens[4],
                web_search_requests: s.web_search,
            };
            totals.add(&tokens);
            rows.push(UsageTruthRow {
                day: date(day),
                api_key_id: (k > 0).then(|| meta.api_keys[k as usize - 1].id.clone()),
                workspace_id: (w > 0).then(|| meta.workspaces[w as usize - 1].id.clone()),
                model: MODELS[m as usize].id.into(),
                service_tier: SERVICE_TIERS[t as usize].into(),
                context_window: CONTEXT_WINDOWS[c as usize].into(),
                tokens,
            });
        }
        day += DAY;
    }
    let mut cost_rows = Vec::new();
    let mut per_day = BTreeMap::new();
    let mut total = 0;
    for day in (cost.0..cost.1).step_by(DAY as usize) {
        for (line, nanos) in day_lines(world, o, day) {
            *per_day.entry(date(day)).or_insert(0) += nanos;
            total += nanos;
            cost_rows.push(CostTruthRow {
                day: date(day),
                workspace_id: (line.workspace > 0)
                    .then(|| meta.workspaces[line.workspace as usize - 1].id.clone()),
                model: line.model_id().map(Into::into),
                service_tier: line.service_tier().map(Into::into),
                context_window: line.context_window().map(Into::into),
                token_type: line.token_type().map(Into::into),
                cost_type: line.cost_type().unwrap_or_default().into(),
                description: line.description().unwrap_or_default(),
                amount_nanos: nanos,
                amount_cents: cents_string(nanos),
            });
        }
    }
    let state = &world.orgs[o];
    OrgTruth {
        org_id: meta.id.clone(),
        name: meta.name.clone(),
        usage: rows,
        usage_totals: totals,
        cost: cost_rows,
        analytics: org_analytics(world, o, analytics, &per_day),
        cost_per_day: per_day,
        cost_total_nanos: total,
        cost_total_cents: cents_string(total),
        kind: if state.enterprise {
            "enterprise"
        } else {
            "console"
        }
        .into(),
        hipaa: state.hipaa,
        analytics_beta: state.analytics_beta,
        spend_limits: org_spend_limits(world, o),
    }
}

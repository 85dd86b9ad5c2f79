//! The analytics part of the ground truth: per UTC day, per API key, per actor and per
//! workspace, exactly what the Analytics API serves with `time_bucket_width=1d` grouped
//! by that one dimension, plus the exact difference to the legacy cost report.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::actors::{ActorJson, actor_json};
use crate::analytics::atoms::{Metrics, Report, for_each_atom};
use crate::analytics::dims::{Dim, Dims};
use crate::buckets::{date, floor};
use crate::money::cents5;
use crate::truth::TokenTotals;
use crate::world::World;

const DAY: i64 = 86_400;

/// What the two analytics endpoints serve for one cell.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsAmounts {
    /// Net cost (`amount`), nanodollars.
    pub net_nanos: u64,
    /// List cost (`list_amount`), nanodollars.
    pub list_nanos: u64,
    /// `amount` as the cost endpoint writes it (cents, 5 decimals).
    pub amount: String,
    /// `list_amount` as the cost endpoint writes it.
    pub list_amount: String,
    /// `requests` of the cost endpoint (no priority tier; code execution counts spans).
    pub cost_requests: u64,
    /// `requests` of the usage endpoint.
    pub usage_requests: u64,
    /// Token counts of the usage endpoint.
    #[serde(flatten)]
    pub tokens: TokenTotals,
}

/// A day's totals.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsDayRow {
    /// UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// Sums.
    #[serde(flatten)]
    pub amounts: AnalyticsAmounts,
}

/// A day's totals of one API key (`null`: usage without a key).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsKeyRow {
    /// UTC day.
    pub day: String,
    /// `group.api_key_id`.
    pub api_key_id: Option<String>,
    /// Sums.
    #[serde(flatten)]
    pub amounts: AnalyticsAmounts,
}

/// A day's totals of one actor.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsActorRow {
    /// UTC day.
    pub day: String,
    /// `group.actor`, the tagged union.
    pub actor: ActorJson,
    /// Sums.
    #[serde(flatten)]
    pub amounts: AnalyticsAmounts,
}

/// A day's totals of one workspace (`null`: the Default workspace).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsWorkspaceRow {
    /// UTC day.
    pub day: String,
    /// `group.workspace_id`.
    pub workspace_id: Option<String>,
    /// Sums.
    #[serde(flatten)]
    pub amounts: AnalyticsAmounts,
}

/// The analytics truth of one org.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnalyticsTruth {
    /// First hour covered (the Analytics API serves nothing before 2026-01-01 or older
    /// than 365 days, so the window starts no earlier).
    pub starting_at: String,
    /// End of the window (exclusive), as the usage truth's.
    pub ending_at: String,
    /// The org's discount off list price, percent.
    pub discount_percent: u64,
    /// Per day. The last day can be partial: it ends at `ending_at`.
    pub by_day: Vec<AnalyticsDayRow>,
    /// Per day and API key.
    pub by_api_key: Vec<AnalyticsKeyRow>,
    /// Per day and actor.
    pub by_actor: Vec<AnalyticsActorRow>,
    /// Per day and workspace.
    pub by_workspace: Vec<AnalyticsWorkspaceRow>,
    /// Net total over the window, nanodollars.
    pub net_total_nanos: u64,
    /// List total over the window, nanodollars.
    pub list_total_nanos: u64,
    /// Per complete day of both windows: analytics list total − legacy cost report total,
    /// in nanodollars. Each analytics atom is rounded to 5 decimals of a cent; the legacy
    /// report is the exact list price, so the difference is rounding only.
    pub legacy_rounding_residual_by_day: BTreeMap<String, i64>,
}

#[derive(Default)]
struct Cell {
    usage: Metrics,
    cost: Metrics,
}

fn amounts(c: &Cell) -> AnalyticsAmounts {
    let t = &c.usage.tokens;
    AnalyticsAmounts {
        net_nanos: c.cost.net,
        list_nanos: c.cost.list,
        amount: cents5(c.cost.net),
        list_amount: cents5(c.cost.list),
        cost_requests: c.cost.requests,
        usage_requests: c.usage.requests,
        tokens: TokenTotals {
            uncached_input_tokens: t[0],
            cache_creation_ephemeral_5m_input_tokens: t[1],
            cache_creation_ephemeral_1h_input_tokens: t[2],
            cache_read_input_tokens: t[3],
            output_tokens: t[4],
            web_search_requests: c.usage.web_search,
        },
    }
}

type Cells = BTreeMap<(i64, u8), Cell>;

/// The analytics truth of org `o` over the hours `[start, end)`; `legacy_per_day` is the
/// legacy cost truth (complete days only) for the residual.
pub fn org_analytics(
    world: &World,
    o: usize,
    (start, end): (i64, i64),
    legacy_per_day: &BTreeMap<String, u64>,
) -> AnalyticsTruth {
    let (mut by_day, mut by_key, mut by_actor, mut by_ws) =
        (Cells::new(), Cells::new(), Cells::new(), Cells::new());
    for report in [Report::Usage, Report::Cost] {
        for_each_atom(
            world,
            o,
            (start, end),
            report,
            u32::MAX,
            |at, d: &Dims, m| {
                let day = floor(at, DAY);
                for (cells, dim) in [
                    (&mut by_day, None),
                    (&mut by_key, Some(Dim::ApiKey)),
                    (&mut by_actor, Some(Dim::Actor)),
                    (&mut by_ws, Some(Dim::Workspace)),
                ] {
                    let cell = cells
                        .entry((day, dim.map_or(0, |x| d[x as usize])))
                        .or_default();
                    match report {
                        Report::Usage => cell.usage.add(m),
                        Report::Cost => cell.cost.add(m),
                    }
                }
            },
        );
    }
    let meta = &world.orgs[o].org;
    let (net_total, list_total) = by_day
        .values()
        .fold((0, 0), |(n, l), c| (n + c.cost.net, l + c.cost.list));
    let mut residual = BTreeMap::new();
    for (&(day, _), cell) in &by_day {
        let legacy = legacy_per_day.get(&date(day)).copied();
        let whole_day = day >= start && day + DAY <= end;
        if whole_day && (legacy.is_some() || cell.cost.list > 0) {
            let diff = cell.cost.list as i64 - legacy.unwrap_or(0) as i64;
            residual.insert(date(day), diff);
        }
    }
    let id_of = |v: u8, ids: &dyn Fn(usize) -> String| (v > 0).then(|| ids(v as usize - 1));
    AnalyticsTruth {
        starting_at: crate::buckets::rfc3339(start),
        ending_at: crate::buckets::rfc3339(end.max(start)),
        discount_percent: meta.actors.discount_percent,
        by_day: by_day
            .iter()
            .map(|(&(day, _), c)| AnalyticsDayRow {
                day: date(day),
                amounts: amounts(c),
            })
            .collect(),
        by_api_key: by_key
            .iter()
            .map(|(&(day, k), c)| AnalyticsKeyRow {
                day: date(day),
                api_key_id: id_of(k, &|i| meta.api_keys[i].id.clone()),
                amounts: amounts(c),
            })
            .collect(),
        by_actor: by_actor
            .iter()
            .map(|(&(day, a), c)| AnalyticsActorRow {
                day: date(day),
                actor: actor_json(meta, a),
                amounts: amounts(c),
            })
            .collect(),
        by_workspace: by_ws
            .iter()
            .map(|(&(day, w), c)| AnalyticsWorkspaceRow {
                day: date(day),
                workspace_id: id_of(w, &|i| meta.workspaces[i].id.clone()),
                amounts: amounts(c),
            })
            .collect(),
        net_total_nanos: net_total,
        list_total_nanos: list_total,
        legacy_rounding_residual_by_day: residual,
    }
}

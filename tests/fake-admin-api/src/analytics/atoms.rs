//! Atoms: the smallest pieces the Analytics API sums. A usage atom is one event; a cost
//! atom is one event's tokens of one type, its web searches, or a day's code execution.
//! Every row of every grouping is a sum of the same atoms, which is why groupings
//! reconcile, and each cost atom is rounded once, which is where the tiny residual
//! against the legacy cost report comes from.

use crate::analytics::dims::{
    COST_CODE_EXECUTION, COST_TOKENS, COST_WEB_SEARCH, Dim, Dims, N_DIMS, NULL,
};
use crate::attribution::code_execution_attribution;
use crate::buckets::{ceil, floor};
use crate::catalog::{GEO_NOT_AVAILABLE, TIER_PRIORITY, TokenType};
use crate::events::{Event, code_execution};
use crate::money::{list_atom, net_atom};
use crate::pricing::{WEB_SEARCH_NANOS, token_rate};
use crate::world::World;

/// Which endpoint the atoms are for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Report {
    /// `/analytics/usage`: one atom per event, every tier.
    Usage,
    /// `/analytics/cost`: priced atoms, priority tier left out (as the legacy report).
    Cost,
}

/// What an atom (or a row) adds up.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Metrics {
    /// Tokens in [`TokenType::ALL`] order (usage).
    pub tokens: [u64; 5],
    /// Web search requests (usage).
    pub web_search: u64,
    /// Requests (code execution: execution spans). Counted on one atom per event, so a
    /// row holding all of an event's atoms counts the event once.
    pub requests: u64,
    /// List price in nanodollars, a multiple of 100 (cost).
    pub list: u64,
    /// Net (post-discount) price in nanodollars, a multiple of 100 (cost).
    pub net: u64,
}

impl Metrics {
    /// Adds another atom or row.
    pub fn add(&mut self, o: &Metrics) {
        for (a, b) in self.tokens.iter_mut().zip(&o.tokens) {
            *a += b;
        }
        self.web_search += o.web_search;
        self.requests += o.requests;
        self.list += o.list;
        self.net += o.net;
    }

    /// The five token counts summed (the fake's `total_tokens`).
    pub fn total_tokens(&self) -> u64 {
        self.tokens.iter().sum()
    }
}

/// The dimension values of an event, before cost splits it by type.
fn event_dims(world: &World, org: usize, e: &Event) -> Dims {
    let actors = &world.orgs[org].org.actors;
    let mut d = [NULL; N_DIMS];
    d[Dim::Actor as usize] = e.actor;
    d[Dim::ActorType as usize] = actors.table[e.actor as usize].type_index();
    d[Dim::ApiKey as usize] = e.api_key;
    d[Dim::Workspace as usize] = e.workspace;
    d[Dim::Model as usize] = e.model;
    d[Dim::Tier as usize] = e.tier;
    d[Dim::Window as usize] = e.window;
    d[Dim::Geo as usize] = if e.geo == GEO_NOT_AVAILABLE {
        NULL
    } else {
        e.geo
    };
    d[Dim::Speed as usize] = 0; // every generated request ran at standard speed
    d[Dim::Product as usize] = e.product;
    d[Dim::Organization as usize] = 0;
    d
}

/// Calls `f(at, dims, metrics)` for every atom of `org` stamped in `[start, end)`
/// (epoch seconds), counting late events only up to late-data `generation`.
pub fn for_each_atom(
    world: &World,
    org: usize,
    (start, end): (i64, i64),
    report: Report,
    generation: u32,
    mut f: impl FnMut(i64, &Dims, &Metrics),
) {
    let discount = world.orgs[org].org.actors.discount_percent;
    for hour in floor(start, 3_600) / 3_600..ceil(end, 3_600) / 3_600 {
        for e in world.events(org, hour) {
            let at = hour * 3_600 + e.minute as i64 * 60;
            if e.generation > generation || at < start || at >= end {
                continue;
            }
            let mut dims = event_dims(world, org, e);
            let requests = e.requests as u64;
            if report == Report::Usage {
                let mut m = Metrics {
                    web_search: e.web_search as u64,
                    requests,
                    ..Metrics::default()
                };
                for (t, &n) in m.tokens.iter_mut().zip(&e.tokens) {
                    *t = n as u64;
                }
                f(at, &dims, &m);
                continue;
            }
            if e.tier == TIER_PRIORITY {
                continue;
            }
            let mut requests = Some(requests);
            let mut emit = |dims: &Dims, exact: u64, f: &mut dyn FnMut(i64, &Dims, &Metrics)| {
                let m = Metrics {
                    requests: requests.take().unwrap_or(0),
                    list: list_atom(exact),
                    net: net_atom(exact, discount),
                    ..Metrics::default()
                };
                f(at, dims, &m);
            };
            dims[Dim::CostType as usize] = COST_TOKENS;
            for (i, &tokens) in e.tokens.iter().enumerate() {
                if tokens > 0 {
                    let rate = token_rate(e.model, e.tier, e.window, e.geo, TokenType::ALL[i]);
                    dims[Dim::TokenType as usize] = i as u8;
                    emit(&dims, tokens as u64 * rate, &mut f);
                }
            }
            if e.web_search > 0 {
                // Web search keeps the event's model, tier and window; no token type.
                dims[Dim::CostType as usize] = COST_WEB_SEARCH;
                dims[Dim::TokenType as usize] = NULL;
                emit(&dims, e.web_search as u64 * WEB_SEARCH_NANOS, &mut f);
            }
        }
    }
    if report == Report::Cost {
        code_execution_atoms(world, org, (start, end), discount, &mut f);
    }
}

/// The daily code execution charges in `[start, end)`: no key, model, tier, window, geo,
/// speed or product; `requests` counts execution spans.
fn code_execution_atoms(
    world: &World,
    org: usize,
    (start, end): (i64, i64),
    discount: u64,
    f: &mut impl FnMut(i64, &Dims, &Metrics),
) {
    let meta = &world.orgs[org].org;
    for day in floor(start, 86_400) / 86_400..ceil(end, 86_400) / 86_400 {
        let Some(run) = code_execution(world.seed, meta, day) else {
            continue;
        };
        let hour = day * 24 + run.hour_of_day as i64;
        let at = hour * 3_600;
        if hour < world.start_hour || hour >= world.now_hour() || at < start || at >= end {
            continue;
        }
        let (actor, spans) = code_execution_attribution(world.seed, meta, day);
        let mut d = [NULL; N_DIMS];
        d[Dim::Actor as usize] = actor;
        d[Dim::ActorType as usize] = meta.actors.table[actor as usize].type_index();
        d[Dim::ApiKey as usize] = 0;
        d[Dim::Workspace as usize] = run.workspace;
        d[Dim::Organization as usize] = 0;
        d[Dim::CostType as usize] = COST_CODE_EXECUTION;
        let m = Metrics {
            requests: spans,
            list: list_atom(run.nanos),
            net: net_atom(run.nanos, discount),
            ..Metrics::default()
        };
        f(at, &d, &m);
    }
}

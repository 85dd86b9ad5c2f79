//! Allocation: split each billed cost row of a day across the usage that caused it.
//!
//! A billed token row (day, workspace, model, token type, tier, context window) is divided
//! among the hours and keys with usage in that same day, workspace, model, tier and window,
//! in proportion to their tokens of that type; a web search row by their search requests.
//! Largest-remainder rounding makes the parts add up to the row exactly. A row that matches
//! no usage (code execution, a line without tokens) is *unallocated*: it keeps its workspace
//! and model and is spread evenly over the day's hours. Usage the bill does not cover at all
//! (the priority tier) is priced from the price table and marked *estimated*, as is every
//! usage row of a day the cost report has not reached yet.
//!
//! OpenAI's bill names the API key of each amount (its costs endpoint is grouped by
//! project, line item and key): nothing is divided. Each billed line stays whole under its
//! key, project and the model its line item names, spread evenly over the day's hours as
//! *billed*. A line without a key (Playground usage) is divided among the day's keyless usage
//! rows of its project and model, in proportion to their tokens of the line's meter (input,
//! cached input, cache writes, output; all tokens for another meter), as *allocated*, with
//! the same exact rounding: first among the org users who made them (rows naming no user
//! form one more share, which stays unattributed) by their day's tokens, then each user's
//! part among their hours. A keyless line no such row matches is *unallocated*. The bill covers all of a billed day's usage; a day it has not reached
//! yet is estimated from its usage.
//!
//! Each usage row is either billed or estimated, never both: a row is *billed* when the bill
//! has a token line for its (workspace, model, tier, window) that day. A billed line is split
//! only among billed rows, so the web search line (day and workspace, no model or tier) goes
//! to the searches of the tiers the bill covers, and the searches of an estimated row (the
//! priority tier) are in its estimate alone.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, NaiveDate};

use crate::model::{Basis, CostRow, Money, Provider, TokenType};
use crate::pricing::PriceTable;
use crate::store::{Dim, HourUsage, Unpriced};

const HOUR: i64 = 3_600;

/// Split `amount` in proportion to `weights` (all ≥ 0, some > 0) so that the parts add up
/// to `amount` exactly: each part is rounded down, and the units left over go to the parts
/// with the largest remainders (earlier parts first on ties).
pub fn split(amount: Money, weights: &[i64]) -> Vec<Money> {
    split_units(amount.nanos(), weights)
        .into_iter()
        .map(Money::from_nanos)
        .collect()
}

/// [`split`] for any integer quantity (nanodollars, tokens, requests).
pub fn split_units(amount: i64, weights: &[i64]) -> Vec<i64> {
    let total: i128 = weights.iter().map(|&w| i128::from(w.max(0))).sum();
    assert!(total > 0, "split needs a positive weight");
    let negative = amount < 0;
    let whole = i128::from(amount).abs();
    let mut parts: Vec<i128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let product = whole * i128::from(w.max(0));
        parts.push(product / total);
        remainders.push((product % total, i));
    }
    let left = whole - parts.iter().sum::<i128>();
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take(left as usize) {
        parts[i] += 1;
    }
    parts
        .into_iter()
        .map(|p| if negative { -(p as i64) } else { p as i64 })
        .collect()
}

/// Where a fact lands: a dimension that exists, or one allocation needs created (unallocated
/// cost keeps its workspace and model under no key; a key-billed line its key too).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum FactDim {
    /// An existing dimension's id.
    Known(i64),
    /// (api key, workspace, model, tier, window, actor), created when missing. Allocation
    /// names no actor; the analytics rows of a billed day name the person
    /// (`reports::analytics_facts`).
    New(
        Option<String>,
        Option<String>,
        String,
        String,
        String,
        Option<String>,
    ),
}

/// A day's allocation before new dimensions get their ids.
#[derive(Debug, Default)]
pub(crate) struct DayAllocation {
    /// Amounts per (hour, dimension, basis).
    pub facts: BTreeMap<(i64, FactDim, Basis), Money>,
    /// Usage without a price, per hour and dimension.
    pub unpriced: Vec<Unpriced>,
}

impl DayAllocation {
    pub(crate) fn add(&mut self, hour: i64, dim: FactDim, basis: Basis, amount: Money) {
        if amount != Money::ZERO {
            *self.facts.entry((hour, dim, basis)).or_default() += amount;
        }
    }
}

/// (workspace, model, tier, window) of a usage row or a token line: what decides whether the
/// bill covers a row.
type CoverKey<'a> = (Option<&'a str>, &'a str, &'a str, &'a str);

fn dim_key(dim: &Dim) -> CoverKey<'_> {
    (
        dim.workspace_id.as_deref(),
        dim.model.as_str(),
        dim.service_tier.as_str(),
        dim.context_window.as_str(),
    )
}

fn matches(cost: &CostRow, dim: &Dim) -> bool {
    cost.workspace_id == dim.workspace_id
        && cost.model.as_deref().unwrap_or("") == dim.model
        && cost.service_tier.as_deref().unwrap_or("") == dim.service_tier
        && cost.context_window.as_deref().unwrap_or("") == dim.context_window
}

/// The usage rows a billed row is divided among, with their weights. `covered` holds the
/// (workspace, model, tier, window) the day's token lines bill: a web search line describes
/// only the searches of that usage, not those of a tier the bill leaves out.
fn candidates<'a>(
    cost: &CostRow,
    usage: &'a [HourUsage],
    covered: &HashSet<CoverKey<'_>>,
) -> Vec<(&'a HourUsage, i64)> {
    let token_type = cost
        .token_type
        .as_deref()
        .and_then(|t| t.parse::<TokenType>().ok());
    match (cost.cost_type.as_deref(), token_type) {
        (Some("tokens"), Some(t)) => usage
            .iter()
            .filter(|u| matches(cost, &u.dim))
            .map(|u| (u, u.tokens.get(t)))
            .filter(|(_, w)| *w > 0)
            .collect(),
        (Some("web_search"), _) => usage
            .iter()
            .filter(|u| u.dim.workspace_id == cost.workspace_id)
            .filter(|u| cost.model.as_deref().is_none_or(|m| m == u.dim.model))
            .filter(|u| {
                cost.service_tier
                    .as_deref()
                    .is_none_or(|t| t == u.dim.service_tier)
            })
            .filter(|u| covered.contains(&dim_key(&u.dim)))
            .map(|u| (u, u.tokens.web_search_requests))
            .filter(|(_, w)| *w > 0)
            .collect(),
        _ => Vec::new(),
    }
}

/// Allocate one UTC day (`day` in Unix seconds) of a plan of `provider`. `billed` says
/// whether the cost report has covered the day; when it has not, every usage row is
/// estimated.
pub(crate) fn allocate_day(
    provider: Provider,
    day: i64,
    usage: &[HourUsage],
    costs: &[CostRow],
    billed: bool,
    prices: &PriceTable,
) -> DayAllocation {
    if provider == Provider::OpenAi {
        return allocate_keyed_day(day, usage, costs, billed, prices);
    }
    let mut out = DayAllocation::default();
    let covered: HashSet<CoverKey<'_>> = if billed {
        costs
            .iter()
            .filter(|cost| cost.cost_type.as_deref() == Some("tokens"))
            .map(|cost| {
                (
                    cost.workspace_id.as_deref(),
                    cost.model.as_deref().unwrap_or(""),
                    cost.service_tier.as_deref().unwrap_or(""),
                    cost.context_window.as_deref().unwrap_or(""),
                )
            })
            .collect()
    } else {
        HashSet::new()
    };
    if billed {
        for cost in costs {
            let targets = candidates(cost, usage, &covered);
            if targets.is_empty() {
                spread_over_day(&mut out, day, cost, None, Basis::Unallocated);
                continue;
            }
            let weights: Vec<i64> = targets.iter().map(|(_, w)| *w).collect();
            for ((u, _), part) in targets.iter().zip(split(cost.amount, &weights)) {
                out.add(u.hour, FactDim::Known(u.dim.id), Basis::Allocated, part);
            }
        }
    }
    let uncovered = usage.iter().filter(|u| !covered.contains(&dim_key(&u.dim)));
    estimate(&mut out, day, uncovered, prices);
    out
}

/// A billed line kept whole, spread evenly over the day's 24 hours under its own dimension.
fn spread_over_day(
    out: &mut DayAllocation,
    day: i64,
    cost: &CostRow,
    api_key_id: Option<String>,
    basis: Basis,
) {
    let dim = FactDim::New(
        api_key_id,
        cost.workspace_id.clone(),
        cost.model.clone().unwrap_or_default(),
        cost.service_tier.clone().unwrap_or_default(),
        cost.context_window.clone().unwrap_or_default(),
        None,
    );
    for (h, part) in split(cost.amount, &[1; 24]).into_iter().enumerate() {
        out.add(day + h as i64 * HOUR, dim.clone(), basis, part);
    }
}

/// A day of a provider whose bill names the key of each amount (OpenAI).
fn allocate_keyed_day(
    day: i64,
    usage: &[HourUsage],
    costs: &[CostRow],
    billed: bool,
    prices: &PriceTable,
) -> DayAllocation {
    let mut out = DayAllocation::default();
    if !billed {
        estimate(&mut out, day, usage.iter(), prices);
        return out;
    }
    for cost in costs {
        if cost.api_key_id.is_some() {
            spread_over_day(&mut out, day, cost, cost.api_key_id.clone(), Basis::Billed);
            continue;
        }
        let targets = actor_candidates(cost, usage);
        if targets.is_empty() {
            spread_over_day(&mut out, day, cost, None, Basis::Unallocated);
            continue;
        }
        let mut by_actor: BTreeMap<Option<&str>, Vec<(&HourUsage, i64)>> = BTreeMap::new();
        for (u, w) in targets {
            by_actor
                .entry(u.dim.actor_id.as_deref())
                .or_default()
                .push((u, w));
        }
        let shares: Vec<i64> = by_actor
            .values()
            .map(|rows| rows.iter().map(|(_, w)| *w).sum())
            .collect();
        for (rows, share) in by_actor.values().zip(split(cost.amount, &shares)) {
            let weights: Vec<i64> = rows.iter().map(|(_, w)| *w).collect();
            for ((u, _), part) in rows.iter().zip(split(share, &weights)) {
                out.add(u.hour, FactDim::Known(u.dim.id), Basis::Allocated, part);
            }
        }
    }
    out
}

/// The keyless usage rows a keyless billed line (OpenAI) is divided among: same project and
/// model, weighted by the tokens of the line's meter.
fn actor_candidates<'a>(cost: &CostRow, usage: &'a [HourUsage]) -> Vec<(&'a HourUsage, i64)> {
    let Some(model) = cost.model.as_deref().filter(|m| !m.is_empty()) else {
        return Vec::new();
    };
    let weight = |t: &crate::model::TokenCounts| match cost.token_type.as_deref() {
        Some("input") => t.uncached_input,
        Some("cached input") => t.cache_read,
        Some("cache writes") => t.cache_write_5m,
        Some("output") => t.output,
        _ => t.total_input() + t.output,
    };
    usage
        .iter()
        .filter(|u| u.dim.api_key_id.is_none())
        .filter(|u| u.dim.workspace_id == cost.workspace_id && u.dim.model == model)
        .map(|u| (u, weight(&u.tokens)))
        .filter(|(_, w)| *w > 0)
        .collect()
}

/// Price usage rows from the table as *estimated*; rows without a price are counted as
/// unpriced.
fn estimate<'a>(
    out: &mut DayAllocation,
    day: i64,
    usage: impl Iterator<Item = &'a HourUsage>,
    prices: &PriceTable,
) {
    let date = DateTime::from_timestamp(day, 0)
        .map(|d| d.date_naive())
        .unwrap_or(NaiveDate::MIN);
    let mut unpriced: BTreeMap<(i64, i64), i64> = BTreeMap::new();
    for u in usage {
        match prices.estimate(
            &u.dim.model,
            date,
            &u.dim.service_tier,
            &u.dim.context_window,
            &u.tokens,
        ) {
            Ok(estimate) => out.add(
                u.hour,
                FactDim::Known(u.dim.id),
                Basis::Estimated,
                estimate.total,
            ),
            Err(_) => {
                let t = &u.tokens;
                *unpriced.entry((u.hour, u.dim.id)).or_default() += t.total_input() + t.output;
            }
        }
    }
    out.unpriced = unpriced
        .into_iter()
        .map(|((hour, dim_id), tokens)| Unpriced {
            hour,
            dim_id,
            tokens,
        })
        .collect();
}

#[cfg(test)]
#[path = "allocation_tests.rs"]
mod tests;

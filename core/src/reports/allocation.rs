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
//! *billed*; a line without a key is *unallocated*. The bill covers all of a billed day's
//! usage; a day it has not reached yet is estimated from its usage.
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
    /// (api key, workspace, model, tier, window), created when missing.
    New(Option<String>, Option<String>, String, String, String),
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
    fn add(&mut self, hour: i64, dim: FactDim, basis: Basis, amount: Money) {
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
        let basis = match cost.api_key_id {
            Some(_) => Basis::Billed,
            None => Basis::Unallocated,
        };
        spread_over_day(&mut out, day, cost, cost.api_key_id.clone(), basis);
    }
    out
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
mod tests {
    use super::*;
    use crate::model::TokenCounts;

    /// 2026-10-01T00:00:00Z: a day every test model has a price on.
    const DAY0: i64 = 1_790_812_800;

    #[test]
    fn split_is_exact_and_proportional() {
        let parts = split(Money::from_nanos(100), &[1, 1, 1]);
        assert_eq!(parts.iter().copied().sum::<Money>(), Money::from_nanos(100));
        assert_eq!(
            parts,
            vec![
                Money::from_nanos(34),
                Money::from_nanos(33),
                Money::from_nanos(33)
            ]
        );
        let parts = split(Money::from_nanos(10), &[2, 1, 0, 7]);
        assert_eq!(
            parts.iter().map(|m| m.nanos()).collect::<Vec<_>>(),
            vec![2, 1, 0, 7]
        );
        let parts = split(Money::from_nanos(-7), &[1, 1]);
        assert_eq!(
            parts.iter().map(|m| m.nanos()).collect::<Vec<_>>(),
            vec![-4, -3]
        );
        // Remainders go to the largest fractions, not the first parts.
        let parts = split(Money::from_nanos(5), &[1, 3, 3]);
        assert_eq!(
            parts.iter().map(|m| m.nanos()).collect::<Vec<_>>(),
            vec![1, 2, 2]
        );
        // Huge amounts and weights do not overflow.
        let parts = split(
            Money::from_nanos(i64::MAX / 2),
            &[i64::MAX / 3, 1, i64::MAX / 5],
        );
        assert_eq!(
            parts.iter().copied().sum::<Money>(),
            Money::from_nanos(i64::MAX / 2)
        );
    }

    fn dim(id: i64, key: &str, tier: &str) -> Dim {
        Dim {
            id,
            plan_id: 1,
            api_key_id: Some(key.into()),
            workspace_id: Some("w".into()),
            model: "claude-sonnet-4-5-20250929".into(),
            service_tier: tier.into(),
            context_window: "0-200k".into(),
        }
    }

    fn cost(token_type: &str, cents: &str) -> CostRow {
        CostRow {
            bucket_start: DateTime::from_timestamp(0, 0).unwrap(),
            workspace_id: Some("w".into()),
            api_key_id: None,
            description: None,
            cost_type: Some("tokens".into()),
            model: Some("claude-sonnet-4-5-20250929".into()),
            service_tier: Some("standard".into()),
            context_window: Some("0-200k".into()),
            token_type: Some(token_type.into()),
            inference_geo: None,
            amount: Money::parse_cents(cents).unwrap(),
        }
    }

    fn usage(hour: i64, dim: Dim, input: i64, output: i64) -> HourUsage {
        HourUsage {
            hour: DAY0 + hour * HOUR,
            dim,
            tokens: TokenCounts {
                uncached_input: input,
                output,
                ..Default::default()
            },
        }
    }

    #[test]
    fn billed_rows_go_to_keys_by_tokens_of_their_type() {
        let rows = vec![
            usage(0, dim(1, "a", "standard"), 300, 10),
            usage(5, dim(2, "b", "standard"), 100, 30),
        ];
        let bill = vec![
            cost("uncached_input_tokens", "4"),
            cost("output_tokens", "1"),
        ];
        let out = allocate_day(
            Provider::Anthropic,
            DAY0,
            &rows,
            &bill,
            true,
            PriceTable::bundled(),
        );
        let get = |h: i64, id| out.facts[&(DAY0 + h * HOUR, FactDim::Known(id), Basis::Allocated)];
        // input 3:1, output 1:3
        assert_eq!(
            get(0, 1),
            Money::from_cents(3) + Money::parse_cents("0.25").unwrap()
        );
        assert_eq!(
            get(5, 2),
            Money::from_cents(1) + Money::parse_cents("0.75").unwrap()
        );
        let total: Money = out.facts.values().copied().sum();
        assert_eq!(total, Money::from_cents(5));
    }

    #[test]
    fn unmatched_cost_is_unallocated_and_spread_over_the_day() {
        let mut code = cost("output_tokens", "0.000024");
        code.cost_type = Some("code_execution".into());
        code.model = None;
        let out = allocate_day(
            Provider::Anthropic,
            DAY0,
            &[],
            &[code],
            true,
            PriceTable::bundled(),
        );
        assert_eq!(out.facts.len(), 24);
        assert!(
            out.facts
                .keys()
                .all(|(_, d, b)| *b == Basis::Unallocated && matches!(d, FactDim::New(..)))
        );
        assert_eq!(out.facts.values().copied().sum::<Money>().nanos(), 240);
    }

    #[test]
    fn priority_and_unbilled_days_are_estimated() {
        let rows = vec![
            usage(1, dim(1, "a", "priority"), 1_000_000, 0),
            usage(2, dim(2, "b", "standard"), 1_000_000, 0),
        ];
        let bill = vec![cost("uncached_input_tokens", "300")];
        let out = allocate_day(
            Provider::Anthropic,
            DAY0,
            &rows,
            &bill,
            true,
            PriceTable::bundled(),
        );
        // Sonnet 4.5 input at list rate: $3 per million.
        assert_eq!(
            out.facts[&(DAY0 + HOUR, FactDim::Known(1), Basis::Estimated)],
            Money::from_cents(300)
        );
        assert_eq!(
            out.facts[&(DAY0 + 2 * HOUR, FactDim::Known(2), Basis::Allocated)],
            Money::from_cents(300)
        );
        let unbilled = allocate_day(
            Provider::Anthropic,
            DAY0,
            &rows,
            &[],
            false,
            PriceTable::bundled(),
        );
        assert_eq!(unbilled.facts.len(), 2);
        assert!(
            unbilled
                .facts
                .keys()
                .all(|(_, _, b)| *b == Basis::Estimated)
        );
    }

    #[test]
    fn web_searches_of_the_priority_tier_are_estimated_not_billed() {
        let searches = |hour, dim, n| {
            let mut u = usage(hour, dim, 1_000, 100);
            u.tokens.web_search_requests = n;
            u
        };
        let rows = vec![
            searches(0, dim(1, "a", "standard"), 3),
            searches(1, dim(2, "b", "standard"), 1),
            searches(2, dim(3, "c", "priority"), 6),
        ];
        // The bill: the standard tier's tokens, and its 4 searches at $0.01 each.
        let mut web = cost("output_tokens", "4");
        web.cost_type = Some("web_search".into());
        (
            web.model,
            web.service_tier,
            web.context_window,
            web.token_type,
        ) = (None, None, None, None);
        let bill = vec![
            cost("uncached_input_tokens", "0.6"),
            cost("output_tokens", "0.3"),
            web,
        ];
        let out = allocate_day(
            Provider::Anthropic,
            DAY0,
            &rows,
            &bill,
            true,
            PriceTable::bundled(),
        );
        let at = |h: i64, id, basis| out.facts.get(&(DAY0 + h * HOUR, FactDim::Known(id), basis));
        // Input 1:1, output 1:1, searches 3:1.
        assert_eq!(
            at(0, 1, Basis::Allocated),
            Some(&(Money::parse_cents("0.45").unwrap() + Money::from_cents(3)))
        );
        assert_eq!(
            at(1, 2, Basis::Allocated),
            Some(&(Money::parse_cents("0.45").unwrap() + Money::from_cents(1)))
        );
        // The priority row takes nothing from the bill; its searches are in its estimate:
        // $3 + $15 per million tokens and $10 per 1,000 searches.
        assert_eq!(at(2, 3, Basis::Allocated), None);
        assert_eq!(
            at(2, 3, Basis::Estimated),
            Some(&Money::from_nanos(3_000_000 + 1_500_000 + 6 * 10_000_000))
        );
        assert_eq!(
            out.facts
                .iter()
                .filter(|((_, _, b), _)| *b == Basis::Allocated)
                .map(|(_, m)| *m)
                .sum::<Money>(),
            Money::from_cents(5) - Money::parse_cents("0.1").unwrap(),
            "the bill, exactly"
        );
    }

    #[test]
    fn unknown_models_are_reported_not_priced_at_zero() {
        let mut d = dim(1, "a", "priority");
        d.model = "claude-imaginary-9".into();
        let out = allocate_day(
            Provider::Anthropic,
            DAY0,
            &[usage(0, d, 10, 5)],
            &[],
            true,
            PriceTable::bundled(),
        );
        assert!(out.facts.is_empty());
        assert_eq!(
            out.unpriced,
            vec![Unpriced {
                hour: DAY0,
                dim_id: 1,
                tokens: 15
            }]
        );
    }

    #[test]
    fn openai_lines_stay_whole_under_their_key_and_unbilled_days_are_estimated() {
        let mut gpt = dim(1, "key_a", "default");
        gpt.model = "gpt-4.1-2025-04-14".into();
        gpt.context_window = String::new();
        let rows = vec![usage(3, gpt, 1_000_000, 0)];
        let line = |key: Option<&str>, cents: &str| CostRow {
            api_key_id: key.map(str::to_string),
            model: Some("gpt-4.1-2025-04-14".into()),
            service_tier: None,
            context_window: None,
            token_type: Some("input".into()),
            cost_type: Some("tokens".into()),
            ..cost("input", cents)
        };
        let bill = vec![line(Some("key_a"), "200.00000001"), line(None, "7")];
        let out = allocate_day(
            Provider::OpenAi,
            DAY0,
            &rows,
            &bill,
            true,
            PriceTable::bundled(),
        );
        let sum = |basis: Basis| -> Money {
            out.facts
                .iter()
                .filter(|((_, _, b), _)| *b == basis)
                .map(|(_, m)| *m)
                .sum()
        };
        assert_eq!(
            sum(Basis::Billed),
            Money::parse_cents("200.00000001").unwrap()
        );
        assert_eq!(sum(Basis::Unallocated), Money::from_cents(7));
        assert_eq!(
            sum(Basis::Estimated),
            Money::ZERO,
            "a billed day is not estimated"
        );
        assert_eq!(sum(Basis::Allocated), Money::ZERO, "nothing is divided");
        let keyed = out
            .facts
            .keys()
            .filter(|(_, d, b)| {
                *b == Basis::Billed
                    && *d
                        == FactDim::New(
                            Some("key_a".into()),
                            Some("w".into()),
                            "gpt-4.1-2025-04-14".into(),
                            String::new(),
                            String::new(),
                        )
            })
            .count();
        assert_eq!(keyed, 24, "spread over the day's hours");
        // Not billed yet: the usage is estimated at $2 per million input tokens.
        let unbilled = allocate_day(
            Provider::OpenAi,
            DAY0,
            &rows,
            &[],
            false,
            PriceTable::bundled(),
        );
        let estimated: Money = unbilled.facts.values().copied().sum();
        assert_eq!(estimated, Money::from_cents(200));
    }
}

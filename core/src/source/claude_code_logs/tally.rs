//! Summing counted tokens into report groups, and pricing them. Rows arrive split by what
//! prices a request (fast mode, over 200k input tokens, whether it carried a `costUSD`), so
//! each request is priced by its own rules; each model's tokens of one UTC day and one such
//! class are priced once, at that day's list price.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::LOG_SERVICE_TIER;
use super::report::{CostMode, LogModelUsage, LogUsage};
use crate::model::{Money, TokenCounts};
use crate::pricing::{
    CONTEXT_WINDOW_LONG, CONTEXT_WINDOW_STANDARD, PriceTable, SPEED_FAST, SPEED_STANDARD,
};
use crate::store::logs::LogUsageRow;

/// What one (group, model, day, speed, window) sums.
#[derive(Debug, Default)]
struct Sum {
    entries: i64,
    tokens: TokenCounts,
    /// Entries without a `costUSD`, and their tokens.
    uncosted_entries: i64,
    uncosted_tokens: TokenCounts,
    /// The `costUSD` of the entries that carried one.
    cost_usd: Money,
}

/// Tokens summed per group, model, UTC day, speed and context window.
#[derive(Debug)]
pub(crate) struct Tally<G: Ord> {
    sums: BTreeMap<(G, String, NaiveDate, bool, bool), Sum>,
}

impl<G: Ord + Clone> Tally<G> {
    pub(crate) fn new() -> Self {
        Tally {
            sums: BTreeMap::new(),
        }
    }

    /// Add a usage row (its entries, all used on the UTC day of `row.at_ms`) to `group`.
    pub(crate) fn add(&mut self, group: G, row: &LogUsageRow) {
        let day = utc_day(row.at_ms);
        let sum = self
            .sums
            .entry((group, row.model.clone(), day, row.fast, row.long_context))
            .or_default();
        sum.entries += row.entries;
        sum.tokens.add(&row.tokens);
        match row.cost_usd {
            Some(cost) => sum.cost_usd += cost,
            None => {
                sum.uncosted_entries += row.entries;
                sum.uncosted_tokens.add(&row.tokens);
            }
        }
    }

    /// The usage of each group, its costs by `mode`, calculated costs priced with `prices`.
    pub(crate) fn finish(self, prices: &PriceTable, mode: CostMode) -> BTreeMap<G, LogUsage> {
        let mut out: BTreeMap<G, LogUsage> = BTreeMap::new();
        for ((group, model, day, fast, long), sum) in self.sums {
            let usage = out.entry(group).or_default();
            let window = if long {
                CONTEXT_WINDOW_LONG
            } else {
                CONTEXT_WINDOW_STANDARD
            };
            let speed = if fast { SPEED_FAST } else { SPEED_STANDARD };
            let calculate = |tokens: &TokenCounts| {
                prices
                    .estimate_at_speed(&model, day, LOG_SERVICE_TIER, window, speed, tokens)
                    .ok()
                    .map(|e| e.total)
            };
            let cost = match mode {
                CostMode::Calculate => calculate(&sum.tokens),
                CostMode::Display => Some(sum.cost_usd),
                CostMode::Auto if sum.uncosted_entries == 0 => Some(sum.cost_usd),
                CostMode::Auto => calculate(&sum.uncosted_tokens).map(|c| c + sum.cost_usd),
            };
            let slot = match usage.models.iter().position(|m| m.model == model) {
                Some(i) => i,
                None => {
                    usage.models.push(LogModelUsage {
                        model: model.clone(),
                        entries: 0,
                        tokens: TokenCounts::default(),
                        estimated_cost: Some(Money::ZERO),
                    });
                    usage.models.len() - 1
                }
            };
            let m = &mut usage.models[slot];
            m.entries += sum.entries;
            m.tokens.add(&sum.tokens);
            // One day without a price makes the model's cost unknown: never a partial sum.
            m.estimated_cost = m.estimated_cost.zip(cost).map(|(a, b)| a + b);
        }
        for usage in out.values_mut() {
            usage.models.sort_by(|a, b| a.model.cmp(&b.model));
            for m in &usage.models {
                usage.entries += m.entries;
                usage.tokens.add(&m.tokens);
                match m.estimated_cost {
                    Some(cost) => usage.estimated_cost += cost,
                    None => usage.missing_prices.push(m.model.clone()),
                }
            }
        }
        out
    }
}

/// The UTC day of an instant in milliseconds.
fn utc_day(ms: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .date_naive()
}

#[cfg(test)]
#[path = "tally_tests.rs"]
mod tests;

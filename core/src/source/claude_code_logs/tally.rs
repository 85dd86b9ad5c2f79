//! Summing counted tokens into report groups, and pricing them: each model's tokens of one
//! UTC day are priced once, at that day's list price.

use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::report::{LogModelUsage, LogUsage};
use super::sync::{LOG_CONTEXT_WINDOW, LOG_SERVICE_TIER};
use crate::model::{Money, TokenCounts};
use crate::pricing::PriceTable;

/// Tokens summed per group, model and UTC day.
#[derive(Debug)]
pub(crate) struct Tally<G: Ord> {
    sums: BTreeMap<(G, String, NaiveDate), (i64, TokenCounts)>,
}

impl<G: Ord + Clone> Tally<G> {
    pub(crate) fn new() -> Self {
        Tally {
            sums: BTreeMap::new(),
        }
    }

    /// Add `entries` entries of `model` with `tokens`, used on UTC day `day`, to `group`.
    pub(crate) fn add(
        &mut self,
        group: G,
        model: &str,
        day: NaiveDate,
        entries: i64,
        tokens: &TokenCounts,
    ) {
        let sum = self
            .sums
            .entry((group, model.to_string(), day))
            .or_default();
        sum.0 += entries;
        sum.1.add(tokens);
    }

    /// The usage of each group, priced with `prices`.
    pub(crate) fn finish(self, prices: &PriceTable) -> BTreeMap<G, LogUsage> {
        let mut out: BTreeMap<G, LogUsage> = BTreeMap::new();
        for ((group, model, day), (entries, tokens)) in self.sums {
            let usage = out.entry(group).or_default();
            let cost = prices
                .estimate(&model, day, LOG_SERVICE_TIER, LOG_CONTEXT_WINDOW, &tokens)
                .ok()
                .map(|e| e.total);
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
            m.entries += entries;
            m.tokens.add(&tokens);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn models_without_a_price_are_listed_never_zero() {
        let day = NaiveDate::from_ymd_opt(2026, 1, 5).unwrap();
        let tokens = TokenCounts {
            uncached_input: 1_000_000,
            output: 1_000_000,
            ..TokenCounts::default()
        };
        let mut tally = Tally::new();
        tally.add("a", "claude-sonnet-4-5", day, 2, &tokens);
        tally.add("a", "claude-sonnet-4-5", day, 1, &tokens);
        tally.add("a", "gpt-unknown", day, 1, &tokens);
        let usage = tally.finish(PriceTable::bundled()).remove("a").unwrap();
        assert_eq!(usage.entries, 4);
        assert_eq!(usage.tokens.output, 3_000_000);
        assert_eq!(usage.missing_prices, ["gpt-unknown"]);
        let sonnet = &usage.models[0];
        // $3 per million input and $15 per million output, twice.
        assert_eq!(sonnet.estimated_cost, Some(Money::from_cents(3_600)));
        assert_eq!(usage.models[1].estimated_cost, None);
        assert_eq!(usage.estimated_cost, Money::from_cents(3_600));
    }
}

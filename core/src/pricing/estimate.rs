//! The estimate of what a usage row costs at list prices, and the error for a row the table
//! cannot price.

use std::fmt;

use chrono::NaiveDate;

use super::prices::{ModelPrice, SPEED_STANDARD};
use crate::model::{Money, TokenCounts, TokenType};

/// What a usage row costs at list prices.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Estimate {
    /// The sum of `by_type`, exactly.
    pub total: Money,
    /// The cost of each token type with a non-zero count, in [`TokenType::ALL`] order, each
    /// rounded half to even to a whole nanodollar before summing.
    pub by_type: Vec<(TokenType, Money)>,
}

impl Estimate {
    /// The cost of one token type (zero when the row had none).
    pub fn get(&self, token_type: TokenType) -> Money {
        self.by_type
            .iter()
            .find(|(t, _)| *t == token_type)
            .map_or(Money::ZERO, |(_, m)| *m)
    }
}

/// A usage row the price table cannot price. Such a row is reported, never counted as $0.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MissingPrice {
    /// The model as the usage row named it.
    pub model: String,
    /// The day that was asked for.
    pub on: NaiveDate,
    /// Set when the model is priced on that day but not in this context window (a window
    /// other than `0-200k` and `200k-1M`).
    pub context_window: Option<String>,
    /// Set when the model is priced on that day but not at this speed (a fast-mode request
    /// of a model without fast-mode prices).
    pub speed: Option<String>,
}

impl fmt::Display for MissingPrice {
    /// `no price for model claude-x on 2026-01-02`, plus the context window when that is
    /// what is missing.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no price for model {} on {}", self.model, self.on)?;
        if let Some(window) = &self.context_window {
            write!(f, " in context window {window:?}")?;
        }
        if let Some(speed) = &self.speed {
            write!(f, " at speed {speed:?}")?;
        }
        Ok(())
    }
}

impl std::error::Error for MissingPrice {}

/// Price `tokens` with one entry; see [`super::PriceTable::estimate`].
pub(crate) fn estimate_with(
    price: &ModelPrice,
    model: &str,
    on: NaiveDate,
    service_tier: &str,
    context_window: &str,
    speed: &str,
    tokens: &TokenCounts,
) -> Result<Estimate, MissingPrice> {
    let standard = matches!(speed, "" | SPEED_STANDARD);
    let missing_window = || MissingPrice {
        model: model.to_string(),
        on,
        context_window: price
            .token_prices(context_window)
            .is_none()
            .then(|| context_window.to_string()),
        speed: (!standard).then(|| speed.to_string()),
    };
    price
        .token_prices_at(context_window, speed)
        .ok_or_else(missing_window)?;
    let mut estimate = Estimate::default();
    for &token_type in TokenType::ALL {
        let count = tokens.get(token_type);
        if count == 0 {
            continue;
        }
        let unit = price
            .unit_price_at(service_tier, context_window, speed, token_type)
            .ok_or_else(missing_window)?;
        let cost = unit.cost(count);
        estimate.total = Money::from_nanos(estimate.total.nanos().saturating_add(cost.nanos()));
        estimate.by_type.push((token_type, cost));
    }
    Ok(estimate)
}

//! One model's dated list prices, and reading them from the price table's data file.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use toml::Table;

use super::data_file::Fields;
use super::model_id;
use super::unit_price::{Multiplier, UnitPrice};
use crate::error::{Error, Result};
use crate::model::{Money, TokenType};

/// The usage report's `context_window` of requests up to 200k input tokens.
pub const CONTEXT_WINDOW_STANDARD: &str = "0-200k";
/// The usage report's `context_window` of requests over 200k input tokens.
pub const CONTEXT_WINDOW_LONG: &str = "200k-1M";
/// The service tier whose multiplier the bundled table sets (50%).
pub const SERVICE_TIER_BATCH: &str = "batch";
/// The speed of a request at standard rates (also the meaning of an empty speed).
pub const SPEED_STANDARD: &str = "standard";
/// The speed of a fast-mode request (`usage.speed: "fast"`), priced at the model's `fast`
/// rates.
pub const SPEED_FAST: &str = "fast";

/// Per-million-token prices of the five token categories.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TokenPrices {
    /// Uncached input tokens.
    pub input: UnitPrice,
    /// Input tokens written to the 5-minute cache.
    pub cache_write_5m: UnitPrice,
    /// Input tokens written to the 1-hour cache.
    pub cache_write_1h: UnitPrice,
    /// Input tokens read from the cache (hits and refreshes).
    pub cache_read: UnitPrice,
    /// Output tokens.
    pub output: UnitPrice,
}

impl TokenPrices {
    /// The price of one token type; `None` for [`TokenType::WebSearch`], which is not a token.
    pub fn get(&self, token_type: TokenType) -> Option<UnitPrice> {
        match token_type {
            TokenType::UncachedInput => Some(self.input),
            TokenType::CacheWrite5m => Some(self.cache_write_5m),
            TokenType::CacheWrite1h => Some(self.cache_write_1h),
            TokenType::CacheRead => Some(self.cache_read),
            TokenType::Output => Some(self.output),
            TokenType::WebSearch => None,
        }
    }
}

/// The list prices of one model from one date on: an entry of the price table.
///
/// A model whose price changed has several entries; the one in force on a day is the one
/// with the latest `effective_from` on or before it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelPrice {
    /// The canonical model id (`claude-sonnet-4-5-20250929`, `claude-opus-4-6`).
    pub model: String,
    /// The name people use (`Claude Sonnet 4.5`), as in the cost report's descriptions.
    pub display_name: String,
    /// Other ids that name the same model (`claude-sonnet-4-5`).
    pub aliases: Vec<String>,
    /// The first day these prices apply.
    pub effective_from: NaiveDate,
    /// Prices of requests within the standard context window (and of every request of a
    /// model without long-context prices).
    pub standard: TokenPrices,
    /// Prices of every token of a request over 200k input tokens (`context_window`
    /// `200k-1M`), for models that charge a premium there; `None` when the whole window is
    /// billed at standard rates.
    pub long_context: Option<TokenPrices>,
    /// Prices of every token of a fast-mode request (`speed: "fast"`); `None` when the model
    /// has no fast mode in the table (a fast request of it is then unpriced, never guessed).
    pub fast: Option<TokenPrices>,
    /// Prices of every token of a fast-mode request over 200k input tokens; `None` when the
    /// fast rates apply to the whole window.
    pub fast_long_context: Option<TokenPrices>,
    /// Factors applied to every token category per service tier (`batch` → 0.5). A tier not
    /// listed is billed at the listed rates.
    pub service_tiers: BTreeMap<String, Multiplier>,
    /// The price of 1,000 web search requests (any tier, any context window).
    pub web_search_per_1000: Money,
}

impl ModelPrice {
    /// The token prices of a context window: the long-context prices for `200k-1M` when the
    /// model has them, the standard prices for `0-200k`, `200k-1M` without a premium, or an
    /// empty string (window unknown). `None` for any other window, which this table does not
    /// know how to price.
    pub fn token_prices(&self, context_window: &str) -> Option<&TokenPrices> {
        match context_window {
            "" | CONTEXT_WINDOW_STANDARD => Some(&self.standard),
            CONTEXT_WINDOW_LONG => Some(self.long_context.as_ref().unwrap_or(&self.standard)),
            _ => None,
        }
    }

    /// The token prices of a context window at a speed: [`ModelPrice::token_prices`] for
    /// `standard` or an empty speed; for `fast`, the fast prices (the fast long-context ones
    /// for `200k-1M` when the model has them). `None` for a window or speed the table does
    /// not price, including `fast` on a model without fast prices.
    pub fn token_prices_at(&self, context_window: &str, speed: &str) -> Option<&TokenPrices> {
        match speed {
            "" | SPEED_STANDARD => self.token_prices(context_window),
            SPEED_FAST => {
                let fast = self.fast.as_ref()?;
                match context_window {
                    "" | CONTEXT_WINDOW_STANDARD => Some(fast),
                    CONTEXT_WINDOW_LONG => Some(self.fast_long_context.as_ref().unwrap_or(fast)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The factor a service tier applies to token prices: the table's value for the tier,
    /// or 1 (list rates) for a tier it does not list, such as `standard` and `priority`.
    pub fn tier_multiplier(&self, service_tier: &str) -> Multiplier {
        self.service_tiers
            .get(service_tier)
            .copied()
            .unwrap_or(Multiplier::ONE)
    }

    /// The factor of the batch tier (0.5 in the bundled table).
    pub fn batch_multiplier(&self) -> Multiplier {
        self.tier_multiplier(SERVICE_TIER_BATCH)
    }

    /// The price per million units of one token type in a tier and context window (web
    /// search: per million requests, never discounted by the tier). `None` when the context
    /// window is not one this table prices.
    pub fn unit_price(
        &self,
        service_tier: &str,
        context_window: &str,
        token_type: TokenType,
    ) -> Option<UnitPrice> {
        self.unit_price_at(service_tier, context_window, SPEED_STANDARD, token_type)
    }

    /// [`ModelPrice::unit_price`] at a speed (see [`ModelPrice::token_prices_at`]).
    pub fn unit_price_at(
        &self,
        service_tier: &str,
        context_window: &str,
        speed: &str,
        token_type: TokenType,
    ) -> Option<UnitPrice> {
        let prices = self.token_prices_at(context_window, speed)?;
        match prices.get(token_type) {
            Some(price) => Some(price.scaled(self.tier_multiplier(service_tier))),
            None => Some(UnitPrice::per_million(
                self.web_search_per_1000.times(1_000),
            )),
        }
    }
}

/// Table-wide values an entry may leave out.
#[derive(Default)]
pub(crate) struct Defaults {
    web_search_per_1000: Option<Money>,
    service_tiers: BTreeMap<String, Multiplier>,
}

impl Defaults {
    /// Read the `[defaults]` table.
    pub(crate) fn read(table: &Table) -> Result<Defaults> {
        let mut fields = Fields::new("price table, [defaults]", table);
        let defaults = Defaults {
            web_search_per_1000: fields.dollars("web_search_per_1000")?,
            service_tiers: read_tiers(&mut fields)?,
        };
        fields.finish()?;
        Ok(defaults)
    }
}

fn read_tiers(fields: &mut Fields<'_>) -> Result<BTreeMap<String, Multiplier>> {
    let mut tiers = BTreeMap::new();
    if let Some(table) = fields.table("service_tiers")? {
        for (tier, value) in table {
            let toml::Value::String(text) = value else {
                return Err(fields.error(
                    "service_tiers",
                    format!(
                        "tier {tier:?} must be a decimal string like \"0.5\", got {}",
                        super::data_file::describe(value)
                    ),
                ));
            };
            let multiplier = Multiplier::parse(text).map_err(|e| {
                fields.error(
                    "service_tiers",
                    format!("tier {tier:?} must be a decimal factor like \"0.5\": {e}"),
                )
            })?;
            tiers.insert(tier.clone(), multiplier);
        }
    }
    Ok(tiers)
}

fn read_token_prices(fields: &mut Fields<'_>) -> Result<TokenPrices> {
    let mut price = |field| -> Result<UnitPrice> {
        Ok(UnitPrice::per_million(fields.required_dollars(field)?))
    };
    Ok(TokenPrices {
        input: price("input")?,
        cache_write_5m: price("cache_write_5m")?,
        cache_write_1h: price("cache_write_1h")?,
        cache_read: price("cache_read")?,
        output: price("output")?,
    })
}

/// Read the optional sub-table `name` of token prices (`[model.long_context]`, …).
fn read_price_table<'a>(fields: &mut Fields<'a>, name: &'a str) -> Result<Option<TokenPrices>> {
    match fields.table(name)? {
        Some(table) => {
            let mut sub = Fields::new(format!("{}, [{name}]", fields.what()), table);
            let prices = read_token_prices(&mut sub)?;
            sub.finish()?;
            Ok(Some(prices))
        }
        None => Ok(None),
    }
}

/// Read entry `index` (1-based) of `[[model]]`.
pub(crate) fn read_entry(index: usize, table: &Table, defaults: &Defaults) -> Result<ModelPrice> {
    let name = table.get("model").and_then(|v| v.as_str()).unwrap_or("?");
    let mut fields = Fields::new(format!("price table, model entry {index} ({name})"), table);
    let model = fields.required_str("model")?.to_string();
    if !model_id::is_valid_id(&model) {
        return Err(fields.error(
            "model",
            "must be a lower-case id without spaces, like \"claude-opus-4-6\"",
        ));
    }
    let display_name = fields.required_str("display_name")?.trim().to_string();
    let mut aliases = Vec::new();
    for alias in fields.str_list("aliases")? {
        if !model_id::is_valid_id(alias) {
            return Err(fields.error(
                "aliases",
                format!("{alias:?} must be a lower-case id without spaces"),
            ));
        }
        if alias == model {
            return Err(fields.error("aliases", format!("{alias:?} repeats the model id")));
        }
        aliases.push(alias.to_string());
    }
    let effective_from = fields.required_date("effective_from")?;
    let standard = read_token_prices(&mut fields)?;
    let long_context = read_price_table(&mut fields, "long_context")?;
    let fast = read_price_table(&mut fields, "fast")?;
    let fast_long_context = read_price_table(&mut fields, "fast_long_context")?;
    if fast_long_context.is_some() && fast.is_none() {
        return Err(fields.error("fast_long_context", "needs a [fast] table too"));
    }
    let web_search_per_1000 = match fields.dollars("web_search_per_1000")? {
        Some(price) => price,
        None => defaults.web_search_per_1000.ok_or_else(|| {
            fields.error(
                "web_search_per_1000",
                "is missing (set it here or in [defaults])",
            )
        })?,
    };
    let mut service_tiers = defaults.service_tiers.clone();
    service_tiers.extend(read_tiers(&mut fields)?);
    fields.finish()?;
    Ok(ModelPrice {
        model,
        display_name,
        aliases,
        effective_from,
        standard,
        long_context,
        fast,
        fast_long_context,
        service_tiers,
        web_search_per_1000,
    })
}

/// Check entries that are each valid but clash: the same model twice on one date, an alias
/// that is another model's id, an alias of two models.
pub(crate) fn check_consistency(entries: &[ModelPrice]) -> Result<()> {
    let ids: BTreeMap<&str, ()> = entries.iter().map(|e| (e.model.as_str(), ())).collect();
    let mut alias_of: BTreeMap<&str, &str> = BTreeMap::new();
    for pair in entries.windows(2) {
        if pair[0].model == pair[1].model && pair[0].effective_from == pair[1].effective_from {
            return Err(Error::invalid(format!(
                "price table: model {} has two entries effective from {}; keep one",
                pair[0].model, pair[0].effective_from
            )));
        }
    }
    for entry in entries {
        for alias in &entry.aliases {
            if ids.contains_key(alias.as_str()) {
                return Err(Error::invalid(format!(
                    "price table: alias {alias} of {} is also a model id",
                    entry.model
                )));
            }
            match alias_of.insert(alias, &entry.model) {
                Some(other) if other != entry.model => {
                    return Err(Error::invalid(format!(
                        "price table: alias {alias} names both {other} and {}",
                        entry.model
                    )));
                }
                _ => {}
            }
        }
    }
    Ok(())
}

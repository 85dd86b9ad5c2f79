//! The dated price table: lookups by model id and day, unit prices and estimates.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::NaiveDate;

use super::data_file::{self, Fields};
use super::estimate::{Estimate, MissingPrice, estimate_with};
use super::model_id;
use super::prices::{self, Defaults, ModelPrice, SPEED_STANDARD};
use super::unit_price::UnitPrice;
use super::usage_units::{self, UsageUnitPrice};
use crate::error::Result;
use crate::model::{Money, TokenCounts, TokenType, UnitRow};

/// The bundled price data, compiled into the crate.
const BUNDLED_PRICES: &str = include_str!("prices.toml");

/// Model list prices with the dates they apply from, read from a TOML data file.
///
/// [`PriceTable::bundled`] is the snapshot shipped with costledger (`prices.toml`, see
/// `docs/pricing.md` for its sources); [`PriceTable::from_toml`] reads a host's own file of
/// the same shape.
#[derive(Clone, Debug)]
pub struct PriceTable {
    /// Entries sorted by model id, then `effective_from`.
    entries: Vec<ModelPrice>,
    /// Model ids and aliases → the canonical model id.
    names: HashMap<String, String>,
    /// Prices of usage that is not tokens.
    units: Vec<UsageUnitPrice>,
    /// The day the data was last checked against its sources.
    as_of: Option<NaiveDate>,
}

impl PriceTable {
    /// The price table bundled with this version of costledger, parsed once.
    pub fn bundled() -> &'static PriceTable {
        static BUNDLED: OnceLock<PriceTable> = OnceLock::new();
        BUNDLED.get_or_init(|| {
            // The bundled file is a compile-time constant; the `bundled_table_parses` test
            // proves it valid, so this cannot fail in a released build.
            PriceTable::from_toml(BUNDLED_PRICES)
                .unwrap_or_else(|e| panic!("the bundled prices.toml is invalid: {e}"))
        })
    }

    /// Read a price table from TOML text (the shape of the bundled `prices.toml`).
    ///
    /// [`crate::Error::InvalidInput`] names the entry and the field that is wrong: a missing
    /// or negative price, a price written as a float, an unknown field, two entries of one
    /// model on one date, an alias that names two models.
    pub fn from_toml(text: &str) -> Result<PriceTable> {
        let root = data_file::parse("price table", text)?;
        let mut fields = Fields::new("price table", &root);
        let as_of = fields.date("as_of")?;
        let defaults = match fields.table("defaults")? {
            Some(table) => Defaults::read(table)?,
            None => Defaults::default(),
        };
        let mut entries = fields
            .tables("model")?
            .into_iter()
            .enumerate()
            .map(|(i, table)| prices::read_entry(i + 1, table, &defaults))
            .collect::<Result<Vec<_>>>()?;
        let units = fields
            .tables("unit_price")?
            .into_iter()
            .enumerate()
            .map(|(i, table)| usage_units::read_unit_price(i + 1, table))
            .collect::<Result<Vec<_>>>()?;
        usage_units::check_unit_prices(&units)?;
        fields.finish()?;
        entries.sort_by(|a, b| {
            (a.model.as_str(), a.effective_from).cmp(&(b.model.as_str(), b.effective_from))
        });
        prices::check_consistency(&entries)?;
        let mut names = HashMap::new();
        for entry in &entries {
            for alias in &entry.aliases {
                names.insert(alias.clone(), entry.model.clone());
            }
        }
        for entry in &entries {
            names.insert(entry.model.clone(), entry.model.clone());
        }
        Ok(PriceTable {
            entries,
            names,
            units,
            as_of,
        })
    }

    /// The day the table's data was last checked against its sources, when the file says.
    pub fn as_of(&self) -> Option<NaiveDate> {
        self.as_of
    }

    /// The canonical model id for a model string from a usage row: the id itself, else an
    /// alias, else the id without a trailing `-YYYYMMDD` snapshot date (looked up the same
    /// way). Case and surrounding whitespace are ignored.
    pub fn canonical_model(&self, model: &str) -> Option<&str> {
        let name = model_id::normalize(model);
        self.names
            .get(&name)
            .or_else(|| model_id::strip_snapshot_date(&name).and_then(|base| self.names.get(base)))
            .map(String::as_str)
    }

    /// The prices of `model` in force on `on`: of the entries of its canonical id (see
    /// [`PriceTable::canonical_model`]), the one whose `effective_from` is the latest on or
    /// before `on`. `None` for an unknown model, or a day before its first entry.
    pub fn lookup(&self, model: &str, on: NaiveDate) -> Option<&ModelPrice> {
        let canonical = self.canonical_model(model)?;
        let start = self
            .entries
            .partition_point(|e| e.model.as_str() < canonical);
        self.entries[start..]
            .iter()
            .take_while(|e| e.model == canonical)
            .take_while(|e| e.effective_from <= on)
            .last()
    }

    /// The price per million units of one token type (web search: per million requests) of
    /// `model` on `on`, in a service tier and context window; see [`ModelPrice::unit_price`]
    /// for the tier and window rules. `None` when the table has no price for it.
    pub fn unit_price(
        &self,
        model: &str,
        on: NaiveDate,
        service_tier: &str,
        context_window: &str,
        token_type: TokenType,
    ) -> Option<UnitPrice> {
        self.lookup(model, on)?
            .unit_price(service_tier, context_window, token_type)
    }

    /// What `tokens` of `model` cost at list prices on `on`, in a service tier (`batch` at
    /// the table's batch factor; `standard`, `priority` and any other tier at list rates)
    /// and context window (`200k-1M` at long-context prices where the model has them).
    ///
    /// Each token type is priced as `count × price per million / 1e6`, rounded half to even
    /// to a nanodollar; the total is the exact sum of those. A model, day or context window
    /// without a price is a [`MissingPrice`], never $0.
    pub fn estimate(
        &self,
        model: &str,
        on: NaiveDate,
        service_tier: &str,
        context_window: &str,
        tokens: &TokenCounts,
    ) -> std::result::Result<Estimate, MissingPrice> {
        self.estimate_at_speed(
            model,
            on,
            service_tier,
            context_window,
            SPEED_STANDARD,
            tokens,
        )
    }

    /// [`PriceTable::estimate`] of a request made at `speed`: `standard` (or empty) as
    /// there; `fast` (fast mode, `usage.speed: "fast"`) at the model's fast-mode prices, the
    /// fast long-context ones in `200k-1M` when it has them. A model without fast-mode prices,
    /// or another speed, is a [`MissingPrice`] naming the speed.
    pub fn estimate_at_speed(
        &self,
        model: &str,
        on: NaiveDate,
        service_tier: &str,
        context_window: &str,
        speed: &str,
        tokens: &TokenCounts,
    ) -> std::result::Result<Estimate, MissingPrice> {
        let price = self.lookup(model, on).ok_or_else(|| MissingPrice {
            model: model.to_string(),
            on,
            context_window: None,
            speed: None,
        })?;
        estimate_with(
            price,
            model,
            on,
            service_tier,
            context_window,
            speed,
            tokens,
        )
    }

    /// What a bucket of non-token usage (`width_secs` seconds wide) costs at list prices on
    /// `on`: its quantity times the `[[unit_price]]` of its unit, model and (for images)
    /// size; storage by the byte-second, at the price per GiB-day. Rounded half to even to
    /// a nanodollar. A unit without a price is a [`MissingPrice`] naming its model (or, for
    /// units without one, the unit), never $0.
    pub fn estimate_unit(
        &self,
        row: &UnitRow,
        width_secs: i64,
        on: NaiveDate,
    ) -> std::result::Result<Money, MissingPrice> {
        usage_units::estimate_unit(&self.units, row, width_secs, on)
    }

    /// Every `[[unit_price]]` entry, in file order.
    pub fn unit_prices(&self) -> impl Iterator<Item = &UsageUnitPrice> {
        self.units.iter()
    }

    /// Every entry, sorted by model id and then by `effective_from`.
    pub fn models(&self) -> impl Iterator<Item = &ModelPrice> {
        self.entries.iter()
    }
}

#[cfg(test)]
#[path = "table_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "table_resolve_tests.rs"]
mod resolve_tests;

#[cfg(test)]
#[path = "table_openai_tests.rs"]
mod openai_tests;

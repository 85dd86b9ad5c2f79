//! The dated catalog of subscription list prices, and the seat price of a subscription.

use std::sync::OnceLock;

use chrono::NaiveDate;

use super::data_file::{self, Fields};
use crate::error::{Error, Result};
use crate::model::{BillingCycle, Money, Subscription, SubscriptionTier};

/// The bundled catalog data, compiled into the crate.
const BUNDLED_CATALOG: &str = include_str!("subscriptions.toml");

/// The list prices of one tier from one date on: an entry of the catalog.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogEntry {
    /// The tier.
    pub tier: SubscriptionTier,
    /// The first day these prices apply.
    pub effective_from: NaiveDate,
    /// The price per seat of a monthly billing period; `None` when the tier is not sold
    /// monthly (or has no list price).
    pub monthly: Option<Money>,
    /// The price per seat of an annual billing period (a year's fee, paid at once); `None`
    /// when the tier is not sold annually (or has no list price).
    pub annual: Option<Money>,
}

/// Subscription list prices per seat and billing cycle, with the dates they apply from.
///
/// [`SubscriptionCatalog::bundled`] is the snapshot shipped with costledger
/// (`subscriptions.toml`, sources in `docs/pricing.md`); a custom `price_per_seat` on a
/// [`Subscription`] always wins over it.
#[derive(Clone, Debug)]
pub struct SubscriptionCatalog {
    /// Entries sorted by tier (declaration order), then `effective_from`.
    entries: Vec<CatalogEntry>,
    as_of: Option<NaiveDate>,
}

impl SubscriptionCatalog {
    /// The catalog bundled with this version of costledger, parsed once.
    pub fn bundled() -> &'static SubscriptionCatalog {
        static BUNDLED: OnceLock<SubscriptionCatalog> = OnceLock::new();
        BUNDLED.get_or_init(|| {
            // A compile-time constant proven valid by the `bundled_catalog_parses` test.
            SubscriptionCatalog::from_toml(BUNDLED_CATALOG)
                .unwrap_or_else(|e| panic!("the bundled subscriptions.toml is invalid: {e}"))
        })
    }

    /// Read a catalog from TOML text (the shape of the bundled `subscriptions.toml`).
    /// [`Error::InvalidInput`] names the entry and the field that is wrong.
    pub fn from_toml(text: &str) -> Result<SubscriptionCatalog> {
        let root = data_file::parse("subscription catalog", text)?;
        let mut fields = Fields::new("subscription catalog", &root);
        let as_of = fields.date("as_of")?;
        let mut entries = Vec::new();
        for (i, table) in fields.tables("price")?.into_iter().enumerate() {
            let name = table.get("tier").and_then(|v| v.as_str()).unwrap_or("?");
            let mut entry = Fields::new(
                format!("subscription catalog, price entry {} ({name})", i + 1),
                table,
            );
            let tier = entry
                .required_str("tier")?
                .parse::<SubscriptionTier>()
                .map_err(|e| entry.error("tier", e))?;
            entries.push(CatalogEntry {
                tier,
                effective_from: entry.required_date("effective_from")?,
                monthly: entry.dollars("monthly")?,
                annual: entry.dollars("annual")?,
            });
            entry.finish()?;
        }
        fields.finish()?;
        entries.sort_by_key(|e| (tier_rank(e.tier), e.effective_from));
        for pair in entries.windows(2) {
            if pair[0].tier == pair[1].tier && pair[0].effective_from == pair[1].effective_from {
                return Err(Error::invalid(format!(
                    "subscription catalog: tier {} has two entries effective from {}; keep one",
                    pair[0].tier, pair[0].effective_from
                )));
            }
        }
        Ok(SubscriptionCatalog { entries, as_of })
    }

    /// The day the catalog was last checked against its sources, when the file says.
    pub fn as_of(&self) -> Option<NaiveDate> {
        self.as_of
    }

    /// The catalog entry of `tier` in force on `on`: the latest `effective_from` on or
    /// before it.
    pub fn entry(&self, tier: SubscriptionTier, on: NaiveDate) -> Option<&CatalogEntry> {
        self.entries
            .iter()
            .rfind(|e| e.tier == tier && e.effective_from <= on)
    }

    /// The list price per seat of one billing period of `cycle` (a month's fee, or a year's
    /// fee) on `on`. `None` when the tier has no list price then: enterprise (negotiated),
    /// a cycle the tier is not sold with (Max is monthly only), or a day before the tier's
    /// first entry. Free and api are $0.
    pub fn list_price(
        &self,
        tier: SubscriptionTier,
        cycle: BillingCycle,
        on: NaiveDate,
    ) -> Option<Money> {
        let entry = self.entry(tier, on)?;
        match cycle {
            BillingCycle::Monthly => entry.monthly,
            BillingCycle::Annual => entry.annual,
        }
    }

    /// Every entry, sorted by tier and then by `effective_from`.
    pub fn entries(&self) -> impl Iterator<Item = &CatalogEntry> {
        self.entries.iter()
    }
}

fn tier_rank(tier: SubscriptionTier) -> usize {
    SubscriptionTier::ALL
        .iter()
        .position(|t| *t == tier)
        .unwrap_or(usize::MAX)
}

/// The price per seat of one billing period of `sub` that starts on `on`: its custom
/// `price_per_seat` when set, else the catalog's list price for its tier and cycle.
///
/// [`Error::InvalidInput`] when the subscription is invalid, or when it has no custom price
/// and the catalog no list price (always the case for enterprise): the message says to set
/// `price_per_seat`.
pub fn seat_price(
    sub: &Subscription,
    on: NaiveDate,
    catalog: &SubscriptionCatalog,
) -> Result<Money> {
    sub.validate()?;
    if let Some(price) = sub.price_per_seat {
        return Ok(price);
    }
    if let Some(price) = catalog.list_price(sub.tier, sub.cycle, on) {
        return Ok(price);
    }
    let per = match sub.cycle {
        BillingCycle::Monthly => "month",
        BillingCycle::Annual => "year",
    };
    let why = if sub.tier == SubscriptionTier::Enterprise {
        "enterprise seats have no list price (the price is negotiated)".to_string()
    } else if catalog.entry(sub.tier, on).is_some() {
        format!(
            "the catalog has no {} list price for {} on {on}",
            sub.cycle, sub.tier
        )
    } else {
        format!(
            "the catalog has no price for {} before its first entry",
            sub.tier
        )
    };
    Err(Error::invalid(format!(
        "{why}; set price_per_seat on the subscription to what one seat costs per {per}"
    )))
}

#[cfg(test)]
#[path = "subscriptions_tests.rs"]
mod tests;

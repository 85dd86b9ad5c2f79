//! What usage and plans cost at list prices.
//!
//! Two dated data files, bundled with the crate and replaceable by the host's own:
//!
//! - **The price table** ([`PriceTable`], `prices.toml`): per-million-token list prices of
//!   every Claude model, each with the date it applies from. It estimates what a usage row
//!   costs ([`PriceTable::estimate`]): the priority tier, which the cost report leaves out,
//!   and cross-checks against the bill. Billed cost stays the source of truth; an estimate
//!   is labelled as one. A model or day without a price is a [`MissingPrice`], never $0.
//!   Its `[[unit_price]]` entries price usage that is not tokens ([`UsageUnitPrice`]:
//!   images, speech, transcription, file search, code interpreter, vector storage).
//! - **The subscription catalog** ([`SubscriptionCatalog`], `subscriptions.toml`): seat
//!   list prices per tier and billing cycle. With a plan's [`crate::Subscription`] it gives
//!   the billing periods ([`billing_periods`]), the fixed fee of any date range, prorated
//!   per day and exact to the nanodollar ([`fixed_fee`]), and the next payment date
//!   ([`next_payment_date`]).
//!
//! All amounts are [`crate::Money`] (integer nanodollars); nothing here goes through a float.
//! `docs/pricing.md` gives the sources, the rules and how to update the data files.
//!
//! ```
//! use chrono::NaiveDate;
//! use costledger::pricing::PriceTable;
//! use costledger::TokenCounts;
//!
//! let day = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
//! let tokens = TokenCounts {
//!     uncached_input: 1500,
//!     cache_write_5m: 500,
//!     cache_write_1h: 1000,
//!     cache_read: 200,
//!     output: 500,
//!     web_search_requests: 0,
//! };
//! let estimate = PriceTable::bundled()
//!     .estimate("claude-sonnet-4-5", day, "standard", "0-200k", &tokens)
//!     .unwrap();
//! assert_eq!(estimate.total.to_string(), "$0.019935");
//! ```

mod billing;
mod data_file;
mod estimate;
mod model_id;
mod prices;
mod subscriptions;
mod table;
mod unit_price;
mod usage_units;

pub use billing::{FeePeriod, FixedFee, billing_periods, fixed_fee, next_payment_date};
pub use estimate::{Estimate, MissingPrice};
pub use prices::{
    CONTEXT_WINDOW_LONG, CONTEXT_WINDOW_STANDARD, ModelPrice, SERVICE_TIER_BATCH, SPEED_FAST,
    SPEED_STANDARD, TokenPrices,
};
pub use subscriptions::{CatalogEntry, SubscriptionCatalog, seat_price};
pub use table::PriceTable;
pub use unit_price::{Multiplier, UnitPrice};
pub use usage_units::UsageUnitPrice;

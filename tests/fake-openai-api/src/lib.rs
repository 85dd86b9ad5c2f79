//! A faithful local fake of OpenAI's organisation Usage and Costs APIs (the usage
//! endpoints, costs, projects and their API keys and service accounts, users, admin API
//! keys), for costledger's tests and demo.
//!
//! Its data is generated deterministically from a seed, it reports the exact ground truth
//! it serves, and faults (429 with `retry-after`, 500/503, slow, truncated bodies, late
//! data, outages) can be switched on while it runs. See `README.md` for the HTTP surface,
//! the sources of every parameter and the choices made where the spec is silent.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use fake_openai_api::{FakeConfig, FakeServer, Faults};
//!
//! let server = FakeServer::start(FakeConfig::default()).await?;
//! let org = &server.orgs()[0];
//! println!("{}/v1 {} {}", server.base_url(), org.id, org.read_only_key);
//! server.set_faults("429:3:0.05".parse::<Faults>().unwrap());
//! let truth = server.truth();
//! println!("{}", truth.orgs[0].cost_total_value);
//! server.shutdown().await;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

/// The README's Rust sample, compiled as a doctest so it cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod aggregate;
mod buckets;
mod catalog;
mod config;
mod control;
mod costs;
mod daily;
mod data;
mod errors;
mod events;
mod faults;
mod generate;
mod json;
mod line_items;
mod lists;
mod money;
mod objects;
mod page_token;
mod pipeline;
mod pricing;
mod query;
mod range;
mod rng;
mod server;
mod stats;
mod truth;
mod truth_rows;
mod usage;
mod usage_rows;
mod world;

pub use config::{FakeConfig, KeyKind, OrgCredentials};
pub use faults::{FaultParseError, Faults, RateLimitFault};
pub use money::dollars;
pub use pipeline::OPENAI_VERSION;
pub use server::FakeServer;
pub use stats::Stats;
pub use truth::{OrgTruth, Truth};
pub use truth_rows::{
    CostBy, CostTruthRow, StorageTruthRow, TokenTotals, TokenTruthRow, UsageTruthRow,
};

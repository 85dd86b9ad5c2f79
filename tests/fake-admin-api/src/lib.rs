//! A faithful local fake of the Anthropic Admin API (usage, cost, Claude Code analytics,
//! api keys, workspaces, users, the Usage and Cost Analytics API and the Spend Limits
//! API) with an OAuth 2.0 authorization server, for costledger's tests and demo.
//!
//! Its data is generated deterministically from a seed, it reports the exact ground truth
//! it serves, and faults (429, 500/529, slow, truncated bodies, late data, outages) can be
//! switched on while it runs. See `README.md` for the HTTP surface and the choices made
//! where the public docs are silent.
//!
//! ```no_run
//! # async fn demo() -> std::io::Result<()> {
//! use fake_admin_api::{FakeConfig, FakeServer, Faults};
//!
//! let server = FakeServer::start(FakeConfig::default()).await?;
//! let org = &server.orgs()[0];
//! println!("{} {} {}", server.base_url(), org.id, org.admin_key);
//! server.set_faults("429:3:0.05".parse::<Faults>().unwrap());
//! let truth = server.truth();
//! println!("{}", truth.orgs[0].cost_total_cents);
//! server.shutdown().await;
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

/// The README's Rust sample, compiled as a doctest so it cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod actors;
mod aggregate;
mod analytics;
mod attribution;
mod buckets;
mod catalog;
mod claude_code;
mod config;
mod control;
mod cost;
mod credentials;
mod data;
mod errors;
mod events;
mod faults;
mod lists;
mod money;
mod oauth;
mod page_token;
mod pipeline;
mod pricing;
mod query;
mod range;
mod rng;
mod server;
mod spend_limits;
mod stats;
mod truth;
mod usage;
mod world;

pub use actors::ActorJson;
pub use analytics::truth::{
    AnalyticsActorRow, AnalyticsAmounts, AnalyticsDayRow, AnalyticsKeyRow, AnalyticsTruth,
    AnalyticsWorkspaceRow,
};
pub use config::{FakeConfig, OrgCredentials, OrgKinds, ScopedKey};
pub use credentials::SCOPES;
pub use faults::{FaultParseError, Faults, RateLimitFault};
pub use oauth::{
    CODE_TTL_SECS, DEFAULT_ACCESS_TTL_SECS, OAUTH_CLIENT_SECRET, OAUTH_CONFIDENTIAL_CLIENT_ID,
    OAUTH_PUBLIC_CLIENT_ID, OAUTH_SCOPES, OAuthExpiry, OAuthFaults, OAuthStats,
};
pub use pricing::cents_string;
pub use server::{FakeServer, SUPPORTED_VERSIONS};
pub use spend_limits::effective::{EffectiveRow, EffectiveTruthRow};
pub use spend_limits::state::{Scope as SpendLimitScope, SpendLimitJson};
pub use spend_limits::truth::{RbacGroupTruth, SpendLimitsTruth};
pub use stats::Stats;
pub use truth::{CostTruthRow, OrgTruth, TokenTotals, Truth, UsageTruthRow};

//! # costledger
//!
//! What an organisation's AI plans cost: several plan connections (an Anthropic
//! organisation reached with its admin API key, or Claude Code's local logs) with their
//! credentials encrypted at rest, their usage and billed cost synced into the host's own
//! SQLite or Postgres database, attributed to the host's users and projects, and reported.
//!
//! ```no_run
//! use costledger::{Ledger, LedgerConfig, ListPlans, NewPlan};
//!
//! # async fn run() -> costledger::Result<()> {
//! let config = LedgerConfig::new("sqlite://ledger.db")
//!     .master_key(std::env::var("COSTLEDGER_MASTER_KEY").unwrap_or_default());
//! let ledger = Ledger::open(config).await?;
//! let admin_key = std::env::var("ANTHROPIC_ADMIN_API_KEY").unwrap_or_default();
//! let plan = ledger.add_plan(NewPlan::anthropic("Prod org", admin_key)).await?;
//! println!("plan {} for {:?}, key {:?}", plan.id, plan.org_name, plan.key_hint);
//! for plan in ledger.list_plans(ListPlans::default()).await? {
//!     println!("{}: {}", plan.id, plan.label);
//! }
//! # Ok(())
//! # }
//! ```

pub(crate) mod attribution;
pub mod clock;
pub mod config;
mod context;
pub mod crypto;
pub mod error;
pub mod failpoints;
mod http;
mod ledger;
mod macros;
pub mod model;
pub mod oauth;
pub mod pricing;
pub mod reports;
pub mod source;
pub mod store;
pub mod sync;

pub use clock::{Clock, FixedClock, SystemClock};
pub use config::LedgerConfig;
pub use crypto::{KeyCipher, Keyring, MasterKey, Sealed, SecretString};
pub use error::{Error, Result};
pub use ledger::{
    CALLS, DataRetention, Disconnected, Ledger, Reply, Revocation, new_plan, sync_options,
};
pub use model::*;
pub use pricing::{
    Estimate, FixedFee, MissingPrice, ModelPrice, PriceTable, SubscriptionCatalog, UnitPrice,
};
pub use reports::{BilledActor, BilledBy, BilledCostFilter, BilledCostLine};
pub use reports::{
    Budget, BudgetAlert, BudgetPeriod, BudgetScope, BudgetStatus, BudgetUpdate, Forecast,
    LimitMirror, NewBudget, ProviderLimitState, ProviderLimitStatus,
};
pub use reports::{
    Cost, Dashboard, DashboardFilter, Export, FocusFilter, Period, ReconcileFilter, ReconcileLine,
    ReconcileStatus, SourceState, UnitUsageFilter, UnitUsageLine, UserCosts, VerifyReport,
    WorkspaceRef,
};
pub use source::anthropic::analytics::SpendLimitFilter;
pub use sync::{PlanSyncReport, StreamReport, SyncCancel, SyncError, SyncOptions, SyncReport};

/// The README's Rust samples, compiled as doctests so they cannot drift from the API.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct ReadmeDoctests;

/// The Rust samples of the guide in docs/ (the other docs hold none; the shell and TOML
/// samples are checked by tests/docs_samples.rs): compiled, and run where they need no server.
#[cfg(doctest)]
mod docs_doctests {
    #[doc = include_str!("../../docs/pricing.md")]
    struct Pricing;
    #[doc = include_str!("../../docs/anthropic-client.md")]
    struct AnthropicClient;
    #[doc = include_str!("../../docs/claude-code-logs.md")]
    struct ClaudeCodeLogs;
    #[doc = include_str!("../../docs/postgres.md")]
    struct Postgres;
    #[doc = include_str!("../../docs/oauth.md")]
    struct OAuth;
    #[doc = include_str!("../../docs/openai.md")]
    struct OpenAi;
    #[doc = include_str!("../../docs/analytics.md")]
    struct Analytics;
}

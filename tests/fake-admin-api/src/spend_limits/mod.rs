//! The Spend Limits API (beta): configured limits per scope and period, and for
//! Enterprise orgs each member's effective limit with their period-to-date spend.

pub mod effective;
pub mod endpoints;
pub mod paging;
pub mod state;
pub mod truth;

pub use state::SpendLimits;

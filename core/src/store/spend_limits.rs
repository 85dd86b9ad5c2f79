//! [`SpendLimitStore`]: a plan's spend limits and effective report as the `spend_limits`
//! sync stream last read them.

use std::fmt;

use async_trait::async_trait;

use crate::error::Result;
use crate::model::SyncedSpendLimits;

/// Synced spend limits.
#[async_trait]
pub trait SpendLimitStore: Send + Sync + fmt::Debug {
    /// Replaces the plan's stored limits, effective rows and sync time by `synced` (its
    /// `plan_id` and `synced_at` must be set), and sets the amount of every budget mirroring
    /// one of the limits to the limit's amount when it has one, all in one transaction: a
    /// reader never sees half of a sync. Returns the rows written.
    async fn replace_spend_limits(&self, synced: &SyncedSpendLimits) -> Result<u64>;

    /// The plan's stored limits and effective rows in the provider's order (empty, with no
    /// `synced_at`, before the first sync).
    async fn synced_spend_limits(&self, plan_id: i64) -> Result<SyncedSpendLimits>;
}

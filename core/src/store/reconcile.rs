//! [`ReconcileStore`]: the sums the reconcile report needs beyond the other stores' queries.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};

use crate::error::Result;
use crate::model::Money;

/// One day's billed analytics amounts of one service tier.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TierTotal {
    /// The UTC day.
    pub day: NaiveDate,
    /// Net (post-discount) amount.
    pub net: Money,
    /// List-price amount.
    pub list: Money,
}

/// Sums for [`crate::Ledger::reconcile`].
#[async_trait]
pub trait ReconcileStore: Send + Sync + fmt::Debug {
    /// Net and list amounts of the analytics cost rows of `plan_id` whose service tier is
    /// `tier`, per UTC day in `[start, end)`, in day order (days without such rows left out).
    async fn analytics_tier_totals(
        &self,
        plan_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
        tier: &str,
    ) -> Result<Vec<TierTotal>>;
}

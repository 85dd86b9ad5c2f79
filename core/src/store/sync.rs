//! [`SyncStore`]: the sync engine's bookkeeping of each plan (leases, events, last outcome).

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{PlanStatus, SyncEvent, SyncHistoryFilter};

/// Who holds a plan's sync lease, and until when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeaseInfo {
    /// The holder's id (host, process, random).
    pub holder: String,
    /// When the lease expires unless renewed.
    pub lease_until: DateTime<Utc>,
}

impl LeaseInfo {
    /// Whether another worker may take the lease over at `now`. Leases are kept to the
    /// millisecond and last through their last one: a check finer than that (a
    /// nanosecond past `lease_until`) would call a lease free that the store still holds.
    pub fn expired_at(&self, now: DateTime<Utc>) -> bool {
        self.lease_until.timestamp_millis() < now.timestamp_millis()
    }
}

/// What a finished sync changes on its plan; `None` fields stay as they are.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlanSyncUpdate {
    /// A new status (error after a refused credential, active after a success).
    pub status: Option<PlanStatus>,
    /// When the plan was last synced without error.
    pub last_synced_at: Option<DateTime<Utc>>,
    /// `Some(None)` clears the last error, `Some(Some(m))` sets it.
    pub last_error: Option<Option<String>>,
    /// The organisation's name, when the provider reports a new one.
    pub org_name: Option<String>,
}

/// Sync bookkeeping: leases, events, and each plan's last outcome.
#[async_trait]
pub trait SyncStore: Send + Sync + fmt::Debug {
    /// Take the plan's lease for `ttl_ms` if nobody holds it or the holder's lease has
    /// expired (one conditional upsert). True when taken.
    async fn try_acquire_lease(
        &self,
        plan_id: i64,
        holder: &str,
        now_ms: i64,
        ttl_ms: i64,
    ) -> Result<bool>;

    /// Extend a lease this holder still has. False when it was lost (expired and taken).
    async fn renew_lease(
        &self,
        plan_id: i64,
        holder: &str,
        now_ms: i64,
        ttl_ms: i64,
    ) -> Result<bool>;

    /// Give a lease back (only if this holder still has it).
    async fn release_lease(&self, plan_id: i64, holder: &str) -> Result<()>;

    /// The current lease of a plan, if any (possibly expired).
    async fn lease(&self, plan_id: i64) -> Result<Option<LeaseInfo>>;

    /// Persist sync events (their ids are assigned by the store).
    async fn insert_sync_events(&self, events: &[SyncEvent]) -> Result<()>;

    /// Sync events matching the filter, newest first.
    async fn sync_events(&self, filter: &SyncHistoryFilter) -> Result<Vec<SyncEvent>>;

    /// Record a finished sync's outcome on its plan.
    async fn record_plan_sync(&self, plan_id: i64, update: &PlanSyncUpdate) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lease_lasts_through_its_last_millisecond() {
        let until = DateTime::from_timestamp_millis(1_700_000_000_123).unwrap();
        let lease = LeaseInfo {
            holder: "h".into(),
            lease_until: until,
        };
        assert!(!lease.expired_at(until));
        assert!(!lease.expired_at(until + chrono::TimeDelta::microseconds(999)));
        assert!(lease.expired_at(until + chrono::TimeDelta::milliseconds(1)));
    }
}

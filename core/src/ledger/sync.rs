//! Sync on [`Ledger`]: forwards to the sync engine (`crate::sync`).

use super::Ledger;
use crate::error::Result;
use crate::model::{SyncEvent, SyncHistoryFilter};
use crate::sync::{SyncOptions, SyncReport};

impl Ledger {
    /// Sync every plan that is not disconnected (or the one `options.plan_id` names): each
    /// plan's outcome is in the report, one plan's failure never stops another, and a plan
    /// whose lease another worker holds is reported `skipped`. Each plan's stale days (see
    /// docs/sync.md, "Derived facts") are derived before its sync ends. When
    /// `options.cancel` fires, every plan stops after the page being written and is reported
    /// `interrupted`.
    ///
    /// Refused up front with `INVALID_INPUT` when a plan to sync has a credential and the
    /// ledger was opened without a master key (a ledger of local Claude Code logs only needs
    /// none).
    pub async fn sync(&self, options: SyncOptions) -> Result<SyncReport> {
        self.inner.sync(options).await
    }

    /// Persisted sync events, newest first.
    pub async fn sync_history(&self, filter: SyncHistoryFilter) -> Result<Vec<SyncEvent>> {
        self.inner.sync_history(filter).await
    }
}

//! Sync leases: one worker per plan at a time, across threads, processes and machines.
//!
//! A lease is a row taken with a conditional upsert (free, or expired), renewed while the
//! sync runs, and deleted at the end. A worker that dies leaves a lease that expires after its
//! time to live, and the next sync takes it over. Nothing is tied to a database session, so
//! leases work behind transaction-pooling proxies. Lease instants are wall-clock time, never
//! the ledger's (possibly simulated) clock.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use crate::error::{Error, Result};
use crate::store::Store;

/// A lease this worker holds on one plan.
pub(crate) struct Lease {
    store: Arc<dyn Store>,
    plan_id: i64,
    holder: String,
    ttl: Duration,
}

fn now_ms() -> i64 {
    Utc::now().timestamp_millis()
}

impl Lease {
    /// Take the plan's lease, or `None` when another worker holds a live one.
    pub(crate) async fn acquire(
        store: Arc<dyn Store>,
        plan_id: i64,
        holder: &str,
        ttl: Duration,
    ) -> Result<Option<Lease>> {
        let taken = store
            .try_acquire_lease(plan_id, holder, now_ms(), ttl.as_millis() as i64)
            .await?;
        Ok(taken.then(|| Lease {
            store,
            plan_id,
            holder: holder.to_string(),
            ttl,
        }))
    }

    /// Run `work` while renewing the lease every third of its time to live. If the lease is
    /// lost (it expired and another worker took it), `work` is dropped, which rolls back any
    /// transaction it had open, and the result is a `CONFLICT` error.
    pub(crate) async fn hold_while<F: Future>(&self, work: F) -> Result<F::Output> {
        let renew = async {
            let mut failures = 0;
            loop {
                tokio::time::sleep(self.ttl / 3).await;
                match self
                    .store
                    .renew_lease(
                        self.plan_id,
                        &self.holder,
                        now_ms(),
                        self.ttl.as_millis() as i64,
                    )
                    .await
                {
                    Ok(true) => failures = 0,
                    Ok(false) => {
                        return Error::conflict(format!(
                            "the sync lease of plan {} was lost (it expired and another worker \
                             took it); this sync stopped, the other one continues",
                            self.plan_id
                        ));
                    }
                    // A passing database hiccup: the lease still has two thirds of its life.
                    Err(e) if failures < 1 => {
                        failures += 1;
                        tracing::warn!(plan = self.plan_id, error = %e, "renewing a sync lease failed");
                    }
                    Err(e) => return e,
                }
            }
        };
        tokio::select! {
            out = work => Ok(out),
            lost = renew => Err(lost),
        }
    }

    /// Give the lease back.
    pub(crate) async fn release(self) -> Result<()> {
        self.store.release_lease(self.plan_id, &self.holder).await
    }
}

//! [`SyncCancel`]: how a host stops a running sync gracefully.

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tokio::sync::Notify;

/// A handle that stops a running [`crate::Ledger::sync`] at the next safe point: the page
/// being written is committed, the stream being fetched stops, each plan records an
/// `interrupted` event and releases its lease, and `sync` returns its report (plans
/// `interrupted`). Days already written but not yet derived stay marked stale, and the next
/// sync or report derives them.
///
/// Clones share one state: keep one, put a clone in [`crate::SyncOptions::cancel`], and call
/// [`SyncCancel::cancel`] from a signal handler, a shutdown hook or another task. The handle
/// starts no thread or timer; cancelling is an atomic store and a wake-up.
#[derive(Clone, Default)]
pub struct SyncCancel {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    cancelled: AtomicBool,
    notify: Notify,
}

impl SyncCancel {
    /// A handle not cancelled yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Ask every sync using this handle to stop. Idempotent.
    pub fn cancel(&self) {
        self.inner.cancelled.store(true, Ordering::SeqCst);
        self.inner.notify.notify_waiters();
    }

    /// True once [`SyncCancel::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.inner.cancelled.load(Ordering::SeqCst)
    }

    /// Completes when the handle is cancelled (at once if it already is).
    pub async fn cancelled(&self) {
        loop {
            let notified = self.inner.notify.notified();
            tokio::pin!(notified);
            // Registered before the flag is read, so a cancel in between is not missed.
            notified.as_mut().enable();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

impl fmt::Debug for SyncCancel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SyncCancel")
            .field("cancelled", &self.is_cancelled())
            .finish()
    }
}

/// Two handles are equal when they are clones of one another.
impl PartialEq for SyncCancel {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.inner, &other.inner)
    }
}

impl Eq for SyncCancel {}

/// Run `work` unless `cancel` fires first: `None` when it was cancelled (before or during;
/// `work` is dropped then, which rolls back any transaction it had open).
pub(crate) async fn unless_cancelled<F: Future>(
    cancel: Option<&SyncCancel>,
    work: F,
) -> Option<F::Output> {
    match cancel {
        None => Some(work.await),
        Some(c) if c.is_cancelled() => None,
        Some(c) => tokio::select! {
            biased;
            _ = c.cancelled() => None,
            out = work => Some(out),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_cancel_wakes_a_waiter_and_stops_pending_work() {
        let cancel = SyncCancel::new();
        let clone = cancel.clone();
        assert_eq!(cancel, clone);
        assert_ne!(cancel, SyncCancel::new());
        let waiter = tokio::spawn(async move { clone.cancelled().await });
        tokio::task::yield_now().await;
        assert!(!cancel.is_cancelled());
        cancel.cancel();
        waiter.await.unwrap();
        assert_eq!(
            unless_cancelled(Some(&cancel), std::future::pending::<()>()).await,
            None
        );
        assert_eq!(unless_cancelled(None, async { 7 }).await, Some(7));
    }
}

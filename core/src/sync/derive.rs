//! The end of a plan's sync: derive every stale day of the plan (see
//! `crate::reports::derive`), and say so in the plan's `allocation` stream.

use std::time::Instant;

use super::cancel::{SyncCancel, unless_cancelled};
use super::report::{StreamReport, SyncError};
use crate::context::Context;
use crate::error::Error;
use crate::model::{Plan, SyncStatus, SyncStream};
use crate::reports::derive::{DAY, Derived};

/// Passes over a plan's stale days at the end of a sync: a day can only be renewed by a write
/// racing with the sync, which holds the plan's lease, so a second pass is already rare.
const SYNC_PASSES: usize = 3;

impl Context {
    /// The allocation stream of a sync cancelled before it could derive: the plan's stale
    /// days stay marked for the next sync or report.
    pub(crate) fn skipped_derivation(&self) -> StreamReport {
        let now = self.now();
        StreamReport {
            stream: SyncStream::Allocation,
            status: SyncStatus::Interrupted,
            started_at: now,
            finished_at: now,
            window_start: None,
            window_end: None,
            buckets_written: 0,
            rows_written: 0,
            requests: 0,
            retries: 0,
            duration: std::time::Duration::ZERO,
            error: Some(SyncError::from(&Error::Interrupted)),
        }
    }

    /// The end of a plan's sync: derive every stale day of the plan, whatever the streams
    /// touched (an interrupted sync before this one may have left days). `None` when nothing
    /// was stale.
    pub(crate) async fn derive_plan(
        &self,
        plan: &Plan,
        cancel: Option<&SyncCancel>,
    ) -> Option<StreamReport> {
        let started_at = self.now();
        let clock = Instant::now();
        let mut total = Derived::default();
        let mut result = Ok(());
        let stop = || cancel.is_some_and(SyncCancel::is_cancelled);
        for _ in 0..SYNC_PASSES {
            let pass = unless_cancelled(cancel, self.derive_stale(&[plan.id], None, &stop)).await;
            match pass {
                Some(Ok(d)) => {
                    let done = d.range.is_none();
                    total.days += d.days;
                    total.facts += d.facts;
                    total.range = match (total.range, d.range) {
                        (Some((a, b)), Some((c, e))) => Some((a.min(c), b.max(e))),
                        (r, None) | (None, r) => r,
                    };
                    if done {
                        break;
                    }
                }
                Some(Err(e)) => {
                    result = Err(e);
                    break;
                }
                None => {
                    result = Err(Error::Interrupted);
                    break;
                }
            }
        }
        if total.range.is_none() && result.is_ok() {
            return None;
        }
        let (status, error) = match &result {
            Ok(()) => (SyncStatus::Ok, None),
            Err(Error::Interrupted) => (
                SyncStatus::Interrupted,
                Some(SyncError::from(&Error::Interrupted)),
            ),
            Err(e) => (SyncStatus::Error, Some(SyncError::from(e))),
        };
        Some(StreamReport {
            stream: SyncStream::Allocation,
            status,
            started_at,
            finished_at: self.now(),
            window_start: total
                .range
                .and_then(|(first, _)| chrono::DateTime::from_timestamp(first, 0)),
            window_end: total
                .range
                .and_then(|(_, last)| chrono::DateTime::from_timestamp(last + DAY, 0)),
            buckets_written: total.days as i64,
            rows_written: total.facts as i64,
            requests: 0,
            retries: 0,
            duration: clock.elapsed(),
            error,
        })
    }
}

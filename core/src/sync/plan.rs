//! The sync of one plan: lease, credential, streams, events, outcome.

use std::time::Instant;

use chrono::Utc;

use super::SyncOptions;
use super::lease::Lease;
use super::report::{PlanSyncReport, StreamReport, SyncError};
use super::streams::StreamRun;
use crate::Ledger;
use crate::error::Error;
use crate::model::{Plan, PlanStatus, Provider, SyncEvent, SyncStatus, SyncStream};
use crate::source::SourceContext;
use crate::store::PlanSyncUpdate;

/// Errors after which no further stream of the plan can succeed.
pub(crate) fn is_fatal_for_plan(e: &Error) -> bool {
    matches!(
        e,
        Error::CredentialRejected { .. } | Error::OrgMismatch { .. } | Error::Crypto { .. }
    )
}

impl Ledger {
    pub(crate) async fn sync_plan(
        &self,
        plan: Plan,
        options: &SyncOptions,
        holder: &str,
    ) -> PlanSyncReport {
        let started = Utc::now();
        let clock = Instant::now();
        let store = self.inner.store.clone();
        let lease = match Lease::acquire(store.clone(), plan.id, holder, options.lease_ttl).await {
            Ok(Some(lease)) => lease,
            Ok(None) => {
                let holder = store.lease(plan.id).await.ok().flatten();
                let reason = match holder {
                    Some(l) => format!(
                        "locked: another worker ({}) holds the sync lease until {}",
                        l.holder, l.lease_until
                    ),
                    None => "locked: another worker holds the sync lease".to_string(),
                };
                return self
                    .finish_plan(&plan, started, clock, Err(PlanFailure::Skipped(reason)))
                    .await;
            }
            Err(e) => {
                return self
                    .finish_plan(&plan, started, clock, Err(PlanFailure::Error(e)))
                    .await;
            }
        };
        let outcome = lease.hold_while(self.run_streams(&plan, options)).await;
        if let Err(e) = lease.release().await {
            tracing::warn!(plan = plan.id, error = %e, "releasing a sync lease failed; it will expire");
        }
        let result = match outcome {
            Ok(Ok(streams)) => Ok(streams),
            Ok(Err(e)) | Err(e) => Err(PlanFailure::Error(e)),
        };
        self.finish_plan(&plan, started, clock, result).await
    }

    /// Open the credential and run each stream; a stream's failure ends the plan only when
    /// no later stream could succeed (a refused or mismatched credential).
    async fn run_streams(
        &self,
        plan: &Plan,
        options: &SyncOptions,
    ) -> crate::Result<Vec<StreamReport>> {
        let mut reports = if plan.provider == Provider::ClaudeCodeLogs {
            crate::source::claude_code_logs::sync_plan(self, plan, options).await?
        } else {
            self.fetch_streams(plan, options).await?
        };
        if let Some(allocation) = self.allocate_changed_days(plan, &reports).await {
            reports.push(allocation);
        }
        Ok(reports)
    }

    /// Fetch and store each requested stream from the plan's source.
    async fn fetch_streams(
        &self,
        plan: &Plan,
        options: &SyncOptions,
    ) -> crate::Result<Vec<StreamReport>> {
        let credential = self.open_credential(plan).await?;
        let source = self.source(plan.provider)?;
        let ctx = SourceContext {
            plan_id: Some(plan.id),
            credential: credential.as_ref(),
            settings: &plan.settings,
        };
        let run = StreamRun {
            ledger: self,
            plan,
            source: source.as_ref(),
            ctx,
            options,
            now: self.now(),
        };
        let mut reports = Vec::with_capacity(options.streams.len());
        for &stream in &options.streams {
            let (report, fatal) = run.run(stream).await;
            reports.push(report);
            if fatal {
                break;
            }
        }
        Ok(reports)
    }

    /// Recompute the cost facts of every UTC day the usage and cost streams touched (their
    /// whole windows, even when a stream failed part-way: recomputing is idempotent).
    async fn allocate_changed_days(
        &self,
        plan: &Plan,
        reports: &[StreamReport],
    ) -> Option<StreamReport> {
        const DAY: i64 = 86_400;
        let mut days = std::collections::BTreeSet::new();
        for r in reports
            .iter()
            .filter(|r| matches!(r.stream, SyncStream::Usage | SyncStream::Cost))
        {
            if let (Some(start), Some(end)) = (r.window_start, r.window_end) {
                let first = start.timestamp().div_euclid(DAY) * DAY;
                days.extend((first..end.timestamp()).step_by(DAY as usize));
            }
        }
        let (first, last) = (*days.first()?, *days.last()?);
        let started_at = Utc::now();
        let clock = Instant::now();
        let result = self.materialize(plan.id, &days).await;
        let (status, error, (written_days, facts)) = match result {
            Ok(counts) => (SyncStatus::Ok, None, counts),
            Err(e) => (SyncStatus::Error, Some(SyncError::from(&e)), (0, 0)),
        };
        Some(StreamReport {
            stream: SyncStream::Allocation,
            status,
            started_at,
            window_start: chrono::DateTime::from_timestamp(first, 0),
            window_end: chrono::DateTime::from_timestamp(last + DAY, 0),
            buckets_written: written_days as i64,
            rows_written: facts as i64,
            requests: 0,
            retries: 0,
            duration: clock.elapsed(),
            error,
        })
    }

    async fn finish_plan(
        &self,
        plan: &Plan,
        started: chrono::DateTime<Utc>,
        clock: Instant,
        result: Result<Vec<StreamReport>, PlanFailure>,
    ) -> PlanSyncReport {
        let finished = Utc::now();
        let store = &self.inner.store;
        let mut report = PlanSyncReport {
            plan_id: plan.id,
            label: plan.label.clone(),
            status: SyncStatus::Ok,
            skipped_reason: None,
            error: None,
            streams: Vec::new(),
        };
        let mut update = PlanSyncUpdate::default();
        let mut events = Vec::new();
        match result {
            Err(PlanFailure::Skipped(reason)) => {
                report.status = SyncStatus::Skipped;
                events.push(plan_event(
                    plan.id,
                    started,
                    finished,
                    SyncStatus::Skipped,
                    None,
                    Some(&reason),
                ));
                report.skipped_reason = Some(reason);
            }
            Err(PlanFailure::Error(e)) => {
                report.status = SyncStatus::Error;
                report.error = Some(SyncError::from(&e));
                events.push(plan_event(
                    plan.id,
                    started,
                    finished,
                    SyncStatus::Error,
                    Some(e.code()),
                    Some(&e.full_message()),
                ));
                update.last_error = Some(Some(e.full_message()));
                if is_fatal_for_plan(&e) && !matches!(e, Error::Crypto { .. }) {
                    update.status = Some(PlanStatus::Error);
                }
            }
            Ok(streams) => {
                let failed: Vec<&StreamReport> = streams
                    .iter()
                    .filter(|s| s.status == SyncStatus::Error)
                    .collect();
                report.status = match failed.len() {
                    0 => SyncStatus::Ok,
                    n if n == streams.len() => SyncStatus::Error,
                    _ => SyncStatus::Partial,
                };
                if let Some(first) = failed.first() {
                    report.error = first.error.clone();
                    update.last_error = Some(first.error.as_ref().map(|e| e.message.clone()));
                    let credential_problem = failed.iter().any(|s| {
                        s.error.as_ref().is_some_and(|e| {
                            e.code == "CREDENTIAL_REJECTED" || e.code == "ORG_MISMATCH"
                        })
                    });
                    if credential_problem {
                        update.status = Some(PlanStatus::Error);
                    }
                } else {
                    update.last_error = Some(None);
                    update.last_synced_at = Some(finished);
                    if plan.status == PlanStatus::Error {
                        update.status = Some(PlanStatus::Active);
                    }
                }
                events.extend(streams.iter().map(|s| stream_event(plan.id, s)));
                report.streams = streams;
            }
        }
        if let Err(e) = store.insert_sync_events(&events).await {
            tracing::warn!(plan = plan.id, error = %e, "recording sync events failed");
        }
        if report.status != SyncStatus::Skipped
            && let Err(e) = store.record_plan_sync(plan.id, &update).await
        {
            tracing::warn!(plan = plan.id, error = %e, "recording a plan's sync outcome failed");
        }
        tracing::info!(
            plan = plan.id,
            status = %report.status,
            rows = report.rows_written(),
            elapsed_ms = clock.elapsed().as_millis() as u64,
            "plan synced"
        );
        report
    }
}

/// Why a plan's sync ended before its streams produced reports.
enum PlanFailure {
    Skipped(String),
    Error(Error),
}

fn plan_event(
    plan_id: i64,
    started: chrono::DateTime<Utc>,
    finished: chrono::DateTime<Utc>,
    status: SyncStatus,
    code: Option<&str>,
    message: Option<&str>,
) -> SyncEvent {
    SyncEvent {
        id: 0,
        plan_id,
        stream: SyncStream::Plan,
        started_at: started,
        finished_at: finished,
        status,
        window_start: None,
        window_end: None,
        buckets_written: 0,
        rows_written: 0,
        requests: 0,
        retries: 0,
        error_code: code.map(str::to_string),
        error_message: message.map(str::to_string),
    }
}

fn stream_event(plan_id: i64, s: &StreamReport) -> SyncEvent {
    let duration = chrono::TimeDelta::from_std(s.duration).unwrap_or_default();
    SyncEvent {
        id: 0,
        plan_id,
        stream: s.stream,
        started_at: s.started_at,
        finished_at: s.started_at + duration,
        status: s.status,
        window_start: s.window_start,
        window_end: s.window_end,
        buckets_written: s.buckets_written,
        rows_written: s.rows_written,
        requests: s.requests,
        retries: s.retries,
        error_code: s.error.as_ref().map(|e| e.code.clone()),
        error_message: s.error.as_ref().map(|e| e.message.clone()),
    }
}

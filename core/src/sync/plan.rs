//! The sync of one plan: lease, credential, streams, events, outcome.

use std::time::Instant;

use chrono::Utc;

use super::SyncOptions;
use super::failpoints;
use super::lease::Lease;
use super::report::{PlanSyncReport, StreamReport, SyncError};
use super::streams::StreamRun;
use crate::context::Context;
use crate::context::PlanTokens;
use crate::error::Error;
use crate::model::{CredentialReach, Plan, PlanStatus, SyncEvent, SyncStatus, SyncStream};
use crate::source::{SourceContext, TokenRefresher, UsageSource};
use crate::store::PlanSyncUpdate;

/// Errors after which no further stream of the plan can succeed.
pub(crate) fn is_fatal_for_plan(e: &Error) -> bool {
    matches!(
        e,
        Error::CredentialRejected { .. }
            | Error::OAuthRejected { .. }
            | Error::OrgMismatch { .. }
            | Error::Crypto { .. }
    )
}

impl Context {
    pub(crate) async fn sync_plan(
        &self,
        plan: Plan,
        options: &SyncOptions,
        holder: &str,
    ) -> PlanSyncReport {
        let started = self.now();
        let clock = Instant::now();
        let store = self.store.clone();
        if options.cancel.as_ref().is_some_and(|c| c.is_cancelled()) {
            return self
                .finish_plan(&plan, started, clock, Err(PlanFailure::Interrupted))
                .await;
        }
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
    /// no later stream could succeed (a refused or mismatched credential). Then derive every
    /// stale day of the plan, unless the sync was cancelled.
    async fn run_streams(
        &self,
        plan: &Plan,
        options: &SyncOptions,
    ) -> crate::Result<Vec<StreamReport>> {
        // A source of local files is read from the offsets the store keeps; any other is
        // asked for pages of each stream.
        let source = self.source(plan.provider)?;
        let mut reports = match source.local_files() {
            Some(files) => super::logs::sync_plan(self, plan, files, options).await?,
            None => self.fetch_streams(plan, source.as_ref(), options).await?,
        };
        let cancel = options.cancel.as_ref();
        if cancel.is_some_and(|c| c.is_cancelled()) {
            if !any_interrupted(&reports) {
                // Cancelled between the streams and the derivation: say so.
                reports.push(self.skipped_derivation());
            }
        } else if let Some(allocation) = self.derive_plan(plan, cancel).await {
            reports.push(allocation);
        }
        Ok(reports)
    }

    /// Fetch and store each requested stream from the plan's source.
    async fn fetch_streams(
        &self,
        plan: &Plan,
        source: &dyn UsageSource,
        options: &SyncOptions,
    ) -> crate::Result<Vec<StreamReport>> {
        let credential = self.open_credential(plan).await?;
        // OAuth tokens are refreshed near expiry and after a 401, and stored as they rotate.
        let tokens = PlanTokens::of(self, plan.id, credential.as_ref());
        let ctx = SourceContext {
            plan_id: Some(plan.id),
            credential: credential.as_ref(),
            settings: &plan.settings,
            requests: None,
            refresher: tokens.as_ref().map(|t| t as &dyn TokenRefresher),
        };
        let reach = self.plan_reach(plan, source, ctx).await;
        let run = StreamRun {
            engine: self,
            plan,
            source,
            ctx,
            options,
            now: self.now(),
            reach,
        };
        let mut reports = Vec::with_capacity(options.streams.len());
        // A stream the provider does not have (Claude Code analytics of OpenAI) is not run.
        let offered = crate::model::provider_info(plan.provider).streams;
        for &stream in options.streams.iter().filter(|s| offered.contains(s)) {
            if options.cancel.as_ref().is_some_and(|c| c.is_cancelled()) {
                break;
            }
            let (report, fatal) = run.run(stream).await;
            reports.push(report);
            if fatal {
                break;
            }
        }
        Ok(reports)
    }

    /// What the plan's credential reaches: as stored, or checked now (and stored) when it is
    /// not known yet (a plan added before costledger recorded it, a rotation interrupted
    /// before it was recorded). A failed check leaves it unknown: every stream is tried.
    async fn plan_reach(
        &self,
        plan: &Plan,
        source: &dyn UsageSource,
        ctx: SourceContext<'_>,
    ) -> Option<CredentialReach> {
        if plan.reach.is_some() || ctx.credential.is_none() {
            return plan.reach.clone();
        }
        let reach = source.reach(ctx, self.now()).await.ok()??;
        let _ = self.store.set_plan_reach(plan.id, Some(&reach)).await;
        Some(reach)
    }

    async fn finish_plan(
        &self,
        plan: &Plan,
        started: chrono::DateTime<Utc>,
        clock: Instant,
        result: Result<Vec<StreamReport>, PlanFailure>,
    ) -> PlanSyncReport {
        let finished = self.now();
        let store = &self.store;
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
            Err(PlanFailure::Interrupted) => {
                report.status = SyncStatus::Interrupted;
                report.error = Some(SyncError::from(&Error::Interrupted));
                events.push(interrupted_event(plan.id, started, finished));
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
                let interrupted = any_interrupted(&streams);
                report.status = match failed.len() {
                    _ if interrupted => SyncStatus::Interrupted,
                    0 => SyncStatus::Ok,
                    n if n == streams.len() => SyncStatus::Error,
                    _ => SyncStatus::Partial,
                };
                if interrupted {
                    // Not a failure of the plan: its status and last error stay as they were.
                    report.error = Some(SyncError::from(&Error::Interrupted));
                    events.push(interrupted_event(plan.id, started, finished));
                } else if let Some(first) = failed.first() {
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
                events.splice(0..0, streams.iter().map(|s| stream_event(plan.id, s)));
                report.streams = streams;
            }
        }
        failpoints::hit(failpoints::BEFORE_SYNC_EVENT);
        if let Err(e) = store.insert_sync_events(&events).await {
            tracing::warn!(plan = plan.id, error = %e, "recording sync events failed");
        }
        if !matches!(report.status, SyncStatus::Skipped | SyncStatus::Interrupted)
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
    Interrupted,
    Error(Error),
}

/// True when a stream of the plan was interrupted (its sync was cancelled).
fn any_interrupted(streams: &[StreamReport]) -> bool {
    streams.iter().any(|s| s.status == SyncStatus::Interrupted)
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

/// The plan's event of a sync that was cancelled.
fn interrupted_event(
    plan_id: i64,
    started: chrono::DateTime<Utc>,
    finished: chrono::DateTime<Utc>,
) -> SyncEvent {
    plan_event(
        plan_id,
        started,
        finished,
        SyncStatus::Interrupted,
        Some(Error::Interrupted.code()),
        Some(&Error::Interrupted.to_string()),
    )
}

fn stream_event(plan_id: i64, s: &StreamReport) -> SyncEvent {
    SyncEvent {
        id: 0,
        plan_id,
        stream: s.stream,
        started_at: s.started_at,
        finished_at: s.finished_at,
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

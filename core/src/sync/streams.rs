//! The streams of one plan's sync: metadata, usage, cost, Claude Code analytics, and the
//! Analytics API's billed cost (`analytics`), and spend limits (`spend_limits`).

mod analytics;
mod spend_limits;

use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use futures::StreamExt;

use super::SyncOptions;
use super::cancel::unless_cancelled;
use super::failpoints;
use super::plan::is_fatal_for_plan;
use super::report::{StreamReport, SyncError};
use super::window::{Window, WindowInputs, next_window};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::{
    BucketWidth, CostPage, CredentialReach, Plan, SyncStatus, SyncStream, UsagePage,
};
use crate::source::{
    ClaudeCodeRequest, CostRequest, RequestCounter, RequestStats, SourceContext, UsageRequest,
    UsageSource,
};
use crate::store::{PlanSyncUpdate, Watermark, WatermarkAdvance};

const DAY: i64 = 86_400;

/// One plan's sync in progress: what every stream needs.
pub(crate) struct StreamRun<'a> {
    pub(crate) engine: &'a Context,
    pub(crate) plan: &'a Plan,
    pub(crate) source: &'a dyn UsageSource,
    pub(crate) ctx: SourceContext<'a>,
    pub(crate) options: &'a SyncOptions,
    pub(crate) now: DateTime<Utc>,
    /// What the plan's credential reaches, when known: a stream it cannot reach is skipped
    /// without a request.
    pub(crate) reach: Option<CredentialReach>,
}

/// Counters of a stream as it runs.
#[derive(Default)]
struct Progress {
    window: Option<Window>,
    buckets: i64,
    rows: i64,
    /// What the pages and the metadata say they took.
    stats: RequestStats,
    /// Why part of the window fell back to another source, recorded in the stream's event
    /// (status `ok`) when nothing failed.
    note: Option<SyncError>,
}

impl Progress {
    /// The stream's requests: the live count (every request the source sent, counted as it
    /// was sent, so what failed after retries is counted too) when the source keeps it, as
    /// the Anthropic source does; else what its results reported.
    fn requests(&self, counter: &RequestCounter) -> RequestStats {
        let counted = counter.stats();
        if counted.requests > 0 {
            counted
        } else {
            self.stats
        }
    }
}

/// The next item of a page stream, unless the sync is cancelled first.
async fn next_or_stop<T>(
    cancel: Option<&super::SyncCancel>,
    pages: &mut crate::source::PageStream<'_, T>,
) -> Result<Option<Result<T>>> {
    unless_cancelled(cancel, pages.next())
        .await
        .ok_or(Error::Interrupted)
}

fn malformed(what: &str, detail: String) -> Error {
    Error::Upstream {
        status: None,
        request_id: None,
        message: format!("malformed {what} page: {detail}; nothing of this page was written"),
        source: None,
    }
}

fn check_range(
    what: &str,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    width: i64,
    window: &Window,
) -> Result<i64> {
    let aligned = |t: DateTime<Utc>| t.timestamp().rem_euclid(width) == 0;
    if start >= end || !aligned(start) || !aligned(end) {
        return Err(malformed(
            what,
            format!("its range {start} to {end} is not whole buckets"),
        ));
    }
    if start < window.start || end > window.end {
        return Err(malformed(
            what,
            format!(
                "its range {start} to {end} lies outside the requested {} to {}",
                window.start, window.end
            ),
        ));
    }
    Ok((end - start).num_seconds() / width)
}

fn check_usage_page(page: &UsagePage, width: BucketWidth, window: &Window) -> Result<i64> {
    if page.width != width {
        return Err(malformed(
            "usage",
            format!("buckets are {} wide, {width} was asked", page.width),
        ));
    }
    let buckets = check_range(
        "usage",
        page.starting_at,
        page.ending_at,
        width.seconds(),
        window,
    )?;
    for row in &page.rows {
        let t = row.bucket_start;
        if t < page.starting_at || t >= page.ending_at || t.timestamp() % width.seconds() != 0 {
            return Err(malformed(
                "usage",
                format!("a row's bucket {t} is not one of the page's buckets"),
            ));
        }
        let c = &row.tokens;
        if [
            c.uncached_input,
            c.cache_write_5m,
            c.cache_write_1h,
            c.cache_read,
            c.output,
            c.web_search_requests,
        ]
        .iter()
        .any(|&n| n < 0)
        {
            return Err(malformed(
                "usage",
                format!("a row of bucket {t} has a negative count"),
            ));
        }
    }
    Ok(buckets)
}

fn check_cost_page(page: &CostPage, window: &Window) -> Result<i64> {
    let days = check_range("cost", page.starting_at, page.ending_at, DAY, window)?;
    for row in &page.rows {
        let t = row.bucket_start;
        if t < page.starting_at || t >= page.ending_at || t.timestamp() % DAY != 0 {
            return Err(malformed(
                "cost",
                format!("a row's day {t} is not one of the page's days"),
            ));
        }
    }
    Ok(days)
}

impl StreamRun<'_> {
    /// Run one stream. Returns its report, and whether the plan's later streams are
    /// pointless (the credential was refused or answers for another organisation).
    pub(crate) async fn run(&self, stream: SyncStream) -> (StreamReport, bool) {
        let started_at = self.engine.now();
        let clock = Instant::now();
        let mut progress = Progress::default();
        let counter = RequestCounter::default();
        let ctx = SourceContext {
            requests: Some(&counter),
            ..self.ctx
        };
        let unreachable = self.unreachable(stream);
        let skipped = unreachable.is_some();
        let result = match unreachable {
            Some(e) => Err(e),
            None => self.dispatch(stream, ctx, &mut progress).await,
        };
        if !skipped {
            self.remember_refusal(&result).await;
        }
        let stats = progress.requests(&counter);
        let (status, error, fatal) = match &result {
            Ok(()) => (SyncStatus::Ok, progress.note.clone(), false),
            // The Analytics API will never answer this plan, or the credential cannot read
            // the legacy reports: the other source bills the plan.
            Err(e) if skipped || analytics::permanently_unavailable(e) => {
                (SyncStatus::Skipped, Some(SyncError::from(e)), false)
            }
            // The credential cannot read spend limits, or the provider has none.
            Err(e)
                if stream == SyncStream::SpendLimits && spend_limits::skip_reason(e).is_some() =>
            {
                (SyncStatus::Skipped, spend_limits::skip_reason(e), false)
            }
            Err(e @ Error::Interrupted) => {
                (SyncStatus::Interrupted, Some(SyncError::from(e)), true)
            }
            Err(e) => (
                SyncStatus::Error,
                Some(SyncError::from(e)),
                is_fatal_for_plan(e),
            ),
        };
        let report = StreamReport {
            stream,
            status,
            started_at,
            finished_at: self.engine.now(),
            window_start: progress.window.map(|w| w.start),
            window_end: progress.window.map(|w| w.end),
            buckets_written: progress.buckets,
            rows_written: progress.rows,
            requests: i64::from(stats.requests),
            retries: i64::from(stats.retries),
            duration: clock.elapsed(),
            error,
        };
        (report, fatal)
    }

    async fn dispatch(
        &self,
        stream: SyncStream,
        ctx: SourceContext<'_>,
        progress: &mut Progress,
    ) -> Result<()> {
        match stream {
            SyncStream::Metadata => self.metadata(ctx, progress).await,
            SyncStream::Usage => self.usage(ctx, progress).await,
            SyncStream::Cost => self.cost(ctx, progress).await,
            SyncStream::ClaudeCode => self.claude_code(ctx, progress).await,
            SyncStream::Analytics => self.analytics(ctx, progress).await,
            SyncStream::SpendLimits => self.spend_limits(ctx, progress).await,
            SyncStream::Plan | SyncStream::Allocation => Ok(()),
        }
    }

    /// Why the plan's credential cannot reach `stream`, as known from its stored reach.
    fn unreachable(&self, stream: SyncStream) -> Option<Error> {
        let reach = self.reach.as_ref()?;
        match stream {
            SyncStream::Cost | SyncStream::ClaudeCode if !reach.legacy_reports => {
                Some(Error::invalid(format!(
                    "the credential of plan {} (a Claude Enterprise key with scopes) cannot \
                     read the legacy cost and Claude Code reports; the Analytics API bills the \
                     plan and gives its tokens",
                    self.plan.id
                )))
            }
            SyncStream::Analytics => reach.analytics.map(|reason| Error::AnalyticsUnavailable {
                plan: Some(self.plan.id),
                reason,
                status: None,
                request_id: None,
                message: format!(
                    "{} (known since {}; rotating the credential or checking the plan asks \
                     again)",
                    reason.explain(),
                    reach.checked_at.to_rfc3339()
                ),
            }),
            SyncStream::SpendLimits if !reach.spend_limits => Some(Error::invalid(format!(
                "spend limits skipped: the credential of plan {} cannot read spend limits \
                 (known since {}; rotating the credential or checking the plan asks again)",
                self.plan.id,
                reach.checked_at.to_rfc3339()
            ))),
            _ => None,
        }
    }

    /// A refusal that holds for every range (HIPAA, scope, beta) is kept on the plan, so the
    /// next syncs do not ask again until the credential is rotated or the plan checked.
    async fn remember_refusal(&self, result: &Result<()>) {
        let Err(e) = result else { return };
        let (Some(reason), Some(reach)) = (e.analytics_unavailable(), &self.reach) else {
            return;
        };
        if !reason.is_permanent() {
            return;
        }
        let known = reach.without_analytics(reason, self.now);
        // Best effort: not recording it costs one request at the next sync.
        let _ = self
            .engine
            .store
            .set_plan_reach(self.plan.id, Some(&known))
            .await;
    }

    fn cancel(&self) -> Option<&super::SyncCancel> {
        self.options.cancel.as_ref()
    }

    async fn window(
        &self,
        stream_key: &str,
        width: i64,
        lookback: TimeDelta,
    ) -> Result<Option<(Window, DateTime<Utc>)>> {
        let stored: Option<Watermark> = self
            .engine
            .store
            .watermark(self.plan.id, stream_key)
            .await?;
        Ok(next_window(
            WindowInputs {
                now: self.now,
                width_secs: width,
                initial_backfill: self.options.initial_backfill,
                lookback,
                backfill: self.options.backfill,
            },
            stored.as_ref(),
        ))
    }

    async fn metadata(&self, ctx: SourceContext<'_>, progress: &mut Progress) -> Result<()> {
        let store = &self.engine.store;
        let metadata = unless_cancelled(self.cancel(), self.source.metadata(ctx))
            .await
            .ok_or(Error::Interrupted)??;
        progress.stats.add(metadata.stats);
        if let (Some(org), Some(expected)) = (&metadata.org, &self.plan.org_id) {
            if org.id != *expected {
                return Err(Error::OrgMismatch {
                    plan: self.plan.id,
                    expected: expected.clone(),
                    found: org.id.clone(),
                });
            }
            if self.plan.org_name.as_deref() != Some(org.name.as_str()) {
                let rename = PlanSyncUpdate {
                    org_name: Some(org.name.clone()),
                    ..Default::default()
                };
                store.record_plan_sync(self.plan.id, &rename).await?;
            }
        }
        store.upsert_metadata(self.plan.id, &metadata).await?;
        progress.rows =
            (metadata.workspaces.len() + metadata.api_keys.len() + metadata.users.len()) as i64;
        Ok(())
    }

    async fn usage(&self, ctx: SourceContext<'_>, progress: &mut Progress) -> Result<()> {
        let width = self.options.usage_width;
        let stream_key = format!("usage:{width}");
        let Some((window, first_start)) = self
            .window(&stream_key, width.seconds(), self.options.usage_lookback)
            .await?
        else {
            return Ok(());
        };
        progress.window = Some(window);
        let store = &self.engine.store;
        let request = UsageRequest::for_sync(window.start, window.end, width);
        // A credential that never reaches the legacy usage report (a Claude Enterprise key
        // with scopes) reads the same tokens from the Analytics API.
        let mut pages = if self.reach.as_ref().is_some_and(|r| !r.legacy_reports) {
            self.source.usage_from_analytics(ctx, request, self.now)
        } else {
            self.source.usage(ctx, request)
        };
        let mut next = next_or_stop(self.cancel(), &mut pages).await?;
        while let Some(item) = next {
            let page = item?;
            let buckets = check_usage_page(&page, width, &window)?;
            progress.stats.add(page.stats);
            let advance = WatermarkAdvance {
                stream: stream_key.clone(),
                watermark: page.ending_at,
                first_start,
                at: self.engine.now(),
            };
            // Fetch the next page while this one is written; a cancel stops the fetch, never
            // the write.
            let (written, following) = futures::join!(
                store.replace_usage_page(self.plan.id, &page, Some(&advance)),
                next_or_stop(self.cancel(), &mut pages)
            );
            progress.rows += written? as i64;
            progress.buckets += buckets;
            failpoints::hit(failpoints::AFTER_PAGE_COMMIT);
            next = following?;
        }
        Ok(())
    }

    async fn cost(&self, ctx: SourceContext<'_>, progress: &mut Progress) -> Result<()> {
        let Some((window, first_start)) =
            self.window("cost", DAY, self.options.cost_lookback).await?
        else {
            return Ok(());
        };
        progress.window = Some(window);
        let store = &self.engine.store;
        let mut pages = self
            .source
            .costs(ctx, CostRequest::for_sync(window.start, window.end));
        let mut next = next_or_stop(self.cancel(), &mut pages).await?;
        while let Some(item) = next {
            let page = item?;
            let days = check_cost_page(&page, &window)?;
            progress.stats.add(page.stats);
            let advance = WatermarkAdvance {
                stream: "cost".into(),
                watermark: page.ending_at,
                first_start,
                at: self.engine.now(),
            };
            let (written, following) = futures::join!(
                store.replace_cost_page(self.plan.id, &page, Some(&advance)),
                next_or_stop(self.cancel(), &mut pages)
            );
            progress.rows += written? as i64;
            progress.buckets += days;
            failpoints::hit(failpoints::AFTER_PAGE_COMMIT);
            next = following?;
        }
        Ok(())
    }

    async fn claude_code(&self, ctx: SourceContext<'_>, progress: &mut Progress) -> Result<()> {
        let Some((window, first_start)) = self
            .window("claude_code", DAY, self.options.claude_code_lookback)
            .await?
        else {
            return Ok(());
        };
        progress.window = Some(window);
        let store = &self.engine.store;
        let request = ClaudeCodeRequest {
            start: window.start.date_naive(),
            end: window.end.date_naive(),
        };
        let mut pages = self.source.claude_code(ctx, request);
        while let Some(item) = next_or_stop(self.cancel(), &mut pages).await? {
            let page = item?;
            let day_start = page.day.and_hms_opt(0, 0, 0).expect("midnight").and_utc();
            if day_start < window.start || day_start >= window.end {
                return Err(malformed(
                    "Claude Code",
                    format!("day {} was not asked for", page.day),
                ));
            }
            progress.stats.add(page.stats);
            let advance = WatermarkAdvance {
                stream: "claude_code".into(),
                watermark: day_start + TimeDelta::days(1),
                first_start,
                at: self.engine.now(),
            };
            progress.rows += store
                .replace_claude_code_page(self.plan.id, &page, Some(&advance))
                .await? as i64;
            progress.buckets += 1;
            failpoints::hit(failpoints::AFTER_PAGE_COMMIT);
        }
        Ok(())
    }
}

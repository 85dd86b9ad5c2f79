//! The streams of one plan's sync: metadata, usage, cost, Claude Code analytics.

use std::time::Instant;

use chrono::{DateTime, TimeDelta, Utc};
use futures::StreamExt;

use super::SyncOptions;
use super::plan::is_fatal_for_plan;
use super::report::{StreamReport, SyncError};
use super::window::{Window, WindowInputs, next_window};
use crate::Ledger;
use crate::error::{Error, Result};
use crate::model::{BucketWidth, CostPage, Plan, SyncStatus, SyncStream, UsagePage};
use crate::source::{
    ClaudeCodeRequest, CostRequest, RequestStats, SourceContext, UsageRequest, UsageSource,
};
use crate::store::{PlanSyncUpdate, Watermark, WatermarkAdvance};

const DAY: i64 = 86_400;

/// One plan's sync in progress: what every stream needs.
pub(crate) struct StreamRun<'a> {
    pub(crate) ledger: &'a Ledger,
    pub(crate) plan: &'a Plan,
    pub(crate) source: &'a dyn UsageSource,
    pub(crate) ctx: SourceContext<'a>,
    pub(crate) options: &'a SyncOptions,
    pub(crate) now: DateTime<Utc>,
}

/// Counters of a stream as it runs.
#[derive(Default)]
struct Progress {
    window: Option<Window>,
    buckets: i64,
    rows: i64,
    stats: RequestStats,
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
        let started_at = Utc::now();
        let clock = Instant::now();
        let mut progress = Progress::default();
        let result = match stream {
            SyncStream::Metadata => self.metadata(&mut progress).await,
            SyncStream::Usage => self.usage(&mut progress).await,
            SyncStream::Cost => self.cost(&mut progress).await,
            SyncStream::ClaudeCode => self.claude_code(&mut progress).await,
            SyncStream::Plan | SyncStream::Allocation => Ok(()),
        };
        let (status, error, fatal) = match &result {
            Ok(()) => (SyncStatus::Ok, None, false),
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
            window_start: progress.window.map(|w| w.start),
            window_end: progress.window.map(|w| w.end),
            buckets_written: progress.buckets,
            rows_written: progress.rows,
            requests: i64::from(progress.stats.requests),
            retries: i64::from(progress.stats.retries),
            duration: clock.elapsed(),
            error,
        };
        (report, fatal)
    }

    async fn window(
        &self,
        stream_key: &str,
        width: i64,
        lookback: TimeDelta,
    ) -> Result<Option<(Window, DateTime<Utc>)>> {
        let stored: Option<Watermark> = self
            .ledger
            .inner
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

    async fn metadata(&self, progress: &mut Progress) -> Result<()> {
        let store = &self.ledger.inner.store;
        let metadata = self.source.metadata(self.ctx).await?;
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

    async fn usage(&self, progress: &mut Progress) -> Result<()> {
        let width = self.options.usage_width;
        let stream_key = format!("usage:{width}");
        let Some((window, first_start)) = self
            .window(&stream_key, width.seconds(), self.options.usage_lookback)
            .await?
        else {
            return Ok(());
        };
        progress.window = Some(window);
        let store = &self.ledger.inner.store;
        let mut pages = self.source.usage(
            self.ctx,
            UsageRequest::for_sync(window.start, window.end, width),
        );
        let mut next = pages.next().await;
        while let Some(item) = next {
            let page = item?;
            let buckets = check_usage_page(&page, width, &window)?;
            progress.stats.add(page.stats);
            let advance = WatermarkAdvance {
                stream: stream_key.clone(),
                watermark: page.ending_at,
                first_start,
            };
            // Fetch the next page while this one is written.
            let (written, following) = futures::join!(
                store.replace_usage_page(self.plan.id, &page, Some(&advance)),
                pages.next()
            );
            progress.rows += written? as i64;
            progress.buckets += buckets;
            next = following;
        }
        Ok(())
    }

    async fn cost(&self, progress: &mut Progress) -> Result<()> {
        let Some((window, first_start)) =
            self.window("cost", DAY, self.options.cost_lookback).await?
        else {
            return Ok(());
        };
        progress.window = Some(window);
        let store = &self.ledger.inner.store;
        let mut pages = self
            .source
            .costs(self.ctx, CostRequest::for_sync(window.start, window.end));
        let mut next = pages.next().await;
        while let Some(item) = next {
            let page = item?;
            let days = check_cost_page(&page, &window)?;
            progress.stats.add(page.stats);
            let advance = WatermarkAdvance {
                stream: "cost".into(),
                watermark: page.ending_at,
                first_start,
            };
            let (written, following) = futures::join!(
                store.replace_cost_page(self.plan.id, &page, Some(&advance)),
                pages.next()
            );
            progress.rows += written? as i64;
            progress.buckets += days;
            next = following;
        }
        Ok(())
    }

    async fn claude_code(&self, progress: &mut Progress) -> Result<()> {
        let Some((window, first_start)) = self
            .window("claude_code", DAY, self.options.claude_code_lookback)
            .await?
        else {
            return Ok(());
        };
        progress.window = Some(window);
        let store = &self.ledger.inner.store;
        let request = ClaudeCodeRequest {
            start: window.start.date_naive(),
            end: window.end.date_naive(),
        };
        let mut pages = self.source.claude_code(self.ctx, request);
        while let Some(item) = pages.next().await {
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
            };
            progress.rows += store
                .replace_claude_code_page(self.plan.id, &page, Some(&advance))
                .await? as i64;
            progress.buckets += 1;
        }
        Ok(())
    }
}

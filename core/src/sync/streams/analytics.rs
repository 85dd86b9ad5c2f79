//! The `analytics` stream: billed cost of the Anthropic Analytics API, hourly, grouped so
//! that every amount has its key, actor, workspace, model, cost and token type, tier and
//! window. The days its watermark covers are billed from these rows (see
//! `reports::materialize`).

use std::sync::{Mutex, MutexGuard};

use chrono::{DateTime, Utc};

use super::{DAY, Progress, StreamRun, malformed, next_or_stop};
use crate::error::{Error, Result};
use crate::model::{AnalyticsCostPage, AnalyticsCostRow, AnalyticsDimension, AnalyticsUnavailable};
use crate::source::SourceContext;
use crate::source::anthropic::AnalyticsRequest;
use crate::source::anthropic::analytics::{analytics_earliest, analytics_start};
use crate::store::WatermarkAdvance;
use crate::sync::failpoints;
use crate::sync::report::SyncError;
use crate::sync::window::ceil_to;

/// The stream's watermark key.
const STREAM_KEY: &str = crate::reports::analytics_facts::ANALYTICS_STREAM;
const HOUR: i64 = 3_600;
/// The days of one request series of the stream.
const RANGE_SECS: i64 = 7 * DAY;

/// The first day the Analytics API serves at `now`: the later of 2026-01-01 and the first
/// whole UTC day of its 365-day window. Earlier days stay on the legacy reports.
pub(crate) fn first_day(now: DateTime<Utc>) -> DateTime<Utc> {
    ceil_to(analytics_earliest(now), DAY)
}

/// Rows of one range of the request series, checked, as the pages bring them.
struct Range {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    rows: Vec<AnalyticsCostRow>,
}

impl Range {
    fn of(page: &AnalyticsCostPage) -> Range {
        Range {
            start: page.range_start,
            end: page.range_end,
            rows: Vec::new(),
        }
    }

    fn add(&mut self, page: AnalyticsCostPage) -> Result<()> {
        if (page.range_start, page.range_end) != (self.start, self.end) {
            return Err(malformed(
                "analytics cost",
                format!(
                    "a page of the range {} to {} came before that range's last page",
                    page.range_start, self.start
                ),
            ));
        }
        for row in &page.rows {
            let (s, e) = (row.starting_at, row.ending_at);
            if s < self.start || e > self.end || (e - s).num_seconds() != HOUR {
                return Err(malformed(
                    "analytics cost",
                    format!("a row's bucket {s} to {e} is not an hour of its range"),
                ));
            }
        }
        self.rows.extend(page.rows);
        Ok(())
    }
}

impl StreamRun<'_> {
    /// Sync the plan's analytics cost rows. Each range of the request series (at most 31
    /// days) is gathered from its pages and written in one transaction with the watermark,
    /// in order, so a range is never half replaced and the watermark never passes a range
    /// not written. A permanent `AnalyticsUnavailable` error is
    /// returned as is: the caller ends the stream as skipped.
    pub(super) async fn analytics(
        &self,
        ctx: SourceContext<'_>,
        progress: &mut Progress,
    ) -> Result<()> {
        let Some((window, first_start)) = self
            .window(STREAM_KEY, HOUR, self.options.cost_lookback)
            .await?
        else {
            return Ok(());
        };
        let floor = first_day(self.now);
        if window.start < floor {
            // The days before the floor stay on the legacy reports: say why in the event.
            let reason = if window.start < analytics_start() {
                AnalyticsUnavailable::BeforeAnalyticsStart
            } else {
                AnalyticsUnavailable::OlderThan365Days
            };
            let e = Error::AnalyticsUnavailable {
                plan: Some(self.plan.id),
                reason,
                status: None,
                request_id: None,
                message: format!(
                    "the days from {} to {} are billed from the legacy reports",
                    window.start,
                    floor.min(window.end)
                ),
            };
            progress.note = Some(SyncError::from(&e));
        }
        let start = window.start.max(floor);
        if start >= window.end {
            return Ok(());
        }
        // The store keeps the earlier first start of rows synced before the floor moved.
        let first_start = first_start.max(floor);
        let window = super::Window {
            start,
            end: window.end,
        };
        progress.window = Some(window);
        // A week per request series: a range is gathered whole before it is written, so the
        // range's length bounds the memory a sync holds (the API allows up to 31 days). The
        // next week's pages are fetched and parsed while the range before waits for the write
        // lock and is written.
        let progress = Mutex::new(progress);
        let (ready, mut gathered) = tokio::sync::mpsc::channel::<Range>(1);
        let fetch = async {
            let ready = ready;
            let mut from = window.start;
            while from < window.end {
                let to = (from + chrono::TimeDelta::seconds(RANGE_SECS)).min(window.end);
                let week = super::Window {
                    start: from,
                    end: to,
                };
                if !self.gather(ctx, &progress, week, &ready).await? {
                    // The writes stopped on an error, which the write side returns.
                    break;
                }
                from = to;
            }
            Ok(())
        };
        let write = async {
            while let Some(done) = gathered.recv().await {
                if self.cancel().is_some_and(|c| c.is_cancelled()) {
                    return Err(Error::Interrupted);
                }
                self.write_range(&progress, done, first_start).await?;
            }
            Ok(())
        };
        let (fetched, written): (Result<()>, Result<()>) = futures::join!(fetch, write);
        // A failed write stops the fetching; a failed fetch lets the ranges gathered before
        // it be written first.
        written.and(fetched)
    }

    /// Fetches the pages of `window` (at most 31 days): one request series, each of its
    /// ranges handed to `ready` once its last page has come. `false` when the writes have
    /// stopped.
    async fn gather(
        &self,
        ctx: SourceContext<'_>,
        progress: &Mutex<&mut Progress>,
        window: super::Window,
        ready: &tokio::sync::mpsc::Sender<Range>,
    ) -> Result<bool> {
        let request = AnalyticsRequest::new(window.start, window.end)
            .group_by(AnalyticsDimension::SYNC_COST.iter().copied());
        let mut pages = self.source.analytics_costs(ctx, request);
        let mut range: Option<Range> = None;
        // A range is gathered only once the one before it is being written (its slot in the
        // channel is free): a plan holds at most two ranges.
        let Ok(mut slot) = ready.reserve().await else {
            return Ok(false);
        };
        while let Some(item) = next_or_stop(self.cancel(), &mut pages).await? {
            let page = item?;
            if page.range_start < window.start || page.range_end > window.end {
                return Err(malformed(
                    "analytics cost",
                    format!(
                        "its range {} to {} lies outside the requested {} to {}",
                        page.range_start, page.range_end, window.start, window.end
                    ),
                ));
            }
            lock(progress).stats.add(page.stats);
            let last = page.last_of_range;
            let current = range.get_or_insert_with(|| Range::of(&page));
            current.add(page)?;
            if last {
                slot.send(range.take().expect("a range in progress"));
                match ready.reserve().await {
                    Ok(next) => slot = next,
                    Err(_) => return Ok(false),
                }
            } else if ready.is_closed() {
                return Ok(false);
            }
        }
        if let Some(cut) = range {
            return Err(malformed(
                "analytics cost",
                format!(
                    "the pages of the range {} to {} ended before its last page",
                    cut.start, cut.end
                ),
            ));
        }
        Ok(true)
    }

    /// Writes a gathered range in one transaction with the stream's watermark, so a range
    /// is never half replaced.
    async fn write_range(
        &self,
        progress: &Mutex<&mut Progress>,
        done: Range,
        first_start: DateTime<Utc>,
    ) -> Result<()> {
        let advance = WatermarkAdvance {
            stream: STREAM_KEY.into(),
            watermark: done.end,
            first_start,
            at: self.engine.now(),
        };
        let rows = self
            .engine
            .store
            .replace_analytics_range(
                self.plan.id,
                HOUR,
                (done.start, done.end),
                &done.rows,
                Some(&advance),
                self.engine.now(),
            )
            .await?;
        let mut progress = lock(progress);
        progress.rows += rows as i64;
        progress.buckets += (done.end - done.start).num_seconds() / HOUR;
        drop(progress);
        failpoints::hit(failpoints::AFTER_PAGE_COMMIT);
        Ok(())
    }
}

/// The stream's progress, shared by its fetching and its writing (never held across an
/// await).
fn lock<'a, 'p>(progress: &'a Mutex<&'p mut Progress>) -> MutexGuard<'a, &'p mut Progress> {
    progress
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Whether `e` says the Analytics API will not answer this plan at all (HIPAA-ready
/// organisation, credential without the scope, beta not enabled): the stream is skipped and
/// the legacy streams bill the plan's days.
pub(super) fn permanently_unavailable(e: &Error) -> bool {
    e.analytics_unavailable().is_some_and(|r| r.is_permanent())
}

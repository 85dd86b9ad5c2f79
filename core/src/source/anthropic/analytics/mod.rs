//! The Usage and Cost Analytics API (`/v1/organizations/analytics/usage` and `/cost`),
//! the Spend Limits API, and which of the organisation's APIs a credential reaches.
//!
//! Requests go through the same paced, retried request function as the legacy reports,
//! with `anthropic-beta: analytics-usage-cost-2026-08-24` on every analytics request. When
//! the API cannot answer (history before 2026 or older than 365 days, a HIPAA-ready
//! organisation, a credential without `read:analytics`, the beta off), the stream fails
//! with [`crate::Error::AnalyticsUnavailable`] and its reason, so a sync reads the legacy
//! usage and cost reports instead.
//!
//! ```no_run
//! # async fn run(source: &costledger::source::anthropic::AnthropicSource,
//! #              ctx: costledger::source::SourceContext<'_>) -> costledger::Result<()> {
//! use chrono::{TimeZone, Utc};
//! use futures::TryStreamExt;
//! use costledger::model::AnalyticsDimension;
//! use costledger::source::anthropic::AnalyticsRequest;
//!
//! let request = AnalyticsRequest::new(
//!     Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap(),
//!     Utc.with_ymd_and_hms(2026, 11, 8, 0, 0, 0).unwrap(),
//! )
//! .group_by([AnalyticsDimension::ApiKeyId, AnalyticsDimension::Actor]);
//! let pages: Vec<_> = source.analytics_cost(ctx, request).try_collect().await?;
//! # Ok(()) }
//! ```

mod pages;
mod reach;
mod spend_limits;
mod unavailable;
mod usage_pages;
mod wire;

use chrono::{DateTime, Utc};
use futures::{StreamExt, stream};

pub use pages::ANALYTICS_BETA;
pub use reach::{AdminKeyKind, CredentialReach, admin_key_kind};
pub use spend_limits::{SPEND_LIMIT_READS_BETA, SpendLimitFilter};
pub use unavailable::{MAX_AGE_DAYS, analytics_earliest, analytics_start};

use super::AnthropicSource;
use super::reports::{align, param};
use crate::error::{Error, Result};
use crate::model::{AnalyticsCostPage, AnalyticsDimension, AnalyticsUsagePage, BucketWidth};
use crate::source::{PageStream, SourceContext};

const USAGE_PATH: &str = "/v1/organizations/analytics/usage";
const COST_PATH: &str = "/v1/organizations/analytics/cost";
/// Most rows per page the API serves.
pub const MAX_ROWS_PER_PAGE: u32 = 1_000;
/// The longest range one request may span.
const MAX_SPAN_SECS: i64 = 31 * 86_400;
/// The longest range one request with minute buckets may span.
const MAX_MINUTE_SPAN_SECS: i64 = 86_400;

/// A request for analytics rows in `[start, end)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyticsRequest {
    /// First instant wanted; rounded up to a bucket boundary.
    pub start: DateTime<Utc>,
    /// End of the range; rounded down to a bucket boundary.
    pub end: DateTime<Utc>,
    /// Bucket width (default one hour).
    pub width: BucketWidth,
    /// Dimensions to group by; none gives one row per bucket.
    pub group_by: Vec<AnalyticsDimension>,
    /// Rows per page, 1–1000; `None` asks for 1000 (the fewest requests).
    pub rows_per_page: Option<u32>,
    /// Only requests these API keys authenticated (`api_key_ids[]`), whoever they are
    /// attributed to.
    pub api_key_ids: Vec<String>,
    /// Only these workspaces (`workspace_ids[]`).
    pub workspace_ids: Vec<String>,
}

impl AnalyticsRequest {
    /// Hourly rows of `[start, end)`, ungrouped, 1000 rows per page.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        AnalyticsRequest {
            start,
            end,
            width: BucketWidth::Hour,
            group_by: Vec::new(),
            rows_per_page: None,
            api_key_ids: Vec::new(),
            workspace_ids: Vec::new(),
        }
    }

    /// The bucket width.
    pub fn width(mut self, width: BucketWidth) -> Self {
        self.width = width;
        self
    }

    /// The dimensions to group by.
    pub fn group_by(mut self, dims: impl IntoIterator<Item = AnalyticsDimension>) -> Self {
        self.group_by = dims.into_iter().collect();
        self
    }

    /// Rows per page (1–1000).
    pub fn rows_per_page(mut self, rows: u32) -> Self {
        self.rows_per_page = Some(rows);
        self
    }

    /// The query parameters other than the range and page token, checked.
    fn params(&self, cost: bool) -> Result<Vec<(String, String)>> {
        let limit = match self.rows_per_page {
            None => MAX_ROWS_PER_PAGE,
            Some(n) if (1..=MAX_ROWS_PER_PAGE).contains(&n) => n,
            Some(n) => {
                return Err(Error::invalid(format!(
                    "analytics rows per page must be between 1 and {MAX_ROWS_PER_PAGE}, got {n}"
                )));
            }
        };
        let mut params = vec![
            param("time_bucket_width", self.width.as_str()),
            param("limit", limit.to_string()),
        ];
        let mut seen = Vec::new();
        for &dim in &self.group_by {
            if !cost && !dim.in_usage_report() {
                return Err(Error::invalid(format!(
                    "the analytics usage report cannot group by {dim}; only the cost report has \
                     cost_type and token_type"
                )));
            }
            if !seen.contains(&dim) {
                seen.push(dim);
                params.push(param("group_by[]", dim.as_str()));
            }
        }
        params.extend(
            self.api_key_ids
                .iter()
                .map(|k| param("api_key_ids[]", k.as_str())),
        );
        params.extend(
            self.workspace_ids
                .iter()
                .map(|w| param("workspace_ids[]", w.as_str())),
        );
        Ok(params)
    }
}

/// A stream that is one error.
fn failed<'a, T: Send + 'a>(e: Error) -> PageStream<'a, T> {
    stream::once(async move { Err(e) }).boxed()
}

impl AnthropicSource {
    /// Billed-cost rows (`GET /v1/organizations/analytics/cost`) of `request`'s range, page
    /// by page: net `amount` and `list_amount` exact, `requests` null when grouped by
    /// `cost_type` or `token_type`.
    pub fn analytics_cost<'a>(
        &'a self,
        ctx: SourceContext<'a>,
        request: AnalyticsRequest,
    ) -> PageStream<'a, AnalyticsCostPage> {
        match self.analytics_pager(ctx, &request, COST_PATH, true) {
            Ok(Some(pager)) => pages::row_pages(pager, wire::cost_row),
            Ok(None) => stream::empty().boxed(),
            Err(e) => failed(e),
        }
    }

    /// Token usage rows (`GET /v1/organizations/analytics/usage`) of `request`'s range.
    pub fn analytics_usage<'a>(
        &'a self,
        ctx: SourceContext<'a>,
        request: AnalyticsRequest,
    ) -> PageStream<'a, AnalyticsUsagePage> {
        match self.analytics_pager(ctx, &request, USAGE_PATH, false) {
            Ok(Some(pager)) => pages::row_pages(pager, wire::usage_row),
            Ok(None) => stream::empty().boxed(),
            Err(e) => failed(e),
        }
    }

    fn analytics_pager<'a>(
        &'a self,
        ctx: SourceContext<'a>,
        request: &AnalyticsRequest,
        path: &'static str,
        cost: bool,
    ) -> Result<Option<pages::Pager<'a>>> {
        let params = request.params(cost)?;
        let width_secs = request.width.seconds();
        let Some((start, end)) = align(request.start, request.end, width_secs) else {
            return Ok(None);
        };
        if start < analytics_start() {
            return Err(unavailable::before_start(ctx.plan_id, start));
        }
        let span = match request.width {
            BucketWidth::Minute => MAX_MINUTE_SPAN_SECS,
            _ => MAX_SPAN_SECS,
        };
        Ok(Some(pages::Pager {
            source: self,
            ctx,
            path,
            params,
            width_secs,
            windows: pages::windows(start, end, span),
            current: None,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_are_checked_before_sending() {
        let t = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let r = AnalyticsRequest::new(t("2026-11-01T00:00:00Z"), t("2026-11-02T00:00:00Z"))
            .group_by([
                AnalyticsDimension::Actor,
                AnalyticsDimension::CostType,
                AnalyticsDimension::Actor,
            ]);
        let p = r.params(true).unwrap();
        let groups: Vec<_> = p.iter().filter(|(k, _)| k == "group_by[]").collect();
        assert_eq!(groups.len(), 2);
        assert!(p.contains(&("limit".into(), "1000".into())));
        assert!(p.contains(&("time_bucket_width".into(), "1h".into())));
        let e = r.params(false).unwrap_err();
        assert!(e.to_string().contains("cost_type"), "{e}");
        let e = r.clone().rows_per_page(0).params(true).unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT");
        assert!(r.rows_per_page(1001).params(true).is_err());
    }
}

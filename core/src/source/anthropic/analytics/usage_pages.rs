//! Token usage from the Analytics API, shaped as the legacy usage report's pages: what a plan
//! whose credential never reaches the legacy reports (a Claude Enterprise key with scopes)
//! syncs its tokens from.
//!
//! Each range of the request series (at most 31 days) becomes one [`UsagePage`] once its last
//! page has arrived, because the API pages by rows and one bucket can continue on the next
//! page: the page replaces exactly its range in the store, as a legacy page does. Rows are
//! grouped by the usage dimensions (key, workspace, model, tier, window, geography) and by
//! actor, so a member's usage keeps its person (`actor_id`, as the Analytics API's billed rows
//! do); other actors (an API key, a service account, a federated identity) are summed into
//! the key's row.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use futures::{StreamExt, stream};

use super::{AnalyticsRequest, analytics_earliest};
use crate::error::Error;
use crate::model::{
    Actor, AnalyticsDimension, AnalyticsUsagePage, TokenCounts, UsagePage, UsageRow,
};
use crate::source::anthropic::AnthropicSource;
use crate::source::{PageStream, RequestStats, SourceContext, UsageRequest};

/// What the usage rows are grouped by.
const GROUP_BY: [AnalyticsDimension; 7] = [
    AnalyticsDimension::ApiKeyId,
    AnalyticsDimension::WorkspaceId,
    AnalyticsDimension::Model,
    AnalyticsDimension::ServiceTier,
    AnalyticsDimension::ContextWindow,
    AnalyticsDimension::InferenceGeo,
    AnalyticsDimension::Actor,
];

/// (bucket, key, workspace, model, tier, window, geography, the person's user id).
type RowKey = (
    DateTime<Utc>,
    Option<Arc<str>>,
    Option<Arc<str>>,
    Option<Arc<str>>,
    Option<Arc<str>>,
    Option<Arc<str>>,
    Option<Arc<str>>,
    Option<String>,
);

/// One range being gathered.
struct Range {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    rows: BTreeMap<RowKey, TokenCounts>,
    stats: RequestStats,
}

impl Range {
    fn add(&mut self, page: AnalyticsUsagePage) {
        self.stats.add(page.stats);
        for row in page.rows {
            let g = row.group;
            let actor_id = match g.actor {
                Some(Actor::User { user_id, .. }) => Some(user_id),
                _ => None,
            };
            let key = (
                row.starting_at,
                g.api_key_id,
                g.workspace_id,
                g.model,
                g.service_tier,
                g.context_window,
                g.inference_geo,
                actor_id,
            );
            self.rows.entry(key).or_default().add(&row.tokens);
        }
    }

    fn into_page(self, request: &UsageRequest) -> UsagePage {
        let rows = self
            .rows
            .into_iter()
            .map(
                |((bucket_start, key, ws, model, tier, window, geo, actor), tokens)| {
                    let owned = |value: Option<Arc<str>>| value.map(|s| s.to_string());
                    UsageRow {
                        bucket_start,
                        api_key_id: owned(key),
                        workspace_id: owned(ws),
                        model: owned(model),
                        service_tier: owned(tier),
                        context_window: owned(window),
                        inference_geo: owned(geo),
                        actor_id: actor,
                        tokens,
                    }
                },
            )
            .collect();
        UsagePage {
            width: request.width,
            starting_at: self.start,
            ending_at: self.end,
            rows,
            units: Vec::new(),
            stats: self.stats,
        }
    }
}

impl AnthropicSource {
    /// The token usage of `request`'s range from the Analytics API, one [`UsagePage`] per
    /// range of at most 31 days. The part of the range the API does not serve at `now`
    /// (before 2026-01-01, older than 365 days) is left out: the pages start at the first
    /// whole bucket it serves.
    pub fn usage_from_analytics<'a>(
        &'a self,
        ctx: SourceContext<'a>,
        request: UsageRequest,
        now: DateTime<Utc>,
    ) -> PageStream<'a, UsagePage> {
        let width = request.width.seconds();
        let earliest = analytics_earliest(now).timestamp();
        let first = earliest.div_euclid(width) * width
            + if earliest.rem_euclid(width) > 0 {
                width
            } else {
                0
            };
        let start = request
            .start
            .max(DateTime::from_timestamp(first, 0).expect("in range"));
        if start >= request.end {
            return Box::pin(stream::empty());
        }
        let analytics = AnalyticsRequest::new(start, request.end)
            .width(request.width)
            .group_by(GROUP_BY);
        let pages = self.analytics_usage(ctx, analytics);
        let state = (pages, None::<Range>, request);
        Box::pin(stream::try_unfold(
            state,
            |(mut pages, mut range, request)| async move {
                loop {
                    let Some(page) = pages.next().await.transpose()? else {
                        // A range always ends with its last page; nothing is left half-read.
                        return Ok(None);
                    };
                    let current = range.get_or_insert_with(|| Range {
                        start: page.range_start,
                        end: page.range_end,
                        rows: BTreeMap::new(),
                        stats: RequestStats::default(),
                    });
                    if (current.start, current.end) != (page.range_start, page.range_end) {
                        return Err(Error::Upstream {
                            status: None,
                            request_id: None,
                            message: format!(
                                "malformed analytics usage page: a page of {} to {} came before \
                             the last page of {} to {}; nothing of it was written",
                                page.range_start, page.range_end, current.start, current.end
                            ),
                            source: None,
                        });
                    }
                    let last = page.last_of_range;
                    current.add(page);
                    if last {
                        let done = range.take().expect("a range is being read");
                        return Ok(Some((done.into_page(&request), (pages, None, request))));
                    }
                }
            },
        ))
    }
}

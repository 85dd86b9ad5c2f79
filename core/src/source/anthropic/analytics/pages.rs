//! Row pagination of the Analytics API: the range split into windows the API accepts
//! (31 days; 1 day with minute buckets), each followed through `next_page` until
//! `has_more` is false, every row checked to be one aligned bucket inside its window.

use std::collections::VecDeque;

use chrono::{DateTime, Utc};
use futures::{StreamExt, stream};
use serde::de::DeserializeOwned;

use super::unavailable::classify;
use super::wire::{Bucketed, page};
use crate::error::Error;
use crate::model::AnalyticsPage;
use crate::source::anthropic::AnthropicSource;
use crate::source::anthropic::http::{Call, Params};
use crate::source::anthropic::reports::{param, rfc3339};
use crate::source::{PageStream, SourceContext};

/// The beta flag every analytics request carries.
pub const ANALYTICS_BETA: &str = "analytics-usage-cost-2026-08-24";

pub(super) type Convert<I, R> = fn(I) -> std::result::Result<R, String>;

/// A window `[from, to)` of the range.
pub(super) type Window = (DateTime<Utc>, DateTime<Utc>);

/// Where the pagination of one report stands.
pub(super) struct Pager<'a> {
    pub(super) source: &'a AnthropicSource,
    pub(super) ctx: SourceContext<'a>,
    pub(super) path: &'static str,
    /// Every parameter but the range and the page token.
    pub(super) params: Params,
    pub(super) width_secs: i64,
    /// Windows not started yet.
    pub(super) windows: VecDeque<Window>,
    /// The window being read and its next page token.
    pub(super) current: Option<(Window, Option<String>)>,
}

/// Splits `[start, end)` into windows of at most `span` seconds.
pub(super) fn windows(start: DateTime<Utc>, end: DateTime<Utc>, span: i64) -> VecDeque<Window> {
    let mut out = VecDeque::new();
    let mut from = start;
    while from < end {
        let to = (from + chrono::Duration::seconds(span)).min(end);
        out.push_back((from, to));
        from = to;
    }
    out
}

pub(super) fn row_pages<'a, I, R>(
    pager: Pager<'a>,
    convert: Convert<I, R>,
) -> PageStream<'a, AnalyticsPage<R>>
where
    I: DeserializeOwned + Bucketed + Send + 'a,
    R: Send + 'a,
{
    stream::try_unfold(pager, move |mut p| async move {
        let ((from, to), token) = match p.current.take() {
            Some(current) => current,
            None => match p.windows.pop_front() {
                Some(window) => (window, None),
                None => return Ok(None),
            },
        };
        let mut params = p.params.clone();
        params.push(param("starting_at", rfc3339(from)));
        params.push(param("ending_at", rfc3339(to)));
        if let Some(token) = &token {
            params.push(param("page", token.clone()));
        }
        let width = p.width_secs;
        let call = Call::get(p.path, &params).beta(ANALYTICS_BETA);
        let (decoded, stats) = p
            .source
            .send(&p.ctx, call, |body| {
                decode(body, width, (from, to), convert)
            })
            .await
            .map_err(classify)?;
        let (rows, next, refreshed) = decoded;
        match next {
            Some(next) if token.as_ref() == Some(&next) => {
                return Err(Error::Upstream {
                    status: Some(200),
                    request_id: None,
                    message: format!(
                        "GET {} answered with the page token it was sent as next_page; \
                         stopping rather than looping — report this with this message",
                        p.path
                    ),
                    source: None,
                });
            }
            Some(next) => p.current = Some(((from, to), Some(next))),
            None => p.current = None,
        }
        let page = AnalyticsPage {
            range_start: from,
            range_end: to,
            last_of_range: p.current.is_none(),
            rows,
            data_refreshed_at: refreshed,
            stats,
        };
        Ok(Some((page, p)))
    })
    .boxed()
}

type Decoded<R> = (Vec<R>, Option<String>, Option<DateTime<Utc>>);

/// Parses a page and checks each row: one aligned bucket of `width` inside the window.
fn decode<I: DeserializeOwned + Bucketed, R>(
    body: &[u8],
    width: i64,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    convert: Convert<I, R>,
) -> std::result::Result<Decoded<R>, String> {
    let page = page::<I>(body)?;
    let next = page.next().map(str::to_string);
    let refreshed = page.data_refreshed_at;
    let mut rows = Vec::with_capacity(page.data.len());
    for item in page.data {
        let (s, e) = item.bounds();
        if (e - s).num_seconds() != width || s.timestamp().rem_euclid(width) != 0 {
            return Err(format!(
                "row {} to {} is not one aligned {width}-second bucket",
                rfc3339(s),
                rfc3339(e)
            ));
        }
        if s < from || e > to {
            return Err(format!(
                "row {} is outside the range asked for, {} to {}",
                rfc3339(s),
                rfc3339(from),
                rfc3339(to)
            ));
        }
        rows.push(convert(item)?);
    }
    Ok((rows, next, refreshed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::anthropic::analytics::wire::{CostItem, cost_row};

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn ranges_split_into_api_windows() {
        let w = windows(
            t("2026-09-01T00:00:00Z"),
            t("2026-11-01T00:00:00Z"),
            31 * 86_400,
        );
        let got: Vec<_> = w.iter().map(|(a, b)| (rfc3339(*a), rfc3339(*b))).collect();
        assert_eq!(
            got,
            [
                ("2026-09-01T00:00:00Z".into(), "2026-10-02T00:00:00Z".into()),
                (
                    "2026-10-02T00:00:00Z".to_string(),
                    "2026-11-01T00:00:00Z".to_string()
                ),
            ]
        );
        assert!(windows(t("2026-09-01T00:00:00Z"), t("2026-09-01T00:00:00Z"), 60).is_empty());
    }

    #[test]
    fn rows_must_be_aligned_buckets_inside_the_window() {
        let range = (t("2026-11-01T00:00:00Z"), t("2026-11-02T00:00:00Z"));
        let row = |s: &str, e: &str| {
            format!(
                r#"{{"data":[{{"starting_at":"{s}","ending_at":"{e}","group":{{}},
                "cost":{{"amount":"1","list_amount":"1","currency":"USD","requests":1}}}}],"has_more":false}}"#
            )
        };
        let ok = row("2026-11-01T03:00:00Z", "2026-11-01T04:00:00Z");
        assert_eq!(
            decode::<CostItem, _>(ok.as_bytes(), 3_600, range, cost_row)
                .unwrap()
                .0
                .len(),
            1
        );
        for bad in [
            row("2026-11-01T03:00:00Z", "2026-11-01T05:00:00Z"),
            row("2026-11-01T03:30:00Z", "2026-11-01T04:30:00Z"),
            row("2026-11-02T00:00:00Z", "2026-11-02T01:00:00Z"),
        ] {
            assert!(
                decode::<CostItem, _>(bad.as_bytes(), 3_600, range, cost_row).is_err(),
                "{bad}"
            );
        }
    }
}

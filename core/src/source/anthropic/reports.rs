//! The usage report and the cost report as streams of pages over time buckets.
//!
//! Each page is one request series (the first request or a `page=` follow-up, with its
//! retries) and covers exactly the buckets it holds, so a store can replace that range.

use chrono::{DateTime, SecondsFormat, Utc};
use futures::{StreamExt, TryStreamExt, stream};

use super::AnthropicSource;
use super::pages::{Pager, bucket_pages};
use super::wire::{CostItem, UsageItem};
use crate::error::{Error, Result};
use crate::model::{BucketWidth, CostPage, CostRow, UsagePage, UsageRow};
use crate::source::{CostRequest, PageStream, SourceContext, UsageRequest};

const USAGE_PATH: &str = "/v1/organizations/usage_report/messages";
const COST_PATH: &str = "/v1/organizations/cost_report";
/// The API refuses more `group_by[]` values than this.
const MAX_GROUP_BY: usize = 5;
/// Most days per page of the cost report.
const COST_MAX_DAYS: u32 = 31;

/// Most buckets per page of the usage report for a width.
pub(crate) fn max_buckets(width: BucketWidth) -> u32 {
    match width {
        BucketWidth::Minute => 1_440,
        BucketWidth::Hour => 168,
        BucketWidth::Day => 31,
    }
}

/// `[start, end)` shrunk to whole buckets: start rounded up, end rounded down. `None` when
/// no whole bucket fits (the API would answer 400 to such a range).
pub(crate) fn align(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    width_secs: i64,
) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
    let first = start.timestamp() + i64::from(start.timestamp_subsec_nanos() > 0);
    let first = -(-first).div_euclid(width_secs) * width_secs;
    let last = end.timestamp().div_euclid(width_secs) * width_secs;
    (last > first).then(|| {
        (
            DateTime::from_timestamp(first, 0).expect("in range"),
            DateTime::from_timestamp(last, 0).expect("in range"),
        )
    })
}

pub(super) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

pub(super) fn param(name: &str, value: impl Into<String>) -> (String, String) {
    (name.to_string(), value.into())
}

/// The page size asked for: the caller's, checked, or the maximum.
fn page_size(asked: Option<u32>, max: u32, what: &str) -> Result<u32> {
    match asked {
        None => Ok(max),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(Error::invalid(format!(
            "{what} per page must be between 1 and {max}, got {n}"
        ))),
    }
}

/// `group_by[]` values, duplicates dropped, at most five.
fn group_by(values: Vec<&'static str>, what: &str) -> Result<Vec<(String, String)>> {
    let mut unique: Vec<&str> = Vec::new();
    for v in values {
        if !unique.contains(&v) {
            unique.push(v);
        }
    }
    if unique.len() > MAX_GROUP_BY {
        return Err(Error::invalid(format!(
            "{what} can group by at most {MAX_GROUP_BY} dimensions, got {} ({}); drop one",
            unique.len(),
            unique.join(", ")
        )));
    }
    Ok(unique.into_iter().map(|v| param("group_by[]", v)).collect())
}

/// A stream that is one error.
fn failed<'a, T: Send + 'a>(e: Error) -> PageStream<'a, T> {
    stream::once(async move { Err(e) }).boxed()
}

/// Usage pages for `request`.
pub(super) fn usage_pages<'a>(
    source: &'a AnthropicSource,
    ctx: SourceContext<'a>,
    request: UsageRequest,
) -> PageStream<'a, UsagePage> {
    let width = request.width;
    let checked =
        page_size(request.buckets_per_page, max_buckets(width), "buckets").and_then(|limit| {
            let dims = request.group_by.iter().map(|d| d.as_str()).collect();
            Ok((limit, group_by(dims, "the usage report")?))
        });
    let (limit, groups) = match checked {
        Ok(v) => v,
        Err(e) => return failed(e),
    };
    let Some((start, end)) = align(request.start, request.end, width.seconds()) else {
        return stream::empty().boxed();
    };
    let mut params = vec![
        param("starting_at", rfc3339(start)),
        param("ending_at", rfc3339(end)),
        param("bucket_width", width.as_str()),
        param("limit", limit.to_string()),
    ];
    params.extend(groups);
    let pager = Pager::new(
        source,
        ctx,
        USAGE_PATH,
        params,
        width.seconds(),
        (start, end),
    );
    bucket_pages(pager, usage_row)
        .map_ok(move |c| UsagePage {
            width,
            starting_at: c.starting_at,
            ending_at: c.ending_at,
            rows: c.rows,
            units: Vec::new(),
            stats: c.stats,
        })
        .boxed()
}

pub(super) fn usage_row(
    start: DateTime<Utc>,
    item: UsageItem,
) -> std::result::Result<Option<UsageRow>, String> {
    Ok(item.into_row(start))
}

/// Cost pages for `request`.
pub(super) fn cost_pages<'a>(
    source: &'a AnthropicSource,
    ctx: SourceContext<'a>,
    request: CostRequest,
) -> PageStream<'a, CostPage> {
    let checked = page_size(request.days_per_page, COST_MAX_DAYS, "days").and_then(|limit| {
        let dims = request.group_by.iter().map(|d| d.as_str()).collect();
        Ok((limit, group_by(dims, "the cost report")?))
    });
    let (limit, groups) = match checked {
        Ok(v) => v,
        Err(e) => return failed(e),
    };
    let day = BucketWidth::Day.seconds();
    let Some((start, end)) = align(request.start, request.end, day) else {
        return stream::empty().boxed();
    };
    let mut params = vec![
        param("starting_at", rfc3339(start)),
        param("ending_at", rfc3339(end)),
        param("limit", limit.to_string()),
    ];
    params.extend(groups);
    let pager = Pager::new(source, ctx, COST_PATH, params, day, (start, end));
    bucket_pages(pager, cost_row)
        .map_ok(|c| CostPage {
            starting_at: c.starting_at,
            ending_at: c.ending_at,
            rows: c.rows,
            stats: c.stats,
        })
        .boxed()
}

fn cost_row(start: DateTime<Utc>, item: CostItem) -> std::result::Result<Option<CostRow>, String> {
    item.into_row(start).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn ranges_shrink_to_whole_buckets() {
        let (s, e) = align(
            t("2026-11-19T10:00:00.5Z"),
            t("2026-11-20T07:59:59Z"),
            3_600,
        )
        .unwrap();
        assert_eq!(
            (rfc3339(s), rfc3339(e)),
            ("2026-11-19T11:00:00Z".into(), "2026-11-20T07:00:00Z".into())
        );
        let (s, e) = align(t("2026-11-19T00:00:00Z"), t("2026-11-20T00:00:00Z"), 86_400).unwrap();
        assert_eq!(
            (rfc3339(s), rfc3339(e)),
            ("2026-11-19T00:00:00Z".into(), "2026-11-20T00:00:00Z".into())
        );
        assert!(align(t("2026-11-19T00:00:01Z"), t("2026-11-20T12:00:00Z"), 86_400).is_none());
        assert!(align(t("2026-11-20T00:00:00Z"), t("2026-11-19T00:00:00Z"), 60).is_none());
    }

    #[test]
    fn page_sizes_and_group_by_are_checked_before_any_request() {
        assert_eq!(page_size(None, 168, "buckets").unwrap(), 168);
        assert_eq!(page_size(Some(5), 168, "buckets").unwrap(), 5);
        let e = page_size(Some(169), 168, "buckets").unwrap_err();
        assert_eq!(
            e.to_string(),
            "buckets per page must be between 1 and 168, got 169"
        );
        let g = group_by(vec!["model", "model", "workspace_id"], "x").unwrap();
        assert_eq!(
            g,
            vec![
                param("group_by[]", "model"),
                param("group_by[]", "workspace_id")
            ]
        );
        let six = vec![
            "api_key_id",
            "workspace_id",
            "model",
            "service_tier",
            "context_window",
            "inference_geo",
        ];
        let e = group_by(six, "the usage report").unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT");
        assert!(e.to_string().contains("at most 5 dimensions, got 6"), "{e}");
    }
}

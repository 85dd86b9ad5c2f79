//! Usage and costs as streams of pages over time buckets.
//!
//! A usage page is one page of `usage/completions` (the endpoint that carries nearly all
//! token spend) plus, for exactly the buckets it covers, the token-carrying rows of
//! `usage/embeddings`, `usage/moderations` and `usage/web_search_calls`, and the non-token
//! usage of `usage/images`, `audio_speeches`, `audio_transcriptions`, `file_search_calls`,
//! `code_interpreter_sessions` and `vector_stores` (see `units`); so each page replaces one
//! range completely. A cost page is one page of `costs`, grouped by project,
//! line item and API key.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use futures::{StreamExt, stream};
use serde::de::DeserializeOwned;

use super::OpenAiSource;
use super::units::UNIT_ENDPOINTS;
use super::wire::{CompletionsResult, CostResult, InputResult, Page, WebSearchResult};
use crate::error::{Error, Result};
use crate::model::{BucketWidth, CostPage, CostRow, TokenCounts, UsagePage, UsageRow};
use crate::source::anthropic::reports::align;
use crate::source::{CostRequest, PageStream, RequestStats, SourceContext, UsageRequest};

const COMPLETIONS: &str = "/v1/organization/usage/completions";
const COSTS: &str = "/v1/organization/costs";
/// Most days per page of `costs`.
const COST_MAX_DAYS: u32 = 180;

type Convert<I, R> = fn(DateTime<Utc>, I) -> std::result::Result<R, String>;

/// The other usage endpoints whose rows fit costledger's token columns, with their
/// `group_by` sets. Images, audio, file search, code interpreter and vector storage have no
/// token counts: they are read as units (`units::UNIT_ENDPOINTS`).
const EXTRA: &[(&str, &[&str], Convert<serde_json::Value, UsageRow>)] = &[
    (
        "/v1/organization/usage/embeddings",
        &["project_id", "user_id", "api_key_id", "model"],
        input_row,
    ),
    (
        "/v1/organization/usage/moderations",
        &["project_id", "user_id", "api_key_id", "model"],
        input_row,
    ),
    (
        "/v1/organization/usage/web_search_calls",
        &["project_id", "user_id", "api_key_id", "model"],
        web_search_row,
    ),
];

fn web_search_row(
    start: DateTime<Utc>,
    v: serde_json::Value,
) -> std::result::Result<UsageRow, String> {
    serde_json::from_value::<WebSearchResult>(v)
        .map_err(|e| format!("not a web search result ({e})"))?
        .into_row(start)
}

fn input_row(start: DateTime<Utc>, v: serde_json::Value) -> std::result::Result<UsageRow, String> {
    serde_json::from_value::<InputResult>(v)
        .map_err(|e| format!("not a usage result ({e})"))?
        .into_row(start)
}

fn completions_row(
    start: DateTime<Utc>,
    r: CompletionsResult,
) -> std::result::Result<UsageRow, String> {
    r.into_row(start)
}

fn cost_row(start: DateTime<Utc>, r: CostResult) -> std::result::Result<CostRow, String> {
    r.into_row(start)
}

/// Most buckets per page for a width.
fn max_buckets(width: BucketWidth) -> u32 {
    match width {
        BucketWidth::Minute => 1_440,
        BucketWidth::Hour => 168,
        BucketWidth::Day => 31,
    }
}

fn param(name: &str, value: impl Into<String>) -> (String, String) {
    (name.to_string(), value.into())
}

fn page_size(asked: Option<u32>, max: u32, what: &str) -> Result<u32> {
    match asked {
        None => Ok(max),
        Some(n) if (1..=max).contains(&n) => Ok(n),
        Some(n) => Err(Error::invalid(format!(
            "{what} per page must be between 1 and {max}, got {n}"
        ))),
    }
}

/// One decoded page of buckets.
struct Decoded<R> {
    first: Option<DateTime<Utc>>,
    last_end: DateTime<Utc>,
    rows: Vec<R>,
    next_page: Option<String>,
}

/// Parses a page and checks its buckets: each `width` wide, aligned, in order, inside
/// `[floor, end)`.
fn decode<I: DeserializeOwned, R>(
    body: &[u8],
    width: i64,
    floor: DateTime<Utc>,
    end: DateTime<Utc>,
    convert: Convert<I, R>,
) -> std::result::Result<Decoded<R>, String> {
    let page: Page<I> =
        serde_json::from_slice(body).map_err(|e| format!("the page's JSON did not parse ({e})"))?;
    if page.has_more && (page.next_page.is_none() || page.data.is_empty()) {
        return Err("has_more is true but the page has no buckets or no next_page".into());
    }
    let next_page = page.next_page.filter(|_| page.has_more);
    let mut first = None;
    let mut lower = floor;
    let mut rows = Vec::new();
    for bucket in page.data {
        let (s, e) = (bucket.start_time, bucket.end_time);
        if e - s != width || s.rem_euclid(width) != 0 {
            return Err(format!(
                "bucket {s} to {e} is not one aligned {width}-second bucket"
            ));
        }
        let start = DateTime::from_timestamp(s, 0).ok_or("bucket start out of range")?;
        let stop = DateTime::from_timestamp(e, 0).ok_or("bucket end out of range")?;
        if start < lower || stop > end {
            return Err(format!(
                "bucket {s} is out of order or outside {} to {}",
                floor.timestamp(),
                end.timestamp()
            ));
        }
        first.get_or_insert(start);
        lower = stop;
        for item in bucket.results {
            rows.push(convert(start, item)?);
        }
    }
    Ok(Decoded {
        first,
        last_end: lower,
        rows,
        next_page,
    })
}

/// One series of pages of one endpoint: its fixed query and where paging stands.
struct Series<'a> {
    source: &'a OpenAiSource,
    ctx: SourceContext<'a>,
    path: &'static str,
    params: Vec<(String, String)>,
    width: i64,
    floor: DateTime<Utc>,
    end: DateTime<Utc>,
    token: Option<String>,
    done: bool,
}

impl Series<'_> {
    /// The next page, or `None` after the last.
    async fn next<I: DeserializeOwned, R>(
        &mut self,
        convert: Convert<I, R>,
    ) -> Result<Option<(Decoded<R>, RequestStats)>> {
        if self.done {
            return Ok(None);
        }
        let mut params = self.params.clone();
        if let Some(token) = &self.token {
            params.push(param("page", token.clone()));
        }
        let (width, floor, end) = (self.width, self.floor, self.end);
        let answer = self
            .source
            .get(&self.ctx, self.path, &params, |body| {
                decode(body, width, floor, end, convert)
            })
            .await?;
        let page = answer.value;
        match &page.next_page {
            Some(next) if self.token.as_ref() == Some(next) => {
                return Err(Error::Upstream {
                    status: Some(200),
                    request_id: None,
                    message: format!(
                        "GET {} answered with the page token it was sent as next_page; \
                         stopping rather than looping — report this with this message",
                        self.path
                    ),
                    source: None,
                });
            }
            Some(next) => self.token = Some(next.clone()),
            None => self.done = true,
        }
        if page.first.is_none() {
            self.done = true;
            return Ok(None);
        }
        self.floor = page.last_end;
        Ok(Some((page, answer.stats)))
    }
}

fn failed<'a, T: Send + 'a>(e: Error) -> PageStream<'a, T> {
    stream::once(async move { Err(e) }).boxed()
}

fn range_params(
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    width: BucketWidth,
    limit: u32,
    group_by: &[&str],
) -> Vec<(String, String)> {
    let mut params = vec![
        param("start_time", start.timestamp().to_string()),
        param("end_time", end.timestamp().to_string()),
        param("bucket_width", width.as_str()),
        param("limit", limit.to_string()),
    ];
    params.extend(group_by.iter().map(|g| param("group_by", *g)));
    params
}

/// Sum rows of the same bucket and dimensions (the extra endpoints may repeat a
/// combination the completions rows have).
fn merge(rows: Vec<UsageRow>) -> Vec<UsageRow> {
    type Key = (
        DateTime<Utc>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
        Option<String>,
    );
    let mut merged: BTreeMap<Key, TokenCounts> = BTreeMap::new();
    for r in rows {
        let key = (
            r.bucket_start,
            r.api_key_id,
            r.workspace_id,
            r.model,
            r.service_tier,
            r.actor_id,
        );
        merged.entry(key).or_default().add(&r.tokens);
    }
    merged
        .into_iter()
        .map(
            |((bucket_start, api_key_id, workspace_id, model, service_tier, actor_id), tokens)| {
                UsageRow {
                    bucket_start,
                    api_key_id,
                    workspace_id,
                    model,
                    service_tier,
                    context_window: None,
                    inference_geo: None,
                    actor_id,
                    tokens,
                }
            },
        )
        .collect()
}

/// Usage pages for `request`. The request's dimensions are costledger's; OpenAI's usage is
/// always grouped by project, user, API key, model, batch and service tier.
pub(super) fn usage_pages<'a>(
    source: &'a OpenAiSource,
    ctx: SourceContext<'a>,
    request: UsageRequest,
) -> PageStream<'a, UsagePage> {
    let width = request.width;
    let limit = match page_size(request.buckets_per_page, max_buckets(width), "buckets") {
        Ok(l) => l,
        Err(e) => return failed(e),
    };
    let Some((start, end)) = align(request.start, request.end, width.seconds()) else {
        return stream::empty().boxed();
    };
    let group_by = [
        "project_id",
        "user_id",
        "api_key_id",
        "model",
        "batch",
        "service_tier",
    ];
    let series = Series {
        source,
        ctx,
        path: COMPLETIONS,
        params: range_params(start, end, width, limit, &group_by),
        width: width.seconds(),
        floor: start,
        end,
        token: None,
        done: false,
    };
    stream::try_unfold(series, move |mut series| async move {
        let Some((page, mut stats)) = series.next(completions_row).await? else {
            return Ok(None);
        };
        let first = page.first.expect("a page with buckets");
        let mut rows = page.rows;
        let buckets = ((page.last_end - first).num_seconds() / width.seconds()) as u32;
        for (path, group_by, convert) in EXTRA {
            let mut extra = Series {
                source: series.source,
                ctx: series.ctx,
                path,
                params: range_params(first, page.last_end, width, buckets.max(1), group_by),
                width: width.seconds(),
                floor: first,
                end: page.last_end,
                token: None,
                done: false,
            };
            while let Some((more, s)) = extra.next(*convert).await? {
                stats.add(s);
                rows.extend(more.rows);
            }
        }
        let mut units = Vec::new();
        for (path, group_by, convert) in UNIT_ENDPOINTS {
            let mut extra = Series {
                source: series.source,
                ctx: series.ctx,
                path,
                params: range_params(first, page.last_end, width, buckets.max(1), group_by),
                width: width.seconds(),
                floor: first,
                end: page.last_end,
                token: None,
                done: false,
            };
            while let Some((more, s)) = extra.next(*convert).await? {
                stats.add(s);
                units.extend(more.rows);
            }
        }
        let usage = UsagePage {
            width,
            starting_at: first,
            ending_at: page.last_end,
            rows: merge(rows),
            units,
            stats,
        };
        Ok(Some((usage, series)))
    })
    .boxed()
}

/// Cost pages for `request`, always grouped by project, line item and API key.
pub(super) fn cost_pages<'a>(
    source: &'a OpenAiSource,
    ctx: SourceContext<'a>,
    request: CostRequest,
) -> PageStream<'a, CostPage> {
    let limit = match page_size(request.days_per_page, COST_MAX_DAYS, "days") {
        Ok(l) => l,
        Err(e) => return failed(e),
    };
    let day = BucketWidth::Day;
    let Some((start, end)) = align(request.start, request.end, day.seconds()) else {
        return stream::empty().boxed();
    };
    let series = Series {
        source,
        ctx,
        path: COSTS,
        params: range_params(
            start,
            end,
            day,
            limit,
            &["project_id", "line_item", "api_key_id"],
        ),
        width: day.seconds(),
        floor: start,
        end,
        token: None,
        done: false,
    };
    stream::try_unfold(series, |mut series| async move {
        let Some((page, stats)) = series.next(cost_row).await? else {
            return Ok(None);
        };
        let cost = CostPage {
            starting_at: page.first.expect("a page with buckets"),
            ending_at: page.last_end,
            rows: page.rows,
            stats,
        };
        Ok(Some((cost, series)))
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(secs: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(secs, 0).unwrap()
    }

    #[test]
    fn pages_are_checked_for_shape() {
        let (floor, end) = (t(0), t(7_200));
        let ok = br#"{"object":"page","data":[{"object":"bucket","start_time":0,"end_time":3600,"results":[]},
            {"object":"bucket","start_time":3600,"end_time":7200,"results":[{"input_tokens":5,"input_cached_tokens":2,"output_tokens":1}]}],"has_more":false,"next_page":null}"#;
        let d = decode(ok, 3_600, floor, end, completions_row).unwrap();
        assert_eq!((d.first, d.last_end, d.rows.len()), (Some(floor), end, 1));
        assert_eq!(d.rows[0].tokens.uncached_input, 3);
        let bad = [
            &br#"{"data":[],"has_more":true,"next_page":"page_x"}"#[..],
            br#"{"data":[{"start_time":0,"end_time":60,"results":[]}],"has_more":false,"next_page":null}"#,
            br#"{"data":[{"start_time":7200,"end_time":10800,"results":[]}],"has_more":false,"next_page":null}"#,
            br#"{"data":[{"start_time":0,"end_time":3600,"results":[{"output_tokens":1}]}],"has_more":false,"next_page":null}"#,
            br#"{"data":[{"start_time":0,"end_time":3600,"results":[]}],"has_more":fal"#,
        ];
        for body in bad {
            assert!(
                decode(body, 3_600, floor, end, completions_row).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn rows_of_one_bucket_and_dimension_are_summed() {
        let row = |n| UsageRow {
            bucket_start: t(0),
            api_key_id: Some("key_a".into()),
            workspace_id: Some("proj_a".into()),
            model: Some("gpt-4o-2024-08-06".into()),
            service_tier: None,
            context_window: None,
            inference_geo: None,
            actor_id: None,
            tokens: TokenCounts {
                web_search_requests: n,
                ..TokenCounts::default()
            },
        };
        let merged = merge(vec![row(2), row(3)]);
        assert_eq!(merged.len(), 1);
        assert_eq!(merged[0].tokens.web_search_requests, 5);
    }
}

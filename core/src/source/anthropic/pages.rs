//! Pagination over time buckets, shared by the usage and cost reports: one request series
//! per page, each page checked (aligned buckets, in order, inside the range) and converted.

use chrono::{DateTime, Utc};
use futures::{StreamExt, stream};
use serde::de::DeserializeOwned;

use super::AnthropicSource;
use super::http::Params;
use super::reports::{param, rfc3339};
use super::wire::{Bucket, Report};
use crate::error::Error;
use crate::source::{PageStream, RequestStats, SourceContext};

pub(super) type Convert<I, R> = fn(DateTime<Utc>, I) -> std::result::Result<Option<R>, String>;

/// Where a bucketed report's pagination stands.
pub(super) struct Pager<'a> {
    source: &'a AnthropicSource,
    ctx: SourceContext<'a>,
    path: &'static str,
    params: Params,
    width: i64,
    /// No bucket may start before this: the end of the previous page (or the range start).
    floor: DateTime<Utc>,
    end: DateTime<Utc>,
    token: Option<String>,
    done: bool,
}

impl<'a> Pager<'a> {
    pub(super) fn new(
        source: &'a AnthropicSource,
        ctx: SourceContext<'a>,
        path: &'static str,
        params: Params,
        width: i64,
        (start, end): (DateTime<Utc>, DateTime<Utc>),
    ) -> Self {
        Pager {
            source,
            ctx,
            path,
            params,
            width,
            floor: start,
            end,
            token: None,
            done: false,
        }
    }
}

/// One page's buckets, in model rows.
pub(super) struct Chunk<R> {
    pub(super) starting_at: DateTime<Utc>,
    pub(super) ending_at: DateTime<Utc>,
    pub(super) rows: Vec<R>,
    pub(super) stats: RequestStats,
}

/// A decoded and checked page body.
struct Decoded<R> {
    first: Option<DateTime<Utc>>,
    last_end: DateTime<Utc>,
    rows: Vec<R>,
    next_page: Option<String>,
}

pub(super) fn bucket_pages<'a, I, R>(
    pager: Pager<'a>,
    convert: Convert<I, R>,
) -> PageStream<'a, Chunk<R>>
where
    I: DeserializeOwned + Send + 'a,
    R: Send + 'a,
{
    stream::try_unfold(pager, move |mut p| async move {
        if p.done {
            return Ok(None);
        }
        let mut params = p.params.clone();
        if let Some(token) = &p.token {
            params.push(param("page", token.clone()));
        }
        let (width, floor, end) = (p.width, p.floor, p.end);
        let (page, stats) = p
            .source
            .get(&p.ctx, p.path, &params, |body| {
                decode(body, width, floor, end, convert)
            })
            .await?;
        match page.next_page {
            Some(next) if p.token.as_ref() == Some(&next) => {
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
            Some(next) => p.token = Some(next),
            None => p.done = true,
        }
        let Some(starting_at) = page.first else {
            // Only a last page can be empty (decode refuses an empty page that has more).
            return Ok(None);
        };
        p.floor = page.last_end;
        let chunk = Chunk {
            starting_at,
            ending_at: page.last_end,
            rows: page.rows,
            stats,
        };
        Ok(Some((chunk, p)))
    })
    .boxed()
}

/// Parses a page and checks its buckets: each one `width` wide, aligned, after the previous
/// one and inside the range asked for.
fn decode<I: DeserializeOwned, R>(
    body: &[u8],
    width: i64,
    floor: DateTime<Utc>,
    end: DateTime<Utc>,
    convert: Convert<I, R>,
) -> std::result::Result<Decoded<R>, String> {
    let report: Report<Bucket<I>> = serde_json::from_slice(body)
        .map_err(|e| format!("the report's JSON did not parse ({e})"))?;
    if report.has_more && (report.next_page.is_none() || report.data.is_empty()) {
        return Err("has_more is true but the page has no buckets or no next_page".into());
    }
    let next_page = report.next_page.filter(|_| report.has_more);
    let mut first = None;
    let mut lower = floor;
    let mut rows = Vec::new();
    for bucket in report.data {
        let (s, e) = (bucket.starting_at, bucket.ending_at);
        if (e - s).num_seconds() != width || s.timestamp().rem_euclid(width) != 0 {
            return Err(format!(
                "bucket {} to {} is not one aligned {width}-second bucket",
                rfc3339(s),
                rfc3339(e)
            ));
        }
        if s < lower || e > end {
            return Err(format!(
                "bucket {} is out of order or outside {} to {}",
                rfc3339(s),
                rfc3339(floor),
                rfc3339(end)
            ));
        }
        first.get_or_insert(s);
        lower = e;
        for item in bucket.results {
            if let Some(row) = convert(s, item)? {
                rows.push(row);
            }
        }
    }
    Ok(Decoded {
        first,
        last_end: lower,
        rows,
        next_page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::anthropic::reports::usage_row;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn pages_are_checked_for_shape() {
        let (floor, end) = (t("2025-08-01T00:00:00Z"), t("2025-08-03T00:00:00Z"));
        let day = 86_400;
        let ok = br#"{"data":[{"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-02T00:00:00Z","results":[]},
            {"starting_at":"2025-08-02T00:00:00Z","ending_at":"2025-08-03T00:00:00Z","results":null}],"has_more":false,"next_page":null}"#;
        let d = decode(ok, day, floor, end, usage_row).unwrap();
        assert_eq!((d.first, d.last_end, d.rows.len()), (Some(floor), end, 0));
        let bad = [
            &br#"{"data":[],"has_more":true,"next_page":"page_x"}"#[..],
            br#"{"data":[{"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-02T00:00:00Z","results":[]}],"has_more":true}"#,
            br#"{"data":[{"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-01T01:00:00Z","results":[]}],"has_more":false}"#,
            br#"{"data":[{"starting_at":"2025-08-03T00:00:00Z","ending_at":"2025-08-04T00:00:00Z","results":[]}],"has_more":false}"#,
            br#"{"data":[{"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-02T00:00:00Z","results":[{"uncached_input_tokens":1}]}],"has_more":false}"#,
            br#"{"data":[{"starting_at":"2025-08-01T00:00:00Z","ending_at":"2025-08-02T00:00:00Z","results":[]}],"has_more":false,"next_pa"#,
        ];
        for body in bad {
            assert!(
                decode(body, day, floor, end, usage_row).is_err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}

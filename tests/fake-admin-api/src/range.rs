//! The time range of a bucketed report and its pagination over buckets.

use chrono::{DateTime, Utc};

use crate::buckets::{ceil, ceil_secs, floor, parse_rfc3339, rfc3339, secs};
use crate::errors::ApiError;
use crate::page_token;
use crate::query::Query;

/// The buckets one page of a report covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketPage {
    /// Bucket width in seconds.
    pub width: i64,
    /// Start of the first bucket on this page (epoch seconds).
    pub start: i64,
    /// End of the last bucket on this page.
    pub end: i64,
    /// Token for the next page, `None` on the last one.
    pub next_page: Option<String>,
}

impl BucketPage {
    /// Bucket start times of this page.
    pub fn starts(&self) -> impl Iterator<Item = i64> + '_ {
        (self.start..self.end).step_by(self.width as usize)
    }
}

/// Parses a required/optional RFC 3339 timestamp parameter.
pub fn timestamp(query: &Query, key: &str) -> Result<Option<DateTime<Utc>>, ApiError> {
    match query.get(key) {
        None => Ok(None),
        Some(raw) => parse_rfc3339(raw).map(Some).ok_or_else(|| {
            ApiError::invalid(format!(
                "{key}: Input should be a valid RFC 3339 datetime, got {raw:?}"
            ))
        }),
    }
}

/// Resolves `starting_at`/`ending_at`/`page` into this page's buckets.
///
/// The first bucket starts at `starting_at` rounded up to a bucket boundary, the last one
/// ends at `ending_at` (default: now) rounded down. A page token also carries the range's
/// end, so paging is stable while the clock moves.
pub fn resolve(
    query: &Query,
    endpoint: &str,
    width: i64,
    limit: u32,
    now: DateTime<Utc>,
) -> Result<BucketPage, ApiError> {
    let starting_at = timestamp(query, "starting_at")?
        .ok_or_else(|| ApiError::invalid("starting_at: Field required"))?;
    let ending_at = timestamp(query, "ending_at")?.unwrap_or(now);
    let first = ceil(ceil_secs(starting_at), width);
    let mut last_end = floor(secs(ending_at), width);
    if last_end <= first {
        return Err(ApiError::invalid(
            "Invalid date range: ending date must be after starting date",
        ));
    }
    let hash = page_token::params_hash(endpoint, query);
    let mut start = first;
    if let Some(token) = query.get("page") {
        let fields = page_token::decode(token, hash)?;
        let parsed: Vec<i64> = fields
            .iter()
            .filter_map(|f| parse_rfc3339(f).map(secs))
            .collect();
        let bad = || ApiError::invalid(format!("page: invalid page token {token:?}"));
        let [cursor, frozen_end] = parsed[..] else {
            return Err(bad());
        };
        if cursor % width != 0 || cursor < first || cursor >= frozen_end || frozen_end % width != 0
        {
            return Err(bad());
        }
        start = cursor;
        last_end = frozen_end;
    }
    let end = (start + limit as i64 * width).min(last_end);
    let next_page =
        (end < last_end).then(|| page_token::encode(&[rfc3339(end), rfc3339(last_end)], hash));
    Ok(BucketPage {
        width,
        start,
        end,
        next_page,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        parse_rfc3339("2026-11-20T10:30:00Z").unwrap()
    }

    #[test]
    fn start_rounds_up_end_rounds_down_and_defaults_to_now() {
        let q = Query::parse("starting_at=2026-11-20T01:00:00.5Z");
        let p = resolve(&q, "u", 3600, 24, now()).unwrap();
        assert_eq!(rfc3339(p.start), "2026-11-20T02:00:00Z");
        assert_eq!(rfc3339(p.end), "2026-11-20T10:00:00Z");
        assert_eq!(p.next_page, None);
    }

    #[test]
    fn empty_range_is_rejected() {
        let q = Query::parse("starting_at=2026-11-20T00:00:01Z&bucket_width=1d");
        let e = resolve(&q, "u", 86_400, 7, now()).unwrap_err();
        assert_eq!(
            e.message,
            "Invalid date range: ending date must be after starting date"
        );
    }

    #[test]
    fn pages_chain_to_the_end() {
        let raw = "starting_at=2026-11-19T00:00:00Z&limit=4";
        let mut q = Query::parse(raw);
        let mut seen = 0;
        loop {
            let p = resolve(&q, "u", 3600, 4, now()).unwrap();
            seen += p.starts().count();
            match p.next_page {
                Some(t) => q = Query::parse(&format!("{raw}&page={t}")),
                None => break,
            }
        }
        assert_eq!(seen, 34);
    }
}

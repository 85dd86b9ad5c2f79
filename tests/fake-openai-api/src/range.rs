//! The time range of a bucketed report and its pagination over buckets.
//!
//! Buckets sit on UTC boundaries of their width, except the first, which starts at
//! `start_time` (rounded down to the minute), and the last, which ends at `end_time` or
//! now, whichever comes first. That is what the real API returns for an unaligned
//! `start_time` and an open end (see the README).

use crate::buckets::floor;
use crate::errors::ApiError;
use crate::page_token;
use crate::query::Query;

/// The buckets one page of a report covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BucketPage {
    /// `[start, end)` of each bucket on this page, in epoch seconds.
    pub buckets: Vec<(i64, i64)>,
    /// Token for the next page, `None` on the last one.
    pub next_page: Option<String>,
}

/// The range `[start, end)` a query asks for, before paging: `start_time` rounded down to
/// the minute, and `end_time` or `now`, whichever is earlier.
pub fn requested(query: &Query, now: i64) -> Result<(i64, i64), ApiError> {
    let start_time = query.required_int("start_time")?;
    let end_time = query.int("end_time")?;
    if let Some(end_time) = end_time
        && end_time <= start_time
    {
        return Err(ApiError::invalid(
            format!("Invalid 'end_time': {end_time} must be after 'start_time' ({start_time})."),
            "end_time",
            "invalid_value",
        ));
    }
    Ok((floor(start_time, 60), end_time.unwrap_or(i64::MAX).min(now)))
}

/// Resolves `start_time`/`end_time`/`page` into this page's buckets. A page token carries
/// the range's end, so paging stays stable while the clock moves.
pub fn resolve(
    query: &Query,
    endpoint: &str,
    width: i64,
    limit: u32,
    now: i64,
) -> Result<BucketPage, ApiError> {
    let (start, mut end) = requested(query, now)?;
    let hash = page_token::params_hash(endpoint, query);
    let mut cursor = start;
    if let Some(token) = query.get("page") {
        let fields = page_token::decode(token, hash)?;
        let bad = || {
            ApiError::invalid(
                format!("Invalid 'page': {token:?} does not fit this request."),
                "page",
                "invalid_value",
            )
        };
        let [at, frozen_end] = fields[..] else {
            return Err(bad());
        };
        if at < start || at >= frozen_end || (at != start && at % width != 0) {
            return Err(bad());
        }
        (cursor, end) = (at, frozen_end);
    }
    let mut buckets = Vec::new();
    while cursor < end && buckets.len() < limit as usize {
        let bucket_end = (floor(cursor, width) + width).min(end);
        buckets.push((cursor, bucket_end));
        cursor = bucket_end;
    }
    let next_page = (cursor < end).then(|| page_token::encode(&[cursor, end], hash));
    Ok(BucketPage { buckets, next_page })
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_763_634_630; // 2025-11-20T10:30:30Z

    #[test]
    fn first_bucket_starts_at_start_time_and_last_ends_now() {
        let q = Query::parse("start_time=1763600430"); // 2025-11-20T01:00:30Z
        let p = resolve(&q, "u", 3_600, 24, NOW).unwrap();
        assert_eq!(p.buckets[0], (1_763_600_400, 1_763_600_400 + 3_600));
        assert_eq!(p.buckets.last().unwrap(), &(1_763_632_800, NOW));
        assert_eq!(p.buckets.len(), 10);
        assert_eq!(p.next_page, None);
    }

    #[test]
    fn empty_and_inverted_ranges() {
        let q = Query::parse(&format!("start_time={}", NOW + 100));
        assert!(resolve(&q, "u", 60, 60, NOW).unwrap().buckets.is_empty());
        let q = Query::parse("start_time=100&end_time=100");
        assert_eq!(
            resolve(&q, "u", 60, 60, NOW).unwrap_err().param.as_deref(),
            Some("end_time")
        );
    }

    #[test]
    fn pages_chain_to_the_end() {
        let raw = "start_time=1763510400&limit=4"; // 2025-11-19T00:00:00Z
        let mut q = Query::parse(raw);
        let mut seen = Vec::new();
        loop {
            let p = resolve(&q, "u", 3_600, 4, NOW).unwrap();
            seen.extend(p.buckets);
            match p.next_page {
                Some(t) => q = Query::parse(&format!("{raw}&page={t}")),
                None => break,
            }
        }
        assert_eq!(seen.len(), 35);
        assert!(seen.windows(2).all(|w| w[0].1 == w[1].0));
    }
}

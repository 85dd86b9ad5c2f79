//! When to retry a request and how long to wait first, as the official SDKs do.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

/// How failed requests are retried.
///
/// Retried: HTTP 408, 409, 429 and every 5xx (529 included), connection errors, timeouts,
/// bodies cut off mid-transfer, and (at most [`RetryPolicy::MALFORMED_RETRIES`] times) a
/// success whose body is not the JSON expected. A response header `x-should-retry: true` or
/// `false` overrides the status rule, except that 401 and 403 are never retried.
///
/// Before retry `n` (0-based) the client waits what the response asked for in
/// `retry-after-ms` or `retry-after` (seconds, fractions allowed, or an HTTP date) when that
/// is more than zero and at most [`RetryPolicy::max_retry_after`]; otherwise
/// `min(initial_backoff · 2ⁿ, max_backoff)`, shortened by a random 0-25 % jitter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt before giving up (default 4).
    pub max_retries: u32,
    /// Wait before the first retry when the server says nothing (default 0.5 s).
    pub initial_backoff: Duration,
    /// Longest computed backoff (default 8 s).
    pub max_backoff: Duration,
    /// Longest server-requested wait honoured; longer requests fall back to the backoff
    /// (default 60 s).
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// Most retries spent on successful responses with a malformed body: a proxy or a
    /// cut-off body may garble one answer, a server that always does will not heal.
    pub const MALFORMED_RETRIES: u32 = 2;

    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Four retries with millisecond backoffs, for tests against a local fake (server-asked
    /// waits are still honoured).
    pub fn for_tests() -> Self {
        RetryPolicy {
            max_retries: 4,
            initial_backoff: Duration::from_millis(1),
            max_backoff: Duration::from_millis(10),
            max_retry_after: Duration::from_secs(60),
        }
    }

    /// The computed wait before retry `retry` (0-based), jitter included.
    pub fn backoff(&self, retry: u32) -> Duration {
        self.backoff_with_jitter(retry, rand::random::<f64>())
    }

    /// The backoff with the jitter draw `unit` in `[0, 1)`.
    fn backoff_with_jitter(&self, retry: u32, unit: f64) -> Duration {
        let factor = 2f64.powi(retry.min(62) as i32);
        let base =
            (self.initial_backoff.as_secs_f64() * factor).min(self.max_backoff.as_secs_f64());
        Duration::from_secs_f64(base * (1.0 - 0.25 * unit.clamp(0.0, 1.0)))
    }

    /// The wait before retry `retry`: the server's request when it is within bounds, else
    /// the backoff.
    pub(crate) fn wait(&self, retry: u32, asked: Option<Duration>) -> Duration {
        match asked {
            Some(d) if !d.is_zero() && d <= self.max_retry_after => d,
            _ => self.backoff(retry),
        }
    }
}

/// What `x-should-retry` says, if it says anything.
pub(crate) fn should_retry_header(headers: &HeaderMap) -> Option<bool> {
    match headers.get("x-should-retry")?.to_str().ok()?.trim() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// Whether a non-success status is worth another attempt.
pub(crate) fn retryable_status(status: u16, should_retry: Option<bool>) -> bool {
    if status == 401 || status == 403 {
        return false;
    }
    should_retry.unwrap_or(matches!(status, 408 | 409 | 429) || status >= 500)
}

/// The wait a response asks for: `retry-after-ms` (milliseconds), else `retry-after`
/// (seconds, fractions allowed, or an HTTP date measured from `now`). Negative or unreadable
/// values count as no request.
pub(crate) fn retry_after(headers: &HeaderMap, now: SystemTime) -> Option<Duration> {
    let text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(ms) = text("retry-after-ms").and_then(|v| v.parse::<f64>().ok()) {
        return seconds(ms / 1000.0);
    }
    let value = text("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return seconds(secs);
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

fn seconds(secs: f64) -> Option<Duration> {
    (0.0..1e9)
        .contains(&secs)
        .then(|| Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn backoff_doubles_caps_and_jitters_down_by_at_most_a_quarter() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff_with_jitter(0, 0.0), Duration::from_millis(500));
        assert_eq!(p.backoff_with_jitter(1, 0.0), Duration::from_secs(1));
        assert_eq!(p.backoff_with_jitter(3, 0.0), Duration::from_secs(4));
        assert_eq!(p.backoff_with_jitter(4, 0.0), Duration::from_secs(8));
        assert_eq!(p.backoff_with_jitter(40, 0.0), Duration::from_secs(8));
        assert_eq!(p.backoff_with_jitter(0, 1.0), Duration::from_millis(375));
        for n in 0..6 {
            let d = p.backoff(n);
            let full = p.backoff_with_jitter(n, 0.0);
            assert!(d <= full && d >= full.mul_f64(0.75), "{n}: {d:?}");
        }
    }

    #[test]
    fn retry_after_forms() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let h = headers(&[("retry-after", "0.05")]);
        assert_eq!(retry_after(&h, now), Some(Duration::from_millis(50)));
        let h = headers(&[("retry-after", "2"), ("retry-after-ms", "150")]);
        assert_eq!(retry_after(&h, now), Some(Duration::from_millis(150)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(7));
        let h = headers(&[("retry-after", &later)]);
        assert_eq!(retry_after(&h, now), Some(Duration::from_secs(7)));
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(7));
        assert_eq!(
            retry_after(&headers(&[("retry-after", &earlier)]), now),
            Some(Duration::ZERO)
        );
        for bad in ["-1", "soon", "NaN", ""] {
            assert_eq!(retry_after(&headers(&[("retry-after", bad)]), now), None);
        }
        assert_eq!(retry_after(&HeaderMap::new(), now), None);
    }

    #[test]
    fn honoured_waits_are_bounded() {
        let p = RetryPolicy::for_tests();
        assert_eq!(
            p.wait(0, Some(Duration::from_millis(50))),
            Duration::from_millis(50)
        );
        assert_eq!(
            p.wait(0, Some(Duration::from_secs(60))),
            Duration::from_secs(60)
        );
        // Zero, or beyond max_retry_after: the backoff instead.
        assert!(p.wait(0, Some(Duration::ZERO)) <= Duration::from_millis(1));
        assert!(p.wait(0, Some(Duration::from_secs(61))) <= Duration::from_millis(1));
        assert!(p.wait(3, None) <= Duration::from_millis(8));
    }

    #[test]
    fn which_statuses_retry() {
        for s in [408, 409, 429, 500, 502, 503, 504, 529] {
            assert!(retryable_status(s, None), "{s}");
        }
        for s in [400, 401, 402, 403, 404, 413, 422] {
            assert!(!retryable_status(s, None), "{s}");
        }
        assert!(retryable_status(400, Some(true)));
        assert!(!retryable_status(503, Some(false)));
        assert!(!retryable_status(401, Some(true)));
        assert_eq!(
            should_retry_header(&headers(&[("x-should-retry", "true")])),
            Some(true)
        );
        assert_eq!(
            should_retry_header(&headers(&[("x-should-retry", "no")])),
            None
        );
    }
}

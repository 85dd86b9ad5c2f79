//! Fault injection: which requests fail, how, and the per-key counters that decide it.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// `429:N[:SECS]`: every N-th request of a key is rate limited.
#[derive(Clone, Debug, PartialEq)]
pub struct RateLimitFault {
    /// Period in requests (≥ 1).
    pub every: u64,
    /// How long the client should wait, in seconds (fractions allowed). It is sent as
    /// `retry-after-ms` exactly and as `retry-after` rounded up to whole seconds (≥ 1),
    /// the spec's form.
    pub retry_after_secs: f64,
}

/// The faults in force. Counters are per admin key and restart when faults are set.
///
/// Parse it from the CLI form with `"429:5,500:7,slow:100,trunc:9,late".parse()`;
/// `Display` gives that form back.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Faults {
    /// `429:N[:SECS]`
    pub rate_limit: Option<RateLimitFault>,
    /// `500:N`: every N-th request answers 500 `server_error`.
    pub error_500_every: Option<u64>,
    /// `503:N`: every N-th request answers 503 (overloaded).
    pub unavailable_503_every: Option<u64>,
    /// `slow:MS`: every request is delayed.
    pub slow_ms: Option<u64>,
    /// `trunc:N`: every N-th response is cut off half-way and the connection dropped.
    pub truncate_every: Option<u64>,
    /// `late`: every usage or costs request grows late data after it is answered.
    pub late: bool,
    /// `down:N`: every request after the N-th answers 500.
    pub down_after: Option<u64>,
}

impl Faults {
    /// No faults.
    pub fn none() -> Faults {
        Faults::default()
    }
    /// Adds `429:every:retry_after_secs`.
    pub fn with_rate_limit(mut self, every: u64, retry_after_secs: f64) -> Faults {
        self.rate_limit = Some(RateLimitFault {
            every,
            retry_after_secs,
        });
        self
    }
    /// Adds `500:every`.
    pub fn with_500(mut self, every: u64) -> Faults {
        self.error_500_every = Some(every);
        self
    }
    /// Adds `503:every`.
    pub fn with_503(mut self, every: u64) -> Faults {
        self.unavailable_503_every = Some(every);
        self
    }
    /// Adds `slow:ms`.
    pub fn with_slow(mut self, ms: u64) -> Faults {
        self.slow_ms = Some(ms);
        self
    }
    /// Adds `trunc:every`.
    pub fn with_truncation(mut self, every: u64) -> Faults {
        self.truncate_every = Some(every);
        self
    }
    /// Adds `late`.
    pub fn with_late(mut self) -> Faults {
        self.late = true;
        self
    }
    /// Adds `down:after`.
    pub fn with_down_after(mut self, after: u64) -> Faults {
        self.down_after = Some(after);
        self
    }
}

/// A fault string that does not parse.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultParseError(pub String);

impl fmt::Display for FaultParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for FaultParseError {}

fn count(part: &str, raw: Option<&str>) -> Result<u64, FaultParseError> {
    raw.and_then(|r| r.parse::<u64>().ok())
        .filter(|&n| n >= 1)
        .ok_or_else(|| {
            FaultParseError(format!(
                "fault {part:?}: expected a whole number ≥ 1 after ':'"
            ))
        })
}

fn seconds(part: &str, raw: Option<&str>) -> Result<f64, FaultParseError> {
    match raw {
        None => Ok(1.0),
        Some(r) => r
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v > 0.0 && *v <= 3_600.0)
            .ok_or_else(|| {
                FaultParseError(format!(
                    "fault {part:?}: retry-after must be seconds > 0 and ≤ 3600"
                ))
            }),
    }
}

impl FromStr for Faults {
    type Err = FaultParseError;

    fn from_str(s: &str) -> Result<Faults, FaultParseError> {
        let mut f = Faults::none();
        for part in s
            .split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty() && *p != "none")
        {
            let mut fields = part.split(':');
            let kind = fields.next().unwrap_or_default();
            let n = fields.next();
            let mut extra = fields.next();
            match kind {
                "429" => {
                    f.rate_limit = Some(RateLimitFault {
                        every: count(part, n)?,
                        retry_after_secs: seconds(part, extra)?,
                    });
                    extra = fields.next();
                }
                "500" => f.error_500_every = Some(count(part, n)?),
                "503" => f.unavailable_503_every = Some(count(part, n)?),
                "slow" => {
                    f.slow_ms = Some(n.and_then(|r| r.parse().ok()).ok_or_else(|| {
                        FaultParseError(format!("fault {part:?}: expected milliseconds after ':'"))
                    })?)
                }
                "trunc" => f.truncate_every = Some(count(part, n)?),
                "down" => f.down_after = Some(count(part, n)?),
                "late" if n.is_none() => f.late = true,
                _ => {
                    return Err(FaultParseError(format!(
                        "unknown fault {part:?}: use 429:N[:SECS], 500:N, 503:N, slow:MS, trunc:N, late or down:N"
                    )));
                }
            }
            if extra.is_some() {
                return Err(FaultParseError(format!(
                    "fault {part:?}: too many ':' fields"
                )));
            }
        }
        Ok(f)
    }
}

impl fmt::Display for Faults {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(r) = &self.rate_limit {
            parts.push(format!("429:{}:{}", r.every, r.retry_after_secs));
        }
        if let Some(n) = self.error_500_every {
            parts.push(format!("500:{n}"));
        }
        if let Some(n) = self.unavailable_503_every {
            parts.push(format!("503:{n}"));
        }
        if let Some(ms) = self.slow_ms {
            parts.push(format!("slow:{ms}"));
        }
        if let Some(n) = self.truncate_every {
            parts.push(format!("trunc:{n}"));
        }
        if self.late {
            parts.push("late".into());
        }
        if let Some(n) = self.down_after {
            parts.push(format!("down:{n}"));
        }
        f.write_str(&parts.join(","))
    }
}

/// The wait a 429 asks for: `retry-after` in whole seconds (≥ 1, rounded up) and
/// `retry-after-ms` exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryAfter {
    /// `retry-after`
    pub secs: u64,
    /// `retry-after-ms`
    pub ms: u64,
}

/// What to do to one request.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decision {
    /// Delay before answering.
    pub delay: Option<Duration>,
    /// Answer this status instead of serving: 429, 500 or 503.
    pub status: Option<u16>,
    /// The fault kind for the stats: `429`, `500`, `503` or `down`.
    pub status_kind: Option<&'static str>,
    /// The wait a 429 asks for.
    pub retry_after: Option<RetryAfter>,
    /// Cut the body off half-way.
    pub truncate: bool,
    /// Grow late data after a usage/costs request.
    pub late: bool,
}

/// Faults in force plus the per-key request counters.
#[derive(Debug, Default)]
pub struct FaultState {
    faults: Faults,
    counters: HashMap<String, u64>,
}

impl FaultState {
    /// Replaces the faults and restarts every key's count.
    pub fn set(&mut self, faults: Faults) {
        self.faults = faults;
        self.counters.clear();
    }

    /// The faults in force.
    pub fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Counts a request of `key` and decides its fate.
    pub fn decide(&mut self, key: &str) -> Decision {
        let n = self.counters.entry(key.to_string()).or_insert(0);
        *n += 1;
        let n = *n;
        let f = &self.faults;
        let hit = |every: Option<u64>| every.is_some_and(|e| n.is_multiple_of(e));
        let mut d = Decision {
            delay: f.slow_ms.map(Duration::from_millis),
            late: f.late,
            ..Decision::default()
        };
        if f.down_after.is_some_and(|after| n > after) {
            (d.status, d.status_kind) = (Some(500), Some("down"));
        } else if let Some(r) = f.rate_limit.as_ref().filter(|r| n.is_multiple_of(r.every)) {
            (d.status, d.status_kind) = (Some(429), Some("429"));
            let ms = (r.retry_after_secs * 1000.0).round() as u64;
            d.retry_after = Some(RetryAfter {
                secs: ms.div_ceil(1000).max(1),
                ms,
            });
        } else if hit(f.unavailable_503_every) {
            (d.status, d.status_kind) = (Some(503), Some("503"));
        } else if hit(f.error_500_every) {
            (d.status, d.status_kind) = (Some(500), Some("500"));
        } else if hit(f.truncate_every) {
            d.truncate = true;
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_the_cli_form() {
        let f: Faults = "429:5,500:7,slow:100,trunc:9,late".parse().unwrap();
        assert_eq!(f.rate_limit.as_ref().unwrap().retry_after_secs, 1.0);
        assert_eq!(f.to_string(), "429:5:1,500:7,slow:100,trunc:9,late");
        let g: Faults = "429:2:0.05,503:3,down:4".parse().unwrap();
        assert_eq!(
            g,
            Faults::none()
                .with_rate_limit(2, 0.05)
                .with_503(3)
                .with_down_after(4)
        );
        assert_eq!("".parse::<Faults>().unwrap(), Faults::none());
        for bad in [
            "429",
            "429:0",
            "500:x",
            "slow",
            "boom:1",
            "late:1",
            "500:1:2",
            "429:1:0",
            "429:1:2:3",
            "529:1",
        ] {
            assert!(bad.parse::<Faults>().is_err(), "{bad}");
        }
    }

    #[test]
    fn counters_are_per_key_restart_and_round_retry_after_up() {
        let mut s = FaultState::default();
        s.set("429:2:0.05,down:5".parse().unwrap());
        let a: Vec<Option<u16>> = (0..6).map(|_| s.decide("a").status).collect();
        assert_eq!(a, [None, Some(429), None, Some(429), None, Some(500)]);
        assert_eq!(s.decide("b").status, None);
        s.set("429:1:2.5".parse().unwrap());
        assert_eq!(
            s.decide("a").retry_after,
            Some(RetryAfter { secs: 3, ms: 2_500 })
        );
        s.set("429:1:0.05".parse().unwrap());
        assert_eq!(
            s.decide("a").retry_after,
            Some(RetryAfter { secs: 1, ms: 50 })
        );
        s.set(Faults::none().with_truncation(1));
        assert!(s.decide("a").truncate);
    }
}

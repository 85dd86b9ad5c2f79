//! Time arithmetic: bucket widths, alignment, RFC 3339 rendering.

use chrono::{DateTime, SecondsFormat, Utc};

/// A bucket width of the reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Width {
    /// `1m`
    Minute,
    /// `1h`
    Hour,
    /// `1d`
    Day,
}

impl Width {
    /// Parses `1m`, `1h` or `1d`.
    pub fn parse(s: &str) -> Option<Width> {
        match s {
            "1m" => Some(Width::Minute),
            "1h" => Some(Width::Hour),
            "1d" => Some(Width::Day),
            _ => None,
        }
    }

    /// Length in seconds.
    pub fn secs(self) -> i64 {
        match self {
            Width::Minute => 60,
            Width::Hour => 3_600,
            Width::Day => 86_400,
        }
    }

    /// (default, maximum) buckets per page of the usage report.
    pub fn limits(self) -> (u32, u32) {
        match self {
            Width::Minute => (60, 1_440),
            Width::Hour => (24, 168),
            Width::Day => (7, 31),
        }
    }
}

/// Seconds since the epoch of `t`, rounded down to whole seconds.
pub fn secs(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

/// `t` rounded down to a multiple of `width` seconds since the epoch (UTC boundaries).
pub fn floor(t: i64, width: i64) -> i64 {
    t.div_euclid(width) * width
}

/// `t` rounded up to a multiple of `width`.
pub fn ceil(t: i64, width: i64) -> i64 {
    -floor(-t, width)
}

/// Rounds a timestamp with sub-second precision up to the next whole second.
pub fn ceil_secs(t: DateTime<Utc>) -> i64 {
    if t.timestamp_subsec_nanos() > 0 {
        t.timestamp() + 1
    } else {
        t.timestamp()
    }
}

/// `2025-08-01T00:00:00Z` for an epoch second.
pub fn rfc3339(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .expect("timestamp in range")
        .to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// `2024-10-30T23:58:27.427722Z`: object timestamps carry microseconds.
pub fn rfc3339_micros(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Micros, true)
}

/// `2025-08-01` for an epoch second.
pub fn date(t: i64) -> String {
    DateTime::from_timestamp(t, 0)
        .expect("timestamp in range")
        .format("%Y-%m-%d")
        .to_string()
}

/// Parses an RFC 3339 timestamp into UTC.
pub fn parse_rfc3339(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment() {
        assert_eq!(floor(3_599, 3_600), 0);
        assert_eq!(ceil(1, 3_600), 3_600);
        assert_eq!(ceil(3_600, 3_600), 3_600);
        assert_eq!(floor(-1, 60), -60);
        let t = parse_rfc3339("2024-10-30T23:58:27.427722Z").unwrap();
        assert_eq!(ceil_secs(t), secs(t) + 1);
        assert_eq!(rfc3339_micros(t), "2024-10-30T23:58:27.427722Z");
        assert_eq!(rfc3339(86_400), "1970-01-02T00:00:00Z");
        assert_eq!(date(86_400), "1970-01-02");
    }
}

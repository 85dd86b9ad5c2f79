//! Time arithmetic: bucket widths and alignment on UTC boundaries.

/// A bucket width of the usage endpoints.
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

    /// (default, maximum) buckets per page of the usage endpoints.
    pub fn limits(self) -> (u32, u32) {
        match self {
            Width::Minute => (60, 1_440),
            Width::Hour => (24, 168),
            Width::Day => (7, 31),
        }
    }
}

/// Seconds in an hour.
pub const HOUR: i64 = 3_600;
/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// `t` rounded down to a multiple of `width` seconds since the epoch (UTC boundaries).
pub fn floor(t: i64, width: i64) -> i64 {
    t.div_euclid(width) * width
}

/// `t` rounded up to a multiple of `width`.
pub fn ceil(t: i64, width: i64) -> i64 {
    -floor(-t, width)
}

/// `2025-08-01` for an epoch second.
pub fn date(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .expect("timestamp in range")
        .format("%Y-%m-%d")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment() {
        assert_eq!(floor(3_599, HOUR), 0);
        assert_eq!(ceil(1, HOUR), HOUR);
        assert_eq!(ceil(HOUR, HOUR), HOUR);
        assert_eq!(floor(-1, 60), -60);
        assert_eq!(date(DAY), "1970-01-02");
        assert_eq!(Width::parse("1d").unwrap().limits(), (7, 31));
    }
}

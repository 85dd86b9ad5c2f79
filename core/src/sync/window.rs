//! Window arithmetic: which range a stream syncs next.
//!
//! A stream's next window is `[max(first_start, watermark - lookback), now)`, where the
//! watermark is the end of the last complete bucket committed and `first_start` is where the
//! stream's history begins (`now - initial_backfill` on a plan's first sync). A backfill
//! names its range explicitly and never moves the watermark back.

use chrono::{DateTime, TimeDelta, Utc};

pub use crate::clock::{ceil_to, floor_to};
use crate::store::Watermark;

/// A half-open range of instants, aligned to a bucket width.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Window {
    /// First instant (a bucket boundary).
    pub start: DateTime<Utc>,
    /// End (a bucket boundary, exclusive).
    pub end: DateTime<Utc>,
}

/// What a stream needs to know to pick its next window.
#[derive(Clone, Copy, Debug)]
pub struct WindowInputs {
    /// The current instant.
    pub now: DateTime<Utc>,
    /// Bucket width in seconds.
    pub width_secs: i64,
    /// How far back a plan's first sync reaches.
    pub initial_backfill: TimeDelta,
    /// How much of the recent past is synced again, because recent buckets still change.
    pub lookback: TimeDelta,
    /// An explicit range to re-sync instead.
    pub backfill: Option<(DateTime<Utc>, DateTime<Utc>)>,
}

/// The next window of a stream and the `first_start` to record, or `None` when there is no
/// complete bucket to fetch.
pub fn next_window(
    inputs: WindowInputs,
    stored: Option<&Watermark>,
) -> Option<(Window, DateTime<Utc>)> {
    let w = inputs.width_secs;
    let end = floor_to(inputs.now, w);
    let (start, end) = match inputs.backfill {
        Some((from, to)) => (ceil_to(from, w), floor_to(to.min(inputs.now), w)),
        None => {
            let first = stored
                .map(|s| s.first_start)
                .unwrap_or_else(|| inputs.now - inputs.initial_backfill);
            let from = match stored {
                Some(s) => (s.watermark - inputs.lookback).max(first),
                None => first,
            };
            (ceil_to(from, w), end)
        }
    };
    if start >= end {
        return None;
    }
    let first_start = match stored {
        Some(s) => s.first_start.min(start),
        None => start,
    };
    Some((Window { start, end }, first_start))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, m, 0).unwrap()
    }

    fn inputs(now: DateTime<Utc>) -> WindowInputs {
        WindowInputs {
            now,
            width_secs: 3600,
            initial_backfill: TimeDelta::days(30),
            lookback: TimeDelta::days(2),
            backfill: None,
        }
    }

    #[test]
    fn first_sync_reaches_back_the_initial_backfill() {
        let (w, first) = next_window(inputs(at(20, 10, 30)), None).unwrap();
        assert_eq!(
            w.start,
            Utc.with_ymd_and_hms(2026, 10, 21, 11, 0, 0).unwrap()
        );
        assert_eq!(w.end, at(20, 10, 0));
        assert_eq!(first, w.start);
    }

    #[test]
    fn later_syncs_look_back_from_the_watermark_but_not_before_first_start() {
        let stored = Watermark {
            watermark: at(19, 5, 0),
            first_start: at(1, 0, 0),
        };
        let (w, first) = next_window(inputs(at(20, 10, 30)), Some(&stored)).unwrap();
        assert_eq!(
            (w.start, w.end, first),
            (at(17, 5, 0), at(20, 10, 0), at(1, 0, 0))
        );
        let young = Watermark {
            watermark: at(19, 5, 0),
            first_start: at(18, 0, 0),
        };
        let (w, _) = next_window(inputs(at(20, 10, 30)), Some(&young)).unwrap();
        assert_eq!(w.start, at(18, 0, 0));
    }

    #[test]
    fn backfill_uses_its_range_and_keeps_the_earliest_first_start() {
        let stored = Watermark {
            watermark: at(19, 0, 0),
            first_start: at(10, 0, 0),
        };
        let mut i = inputs(at(20, 0, 0));
        i.backfill = Some((at(2, 0, 30), at(25, 0, 0)));
        let (w, first) = next_window(i, Some(&stored)).unwrap();
        assert_eq!(
            (w.start, w.end, first),
            (at(2, 1, 0), at(20, 0, 0), at(2, 1, 0))
        );
    }

    #[test]
    fn nothing_to_fetch_inside_one_bucket() {
        let stored = Watermark {
            watermark: at(20, 10, 0),
            first_start: at(20, 10, 0),
        };
        let mut i = inputs(at(20, 10, 59));
        i.lookback = TimeDelta::zero();
        assert!(next_window(i, Some(&stored)).is_none());
    }

    #[test]
    fn day_width_floors_to_midnight_utc() {
        let mut i = inputs(at(20, 10, 30));
        i.width_secs = 86_400;
        i.lookback = TimeDelta::days(3);
        let stored = Watermark {
            watermark: at(19, 0, 0),
            first_start: at(1, 0, 0),
        };
        let (w, _) = next_window(i, Some(&stored)).unwrap();
        assert_eq!((w.start, w.end), (at(16, 0, 0), at(20, 0, 0)));
        assert_eq!(ceil_to(at(16, 0, 0), 86_400), at(16, 0, 0));
        assert_eq!(floor_to(at(16, 23, 59), 86_400), at(16, 0, 0));
    }
}

//! From a period to the ranges the rollups answer: whole UTC days from the daily rollup, and
//! the partial days at its edges from the hourly facts.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveTime};

use super::period::Period;
use crate::error::Result;
use crate::model::{Basis, Money, TokenCounts};
use crate::store::{FactSum, Grain, Piece, SeriesOf, Store, SumOver};

pub(crate) const HOUR: i64 = 3_600;
pub(crate) const DAY: i64 = 86_400;

/// The Unix-second ranges a period covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Span {
    /// First hour (the period's first instant, floored to the hour).
    pub start: i64,
    /// End (exclusive).
    pub end: i64,
    /// Whole UTC days inside, if any.
    pub days: Option<(i64, i64)>,
    /// The hours before and after the whole days.
    pub edges: Vec<(i64, i64)>,
}

impl Span {
    /// The span of a period. Zones with offsets of a fraction of an hour are taken to the
    /// whole hour (the facts are hourly).
    pub(crate) fn of(period: &Period) -> Span {
        let start = period.start_instant().timestamp().div_euclid(HOUR) * HOUR;
        let end = period.end_instant().timestamp().div_euclid(HOUR) * HOUR;
        let first_day =
            start.div_euclid(DAY) * DAY + if start.rem_euclid(DAY) == 0 { 0 } else { DAY };
        let last_day = end.div_euclid(DAY) * DAY;
        if first_day < last_day {
            let edges = [(start, first_day), (last_day, end)]
                .into_iter()
                .filter(|(a, b)| a < b)
                .collect();
            Span {
                start,
                end,
                days: Some((first_day, last_day)),
                edges,
            }
        } else {
            Span {
                start,
                end,
                days: None,
                edges: vec![(start, end)],
            }
        }
    }

    /// True when the period is whole UTC days (a UTC period): daily rollups answer it all.
    pub(crate) fn is_whole_days(&self) -> bool {
        self.edges.is_empty()
    }
}

/// The first whole hour at or after `t`.
pub(crate) fn ceil_hour(t: i64) -> i64 {
    t.div_euclid(HOUR) * HOUR + if t.rem_euclid(HOUR) == 0 { 0 } else { HOUR }
}

/// Bucket bounds for reading a period per local day with hourly data: the span's start and
/// end, each local midnight inside (rounded up to the hour: an hour belongs to the date of its
/// start), and the `cuts` (hours where keys change hands), increasing.
pub(crate) fn day_bounds(period: &Period, span: &Span, cuts: &BTreeSet<i64>) -> Vec<i64> {
    let mut bounds: BTreeSet<i64> = [span.start, span.end].into();
    for date in period.each_date() {
        bounds.insert(ceil_hour(
            Period::midnight(period.time_zone, date).timestamp(),
        ));
    }
    bounds.extend(cuts.iter().copied());
    bounds.retain(|b| span.start <= *b && *b <= span.end);
    bounds.into_iter().collect()
}

/// Relative cost of reading one bucket of each grain: a month has about as many rows as its
/// busiest days (one per dimension), a day more than an hour (its dimensions of every hour).
const MONTH_COST: i64 = 4;
const DAY_COST: i64 = 3;
const HOUR_COST: i64 = 1;

fn month_bounds(at: i64) -> (i64, i64) {
    let date = DateTime::from_timestamp(at, 0)
        .expect("an instant in range")
        .date_naive();
    let first = date.with_day(1).expect("every month has a first day");
    let ts = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc().timestamp();
    (ts(first), ts(first + Months::new(1)))
}

fn piece(grain: Grain, from: i64, to: i64, minus: bool) -> Piece {
    Piece {
        grain,
        from,
        to,
        minus,
    }
}

/// `[a, b)` (hour-aligned) as whole days and the hours around them.
fn days_and_hours(a: i64, b: i64, minus: bool) -> Vec<Piece> {
    let piece = |grain, from, to| piece(grain, from, to, minus);
    if a >= b {
        return Vec::new();
    }
    let first_day = a.div_euclid(DAY) * DAY + if a.rem_euclid(DAY) == 0 { 0 } else { DAY };
    let last_day = b.div_euclid(DAY) * DAY;
    if first_day >= last_day {
        return vec![piece(Grain::Hour, a, b)];
    }
    let mut out = Vec::new();
    if a < first_day {
        out.push(piece(Grain::Hour, a, first_day));
    }
    out.push(piece(Grain::Day, first_day, last_day));
    if last_day < b {
        out.push(piece(Grain::Hour, last_day, b));
    }
    out
}

fn cost(pieces: &[Piece]) -> i64 {
    pieces
        .iter()
        .map(|p| match p.grain {
            Grain::Month => MONTH_COST,
            Grain::Day => DAY_COST * (p.to - p.from) / DAY,
            Grain::Hour => HOUR_COST * (p.to - p.from) / HOUR,
        })
        .sum()
}

/// The hours `[a, b)` (hour-aligned) as UTC days and hours, each edge read the cheaper way:
/// the hours from it to the next midnight added, or its whole UTC day read and the hours from
/// the midnight before subtracted. A Los Angeles day is then its UTC day minus that day's first
/// seven hours plus the next day's first seven: 14 hours and one day rather than 24 hours.
pub(crate) fn day_cover(a: i64, b: i64) -> Vec<Piece> {
    if a >= b {
        return Vec::new();
    }
    let floor = |t: i64| t.div_euclid(DAY) * DAY;
    let (fa, fb) = (floor(a), floor(b));
    if fa == fb {
        // Inside one UTC day: its hours, or the day without the hours around them.
        let direct = vec![piece(Grain::Hour, a, b, false)];
        let mut via = vec![piece(Grain::Day, fa, fa + DAY, false)];
        via.extend(days_and_hours(fa, a, true));
        via.extend(days_and_hours(b, fa + DAY, true));
        return if cost(&via) < cost(&direct) {
            via
        } else {
            direct
        };
    }
    let mut out = Vec::new();
    let first_day = if a == fa || a - fa < fa + DAY - a {
        if a > fa {
            out.push(piece(Grain::Hour, fa, a, true));
        }
        fa
    } else {
        out.push(piece(Grain::Hour, a, fa + DAY, false));
        fa + DAY
    };
    let last_day = if b == fb || b - fb <= fb + DAY - b {
        if b > fb {
            out.push(piece(Grain::Hour, fb, b, false));
        }
        fb
    } else {
        out.push(piece(Grain::Hour, b, fb + DAY, true));
        fb + DAY
    };
    if first_day < last_day {
        out.push(piece(Grain::Day, first_day, last_day, false));
    }
    out
}

/// The cheapest way to read the hours `[start, end)` from the rollups: whole UTC months from
/// the monthly rollup, whole days from the daily one, hours from the facts; and a month that
/// is mostly inside is read whole with its outside part subtracted (a Los Angeles month is
/// the UTC month minus its first seven or eight hours plus as many of the next month's).
/// Money and token counts are integers, so the subtraction is exact.
pub(crate) fn cover(start: i64, end: i64) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut whole: Option<(i64, i64)> = None;
    let mut at = start;
    while at < end {
        let (month, next) = month_bounds(at);
        let (a, b) = (at.max(month), end.min(next));
        if a == month && b == next {
            whole = Some((whole.map_or(month, |w| w.0), next));
        } else {
            let direct = days_and_hours(a, b, false);
            let mut via = vec![Piece {
                grain: Grain::Month,
                from: month,
                to: next,
                minus: false,
            }];
            via.extend(days_and_hours(month, a, true));
            via.extend(days_and_hours(b, next, true));
            out.extend(if cost(&via) < cost(&direct) {
                via
            } else {
                direct
            });
        }
        at = next;
    }
    if let Some((from, to)) = whole {
        out.push(Piece {
            grain: Grain::Month,
            from,
            to,
            minus: false,
        });
    }
    out
}

/// Fact sums over the hours `[start, end)`, by plan, dimension and basis (not by time), read
/// along [`cover`] in one query.
pub(crate) async fn sums_over(
    store: &dyn Store,
    plan_ids: &[i64],
    (start, end): (i64, i64),
    dims: Option<&[i64]>,
) -> Result<Vec<FactSum>> {
    let pieces = cover(start, end);
    store
        .sum_costs(plan_ids, SumOver::Pieces(&pieces), dims)
        .await
}

/// Fact sums over a span, by plan, dimension and basis ([`sums_over`]).
pub(crate) async fn sums_by_dim(
    store: &dyn Store,
    plan_ids: &[i64],
    span: &Span,
    dims: Option<&[i64]>,
) -> Result<Vec<FactSum>> {
    sums_over(store, plan_ids, (span.start, span.end), dims).await
}

/// Usage over a span, by plan and dimension, read along the same cover as the cost.
pub(crate) async fn tokens_by_dim(
    store: &dyn Store,
    plan_ids: &[i64],
    span: &Span,
) -> Result<Vec<(i64, i64, TokenCounts)>> {
    let pieces = cover(span.start, span.end);
    store.sum_usage(plan_ids, SumOver::Pieces(&pieces)).await
}

/// The cost series of the local days `bounds` (each `[bounds[i], bounds[i + 1])`), one row per
/// day and basis at the day's start: the UTC days and edge hours of each day's
/// [`day_cover`], read in two queries and added up per day.
pub(crate) async fn local_day_rows(
    store: &dyn Store,
    plan_ids: &[i64],
    bounds: &[i64],
    of: SeriesOf<'_>,
) -> Result<Vec<(i64, Basis, Money)>> {
    let covers: Vec<(i64, Vec<Piece>)> = bounds
        .windows(2)
        .map(|w| (w[0], day_cover(w[0], w[1])))
        .collect();
    let pieces = || covers.iter().flat_map(|(_, p)| p);
    let days =
        pieces()
            .filter(|p| p.grain == Grain::Day)
            .fold(None, |hull: Option<(i64, i64)>, p| {
                Some(hull.map_or((p.from, p.to), |(a, b)| (a.min(p.from), b.max(p.to))))
            });
    // The edge hours, merged into increasing disjoint ranges (a day's subtracted hours are
    // the next day's added ones).
    let mut edges: Vec<(i64, i64)> = pieces()
        .filter(|p| p.grain == Grain::Hour)
        .map(|p| (p.from, p.to))
        .collect();
    edges.sort_unstable();
    let mut hours: Vec<(i64, i64)> = Vec::new();
    for (from, to) in edges {
        match hours.last_mut() {
            Some(last) if from <= last.1 => last.1 = last.1.max(to),
            _ => hours.push((from, to)),
        }
    }
    let read_days = async {
        match days {
            Some((from, to)) => {
                store
                    .cost_series(plan_ids, SumOver::Each(Grain::Day, from, to), of)
                    .await
            }
            None => Ok(Vec::new()),
        }
    };
    let (day_rows, hour_rows) = futures::try_join!(
        read_days,
        store.cost_series(plan_ids, SumOver::Hours(&hours), of)
    )?;
    let index = |rows: Vec<(i64, Basis, Money)>| {
        let mut map: HashMap<i64, Vec<(Basis, Money)>> = HashMap::new();
        for (at, basis, amount) in rows {
            map.entry(at).or_default().push((basis, amount));
        }
        map
    };
    let (by_day, by_hour) = (index(day_rows), index(hour_rows));
    let mut out = Vec::new();
    for (start, cover) in &covers {
        let mut sums: BTreeMap<Basis, i64> = BTreeMap::new();
        for p in cover {
            let (map, step) = match p.grain {
                Grain::Day => (&by_day, DAY),
                _ => (&by_hour, HOUR),
            };
            for at in (p.from..p.to).step_by(step as usize) {
                for (basis, amount) in map.get(&at).into_iter().flatten() {
                    let n = amount.nanos();
                    *sums.entry(*basis).or_default() += if p.minus { -n } else { n };
                }
            }
        }
        out.extend(
            sums.into_iter()
                .map(|(basis, n)| (*start, basis, Money::from_nanos(n))),
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_months_are_whole_days_and_zones_have_edges() {
        let utc = Span::of(&"2026-11".parse().unwrap());
        assert!(utc.is_whole_days());
        assert_eq!(utc.days.unwrap().1 - utc.days.unwrap().0, 30 * DAY);
        let la = Span::of(&"2026-11 America/Los_Angeles".parse().unwrap());
        assert_eq!(la.edges.len(), 2);
        assert_eq!(la.edges[0].1 - la.edges[0].0, 17 * HOUR); // Nov 1 07:00 to midnight
        assert_eq!(la.edges[1].1 - la.edges[1].0, 8 * HOUR); // Dec 1 to 08:00
        let day = Span::of(&"2026-11-05 Asia/Tokyo".parse().unwrap());
        assert_eq!(day.days, None);
        assert_eq!(day.end - day.start, 24 * HOUR);
    }

    fn at(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text).unwrap().timestamp()
    }

    fn piece(grain: Grain, from: &str, to: &str, minus: bool) -> Piece {
        Piece {
            grain,
            from: at(from),
            to: at(to),
            minus,
        }
    }

    /// The hours a cover counts, each once, with nothing outside.
    fn assert_covers(pieces: &[Piece], start: i64, end: i64) {
        let mut count: std::collections::BTreeMap<i64, i64> = Default::default();
        for p in pieces {
            let step = match p.grain {
                Grain::Hour => HOUR,
                Grain::Day => DAY,
                Grain::Month => 0,
            };
            let mut bucket = p.from;
            while bucket < p.to {
                let bucket_end = if step == 0 {
                    month_bounds(bucket).1
                } else {
                    bucket + step
                };
                for h in (bucket..bucket_end).step_by(HOUR as usize) {
                    *count.entry(h).or_default() += if p.minus { -1 } else { 1 };
                }
                bucket = bucket_end;
            }
        }
        count.retain(|_, c| *c != 0);
        let expected: std::collections::BTreeMap<i64, i64> = (start..end)
            .step_by(HOUR as usize)
            .map(|h| (h, 1))
            .collect();
        assert_eq!(count, expected);
    }

    #[test]
    fn a_local_day_is_its_utc_days_plus_and_minus_the_cheaper_hours() {
        let h = |day: i64, hour: i64| day * DAY + hour * HOUR;
        let sum = |pieces: &[Piece]| -> i64 {
            // Every hour counted with its sign: the pieces must cover [a, b) exactly once.
            pieces
                .iter()
                .map(|p| {
                    let n = (p.to - p.from) / HOUR;
                    if p.minus { -n } else { n }
                })
                .sum()
        };
        // Los Angeles (UTC-7): day 10 minus its first 7 hours, plus day 11's first 7.
        let la = day_cover(h(10, 7), h(11, 7));
        assert_eq!(
            la,
            vec![
                Piece {
                    grain: Grain::Hour,
                    from: h(10, 0),
                    to: h(10, 7),
                    minus: true
                },
                Piece {
                    grain: Grain::Hour,
                    from: h(11, 0),
                    to: h(11, 7),
                    minus: false
                },
                Piece {
                    grain: Grain::Day,
                    from: h(10, 0),
                    to: h(11, 0),
                    minus: false
                },
            ]
        );
        assert_eq!(sum(&la), 24);
        // Tokyo (UTC+9): the last 9 hours of day 9, then day 10 minus its last 9.
        let tokyo = day_cover(h(9, 15), h(10, 15));
        assert_eq!(
            tokyo,
            vec![
                Piece {
                    grain: Grain::Hour,
                    from: h(9, 15),
                    to: h(10, 0),
                    minus: false
                },
                Piece {
                    grain: Grain::Hour,
                    from: h(10, 15),
                    to: h(11, 0),
                    minus: true
                },
                Piece {
                    grain: Grain::Day,
                    from: h(10, 0),
                    to: h(11, 0),
                    minus: false
                },
            ]
        );
        // A 25-hour day (the end of daylight saving time), a UTC day, hours inside a day.
        assert_eq!(sum(&day_cover(h(10, 7), h(11, 8))), 25);
        assert_eq!(
            day_cover(h(10, 0), h(11, 0)),
            vec![Piece {
                grain: Grain::Day,
                from: h(10, 0),
                to: h(11, 0),
                minus: false
            }]
        );
        assert_eq!(
            day_cover(h(10, 3), h(10, 5)),
            vec![Piece {
                grain: Grain::Hour,
                from: h(10, 3),
                to: h(10, 5),
                minus: false
            }]
        );
        assert_eq!(sum(&day_cover(h(10, 1), h(10, 23))), 22);
        assert!(day_cover(h(10, 1), h(10, 1)).is_empty());
    }

    #[test]
    fn covers_read_months_days_and_hours_and_subtract_when_cheaper() {
        let z = "T00:00:00Z";
        let utc = Span::of(&"2026-10".parse().unwrap());
        assert_eq!(
            cover(utc.start, utc.end),
            vec![piece(
                Grain::Month,
                &format!("2026-10-01{z}"),
                &format!("2026-11-01{z}"),
                false
            )]
        );
        // Los Angeles: October minus its first 7 hours, plus November's first 7.
        let la = Span::of(&"2026-10 America/Los_Angeles".parse().unwrap());
        assert_eq!(
            cover(la.start, la.end),
            vec![
                piece(
                    Grain::Month,
                    &format!("2026-10-01{z}"),
                    &format!("2026-11-01{z}"),
                    false
                ),
                piece(
                    Grain::Hour,
                    &format!("2026-10-01{z}"),
                    "2026-10-01T07:00:00Z",
                    true
                ),
                piece(
                    Grain::Hour,
                    &format!("2026-11-01{z}"),
                    "2026-11-01T07:00:00Z",
                    false
                ),
            ]
        );
        assert_covers(&cover(la.start, la.end), la.start, la.end);
        // A week is read from days; a quarter from three months.
        let week = Span::of(&"2026-W45".parse().unwrap());
        assert_eq!(
            cover(week.start, week.end),
            vec![piece(
                Grain::Day,
                &format!("2026-11-02{z}"),
                &format!("2026-11-09{z}"),
                false
            )]
        );
        let quarter = Span::of(&"2026-07-01..2026-10-01".parse().unwrap());
        assert_eq!(cover(quarter.start, quarter.end).len(), 1);
        for text in [
            "2026-11-05 Asia/Tokyo",
            "2026-02-03..2026-05-28 Australia/Adelaide",
            "2028-02 Pacific/Kiritimati",
            "2026-03-08 America/Los_Angeles",
            "2026-01-01..2027-01-01",
            "2026-12-31..2027-01-02 Asia/Kolkata",
        ] {
            let s = Span::of(&text.parse().unwrap());
            assert_covers(&cover(s.start, s.end), s.start, s.end);
        }
    }
}

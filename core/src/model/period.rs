//! Report periods: calendar days, weeks and months in an IANA time zone.
//!
//! A period is a range of local dates `[start, end)` in a time zone; its instants run from
//! local midnight of `start` to local midnight of `end`, so a month in `America/Los_Angeles`
//! starts at 07:00 or 08:00 UTC depending on daylight saving, and a day with a DST change is
//! 23 or 25 hours long.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, Days, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use serde::Serialize;

use crate::error::{Error, Result};

/// A range of calendar dates in a time zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    /// First date (inclusive).
    pub start: NaiveDate,
    /// Date after the last (exclusive).
    pub end: NaiveDate,
    /// The time zone its dates are in.
    pub time_zone: Tz,
}

/// A period as reports write it: its dates, its zone's name and its text form.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(
    rename = "Period",
    description = "A range of calendar dates in a time zone, as a report covers it."
)]
struct PeriodForm {
    /// The first date, inclusive.
    start: NaiveDate,
    /// The date after the last, exclusive.
    end: NaiveDate,
    /// The IANA time zone its dates are in (`UTC`, `America/Los_Angeles`).
    time_zone: &'static str,
    /// The period as costledger writes it, which period arguments accept back: `2026-11`,
    /// `2026-11-05`, `2026-11-01..2026-11-16`, followed by the zone unless it is UTC.
    label: String,
}

impl Serialize for Period {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        PeriodForm {
            start: self.start,
            end: self.end,
            time_zone: self.time_zone.name(),
            label: self.to_string(),
        }
        .serialize(s)
    }
}

impl schemars::JsonSchema for Period {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Period".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        PeriodForm::json_schema(generator)
    }
}

/// Parse an IANA time zone name (`America/Los_Angeles`, `UTC`).
pub fn parse_time_zone(name: &str) -> Result<Tz> {
    let name = name.trim();
    name.parse::<Tz>()
        .or_else(|_| Tz::from_str_insensitive(name))
        .map_err(|_| {
            Error::invalid(format!(
                "time zone must be an IANA name such as UTC or America/Los_Angeles, got {name:?}"
            ))
        })
}

/// A `YYYY-MM-DD` date: `None` when the text has another shape, and an error that says so
/// when it has the shape but names a day the calendar does not have (`2027-02-29`).
fn calendar_date(text: &str) -> Option<Result<NaiveDate>> {
    let mut parts = text.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !(digits(y, 4) && digits(m, 2) && digits(d, 2)) {
        return None;
    }
    let (y, m, d): (i32, u32, u32) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    if !(1..=12).contains(&m) {
        return Some(Err(Error::invalid(format!(
            "{text} does not exist: month must be 01-12, got {m:02}"
        ))));
    }
    Some(NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| {
        let days = date(if m == 12 { y + 1 } else { y }, m % 12 + 1, 1)
            .ok()
            .and_then(|next| next.pred_opt())
            .map_or(31, |last| last.day());
        let month = date(y, m, 1).map_or_else(
            |_| format!("{y:04}-{m:02}"),
            |first| first.format("%B %Y").to_string(),
        );
        Error::invalid(format!("{text} does not exist: {month} has {days} days"))
    }))
}

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d)
        .ok_or_else(|| Error::invalid(format!("{y:04}-{m:02}-{d:02} is not a date")))
}

impl Period {
    /// The dates `[start, end)` in UTC.
    pub fn dates(start: NaiveDate, end: NaiveDate) -> Result<Period> {
        if end <= start {
            return Err(Error::invalid(format!(
                "a period must end after it starts, got {start} to {end}"
            )));
        }
        Ok(Period {
            start,
            end,
            time_zone: Tz::UTC,
        })
    }

    /// One calendar month in UTC.
    pub fn month(year: i32, month: u32) -> Result<Period> {
        if !(1..=12).contains(&month) {
            return Err(Error::invalid(format!("month must be 1-12, got {month}")));
        }
        let start = date(year, month, 1)?;
        let end = if month == 12 {
            date(year + 1, 1, 1)?
        } else {
            date(year, month + 1, 1)?
        };
        Period::dates(start, end)
    }

    /// One day in UTC.
    pub fn day(day: NaiveDate) -> Period {
        Period {
            start: day,
            end: day + Days::new(1),
            time_zone: Tz::UTC,
        }
    }

    /// The ISO week (Monday to Sunday) containing `day`, in UTC.
    pub fn week_of(day: NaiveDate) -> Period {
        let monday = day - Days::new(u64::from(day.weekday().num_days_from_monday()));
        Period {
            start: monday,
            end: monday + Days::new(7),
            time_zone: Tz::UTC,
        }
    }

    /// The same dates in another time zone.
    pub fn in_time_zone(mut self, time_zone: &str) -> Result<Period> {
        self.time_zone = parse_time_zone(time_zone)?;
        Ok(self)
    }

    /// The same dates in another time zone.
    pub fn with_time_zone(mut self, time_zone: Tz) -> Period {
        self.time_zone = time_zone;
        self
    }

    /// The instant local midnight of `date` falls on (the first valid instant after a DST
    /// gap at midnight).
    pub fn midnight(time_zone: Tz, date: NaiveDate) -> DateTime<Utc> {
        let local = date.and_time(NaiveTime::MIN);
        match time_zone.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
            LocalResult::None => {
                // Midnight skipped by a DST change: the day starts when clocks resume.
                (1..=180)
                    .find_map(|m| {
                        match time_zone.from_local_datetime(&(local + chrono::Duration::minutes(m)))
                        {
                            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
                                Some(t.with_timezone(&Utc))
                            }
                            LocalResult::None => None,
                        }
                    })
                    .expect("a DST gap lasts less than three hours")
            }
        }
    }

    /// The first instant of the period.
    pub fn start_instant(&self) -> DateTime<Utc> {
        Period::midnight(self.time_zone, self.start)
    }

    /// The instant after the period.
    pub fn end_instant(&self) -> DateTime<Utc> {
        Period::midnight(self.time_zone, self.end)
    }

    /// Its dates, in order.
    pub fn each_date(&self) -> impl Iterator<Item = NaiveDate> + '_ {
        self.start.iter_days().take_while(|d| *d < self.end)
    }

    /// Number of dates.
    pub fn len_days(&self) -> i64 {
        (self.end - self.start).num_days()
    }

    /// The date in the period's time zone of an instant.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.time_zone).date_naive()
    }
}

impl fmt::Display for Period {
    /// `2026-11` for a whole month, `2026-11-05` for a day, else `start..end`; the zone is
    /// appended when it is not UTC.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let whole_month = self.start.day() == 1
            && self.end
                == Period::month(self.start.year(), self.start.month())
                    .map(|p| p.end)
                    .unwrap_or(self.end);
        if whole_month {
            write!(f, "{}", self.start.format("%Y-%m"))?;
        } else if self.len_days() == 1 {
            write!(f, "{}", self.start)?;
        } else {
            write!(f, "{}..{}", self.start, self.end)?;
        }
        if self.time_zone != Tz::UTC {
            write!(f, " {}", self.time_zone.name())?;
        }
        Ok(())
    }
}

impl FromStr for Period {
    type Err = Error;

    /// `2026-11` (a month), `2026-11-05` (a day), `2026-W45` (an ISO week), or
    /// `2026-11-01..2026-11-16` (dates, end exclusive); optionally followed by a space and an
    /// IANA time zone (`2026-11 America/Los_Angeles`).
    fn from_str(text: &str) -> Result<Period> {
        let text = text.trim();
        let (range, zone) = match text.split_once(' ') {
            Some((r, z)) => (r, Some(z)),
            None => (text, None),
        };
        let bad = || {
            Error::invalid(format!(
                "period must look like 2026-11, 2026-11-05, 2026-W45 or 2026-11-01..2026-11-16 \
                 (optionally followed by a time zone), got {text:?}"
            ))
        };
        let parse_date = |s: &str| calendar_date(s).ok_or_else(bad)?;
        let period = if let Some((a, b)) = range.split_once("..") {
            Period::dates(parse_date(a)?, parse_date(b)?)?
        } else if let Some((y, w)) = range.split_once("-W") {
            let year: i32 = y.parse().map_err(|_| bad())?;
            let week: u32 = w.parse().map_err(|_| bad())?;
            if !(1..=53).contains(&week) {
                return Err(bad());
            }
            let monday = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(|| {
                Error::invalid(format!(
                    "week {year}-W{week:02} does not exist: {year} has 52 ISO weeks"
                ))
            })?;
            Period::week_of(monday)
        } else if range.len() == 7 {
            let (y, m) = range.split_once('-').ok_or_else(bad)?;
            Period::month(y.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?)?
        } else {
            Period::day(parse_date(range)?)
        };
        match zone {
            Some(z) => period.in_time_zone(z),
            None => Ok(period),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(y: i32, m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, m, d, h, 0, 0).unwrap()
    }

    #[test]
    fn months_in_los_angeles_follow_daylight_saving() {
        let nov = "2026-11 America/Los_Angeles".parse::<Period>().unwrap();
        assert_eq!(nov.start_instant(), utc(2026, 11, 1, 7)); // PDT until Nov 1 09:00 UTC
        assert_eq!(nov.end_instant(), utc(2026, 12, 1, 8)); // PST
        let march = Period::month(2026, 3)
            .unwrap()
            .in_time_zone("America/Los_Angeles")
            .unwrap();
        assert_eq!(march.start_instant(), utc(2026, 3, 1, 8));
        assert_eq!(march.end_instant(), utc(2026, 4, 1, 7));
        let utc_nov = "2026-11".parse::<Period>().unwrap();
        assert_eq!(
            (utc_nov.start_instant(), utc_nov.end_instant()),
            (utc(2026, 11, 1, 0), utc(2026, 12, 1, 0))
        );
        assert_eq!(nov.to_string(), "2026-11 America/Los_Angeles");
    }

    #[test]
    fn a_dst_day_is_23_or_25_hours() {
        let spring = Period::day(NaiveDate::from_ymd_opt(2026, 3, 8).unwrap())
            .in_time_zone("America/Los_Angeles")
            .unwrap();
        assert_eq!(
            (spring.end_instant() - spring.start_instant()).num_hours(),
            23
        );
        let fall = Period::day(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap())
            .in_time_zone("America/Los_Angeles")
            .unwrap();
        assert_eq!((fall.end_instant() - fall.start_instant()).num_hours(), 25);
    }

    #[test]
    fn leap_days_weeks_and_ranges() {
        let feb = "2028-02".parse::<Period>().unwrap();
        assert_eq!(feb.len_days(), 29);
        assert_eq!("2027-02".parse::<Period>().unwrap().len_days(), 28);
        let week = "2026-W45".parse::<Period>().unwrap();
        assert_eq!(week.start, NaiveDate::from_ymd_opt(2026, 11, 2).unwrap());
        assert_eq!(week.len_days(), 7);
        let range = "2026-11-01..2026-11-16".parse::<Period>().unwrap();
        assert_eq!(range.len_days(), 15);
        assert_eq!(range.to_string(), "2026-11-01..2026-11-16");
        assert_eq!(
            "2026-02-29".parse::<Period>().unwrap_err().code(),
            "INVALID_INPUT"
        );
    }

    #[test]
    fn impossible_dates_say_they_do_not_exist() {
        for (text, says) in [
            (
                "2027-02-29",
                "2027-02-29 does not exist: February 2027 has 28 days",
            ),
            (
                "2026-04-31",
                "2026-04-31 does not exist: April 2026 has 30 days",
            ),
            (
                "2026-13-01",
                "2026-13-01 does not exist: month must be 01-12, got 13",
            ),
            (
                "2026-11-01..2027-02-29",
                "2027-02-29 does not exist: February 2027 has 28 days",
            ),
            ("2027-02-29 Europe/Paris", "February 2027 has 28 days"),
            (
                "2027-W53",
                "week 2027-W53 does not exist: 2027 has 52 ISO weeks",
            ),
        ] {
            let e = text.parse::<Period>().unwrap_err();
            assert_eq!(e.code(), "INVALID_INPUT", "{text}");
            assert!(e.to_string().contains(says), "{text}: {e}");
            assert!(!e.to_string().contains("must look like"), "{text}: {e}");
        }
        assert_eq!("2028-02-29".parse::<Period>().unwrap().len_days(), 1);
        // A malformed text still says which forms are accepted.
        let e = "2027-2-29".parse::<Period>().unwrap_err();
        assert!(e.to_string().contains("must look like"), "{e}");
    }

    #[test]
    fn zone_names_in_any_case() {
        let p = "2026-11 america/los_angeles".parse::<Period>().unwrap();
        assert_eq!(p.time_zone, chrono_tz::Tz::America__Los_Angeles);
        assert_eq!(parse_time_zone("utc").unwrap(), chrono_tz::Tz::UTC);
    }

    #[test]
    fn bad_periods_say_what_is_accepted() {
        for bad in [
            "",
            "2026",
            "2026-13",
            "11/2026",
            "2026-11-05..2026-11-01",
            "2026-11 Mars/Olympus",
        ] {
            let e = bad.parse::<Period>().unwrap_err();
            assert_eq!(e.code(), "INVALID_INPUT", "{bad}");
        }
        let e = "2026-11 Mars/Olympus".parse::<Period>().unwrap_err();
        assert!(e.to_string().contains("IANA"), "{e}");
        let e = "nope".parse::<Period>().unwrap_err();
        assert!(e.to_string().contains("2026-11, 2026-11-05"), "{e}");
    }
}

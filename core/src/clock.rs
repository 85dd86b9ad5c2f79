//! Where "now" comes from: the system clock, or a clock a test or a demo sets.

use std::fmt;
use std::sync::{Arc, RwLock};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};

/// A source of the current instant. The sync engine computes its windows from it, so a test
/// can line it up with the fake Admin API's clock.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current instant.
    fn now(&self) -> DateTime<Utc>;
}

/// The operating system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that says what it was last set to.
#[derive(Clone, Debug)]
pub struct FixedClock(Arc<RwLock<DateTime<Utc>>>);

impl FixedClock {
    /// A clock stopped at `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        FixedClock(Arc::new(RwLock::new(now)))
    }

    /// Move the clock (clones share it).
    pub fn set(&self, now: DateTime<Utc>) {
        *self.0.write().unwrap_or_else(|p| p.into_inner()) = now;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.read().unwrap_or_else(|p| p.into_inner())
    }
}

/// Round an instant down to a multiple of `width_secs` since the Unix epoch (UTC).
pub fn floor_to(at: DateTime<Utc>, width_secs: i64) -> DateTime<Utc> {
    let secs = at.timestamp().div_euclid(width_secs) * width_secs;
    Utc.timestamp_opt(secs, 0).single().expect("in range")
}

/// Round an instant up to a multiple of `width_secs`.
pub fn ceil_to(at: DateTime<Utc>, width_secs: i64) -> DateTime<Utc> {
    let floor = floor_to(at, width_secs);
    if floor == at && at.timestamp_subsec_nanos() == 0 {
        floor
    } else {
        floor + TimeDelta::seconds(width_secs)
    }
}

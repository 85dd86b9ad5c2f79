//! The mutable state behind the server: orgs, their hourly usage, the clock, the keys.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use crate::buckets::{HOUR, ceil, floor};
use crate::config::KeyKind;
use crate::data::Org;
use crate::events::{Event, hour_events, late_events};
use crate::generate::{TAG_EXTRA_KEY, admin_key, generate_org};
use crate::rng::Rng;

/// How many complete hours before `now` late data lands in.
pub const LATE_HOURS: i64 = 3;

/// One org and its generated hours.
pub struct OrgState {
    /// Metadata (including every admin key issued for it).
    pub org: Org,
    /// Events per hour, from `World::start_hour` up to the hour that holds `now`.
    hours: Vec<Vec<Event>>,
    /// How many times late data has grown each hour.
    late_rounds: HashMap<i64, u32>,
}

/// Everything the API serves.
pub struct World {
    /// The seed every stream derives from.
    pub seed: u64,
    /// First hour (hours since epoch) with usage.
    pub start_hour: i64,
    /// The fake's clock.
    pub now: DateTime<Utc>,
    /// The orgs.
    pub orgs: Vec<OrgState>,
    /// Valid admin key → (org index, kind).
    keys: HashMap<String, (usize, KeyKind)>,
    revoked: HashSet<String>,
    extra_keys: u64,
}

impl World {
    /// Generates `orgs` orgs with usage from `now - days` up to the minute before `now`.
    pub fn new(seed: u64, orgs: usize, days: u32, now: DateTime<Utc>) -> World {
        let start = now - Duration::days(days as i64);
        let start_hour = floor(start.timestamp(), HOUR) / HOUR;
        let orgs: Vec<OrgState> = (0..orgs)
            .map(|i| OrgState {
                org: generate_org(seed, i, start, now),
                hours: Vec::new(),
                late_rounds: HashMap::new(),
            })
            .collect();
        let mut keys = HashMap::new();
        for (i, o) in orgs.iter().enumerate() {
            for k in &o.org.admin_keys {
                keys.insert(k.value.clone(), (i, k.kind));
            }
        }
        let mut world = World {
            seed,
            start_hour,
            now,
            orgs,
            keys,
            revoked: HashSet::new(),
            extra_keys: 0,
        };
        world.generate_until_now();
        world
    }

    /// Usage exists for the minutes that start before this (epoch seconds): every
    /// minute that has ended.
    pub fn served_until(&self) -> i64 {
        floor(self.now.timestamp(), 60)
    }

    /// Start of the history (epoch seconds).
    pub fn history_start(&self) -> i64 {
        self.start_hour * HOUR
    }

    /// Moves the clock; hours that become past are generated.
    pub fn set_now(&mut self, now: DateTime<Utc>) {
        self.now = now;
        self.generate_until_now();
    }

    fn generate_until_now(&mut self) {
        let until = ceil(self.served_until(), HOUR) / HOUR;
        let (seed, start) = (self.seed, self.start_hour);
        for state in &mut self.orgs {
            let mut hour = start + state.hours.len() as i64;
            while hour < until {
                let mut events = hour_events(seed, &state.org, hour);
                for round in 0..state.late_rounds.get(&hour).copied().unwrap_or(0) {
                    events.extend(late_events(seed, &state.org, hour, round));
                }
                events.sort_by_key(|e| e.minute);
                state.hours.push(events);
                hour += 1;
            }
        }
    }

    /// Calls `f(minute start, event)` for every served event of `org` whose minute
    /// starts in `[start, end)`: only minutes inside the history that have ended count.
    pub fn for_each_event<'w>(
        &'w self,
        org: usize,
        start: i64,
        end: i64,
        mut f: impl FnMut(i64, &'w Event),
    ) {
        let start = start.max(self.history_start());
        let end = end.min(self.served_until());
        if start >= end {
            return;
        }
        let hours = &self.orgs[org].hours;
        for hour in floor(start, HOUR) / HOUR..ceil(end, HOUR) / HOUR {
            let Some(events) = hours.get((hour - self.start_hour) as usize) else {
                continue;
            };
            for e in events {
                let at = hour * HOUR + e.minute as i64 * 60;
                if start <= at && at < end {
                    f(at, e);
                }
            }
        }
    }

    /// The last [`LATE_HOURS`] complete hours before now gain usage in every org.
    pub fn grow_late_data(&mut self) {
        let until = self.served_until() / HOUR;
        let seed = self.seed;
        for state in &mut self.orgs {
            for hour in (until - LATE_HOURS).max(self.start_hour)..until {
                let round = state.late_rounds.entry(hour).or_insert(0);
                let extra = late_events(seed, &state.org, hour, *round);
                *round += 1;
                if let Some(slot) = state.hours.get_mut((hour - self.start_hour) as usize) {
                    slot.extend(extra);
                    slot.sort_by_key(|e| e.minute);
                }
            }
        }
    }

    /// The org and permissions of a valid (known, not revoked) admin key.
    pub fn key(&self, key: &str) -> Option<(usize, KeyKind)> {
        if self.revoked.contains(key) {
            return None;
        }
        self.keys.get(key).copied()
    }

    /// Whether this admin key value was revoked (revoked keys are no longer listed).
    pub fn is_revoked(&self, key: &str) -> bool {
        self.revoked.contains(key)
    }

    /// Revokes an admin key; returns whether it was a valid key.
    pub fn revoke(&mut self, key: &str) -> bool {
        self.keys.contains_key(key) && self.revoked.insert(key.to_string())
    }

    /// Issues another admin key of `kind` for the org with this id.
    pub fn add_admin_key(&mut self, org_id: &str, kind: KeyKind) -> Option<String> {
        let index = self.orgs.iter().position(|o| o.org.id == org_id)?;
        self.extra_keys += 1;
        let mut rng = Rng::from_parts(&[self.seed, TAG_EXTRA_KEY, self.extra_keys]);
        let org = &mut self.orgs[index].org;
        let owner = org.admin_keys[0].owner;
        let mut key = admin_key(&mut rng, kind, owner, self.now);
        key.created_at = self.now;
        let value = key.value.clone();
        org.admin_keys.push(key);
        self.keys.insert(value.clone(), (index, kind));
        Some(value)
    }
}

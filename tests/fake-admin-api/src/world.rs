//! The mutable state behind the server: orgs, their hourly usage, the clock, the keys.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use crate::buckets::floor;
use crate::data::{Org, TAG_EXTRA_KEY, admin_key, generate_org};
use crate::events::{Event, hour_events, late_events};
use crate::rng::Rng;

/// How many hours before `now` late data lands in.
pub const LATE_HOURS: i64 = 3;

/// One org and its generated hours.
pub struct OrgState {
    /// Metadata.
    pub org: Org,
    /// Events per hour, from `World::start_hour` up to the latest hour generated.
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
    /// Valid admin key → org index.
    keys: HashMap<String, usize>,
    revoked: HashSet<String>,
    extra_keys: u64,
}

impl World {
    /// Generates `orgs` orgs with usage from `now - days` up to the hour before `now`.
    pub fn new(seed: u64, orgs: usize, days: u32, now: DateTime<Utc>) -> World {
        let start = now - Duration::days(days as i64);
        let start_hour = floor(start.timestamp(), 3_600) / 3_600;
        let orgs: Vec<OrgState> = (0..orgs)
            .map(|i| OrgState {
                org: generate_org(seed, i, start, now),
                hours: Vec::new(),
                late_rounds: HashMap::new(),
            })
            .collect();
        let keys = orgs
            .iter()
            .enumerate()
            .map(|(i, o)| (o.org.admin_key.clone(), i))
            .collect();
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

    /// The first hour not served yet: usage exists for hours strictly before it.
    pub fn now_hour(&self) -> i64 {
        floor(self.now.timestamp(), 3_600) / 3_600
    }

    /// Moves the clock; hours that become past are generated.
    pub fn set_now(&mut self, now: DateTime<Utc>) {
        self.now = now;
        self.generate_until_now();
    }

    fn generate_until_now(&mut self) {
        let until = self.now_hour();
        let (seed, start) = (self.seed, self.start_hour);
        for state in &mut self.orgs {
            let mut hour = start + state.hours.len() as i64;
            while hour < until {
                let mut events = hour_events(seed, &state.org, hour);
                for round in 0..state.late_rounds.get(&hour).copied().unwrap_or(0) {
                    events.extend(late_events(seed, &state.org, hour, round));
                }
                state.hours.push(events);
                hour += 1;
            }
        }
    }

    /// The events served for `hour` of org `org` (none outside `[start_hour, now_hour)`).
    pub fn events(&self, org: usize, hour: i64) -> &[Event] {
        if hour < self.start_hour || hour >= self.now_hour() {
            return &[];
        }
        self.orgs[org]
            .hours
            .get((hour - self.start_hour) as usize)
            .map_or(&[], Vec::as_slice)
    }

    /// The last [`LATE_HOURS`] hours before now gain usage in every org.
    pub fn grow_late_data(&mut self) {
        let until = self.now_hour();
        let seed = self.seed;
        for state in &mut self.orgs {
            for hour in (until - LATE_HOURS).max(self.start_hour)..until {
                let round = state.late_rounds.entry(hour).or_insert(0);
                let extra = late_events(seed, &state.org, hour, *round);
                *round += 1;
                let slot = &mut state.hours[(hour - self.start_hour) as usize];
                slot.extend(extra);
                slot.sort_by_key(|e| e.minute);
            }
        }
    }

    /// The org a valid (known, not revoked) admin key belongs to.
    pub fn org_of_key(&self, key: &str) -> Option<usize> {
        if self.revoked.contains(key) {
            return None;
        }
        self.keys.get(key).copied()
    }

    /// Revokes an admin key; returns whether it was a valid key.
    pub fn revoke(&mut self, key: &str) -> bool {
        self.keys.contains_key(key) && self.revoked.insert(key.to_string())
    }

    /// Issues another admin key for the org with this id.
    pub fn add_admin_key(&mut self, org_id: &str) -> Option<String> {
        let index = self.orgs.iter().position(|o| o.org.id == org_id)?;
        self.extra_keys += 1;
        let mut rng = Rng::from_parts(&[self.seed, TAG_EXTRA_KEY, self.extra_keys]);
        let key = admin_key(&mut rng);
        self.keys.insert(key.clone(), index);
        Some(key)
    }
}

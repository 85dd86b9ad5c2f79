//! The mutable state behind the server: orgs, their hourly usage, the clock, the keys.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use crate::analytics::cache::RowCache;
use crate::buckets::floor;
use crate::config::OrgKinds;
use crate::credentials::{Credential, SCOPES, TAG_SCOPED_KEY, scoped_key};
use crate::data::{Org, TAG_EXTRA_KEY, admin_key, generate_org};
use crate::events::{Event, hour_events, late_events};
use crate::rng::Rng;
use crate::spend_limits::SpendLimits;

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
    /// Claude Enterprise (else Claude Console).
    pub enterprise: bool,
    /// HIPAA-ready: the Analytics API answers 400.
    pub hipaa: bool,
    /// Whether the org has enabled the Analytics beta.
    pub analytics_beta: bool,
    /// Its spend limits.
    pub spend_limits: SpendLimits,
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
    /// Scoped Enterprise keys: (key, org index, scopes), in creation order.
    scoped: Vec<(String, usize, Vec<String>)>,
    revoked: HashSet<String>,
    extra_keys: u64,
    /// How many times late data has grown (stamped on the late events).
    pub late_generation: u32,
    /// Rows of recent analytics queries.
    pub analytics_cache: RowCache,
}

impl World {
    /// Generates `orgs` orgs with usage from `now - days` up to the hour before `now`.
    pub fn new(seed: u64, orgs: usize, days: u32, now: DateTime<Utc>, kinds: &OrgKinds) -> World {
        let start = now - Duration::days(days as i64);
        let start_hour = floor(start.timestamp(), 3_600) / 3_600;
        let orgs: Vec<OrgState> = (0..orgs)
            .map(|i| {
                let org = generate_org(seed, i, start, now);
                let enterprise = kinds.enterprise.contains(&i);
                let spend_limits = SpendLimits::seed(seed, &org, enterprise, start);
                OrgState {
                    org,
                    hours: Vec::new(),
                    late_rounds: HashMap::new(),
                    enterprise,
                    hipaa: kinds.hipaa.contains(&i),
                    analytics_beta: !kinds.analytics_beta_disabled.contains(&i),
                    spend_limits,
                }
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
            scoped: Vec::new(),
            revoked: HashSet::new(),
            extra_keys: 0,
            late_generation: 0,
            analytics_cache: RowCache::default(),
        };
        world.generate_until_now();
        // Every Enterprise org starts with two scoped keys: one that reaches analytics
        // and spend limits, one that reaches spend limits only.
        for i in 0..world.orgs.len() {
            if world.orgs[i].enterprise {
                let id = world.orgs[i].org.id.clone();
                for scopes in [&SCOPES[..3], &SCOPES[1..2]] {
                    world.add_scoped_key(&id, scopes).expect("known scopes");
                }
            }
        }
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
        self.late_generation += 1;
        let generation = self.late_generation;
        for state in &mut self.orgs {
            for hour in (until - LATE_HOURS).max(self.start_hour)..until {
                let round = state.late_rounds.entry(hour).or_insert(0);
                let mut extra = late_events(seed, &state.org, hour, *round);
                for e in &mut extra {
                    e.generation = generation;
                }
                *round += 1;
                let slot = &mut state.hours[(hour - self.start_hour) as usize];
                slot.extend(extra);
                slot.sort_by_key(|e| e.minute);
            }
        }
    }

    /// What a valid (known, not revoked) key is: a Console admin key or a scoped key.
    pub fn credential(&self, key: &str) -> Option<Credential> {
        if self.revoked.contains(key) {
            return None;
        }
        if let Some(&org) = self.keys.get(key) {
            return Some(Credential {
                org,
                scopes: None,
                oauth: false,
            });
        }
        let (_, org, scopes) = self.scoped.iter().find(|(k, _, _)| k == key)?;
        Some(Credential {
            org: *org,
            scopes: Some(scopes.clone()),
            oauth: false,
        })
    }

    /// Revokes an admin key or a scoped key; returns whether it was a valid key.
    pub fn revoke(&mut self, key: &str) -> bool {
        (self.keys.contains_key(key) || self.scoped.iter().any(|(k, _, _)| k == key))
            && self.revoked.insert(key.to_string())
    }

    /// Issues a scoped `sk-ant-api01-…` key for the Enterprise org with this id.
    pub fn add_scoped_key(&mut self, org_id: &str, scopes: &[&str]) -> Result<String, String> {
        let index = self
            .orgs
            .iter()
            .position(|o| o.org.id == org_id)
            .ok_or_else(|| format!("no org with id {org_id:?}"))?;
        if !self.orgs[index].enterprise {
            return Err(format!(
                "org {org_id} is a Claude Console org; scoped sk-ant-api01- keys exist only \
                 for Claude Enterprise orgs (start the fake with it among the enterprise orgs)"
            ));
        }
        if let Some(bad) = scopes.iter().find(|s| !SCOPES.contains(s)) {
            return Err(format!(
                "unknown scope {bad:?}; known scopes: {}",
                SCOPES.join(", ")
            ));
        }
        if scopes.is_empty() {
            return Err("a scoped key needs at least one scope".into());
        }
        // A stream of its own: minting scoped keys never changes the extra admin keys.
        let n = self.scoped.len() as u64;
        let mut rng = Rng::from_parts(&[self.seed, TAG_SCOPED_KEY, n]);
        let key = scoped_key(&mut rng);
        let scopes = scopes.iter().map(|s| s.to_string()).collect();
        self.scoped.push((key.clone(), index, scopes));
        Ok(key)
    }

    /// Every scoped key that is still valid, in creation order.
    pub fn scoped_keys(&self) -> Vec<crate::config::ScopedKey> {
        self.scoped
            .iter()
            .filter(|(k, _, _)| !self.revoked.contains(k))
            .map(|(k, org, scopes)| crate::config::ScopedKey {
                org_id: self.orgs[*org].org.id.clone(),
                key: k.clone(),
                scopes: scopes.clone(),
            })
            .collect()
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

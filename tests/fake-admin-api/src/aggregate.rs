//! Summing events over a time range, filtered and grouped by usage dimensions.

use crate::buckets::{ceil, floor};
use crate::events::Event;
use crate::world::World;

/// Token sums in [`crate::catalog::TokenType::ALL`] order, plus web searches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sums {
    /// Tokens per type.
    pub tokens: [u64; 5],
    /// Web search requests.
    pub web_search: u64,
}

impl Sums {
    /// Adds one event.
    pub fn add_event(&mut self, e: &Event) {
        for (sum, &t) in self.tokens.iter_mut().zip(&e.tokens) {
            *sum += t as u64;
        }
        self.web_search += e.web_search as u64;
    }
}

/// Marks a dimension that is not grouped by (rendered as `null`).
pub const NOT_GROUPED: u8 = 0xFF;

/// Which dimensions split the results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupSpec {
    /// `api_key_id`
    pub api_key: bool,
    /// `workspace_id`
    pub workspace: bool,
    /// `model`
    pub model: bool,
    /// `service_tier`
    pub tier: bool,
    /// `context_window`
    pub window: bool,
    /// `inference_geo`
    pub geo: bool,
}

impl GroupSpec {
    /// The grain of the ground truth: key, workspace, model, tier, window.
    pub const TRUTH: GroupSpec = GroupSpec {
        api_key: true,
        workspace: true,
        model: true,
        tier: true,
        window: true,
        geo: false,
    };

    /// Packs the grouped dimensions of an event into one sortable key.
    pub fn key(&self, e: &Event) -> u64 {
        let pick = |on: bool, v: u8| if on { v } else { NOT_GROUPED } as u64;
        pick(self.api_key, e.api_key) << 40
            | pick(self.workspace, e.workspace) << 32
            | pick(self.model, e.model) << 24
            | pick(self.tier, e.tier) << 16
            | pick(self.window, e.window) << 8
            | pick(self.geo, e.geo)
    }
}

/// Dimensions of a packed key: [api_key, workspace, model, tier, window, geo].
pub fn unpack(key: u64) -> [u8; 6] {
    [40, 32, 24, 16, 8, 0].map(|shift| (key >> shift) as u8)
}

/// Which events count, as bit sets over dimension indices (all ones = no filter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filter {
    /// Bit i+1 = api key i; bit 0 = no key.
    pub api_keys: u64,
    /// Bit i+1 = workspace i; bit 0 = Default workspace.
    pub workspaces: u64,
    /// Model indices.
    pub models: u64,
    /// Service tier indices.
    pub tiers: u64,
    /// Context window indices.
    pub windows: u64,
    /// Inference geo indices.
    pub geos: u64,
}

impl Default for Filter {
    fn default() -> Filter {
        Filter {
            api_keys: u64::MAX,
            workspaces: u64::MAX,
            models: u64::MAX,
            tiers: u64::MAX,
            windows: u64::MAX,
            geos: u64::MAX,
        }
    }
}

impl Filter {
    /// Nothing matches.
    pub fn nothing() -> Filter {
        Filter {
            api_keys: 0,
            ..Filter::default()
        }
    }

    /// Whether the event passes every filter.
    pub fn matches(&self, e: &Event) -> bool {
        let has = |set: u64, i: u8| set >> i & 1 == 1;
        has(self.api_keys, e.api_key)
            && has(self.workspaces, e.workspace)
            && has(self.models, e.model)
            && has(self.tiers, e.tier)
            && has(self.windows, e.window)
            && has(self.geos, e.geo)
    }
}

/// Calls `f` with every served event of `org` whose minute lies in `[start, end)`.
pub fn for_each_event(world: &World, org: usize, start: i64, end: i64, mut f: impl FnMut(&Event)) {
    let first_hour = floor(start, 3_600) / 3_600;
    let last_hour = ceil(end, 3_600) / 3_600;
    for hour in first_hour..last_hour {
        let events = world.events(org, hour);
        let whole = hour * 3_600 >= start && (hour + 1) * 3_600 <= end;
        for e in events {
            let at = hour * 3_600 + e.minute as i64 * 60;
            if whole || (start <= at && at < end) {
                f(e);
            }
        }
    }
}

/// Sums the events in `[start, end)` that pass `filter`, one entry per group, sorted by key.
pub fn aggregate(
    world: &World,
    org: usize,
    start: i64,
    end: i64,
    filter: &Filter,
    spec: &GroupSpec,
) -> Vec<(u64, Sums)> {
    let mut keyed: Vec<(u64, &Event)> = Vec::new();
    // Collect first, then sort and merge: groups come out ordered and allocation stays small.
    let first_hour = floor(start, 3_600) / 3_600;
    let last_hour = ceil(end, 3_600) / 3_600;
    for hour in first_hour..last_hour {
        for e in world.events(org, hour) {
            let at = hour * 3_600 + e.minute as i64 * 60;
            if start <= at && at < end && filter.matches(e) {
                keyed.push((spec.key(e), e));
            }
        }
    }
    keyed.sort_unstable_by_key(|(k, _)| *k);
    let mut out: Vec<(u64, Sums)> = Vec::new();
    for (key, e) in keyed {
        match out.last_mut() {
            Some((k, sums)) if *k == key => sums.add_event(e),
            _ => {
                let mut sums = Sums::default();
                sums.add_event(e);
                out.push((key, sums));
            }
        }
    }
    out
}

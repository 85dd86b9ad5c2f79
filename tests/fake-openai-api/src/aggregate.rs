//! Summing usage events over a time range, filtered and grouped by usage dimensions.

use crate::catalog::{Dim, Endpoint};
use crate::events::Event;
use crate::world::World;

/// Request count and the ten counters, summed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Sums {
    /// `num_model_requests`
    pub requests: u64,
    /// Counters in `Event::counts` order.
    pub counts: [u64; 10],
}

impl Sums {
    /// Adds one event.
    pub fn add(&mut self, e: &Event) {
        self.requests += e.requests as u64;
        for (sum, &c) in self.counts.iter_mut().zip(&e.counts) {
            *sum += c as u64;
        }
    }
}

/// Marks a dimension that is not grouped by (rendered as `null`).
pub const NOT_GROUPED: u8 = 0xFF;

/// The dimensions in key order.
pub const DIMS: [Dim; 10] = [
    Dim::Project,
    Dim::User,
    Dim::ApiKey,
    Dim::Model,
    Dim::Batch,
    Dim::ServiceTier,
    Dim::Size,
    Dim::Source,
    Dim::ContextLevel,
    Dim::VectorStore,
];

/// The value of each dimension of an event, in [`DIMS`] order.
pub fn dims_of(e: &Event) -> [u8; 10] {
    [
        e.project,
        e.user,
        e.key,
        e.model,
        e.batch as u8,
        e.tier,
        e.size,
        e.source,
        e.level,
        e.store,
    ]
}

/// Which dimensions split the results.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct GroupSpec(pub [bool; 10]);

impl GroupSpec {
    /// Grouped by these dimensions.
    pub fn of(dims: &[Dim]) -> GroupSpec {
        GroupSpec(DIMS.map(|d| dims.contains(&d)))
    }

    /// Packs the grouped dimensions of an event into one sortable key.
    pub fn key(&self, e: &Event) -> u128 {
        dims_of(e).iter().zip(self.0).fold(0u128, |acc, (&v, on)| {
            acc << 8 | if on { v } else { NOT_GROUPED } as u128
        })
    }
}

/// Dimension values of a packed key, in [`DIMS`] order ([`NOT_GROUPED`] where not grouped).
pub fn unpack(key: u128) -> [u8; 10] {
    let mut out = [0u8; 10];
    for (i, v) in out.iter_mut().enumerate() {
        *v = (key >> (8 * (9 - i))) as u8;
    }
    out
}

/// Which events count: a bit set per dimension over its values (all ones = no filter).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Filter(pub [u64; 10]);

impl Default for Filter {
    fn default() -> Filter {
        Filter([u64::MAX; 10])
    }
}

impl Filter {
    /// Restricts dimension `dim` to these values.
    pub fn only(&mut self, dim: Dim, values: impl IntoIterator<Item = u8>) {
        let i = DIMS
            .iter()
            .position(|d| *d == dim)
            .expect("known dimension");
        self.0[i] = values.into_iter().fold(0, |acc, v| acc | 1 << v);
    }

    /// Whether the event passes every filter.
    pub fn matches(&self, e: &Event) -> bool {
        dims_of(e)
            .iter()
            .zip(self.0)
            .all(|(&v, set)| set >> v & 1 == 1)
    }
}

/// Sums the events of `endpoint` in `[start, end)` that pass `filter`, one entry per
/// group, sorted by key: "none" first, then generation order.
pub fn aggregate(
    world: &World,
    org: usize,
    endpoint: Endpoint,
    (start, end): (i64, i64),
    filter: &Filter,
    spec: &GroupSpec,
) -> Vec<(u128, Sums)> {
    let mut keyed: Vec<(u128, &Event)> = Vec::new();
    world.for_each_event(org, start, end, |_, e| {
        if e.endpoint == endpoint && filter.matches(e) {
            keyed.push((spec.key(e), e));
        }
    });
    keyed.sort_unstable_by_key(|(k, _)| *k);
    let mut out: Vec<(u128, Sums)> = Vec::new();
    for (key, e) in keyed {
        match out.last_mut() {
            Some((k, sums)) if *k == key => sums.add(e),
            _ => {
                let mut sums = Sums::default();
                sums.add(e);
                out.push((key, sums));
            }
        }
    }
    out
}

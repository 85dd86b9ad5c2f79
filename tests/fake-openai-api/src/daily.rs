//! Charges that are not usage events: vector store storage (a level, reported by the
//! `vector_stores` usage endpoint and billed once a day) and fine-tuning training (billed,
//! never reported as usage).

use crate::data::Org;
use crate::rng::Rng;

const TAG_STORAGE: u64 = 20;
const TAG_TRAINING: u64 = 21;

/// The minute of the day (23:59 UTC) at which a day's storage is billed.
pub const STORAGE_BILLED_AT_MINUTE: i64 = 23 * 60 + 59;

/// Storage of vector store `store` of `org` on `day` (days since the epoch), in 16 MiB units.
pub fn store_units(seed: u64, org: &Org, store: usize, day: i64) -> u64 {
    let mut rng = Rng::from_parts(&[
        seed,
        TAG_STORAGE,
        org.index as u64,
        store as u64,
        day as u64,
    ]);
    org.vector_stores[store].base_units + rng.below(8)
}

/// Storage of every project on `day`, in 16 MiB units, indexed like `org.projects`.
pub fn project_units(seed: u64, org: &Org, day: i64) -> Vec<u64> {
    let mut units = vec![0; org.projects.len()];
    for (s, store) in org.vector_stores.iter().enumerate() {
        units[store.project] += store_units(seed, org, s, day);
    }
    units
}

/// A fine-tuning job billed on one day.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Training {
    /// Index into `org.projects`.
    pub project: usize,
    /// Minute of the day at which it is billed.
    pub minute_of_day: i64,
    /// Trained tokens.
    pub tokens: u64,
}

/// The fine-tuning job billed on `day`, if any (about one day in eight).
pub fn training(seed: u64, org: &Org, day: i64) -> Option<Training> {
    let mut rng = Rng::from_parts(&[seed, TAG_TRAINING, org.index as u64, day as u64]);
    if !rng.chance(12) {
        return None;
    }
    let live = org.archived_project() - 1;
    Some(Training {
        project: 1 + rng.below(live as u64) as usize,
        minute_of_day: rng.below(1440) as i64,
        tokens: rng.range(200_000, 5_000_000),
    })
}

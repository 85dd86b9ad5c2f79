//! The rows of recent queries, so that paging through a window computes it once.
//!
//! A query's rows are a pure function of the key below: the org, the endpoint and its
//! parameters, the range, the late-data generation and the last hour served. Late data
//! changes the generation and new hours change the hour, so a cached entry is never stale.

use std::sync::{Arc, Mutex};

use crate::analytics::atoms::Report;
use crate::analytics::rows::Row;

/// (org, endpoint, parameter hash, start, end, late-data generation, served until).
pub type CacheKey = (usize, Report, u64, i64, i64, u32, i64);

/// How many queries are remembered: the usage and cost syncs of a few orgs running side
/// by side. A 31-day hourly window grouped by everything is a few MB of rows.
const CAPACITY: usize = 8;

/// A small cache of query rows, oldest evicted first.
#[derive(Default)]
pub struct RowCache {
    entries: Mutex<Vec<(CacheKey, Arc<Vec<Row>>)>>,
}

impl RowCache {
    /// The rows of `key`, computed by `compute` unless remembered.
    pub fn get_or_compute(
        &self,
        key: CacheKey,
        compute: impl FnOnce() -> Vec<Row>,
    ) -> Arc<Vec<Row>> {
        let lock = || self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, rows)) = lock().iter().find(|(k, _)| *k == key) {
            return rows.clone();
        }
        let rows = Arc::new(compute());
        let mut entries = lock();
        if entries.len() >= CAPACITY {
            entries.remove(0);
        }
        entries.push((key, rows.clone()));
        rows
    }
}

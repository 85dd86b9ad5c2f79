//! Request and fault counters, so tests can assert exact request counts.

use std::collections::BTreeMap;

use serde::Serialize;

/// What the fake has served on `/v1` since start (or the last reset).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Stats {
    /// Every `/v1` request.
    pub requests: u64,
    /// Requests per bearer key (`""` when the header was missing), valid or not.
    pub by_key: BTreeMap<String, u64>,
    /// Requests per endpoint, e.g. `usage/completions`, `projects/{id}`.
    pub by_endpoint: BTreeMap<String, u64>,
    /// Requests per key, then per endpoint.
    pub by_key_endpoint: BTreeMap<String, BTreeMap<String, u64>>,
    /// Faults served, by kind: `429`, `500`, `503`, `down`, `slow`, `trunc`, `late`.
    pub faults: BTreeMap<String, u64>,
}

impl Stats {
    /// Counts one request.
    pub fn record_request(&mut self, key: &str, endpoint: &str) {
        self.requests += 1;
        *self.by_key.entry(key.to_string()).or_default() += 1;
        *self.by_endpoint.entry(endpoint.to_string()).or_default() += 1;
        *self
            .by_key_endpoint
            .entry(key.to_string())
            .or_default()
            .entry(endpoint.to_string())
            .or_default() += 1;
    }

    /// Counts one served fault.
    pub fn record_fault(&mut self, kind: &str) {
        *self.faults.entry(kind.to_string()).or_default() += 1;
    }

    /// Requests made with `key`.
    pub fn requests_for(&self, key: &str) -> u64 {
        self.by_key.get(key).copied().unwrap_or(0)
    }

    /// Requests made with `key` to `endpoint`.
    pub fn requests_for_endpoint(&self, key: &str, endpoint: &str) -> u64 {
        self.by_key_endpoint
            .get(key)
            .and_then(|e| e.get(endpoint))
            .copied()
            .unwrap_or(0)
    }

    /// Faults of `kind` served.
    pub fn faults_of(&self, kind: &str) -> u64 {
        self.faults.get(kind).copied().unwrap_or(0)
    }
}

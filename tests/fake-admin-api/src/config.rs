//! Configuration of a fake server and the credentials it hands out.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::faults::Faults;

/// How to generate the fake's data, and the faults it starts with.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeConfig {
    /// Seed of every generated value: same seed, same bodies.
    pub seed: u64,
    /// Number of organisations (each with one admin key).
    pub orgs: usize,
    /// Days of usage history before `now`.
    pub days: u32,
    /// The fake's clock at start; usage exists for the hours before it.
    pub now: DateTime<Utc>,
    /// Faults in force from the start.
    pub faults: Faults,
}

impl Default for FakeConfig {
    /// Seed 7, 3 orgs, 90 days, now 2026-11-20T00:00:00Z, no faults.
    fn default() -> FakeConfig {
        FakeConfig {
            seed: 7,
            orgs: 3,
            days: 90,
            now: DateTime::parse_from_rfc3339("2026-11-20T00:00:00Z")
                .expect("valid literal")
                .with_timezone(&Utc),
            faults: Faults::none(),
        }
    }
}

/// An org and the admin key it was created with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgCredentials {
    /// Org UUID (also `anthropic-organization-id` and `/me`'s `id`).
    pub id: String,
    /// Org name.
    pub name: String,
    /// `sk-ant-admin01-…`
    pub admin_key: String,
}

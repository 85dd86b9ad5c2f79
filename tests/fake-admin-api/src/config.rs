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

/// How each org (by index, `0..orgs`) meets the Analytics and Spend Limits APIs.
///
/// It is separate from [`FakeConfig`] so that code building `FakeConfig` with every field
/// spelled out keeps compiling. The default, every org a Claude Console org with the
/// analytics beta enabled and none HIPAA-ready, changes nothing for the legacy endpoints.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgKinds {
    /// Orgs that behave as Claude Enterprise: seat-tier, group, org and user spend limits,
    /// the effective report, and scoped `sk-ant-api01-…` keys. The others behave as Claude
    /// Console (usage-tier, organization and workspace limits).
    pub enterprise: Vec<usize>,
    /// HIPAA-ready orgs: the Analytics endpoints answer 400, the legacy ones still serve.
    pub hipaa: Vec<usize>,
    /// Orgs that have not enabled the Analytics beta: its endpoints answer 404.
    pub analytics_beta_disabled: Vec<usize>,
}

impl OrgKinds {
    /// Console orgs only, the beta enabled everywhere, none HIPAA-ready.
    pub fn none() -> OrgKinds {
        OrgKinds::default()
    }

    /// Makes org `index` a Claude Enterprise org.
    pub fn with_enterprise(mut self, index: usize) -> OrgKinds {
        self.enterprise.push(index);
        self
    }

    /// Makes org `index` HIPAA-ready.
    pub fn with_hipaa(mut self, index: usize) -> OrgKinds {
        self.hipaa.push(index);
        self
    }

    /// Turns the Analytics beta off for org `index`.
    pub fn with_analytics_beta_disabled(mut self, index: usize) -> OrgKinds {
        self.analytics_beta_disabled.push(index);
        self
    }

    /// The first index that names no org, if any.
    pub fn out_of_range(&self, orgs: usize) -> Option<usize> {
        self.enterprise
            .iter()
            .chain(&self.hipaa)
            .chain(&self.analytics_beta_disabled)
            .copied()
            .find(|&i| i >= orgs)
    }
}

/// A scoped Claude Enterprise admin key (`sk-ant-api01-…`) and what it may reach.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScopedKey {
    /// The org it belongs to.
    pub org_id: String,
    /// `sk-ant-api01-…`
    pub key: String,
    /// Its scopes, e.g. `read:analytics`.
    pub scopes: Vec<String>,
}

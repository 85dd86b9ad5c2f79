//! Configuration of a fake server, the kinds of admin key, and the credentials it hands out.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::faults::Faults;

/// How to generate the fake's data, and the faults it starts with.
#[derive(Clone, Debug, PartialEq)]
pub struct FakeConfig {
    /// Seed of every generated value: same seed, same bodies.
    pub seed: u64,
    /// Number of organisations (each with an all-permissions and a read-only admin key).
    pub orgs: usize,
    /// Days of usage history before `now`.
    pub days: u32,
    /// The fake's clock at start; usage exists for the minutes before it.
    pub now: DateTime<Utc>,
    /// Faults in force from the start.
    pub faults: Faults,
}

impl Default for FakeConfig {
    /// Seed 7, 2 orgs, 90 days, now 2026-11-20T00:00:00Z, no faults.
    fn default() -> FakeConfig {
        FakeConfig {
            seed: 7,
            orgs: 2,
            days: 90,
            now: DateTime::parse_from_rfc3339("2026-11-20T00:00:00Z")
                .expect("valid literal")
                .with_timezone(&Utc),
            faults: Faults::none(),
        }
    }
}

/// The permission set of an admin key, as the admin-key form offers them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyKind {
    /// "All": every read and write.
    Admin,
    /// "Read only": every read (`api.usage.read`, `api.management.read`), no write.
    ReadOnly,
    /// "Restricted" to the Usage API: usage and costs only (`api.usage.read`).
    UsageOnly,
}

impl KeyKind {
    /// Whether it may read usage and costs.
    pub fn reads_usage(self) -> bool {
        true
    }

    /// Whether it may read projects, users, API keys and admin keys.
    pub fn reads_management(self) -> bool {
        !matches!(self, KeyKind::UsageOnly)
    }

    /// Whether it may write (the fake serves no writes, but refuses them differently).
    pub fn writes(self) -> bool {
        matches!(self, KeyKind::Admin)
    }

    /// The name the control API and the README use.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyKind::Admin => "admin",
            KeyKind::ReadOnly => "read_only",
            KeyKind::UsageOnly => "usage_only",
        }
    }
}

impl fmt::Display for KeyKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for KeyKind {
    type Err = String;

    fn from_str(s: &str) -> Result<KeyKind, String> {
        match s {
            "admin" => Ok(KeyKind::Admin),
            "read_only" => Ok(KeyKind::ReadOnly),
            "usage_only" => Ok(KeyKind::UsageOnly),
            _ => Err(format!(
                "unknown key kind {s:?}: use admin, read_only or usage_only"
            )),
        }
    }
}

/// An org and the admin keys it was created with.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgCredentials {
    /// `org-…`, the id the organisation settings page shows.
    pub id: String,
    /// Display name (the organisation's title).
    pub name: String,
    /// What every authenticated answer carries in `openai-organization`.
    pub slug: String,
    /// `sk-admin-…` with every permission.
    pub admin_key: String,
    /// `sk-admin-…` with read-only permissions (what the docs recommend for costledger).
    pub read_only_key: String,
}

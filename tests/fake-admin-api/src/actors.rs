//! Who usage is attributed to in the Analytics API: the org's API keys, its members and
//! one former member, service accounts and federated workloads, plus the Enterprise-only
//! seat tiers and RBAC groups that spend limits resolve through.
//!
//! Everything here comes from its own random stream, so the org's legacy metadata (keys,
//! workspaces, users) and events are exactly what they were before analytics existed.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::data::{ApiKey, User};
use crate::rng::Rng;

/// Seat tiers of Claude Enterprise members.
pub const SEAT_TIERS: [&str; 2] = ["enterprise_standard", "enterprise_premium"];

/// Per-org discount off list price, in percent: org i gets `DISCOUNTS[i % 4]`.
pub const DISCOUNTS: [u64; 4] = [0, 15, 8, 20];

/// One attribution target. The indices point into the org's keys, people, service
/// accounts or federated identities.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// The API key itself.
    ApiKey(u8),
    /// A person: `Org::users[i]`, or the former member at `i == users.len()`.
    User(u8),
    /// A service account.
    ServiceAccount(u8),
    /// A workload identity federation subject.
    Federated(u8),
}

/// `actor_type` values, indexed by [`Actor::type_index`].
pub const ACTOR_TYPES: [&str; 4] = [
    "api_actor",
    "federated_actor",
    "service_account_actor",
    "user_actor",
];

impl Actor {
    /// Index into [`ACTOR_TYPES`].
    pub fn type_index(self) -> u8 {
        match self {
            Actor::ApiKey(_) => 0,
            Actor::Federated(_) => 1,
            Actor::ServiceAccount(_) => 2,
            Actor::User(_) => 3,
        }
    }
}

/// The actor union exactly as the API renders it (also used by the truth).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type")]
pub enum ActorJson {
    /// `{"type":"user_actor",…}`
    #[serde(rename = "user_actor")]
    User {
        /// `user_01…`
        user_id: String,
        /// Kept for former members.
        email_address: Option<String>,
        /// `null` when the user never set one.
        name: Option<String>,
        /// Deleted, or no longer a member.
        deleted: bool,
    },
    /// `{"type":"api_actor","api_key_id":…}`
    #[serde(rename = "api_actor")]
    Api {
        /// `apikey_01…`
        api_key_id: String,
    },
    /// `{"type":"service_account_actor","service_account_id":…}`
    #[serde(rename = "service_account_actor")]
    ServiceAccount {
        /// `svac_01…`
        service_account_id: String,
    },
    /// `{"type":"federated_actor","provider":…,"subject":…}`
    #[serde(rename = "federated_actor")]
    Federated {
        /// Token issuer.
        provider: String,
        /// Subject claim.
        subject: String,
    },
}

/// A service account.
#[derive(Clone, Debug)]
pub struct ServiceAccount {
    /// `svac_01…`
    pub id: String,
}

/// A federated workload.
#[derive(Clone, Debug)]
pub struct Federated {
    /// Issuer URL.
    pub provider: String,
    /// Subject claim.
    pub subject: String,
}

/// An RBAC group of an Enterprise org.
#[derive(Clone, Debug)]
pub struct RbacGroup {
    /// `rbac_group_01…`
    pub id: String,
    /// Display name.
    pub name: &'static str,
    /// Indices into `Org::users`.
    pub members: Vec<u8>,
}

/// The analytics-side metadata of one org.
#[derive(Clone, Debug)]
pub struct Actors {
    /// The former member: email kept, name gone, `deleted: true`.
    pub former: User,
    /// Usage can be attributed to the former member only before this time.
    pub former_left_at: DateTime<Utc>,
    /// Service accounts (`svac_01…`).
    pub service_accounts: Vec<ServiceAccount>,
    /// Federated workloads (no id; keyed by provider and subject).
    pub federated: Vec<Federated>,
    /// RBAC groups (used only when the org is Enterprise).
    pub rbac_groups: Vec<RbacGroup>,
    /// Seat tier of each member (index into [`SEAT_TIERS`]), Enterprise only.
    pub seat_tiers: Vec<u8>,
    /// Discount off list price in percent.
    pub discount_percent: u64,
    /// Every actor, in a fixed order: keys, people (the former member last), service
    /// accounts, federated workloads. `Event::actor` indexes this table.
    pub table: Vec<Actor>,
}

pub(crate) const TAG_ACTORS: u64 = 3;

const GROUP_NAMES: [&str; 3] = ["Engineering", "Research", "Go-to-market"];
const PROVIDERS: [(&str, &str); 3] = [
    (
        "https://token.actions.githubusercontent.com",
        "repo:{org}/infra:ref:refs/heads/main",
    ),
    ("https://accounts.google.com", "{n}"),
    (
        "https://oidc.eks.us-east-1.amazonaws.com",
        "system:serviceaccount:ml:{org}-batch",
    ),
];

impl Actors {
    /// Generates the metadata of org `index` (users and keys already generated).
    pub fn generate(
        seed: u64,
        index: usize,
        org_name: &str,
        users: &[User],
        keys: &[ApiKey],
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Actors {
        let mut rng = Rng::from_parts(&[seed, TAG_ACTORS, index as u64]);
        let slug: String = org_name
            .to_lowercase()
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .collect();
        let former = User {
            id: format!("user_01{}", rng.base62(22)),
            email: format!("former.member{}@{slug}.example", rng.range(1, 99)),
            name: String::new(),
            role: "user",
            added_at: start - Duration::days(rng.range(30, 400) as i64),
        };
        let span = (end - start).num_seconds().max(1) as u64;
        let former_left_at = start + Duration::seconds((span * rng.range(30, 60) / 100) as i64);
        let service_accounts: Vec<ServiceAccount> = (0..rng.range(2, 3))
            .map(|_| ServiceAccount {
                id: format!("svac_01{}", rng.base62(22)),
            })
            .collect();
        let federated: Vec<Federated> = (0..2)
            .map(|i| {
                let (provider, subject) = PROVIDERS[(index + i) % PROVIDERS.len()];
                let n = rng.range(100_000_000_000, 999_999_999_999).to_string();
                Federated {
                    provider: provider.into(),
                    subject: subject.replace("{org}", &slug).replace("{n}", &n),
                }
            })
            .collect();
        let n = users.len();
        let rbac_groups = GROUP_NAMES
            .iter()
            .map(|&name| RbacGroup {
                id: format!("rbac_group_01{}", rng.base62(22)),
                name,
                // Some members are in no group and some in two, so rows grouped by
                // group overlap and leave a null row, as the reference describes.
                members: (0..n as u8).filter(|_| rng.chance(45)).collect(),
            })
            .collect();
        let seat_tiers = users
            .iter()
            .map(|u| u8::from(matches!(u.role, "admin" | "developer") && rng.chance(60)))
            .collect();
        let mut table: Vec<Actor> = (0..keys.len() as u8).map(Actor::ApiKey).collect();
        table.extend((0..=n as u8).map(Actor::User));
        table.extend((0..service_accounts.len() as u8).map(Actor::ServiceAccount));
        table.extend((0..federated.len() as u8).map(Actor::Federated));
        Actors {
            former,
            former_left_at,
            service_accounts,
            federated,
            rbac_groups,
            seat_tiers,
            discount_percent: DISCOUNTS[index % DISCOUNTS.len()],
            table,
        }
    }
}

impl Actors {
    /// The person at `i` (a member, or the former member after them).
    pub fn person<'a>(&'a self, users: &'a [User], i: u8) -> &'a User {
        users.get(i as usize).unwrap_or(&self.former)
    }

    /// Index into [`Actors::table`] of an actor.
    pub fn index_of(&self, actor: Actor) -> u8 {
        self.table
            .iter()
            .position(|&a| a == actor)
            .expect("actor in table") as u8
    }

    /// Whether people index `i` is the former member.
    pub fn is_former(&self, users: &[User], i: u8) -> bool {
        i as usize >= users.len()
    }

    /// The groups person `i` belongs to (none for the former member).
    pub fn groups_of(&self, i: u8) -> impl Iterator<Item = u8> + '_ {
        self.rbac_groups
            .iter()
            .enumerate()
            .filter(move |(_, g)| g.members.contains(&i))
            .map(|(g, _)| g as u8)
    }
}

/// The actor at `index` of the org's table, rendered as the API's union.
pub fn actor_json(org: &crate::data::Org, index: u8) -> ActorJson {
    let actors = &org.actors;
    match actors.table[index as usize] {
        Actor::ApiKey(k) => ActorJson::Api {
            api_key_id: org.api_keys[k as usize].id.clone(),
        },
        Actor::User(i) => {
            let person = actors.person(&org.users, i);
            let former = actors.is_former(&org.users, i);
            ActorJson::User {
                user_id: person.id.clone(),
                email_address: Some(person.email.clone()),
                // The former member's account kept its email but not its name.
                name: (!former).then(|| person.name.clone()),
                deleted: former,
            }
        }
        Actor::ServiceAccount(s) => ActorJson::ServiceAccount {
            service_account_id: actors.service_accounts[s as usize].id.clone(),
        },
        Actor::Federated(f) => ActorJson::Federated {
            provider: actors.federated[f as usize].provider.clone(),
            subject: actors.federated[f as usize].subject.clone(),
        },
    }
}

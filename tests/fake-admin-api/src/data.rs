//! The organisations: workspaces, users and API keys, generated from the seed.

use chrono::{DateTime, Duration, Utc};

use crate::actors::Actors;
use crate::catalog::{GEO_GLOBAL, GEO_US};
use crate::rng::Rng;

/// A workspace (the Default workspace has no object: it is `workspace: 0` in events).
#[derive(Clone, Debug)]
pub struct Workspace {
    /// `wrkspc_01…`
    pub id: String,
    /// Display name.
    pub name: String,
    /// Hex colour.
    pub display_color: &'static str,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Set on the one archived workspace.
    pub archived_at: Option<DateTime<Utc>>,
    /// Index into [`crate::catalog::INFERENCE_GEOS`] of its default inference geo.
    pub default_geo: u8,
}

/// An organisation member.
#[derive(Clone, Debug)]
pub struct User {
    /// `user_01…`
    pub id: String,
    /// `first.last@<org>.example`
    pub email: String,
    /// Full name.
    pub name: String,
    /// Organisation role.
    pub role: &'static str,
    /// When the user joined.
    pub added_at: DateTime<Utc>,
}

/// A (regular) API key; its usage appears in the reports.
#[derive(Clone, Debug)]
pub struct ApiKey {
    /// `apikey_01…`
    pub id: String,
    /// Display name.
    pub name: String,
    /// Index into `Org::workspaces`, `None` for the Default workspace.
    pub workspace: Option<usize>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Index into `Org::users` of the creator.
    pub created_by: usize,
    /// `sk-ant-api03-R2D...igAA`
    pub partial_key_hint: String,
    /// `active`, `inactive`, `archived` or `expired`.
    pub status: &'static str,
    /// Expiry, if any.
    pub expires_at: Option<DateTime<Utc>>,
    /// The key has usage only before this time (deactivated, archived or expired).
    pub usable_until: Option<DateTime<Utc>>,
    /// Relative share of the org's usage.
    pub weight: u64,
}

/// One organisation and its metadata.
#[derive(Clone, Debug)]
pub struct Org {
    /// Position among the orgs (part of every random stream about it).
    pub index: usize,
    /// UUID.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The admin key the org was created with.
    pub admin_key: String,
    /// Listed workspaces (one archived).
    pub workspaces: Vec<Workspace>,
    /// Members.
    pub users: Vec<User>,
    /// API keys of every status.
    pub api_keys: Vec<ApiKey>,
    /// Activity level in percent (scales the number of events per hour).
    pub activity: u64,
    /// Analytics attribution targets, seat tiers, groups and the discount.
    pub actors: Actors,
}

const ORG_NAMES: [&str; 8] = [
    "Acme Robotics",
    "Globex Research",
    "Initech Labs",
    "Umbrella Analytics",
    "Hooli Cloud",
    "Soylent Systems",
    "Tyrell Biotech",
    "Wonka Industries",
];
const WORKSPACE_NAMES: [&str; 8] = [
    "Production",
    "Staging",
    "Research",
    "Data Platform",
    "Support Bot",
    "Internal Tools",
    "Growth",
    "Evaluations",
];
const COLORS: [&str; 6] = [
    "#6C5BB9", "#D97757", "#2E7D32", "#1565C0", "#AD1457", "#F9A825",
];
const FIRST: [&str; 12] = [
    "jane", "omar", "li", "sofia", "mateo", "amara", "noah", "yuki", "priya", "lars", "chloe",
    "kofi",
];
const LAST: [&str; 12] = [
    "doe", "haddad", "wei", "rossi", "garcia", "okafor", "smith", "tanaka", "patel", "berg",
    "martin", "mensah",
];
const ROLES: [&str; 8] = [
    "admin",
    "developer",
    "claude_code_user",
    "user",
    "developer",
    "billing",
    "claude_code_user",
    "developer",
];
const KEY_NAMES: [&str; 12] = [
    "Production Backend",
    "Data Pipeline",
    "Eval Harness",
    "Support Bot",
    "Batch Summariser",
    "Staging Backend",
    "CI Tests",
    "Claude Code",
    "Notebook Experiments",
    "Search Indexer",
    "Mobile App",
    "Analytics Agent",
];
/// Statuses of the first keys: every status is present in every org.
const FIRST_STATUSES: [&str; 6] = [
    "active", "inactive", "archived", "expired", "active", "active",
];

/// A stream tag, so different purposes never share random numbers.
pub(crate) const TAG_ORG: u64 = 1;
pub(crate) const TAG_EXTRA_KEY: u64 = 2;

fn timestamp_before(rng: &mut Rng, anchor: DateTime<Utc>, max_days: u64) -> DateTime<Utc> {
    let micros = rng.below(max_days * 86_400 * 1_000_000) as i64;
    anchor - Duration::days(1) - Duration::microseconds(micros)
}

fn within(
    rng: &mut Rng,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    lo_pct: u64,
    hi_pct: u64,
) -> DateTime<Utc> {
    let span = (end - start).num_seconds().max(1) as u64;
    let at = span * rng.range(lo_pct, hi_pct) / 100;
    start + Duration::seconds(at as i64) + Duration::microseconds(rng.below(1_000_000) as i64)
}

/// An admin key: `sk-ant-admin01-` and 86 base62 characters.
pub fn admin_key(rng: &mut Rng) -> String {
    format!("sk-ant-admin01-{}", rng.base62(86))
}

/// Generates org number `index`; `start`/`end` bound its usage history.
pub fn generate_org(seed: u64, index: usize, start: DateTime<Utc>, end: DateTime<Utc>) -> Org {
    let mut rng = Rng::from_parts(&[seed, TAG_ORG, index as u64]);
    let base_name = ORG_NAMES[index % ORG_NAMES.len()];
    let name = match index / ORG_NAMES.len() {
        0 => base_name.to_string(),
        n => format!("{base_name} {}", n + 1),
    };
    let domain = format!(
        "{}.example",
        name.to_lowercase()
            .replace(' ', "")
            .replace(|c: char| !c.is_ascii_alphanumeric(), "")
    );
    let id = rng.uuid();
    let admin_key = admin_key(&mut rng);

    let n_ws = rng.range(3, 5) as usize;
    let first_ws = rng.below(WORKSPACE_NAMES.len() as u64) as usize;
    let workspaces: Vec<Workspace> = (0..n_ws)
        .map(|i| Workspace {
            id: format!("wrkspc_01{}", rng.base62(22)),
            name: WORKSPACE_NAMES[(first_ws + i) % WORKSPACE_NAMES.len()].to_string(),
            display_color: COLORS[(first_ws + i) % COLORS.len()],
            created_at: timestamp_before(&mut rng, start, 300),
            // The last workspace was archived part way through the history.
            archived_at: (i == n_ws - 1).then(|| within(&mut rng, start, end, 55, 80)),
            default_geo: if i == 1 { GEO_US } else { GEO_GLOBAL },
        })
        .collect();

    let n_users = rng.range(4, 8) as usize;
    let first_name = rng.below(FIRST.len() as u64) as usize;
    let users: Vec<User> = (0..n_users)
        .map(|i| {
            let f = FIRST[(first_name + i) % FIRST.len()];
            let l = LAST[(first_name + 5 * i + 3) % LAST.len()];
            User {
                id: format!("user_01{}", rng.base62(22)),
                email: format!("{f}.{l}@{domain}"),
                name: format!("{} {}", capitalise(f), capitalise(l)),
                role: ROLES[i],
                added_at: timestamp_before(&mut rng, start, 400),
            }
        })
        .collect();
    let creators: Vec<usize> = (0..n_users)
        .filter(|&u| matches!(users[u].role, "admin" | "developer"))
        .collect();

    let archived_ws = n_ws - 1;
    let n_keys = rng.range(6, 12) as usize;
    let first_key_name = rng.below(KEY_NAMES.len() as u64) as usize;
    let api_keys: Vec<ApiKey> = (0..n_keys)
        .map(|k| {
            let mut status = FIRST_STATUSES.get(k).copied().unwrap_or("active");
            if k >= FIRST_STATUSES.len() && rng.chance(20) {
                status = "inactive";
            }
            let workspace = match k {
                0 | 5 => None,
                2 => Some(archived_ws),
                1 => Some(0),
                _ if rng.chance(25) => None,
                _ => Some(rng.below(archived_ws as u64) as usize),
            };
            let created_at = timestamp_before(&mut rng, start, 200);
            let (expires_at, usable_until) = match status {
                "expired" => {
                    let at = within(&mut rng, start, end, 30, 70);
                    (Some(at), Some(at))
                }
                "archived" => (None, workspaces[archived_ws].archived_at),
                "inactive" => (None, Some(within(&mut rng, start, end, 20, 90))),
                _ if rng.chance(30) => {
                    (Some(end + Duration::days(rng.range(30, 365) as i64)), None)
                }
                _ => (None, None),
            };
            ApiKey {
                id: format!("apikey_01{}", rng.base62(22)),
                name: KEY_NAMES[(first_key_name + k) % KEY_NAMES.len()].to_string(),
                workspace,
                created_at,
                created_by: creators[rng.below(creators.len() as u64) as usize],
                partial_key_hint: format!("sk-ant-api03-{}...{}AA", rng.base62(3), rng.base62(2)),
                status,
                expires_at,
                usable_until,
                weight: rng.range(1, 10),
            }
        })
        .collect();

    let activity = rng.range(60, 160);
    let actors = Actors::generate(seed, index, &name, &users, &api_keys, start, end);
    Org {
        index,
        id,
        name,
        admin_key,
        workspaces,
        users,
        api_keys,
        activity,
        actors,
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org() -> Org {
        let end = "2026-11-20T00:00:00Z".parse().unwrap();
        generate_org(7, 0, end - Duration::days(90), end)
    }

    #[test]
    fn every_status_and_role_is_present() {
        let o = org();
        for s in ["active", "inactive", "archived", "expired"] {
            assert!(o.api_keys.iter().any(|k| k.status == s), "{s}");
        }
        for r in ["admin", "developer", "user", "claude_code_user"] {
            assert!(o.users.iter().any(|u| u.role == r), "{r}");
        }
        assert!(o.api_keys.iter().any(|k| k.workspace.is_none()));
        assert_eq!(
            o.workspaces
                .iter()
                .filter(|w| w.archived_at.is_some())
                .count(),
            1
        );
        assert!(o.admin_key.starts_with("sk-ant-admin01-"));
        assert_eq!(
            o.api_keys[0].id.len(),
            "apikey_01Rj2N8SVvo6BePZj99NhmiT".len()
        );
    }

    #[test]
    fn same_seed_same_org() {
        assert_eq!(org().admin_key, org().admin_key);
        assert_eq!(org().users[0].email, org().users[0].email);
    }
}

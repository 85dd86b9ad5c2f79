//! Generating an organisation from the seed: names, ids, key histories, vector stores.

use chrono::{DateTime, Duration, Utc};

use crate::config::KeyKind;
use crate::data::{AdminKey, ApiKey, Org, Owner, Project, ServiceAccount, User, VectorStore};
use crate::rng::Rng;

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
const PROJECT_NAMES: [&str; 8] = [
    "Support Assistant",
    "Search Ranking",
    "Data Pipeline",
    "Voice Agent",
    "Marketing Images",
    "Internal Tools",
    "Evaluations",
    "Mobile App",
];
const FIRST: [&str; 12] = [
    "ada", "bruno", "chen", "dara", "emeka", "fatima", "goran", "hana", "ines", "jonas", "keiko",
    "luis",
];
const LAST: [&str; 12] = [
    "lovelace", "silva", "wang", "obi", "nwosu", "haddad", "petrov", "sato", "costa", "berg",
    "mori", "vega",
];
const ROLES: [&str; 8] = [
    "owner", "reader", "reader", "owner", "reader", "reader", "reader", "owner",
];
const KEY_NAMES: [&str; 12] = [
    "prod-backend",
    "batch-worker",
    "eval-harness",
    "support-bot",
    "staging",
    "ci-tests",
    "notebooks",
    "search-indexer",
    "voice-gateway",
    "image-service",
    "analytics-agent",
    "mobile-app",
];

pub(crate) const TAG_ORG: u64 = 1;
pub(crate) const TAG_EXTRA_KEY: u64 = 2;

fn timestamp_before(rng: &mut Rng, anchor: DateTime<Utc>, max_days: u64) -> DateTime<Utc> {
    anchor - Duration::days(1) - Duration::seconds(rng.below(max_days * 86_400) as i64)
}

fn within(
    rng: &mut Rng,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
    lo: u64,
    hi: u64,
) -> DateTime<Utc> {
    let span = (end - start).num_seconds().max(1) as u64;
    start + Duration::seconds((span * rng.range(lo, hi) / 100) as i64)
}

fn redact(secret: &str) -> String {
    format!("{}...{}", &secret[..6], &secret[secret.len() - 3..])
}

/// An admin key: `sk-admin-`, 58 characters, `T3BlbkFJ`, 58 characters.
pub fn admin_key(rng: &mut Rng, kind: KeyKind, owner: usize, now: DateTime<Utc>) -> AdminKey {
    let value = format!("sk-admin-{}T3BlbkFJ{}", rng.base62(58), rng.base62(58));
    let name = match kind {
        KeyKind::Admin => "Main Admin Key",
        KeyKind::ReadOnly => "costledger (read only)",
        KeyKind::UsageOnly => "Usage reader",
    };
    AdminKey {
        id: format!("key_{}", rng.base62(16)),
        name: name.into(),
        value,
        kind,
        created_at: timestamp_before(rng, now, 30),
        owner,
    }
}

/// Generates org number `index`; `start`/`end` bound its usage history.
pub fn generate_org(seed: u64, index: usize, start: DateTime<Utc>, end: DateTime<Utc>) -> Org {
    let mut rng = Rng::from_parts(&[seed, TAG_ORG, index as u64]);
    let base = ORG_NAMES[index % ORG_NAMES.len()];
    let name = match index / ORG_NAMES.len() {
        0 => base.to_string(),
        n => format!("{base} {}", n + 1),
    };
    let stem = name.to_lowercase().replace(' ', "-");
    let id = format!("org-{}", rng.base62(24));
    let slug = format!("{stem}-{}", rng.lower(6));
    let domain = format!("{}.example", stem.replace('-', ""));

    let n_users = rng.range(4, 8) as usize;
    let first = rng.below(FIRST.len() as u64) as usize;
    let users: Vec<User> = (0..n_users)
        .map(|i| {
            let (f, l) = (FIRST[(first + i) % 12], LAST[(first + 5 * i + 3) % 12]);
            User {
                id: format!("user-{}", rng.base62(24)),
                name: format!("{} {}", capitalise(f), capitalise(l)),
                email: format!("{f}.{l}@{domain}"),
                role: ROLES[i],
                added_at: timestamp_before(&mut rng, start, 400),
            }
        })
        .collect();

    let n_named = rng.range(2, 4) as usize;
    let first_name = rng.below(PROJECT_NAMES.len() as u64) as usize;
    let mut projects = vec![Project {
        id: format!("proj_{}", rng.base62(24)),
        name: "Default project".into(),
        created_at: timestamp_before(&mut rng, start, 600) - Duration::days(200),
        archived_at: None,
    }];
    for i in 0..n_named {
        projects.push(Project {
            id: format!("proj_{}", rng.base62(24)),
            name: PROJECT_NAMES[(first_name + i) % PROJECT_NAMES.len()].into(),
            created_at: timestamp_before(&mut rng, start, 300),
            archived_at: (i == n_named - 1).then(|| within(&mut rng, start, end, 55, 80)),
        });
    }
    let archived = projects.len() - 1;
    let live: Vec<usize> = (1..archived).collect();

    let n_sa = rng.range(1, 2) as usize;
    let service_accounts: Vec<ServiceAccount> = (0..n_sa)
        .map(|i| ServiceAccount {
            id: format!("svc_acct_{}", rng.base62(24)),
            name: format!(
                "{}-bot",
                PROJECT_NAMES[(first_name + i) % 8]
                    .split(' ')
                    .next()
                    .unwrap_or("svc")
                    .to_lowercase()
            ),
            project: live[i % live.len()],
            role: if i == 0 { "member" } else { "owner" },
            created_at: timestamp_before(&mut rng, start, 200),
        })
        .collect();

    let n_keys = rng.range(6, 12) as usize;
    let first_key = rng.below(KEY_NAMES.len() as u64) as usize;
    let api_keys: Vec<ApiKey> = (0..n_keys)
        .map(|k| {
            let project = match k {
                0 => 0,
                1 => service_accounts[0].project,
                2 => archived,
                _ if rng.chance(20) => 0,
                _ => live[rng.below(live.len() as u64) as usize],
            };
            let owner = match k {
                1 => Owner::ServiceAccount(0),
                _ => {
                    let sa = service_accounts.iter().position(|s| s.project == project);
                    match sa {
                        Some(s) if k > 4 && rng.chance(30) => Owner::ServiceAccount(s),
                        _ => Owner::User(rng.below(n_users as u64) as usize),
                    }
                }
            };
            let usable_until = match k {
                2 => projects[archived].archived_at,
                3 => Some(within(&mut rng, start, end, 20, 70)),
                4 => Some(within(&mut rng, start, end, 40, 85)),
                _ => None,
            };
            let secret = match owner {
                Owner::User(_) => format!("sk-proj-{}", rng.base62(40)),
                Owner::ServiceAccount(_) => format!("sk-svcacct-{}", rng.base62(40)),
            };
            ApiKey {
                id: format!("key_{}", rng.base62(16)),
                name: KEY_NAMES[(first_key + k) % KEY_NAMES.len()].into(),
                project,
                owner,
                created_at: timestamp_before(&mut rng, start, 200),
                redacted_value: redact(&secret),
                owner_access: k != 3,
                deleted: k == 4,
                usable_until,
                weight: rng.range(1, 10),
            }
        })
        .collect();

    let mut vector_stores = Vec::new();
    for &p in &live {
        for _ in 0..rng.range(u64::from(p == live[0]), 2) {
            vector_stores.push(VectorStore {
                id: format!("vs_{}", rng.base62(24)),
                project: p,
                base_units: rng.range(1, 640),
            });
        }
    }

    let owner = users.iter().position(|u| u.role == "owner").unwrap_or(0);
    let admin_keys = vec![
        admin_key(&mut rng, KeyKind::Admin, owner, start),
        admin_key(&mut rng, KeyKind::ReadOnly, owner, end),
    ];

    Org {
        index,
        id,
        name,
        slug,
        projects,
        users,
        service_accounts,
        api_keys,
        vector_stores,
        admin_keys,
        activity: rng.range(60, 160),
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
    fn ids_and_special_keys_have_their_shapes() {
        let o = org();
        assert!(o.id.starts_with("org-") && o.id.len() == 28);
        assert!(o.slug.starts_with("acme-robotics-"));
        assert_eq!(o.projects[0].name, "Default project");
        assert!(o.projects[o.archived_project()].archived_at.is_some());
        assert!(o.api_keys.iter().any(|k| k.deleted));
        assert!(o.api_keys.iter().any(|k| !k.owner_access));
        assert!(
            o.api_keys
                .iter()
                .any(|k| matches!(k.owner, Owner::ServiceAccount(_)))
        );
        assert!(!o.vector_stores.is_empty());
        assert_eq!(o.api_keys[0].id.len(), "key_OYRZfEkH5R9CNgtY".len());
        assert_eq!(o.users[0].id.len(), "user-dAU7Ud7OljwJvKfi4wQzWHyV".len());
        let admin = &o.admin_keys[0].value;
        assert!(
            admin.starts_with("sk-admin-") && admin.len() == 133,
            "{admin}"
        );
        assert_eq!(&admin[67..75], "T3BlbkFJ");
        assert_eq!(o.admin_keys[1].kind, KeyKind::ReadOnly);
    }

    #[test]
    fn same_seed_same_org() {
        assert_eq!(org().admin_keys[0].value, org().admin_keys[0].value);
        assert_eq!(org().users[0].email, org().users[0].email);
    }
}

//! The metadata objects, field for field as the spec's examples show them.

use chrono::{DateTime, Utc};

use crate::buckets::{HOUR, floor};
use crate::data::{AdminKey, ApiKey, Org, Owner, Project, ServiceAccount, User};
use crate::json::Obj;

fn ts(t: DateTime<Utc>) -> String {
    t.timestamp().to_string()
}

/// Whether the project is archived as of `now`.
pub fn archived(p: &Project, now: DateTime<Utc>) -> bool {
    p.archived_at.is_some_and(|at| at <= now)
}

/// `organization.project`
pub fn project(p: &Project, now: DateTime<Utc>) -> String {
    let archived_at = p.archived_at.filter(|&at| at <= now);
    Obj::new()
        .str("id", Some(&p.id))
        .str("object", Some("organization.project"))
        .str("name", Some(&p.name))
        .raw("created_at", &ts(p.created_at))
        .opt_num("archived_at", archived_at.map(|t| t.timestamp()))
        .str(
            "status",
            Some(if archived(p, now) {
                "archived"
            } else {
                "active"
            }),
        )
        .str("external_key_id", None)
        .done()
}

/// `organization.user`
pub fn user(u: &User) -> String {
    Obj::new()
        .str("object", Some("organization.user"))
        .str("id", Some(&u.id))
        .str("name", Some(&u.name))
        .str("email", Some(&u.email))
        .str("role", Some(u.role))
        .raw("added_at", &ts(u.added_at))
        .done()
}

/// `organization.project.service_account`
pub fn service_account(s: &ServiceAccount) -> String {
    Obj::new()
        .str("object", Some("organization.project.service_account"))
        .str("id", Some(&s.id))
        .str("name", Some(&s.name))
        .str("role", Some(s.role))
        .raw("created_at", &ts(s.created_at))
        .done()
}

/// When a key was last used: when it stopped working, else the start of this hour.
fn last_used(until: Option<DateTime<Utc>>, now: DateTime<Utc>) -> i64 {
    let hour = floor(now.timestamp(), HOUR);
    until.map_or(hour, |u| u.timestamp().min(hour))
}

/// `organization.project.api_key`
pub fn api_key(org: &Org, k: &ApiKey, now: DateTime<Utc>) -> String {
    let owner = match k.owner {
        Owner::User(u) => {
            let u = &org.users[u];
            let role = if u.role == "owner" { "owner" } else { "member" };
            let inner = Obj::new()
                .str("id", Some(&u.id))
                .str("name", Some(&u.name))
                .str("email", Some(&u.email))
                .str("role", Some(role))
                .raw("created_at", &ts(u.added_at))
                .done();
            Obj::new()
                .str("type", Some("user"))
                .raw("user", &inner)
                .done()
        }
        Owner::ServiceAccount(s) => {
            let s = &org.service_accounts[s];
            let inner = Obj::new()
                .str("id", Some(&s.id))
                .str("name", Some(&s.name))
                .raw("created_at", &ts(s.created_at))
                .str("role", Some(s.role))
                .done();
            Obj::new()
                .str("type", Some("service_account"))
                .raw("service_account", &inner)
                .done()
        }
    };
    Obj::new()
        .str("object", Some("organization.project.api_key"))
        .str("redacted_value", Some(&k.redacted_value))
        .str("name", Some(&k.name))
        .raw("created_at", &ts(k.created_at))
        .raw("last_used_at", &last_used(k.usable_until, now).to_string())
        .str("id", Some(&k.id))
        .str(
            "owner_project_access",
            Some(if k.owner_access { "active" } else { "inactive" }),
        )
        .raw("owner", &owner)
        .done()
}

/// `organization.admin_api_key` (the secret itself is never shown, only its last three
/// characters).
pub fn admin_key(org: &Org, k: &AdminKey, now: DateTime<Utc>) -> String {
    let u = &org.users[k.owner];
    let owner = Obj::new()
        .str("type", Some("user"))
        .str("object", Some("organization.user"))
        .str("id", Some(&u.id))
        .str("name", Some(&u.name))
        .raw("created_at", &ts(u.added_at))
        .str("role", Some("owner"))
        .done();
    let redacted = format!("sk-admin...{}", &k.value[k.value.len() - 3..]);
    Obj::new()
        .str("object", Some("organization.admin_api_key"))
        .str("id", Some(&k.id))
        .str("name", Some(&k.name))
        .str("redacted_value", Some(&redacted))
        .raw("created_at", &ts(k.created_at))
        .str("expires_at", None)
        .raw("last_used_at", &last_used(None, now).to_string())
        .raw("owner", &owner)
        .done()
}

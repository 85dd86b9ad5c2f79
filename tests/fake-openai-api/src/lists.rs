//! The metadata endpoints: projects (and their API keys and service accounts), users and
//! admin API keys, with `after` cursors, plus retrieval by id.

use crate::data::Org;
use crate::errors::{ApiError, ApiResult};
use crate::json::{Obj, array};
use crate::objects;
use crate::query::Query;
use crate::world::World;

/// One list item: id, whether it passes the filters, its JSON.
type Item = (String, bool, String);

/// One page of a list in list order; `after` is a position in that order.
fn page(query: &Query, items: Vec<Item>, max: u32) -> ApiResult {
    let limit = query.limit(20, 1, max)? as usize;
    let from = match query.get("after") {
        None => 0,
        Some(after) => {
            1 + items
                .iter()
                .position(|(id, _, _)| id == after)
                .ok_or_else(|| {
                    ApiError::invalid(
                        format!("Invalid 'after': no object with id '{after}' in this list."),
                        "after",
                        "invalid_value",
                    )
                })?
        }
    };
    let rest: Vec<&Item> = items[from..].iter().filter(|i| i.1).collect();
    let chosen = &rest[..rest.len().min(limit)];
    let body = Obj::new()
        .str("object", Some("list"))
        .raw("data", &array(chosen.iter().map(|i| i.2.clone())))
        .str("first_id", chosen.first().map(|i| i.0.as_str()))
        .str("last_id", chosen.last().map(|i| i.0.as_str()))
        .bool("has_more", Some(rest.len() > limit))
        .done();
    Ok(body.into_bytes())
}

/// Indices of `objects` in creation order (oldest first, ties by id).
fn oldest_first<T>(objects: &[T], key: impl Fn(&T) -> (i64, &str)) -> Vec<usize> {
    let mut order: Vec<usize> = (0..objects.len()).collect();
    order.sort_by(|&a, &b| key(&objects[a]).cmp(&key(&objects[b])));
    order
}

fn project_index(org: &Org, id: &str) -> Result<usize, ApiError> {
    org.projects
        .iter()
        .position(|p| p.id == id)
        .ok_or_else(|| ApiError::not_found("project", id))
}

/// `GET /organization/projects` (`limit` 1–100, `after`, `include_archived`).
pub fn projects(world: &World, org: &Org, query: &Query) -> ApiResult {
    query.only(&["limit", "after", "include_archived"])?;
    let include_archived = query.bool("include_archived")?.unwrap_or(false);
    let items = oldest_first(&org.projects, |p| (p.created_at.timestamp(), &p.id))
        .into_iter()
        .map(|i| {
            let p = &org.projects[i];
            let keep = include_archived || !objects::archived(p, world.now);
            (p.id.clone(), keep, objects::project(p, world.now))
        })
        .collect();
    page(query, items, 100)
}

/// `GET /organization/projects/{project_id}`
pub fn project(world: &World, org: &Org, id: &str, query: &Query) -> ApiResult {
    query.only(&[])?;
    let p = &org.projects[project_index(org, id)?];
    Ok(objects::project(p, world.now).into_bytes())
}

/// `GET /organization/projects/{project_id}/api_keys` (`limit`, `after`,
/// `owner_project_access`). Without `owner_project_access` only keys whose owner still
/// has access are listed; `any` lists them all. Deleted keys are never listed.
pub fn project_api_keys(world: &World, org: &Org, project_id: &str, query: &Query) -> ApiResult {
    query.only(&["limit", "after", "owner_project_access"])?;
    let p = project_index(org, project_id)?;
    let access = query.enum_value("owner_project_access", &["active", "inactive", "any"])?;
    let items = oldest_first(&org.api_keys, |k| (k.created_at.timestamp(), &k.id))
        .into_iter()
        .map(|i| &org.api_keys[i])
        .filter(|k| k.project == p && !k.deleted)
        .map(|k| {
            let keep = match access {
                None | Some("active") => k.owner_access,
                Some("inactive") => !k.owner_access,
                _ => true,
            };
            (k.id.clone(), keep, objects::api_key(org, k, world.now))
        })
        .collect();
    page(query, items, 100)
}

/// `GET /organization/projects/{project_id}/api_keys/{key_id}`
pub fn project_api_key(
    world: &World,
    org: &Org,
    project_id: &str,
    key_id: &str,
    query: &Query,
) -> ApiResult {
    query.only(&[])?;
    let p = project_index(org, project_id)?;
    org.api_keys
        .iter()
        .find(|k| k.id == key_id && k.project == p && !k.deleted)
        .map(|k| objects::api_key(org, k, world.now).into_bytes())
        .ok_or_else(|| ApiError::not_found("API key", key_id))
}

/// `GET /organization/projects/{project_id}/service_accounts` (`limit`, `after`).
pub fn service_accounts(org: &Org, project_id: &str, query: &Query) -> ApiResult {
    query.only(&["limit", "after"])?;
    let p = project_index(org, project_id)?;
    let items = oldest_first(&org.service_accounts, |s| (s.created_at.timestamp(), &s.id))
        .into_iter()
        .map(|i| &org.service_accounts[i])
        .filter(|s| s.project == p)
        .map(|s| (s.id.clone(), true, objects::service_account(s)))
        .collect();
    page(query, items, 100)
}

/// `GET /organization/users` (`limit` 1–100, `after`, `emails`).
pub fn users(org: &Org, query: &Query) -> ApiResult {
    query.only(&["limit", "after", "emails"])?;
    let emails = query.all("emails");
    let items = oldest_first(&org.users, |u| (u.added_at.timestamp(), &u.id))
        .into_iter()
        .map(|i| {
            let u = &org.users[i];
            let keep = emails.is_empty() || emails.iter().any(|e| e.eq_ignore_ascii_case(&u.email));
            (u.id.clone(), keep, objects::user(u))
        })
        .collect();
    page(query, items, 100)
}

/// `GET /organization/users/{user_id}`
pub fn user(org: &Org, id: &str, query: &Query) -> ApiResult {
    query.only(&[])?;
    org.users
        .iter()
        .find(|u| u.id == id)
        .map(|u| objects::user(u).into_bytes())
        .ok_or_else(|| ApiError::not_found("user", id))
}

/// `GET /organization/admin_api_keys` (`after`, `order` asc|desc, `limit`). Revoked keys
/// are gone.
pub fn admin_api_keys(world: &World, org: &Org, query: &Query) -> ApiResult {
    query.only(&["limit", "after", "order"])?;
    let order = query
        .enum_value("order", &["asc", "desc"])?
        .unwrap_or("asc");
    let mut idx = oldest_first(&org.admin_keys, |k| (k.created_at.timestamp(), &k.id));
    if order == "desc" {
        idx.reverse();
    }
    let items = idx
        .into_iter()
        .map(|i| &org.admin_keys[i])
        .filter(|k| !world.is_revoked(&k.value))
        .map(|k| (k.id.clone(), true, objects::admin_key(org, k, world.now)))
        .collect();
    page(query, items, 100)
}

/// `GET /organization/admin_api_keys/{key_id}`
pub fn admin_api_key(world: &World, org: &Org, id: &str, query: &Query) -> ApiResult {
    query.only(&[])?;
    org.admin_keys
        .iter()
        .find(|k| k.id == id && !world.is_revoked(&k.value))
        .map(|k| objects::admin_key(org, k, world.now).into_bytes())
        .ok_or_else(|| ApiError::not_found("admin API key", id))
}

//! `/me`, and the cursor-paged lists: api keys, workspaces, users (and get-by-id).

use serde::Serialize;
use serde_json::{Value, json};

use crate::buckets::rfc3339_micros;
use crate::catalog::INFERENCE_GEOS;
use crate::data::{ApiKey, Org, User, Workspace};
use crate::errors::{ApiError, ApiResult};
use crate::query::{Query, one_of};

const KEY_STATUSES: [&str; 4] = ["active", "inactive", "archived", "expired"];

#[derive(Serialize)]
struct ListPage {
    data: Vec<Value>,
    first_id: Option<String>,
    last_id: Option<String>,
    has_more: bool,
}

fn to_body(v: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(v).expect("serialisable")
}

/// `GET /v1/organizations/me`
pub fn me(org: &Org) -> ApiResult {
    Ok(to_body(
        &json!({ "id": org.id, "type": "organization", "name": org.name }),
    ))
}

fn api_key_json(org: &Org, k: &ApiKey) -> Value {
    json!({
        "id": k.id,
        "type": "api_key",
        "name": k.name,
        "workspace_id": k.workspace.map(|w| &org.workspaces[w].id),
        "created_at": rfc3339_micros(k.created_at),
        "created_by": { "id": org.users[k.created_by].id, "type": "user" },
        "partial_key_hint": k.partial_key_hint,
        "status": k.status,
        "expires_at": k.expires_at.map(rfc3339_micros),
    })
}

fn workspace_json(w: &Workspace) -> Value {
    json!({
        "id": w.id,
        "type": "workspace",
        "name": w.name,
        "display_color": w.display_color,
        "created_at": rfc3339_micros(w.created_at),
        "archived_at": w.archived_at.map(rfc3339_micros),
        "data_residency": {
            "allowed_inference_geos": "unrestricted",
            "default_inference_geo": INFERENCE_GEOS[w.default_geo as usize],
            "workspace_geo": "us",
        },
    })
}

fn user_json(u: &User) -> Value {
    json!({
        "id": u.id,
        "type": "user",
        "email": u.email,
        "name": u.name,
        "role": u.role,
        "added_at": rfc3339_micros(u.added_at),
    })
}

/// One page of a list. `items` is the whole collection in list order (newest first) as
/// (id, passes the filters, object); cursors are positions in that order.
fn page(query: &Query, items: Vec<(&str, bool, Value)>) -> ApiResult {
    let limit = query.limit(20, 1, 1_000)? as usize;
    let after = query.get("after_id");
    let before = query.get("before_id");
    let position = |key: &str, id: &str| {
        items
            .iter()
            .position(|(i, _, _)| *i == id)
            .ok_or_else(|| ApiError::invalid(format!("{key}: no object with id {id:?}")))
    };
    let matching =
        |range: std::ops::Range<usize>| -> Vec<usize> { range.filter(|&i| items[i].1).collect() };
    let (chosen, has_more) = match (after, before) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "before_id and after_id cannot both be given; page in one direction",
            ));
        }
        (Some(id), None) => {
            let rest = matching(position("after_id", id)? + 1..items.len());
            (
                rest.iter().take(limit).copied().collect::<Vec<_>>(),
                rest.len() > limit,
            )
        }
        (None, Some(id)) => {
            let rest = matching(0..position("before_id", id)?);
            let skip = rest.len().saturating_sub(limit);
            (rest[skip..].to_vec(), skip > 0)
        }
        (None, None) => {
            let all = matching(0..items.len());
            (all.iter().take(limit).copied().collect(), all.len() > limit)
        }
    };
    let id_at = |i: Option<&usize>| i.map(|&i| items[i].0.to_string());
    let body = ListPage {
        first_id: id_at(chosen.first()),
        last_id: id_at(chosen.last()),
        has_more,
        data: chosen.iter().map(|&i| items[i].2.clone()).collect(),
    };
    Ok(to_body(&body))
}

/// Indices of `len` objects, newest first (ties by id).
fn newest_first<T>(
    objects: &[T],
    key: impl Fn(&T) -> (chrono::DateTime<chrono::Utc>, &str),
) -> Vec<usize> {
    let mut order: Vec<usize> = (0..objects.len()).collect();
    order.sort_by(|&a, &b| {
        let (ta, ia) = key(&objects[a]);
        let (tb, ib) = key(&objects[b]);
        tb.cmp(&ta).then(ia.cmp(ib))
    });
    order
}

/// `GET /v1/organizations/api_keys` (filters `status`, `workspace_id`, `created_by_user_id`).
pub fn api_keys(org: &Org, query: &Query) -> ApiResult {
    let status = query.get("status");
    if let Some(s) = status.filter(|s| !KEY_STATUSES.contains(s)) {
        return Err(ApiError::invalid(format!(
            "status: Input should be {}; got {s:?}",
            one_of(&KEY_STATUSES)
        )));
    }
    let workspace = query.get("workspace_id");
    let creator = query.get("created_by_user_id");
    let items = newest_first(&org.api_keys, |k| (k.created_at, &k.id))
        .into_iter()
        .map(|i| {
            let k = &org.api_keys[i];
            let ws = k.workspace.map(|w| org.workspaces[w].id.as_str());
            let keep = status.is_none_or(|s| s == k.status)
                && workspace.is_none_or(|w| Some(w) == ws)
                && creator.is_none_or(|u| u == org.users[k.created_by].id);
            (k.id.as_str(), keep, api_key_json(org, k))
        })
        .collect();
    page(query, items)
}

/// `GET /v1/organizations/workspaces` (`include_archived`, default false).
pub fn workspaces(org: &Org, query: &Query) -> ApiResult {
    let include_archived = match query.get("include_archived") {
        None | Some("false") => false,
        Some("true") => true,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "include_archived: Input should be a valid boolean, got {other:?}"
            )));
        }
    };
    let items = newest_first(&org.workspaces, |w| (w.created_at, &w.id))
        .into_iter()
        .map(|i| {
            let w = &org.workspaces[i];
            let keep = include_archived || w.archived_at.is_none();
            (w.id.as_str(), keep, workspace_json(w))
        })
        .collect();
    page(query, items)
}

/// `GET /v1/organizations/users` (`email` filter, case-insensitive).
pub fn users(org: &Org, query: &Query) -> ApiResult {
    let email = query.get("email");
    let items = newest_first(&org.users, |u| (u.added_at, &u.id))
        .into_iter()
        .map(|i| {
            let u = &org.users[i];
            let keep = email.is_none_or(|e| e.eq_ignore_ascii_case(&u.email));
            (u.id.as_str(), keep, user_json(u))
        })
        .collect();
    page(query, items)
}

/// `GET /v1/organizations/{collection}/{id}` for api_keys, workspaces and users.
pub fn get_one(org: &Org, collection: &str, id: &str) -> ApiResult {
    let found = match collection {
        "api_keys" => org
            .api_keys
            .iter()
            .find(|k| k.id == id)
            .map(|k| api_key_json(org, k)),
        "workspaces" => org
            .workspaces
            .iter()
            .find(|w| w.id == id)
            .map(workspace_json),
        "users" => org.users.iter().find(|u| u.id == id).map(user_json),
        _ => None,
    };
    found.map(|v| to_body(&v)).ok_or_else(ApiError::not_found)
}

//! `POST`, `GET` (list), `GET /{id}` and `DELETE /{id}` of `/v1/organizations/spend_limits`.

use serde::Serialize;
use serde_json::{Value, json};

use crate::analytics::endpoint::has_beta;
use crate::errors::{ApiError, ApiResult};
use crate::query::{Query, one_of};
use crate::spend_limits::paging::{Paged, paginate};
use crate::spend_limits::state::{
    CONSOLE_SCOPE_TYPES, ENTERPRISE_SCOPE_ORDER, PERIODS, SCOPE_TYPES, Scope, SpendLimit,
    SpendLimitJson,
};
use crate::world::World;

/// The beta flag the list requires.
pub const SPEND_LIMIT_READS_BETA: &str = "spend-limit-reads-2026-09-26";

fn body(v: &impl Serialize) -> Vec<u8> {
    serde_json::to_vec(v).expect("serialisable")
}

/// The identifier a scope is ordered by within its type.
fn scope_key(s: &Scope) -> &str {
    match s {
        Scope::Organization => "",
        Scope::Workspace { workspace_id: v }
        | Scope::User { user_id: v }
        | Scope::SeatTier { seat_tier: v }
        | Scope::RbacGroup { rbac_group_id: v }
        | Scope::OrganizationService { service: v }
        | Scope::UsageTier { usage_tier: v } => v,
    }
}

/// `GET /v1/organizations/spend_limits`
pub fn list(world: &World, org: usize, query: &Query, beta_header: Option<&str>) -> ApiResult {
    if !has_beta(beta_header, SPEND_LIMIT_READS_BETA) {
        return Err(ApiError::invalid(format!(
            "anthropic-beta: listing spend limits requires the header anthropic-beta: \
             {SPEND_LIMIT_READS_BETA}"
        )));
    }
    let state = &world.orgs[org];
    let applicable: &[&str] = if state.enterprise {
        &ENTERPRISE_SCOPE_ORDER
    } else {
        &CONSOLE_SCOPE_TYPES
    };
    let types = query.all("scope_type");
    if types.len() > 100 {
        return Err(ApiError::invalid(format!(
            "scope_type[]: List should have at most 100 items after validation, not {}",
            types.len()
        )));
    }
    for t in &types {
        if !SCOPE_TYPES.contains(t) {
            return Err(ApiError::invalid(format!(
                "scope_type[]: Input should be {}; got {t:?}",
                one_of(&SCOPE_TYPES)
            )));
        }
        if !applicable.contains(t) {
            return Err(ApiError::invalid(format!(
                "scope_type[]: {t} does not apply to this organization (it has {})",
                applicable.join(", ")
            )));
        }
    }
    let workspace = query.get("workspace_id");
    if workspace.is_some() && state.enterprise {
        return Err(ApiError::invalid(
            "workspace_id: only Claude Console organizations have workspace spend limits",
        ));
    }
    let mut limits: Vec<&SpendLimit> = state
        .spend_limits
        .limits
        .iter()
        .filter(|l| types.is_empty() || types.contains(&l.scope.type_name()))
        .filter(|l| match (workspace, &l.scope) {
            (None, _) => true,
            (Some(w), Scope::Workspace { workspace_id }) => workspace_id == w,
            (Some(_), _) => false,
        })
        .collect();
    if state.enterprise {
        // Grouped by scope type in a fixed order; a fixed order within each type too.
        let rank = |l: &SpendLimit| {
            let t = ENTERPRISE_SCOPE_ORDER
                .iter()
                .position(|t| *t == l.scope.type_name());
            (t, scope_key(&l.scope).to_string(), l.period)
        };
        limits.sort_by_key(|l| rank(l));
    } else {
        limits.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(a.id.cmp(&b.id)));
    }
    let items: Vec<SpendLimitJson> = limits.iter().map(|l| l.json()).collect();
    let Paged { items, next_page } = paginate(query, "spend_limits", items)?;
    Ok(body(&json!({ "data": items, "next_page": next_page })))
}

/// `GET /v1/organizations/spend_limits/{id}`
pub fn get(world: &World, org: usize, id: &str) -> ApiResult {
    let limit = world.orgs[org]
        .spend_limits
        .get(id)
        .ok_or_else(ApiError::not_found)?;
    Ok(body(&limit.json()))
}

/// `DELETE /v1/organizations/spend_limits/{id}`
pub fn delete(world: &mut World, org: usize, id: &str) -> ApiResult {
    let state = &mut world.orgs[org];
    state.spend_limits.delete(id, state.enterprise)?;
    Ok(body(&json!({ "id": id, "type": "spend_limit_deleted" })))
}

fn field_error(field: &str, message: impl std::fmt::Display) -> ApiError {
    ApiError::invalid(format!("{field}: {message}"))
}

/// Reads and checks a set request against the org's kind.
fn parse_set(world: &World, org: usize, raw: &[u8]) -> Result<(Scope, u8, Option<u64>), ApiError> {
    let v: Value = serde_json::from_slice(raw)
        .map_err(|e| ApiError::invalid(format!("request body is not valid JSON: {e}")))?;
    let obj = v
        .as_object()
        .ok_or_else(|| ApiError::invalid("request body must be a JSON object"))?;
    let amount = match obj.get("amount") {
        None => return Err(field_error("amount", "Field required")),
        Some(Value::Null) => None,
        Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => Some(
            s.parse::<u64>()
                .map_err(|_| field_error("amount", "is too large"))?,
        ),
        Some(other) => {
            return Err(field_error(
                "amount",
                format!(
                    "must be a non-negative integer string in cents (\"50000\") or null, got {other}"
                ),
            ));
        }
    };
    let period = match obj.get("period") {
        None | Some(Value::Null) => crate::spend_limits::state::MONTHLY,
        Some(Value::String(p)) if PERIODS.contains(&p.as_str()) => {
            PERIODS.iter().position(|x| x == p).expect("listed") as u8
        }
        Some(other) => {
            return Err(field_error(
                "period",
                format!("Input should be {}; got {other}", one_of(&PERIODS)),
            ));
        }
    };
    let scope_value = obj
        .get("scope")
        .ok_or_else(|| field_error("scope", "Field required"))?;
    let scope: Scope = serde_json::from_value(scope_value.clone()).map_err(|e| {
        field_error(
            "scope",
            format!(
                "must be one of the scope objects ({}): {e}",
                SCOPE_TYPES.join(", ")
            ),
        )
    })?;
    let state = &world.orgs[org];
    let meta = &state.org;
    match (&scope, state.enterprise) {
        (Scope::User { user_id }, true) => {
            if !meta.users.iter().any(|u| &u.id == user_id) {
                return Err(field_error(
                    "scope.user_id",
                    format!("no member with id {user_id:?}"),
                ));
            }
        }
        (Scope::Organization | Scope::Workspace { .. }, false) => {
            if let Scope::Workspace { workspace_id } = &scope {
                let live = meta
                    .workspaces
                    .iter()
                    .any(|w| &w.id == workspace_id && w.archived_at.is_none());
                if !live {
                    return Err(field_error(
                        "scope.workspace_id",
                        format!("no active workspace with id {workspace_id:?}"),
                    ));
                }
            }
            if period != crate::spend_limits::state::MONTHLY || amount.is_none() {
                return Err(ApiError::invalid(
                    "Claude Console organization and workspace spend limits are monthly and always \
                     carry an amount",
                ));
            }
        }
        (other, enterprise) => {
            let (kind, allowed) = if enterprise {
                ("Claude Enterprise", "user")
            } else {
                ("Claude Console", "organization, workspace")
            };
            return Err(ApiError::invalid(format!(
                "scope.type: a {kind} organization can set spend limits of scope {allowed} \
                 only, not {}",
                other.type_name()
            )));
        }
    }
    Ok((scope, period, amount))
}

/// `POST /v1/organizations/spend_limits`: an upsert keyed on (scope, period).
pub fn set(world: &mut World, org: usize, raw: &[u8]) -> ApiResult {
    let (scope, period, amount) = parse_set(world, org, raw)?;
    let now = world.now;
    let limit = world.orgs[org]
        .spend_limits
        .upsert(scope, period, amount, now);
    Ok(body(&limit.json()))
}

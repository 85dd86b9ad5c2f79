//! The query parameters of `/analytics/usage` and `/analytics/cost`, validated.

use chrono::{DateTime, Duration, Utc};

use crate::actors::{ACTOR_TYPES, Actor};
use crate::analytics::atoms::Report;
use crate::analytics::dims::{Dim, GROUP_BY, Grouping, NULL, dim_of, usage_group_by};
use crate::analytics::filter::{AtomFilter, bit};
use crate::buckets::{Width, floor, parse_rfc3339, rfc3339, secs};
use crate::catalog::{CONTEXT_WINDOWS, MODELS, PRODUCTS, SERVICE_TIERS, SPEEDS};
use crate::data::Org;
use crate::errors::ApiError;
use crate::query::{Query, one_of};
use crate::range::timestamp;

/// The earliest `starting_at` the Analytics API serves.
pub const EARLIEST: &str = "2026-01-01T00:00:00Z";
/// How far back `starting_at` may reach.
pub const MAX_AGE_DAYS: i64 = 365;
/// The longest range, and the longest with `1m` buckets.
pub const MAX_SPAN_SECS: i64 = 31 * 86_400;
/// The longest range with `time_bucket_width=1m`.
pub const MAX_MINUTE_SPAN_SECS: i64 = 86_400;
/// Most values in `actor_ids[]`.
pub const MAX_ACTOR_IDS: usize = 100;

const INFERENCE_GEO_FILTER: [&str; 3] = ["global", "us", "not_available"];
const CLAUDE_TAG_CATEGORIES: [&str; 5] = ["dm", "engaged", "monitoring", "proactive", "scheduled"];
/// Filters on dimensions without generated values: any value matches nothing.
const UNMODELLED_ID_FILTERS: [&str; 7] = [
    "agent_ids",
    "claude_tag_user_ids",
    "deployment_ids",
    "environment_ids",
    "session_ids",
    "slack_channel_ids",
    "user_profile_ids",
];

/// The metric rows are ranked by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderBy {
    /// Cost: `amount` (net).
    Amount,
    /// Cost: `list_amount`.
    ListAmount,
    /// Usage: `total_tokens`.
    TotalTokens,
    /// Usage: `output_tokens`.
    OutputTokens,
    /// Usage: `uncached_input_tokens`.
    UncachedInputTokens,
    /// Usage: `requests`.
    Requests,
}

/// A validated request.
#[derive(Clone, Debug)]
pub struct Params {
    /// `starting_at` floored to the hour (epoch seconds).
    pub start: i64,
    /// `ending_at` (or its default) floored to the hour.
    pub end: i64,
    /// Bucket width; `None` is one row per group over the whole range.
    pub width: Option<Width>,
    /// Grouped dimensions.
    pub grouping: Grouping,
    /// Grouped by `cost_type` or `token_type`: `requests` is null.
    pub split_by_cost: bool,
    /// Filters.
    pub filter: AtomFilter,
    /// Rows per page.
    pub limit: u32,
    /// `order=desc` (the default).
    pub descending: bool,
    /// `order_by`.
    pub order_by: OrderBy,
}

fn invalid(message: impl Into<String>) -> ApiError {
    ApiError::invalid(message)
}

fn enum_values<'q>(
    query: &'q Query,
    key: &str,
    allowed: &[&str],
) -> Result<Vec<&'q str>, ApiError> {
    let values = query.all(key);
    if let Some(bad) = values.iter().find(|v| !allowed.contains(v)) {
        return Err(invalid(format!(
            "{key}[]: Input should be {}; got {bad:?}",
            one_of(allowed)
        )));
    }
    Ok(values)
}

/// Restricts `dim` to the listed enum values (their index in `allowed`), if any are given.
fn enum_filter(
    f: &mut AtomFilter,
    q: &Query,
    key: &str,
    allowed: &[&str],
    dim: Dim,
) -> Result<(), ApiError> {
    let values = enum_values(q, key, allowed)?;
    if !values.is_empty() {
        let set = values
            .iter()
            .map(|v| bit(allowed.iter().position(|a| a == v).expect("validated") as u8))
            .fold(0, |a, b| a | b);
        f.restrict(dim, set);
    }
    Ok(())
}

/// Restricts `dim` to the ids listed, where value `i + offset` is `ids[i]`.
fn id_filter<'a>(
    f: &mut AtomFilter,
    q: &Query,
    key: &str,
    dim: Dim,
    ids: impl Iterator<Item = &'a str>,
    offset: u8,
) {
    let wanted = q.all(key);
    if !wanted.is_empty() {
        let set = ids
            .enumerate()
            .filter(|(_, id)| wanted.contains(id))
            .fold(0, |acc, (i, _)| acc | bit(i as u8 + offset));
        f.restrict(dim, set);
    }
}

fn range(q: &Query, now: DateTime<Utc>, width: Option<Width>) -> Result<(i64, i64), ApiError> {
    let starting_at =
        timestamp(q, "starting_at")?.ok_or_else(|| invalid("starting_at: Field required"))?;
    let earliest = parse_rfc3339(EARLIEST).expect("valid literal");
    if starting_at < earliest {
        return Err(invalid(format!(
            "starting_at: must be no earlier than {EARLIEST}; the legacy usage_report/messages \
             and cost_report endpoints serve older history"
        )));
    }
    if starting_at < now - Duration::days(MAX_AGE_DAYS) {
        return Err(invalid(format!(
            "starting_at: must be within the last {MAX_AGE_DAYS} days (now is {})",
            rfc3339(secs(now))
        )));
    }
    let ending_at = timestamp(q, "ending_at")?
        .unwrap_or_else(|| now.min(starting_at + Duration::seconds(MAX_SPAN_SECS)));
    let (start, end) = (
        floor(secs(starting_at), 3_600),
        floor(secs(ending_at), 3_600),
    );
    if end <= start {
        return Err(invalid(
            "Invalid date range: ending date must be after starting date",
        ));
    }
    if end - start > MAX_SPAN_SECS {
        return Err(invalid(
            "Invalid date range: the range may span at most 31 days",
        ));
    }
    if width == Some(Width::Minute) && end - start > MAX_MINUTE_SPAN_SECS {
        return Err(invalid(
            "Invalid date range: with time_bucket_width=1m the range may span at most 24 hours",
        ));
    }
    Ok((start, end))
}

fn actor_ids(f: &mut AtomFilter, q: &Query, org: &Org) -> Result<(), ApiError> {
    let ids = q.all("actor_ids");
    if ids.len() > MAX_ACTOR_IDS {
        return Err(invalid(format!(
            "actor_ids[]: List should have at most {MAX_ACTOR_IDS} items after validation, not {}",
            ids.len()
        )));
    }
    if ids.is_empty() {
        return Ok(());
    }
    let actors = &org.actors;
    let mut set = 0u64;
    for id in ids {
        let actor = if id.starts_with("user_") {
            let mut people = org.users.iter().chain(std::iter::once(&actors.former));
            people
                .position(|u| u.id == id)
                .map(|i| Actor::User(i as u8))
        } else if id.starts_with("svac_") {
            actors
                .service_accounts
                .iter()
                .position(|s| s.id == id)
                .map(|i| Actor::ServiceAccount(i as u8))
        } else if id.starts_with("apikey_") {
            // Only usage attributed to the key itself, not usage on it by a person.
            org.api_keys
                .iter()
                .position(|k| k.id == id)
                .map(|i| Actor::ApiKey(i as u8))
        } else {
            return Err(invalid(format!(
                "actor_ids[]: each id must start with user_, svac_ or apikey_; got {id:?} \
                 (federated actors have no id: select them with actor_types[]=federated_actor)"
            )));
        };
        if let Some(a) = actor {
            set |= bit(actors.index_of(a));
        }
    }
    f.restrict(Dim::Actor, set);
    Ok(())
}

fn filters(q: &Query, org: &Org) -> Result<AtomFilter, ApiError> {
    let mut f = AtomFilter::default();
    actor_ids(&mut f, q, org)?;
    enum_filter(&mut f, q, "actor_types", &ACTOR_TYPES, Dim::ActorType)?;
    id_filter(
        &mut f,
        q,
        "api_key_ids",
        Dim::ApiKey,
        org.api_keys.iter().map(|k| k.id.as_str()),
        1,
    );
    id_filter(
        &mut f,
        q,
        "workspace_ids",
        Dim::Workspace,
        org.workspaces.iter().map(|w| w.id.as_str()),
        1,
    );
    id_filter(
        &mut f,
        q,
        "models",
        Dim::Model,
        MODELS.iter().map(|m| m.id),
        0,
    );
    enum_filter(&mut f, q, "service_tiers", &SERVICE_TIERS, Dim::Tier)?;
    enum_filter(&mut f, q, "context_windows", &CONTEXT_WINDOWS, Dim::Window)?;
    let geos = enum_values(q, "inference_geos", &INFERENCE_GEO_FILTER)?;
    if !geos.is_empty() {
        // `not_available` selects the rows whose region is unset, which render as null.
        let set = geos
            .iter()
            .map(|g| {
                bit(if *g == "not_available" {
                    NULL
                } else {
                    (*g == "us") as u8
                })
            })
            .fold(0, |a, b| a | b);
        f.restrict(Dim::Geo, set);
    }
    enum_filter(&mut f, q, "speeds", &SPEEDS, Dim::Speed)?;
    enum_filter(&mut f, q, "products", &PRODUCTS, Dim::Product)?;
    let groups = q.all("rbac_group_ids");
    if !groups.is_empty() {
        let set = org
            .actors
            .rbac_groups
            .iter()
            .enumerate()
            .filter(|(_, g)| groups.contains(&g.id.as_str()))
            .fold(0, |acc, (i, _)| acc | bit(i as u8));
        f.rbac_groups = Some(set);
    }
    if !enum_values(q, "claude_tag_categories", &CLAUDE_TAG_CATEGORIES)?.is_empty()
        || UNMODELLED_ID_FILTERS.iter().any(|k| !q.all(k).is_empty())
    {
        f.nothing = true;
    }
    match q.get("exclude_deleted_users") {
        None | Some("false") => {}
        Some("true") => {
            f.exclude_actor = Some(org.actors.index_of(Actor::User(org.users.len() as u8)))
        }
        Some(other) => {
            return Err(invalid(format!(
                "exclude_deleted_users: Input should be a valid boolean, got {other:?}"
            )));
        }
    }
    Ok(f)
}

fn grouping(q: &Query, report: Report) -> Result<(Grouping, bool), ApiError> {
    let allowed: Vec<&str> = match report {
        Report::Cost => GROUP_BY.to_vec(),
        Report::Usage => usage_group_by(),
    };
    let values = enum_values(q, "group_by", &allowed)?;
    let tag_user = values.contains(&"claude_tag_user_id");
    if tag_user && (values.contains(&"rbac_group_id") || !q.all("rbac_group_ids").is_empty()) {
        return Err(invalid(
            "group_by[]=claude_tag_user_id cannot be combined with group_by[]=rbac_group_id or \
             the rbac_group_ids[] filter",
        ));
    }
    let grouping = values
        .iter()
        .filter_map(|v| dim_of(v))
        .fold(Grouping::default(), Grouping::with);
    let split = grouping.has(Dim::CostType) || grouping.has(Dim::TokenType);
    Ok((grouping, split))
}

fn order(q: &Query, report: Report) -> Result<(bool, OrderBy), ApiError> {
    let descending = match q.get("order") {
        None | Some("desc") => true,
        Some("asc") => false,
        Some(v) => {
            return Err(invalid(format!(
                "order: Input should be 'asc' or 'desc'; got {v:?}"
            )));
        }
    };
    let (names, values): (&[&str], &[OrderBy]) = match report {
        Report::Cost => (
            &["amount", "list_amount"],
            &[OrderBy::Amount, OrderBy::ListAmount],
        ),
        Report::Usage => (
            &[
                "total_tokens",
                "output_tokens",
                "uncached_input_tokens",
                "requests",
            ],
            &[
                OrderBy::TotalTokens,
                OrderBy::OutputTokens,
                OrderBy::UncachedInputTokens,
                OrderBy::Requests,
            ],
        ),
    };
    let order_by = match q.get("order_by") {
        None => values[0],
        Some(v) => match names.iter().position(|n| *n == v) {
            Some(i) => values[i],
            None => {
                return Err(invalid(format!(
                    "order_by: Input should be {}; got {v:?}",
                    one_of(names)
                )));
            }
        },
    };
    Ok((descending, order_by))
}

/// Validates every parameter of an analytics request for `org`.
pub fn parse(q: &Query, report: Report, org: &Org, now: DateTime<Utc>) -> Result<Params, ApiError> {
    let width = match q.get("time_bucket_width") {
        None => None,
        Some(raw) => Some(Width::parse(raw).ok_or_else(|| {
            invalid(format!(
                "time_bucket_width: Input should be '1d', '1h' or '1m'; got {raw:?}"
            ))
        })?),
    };
    let (start, end) = range(q, now, width)?;
    let (grouping, split_by_cost) = grouping(q, report)?;
    let filter = filters(q, org)?;
    let limit = q.limit(20, 1, 1_000)?;
    let (descending, order_by) = order(q, report)?;
    Ok(Params {
        start,
        end,
        width,
        grouping,
        split_by_cost,
        filter,
        limit,
        descending,
        order_by,
    })
}

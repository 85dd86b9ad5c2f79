//! `GET /v1/organization/usage/{endpoint}`: parameters, filters, buckets and results.

use crate::aggregate::{DIMS, Filter, GroupSpec, NOT_GROUPED, Sums, aggregate};
use crate::buckets::{DAY, Width, floor};
use crate::catalog::{CONTEXT_LEVELS, Dim, Endpoint, SIZES, SOURCES};
use crate::daily::project_units;
use crate::data::Org;
use crate::errors::{ApiError, ApiResult};
use crate::json::{Obj, array};
use crate::pricing::VECTOR_UNIT_BYTES;
use crate::query::{Query, invalid_value};
use crate::range::{BucketPage, resolve};
use crate::usage_rows::{Dims, row};
use crate::world::World;

/// The parameters every bucketed report takes.
pub const COMMON_PARAMS: [&str; 6] = [
    "start_time",
    "end_time",
    "bucket_width",
    "group_by",
    "limit",
    "page",
];

/// `{"object":"bucket","start_time":…,"end_time":…,"results":[…]}`
pub fn bucket(start: i64, end: i64, results: Vec<String>) -> String {
    Obj::new()
        .str("object", Some("bucket"))
        .raw("start_time", &start.to_string())
        .raw("end_time", &end.to_string())
        .raw("results", &array(results))
        .done()
}

/// `{"object":"page","data":[…],"has_more":…,"next_page":…}`
pub fn page(buckets: Vec<String>, page: BucketPage) -> Vec<u8> {
    Obj::new()
        .str("object", Some("page"))
        .raw("data", &array(buckets))
        .bool("has_more", Some(page.next_page.is_some()))
        .str("next_page", page.next_page.as_deref())
        .done()
        .into_bytes()
}

/// Validates `group_by` values against the dimensions `allowed`.
pub fn group_by(query: &Query, allowed: &[Dim]) -> Result<Vec<Dim>, ApiError> {
    let names: Vec<&str> = allowed.iter().map(|d| d.field()).collect();
    query
        .all("group_by")
        .into_iter()
        .map(|v| {
            allowed
                .iter()
                .find(|d| d.field() == v)
                .copied()
                .ok_or_else(|| invalid_value("group_by", v, &names))
        })
        .collect()
}

/// Bits (index + 1) of the objects whose id is in `wanted`; "none" (bit 0) never matches.
pub fn id_values<'a>(wanted: &[&str], ids: impl Iterator<Item = &'a str>) -> Vec<u8> {
    ids.enumerate()
        .filter(|(_, id)| wanted.contains(id))
        .map(|(i, _)| i as u8 + 1)
        .collect()
}

/// Applies the `project_ids` filter (shared with the costs endpoint).
pub fn project_filter(org: &Org, query: &Query, f: &mut Filter) {
    let wanted = query.all("project_ids");
    if !wanted.is_empty() {
        f.only(
            Dim::Project,
            id_values(&wanted, org.projects.iter().map(|p| p.id.as_str())),
        );
    }
}

/// Applies the `api_key_ids` filter (shared with the costs endpoint). Deleted keys still
/// match: their usage is in the reports.
pub fn key_filter(org: &Org, query: &Query, f: &mut Filter) {
    let wanted = query.all("api_key_ids");
    if !wanted.is_empty() {
        f.only(
            Dim::ApiKey,
            id_values(&wanted, org.api_keys.iter().map(|k| k.id.as_str())),
        );
    }
}

fn filter(org: &Org, endpoint: Endpoint, query: &Query) -> Result<Filter, ApiError> {
    let mut f = Filter::default();
    project_filter(org, query, &mut f);
    key_filter(org, query, &mut f);
    let users = query.all("user_ids");
    if !users.is_empty() {
        f.only(
            Dim::User,
            id_values(&users, org.users.iter().map(|u| u.id.as_str())),
        );
    }
    let models = query.all("models");
    if !models.is_empty() {
        let known = endpoint.models().iter().copied();
        f.only(
            Dim::Model,
            id_values(&models, known).into_iter().map(|v| v - 1),
        );
    }
    if let Some(batch) = query.bool("batch")? {
        f.only(Dim::Batch, [batch as u8]);
    }
    for (param, dim, allowed) in [
        ("sizes", Dim::Size, &SIZES[..]),
        ("sources", Dim::Source, &SOURCES[..]),
        ("context_levels", Dim::ContextLevel, &CONTEXT_LEVELS[..]),
    ] {
        let values = query.enum_list(param, allowed)?;
        if !values.is_empty() {
            f.only(dim, values);
        }
    }
    let stores = query.all("vector_store_ids");
    if !stores.is_empty() {
        let ids = org.vector_stores.iter().map(|s| s.id.as_str());
        f.only(Dim::VectorStore, id_values(&stores, ids));
    }
    Ok(f)
}

/// Parses `bucket_width` (default `1d`).
pub fn width(query: &Query) -> Result<Width, ApiError> {
    let raw = query.enum_value("bucket_width", &["1m", "1h", "1d"])?;
    Ok(raw.and_then(Width::parse).unwrap_or(Width::Day))
}

/// Serves one page of usage endpoint `endpoint` for org `org`.
pub fn usage(world: &World, org: usize, endpoint: Endpoint, query: &Query) -> ApiResult {
    let mut known = COMMON_PARAMS.to_vec();
    known.extend(endpoint.filters());
    query.only(&known)?;
    let width = width(query)?;
    let (default, max) = width.limits();
    let limit = query.limit(default, 1, max)?;
    let spec = GroupSpec::of(&group_by(query, endpoint.dims())?);
    let meta = &world.orgs[org].org;
    let filter = filter(meta, endpoint, query)?;
    let name = format!("usage/{}", endpoint.path());
    let page_of = resolve(query, &name, width.secs(), limit, world.now.timestamp())?;
    let buckets = page_of
        .buckets
        .iter()
        .map(|&(start, end)| {
            let groups = if endpoint == Endpoint::VectorStores {
                storage(world, org, start, &filter, &spec)
            } else {
                aggregate(world, org, endpoint, (start, end), &filter, &spec)
            };
            let results = groups
                .into_iter()
                .map(|(key, sums)| {
                    let values = crate::aggregate::unpack(key);
                    row(
                        &Dims {
                            org: meta,
                            values,
                            endpoint,
                        },
                        &sums,
                    )
                })
                .collect();
            bucket(start, end, results)
        })
        .collect();
    Ok(page(buckets, page_of))
}

/// Vector store storage in the bucket starting at `start`: the level of its UTC day, per
/// project or summed. Storage is a level, not a flow: every bucket of a day reports it.
fn storage(
    world: &World,
    org: usize,
    start: i64,
    filter: &Filter,
    spec: &GroupSpec,
) -> Vec<(u128, Sums)> {
    if floor(start, DAY) + DAY <= world.history_start() {
        return Vec::new(); // the day is entirely before the history
    }
    let meta = &world.orgs[org].org;
    let units = project_units(world.seed, meta, floor(start, DAY) / DAY);
    let project_bits = filter.0[DIMS.iter().position(|d| *d == Dim::Project).unwrap_or(0)];
    let mut out: Vec<(u128, Sums)> = Vec::new();
    for (p, &u) in units.iter().enumerate() {
        if u == 0 || project_bits >> (p + 1) & 1 == 0 {
            continue;
        }
        let project = if spec.0[0] { p as u8 + 1 } else { NOT_GROUPED };
        let key = ((project as u128) << 72) | ((1u128 << 72) - 1);
        match out.last_mut() {
            Some((k, s)) if *k == key => s.counts[0] += u * VECTOR_UNIT_BYTES,
            _ => {
                let mut s = Sums::default();
                s.counts[0] = u * VECTOR_UNIT_BYTES;
                out.push((key, s));
            }
        }
    }
    out
}

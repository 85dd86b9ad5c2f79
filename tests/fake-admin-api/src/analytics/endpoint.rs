//! `GET /v1/organizations/analytics/usage` and `GET /v1/organizations/analytics/cost`.

use crate::analytics::atoms::Report;
use crate::analytics::params::parse;
use crate::analytics::render::page_body;
use crate::analytics::rows::rows;
use crate::buckets::floor;
use crate::errors::{ApiError, ApiResult};
use crate::page_token;
use crate::query::Query;
use crate::world::World;

/// The beta flag both endpoints require.
pub const ANALYTICS_BETA: &str = "analytics-usage-cost-2026-08-24";

/// Whether a comma-separated `anthropic-beta` header names `flag`.
pub fn has_beta(header: Option<&str>, flag: &str) -> bool {
    header.is_some_and(|b| b.split(',').any(|f| f.trim() == flag))
}

/// The checks every analytics request passes before its parameters are read: the beta
/// header, the org's access to the beta, and HIPAA readiness.
fn admitted(world: &World, org: usize, beta_header: Option<&str>) -> Result<(), ApiError> {
    if !has_beta(beta_header, ANALYTICS_BETA) {
        return Err(ApiError::invalid(format!(
            "anthropic-beta: this endpoint is in beta; send the header \
             anthropic-beta: {ANALYTICS_BETA}"
        )));
    }
    let state = &world.orgs[org];
    if !state.analytics_beta {
        return Err(ApiError::not_found_with(format!(
            "The Usage and Cost Analytics API ({ANALYTICS_BETA}) is not enabled for this \
             organization; use /v1/organizations/usage_report/messages and \
             /v1/organizations/cost_report"
        )));
    }
    if state.hipaa {
        return Err(ApiError::invalid(
            "The Usage and Cost Analytics API is not available to HIPAA-ready organizations; \
             use /v1/organizations/usage_report/messages and /v1/organizations/cost_report",
        ));
    }
    Ok(())
}

/// Serves one page of an analytics report for org `org`.
pub fn analytics_report(
    world: &World,
    org: usize,
    query: &Query,
    report: Report,
    beta_header: Option<&str>,
) -> ApiResult {
    admitted(world, org, beta_header)?;
    let meta = &world.orgs[org].org;
    let mut params = parse(query, report, meta, world.now)?;
    let endpoint = match report {
        Report::Usage => "analytics/usage",
        Report::Cost => "analytics/cost",
    };
    let hash = page_token::params_hash(endpoint, query);
    // A token freezes the range, the late-data snapshot and the refresh stamp of the first
    // page, so paging stays consistent while the clock moves and late data lands.
    let (offset, generation, refreshed) = match query.get("page") {
        None => (
            0,
            world.late_generation,
            floor(world.now.timestamp(), 3_600),
        ),
        Some(token) => {
            let bad = || ApiError::invalid(format!("page: invalid page token {token:?}"));
            let fields = page_token::decode(token, hash)?;
            let numbers: Vec<i64> = fields.iter().filter_map(|f| f.parse().ok()).collect();
            let [offset, start, end, generation, refreshed] = numbers[..] else {
                return Err(bad());
            };
            if offset <= 0 || start != params.start || end <= start || generation < 0 {
                return Err(bad());
            }
            params.end = end;
            (offset as usize, generation as u32, refreshed)
        }
    };
    // Hours from the first page's refresh (or now, if the clock went back) are not served.
    let until = params.end.min(refreshed).min(world.now_hour() * 3_600);
    let key = (
        org,
        report,
        hash,
        params.start,
        params.end,
        generation,
        until,
    );
    let all = world.analytics_cache.get_or_compute(key, || {
        rows(world, org, &params, report, (generation, until))
    });
    if offset > 0 && offset >= all.len() {
        return Err(ApiError::invalid(format!(
            "page: invalid page token {:?}",
            query.get("page").unwrap_or_default()
        )));
    }
    let stop = (offset + params.limit as usize).min(all.len());
    let next_page = (stop < all.len()).then(|| {
        let fields = [
            stop as i64,
            params.start,
            params.end,
            generation as i64,
            refreshed,
        ];
        page_token::encode(&fields.map(|f| f.to_string()), hash)
    });
    Ok(page_body(
        meta,
        report,
        &all[offset..stop],
        params.split_by_cost,
        next_page,
        refreshed,
    ))
}

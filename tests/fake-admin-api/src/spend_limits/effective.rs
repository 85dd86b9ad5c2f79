//! `GET /v1/organizations/spend_limits/effective`: each member's resolved limit per period
//! and their period-to-date spend (Enterprise only).

use std::collections::HashMap;

use chrono::{Datelike, Utc};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::actors::{Actor, ActorJson, actor_json};
use crate::analytics::atoms::{Report, for_each_atom};
use crate::analytics::dims::Dim;
use crate::buckets::{floor, rfc3339};
use crate::errors::{ApiError, ApiResult};
use crate::money::cents3;
use crate::query::{Query, one_of};
use crate::spend_limits::paging::{Paged, paginate};
use crate::spend_limits::state::{PERIODS, Scope, SpendLimit};
use crate::world::{OrgState, World};

const DAY: i64 = 86_400;

/// One row of the effective report, as the API renders it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectiveRow {
    /// The member (`user_actor`).
    pub actor: ActorJson,
    /// Effective limit in integer cents; `null`: no limit applies for this period.
    pub amount: Option<String>,
    /// Always `USD`.
    pub currency: String,
    /// `daily`, `weekly` or `monthly`.
    pub period: String,
    /// Net spend since the period started, cents, at most 3 decimals.
    pub period_to_date_spend: String,
    /// The member's own scope (`{"type":"user","user_id":…}`).
    pub scope: Scope,
    /// The scope the limit was resolved from.
    pub source: Scope,
    /// The limit resolved.
    pub spend_limit_id: String,
}

/// An effective row with the exact figures behind it, for the truth.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EffectiveTruthRow {
    /// The row the API serves.
    #[serde(flatten)]
    pub row: EffectiveRow,
    /// When the period started (UTC day, ISO week from Monday, calendar month).
    pub period_starting_at: String,
    /// The spend before rounding, nanodollars.
    pub period_to_date_spend_nanos: u64,
}

/// Start of the period containing `now` (epoch seconds).
pub fn period_start(now: chrono::DateTime<Utc>, period: u8) -> i64 {
    let day = floor(now.timestamp(), DAY);
    match period {
        0 => day,
        1 => day - (day / DAY + 3).rem_euclid(7) * DAY, // 1970-01-01 was a Thursday
        _ => {
            let d = now.date_naive();
            let first = d.with_day(1).expect("day 1 exists");
            first
                .and_hms_opt(0, 0, 0)
                .expect("midnight")
                .and_utc()
                .timestamp()
        }
    }
}

/// Each person's net cost since the start of each period, nanodollars.
fn spend(world: &World, org: usize) -> HashMap<u8, [u64; 3]> {
    let now = world.now;
    let starts = [0, 1, 2].map(|p| period_start(now, p));
    let from = *starts.iter().min().expect("three periods");
    let table = &world.orgs[org].org.actors.table;
    let mut out: HashMap<u8, [u64; 3]> = HashMap::new();
    let range = (from, now.timestamp());
    for_each_atom(world, org, range, Report::Cost, u32::MAX, |at, d, m| {
        if let Actor::User(i) = table[d[Dim::Actor as usize] as usize] {
            let sums = out.entry(i).or_default();
            for (p, s) in sums.iter_mut().enumerate() {
                if at >= starts[p] {
                    *s += m.net;
                }
            }
        }
    });
    out
}

/// The limit member `i` resolves for `period`: their own, else their groups' (the most
/// permissive: no limit beats any amount, then the highest), else their seat tier's,
/// else the org's.
fn resolve(state: &OrgState, i: u8, period: u8) -> Option<&SpendLimit> {
    let limits = &state.spend_limits;
    let meta = &state.org;
    let user = Scope::User {
        user_id: meta.users[i as usize].id.clone(),
    };
    if let Some(l) = limits.find(&user, period) {
        return Some(l);
    }
    let group = meta
        .actors
        .groups_of(i)
        .filter_map(|g| {
            let scope = Scope::RbacGroup {
                rbac_group_id: meta.actors.rbac_groups[g as usize].id.clone(),
            };
            limits.find(&scope, period)
        })
        .min_by_key(|l| l.amount.map_or((0, 0), |a| (1, u64::MAX - a)));
    if group.is_some() {
        return group;
    }
    let tier = meta.actors.seat_tiers[i as usize];
    let seat = Scope::SeatTier {
        seat_tier: crate::actors::SEAT_TIERS[tier as usize].into(),
    };
    limits
        .find(&seat, period)
        .or_else(|| limits.find(&Scope::Organization, period))
}

/// Every member's rows for `periods` (all members, or those in `user_ids`), member by
/// member in member order, members without a resolved limit left out.
pub fn effective_rows(
    world: &World,
    org: usize,
    periods: &[u8],
    user_ids: &[&str],
) -> Vec<Vec<EffectiveTruthRow>> {
    let state = &world.orgs[org];
    let meta = &state.org;
    let spent = spend(world, org);
    (0..meta.users.len() as u8)
        .filter(|&i| user_ids.is_empty() || user_ids.contains(&meta.users[i as usize].id.as_str()))
        .map(|i| {
            let actor = actor_json(meta, meta.actors.index_of(Actor::User(i)));
            let scope = Scope::User {
                user_id: meta.users[i as usize].id.clone(),
            };
            periods
                .iter()
                .filter_map(|&p| {
                    let limit = resolve(state, i, p)?;
                    let nanos = spent.get(&i).map_or(0, |s| s[p as usize]);
                    Some(EffectiveTruthRow {
                        row: EffectiveRow {
                            actor: actor.clone(),
                            amount: limit.amount.map(|a| a.to_string()),
                            currency: "USD".into(),
                            period: PERIODS[p as usize].into(),
                            period_to_date_spend: cents3(nanos),
                            scope: scope.clone(),
                            source: limit.scope.clone(),
                            spend_limit_id: limit.id.clone(),
                        },
                        period_starting_at: rfc3339(period_start(world.now, p)),
                        period_to_date_spend_nanos: nanos,
                    })
                })
                .collect::<Vec<_>>()
        })
        .filter(|rows| !rows.is_empty())
        .collect()
}

/// `GET /v1/organizations/spend_limits/effective`
pub fn effective(world: &World, org: usize, query: &Query) -> ApiResult {
    if !world.orgs[org].enterprise {
        return Err(ApiError::invalid(
            "The effective spend limits report is available to Claude Enterprise \
             organizations only",
        ));
    }
    let mut periods = Vec::new();
    for p in query.all("period") {
        let i = PERIODS.iter().position(|x| *x == p).ok_or_else(|| {
            ApiError::invalid(format!(
                "period[]: Input should be {}; got {p:?}",
                one_of(&PERIODS)
            ))
        })?;
        periods.push(i as u8);
    }
    if periods.is_empty() {
        periods = vec![0, 1, 2];
    }
    periods.sort_unstable();
    periods.dedup();
    let user_ids = query.all("user_ids");
    if user_ids.len() > 100 {
        return Err(ApiError::invalid(format!(
            "user_ids[]: List should have at most 100 items after validation, not {}",
            user_ids.len()
        )));
    }
    // `limit` counts members: a member's rows never split across pages.
    let members = effective_rows(world, org, &periods, &user_ids);
    let Paged { items, next_page } = paginate(query, "spend_limits/effective", members)?;
    let data: Vec<EffectiveRow> = items.into_iter().flatten().map(|r| r.row).collect();
    Ok(serde_json::to_vec(&json!({ "data": data, "next_page": next_page })).expect("serialisable"))
}

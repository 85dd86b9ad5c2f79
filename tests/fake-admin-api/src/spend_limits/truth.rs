//! The spend-limit part of the ground truth.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::actors::SEAT_TIERS;

use crate::spend_limits::effective::{EffectiveTruthRow, effective_rows};
use crate::spend_limits::state::SpendLimitJson;
use crate::world::World;

/// An RBAC group and its members.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RbacGroupTruth {
    /// `rbac_group_01…`
    pub id: String,
    /// Display name.
    pub name: String,
    /// Member ids.
    pub user_ids: Vec<String>,
}

/// An org's spend limits now, and (Enterprise) every member's effective rows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendLimitsTruth {
    /// Enterprise: the RBAC groups limits resolve through (group rows of the Analytics
    /// API use them too). Empty for Console orgs.
    pub rbac_groups: Vec<RbacGroupTruth>,
    /// Enterprise: each member's seat tier (user id → tier). Empty for Console orgs.
    pub seat_tiers: BTreeMap<String, String>,
    /// Every configured limit, in creation order (the seeded ones first).
    pub limits: Vec<SpendLimitJson>,
    /// The effective report for every member and period, in the order it is served;
    /// empty for Console orgs, which have no effective report.
    pub effective: Vec<EffectiveTruthRow>,
}

/// The spend-limit truth of org `o` at the fake's current time.
pub fn org_spend_limits(world: &World, o: usize) -> SpendLimitsTruth {
    let state = &world.orgs[o];
    let effective = if state.enterprise {
        effective_rows(world, o, &[0, 1, 2], &[])
            .into_iter()
            .flatten()
            .collect()
    } else {
        Vec::new()
    };
    let meta = &state.org;
    let (rbac_groups, seat_tiers) = if state.enterprise {
        let groups = meta
            .actors
            .rbac_groups
            .iter()
            .map(|g| RbacGroupTruth {
                id: g.id.clone(),
                name: g.name.into(),
                user_ids: g
                    .members
                    .iter()
                    .map(|&u| meta.users[u as usize].id.clone())
                    .collect(),
            })
            .collect();
        let tiers = meta
            .users
            .iter()
            .zip(&meta.actors.seat_tiers)
            .map(|(u, &t)| (u.id.clone(), SEAT_TIERS[t as usize].to_string()))
            .collect();
        (groups, tiers)
    } else {
        (Vec::new(), BTreeMap::new())
    };
    SpendLimitsTruth {
        rbac_groups,
        seat_tiers,
        limits: state.spend_limits.limits.iter().map(|l| l.json()).collect(),
        effective,
    }
}

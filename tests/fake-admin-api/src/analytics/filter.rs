//! The Analytics API's filters, as sets of allowed dimension values.

use crate::actors::Actor;
use crate::analytics::dims::{Dim, Dims, N_DIMS, NULL};
use crate::data::Org;

/// The bit of a dimension value; `null` is bit 63 (values stay below 63).
pub fn bit(v: u8) -> u64 {
    if v == NULL { 1 << 63 } else { 1 << v }
}

/// Which atoms count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AtomFilter {
    /// Nothing matches (a filter on a dimension with no generated values).
    pub nothing: bool,
    /// Allowed values per dimension (`None`: no filter).
    pub sets: [Option<u64>; N_DIMS],
    /// `exclude_deleted_users`: the former member's actor index.
    pub exclude_actor: Option<u8>,
    /// `rbac_group_ids[]`: the person must be in one of these groups.
    pub rbac_groups: Option<u64>,
}

impl AtomFilter {
    /// Restricts `dim` to the values in `set` (intersecting an earlier restriction).
    pub fn restrict(&mut self, dim: Dim, set: u64) {
        let slot = &mut self.sets[dim as usize];
        *slot = Some(slot.unwrap_or(u64::MAX) & set);
    }

    /// Whether the atom counts. `enterprise`: groups exist only in Enterprise orgs.
    pub fn matches(&self, org: &Org, enterprise: bool, dims: &Dims) -> bool {
        if self.nothing {
            return false;
        }
        let values_ok = self
            .sets
            .iter()
            .zip(dims)
            .all(|(set, &v)| set.is_none_or(|s| s & bit(v) != 0));
        if !values_ok || self.exclude_actor == Some(dims[Dim::Actor as usize]) {
            return false;
        }
        match self.rbac_groups {
            None => true,
            Some(wanted) => {
                enterprise
                    && groups_of_actor(org, dims[Dim::Actor as usize])
                        .is_some_and(|mut g| g.any(|g| wanted & bit(g) != 0))
            }
        }
    }
}

/// The groups of the person behind actor `actor`, if it is a person.
pub fn groups_of_actor(org: &Org, actor: u8) -> Option<impl Iterator<Item = u8> + '_> {
    match org.actors.table.get(actor as usize)? {
        Actor::User(i) => Some(org.actors.groups_of(*i)),
        _ => None,
    }
}

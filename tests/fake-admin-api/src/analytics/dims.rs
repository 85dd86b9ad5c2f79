//! The Analytics API's dimensions: the `group_by[]` values, the ones the fake models,
//! and the packed value of each on an atom.

/// Every `group_by[]` value of the cost endpoint, alphabetical (also the group object's
/// keys). The usage endpoint takes the same without `cost_type` and `token_type`.
pub const GROUP_BY: [&str; 22] = [
    "actor",
    "actor_type",
    "agent_id",
    "api_key_id",
    "claude_tag_category",
    "claude_tag_user_id",
    "context_window",
    "cost_type",
    "deployment_id",
    "environment_id",
    "inference_geo",
    "model",
    "organization_id",
    "product",
    "rbac_group_id",
    "service_tier",
    "session_id",
    "slack_channel_id",
    "speed",
    "token_type",
    "user_profile_id",
    "workspace_id",
];

/// `group_by[]` values of the usage endpoint.
pub fn usage_group_by() -> Vec<&'static str> {
    GROUP_BY
        .iter()
        .copied()
        .filter(|g| !matches!(*g, "cost_type" | "token_type"))
        .collect()
}

/// A dimension the fake generates values for. The others (agents, deployments,
/// environments, sessions, Claude in Slack, user profiles) have no generated usage:
/// grouped by them everything is in the `null` row, and filters on them match nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(usize)]
pub enum Dim {
    /// Index into `org.actors.table`.
    Actor,
    /// Index into [`crate::actors::ACTOR_TYPES`].
    ActorType,
    /// 0 = no key, i+1 = key i.
    ApiKey,
    /// Context window index; null for code execution.
    Window,
    /// `cost_type` (cost only).
    CostType,
    /// 0 `global`, 1 `us`; null when the region is unset (`not_available`).
    Geo,
    /// Model index; null for code execution.
    Model,
    /// Always 0 (the only org): the org's id when grouped.
    Organization,
    /// Index into [`crate::catalog::PRODUCTS`], or null.
    Product,
    /// RBAC group of the person (one atom row per group; null when in none).
    RbacGroup,
    /// Service tier index; null for code execution.
    Tier,
    /// 0 `standard`; null for code execution.
    Speed,
    /// `token_type` (cost only): index into `TokenType::ALL`, null for other costs.
    TokenType,
    /// 0 = Default workspace, i+1 = workspace i.
    Workspace,
}

/// How many modelled dimensions there are.
pub const N_DIMS: usize = 14;

/// A null value (also what a dimension holds when it is not grouped).
pub const NULL: u8 = 0xFF;

/// Dimension values of one atom, indexed by [`Dim`].
pub type Dims = [u8; N_DIMS];

/// `cost_type` values.
pub const COST_TYPES: [&str; 3] = ["code_execution", "tokens", "web_search"];
/// `cost_type: code_execution`
pub const COST_CODE_EXECUTION: u8 = 0;
/// `cost_type: tokens`
pub const COST_TOKENS: u8 = 1;
/// `cost_type: web_search`
pub const COST_WEB_SEARCH: u8 = 2;

/// The modelled dimension a `group_by[]` value selects, if any.
pub fn dim_of(group_by: &str) -> Option<Dim> {
    Some(match group_by {
        "actor" => Dim::Actor,
        "actor_type" => Dim::ActorType,
        "api_key_id" => Dim::ApiKey,
        "context_window" => Dim::Window,
        "cost_type" => Dim::CostType,
        "inference_geo" => Dim::Geo,
        "model" => Dim::Model,
        "organization_id" => Dim::Organization,
        "product" => Dim::Product,
        "rbac_group_id" => Dim::RbacGroup,
        "service_tier" => Dim::Tier,
        "speed" => Dim::Speed,
        "token_type" => Dim::TokenType,
        "workspace_id" => Dim::Workspace,
        _ => return None,
    })
}

/// Which dimensions split the rows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Grouping {
    on: [bool; N_DIMS],
}

impl Grouping {
    /// Groups by `dim` too.
    pub fn with(mut self, dim: Dim) -> Grouping {
        self.on[dim as usize] = true;
        self
    }

    /// Whether `dim` is grouped.
    pub fn has(&self, dim: Dim) -> bool {
        self.on[dim as usize]
    }

    /// The row key of an atom: its values on grouped dimensions, null elsewhere.
    pub fn key(&self, dims: &Dims) -> Dims {
        let mut key = [NULL; N_DIMS];
        for (i, k) in key.iter_mut().enumerate() {
            if self.on[i] {
                *k = dims[i];
            }
        }
        key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_and_complete() {
        let mut sorted = GROUP_BY;
        sorted.sort_unstable();
        assert_eq!(sorted, GROUP_BY);
        assert_eq!(usage_group_by().len(), 20);
        let modelled = GROUP_BY.iter().filter(|g| dim_of(g).is_some()).count();
        assert_eq!(modelled, N_DIMS);
    }
}

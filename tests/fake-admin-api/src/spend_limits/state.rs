//! An org's spend limits: the seeded set, and the upsert and delete rules of each kind
//! of org.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::actors::SEAT_TIERS;
use crate::buckets::rfc3339;
use crate::data::Org;
use crate::errors::ApiError;
use crate::rng::Rng;

/// Periods, in the order the effective report lists them.
pub const PERIODS: [&str; 3] = ["daily", "weekly", "monthly"];
/// Index of `monthly` in [`PERIODS`] (the default of a set).
pub const MONTHLY: u8 = 2;

/// `scope_type[]` values.
pub const SCOPE_TYPES: [&str; 7] = [
    "organization",
    "organization_service",
    "rbac_group",
    "seat_tier",
    "usage_tier",
    "user",
    "workspace",
];

/// Scope types an Enterprise org has, in its list order.
pub const ENTERPRISE_SCOPE_ORDER: [&str; 5] = [
    "organization",
    "seat_tier",
    "rbac_group",
    "organization_service",
    "user",
];
/// Scope types a Console org has.
pub const CONSOLE_SCOPE_TYPES: [&str; 3] = ["organization", "usage_tier", "workspace"];

/// What a limit applies to: the API's tagged union.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Scope {
    /// The whole org.
    Organization,
    /// One workspace (Console).
    Workspace {
        /// `wrkspc_01…`
        workspace_id: String,
    },
    /// One member (Enterprise per-user override).
    User {
        /// `user_01…`
        user_id: String,
    },
    /// Members of a seat tier (Enterprise, set in claude.ai).
    SeatTier {
        /// e.g. `enterprise_standard`.
        seat_tier: String,
    },
    /// Members of a group (Enterprise, set in claude.ai).
    RbacGroup {
        /// `rbac_group_01…`
        rbac_group_id: String,
    },
    /// One product surface of the org (Enterprise, set in claude.ai).
    OrganizationService {
        /// e.g. `claude_code`.
        service: String,
    },
    /// The org's usage tier cap (Console, set by Anthropic, read-only).
    UsageTier {
        /// e.g. `tier_4`.
        usage_tier: String,
    },
}

impl Scope {
    /// The `type` string.
    pub fn type_name(&self) -> &'static str {
        match self {
            Scope::Organization => "organization",
            Scope::Workspace { .. } => "workspace",
            Scope::User { .. } => "user",
            Scope::SeatTier { .. } => "seat_tier",
            Scope::RbacGroup { .. } => "rbac_group",
            Scope::OrganizationService { .. } => "organization_service",
            Scope::UsageTier { .. } => "usage_tier",
        }
    }
}

/// One configured limit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpendLimit {
    /// `spl_01…`
    pub id: String,
    /// What it applies to.
    pub scope: Scope,
    /// Index into [`PERIODS`].
    pub period: u8,
    /// Cents; `None` is an explicit "no limit".
    pub amount: Option<u64>,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Last write.
    pub updated_at: DateTime<Utc>,
}

/// `BetaSpendLimit` as the API renders it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SpendLimitJson {
    /// Always `spend_limit`.
    #[serde(rename = "type")]
    pub kind: String,
    /// `spl_01…`
    pub id: String,
    /// Integer cents as a string, or null.
    pub amount: Option<String>,
    /// RFC 3339.
    pub created_at: String,
    /// Always `USD`.
    pub currency: String,
    /// Always true here (extra usage is never switched off in the fake).
    pub is_enabled: bool,
    /// `daily`, `weekly` or `monthly`.
    pub period: String,
    /// The scope union.
    pub scope: Scope,
    /// RFC 3339.
    pub updated_at: String,
}

impl SpendLimit {
    /// The API object.
    pub fn json(&self) -> SpendLimitJson {
        SpendLimitJson {
            kind: "spend_limit".into(),
            id: self.id.clone(),
            amount: self.amount.map(|a| a.to_string()),
            created_at: rfc3339(self.created_at.timestamp()),
            currency: "USD".into(),
            is_enabled: true,
            period: PERIODS[self.period as usize].into(),
            scope: self.scope.clone(),
            updated_at: rfc3339(self.updated_at.timestamp()),
        }
    }
}

const TAG_SPEND_LIMIT: u64 = 40;

/// The spend limits of one org.
#[derive(Clone, Debug)]
pub struct SpendLimits {
    /// Every limit, in creation order.
    pub limits: Vec<SpendLimit>,
    seed: u64,
    org: u64,
    minted: u64,
    writes: i64,
}

impl SpendLimits {
    fn mint(&mut self) -> String {
        self.minted += 1;
        let mut rng = Rng::from_parts(&[self.seed, TAG_SPEND_LIMIT, self.org, self.minted]);
        format!("spl_01{}", rng.base62(22))
    }

    fn push(&mut self, scope: Scope, period: u8, amount: Option<u64>, at: DateTime<Utc>) {
        let id = self.mint();
        self.limits.push(SpendLimit {
            id,
            scope,
            period,
            amount,
            created_at: at,
            updated_at: at,
        });
    }

    /// The limits an org starts with: an Enterprise org has org, seat-tier, group, service
    /// and user limits; a Console org its usage-tier cap and, for every other org, an org
    /// and a workspace limit.
    pub fn seed(
        seed: u64,
        org: &Org,
        enterprise: bool,
        history_start: DateTime<Utc>,
    ) -> SpendLimits {
        let mut s = SpendLimits {
            limits: Vec::new(),
            seed,
            org: org.index as u64,
            minted: 0,
            writes: 0,
        };
        let at = |days: i64| history_start - Duration::days(days);
        if enterprise {
            s.push(Scope::Organization, MONTHLY, Some(200_000), at(60));
            let tier = |t: usize| Scope::SeatTier {
                seat_tier: SEAT_TIERS[t].into(),
            };
            s.push(tier(0), MONTHLY, Some(20_000), at(59));
            s.push(tier(1), MONTHLY, Some(60_000), at(59));
            s.push(tier(1), 1, Some(20_000), at(58));
            let groups = &org.actors.rbac_groups;
            let group = |g: usize| Scope::RbacGroup {
                rbac_group_id: groups[g].id.clone(),
            };
            s.push(group(0), MONTHLY, Some(40_000), at(50));
            s.push(group(1), 0, Some(5_000), at(49));
            let service = Scope::OrganizationService {
                service: "claude_code".into(),
            };
            s.push(service, MONTHLY, Some(100_000), at(40));
            let user = |i: usize| Scope::User {
                user_id: org.users[i].id.clone(),
            };
            s.push(user(1), MONTHLY, Some(100_000), at(30));
            s.push(user(3), MONTHLY, None, at(20));
        } else {
            let tier = Scope::UsageTier {
                usage_tier: "tier_4".into(),
            };
            s.push(tier, MONTHLY, Some(500_000), at(120));
            if org.index.is_multiple_of(2) {
                s.push(Scope::Organization, MONTHLY, Some(300_000), at(45));
                let workspace = Scope::Workspace {
                    workspace_id: org.workspaces[0].id.clone(),
                };
                s.push(workspace, MONTHLY, Some(50_000), at(44));
            }
        }
        s
    }

    /// The limit with this id.
    pub fn get(&self, id: &str) -> Option<&SpendLimit> {
        self.limits.iter().find(|l| l.id == id)
    }

    /// The limit for exactly this scope and period.
    pub fn find(&self, scope: &Scope, period: u8) -> Option<&SpendLimit> {
        self.limits
            .iter()
            .find(|l| l.period == period && &l.scope == scope)
    }

    /// Sets the limit of (scope, period): overwrites it in place (same id) or creates it.
    /// Writes are stamped `now + n` seconds, n counting writes, so that successive writes
    /// are ordered even while the fake's clock stands still.
    pub fn upsert(
        &mut self,
        scope: Scope,
        period: u8,
        amount: Option<u64>,
        now: DateTime<Utc>,
    ) -> &SpendLimit {
        self.writes += 1;
        let at = now + Duration::seconds(self.writes);
        match self
            .limits
            .iter()
            .position(|l| l.period == period && l.scope == scope)
        {
            Some(i) => {
                self.limits[i].amount = amount;
                self.limits[i].updated_at = at;
                &self.limits[i]
            }
            None => {
                self.push(scope, period, amount, at);
                self.limits.last().expect("just pushed")
            }
        }
    }

    /// Deletes a limit, if this kind of org may delete its scope.
    pub fn delete(&mut self, id: &str, enterprise: bool) -> Result<(), ApiError> {
        let i = self
            .limits
            .iter()
            .position(|l| l.id == id)
            .ok_or_else(ApiError::not_found)?;
        let deletable: &[&str] = if enterprise {
            &["user"]
        } else {
            &["organization", "workspace"]
        };
        let kind = self.limits[i].scope.type_name();
        if !deletable.contains(&kind) {
            let (org_kind, settings) = if enterprise {
                ("Claude Enterprise", "claude.ai organization settings")
            } else {
                (
                    "Claude Console",
                    "nowhere: usage tier limits are set by Anthropic",
                )
            };
            return Err(ApiError::invalid(format!(
                "spend limit {id} has scope {kind}, which a {org_kind} organization cannot \
                 delete through the API (deletable: {}); it is managed in {settings}",
                deletable.join(", ")
            )));
        }
        self.limits.remove(i);
        Ok(())
    }
}

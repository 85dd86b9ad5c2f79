//! Spend limits of an Anthropic organisation (the Spend Limits API): what a limit applies
//! to, over which period, how much; which organisation kind may write which; and the
//! effective report of each member's resolved limit and period-to-date spend.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::Money;
use crate::error::{Error, Result};
use crate::macros::string_enum;

string_enum! {
    /// The window a spend limit resets over (UTC day, week from Monday, calendar month).
    SpendPeriod, "spend limit period" {
        /// A UTC day.
        Daily => "daily",
        /// A week.
        Weekly => "weekly",
        /// A calendar month.
        Monthly => "monthly",
    }
}

string_enum! {
    /// The kind of Anthropic organisation, which decides the spend limits it can write.
    OrgKind, "organisation kind" {
        /// Claude Console (early access): organisation and workspace limits, monthly, with an
        /// amount.
        Console => "console",
        /// Claude Enterprise: per-member (`user`) overrides; the rest is set in claude.ai.
        Enterprise => "enterprise",
    }
}

/// What a spend limit applies to: the API's `scope` union.
#[derive(
    Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum SpendLimitScope {
    /// The whole organisation.
    Organization,
    /// One workspace (Console).
    Workspace {
        /// `wrkspc_…`
        workspace_id: String,
    },
    /// One member (Enterprise).
    User {
        /// `user_…`
        user_id: String,
    },
    /// The members of a seat tier (Enterprise, set in claude.ai).
    SeatTier {
        /// The tier.
        seat_tier: String,
    },
    /// The members of a group (Enterprise, set in claude.ai).
    RbacGroup {
        /// `rbac_group_…`
        rbac_group_id: String,
    },
    /// One product surface (Enterprise, set in claude.ai).
    OrganizationService {
        /// The service.
        service: String,
    },
    /// The usage tier cap Anthropic sets (Console, read-only).
    UsageTier {
        /// The tier, when the API names it.
        #[serde(default)]
        usage_tier: Option<String>,
    },
}

impl SpendLimitScope {
    /// The `type` string (`scope_type[]` value).
    pub fn type_name(&self) -> &'static str {
        match self {
            SpendLimitScope::Organization => "organization",
            SpendLimitScope::Workspace { .. } => "workspace",
            SpendLimitScope::User { .. } => "user",
            SpendLimitScope::SeatTier { .. } => "seat_tier",
            SpendLimitScope::RbacGroup { .. } => "rbac_group",
            SpendLimitScope::OrganizationService { .. } => "organization_service",
            SpendLimitScope::UsageTier { .. } => "usage_tier",
        }
    }
}

impl std::fmt::Display for SpendLimitScope {
    /// `organization`, `workspace:wrkspc_…`, `user:user_…`, `seat_tier:…`,
    /// `rbac_group:rbac_group_…`, `organization_service:…`, `usage_tier[:…]`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let id = match self {
            SpendLimitScope::Organization | SpendLimitScope::UsageTier { usage_tier: None } => {
                return f.write_str(self.type_name());
            }
            SpendLimitScope::Workspace { workspace_id: id }
            | SpendLimitScope::User { user_id: id }
            | SpendLimitScope::SeatTier { seat_tier: id }
            | SpendLimitScope::RbacGroup { rbac_group_id: id }
            | SpendLimitScope::OrganizationService { service: id }
            | SpendLimitScope::UsageTier {
                usage_tier: Some(id),
            } => id,
        };
        write!(f, "{}:{id}", self.type_name())
    }
}

impl std::str::FromStr for SpendLimitScope {
    type Err = Error;

    /// The text [`Display`](std::fmt::Display) writes.
    fn from_str(text: &str) -> Result<Self> {
        let text = text.trim();
        let (kind, id) = match text.split_once(':') {
            Some((kind, id)) => (kind, Some(id.trim().to_string())),
            None => (text, None),
        };
        let need = |id: Option<String>| {
            id.filter(|i| !i.is_empty()).ok_or_else(|| {
                Error::invalid(format!(
                    "a {kind} spend limit scope names its target, like {kind}:ID; got {text:?}"
                ))
            })
        };
        Ok(match kind {
            "organization" if id.is_none() => SpendLimitScope::Organization,
            "workspace" => SpendLimitScope::Workspace {
                workspace_id: need(id)?,
            },
            "user" => SpendLimitScope::User { user_id: need(id)? },
            "seat_tier" => SpendLimitScope::SeatTier {
                seat_tier: need(id)?,
            },
            "rbac_group" => SpendLimitScope::RbacGroup {
                rbac_group_id: need(id)?,
            },
            "organization_service" => SpendLimitScope::OrganizationService { service: need(id)? },
            "usage_tier" => SpendLimitScope::UsageTier { usage_tier: id },
            _ => {
                return Err(Error::invalid(format!(
                    "unknown spend limit scope {text:?}; expected organization, workspace:ID, \
                     user:ID, seat_tier:TIER, rbac_group:ID, organization_service:SERVICE or \
                     usage_tier"
                )));
            }
        })
    }
}

/// A configured spend limit.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SpendLimit {
    /// `spl_…`
    pub id: String,
    /// What it applies to.
    pub scope: SpendLimitScope,
    /// Its period.
    pub period: SpendPeriod,
    /// The cap (whole cents); `None`: explicitly no cap at this scope and period.
    pub amount: Option<Money>,
    /// Currency of `amount`.
    pub currency: String,
    /// False when extra usage is switched off for the organisation or member (the amount is
    /// kept).
    pub is_enabled: bool,
    /// Created.
    pub created_at: Option<DateTime<Utc>>,
    /// Last written.
    pub updated_at: Option<DateTime<Utc>>,
}

/// A spend limit to set: an upsert keyed on (scope, period).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpendLimitWrite {
    /// What it applies to.
    pub scope: SpendLimitScope,
    /// Its period.
    pub period: SpendPeriod,
    /// The cap, a whole number of cents; `None` sets an explicit "no limit" override.
    pub amount: Option<Money>,
}

impl SpendLimitWrite {
    /// Checks what costledger can know before sending: a whole, non-negative number of
    /// cents, and (when `kind` is known) a scope and period that kind of organisation can
    /// write.
    pub fn check(&self, kind: Option<OrgKind>) -> Result<()> {
        if let Some(amount) = self.amount {
            let nanos = amount.nanos();
            if nanos < 0 || nanos % super::NANOS_PER_CENT != 0 {
                return Err(Error::invalid(format!(
                    "a spend limit is a whole, non-negative number of cents, got ${}",
                    amount.to_dollars_string()
                )));
            }
        }
        let Some(kind) = kind else {
            return Ok(());
        };
        let scope = self.scope.type_name();
        match (kind, &self.scope) {
            (OrgKind::Enterprise, SpendLimitScope::User { .. }) => Ok(()),
            (
                OrgKind::Console,
                SpendLimitScope::Organization | SpendLimitScope::Workspace { .. },
            ) => {
                if self.period != SpendPeriod::Monthly || self.amount.is_none() {
                    return Err(Error::invalid(format!(
                        "a Claude Console organisation's {scope} spend limit is monthly and \
                         always has an amount, got {} {}",
                        self.period,
                        if self.amount.is_some() {
                            "with an amount"
                        } else {
                            "without one"
                        }
                    )));
                }
                Ok(())
            }
            (OrgKind::Enterprise, _) => Err(Error::invalid(format!(
                "a Claude Enterprise organisation can set per-member (user) spend limits only, \
                 not {scope}; set seat-tier, group and organisation limits in claude.ai"
            ))),
            (OrgKind::Console, _) => Err(Error::invalid(format!(
                "a Claude Console organisation can set organization and workspace spend limits \
                 only, not {scope}"
            ))),
        }
    }
}

/// Who an effective-report row is about.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(tag = "type")]
pub enum SpendMember {
    /// A member.
    #[serde(rename = "user_actor")]
    User {
        /// `user_…`
        user_id: String,
        /// E-mail, when known.
        email_address: Option<String>,
        /// Name, when set.
        name: Option<String>,
        /// Deleted or no longer a member.
        #[serde(default)]
        deleted: bool,
    },
    /// A scoped API key.
    #[serde(rename = "scoped_api_key_actor")]
    ScopedApiKey {
        /// Its id.
        scoped_api_key_id: String,
    },
}

/// One row of the effective report: a member's resolved limit for one period and what they
/// spent since the period began.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct EffectiveSpend {
    /// The member.
    pub member: SpendMember,
    /// The effective cap; `None`: no limit applies for this period.
    pub amount: Option<Money>,
    /// Currency.
    pub currency: String,
    /// The period.
    pub period: SpendPeriod,
    /// Spend since the period began, exact to the thousandth of a cent. Zero can also mean
    /// that the reading is unavailable.
    pub period_to_date_spend: Money,
    /// The row's own scope, when stated.
    pub scope: Option<SpendLimitScope>,
    /// The scope the limit was inherited from.
    pub source: Option<SpendLimitScope>,
    /// The limit resolved.
    pub spend_limit_id: Option<String>,
}

/// A plan's spend limits and effective report as the `spend_limits` sync stream last stored
/// them ([`crate::Ledger::synced_spend_limits`]).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct SyncedSpendLimits {
    /// The plan.
    pub plan_id: i64,
    /// When the sync read them; `None`: never synced.
    pub synced_at: Option<DateTime<Utc>>,
    /// Every limit of the organisation, in the provider's order.
    pub limits: Vec<SpendLimit>,
    /// The effective report (Claude Enterprise), in the provider's order; empty when the
    /// organisation has none.
    pub effective: Vec<EffectiveSpend>,
    /// Why there is no effective report (a Claude Console organisation refuses it), in the
    /// provider's words.
    pub effective_unavailable: Option<String>,
}

impl SyncedSpendLimits {
    /// The stored limit of `scope` and `period`, if the provider has one.
    pub fn limit(&self, scope: &SpendLimitScope, period: SpendPeriod) -> Option<&SpendLimit> {
        self.limits
            .iter()
            .find(|l| &l.scope == scope && l.period == period)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(scope: SpendLimitScope, period: SpendPeriod, cents: Option<i64>) -> SpendLimitWrite {
        SpendLimitWrite {
            scope,
            period,
            amount: cents.map(Money::from_cents),
        }
    }

    #[test]
    fn scopes_read_back_what_they_write() {
        for text in [
            "organization",
            "workspace:wrkspc_1",
            "user:user_1",
            "seat_tier:premium",
            "rbac_group:rbac_group_1",
            "organization_service:claude_code",
            "usage_tier",
            "usage_tier:4",
        ] {
            let scope: SpendLimitScope = text.parse().unwrap();
            assert_eq!(scope.to_string(), text);
        }
        for bad in ["", "org", "user", "user:", "organization:x", "team:1"] {
            let e = bad.parse::<SpendLimitScope>().unwrap_err();
            assert_eq!(e.code(), "INVALID_INPUT", "{bad}");
        }
    }

    #[test]
    fn org_kinds_write_their_scopes_only() {
        let user = SpendLimitScope::User {
            user_id: "user_1".into(),
        };
        let org = SpendLimitScope::Organization;
        use OrgKind::*;
        use SpendPeriod::*;
        assert!(
            write(user.clone(), Daily, Some(100))
                .check(Some(Enterprise))
                .is_ok()
        );
        assert!(
            write(user.clone(), Daily, None)
                .check(Some(Enterprise))
                .is_ok()
        );
        let e = write(org.clone(), Monthly, Some(1))
            .check(Some(Enterprise))
            .unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT");
        assert!(e.to_string().contains("not organization"), "{e}");
        assert!(
            write(org.clone(), Monthly, Some(1))
                .check(Some(Console))
                .is_ok()
        );
        assert!(
            write(org.clone(), Weekly, Some(1))
                .check(Some(Console))
                .is_err()
        );
        assert!(
            write(org.clone(), Monthly, None)
                .check(Some(Console))
                .is_err()
        );
        assert!(
            write(user.clone(), Monthly, Some(1))
                .check(Some(Console))
                .is_err()
        );
        assert!(write(user.clone(), Monthly, Some(1)).check(None).is_ok());
        let fraction = SpendLimitWrite {
            amount: Some(Money::from_nanos(1)),
            ..write(user, Monthly, None)
        };
        assert!(fraction.check(None).is_err());
    }

    #[test]
    fn scopes_use_the_api_union() {
        let s: SpendLimitScope =
            serde_json::from_str(r#"{"type":"workspace","workspace_id":"wrkspc_1"}"#).unwrap();
        assert_eq!(s.type_name(), "workspace");
        let t: SpendLimitScope = serde_json::from_str(r#"{"type":"usage_tier"}"#).unwrap();
        assert_eq!(t, SpendLimitScope::UsageTier { usage_tier: None });
        assert_eq!(
            serde_json::to_string(&SpendLimitScope::Organization).unwrap(),
            r#"{"type":"organization"}"#
        );
    }
}

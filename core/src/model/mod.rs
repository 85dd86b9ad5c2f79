//! Plain data: plans, money, organisations, usage and cost.

mod analytics;
mod budget;
pub(crate) use budget::scope_text;
mod budget_scope;
mod money;
pub(crate) mod oauth_tokens;
mod org;
pub mod period;
pub(crate) mod plan;
mod provider;
mod reach;
mod spend_limits;
mod subject;
mod sync;
mod units;
mod usage;

pub use analytics::{
    Actor, ActorKey, ActorType, AnalyticsCostPage, AnalyticsCostRow, AnalyticsDimension,
    AnalyticsGroup, AnalyticsPage, AnalyticsUnavailable, AnalyticsUsagePage, AnalyticsUsageRow,
};
pub use budget::{
    Budget, BudgetPeriod, BudgetUpdate, DEFAULT_THRESHOLDS, LimitMirror, MAX_THRESHOLD,
    MAX_THRESHOLDS, NewBudget, WorkspaceRef,
};
pub use budget_scope::BudgetScope;
pub use money::{Money, NANOS_PER_CENT, NANOS_PER_DOLLAR};
pub use oauth_tokens::{OAuthBegin, OAuthTokens};
pub use org::{ApiKeyInfo, OrgMetadata, OrgUser, Workspace};
pub use plan::{
    BillingCycle, Credential, ListPlans, MAX_LABEL_CHARS, NewPlan, OAUTH_HINT, OrgInfo, Plan,
    PlanSettings, PlanStatus, PlanUpdate, Provider, Subscription, SubscriptionTier,
    validate_admin_key, validate_label, validate_openai_admin_key,
};
pub use provider::{ProviderInfo, catalog as provider_catalog, provider_info};
pub(crate) use provider::{check_credential_kind, focus_names};
pub use reach::CredentialReach;
pub use spend_limits::{
    EffectiveSpend, OrgKind, SpendLimit, SpendLimitScope, SpendLimitWrite, SpendMember,
    SpendPeriod, SyncedSpendLimits,
};
pub(crate) use subject::check_text;
pub use subject::{
    DEFAULT_PROJECT_NAME, KeyMapping, MappingFilter, NewKeyMapping, NewSubject, Project, Subject,
    normalise_email,
};
pub use sync::{RequestStats, SyncEvent, SyncHistoryFilter, SyncStatus, SyncStream};
pub use units::{UnitRow, UsageUnit};
pub use usage::{
    Basis, BucketWidth, ClaudeCodeModelUsage, ClaudeCodePage, ClaudeCodeRecord, CostDimension,
    CostPage, CostRow, TokenCounts, TokenType, UsageDimension, UsagePage, UsageRow,
};

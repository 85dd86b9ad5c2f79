//! Reports: allocation of the bill, and the answers a dashboard asks for.
//!
//! Every dollar of a plan lands in hourly cost facts (see [`allocation`]): the bill allocated
//! to keys, unallocated bill, and estimates, derived from the raw usage and cost by the sync
//! that changed a day or by the first report that reads it. Reports read the facts over a
//! [`Period`] in any time zone (whole UTC days from a daily rollup, edge hours from the facts)
//! and attribute keys to subjects when they are read, so re-mapping needs no re-sync.

pub mod allocation;
pub(crate) mod analytics_facts;
mod billed;
mod budgets;
mod claude_code_logs;
mod cost;
mod dashboard;
pub(crate) mod derive;
pub mod export;
mod focus;
mod focus_row;
mod forecast;
pub(crate) mod materialize;
pub use crate::model::period;
mod reconcile;
mod span;
mod unit_estimates;
mod units;
mod user_costs;
mod verify;

pub use billed::{BilledActor, BilledBy, BilledCostFilter, BilledCostLine};
pub use budgets::{
    Budget, BudgetAlert, BudgetPeriod, BudgetScope, BudgetStatus, BudgetUpdate, DEFAULT_THRESHOLDS,
    LimitMirror, NewBudget, ProviderLimitState, ProviderLimitStatus,
};
pub use cost::Cost;
pub use dashboard::{
    DEFAULT_WORKSPACE_NAME, Dashboard, DashboardFilter, MissingPriceLine, ModelLine, PlanLine,
    SubjectLine, WorkspaceLine, WorkspaceRef,
};
pub use export::{Export, ExportFormat, ExportRecord};
pub use focus::{FOCUS_COLUMNS, FocusFilter, FocusRow};
pub use forecast::Forecast;
pub use period::Period;
pub use reconcile::{ReconcileFilter, ReconcileLine, ReconcileStatus, SourceState};
pub use units::{UnitUsageFilter, UnitUsageLine};
pub use user_costs::{DayCost, ModelCost, PlanCost, ProjectCost, SeatShare, UserCosts};
pub use verify::{DayDifference, MonthDifference, PlanVerification, VERIFIED_TABLES, VerifyReport};

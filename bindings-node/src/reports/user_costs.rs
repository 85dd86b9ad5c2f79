//! `userCosts`: what one subject cost in a period.

use costledger::reports::{ModelCost as CoreModelCost, PlanCost as CorePlanCost};
use costledger::reports::{ProjectCost as CoreProjectCost, SeatShare as CoreSeatShare};
use napi_derive::napi;

use super::{Cost, DayCost, Period, period};
use crate::error::run;
use crate::ledger::JsLedger;
use crate::model::{Money, list};
use crate::subjects::Subject;

/// Which period `userCosts` covers.
#[napi(object, object_to_js = false)]
pub struct UserCostsOptions {
    /// `2026-11` (a month), `2026-11-05` (a day), `2026-W45` (an ISO week) or
    /// `2026-11-01..2026-11-16` (dates, the end exclusive), optionally followed by a space and
    /// an IANA time zone (`2026-11 America/Los_Angeles`).
    pub period: String,
    /// The IANA time zone the period's dates are in; replaces a zone written in `period`.
    /// Default: the one in `period`, else UTC.
    pub time_zone: Option<String>,
}

/// Cost of one plan.
#[napi(object, object_from_js = false)]
pub struct PlanCost {
    /// The plan.
    pub plan_id: i64,
    /// Its label.
    pub label: String,
    /// Its cost.
    pub cost: Cost,
}

impl From<CorePlanCost> for PlanCost {
    fn from(p: CorePlanCost) -> Self {
        PlanCost {
            plan_id: p.plan_id,
            label: p.label,
            cost: p.cost.into(),
        }
    }
}

/// Cost of one model.
#[napi(object, object_from_js = false)]
pub struct ModelCost {
    /// The model (`""` for cost without one, such as code execution).
    pub model: String,
    /// Its cost.
    pub cost: Cost,
}

impl From<CoreModelCost> for ModelCost {
    fn from(m: CoreModelCost) -> Self {
        ModelCost {
            model: m.model,
            cost: m.cost.into(),
        }
    }
}

/// Cost of one project of the subject.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ProjectCost {
    /// The project: the one the key's mapping names, else the subject's default project.
    pub project_id: Option<i64>,
    /// Its name.
    pub name: String,
    /// Its cost.
    pub cost: Cost,
}

impl From<CoreProjectCost> for ProjectCost {
    fn from(p: CoreProjectCost) -> Self {
        ProjectCost {
            project_id: p.project_id,
            name: p.name,
            cost: p.cost.into(),
        }
    }
}

/// The subject's share of a plan's seat fees: they hold a seat when their email is a member
/// of the plan's organisation.
#[napi(object, object_from_js = false)]
pub struct SeatShare {
    /// The plan.
    pub plan_id: i64,
    /// Its label.
    pub label: String,
    /// The subscription tier.
    #[napi(
        ts_type = "'free' | 'pro' | 'max_5x' | 'max_20x' | 'team_standard' | 'team_premium' | 'enterprise' | 'api'"
    )]
    pub tier: String,
    /// Seats paid for.
    pub seats: i64,
    /// One seat's fee, prorated to the period.
    pub amount: Money,
}

impl From<CoreSeatShare> for SeatShare {
    fn from(s: CoreSeatShare) -> Self {
        SeatShare {
            plan_id: s.plan_id,
            label: s.label,
            tier: s.tier.to_string(),
            seats: s.seats,
            amount: s.amount.into(),
        }
    }
}

/// What one subject cost in a period.
#[napi(object, object_from_js = false)]
pub struct UserCosts {
    /// The subject.
    pub subject: Subject,
    /// The period.
    pub period: Period,
    /// Everything: their keys' allocated and estimated cost, and their seat fees.
    pub total: Cost,
    /// Per plan, in plan id order.
    pub per_plan: Vec<PlanCost>,
    /// Per model, largest first.
    pub per_model: Vec<ModelCost>,
    /// Per project, largest first.
    pub per_project: Vec<ProjectCost>,
    /// Per date of the period, every date listed.
    pub per_day: Vec<DayCost>,
    /// Seat fee shares.
    pub seats: Vec<SeatShare>,
}

impl From<costledger::UserCosts> for UserCosts {
    fn from(u: costledger::UserCosts) -> Self {
        UserCosts {
            subject: u.subject.into(),
            period: u.period.into(),
            total: u.total.into(),
            per_plan: list(u.per_plan),
            per_model: list(u.per_model),
            per_project: list(u.per_project),
            per_day: list(u.per_day),
            seats: list(u.seats),
        }
    }
}

#[napi]
impl JsLedger {
    /// What a subject cost in a period: the allocated and estimated cost of the API keys
    /// attributed to them (a mapping first, else the key creator's email, resolved per hour),
    /// per plan, model, project and day, plus their seat share of plan subscriptions.
    /// `SUBJECT_NOT_FOUND` when there is no such subject; a malformed period or zone is
    /// `INVALID_INPUT`.
    #[napi(catch_unwind)]
    pub async fn user_costs(
        &self,
        subject_id: String,
        options: UserCostsOptions,
    ) -> napi::Result<UserCosts> {
        run(async {
            let period = period(&options.period, options.time_zone)?;
            self.inner.user_costs(&subject_id, period).await
        })
        .await
        .map(UserCosts::from)
    }
}

//! `dashboard`: the company's spend in a period, per plan, workspace, model and subject.

use costledger::DashboardFilter;
use costledger::reports::WorkspaceLine as CoreWorkspaceLine;
use costledger::reports::{MissingPriceLine as CoreMissingPriceLine, ModelLine as CoreModelLine};
use costledger::reports::{PlanLine as CorePlanLine, SubjectLine as CoreSubjectLine};
use napi_derive::napi;

use super::{Cost, DayCost, Period, WorkspaceRef, period};
use crate::error::run;
use crate::integers;
use crate::ledger::JsLedger;
use crate::model::{TokenCounts, list};

/// One workspace of one plan, to narrow a report to.
#[napi(object, object_to_js = false)]
pub struct WorkspaceOption {
    /// The plan.
    pub plan_id: f64,
    /// The workspace (`wrkspc_…`). Default (left out or null): the plan's Default workspace.
    pub workspace_id: Option<String>,
}

/// What `dashboard` covers.
#[napi(object, object_to_js = false)]
pub struct DashboardOptions {
    /// `2026-11` (a month), `2026-11-05` (a day), `2026-W45` (an ISO week) or
    /// `2026-11-01..2026-11-16` (dates, the end exclusive), optionally followed by a space and
    /// an IANA time zone (`2026-11 America/Los_Angeles`).
    pub period: String,
    /// The IANA time zone the period's dates are in; replaces a zone written in `period`.
    /// Default: the one in `period`, else UTC.
    pub time_zone: Option<String>,
    /// Only these plans (`PLAN_NOT_FOUND` when one does not exist). Default: every plan,
    /// disconnected ones included, for their history.
    pub plan_ids: Option<Vec<f64>>,
    /// Only the plans of these providers (`anthropic`, `openai`, `claude_code_logs`).
    /// Default: every provider.
    #[napi(ts_type = "Array<'anthropic' | 'openai' | 'claude_code_logs'>")]
    pub providers: Option<Vec<String>>,
    /// Only this workspace of one plan (subscription fees are then left out). Default: every
    /// workspace.
    pub workspace: Option<WorkspaceOption>,
    /// How many of the subjects who cost most to list (0 to 4294967295). Default 10.
    pub top_subjects: Option<f64>,
}

impl TryFrom<DashboardOptions> for DashboardFilter {
    type Error = costledger::Error;

    fn try_from(o: DashboardOptions) -> costledger::Result<Self> {
        let mut filter = DashboardFilter::new(period(&o.period, o.time_zone)?);
        if let Some(ids) = o.plan_ids {
            filter = filter.plans(integers::ids("planIds", ids)?);
        }
        if let Some(providers) = o.providers {
            let providers = providers
                .iter()
                .map(|p| p.parse())
                .collect::<Result<_, _>>()?;
            filter = filter.providers(providers);
        }
        if let Some(ws) = o.workspace {
            let plan_id = integers::id("workspace.planId", ws.plan_id)?;
            filter = filter.workspace(plan_id, ws.workspace_id);
        }
        if let Some(n) = integers::opt_uint32("topSubjects", o.top_subjects)? {
            filter = filter.top(n as usize);
        }
        Ok(filter)
    }
}

/// A plan's line.
#[napi(object, object_from_js = false)]
pub struct PlanLine {
    /// The plan.
    pub plan_id: i64,
    /// Its label.
    pub label: String,
    /// Where its usage comes from.
    #[napi(ts_type = "'anthropic' | 'openai' | 'claude_code_logs'")]
    pub provider: String,
    /// Its status now.
    #[napi(ts_type = "'active' | 'disconnected' | 'error'")]
    pub status: String,
    /// Its cost, with its subscription fee prorated to the period.
    pub cost: Cost,
}

impl From<CorePlanLine> for PlanLine {
    fn from(p: CorePlanLine) -> Self {
        PlanLine {
            plan_id: p.plan_id,
            label: p.label,
            provider: p.provider.to_string(),
            status: p.status.to_string(),
            cost: p.cost.into(),
        }
    }
}

/// A workspace's line.
#[napi(object, object_from_js = false)]
pub struct WorkspaceLine {
    /// Which workspace of which plan.
    pub workspace: WorkspaceRef,
    /// Its name (`Default workspace` for the Default one), followed by the plan's label in
    /// parentheses when several plans are shown.
    pub name: String,
    /// Its cost.
    pub cost: Cost,
}

impl From<CoreWorkspaceLine> for WorkspaceLine {
    fn from(w: CoreWorkspaceLine) -> Self {
        WorkspaceLine {
            workspace: w.workspace.into(),
            name: w.name,
            cost: w.cost.into(),
        }
    }
}

/// A model's line.
#[napi(object, object_from_js = false)]
pub struct ModelLine {
    /// The model (`""` for cost without one, such as code execution).
    pub model: String,
    /// Its cost: what is known of it (see `costUnknown`).
    pub cost: Cost,
    /// Its tokens, priced or not.
    pub tokens: TokenCounts,
    /// Its tokens of every kind that have no price (the bill does not cover them and the
    /// price table has no price for the model): their cost is in no amount.
    pub unpriced_tokens: i64,
    /// True when some of its usage has no price: `cost` is then less than what the model
    /// really cost (zero when none of it is priced); `missingPrices` names the usage.
    pub cost_unknown: bool,
}

impl From<CoreModelLine> for ModelLine {
    fn from(m: CoreModelLine) -> Self {
        ModelLine {
            model: m.model,
            cost: m.cost.into(),
            tokens: m.tokens.into(),
            unpriced_tokens: m.unpriced_tokens,
            cost_unknown: m.cost_unknown,
        }
    }
}

/// A subject's line.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct SubjectLine {
    /// The subject.
    pub subject_id: String,
    /// Their email.
    pub email: Option<String>,
    /// Their name.
    pub name: Option<String>,
    /// What the keys attributed to them cost.
    pub cost: Cost,
}

impl From<CoreSubjectLine> for SubjectLine {
    fn from(s: CoreSubjectLine) -> Self {
        SubjectLine {
            subject_id: s.subject_id,
            email: s.email,
            name: s.name,
            cost: s.cost.into(),
        }
    }
}

/// Usage the price table has no price for: its cost is unknown, not zero.
#[napi(object, object_from_js = false)]
pub struct MissingPriceLine {
    /// The plan.
    pub plan_id: i64,
    /// The model.
    pub model: String,
    /// The service tier.
    pub service_tier: String,
    /// The context window.
    pub context_window: String,
    /// Its tokens of every kind.
    pub tokens: i64,
}

impl From<CoreMissingPriceLine> for MissingPriceLine {
    fn from(m: CoreMissingPriceLine) -> Self {
        MissingPriceLine {
            plan_id: m.plan_id,
            model: m.model,
            service_tier: m.service_tier,
            context_window: m.context_window,
            tokens: m.tokens,
        }
    }
}

/// The company's spend in a period.
#[napi(object, object_from_js = false)]
pub struct Dashboard {
    /// The period.
    pub period: Period,
    /// Everything shown.
    pub totals: Cost,
    /// Per plan, in plan id order.
    pub per_plan: Vec<PlanLine>,
    /// Per workspace, largest first.
    pub per_workspace: Vec<WorkspaceLine>,
    /// Per model, largest first.
    pub per_model: Vec<ModelLine>,
    /// The subjects who cost most, largest first.
    pub top_subjects: Vec<SubjectLine>,
    /// Cost no subject owns: Console usage, keys nobody is mapped to, unallocated bill.
    pub unattributed: Cost,
    /// Every date of the period, in its time zone.
    pub daily: Vec<DayCost>,
    /// Usage whose cost is unknown.
    pub missing_prices: Vec<MissingPriceLine>,
}

impl From<costledger::Dashboard> for Dashboard {
    fn from(d: costledger::Dashboard) -> Self {
        Dashboard {
            period: d.period.into(),
            totals: d.totals.into(),
            per_plan: list(d.per_plan),
            per_workspace: list(d.per_workspace),
            per_model: list(d.per_model),
            top_subjects: list(d.top_subjects),
            unattributed: d.unattributed.into(),
            daily: list(d.daily),
            missing_prices: list(d.missing_prices),
        }
    }
}

#[napi]
impl JsLedger {
    /// The company's spend in a period: totals, per plan (with subscription fees), per
    /// workspace, per model (with tokens), the top subjects, the daily series in the period's
    /// time zone, unattributed cost and usage without a price. `totals.billed` is the
    /// providers' bill for the period to the nanodollar.
    #[napi(catch_unwind)]
    pub async fn dashboard(&self, options: DashboardOptions) -> napi::Result<Dashboard> {
        run(async { self.inner.dashboard(options.try_into()?).await })
            .await
            .map(Dashboard::from)
    }
}

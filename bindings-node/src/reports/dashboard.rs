//! `dashboard`: the company's spend in a period, per plan, workspace, model and subject.

use costledger::DashboardFilter;
use napi_derive::napi;

use super::period;
use crate::error::run_json;
use crate::integers;
use crate::ledger::JsLedger;

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

#[napi]
impl JsLedger {
    /// The company's spend in a period: totals, per plan (with subscription fees), per
    /// workspace, per model (with tokens), the top subjects, the daily series in the period's
    /// time zone, unattributed cost and usage without a price. `totals.billed` is the
    /// providers' bill for the period to the nanodollar.
    #[napi(catch_unwind)]
    pub async fn dashboard(&self, options: DashboardOptions) -> napi::Result<String> {
        run_json(async { self.inner.dashboard(options.try_into()?).await }).await
    }
}

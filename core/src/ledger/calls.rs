//! [`Ledger::call`]: the ledger's request-and-reply methods by name, their arguments a JSON
//! object and their result the core's JSON. The Python package crosses into the core this
//! way: its methods convert their arguments to JSON and decode the reply with the types
//! `scripts/gen-bindings.py` writes from the same core types, so the conversions of
//! arguments (periods and their time zones, scopes, amounts, filters) are written once, here.
//!
//! What cannot cross as JSON stays a method of its own in each binding: credentials (adding a
//! plan, rotating a key or the master key: no secret is ever in a call's text, so no error
//! about an argument can quote one), OAuth tokens, a sync (it is cancelled), opening and
//! closing. The plain arguments of a new plan and of a sync are read here too
//! ([`new_plan`], [`sync_options`]).

mod args;
mod options;
mod reply;

use std::future::Future;
use std::pin::Pin;

use serde::Serialize;

use self::args::Args;
pub use self::options::{new_plan, sync_options};
pub use self::reply::Reply;
use self::reply::{Flat, One};
use super::{DataRetention, Ledger};
use crate::error::{Error, Result};
use crate::model::{
    BudgetUpdate, ListPlans, MappingFilter, NewBudget, NewKeyMapping, NewSubject, PlanUpdate,
    SpendLimitWrite, SyncHistoryFilter,
};
use crate::reports::export::{Export, ExportRecord};
use crate::reports::{
    BilledCostFilter, DashboardFilter, FocusFilter, ReconcileFilter, UnitUsageFilter,
};
use crate::source::anthropic::analytics::SpendLimitFilter;
use crate::source::claude_code_logs::LogReportOptions;

/// A call whose arguments were read and checked, ready to run.
type Run<'l> = Pin<Box<dyn Future<Output = Result<Reply>> + Send + 'l>>;

/// A method returning a plain value.
fn value<'l, T: Serialize>(call: impl Future<Output = Result<T>> + Send + 'l) -> Run<'l> {
    Box::pin(async move { Reply::value(&call.await?) })
}

/// A method returning a report with its exports.
fn report<'l, T>(call: impl Future<Output = Result<T>> + Send + 'l) -> Run<'l>
where
    T: Export + Serialize + Send + Sync + 'static,
{
    Box::pin(async move { Reply::report(call.await?) })
}

/// A method returning one record of a type exported as a list.
fn one<'l, T>(call: impl Future<Output = Result<T>> + Send + 'l) -> Run<'l>
where
    T: ExportRecord + Send + Sync + 'static,
{
    Box::pin(async move { Reply::report(One(call.await?)) })
}

/// A method returning a list exported in the generic flat form.
fn flat<'l, T>(call: impl Future<Output = Result<Vec<T>>> + Send + 'l) -> Run<'l>
where
    T: Serialize + Send + Sync + 'static,
{
    Box::pin(async move { Reply::report(Flat(call.await?)) })
}

/// Thresholds as the core's percents; a negative one is `INVALID_INPUT`.
fn percents(thresholds: Vec<i64>) -> Result<Vec<u32>> {
    thresholds
        .into_iter()
        .map(|t| {
            u32::try_from(t).map_err(|_| {
                Error::invalid(format!("thresholds must be percents of 1-1000, got {t}"))
            })
        })
        .collect()
}

fn retention(a: &mut Args<'_>) -> Result<DataRetention> {
    Ok(match a.or("purge", false)? {
        true => DataRetention::Purge,
        false => DataRetention::Keep,
    })
}

/// The names [`Ledger::call`] answers to, in the order of the ledger's docs.
pub const CALLS: &[&str] = &[
    "providers",
    "plan_metadata",
    "list_plans",
    "get_plan",
    "update_plan",
    "disconnect_plan",
    "disconnect_plan_reporting",
    "import_plan_from_env",
    "check_plan",
    "upsert_subject",
    "get_subject",
    "list_subjects",
    "delete_subject",
    "create_project",
    "list_projects",
    "delete_project",
    "map_key",
    "list_mappings",
    "end_mapping",
    "delete_mapping",
    "user_costs",
    "dashboard",
    "unit_usage",
    "forecast",
    "verify",
    "focus_export",
    "billed_costs",
    "reconcile",
    "create_budget",
    "create_mirrored_budget",
    "get_budget",
    "list_budgets",
    "update_budget",
    "delete_budget",
    "budget_status",
    "budget_statuses",
    "spend_limits",
    "set_spend_limit",
    "synced_spend_limits",
    "delete_spend_limit",
    "effective_spend",
    "sync_history",
    "claude_code_logs_daily",
    "claude_code_logs_weekly",
    "claude_code_logs_monthly",
    "claude_code_logs_sessions",
    "claude_code_logs_blocks",
    "claude_code_log_files",
];

impl Ledger {
    /// Run the method `method` (one of [`CALLS`], named as on `Ledger`) with the named
    /// arguments of the JSON object `args` (`snake_case`, as the method's parameters; `null`
    /// or left out for `None`; dates `YYYY-MM-DD`, instants RFC 3339, amounts decimal text
    /// of dollars, scopes, periods and providers in the core's text form).
    ///
    /// Every argument is read and checked before the method runs: an unknown method, an
    /// argument missing, malformed or unknown to the method is `INVALID_INPUT`, and nothing
    /// was done. Otherwise it fails as the method itself does.
    pub async fn call(&self, method: &str, args: &str) -> Result<Reply> {
        let mut a = Args::parse(method, args)?;
        let run = self.prepare(method, &mut a)?;
        a.done()?;
        run.await
    }

    /// Plans and subjects ([`Ledger::call`], in its order).
    fn prepare<'l>(&'l self, method: &str, a: &mut Args<'_>) -> Result<Run<'l>> {
        Ok(match method {
            "providers" => value(async move { Ok(self.providers()) }),
            "plan_metadata" => value(self.plan_metadata(a.req("plan_id")?)),
            "list_plans" => value(self.list_plans(ListPlans {
                include_disconnected: a.or("include_disconnected", false)?,
            })),
            "get_plan" => value(self.get_plan(a.req("plan_id")?)),
            "update_plan" => {
                let id = a.req("plan_id")?;
                let mut update = PlanUpdate::new();
                update.label = a.opt("label")?;
                match (a.opt("subscription")?, a.or("clear_subscription", false)?) {
                    (Some(_), true) => {
                        return Err(Error::invalid(
                            "give subscription or clear_subscription, not both",
                        ));
                    }
                    (Some(subscription), false) => update = update.subscription(subscription),
                    (None, true) => update = update.clear_subscription(),
                    (None, false) => {}
                }
                value(self.update_plan(id, update))
            }
            "disconnect_plan" => value(self.disconnect_plan(a.req("plan_id")?, retention(a)?)),
            "disconnect_plan_reporting" => {
                value(self.disconnect_plan_reporting(a.req("plan_id")?, retention(a)?))
            }
            "import_plan_from_env" => value(self.import_plan_from_env()),
            "check_plan" => value(self.check_plan(a.req("plan_id")?)),
            "upsert_subject" => value(self.upsert_subject(NewSubject {
                id: a.req("id")?,
                email: a.opt("email")?,
                name: a.opt("name")?,
            })),
            "get_subject" => {
                let id: String = a.req("id")?;
                value(async move { self.get_subject(&id).await })
            }
            "list_subjects" => value(self.list_subjects()),
            "delete_subject" => {
                let id: String = a.req("id")?;
                value(async move { self.delete_subject(&id).await })
            }
            "create_project" => {
                let (owner, name): (String, String) = (a.req("subject_id")?, a.req("name")?);
                value(async move { self.create_project(&owner, &name).await })
            }
            "list_projects" => {
                let owner: Option<String> = a.opt("subject_id")?;
                value(async move { self.list_projects(owner.as_deref()).await })
            }
            "delete_project" => value(self.delete_project(a.req("id")?)),
            "map_key" => value(self.map_key(NewKeyMapping {
                plan_id: a.req("plan_id")?,
                api_key_id: a.req("api_key_id")?,
                subject_id: a.req("subject_id")?,
                project_id: a.opt("project_id")?,
                valid_from: a.opt("valid_from")?,
                valid_to: a.opt("valid_to")?,
            })),
            "list_mappings" => value(self.list_mappings(MappingFilter {
                plan_id: a.opt("plan_id")?,
                api_key_id: a.opt("api_key_id")?,
                subject_id: a.opt("subject_id")?,
            })),
            "end_mapping" => value(self.end_mapping(a.req("id")?, a.req("at")?)),
            "delete_mapping" => value(self.delete_mapping(a.req("id")?)),
            _ => return self.prepare_report(method, a),
        })
    }

    /// Reports.
    fn prepare_report<'l>(&'l self, method: &str, a: &mut Args<'_>) -> Result<Run<'l>> {
        Ok(match method {
            "user_costs" => {
                let (subject, period) = (a.req::<String>("subject_id")?, a.period()?);
                report(async move { self.user_costs(&subject, period).await })
            }
            "dashboard" => {
                let top: i64 = a.or("top_subjects", 10)?;
                let top = usize::try_from(top).map_err(|_| {
                    Error::invalid(format!("top_subjects must be 0 or more, got {top}"))
                })?;
                let mut filter = DashboardFilter::new(a.period()?).top(top);
                filter.plan_ids = a.opt("plan_ids")?;
                if let Some(providers) = a.texts("providers")? {
                    filter = filter.providers(providers);
                }
                if let Some((plan_id, workspace_id)) = a.opt("workspace")? {
                    filter = filter.workspace(plan_id, workspace_id);
                }
                report(self.dashboard(filter))
            }
            "unit_usage" => {
                let filter = UnitUsageFilter {
                    plan_ids: a.or("plan_ids", Vec::new())?,
                    units: a.texts("units")?.unwrap_or_default(),
                    ..UnitUsageFilter::new(a.req("from")?, a.req("to")?)
                };
                value(async move { self.unit_usage(&filter).await })
            }
            "forecast" => {
                let (scope, period) = (a.text("scope")?, a.period()?);
                report(async move { self.forecast(&scope, period).await })
            }
            "verify" => {
                let plan = a.opt("plan_id")?;
                let range = match (a.opt("start")?, a.opt("end")?) {
                    (Some(start), Some(end)) => Some((start, end)),
                    (None, None) => None,
                    _ => {
                        return Err(Error::invalid(
                            "give both start and end of the range to verify, or neither",
                        ));
                    }
                };
                value(self.verify(plan, range, a.or("repair", false)?))
            }
            "focus_export" => {
                let mut filter = FocusFilter::new(a.period()?);
                filter.plan_ids = a.opt("plan_ids")?;
                value(self.focus_export(filter))
            }
            "billed_costs" => {
                let filter = BilledCostFilter {
                    plan_ids: a.or("plan_ids", Vec::new())?,
                    ..BilledCostFilter::new(a.req("from")?, a.req("to")?, a.text("by")?)
                };
                value(async move { self.billed_costs(&filter).await })
            }
            "reconcile" => {
                let filter = ReconcileFilter {
                    plan_ids: a.or("plan_ids", Vec::new())?,
                    ..ReconcileFilter::new(a.req("from")?, a.req("to")?)
                };
                value(async move { self.reconcile(&filter).await })
            }
            _ => return self.prepare_budget(method, a),
        })
    }

    /// Budgets and spend limits.
    fn prepare_budget<'l>(&'l self, method: &str, a: &mut Args<'_>) -> Result<Run<'l>> {
        Ok(match method {
            "create_budget" => {
                let (name, scope) = (a.req::<String>("name")?, a.text("scope")?);
                let amount = a
                    .dollars("amount")?
                    .ok_or_else(|| Error::invalid("create_budget needs the argument amount"))?;
                let period = a.text("period")?;
                let budget = NewBudget::new(name, scope, amount, period)
                    .time_zone(a.req::<String>("time_zone")?)
                    .thresholds(percents(a.req("thresholds")?)?);
                one(self.create_budget(budget))
            }
            "create_mirrored_budget" => {
                let (name, plan_id) = (a.req::<String>("name")?, a.req("plan_id")?);
                let (scope, period) = (a.text("limit_scope")?, a.text("period")?);
                let budget = NewBudget::mirroring(name, plan_id, scope, period)
                    .thresholds(percents(a.req("thresholds")?)?);
                one(self.create_budget(budget))
            }
            "get_budget" => one(self.get_budget(a.req("id")?)),
            "list_budgets" => report(self.list_budgets()),
            "update_budget" => {
                let id = a.req("id")?;
                let update = BudgetUpdate {
                    name: a.opt("name")?,
                    amount: a.dollars("amount")?,
                    period: a.opt_text("period")?,
                    time_zone: a.opt("time_zone")?,
                    thresholds: a.opt("thresholds")?.map(percents).transpose()?,
                };
                one(self.update_budget(id, update))
            }
            "delete_budget" => value(self.delete_budget(a.req("id")?)),
            "budget_status" => one(self.budget_status(a.req("id")?)),
            "budget_statuses" => report(self.budget_statuses()),
            "spend_limits" => {
                let id = a.req("plan_id")?;
                let filter = SpendLimitFilter {
                    scope_types: a.or("scope_types", Vec::new())?,
                    workspace_id: a.opt("workspace_id")?,
                };
                value(async move { self.spend_limits(id, &filter).await })
            }
            "set_spend_limit" => {
                let id = a.req("plan_id")?;
                let write = SpendLimitWrite {
                    scope: a.text("scope")?,
                    period: a.text("period")?,
                    amount: a.dollars("amount")?,
                };
                value(async move { self.set_spend_limit(id, &write).await })
            }
            "synced_spend_limits" => value(self.synced_spend_limits(a.req("plan_id")?)),
            "delete_spend_limit" => {
                let (id, limit): (i64, String) = (a.req("plan_id")?, a.req("limit_id")?);
                value(async move { self.delete_spend_limit(id, &limit).await })
            }
            "effective_spend" => {
                let id = a.req("plan_id")?;
                let periods: Vec<_> = a.texts("periods")?.unwrap_or_default();
                let users: Vec<String> = a.or("user_ids", Vec::new())?;
                value(async move { self.effective_spend(id, &periods, &users).await })
            }
            _ => return self.prepare_logs(method, a),
        })
    }

    /// Sync history and the reports of Claude Code logs plans.
    fn prepare_logs<'l>(&'l self, method: &str, a: &mut Args<'_>) -> Result<Run<'l>> {
        if method == "sync_history" {
            return Ok(report(self.sync_history(SyncHistoryFilter {
                plan_id: a.opt("plan_id")?,
                stream: a.opt_text("stream")?,
                status: a.opt_text("status")?,
                before_id: a.opt("before_id")?,
                limit: a.or("limit", 100)?,
            })));
        }
        let report = match method {
            "claude_code_logs_daily" => LogReport::Daily,
            "claude_code_logs_weekly" => LogReport::Weekly,
            "claude_code_logs_monthly" => LogReport::Monthly,
            "claude_code_logs_sessions" => LogReport::Sessions,
            "claude_code_logs_blocks" => LogReport::Blocks,
            "claude_code_log_files" => {
                return Ok(flat(self.claude_code_log_files(a.req("plan_id")?)));
            }
            other => {
                return Err(Error::invalid(format!(
                    "costledger has no method {other:?} to call (the list: costledger::CALLS)"
                )));
            }
        };
        let id: i64 = a.req("plan_id")?;
        let o = LogReportOptions {
            time_zone: a.opt("time_zone")?,
            since: a.opt("since")?,
            until: a.opt("until")?,
            project: a.opt("project")?,
            cost_mode: a.opt_text("cost_mode")?.unwrap_or_default(),
        };
        Ok(match report {
            LogReport::Daily => flat(async move { self.claude_code_logs_daily(id, &o).await }),
            LogReport::Weekly => flat(async move { self.claude_code_logs_weekly(id, &o).await }),
            LogReport::Monthly => flat(async move { self.claude_code_logs_monthly(id, &o).await }),
            LogReport::Sessions => {
                flat(async move { self.claude_code_logs_sessions(id, &o).await })
            }
            LogReport::Blocks => flat(async move { self.claude_code_logs_blocks(id, &o).await }),
        })
    }
}

/// The reports of a Claude Code logs plan.
enum LogReport {
    Daily,
    Weekly,
    Monthly,
    Sessions,
    Blocks,
}

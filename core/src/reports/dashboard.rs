//! `dashboard`: the company's spend in a period, per plan, workspace, model and subject.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, NaiveDate};
use serde::Serialize;

use super::cost::Cost;
use super::period::Period;
use super::span::{
    Span, ceil_hour, day_bounds, local_day_rows, sums_by_dim, sums_over, tokens_by_dim,
};
use super::user_costs::{DayCost, sorted_lines};
use crate::attribution::Attribution;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::ListPlans;
use crate::model::{Basis, Money, PlanStatus, Provider, TokenCounts};
use crate::pricing::{SubscriptionCatalog, fixed_fee};
use crate::store::{Dim, Grain, SeriesOf, SumOver};

/// Above this many cuts where keys change hands in a period, they are resolved per hour.
const MAX_PIECES: usize = 8;

/// Name shown for a plan's Default workspace (which has no id at the provider).
pub const DEFAULT_WORKSPACE_NAME: &str = "Default workspace";

pub use crate::model::WorkspaceRef;

/// What [`Ledger::dashboard`] covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DashboardFilter {
    /// The period.
    pub period: Period,
    /// Only these plans (default: every plan, disconnected ones included, for history).
    pub plan_ids: Option<Vec<i64>>,
    /// Only this workspace.
    pub workspace: Option<WorkspaceRef>,
    /// Only plans of these providers (with `plan_ids`: the plans that are both).
    pub providers: Option<Vec<Provider>>,
    /// How many top subjects to list (default 10).
    pub top_subjects: usize,
}

impl DashboardFilter {
    /// Every plan in `period`.
    pub fn new(period: Period) -> Self {
        DashboardFilter {
            period,
            plan_ids: None,
            workspace: None,
            providers: None,
            top_subjects: 10,
        }
    }

    /// Only these plans.
    pub fn plans(mut self, plan_ids: Vec<i64>) -> Self {
        self.plan_ids = Some(plan_ids);
        self
    }

    /// Only plans of these providers (`anthropic`, `openai`, `claude_code_logs`).
    pub fn providers(mut self, providers: Vec<Provider>) -> Self {
        self.providers = Some(providers);
        self
    }

    /// Only one workspace of one plan (`None` for its Default workspace).
    pub fn workspace(mut self, plan_id: i64, workspace_id: Option<String>) -> Self {
        self.workspace = Some(WorkspaceRef {
            plan_id,
            workspace_id,
        });
        self
    }

    /// List this many top subjects.
    pub fn top(mut self, n: usize) -> Self {
        self.top_subjects = n;
        self
    }
}

/// A plan's line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PlanLine {
    /// The plan.
    pub plan_id: i64,
    /// Its label.
    pub label: String,
    /// Its provider.
    pub provider: Provider,
    /// Its status.
    pub status: PlanStatus,
    /// Its cost, with its subscription fee prorated.
    pub cost: Cost,
}

/// A workspace's line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct WorkspaceLine {
    /// Which workspace of which plan.
    pub workspace: WorkspaceRef,
    /// Its name; followed by the plan's label in parentheses when several plans are shown.
    pub name: String,
    /// Its cost.
    pub cost: Cost,
}

/// A model's line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ModelLine {
    /// The model (`""` for cost without one, such as code execution).
    pub model: String,
    /// Its cost: what is known of it (see `cost_unknown`).
    pub cost: Cost,
    /// Its tokens, priced or not.
    pub tokens: TokenCounts,
    /// Its tokens of every kind that have no price (the bill does not cover them and the
    /// price table has no price for the model): their cost is in no amount.
    pub unpriced_tokens: i64,
    /// True when some of its usage has no price: `cost` is then less than what the model
    /// really cost (zero when none of it is priced), and `missing_prices` names the usage.
    pub cost_unknown: bool,
}

/// A subject's line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SubjectLine {
    /// The subject.
    pub subject_id: String,
    /// Their email.
    pub email: Option<String>,
    /// Their name.
    pub name: Option<String>,
    /// What their keys cost.
    pub cost: Cost,
}

/// Usage the price table has no price for: its cost is unknown, not zero.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
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

/// The company's spend in a period ([`Ledger::dashboard`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Dashboard {
    /// The period.
    pub period: Period,
    /// Everything shown.
    pub totals: Cost,
    /// Per plan.
    pub per_plan: Vec<PlanLine>,
    /// Per workspace, largest first.
    pub per_workspace: Vec<WorkspaceLine>,
    /// Per model, largest first.
    pub per_model: Vec<ModelLine>,
    /// The subjects who cost most.
    pub top_subjects: Vec<SubjectLine>,
    /// Cost no subject owns: Console usage, keys nobody is mapped to, unallocated bill.
    pub unattributed: Cost,
    /// Every date of the period.
    pub daily: Vec<DayCost>,
    /// Usage whose cost is unknown.
    pub missing_prices: Vec<MissingPriceLine>,
}

impl Context {
    /// [`crate::Ledger::dashboard`].
    pub(crate) async fn dashboard(&self, filter: DashboardFilter) -> Result<Dashboard> {
        let mut plans = self.list_plans(ListPlans::all()).await?;
        let wanted: Option<HashSet<i64>> = match (&filter.workspace, &filter.plan_ids) {
            (Some(ws), _) => Some([ws.plan_id].into()),
            (None, Some(ids)) => Some(ids.iter().copied().collect()),
            (None, None) => None,
        };
        if let Some(wanted) = &wanted {
            if let Some(missing) = wanted.iter().find(|id| !plans.iter().any(|p| p.id == **id)) {
                return Err(Error::PlanNotFound { id: *missing });
            }
            plans.retain(|p| wanted.contains(&p.id));
        }
        if let Some(providers) = &filter.providers {
            plans.retain(|p| providers.contains(&p.provider));
        }
        let plan_ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
        let span = Span::of(&filter.period);
        // Before the dimensions are read: deriving a day may add the keyless ones.
        let store = self.facts_for(&plan_ids, span.start, span.end).await?;
        let mut dims: HashMap<i64, Dim> = store
            .dims(&plan_ids)
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect();
        if let Some(ws) = &filter.workspace {
            dims.retain(|_, d| d.workspace_id == ws.workspace_id);
        }
        let dim_filter: Option<Vec<i64>> = filter
            .workspace
            .as_ref()
            .map(|_| dims.keys().copied().collect());

        // The sums, the token counts, the unpriced usage, the daily series and the workspace
        // names are independent reads: at once, each on its own connection.
        let (sums, tokens, unpriced, daily, workspace_names, attribution) = futures::try_join!(
            sums_by_dim(store, &plan_ids, &span, dim_filter.as_deref()),
            self.tokens_per_model(&plan_ids, &dims, &span),
            store.unpriced(&plan_ids, span.start, span.end, dim_filter.as_deref()),
            self.daily_series(&plan_ids, &filter, &span),
            store.workspace_names(&plan_ids),
            self.attribution(&plans),
        )?;
        let mut per_dim: HashMap<i64, Cost> = HashMap::new();
        for row in sums {
            per_dim
                .entry(row.dim_id)
                .or_default()
                .add(row.basis, row.amount);
        }
        // A dimension only in a subtracted part of the span (see `span::cover`) nets to zero.
        per_dim.retain(|_, cost| !cost.is_zero());
        let mut totals = Cost::default();
        let mut per_plan: BTreeMap<i64, Cost> =
            plan_ids.iter().map(|id| (*id, Cost::default())).collect();
        let mut per_ws: BTreeMap<WorkspaceRef, Cost> = BTreeMap::new();
        let mut per_model: BTreeMap<String, Cost> = BTreeMap::new();
        for (dim_id, cost) in &per_dim {
            let Some(dim) = dims.get(dim_id) else {
                continue;
            };
            totals += *cost;
            *per_plan.entry(dim.plan_id).or_default() += *cost;
            *per_ws
                .entry(WorkspaceRef {
                    plan_id: dim.plan_id,
                    workspace_id: dim.workspace_id.clone(),
                })
                .or_default() += *cost;
            *per_model.entry(dim.model.clone()).or_default() += *cost;
        }
        if filter.workspace.is_none() {
            for plan in &plans {
                let Some(sub) = &plan.subscription else {
                    continue;
                };
                let fee = fixed_fee(
                    sub,
                    filter.period.start,
                    filter.period.end,
                    SubscriptionCatalog::bundled(),
                )?;
                per_plan.entry(plan.id).or_default().subscription += fee.total;
                totals.subscription += fee.total;
            }
        }

        let (subjects, unattributed) = self
            .attribute(
                &plan_ids,
                attribution,
                (&dims, &per_dim),
                &span,
                dim_filter.as_deref(),
            )
            .await?;
        let names: HashMap<(i64, String), String> = workspace_names
            .into_iter()
            .map(|(plan, id, name)| ((plan, id), name))
            .collect();
        let labels: HashMap<i64, &str> = plans.iter().map(|p| (p.id, p.label.as_str())).collect();
        let several = plans.len() > 1;
        let per_workspace = sorted_lines(per_ws)
            .into_iter()
            .map(|(workspace, cost)| {
                let base = match &workspace.workspace_id {
                    None => DEFAULT_WORKSPACE_NAME.to_string(),
                    Some(id) => names
                        .get(&(workspace.plan_id, id.clone()))
                        .cloned()
                        .unwrap_or_else(|| id.clone()),
                };
                let name = if several {
                    format!("{base} ({})", labels[&workspace.plan_id])
                } else {
                    base
                };
                WorkspaceLine {
                    workspace,
                    name,
                    cost,
                }
            })
            .collect();
        // Usage without a price: exactly the period's hours, of the dimensions shown.
        let mut missing: BTreeMap<(i64, String, String, String), i64> = BTreeMap::new();
        let mut unpriced_per_model: HashMap<String, i64> = HashMap::new();
        for (plan_id, dim_id, n) in unpriced {
            let Some(dim) = dims.get(&dim_id) else {
                continue;
            };
            let line = (
                plan_id,
                dim.model.clone(),
                dim.service_tier.clone(),
                dim.context_window.clone(),
            );
            *missing.entry(line).or_default() += n;
            *unpriced_per_model.entry(dim.model.clone()).or_default() += n;
        }
        missing.retain(|_, n| *n != 0);
        for model in unpriced_per_model.keys() {
            per_model.entry(model.clone()).or_default();
        }
        let per_model = sorted_lines(per_model)
            .into_iter()
            .map(|(model, cost)| {
                let unpriced_tokens = unpriced_per_model.get(&model).copied().unwrap_or(0);
                ModelLine {
                    tokens: tokens.get(&model).copied().unwrap_or_default(),
                    model,
                    cost,
                    unpriced_tokens,
                    cost_unknown: unpriced_tokens > 0,
                }
            })
            .collect();
        let missing_prices = missing
            .into_iter()
            .map(
                |((plan_id, model, service_tier, context_window), tokens)| MissingPriceLine {
                    plan_id,
                    model,
                    service_tier,
                    context_window,
                    tokens,
                },
            )
            .collect();
        let mut top_subjects = subjects;
        top_subjects.truncate(filter.top_subjects);
        Ok(Dashboard {
            period: filter.period,
            totals,
            per_plan: plans
                .iter()
                .map(|p| PlanLine {
                    plan_id: p.id,
                    label: p.label.clone(),
                    provider: p.provider,
                    status: p.status,
                    cost: per_plan[&p.id],
                })
                .collect(),
            per_workspace,
            per_model,
            top_subjects,
            unattributed,
            daily,
            missing_prices,
        })
    }

    /// Every subject's cost (largest first) and the unattributed rest.
    async fn attribute(
        &self,
        plan_ids: &[i64],
        attribution: Attribution,
        (dims, per_dim): (&HashMap<i64, Dim>, &HashMap<i64, Cost>),
        span: &Span,
        dim_filter: Option<&[i64]>,
    ) -> Result<(Vec<SubjectLine>, Cost)> {
        let store = self.store.as_ref();
        let mut per_subject: BTreeMap<String, Cost> = BTreeMap::new();
        let mut unattributed = Cost::default();
        let mut changing = Vec::new();
        for (dim_id, cost) in per_dim {
            let Some(dim) = dims.get(dim_id) else {
                continue;
            };
            let key = dim.api_key_id.as_deref();
            if attribution.changes_within(dim.plan_id, key, span.start, span.end) {
                changing.push(*dim_id);
                continue;
            }
            match attribution.owner_at(dim.plan_id, key, dim.actor_id.as_deref(), span.start) {
                Some(owner) => *per_subject.entry(owner.subject_id).or_default() += *cost,
                None => unattributed += *cost,
            }
        }
        if !changing.is_empty() {
            // Keys that changed hands inside the period: cut the period where they change
            // (at the hour: an hour is whoever held the key at its start) and sum each piece,
            // or resolve them hour by hour when there are many cuts.
            let only: Vec<i64> = match dim_filter {
                Some(filter) => changing
                    .into_iter()
                    .filter(|d| filter.contains(d))
                    .collect(),
                None => changing,
            };
            let mut cuts: BTreeSet<i64> = BTreeSet::new();
            for d in &only {
                let dim = &dims[d];
                let key = dim.api_key_id.as_deref();
                for at in attribution.changes_in(dim.plan_id, key, span.start, span.end) {
                    cuts.insert(ceil_hour(at));
                }
            }
            cuts.retain(|c| span.start < *c && *c < span.end);
            let bounds: Vec<i64> = std::iter::once(span.start)
                .chain(cuts)
                .chain(std::iter::once(span.end))
                .collect();
            let rows = if bounds.len() <= MAX_PIECES + 1 {
                let mut rows = Vec::new();
                for w in bounds.windows(2) {
                    let sums = sums_over(store, plan_ids, (w[0], w[1]), Some(&only)).await?;
                    rows.extend(sums.into_iter().map(|mut r| {
                        r.at = Some(w[0]);
                        r
                    }));
                }
                rows
            } else {
                store
                    .sum_costs(
                        plan_ids,
                        SumOver::Each(Grain::Hour, span.start, span.end),
                        Some(&only),
                    )
                    .await?
            };
            for row in rows {
                let dim = &dims[&row.dim_id];
                match attribution.owner_at(
                    dim.plan_id,
                    dim.api_key_id.as_deref(),
                    dim.actor_id.as_deref(),
                    row.at.expect("by hour"),
                ) {
                    Some(owner) => per_subject
                        .entry(owner.subject_id)
                        .or_default()
                        .add(row.basis, row.amount),
                    None => unattributed.add(row.basis, row.amount),
                }
            }
        }
        let subjects = &attribution.subjects;
        let lines = sorted_lines(per_subject)
            .into_iter()
            .map(|(subject_id, cost)| {
                let s = subjects.get(&subject_id);
                SubjectLine {
                    email: s.and_then(|s| s.email.clone()),
                    name: s.and_then(|s| s.name.clone()),
                    subject_id,
                    cost,
                }
            })
            .collect();
        Ok((lines, unattributed))
    }

    async fn tokens_per_model(
        &self,
        plan_ids: &[i64],
        dims: &HashMap<i64, Dim>,
        span: &Span,
    ) -> Result<HashMap<String, TokenCounts>> {
        let store = self.store.as_ref();
        let mut out: HashMap<String, TokenCounts> = HashMap::new();
        for (_, dim_id, tokens) in tokens_by_dim(store, plan_ids, span).await? {
            if let Some(dim) = dims.get(&dim_id) {
                out.entry(dim.model.clone()).or_default().add(&tokens);
            }
        }
        Ok(out)
    }

    async fn daily_series(
        &self,
        plan_ids: &[i64],
        filter: &DashboardFilter,
        span: &Span,
    ) -> Result<Vec<DayCost>> {
        let store = self.store.as_ref();
        let workspace = filter
            .workspace
            .as_ref()
            .map(|ws| ws.workspace_id.as_deref().unwrap_or(""));
        // UTC periods from the per-day rollup. In another zone each local day is read as UTC
        // days of the per-day rollup with hours of the per-hour one added or subtracted at its
        // edges (`span::day_cover`), both in one query each.
        let rows: Vec<(i64, Basis, Money)> = if span.is_whole_days() {
            let (from, to) = span.days.expect("whole days");
            store
                .cost_series(
                    plan_ids,
                    SumOver::Each(Grain::Day, from, to),
                    SeriesOf::Workspace(workspace),
                )
                .await?
        } else {
            let bounds = day_bounds(&filter.period, span, &BTreeSet::new());
            local_day_rows(store, plan_ids, &bounds, SeriesOf::Workspace(workspace)).await?
        };
        let mut per_day: BTreeMap<NaiveDate, Cost> = filter
            .period
            .each_date()
            .map(|d| (d, Cost::default()))
            .collect();
        for (at, basis, amount) in rows {
            let date = filter
                .period
                .local_date(DateTime::from_timestamp(at, 0).expect("in range"));
            if let Some(day) = per_day.get_mut(&date) {
                day.add(basis, amount);
            }
        }
        Ok(per_day
            .into_iter()
            .map(|(date, cost)| DayCost { date, cost })
            .collect())
    }
}

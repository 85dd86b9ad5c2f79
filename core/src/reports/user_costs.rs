//! `user_costs`: what one subject cost in a period.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;
use serde::Serialize;

use super::cost::Cost;
use super::period::Period;
use super::span::{Span, ceil_hour, day_bounds};
use crate::context::Context;
use crate::error::Result;
use crate::model::{ListPlans, Plan};
use crate::model::{Money, Subject, SubscriptionTier, normalise_email};
use crate::pricing::{SubscriptionCatalog, fixed_fee};
use crate::store::{Dim, Grain, SumOver};

/// Cost of one plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PlanCost {
    /// The plan.
    pub plan_id: i64,
    /// Its label.
    pub label: String,
    /// Its cost.
    pub cost: Cost,
}

/// Cost of one model.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ModelCost {
    /// The model (`""` for cost without a model, such as code execution).
    pub model: String,
    /// Its cost.
    pub cost: Cost,
}

/// Cost of one project.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ProjectCost {
    /// The project.
    pub project_id: Option<i64>,
    /// Its name.
    pub name: String,
    /// Its cost.
    pub cost: Cost,
}

/// Cost of one local date.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DayCost {
    /// The date in the period's time zone.
    pub date: NaiveDate,
    /// Its cost.
    pub cost: Cost,
}

/// A subject's share of a plan's seat fees: they hold a seat when their email is a member of
/// the plan's organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct SeatShare {
    /// The plan.
    pub plan_id: i64,
    /// Its label.
    pub label: String,
    /// The subscription tier.
    pub tier: SubscriptionTier,
    /// Seats paid for.
    pub seats: i64,
    /// One seat's fee, prorated to the period.
    pub amount: Money,
}

/// What one subject cost in a period ([`Ledger::user_costs`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct UserCosts {
    /// The subject.
    pub subject: Subject,
    /// The period.
    pub period: Period,
    /// Everything: their keys' allocated and estimated cost, and their seat fees.
    pub total: Cost,
    /// Per plan, with the plan's label.
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

pub(crate) fn sorted_lines<K: Ord + Clone>(map: BTreeMap<K, Cost>) -> Vec<(K, Cost)> {
    let mut lines: Vec<(K, Cost)> = map.into_iter().collect();
    lines.sort_by(|a, b| b.1.total().cmp(&a.1.total()).then(a.0.cmp(&b.0)));
    lines
}

impl Context {
    /// [`crate::Ledger::user_costs`].
    pub(crate) async fn user_costs(&self, subject_id: &str, period: Period) -> Result<UserCosts> {
        let store = self.store.as_ref();
        let (subject, plans, projects) = futures::try_join!(
            store.get_subject(subject_id),
            self.list_plans(ListPlans::all()),
            store.list_projects(Some(subject_id)),
        )?;
        let plan_ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
        let span = Span::of(&period);
        // Attribution reads no fact: it is read while the span's stale days are derived.
        let (store, attribution) = futures::try_join!(
            self.facts_for(&plan_ids, span.start, span.end),
            self.attribution_for_subject(&plans, &subject, &projects),
        )?;
        let keys: Vec<(i64, String)> = attribution.keys_of(subject_id).into_iter().collect();
        let actors = attribution.actors_of(subject_id);
        let (key_dims, actor_dims) =
            futures::try_join!(store.dims_of_keys(&keys), store.dims_of_actors(&actors))?;
        let dims: HashMap<i64, Dim> = key_dims
            .into_iter()
            .chain(actor_dims)
            .map(|d| (d.id, d))
            .collect();
        // Read per local day, cut where a key changes hands (an hour is whoever held the key
        // at its start), so every bucket has one date and one owner. The dimensions of keys
        // that change hands in the span are read from the hourly facts cut at those hours;
        // the others, over whole UTC days, from the daily rollup (else the facts bucketed per
        // local day in SQL).
        let mut cuts: BTreeSet<i64> = BTreeSet::new();
        let (mut steady, mut changing) = (Vec::new(), Vec::new());
        for d in dims.values() {
            let key = d.api_key_id.as_deref();
            let changes = attribution.changes_in(d.plan_id, key, span.start, span.end);
            if changes.is_empty() {
                steady.push(d.id);
            } else {
                changing.push(d.id);
                cuts.extend(changes.into_iter().map(ceil_hour));
            }
        }
        // Only the plans the subject has keys in: fewer index ranges to seek.
        let plans_of = |ids: &[i64]| -> Vec<i64> {
            ids.iter()
                .map(|id| dims[id].plan_id)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect()
        };
        let sum = |ids: Vec<i64>, cuts: BTreeSet<i64>| {
            let dim_plans = plans_of(&ids);
            let (period, span) = (&period, &span);
            async move {
                if ids.is_empty() {
                    Ok(Vec::new())
                } else if span.is_whole_days() && cuts.is_empty() {
                    let (from, to) = span.days.expect("whole days");
                    store
                        .sum_costs(&dim_plans, SumOver::Each(Grain::Day, from, to), Some(&ids))
                        .await
                } else {
                    let bounds = day_bounds(period, span, &cuts);
                    store
                        .sum_costs(&dim_plans, SumOver::Buckets(&bounds), Some(&ids))
                        .await
                }
            }
        };
        let read_rows = async {
            let (mut rows, cut) =
                futures::try_join!(sum(steady, BTreeSet::new()), sum(changing, cuts))?;
            rows.extend(cut);
            Ok::<_, crate::error::Error>(rows)
        };
        // Seat fees: the members of each plan with a subscription, when the subject has an
        // email to be one of them. Read beside the costs.
        let email = subject.email.as_deref().map(normalise_email);
        let subscribed: Vec<&Plan> = match email {
            Some(_) => plans.iter().filter(|p| p.subscription.is_some()).collect(),
            None => Vec::new(),
        };
        let read_members =
            futures::future::try_join_all(subscribed.iter().map(|p| store.metadata(p.id)));
        let (rows, metadata) = futures::try_join!(read_rows, read_members)?;
        let mut total = Cost::default();
        let mut per_plan: BTreeMap<i64, Cost> = BTreeMap::new();
        let mut per_model: BTreeMap<String, Cost> = BTreeMap::new();
        let mut per_project: BTreeMap<Option<i64>, Cost> = BTreeMap::new();
        let mut per_day: BTreeMap<NaiveDate, Cost> =
            period.each_date().map(|d| (d, Cost::default())).collect();
        for row in rows {
            let dim = &dims[&row.dim_id];
            let at = row.at.expect("grouped by time");
            let Some(owner) = attribution.owner_at(
                dim.plan_id,
                dim.api_key_id.as_deref(),
                dim.actor_id.as_deref(),
                at,
            ) else {
                continue;
            };
            if owner.subject_id != subject.id {
                continue;
            }
            let date =
                period.local_date(chrono::DateTime::from_timestamp(at, 0).expect("in range"));
            total.add(row.basis, row.amount);
            per_plan
                .entry(dim.plan_id)
                .or_default()
                .add(row.basis, row.amount);
            per_model
                .entry(dim.model.clone())
                .or_default()
                .add(row.basis, row.amount);
            per_project
                .entry(owner.project_id)
                .or_default()
                .add(row.basis, row.amount);
            if let Some(day) = per_day.get_mut(&date) {
                day.add(row.basis, row.amount);
            }
        }
        let mut seats = Vec::new();
        if let Some(email) = email {
            for (plan, members) in subscribed.into_iter().zip(metadata) {
                if !members
                    .users
                    .iter()
                    .any(|u| normalise_email(&u.email) == email)
                {
                    continue;
                }
                let sub = plan.subscription.as_ref().expect("filtered");
                let fee = fixed_fee(
                    sub,
                    period.start,
                    period.end,
                    SubscriptionCatalog::bundled(),
                )?;
                total.subscription += fee.per_seat;
                per_plan.entry(plan.id).or_default().subscription += fee.per_seat;
                seats.push(SeatShare {
                    plan_id: plan.id,
                    label: plan.label.clone(),
                    tier: sub.tier,
                    seats: sub.seats,
                    amount: fee.per_seat,
                });
            }
        }
        let labels: HashMap<i64, &str> = plans.iter().map(|p| (p.id, p.label.as_str())).collect();
        let project_names: HashMap<i64, String> =
            projects.into_iter().map(|p| (p.id, p.name)).collect();
        Ok(UserCosts {
            period,
            total,
            per_plan: per_plan
                .into_iter()
                .map(|(plan_id, cost)| PlanCost {
                    plan_id,
                    label: labels.get(&plan_id).unwrap_or(&"").to_string(),
                    cost,
                })
                .collect(),
            per_model: sorted_lines(per_model)
                .into_iter()
                .map(|(model, cost)| ModelCost { model, cost })
                .collect(),
            per_project: sorted_lines(per_project)
                .into_iter()
                .map(|(project_id, cost)| ProjectCost {
                    project_id,
                    name: project_id
                        .and_then(|id| project_names.get(&id).cloned())
                        .unwrap_or_else(|| "Default".into()),
                    cost,
                })
                .collect(),
            per_day: per_day
                .into_iter()
                .map(|(date, cost)| DayCost { date, cost })
                .collect(),
            seats,
            subject,
        })
    }
}

//! The allocated cost in the FinOps FOCUS 1.1 column layout ([`Ledger::focus_export`]).
//!
//! One row per plan, UTC day, usage dimension (API key, workspace, model, service tier,
//! context window) and basis, read from the daily rollup; a period in another time zone
//! adds rows for the hours at its edges, and a key that changes hands inside a day gets one
//! row per holder. `docs/reports.md` ("Exports") explains every column's value.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::allocation::split_units;
use super::export::ExportRecord;
use super::focus_row::TAG_PREFIX;
pub use super::focus_row::{FOCUS_COLUMNS, FocusFilter, FocusRow};
use super::span::{DAY, HOUR, Span};
use crate::attribution::{Attribution, Owner};
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::ListPlans;
use crate::model::{Basis, Money, Plan, TokenCounts, focus_names};
use crate::store::{Dim, FactSum, Grain, SumOver};

/// An amount over a range of hours of one dimension and basis.
#[derive(Clone, Copy, Debug)]
struct Part {
    start: i64,
    end: i64,
    dim_id: i64,
    basis: Basis,
    amount: Money,
}

/// Names the rows need: workspaces, keys, projects.
#[derive(Default)]
struct Names {
    workspaces: HashMap<(i64, String), String>,
    keys: HashMap<(i64, String), String>,
    projects: HashMap<i64, String>,
}

impl Context {
    /// [`crate::Ledger::focus_export`].
    pub(crate) async fn focus_export(&self, filter: FocusFilter) -> Result<String> {
        FocusRow::csv(&self.focus_rows(filter).await?)
    }

    /// [`crate::Ledger::focus_rows`].
    pub(crate) async fn focus_rows(&self, filter: FocusFilter) -> Result<Vec<FocusRow>> {
        let mut plans = self.list_plans(ListPlans::all()).await?;
        if let Some(ids) = &filter.plan_ids {
            if let Some(missing) = ids.iter().find(|id| !plans.iter().any(|p| p.id == **id)) {
                return Err(Error::PlanNotFound { id: *missing });
            }
            plans.retain(|p| ids.contains(&p.id));
        }
        let plan_ids: Vec<i64> = plans.iter().map(|p| p.id).collect();
        let span = Span::of(&filter.period);
        let store = self.facts_for(&plan_ids, span.start, span.end).await?;
        let dims: HashMap<i64, Dim> = store
            .dims(&plan_ids)
            .await?
            .into_iter()
            .map(|d| (d.id, d))
            .collect();
        let attribution = self.attribution(&plans).await?;
        let mut names = Names::default();
        for plan in &plans {
            let meta = store.metadata(plan.id).await?;
            for w in meta.workspaces {
                names.workspaces.insert((plan.id, w.id), w.name);
            }
            for k in meta.api_keys {
                names.keys.insert((plan.id, k.id), k.name);
            }
        }
        names.projects = store
            .list_projects(None)
            .await?
            .into_iter()
            .map(|p| (p.id, p.name))
            .collect();

        // Whole UTC days from the daily rollup, edge hours from the facts (cut at midnight).
        let mut parts = Vec::new();
        let mut ranges = Vec::new();
        if let Some((from, to)) = span.days {
            for s in store
                .sum_costs(&plan_ids, SumOver::Each(Grain::Day, from, to), None)
                .await?
            {
                let day = s.at.expect("grouped by day");
                parts.push(part(day, day + DAY, &s));
            }
            ranges.extend((from..to).step_by(DAY as usize).map(|d| (d, d + DAY)));
        }
        for &(a, b) in &span.edges {
            let mut at = a;
            while at < b {
                let cut = (at.div_euclid(DAY) * DAY + DAY).min(b);
                for s in store
                    .sum_costs(&plan_ids, SumOver::Total(Grain::Hour, at, cut), None)
                    .await?
                {
                    parts.push(part(at, cut, &s));
                }
                ranges.push((at, cut));
                at = cut;
            }
        }

        // A key that changes hands inside a range: its part is split at the handover.
        let mut changing: BTreeMap<(i64, i64), BTreeSet<i64>> = BTreeMap::new();
        parts.retain(|p| {
            let dim = &dims[&p.dim_id];
            let moves =
                attribution.changes_within(dim.plan_id, dim.api_key_id.as_deref(), p.start, p.end);
            if moves {
                changing
                    .entry((p.start, p.end))
                    .or_default()
                    .insert(p.dim_id);
            }
            !moves
        });
        for ((start, end), only) in &changing {
            let only: Vec<i64> = only.iter().copied().collect();
            let hours = store
                .sum_costs(
                    &plan_ids,
                    SumOver::Each(Grain::Hour, *start, *end),
                    Some(&only),
                )
                .await?;
            let split = split_by_owner((*start, *end), &hours, &dims, &attribution);
            for p in &split {
                if !ranges.contains(&(p.start, p.end)) {
                    ranges.push((p.start, p.end));
                }
            }
            parts.extend(split);
        }

        // Tokens per range and dimension.
        let mut tokens: HashMap<(i64, i64, i64), TokenCounts> = HashMap::new();
        for &(start, end) in &ranges {
            let grain = if end - start == DAY && start % DAY == 0 {
                Grain::Day
            } else {
                Grain::Hour
            };
            let rows = store
                .sum_usage(&plan_ids, SumOver::Total(grain, start, end))
                .await?;
            for (_, dim_id, t) in rows {
                tokens.insert((start, end, dim_id), t);
            }
        }

        parts.sort_by_key(|p| {
            let plan = dims[&p.dim_id].plan_id;
            (p.start, plan, p.dim_id, p.end, p.basis.fact_code())
        });
        let by_id: HashMap<i64, &Plan> = plans.iter().map(|p| (p.id, p)).collect();
        let quantities = quantities(&parts, &tokens);
        Ok(parts
            .iter()
            .zip(quantities)
            .map(|(p, used)| {
                let dim = &dims[&p.dim_id];
                let owner = attribution.owner_at(
                    dim.plan_id,
                    dim.api_key_id.as_deref(),
                    dim.actor_id.as_deref(),
                    p.start,
                );
                row(by_id[&dim.plan_id], dim, p, used, owner, &names)
            })
            .collect())
    }
}

/// What each part consumed: (tokens, web search requests). The usage of a dimension's hours
/// is counted once: when several bases share it (part allocated, part estimated), it is split
/// among them in proportion to their amounts, largest remainder, so the parts add up to the
/// usage exactly and each has the same unit cost. Unallocated bill consumed nothing.
fn quantities(parts: &[Part], tokens: &HashMap<(i64, i64, i64), TokenCounts>) -> Vec<(i64, i64)> {
    let mut sharing: BTreeMap<(i64, i64, i64), Vec<usize>> = BTreeMap::new();
    for (i, p) in parts.iter().enumerate() {
        if p.basis != Basis::Unallocated {
            sharing
                .entry((p.start, p.end, p.dim_id))
                .or_default()
                .push(i);
        }
    }
    let mut out = vec![(0, 0); parts.len()];
    for (range, members) in sharing {
        let used = tokens.get(&range).copied().unwrap_or_default();
        let consumed = (used.total_input() + used.output, used.web_search_requests);
        if let [only] = members.as_slice() {
            out[*only] = consumed;
            continue;
        }
        let mut weights: Vec<i64> = members
            .iter()
            .map(|&i| parts[i].amount.nanos().saturating_abs())
            .collect();
        if weights.iter().all(|w| *w == 0) {
            weights[0] = 1;
        }
        let share = |n: i64| split_units(n, &weights);
        for ((&i, t), w) in members.iter().zip(share(consumed.0)).zip(share(consumed.1)) {
            out[i] = (t, w);
        }
    }
    out
}

fn part(start: i64, end: i64, s: &FactSum) -> Part {
    Part {
        start,
        end,
        dim_id: s.dim_id,
        basis: s.basis,
        amount: s.amount,
    }
}

/// Hourly sums of keys that change hands inside `[start, end)`, as one part per holder:
/// the range is cut where the holder changes, and each piece sums its hours.
fn split_by_owner(
    (start, end): (i64, i64),
    hours: &[FactSum],
    dims: &HashMap<i64, Dim>,
    who: &Attribution,
) -> Vec<Part> {
    let mut sums: BTreeMap<(i64, i64, i64), Part> = BTreeMap::new();
    let mut pieces: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    for s in hours {
        let dim = &dims[&s.dim_id];
        let cuts = pieces.entry(s.dim_id).or_insert_with(|| {
            let owner = |at| {
                who.owner_at(
                    dim.plan_id,
                    dim.api_key_id.as_deref(),
                    dim.actor_id.as_deref(),
                    at,
                )
            };
            let mut out: Vec<(i64, i64)> = Vec::new();
            for at in (start..end).step_by(HOUR as usize) {
                match out.last_mut() {
                    Some(last) if owner(last.0) == owner(at) => last.1 = at + HOUR,
                    _ => out.push((at, at + HOUR)),
                }
            }
            out
        });
        let at = s.at.expect("grouped by hour");
        let &(a, b) = cuts
            .iter()
            .find(|(a, b)| *a <= at && at < *b)
            .expect("an hour of the range");
        sums.entry((s.dim_id, s.basis.fact_code(), a))
            .or_insert(Part {
                start: a,
                end: b,
                dim_id: s.dim_id,
                basis: s.basis,
                amount: Money::ZERO,
            })
            .amount += s.amount;
    }
    sums.into_values().collect()
}

fn month_of(at: DateTime<Utc>) -> (DateTime<Utc>, DateTime<Utc>) {
    let first = NaiveDate::from_ymd_opt(at.year(), at.month(), 1).expect("a month's first day");
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .expect("a next month");
    (
        first.and_time(chrono::NaiveTime::MIN).and_utc(),
        next.and_time(chrono::NaiveTime::MIN).and_utc(),
    )
}

fn row(
    plan: &Plan,
    dim: &Dim,
    p: &Part,
    (quantity, web_searches): (i64, i64),
    owner: Option<Owner>,
    names: &Names,
) -> FocusRow {
    let at = |t: i64| DateTime::from_timestamp(t, 0).expect("in range");
    let start = at(p.start);
    let (month_start, month_end) = month_of(start);
    let account = plan
        .org_id
        .clone()
        .unwrap_or_else(|| format!("costledger-plan-{}", plan.id));
    let (sub_account_id, sub_account_name) = match &dim.workspace_id {
        Some(id) => (
            id.clone(),
            names
                .workspaces
                .get(&(plan.id, id.clone()))
                .cloned()
                .unwrap_or_else(|| id.clone()),
        ),
        None => (
            format!("{account}:default"),
            super::DEFAULT_WORKSPACE_NAME.to_string(),
        ),
    };
    let model = if dim.model.is_empty() {
        "other"
    } else {
        dim.model.as_str()
    };
    let what = format!(
        "{model} ({} tier, {} context)",
        or_none(&dim.service_tier),
        or_none(&dim.context_window)
    );
    let charge_description = match p.basis {
        Basis::Unallocated => format!("Billed cost of {what} that matched no usage"),
        Basis::Estimated => {
            format!("Usage of {what} estimated at list prices; not on the bill")
        }
        Basis::Billed => format!("Billed cost of {what}, billed to the API key"),
        _ => match &dim.api_key_id {
            Some(_) => format!("Usage of {what}: the API key's share of the bill, by tokens"),
            None => format!("Usage of {what}: Console usage's share of the bill, by tokens"),
        },
    };
    let mut tags = BTreeMap::new();
    let mut tag = |k: &str, v: String| {
        tags.insert(format!("{TAG_PREFIX}{k}"), v);
    };
    tag("basis", p.basis.to_string());
    tag("plan_id", plan.id.to_string());
    tag("plan_label", plan.label.clone());
    tag("service_tier", dim.service_tier.clone());
    tag("context_window", dim.context_window.clone());
    if web_searches > 0 {
        tag("web_search_requests", web_searches.to_string());
    }
    if let Some(owner) = owner {
        tag("subject_id", owner.subject_id);
        if let Some(project) = owner.project_id {
            tag("project_id", project.to_string());
            if let Some(name) = names.projects.get(&project) {
                tag("project_name", name.clone());
            }
        }
    }
    FocusRow {
        billed_cost: if p.basis == Basis::Estimated {
            Money::ZERO
        } else {
            p.amount
        },
        billing_account_id: account,
        billing_account_name: plan.org_name.clone().unwrap_or_else(|| plan.label.clone()),
        billing_currency: "USD",
        billing_period_end: month_end,
        billing_period_start: month_start,
        charge_category: "Usage",
        charge_class: None,
        charge_description,
        charge_frequency: "Usage-Based",
        charge_period_end: at(p.end),
        charge_period_start: start,
        consumed_quantity: quantity,
        consumed_unit: "Tokens",
        contracted_cost: p.amount,
        effective_cost: p.amount,
        invoice_issuer_name: focus_names(plan.provider).0,
        list_cost: p.amount,
        pricing_quantity: quantity,
        pricing_unit: "Tokens",
        provider_name: focus_names(plan.provider).0,
        publisher_name: focus_names(plan.provider).0,
        resource_type: dim.api_key_id.as_ref().map(|_| "API Key"),
        resource_name: dim.api_key_id.as_ref().map(|k| {
            names
                .keys
                .get(&(plan.id, k.clone()))
                .cloned()
                .unwrap_or_else(|| k.clone())
        }),
        resource_id: dim.api_key_id.clone(),
        service_category: "AI and Machine Learning",
        service_name: focus_names(plan.provider).1,
        service_subcategory: "Generative AI",
        sku_id: model.to_string(),
        sku_price_id: format!("{model}/{}/{}", dim.service_tier, dim.context_window),
        sub_account_id,
        sub_account_name,
        tags,
        x_cost_basis: p.basis,
    }
}

fn or_none(s: &str) -> &str {
    if s.is_empty() { "no" } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(dim_id: i64, basis: Basis, nanos: i64) -> Part {
        Part {
            start: 0,
            end: DAY,
            dim_id,
            basis,
            amount: Money::from_nanos(nanos),
        }
    }

    #[test]
    fn usage_shared_by_two_bases_is_counted_once() {
        let used = TokenCounts {
            uncached_input: 700,
            output: 300,
            web_search_requests: 5,
            ..Default::default()
        };
        let tokens = HashMap::from([((0, DAY, 1), used), ((0, DAY, 2), used)]);
        let parts = [
            part(1, Basis::Allocated, 3_000),
            part(1, Basis::Estimated, 1_000),
            part(1, Basis::Unallocated, 500),
            part(2, Basis::Estimated, 9),
        ];
        let q = quantities(&parts, &tokens);
        // Dimension 1: 1,000 tokens and 5 searches split 3:1 by amount; none unallocated.
        assert_eq!(q, vec![(750, 4), (250, 1), (0, 0), (1_000, 5)]);
        let dim1: i64 = q[..3].iter().map(|(t, _)| t).sum();
        assert_eq!(dim1, used.total_input() + used.output);
    }
}

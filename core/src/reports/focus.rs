//! The allocated cost in the FinOps FOCUS 1.1 column layout ([`Ledger::focus_export`]).
//!
//! One row per plan, UTC day, usage dimension (API key, workspace, model, service tier,
//! context window) and basis, read from the daily rollup; a period in another time zone
//! adds rows for the hours at its edges, and a key that changes hands inside a day gets one
//! row per holder. `docs/reports.md` ("Exports") explains every column's value.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Serialize, Serializer};

use super::allocation::split_units;
use super::export::{CsvWriter, ExportRecord, instant};
use super::period::Period;
use super::span::{DAY, HOUR, Span};
use crate::attribution::{Attribution, Owner};
use crate::error::{Error, Result};
use crate::model::{Basis, Money, Plan, TokenCounts, focus_names};
use crate::store::{Dim, FactSum, Grain, SumOver};
use crate::{Ledger, ListPlans};

/// What [`Ledger::focus_export`] covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FocusFilter {
    /// The period: its whole UTC days, and the hours at its edges in other time zones.
    pub period: Period,
    /// Only these plans (default: every plan, disconnected ones included).
    pub plan_ids: Option<Vec<i64>>,
}

impl FocusFilter {
    /// Every plan in `period`.
    pub fn new(period: Period) -> Self {
        FocusFilter {
            period,
            plan_ids: None,
        }
    }

    /// Only these plans.
    pub fn plans(mut self, plan_ids: Vec<i64>) -> Self {
        self.plan_ids = Some(plan_ids);
        self
    }
}

/// The FOCUS 1.1 columns costledger fills, in the specification's (alphabetical) order:
/// every mandatory column, and the conditional ones that apply to Claude API usage.
pub const FOCUS_COLUMNS: [&str; 34] = [
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodEnd",
    "BillingPeriodStart",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodEnd",
    "ChargePeriodStart",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "ResourceId",
    "ResourceName",
    "ResourceType",
    "ServiceCategory",
    "ServiceName",
    "ServiceSubcategory",
    "SkuId",
    "SkuPriceId",
    "SubAccountId",
    "SubAccountName",
    "Tags",
    "x_CostBasis",
];

/// Prefix of the tags costledger sets (FOCUS: provider-defined tags carry a prefix).
pub const TAG_PREFIX: &str = "costledger/";

fn dollars<S: Serializer>(m: &Money, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_str(&m.to_dollars_string())
}

/// One FOCUS row; serialized (JSON) with the FOCUS column names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct FocusRow {
    /// The bill's amount (0 for estimates: they are not on the invoice).
    #[serde(serialize_with = "dollars")]
    pub billed_cost: Money,
    /// The organisation id (`costledger-plan-<id>` for a plan without one).
    pub billing_account_id: String,
    /// The organisation name (the plan's label without one).
    pub billing_account_name: String,
    /// `USD`.
    pub billing_currency: &'static str,
    /// End of the invoice's calendar month (UTC, exclusive).
    pub billing_period_end: DateTime<Utc>,
    /// Start of the invoice's calendar month (UTC).
    pub billing_period_start: DateTime<Utc>,
    /// `Usage`.
    pub charge_category: &'static str,
    /// Always null: costledger rows are never corrections of a closed invoice.
    pub charge_class: Option<&'static str>,
    /// What the row is, in words.
    pub charge_description: String,
    /// `Usage-Based`.
    pub charge_frequency: &'static str,
    /// End of the row's hours (exclusive): the next UTC midnight, or a period's edge.
    pub charge_period_end: DateTime<Utc>,
    /// Start of the row's hours.
    pub charge_period_start: DateTime<Utc>,
    /// Tokens of the row's dimension in its hours (input of every kind + output); 0 for
    /// unallocated bill lines, which no usage explains. When several bases share the same
    /// usage (part billed, part estimated), the tokens are split among their rows in
    /// proportion to their amounts, so the rows add up to the usage exactly.
    pub consumed_quantity: i64,
    /// `Tokens`.
    pub consumed_unit: &'static str,
    /// Same as EffectiveCost: costledger knows no contract price apart from the bill.
    #[serde(serialize_with = "dollars")]
    pub contracted_cost: Money,
    /// The amount: the allocated or unallocated bill, or the estimate.
    #[serde(serialize_with = "dollars")]
    pub effective_cost: Money,
    /// The provider: `Anthropic` or `OpenAI`.
    pub invoice_issuer_name: &'static str,
    /// Same as EffectiveCost (the bill is at the organisation's rates; estimates at list).
    #[serde(serialize_with = "dollars")]
    pub list_cost: Money,
    /// Same as ConsumedQuantity.
    pub pricing_quantity: i64,
    /// `Tokens`.
    pub pricing_unit: &'static str,
    /// The provider: `Anthropic` or `OpenAI`.
    pub provider_name: &'static str,
    /// The provider: `Anthropic` or `OpenAI`.
    pub publisher_name: &'static str,
    /// The API key; null for Console usage and unallocated cost.
    pub resource_id: Option<String>,
    /// The key's name.
    pub resource_name: Option<String>,
    /// `API Key` when ResourceId is set.
    pub resource_type: Option<&'static str>,
    /// `AI and Machine Learning`.
    pub service_category: &'static str,
    /// `Claude API`, `Claude Code` for local-log plans, `OpenAI API`.
    pub service_name: &'static str,
    /// `Generative AI`.
    pub service_subcategory: &'static str,
    /// The model (`other` for bill lines without one, such as code execution).
    pub sku_id: String,
    /// Model, service tier and context window: the price point (`model/tier/window`).
    pub sku_price_id: String,
    /// The workspace (`<org>:default` for the Default workspace).
    pub sub_account_id: String,
    /// The workspace's name.
    pub sub_account_name: String,
    /// costledger's tags (keys prefixed `costledger/`): basis, plan, tier, window, subject,
    /// project.
    pub tags: BTreeMap<String, String>,
    /// `allocated`, `unallocated` or `estimated` (custom column).
    #[serde(rename = "x_CostBasis")]
    pub x_cost_basis: Basis,
}

impl ExportRecord for FocusRow {
    /// Columns: [`FOCUS_COLUMNS`]; Tags as a JSON object.
    fn csv(records: &[Self]) -> Result<String> {
        let mut csv = CsvWriter::new(&FOCUS_COLUMNS);
        for r in records {
            let tags = serde_json::to_string(&r.tags)
                .map_err(|e| Error::internal(format!("cannot write FOCUS tags: {e}")))?;
            csv.record(&[
                r.billed_cost.to_dollars_string(),
                r.billing_account_id.clone(),
                r.billing_account_name.clone(),
                r.billing_currency.to_string(),
                instant(r.billing_period_end),
                instant(r.billing_period_start),
                r.charge_category.to_string(),
                r.charge_class.unwrap_or_default().to_string(),
                r.charge_description.clone(),
                r.charge_frequency.to_string(),
                instant(r.charge_period_end),
                instant(r.charge_period_start),
                r.consumed_quantity.to_string(),
                r.consumed_unit.to_string(),
                r.contracted_cost.to_dollars_string(),
                r.effective_cost.to_dollars_string(),
                r.invoice_issuer_name.to_string(),
                r.list_cost.to_dollars_string(),
                r.pricing_quantity.to_string(),
                r.pricing_unit.to_string(),
                r.provider_name.to_string(),
                r.publisher_name.to_string(),
                r.resource_id.clone().unwrap_or_default(),
                r.resource_name.clone().unwrap_or_default(),
                r.resource_type.unwrap_or_default().to_string(),
                r.service_category.to_string(),
                r.service_name.to_string(),
                r.service_subcategory.to_string(),
                r.sku_id.clone(),
                r.sku_price_id.clone(),
                r.sub_account_id.clone(),
                r.sub_account_name.clone(),
                tags,
                r.x_cost_basis.to_string(),
            ]);
        }
        Ok(csv.finish())
    }
}

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

impl Ledger {
    /// The allocated cost of `filter`'s plans and period as CSV in the FinOps FOCUS 1.1
    /// column layout ([`FOCUS_COLUMNS`]): one row per plan, UTC day, API key, workspace,
    /// model, tier, window and basis. Summed over a period, BilledCost is the provider's bill
    /// and EffectiveCost the dashboard's usage total.
    pub async fn focus_export(&self, filter: FocusFilter) -> Result<String> {
        FocusRow::csv(&self.focus_rows(filter).await?)
    }

    /// The rows of [`Ledger::focus_export`], in charge-period, plan and dimension order.
    pub async fn focus_rows(&self, filter: FocusFilter) -> Result<Vec<FocusRow>> {
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
        let attribution = Attribution::load(store, &plan_ids).await?;
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

//! The exact totals the fake serves, for tests to compare a sync against.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aggregate::{GroupSpec, Sums, unpack};
use crate::buckets::{DAY, date, floor};
use crate::catalog::Endpoint;
use crate::costs::cost_lines;
use crate::daily::project_units;
use crate::line_items::Line;
use crate::money::{dollars, quantity};
use crate::pricing::VECTOR_UNIT_BYTES;
use crate::truth_rows::{
    CostBy, CostTruthRow, StorageTruthRow, TokenTotals, TokenTruthRow, UsageTruthRow, by_id,
    usage_row,
};
use crate::world::World;

/// Ground truth for every org over one window (see the README for the JSON).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Truth {
    /// The fake's clock when the truth was taken (RFC 3339).
    pub now: String,
    /// Start of the window (Unix seconds, inclusive): what the first bucket starts at.
    pub start_time: i64,
    /// End of the window (Unix seconds, exclusive): the requested end or now, clipped.
    pub end_time: i64,
    /// One entry per org, in org order.
    pub orgs: Vec<OrgTruth>,
}

/// Ground truth of one org.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgTruth {
    /// `org-…`
    pub org_id: String,
    /// Title.
    pub name: String,
    /// The `openai-organization` header value.
    pub slug: String,
    /// Completions tokens per (day, project, API key, model).
    pub tokens: Vec<TokenTruthRow>,
    /// Sum of `tokens`.
    pub tokens_total: TokenTotals,
    /// Every usage endpoint except `vector_stores`, per day and every dimension it has.
    pub usage: Vec<UsageTruthRow>,
    /// Vector store storage per (day, project).
    pub vector_storage: Vec<StorageTruthRow>,
    /// Billed cost per (day, project, API key, line item).
    pub cost: Vec<CostTruthRow>,
    /// Billed nanodollars per day (`YYYY-MM-DD`), days with cost only.
    pub cost_per_day: BTreeMap<String, u64>,
    /// Billed nanodollars per project id (`null` = no project), projects with cost only.
    pub cost_per_project: Vec<CostBy>,
    /// Billed nanodollars per API key id (`null` = no key).
    pub cost_per_api_key: Vec<CostBy>,
    /// Billed nanodollars per line item.
    pub cost_per_line_item: BTreeMap<String, u64>,
    /// Sum of `cost`, in nanodollars.
    pub cost_total_nanos: u64,
    /// The same in dollars, as `amount.value` writes it.
    pub cost_total_value: String,
}

impl Truth {
    /// The truth of the org with this id.
    pub fn org(&self, org_id: &str) -> Option<&OrgTruth> {
        self.orgs.iter().find(|o| o.org_id == org_id)
    }
}

/// What the endpoints serve for `start_time=start&end_time=end`: the window starts at
/// `start` rounded down to the minute and ends at `end` or now, whichever is earlier.
pub fn compute(world: &World, start: i64, end: i64) -> Truth {
    let start = floor(start, 60);
    let end = end.min(world.now.timestamp()).max(start);
    Truth {
        now: world
            .now
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        start_time: start,
        end_time: end,
        orgs: (0..world.orgs.len())
            .map(|o| org_truth(world, o, start, end))
            .collect(),
    }
}

/// `[max(day, start), min(day + 1, end))` for every UTC day the window touches.
fn days(start: i64, end: i64) -> impl Iterator<Item = (i64, i64, i64)> {
    let first = floor(start, DAY);
    (first..end)
        .step_by(DAY as usize)
        .map(move |d| (d, d.max(start), (d + DAY).min(end)))
}

fn org_truth(world: &World, o: usize, start: i64, end: i64) -> OrgTruth {
    let meta = &world.orgs[o].org;
    let mut usage = Vec::new();
    let mut tokens: BTreeMap<(String, Option<String>, Option<String>, String), TokenTotals> =
        BTreeMap::new();
    let mut vector_storage = Vec::new();
    let mut cost = Vec::new();
    let mut per_day = BTreeMap::new();
    let mut per_project: BTreeMap<Option<String>, u64> = BTreeMap::new();
    let mut per_key: BTreeMap<Option<String>, u64> = BTreeMap::new();
    let mut per_line = BTreeMap::new();
    for (day, from, to) in days(start, end) {
        let day_name = date(day);
        let mut groups: BTreeMap<(Endpoint, u128), Sums> = BTreeMap::new();
        world.for_each_event(o, from, to, |_, e| {
            let spec = GroupSpec::of(e.endpoint.dims());
            groups.entry((e.endpoint, spec.key(e))).or_default().add(e);
        });
        for ((endpoint, key), sums) in groups {
            let row = usage_row(meta, &day_name, endpoint, unpack(key), &sums);
            if endpoint == Endpoint::Completions {
                let k = (
                    day_name.clone(),
                    row.project_id.clone(),
                    row.api_key_id.clone(),
                    row.model.clone().unwrap_or_default(),
                );
                tokens.entry(k).or_default().add_row(&row);
            }
            usage.push(row);
        }
        if day + DAY > world.history_start() {
            for (p, units) in project_units(world.seed, meta, day / DAY)
                .into_iter()
                .enumerate()
            {
                if units > 0 {
                    vector_storage.push(StorageTruthRow {
                        day: day_name.clone(),
                        project_id: meta.projects[p].id.clone(),
                        usage_bytes: units * VECTOR_UNIT_BYTES,
                    });
                }
            }
        }
        for (k, a) in cost_lines(world, o, from, to) {
            let line = Line::unpack(k.line);
            let project = (k.project > 0).then(|| meta.projects[k.project as usize - 1].id.clone());
            let key = (k.key > 0).then(|| meta.api_keys[k.key as usize - 1].id.clone());
            *per_day.entry(day_name.clone()).or_insert(0) += a.nanos;
            *per_project.entry(project.clone()).or_insert(0) += a.nanos;
            *per_key.entry(key.clone()).or_insert(0) += a.nanos;
            *per_line.entry(line.name()).or_insert(0) += a.nanos;
            cost.push(CostTruthRow {
                day: day_name.clone(),
                project_id: project,
                api_key_id: key,
                line_item: line.name(),
                quantity: quantity(a.milli),
                quantity_unit: line.unit().map(Into::into),
                amount_nanos: a.nanos,
                amount_value: dollars(a.nanos),
            });
        }
    }
    let mut tokens_total = TokenTotals::default();
    let tokens = tokens
        .into_iter()
        .map(|((day, project_id, api_key_id, model), t)| {
            tokens_total.add(&t);
            TokenTruthRow {
                day,
                project_id,
                api_key_id,
                model,
                tokens: t,
            }
        })
        .collect();
    let total = per_day.values().sum();
    OrgTruth {
        org_id: meta.id.clone(),
        name: meta.name.clone(),
        slug: meta.slug.clone(),
        tokens,
        tokens_total,
        usage,
        vector_storage,
        cost,
        cost_per_day: per_day,
        cost_per_project: by_id(per_project),
        cost_per_api_key: by_id(per_key),
        cost_per_line_item: per_line,
        cost_total_nanos: total,
        cost_total_value: dollars(total),
    }
}

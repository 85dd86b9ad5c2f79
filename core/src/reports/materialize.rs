//! Materialising allocation: one UTC day of a plan's raw usage and cost turned into its cost
//! facts and rollups. Who derives which day, and when, is `sync::derive`.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::allocation::{FactDim, allocate_day};
use super::analytics_facts::{DaySource, analytics_day};
use super::span::{DAY, HOUR};
use super::unit_estimates::estimate_units;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::{Basis, BucketWidth, Money, Provider, TokenCounts};
use crate::pricing::PriceTable;
use crate::store::{DayFacts, Dim, Fact, Watermark, from_ts};

/// A dimension allocation creates: (api key, workspace, model, tier, window, actor).
pub(crate) type NewDim = (
    Option<String>,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
);

/// How the dimensions allocation creates (for unmatched or key-billed cost) get their ids.
pub(crate) enum NewDimIds<'a> {
    /// Look them up in the plan's dimensions (loaded once by the caller), creating the missing
    /// ones and adding them (deriving).
    Create(&'a mut foldhash::HashMap<NewDim, i64>),
    /// Only look them up; a missing one gets id 0, which no stored fact has (verifying).
    Existing(&'a foldhash::HashMap<NewDim, i64>),
}

/// A day's usage and its allocation, before its new dimensions have ids.
pub(crate) struct AllocatedDay {
    day: i64,
    usage: Vec<crate::store::HourUsage>,
    allocation: super::allocation::DayAllocation,
}

impl AllocatedDay {
    /// The dimensions the day's facts need that its usage does not have, in order.
    pub(crate) fn new_dims(&self) -> Vec<NewDim> {
        self.allocation
            .facts
            .keys()
            .filter_map(|(_, dim, _)| match dim {
                FactDim::New(key, ws, model, tier, window, actor) => Some((
                    key.clone(),
                    ws.clone(),
                    model.clone(),
                    tier.clone(),
                    window.clone(),
                    actor.clone(),
                )),
                FactDim::Known(_) => None,
            })
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect()
    }
}

/// The plan's stored dimensions by their values, for [`NewDimIds`].
pub(crate) fn dims_by_key(dims: Vec<Dim>) -> foldhash::HashMap<NewDim, i64> {
    dims.into_iter()
        .map(|d| {
            let id = d.id;
            (new_dim(d), id)
        })
        .collect()
}

/// Create the dimensions among `keys` that `cache` (the plan's dimensions) lacks, in one write
/// transaction and in the order given (so ids follow it), and add them to `cache`. No
/// transaction when none is missing.
pub(crate) async fn ensure_new_dims(
    store: &dyn crate::store::Store,
    plan_id: i64,
    cache: &mut foldhash::HashMap<NewDim, i64>,
    keys: impl IntoIterator<Item = NewDim>,
) -> Result<()> {
    let mut seen = foldhash::HashSet::default();
    let missing: Vec<Dim> = keys
        .into_iter()
        .filter(|k| !cache.contains_key(k) && seen.insert(k.clone()))
        .map(
            |(api_key_id, workspace_id, model, service_tier, context_window, actor_id)| Dim {
                id: 0,
                plan_id,
                api_key_id,
                workspace_id,
                model,
                service_tier,
                context_window,
                actor_id,
            },
        )
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    let ids = store.ensure_dims(plan_id, &missing).await?;
    for (d, id) in missing.into_iter().zip(ids) {
        cache.insert(new_dim(d), id);
    }
    Ok(())
}

/// A dimension's values.
pub(crate) fn new_dim(d: Dim) -> NewDim {
    (
        d.api_key_id,
        d.workspace_id,
        d.model,
        d.service_tier,
        d.context_window,
        d.actor_id,
    )
}

/// Whether a stream's watermark covers the whole of a day: the `analytics` one decides which
/// days the Analytics API bills, the `cost` one which of the others allocation bills from the
/// cost report (it estimates the rest; see `reports::analytics_facts`). A write that moves a
/// watermark marks the days it changes stale (store `billed_days_changed`).
pub(crate) fn billed(cost_mark: Option<&Watermark>, day: i64) -> bool {
    cost_mark
        .is_some_and(|w| w.first_start.timestamp() <= day && day + DAY <= w.watermark.timestamp())
}

impl Context {
    /// [`crate::Ledger::rebuild_cost_facts`].
    pub(crate) async fn rebuild_cost_facts(
        &self,
        plan_id: i64,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<u64> {
        self.get_plan(plan_id).await?;
        if to <= from {
            return Err(Error::invalid(format!(
                "range must end after it starts, got {from} to {to}"
            )));
        }
        let midnight = |d: NaiveDate| d.and_time(chrono::NaiveTime::MIN).and_utc().timestamp();
        let (start, end) = (midnight(from), midnight(to));
        self.store.mark_stale(plan_id, start, end).await?;
        let outcome = self
            .derive_stale(&[plan_id], Some((start, end)), &super::derive::never)
            .await?;
        Ok(outcome.days)
    }

    /// The derived rows of one UTC day (Unix seconds) of a plan, computed from its stored raw
    /// usage and cost, or from its analytics rows when `source` says so (see
    /// `reports::analytics_facts`).
    pub(crate) async fn compute_day_facts(
        &self,
        plan_id: i64,
        day: i64,
        provider: Provider,
        source: DaySource,
        new_ids: NewDimIds<'_>,
    ) -> Result<DayFacts> {
        let allocated = self
            .allocate_stored_day(plan_id, day, provider, source)
            .await?;
        self.materialize_day(plan_id, allocated, new_ids).await
    }

    /// A day's stored inputs and their allocation (or analytics facts): the first half of
    /// [`Ledger::compute_day_facts`].
    pub(crate) async fn allocate_stored_day(
        &self,
        plan_id: i64,
        day: i64,
        provider: Provider,
        source: DaySource,
    ) -> Result<AllocatedDay> {
        let store = &self.store;
        // A day the Analytics API bills needs its usage only, not the legacy cost rows.
        let (usage, costs) = match source {
            DaySource::Analytics => (store.day_usage(plan_id, day).await?, Vec::new()),
            DaySource::Legacy { .. } => store.day_inputs(plan_id, day).await?,
        };
        let prices = PriceTable::bundled();
        let billed = match source {
            DaySource::Analytics => true,
            DaySource::Legacy { billed } => billed,
        };
        let mut allocation = match source {
            DaySource::Analytics => {
                let rows = store.analytics_fact_rows(plan_id, day, day + DAY).await?;
                analytics_day(provider, day, &usage, &rows, prices)
            }
            DaySource::Legacy { billed } => {
                allocate_day(provider, day, &usage, &costs, billed, prices)
            }
        };
        if provider == Provider::OpenAi && !billed {
            let (from, to) = (from_ts(day)?, from_ts(day + DAY)?);
            let units = store
                .unit_rows(plan_id, BucketWidth::Hour, from, to)
                .await?;
            estimate_units(&mut allocation, day, &units, PriceTable::bundled());
        }
        Ok(AllocatedDay {
            day,
            usage,
            allocation,
        })
    }

    /// The facts and rollups of an allocated day, its new dimensions given ids by `new_ids`:
    /// the second half of [`Ledger::compute_day_facts`].
    pub(crate) async fn materialize_day(
        &self,
        plan_id: i64,
        allocated: AllocatedDay,
        new_ids: NewDimIds<'_>,
    ) -> Result<DayFacts> {
        let store = &self.store;
        let created = allocated.new_dims();
        let AllocatedDay {
            day,
            usage,
            allocation,
        } = allocated;
        let known: foldhash::HashMap<i64, &Dim> =
            usage.iter().map(|u| (u.dim.id, &u.dim)).collect();
        let created_ids: foldhash::HashMap<NewDim, i64> = match new_ids {
            NewDimIds::Create(cache) => {
                ensure_new_dims(store.as_ref(), plan_id, cache, created.iter().cloned()).await?;
                created
                    .into_iter()
                    .map(|k| {
                        let id = cache[&k];
                        (k, id)
                    })
                    .collect()
            }
            NewDimIds::Existing(existing) => created
                .into_iter()
                .map(|k| {
                    let id = existing.get(&k).copied().unwrap_or(0);
                    (k, id)
                })
                .collect(),
        };
        let mut day_facts = DayFacts {
            day,
            unpriced: allocation.unpriced,
            ..DayFacts::default()
        };
        let mut daily: BTreeMap<(i64, Basis), Money> = BTreeMap::new();
        let mut hourly_ws: BTreeMap<(i64, String, Basis), Money> = BTreeMap::new();
        let mut daily_ws: BTreeMap<(String, Basis), Money> = BTreeMap::new();
        for ((hour, dim, basis), amount) in allocation.facts {
            let (dim_id, workspace) = match dim {
                FactDim::Known(id) => (id, known.get(&id).and_then(|d| d.workspace_id.clone())),
                FactDim::New(key, ws, model, tier, window, actor) => {
                    let id = created_ids[&(key, ws.clone(), model, tier, window, actor)];
                    (id, ws)
                }
            };
            debug_assert!(hour >= day && hour < day + DAY && hour % HOUR == 0);
            day_facts.facts.push(Fact {
                hour,
                dim_id,
                basis,
                amount,
            });
            let workspace = workspace.unwrap_or_default();
            *daily.entry((dim_id, basis)).or_default() += amount;
            *daily_ws.entry((workspace.clone(), basis)).or_default() += amount;
            *hourly_ws.entry((hour, workspace, basis)).or_default() += amount;
        }
        let mut usage_daily: BTreeMap<i64, TokenCounts> = BTreeMap::new();
        for u in &usage {
            usage_daily.entry(u.dim.id).or_default().add(&u.tokens);
        }
        day_facts.daily = daily.into_iter().map(|((d, b), m)| (d, b, m)).collect();
        day_facts.hourly_ws = hourly_ws
            .into_iter()
            .map(|((h, w, b), m)| (h, w, b, m))
            .collect();
        day_facts.daily_ws = daily_ws.into_iter().map(|((w, b), m)| (w, b, m)).collect();
        day_facts.usage = usage_daily.into_iter().collect();
        Ok(day_facts)
    }
}

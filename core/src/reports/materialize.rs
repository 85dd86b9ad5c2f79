//! Materialising allocation: after a sync, the days whose usage or cost changed get their
//! cost facts and rollups recomputed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use super::allocation::{FactDim, allocate_day};
use super::span::{DAY, HOUR};
use crate::Ledger;
use crate::error::{Error, Result};
use crate::model::{Basis, Money, TokenCounts};
use crate::pricing::PriceTable;
use crate::store::{DayFacts, Dim, Fact};

impl Ledger {
    /// Recompute the cost facts of one plan's UTC days `[from, to)`: after a price-table
    /// update, or to rebuild reports. Sync does this by itself for the days it touched.
    /// Returns the number of days recomputed.
    pub async fn rebuild_cost_facts(
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
        let start = from
            .and_hms_opt(0, 0, 0)
            .expect("midnight")
            .and_utc()
            .timestamp();
        let days: BTreeSet<i64> = (0..(to - from).num_days())
            .map(|i| start + i * DAY)
            .collect();
        Ok(self.materialize(plan_id, &days).await?.0)
    }

    /// Recompute the given days (UTC midnights) of a plan. Returns (days, facts written).
    pub(crate) async fn materialize(
        &self,
        plan_id: i64,
        days: &BTreeSet<i64>,
    ) -> Result<(u64, u64)> {
        let store = &self.inner.store;
        let cost_mark = store.watermark(plan_id, "cost").await?;
        let billed = |day: i64| {
            cost_mark.as_ref().is_some_and(|w| {
                w.first_start.timestamp() <= day && day + DAY <= w.watermark.timestamp()
            })
        };
        let prices = PriceTable::bundled();
        let mut facts_written = 0;
        for &day in days {
            let (usage, costs) = store.day_inputs(plan_id, day).await?;
            let allocation = allocate_day(day, &usage, &costs, billed(day), prices);
            let known: HashMap<i64, &Dim> = usage.iter().map(|u| (u.dim.id, &u.dim)).collect();
            let keyless: Vec<Dim> = allocation
                .facts
                .keys()
                .filter_map(|(_, dim, _)| match dim {
                    FactDim::Keyless(ws, model, tier, window) => Some(Dim {
                        id: 0,
                        plan_id,
                        api_key_id: None,
                        workspace_id: ws.clone(),
                        model: model.clone(),
                        service_tier: tier.clone(),
                        context_window: window.clone(),
                    }),
                    FactDim::Known(_) => None,
                })
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let keyless_ids = store.ensure_dims(plan_id, &keyless).await?;
            let keyless_by: HashMap<
                (Option<String>, String, String, String),
                (i64, Option<String>),
            > = keyless
                .iter()
                .zip(&keyless_ids)
                .map(|(d, id)| {
                    let k = (
                        d.workspace_id.clone(),
                        d.model.clone(),
                        d.service_tier.clone(),
                        d.context_window.clone(),
                    );
                    (k, (*id, d.workspace_id.clone()))
                })
                .collect();
            let mut day_facts = DayFacts {
                day,
                unpriced: allocation.unpriced,
                ..DayFacts::default()
            };
            let mut daily: BTreeMap<(i64, Basis), Money> = BTreeMap::new();
            let mut hourly_ws: BTreeMap<(i64, String, Basis), Money> = BTreeMap::new();
            for ((hour, dim, basis), amount) in allocation.facts {
                let (dim_id, workspace) = match dim {
                    FactDim::Known(id) => (id, known.get(&id).and_then(|d| d.workspace_id.clone())),
                    FactDim::Keyless(ws, model, tier, window) => {
                        keyless_by[&(ws, model, tier, window)].clone()
                    }
                };
                debug_assert!(hour >= day && hour < day + DAY && hour % HOUR == 0);
                day_facts.facts.push(Fact {
                    hour,
                    dim_id,
                    basis,
                    amount,
                });
                *daily.entry((dim_id, basis)).or_default() += amount;
                *hourly_ws
                    .entry((hour, workspace.unwrap_or_default(), basis))
                    .or_default() += amount;
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
            day_facts.usage = usage_daily.into_iter().collect();
            facts_written += day_facts.facts.len() as u64;
            store.replace_day_facts(plan_id, &day_facts).await?;
        }
        Ok((days.len() as u64, facts_written))
    }
}

//! `verify`: recompute a range's derived facts from the raw usage and cost, compare them with
//! what is stored (facts and every rollup), and on request repair what differs: the `fsck` of
//! a ledger.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, NaiveDate};
use serde::Serialize;

use super::analytics_facts::{ANALYTICS_STREAM, day_source};
use super::cost::Cost;
use super::materialize::{NewDimIds, dims_by_key};
use super::span::DAY;
use crate::context::Context;
use crate::error::{Error, Result};
use crate::model::ListPlans;
use crate::model::{Basis, TokenCounts};
use crate::store::{DayFacts, MonthRollups};

/// The derived tables `verify` compares, as they are named in its reports.
pub const VERIFIED_TABLES: &[&str] = &[
    "cost_facts",
    "cost_daily",
    "cost_hourly_ws",
    "cost_daily_ws",
    "usage_daily",
    "unpriced",
    "cost_monthly",
    "usage_monthly",
];

/// What [`Ledger::verify`] found, per plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VerifyReport {
    /// One entry per plan checked, in id order.
    pub plans: Vec<PlanVerification>,
    /// Whether differences were repaired (`repair` was asked).
    pub repair: bool,
}

impl VerifyReport {
    /// Days and months whose stored rows differ from the recomputation, over every plan.
    pub fn differences(&self) -> usize {
        self.plans
            .iter()
            .map(|p| p.days.len() + p.months.len())
            .sum()
    }

    /// True when nothing differs, or everything that differed was repaired.
    pub fn is_consistent(&self) -> bool {
        self.plans
            .iter()
            .all(|p| p.days.iter().all(|d| d.repaired) && p.months.iter().all(|m| m.repaired))
    }
}

/// A [`VerifyReport`] as it is written, with its totals.
#[derive(Serialize, schemars::JsonSchema)]
#[schemars(
    rename = "VerifyReport",
    description = "What `verify` found, per plan."
)]
struct VerifyReportForm<'a> {
    /// One entry per plan checked, in id order.
    plans: &'a [PlanVerification],
    /// Whether differences were repaired (`repair` was asked).
    repair: bool,
    /// Days and months whose stored rows differ from the recomputation, over every plan.
    differences: usize,
    /// True when nothing differs, or everything that differed was repaired.
    consistent: bool,
}

impl Serialize for VerifyReport {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        VerifyReportForm {
            plans: &self.plans,
            repair: self.repair,
            differences: self.differences(),
            consistent: self.is_consistent(),
        }
        .serialize(s)
    }
}

impl schemars::JsonSchema for VerifyReport {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "VerifyReport".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        VerifyReportForm::json_schema(generator)
    }
}

/// One plan's verification.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PlanVerification {
    /// The plan.
    pub plan_id: i64,
    /// Its label.
    pub label: String,
    /// First UTC day checked (`None` when the plan has no data in the range).
    pub from: Option<NaiveDate>,
    /// The day after the last one checked.
    pub to: Option<NaiveDate>,
    /// UTC days checked.
    pub days_checked: i64,
    /// Days marked stale (derivation pending: the next sync or report derives them) among
    /// those checked.
    pub stale_days: i64,
    /// Days whose stored rows differ from the recomputation.
    pub days: Vec<DayDifference>,
    /// Months whose rollups differ from the sum of their stored days.
    pub months: Vec<MonthDifference>,
}

/// A day whose derived rows differ from what its raw usage and cost give.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct DayDifference {
    /// The UTC day.
    pub date: NaiveDate,
    /// The derived tables that differ ([`VERIFIED_TABLES`]).
    pub tables: Vec<String>,
    /// The day's stored hourly facts summed, per basis.
    pub stored: Cost,
    /// The day's stored daily rollup, per basis (what reports of whole UTC days read).
    pub stored_daily: Cost,
    /// The day's facts recomputed from the raw data, per basis.
    pub recomputed: Cost,
    /// The day was marked stale (a derivation was pending), so the difference was expected.
    pub stale: bool,
    /// The day was derived again and now matches.
    pub repaired: bool,
}

/// A month whose rollups differ from the sum of its stored daily rollups.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MonthDifference {
    /// The month's first day.
    pub month: NaiveDate,
    /// The rollups that differ (`cost_monthly`, `usage_monthly`).
    pub tables: Vec<String>,
    /// The stored monthly cost rollup, per basis.
    pub stored: Cost,
    /// The month's daily rollups summed, per basis.
    pub recomputed: Cost,
    /// The rollups were rewritten and now match.
    pub repaired: bool,
}

fn date_of(day: i64) -> NaiveDate {
    DateTime::from_timestamp(day, 0)
        .expect("a day of the verified range is a valid instant")
        .date_naive()
}

fn midnight(date: NaiveDate) -> i64 {
    date.and_time(chrono::NaiveTime::MIN).and_utc().timestamp()
}

fn cost_of<'a>(amounts: impl Iterator<Item = (Basis, crate::model::Money)> + 'a) -> Cost {
    let mut cost = Cost::default();
    for (basis, amount) in amounts {
        cost.add(basis, amount);
    }
    cost
}

/// Map without the zero amounts (a zero row and no row mean the same).
fn nonzero<K: Ord>(rows: impl Iterator<Item = (K, i64)>) -> BTreeMap<K, i64> {
    let mut map = BTreeMap::new();
    for (k, v) in rows {
        *map.entry(k).or_insert(0) += v;
    }
    map.retain(|_, v| *v != 0);
    map
}

fn usage_map(rows: &[(i64, TokenCounts)]) -> BTreeMap<i64, TokenCounts> {
    let mut map: BTreeMap<i64, TokenCounts> = BTreeMap::new();
    for (dim, tokens) in rows {
        map.entry(*dim).or_default().add(tokens);
    }
    map.retain(|_, t| !t.is_zero());
    map
}

/// The tables where two versions of a day's derived rows differ.
fn day_tables(stored: &DayFacts, computed: &DayFacts) -> Vec<String> {
    let mut out = Vec::new();
    let mut check = |name: &str, same: bool| {
        if !same {
            out.push(name.to_string());
        }
    };
    let facts = |d: &DayFacts| {
        nonzero(
            d.facts
                .iter()
                .map(|f| ((f.hour, f.dim_id, f.basis.fact_code()), f.amount.nanos())),
        )
    };
    check("cost_facts", facts(stored) == facts(computed));
    let daily = |d: &DayFacts| {
        nonzero(
            d.daily
                .iter()
                .map(|(dim, b, m)| ((*dim, b.fact_code()), m.nanos())),
        )
    };
    check("cost_daily", daily(stored) == daily(computed));
    let hourly_ws = |d: &DayFacts| {
        nonzero(
            d.hourly_ws
                .iter()
                .map(|(h, ws, b, m)| ((*h, ws.clone(), b.fact_code()), m.nanos())),
        )
    };
    check("cost_hourly_ws", hourly_ws(stored) == hourly_ws(computed));
    let daily_ws = |d: &DayFacts| {
        nonzero(
            d.daily_ws
                .iter()
                .map(|(ws, b, m)| ((ws.clone(), b.fact_code()), m.nanos())),
        )
    };
    check("cost_daily_ws", daily_ws(stored) == daily_ws(computed));
    check(
        "usage_daily",
        usage_map(&stored.usage) == usage_map(&computed.usage),
    );
    let unpriced =
        |d: &DayFacts| nonzero(d.unpriced.iter().map(|u| ((u.hour, u.dim_id), u.tokens)));
    check("unpriced", unpriced(stored) == unpriced(computed));
    out
}

fn month_tables(rollups: &MonthRollups) -> Vec<String> {
    let cost = |rows: &[(i64, Basis, crate::model::Money)]| {
        nonzero(
            rows.iter()
                .map(|(dim, b, m)| ((*dim, b.fact_code()), m.nanos())),
        )
    };
    let mut out = Vec::new();
    if cost(&rollups.cost) != cost(&rollups.cost_from_days) {
        out.push("cost_monthly".to_string());
    }
    if usage_map(&rollups.usage) != usage_map(&rollups.usage_from_days) {
        out.push("usage_monthly".to_string());
    }
    out
}

impl Context {
    /// [`crate::Ledger::verify`].
    pub(crate) async fn verify(
        &self,
        plan: Option<i64>,
        range: Option<(NaiveDate, NaiveDate)>,
        repair: bool,
    ) -> Result<VerifyReport> {
        if let Some((from, to)) = range
            && to <= from
        {
            return Err(Error::invalid(format!(
                "verify range must end after it starts, got {from} to {to}"
            )));
        }
        let plans = match plan {
            Some(id) => vec![self.get_plan(id).await?],
            None => self.list_plans(ListPlans::all()).await?,
        };
        let mut out = VerifyReport {
            plans: Vec::with_capacity(plans.len()),
            repair,
        };
        for plan in plans {
            let bounds = match range {
                Some((from, to)) => Some((midnight(from), midnight(to))),
                None => self.store.fact_extent(plan.id).await?,
            };
            let mut checked = PlanVerification {
                plan_id: plan.id,
                label: plan.label.clone(),
                from: bounds.map(|(a, _)| date_of(a)),
                to: bounds.map(|(_, b)| date_of(b)),
                days_checked: 0,
                stale_days: 0,
                days: Vec::new(),
                months: Vec::new(),
            };
            if let Some((start, end)) = bounds {
                self.verify_plan(&mut checked, start, end).await?;
                if repair {
                    self.repair_plan(&mut checked).await?;
                }
            }
            out.plans.push(checked);
        }
        Ok(out)
    }

    async fn verify_plan(&self, out: &mut PlanVerification, start: i64, end: i64) -> Result<()> {
        let store = &self.store;
        let plan_id = out.plan_id;
        let stale: BTreeSet<i64> = store
            .stale_days(&[plan_id], Some((start, end)), None, i64::MAX)
            .await?
            .into_iter()
            .map(|d| d.day)
            .collect();
        out.stale_days = stale.len() as i64;
        let provider = self.get_plan(plan_id).await?.provider;
        let dims = dims_by_key(store.dims(&[plan_id]).await?);
        let cost_mark = store.watermark(plan_id, "cost").await?;
        let analytics_mark = store.watermark(plan_id, ANALYTICS_STREAM).await?;
        let mut months = BTreeSet::new();
        for day in (start..end).step_by(DAY as usize) {
            let computed = self
                .compute_day_facts(
                    plan_id,
                    day,
                    provider,
                    day_source(cost_mark.as_ref(), analytics_mark.as_ref(), day),
                    NewDimIds::Existing(&dims),
                )
                .await?;
            let stored = store.stored_day_facts(plan_id, day).await?;
            out.days_checked += 1;
            months.insert(
                date_of(day)
                    .with_day(1)
                    .expect("every month has a first day"),
            );
            let tables = day_tables(&stored, &computed);
            if tables.is_empty() {
                continue;
            }
            out.days.push(DayDifference {
                date: date_of(day),
                tables,
                stored: cost_of(stored.facts.iter().map(|f| (f.basis, f.amount))),
                stored_daily: cost_of(stored.daily.iter().map(|(_, b, m)| (*b, *m))),
                recomputed: cost_of(computed.daily.iter().map(|(_, b, m)| (*b, *m))),
                stale: stale.contains(&day),
                repaired: false,
            });
        }
        for month in months {
            let rollups = store.month_rollups(plan_id, midnight(month)).await?;
            let tables = month_tables(&rollups);
            if tables.is_empty() {
                continue;
            }
            out.months.push(MonthDifference {
                month,
                tables,
                stored: cost_of(rollups.cost.iter().map(|(_, b, m)| (*b, *m))),
                recomputed: cost_of(rollups.cost_from_days.iter().map(|(_, b, m)| (*b, *m))),
                repaired: false,
            });
        }
        Ok(())
    }

    /// Derive again the days that differ, and one day of each month whose rollups differ
    /// (writing a day rewrites its month's rollups), then check them again.
    async fn repair_plan(&self, out: &mut PlanVerification) -> Result<()> {
        let store = &self.store;
        let plan_id = out.plan_id;
        let mut days: BTreeSet<i64> = out.days.iter().map(|d| midnight(d.date)).collect();
        for m in &out.months {
            let first = midnight(m.month);
            let in_month = days
                .iter()
                .any(|d| date_of(*d).with_day(1) == Some(m.month));
            if !in_month {
                days.insert(first);
            }
        }
        for day in &days {
            store.mark_stale(plan_id, *day, day + DAY).await?;
            self.derive_stale(&[plan_id], Some((*day, day + DAY)), &super::derive::never)
                .await?;
        }
        let Some(first) = days.first().copied() else {
            return Ok(());
        };
        let last = days.last().copied().unwrap_or(first) + DAY;
        let mut again = PlanVerification {
            days: Vec::new(),
            months: Vec::new(),
            ..out.clone()
        };
        self.verify_plan(&mut again, first, last).await?;
        for d in &mut out.days {
            d.repaired = !again.days.iter().any(|a| a.date == d.date);
        }
        for m in &mut out.months {
            m.repaired = !again.months.iter().any(|a| a.month == m.month);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Money;
    use crate::store::Fact;

    #[test]
    fn zero_rows_and_missing_rows_are_the_same() {
        let mut a = DayFacts::default();
        let mut b = DayFacts::default();
        a.facts.push(Fact {
            hour: 0,
            dim_id: 1,
            basis: Basis::Allocated,
            amount: Money::ZERO,
        });
        assert!(day_tables(&a, &b).is_empty());
        b.facts.push(Fact {
            hour: 0,
            dim_id: 1,
            basis: Basis::Allocated,
            amount: Money::from_nanos(5),
        });
        assert_eq!(day_tables(&a, &b), vec!["cost_facts".to_string()]);
    }
}

//! Reports (core `reports/`): what a subject cost, the company dashboard, forecasts, and the
//! FinOps FOCUS export. Periods arrive as the core parses them; budgets are in `budgets.rs`.

use chrono::NaiveDate;
use costledger::{BudgetScope, DashboardFilter, Error, FocusFilter, Period, UnitUsageFilter};
use pyo3::prelude::*;

use crate::ledger::PyLedger;
use crate::pending::Pending;

/// A period as the Python layer passes it: the core's text form (`2026-11`,
/// `2026-11 America/Los_Angeles`, …), one date, or a `(start, end)` pair, end exclusive.
#[derive(FromPyObject)]
pub(crate) enum PeriodArg {
    Text(String),
    Day(NaiveDate),
    Dates(NaiveDate, NaiveDate),
}

impl PeriodArg {
    /// The core's period, moved to `time_zone` when one is given.
    pub(crate) fn into_core(self, time_zone: Option<String>) -> costledger::Result<Period> {
        let period = match self {
            PeriodArg::Text(text) => text.parse()?,
            PeriodArg::Day(day) => Period::day(day),
            PeriodArg::Dates(start, end) => Period::dates(start, end)?,
        };
        match time_zone {
            Some(zone) => period.in_time_zone(&zone),
            None => Ok(period),
        }
    }
}

#[pymethods]
impl PyLedger {
    /// What a subject cost in a period.
    #[pyo3(signature = (subject_id, period, time_zone=None))]
    fn user_costs(
        &self,
        subject_id: String,
        period: PeriodArg,
        time_zone: Option<String>,
    ) -> Pending {
        let ledger = self.inner.clone();
        Pending::report(async move {
            let period = period.into_core(time_zone)?;
            ledger.user_costs(&subject_id, period).await
        })
    }

    /// The company's spend in a period; `workspace` is `(plan_id, workspace_id or None)`.
    #[pyo3(signature = (period, time_zone=None, plan_ids=None, workspace=None, top_subjects=10, providers=None))]
    #[allow(clippy::too_many_arguments)]
    fn dashboard(
        &self,
        period: PeriodArg,
        time_zone: Option<String>,
        plan_ids: Option<Vec<i64>>,
        workspace: Option<(i64, Option<String>)>,
        top_subjects: i64,
        providers: Option<Vec<String>>,
    ) -> Pending {
        let ledger = self.inner.clone();
        Pending::report(async move {
            let top = usize::try_from(top_subjects).map_err(|_| {
                Error::invalid(format!(
                    "top_subjects must be 0 or more, got {top_subjects}"
                ))
            })?;
            let mut filter = DashboardFilter::new(period.into_core(time_zone)?).top(top);
            filter.plan_ids = plan_ids;
            if let Some(providers) = providers {
                let providers = providers
                    .iter()
                    .map(|p| p.parse())
                    .collect::<Result<_, _>>()?;
                filter = filter.providers(providers);
            }
            if let Some((plan_id, workspace_id)) = workspace {
                filter = filter.workspace(plan_id, workspace_id);
            }
            ledger.dashboard(filter).await
        })
    }

    /// Non-token usage per UTC day in `[from_, to)`, with list-price estimates.
    #[pyo3(signature = (from_, to, plan_ids=None, units=None))]
    fn unit_usage(
        &self,
        from_: NaiveDate,
        to: NaiveDate,
        plan_ids: Option<Vec<i64>>,
        units: Option<Vec<String>>,
    ) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move {
            let filter = UnitUsageFilter {
                plan_ids: plan_ids.unwrap_or_default(),
                units: units
                    .unwrap_or_default()
                    .iter()
                    .map(|u| u.parse())
                    .collect::<Result<_, _>>()?,
                ..UnitUsageFilter::new(from_, to)
            };
            ledger.unit_usage(&filter).await
        })
    }

    /// Where a scope's usage cost will end a period; `scope` is the core's text form.
    #[pyo3(signature = (scope, period, time_zone=None))]
    fn forecast(&self, scope: String, period: PeriodArg, time_zone: Option<String>) -> Pending {
        let ledger = self.inner.clone();
        Pending::report(async move {
            let scope: BudgetScope = scope.parse()?;
            ledger.forecast(&scope, period.into_core(time_zone)?).await
        })
    }

    /// Recompute derived facts from the raw data and compare them with what is stored
    /// (`start` and `end` together, or neither), repairing what differs with `repair`.
    #[pyo3(signature = (plan_id=None, start=None, end=None, repair=false))]
    fn verify(
        &self,
        plan_id: Option<i64>,
        start: Option<NaiveDate>,
        end: Option<NaiveDate>,
        repair: bool,
    ) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move {
            let range = match (start, end) {
                (Some(a), Some(b)) => Some((a, b)),
                (None, None) => None,
                _ => {
                    return Err(Error::invalid(
                        "give both start and end of the range to verify, or neither",
                    ));
                }
            };
            ledger.verify(plan_id, range, repair).await
        })
    }

    /// The allocated cost of a period as FinOps FOCUS 1.1 CSV.
    #[pyo3(signature = (period, time_zone=None, plan_ids=None))]
    fn focus_export(
        &self,
        period: PeriodArg,
        time_zone: Option<String>,
        plan_ids: Option<Vec<i64>>,
    ) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move {
            let mut filter = FocusFilter::new(period.into_core(time_zone)?);
            filter.plan_ids = plan_ids;
            ledger.focus_export(filter).await
        })
    }
}

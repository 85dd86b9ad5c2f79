//! Sync (core `sync/`): run a sync, cancellable (its history is `Ledger.call`'s).

use chrono::{DateTime, TimeDelta, Utc};
use costledger::{Error, SyncOptions, SyncStream};
use pyo3::prelude::*;

use crate::config::seconds;
use crate::ledger::PyLedger;
use crate::pending::Pending;

/// Days as a [`TimeDelta`], or `INVALID_INPUT` naming the option.
fn days(name: &str, value: i64) -> costledger::Result<TimeDelta> {
    TimeDelta::try_days(value)
        .ok_or_else(|| Error::invalid(format!("{name} is out of range, got {value} days")))
}

/// The sync options as the Python layer passes them; `None` keeps the core's default.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub(crate) struct SyncArgs {
    plan_id: Option<i64>,
    streams: Option<Vec<String>>,
    usage_width: String,
    initial_backfill_days: i64,
    usage_lookback_days: Option<i64>,
    cost_lookback_days: Option<i64>,
    claude_code_lookback_days: Option<i64>,
    backfill: Option<(DateTime<Utc>, DateTime<Utc>)>,
    concurrency: i64,
    lease_ttl: Option<f64>,
}

impl SyncArgs {
    fn into_core(self) -> costledger::Result<SyncOptions> {
        let mut options = SyncOptions::default()
            .usage_width(self.usage_width.parse()?)
            .initial_backfill(days("initial_backfill_days", self.initial_backfill_days)?);
        options.plan_id = self.plan_id;
        if let Some(streams) = self.streams {
            let streams: Vec<SyncStream> = streams
                .iter()
                .map(|s| s.parse())
                .collect::<costledger::Result<_>>()?;
            options = options.streams(&streams);
        }
        if let Some(d) = self.usage_lookback_days {
            options.usage_lookback = days("usage_lookback_days", d)?;
        }
        if let Some(d) = self.cost_lookback_days {
            options.cost_lookback = days("cost_lookback_days", d)?;
        }
        if let Some(d) = self.claude_code_lookback_days {
            options.claude_code_lookback = days("claude_code_lookback_days", d)?;
        }
        if let Some((from, to)) = self.backfill {
            options = options.backfill(from, to);
        }
        options.concurrency = usize::try_from(self.concurrency).map_err(|_| {
            Error::invalid(format!(
                "concurrency must be a positive number of plans, got {}",
                self.concurrency
            ))
        })?;
        if let Some(ttl) = seconds("lease_ttl", self.lease_ttl)? {
            options = options.lease_ttl(ttl);
        }
        Ok(options)
    }
}

/// A handle that stops a running sync gracefully (core `SyncCancel`).
#[pyclass(name = "SyncCancel", module = "costledger._native", frozen)]
pub struct PySyncCancel {
    inner: costledger::SyncCancel,
}

#[pymethods]
impl PySyncCancel {
    #[new]
    fn new() -> Self {
        PySyncCancel {
            inner: costledger::SyncCancel::new(),
        }
    }

    /// Ask the sync to stop after the page being written.
    fn cancel(&self) {
        self.inner.cancel();
    }

    /// True once cancelled.
    #[getter]
    fn cancelled(&self) -> bool {
        self.inner.is_cancelled()
    }
}

#[pymethods]
impl PyLedger {
    /// Sync every plan not disconnected, or the one named; one outcome per plan. `cancel`
    /// stops it gracefully (the blocking wait cancels it on Ctrl-C by itself).
    #[pyo3(signature = (options, cancel=None))]
    fn sync(&self, options: SyncArgs, cancel: Option<PyRef<'_, PySyncCancel>>) -> Pending {
        let ledger = self.inner.clone();
        let cancel = cancel.map_or_else(costledger::SyncCancel::new, |c| c.inner.clone());
        let handle = cancel.clone();
        Pending::report(async move { ledger.sync(options.into_core()?.cancel(handle)).await })
            .cancellable(cancel)
    }
}

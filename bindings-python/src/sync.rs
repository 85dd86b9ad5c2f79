//! Sync (core `sync/`): run a sync, cancellable (its history is `Ledger.call`'s).

use pyo3::prelude::*;

use crate::ledger::PyLedger;
use crate::pending::Pending;

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
    /// Sync every plan not disconnected, or the one named; one outcome per plan. `options`
    /// are named arguments as JSON (`costledger::sync_options`); `cancel` stops it gracefully
    /// (the blocking wait cancels it on Ctrl-C by itself).
    #[pyo3(signature = (options, cancel=None))]
    fn sync(&self, options: String, cancel: Option<PyRef<'_, PySyncCancel>>) -> Pending {
        let ledger = self.inner.clone();
        let cancel = cancel.map_or_else(costledger::SyncCancel::new, |c| c.inner.clone());
        let handle = cancel.clone();
        Pending::report(async move {
            let options = costledger::sync_options(&options)?.cancel(handle);
            ledger.sync(options).await
        })
        .cancellable(cancel)
    }
}

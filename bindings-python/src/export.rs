//! Exports (core `reports/export.rs`): a report crosses as a [`PyReport`] that keeps the
//! core's value, so `to_json()` / `to_csv()` are the core's own bytes, written on demand.

use std::sync::Arc;

use costledger::reports::export::{self, Export, ExportRecord};
use pyo3::prelude::*;
use serde::Serialize;

use crate::error;

/// A core report value: its data for the Python dataclasses, and its two exports.
pub(crate) trait Report: Send + Sync + 'static {
    /// Compact JSON of the value, which the Python layer turns into dataclasses.
    fn data(&self) -> costledger::Result<String>;
    /// The core's JSON export.
    fn to_json(&self) -> costledger::Result<String>;
    /// The core's CSV export.
    fn to_csv(&self) -> costledger::Result<String>;
}

fn compact<T: Serialize + ?Sized>(value: &T) -> costledger::Result<String> {
    serde_json::to_string(value)
        .map_err(|e| costledger::Error::internal(format!("cannot serialise a result: {e}")))
}

/// Every report the core exports itself (`Dashboard`, `UserCosts`, `Vec<BudgetStatus>`, …).
impl<T: Export + Serialize + Send + Sync + 'static> Report for T {
    fn data(&self) -> costledger::Result<String> {
        compact(self)
    }
    fn to_json(&self) -> costledger::Result<String> {
        Export::to_json(self)
    }
    fn to_csv(&self) -> costledger::Result<String> {
        Export::to_csv(self)
    }
}

/// One value of a type the core exports as a list (`Budget`, `BudgetStatus`): its JSON is the
/// value, its CSV the one-row list.
pub(crate) struct One<T>(pub(crate) T);

impl<T: ExportRecord + Send + Sync + 'static> Report for One<T> {
    fn data(&self) -> costledger::Result<String> {
        compact(&self.0)
    }
    fn to_json(&self) -> costledger::Result<String> {
        export::json(&self.0)
    }
    fn to_csv(&self) -> costledger::Result<String> {
        std::slice::from_ref(&self.0).to_csv()
    }
}

/// A list of a type without its own `Export` (the Claude Code log reports): the core's
/// generic JSON and flattened CSV (`export::json`, `export::flat_csv`).
pub(crate) struct Flat<T>(pub(crate) Vec<T>);

impl<T: Serialize + Send + Sync + 'static> Report for Flat<T> {
    fn data(&self) -> costledger::Result<String> {
        compact(&self.0)
    }
    fn to_json(&self) -> costledger::Result<String> {
        export::json(&self.0)
    }
    fn to_csv(&self) -> costledger::Result<String> {
        export::flat_csv(&self.0)
    }
}

/// A report returned to Python: its data as JSON text, and the core's value for exports.
#[pyclass(name = "Report", module = "costledger._native", frozen)]
pub struct PyReport {
    data: String,
    report: Arc<dyn Report>,
}

impl PyReport {
    /// Serialise the data now, on the runtime thread, so Python only parses it.
    pub(crate) fn new(report: impl Report) -> costledger::Result<PyReport> {
        Ok(PyReport {
            data: report.data()?,
            report: Arc::new(report),
        })
    }
}

#[pymethods]
impl PyReport {
    /// The report as compact JSON text, for the Python dataclasses.
    #[getter]
    fn data(&self) -> &str {
        &self.data
    }

    /// The core's JSON export (pretty-printed, money as exact decimal strings of dollars).
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        let report = self.report.clone();
        py.detach(move || report.to_json())
            .map_err(|e| error::to_py(py, e))
    }

    /// The core's CSV export (RFC 4180).
    fn to_csv(&self, py: Python<'_>) -> PyResult<String> {
        let report = self.report.clone();
        py.detach(move || report.to_csv())
            .map_err(|e| error::to_py(py, e))
    }

    fn __repr__(&self) -> String {
        format!("<costledger report, {} bytes of JSON>", self.data.len())
    }
}

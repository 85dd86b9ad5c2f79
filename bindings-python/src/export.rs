//! Reports (core `reports/export.rs`): a report crosses as a [`PyReport`] that keeps the
//! core's value, so `to_json()` / `to_csv()` are the core's own bytes, written on demand.

use std::sync::Arc;

use costledger::reports::export::Export;
use pyo3::prelude::*;

use crate::error;

/// A report returned to Python: its data as JSON text, and the core's value for exports.
#[pyclass(name = "Report", module = "costledger._native", frozen)]
pub struct PyReport {
    pub(crate) data: String,
    pub(crate) exports: Arc<dyn Export + Send + Sync>,
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
        let exports = self.exports.clone();
        py.detach(move || exports.to_json())
            .map_err(|e| error::to_py(py, e))
    }

    /// The core's CSV export (RFC 4180).
    fn to_csv(&self, py: Python<'_>) -> PyResult<String> {
        let exports = self.exports.clone();
        py.detach(move || exports.to_csv())
            .map_err(|e| error::to_py(py, e))
    }

    fn __repr__(&self) -> String {
        format!("<costledger report, {} bytes of JSON>", self.data.len())
    }
}

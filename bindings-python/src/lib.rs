//! `costledger._native`: the pyo3 side of the `costledger` Python package.
//!
//! Private: the typed package `costledger` (in `python/costledger/`) is the API. Its methods
//! reach the core through `Ledger.call` (the core's `Ledger::call`: a method by name, its
//! arguments as JSON), or, for what cannot cross as JSON (credentials, OAuth tokens, a
//! cancellable sync), a native method of their own. Each wraps one core call in a
//! [`pending::Pending`] (run blocking with `.wait()` or awaited) and hands results back as
//! JSON that the Python layer turns into dataclasses. Errors become the classes of
//! `costledger/exceptions.py`.

mod cipher;
mod config;
mod error;
mod export;
mod ledger;
mod oauth;
mod pending;
mod plans;
mod runtime;
mod sync;

use costledger::{
    Basis, BillingCycle, BucketWidth, BudgetPeriod, Error, PlanStatus, Provider, SubscriptionTier,
    SyncStatus, SyncStream,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// The string values of each enumeration the Python layer types as a `Literal`.
fn enum_values(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    fn names<T: Copy>(all: &[T], as_str: fn(T) -> &'static str) -> Vec<&'static str> {
        all.iter().map(|v| as_str(*v)).collect()
    }
    let values = PyDict::new(py);
    values.set_item("Provider", names(Provider::ALL, Provider::as_str))?;
    values.set_item("PlanStatus", names(PlanStatus::ALL, PlanStatus::as_str))?;
    values.set_item(
        "SubscriptionTier",
        names(SubscriptionTier::ALL, SubscriptionTier::as_str),
    )?;
    values.set_item(
        "BillingCycle",
        names(BillingCycle::ALL, BillingCycle::as_str),
    )?;
    values.set_item("BucketWidth", names(BucketWidth::ALL, BucketWidth::as_str))?;
    values.set_item("SyncStream", names(SyncStream::ALL, SyncStream::as_str))?;
    values.set_item("SyncStatus", names(SyncStatus::ALL, SyncStatus::as_str))?;
    values.set_item(
        "BudgetPeriod",
        names(BudgetPeriod::ALL, BudgetPeriod::as_str),
    )?;
    values.set_item("Basis", names(Basis::ALL, Basis::as_str))?;
    Ok(values)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<ledger::PyLedger>()?;
    m.add_class::<pending::Pending>()?;
    m.add_class::<export::PyReport>()?;
    m.add_class::<sync::PySyncCancel>()?;
    m.add_class::<oauth::PyOAuthClient>()?;
    m.add_class::<oauth::PyOAuthTokens>()?;
    m.add_function(wrap_pyfunction!(ledger::generate_master_key, m)?)?;
    let shutdown = wrap_pyfunction!(runtime::shutdown, m)?;
    m.add("_shutdown", &shutdown)?;
    m.py()
        .import("atexit")?
        .call_method1("register", (shutdown,))?;
    m.add("ERROR_CODES", Error::CODES.to_vec())?;
    m.add("FORKED_CODE", error::FORKED)?;
    m.add("ENUM_VALUES", enum_values(m.py())?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}

//! [`Pending`]: one call into the core, run either blocking (`wait()`) or awaited.
//!
//! Every method of the native `Ledger` (most are `Ledger.call`, the core's methods by name)
//! wraps ONE core call in a `Pending`, and returns it. The blocking `costledger.Ledger` calls `.wait()`; the asyncio
//! `costledger.AsyncLedger` awaits it. So each operation is written once in Rust.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;

use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use serde::Serialize;

use crate::error;
use crate::export::PyReport;
use crate::ledger::PyLedger;
use crate::oauth::PyOAuthTokens;
use crate::runtime::{self, Rt};

/// What a call returns to Python: JSON text of a core value, or a handle (a new ledger, a
/// report, OAuth tokens).
pub(crate) enum Reply {
    /// A core value serialised as JSON; the Python layer turns it into dataclasses.
    Json(String),
    /// A ledger, from `open`.
    Ledger(costledger::Ledger),
    /// A report that keeps the core's value for its exports.
    Report(PyReport),
    /// The tokens of a sign-in, as an opaque handle (never JSON: no token crosses).
    Tokens(Box<costledger::oauth::OAuthTokens>),
}

/// A core call's reply: a report when it has exports, else its JSON.
impl From<costledger::Reply> for Reply {
    fn from(reply: costledger::Reply) -> Self {
        match reply.exports() {
            Some(exports) => Reply::Report(PyReport {
                data: reply.into_data(),
                exports,
            }),
            None => Reply::Json(reply.into_data()),
        }
    }
}

impl<'py> IntoPyObject<'py> for Reply {
    type Target = PyAny;
    type Output = Bound<'py, PyAny>;
    type Error = PyErr;

    fn into_pyobject(self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        match self {
            Reply::Json(text) => Ok(text.into_pyobject(py)?.into_any()),
            Reply::Ledger(inner) => Ok(Bound::new(py, PyLedger { inner })?.into_any()),
            Reply::Report(report) => Ok(Bound::new(py, report)?.into_any()),
            Reply::Tokens(tokens) => {
                Ok(Bound::new(py, PyOAuthTokens { inner: *tokens })?.into_any())
            }
        }
    }
}

type Call = Pin<Box<dyn Future<Output = costledger::Result<Reply>> + Send>>;

/// A call into costledger that has not run yet. `wait()` runs it with the GIL released;
/// `await` runs it on the running asyncio loop. Either consumes it.
#[pyclass(module = "costledger._native", frozen)]
pub struct Pending {
    call: Mutex<Option<Call>>,
    /// Stops the call gracefully when the blocking wait is interrupted (a sync).
    cancel: Option<costledger::SyncCancel>,
}

impl Pending {
    /// A call whose result is returned as is.
    pub(crate) fn new<F>(fut: F) -> Self
    where
        F: Future<Output = costledger::Result<Reply>> + Send + 'static,
    {
        Pending {
            call: Mutex::new(Some(Box::pin(fut))),
            cancel: None,
        }
    }

    /// The same call, stopped gracefully through `cancel` when a blocking wait is
    /// interrupted (see `runtime::block_on`).
    pub(crate) fn cancellable(mut self, cancel: costledger::SyncCancel) -> Self {
        self.cancel = Some(cancel);
        self
    }

    /// A call whose result crosses as JSON.
    pub(crate) fn json<T, F>(fut: F) -> Self
    where
        T: Serialize,
        F: Future<Output = costledger::Result<T>> + Send + 'static,
    {
        Self::new(async move { to_json(&fut.await?) })
    }

    /// A call whose result crosses as a report with its exports.
    pub(crate) fn report<T, F>(fut: F) -> Self
    where
        T: costledger::reports::export::Export + Serialize + Send + Sync + 'static,
        F: Future<Output = costledger::Result<T>> + Send + 'static,
    {
        Self::new(async move { costledger::Reply::report(fut.await?).map(Reply::from) })
    }

    fn take(&self) -> PyResult<Call> {
        self.call
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
            .ok_or_else(|| PyRuntimeError::new_err("this costledger call was already run"))
    }
}

/// Serialise a core value for the Python layer.
pub(crate) fn to_json<T: Serialize>(value: &T) -> costledger::Result<Reply> {
    serde_json::to_string(value)
        .map(Reply::Json)
        .map_err(|e| costledger::Error::internal(format!("cannot serialise a result: {e}")))
}

#[pymethods]
impl Pending {
    /// Run the call to completion, releasing the GIL while it runs.
    fn wait<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let reply = runtime::block_on(py, self.take()?, self.cancel.as_ref())?;
        reply.map_err(|e| error::to_py(py, e))?.into_pyobject(py)
    }

    fn __await__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let call = self.take()?;
        runtime::handle()?;
        let future = pyo3_async_runtimes::generic::future_into_py::<Rt, _, _>(py, async move {
            let reply = call.await;
            Python::attach(|py| reply.map_err(|e| error::to_py(py, e)))
        })?;
        future.call_method0(pyo3::intern!(py, "__await__"))
    }
}

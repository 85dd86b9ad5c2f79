//! costledger errors as Python exceptions.
//!
//! The exception classes live in Python (`costledger/exceptions.py`), so they can carry `.code`,
//! derive from `LookupError` / `ValueError`, and pickle. Rust hands over the message, the
//! stable code and the text of the source chain; `exceptions._from_native` picks the class by
//! code and sets `__cause__`.

use pyo3::intern;
use pyo3::prelude::*;

/// The code of the error a forked child gets; Python-only, since only CPython forks with a
/// started runtime.
pub(crate) const FORKED: &str = "FORKED";

/// `err` as the matching `CostLedgerError` subclass.
pub(crate) fn to_py(py: Python<'_>, err: costledger::Error) -> PyErr {
    let cause = source_chain(&err);
    build(py, &err.to_string(), err.code(), cause.as_deref()).unwrap_or_else(|e| e)
}

/// The error of a call made in a process forked after costledger's runtime started.
pub(crate) fn forked() -> PyErr {
    let message = "costledger was used in this process's parent before it forked, and its \
                   runtime threads do not survive fork(): use the 'spawn' or 'forkserver' \
                   multiprocessing start method, or use costledger only in the child";
    Python::attach(|py| build(py, message, FORKED, None).unwrap_or_else(|e| e))
}

fn build(py: Python<'_>, message: &str, code: &str, cause: Option<&str>) -> PyResult<PyErr> {
    let exceptions = py.import(intern!(py, "costledger.exceptions"))?;
    let exc = exceptions.call_method1(intern!(py, "_from_native"), (message, code, cause))?;
    Ok(PyErr::from_value(exc))
}

/// The messages of the error's sources, outermost first, or `None` when it has none.
fn source_chain(err: &costledger::Error) -> Option<String> {
    let mut parts = Vec::new();
    let mut cause = std::error::Error::source(err);
    while let Some(c) = cause {
        parts.push(c.to_string());
        cause = c.source();
    }
    (!parts.is_empty()).then(|| parts.join(": "))
}

//! Errors across the boundary: `[CODE] message`, which the TypeScript facade turns into a
//! `CostLedgerError` with `.code` and `.cause`.
//!
//! napi cannot attach a custom `code` to the rejection of an async function (the future must
//! resolve to `napi::Error<Status>`), so the stable code travels in the message instead.

use std::any::Any;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures::FutureExt;
use napi::{Error, Status};

/// A core error as a JS error: `[PLAN_NOT_FOUND] plan 7 not found; …`, causes included.
pub(crate) fn to_napi(e: costledger::Error) -> Error {
    coded(e.code(), &e.full_message())
}

/// A JS error carrying `code` in the `[CODE] ` prefix the facade parses.
pub(crate) fn coded(code: &str, message: &str) -> Error {
    Error::new(Status::GenericFailure, format!("[{code}] {message}"))
}

/// An argument that could not be converted, as `INVALID_INPUT`.
pub(crate) fn invalid(message: impl Into<String>) -> costledger::Error {
    costledger::Error::invalid(message)
}

/// Await a core future, mapping its error, and turning a panic inside it into an `INTERNAL`
/// error instead of a rejected promise without a code (napi's own fallback) or a crash.
pub(crate) async fn run<T>(fut: impl Future<Output = costledger::Result<T>>) -> napi::Result<T> {
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(result) => result.map_err(to_napi),
        Err(panic) => Err(panic_error(panic)),
    }
}

/// [`run`], with the value as the core's JSON (its `Serialize`): the facade decodes it with
/// the functions `scripts/gen-bindings.py` writes from the core's schema.
pub(crate) async fn run_json<T: serde::Serialize>(
    fut: impl Future<Output = costledger::Result<T>>,
) -> napi::Result<String> {
    let value = run(fut).await?;
    serde_json::to_string(&value).map_err(|e| {
        coded(
            "INTERNAL",
            &format!("costledger could not write a result: {e}"),
        )
    })
}

/// A caught panic as an `INTERNAL` error naming what panicked.
pub(crate) fn panic_error(panic: Box<dyn Any + Send>) -> Error {
    let what = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    coded(
        "INTERNAL",
        &format!("costledger panicked: {what}; please report this bug"),
    )
}

/// Every code `CostLedgerError.code` can take, in the core's order (`Error::CODES`); the
/// facade's list is checked against it by the tests.
#[napi_derive::napi(catch_unwind)]
pub fn error_codes() -> Vec<String> {
    costledger::Error::CODES
        .iter()
        .map(|c| (*c).to_string())
        .collect()
}

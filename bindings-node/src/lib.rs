//! Node.js bindings of costledger, built with napi-rs and published to npm as `costledger`.
//!
//! Each file mirrors a part of the core and stays thin: convert the arguments, call one
//! `costledger::Ledger` method, map the error (`error.rs`), convert the result. Every export
//! is `catch_unwind` and every core future runs under `error::run`, so a panic becomes an
//! `INTERNAL` error instead of a crashed process. Async methods run on napi's tokio runtime,
//! never on the event loop.

// `ledger` comes first: napi-derive learns that `JsLedger` is `Ledger` in JS when it expands
// the struct, and names the `#[napi] impl JsLedger` blocks of the modules after it by that.
mod ledger;

mod cipher;
mod claude_code_logs;
mod error;
mod integers;
mod master_key;
mod model;
mod oauth;
mod org;
mod plans;
mod providers;
mod reports;
mod spend_limits;
mod subjects;
mod sync;

/// Panics on purpose inside an async export, caught by `error::run` (`inside_run`) or left
/// to napi's own fallback, so the test suite can prove that a panic rejects with an
/// `INTERNAL` error instead of crashing Node. Not part of the API.
#[napi_derive::napi(catch_unwind, skip_typescript, js_name = "__panicForTests")]
pub async fn panic_for_tests(inside_run: bool) -> napi::Result<()> {
    let reason = String::from("a deliberate panic for the tests");
    if !inside_run {
        panic!("{reason}");
    }
    error::run(async move {
        panic!("{reason}");
        #[allow(unreachable_code)]
        Ok(())
    })
    .await
}

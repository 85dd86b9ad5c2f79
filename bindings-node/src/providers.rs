//! The provider catalog on `Ledger`: every provider costledger supports and what it can do.

use napi_derive::napi;

use crate::error::run_json;
use crate::ledger::JsLedger;

#[napi]
impl JsLedger {
    /// Every provider costledger supports, with what each can do: credential kinds,
    /// streams, billed and per-key billed cost, per-user attribution, cost report lag, docs.
    #[napi(catch_unwind)]
    pub async fn providers(&self) -> napi::Result<String> {
        run_json(async { Ok(self.inner.providers()) }).await
    }
}

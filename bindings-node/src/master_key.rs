//! Master keys: generate one, and rotate the one a ledger seals with.

use costledger::MasterKey;
use napi_derive::napi;

use crate::error::{run, to_napi};
use crate::ledger::JsLedger;

/// A new random master key (32 bytes from the operating system, as base64), to store once in
/// the host's secret store and pass as `masterKey` (or `COSTLEDGER_MASTER_KEY`).
#[napi(catch_unwind)]
pub fn generate_master_key() -> napi::Result<String> {
    Ok(MasterKey::generate().to_base64().to_string())
}

#[napi]
impl JsLedger {
    /// Re-seal every stored credential under `newMasterKey` (base64, 32 bytes), in one
    /// transaction, and seal with it from now on. Resolves to how many credentials were
    /// re-sealed. Give the new key to every process before they restart; if any credential
    /// cannot be opened, nothing changes. Only for the built-in master key: a host cipher
    /// rotates its own keys (`INVALID_INPUT`).
    #[napi(catch_unwind)]
    pub async fn rotate_master_key(&self, new_master_key: String) -> napi::Result<i64> {
        let key = MasterKey::from_base64(&new_master_key).map_err(to_napi)?;
        let count = run(self.inner.rotate_master_key(key)).await?;
        Ok(count as i64)
    }
}

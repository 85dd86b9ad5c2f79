//! The provider catalog on `Ledger`: every provider costledger supports and what it can do.

use napi_derive::napi;

use crate::ledger::JsLedger;

/// What one provider can do.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ProviderInfo {
    /// The provider, as plans name it (`anthropic`, `openai`, `claude_code_logs`).
    #[napi(ts_type = "'anthropic' | 'openai' | 'claude_code_logs'")]
    pub provider: String,
    /// Its display name.
    pub name: String,
    /// The credential kinds a plan of it takes (`admin_key`, `oauth`); empty when it takes
    /// none. `addPlan` refuses any other.
    pub credential_kinds: Vec<String>,
    /// The sync streams a plan of it brings in.
    pub streams: Vec<String>,
    /// True when the provider reports what it bills (not only usage to estimate from).
    pub billed_cost: bool,
    /// True when the bill itself names the API key of each amount; otherwise per-key cost
    /// is the bill allocated in proportion to each key's tokens.
    pub per_key_billed_cost: bool,
    /// True when spend can be attributed to the organisation's users.
    pub per_user_attribution: bool,
    /// How many hours after a day ends its billed cost may still change; null without
    /// billed cost.
    pub cost_report_lag_hours: Option<i64>,
    /// Where costledger's documentation of the provider is.
    pub docs_url: String,
}

impl From<costledger::ProviderInfo> for ProviderInfo {
    fn from(p: costledger::ProviderInfo) -> Self {
        ProviderInfo {
            provider: p.provider.to_string(),
            name: p.name,
            credential_kinds: p.credential_kinds,
            streams: p.streams.iter().map(ToString::to_string).collect(),
            billed_cost: p.billed_cost,
            per_key_billed_cost: p.per_key_billed_cost,
            per_user_attribution: p.per_user_attribution,
            cost_report_lag_hours: p.cost_report_lag_hours,
            docs_url: p.docs_url,
        }
    }
}

#[napi]
impl JsLedger {
    /// Every provider costledger supports, with what each can do: credential kinds,
    /// streams, billed and per-key billed cost, per-user attribution, cost report lag, docs.
    #[napi(catch_unwind)]
    pub async fn providers(&self) -> napi::Result<Vec<ProviderInfo>> {
        Ok(self.inner.providers().into_iter().map(Into::into).collect())
    }
}

//! What a provider says about an organisation: who it is, its workspaces, API keys and
//! members (`Ledger.checkPlan`, `Ledger.planMetadata`).

use napi_derive::napi;

/// The organisation a credential answers for.
#[napi(object, object_from_js = false)]
pub struct OrgInfo {
    /// The provider's organisation id (a UUID for Anthropic).
    pub id: String,
    /// The organisation's name.
    pub name: String,
}

impl From<costledger::OrgInfo> for OrgInfo {
    fn from(o: costledger::OrgInfo) -> Self {
        OrgInfo {
            id: o.id,
            name: o.name,
        }
    }
}

//! The provider catalog: every provider costledger supports and what each can do.

use serde::{Deserialize, Serialize};

use super::{Provider, SyncStream};
use crate::error::{Error, Result};

/// What one provider can do, as [`crate::Ledger::providers`] lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ProviderInfo {
    /// The provider.
    pub provider: Provider,
    /// Its display name.
    pub name: String,
    /// The credential kinds a plan of it takes (`admin_key`, `oauth`); empty when it takes
    /// none. [`crate::Ledger::add_plan`] refuses any other.
    pub credential_kinds: Vec<String>,
    /// The sync streams a plan of it brings in.
    pub streams: Vec<SyncStream>,
    /// True when the provider reports what it bills (not only usage to estimate from).
    pub billed_cost: bool,
    /// True when the bill itself names the API key of each amount; otherwise per-key cost is
    /// the bill allocated in proportion to each key's tokens.
    pub per_key_billed_cost: bool,
    /// True when spend can be attributed to the organisation's users (through API key
    /// owners and the host's mappings).
    pub per_user_attribution: bool,
    /// How many hours after a day ends its billed cost may still be missing or change: the
    /// days the sync keeps re-reading (`None` without billed cost).
    pub cost_report_lag_hours: Option<i64>,
    /// Where costledger's documentation of the provider is.
    pub docs_url: String,
}

const DOCS: &str = "https://github.com/costledger/costledger/blob/main/docs";

/// The catalog entry of one provider.
pub fn provider_info(provider: Provider) -> ProviderInfo {
    let kinds = |k: &[&str]| k.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    match provider {
        Provider::Anthropic => ProviderInfo {
            provider,
            name: "Anthropic".into(),
            credential_kinds: kinds(&["admin_key", "oauth"]),
            streams: vec![
                SyncStream::Metadata,
                SyncStream::Usage,
                SyncStream::Cost,
                SyncStream::ClaudeCode,
                SyncStream::Analytics,
                SyncStream::SpendLimits,
            ],
            billed_cost: true,
            // The cost report has no key dimension: per-key cost is allocated.
            per_key_billed_cost: false,
            per_user_attribution: true,
            // Documented as minutes; observed up to a day. The sync re-reads 3 days.
            cost_report_lag_hours: Some(24),
            docs_url: format!("{DOCS}/anthropic-client.md"),
        },
        Provider::OpenAi => ProviderInfo {
            provider,
            name: "OpenAI".into(),
            credential_kinds: kinds(&["admin_key"]),
            streams: vec![SyncStream::Metadata, SyncStream::Usage, SyncStream::Cost],
            billed_cost: true,
            per_key_billed_cost: true,
            per_user_attribution: true,
            // Daily buckets, no documented freshness: a day is final the day after.
            cost_report_lag_hours: Some(24),
            docs_url: format!("{DOCS}/openai.md"),
        },
        Provider::ClaudeCodeLogs => ProviderInfo {
            provider,
            name: "Claude Code logs".into(),
            credential_kinds: Vec::new(),
            streams: vec![SyncStream::Usage],
            billed_cost: false,
            per_key_billed_cost: false,
            per_user_attribution: false,
            cost_report_lag_hours: None,
            docs_url: format!("{DOCS}/claude-code-logs.md"),
        },
    }
}

/// The FOCUS names of a provider's charges: (ProviderName = PublisherName =
/// InvoiceIssuerName, ServiceName).
pub(crate) fn focus_names(provider: Provider) -> (&'static str, &'static str) {
    match provider {
        Provider::Anthropic => ("Anthropic", "Claude API"),
        Provider::OpenAi => ("OpenAI", "OpenAI API"),
        Provider::ClaudeCodeLogs => ("Anthropic", "Claude Code"),
    }
}

/// Every provider's catalog entry, in [`Provider::ALL`] order.
pub fn catalog() -> Vec<ProviderInfo> {
    Provider::ALL.iter().map(|&p| provider_info(p)).collect()
}

/// Check that `kind` (`None`: no credential) is one the provider takes.
pub(crate) fn check_credential_kind(provider: Provider, kind: Option<&str>) -> Result<()> {
    let info = provider_info(provider);
    match kind {
        None if info.credential_kinds.is_empty() => Ok(()),
        None => {
            let oauth = info.credential_kinds.iter().any(|k| k == "oauth");
            Err(Error::invalid(format!(
                "an {provider} plan needs an admin key{}; see {}",
                if oauth { " or OAuth tokens" } else { "" },
                info.docs_url
            )))
        }
        Some(_) if info.credential_kinds.is_empty() => Err(Error::invalid(format!(
            "a {provider} plan takes no credential"
        ))),
        Some(kind) if info.credential_kinds.iter().any(|k| k == kind) => Ok(()),
        Some(kind) => Err(Error::invalid(format!(
            "an {provider} plan takes a credential of kind {}, not {kind}",
            info.credential_kinds.join(" or ")
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalog_lists_every_provider_once_in_order() {
        let all = catalog();
        let providers: Vec<Provider> = all.iter().map(|p| p.provider).collect();
        assert_eq!(providers, Provider::ALL.to_vec());
        let openai = provider_info(Provider::OpenAi);
        assert_eq!(openai.credential_kinds, vec!["admin_key".to_string()]);
        assert!(openai.per_key_billed_cost && openai.billed_cost);
        assert!(!openai.streams.contains(&SyncStream::ClaudeCode));
        let anthropic = provider_info(Provider::Anthropic);
        assert!(!anthropic.per_key_billed_cost);
        assert!(anthropic.streams.contains(&SyncStream::ClaudeCode));
        let logs = provider_info(Provider::ClaudeCodeLogs);
        assert!(logs.credential_kinds.is_empty() && !logs.billed_cost);
        assert_eq!(logs.cost_report_lag_hours, None);
        for p in &all {
            assert!(p.docs_url.ends_with(".md"), "{}", p.docs_url);
        }
    }

    #[test]
    fn credential_kinds_are_checked_against_the_catalog() {
        check_credential_kind(Provider::Anthropic, Some("oauth")).unwrap();
        check_credential_kind(Provider::OpenAi, Some("admin_key")).unwrap();
        check_credential_kind(Provider::ClaudeCodeLogs, None).unwrap();
        let e = check_credential_kind(Provider::OpenAi, Some("oauth")).unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT");
        assert_eq!(
            e.to_string(),
            "an openai plan takes a credential of kind admin_key, not oauth"
        );
        let none = check_credential_kind(Provider::OpenAi, None).unwrap_err();
        assert!(
            none.to_string()
                .starts_with("an openai plan needs an admin key; see ")
        );
        let none = check_credential_kind(Provider::Anthropic, None).unwrap_err();
        assert!(
            none.to_string()
                .contains("needs an admin key or OAuth tokens")
        );
        assert!(check_credential_kind(Provider::ClaudeCodeLogs, Some("admin_key")).is_err());
    }
}

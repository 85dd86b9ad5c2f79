//! The JSON of every endpoint used, and its conversion to costledger's model.
//!
//! Tolerant where the API grows (unknown fields ignored, dimension keys missing read as
//! null, open enumerations kept as strings) and strict where a silent default would
//! falsify a total (token counts and amounts must be present).

mod claude_code;
mod org;
mod reports;

use serde::{Deserialize, Deserializer};

pub(crate) use claude_code::CcRecord;
pub(crate) use org::{WireApiKey, WireOrg, WireUser, WireWorkspace};
pub(crate) use reports::{Bucket, CostItem, UsageItem};

/// `null` read as the type's default (an empty list, zero counts).
pub(super) fn null_as_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// The error envelope: `{"type":"error","error":{"type","message"},"request_id"}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorEnvelope {
    #[serde(default)]
    pub error: Option<ErrorDetail>,
    #[serde(default)]
    pub request_id: Option<String>,
}

/// `error` of the envelope.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ErrorDetail {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub message: Option<String>,
}

/// The envelope of the bucketed reports and the Claude Code report.
#[derive(Debug, Deserialize)]
pub(crate) struct Report<B> {
    pub data: Vec<B>,
    pub has_more: bool,
    #[serde(default)]
    pub next_page: Option<String>,
}

/// The envelope of the id-cursor lists (api keys, workspaces, users).
#[derive(Debug, Deserialize)]
pub(crate) struct ListPage<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub last_id: Option<String>,
    pub has_more: bool,
}

/// Checks that an amount is in US dollars (cents), the only currency the API reports.
pub(super) fn usd(currency: Option<&str>) -> Result<(), String> {
    match currency {
        None | Some("USD") | Some("usd") => Ok(()),
        Some(other) => Err(format!(
            "amount in currency {other:?}; costledger only reads USD amounts"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_envelopes_of_section_1_7() {
        let current: ErrorEnvelope = serde_json::from_str(
        r#"{"type":"error","error":{"type":"not_found_error","message":"The requested resource could not be found."},"request_id":"req_011CSHoEeqs5C35K2UUqR7Fy"}"#,
    )
    .unwrap();
        let detail = current.error.unwrap();
        assert_eq!(detail.kind.as_deref(), Some("not_found_error"));
        assert_eq!(
            detail.message.as_deref(),
            Some("The requested resource could not be found.")
        );
        assert_eq!(
            current.request_id.as_deref(),
            Some("req_011CSHoEeqs5C35K2UUqR7Fy")
        );
        // The older form has no request_id.
        let old: ErrorEnvelope = serde_json::from_str(
        r#"{"type":"error","error":{"type":"invalid_request_error","message":"Cannot specify more than 5 group_by[] dimensions."}}"#,
    )
    .unwrap();
        assert_eq!(old.request_id, None);
        assert_eq!(
            old.error.unwrap().message.as_deref(),
            Some("Cannot specify more than 5 group_by[] dimensions.")
        );
        let auth: ErrorEnvelope = serde_json::from_str(
        r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"},"request_id":"req_011CXw8h8A796q3f74Ezmhav"}"#,
    )
    .unwrap();
        assert_eq!(
            auth.error.unwrap().kind.as_deref(),
            Some("authentication_error")
        );
    }
}

//! The JSON of every endpoint used, and its conversion to costledger's model.
//!
//! Tolerant where the API grows (unknown fields ignored, dimension keys missing read as
//! null, open enumerations kept as strings) and strict where a silent default would
//! falsify a total (token counts and amounts must be present).

mod claude_code;
mod org;
mod reports;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};

pub(crate) use claude_code::CcRecord;
pub(crate) use org::{WireApiKey, WireOrg, WireUser, WireWorkspace};
pub(crate) use reports::{Bucket, CostItem, UsageItem};

/// A timestamp as the reports write it (`2026-11-01T00:00:00Z`) read without chrono's
/// general RFC 3339 parser, which a page of a thousand rows would run two thousand times;
/// any other RFC 3339 form (fractional seconds, an offset) goes through that parser.
pub(super) fn timestamp<'de, D>(d: D) -> Result<DateTime<Utc>, D::Error>
where
    D: Deserializer<'de>,
{
    struct Visitor;
    impl serde::de::Visitor<'_> for Visitor {
        type Value = DateTime<Utc>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an RFC 3339 timestamp")
        }
        fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<DateTime<Utc>, E> {
            utc_seconds(text)
                .or_else(|| DateTime::parse_from_rfc3339(text).ok().map(|t| t.to_utc()))
                .ok_or_else(|| E::custom(format!("{text:?} is not an RFC 3339 timestamp")))
        }
    }
    d.deserialize_str(Visitor)
}

/// `YYYY-MM-DDTHH:MM:SSZ` exactly, or `None`.
fn utc_seconds(text: &str) -> Option<DateTime<Utc>> {
    let b = text.as_bytes();
    if b.len() != 20
        || (b[4], b[7], b[10], b[13], b[16], b[19]) != (b'-', b'-', b'T', b':', b':', b'Z')
    {
        return None;
    }
    let number = |from: usize, to: usize| -> Option<u32> {
        b[from..to].iter().try_fold(0u32, |n, &c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    let date = NaiveDate::from_ymd_opt(number(0, 4)? as i32, number(5, 7)?, number(8, 10)?)?;
    let time = date.and_hms_opt(number(11, 13)?, number(14, 16)?, number(17, 19)?)?;
    Some(time.and_utc())
}

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
    fn timestamps_read_alike_on_both_paths() {
        #[derive(Deserialize)]
        struct At {
            #[serde(deserialize_with = "timestamp")]
            at: DateTime<Utc>,
        }
        let read =
            |text: &str| serde_json::from_str::<At>(&format!(r#"{{"at":"{text}"}}"#)).map(|a| a.at);
        for text in [
            "2026-11-01T00:00:00Z",
            "2024-02-29T23:59:59Z",
            "2026-11-01T01:00:00.000Z",
            "2026-11-01T02:00:00+01:00",
            "2026-11-01t00:00:00z",
        ] {
            let expected = DateTime::parse_from_rfc3339(text).unwrap().to_utc();
            assert_eq!(read(text).unwrap(), expected, "{text}");
        }
        for bad in [
            "2025-02-29T00:00:00Z",
            "2026-11-01T24:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-11-01T00:00:0xZ",
            "2026-11-01 00:00:00",
            "",
        ] {
            let e = read(bad).unwrap_err().to_string();
            assert!(e.contains("is not an RFC 3339 timestamp"), "{bad}: {e}");
        }
    }

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

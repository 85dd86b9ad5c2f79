//! The usage endpoints that count something other than tokens, and their results as
//! [`UnitRow`]s: images, speech, transcription, file search, code interpreter, storage.

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::model::{UnitRow, UsageUnit};

/// A converter from one result to a row (see `reports::decode`).
pub(super) type UnitConvert = fn(DateTime<Utc>, UnitResult) -> Result<UnitRow, String>;

/// Each endpoint, its `group_by` set (every dimension it has, so nothing is summed away)
/// and its converter.
pub(super) const UNIT_ENDPOINTS: &[(&str, &[&str], UnitConvert)] = &[
    (
        "/v1/organization/usage/images",
        &[
            "project_id",
            "user_id",
            "api_key_id",
            "model",
            "size",
            "source",
        ],
        images,
    ),
    (
        "/v1/organization/usage/audio_speeches",
        &["project_id", "user_id", "api_key_id", "model"],
        speech,
    ),
    (
        "/v1/organization/usage/audio_transcriptions",
        &["project_id", "user_id", "api_key_id", "model"],
        transcription,
    ),
    (
        "/v1/organization/usage/file_search_calls",
        &["project_id", "user_id", "api_key_id", "vector_store_id"],
        file_search,
    ),
    (
        "/v1/organization/usage/code_interpreter_sessions",
        &["project_id"],
        code_interpreter,
    ),
    (
        "/v1/organization/usage/vector_stores",
        &["project_id"],
        storage,
    ),
];

/// A result of any of those endpoints: the dimensions it may carry and the counter each
/// endpoint names differently. Unknown fields are ignored; the endpoint's own counter must be
/// there.
#[derive(Debug, Default, Deserialize)]
pub(super) struct UnitResult {
    #[serde(default)]
    project_id: Option<String>,
    #[serde(default)]
    user_id: Option<String>,
    #[serde(default)]
    api_key_id: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    size: Option<String>,
    #[serde(default)]
    source: Option<String>,
    #[serde(default)]
    vector_store_id: Option<String>,
    #[serde(default)]
    num_model_requests: Option<i64>,
    #[serde(default)]
    images: Option<i64>,
    #[serde(default)]
    characters: Option<i64>,
    #[serde(default)]
    seconds: Option<i64>,
    #[serde(default)]
    num_requests: Option<i64>,
    #[serde(default)]
    num_sessions: Option<i64>,
    #[serde(default)]
    usage_bytes: Option<i64>,
}

fn count(value: Option<i64>, field: &str) -> Result<u64, String> {
    let v = value.ok_or_else(|| format!("a usage result has no {field}"))?;
    u64::try_from(v).map_err(|_| format!("a usage result has negative {field} ({v})"))
}

impl UnitResult {
    fn row(
        self,
        start: DateTime<Utc>,
        unit: UsageUnit,
        quantity: (Option<i64>, &str),
        variant: Option<String>,
    ) -> Result<UnitRow, String> {
        let quantity = count(quantity.0, quantity.1)?;
        let requests = match self.num_model_requests {
            None => 0,
            some => count(some, "num_model_requests")?,
        };
        Ok(UnitRow {
            bucket_start: start,
            workspace_id: self.project_id,
            api_key_id: self.api_key_id,
            actor_id: self.user_id,
            model: self.model,
            unit,
            variant,
            requests,
            quantity,
        })
    }
}

fn images(start: DateTime<Utc>, r: UnitResult) -> Result<UnitRow, String> {
    let variant = match (&r.size, &r.source) {
        (None, None) => None,
        (size, source) => Some(format!(
            "{}/{}",
            size.as_deref().unwrap_or(""),
            source.as_deref().unwrap_or("")
        )),
    };
    let n = r.images;
    r.row(start, UsageUnit::Images, (n, "images"), variant)
}

fn speech(start: DateTime<Utc>, r: UnitResult) -> Result<UnitRow, String> {
    let n = r.characters;
    r.row(start, UsageUnit::SpeechCharacters, (n, "characters"), None)
}

fn transcription(start: DateTime<Utc>, r: UnitResult) -> Result<UnitRow, String> {
    let n = r.seconds;
    r.row(start, UsageUnit::TranscriptionSeconds, (n, "seconds"), None)
}

fn file_search(start: DateTime<Utc>, mut r: UnitResult) -> Result<UnitRow, String> {
    let (n, store) = (r.num_requests, r.vector_store_id.take());
    r.row(
        start,
        UsageUnit::FileSearchCalls,
        (n, "num_requests"),
        store,
    )
}

fn code_interpreter(start: DateTime<Utc>, r: UnitResult) -> Result<UnitRow, String> {
    let n = r.num_sessions;
    let unit = UsageUnit::CodeInterpreterSessions;
    r.row(start, unit, (n, "num_sessions"), None)
}

fn storage(start: DateTime<Utc>, r: UnitResult) -> Result<UnitRow, String> {
    let n = r.usage_bytes;
    r.row(start, UsageUnit::StorageBytes, (n, "usage_bytes"), None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> UnitResult {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn each_endpoint_reads_its_own_counter() {
        let t = DateTime::from_timestamp(3_600, 0).unwrap();
        let img = images(
            t,
            parse(
                r#"{"object":"organization.usage.images.result","images":3,"num_model_requests":2,
                "size":"1024x1024","source":"image.generation","project_id":"proj_a",
                "user_id":"user-x","api_key_id":null,"model":"dall-e-3"}"#,
            ),
        )
        .unwrap();
        assert_eq!((img.quantity, img.requests), (3, 2));
        assert_eq!(img.variant.as_deref(), Some("1024x1024/image.generation"));
        assert_eq!(img.actor_id.as_deref(), Some("user-x"));
        assert_eq!(img.api_key_id, None);
        let bytes = storage(t, parse(r#"{"usage_bytes":16777216,"project_id":"p"}"#)).unwrap();
        assert_eq!(
            (bytes.unit, bytes.quantity),
            (UsageUnit::StorageBytes, 1 << 24)
        );
        let files = file_search(
            t,
            parse(r#"{"num_requests":4,"vector_store_id":"vs_1","project_id":"p"}"#),
        )
        .unwrap();
        assert_eq!(files.variant.as_deref(), Some("vs_1"));
        // A missing or negative counter is an error, never a zero.
        assert!(speech(t, parse(r#"{"seconds":4}"#)).is_err());
        assert!(transcription(t, parse(r#"{"seconds":-1}"#)).is_err());
        assert!(
            code_interpreter(t, parse(r#"{"num_sessions":1,"num_model_requests":-2}"#)).is_err()
        );
    }
}

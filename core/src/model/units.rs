//! Usage that is not tokens: generated images, speech characters, transcribed seconds, file
//! search calls, code interpreter sessions and vector storage (OpenAI's usage endpoints other
//! than completions, embeddings, moderations and web search).

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::Error;

/// What a [`UnitRow`] counts.
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum UsageUnit {
    /// Generated or edited images (`usage/images`); the variant is `size/source`.
    Images,
    /// Characters turned into speech (`usage/audio_speeches`).
    SpeechCharacters,
    /// Seconds of audio transcribed (`usage/audio_transcriptions`).
    TranscriptionSeconds,
    /// File search tool calls (`usage/file_search_calls`); the variant is the vector store.
    FileSearchCalls,
    /// Code interpreter sessions (`usage/code_interpreter_sessions`).
    CodeInterpreterSessions,
    /// Bytes held in vector stores (`usage/vector_stores`): a level, not a count. Each bucket
    /// says how much was stored during it, so a day's figure is the level averaged over the
    /// day's buckets, and its price is per byte-day.
    StorageBytes,
}

impl UsageUnit {
    /// Every unit, in a fixed order.
    pub const ALL: [UsageUnit; 6] = [
        UsageUnit::Images,
        UsageUnit::SpeechCharacters,
        UsageUnit::TranscriptionSeconds,
        UsageUnit::FileSearchCalls,
        UsageUnit::CodeInterpreterSessions,
        UsageUnit::StorageBytes,
    ];

    /// The stored and serialised name: `images`, `speech_characters`,
    /// `transcription_seconds`, `file_search_calls`, `code_interpreter_sessions`,
    /// `storage_bytes`.
    pub fn as_str(self) -> &'static str {
        match self {
            UsageUnit::Images => "images",
            UsageUnit::SpeechCharacters => "speech_characters",
            UsageUnit::TranscriptionSeconds => "transcription_seconds",
            UsageUnit::FileSearchCalls => "file_search_calls",
            UsageUnit::CodeInterpreterSessions => "code_interpreter_sessions",
            UsageUnit::StorageBytes => "storage_bytes",
        }
    }

    /// True for a level (storage) rather than a count summed over buckets.
    pub fn is_level(self) -> bool {
        self == UsageUnit::StorageBytes
    }
}

impl fmt::Display for UsageUnit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for UsageUnit {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        UsageUnit::ALL
            .into_iter()
            .find(|u| u.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = UsageUnit::ALL.iter().map(|u| u.as_str()).collect();
                Error::invalid(format!(
                    "unknown usage unit {s:?}; expected one of {}",
                    names.join(", ")
                ))
            })
    }
}

/// One bucket of non-token usage for one combination of dimensions. A dimension the provider
/// does not have for this unit, or leaves null, is `None`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitRow {
    /// Start of the bucket (UTC).
    pub bucket_start: DateTime<Utc>,
    /// The workspace (an OpenAI project); `None` for usage no project owns.
    pub workspace_id: Option<String>,
    /// The API key; `None` for Playground use and for units not reported per key.
    pub api_key_id: Option<String>,
    /// The org member who made the requests, when the provider says.
    pub actor_id: Option<String>,
    /// The model, for units reported per model.
    pub model: Option<String>,
    /// What is counted.
    pub unit: UsageUnit,
    /// What else sets the price or names the thing: `1024x1024/image.generation` for
    /// images, the vector store id for file search calls; `None` otherwise.
    pub variant: Option<String>,
    /// Model requests behind it (0 where the provider reports none).
    pub requests: u64,
    /// The count of `unit` in the bucket (for storage: the bytes stored during it).
    pub quantity: u64,
}

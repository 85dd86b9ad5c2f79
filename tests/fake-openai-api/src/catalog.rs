//! The enumerations the API speaks: the usage endpoints and their dimensions, models,
//! service tiers, image sizes and sources, web search context levels, token categories.

/// A usage endpoint, `GET /v1/organization/usage/<path>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Endpoint {
    /// `completions`
    Completions,
    /// `embeddings`
    Embeddings,
    /// `moderations`
    Moderations,
    /// `images`
    Images,
    /// `audio_speeches`
    AudioSpeeches,
    /// `audio_transcriptions`
    AudioTranscriptions,
    /// `web_search_calls`
    WebSearchCalls,
    /// `file_search_calls`
    FileSearchCalls,
    /// `code_interpreter_sessions`
    CodeInterpreterSessions,
    /// `vector_stores`
    VectorStores,
}

/// A dimension a usage result can be grouped and filtered by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dim {
    /// `project_id`
    Project,
    /// `user_id`
    User,
    /// `api_key_id`
    ApiKey,
    /// `model`
    Model,
    /// `batch`
    Batch,
    /// `service_tier`
    ServiceTier,
    /// `size` (images)
    Size,
    /// `source` (images)
    Source,
    /// `context_level` (web search)
    ContextLevel,
    /// `vector_store_id` (file search)
    VectorStore,
}

impl Dim {
    /// The `group_by` value and the result field.
    pub fn field(self) -> &'static str {
        match self {
            Dim::Project => "project_id",
            Dim::User => "user_id",
            Dim::ApiKey => "api_key_id",
            Dim::Model => "model",
            Dim::Batch => "batch",
            Dim::ServiceTier => "service_tier",
            Dim::Size => "size",
            Dim::Source => "source",
            Dim::ContextLevel => "context_level",
            Dim::VectorStore => "vector_store_id",
        }
    }
}

const PUK: [Dim; 3] = [Dim::Project, Dim::User, Dim::ApiKey];

impl Endpoint {
    /// Every usage endpoint, in the order the spec lists their result schemas.
    pub const ALL: [Endpoint; 10] = [
        Endpoint::Completions,
        Endpoint::Embeddings,
        Endpoint::Moderations,
        Endpoint::Images,
        Endpoint::AudioSpeeches,
        Endpoint::AudioTranscriptions,
        Endpoint::WebSearchCalls,
        Endpoint::FileSearchCalls,
        Endpoint::CodeInterpreterSessions,
        Endpoint::VectorStores,
    ];

    /// The last path segment.
    pub fn path(self) -> &'static str {
        match self {
            Endpoint::Completions => "completions",
            Endpoint::Embeddings => "embeddings",
            Endpoint::Moderations => "moderations",
            Endpoint::Images => "images",
            Endpoint::AudioSpeeches => "audio_speeches",
            Endpoint::AudioTranscriptions => "audio_transcriptions",
            Endpoint::WebSearchCalls => "web_search_calls",
            Endpoint::FileSearchCalls => "file_search_calls",
            Endpoint::CodeInterpreterSessions => "code_interpreter_sessions",
            Endpoint::VectorStores => "vector_stores",
        }
    }

    /// The endpoint with this path segment.
    pub fn from_path(path: &str) -> Option<Endpoint> {
        Endpoint::ALL.into_iter().find(|e| e.path() == path)
    }

    /// The `object` string of its results. Web and file search results use the
    /// spec's `web_searches` / `file_searches` spelling, not the path's.
    pub fn object(self) -> &'static str {
        match self {
            Endpoint::Completions => "organization.usage.completions.result",
            Endpoint::Embeddings => "organization.usage.embeddings.result",
            Endpoint::Moderations => "organization.usage.moderations.result",
            Endpoint::Images => "organization.usage.images.result",
            Endpoint::AudioSpeeches => "organization.usage.audio_speeches.result",
            Endpoint::AudioTranscriptions => "organization.usage.audio_transcriptions.result",
            Endpoint::WebSearchCalls => "organization.usage.web_searches.result",
            Endpoint::FileSearchCalls => "organization.usage.file_searches.result",
            Endpoint::CodeInterpreterSessions => {
                "organization.usage.code_interpreter_sessions.result"
            }
            Endpoint::VectorStores => "organization.usage.vector_stores.result",
        }
    }

    /// The `group_by` values it accepts, in the spec's order. They are also the
    /// dimension fields every result carries (null unless grouped).
    pub fn dims(self) -> &'static [Dim] {
        const COMPLETIONS: [Dim; 6] = [
            Dim::Project,
            Dim::User,
            Dim::ApiKey,
            Dim::Model,
            Dim::Batch,
            Dim::ServiceTier,
        ];
        const MODEL: [Dim; 4] = [PUK[0], PUK[1], PUK[2], Dim::Model];
        const IMAGES: [Dim; 6] = [PUK[0], PUK[1], PUK[2], Dim::Model, Dim::Size, Dim::Source];
        const WEB: [Dim; 5] = [PUK[0], PUK[1], PUK[2], Dim::Model, Dim::ContextLevel];
        const FILE: [Dim; 4] = [PUK[0], PUK[1], PUK[2], Dim::VectorStore];
        match self {
            Endpoint::Completions => &COMPLETIONS,
            Endpoint::Embeddings
            | Endpoint::Moderations
            | Endpoint::AudioSpeeches
            | Endpoint::AudioTranscriptions => &MODEL,
            Endpoint::Images => &IMAGES,
            Endpoint::WebSearchCalls => &WEB,
            Endpoint::FileSearchCalls => &FILE,
            Endpoint::CodeInterpreterSessions | Endpoint::VectorStores => &[Dim::Project],
        }
    }

    /// The query parameters it accepts besides the common ones (`start_time`,
    /// `end_time`, `bucket_width`, `group_by`, `limit`, `page`).
    pub fn filters(self) -> &'static [&'static str] {
        match self {
            Endpoint::Completions => &["project_ids", "user_ids", "api_key_ids", "models", "batch"],
            Endpoint::Embeddings
            | Endpoint::Moderations
            | Endpoint::AudioSpeeches
            | Endpoint::AudioTranscriptions => {
                &["project_ids", "user_ids", "api_key_ids", "models"]
            }
            Endpoint::Images => &[
                "sources",
                "sizes",
                "project_ids",
                "user_ids",
                "api_key_ids",
                "models",
            ],
            Endpoint::WebSearchCalls => &[
                "project_ids",
                "user_ids",
                "api_key_ids",
                "models",
                "context_levels",
            ],
            Endpoint::FileSearchCalls => {
                &["project_ids", "user_ids", "api_key_ids", "vector_store_ids"]
            }
            Endpoint::CodeInterpreterSessions | Endpoint::VectorStores => &["project_ids"],
        }
    }

    /// The models the fake generates for it, indexed by `Event::model`.
    pub fn models(self) -> &'static [&'static str] {
        match self {
            Endpoint::Completions => &COMPLETION_MODEL_IDS,
            Endpoint::Embeddings => &["text-embedding-3-small", "text-embedding-3-large"],
            Endpoint::Moderations => &["omni-moderation-2024-09-26", "text-moderation-007"],
            Endpoint::Images => &["dall-e-3", "dall-e-2"],
            Endpoint::AudioSpeeches => &["tts-1", "tts-1-hd"],
            Endpoint::AudioTranscriptions => &["whisper-1"],
            Endpoint::WebSearchCalls => &["gpt-4o-2024-08-06", "gpt-4.1-2025-04-14"],
            _ => &[],
        }
    }
}

/// What a completions model can produce and consume.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modality {
    /// Text in and out.
    Text,
    /// Text in and out, plus image input (billed as text input).
    TextImageIn,
    /// Text and audio in and out (realtime).
    Audio,
    /// Text and image in, image out (image generation).
    Image,
}

/// A completions model the fake generates usage for.
#[derive(Clone, Copy, Debug)]
pub struct CompletionModel {
    /// Model id as usage reports it.
    pub id: &'static str,
    /// Relative share of completions events.
    pub weight: u64,
    /// What it consumes and produces.
    pub modality: Modality,
    /// Whether it writes prompt cache (`input_cache_write_tokens`).
    pub cache_writes: bool,
    /// Whether it runs in the Batch API (every one of its rates is even, so half is exact).
    pub batch: bool,
    /// Whether the `flex` tier is generated for it.
    pub flex: bool,
    /// Whether the `priority` tier is generated for it.
    pub priority: bool,
}

const fn text(id: &'static str, weight: u64, cache_writes: bool, batch: bool) -> CompletionModel {
    CompletionModel {
        id,
        weight,
        modality: Modality::Text,
        cache_writes,
        batch,
        flex: false,
        priority: true,
    }
}

/// The generated completions models, indexed by `Event::model`.
pub const COMPLETION_MODELS: [CompletionModel; 8] = [
    CompletionModel {
        modality: Modality::TextImageIn,
        ..text("gpt-4o-2024-08-06", 24, false, true)
    },
    text("gpt-4o-mini-2024-07-18", 20, false, false),
    text("gpt-4.1-2025-04-14", 14, true, true),
    text("gpt-4.1-mini-2025-04-14", 12, false, true),
    CompletionModel {
        flex: true,
        ..text("o3-2025-04-16", 10, true, true)
    },
    text("gpt-5-2025-08-07", 12, false, false),
    CompletionModel {
        modality: Modality::Audio,
        priority: false,
        ..text("gpt-4o-realtime-preview-2025-06-03", 4, false, false)
    },
    CompletionModel {
        modality: Modality::Image,
        priority: false,
        ..text("gpt-image-1", 4, false, false)
    },
];

const COMPLETION_MODEL_IDS: [&str; 8] = [
    COMPLETION_MODELS[0].id,
    COMPLETION_MODELS[1].id,
    COMPLETION_MODELS[2].id,
    COMPLETION_MODELS[3].id,
    COMPLETION_MODELS[4].id,
    COMPLETION_MODELS[5].id,
    COMPLETION_MODELS[6].id,
    COMPLETION_MODELS[7].id,
];

/// Service tiers of completions usage, indexed by `Event::tier`.
pub const SERVICE_TIERS: [&str; 3] = ["default", "priority", "flex"];
/// `default`
pub const TIER_DEFAULT: u8 = 0;
/// `priority`
pub const TIER_PRIORITY: u8 = 1;
/// `flex`
pub const TIER_FLEX: u8 = 2;

/// Image sizes (the spec's `sizes` enum), indexed by `Event::size`.
pub const SIZES: [&str; 5] = ["256x256", "512x512", "1024x1024", "1792x1792", "1024x1792"];
/// Image sources (the spec's `sources` enum), indexed by `Event::source`.
pub const SOURCES: [&str; 3] = ["image.generation", "image.edit", "image.variation"];
/// Web search context levels (the spec's `context_levels` enum).
pub const CONTEXT_LEVELS: [&str; 3] = ["low", "medium", "high"];

/// The ten token counters of a completions event, in `Event::counts` order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Tok {
    /// Uncached text input (`input_text_tokens`).
    InText,
    /// Uncached audio input (`input_audio_tokens`).
    InAudio,
    /// Uncached image input (`input_image_tokens`).
    InImage,
    /// Cached text input (`input_cached_text_tokens`).
    CachedText,
    /// Cached audio input (`input_cached_audio_tokens`).
    CachedAudio,
    /// Cached image input (`input_cached_image_tokens`).
    CachedImage,
    /// Input written to the prompt cache (`input_cache_write_tokens`).
    CacheWrite,
    /// Text output (`output_text_tokens`).
    OutText,
    /// Audio output (`output_audio_tokens`).
    OutAudio,
    /// Image output (`output_image_tokens`).
    OutImage,
}

impl Tok {
    /// All ten, in `Event::counts` order.
    pub const ALL: [Tok; 10] = [
        Tok::InText,
        Tok::InAudio,
        Tok::InImage,
        Tok::CachedText,
        Tok::CachedAudio,
        Tok::CachedImage,
        Tok::CacheWrite,
        Tok::OutText,
        Tok::OutAudio,
        Tok::OutImage,
    ];
}

/// Position of `value` in `list`, if it is one of its strings.
pub fn index_of(list: &[&str], value: &str) -> Option<u8> {
    list.iter().position(|v| *v == value).map(|i| i as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip_and_dims_are_the_specs() {
        for e in Endpoint::ALL {
            assert_eq!(Endpoint::from_path(e.path()), Some(e));
            assert_eq!(e.dims()[0], Dim::Project);
        }
        assert_eq!(Endpoint::Completions.dims().len(), 6);
        assert_eq!(
            Endpoint::WebSearchCalls.object(),
            "organization.usage.web_searches.result"
        );
        assert_eq!(COMPLETION_MODEL_IDS[7], "gpt-image-1");
    }
}

//! The result objects of the usage endpoints, field for field as the spec's examples
//! list them. Dimensions not grouped by are `null`.

use crate::aggregate::{NOT_GROUPED, Sums};
use crate::catalog::{CONTEXT_LEVELS, Endpoint, SERVICE_TIERS, SIZES, SOURCES, Tok};
use crate::data::Org;
use crate::json::Obj;

/// Dimension values of one result, in `aggregate::DIMS` order.
pub struct Dims<'a> {
    /// The org whose ids the indices refer to.
    pub org: &'a Org,
    /// Packed values ([`NOT_GROUPED`] where not grouped).
    pub values: [u8; 10],
    /// The endpoint (for model names).
    pub endpoint: Endpoint,
}

impl Dims<'_> {
    fn grouped(&self, i: usize) -> Option<u8> {
        (self.values[i] != NOT_GROUPED).then_some(self.values[i])
    }

    /// Index-plus-one dimensions (project, user, key, vector store): 0 is null.
    fn id(&self, i: usize, ids: impl Fn(usize) -> String) -> Option<String> {
        self.grouped(i)
            .filter(|&v| v > 0)
            .map(|v| ids(v as usize - 1))
    }

    fn project(&self) -> Option<String> {
        self.id(0, |i| self.org.projects[i].id.clone())
    }
    fn user(&self) -> Option<String> {
        self.id(1, |i| self.org.users[i].id.clone())
    }
    fn key(&self) -> Option<String> {
        self.id(2, |i| self.org.api_keys[i].id.clone())
    }
    fn model(&self) -> Option<&'static str> {
        self.grouped(3).map(|m| self.endpoint.models()[m as usize])
    }
    fn batch(&self) -> Option<bool> {
        self.grouped(4).map(|b| b == 1)
    }
    fn tier(&self) -> Option<&'static str> {
        self.grouped(5).map(|t| SERVICE_TIERS[t as usize])
    }
    fn size(&self) -> Option<&'static str> {
        self.grouped(6).map(|s| SIZES[s as usize])
    }
    fn source(&self) -> Option<&'static str> {
        self.grouped(7).map(|s| SOURCES[s as usize])
    }
    fn level(&self) -> Option<&'static str> {
        self.grouped(8).map(|l| CONTEXT_LEVELS[l as usize])
    }
    fn store(&self) -> Option<String> {
        self.id(9, |i| self.org.vector_stores[i].id.clone())
    }

    fn who(&self, o: Obj) -> Obj {
        o.str("project_id", self.project().as_deref())
            .str("user_id", self.user().as_deref())
            .str("api_key_id", self.key().as_deref())
    }
}

/// The completions token fields, derived from the ten counters: `input_tokens` includes
/// cached and cache-write tokens; `input_uncached_tokens` excludes both.
pub fn completion_fields(c: &[u64; 10]) -> [(&'static str, u64); 14] {
    let t = |tok: Tok| c[tok as usize];
    let uncached = t(Tok::InText) + t(Tok::InAudio) + t(Tok::InImage);
    let cached = t(Tok::CachedText) + t(Tok::CachedAudio) + t(Tok::CachedImage);
    let write = t(Tok::CacheWrite);
    [
        ("input_tokens", uncached + cached + write),
        ("input_cached_tokens", cached),
        ("input_cache_write_tokens", write),
        ("input_uncached_tokens", uncached),
        (
            "output_tokens",
            t(Tok::OutText) + t(Tok::OutAudio) + t(Tok::OutImage),
        ),
        ("input_text_tokens", t(Tok::InText)),
        ("output_text_tokens", t(Tok::OutText)),
        ("input_cached_text_tokens", t(Tok::CachedText)),
        ("input_audio_tokens", t(Tok::InAudio)),
        ("input_cached_audio_tokens", t(Tok::CachedAudio)),
        ("output_audio_tokens", t(Tok::OutAudio)),
        ("input_image_tokens", t(Tok::InImage)),
        ("input_cached_image_tokens", t(Tok::CachedImage)),
        ("output_image_tokens", t(Tok::OutImage)),
    ]
}

/// The name of an endpoint's main counter (`counts[0]`), if it has one.
pub fn quantity_field(endpoint: Endpoint) -> &'static str {
    match endpoint {
        Endpoint::Completions | Endpoint::Embeddings | Endpoint::Moderations => "input_tokens",
        Endpoint::Images => "images",
        Endpoint::AudioSpeeches => "characters",
        Endpoint::AudioTranscriptions => "seconds",
        Endpoint::WebSearchCalls | Endpoint::FileSearchCalls => "num_requests",
        Endpoint::CodeInterpreterSessions => "num_sessions",
        Endpoint::VectorStores => "usage_bytes",
    }
}

/// One result object of an event endpoint (every endpoint but `vector_stores`).
pub fn row(d: &Dims, s: &Sums) -> String {
    let o = Obj::new().str("object", Some(d.endpoint.object()));
    let q = s.counts[0];
    match d.endpoint {
        Endpoint::Completions => {
            let mut o = o;
            for (field, v) in completion_fields(&s.counts) {
                o = o.num(field, v);
            }
            d.who(o.num("num_model_requests", s.requests))
                .str("model", d.model())
                .bool("batch", d.batch())
                .str("service_tier", d.tier())
                .done()
        }
        Endpoint::Embeddings
        | Endpoint::Moderations
        | Endpoint::AudioSpeeches
        | Endpoint::AudioTranscriptions => {
            let o = o
                .num(quantity_field(d.endpoint), q)
                .num("num_model_requests", s.requests);
            d.who(o).str("model", d.model()).done()
        }
        Endpoint::Images => {
            let o = o
                .num("images", q)
                .num("num_model_requests", s.requests)
                .str("size", d.size())
                .str("source", d.source());
            d.who(o).str("model", d.model()).done()
        }
        Endpoint::WebSearchCalls => {
            let o = o
                .num("num_model_requests", s.requests)
                .num("num_requests", q);
            d.who(o)
                .str("model", d.model())
                .str("context_level", d.level())
                .done()
        }
        Endpoint::FileSearchCalls => d
            .who(o.num("num_requests", q))
            .str("vector_store_id", d.store().as_deref())
            .done(),
        Endpoint::CodeInterpreterSessions => o
            .num("num_sessions", q)
            .str("project_id", d.project().as_deref())
            .done(),
        Endpoint::VectorStores => o
            .num("usage_bytes", q)
            .str("project_id", d.project().as_deref())
            .done(),
    }
}

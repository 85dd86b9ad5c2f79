//! The rows of the ground truth.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::aggregate::{DIMS, NOT_GROUPED, Sums};
use crate::catalog::{CONTEXT_LEVELS, Dim, Endpoint, SERVICE_TIERS, SIZES, SOURCES};
use crate::data::Org;
use crate::usage_rows::{completion_fields, quantity_field};

/// Completions token counts. `input_tokens` includes cached and cache-write tokens.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenTotals {
    /// All input tokens: uncached + cached + cache writes.
    pub input_tokens: u64,
    /// Cached input tokens (part of `input_tokens`).
    pub input_cached_tokens: u64,
    /// Input tokens written to the cache (part of `input_tokens`).
    pub input_cache_write_tokens: u64,
    /// Input tokens neither cached nor written to the cache.
    pub input_uncached_tokens: u64,
    /// Output tokens.
    pub output_tokens: u64,
    /// Requests.
    pub num_model_requests: u64,
}

impl TokenTotals {
    /// Adds another total.
    pub fn add(&mut self, o: &TokenTotals) {
        self.input_tokens += o.input_tokens;
        self.input_cached_tokens += o.input_cached_tokens;
        self.input_cache_write_tokens += o.input_cache_write_tokens;
        self.input_uncached_tokens += o.input_uncached_tokens;
        self.output_tokens += o.output_tokens;
        self.num_model_requests += o.num_model_requests;
    }

    /// Adds a completions usage row.
    pub fn add_row(&mut self, r: &UsageTruthRow) {
        let c = |k: &str| r.counts.get(k).copied().unwrap_or(0);
        self.add(&TokenTotals {
            input_tokens: c("input_tokens"),
            input_cached_tokens: c("input_cached_tokens"),
            input_cache_write_tokens: c("input_cache_write_tokens"),
            input_uncached_tokens: c("input_uncached_tokens"),
            output_tokens: c("output_tokens"),
            num_model_requests: r.num_model_requests,
        });
    }
}

/// Completions tokens of one (day, project, API key, model).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenTruthRow {
    /// UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// `null` for unattributed usage.
    pub project_id: Option<String>,
    /// `null` for Playground and unattributed usage.
    pub api_key_id: Option<String>,
    /// Model id.
    pub model: String,
    /// The counts.
    #[serde(flatten)]
    pub tokens: TokenTotals,
}

/// Usage of one endpoint in one day, split by every dimension the endpoint has. The JSON
/// leaves out the dimensions that are null or that the endpoint does not have (except
/// `project_id`, which every endpoint has).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageTruthRow {
    /// The endpoint path segment, e.g. `completions`.
    pub endpoint: String,
    /// UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// `project_id`
    pub project_id: Option<String>,
    /// `user_id` (endpoints that have it)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_id: Option<String>,
    /// `api_key_id` (endpoints that have it)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_id: Option<String>,
    /// `model`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// `batch` (completions)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batch: Option<bool>,
    /// `service_tier` (completions)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_tier: Option<String>,
    /// `size` (images)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<String>,
    /// `source` (images)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `context_level` (web search)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_level: Option<String>,
    /// `vector_store_id` (file search)
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vector_store_id: Option<String>,
    /// `num_model_requests` (0 where the endpoint has none)
    pub num_model_requests: u64,
    /// The endpoint's counters by result field name (`input_tokens`, `images`, …).
    pub counts: BTreeMap<String, u64>,
}

/// Vector store storage of one project on one day.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageTruthRow {
    /// UTC day.
    pub day: String,
    /// Project id.
    pub project_id: String,
    /// Bytes stored (what every bucket of that day reports).
    pub usage_bytes: u64,
}

/// One billed line of the truth.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostTruthRow {
    /// UTC day.
    pub day: String,
    /// `null` when no project is charged.
    pub project_id: Option<String>,
    /// `null` when no API key is charged.
    pub api_key_id: Option<String>,
    /// The `line_item` string.
    pub line_item: String,
    /// `quantity` as the costs endpoint writes it.
    pub quantity: String,
    /// `quantity_unit`
    pub quantity_unit: Option<String>,
    /// Exact amount in nanodollars.
    pub amount_nanos: u64,
    /// The amount as `amount.value` writes it (dollars).
    pub amount_value: String,
}

/// Nanodollars billed to one id (`null` = none).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostBy {
    /// The project or API key id.
    pub id: Option<String>,
    /// Nanodollars.
    pub amount_nanos: u64,
}

/// Turns a per-id map into rows (null first).
pub fn by_id(map: BTreeMap<Option<String>, u64>) -> Vec<CostBy> {
    map.into_iter()
        .map(|(id, amount_nanos)| CostBy { id, amount_nanos })
        .collect()
}

/// The truth row of one fully grouped usage result.
pub fn usage_row(
    org: &Org,
    day: &str,
    endpoint: Endpoint,
    values: [u8; 10],
    s: &Sums,
) -> UsageTruthRow {
    let has = |d: Dim| endpoint.dims().contains(&d);
    let v = |d: Dim| {
        let i = DIMS.iter().position(|x| *x == d).expect("known dimension");
        (has(d) && values[i] != NOT_GROUPED).then_some(values[i])
    };
    let id =
        |d: Dim, f: &dyn Fn(usize) -> String| v(d).filter(|&x| x > 0).map(|x| f(x as usize - 1));
    let name = |d: Dim, list: &[&str]| v(d).map(|x| list[x as usize].to_string());
    let counts = if endpoint == Endpoint::Completions {
        completion_fields(&s.counts)
            .into_iter()
            .map(|(k, n)| (k.to_string(), n))
            .collect()
    } else {
        BTreeMap::from([(quantity_field(endpoint).to_string(), s.counts[0])])
    };
    UsageTruthRow {
        endpoint: endpoint.path().into(),
        day: day.into(),
        project_id: id(Dim::Project, &|i| org.projects[i].id.clone()),
        user_id: id(Dim::User, &|i| org.users[i].id.clone()),
        api_key_id: id(Dim::ApiKey, &|i| org.api_keys[i].id.clone()),
        model: name(Dim::Model, endpoint.models()),
        batch: v(Dim::Batch).map(|b| b == 1),
        service_tier: name(Dim::ServiceTier, &SERVICE_TIERS),
        size: name(Dim::Size, &SIZES),
        source: name(Dim::Source, &SOURCES),
        context_level: name(Dim::ContextLevel, &CONTEXT_LEVELS),
        vector_store_id: id(Dim::VectorStore, &|i| org.vector_stores[i].id.clone()),
        num_model_requests: s.requests,
        counts,
    }
}

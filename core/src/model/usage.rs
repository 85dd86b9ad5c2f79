//! Usage buckets, billed-cost rows and Claude Code analytics, as sources deliver them.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::Money;
use super::RequestStats;
use crate::macros::string_enum;

string_enum! {
    /// The width of a usage time bucket.
    BucketWidth, "bucket width" {
        /// One minute.
        Minute => "1m",
        /// One hour (the default of a sync).
        Hour => "1h",
        /// One day (UTC).
        Day => "1d",
    }
}

impl BucketWidth {
    /// The width in seconds.
    pub fn seconds(self) -> i64 {
        match self {
            BucketWidth::Minute => 60,
            BucketWidth::Hour => 3_600,
            BucketWidth::Day => 86_400,
        }
    }

    /// The width for a number of seconds, if it is one.
    pub fn from_seconds(seconds: i64) -> Option<Self> {
        BucketWidth::ALL
            .iter()
            .copied()
            .find(|w| w.seconds() == seconds)
    }
}

string_enum! {
    /// A dimension the usage report can group by.
    UsageDimension, "usage group_by dimension" {
        /// The API key (null for Console and Workbench usage).
        ApiKeyId => "api_key_id",
        /// The workspace (null for the Default workspace).
        WorkspaceId => "workspace_id",
        /// The model.
        Model => "model",
        /// The service tier (standard, batch, priority, …).
        ServiceTier => "service_tier",
        /// The context window (`0-200k`, `200k-1M`).
        ContextWindow => "context_window",
        /// The inference geography.
        InferenceGeo => "inference_geo",
    }
}

impl UsageDimension {
    /// The dimensions a sync groups by: key, workspace, model, tier, context window.
    pub const SYNC: &'static [UsageDimension] = &[
        UsageDimension::ApiKeyId,
        UsageDimension::WorkspaceId,
        UsageDimension::Model,
        UsageDimension::ServiceTier,
        UsageDimension::ContextWindow,
    ];
}

string_enum! {
    /// A dimension the cost report can group by.
    CostDimension, "cost group_by dimension" {
        /// The workspace (null for the Default workspace).
        WorkspaceId => "workspace_id",
        /// The description, which brings model, token type, tier and context window.
        Description => "description",
    }
}

string_enum! {
    /// A billed unit of usage, named as the cost report's `token_type` names it (web search
    /// has no token type there; it is its own cost type).
    TokenType, "token type" {
        /// Uncached input tokens.
        UncachedInput => "uncached_input_tokens",
        /// Input tokens written to the 5-minute cache.
        CacheWrite5m => "cache_creation.ephemeral_5m_input_tokens",
        /// Input tokens written to the 1-hour cache.
        CacheWrite1h => "cache_creation.ephemeral_1h_input_tokens",
        /// Input tokens read from the cache.
        CacheRead => "cache_read_input_tokens",
        /// Output tokens.
        Output => "output_tokens",
        /// Web search requests.
        WebSearch => "web_search",
    }
}

string_enum! {
    /// Where an amount in a report comes from.
    Basis, "basis" {
        /// Straight from the provider's bill (plan, workspace and model totals).
        Billed => "billed",
        /// The bill split across API keys in proportion to their tokens.
        Allocated => "allocated",
        /// Billed cost that matched no usage (code execution, lines without tokens).
        Unallocated => "unallocated",
        /// Priced from the price table: usage the bill leaves out (the priority tier), days
        /// not billed yet, local logs.
        Estimated => "estimated",
        /// A subscription's fixed fee, prorated to the period.
        Subscription => "subscription",
    }
}

impl Basis {
    /// The code stored in the cost facts (allocated 1, unallocated 2, estimated 3).
    pub(crate) fn fact_code(self) -> i64 {
        match self {
            Basis::Allocated => 1,
            Basis::Unallocated => 2,
            Basis::Estimated => 3,
            Basis::Billed => 4,
            Basis::Subscription => 5,
        }
    }

    /// The basis of a stored fact code.
    pub(crate) fn from_fact_code(code: i64) -> Option<Basis> {
        Basis::ALL.iter().copied().find(|b| b.fact_code() == code)
    }
}

/// Token counts of one usage row. Anthropic's `uncached_input` excludes cache reads and
/// writes: the total input is the sum of the four input fields.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
pub struct TokenCounts {
    /// Input tokens neither read from nor written to the cache.
    pub uncached_input: i64,
    /// Input tokens written to the 5-minute cache.
    pub cache_write_5m: i64,
    /// Input tokens written to the 1-hour cache.
    pub cache_write_1h: i64,
    /// Input tokens read from the cache.
    pub cache_read: i64,
    /// Output tokens.
    pub output: i64,
    /// Web search requests made by the server tool.
    pub web_search_requests: i64,
}

impl TokenCounts {
    /// All input tokens: uncached + cache writes + cache reads.
    pub fn total_input(&self) -> i64 {
        self.uncached_input + self.cache_write_5m + self.cache_write_1h + self.cache_read
    }

    /// Add another row's counts.
    pub fn add(&mut self, other: &TokenCounts) {
        self.uncached_input += other.uncached_input;
        self.cache_write_5m += other.cache_write_5m;
        self.cache_write_1h += other.cache_write_1h;
        self.cache_read += other.cache_read;
        self.output += other.output;
        self.web_search_requests += other.web_search_requests;
    }

    /// The count of one token type (web searches for [`TokenType::WebSearch`]).
    pub fn get(&self, token_type: TokenType) -> i64 {
        match token_type {
            TokenType::UncachedInput => self.uncached_input,
            TokenType::CacheWrite5m => self.cache_write_5m,
            TokenType::CacheWrite1h => self.cache_write_1h,
            TokenType::CacheRead => self.cache_read,
            TokenType::Output => self.output,
            TokenType::WebSearch => self.web_search_requests,
        }
    }

    /// True when every count is zero.
    pub fn is_zero(&self) -> bool {
        *self == TokenCounts::default()
    }
}

/// One row of the usage report: a bucket and one combination of the grouped dimensions.
/// A dimension that was not grouped, or is null at the provider (Console usage has no API
/// key; the Default workspace has no id), is `None`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageRow {
    /// Start of the bucket (UTC).
    pub bucket_start: DateTime<Utc>,
    /// The API key; `None` for Console/Workbench usage.
    pub api_key_id: Option<String>,
    /// The workspace; `None` for the Default workspace.
    pub workspace_id: Option<String>,
    /// The model.
    pub model: Option<String>,
    /// The service tier.
    pub service_tier: Option<String>,
    /// The context window.
    pub context_window: Option<String>,
    /// The inference geography.
    pub inference_geo: Option<String>,
    /// The org member (identity) who made the requests, when the provider says (OpenAI's
    /// `user_id`); `None` otherwise. Usage without a key but with an actor (Playground) is
    /// attributed to the subject with the member's email.
    #[serde(default)]
    pub actor_id: Option<String>,
    /// The token counts.
    pub tokens: TokenCounts,
}

/// One page of the usage report: every bucket in `[starting_at, ending_at)`, whether it had
/// usage or not. A page replaces exactly that range in the store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsagePage {
    /// The bucket width.
    pub width: BucketWidth,
    /// Start of the first bucket on the page.
    pub starting_at: DateTime<Utc>,
    /// End of the last bucket on the page.
    pub ending_at: DateTime<Utc>,
    /// The rows of every bucket on the page.
    pub rows: Vec<UsageRow>,
    /// Usage of the same buckets that is not tokens (images, speech, storage…), replaced
    /// with the token rows; empty for providers that have none.
    pub units: Vec<crate::model::UnitRow>,
    /// Requests and retries it took.
    pub stats: RequestStats,
}

/// One row of the billed-cost report (daily). Fields other than the amount are `None` when
/// not grouped or not applicable to the cost type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostRow {
    /// Start of the day (UTC).
    pub bucket_start: DateTime<Utc>,
    /// The workspace; `None` for the Default workspace (or when not grouped).
    pub workspace_id: Option<String>,
    /// The API key the provider billed the amount to, when its bill names keys (OpenAI);
    /// `None` for Anthropic's cost report, which has no key dimension.
    #[serde(default)]
    pub api_key_id: Option<String>,
    /// The provider's description (display only: never parsed).
    pub description: Option<String>,
    /// `tokens`, `web_search`, `code_execution`, … (kept as the provider's string).
    pub cost_type: Option<String>,
    /// The model, for token costs.
    pub model: Option<String>,
    /// The service tier, for token costs.
    pub service_tier: Option<String>,
    /// The context window, for token costs.
    pub context_window: Option<String>,
    /// `uncached_input_tokens`, `output_tokens`, `cache_read_input_tokens`,
    /// `cache_creation.ephemeral_5m_input_tokens`, `cache_creation.ephemeral_1h_input_tokens`.
    pub token_type: Option<String>,
    /// The inference geography, when reported.
    pub inference_geo: Option<String>,
    /// The billed amount, exact.
    pub amount: Money,
}

/// One page of the cost report: every day in `[starting_at, ending_at)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostPage {
    /// Start of the first day on the page.
    pub starting_at: DateTime<Utc>,
    /// End of the last day on the page.
    pub ending_at: DateTime<Utc>,
    /// The rows of every day on the page.
    pub rows: Vec<CostRow>,
    /// Requests and retries it took.
    pub stats: RequestStats,
}

/// Tokens and estimated cost of one model in a Claude Code analytics record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaudeCodeModelUsage {
    /// The model.
    pub model: String,
    /// Input tokens.
    pub input: i64,
    /// Output tokens.
    pub output: i64,
    /// Cache-read tokens.
    pub cache_read: i64,
    /// Cache-creation tokens.
    pub cache_creation: i64,
    /// The provider's estimate (not billed).
    pub estimated_cost: Money,
}

/// One actor's Claude Code activity on one day and terminal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaudeCodeRecord {
    /// The UTC day.
    pub date: NaiveDate,
    /// `user_actor` or `api_actor`.
    pub actor_type: String,
    /// The user's email address, or the API key's name.
    pub actor_id: String,
    /// `api` or `subscription`.
    pub customer_type: Option<String>,
    /// `enterprise`, `team`, or none.
    pub subscription_type: Option<String>,
    /// The terminal (`vscode`, `iTerm.app`, …).
    pub terminal_type: String,
    /// Sessions.
    pub num_sessions: i64,
    /// Lines added.
    pub lines_added: i64,
    /// Lines removed.
    pub lines_removed: i64,
    /// Commits made by Claude Code.
    pub commits: i64,
    /// Pull requests made by Claude Code.
    pub pull_requests: i64,
    /// Tool actions: tool name → (accepted, rejected).
    pub tool_actions: BTreeMap<String, (i64, i64)>,
    /// Per-model tokens and estimated cost.
    pub models: Vec<ClaudeCodeModelUsage>,
}

/// One day of Claude Code analytics (all its pages).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaudeCodePage {
    /// The UTC day.
    pub day: NaiveDate,
    /// Every record of the day.
    pub records: Vec<ClaudeCodeRecord>,
    /// Requests and retries it took.
    pub stats: RequestStats,
}

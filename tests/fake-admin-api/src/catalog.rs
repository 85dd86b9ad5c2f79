//! The enumerations the API speaks: models, service tiers, context windows,
//! inference geos and token types, with their wire strings.

/// A model the fake generates usage for.
#[derive(Clone, Copy, Debug)]
pub struct Model {
    /// API model id as it appears in reports.
    pub id: &'static str,
    /// Display name used in cost report descriptions.
    pub display: &'static str,
    /// Whether it can run with a context window above 200k tokens.
    pub long_context: bool,
    /// Whether it supports `inference_geo` (Opus 4.6 and newer).
    pub geo_routing: bool,
    /// Relative share of generated events.
    pub weight: u64,
}

/// The generated models, indexed by `Event::model`.
pub const MODELS: [Model; 5] = [
    Model {
        id: "claude-opus-4-6",
        display: "Claude Opus 4.6",
        long_context: true,
        geo_routing: true,
        weight: 20,
    },
    Model {
        id: "claude-sonnet-4-5-20250929",
        display: "Claude Sonnet 4.5",
        long_context: true,
        geo_routing: false,
        weight: 35,
    },
    Model {
        id: "claude-sonnet-4-20250514",
        display: "Claude Sonnet 4",
        long_context: true,
        geo_routing: false,
        weight: 15,
    },
    Model {
        id: "claude-haiku-4-5-20251001",
        display: "Claude Haiku 4.5",
        long_context: false,
        geo_routing: false,
        weight: 20,
    },
    Model {
        id: "claude-3-5-haiku-20241022",
        display: "Claude Haiku 3.5",
        long_context: false,
        geo_routing: false,
        weight: 10,
    },
];

/// Every service tier the API accepts in filters; the first three are generated.
pub const SERVICE_TIERS: [&str; 6] = [
    "standard",
    "batch",
    "priority",
    "priority_on_demand",
    "flex",
    "flex_discount",
];
/// Index of `standard` in [`SERVICE_TIERS`].
pub const TIER_STANDARD: u8 = 0;
/// Index of `batch` in [`SERVICE_TIERS`].
pub const TIER_BATCH: u8 = 1;
/// Index of `priority` in [`SERVICE_TIERS`].
pub const TIER_PRIORITY: u8 = 2;

/// Context windows.
pub const CONTEXT_WINDOWS: [&str; 2] = ["0-200k", "200k-1M"];
/// Index of `200k-1M` in [`CONTEXT_WINDOWS`].
pub const WINDOW_LONG: u8 = 1;

/// Inference geos.
pub const INFERENCE_GEOS: [&str; 3] = ["global", "us", "not_available"];
/// Index of `global`.
pub const GEO_GLOBAL: u8 = 0;
/// Index of `us`.
pub const GEO_US: u8 = 1;
/// Index of `not_available`.
pub const GEO_NOT_AVAILABLE: u8 = 2;

/// Usage report `group_by[]` values, in the order of the reference.
pub const USAGE_GROUP_BY: [&str; 9] = [
    "api_key_id",
    "workspace_id",
    "model",
    "service_tier",
    "context_window",
    "inference_geo",
    "speed",
    "account_id",
    "service_account_id",
];

/// Cost report `group_by[]` values.
pub const COST_GROUP_BY: [&str; 2] = ["workspace_id", "description"];

/// Speeds (`speeds[]` filter, beta).
pub const SPEEDS: [&str; 2] = ["standard", "fast"];

/// The beta flag that unlocks `speed` grouping and filtering.
pub const FAST_MODE_BETA: &str = "fast-mode-2026-02-01";

/// The five token categories of the usage report, in cost-report `token_type` spelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TokenType {
    /// `uncached_input_tokens`
    Input,
    /// `cache_creation.ephemeral_5m_input_tokens`
    CacheWrite5m,
    /// `cache_creation.ephemeral_1h_input_tokens`
    CacheWrite1h,
    /// `cache_read_input_tokens`
    CacheRead,
    /// `output_tokens`
    Output,
}

impl TokenType {
    /// All five, in a fixed order.
    pub const ALL: [TokenType; 5] = [
        TokenType::Input,
        TokenType::CacheWrite5m,
        TokenType::CacheWrite1h,
        TokenType::CacheRead,
        TokenType::Output,
    ];

    /// The cost report `token_type` string.
    pub fn wire(self) -> &'static str {
        match self {
            TokenType::Input => "uncached_input_tokens",
            TokenType::CacheWrite5m => "cache_creation.ephemeral_5m_input_tokens",
            TokenType::CacheWrite1h => "cache_creation.ephemeral_1h_input_tokens",
            TokenType::CacheRead => "cache_read_input_tokens",
            TokenType::Output => "output_tokens",
        }
    }

    /// The suffix of the cost report description (`<Model> Usage - <suffix>`).
    pub fn description_suffix(self) -> &'static str {
        match self {
            TokenType::Input => "Input Tokens",
            TokenType::CacheWrite5m | TokenType::CacheWrite1h => "Input Tokens, Cache Write",
            TokenType::CacheRead => "Input Tokens, Cache Hit",
            TokenType::Output => "Output Tokens",
        }
    }
}

/// Position of `value` in `list`, if it is one of its strings.
pub fn index_of(list: &[&str], value: &str) -> Option<u8> {
    list.iter().position(|v| *v == value).map(|i| i as u8)
}

/// `product` values of the Analytics API (its `products[]` filter enum).
pub const PRODUCTS: [&str; 7] = [
    "chat",
    "claude-tag",
    "claude_code",
    "claude_design",
    "claude_in_chrome",
    "cowork",
    "office_agent",
];
/// Index of `claude_code` in [`PRODUCTS`].
pub const PRODUCT_CLAUDE_CODE: u8 = 2;
/// An event with no known product surface (`product: null`).
pub const NO_PRODUCT: u8 = 0xFF;

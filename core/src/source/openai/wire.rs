//! The JSON of the OpenAI endpoints used, and its conversion to costledger's model.
//!
//! Tolerant where the API grows (unknown fields ignored, dimensions missing read as null)
//! and strict where a default would falsify a total (token counts and amounts must be there).

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::model::{ApiKeyInfo, CostRow, OrgUser, TokenCounts, UsageRow, Workspace};
use crate::source::anthropic::amounts::dollars;

/// `{"object":"page","data":[buckets],"has_more","next_page"}`.
#[derive(Debug, Deserialize)]
pub(crate) struct Page<R> {
    pub data: Vec<Bucket<R>>,
    pub has_more: bool,
    #[serde(default)]
    pub next_page: Option<String>,
}

/// One time bucket: Unix seconds.
#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "R: Deserialize<'de>"))]
pub(crate) struct Bucket<R> {
    pub start_time: i64,
    pub end_time: i64,
    #[serde(default = "Vec::new", deserialize_with = "null_as_empty")]
    pub results: Vec<R>,
}

fn null_as_empty<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

/// The dimensions every usage result may carry.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Dims {
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub api_key_id: Option<String>,
    #[serde(default)]
    pub user_id: Option<String>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub batch: Option<bool>,
    #[serde(default)]
    pub service_tier: Option<String>,
}

impl Dims {
    /// The service tier costledger stores: `batch` for Batch API rows, else the API's tier.
    fn tier(&self) -> Option<String> {
        if self.batch == Some(true) {
            return Some("batch".into());
        }
        self.service_tier.clone()
    }

    fn row(&self, start: DateTime<Utc>, tokens: TokenCounts) -> UsageRow {
        UsageRow {
            bucket_start: start,
            api_key_id: self.api_key_id.clone(),
            workspace_id: self.project_id.clone(),
            model: self.model.clone(),
            service_tier: self.tier(),
            context_window: None,
            inference_geo: None,
            actor_id: self.user_id.clone(),
            tokens,
        }
    }
}

/// A result of `usage/completions`.
#[derive(Debug, Deserialize)]
pub(crate) struct CompletionsResult {
    #[serde(flatten)]
    pub dims: Dims,
    pub input_tokens: i64,
    #[serde(default)]
    pub input_cached_tokens: Option<i64>,
    #[serde(default)]
    pub input_cache_write_tokens: Option<i64>,
    pub output_tokens: i64,
}

impl CompletionsResult {
    /// OpenAI's `input_tokens` includes cached and cache-write tokens; costledger's uncached
    /// input excludes them, so they are taken out once here and stored in their own columns.
    pub(crate) fn into_row(self, start: DateTime<Utc>) -> Result<UsageRow, String> {
        let cached = self.input_cached_tokens.unwrap_or(0);
        let written = self.input_cache_write_tokens.unwrap_or(0);
        let uncached = self.input_tokens - cached - written;
        if uncached < 0 || cached < 0 || written < 0 || self.output_tokens < 0 {
            return Err(format!(
                "a completions row has input_tokens {} below its cached {cached} and \
                 cache-write {written} tokens, or a negative count",
                self.input_tokens
            ));
        }
        let tokens = TokenCounts {
            uncached_input: uncached,
            cache_write_5m: written,
            cache_read: cached,
            output: self.output_tokens,
            ..TokenCounts::default()
        };
        Ok(self.dims.row(start, tokens))
    }
}

/// A result of `usage/embeddings` or `usage/moderations`: input tokens only.
#[derive(Debug, Deserialize)]
pub(crate) struct InputResult {
    #[serde(flatten)]
    pub dims: Dims,
    pub input_tokens: i64,
}

impl InputResult {
    pub(crate) fn into_row(self, start: DateTime<Utc>) -> Result<UsageRow, String> {
        if self.input_tokens < 0 {
            return Err("a usage row has negative input_tokens".into());
        }
        let tokens = TokenCounts {
            uncached_input: self.input_tokens,
            ..TokenCounts::default()
        };
        Ok(self.dims.row(start, tokens))
    }
}

/// A result of `usage/web_search_calls`.
#[derive(Debug, Deserialize)]
pub(crate) struct WebSearchResult {
    #[serde(flatten)]
    pub dims: Dims,
    pub num_requests: i64,
}

impl WebSearchResult {
    pub(crate) fn into_row(self, start: DateTime<Utc>) -> Result<UsageRow, String> {
        if self.num_requests < 0 {
            return Err("a web search row has negative num_requests".into());
        }
        let tokens = TokenCounts {
            web_search_requests: self.num_requests,
            ..TokenCounts::default()
        };
        Ok(self.dims.row(start, tokens))
    }
}

/// A result of `costs`.
#[derive(Debug, Deserialize)]
pub(crate) struct CostResult {
    pub amount: Amount,
    #[serde(default)]
    pub line_item: Option<String>,
    #[serde(default)]
    pub project_id: Option<String>,
    #[serde(default)]
    pub api_key_id: Option<String>,
    #[serde(default)]
    pub quantity_unit: Option<String>,
}

/// `{"value": <dollars>, "currency": "usd"}`.
#[derive(Debug, Deserialize)]
pub(crate) struct Amount {
    pub value: Box<RawValue>,
    #[serde(default)]
    pub currency: Option<String>,
}

/// What a line item (`priority | gpt-5-2025-08-07, output`) says: tier, model and meter.
/// The line item is kept whole as the description; these parts feed reports by model.
pub(crate) fn line_item_parts(line: &str) -> (Option<String>, Option<String>, Option<String>) {
    let (tier, rest) = match line.split_once(" | ") {
        Some((prefix, rest)) if ["batch", "priority", "flex"].contains(&prefix.trim()) => {
            (Some(prefix.trim().to_string()), rest)
        }
        _ => (None, line),
    };
    // Model lines are `<model>[ <modality or size>], <meter>`; lines without a comma
    // (web search tool calls, Vector storage) name no model.
    match rest.split_once(", ") {
        Some((head, meter)) => {
            let model = head.split_whitespace().next().map(str::to_string);
            (tier, model, Some(meter.trim().to_string()))
        }
        None => (tier, None, None),
    }
}

impl CostResult {
    pub(crate) fn into_row(self, start: DateTime<Utc>) -> Result<CostRow, String> {
        match self.amount.currency.as_deref() {
            None | Some("usd") | Some("USD") => {}
            Some(other) => {
                return Err(format!(
                    "amount in currency {other:?}; costledger only reads USD amounts"
                ));
            }
        }
        let amount = dollars(&self.amount.value)?;
        let (tier, model, meter) = self
            .line_item
            .as_deref()
            .map(line_item_parts)
            .unwrap_or((None, None, None));
        Ok(CostRow {
            bucket_start: start,
            workspace_id: self.project_id,
            api_key_id: self.api_key_id,
            description: self.line_item,
            cost_type: self.quantity_unit,
            model,
            service_tier: tier,
            context_window: None,
            token_type: meter,
            inference_geo: None,
            amount,
        })
    }
}

/// `{"object":"list","data":[…],"last_id","has_more"}`.
#[derive(Debug, Deserialize)]
pub(crate) struct List<T> {
    pub data: Vec<T>,
    #[serde(default)]
    pub last_id: Option<String>,
    pub has_more: bool,
}

fn at(secs: Option<i64>) -> Option<DateTime<Utc>> {
    secs.and_then(|s| DateTime::from_timestamp(s, 0))
}

/// `organization.project`.
#[derive(Debug, Deserialize)]
pub(crate) struct WireProject {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub archived_at: Option<i64>,
}

impl From<WireProject> for Workspace {
    fn from(p: WireProject) -> Self {
        Workspace {
            id: p.id,
            name: p.name,
            display_color: None,
            created_at: at(p.created_at),
            archived_at: at(p.archived_at),
        }
    }
}

/// `organization.project.api_key`.
#[derive(Debug, Deserialize)]
pub(crate) struct WireApiKey {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub redacted_value: Option<String>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub owner_project_access: Option<String>,
    #[serde(default)]
    pub owner: Option<Owner>,
}

/// The owner of a project key: a user or a service account.
#[derive(Debug, Deserialize)]
pub(crate) struct Owner {
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub user: Option<OwnerRef>,
    #[serde(default)]
    pub service_account: Option<OwnerRef>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct OwnerRef {
    pub id: String,
}

impl WireApiKey {
    /// The key as costledger's metadata, in `project` (its workspace). Its owner is its
    /// creator for attribution: the user whose email maps it to a subject.
    pub(crate) fn into_info(self, project: &str) -> ApiKeyInfo {
        let owner_id = self.owner.as_ref().and_then(|o| {
            o.user
                .as_ref()
                .or(o.service_account.as_ref())
                .map(|r| r.id.clone())
        });
        ApiKeyInfo {
            id: self.id,
            name: self.name.unwrap_or_default(),
            workspace_id: Some(project.to_string()),
            status: self
                .owner_project_access
                .unwrap_or_else(|| "active".to_string()),
            created_at: at(self.created_at),
            created_by_id: owner_id,
            created_by_type: self.owner.and_then(|o| o.kind),
            partial_key_hint: self.redacted_value,
            expires_at: None,
        }
    }
}

/// `organization.user`.
#[derive(Debug, Deserialize)]
pub(crate) struct WireUser {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub role: Option<String>,
    #[serde(default)]
    pub added_at: Option<i64>,
}

impl From<WireUser> for OrgUser {
    fn from(u: WireUser) -> Self {
        OrgUser {
            id: u.id,
            email: u.email.unwrap_or_default(),
            name: u.name.unwrap_or_default(),
            role: u.role.unwrap_or_default(),
            added_at: at(u.added_at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_tokens_are_taken_out_of_input_once() {
        let r: CompletionsResult = serde_json::from_str(
            r#"{"object":"organization.usage.completions.result","input_tokens":1000,
            "input_cached_tokens":400,"input_cache_write_tokens":100,"output_tokens":500,
            "num_model_requests":5,"project_id":"proj_a","user_id":null,"api_key_id":"key_a",
            "model":"gpt-4.1-2025-04-14","batch":true,"service_tier":"default"}"#,
        )
        .unwrap();
        let row = r.into_row(DateTime::from_timestamp(0, 0).unwrap()).unwrap();
        assert_eq!(row.tokens.uncached_input, 500);
        assert_eq!(row.tokens.cache_read, 400);
        assert_eq!(row.tokens.cache_write_5m, 100);
        assert_eq!(row.tokens.total_input(), 1000);
        assert_eq!(row.service_tier.as_deref(), Some("batch"));
        assert_eq!(row.workspace_id.as_deref(), Some("proj_a"));
        let bad: CompletionsResult = serde_json::from_str(
            r#"{"input_tokens":10,"input_cached_tokens":40,"output_tokens":1}"#,
        )
        .unwrap();
        assert!(
            bad.into_row(DateTime::from_timestamp(0, 0).unwrap())
                .is_err()
        );
    }

    #[test]
    fn line_items_give_tier_model_and_meter() {
        let p = |s: &str| line_item_parts(s);
        assert_eq!(
            p("priority | gpt-5-2025-08-07, output"),
            (
                Some("priority".into()),
                Some("gpt-5-2025-08-07".into()),
                Some("output".into())
            )
        );
        assert_eq!(
            p("gpt-4o-mini-2024-07-18, cached input"),
            (
                None,
                Some("gpt-4o-mini-2024-07-18".into()),
                Some("cached input".into())
            )
        );
        assert_eq!(
            p("dall-e-3 1024x1024, images").1.as_deref(),
            Some("dall-e-3")
        );
        assert_eq!(p("web search tool calls"), (None, None, None));
        assert_eq!(p("Vector storage"), (None, None, None));
    }

    #[test]
    fn cost_amounts_are_dollars_read_exactly() {
        let r: CostResult = serde_json::from_str(
            r#"{"object":"organization.costs.result","amount":{"value":0.5617712500000000,"currency":"usd"},
            "line_item":"gpt-4.1-mini-2025-04-14, input","project_id":null,"api_key_id":"key_x",
            "quantity":36884,"quantity_unit":"tokens"}"#,
        )
        .unwrap();
        let row = r.into_row(DateTime::from_timestamp(0, 0).unwrap()).unwrap();
        assert_eq!(row.amount.nanos(), 561_771_250);
        assert_eq!(row.api_key_id.as_deref(), Some("key_x"));
        assert_eq!(row.workspace_id, None);
        assert_eq!(row.cost_type.as_deref(), Some("tokens"));
        let eur: CostResult =
            serde_json::from_str(r#"{"amount":{"value":1,"currency":"eur"}}"#).unwrap();
        assert!(
            eur.into_row(DateTime::from_timestamp(0, 0).unwrap())
                .is_err()
        );
    }
}

//! The usage report's and the cost report's buckets and rows.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::value::RawValue;

use super::{null_as_default, usd};
use crate::model::{CostRow, TokenCounts, UsageRow};
use crate::source::anthropic::amounts::cents;

/// A time bucket of the usage or cost report.
#[derive(Debug, Deserialize)]
#[serde(bound(deserialize = "I: Deserialize<'de>"))]
pub(crate) struct Bucket<I> {
    pub starting_at: DateTime<Utc>,
    pub ending_at: DateTime<Utc>,
    #[serde(default = "Vec::new", deserialize_with = "null_as_default")]
    pub results: Vec<I>,
}

/// A row of the usage report.
#[derive(Debug, Deserialize)]
pub(crate) struct UsageItem {
    pub uncached_input_tokens: i64,
    pub cache_creation: CacheCreation,
    pub cache_read_input_tokens: i64,
    pub output_tokens: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub server_tool_use: ServerToolUse,
    pub api_key_id: Option<String>,
    pub workspace_id: Option<String>,
    pub model: Option<String>,
    pub service_tier: Option<String>,
    pub context_window: Option<String>,
    pub inference_geo: Option<String>,
}

/// `cache_creation` of a usage row.
#[derive(Debug, Deserialize)]
pub(crate) struct CacheCreation {
    pub ephemeral_1h_input_tokens: i64,
    pub ephemeral_5m_input_tokens: i64,
}

/// `server_tool_use` of a usage row.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct ServerToolUse {
    #[serde(default)]
    pub web_search_requests: i64,
}

impl UsageItem {
    /// The row, or `None` for a row that says nothing: no dimension and no count (an
    /// ungrouped empty bucket may come as one such row or as no row).
    pub fn into_row(self, bucket_start: DateTime<Utc>) -> Option<UsageRow> {
        let tokens = TokenCounts {
            uncached_input: self.uncached_input_tokens,
            cache_write_5m: self.cache_creation.ephemeral_5m_input_tokens,
            cache_write_1h: self.cache_creation.ephemeral_1h_input_tokens,
            cache_read: self.cache_read_input_tokens,
            output: self.output_tokens,
            web_search_requests: self.server_tool_use.web_search_requests,
        };
        let row = UsageRow {
            bucket_start,
            api_key_id: self.api_key_id,
            workspace_id: self.workspace_id,
            model: self.model,
            service_tier: self.service_tier,
            context_window: self.context_window,
            inference_geo: self.inference_geo,
            actor_id: None,
            tokens,
        };
        let no_dimension = row.api_key_id.is_none()
            && row.workspace_id.is_none()
            && row.model.is_none()
            && row.service_tier.is_none()
            && row.context_window.is_none()
            && row.inference_geo.is_none();
        (!(no_dimension && tokens.is_zero())).then_some(row)
    }
}

/// A row of the cost report.
#[derive(Debug, Deserialize)]
pub(crate) struct CostItem {
    pub currency: Option<String>,
    pub amount: Box<RawValue>,
    pub workspace_id: Option<String>,
    pub description: Option<String>,
    pub cost_type: Option<String>,
    pub context_window: Option<String>,
    pub model: Option<String>,
    pub service_tier: Option<String>,
    pub token_type: Option<String>,
    pub inference_geo: Option<String>,
}

impl CostItem {
    /// The row, with the amount parsed exactly.
    pub fn into_row(self, bucket_start: DateTime<Utc>) -> Result<CostRow, String> {
        usd(self.currency.as_deref())?;
        Ok(CostRow {
            bucket_start,
            amount: cents(&self.amount)?,
            workspace_id: self.workspace_id,
            api_key_id: None,
            description: self.description,
            cost_type: self.cost_type,
            model: self.model,
            service_tier: self.service_tier,
            context_window: self.context_window,
            token_type: self.token_type,
            inference_geo: self.inference_geo,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Money;
    use crate::source::anthropic::wire::Report;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn usage_example_of_section_2_3() {
        let body = r#"{
      "data": [{
          "starting_at": "2025-08-01T00:00:00Z",
          "ending_at": "2025-08-02T00:00:00Z",
          "results": [{
              "uncached_input_tokens": 1500,
              "cache_creation": {"ephemeral_1h_input_tokens": 1000, "ephemeral_5m_input_tokens": 500},
              "cache_read_input_tokens": 200,
              "output_tokens": 500,
              "server_tool_use": {"web_search_requests": 10},
              "api_key_id": "apikey_01Rj2N8SVvo6BePZj99NhmiT",
              "workspace_id": "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ",
              "model": "claude-sonnet-4-20250514",
              "service_tier": "standard",
              "context_window": "0-200k"
          }]
      }],
      "has_more": true,
      "next_page": "page_MjAyNS0wNS0xNFQwMDowMDowMFo="
    }"#;
        let report: Report<Bucket<UsageItem>> = serde_json::from_str(body).unwrap();
        assert!(report.has_more);
        assert_eq!(
            report.next_page.as_deref(),
            Some("page_MjAyNS0wNS0xNFQwMDowMDowMFo=")
        );
        let bucket = report.data.into_iter().next().unwrap();
        assert_eq!(bucket.starting_at, t("2025-08-01T00:00:00Z"));
        assert_eq!(bucket.ending_at, t("2025-08-02T00:00:00Z"));
        let start = bucket.starting_at;
        let row = bucket
            .results
            .into_iter()
            .next()
            .unwrap()
            .into_row(start)
            .unwrap();
        assert_eq!(
            row.tokens,
            TokenCounts {
                uncached_input: 1500,
                cache_write_5m: 500,
                cache_write_1h: 1000,
                cache_read: 200,
                output: 500,
                web_search_requests: 10,
            }
        );
        assert_eq!(row.tokens.total_input(), 3200);
        assert_eq!(row.bucket_start, start);
        assert_eq!(
            row.api_key_id.as_deref(),
            Some("apikey_01Rj2N8SVvo6BePZj99NhmiT")
        );
        assert_eq!(
            row.workspace_id.as_deref(),
            Some("wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ")
        );
        assert_eq!(row.model.as_deref(), Some("claude-sonnet-4-20250514"));
        assert_eq!(row.service_tier.as_deref(), Some("standard"));
        assert_eq!(row.context_window.as_deref(), Some("0-200k"));
        // Not in the 2025 example: a missing dimension key reads as null.
        assert_eq!(row.inference_geo, None);
    }

    #[test]
    fn ungrouped_real_row_of_section_2_3_without_dimension_keys() {
        let body = r#"{"uncached_input_tokens":107,"cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":17355},"cache_read_input_tokens":16549,"output_tokens":448,"server_tool_use":{"web_search_requests":0}}"#;
        let item: UsageItem = serde_json::from_str(body).unwrap();
        let row = item.into_row(t("2025-08-01T00:00:00Z")).unwrap();
        assert_eq!(
            row.tokens,
            TokenCounts {
                uncached_input: 107,
                cache_write_5m: 17355,
                cache_write_1h: 0,
                cache_read: 16549,
                output: 448,
                web_search_requests: 0,
            }
        );
        let dims = [
            &row.api_key_id,
            &row.workspace_id,
            &row.model,
            &row.service_tier,
            &row.context_window,
            &row.inference_geo,
        ];
        assert!(dims.iter().all(|d| d.is_none()));
    }

    #[test]
    fn usage_rows_tolerate_growth_but_not_missing_counts() {
        // Unknown fields and the 2026 dimension keys, null server_tool_use.
        let body = r#"{"uncached_input_tokens":1,"cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0},"cache_read_input_tokens":0,"output_tokens":2,"server_tool_use":null,"inference_geo":"us","account_id":null,"service_account_id":null,"speed":"fast","new_thing":{"a":1}}"#;
        let row = serde_json::from_str::<UsageItem>(body)
            .unwrap()
            .into_row(t("2025-08-01T00:00:00Z"))
            .unwrap();
        assert_eq!((row.tokens.output, row.tokens.web_search_requests), (2, 0));
        assert_eq!(row.inference_geo.as_deref(), Some("us"));
        // An ungrouped all-zero row says nothing and is dropped; an empty bucket is the same.
        let zero = r#"{"uncached_input_tokens":0,"cache_creation":{"ephemeral_1h_input_tokens":0,"ephemeral_5m_input_tokens":0},"cache_read_input_tokens":0,"output_tokens":0}"#;
        let item: UsageItem = serde_json::from_str(zero).unwrap();
        assert!(item.into_row(t("2025-08-01T00:00:00Z")).is_none());
        // A count that is missing would silently undercount: refused.
        let missing =
            r#"{"uncached_input_tokens":1,"cache_read_input_tokens":0,"output_tokens":2}"#;
        assert!(serde_json::from_str::<UsageItem>(missing).is_err());
    }

    #[test]
    fn cost_example_of_section_3_3() {
        let body = r#"{
      "data": [{
          "starting_at": "2025-08-01T00:00:00Z",
          "ending_at": "2025-08-02T00:00:00Z",
          "results": [{
              "currency": "USD",
              "amount": "123.78912",
              "workspace_id": "wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ",
              "description": "Claude Sonnet 4 Usage - Input Tokens",
              "cost_type": "tokens",
              "context_window": "0-200k",
              "model": "claude-sonnet-4-20250514",
              "service_tier": "standard",
              "token_type": "uncached_input_tokens"
          }]
      }],
      "has_more": true,
      "next_page": "page_MjAyNS0wNS0xNFQwMDowMDowMFo="
    }"#;
        let report: Report<Bucket<CostItem>> = serde_json::from_str(body).unwrap();
        let bucket = report.data.into_iter().next().unwrap();
        let start = bucket.starting_at;
        let row = bucket
            .results
            .into_iter()
            .next()
            .unwrap()
            .into_row(start)
            .unwrap();
        assert_eq!(row.amount, Money::from_nanos(1_237_891_200));
        assert_eq!(row.bucket_start, t("2025-08-01T00:00:00Z"));
        assert_eq!(
            row.workspace_id.as_deref(),
            Some("wrkspc_01JwQvzr7rXLA5AGx3HKfFUJ")
        );
        assert_eq!(
            row.description.as_deref(),
            Some("Claude Sonnet 4 Usage - Input Tokens")
        );
        assert_eq!(row.cost_type.as_deref(), Some("tokens"));
        assert_eq!(row.context_window.as_deref(), Some("0-200k"));
        assert_eq!(row.model.as_deref(), Some("claude-sonnet-4-20250514"));
        assert_eq!(row.service_tier.as_deref(), Some("standard"));
        assert_eq!(row.token_type.as_deref(), Some("uncached_input_tokens"));
        assert_eq!(row.inference_geo, None);
    }

    #[test]
    fn cost_amounts_other_forms() {
        let item = |amount: &str, currency: &str| {
            let body = format!(
                r#"{{"currency":{currency},"amount":{amount},"workspace_id":null,"description":"Web Search Usage","cost_type":"web_search","inference_geo":null,"extra":1}}"#
            );
            serde_json::from_str::<CostItem>(&body)
                .unwrap()
                .into_row(t("2025-08-01T00:00:00Z"))
        };
        assert_eq!(
            item("\"0.1\"", "\"USD\"").unwrap().amount.nanos(),
            1_000_000
        );
        assert_eq!(
            item("\"1500\"", "\"USD\"").unwrap().amount.nanos(),
            15_000_000_000
        );
        assert_eq!(
            item("946.6", "\"USD\"").unwrap().amount.nanos(),
            9_466_000_000
        );
        let e = item("\"1\"", "\"EUR\"").unwrap_err();
        assert!(e.contains("EUR"), "{e}");
        assert!(item("\"1,5\"", "\"USD\"").is_err());
    }
}

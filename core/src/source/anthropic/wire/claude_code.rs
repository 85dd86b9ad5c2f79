//! Records of the Claude Code analytics report.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer};
use serde_json::value::RawValue;

use super::{null_as_default, usd};
use crate::model::{ClaudeCodeModelUsage, ClaudeCodeRecord};
use crate::source::anthropic::amounts::cents;

/// `YYYY-MM-DD`, or an RFC 3339 instant read as its UTC date (the docs' examples use both).
fn flexible_date<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
    let text = String::deserialize(d)?;
    parse_date(&text).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "date {text:?} is neither YYYY-MM-DD nor an RFC 3339 timestamp"
        ))
    })
}

pub(crate) fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .or_else(|| {
            DateTime::parse_from_rfc3339(text)
                .ok()
                .map(|t| t.with_timezone(&Utc).date_naive())
        })
}

/// A record of the Claude Code report.
#[derive(Debug, Deserialize)]
pub(crate) struct CcRecord {
    #[serde(deserialize_with = "flexible_date")]
    pub date: NaiveDate,
    pub actor: CcActor,
    pub customer_type: Option<String>,
    pub subscription_type: Option<String>,
    pub terminal_type: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub core_metrics: CcCoreMetrics,
    #[serde(default, deserialize_with = "null_as_default")]
    pub tool_actions: BTreeMap<String, CcToolAction>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub model_breakdown: Vec<CcModel>,
}

/// `actor`: `user_actor` with `email_address`, `api_actor` with `api_key_name`, or a kind
/// added later whose identifying string is kept.
#[derive(Debug, Deserialize)]
pub(crate) struct CcActor {
    #[serde(rename = "type")]
    pub kind: String,
    pub email_address: Option<String>,
    pub api_key_name: Option<String>,
    #[serde(flatten)]
    pub other: BTreeMap<String, serde_json::Value>,
}

/// `core_metrics`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CcCoreMetrics {
    #[serde(default)]
    pub num_sessions: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub lines_of_code: CcLines,
    #[serde(default)]
    pub commits_by_claude_code: i64,
    #[serde(default)]
    pub pull_requests_by_claude_code: i64,
}

/// `lines_of_code`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CcLines {
    #[serde(default)]
    pub added: i64,
    #[serde(default)]
    pub removed: i64,
}

/// A tool's `{accepted, rejected}`.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct CcToolAction {
    #[serde(default)]
    pub accepted: i64,
    #[serde(default)]
    pub rejected: i64,
}

/// A `model_breakdown` entry.
#[derive(Debug, Deserialize)]
pub(crate) struct CcModel {
    pub model: String,
    pub tokens: CcTokens,
    pub estimated_cost: Option<CcCost>,
}

/// Tokens of a model breakdown.
#[derive(Debug, Deserialize)]
pub(crate) struct CcTokens {
    pub input: i64,
    pub output: i64,
    pub cache_read: i64,
    pub cache_creation: i64,
}

/// `estimated_cost`: cents as a JSON number.
#[derive(Debug, Deserialize)]
pub(crate) struct CcCost {
    pub currency: Option<String>,
    pub amount: Box<RawValue>,
}

impl CcRecord {
    /// The record in the model's terms.
    pub fn into_record(self) -> Result<ClaudeCodeRecord, String> {
        let CcActor {
            kind,
            email_address,
            api_key_name,
            other,
        } = self.actor;
        let actor_id = email_address
            .or(api_key_name)
            .or_else(|| {
                other
                    .into_values()
                    .find_map(|v| v.as_str().map(str::to_string))
            })
            .ok_or_else(|| format!("actor of type {kind:?} has no email, key name or id"))?;
        let models = self
            .model_breakdown
            .into_iter()
            .map(|m| {
                let estimated_cost = match m.estimated_cost {
                    Some(c) => {
                        usd(c.currency.as_deref())?;
                        cents(&c.amount)?
                    }
                    None => crate::model::Money::ZERO,
                };
                Ok(ClaudeCodeModelUsage {
                    model: m.model,
                    input: m.tokens.input,
                    output: m.tokens.output,
                    cache_read: m.tokens.cache_read,
                    cache_creation: m.tokens.cache_creation,
                    estimated_cost,
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        let m = self.core_metrics;
        Ok(ClaudeCodeRecord {
            date: self.date,
            actor_type: kind,
            actor_id,
            customer_type: self.customer_type,
            subscription_type: self.subscription_type,
            terminal_type: self.terminal_type.unwrap_or_default(),
            num_sessions: m.num_sessions,
            lines_added: m.lines_of_code.added,
            lines_removed: m.lines_of_code.removed,
            commits: m.commits_by_claude_code,
            pull_requests: m.pull_requests_by_claude_code,
            tool_actions: self
                .tool_actions
                .into_iter()
                .map(|(tool, a)| (tool, (a.accepted, a.rejected)))
                .collect(),
            models,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Money;
    use crate::source::anthropic::wire::Report;

    #[test]
    fn claude_code_example_of_section_4_2() {
        let body = r#"{
      "data": [{
          "date": "2025-09-01T00:00:00Z",
          "actor": {"type": "user_actor", "email_address": "developer@company.com"},
          "organization_id": "dc9f6c26-b22c-4831-8d01-0446bada88f1",
          "customer_type": "api",
          "terminal_type": "vscode",
          "core_metrics": {
              "num_sessions": 5,
              "lines_of_code": {"added": 1543, "removed": 892},
              "commits_by_claude_code": 12,
              "pull_requests_by_claude_code": 2
          },
          "tool_actions": {
              "edit_tool": {"accepted": 45, "rejected": 5},
              "multi_edit_tool": {"accepted": 12, "rejected": 2},
              "write_tool": {"accepted": 8, "rejected": 1},
              "notebook_edit_tool": {"accepted": 3, "rejected": 0}
          },
          "model_breakdown": [{
              "model": "claude-opus-4-7",
              "tokens": {"input": 100000, "output": 35000, "cache_read": 10000, "cache_creation": 5000},
              "estimated_cost": {"currency": "USD", "amount": 1025}
          }]
      }],
      "has_more": false,
      "next_page": null
    }"#;
        let report: Report<CcRecord> = serde_json::from_str(body).unwrap();
        assert!(!report.has_more && report.next_page.is_none());
        let r = report
            .data
            .into_iter()
            .next()
            .unwrap()
            .into_record()
            .unwrap();
        assert_eq!(r.date, NaiveDate::from_ymd_opt(2025, 9, 1).unwrap());
        assert_eq!(
            (r.actor_type.as_str(), r.actor_id.as_str()),
            ("user_actor", "developer@company.com")
        );
        assert_eq!(r.customer_type.as_deref(), Some("api"));
        assert_eq!(r.subscription_type, None);
        assert_eq!(r.terminal_type, "vscode");
        assert_eq!(
            (r.num_sessions, r.lines_added, r.lines_removed),
            (5, 1543, 892)
        );
        assert_eq!((r.commits, r.pull_requests), (12, 2));
        assert_eq!(r.tool_actions.len(), 4);
        assert_eq!(r.tool_actions["edit_tool"], (45, 5));
        assert_eq!(r.tool_actions["notebook_edit_tool"], (3, 0));
        let m = &r.models[0];
        assert_eq!(m.model, "claude-opus-4-7");
        assert_eq!(
            (m.input, m.output, m.cache_read, m.cache_creation),
            (100_000, 35_000, 10_000, 5_000)
        );
        assert_eq!(m.estimated_cost, Money::from_cents(1025));
        assert_eq!(m.estimated_cost.nanos(), 10_250_000_000);
    }

    #[test]
    fn claude_code_dates_actors_and_fractional_estimates() {
        let body = r#"{"date":"2025-09-02","actor":{"type":"api_actor","api_key_name":"ci-key"},
        "terminal_type":"tmux","is_remote":true,"subscription_type":null,
        "model_breakdown":[{"model":"m","tokens":{"input":1,"output":2,"cache_read":3,"cache_creation":4},
        "estimated_cost":{"currency":"USD","amount":10.25}}]}"#;
        let r = serde_json::from_str::<CcRecord>(body)
            .unwrap()
            .into_record()
            .unwrap();
        assert_eq!(r.date, NaiveDate::from_ymd_opt(2025, 9, 2).unwrap());
        assert_eq!(
            (r.actor_type.as_str(), r.actor_id.as_str()),
            ("api_actor", "ci-key")
        );
        assert_eq!(r.models[0].estimated_cost.nanos(), 102_500_000);
        assert_eq!((r.num_sessions, r.tool_actions.len()), (0, 0));
        let later = r#"{"date":"2025-09-02","actor":{"type":"service_account_actor","service_account_id":"sa_1"}}"#;
        let r = serde_json::from_str::<CcRecord>(later)
            .unwrap()
            .into_record()
            .unwrap();
        assert_eq!(
            (r.actor_type.as_str(), r.actor_id.as_str()),
            ("service_account_actor", "sa_1")
        );
        assert!(
            serde_json::from_str::<CcRecord>(r#"{"date":"Sept 2","actor":{"type":"x"}}"#).is_err()
        );
    }
}

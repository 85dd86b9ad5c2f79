//! `unitUsage`: usage that is not tokens (images, speech, transcription, file search, code
//! interpreter, vector storage) per UTC day, with list-price estimates.

use napi_derive::napi;

use crate::error::run;
use crate::integers::ids;
use crate::ledger::JsLedger;
use crate::model::{Money, date, parse_date};

/// What `unitUsage` reads.
#[napi(object, object_to_js = false)]
pub struct UnitUsageOptions {
    /// First UTC day, `YYYY-MM-DD`.
    pub from: String,
    /// The day after the last, `YYYY-MM-DD`.
    pub to: String,
    /// Only these plans (default: every connected plan).
    pub plan_ids: Option<Vec<f64>>,
    /// Only these units (default: all).
    #[napi(
        ts_type = "Array<'images' | 'speech_characters' | 'transcription_seconds' | 'file_search_calls' | 'code_interpreter_sessions' | 'storage_bytes'>"
    )]
    pub units: Option<Vec<String>>,
}

/// One UTC day of one combination of a plan's non-token usage.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct UnitUsageLine {
    /// The plan.
    pub plan_id: i64,
    /// The UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// The workspace (an OpenAI project); null for usage no project owns.
    pub workspace_id: Option<String>,
    /// The API key; null for Playground use and units not reported per key.
    pub api_key_id: Option<String>,
    /// The organisation member who made the requests, when the provider says.
    pub actor_id: Option<String>,
    /// The model, for units reported per model.
    pub model: Option<String>,
    /// What is counted.
    #[napi(
        ts_type = "'images' | 'speech_characters' | 'transcription_seconds' | 'file_search_calls' | 'code_interpreter_sessions' | 'storage_bytes'"
    )]
    pub unit: String,
    /// An image's `size/source`, or the vector store of file search calls.
    pub variant: Option<String>,
    /// Model requests behind it.
    pub requests: i64,
    /// The day's count; for `storage_bytes`, byte-days (the bytes stored, averaged over the
    /// day).
    pub quantity: i64,
    /// Its list-price estimate; null when the price table has no price for it (never a
    /// zero). The bill is in the cost reports.
    pub estimate: Option<Money>,
}

impl From<costledger::UnitUsageLine> for UnitUsageLine {
    fn from(l: costledger::UnitUsageLine) -> Self {
        let int = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
        UnitUsageLine {
            plan_id: l.plan_id,
            day: date(l.day),
            workspace_id: l.workspace_id,
            api_key_id: l.api_key_id,
            actor_id: l.actor_id,
            model: l.model,
            unit: l.unit.to_string(),
            variant: l.variant,
            requests: int(l.requests),
            quantity: int(l.quantity),
            estimate: l.estimate.map(Into::into),
        }
    }
}

#[napi]
impl JsLedger {
    /// Usage that is not tokens per plan and UTC day in `[from, to)`, per workspace, key,
    /// actor, model, unit and variant, with a list-price estimate. Plans of providers
    /// without such usage (Anthropic) have no lines. A `to` not after `from`, or an unknown
    /// unit, is `INVALID_INPUT`; an unknown plan `PLAN_NOT_FOUND`.
    #[napi(catch_unwind)]
    pub async fn unit_usage(&self, options: UnitUsageOptions) -> napi::Result<Vec<UnitUsageLine>> {
        run(async {
            let filter = costledger::UnitUsageFilter {
                plan_ids: ids("planIds", options.plan_ids.unwrap_or_default())?,
                units: options
                    .units
                    .unwrap_or_default()
                    .iter()
                    .map(|u| u.parse())
                    .collect::<costledger::Result<_>>()?,
                ..costledger::UnitUsageFilter::new(
                    parse_date("from", &options.from)?,
                    parse_date("to", &options.to)?,
                )
            };
            self.inner.unit_usage(&filter).await
        })
        .await
        .map(|lines| lines.into_iter().map(Into::into).collect())
    }
}

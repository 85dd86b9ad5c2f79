//! `unitUsage`: usage that is not tokens (images, speech, transcription, file search, code
//! interpreter, vector storage) per UTC day, with list-price estimates.

use napi_derive::napi;

use crate::error::run_json;
use crate::integers::ids;
use crate::ledger::JsLedger;
use crate::model::parse_date;

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

#[napi]
impl JsLedger {
    /// Usage that is not tokens per plan and UTC day in `[from, to)`, per workspace, key,
    /// actor, model, unit and variant, with a list-price estimate. Plans of providers
    /// without such usage (Anthropic) have no lines. A `to` not after `from`, or an unknown
    /// unit, is `INVALID_INPUT`; an unknown plan `PLAN_NOT_FOUND`.
    #[napi(catch_unwind)]
    pub async fn unit_usage(&self, options: UnitUsageOptions) -> napi::Result<String> {
        run_json(async {
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
    }
}

//! `forecast`: where a scope's usage cost will end a period, from the recent daily run rate.

use napi_derive::napi;

use super::period;
use crate::error::run_json;
use crate::ledger::JsLedger;

/// What `forecast` projects.
#[napi(object, object_to_js = false)]
pub struct ForecastOptions {
    /// What to project the usage cost of: `global`, `plan:3`, `workspace:3:wrkspc_…` (or
    /// `workspace:3:default`), `subject:u-1` or `project:7`.
    pub scope: String,
    /// The period to project to its end: `2026-11`, `2026-11-05`, `2026-W45` or
    /// `2026-11-01..2026-11-16`, optionally followed by a space and an IANA time zone.
    pub period: String,
    /// The IANA time zone the period's dates are in; replaces a zone written in `period`.
    /// Default: the one in `period`, else UTC.
    pub time_zone: Option<String>,
}

#[napi]
impl JsLedger {
    /// Where a scope's usage cost will end a period, at the ledger's clock: spent so far plus
    /// the mean daily usage cost of the last 7 complete days in the period's time zone (fewer
    /// at the start of the plans' history) times the time left. A period that has ended
    /// projects what was spent. The scope's target must exist (its not-found code).
    #[napi(catch_unwind)]
    pub async fn forecast(&self, options: ForecastOptions) -> napi::Result<String> {
        run_json(async {
            let scope = options.scope.parse()?;
            let period = period(&options.period, options.time_zone)?;
            self.inner.forecast(&scope, period).await
        })
        .await
    }
}

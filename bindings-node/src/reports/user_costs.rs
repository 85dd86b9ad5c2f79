//! `userCosts`: what one subject cost in a period.

use napi_derive::napi;

use super::period;
use crate::error::run_json;
use crate::ledger::JsLedger;

/// Which period `userCosts` covers.
#[napi(object, object_to_js = false)]
pub struct UserCostsOptions {
    /// `2026-11` (a month), `2026-11-05` (a day), `2026-W45` (an ISO week) or
    /// `2026-11-01..2026-11-16` (dates, the end exclusive), optionally followed by a space and
    /// an IANA time zone (`2026-11 America/Los_Angeles`).
    pub period: String,
    /// The IANA time zone the period's dates are in; replaces a zone written in `period`.
    /// Default: the one in `period`, else UTC.
    pub time_zone: Option<String>,
}

#[napi]
impl JsLedger {
    /// What a subject cost in a period: the allocated and estimated cost of the API keys
    /// attributed to them (a mapping first, else the key creator's email, resolved per hour),
    /// per plan, model, project and day, plus their seat share of plan subscriptions.
    /// `SUBJECT_NOT_FOUND` when there is no such subject; a malformed period or zone is
    /// `INVALID_INPUT`.
    #[napi(catch_unwind)]
    pub async fn user_costs(
        &self,
        subject_id: String,
        options: UserCostsOptions,
    ) -> napi::Result<String> {
        run_json(async {
            let period = period(&options.period, options.time_zone)?;
            self.inner.user_costs(&subject_id, period).await
        })
        .await
    }
}

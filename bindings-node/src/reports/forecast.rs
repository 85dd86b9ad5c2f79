//! `forecast`: where a scope's usage cost will end a period, from the recent daily run rate.

use napi_derive::napi;

use super::{Period, period};
use crate::error::run;
use crate::ledger::JsLedger;
use crate::model::{Money, iso};

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

/// An end-of-period projection of usage cost (billed + estimated).
#[napi(object, object_from_js = false)]
pub struct Forecast {
    /// The period projected.
    pub period: Period,
    /// Usage cost spent in the period so far.
    pub spent: Money,
    /// Usage cost expected by the end of the period.
    pub projected: Money,
    /// The run rate: mean usage cost per complete day of the last 7 (zero when no complete
    /// day was available or the period has ended).
    pub daily_rate: Money,
    /// How `projected` was computed, in words ("spent so far + mean of the last 7 complete
    /// days × 12.5 days left").
    pub method: String,
    /// The instant of the projection: the ledger's clock (ISO-8601, UTC).
    pub as_of: String,
}

impl From<costledger::Forecast> for Forecast {
    fn from(f: costledger::Forecast) -> Self {
        Forecast {
            period: f.period.into(),
            spent: f.spent.into(),
            projected: f.projected.into(),
            daily_rate: f.daily_rate.into(),
            method: f.method,
            as_of: iso(f.as_of),
        }
    }
}

#[napi]
impl JsLedger {
    /// Where a scope's usage cost will end a period, at the ledger's clock: spent so far plus
    /// the mean daily usage cost of the last 7 complete days in the period's time zone (fewer
    /// at the start of the plans' history) times the time left. A period that has ended
    /// projects what was spent. The scope's target must exist (its not-found code).
    #[napi(catch_unwind)]
    pub async fn forecast(&self, options: ForecastOptions) -> napi::Result<Forecast> {
        run(async {
            let scope = options.scope.parse()?;
            let period = period(&options.period, options.time_zone)?;
            self.inner.forecast(&scope, period).await
        })
        .await
        .map(Forecast::from)
    }
}

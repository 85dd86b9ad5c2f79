//! Exports: each report as the core writes it to a file, JSON or CSV (the core's `Export`
//! trait), and the FinOps FOCUS CSV. The same bytes as the CLI's `--json`/`--csv` and the
//! Python package: snake_case JSON with exact dollar strings, RFC 4180 CSV.

use costledger::{Export, FocusFilter};
use napi_derive::napi;

use super::dashboard::DashboardOptions;
use super::forecast::ForecastOptions;
use super::period;
use super::user_costs::UserCostsOptions;
use crate::error::{invalid, run};
use crate::integers;
use crate::ledger::JsLedger;
use crate::sync::{SyncHistoryOptions, SyncOptions};

/// The export `format` names: `json` or `csv`.
pub(crate) fn by_format(
    format: &str,
    json: impl FnOnce() -> costledger::Result<String>,
    csv: impl FnOnce() -> costledger::Result<String>,
) -> costledger::Result<String> {
    match format {
        "json" => json(),
        "csv" => csv(),
        _ => Err(invalid(format!(
            "format must be json or csv, got {format:?}"
        ))),
    }
}

/// A report in the format asked for, as its `Export` writes it.
fn export<T: Export + ?Sized>(report: &T, format: &str) -> costledger::Result<String> {
    by_format(format, || report.to_json(), || report.to_csv())
}

/// What `focusExport` covers.
#[napi(object, object_to_js = false)]
pub struct FocusOptions {
    /// `2026-11`, `2026-11-05`, `2026-W45` or `2026-11-01..2026-11-16`, optionally followed by
    /// a space and an IANA time zone: its whole UTC days, and the hours at its edges in
    /// another zone.
    pub period: String,
    /// The IANA time zone the period's dates are in; replaces a zone written in `period`.
    /// Default: the one in `period`, else UTC.
    pub time_zone: Option<String>,
    /// Only these plans (`PLAN_NOT_FOUND` when one does not exist). Default: every plan,
    /// disconnected ones included.
    pub plan_ids: Option<Vec<f64>>,
}

#[napi]
impl JsLedger {
    /// The dashboard of `options` as the core exports it: `json` (the report with snake_case
    /// keys and exact dollar strings) or `csv` (a `total` row, then rows per plan, workspace,
    /// model, subject, `unattributed`, day and missing price).
    #[napi(catch_unwind)]
    pub async fn export_dashboard(
        &self,
        options: DashboardOptions,
        #[napi(ts_arg_type = "'json' | 'csv'")] format: String,
    ) -> napi::Result<String> {
        run(async {
            let dashboard = self.inner.dashboard(options.try_into()?).await?;
            export(&dashboard, &format)
        })
        .await
    }

    /// A subject's costs (`userCosts`) as the core exports them: `json` or `csv` (a `total`
    /// row, then rows per plan, model, project, day and seat).
    #[napi(catch_unwind)]
    pub async fn export_user_costs(
        &self,
        subject_id: String,
        options: UserCostsOptions,
        #[napi(ts_arg_type = "'json' | 'csv'")] format: String,
    ) -> napi::Result<String> {
        run(async {
            let period = period(&options.period, options.time_zone)?;
            let costs = self.inner.user_costs(&subject_id, period).await?;
            export(&costs, &format)
        })
        .await
    }

    /// A forecast as the core exports it: `json` or `csv` (one row).
    #[napi(catch_unwind)]
    pub async fn export_forecast(
        &self,
        options: ForecastOptions,
        #[napi(ts_arg_type = "'json' | 'csv'")] format: String,
    ) -> napi::Result<String> {
        run(async {
            let scope = options.scope.parse()?;
            let period = period(&options.period, options.time_zone)?;
            let forecast = self.inner.forecast(&scope, period).await?;
            export(&forecast, &format)
        })
        .await
    }

    /// Every budget as the core exports them: `json` or `csv` (a row per budget).
    #[napi(catch_unwind)]
    pub async fn export_budgets(
        &self,
        #[napi(ts_arg_type = "'json' | 'csv'")] format: String,
    ) -> napi::Result<String> {
        run(async { export(&self.inner.list_budgets().await?, &format) }).await
    }

    /// Every budget's status now as the core exports them: `json` or `csv` (a row per
    /// budget).
    #[napi(catch_unwind)]
    pub async fn export_budget_statuses(
        &self,
        #[napi(ts_arg_type = "'json' | 'csv'")] format: String,
    ) -> napi::Result<String> {
        run(async { export(&self.inner.budget_statuses().await?, &format) }).await
    }

    /// Sync exactly as `sync` does, and resolve to its report as the core exports it (what
    /// `costledger sync --csv` prints): `json` or `csv` (a row per stream of each plan, and
    /// per budget alert). For a cron job that keeps the report as a file; `{}` syncs every
    /// plan with the defaults.
    #[napi(catch_unwind)]
    pub async fn sync_and_export(
        &self,
        options: SyncOptions,
        #[napi(ts_arg_type = "'json' | 'csv'")] format: String,
    ) -> napi::Result<String> {
        run(async { export(&self.inner.sync(options.try_into()?).await?, &format) }).await
    }

    /// Recorded sync events (`syncHistory`; `{}` for the latest 100) as the core exports them:
    /// `json` or `csv` (a row per event).
    #[napi(catch_unwind)]
    pub async fn export_sync_history(
        &self,
        options: SyncHistoryOptions,
        #[napi(ts_arg_type = "'json' | 'csv'")] format: String,
    ) -> napi::Result<String> {
        run(async {
            let events = self.inner.sync_history(options.try_into()?).await?;
            export(&events, &format)
        })
        .await
    }

    /// The allocated cost of a period as CSV in the FinOps FOCUS 1.1 column layout: one row
    /// per plan, UTC day, API key, workspace, model, tier, window and basis. Summed over the
    /// period, `BilledCost` is the providers' bill and `EffectiveCost` the dashboard's usage
    /// total.
    #[napi(catch_unwind)]
    pub async fn focus_export(&self, options: FocusOptions) -> napi::Result<String> {
        run(async {
            let mut filter = FocusFilter::new(period(&options.period, options.time_zone)?);
            if let Some(ids) = options.plan_ids {
                filter = filter.plans(integers::ids("planIds", ids)?);
            }
            self.inner.focus_export(filter).await
        })
        .await
    }
}

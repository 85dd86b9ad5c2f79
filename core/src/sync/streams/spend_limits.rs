//! The `spend_limits` stream: the organisation's spend limits and (Claude Enterprise) the
//! effective report of each member's limit and period-to-date spend, read whole and stored
//! in one transaction that replaces the plan's previous reading (see docs/analytics.md).

use super::{Progress, StreamRun};
use crate::error::{Error, Result};
use crate::model::SyncedSpendLimits;
use crate::source::SourceContext;
use crate::source::anthropic::analytics::SpendLimitFilter;
use crate::sync::cancel::unless_cancelled;
use crate::sync::report::SyncError;

impl StreamRun<'_> {
    /// Sync the plan's spend limits. Both readings are taken before anything is written, then
    /// the plan's stored limits, effective rows and sync time are replaced together. A
    /// Claude Console organisation refusing the effective report (400) stores its limits and
    /// no effective rows, with the provider's reason.
    pub(super) async fn spend_limits(
        &self,
        ctx: SourceContext<'_>,
        progress: &mut Progress,
    ) -> Result<()> {
        let api = self.source.spend_limit_api().ok_or_else(|| {
            Error::invalid(format!(
                "plan {} is a {} plan: its provider has no spend limits API",
                self.plan.id, self.plan.provider
            ))
        })?;
        let limits = unless_cancelled(self.cancel(), api.list(ctx, &SpendLimitFilter::default()))
            .await
            .ok_or(Error::Interrupted)??;
        let (effective, effective_unavailable) =
            match unless_cancelled(self.cancel(), api.effective(ctx, &[], &[]))
                .await
                .ok_or(Error::Interrupted)?
            {
                Ok(rows) => (rows, None),
                // The organisation has no effective report (Claude Console).
                Err(Error::InvalidInput { message }) => (Vec::new(), Some(message)),
                Err(e) => return Err(e),
            };
        let synced = SyncedSpendLimits {
            plan_id: self.plan.id,
            synced_at: Some(self.engine.now()),
            limits,
            effective,
            effective_unavailable,
        };
        progress.rows = self.engine.store.replace_spend_limits(&synced).await? as i64;
        Ok(())
    }
}

/// Why the stream is skipped, when `e` says the plan cannot read spend limits: a scoped key
/// without `read:spend_limits` or an OAuth token (403), or an organisation without the
/// Spend Limits API (a 400 of the list: `INVALID_INPUT`). The plan's other streams are not
/// affected; the event says why in words that fit a skip (not "rotate the credential").
pub(super) fn skip_reason(e: &Error) -> Option<SyncError> {
    let why = match e {
        Error::CredentialRejected {
            status: 403,
            message,
            ..
        } => format!("the plan's credential cannot read spend limits (HTTP 403): {message}"),
        Error::OAuthRejected {
            status: 403,
            description,
            ..
        } => format!(
            "an OAuth token cannot read spend limits (HTTP 403): {description}; a Console \
             admin key or a key with read:spend_limits can"
        ),
        Error::InvalidInput { message } => {
            format!("the organisation has no spend limits costledger can read: {message}")
        }
        _ => return None,
    };
    Some(SyncError {
        code: e.code().to_string(),
        message: format!("spend limits skipped: {why}"),
    })
}

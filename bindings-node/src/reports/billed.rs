//! `billedCosts`: the Analytics API's billed cost per UTC day and per API key, actor or
//! workspace, net (after the organisation's discount) and list.

use napi_derive::napi;

use crate::error::run;
use crate::integers::ids;
use crate::ledger::JsLedger;
use crate::model::{Money, date, parse_date};

/// What `billedCosts` reads.
#[napi(object, object_to_js = false)]
pub struct BilledCostsOptions {
    /// First UTC day, `YYYY-MM-DD`.
    pub from: String,
    /// The day after the last, `YYYY-MM-DD`.
    pub to: String,
    /// What each line sums, besides the plan and the day (default `'actor'`).
    #[napi(ts_type = "'day' | 'api_key' | 'actor' | 'workspace'")]
    pub by: Option<String>,
    /// Only these plans (default: every connected Anthropic plan).
    pub plan_ids: Option<Vec<f64>>,
}

/// Who a `by: 'actor'` line is about.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct BilledActor {
    /// A member, an API key itself, a service account or a federated identity.
    #[napi(ts_type = "'user_actor' | 'api_actor' | 'service_account_actor' | 'federated_actor'")]
    pub actor_type: String,
    /// `user_…`, `apikey_…` or `svac_…`; null for a federated identity, which has no id.
    pub id: Option<String>,
    /// A federated identity's provider (token issuer).
    pub federated_provider: Option<String>,
    /// A federated identity's subject claim.
    pub federated_subject: Option<String>,
    /// A member's e-mail address (kept for former members).
    pub email: Option<String>,
    /// A member's display name, when they set one.
    pub name: Option<String>,
    /// A former member.
    pub deleted: bool,
    /// The subject whose e-mail is the member's, if any.
    pub subject_id: Option<String>,
}

/// One plan's billed cost on one UTC day, of one API key, actor or workspace (or the whole
/// day), as the Analytics API states it.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct BilledCostLine {
    /// The plan.
    pub plan_id: i64,
    /// The UTC day, `YYYY-MM-DD`.
    pub day: String,
    /// What the line is a total of.
    #[napi(ts_type = "'day' | 'api_key' | 'actor' | 'workspace'")]
    pub by: String,
    /// `by: 'api_key'`: the key; null for usage without one.
    pub api_key_id: Option<String>,
    /// `by: 'workspace'`: the workspace; null for the Default workspace.
    pub workspace_id: Option<String>,
    /// `by: 'actor'`: who.
    pub actor: Option<BilledActor>,
    /// What the provider charges, after the organisation's discount.
    pub net: Money,
    /// The same usage at list prices.
    pub list: Money,
    /// `list − net`.
    pub discount: Money,
    /// Requests, when every stored row states them; null otherwise (never 0 for unknown).
    pub requests: Option<i64>,
    /// Always `'billed'`: the provider's own figure, no allocation.
    #[napi(ts_type = "'billed'")]
    pub basis: String,
}

impl From<costledger::BilledActor> for BilledActor {
    fn from(a: costledger::BilledActor) -> Self {
        BilledActor {
            actor_type: a.actor_type.to_string(),
            id: a.id,
            federated_provider: a.federated_provider,
            federated_subject: a.federated_subject,
            email: a.email,
            name: a.name,
            deleted: a.deleted,
            subject_id: a.subject_id,
        }
    }
}

impl From<costledger::BilledCostLine> for BilledCostLine {
    fn from(l: costledger::BilledCostLine) -> Self {
        BilledCostLine {
            plan_id: l.plan_id,
            day: date(l.day),
            by: l.by.to_string(),
            api_key_id: l.api_key_id,
            workspace_id: l.workspace_id,
            actor: l.actor.map(Into::into),
            net: l.net.into(),
            list: l.list.into(),
            discount: l.discount.into(),
            requests: l.requests,
            basis: l.basis.to_string(),
        }
    }
}

#[napi]
impl JsLedger {
    /// The Analytics API's billed cost per plan and UTC day in `[from, to)`, summed by day,
    /// API key, actor or workspace (`by`, default `'actor'`), net and list exact. Read from
    /// what the `analytics` sync stream stored: plans and days it has not read have no lines.
    /// A `to` not after `from`, or an unknown `by`, is `INVALID_INPUT`; an unknown plan
    /// `PLAN_NOT_FOUND`.
    #[napi(catch_unwind)]
    pub async fn billed_costs(
        &self,
        options: BilledCostsOptions,
    ) -> napi::Result<Vec<BilledCostLine>> {
        run(async {
            let by = options.by.as_deref().unwrap_or("actor").parse()?;
            let filter = costledger::BilledCostFilter {
                plan_ids: ids("planIds", options.plan_ids.unwrap_or_default())?,
                ..costledger::BilledCostFilter::new(
                    parse_date("from", &options.from)?,
                    parse_date("to", &options.to)?,
                    by,
                )
            };
            self.inner.billed_costs(&filter).await
        })
        .await
        .map(|lines| lines.into_iter().map(Into::into).collect())
    }
}

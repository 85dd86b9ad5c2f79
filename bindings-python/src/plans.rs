//! Plan management (core `ledger/plans.rs`): add, list, get, update, disconnect, rotate a
//! credential, import from the environment, check, metadata.

use chrono::NaiveDate;
use costledger::{DataRetention, Error, ListPlans, Money, NewPlan, PlanUpdate, Subscription};
use pyo3::prelude::*;

use crate::ledger::PyLedger;
use crate::pending::Pending;

/// A subscription as the Python layer passes it: a dict of plain values, enumerations and
/// the price as strings for the core to parse.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub(crate) struct SubscriptionArg {
    tier: String,
    seats: i64,
    price_per_seat: Option<String>,
    cycle: String,
    anchor_date: NaiveDate,
    currency: String,
}

impl SubscriptionArg {
    fn into_core(self) -> costledger::Result<Subscription> {
        let mut subscription = Subscription::new(self.tier.parse()?, self.seats, self.anchor_date)
            .cycle(self.cycle.parse()?);
        if let Some(price) = self.price_per_seat {
            subscription = subscription.price_per_seat(Money::parse_dollars(&price)?);
        }
        subscription.currency = self.currency;
        Ok(subscription)
    }
}

#[pymethods]
impl PyLedger {
    /// Add a plan: an Anthropic organisation reached with its admin key, or Claude Code's
    /// local logs in `directories` (empty: the default ones). Exactly one of the two.
    #[pyo3(signature = (label, admin_api_key=None, directories=None, subscription=None))]
    fn add_plan(
        &self,
        label: String,
        admin_api_key: Option<String>,
        directories: Option<Vec<String>>,
        subscription: Option<SubscriptionArg>,
    ) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move {
            let mut plan = match (admin_api_key, directories) {
                (Some(key), None) => NewPlan::anthropic(label, key),
                (None, Some(directories)) => NewPlan::claude_code_logs(label, directories),
                _ => {
                    return Err(Error::invalid(
                        "give admin_api_key (an Anthropic organisation) or directories (a \
                         claude_code_logs plan), not both or neither",
                    ));
                }
            };
            if let Some(subscription) = subscription {
                plan = plan.with_subscription(subscription.into_core()?);
            }
            ledger.add_plan(plan).await
        })
    }

    /// The organisation metadata last synced for a plan: workspaces, API keys, members.
    fn plan_metadata(&self, plan_id: i64) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.plan_metadata(plan_id).await })
    }

    /// Plans in id order.
    fn list_plans(&self, include_disconnected: bool) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move {
            ledger
                .list_plans(ListPlans {
                    include_disconnected,
                })
                .await
        })
    }

    /// One plan, or `PLAN_NOT_FOUND`.
    fn get_plan(&self, plan_id: i64) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.get_plan(plan_id).await })
    }

    /// Change a plan's label or subscription.
    #[pyo3(signature = (plan_id, label=None, subscription=None, clear_subscription=false))]
    fn update_plan(
        &self,
        plan_id: i64,
        label: Option<String>,
        subscription: Option<SubscriptionArg>,
        clear_subscription: bool,
    ) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move {
            let mut update = PlanUpdate::new();
            update.label = label;
            if let Some(subscription) = subscription {
                update = update.subscription(subscription.into_core()?);
            } else if clear_subscription {
                update = update.clear_subscription();
            }
            ledger.update_plan(plan_id, update).await
        })
    }

    /// Disconnect a plan, keeping or purging its synced data.
    fn disconnect_plan(&self, plan_id: i64, purge: bool) -> Pending {
        let ledger = self.inner.clone();
        let retention = match purge {
            true => DataRetention::Purge,
            false => DataRetention::Keep,
        };
        Pending::json(async move { ledger.disconnect_plan(plan_id, retention).await })
    }

    /// Replace a plan's admin key with one of the same organisation.
    fn rotate_plan_credential(&self, plan_id: i64, admin_api_key: String) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.rotate_plan_credential(plan_id, admin_api_key).await })
    }

    /// Import `ANTHROPIC_ADMIN_API_KEY` as the first plan; `null` when nothing was done.
    fn import_plan_from_env(&self) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.import_plan_from_env().await })
    }

    /// Ask the provider again which organisation the stored credential answers for.
    fn check_plan(&self, plan_id: i64) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.check_plan(plan_id).await })
    }
}

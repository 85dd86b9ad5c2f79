//! The plan methods that carry a credential (core `ledger/plans.rs`): add a plan (with an
//! admin key, OAuth tokens or log directories) and rotate its credential. The others are
//! `Ledger.call`'s.

use chrono::NaiveDate;
use costledger::{Error, Money, NewPlan, Provider, Subscription};
use pyo3::prelude::*;

use crate::ledger::PyLedger;
use crate::oauth::PyOAuthTokens;
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
    /// Add a plan: an Anthropic organisation reached with its admin key or with the tokens
    /// of an OAuth sign-in, an OpenAI organisation (`provider="openai"`) with its admin key,
    /// or Claude Code's local logs in `directories` (empty: the default ones). Exactly one
    /// credential (or the directories).
    #[pyo3(signature = (label, admin_api_key=None, directories=None, subscription=None, oauth_tokens=None, provider=None))]
    fn add_plan(
        &self,
        label: String,
        admin_api_key: Option<String>,
        directories: Option<Vec<String>>,
        subscription: Option<SubscriptionArg>,
        oauth_tokens: Option<PyRef<'_, PyOAuthTokens>>,
        provider: Option<String>,
    ) -> Pending {
        let ledger = self.inner.clone();
        let oauth_tokens = oauth_tokens.map(|t| t.inner.clone());
        Pending::json(async move {
            let provider: Option<Provider> = provider.as_deref().map(str::parse).transpose()?;
            let mut plan = match (admin_api_key, oauth_tokens, directories) {
                (Some(key), None, None) if provider == Some(Provider::OpenAi) => {
                    NewPlan::openai(label, key)
                }
                (Some(key), None, None) => NewPlan::anthropic(label, key),
                (None, Some(tokens), None) => NewPlan::anthropic_oauth(label, tokens),
                (None, None, Some(directories)) => NewPlan::claude_code_logs(label, directories),
                _ => {
                    return Err(Error::invalid(
                        "give admin_api_key or oauth_tokens (an Anthropic organisation) or \
                         directories (a claude_code_logs plan): exactly one of them",
                    ));
                }
            };
            if let Some(provider) = provider {
                // A provider that does not take the credential given is refused by the core
                // against its catalog (a logs plan with a key, an OpenAI plan with tokens).
                plan.provider = provider;
            }
            if let Some(subscription) = subscription {
                plan = plan.with_subscription(subscription.into_core()?);
            }
            ledger.add_plan(plan).await
        })
    }

    /// Replace an OAuth plan's tokens with those of a new sign-in to the same organisation.
    fn rotate_plan_oauth(&self, plan_id: i64, tokens: PyRef<'_, PyOAuthTokens>) -> Pending {
        let (ledger, tokens) = (self.inner.clone(), tokens.inner.clone());
        Pending::json(async move { ledger.rotate_plan_oauth(plan_id, tokens).await })
    }

    /// Replace a plan's admin key with one of the same organisation.
    fn rotate_plan_credential(&self, plan_id: i64, admin_api_key: String) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.rotate_plan_credential(plan_id, admin_api_key).await })
    }
}

//! The plan methods that carry a credential (core `ledger/plans.rs`): add a plan (with an
//! admin key, OAuth tokens or log directories) and rotate its credential. The others are
//! `Ledger.call`'s.

use pyo3::prelude::*;

use crate::ledger::PyLedger;
use crate::oauth::PyOAuthTokens;
use crate::pending::Pending;

#[pymethods]
impl PyLedger {
    /// Add a plan: `plan` holds its named arguments as JSON (`label`, `provider`,
    /// `directories`, `subscription`: `costledger::new_plan`), the credential is beside them,
    /// never in the text: an admin key, OAuth tokens, or neither for a Claude Code logs plan.
    #[pyo3(signature = (plan, admin_api_key=None, oauth_tokens=None))]
    fn add_plan(
        &self,
        plan: String,
        admin_api_key: Option<String>,
        oauth_tokens: Option<PyRef<'_, PyOAuthTokens>>,
    ) -> Pending {
        let ledger = self.inner.clone();
        let oauth_tokens = oauth_tokens.map(|t| t.inner.clone());
        Pending::json(async move {
            let plan = costledger::new_plan(&plan, admin_api_key, oauth_tokens)?;
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

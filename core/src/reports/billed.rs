//! `billed_costs`: what the Anthropic Analytics API billed, per UTC day and per API key,
//! actor or workspace, with the net (post-discount) and list amounts, read from the rows the
//! `analytics` sync stream stores. No allocation: every amount is the provider's own figure
//! (basis `billed`).

use std::collections::{BTreeMap, HashMap};

use chrono::{NaiveDate, NaiveTime};
use serde::Serialize;

use crate::context::Context;
use crate::error::{Error, Result};
use crate::macros::string_enum;
use crate::model::ListPlans;
use crate::model::{Actor, ActorKey, ActorType, Basis, Money, Provider, normalise_email};
use crate::store::{AnalyticsTotal, AnalyticsTotalsBy};

super::export::export_records!(BilledCostLine);

string_enum! {
    /// What [`Ledger::billed_costs`] sums by, besides the plan and the UTC day.
    BilledBy, "billed by" {
        /// The day only.
        Day => "day",
        /// The API key (no key: Console and Workbench usage, Claude Code with a login).
        ApiKey => "api_key",
        /// The actor: a member, a service account, an API key itself, a federated identity.
        Actor => "actor",
        /// The workspace (none: the Default workspace).
        Workspace => "workspace",
    }
}

impl BilledBy {
    fn totals_by(self) -> AnalyticsTotalsBy {
        match self {
            BilledBy::Day => AnalyticsTotalsBy::Day,
            BilledBy::ApiKey => AnalyticsTotalsBy::ApiKey,
            BilledBy::Actor => AnalyticsTotalsBy::Actor,
            BilledBy::Workspace => AnalyticsTotalsBy::Workspace,
        }
    }
}

/// What [`Ledger::billed_costs`] reads: UTC days `[from, to)` of some plans, summed by `by`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BilledCostFilter {
    /// First UTC day.
    pub from: NaiveDate,
    /// Day after the last.
    pub to: NaiveDate,
    /// What each line is a total of, besides the plan and the day.
    pub by: BilledBy,
    /// The plans (empty: every connected Anthropic plan).
    pub plan_ids: Vec<i64>,
}

impl BilledCostFilter {
    /// Every connected Anthropic plan over UTC days `[from, to)`, summed by `by`.
    pub fn new(from: NaiveDate, to: NaiveDate, by: BilledBy) -> Self {
        BilledCostFilter {
            from,
            to,
            by,
            plan_ids: Vec::new(),
        }
    }
}

/// The actor of a [`BilledCostLine`], with what the plan's analytics rows said about them
/// last, and the costledger subject whose e-mail is theirs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BilledActor {
    /// Member, API key, service account or federated identity.
    pub actor_type: ActorType,
    /// `user_…`, `apikey_…` or `svac_…`; `None` for a federated identity, which has no id.
    pub id: Option<String>,
    /// A federated identity's provider (token issuer).
    pub federated_provider: Option<String>,
    /// A federated identity's subject claim.
    pub federated_subject: Option<String>,
    /// A member's e-mail address (kept for former members).
    pub email: Option<String>,
    /// A member's display name, when they set one.
    pub name: Option<String>,
    /// A former member (deleted, or no longer in the organisation).
    pub deleted: bool,
    /// The subject whose e-mail equals the member's (without case), if any.
    pub subject_id: Option<String>,
}

/// An actor's identity, for ordering: type, id, federated provider and subject.
type ActorOrder<'a> = (
    ActorType,
    &'a Option<String>,
    &'a Option<String>,
    &'a Option<String>,
);

/// A line's place: plan, day, key, workspace, actor.
type LineOrder<'a> = (
    i64,
    NaiveDate,
    &'a Option<String>,
    &'a Option<String>,
    Option<ActorOrder<'a>>,
);

impl BilledActor {
    /// Its identity, for ordering.
    fn order_key(&self) -> ActorOrder<'_> {
        (
            self.actor_type,
            &self.id,
            &self.federated_provider,
            &self.federated_subject,
        )
    }
}

/// One plan's billed cost on one UTC day, of one API key, actor or workspace (or the whole
/// day), as the Analytics API states it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct BilledCostLine {
    /// The plan.
    pub plan_id: i64,
    /// The UTC day.
    pub day: NaiveDate,
    /// What the line is a total of.
    pub by: BilledBy,
    /// By `api_key`: the key; `None` for usage without one.
    pub api_key_id: Option<String>,
    /// By `workspace`: the workspace; `None` for the Default workspace.
    pub workspace_id: Option<String>,
    /// By `actor`: who.
    pub actor: Option<BilledActor>,
    /// What the provider charges, after the organisation's discount.
    pub net: Money,
    /// The same usage at list prices.
    pub list: Money,
    /// `list − net`.
    pub discount: Money,
    /// Requests, when every stored row of the line states them; `None` otherwise (never a
    /// zero for "unknown"). The rows the sync stores are grouped by cost and token type,
    /// where one request spans several rows, so today this is `None`.
    pub requests: Option<i64>,
    /// Always `billed`: the provider's own figure, no allocation.
    pub basis: Basis,
}

impl BilledCostLine {
    fn order_key(&self) -> LineOrder<'_> {
        (
            self.plan_id,
            self.day,
            &self.api_key_id,
            &self.workspace_id,
            self.actor.as_ref().map(BilledActor::order_key),
        )
    }
}

impl Context {
    /// [`crate::Ledger::billed_costs`].
    pub(crate) async fn billed_costs(
        &self,
        filter: &BilledCostFilter,
    ) -> Result<Vec<BilledCostLine>> {
        if filter.to <= filter.from {
            return Err(Error::invalid(format!(
                "the range must end after it starts, got {} to {}",
                filter.from, filter.to
            )));
        }
        let plans = if filter.plan_ids.is_empty() {
            self.list_plans(ListPlans::default()).await?
        } else {
            let mut plans = Vec::with_capacity(filter.plan_ids.len());
            for id in &filter.plan_ids {
                if !plans.iter().any(|p: &crate::Plan| p.id == *id) {
                    plans.push(self.get_plan(*id).await?);
                }
            }
            plans
        };
        let midnight = |d: NaiveDate| d.and_time(NaiveTime::MIN).and_utc();
        let (start, end) = (midnight(filter.from), midnight(filter.to));
        let store = &self.store;
        let subjects = if filter.by == BilledBy::Actor {
            subjects_by_email(&store.list_subjects().await?)
        } else {
            HashMap::new()
        };
        let mut lines = Vec::new();
        for plan in plans {
            if plan.provider != Provider::Anthropic {
                continue;
            }
            let totals = store
                .analytics_cost_totals(plan.id, start, end, filter.by.totals_by())
                .await?;
            let actors: BTreeMap<ActorKey, Actor> = if filter.by == BilledBy::Actor {
                store
                    .analytics_actors(plan.id)
                    .await?
                    .into_iter()
                    .map(|a| (a.key(), a))
                    .collect()
            } else {
                BTreeMap::new()
            };
            for total in totals {
                lines.push(line(plan.id, filter.by, total, &actors, &subjects));
            }
        }
        lines.sort_by(|a, b| a.order_key().cmp(&b.order_key()));
        Ok(lines)
    }
}

/// Subjects by normalised e-mail (unique among subjects).
fn subjects_by_email(subjects: &[crate::model::Subject]) -> HashMap<String, String> {
    subjects
        .iter()
        .filter_map(|s| Some((normalise_email(s.email.as_deref()?), s.id.clone())))
        .collect()
}

fn line(
    plan_id: i64,
    by: BilledBy,
    total: AnalyticsTotal,
    actors: &BTreeMap<ActorKey, Actor>,
    subjects: &HashMap<String, String>,
) -> BilledCostLine {
    let (mut api_key_id, mut workspace_id) = (None, None);
    match by {
        BilledBy::ApiKey => api_key_id = total.id,
        BilledBy::Workspace => workspace_id = total.id,
        BilledBy::Day | BilledBy::Actor => {}
    }
    let actor = total
        .actor
        .map(|key| billed_actor(&key, actors.get(&key), subjects));
    BilledCostLine {
        plan_id,
        day: total.day,
        by,
        api_key_id,
        workspace_id,
        actor,
        net: total.net,
        list: total.list,
        discount: total.list - total.net,
        requests: total.requests,
        basis: Basis::Billed,
    }
}

fn billed_actor(
    key: &ActorKey,
    stored: Option<&Actor>,
    subjects: &HashMap<String, String>,
) -> BilledActor {
    let (federated_provider, federated_subject) = match key {
        ActorKey::Federated { provider, subject } => {
            (Some(provider.clone()), Some(subject.clone()))
        }
        _ => (None, None),
    };
    let (email, name, deleted) = match stored {
        Some(Actor::User {
            email_address,
            name,
            deleted,
            ..
        }) => (email_address.clone(), name.clone(), *deleted),
        _ => (None, None, false),
    };
    let subject_id = email
        .as_deref()
        .and_then(|e| subjects.get(&normalise_email(e)).cloned());
    BilledActor {
        actor_type: key.actor_type(),
        id: key.id().map(str::to_string),
        federated_provider,
        federated_subject,
        email,
        name,
        deleted,
        subject_id,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn total(actor: ActorKey, net: i64, list: i64) -> AnalyticsTotal {
        AnalyticsTotal {
            day: NaiveDate::from_ymd_opt(2026, 11, 3).unwrap(),
            id: None,
            actor: Some(actor),
            net: Money::from_nanos(net),
            list: Money::from_nanos(list),
            requests: None,
        }
    }

    #[test]
    fn an_actor_line_carries_the_member_and_the_subject_with_their_email() {
        let key = ActorKey::User("user_1".into());
        let actors = BTreeMap::from([(
            key.clone(),
            Actor::User {
                user_id: "user_1".into(),
                email_address: Some("Li.Berg@example.com".into()),
                name: Some("Li".into()),
                deleted: false,
            },
        )]);
        let subjects = HashMap::from([("li.berg@example.com".to_string(), "li".to_string())]);
        let l = line(
            7,
            BilledBy::Actor,
            total(key, 900, 1_000),
            &actors,
            &subjects,
        );
        let a = l.actor.as_ref().unwrap();
        assert_eq!(a.actor_type, ActorType::User);
        assert_eq!(a.id.as_deref(), Some("user_1"));
        assert_eq!(a.subject_id.as_deref(), Some("li"));
        assert_eq!(a.name.as_deref(), Some("Li"));
        assert_eq!(l.discount, Money::from_nanos(100));
        assert_eq!(l.basis, Basis::Billed);
        assert_eq!(l.requests, None);
        let json = serde_json::to_value(&l).unwrap();
        assert_eq!(json["net"], "0.0000009");
        assert_eq!(json["by"], "actor");
        assert_eq!(json["actor"]["actor_type"], "user_actor");
        assert!(json["requests"].is_null());
    }

    #[test]
    fn a_federated_identity_has_no_id_and_keeps_provider_and_subject() {
        let key = ActorKey::Federated {
            provider: "https://issuer".into(),
            subject: "sub".into(),
        };
        let l = line(
            1,
            BilledBy::Actor,
            total(key, 1, 1),
            &BTreeMap::new(),
            &HashMap::new(),
        );
        let a = l.actor.unwrap();
        assert_eq!(a.id, None);
        assert_eq!(a.federated_provider.as_deref(), Some("https://issuer"));
        assert_eq!(a.federated_subject.as_deref(), Some("sub"));
        assert_eq!((a.email, a.subject_id), (None, None));
    }

    #[test]
    fn by_parses_its_names() {
        assert_eq!("api_key".parse::<BilledBy>().unwrap(), BilledBy::ApiKey);
        assert!("person".parse::<BilledBy>().is_err());
    }
}

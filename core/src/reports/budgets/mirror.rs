//! Budgets mirroring a provider spend limit: the budget's amount is the limit the last sync
//! stored, its scope the one the limit applies to, and its status puts the provider's limit
//! beside costledger's spend and forecast, flagging a forecast that reaches the limit before
//! the period ends.
//!
//! Scopes map as follows: `organization` → the plan, `workspace:ID` → that workspace of the
//! plan, `user:ID` → the subject whose e-mail is that member's (as attribution maps members),
//! so the budget counts the subject's usage cost on every plan (usually the one organisation).
//! Periods: `day` ↔ `daily` (UTC day), `week` ↔ `weekly` (ISO week, Monday), `month` ↔
//! `monthly`; a mirrored budget is in UTC, like the provider's periods.

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use serde::Serialize;

use super::{BudgetPeriod, BudgetScope, LimitMirror};
use crate::error::{Error, Result};
use crate::model::{Money, SpendLimitScope, SpendPeriod, SyncedSpendLimits, normalise_email};
use crate::reports::forecast::Forecast;
use crate::store::Store;

/// Where the mirrored limit stands in the last sync.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ProviderLimitState {
    /// The provider has the limit, with an amount.
    Present,
    /// The provider has the limit but explicitly without a cap.
    NoCap,
    /// The provider no longer has the limit: the budget keeps its last amount.
    Missing,
    /// The plan's spend limits were never synced.
    NotSynced,
}

impl ProviderLimitState {
    /// `present`, `no_cap`, `missing`, `not_synced`.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderLimitState::Present => "present",
            ProviderLimitState::NoCap => "no_cap",
            ProviderLimitState::Missing => "missing",
            ProviderLimitState::NotSynced => "not_synced",
        }
    }
}

/// The provider's limit beside a mirrored budget's spend and forecast.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ProviderLimitStatus {
    /// The plan whose organisation has the limit.
    pub plan_id: i64,
    /// The limit's scope, in text form (`organization`, `workspace:ID`, `user:ID`).
    #[serde(serialize_with = "crate::model::scope_text")]
    #[schemars(with = "String")]
    pub scope: SpendLimitScope,
    /// The limit's period.
    pub period: SpendPeriod,
    /// Whether the last sync found it.
    pub state: ProviderLimitState,
    /// Its id at the provider, when found.
    pub limit_id: Option<String>,
    /// Its amount, when found with a cap.
    pub amount: Option<Money>,
    /// False when extra usage is switched off at the provider (the limit does not apply).
    pub is_enabled: Option<bool>,
    /// When the plan's limits were last synced.
    pub synced_at: Option<DateTime<Utc>>,
    /// The forecast reaches the provider's limit before the period ends (or spend already
    /// has).
    pub forecast_over_provider_limit: bool,
    /// The day (in the budget's time zone, UTC) the run rate reaches the limit, when it does
    /// within the period.
    pub crosses_on: Option<NaiveDate>,
}

impl ProviderLimitStatus {
    /// The status of `mirror` for a budget of `period` given the stored limits and the
    /// budget's forecast.
    pub(crate) fn of(
        mirror: &LimitMirror,
        period: BudgetPeriod,
        synced: &SyncedSpendLimits,
        forecast: &Forecast,
    ) -> ProviderLimitStatus {
        let period = period.spend_period();
        let limit = synced.limit(&mirror.scope, period);
        let state = match (synced.synced_at, limit) {
            (None, _) => ProviderLimitState::NotSynced,
            (Some(_), None) => ProviderLimitState::Missing,
            (Some(_), Some(l)) if l.amount.is_none() => ProviderLimitState::NoCap,
            (Some(_), Some(_)) => ProviderLimitState::Present,
        };
        let amount = limit.and_then(|l| l.amount);
        let crosses_on = amount.and_then(|cap| crossing(forecast, cap));
        ProviderLimitStatus {
            plan_id: mirror.plan_id,
            scope: mirror.scope.clone(),
            period,
            state,
            limit_id: limit.map(|l| l.id.clone()),
            amount,
            is_enabled: limit.map(|l| l.is_enabled),
            synced_at: synced.synced_at,
            forecast_over_provider_limit: amount.is_some_and(|cap| forecast.projected >= cap),
            crosses_on,
        }
    }
}

/// The local day the forecast's spend reaches `cap`: today when it already has, else the day
/// the run rate brings it there, if that is within the period.
fn crossing(forecast: &Forecast, cap: Money) -> Option<NaiveDate> {
    let period = &forecast.period;
    let at = if forecast.spent >= cap {
        forecast.as_of
    } else if forecast.projected < cap || forecast.daily_rate <= Money::ZERO {
        return None;
    } else {
        let missing = i128::from((cap - forecast.spent).nanos());
        let seconds = missing * 86_400 / i128::from(forecast.daily_rate.nanos());
        forecast.as_of + TimeDelta::seconds(i64::try_from(seconds).ok()?)
    };
    let day = period.local_date(at.min(period.end_instant() - TimeDelta::seconds(1)));
    Some(day)
}

/// The budget scope a mirrored limit's scope counts, checked against what the plan knows.
pub(crate) async fn budget_scope(store: &dyn Store, mirror: &LimitMirror) -> Result<BudgetScope> {
    let plan_id = mirror.plan_id;
    Ok(match &mirror.scope {
        SpendLimitScope::Organization => BudgetScope::Plan(plan_id),
        SpendLimitScope::Workspace { workspace_id } => {
            BudgetScope::workspace(plan_id, Some(workspace_id.clone()))
        }
        SpendLimitScope::User { user_id } => {
            let members = store.metadata(plan_id).await?.users;
            let synced = store.synced_spend_limits(plan_id).await?;
            let email = members
                .iter()
                .find(|u| &u.id == user_id)
                .map(|u| u.email.clone())
                .or_else(|| {
                    synced.effective.iter().find_map(|e| match &e.member {
                        crate::model::SpendMember::User {
                            user_id: id,
                            email_address,
                            ..
                        } if id == user_id => email_address.clone(),
                        _ => None,
                    })
                })
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "user {user_id:?} is not a member of plan {plan_id}'s organisation \
                         with a known e-mail; sync the plan to bring in its members"
                    ))
                })?;
            let email = normalise_email(&email);
            let subject = store
                .list_subjects()
                .await?
                .into_iter()
                .find(|s| s.email.as_deref().map(normalise_email).as_deref() == Some(&email))
                .ok_or_else(|| {
                    Error::invalid(format!(
                        "no subject has the e-mail of user {user_id:?} ({email}); add a \
                         subject with it to budget the member's spend"
                    ))
                })?;
            BudgetScope::Subject(subject.id)
        }
        other => {
            return Err(Error::invalid(format!(
                "a budget mirrors an organization, workspace or user spend limit, not {}",
                other.type_name()
            )));
        }
    })
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;
    use crate::model::SpendLimit;
    use crate::reports::period::Period;

    fn forecast(spent: i64, rate: i64, projected: i64) -> Forecast {
        Forecast {
            period: Period::month(2026, 11).unwrap(),
            spent: Money::from_cents(spent),
            projected: Money::from_cents(projected),
            daily_rate: Money::from_cents(rate),
            method: String::new(),
            as_of: Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap(),
        }
    }

    fn synced(amount: Option<i64>) -> SyncedSpendLimits {
        SyncedSpendLimits {
            plan_id: 1,
            synced_at: Some(Utc.with_ymd_and_hms(2026, 11, 20, 0, 0, 0).unwrap()),
            limits: vec![SpendLimit {
                id: "spl_1".into(),
                scope: SpendLimitScope::Organization,
                period: SpendPeriod::Monthly,
                amount: amount.map(Money::from_cents),
                currency: "USD".into(),
                is_enabled: true,
                created_at: None,
                updated_at: None,
            }],
            ..SyncedSpendLimits::default()
        }
    }

    #[test]
    fn the_crossing_day_follows_the_run_rate() {
        let mirror = LimitMirror {
            plan_id: 1,
            scope: SpendLimitScope::Organization,
        };
        let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
        // $100 spent, $10 a day, $200 projected: a $150 limit is reached 5 days on.
        let f = forecast(10_000, 1_000, 20_000);
        let s = ProviderLimitStatus::of(&mirror, BudgetPeriod::Month, &synced(Some(15_000)), &f);
        assert_eq!(s.state, ProviderLimitState::Present);
        assert!(s.forecast_over_provider_limit);
        assert_eq!(s.crosses_on, Some(day(25)));
        // Already over: today.
        let s = ProviderLimitStatus::of(&mirror, BudgetPeriod::Month, &synced(Some(5_000)), &f);
        assert_eq!(s.crosses_on, Some(day(20)));
        // Not reached in the period.
        let s = ProviderLimitStatus::of(&mirror, BudgetPeriod::Month, &synced(Some(30_000)), &f);
        assert_eq!(
            (s.forecast_over_provider_limit, s.crosses_on),
            (false, None)
        );
        // No cap, another period, never synced.
        let s = ProviderLimitStatus::of(&mirror, BudgetPeriod::Month, &synced(None), &f);
        assert_eq!(
            (s.state, s.forecast_over_provider_limit),
            (ProviderLimitState::NoCap, false)
        );
        let s = ProviderLimitStatus::of(&mirror, BudgetPeriod::Week, &synced(Some(1)), &f);
        assert_eq!(s.state, ProviderLimitState::Missing);
        let never = SyncedSpendLimits::default();
        let s = ProviderLimitStatus::of(&mirror, BudgetPeriod::Month, &never, &f);
        assert_eq!(s.state, ProviderLimitState::NotSynced);
    }
}

//! `Ledger::billed_costs` on SQLite and Postgres: after a sync with the `analytics` stream,
//! the billed cost per day, per API key, per actor and per workspace equals the fake's ground
//! truth exactly, net and list; lines are ordered, their discount is list − net, a member is
//! attributed to the subject with their e-mail, and bad filters are refused.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
use costledger::{
    ActorType, Basis, BilledBy, BilledCostFilter, BilledCostLine, NewSubject, SyncStatus,
    SyncStream,
};
use fake_admin_api::{ActorJson, AnalyticsAmounts, FakeConfig, OrgKinds};

use crate::common::TestDb;
use crate::common::fake::{Synced, all_history, synced_with_kinds};

backend_tests!(billed_costs_equal_the_analytics_truth);

const DAYS: u32 = 8;

/// (plan, day, group) → (net, list) nanodollars.
type Cells = BTreeMap<(i64, String, String), (i64, i64)>;

fn day_of(text: &str) -> NaiveDate {
    DateTime::parse_from_rfc3339(text)
        .unwrap()
        .with_timezone(&Utc)
        .date_naive()
}

fn actor_group(
    actor_type: ActorType,
    id: Option<&str>,
    provider: Option<&str>,
    subject: Option<&str>,
) -> String {
    format!(
        "{actor_type}:{}:{}:{}",
        id.unwrap_or(""),
        provider.unwrap_or(""),
        subject.unwrap_or("")
    )
}

fn truth_actor_group(actor: &ActorJson) -> String {
    match actor {
        ActorJson::User { user_id, .. } => actor_group(ActorType::User, Some(user_id), None, None),
        ActorJson::Api { api_key_id } => {
            actor_group(ActorType::ApiKey, Some(api_key_id), None, None)
        }
        ActorJson::ServiceAccount { service_account_id } => actor_group(
            ActorType::ServiceAccount,
            Some(service_account_id),
            None,
            None,
        ),
        ActorJson::Federated { provider, subject } => {
            actor_group(ActorType::Federated, None, Some(provider), Some(subject))
        }
    }
}

fn line_group(l: &BilledCostLine) -> String {
    match l.by {
        BilledBy::Day => String::new(),
        BilledBy::ApiKey => l.api_key_id.clone().unwrap_or_default(),
        BilledBy::Workspace => l.workspace_id.clone().unwrap_or_default(),
        BilledBy::Actor => {
            let a = l.actor.as_ref().expect("an actor line names its actor");
            actor_group(
                a.actor_type,
                a.id.as_deref(),
                a.federated_provider.as_deref(),
                a.federated_subject.as_deref(),
            )
        }
    }
}

fn got_cells(lines: &[BilledCostLine]) -> Cells {
    let mut out = Cells::new();
    for l in lines {
        let key = (l.plan_id, l.day.to_string(), line_group(l));
        let old = out.insert(key.clone(), (l.net.nanos(), l.list.nanos()));
        assert!(old.is_none(), "one line per plan, day and group: {key:?}");
    }
    out
}

/// The fake's truth in the same shape: every org's cells by `by`, days with no cost left out.
fn truth_cells(s: &Synced, by: BilledBy) -> Cells {
    let truth = s.fake.truth();
    let mut out = Cells::new();
    for (credentials, plan) in s.fake.orgs().iter().zip(&s.plans) {
        let a = &truth
            .orgs
            .iter()
            .find(|o| o.org_id == credentials.id)
            .unwrap()
            .analytics;
        let rows: Vec<(&String, String, &AnalyticsAmounts)> = match by {
            BilledBy::Day => a
                .by_day
                .iter()
                .map(|r| (&r.day, String::new(), &r.amounts))
                .collect(),
            BilledBy::ApiKey => a
                .by_api_key
                .iter()
                .map(|r| (&r.day, r.api_key_id.clone().unwrap_or_default(), &r.amounts))
                .collect(),
            BilledBy::Workspace => a
                .by_workspace
                .iter()
                .map(|r| {
                    (
                        &r.day,
                        r.workspace_id.clone().unwrap_or_default(),
                        &r.amounts,
                    )
                })
                .collect(),
            BilledBy::Actor => a
                .by_actor
                .iter()
                .map(|r| (&r.day, truth_actor_group(&r.actor), &r.amounts))
                .collect(),
        };
        for (day, group, amounts) in rows {
            if amounts.net_nanos == 0 && amounts.list_nanos == 0 {
                continue;
            }
            let cell = (amounts.net_nanos as i64, amounts.list_nanos as i64);
            assert!(out.insert((plan.id, day.clone(), group), cell).is_none());
        }
    }
    out
}

async fn billed_costs_equal_the_analytics_truth(db: TestDb) {
    let config = FakeConfig {
        orgs: 2,
        days: DAYS,
        ..FakeConfig::default()
    };
    let s = synced_with_kinds(db, config, OrgKinds::none()).await;
    let report = s
        .ledger
        .sync(all_history(DAYS.into()).streams(SyncStream::WITH_ANALYTICS))
        .await
        .unwrap();
    assert!(
        report.plans.iter().all(|p| p.status == SyncStatus::Ok),
        "{report:?}"
    );

    // A subject with a member's e-mail (in another case) is that member.
    let truth = s.fake.truth();
    let org = truth
        .orgs
        .iter()
        .find(|o| o.org_id == s.fake.orgs()[0].id)
        .unwrap();
    let (member, email) = org
        .analytics
        .by_actor
        .iter()
        .find_map(|r| match &r.actor {
            ActorJson::User {
                user_id,
                email_address: Some(email),
                deleted: false,
                ..
            } => Some((user_id.clone(), email.clone())),
            _ => None,
        })
        .expect("the fake bills a member");
    s.ledger
        .upsert_subject(NewSubject::new("member").email(email.to_uppercase()))
        .await
        .unwrap();

    let (from, to) = (
        day_of(&org.analytics.starting_at),
        day_of(&org.analytics.ending_at) + TimeDelta::days(1),
    );
    for by in BilledBy::ALL.iter().copied() {
        let lines = s
            .ledger
            .billed_costs(&BilledCostFilter::new(from, to, by))
            .await
            .unwrap();
        let want = truth_cells(&s, by);
        assert!(!want.is_empty(), "the fake bills by {by}");
        assert_eq!(got_cells(&lines), want, "billed by {by}");
        let mut sorted = lines.clone();
        sorted.sort_by(|a, b| {
            (a.plan_id, a.day, line_group(a)).cmp(&(b.plan_id, b.day, line_group(b)))
        });
        if by != BilledBy::Actor {
            assert_eq!(
                lines, sorted,
                "lines by {by} are ordered by plan, day and group"
            );
        }
        for l in &lines {
            assert_eq!(l.by, by);
            assert_eq!(l.basis, Basis::Billed);
            assert_eq!(l.discount, l.list - l.net);
            assert!(l.net <= l.list, "{l:?}");
            assert_eq!(
                l.requests, None,
                "stored rows are grouped by cost type: {l:?}"
            );
            assert_eq!(l.actor.is_some(), by == BilledBy::Actor);
        }
        if by == BilledBy::Actor {
            // Actors are ordered by type, then id.
            for pair in lines.windows(2) {
                let key = |l: &BilledCostLine| {
                    let a = l.actor.as_ref().unwrap();
                    (
                        l.plan_id,
                        l.day,
                        a.actor_type,
                        a.id.clone(),
                        a.federated_provider.clone(),
                        a.federated_subject.clone(),
                    )
                };
                assert!(key(&pair[0]) < key(&pair[1]), "{pair:?}");
            }
            let mine: Vec<_> = lines
                .iter()
                .filter(|l| l.actor.as_ref().unwrap().id.as_deref() == Some(member.as_str()))
                .collect();
            assert!(!mine.is_empty());
            for l in mine {
                let a = l.actor.as_ref().unwrap();
                assert_eq!(a.subject_id.as_deref(), Some("member"));
                assert_eq!(a.email.as_deref(), Some(email.as_str()));
                assert!(!a.deleted && a.name.is_some());
            }
            // Every member's metadata is the truth's; only the one with a subject has one.
            let members: BTreeMap<String, (Option<String>, Option<String>, bool)> = truth
                .orgs
                .iter()
                .flat_map(|o| &o.analytics.by_actor)
                .filter_map(|r| match &r.actor {
                    ActorJson::User {
                        user_id,
                        email_address,
                        name,
                        deleted,
                    } => Some((
                        user_id.clone(),
                        (email_address.clone(), name.clone(), *deleted),
                    )),
                    _ => None,
                })
                .collect();
            for l in &lines {
                let a = l.actor.as_ref().unwrap();
                if a.actor_type != ActorType::User {
                    assert_eq!(
                        (&a.email, &a.name, a.deleted),
                        (&None, &None, false),
                        "{a:?}"
                    );
                    continue;
                }
                let id = a.id.clone().unwrap();
                let want = &members[&id];
                assert_eq!(
                    (&a.email, &a.name, a.deleted),
                    (&want.0, &want.1, want.2),
                    "{a:?}"
                );
                if id != member {
                    assert_eq!(a.subject_id, None, "{a:?}");
                }
            }
        }
    }

    // One plan only; a sub-range; a discount the org has.
    let plan = s.plans[1].id;
    let lines = s
        .ledger
        .billed_costs(&BilledCostFilter {
            plan_ids: vec![plan],
            ..BilledCostFilter::new(
                from + TimeDelta::days(1),
                from + TimeDelta::days(3),
                BilledBy::Day,
            )
        })
        .await
        .unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|l| l.plan_id == plan));
    let want = truth_cells(&s, BilledBy::Day);
    for l in &lines {
        let cell = want[&(plan, l.day.to_string(), String::new())];
        assert_eq!((l.net.nanos(), l.list.nanos()), cell);
    }

    // Refused: an empty range, an unknown plan.
    let e = s
        .ledger
        .billed_costs(&BilledCostFilter::new(to, from, BilledBy::Day))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    let e = s
        .ledger
        .billed_costs(&BilledCostFilter {
            plan_ids: vec![9_999],
            ..BilledCostFilter::new(from, to, BilledBy::Day)
        })
        .await
        .unwrap_err();
    assert_eq!(e.code(), "PLAN_NOT_FOUND");
    // Nothing before the synced window.
    let before = from - TimeDelta::days(30);
    let none = s
        .ledger
        .billed_costs(&BilledCostFilter::new(before, from, BilledBy::Actor))
        .await
        .unwrap();
    assert!(none.is_empty());
}

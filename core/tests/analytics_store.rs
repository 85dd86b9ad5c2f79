//! The analytics store on SQLite and Postgres: billed cost rows read from the fake's
//! Analytics API, stored, summed back per key, actor, workspace and day, equal the fake's
//! ground truth to the nanodollar (net and list); re-storing a page changes nothing;
//! actors keep their identity when their metadata changes.

use chrono::{DateTime, Duration, Utc};
use costledger::model::{Actor, ActorKey, AnalyticsDimension};
use costledger::source::SourceContext;
use costledger::source::anthropic::{
    AnalyticsRequest, AnthropicConfig, AnthropicSource, RetryPolicy,
};
use costledger::store::{AnalyticsTotal, AnalyticsTotalsBy};
use costledger::{Credential, PlanSettings, SecretString};
use fake_admin_api::FakeConfig;
use futures::TryStreamExt;

use crate::common::TestDb;
use crate::common::fake::synced;

backend_tests!(stored_analytics_cost_equals_the_truth);

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

type Cell = (String, Option<String>, i64, i64);

fn cells(totals: &[AnalyticsTotal], key: impl Fn(&AnalyticsTotal) -> Option<String>) -> Vec<Cell> {
    totals
        .iter()
        .map(|r| (r.day.to_string(), key(r), r.net.nanos(), r.list.nanos()))
        .collect()
}

fn actor_id(key: &ActorKey) -> String {
    match key {
        ActorKey::Federated { provider, subject } => format!("{provider} {subject}"),
        other => other.id().unwrap().to_string(),
    }
}

async fn stored_analytics_cost_equals_the_truth(db: TestDb) {
    let s = synced(
        db,
        FakeConfig {
            orgs: 2,
            days: 8,
            ..FakeConfig::default()
        },
    )
    .await;
    let store = s.db.store().await;
    let source = AnthropicSource::new(
        AnthropicConfig::new(s.fake.base_url())
            .retry_policy(RetryPolicy::for_tests())
            .min_request_interval(std::time::Duration::ZERO),
    )
    .unwrap();
    let truth = s.fake.truth();
    let settings = PlanSettings::default();
    for (credentials, plan) in s.fake.orgs().iter().zip(&s.plans) {
        let credential = Credential::AdminKey(SecretString::from(credentials.admin_key.as_str()));
        let ctx = SourceContext {
            plan_id: Some(plan.id),
            credential: Some(&credential),
            settings: &settings,
            requests: None,
            refresher: None,
        };
        let org = truth
            .orgs
            .iter()
            .find(|o| o.org_id == credentials.id)
            .unwrap();
        let (start, end) = (t(&org.analytics.starting_at), t(&org.analytics.ending_at));
        let request = AnalyticsRequest::new(start, end)
            .group_by(AnalyticsDimension::SYNC_COST.iter().copied())
            .rows_per_page(500);
        let pages: Vec<_> = source
            .analytics_cost(ctx, request)
            .try_collect()
            .await
            .unwrap();
        for page in &pages {
            store
                .upsert_analytics_costs(plan.id, 3_600, &page.rows, s.fake.now())
                .await
                .unwrap();
        }
        // Storing a page again (a retried sync) changes nothing.
        store
            .upsert_analytics_costs(plan.id, 3_600, &pages[0].rows, s.fake.now())
            .await
            .unwrap();

        let totals = |by| {
            let store = store.clone();
            async move {
                store
                    .analytics_cost_totals(plan.id, start, end, by)
                    .await
                    .unwrap()
            }
        };
        let billed = |c: &Cell| c.3 != 0 || c.2 != 0;

        let got = cells(&totals(AnalyticsTotalsBy::Day).await, |_| None);
        let want: Vec<Cell> = org
            .analytics
            .by_day
            .iter()
            .map(|r| {
                (
                    r.day.clone(),
                    None,
                    r.amounts.net_nanos as i64,
                    r.amounts.list_nanos as i64,
                )
            })
            .filter(billed)
            .collect();
        assert_eq!(got, want, "per day");
        let all = totals(AnalyticsTotalsBy::Day).await;
        let net: i64 = all.iter().map(|r| r.net.nanos()).sum();
        assert_eq!(net, org.analytics.net_total_nanos as i64);
        // Grouped by cost and token type, requests are not stated.
        assert!(all.iter().all(|r| r.requests.is_none()));

        let got = cells(&totals(AnalyticsTotalsBy::ApiKey).await, |r| r.id.clone());
        let mut want: Vec<Cell> = org
            .analytics
            .by_api_key
            .iter()
            .map(|r| {
                (
                    r.day.clone(),
                    r.api_key_id.clone(),
                    r.amounts.net_nanos as i64,
                    r.amounts.list_nanos as i64,
                )
            })
            .filter(billed)
            .collect();
        want.sort();
        assert_eq!(got, want, "per key");

        let got = cells(&totals(AnalyticsTotalsBy::Workspace).await, |r| {
            r.id.clone()
        });
        let mut want: Vec<Cell> = org
            .analytics
            .by_workspace
            .iter()
            .map(|r| {
                (
                    r.day.clone(),
                    r.workspace_id.clone(),
                    r.amounts.net_nanos as i64,
                    r.amounts.list_nanos as i64,
                )
            })
            .filter(billed)
            .collect();
        want.sort();
        assert_eq!(got, want, "per workspace");

        let mut got = cells(&totals(AnalyticsTotalsBy::Actor).await, |r| {
            r.actor.as_ref().map(actor_id)
        });
        got.sort();
        let mut want: Vec<Cell> = org
            .analytics
            .by_actor
            .iter()
            .map(|r| {
                let actor: Actor =
                    serde_json::from_value(serde_json::to_value(&r.actor).unwrap()).unwrap();
                (
                    r.day.clone(),
                    Some(actor_id(&actor.key())),
                    r.amounts.net_nanos as i64,
                    r.amounts.list_nanos as i64,
                )
            })
            .filter(billed)
            .collect();
        want.sort();
        assert_eq!(got, want, "per actor");

        // Actors: every one seen, with its metadata; a federated one keyed by provider and
        // subject.
        let actors = store.analytics_actors(plan.id).await.unwrap();
        for r in &org.analytics.by_actor {
            let actor: Actor =
                serde_json::from_value(serde_json::to_value(&r.actor).unwrap()).unwrap();
            if r.amounts.list_nanos > 0 {
                assert!(actors.contains(&actor), "{actor:?}");
            }
        }

        // A renamed member is the same actor: metadata updated in place.
        let mut renamed = pages[0].rows.clone();
        let user = renamed.iter_mut().find_map(|r| match &mut r.group.actor {
            Some(Actor::User { name, .. }) => {
                *name = Some("Renamed".into());
                r.group.actor.clone()
            }
            _ => None,
        });
        if let Some(user) = user {
            let before = actors.len();
            let only: Vec<_> = renamed
                .into_iter()
                .filter(|r| r.group.actor.as_ref().map(Actor::key) == Some(user.key()))
                .take(1)
                .collect();
            let version = || async {
                let versions = store.attribution_versions().await.unwrap();
                versions.into_iter().find(|(scope, _)| *scope == plan.id)
            };
            let unchanged = version().await;
            store
                .upsert_analytics_costs(plan.id, 3_600, &only, s.fake.now())
                .await
                .unwrap();
            let after = store.analytics_actors(plan.id).await.unwrap();
            assert_eq!(after.len(), before);
            assert!(after.contains(&user));
            // The other actors of the buckets it merged into keep their metadata.
            for other in actors.iter().filter(|a| a.key() != user.key()) {
                assert!(after.contains(other), "{other:?} lost its metadata");
            }
            // Attribution reads an actor's email, not its name or when it was last seen.
            assert_eq!(version().await, unchanged, "a new name moved the version");
            let mut moved = only.clone();
            if let Some(Actor::User { email_address, .. }) = &mut moved[0].group.actor {
                *email_address = Some("moved@example.com".into());
            }
            store
                .upsert_analytics_costs(plan.id, 3_600, &moved, s.fake.now())
                .await
                .unwrap();
            assert!(
                version().await > unchanged,
                "a new email did not move the version"
            );
        }

        // Deleting a window removes exactly its rows.
        let day_start = start + Duration::days(2);
        let removed = store
            .delete_analytics_costs(plan.id, day_start, day_start + Duration::days(1))
            .await
            .unwrap();
        assert!(removed > 0);
        let left = totals(AnalyticsTotalsBy::Day).await;
        assert!(left.iter().all(|r| r.day != day_start.date_naive()));
        assert_eq!(left.len() + 1, all.len());
    }
}

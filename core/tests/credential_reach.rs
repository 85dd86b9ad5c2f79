//! What a plan's credential reaches, on SQLite and Postgres: `add_plan` checks it and the
//! plan records it; a Claude Enterprise key with scopes is accepted when it reaches the
//! Analytics API and refused, saying why, when it does not; a sync skips, without a request,
//! the streams the credential cannot reach; a refusal a sync learns is kept; a plan whose
//! reach is unknown is checked by its next sync.

use costledger::model::{AnalyticsUnavailable, SyncStatus, SyncStream};
use costledger::{FixedClock, Ledger, ListPlans, MasterKey, NewPlan};
use fake_admin_api::{FakeConfig, FakeServer, OrgKinds};

use crate::common::TestDb;
use crate::common::fake::{all_history, config};

backend_tests!(
    add_plan_records_what_each_credential_reaches,
    a_scoped_key_plan_syncs_the_analytics_api_only,
    a_refusal_is_remembered_and_unknown_reach_is_checked
);

const DAYS: i64 = 6;

async fn open(db: &TestDb, kinds: OrgKinds) -> (FakeServer, Ledger) {
    let fake = FakeServer::start_with_kinds(FakeConfig::default(), kinds)
        .await
        .unwrap();
    let key = MasterKey::generate();
    let clock = FixedClock::new(fake.now());
    let ledger = Ledger::open(config(db, &key, &fake, &clock)).await.unwrap();
    (fake, ledger)
}

async fn add_plan_records_what_each_credential_reaches(db: TestDb) {
    let (fake, ledger) = open(&db, OrgKinds::none().with_enterprise(1).with_hipaa(2)).await;
    let orgs = fake.orgs();
    let console = ledger
        .add_plan(NewPlan::anthropic("Console", orgs[0].admin_key.clone()))
        .await
        .unwrap();
    let reach = console.reach.clone().expect("checked when added");
    assert!(reach.legacy_reports && reach.spend_limits, "{reach:?}");
    assert_eq!(reach.analytics, None);
    assert_eq!(reach.checked_at, fake.now());
    let hipaa = ledger
        .add_plan(NewPlan::anthropic("HIPAA", orgs[2].admin_key.clone()))
        .await
        .unwrap();
    assert_eq!(
        hipaa.reach.as_ref().unwrap().analytics,
        Some(AnalyticsUnavailable::HipaaOrganization)
    );

    // A scoped key without read:analytics reaches no cost data: refused, nothing stored.
    let scoped = fake.scoped_keys();
    let limits_only = scoped
        .iter()
        .find(|k| k.scopes == ["read:spend_limits"])
        .unwrap();
    let e = ledger
        .add_plan(NewPlan::anthropic("Limits only", limits_only.key.clone()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT", "{e}");
    let text = e.to_string();
    assert!(text.contains("read:analytics"), "{text}");
    assert!(!text.contains(&limits_only.key), "{text}");
    assert_eq!(ledger.list_plans(ListPlans::all()).await.unwrap().len(), 2);

    // The full scoped key is accepted: the plan records that it never reaches the legacy
    // reports, and the record survives reading the plan back.
    let full = scoped
        .iter()
        .find(|k| k.scopes.iter().any(|s| s == "read:analytics"))
        .unwrap();
    let enterprise = ledger
        .add_plan(NewPlan::anthropic("Enterprise", full.key.clone()))
        .await
        .unwrap();
    let reach = enterprise.reach.clone().unwrap();
    assert!(!reach.legacy_reports && reach.spend_limits, "{reach:?}");
    assert_eq!(reach.analytics, None);
    assert_eq!(
        ledger.get_plan(enterprise.id).await.unwrap().reach,
        Some(reach)
    );
    assert!(!format!("{enterprise:?}").contains(&full.key));

    // Rotating to a Console admin key of the same organisation records the new reach.
    let rotated = ledger
        .rotate_plan_credential(enterprise.id, orgs[1].admin_key.clone())
        .await
        .unwrap();
    assert!(rotated.reach.unwrap().legacy_reports);
    fake.shutdown().await;
}

async fn a_scoped_key_plan_syncs_the_analytics_api_only(db: TestDb) {
    let (fake, ledger) = open(&db, OrgKinds::none().with_enterprise(0)).await;
    let full = fake
        .scoped_keys()
        .into_iter()
        .find(|k| k.scopes.iter().any(|s| s == "read:analytics"))
        .unwrap();
    let plan = ledger
        .add_plan(NewPlan::anthropic("Enterprise", full.key.clone()))
        .await
        .unwrap();
    fake.reset_stats();
    let report = ledger
        .sync(all_history(DAYS).streams(SyncStream::WITH_ANALYTICS))
        .await
        .unwrap();
    let synced = &report.plans[0];
    assert_eq!(synced.status, SyncStatus::Ok, "{synced:?}");
    for r in &synced.streams {
        match r.stream {
            SyncStream::Usage | SyncStream::Cost | SyncStream::ClaudeCode => {
                assert_eq!(r.status, SyncStatus::Skipped, "{r:?}");
                assert_eq!(r.requests, 0, "{r:?}");
                let message = &r.error.as_ref().unwrap().message;
                assert!(message.contains("legacy"), "{message}");
            }
            _ => assert_eq!(r.status, SyncStatus::Ok, "{r:?}"),
        }
    }
    // Not one request of the plan went to an endpoint its key cannot reach.
    let stats = fake.stats();
    let by_endpoint = &stats.by_key_endpoint[&full.key];
    for endpoint in by_endpoint.keys() {
        assert!(
            !endpoint.starts_with("usage_report") && !endpoint.starts_with("cost_report"),
            "{endpoint} was asked: {by_endpoint:?}"
        );
    }
    assert!(by_endpoint.keys().any(|e| e.starts_with("analytics")));
    // Its billed cost is there.
    let store = db.store().await;
    let totals = store
        .analytics_cost_totals(
            plan.id,
            fake.now() - chrono::TimeDelta::days(DAYS),
            fake.now(),
            costledger::store::AnalyticsTotalsBy::Day,
        )
        .await
        .unwrap();
    assert!(totals.iter().any(|t| t.net.nanos() > 0), "{totals:?}");
    fake.shutdown().await;
}

async fn a_refusal_is_remembered_and_unknown_reach_is_checked(db: TestDb) {
    let (fake, ledger) = open(&db, OrgKinds::none().with_hipaa(0)).await;
    let orgs = fake.orgs();
    let plan = ledger
        .add_plan(NewPlan::anthropic("HIPAA", orgs[0].admin_key.clone()))
        .await
        .unwrap();
    let store = db.store().await;
    // As if added before costledger recorded reach: the first sync checks it, and, learning
    // the refusal from the check, skips the analytics stream without asking it.
    store.set_plan_reach(plan.id, None).await.unwrap();
    assert_eq!(ledger.get_plan(plan.id).await.unwrap().reach, None);
    let options = || all_history(DAYS).streams(SyncStream::WITH_ANALYTICS);
    let report = ledger.sync(options()).await.unwrap();
    let stream = |report: &costledger::SyncReport| {
        report.plans[0]
            .streams
            .iter()
            .find(|r| r.stream == SyncStream::Analytics)
            .cloned()
            .unwrap()
    };
    let first = stream(&report);
    assert_eq!(first.status, SyncStatus::Skipped, "{first:?}");
    assert!(first.error.unwrap().message.contains("HIPAA"));
    let reach = ledger.get_plan(plan.id).await.unwrap().reach.unwrap();
    assert_eq!(
        reach.analytics,
        Some(AnalyticsUnavailable::HipaaOrganization)
    );

    // A refusal a sync meets is kept: with the reach forgotten as "analytics answers", the
    // sync asks once, is refused, records it, and the next sync does not ask.
    let optimistic = costledger::CredentialReach {
        analytics: None,
        ..reach
    };
    store
        .set_plan_reach(plan.id, Some(&optimistic))
        .await
        .unwrap();
    let asked = stream(&ledger.sync(options()).await.unwrap());
    assert_eq!(asked.status, SyncStatus::Skipped);
    assert!(asked.requests > 0, "{asked:?}");
    assert_eq!(
        ledger
            .get_plan(plan.id)
            .await
            .unwrap()
            .reach
            .unwrap()
            .analytics,
        Some(AnalyticsUnavailable::HipaaOrganization)
    );
    let remembered = stream(&ledger.sync(options()).await.unwrap());
    assert_eq!(remembered.status, SyncStatus::Skipped);
    assert_eq!(remembered.requests, 0, "{remembered:?}");
    fake.shutdown().await;
}

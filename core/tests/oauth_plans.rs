//! OAuth plans end to end, on SQLite and Postgres, against the fake: sign-in and add, a
//! sync that refreshes an expired token mid-way, 401 then refresh then success, a refused
//! refresh, a reused code, concurrent refreshes, disconnect with revocation (and with the
//! provider down), and no token in clear anywhere.

use std::time::Duration;

use costledger::oauth::OAuthTokens;
use costledger::{
    DataRetention, FixedClock, Ledger, ListPlans, MasterKey, NewPlan, OAUTH_HINT, PlanStatus,
    Revocation, SyncHistoryFilter, SyncOptions, SyncStatus,
};
use fake_admin_api::{FakeConfig, FakeServer, Faults, OAuthExpiry, OAuthFaults};

use crate::common::TestDb;
use crate::common::fake::{Synced, all_history, assert_matches_truth, config};
use crate::oauth_client::{client, sign_in, visit};

backend_tests!(
    a_signed_in_plan_syncs_the_exact_truth_with_bearer_tokens,
    an_access_token_expiring_mid_sync_is_refreshed_and_the_sync_goes_on,
    a_refused_refresh_puts_the_plan_in_error_saying_reconnect,
    tokens_of_a_reused_code_are_refused_and_nothing_is_stored,
    two_ledgers_refreshing_at_once_keep_the_newest_refresh_token,
    disconnect_revokes_and_survives_a_provider_that_is_down,
);

const DAYS: u32 = 10;

pub(crate) struct Setup {
    pub(crate) synced: Synced,
}

/// A fake of `DAYS` days, a ledger on `db`, and one OAuth plan for org 0.
pub(crate) async fn setup(db: TestDb, faults: Faults) -> Setup {
    let fake = FakeServer::start(FakeConfig {
        days: DAYS,
        faults,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let key = MasterKey::generate();
    let clock = FixedClock::new(fake.now());
    let ledger = Ledger::open(config(&db, &key, &fake, &clock))
        .await
        .unwrap();
    let tokens = sign_in(&client(&fake)).await;
    let plan = ledger
        .add_plan(NewPlan::anthropic_oauth("OAuth org", tokens))
        .await
        .unwrap();
    Setup {
        synced: Synced {
            db,
            fake,
            key,
            clock,
            ledger,
            plans: vec![plan],
        },
    }
}

fn options() -> SyncOptions {
    all_history(i64::from(DAYS) + 1)
}

/// Every value a token could leak through: list results, sync history, the credential
/// rows' bytes. None may hold a token prefix, nor any access token the fake saw.
async fn assert_no_token_in_clear(s: &Synced, extra: &str) {
    let seen: Vec<String> = s
        .fake
        .stats()
        .by_key
        .keys()
        .filter(|k| k.starts_with("sk-ant-oat01-"))
        .cloned()
        .collect();
    assert!(!seen.is_empty(), "the fake saw a bearer token");
    let plans = format!("{:?}", s.ledger.list_plans(ListPlans::all()).await.unwrap());
    let history = format!(
        "{:?}",
        s.ledger
            .sync_history(SyncHistoryFilter::default())
            .await
            .unwrap()
    );
    let mut texts = vec![plans, history, extra.to_string()];
    for blob in credential_bytes(&s.db).await {
        texts.push(String::from_utf8_lossy(&blob).into_owned());
    }
    for text in &texts {
        assert!(!text.contains("sk-ant-oat01-"), "{text}");
        assert!(!text.contains("sk-ant-ort01-"), "{text}");
        for token in &seen {
            // No part of a token: not its tail, as a hint would show.
            assert!(!text.contains(&token[token.len() - 12..]), "{text}");
        }
    }
}

/// Kind, key id, nonce and ciphertext of every stored credential, as bytes.
async fn credential_bytes(db: &TestDb) -> Vec<Vec<u8>> {
    use sqlx::{Connection, Row};
    let q = "SELECT kind, key_id, nonce, ciphertext FROM costledger_credentials";
    let mut out = Vec::new();
    if let Some(schema) = &db.schema {
        let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
        let set = format!("SET search_path TO \"{schema}\"");
        sqlx::query(sqlx::AssertSqlSafe(set))
            .execute(&mut conn)
            .await
            .unwrap();
        for row in sqlx::query(q).fetch_all(&mut conn).await.unwrap() {
            out.push(row.get::<String, _>(0).into_bytes());
            out.push(row.get::<String, _>(1).into_bytes());
            out.push(row.get::<Vec<u8>, _>(2));
            out.push(row.get::<Vec<u8>, _>(3));
        }
    } else {
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        for row in sqlx::query(q).fetch_all(&mut conn).await.unwrap() {
            out.push(row.get::<String, _>(0).into_bytes());
            out.push(row.get::<String, _>(1).into_bytes());
            out.push(row.get::<Vec<u8>, _>(2));
            out.push(row.get::<Vec<u8>, _>(3));
        }
    }
    out
}

async fn a_signed_in_plan_syncs_the_exact_truth_with_bearer_tokens(db: TestDb) {
    let s = setup(db, Faults::none()).await.synced;
    let plan = &s.plans[0];
    let org = &s.fake.orgs()[0];
    assert_eq!(plan.org_id.as_deref(), Some(org.id.as_str()));
    assert_eq!(plan.org_name.as_deref(), Some(org.name.as_str()));
    assert_eq!(plan.key_hint.as_deref(), Some(OAUTH_HINT));
    assert_eq!(credential_bytes(&s.db).await[0], b"oauth");
    let report = s.ledger.sync(options()).await.unwrap();
    assert_eq!(report.plans[0].status, SyncStatus::Ok, "{report:?}");
    assert_matches_truth(&s).await;
    // Every Admin API request went with a bearer token, and no refresh was needed.
    let stats = s.fake.stats();
    assert!(stats.by_key.keys().all(|k| k.starts_with("sk-ant-oat01-")));
    assert_eq!(s.fake.oauth_stats().refreshes, 0);
    assert_eq!(s.ledger.check_plan(plan.id).await.unwrap().id, org.id);
    assert_no_token_in_clear(&s, &format!("{report:?}")).await;
}

async fn an_access_token_expiring_mid_sync_is_refreshed_and_the_sync_goes_on(db: TestDb) {
    // Slow answers leave time to expire the token while the sync is between pages.
    let s = setup(db, "slow:15".parse().unwrap()).await.synced;
    let fake_url = s.fake.base_url();
    let expire = tokio::spawn(async move {
        let http = crate::common::client();
        loop {
            let stats: serde_json::Value = http
                .get(format!("{fake_url}/_fake/stats"))
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            if stats["requests"].as_u64().unwrap() >= 6 {
                http.post(format!("{fake_url}/_fake/oauth/expire"))
                    .body("access")
                    .send()
                    .await
                    .unwrap();
                return;
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    });
    let report = s.ledger.sync(options()).await.unwrap();
    expire.await.unwrap();
    assert_eq!(report.plans[0].status, SyncStatus::Ok, "{report:?}");
    let oauth = s.fake.oauth_stats();
    assert_eq!(oauth.bearer_refused, 1, "{oauth:?}");
    assert_eq!(oauth.refreshes, 1, "{oauth:?}");
    assert_matches_truth(&s).await;
    // The rotated tokens were stored: a later check needs no refresh and the old grant
    // state is gone.
    s.ledger.check_plan(s.plans[0].id).await.unwrap();
    assert_eq!(s.fake.oauth_stats().refreshes, 1);

    // Near expiry by the ledger's own clock: refreshed before the request, no 401.
    s.clock
        .set(s.fake.now() + chrono::Duration::seconds(3_600 - 30));
    s.ledger.check_plan(s.plans[0].id).await.unwrap();
    let oauth = s.fake.oauth_stats();
    assert_eq!((oauth.refreshes, oauth.bearer_refused), (2, 1), "{oauth:?}");
    assert_eq!(oauth.reuse_detected, 0);
    assert_no_token_in_clear(&s, &format!("{report:?}")).await;
}

async fn a_refused_refresh_puts_the_plan_in_error_saying_reconnect(db: TestDb) {
    let s = setup(db, Faults::none()).await.synced;
    let id = s.plans[0].id;
    s.fake.expire_oauth(OAuthExpiry::AccessTokens);
    s.fake.set_oauth_faults(OAuthFaults {
        refuse_refresh: true,
        ..OAuthFaults::default()
    });
    let report = s.ledger.sync(options()).await.unwrap();
    let outcome = &report.plans[0];
    assert_eq!(outcome.status, SyncStatus::Error, "{report:?}");
    let error = outcome.error.as_ref().unwrap();
    assert_eq!(error.code, "CREDENTIAL_REJECTED");
    assert!(
        error.message.contains("connect the plan again"),
        "{error:?}"
    );
    let plan = s.ledger.get_plan(id).await.unwrap();
    assert_eq!(plan.status, PlanStatus::Error);
    assert!(
        plan.last_error
            .as_deref()
            .unwrap()
            .contains("signing in with OAuth")
    );
    let e = s.ledger.check_plan(id).await.unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED");
    assert_no_token_in_clear(&s, &format!("{report:?} {e}")).await;

    // Reconnecting with a new sign-in makes it active again, and it syncs.
    s.fake.set_oauth_faults(OAuthFaults::default());
    let tokens = sign_in(&client(&s.fake)).await;
    let plan = s.ledger.rotate_plan_oauth(id, tokens).await.unwrap();
    assert_eq!(plan.status, PlanStatus::Active);
    let report = s.ledger.sync(options()).await.unwrap();
    assert_eq!(report.plans[0].status, SyncStatus::Ok, "{report:?}");
}

async fn tokens_of_a_reused_code_are_refused_and_nothing_is_stored(db: TestDb) {
    let s = setup(db, Faults::none()).await.synced;
    let other = s.fake.orgs()[1].id.clone();
    s.fake.set_oauth_account(&[&other]).unwrap();
    let client = client(&s.fake);
    let begin = client.begin().unwrap();
    let (code, state) = visit(&begin).await;
    let first: OAuthTokens = client
        .finish(&code, &state, &begin.state, begin.verifier.expose())
        .await
        .unwrap();
    let e = client
        .finish(&code, &state, &begin.state, begin.verifier.expose())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED");
    // The reuse revoked what the first exchange got: adding it is refused, nothing stored.
    let e = s
        .ledger
        .add_plan(NewPlan::anthropic_oauth("Second", first))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED");
    // The advice is a new sign-in, not a new admin key.
    assert!(e.to_string().contains("signing in with OAuth"), "{e}");
    assert!(
        e.to_string().contains("OAuth token has been revoked"),
        "{e}"
    );
    assert_eq!(
        s.ledger.list_plans(ListPlans::all()).await.unwrap().len(),
        1
    );
    assert_eq!(credential_bytes(&s.db).await.len(), 4);
    // A state mismatch never reaches the provider.
    let begin = client.begin().unwrap();
    let (code, _) = visit(&begin).await;
    let e = client
        .finish(&code, "forged", &begin.state, begin.verifier.expose())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    assert_no_token_in_clear(&s, &e.to_string()).await;
}

async fn two_ledgers_refreshing_at_once_keep_the_newest_refresh_token(db: TestDb) {
    let s = setup(db, "slow:20".parse().unwrap()).await.synced;
    let id = s.plans[0].id;
    // A second ledger on the same database, as another process would open it.
    let second = Ledger::open(config(&s.db, &s.key, &s.fake, &s.clock))
        .await
        .unwrap();
    s.fake.expire_oauth(OAuthExpiry::AccessTokens);
    let (a, b) = tokio::join!(s.ledger.check_plan(id), second.check_plan(id));
    a.unwrap();
    b.unwrap();
    let oauth = s.fake.oauth_stats();
    // One rotation; the other ledger adopted it instead of reusing the old refresh token,
    // which would have revoked the grant.
    assert_eq!((oauth.refreshes, oauth.reuse_detected), (1, 0), "{oauth:?}");
    s.fake.expire_oauth(OAuthExpiry::AccessTokens);
    second.check_plan(id).await.unwrap();
    s.ledger.check_plan(id).await.unwrap();
    let oauth = s.fake.oauth_stats();
    assert_eq!((oauth.refreshes, oauth.reuse_detected), (2, 0), "{oauth:?}");
}

async fn disconnect_revokes_and_survives_a_provider_that_is_down(db: TestDb) {
    let s = setup(db, Faults::none()).await.synced;
    let id = s.plans[0].id;
    let done = s
        .ledger
        .disconnect_plan_reporting(id, DataRetention::Keep)
        .await
        .unwrap();
    assert_eq!(done.revocation, Revocation::Revoked);
    assert_eq!(done.plan.status, PlanStatus::Disconnected);
    assert_eq!(done.plan.key_hint, None);
    assert_eq!(s.fake.oauth_stats().revocations, 1);
    assert!(credential_bytes(&s.db).await.is_empty());

    // Connect again (the same organisation reconnects its plan), then disconnect while the
    // provider is down: reported, and the local credential is gone regardless.
    let tokens = sign_in(&client(&s.fake)).await;
    let plan = s
        .ledger
        .add_plan(NewPlan::anthropic_oauth("OAuth org", tokens))
        .await
        .unwrap();
    assert_eq!(plan.id, id);
    s.fake.set_oauth_faults(OAuthFaults {
        down: true,
        ..OAuthFaults::default()
    });
    let done = s
        .ledger
        .disconnect_plan_reporting(id, DataRetention::Purge)
        .await
        .unwrap();
    let Revocation::Failed { code, message } = &done.revocation else {
        panic!("{:?}", done.revocation);
    };
    assert_eq!(code, "UPSTREAM");
    assert!(message.contains("503"), "{message}");
    assert_eq!(done.plan.status, PlanStatus::Disconnected);
    assert!(credential_bytes(&s.db).await.is_empty());
    assert_eq!(s.fake.oauth_stats().revocations, 1);
    // An admin-key plan has nothing to revoke.
    let admin = s
        .ledger
        .add_plan(NewPlan::anthropic(
            "Admin",
            s.fake.orgs()[2].admin_key.clone(),
        ))
        .await
        .unwrap();
    let done = s
        .ledger
        .disconnect_plan_reporting(admin.id, DataRetention::Keep)
        .await
        .unwrap();
    assert_eq!(done.revocation, Revocation::NotApplicable);
    assert_no_token_in_clear(&s, &format!("{done:?} {message}")).await;
}

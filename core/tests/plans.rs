//! Plan management through the Ledger, on SQLite and Postgres: encrypted credentials,
//! validation, conflicts, rotation of keys, disconnection.

use std::sync::Arc;
use std::time::Duration;

use crate::common::{KeyTableSource, TestDb, admin_key};
use chrono::NaiveDate;
use costledger::{
    DataRetention, Ledger, ListPlans, MasterKey, NewPlan, PlanStatus, PlanUpdate, Subscription,
    SubscriptionTier,
};

backend_tests!(
    add_list_get_and_update,
    validation_errors_have_codes_and_messages,
    same_org_or_label_is_a_conflict,
    concurrent_adds_of_one_label_let_exactly_one_win,
    refused_key_adds_nothing,
    disconnect_destroys_the_credential_and_keeps_data_unless_purged,
    rotate_plan_credential_checks_the_org,
    import_from_env_creates_the_first_plan_once,
    readding_a_disconnected_organisation_reconnects_its_plan,
    a_wrong_master_key_is_refused_at_open,
    a_ledger_without_key_checks_records_one_on_first_open,
    a_fresh_ledger_takes_the_first_key_that_seals,
    tampered_or_swapped_ciphertext_fails,
    master_key_rotation_reseals_everything,
    no_plaintext_key_in_the_database,
    debug_output_never_shows_a_key,
    a_closed_ledger_says_so,
    a_failing_host_cipher_names_the_plan,
    without_a_master_key_reads_work_and_credentials_say_what_is_missing,
);

struct Fixture {
    db: TestDb,
    key: MasterKey,
    source: Arc<KeyTableSource>,
    ledger: Ledger,
}

async fn fixture(db: TestDb) -> Fixture {
    let key = MasterKey::generate();
    let source = KeyTableSource::new();
    for n in 1..=4 {
        source.allow(&admin_key(n), &format!("org-{n}"), &format!("Org {n}"));
    }
    let ledger = Ledger::open(db.config(&key, source.clone())).await.unwrap();
    Fixture {
        db,
        key,
        source,
        ledger,
    }
}

async fn add_list_get_and_update(db: TestDb) {
    let f = fixture(db).await;
    let a = f
        .ledger
        .add_plan(NewPlan::anthropic("  Prod org ", admin_key(1)))
        .await
        .unwrap();
    assert_eq!(a.label, "Prod org");
    assert_eq!(a.status, PlanStatus::Active);
    assert_eq!(a.org_id.as_deref(), Some("org-1"));
    assert_eq!(a.org_name.as_deref(), Some("Org 1"));
    let hint = a.key_hint.clone().unwrap();
    assert!(hint.starts_with("sk-ant-admin01-…"), "{hint}");
    assert_eq!(hint.chars().count(), "sk-ant-admin01-…".chars().count() + 4);

    let anchor = NaiveDate::from_ymd_opt(2026, 1, 31).unwrap();
    let b = f
        .ledger
        .add_plan(
            NewPlan::anthropic("Research", admin_key(2)).with_subscription(Subscription::new(
                SubscriptionTier::TeamPremium,
                12,
                anchor,
            )),
        )
        .await
        .unwrap();
    assert_eq!(b.subscription.as_ref().unwrap().seats, 12);

    let plans = f.ledger.list_plans(ListPlans::default()).await.unwrap();
    assert_eq!(
        plans.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![a.id, b.id]
    );
    assert_eq!(f.ledger.get_plan(b.id).await.unwrap(), b);

    let renamed = f
        .ledger
        .update_plan(a.id, PlanUpdate::new().label(" Production "))
        .await
        .unwrap();
    assert_eq!(renamed.label, "Production");
    let priced = f
        .ledger
        .update_plan(
            a.id,
            PlanUpdate::new().subscription(
                Subscription::new(SubscriptionTier::Max20x, 1, anchor)
                    .price_per_seat("180".parse().unwrap()),
            ),
        )
        .await
        .unwrap();
    let sub = priced.subscription.unwrap();
    assert_eq!(sub.price_per_seat.unwrap().nanos(), 180_000_000_000);
    assert_eq!(sub.tier, SubscriptionTier::Max20x);
    let cleared = f
        .ledger
        .update_plan(a.id, PlanUpdate::new().clear_subscription())
        .await
        .unwrap();
    assert!(cleared.subscription.is_none());
    assert_eq!(cleared.label, "Production");

    let missing = f.ledger.get_plan(9999).await.unwrap_err();
    assert_eq!(missing.code(), "PLAN_NOT_FOUND");
    assert!(
        missing.to_string().contains("plan 9999 not found"),
        "{missing}"
    );
    let e = f
        .ledger
        .update_plan(9999, PlanUpdate::new().label("x"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "PLAN_NOT_FOUND");
}

async fn validation_errors_have_codes_and_messages(db: TestDb) {
    let f = fixture(db).await;
    let cases: Vec<(NewPlan, &str)> = vec![
        (
            NewPlan::anthropic("", admin_key(1)),
            "label must be 1-200 characters, got 0",
        ),
        (
            NewPlan::anthropic("   ", admin_key(1)),
            "label must be 1-200 characters, got 0",
        ),
        (
            NewPlan::anthropic("x".repeat(201), admin_key(1)),
            "label must be 1-200 characters, got 201",
        ),
        (
            NewPlan::anthropic("a\tb", admin_key(1)),
            "must not contain control characters",
        ),
        (NewPlan::anthropic("ok", ""), "admin key is empty"),
        (
            NewPlan::anthropic("ok", "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123456789"),
            "regular API key",
        ),
        (
            NewPlan::anthropic("ok", "hello-this-is-not-a-key-at-all"),
            "not an Anthropic admin key",
        ),
        (
            NewPlan::anthropic("ok", format!("{} ", admin_key(1))),
            "contains whitespace",
        ),
        (
            NewPlan::anthropic("ok", admin_key(1)).with_subscription(Subscription::new(
                SubscriptionTier::Pro,
                0,
                NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            )),
            "seats must be between 1 and 1000000, got 0",
        ),
    ];
    for (plan, message) in cases {
        let label = plan.label.clone();
        let err = f.ledger.add_plan(plan).await.unwrap_err();
        assert_eq!(err.code(), "INVALID_INPUT", "{label:?}: {err}");
        assert!(err.to_string().contains(message), "{label:?}: {err}");
        assert!(!err.to_string().contains(&admin_key(1)[20..]), "{err}");
    }
    // Shape errors are found before any network call.
    assert_eq!(
        f.source
            .verify_calls
            .load(std::sync::atomic::Ordering::SeqCst),
        0
    );
    assert!(
        f.ledger
            .list_plans(ListPlans::all())
            .await
            .unwrap()
            .is_empty()
    );

    let plan = f
        .ledger
        .add_plan(NewPlan::anthropic("ok", admin_key(1)))
        .await
        .unwrap();
    let e = f
        .ledger
        .update_plan(plan.id, PlanUpdate::new().label(""))
        .await
        .unwrap_err();
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        ("INVALID_INPUT", "label must be 1-200 characters, got 0")
    );
    let e = "weekly".parse::<costledger::BillingCycle>().unwrap_err();
    assert_eq!(
        e.to_string(),
        "billing cycle must be one of monthly, annual, got \"weekly\""
    );
}

async fn same_org_or_label_is_a_conflict(db: TestDb) {
    let f = fixture(db).await;
    let first = f
        .ledger
        .add_plan(NewPlan::anthropic("Prod", admin_key(1)))
        .await
        .unwrap();
    // Another key of the same organisation.
    f.source.allow(&admin_key(9), "org-1", "Org 1");
    let e = f
        .ledger
        .add_plan(NewPlan::anthropic("Prod again", admin_key(9)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CONFLICT");
    assert!(
        e.to_string()
            .contains(&format!("already connected as plan {}", first.id)),
        "{e}"
    );
    let e = f
        .ledger
        .add_plan(NewPlan::anthropic(" Prod ", admin_key(2)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CONFLICT");
    assert!(
        e.to_string()
            .contains("a plan labelled \"Prod\" already exists"),
        "{e}"
    );
    let second = f
        .ledger
        .add_plan(NewPlan::anthropic("Research", admin_key(2)))
        .await
        .unwrap();
    let e = f
        .ledger
        .update_plan(second.id, PlanUpdate::new().label("Prod"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CONFLICT");
    // Once disconnected, its label and organisation are free again: adding the organisation
    // reconnects its plan.
    f.ledger
        .disconnect_plan(first.id, DataRetention::Keep)
        .await
        .unwrap();
    let again = f
        .ledger
        .add_plan(NewPlan::anthropic("Prod", admin_key(9)))
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
}

async fn readding_a_disconnected_organisation_reconnects_its_plan(db: TestDb) {
    let f = fixture(db).await;
    let first = f
        .ledger
        .add_plan(NewPlan::anthropic("Prod", admin_key(1)))
        .await
        .unwrap();
    f.ledger
        .disconnect_plan(first.id, DataRetention::Keep)
        .await
        .unwrap();
    // Another admin key of the same organisation, a new label and a subscription.
    f.source.allow(&admin_key(9), "org-1", "Org 1 renamed");
    let subscription = Subscription::new(
        SubscriptionTier::TeamStandard,
        5,
        NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
    );
    let again = f
        .ledger
        .add_plan(
            NewPlan::anthropic("Production", admin_key(9)).with_subscription(subscription.clone()),
        )
        .await
        .unwrap();
    assert_eq!(again.id, first.id, "the same plan, with its history");
    assert_eq!(again.status, PlanStatus::Active);
    assert_eq!(again.label, "Production");
    assert_eq!(again.org_name.as_deref(), Some("Org 1 renamed"));
    let key = admin_key(9);
    assert!(
        again
            .key_hint
            .as_deref()
            .unwrap()
            .ends_with(&key[key.len() - 4..])
    );
    assert_eq!(again.subscription, Some(subscription));
    assert_eq!(again.created_at, first.created_at);
    assert_eq!(f.ledger.check_plan(again.id).await.unwrap().id, "org-1");
    assert_eq!(
        f.ledger.list_plans(ListPlans::all()).await.unwrap().len(),
        1
    );
    // While it is connected, adding the organisation again is a conflict, as before.
    let e = f
        .ledger
        .add_plan(NewPlan::anthropic("Third", admin_key(1)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CONFLICT");
    // After a purge the organisation starts afresh as a new plan.
    f.ledger
        .disconnect_plan(first.id, DataRetention::Purge)
        .await
        .unwrap();
    let fresh = f
        .ledger
        .add_plan(NewPlan::anthropic("Prod", admin_key(1)))
        .await
        .unwrap();
    assert_ne!(fresh.id, first.id);
    assert_eq!(
        f.ledger.get_plan(first.id).await.unwrap().status,
        PlanStatus::Disconnected
    );
    // A label taken by another live plan is refused, and the disconnected plan stays so.
    f.ledger
        .add_plan(NewPlan::anthropic("Research", admin_key(2)))
        .await
        .unwrap();
    f.ledger
        .disconnect_plan(fresh.id, DataRetention::Keep)
        .await
        .unwrap();
    let e = f
        .ledger
        .add_plan(NewPlan::anthropic("Research", admin_key(1)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CONFLICT");
    assert_eq!(
        f.ledger.get_plan(fresh.id).await.unwrap().status,
        PlanStatus::Disconnected
    );
    assert!(
        f.ledger
            .store()
            .get_credential(fresh.id)
            .await
            .unwrap()
            .is_none()
    );
}

async fn concurrent_adds_of_one_label_let_exactly_one_win(db: TestDb) {
    let f = fixture(db).await;
    // Both adds pass the early label check, then race on the database's unique index.
    f.source.set_delay(Duration::from_millis(150));
    let (a, b) = tokio::join!(
        f.ledger
            .add_plan(NewPlan::anthropic("Shared", admin_key(1))),
        f.ledger
            .add_plan(NewPlan::anthropic("Shared", admin_key(2))),
    );
    let results = [a, b];
    assert_eq!(
        results.iter().filter(|r| r.is_ok()).count(),
        1,
        "{results:?}"
    );
    let err = results.iter().find_map(|r| r.as_ref().err()).unwrap();
    assert_eq!(err.code(), "CONFLICT");
    assert!(
        err.to_string().contains("\"Shared\" already exists"),
        "{err}"
    );
    assert_eq!(
        f.ledger.list_plans(ListPlans::all()).await.unwrap().len(),
        1
    );
}

async fn refused_key_adds_nothing(db: TestDb) {
    let f = fixture(db).await;
    f.source.refuse(&admin_key(3));
    let e = f
        .ledger
        .add_plan(NewPlan::anthropic("Refused", admin_key(3)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED");
    assert!(e.to_string().contains("refused the credential"), "{e}");
    assert!(e.to_string().contains("req_test"), "{e}");
    assert!(
        f.ledger
            .list_plans(ListPlans::all())
            .await
            .unwrap()
            .is_empty()
    );
}

async fn disconnect_destroys_the_credential_and_keeps_data_unless_purged(db: TestDb) {
    let f = fixture(db).await;
    let store = f.ledger.store().clone();
    let a = f
        .ledger
        .add_plan(NewPlan::anthropic("A", admin_key(1)))
        .await
        .unwrap();
    let b = f
        .ledger
        .add_plan(NewPlan::anthropic("B", admin_key(2)))
        .await
        .unwrap();
    for plan in [&a, &b] {
        store
            .upsert_metadata(plan.id, &sample_metadata())
            .await
            .unwrap();
    }
    let gone = f
        .ledger
        .disconnect_plan(a.id, DataRetention::Keep)
        .await
        .unwrap();
    assert_eq!(gone.status, PlanStatus::Disconnected);
    assert_eq!(gone.key_hint, None);
    assert!(store.get_credential(a.id).await.unwrap().is_none());
    assert_eq!(store.metadata(a.id).await.unwrap().users.len(), 1);
    let e = f.ledger.check_plan(a.id).await.unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    assert!(e.to_string().contains("has no credential"), "{e}");

    let purged = f
        .ledger
        .disconnect_plan(b.id, DataRetention::Purge)
        .await
        .unwrap();
    assert_eq!(purged.status, PlanStatus::Disconnected);
    assert!(store.metadata(b.id).await.unwrap().users.is_empty());

    assert!(
        f.ledger
            .list_plans(ListPlans::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        f.ledger.list_plans(ListPlans::all()).await.unwrap().len(),
        2
    );
    // Disconnecting again is harmless; an unknown plan is not found.
    f.ledger
        .disconnect_plan(a.id, DataRetention::Keep)
        .await
        .unwrap();
    let e = f
        .ledger
        .disconnect_plan(777, DataRetention::Keep)
        .await
        .unwrap_err();
    assert_eq!(e.code(), "PLAN_NOT_FOUND");
    let e = f
        .ledger
        .rotate_plan_credential(a.id, admin_key(1))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("is disconnected"), "{e}");
}

fn sample_metadata() -> costledger::OrgMetadata {
    costledger::OrgMetadata {
        users: vec![costledger::OrgUser {
            id: "user_1".into(),
            email: "ada@example.com".into(),
            name: "Ada".into(),
            role: "admin".into(),
            added_at: None,
        }],
        ..Default::default()
    }
}

async fn rotate_plan_credential_checks_the_org(db: TestDb) {
    let f = fixture(db).await;
    let plan = f
        .ledger
        .add_plan(NewPlan::anthropic("A", admin_key(1)))
        .await
        .unwrap();
    let old_hint = plan.key_hint.clone();
    f.source.allow(&admin_key(7), "org-1", "Org 1");
    let rotated = f
        .ledger
        .rotate_plan_credential(plan.id, admin_key(7))
        .await
        .unwrap();
    assert_ne!(rotated.key_hint, old_hint);
    assert_eq!(f.ledger.check_plan(plan.id).await.unwrap().id, "org-1");
    // The old key is no longer what the plan uses: refusing it changes nothing.
    f.source.refuse(&admin_key(1));
    f.ledger.check_plan(plan.id).await.unwrap();

    let e = f
        .ledger
        .rotate_plan_credential(plan.id, admin_key(2))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "ORG_MISMATCH");
    assert!(
        e.to_string().contains("answers for organisation org-2"),
        "{e}"
    );
    f.source.refuse(&admin_key(4));
    let e = f
        .ledger
        .rotate_plan_credential(plan.id, admin_key(4))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED");
    assert!(
        e.to_string().contains(&format!("of plan {}", plan.id)),
        "{e}"
    );
    let e = f
        .ledger
        .rotate_plan_credential(plan.id, "sk-ant-api03-xxxxxxxxxxxxxxxxxxxxxxxxx")
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    // After the failures the rotated key is still in place.
    assert_eq!(
        f.ledger.get_plan(plan.id).await.unwrap().key_hint,
        rotated.key_hint
    );
}

async fn import_from_env_creates_the_first_plan_once(db: TestDb) {
    let f = fixture(db).await;
    // The env var is process-wide; this is the only test that sets it, and it sets the same
    // value on both backends.
    unsafe { std::env::set_var("ANTHROPIC_ADMIN_API_KEY", admin_key(3)) };
    let first = f
        .ledger
        .import_plan_from_env()
        .await
        .unwrap()
        .expect("a plan");
    assert_eq!(first.label, "Org 3");
    assert_eq!(first.org_id.as_deref(), Some("org-3"));
    assert!(f.ledger.import_plan_from_env().await.unwrap().is_none());
    assert_eq!(
        f.ledger.list_plans(ListPlans::all()).await.unwrap().len(),
        1
    );
}

async fn a_wrong_master_key_is_refused_at_open(db: TestDb) {
    let f = fixture(db).await;
    f.ledger
        .add_plan(NewPlan::anthropic("Prod org", admin_key(1)))
        .await
        .unwrap();
    let stranger_key = MasterKey::generate();
    let e = Ledger::open(f.db.config(&stranger_key, f.source.clone()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CRYPTO");
    let text = e.to_string();
    assert!(
        text.contains(&format!("sealed with master key {}", f.key.id())),
        "names the key version expected: {text}"
    );
    assert!(text.contains(stranger_key.id()), "{text}");
    for key in [&f.key, &stranger_key] {
        assert!(
            !text.contains(key.to_base64().as_str()),
            "never a key: {text}"
        );
    }
    // Nothing was sealed under the stranger key: the right key opens everything.
    let checks = f.ledger.store().key_checks().await.unwrap();
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].sealed.key_id, f.key.id());
    assert!(checks[0].current);
    let right = Ledger::open(f.db.config(&f.key, f.source.clone()))
        .await
        .unwrap();
    assert_eq!(
        right.list_plans(ListPlans::default()).await.unwrap().len(),
        1
    );
}

async fn a_ledger_without_key_checks_records_one_on_first_open(db: TestDb) {
    // A ledger made before key checks: credentials, and no recorded version.
    let f = fixture(db).await;
    let plan = f
        .ledger
        .add_plan(NewPlan::anthropic("Prod org", admin_key(1)))
        .await
        .unwrap();
    forget_key_checks(&f.db).await;
    assert!(f.ledger.store().key_checks().await.unwrap().is_empty());
    // Another key is refused, naming the key that sealed the credentials, and records nothing.
    let e = Ledger::open(f.db.config(&MasterKey::generate(), f.source.clone()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CRYPTO");
    assert!(e.to_string().contains(f.key.id()), "{e}");
    assert!(f.ledger.store().key_checks().await.unwrap().is_empty());
    // The right key opens and records the check.
    let right = Ledger::open(f.db.config(&f.key, f.source.clone()))
        .await
        .unwrap();
    let checks = right.store().key_checks().await.unwrap();
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].sealed.key_id, f.key.id());
    assert!(f.key.opens_key_check(&checks[0].sealed));
    assert_eq!(right.check_plan(plan.id).await.unwrap().id, "org-1");
    // A stored check that does not open under its key is refused too.
    let mut forged = MasterKey::generate().key_check().unwrap();
    forged.key_id = f.key.id().to_string();
    forget_key_checks(&f.db).await;
    right
        .store()
        .record_key_check(&forged, chrono::Utc::now())
        .await
        .unwrap();
    let e = Ledger::open(f.db.config(&f.key, f.source.clone()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CRYPTO");
    assert!(e.to_string().contains("was altered"), "{e}");
}

async fn a_fresh_ledger_takes_the_first_key_that_seals(db: TestDb) {
    let f = fixture(db).await;
    // No credential yet: another key may open it, and the first one to seal binds it.
    let other_key = MasterKey::generate();
    let other = Ledger::open(f.db.config(&other_key, f.source.clone()))
        .await
        .unwrap();
    assert!(other.store().key_checks().await.unwrap().is_empty());
    other
        .add_plan(NewPlan::anthropic("Prod", admin_key(1)))
        .await
        .unwrap();
    // The first ledger, opened before, now holds a key the ledger does not expect: it is
    // refused before it seals anything, whichever way it tries.
    let e = f
        .ledger
        .add_plan(NewPlan::anthropic("Research", admin_key(2)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CRYPTO");
    assert!(e.to_string().contains(other_key.id()), "{e}");
    let plan = other.list_plans(ListPlans::default()).await.unwrap()[0].clone();
    f.source.allow(&admin_key(9), "org-1", "Org 1");
    let e = f
        .ledger
        .rotate_plan_credential(plan.id, admin_key(9))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CRYPTO");
    assert_eq!(
        other.list_plans(ListPlans::all()).await.unwrap().len(),
        1,
        "nothing was added"
    );
    let sealed = other.store().credentials().await.unwrap();
    assert!(sealed.iter().all(|c| c.sealed.key_id == other_key.id()));
}

async fn tampered_or_swapped_ciphertext_fails(db: TestDb) {
    let f = fixture(db).await;
    let a = f
        .ledger
        .add_plan(NewPlan::anthropic("A", admin_key(1)))
        .await
        .unwrap();
    let b = f
        .ledger
        .add_plan(NewPlan::anthropic("B", admin_key(2)))
        .await
        .unwrap();
    let store = f.ledger.store();
    let ca = store.get_credential(a.id).await.unwrap().unwrap();
    let cb = store.get_credential(b.id).await.unwrap().unwrap();
    // Move plan A's sealed key into plan B's row: the plan id in the associated data differs.
    store
        .replace_credential(b.id, &ca.kind, "x", &ca.sealed, chrono::Utc::now())
        .await
        .unwrap();
    let e = f.ledger.check_plan(b.id).await.unwrap_err();
    assert_eq!(e.code(), "CRYPTO");
    assert!(e.to_string().contains(&format!("plan {}", b.id)), "{e}");
    assert!(e.to_string().contains("failed authentication"), "{e}");
    // Flip one bit of B's own ciphertext.
    let mut tampered = cb.sealed.clone();
    tampered.ciphertext[5] ^= 0x01;
    store
        .replace_credential(b.id, &cb.kind, "x", &tampered, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(
        f.ledger.check_plan(b.id).await.unwrap_err().code(),
        "CRYPTO"
    );
    // The untouched original still opens.
    store
        .replace_credential(b.id, &cb.kind, "x", &cb.sealed, chrono::Utc::now())
        .await
        .unwrap();
    assert_eq!(f.ledger.check_plan(b.id).await.unwrap().id, "org-2");
    assert_eq!(f.ledger.check_plan(a.id).await.unwrap().id, "org-1");
}

async fn master_key_rotation_reseals_everything(db: TestDb) {
    let f = fixture(db).await;
    let mut ids = Vec::new();
    for n in 1..=3 {
        let plan = f
            .ledger
            .add_plan(NewPlan::anthropic(format!("P{n}"), admin_key(n)))
            .await
            .unwrap();
        ids.push(plan.id);
    }
    let before = f
        .ledger
        .store()
        .get_credential(ids[0])
        .await
        .unwrap()
        .unwrap();
    let new_key = MasterKey::generate();
    assert_eq!(
        f.ledger.rotate_master_key(new_key.clone()).await.unwrap(),
        3
    );
    // This ledger keeps working.
    for id in &ids {
        f.ledger.check_plan(*id).await.unwrap();
        let sealed = f
            .ledger
            .store()
            .get_credential(*id)
            .await
            .unwrap()
            .unwrap()
            .sealed;
        assert_eq!(sealed.key_id, new_key.id());
    }
    let after = f
        .ledger
        .store()
        .get_credential(ids[0])
        .await
        .unwrap()
        .unwrap();
    assert_ne!(before.sealed.ciphertext, after.sealed.ciphertext);
    // The old key is refused at open, the new key alone opens everything.
    let e = Ledger::open(f.db.config(&f.key, f.source.clone()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CRYPTO");
    assert!(e.to_string().contains(new_key.id()), "{e}");
    assert!(e.to_string().contains("rotated away"), "{e}");
    let new_only = Ledger::open(f.db.config(&new_key, f.source.clone()))
        .await
        .unwrap();
    for id in &ids {
        new_only.check_plan(*id).await.unwrap();
    }
    let checks = new_only.store().key_checks().await.unwrap();
    assert_eq!(
        checks
            .iter()
            .map(|c| (c.sealed.key_id.as_str(), c.current, c.retired_at.is_some()))
            .collect::<Vec<_>>(),
        vec![(new_key.id(), true, false), (f.key.id(), false, true)]
    );
    // The old key with the new one kept for reading is still the wrong key to seal with.
    let mut config = f.db.config(&f.key, f.source.clone());
    config = config.previous_master_key(new_key.to_base64().to_string());
    assert_eq!(Ledger::open(config).await.unwrap_err().code(), "CRYPTO");
    // A ledger opened before another process rotated the key cannot rotate it again, and
    // changes nothing by trying.
    let stale = Ledger::open(f.db.config(&new_key, f.source.clone()))
        .await
        .unwrap();
    new_only
        .rotate_master_key(MasterKey::generate())
        .await
        .unwrap();
    let e = stale
        .rotate_master_key(MasterKey::generate())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CRYPTO");
    for id in &ids {
        new_only.check_plan(*id).await.unwrap();
    }
}

async fn no_plaintext_key_in_the_database(db: TestDb) {
    let f = fixture(db).await;
    let keys: Vec<String> = (1..=3).map(admin_key).collect();
    for (n, key) in keys.iter().enumerate() {
        f.ledger
            .add_plan(NewPlan::anthropic(format!("P{n}"), key.clone()))
            .await
            .unwrap();
    }
    f.ledger
        .rotate_master_key(MasterKey::generate())
        .await
        .unwrap();
    // The secret part of a key: everything after its visible prefix, minus the hint's tail.
    let needles: Vec<&str> = keys
        .iter()
        .map(|k| &k["sk-ant-admin01-".len()..k.len() - 4])
        .collect();
    let haystack = database_bytes(&f.db).await;
    assert!(haystack.len() > 1000, "read {} bytes", haystack.len());
    for needle in needles {
        for window in needle.as_bytes().windows(16) {
            assert!(
                !haystack.windows(16).any(|w| w == window),
                "16 bytes of an admin key found in the database"
            );
        }
    }
}

/// Every byte the database holds: the SQLite files, or every Postgres row as text.
async fn database_bytes(db: &TestDb) -> Vec<u8> {
    if db.is_postgres() {
        use sqlx::Row;
        let store = costledger::store::PostgresStore::open(&db.url, &db.store_options())
            .await
            .unwrap();
        let tables: Vec<String> = sqlx::query_scalar(
            "SELECT table_name::text FROM information_schema.tables WHERE table_schema = $1",
        )
        .bind(db.schema.as_deref().unwrap())
        .fetch_all(store.pool())
        .await
        .unwrap();
        assert!(tables.iter().any(|t| t == "costledger_credentials"));
        let mut out = Vec::new();
        for table in tables {
            let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                "SELECT t::text FROM \"{table}\" t"
            )))
            .fetch_all(store.pool())
            .await
            .unwrap();
            for row in rows {
                let text: String = row.get(0);
                out.extend_from_slice(text.as_bytes());
            }
        }
        out
    } else {
        let dir = db.dir.as_ref().unwrap().path();
        let mut out = Vec::new();
        for entry in std::fs::read_dir(dir).unwrap() {
            out.extend(std::fs::read(entry.unwrap().path()).unwrap());
        }
        out
    }
}

async fn debug_output_never_shows_a_key(db: TestDb) {
    let f = fixture(db).await;
    let key = admin_key(1);
    let secret = &key[20..key.len() - 4];
    let new_plan = NewPlan::anthropic("A", key.clone());
    let plan = f.ledger.add_plan(new_plan.clone()).await.unwrap();
    let config = f.db.config(&f.key, f.source.clone());
    f.source.refuse(&key);
    let refused = f.ledger.check_plan(plan.id).await.unwrap_err();
    let shape = f
        .ledger
        .add_plan(NewPlan::anthropic("B", format!("{key} ")))
        .await
        .unwrap_err();
    let master = f.key.to_base64();
    let texts = [
        format!("{new_plan:?}"),
        format!("{plan:?}"),
        format!("{config:?}"),
        format!("{:?}", f.ledger),
        format!("{refused:?} {refused}"),
        format!("{shape:?} {shape}"),
        format!(
            "{:?}",
            f.ledger.store().get_credential(plan.id).await.unwrap()
        ),
    ];
    for text in texts {
        assert!(!text.contains(secret), "admin key leaked: {text}");
        assert!(!text.contains(&master[..20]), "master key leaked: {text}");
    }
    assert!(format!("{new_plan:?}").contains("sk-ant-admin01-…"));
}

async fn a_closed_ledger_says_so(db: TestDb) {
    let f = fixture(db).await;
    let clone = f.ledger.clone();
    f.ledger.close().await;
    f.ledger.close().await;
    let e = clone.list_plans(ListPlans::default()).await.unwrap_err();
    assert_eq!(e.code(), "CLOSED");
    assert_eq!(e.to_string(), "the ledger is closed; open a new one");
    let e = clone
        .add_plan(NewPlan::anthropic("A", admin_key(1)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CLOSED");
}

#[derive(Debug)]
struct BrokenKms;

#[async_trait::async_trait]
impl costledger::KeyCipher for BrokenKms {
    async fn encrypt(&self, _: &[u8], _: &[u8]) -> costledger::Result<costledger::Sealed> {
        Err(costledger::Error::crypto("KMS unreachable"))
    }
    async fn decrypt(
        &self,
        _: &costledger::Sealed,
        _: &[u8],
    ) -> costledger::Result<zeroize::Zeroizing<Vec<u8>>> {
        Err(costledger::Error::crypto("KMS unreachable"))
    }
}

async fn a_failing_host_cipher_names_the_plan(db: TestDb) {
    let source = KeyTableSource::new();
    source.allow(&admin_key(1), "org-1", "Org 1");
    let mut config = costledger::LedgerConfig::new(db.url.clone())
        .cipher(Arc::new(BrokenKms))
        .source(source)
        .without_env();
    if let Some(schema) = &db.schema {
        config = config.postgres_schema(schema.clone());
    }
    let ledger = Ledger::open(config).await.unwrap();
    let e = ledger
        .add_plan(NewPlan::anthropic("A", admin_key(1)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CRYPTO");
    assert!(
        e.to_string()
            .starts_with("cannot seal the credential of plan"),
        "{e}"
    );
    assert!(e.to_string().contains("KMS unreachable"), "{e}");
    assert!(
        ledger
            .list_plans(ListPlans::all())
            .await
            .unwrap()
            .is_empty(),
        "nothing was stored"
    );
    let e = ledger
        .rotate_master_key(MasterKey::generate())
        .await
        .unwrap_err();
    assert!(e.to_string().contains("host-supplied cipher"), "{e}");
}

async fn without_a_master_key_reads_work_and_credentials_say_what_is_missing(db: TestDb) {
    let f = fixture(db).await;
    let plan = f
        .ledger
        .add_plan(NewPlan::anthropic("A", admin_key(1)))
        .await
        .unwrap();
    f.ledger
        .store()
        .upsert_metadata(plan.id, &sample_metadata())
        .await
        .unwrap();
    let mut config = costledger::LedgerConfig::new(f.db.url.clone())
        .source(f.source.clone())
        .without_env();
    if let Some(schema) = &f.db.schema {
        config = config.postgres_schema(schema.clone());
    }
    let reader = Ledger::open(config).await.unwrap();
    assert_eq!(
        reader.list_plans(ListPlans::default()).await.unwrap().len(),
        1
    );
    assert_eq!(
        reader.plan_metadata(plan.id).await.unwrap().users[0].email,
        "ada@example.com"
    );
    assert_eq!(
        reader.plan_metadata(99).await.unwrap_err().code(),
        "PLAN_NOT_FOUND"
    );
    let org = reader.plan_metadata(plan.id).await.unwrap().org.unwrap();
    assert_eq!((org.id.as_str(), org.name.as_str()), ("org-1", "Org 1"));
    let calls = f
        .source
        .verify_calls
        .load(std::sync::atomic::Ordering::SeqCst);
    for e in [
        reader
            .add_plan(NewPlan::anthropic("B", admin_key(2)))
            .await
            .unwrap_err(),
        reader.check_plan(plan.id).await.unwrap_err(),
        reader
            .rotate_master_key(MasterKey::generate())
            .await
            .unwrap_err(),
    ] {
        assert_eq!(e.code(), "INVALID_INPUT", "{e}");
        assert!(e.to_string().contains("no master key is configured"), "{e}");
        assert!(
            e.to_string().contains("costledger master-key generate"),
            "{e}"
        );
    }
    assert_eq!(
        f.source
            .verify_calls
            .load(std::sync::atomic::Ordering::SeqCst),
        calls,
        "no network call"
    );
    // Sync is refused up front: no lease, no event, no network call.
    let e = reader
        .sync(costledger::SyncOptions::default())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    assert!(e.to_string().contains("no master key is configured"), "{e}");
    assert!(
        reader
            .sync_history(Default::default())
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        f.source
            .verify_calls
            .load(std::sync::atomic::Ordering::SeqCst),
        calls
    );
    // A plan of local logs needs no key: syncing it alone runs.
    let dir = tempfile::tempdir().unwrap();
    let logs = f
        .ledger
        .add_plan(NewPlan::claude_code_logs(
            "Laptop",
            vec![dir.path().display().to_string()],
        ))
        .await
        .unwrap();
    let report = reader
        .sync(costledger::SyncOptions::default().plan(logs.id))
        .await
        .unwrap();
    assert!(report.is_ok(), "{report:#?}");
    assert_eq!(
        reader
            .sync(costledger::SyncOptions::default())
            .await
            .unwrap_err()
            .code(),
        "INVALID_INPUT",
        "with a plan that has a credential among them"
    );
}

/// Empty `costledger_key_checks`, as in a ledger made before key checks existed.
async fn forget_key_checks(db: &TestDb) {
    match &db.schema {
        None => {
            use sqlx::Connection;
            let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
            sqlx::query("DELETE FROM costledger_key_checks")
                .execute(&mut conn)
                .await
                .unwrap();
        }
        Some(schema) => {
            use sqlx::Connection;
            let mut conn = sqlx::PgConnection::connect(&db.url).await.unwrap();
            let sql = format!("DELETE FROM \"{schema}\".costledger_key_checks");
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&mut conn)
                .await
                .unwrap();
        }
    }
}

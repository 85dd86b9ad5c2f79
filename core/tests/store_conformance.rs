//! One conformance suite for both store backends: what one stores, the other must store
//! the same way.

use crate::common::TestDb;
use chrono::{DateTime, Duration, TimeZone, Utc};
use costledger::crypto::Sealed;
use costledger::model::PlanSettings;
use costledger::store::{Backend, NewPlanRecord, Store, WatermarkAdvance};
use costledger::{
    BucketWidth, CostPage, CostRow, Money, OrgMetadata, Provider, TokenCounts, UsagePage, UsageRow,
    Workspace,
};

backend_tests!(
    migrations_are_idempotent,
    plan_rows_round_trip,
    usage_page_replaces_its_range_only,
    null_dimensions_are_kept,
    duplicate_rows_in_a_page_are_merged,
    watermark_never_moves_back,
    cost_page_replaces_its_days,
    metadata_upserts,
    writes_to_what_attribution_reads_move_its_versions,
);

fn t(hour: i64) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap() + Duration::hours(hour)
}

async fn new_plan(store: &dyn Store, label: &str) -> i64 {
    let record = NewPlanRecord {
        provider: Provider::Anthropic,
        label: label.to_string(),
        key_hint: Some("sk-ant-admin01-…AbCd".into()),
        org_id: Some(format!("org-{label}")),
        org_name: Some(label.to_string()),
        settings: PlanSettings::default(),
        subscription: None,
        now: t(0),
        reach: None,
    };
    store.insert_plan(&record, None).await.unwrap().id
}

fn row(hour: i64, key: Option<&str>, model: &str, input: i64) -> UsageRow {
    UsageRow {
        bucket_start: t(hour),
        api_key_id: key.map(str::to_string),
        workspace_id: Some("wrkspc_1".into()),
        model: Some(model.into()),
        service_tier: Some("standard".into()),
        context_window: Some("0-200k".into()),
        inference_geo: None,
        actor_id: None,
        tokens: TokenCounts {
            uncached_input: input,
            cache_write_5m: 2,
            cache_write_1h: 3,
            cache_read: 4,
            output: 5,
            web_search_requests: 1,
        },
    }
}

fn page(from: i64, to: i64, rows: Vec<UsageRow>) -> UsagePage {
    UsagePage {
        width: BucketWidth::Hour,
        starting_at: t(from),
        ending_at: t(to),
        rows,
        units: Vec::new(),
        stats: Default::default(),
    }
}

async fn migrations_are_idempotent(db: TestDb) {
    let store = db.store().await;
    let id = new_plan(store.as_ref(), "a").await;
    // Opening again runs the migrator again: nothing changes, nothing is lost.
    let again = db.store().await;
    assert_eq!(again.get_plan(id).await.unwrap().label, "a");
    let expected = if db.is_postgres() {
        Backend::Postgres
    } else {
        Backend::Sqlite
    };
    assert_eq!(again.backend(), expected);
    eprintln!("conformance ran on {}", again.backend());
}

async fn plan_rows_round_trip(db: TestDb) {
    let store = db.store().await;
    let id = new_plan(store.as_ref(), "round").await;
    let plan = store.get_plan(id).await.unwrap();
    assert_eq!(plan.created_at, t(0));
    assert_eq!(plan.org_id.as_deref(), Some("org-round"));
    assert_eq!(store.count_plans().await.unwrap(), 1);
    assert!(store.get_credential(id).await.unwrap().is_none());
    let sealed = Sealed {
        key_id: "k".into(),
        nonce: vec![0; 12],
        ciphertext: vec![1, 2, 3, 255],
    };
    store
        .replace_credential(id, "admin_key", "hint", &sealed, t(1))
        .await
        .unwrap();
    let stored = store.get_credential(id).await.unwrap().unwrap();
    assert_eq!(stored.sealed, sealed);
    assert_eq!(
        store.get_plan(id).await.unwrap().key_hint.as_deref(),
        Some("hint")
    );
}

async fn usage_page_replaces_its_range_only(db: TestDb) {
    let store = db.store().await;
    let plan = new_plan(store.as_ref(), "u").await;
    let other = new_plan(store.as_ref(), "v").await;
    let first = page(
        0,
        4,
        (0..4).map(|h| row(h, Some("k1"), "m", 10 + h)).collect(),
    );
    assert_eq!(
        store.replace_usage_page(plan, &first, None).await.unwrap(),
        4
    );
    store.replace_usage_page(other, &first, None).await.unwrap();
    // Re-sync hours 2-3 with new numbers and a new key: hours 0-1 stay, 2-3 are replaced.
    let second = page(
        2,
        4,
        vec![row(2, Some("k2"), "m", 100), row(3, Some("k1"), "m", 7)],
    );
    store.replace_usage_page(plan, &second, None).await.unwrap();
    let rows = store
        .usage_rows(plan, BucketWidth::Hour, t(0), t(10))
        .await
        .unwrap();
    let got: Vec<(i64, Option<String>, i64)> = rows
        .iter()
        .map(|r| {
            (
                r.bucket_start.timestamp() - t(0).timestamp(),
                r.api_key_id.clone(),
                r.tokens.uncached_input,
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (0, Some("k1".into()), 10),
            (3600, Some("k1".into()), 11),
            (7200, Some("k2".into()), 100),
            (10800, Some("k1".into()), 7),
        ]
    );
    assert_eq!(rows[0].tokens, row(0, Some("k1"), "m", 10).tokens);
    // An empty page empties its range.
    store
        .replace_usage_page(plan, &page(0, 2, vec![]), None)
        .await
        .unwrap();
    assert_eq!(
        store
            .usage_rows(plan, BucketWidth::Hour, t(0), t(10))
            .await
            .unwrap()
            .len(),
        2
    );
    // The other plan and the other width are untouched.
    assert_eq!(
        store
            .usage_rows(other, BucketWidth::Hour, t(0), t(10))
            .await
            .unwrap()
            .len(),
        4
    );
    assert!(
        store
            .usage_rows(plan, BucketWidth::Day, t(0), t(48))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn null_dimensions_are_kept(db: TestDb) {
    let store = db.store().await;
    let plan = new_plan(store.as_ref(), "n").await;
    let mut console = row(0, None, "m", 5);
    console.workspace_id = None;
    let keyed = row(0, Some("k1"), "m", 6);
    store
        .replace_usage_page(
            plan,
            &page(0, 1, vec![console.clone(), keyed.clone()]),
            None,
        )
        .await
        .unwrap();
    let rows = store
        .usage_rows(plan, BucketWidth::Hour, t(0), t(1))
        .await
        .unwrap();
    assert_eq!(rows, vec![console, keyed]);
}

async fn duplicate_rows_in_a_page_are_merged(db: TestDb) {
    let store = db.store().await;
    let plan = new_plan(store.as_ref(), "d").await;
    let written = store
        .replace_usage_page(
            plan,
            &page(
                0,
                1,
                vec![row(0, Some("k"), "m", 5), row(0, Some("k"), "m", 6)],
            ),
            None,
        )
        .await
        .unwrap();
    assert_eq!(written, 1);
    let rows = store
        .usage_rows(plan, BucketWidth::Hour, t(0), t(1))
        .await
        .unwrap();
    assert_eq!(rows[0].tokens.uncached_input, 11);
    assert_eq!(rows[0].tokens.output, 10);
}

async fn watermark_never_moves_back(db: TestDb) {
    let store = db.store().await;
    let plan = new_plan(store.as_ref(), "w").await;
    assert!(store.watermark(plan, "usage:1h").await.unwrap().is_none());
    let advance = |w: i64, f: i64| WatermarkAdvance {
        stream: "usage:1h".into(),
        watermark: t(w),
        first_start: t(f),
        at: t(0),
    };
    store
        .replace_usage_page(plan, &page(0, 5, vec![]), Some(&advance(5, 0)))
        .await
        .unwrap();
    store
        .replace_usage_page(plan, &page(1, 3, vec![]), Some(&advance(3, 1)))
        .await
        .unwrap();
    let w = store.watermark(plan, "usage:1h").await.unwrap().unwrap();
    assert_eq!((w.watermark, w.first_start), (t(5), t(0)));
    // A backfill before the first start extends the history without moving the watermark.
    store
        .replace_usage_page(plan, &page(-10, -5, vec![]), Some(&advance(-5, -10)))
        .await
        .unwrap();
    let w = store.watermark(plan, "usage:1h").await.unwrap().unwrap();
    assert_eq!((w.watermark, w.first_start), (t(5), t(-10)));
    assert!(store.watermark(plan, "cost").await.unwrap().is_none());
}

fn cost(day: i64, ws: Option<&str>, cents: &str, token_type: Option<&str>) -> CostRow {
    CostRow {
        bucket_start: t(day * 24),
        workspace_id: ws.map(str::to_string),
        api_key_id: None,
        description: Some("Claude Sonnet 4.5 Usage - Input Tokens".into()),
        cost_type: Some("tokens".into()),
        model: Some("claude-sonnet-4-5-20250929".into()),
        service_tier: Some("standard".into()),
        context_window: Some("0-200k".into()),
        token_type: token_type.map(str::to_string),
        inference_geo: None,
        amount: Money::parse_cents(cents).unwrap(),
    }
}

async fn cost_page_replaces_its_days(db: TestDb) {
    let store = db.store().await;
    let plan = new_plan(store.as_ref(), "c").await;
    let days = |from: i64, to: i64, rows| CostPage {
        starting_at: t(from * 24),
        ending_at: t(to * 24),
        rows,
        stats: Default::default(),
    };
    let first = days(
        0,
        2,
        vec![
            cost(0, Some("w"), "123.78912", Some("uncached_input_tokens")),
            cost(0, None, "0.0000001", Some("output_tokens")),
            cost(1, Some("w"), "1500", None),
        ],
    );
    store.replace_cost_page(plan, &first, None).await.unwrap();
    store
        .replace_cost_page(plan, &days(1, 2, vec![cost(1, Some("w"), "2", None)]), None)
        .await
        .unwrap();
    let rows = store.cost_rows(plan, t(0), t(48)).await.unwrap();
    assert_eq!(rows.len(), 3);
    assert_eq!(rows[0], first.rows[0]);
    assert_eq!(rows[1], first.rows[1]);
    assert_eq!(rows[1].workspace_id, None);
    assert_eq!(rows[2].amount, Money::from_cents(2));
    let total: Money = rows.iter().map(|r| r.amount).sum();
    assert_eq!(total.nanos(), 1_237_891_200 + 1 + 20_000_000);
}

/// An active key `apikey_1` that `user_1` created.
fn key_of_user_1() -> costledger::ApiKeyInfo {
    costledger::ApiKeyInfo {
        id: "apikey_1".into(),
        name: "K".into(),
        workspace_id: None,
        status: "active".into(),
        created_at: Some(t(0)),
        created_by_id: Some("user_1".into()),
        created_by_type: Some("user".into()),
        partial_key_hint: Some("sk-ant-api03-R2D...igAA".into()),
        expires_at: None,
    }
}

async fn metadata_upserts(db: TestDb) {
    let store = db.store().await;
    let plan = new_plan(store.as_ref(), "m").await;
    let mut meta = OrgMetadata {
        workspaces: vec![Workspace {
            id: "wrkspc_1".into(),
            name: "One".into(),
            display_color: None,
            created_at: Some(t(0)),
            archived_at: None,
        }],
        api_keys: vec![key_of_user_1()],
        users: vec![],
        ..Default::default()
    };
    store.upsert_metadata(plan, &meta).await.unwrap();
    meta.workspaces[0].archived_at = Some(t(5));
    meta.api_keys[0].status = "archived".into();
    store.upsert_metadata(plan, &meta).await.unwrap();
    let back = store.metadata(plan).await.unwrap();
    assert_eq!(back.workspaces, meta.workspaces);
    assert_eq!(back.api_keys, meta.api_keys);
    assert_eq!(back.api_keys[0].workspace_id, None);
}

/// Every write to what attribution reads moves a version (scope 0 for subjects, projects and
/// mappings; the plan's id for its keys and members), and nothing else does (a sync writing
/// the same metadata again, or a member's new name).
async fn writes_to_what_attribution_reads_move_its_versions(db: TestDb) {
    let store = db.store().await;
    let plan = new_plan(store.as_ref(), "v").await;
    let other = new_plan(store.as_ref(), "w").await;
    let versions = || async { store.attribution_versions().await.unwrap() };
    let scope =
        |list: &[(i64, i64)], scope: i64| list.iter().find(|(s, _)| *s == scope).map(|(_, v)| *v);
    let start = versions().await;
    let mut meta = OrgMetadata {
        api_keys: vec![key_of_user_1()],
        ..Default::default()
    };
    store.upsert_metadata(plan, &meta).await.unwrap();
    let after_keys = versions().await;
    assert!(
        scope(&after_keys, plan) > scope(&start, plan),
        "{after_keys:?}"
    );
    assert_eq!(scope(&after_keys, other), scope(&start, other));
    assert_eq!(scope(&after_keys, 0), scope(&start, 0));
    meta.users = vec![costledger::OrgUser {
        id: "user_1".into(),
        email: "a@example.com".into(),
        name: "A".into(),
        role: "user".into(),
        added_at: Some(t(0)),
    }];
    store.upsert_metadata(plan, &meta).await.unwrap();
    let after_users = versions().await;
    assert!(scope(&after_users, plan) > scope(&after_keys, plan));
    // Each sync writes the metadata again: unchanged, or with a new name, it is not something
    // attribution reads; a new email is.
    store.upsert_metadata(plan, &meta).await.unwrap();
    meta.users[0].name = "A. Renamed".into();
    store.upsert_metadata(plan, &meta).await.unwrap();
    assert_eq!(versions().await, after_users);
    meta.users[0].email = "a2@example.com".into();
    store.upsert_metadata(plan, &meta).await.unwrap();
    let after_email = versions().await;
    assert!(scope(&after_email, plan) > scope(&after_users, plan));
    let after_users = after_email;
    // A usage page is not something attribution reads.
    store
        .replace_usage_page(plan, &page(0, 1, vec![]), None)
        .await
        .unwrap();
    assert_eq!(versions().await, after_users);
    store
        .upsert_subject(
            &costledger::NewSubject::new("s").email("a@example.com"),
            t(0),
        )
        .await
        .unwrap();
    let after_subject = versions().await;
    assert!(scope(&after_subject, 0) > scope(&after_users, 0));
    assert_eq!(scope(&after_subject, plan), scope(&after_users, plan));
}

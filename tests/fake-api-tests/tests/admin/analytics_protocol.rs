//! The Analytics API's protocol: beta header, credentials and scopes, HIPAA-ready orgs,
//! orgs without the beta, and every validation error.

use crate::admin::common::{
    ANALYTICS_BETA, analytics, get, get_with, key, start, start_kinds, start_with,
};
use fake_admin_api::{FakeConfig, OrgKinds};

const Q: &str = "starting_at=2026-11-01T00:00:00Z";

#[tokio::test]
async fn the_beta_header_is_required_alone_or_in_a_list() {
    let server = start().await;
    let k = key(&server, 0);
    for path in ["analytics/usage", "analytics/cost"] {
        let url = format!("{path}?{Q}");
        let r = get(&server, &k, &url).await;
        assert_eq!(r.status, 400, "{}", r.body);
        let (kind, message) = r.error();
        assert_eq!(kind, "invalid_request_error");
        assert!(message.contains(ANALYTICS_BETA), "{message}");
        for beta in [
            ANALYTICS_BETA.to_string(),
            format!("fast-mode-2026-02-01, {ANALYTICS_BETA}"),
            format!("{ANALYTICS_BETA},files-api-2025-04-14"),
        ] {
            let headers = [
                ("x-api-key", k.as_str()),
                ("anthropic-version", "2023-06-01"),
                ("anthropic-beta", beta.as_str()),
            ];
            let r = get_with(&server, &url, &headers).await;
            assert_eq!(r.status, 200, "{beta}: {}", r.body);
        }
        let other = [
            ("x-api-key", k.as_str()),
            ("anthropic-version", "2023-06-01"),
            ("anthropic-beta", "analytics-usage-cost-2026-08-25"),
        ];
        assert_eq!(get_with(&server, &url, &other).await.status, 400);
    }
    // The legacy endpoints never need it.
    let r = get(&server, &k, "cost_report?starting_at=2026-11-01T00:00:00Z").await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn authentication_and_version_come_first() {
    let server = start().await;
    let url = format!("analytics/cost?{Q}");
    let r = get_with(&server, &url, &[("anthropic-beta", ANALYTICS_BETA)]).await;
    assert_eq!(r.status, 401);
    assert_eq!(r.error().1, "x-api-key header is required");
    let r = analytics(&server, "sk-ant-admin01-nope", &url).await;
    assert_eq!(
        (r.status, r.error().1),
        (401, "invalid x-api-key".to_string())
    );
    let k = key(&server, 0);
    let headers = [
        ("x-api-key", k.as_str()),
        ("anthropic-beta", ANALYTICS_BETA),
    ];
    let r = get_with(&server, &url, &headers).await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error().1, "anthropic-version: header is required");
    let r = analytics(&server, &k, &url).await;
    assert_eq!(
        r.header("anthropic-organization-id"),
        Some(server.orgs()[0].id.as_str())
    );
    assert!(r.header("request-id").unwrap().starts_with("req_011"));
    assert_eq!(r.header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn scoped_keys_reach_what_their_scopes_name() {
    let server = start_kinds(OrgKinds::none().with_enterprise(1)).await;
    let org = server.orgs()[1].id.clone();
    let seeded = server.scoped_keys();
    assert_eq!(seeded.len(), 2);
    assert!(
        seeded
            .iter()
            .all(|k| k.org_id == org && k.key.starts_with("sk-ant-api01-"))
    );
    assert_eq!(
        seeded[0].scopes,
        ["read:analytics", "read:spend_limits", "write:spend_limits"]
    );
    assert_eq!(seeded[1].scopes, ["read:spend_limits"]);
    let (with, without) = (seeded[0].key.clone(), seeded[1].key.clone());
    let url = format!("analytics/cost?{Q}");
    let r = analytics(&server, &with, &url).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("anthropic-organization-id"), Some(org.as_str()));
    // The same answer as the org's Console admin key.
    assert_eq!(
        r.json(),
        analytics(&server, &key(&server, 1), &url).await.json()
    );
    let r = analytics(&server, &without, &url).await;
    assert_eq!(r.status, 403);
    let (kind, message) = r.error();
    assert_eq!(kind, "permission_error");
    assert!(
        message.contains("read:analytics") && message.contains("read:spend_limits"),
        "{message}"
    );
    // Every key reaches /me; a scoped key never reaches the Console-only endpoints.
    assert_eq!(get(&server, &without, "me").await.status, 200);
    for path in [
        "usage_report/messages?starting_at=2026-11-01T00:00:00Z",
        "cost_report?starting_at=2026-11-01T00:00:00Z",
        "usage_report/claude_code?starting_at=2026-11-01",
        "api_keys",
        "workspaces",
    ] {
        let r = get(&server, &with, path).await;
        assert_eq!(r.status, 403, "{path}");
        assert!(r.error().1.contains("sk-ant-admin01-"), "{path}");
    }
    assert_eq!(get(&server, &with, "users").await.status, 403);
    let members = server.add_scoped_key(&org, &["read:members"]).unwrap();
    assert_eq!(get(&server, &members, "users").await.status, 200);
    assert_eq!(analytics(&server, &members, &url).await.status, 403);
    // Revoked scoped keys are unknown keys.
    server.revoke_key(&with);
    assert_eq!(analytics(&server, &with, &url).await.status, 401);
    assert_eq!(server.scoped_keys().len(), 2);
}

#[tokio::test]
async fn scoped_keys_exist_only_for_enterprise_orgs_and_known_scopes() {
    let server = start_kinds(OrgKinds::none().with_enterprise(1)).await;
    let orgs = server.orgs();
    assert!(server.scoped_keys().iter().all(|k| k.org_id == orgs[1].id));
    let e = server
        .add_scoped_key(&orgs[0].id, &["read:analytics"])
        .unwrap_err();
    assert!(e.contains("Claude Console"), "{e}");
    let e = server
        .add_scoped_key(&orgs[1].id, &["read:everything"])
        .unwrap_err();
    assert!(e.contains("unknown scope"), "{e}");
    assert!(server.add_scoped_key(&orgs[1].id, &[]).is_err());
    assert!(server.add_scoped_key("nope", &["read:analytics"]).is_err());
    // Without Enterprise orgs there are no scoped keys at all.
    assert!(start().await.scoped_keys().is_empty());
    let bad = fake_admin_api::FakeServer::start_with_kinds(
        FakeConfig::default(),
        OrgKinds::none().with_hipaa(3),
    )
    .await;
    assert!(bad.is_err());
}

#[tokio::test]
async fn hipaa_ready_orgs_get_400_and_beta_less_orgs_404() {
    let server = start_kinds(
        OrgKinds::none()
            .with_hipaa(2)
            .with_analytics_beta_disabled(3),
    )
    .await;
    for path in ["analytics/usage", "analytics/cost"] {
        let url = format!("{path}?{Q}");
        let r = analytics(&server, &key(&server, 2), &url).await;
        assert_eq!(r.status, 400);
        let (kind, message) = r.error();
        assert_eq!(kind, "invalid_request_error");
        assert!(message.contains("HIPAA"), "{message}");
        let r = analytics(&server, &key(&server, 3), &url).await;
        assert_eq!(r.status, 404);
        let (kind, message) = r.error();
        assert_eq!(kind, "not_found_error");
        assert!(
            message.contains("not enabled") && message.contains(ANALYTICS_BETA),
            "{message}"
        );
        assert_eq!(analytics(&server, &key(&server, 0), &url).await.status, 200);
    }
    // The legacy endpoints still serve both.
    for org in [2, 3] {
        let r = get(
            &server,
            &key(&server, org),
            "cost_report?starting_at=2026-11-01T00:00:00Z",
        )
        .await;
        assert_eq!(r.status, 200);
    }
    let truth = server.truth();
    assert!(truth.orgs[2].hipaa && !truth.orgs[3].analytics_beta);
    assert!(!truth.orgs[0].hipaa && truth.orgs[0].analytics_beta);
}

async fn rejects(
    server: &fake_admin_api::FakeServer,
    k: &str,
    path: &str,
    query: &str,
    needle: &str,
) {
    let r = analytics(server, k, &format!("{path}?{query}")).await;
    assert_eq!(r.status, 400, "{query}: {}", r.body);
    let (kind, message) = r.error();
    assert_eq!(kind, "invalid_request_error");
    assert!(message.contains(needle), "{query}: {message}");
}

#[tokio::test]
async fn validation_errors() {
    let server = start().await;
    let k = key(&server, 0);
    let (u, c) = ("analytics/usage", "analytics/cost");
    let many: String = (0..101).map(|i| format!("&actor_ids[]=user_{i}")).collect();
    for (path, query, needle) in [
        (u, "", "starting_at: Field required"),
        (c, "starting_at=yesterday", "starting_at"),
        (c, "starting_at=2025-12-31T23:59:59Z", "2026-01-01"),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&ending_at=2026-11-01T00:30:00Z",
            "Invalid date range",
        ),
        (
            c,
            "starting_at=2026-11-02T00:00:00Z&ending_at=2026-11-01T00:00:00Z",
            "Invalid date range",
        ),
        (
            c,
            "starting_at=2026-10-01T00:00:00Z&ending_at=2026-11-01T01:00:00Z",
            "31 days",
        ),
        (
            u,
            "starting_at=2026-11-01T00:00:00Z&ending_at=2026-11-02T01:00:00Z&time_bucket_width=1m",
            "24 hours",
        ),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&time_bucket_width=1w",
            "time_bucket_width",
        ),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&group_by[]=colour",
            "group_by[]",
        ),
        (
            u,
            "starting_at=2026-11-01T00:00:00Z&group_by[]=cost_type",
            "group_by[]",
        ),
        (
            u,
            "starting_at=2026-11-01T00:00:00Z&group_by[]=token_type",
            "group_by[]",
        ),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&group_by[]=claude_tag_user_id&group_by[]=rbac_group_id",
            "claude_tag_user_id",
        ),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&group_by[]=claude_tag_user_id&rbac_group_ids[]=rbac_group_01x",
            "rbac_group_ids[]",
        ),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&actor_ids[]=wrkspc_01x",
            "user_, svac_ or apikey_",
        ),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&actor_types[]=robot_actor",
            "actor_types[]",
        ),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&service_tiers[]=gold",
            "service_tiers[]",
        ),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&context_windows[]=1M",
            "context_windows[]",
        ),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&inference_geos[]=eu",
            "inference_geos[]",
        ),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&speeds[]=ludicrous",
            "speeds[]",
        ),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&products[]=api",
            "products[]",
        ),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&claude_tag_categories[]=chatty",
            "claude_tag_categories[]",
        ),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&exclude_deleted_users=yes",
            "exclude_deleted_users",
        ),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&limit=0",
            "greater than or equal to 1",
        ),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&limit=1001",
            "less than or equal to 1000",
        ),
        (c, "starting_at=2026-11-01T00:00:00Z&order=up", "order"),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&order_by=total_tokens",
            "order_by",
        ),
        (
            u,
            "starting_at=2026-11-01T00:00:00Z&order_by=amount",
            "order_by",
        ),
        (
            c,
            "starting_at=2026-11-01T00:00:00Z&page=page_bm9wZQ==",
            "page",
        ),
    ] {
        rejects(&server, &k, path, query, needle).await;
    }
    rejects(
        &server,
        &k,
        c,
        &format!("starting_at=2026-11-01T00:00:00Z{many}"),
        "at most 100",
    )
    .await;
    let hundred: String = (0..100).map(|i| format!("&actor_ids[]=user_{i}")).collect();
    let r = analytics(
        &server,
        &k,
        &format!("{c}?starting_at=2026-11-01T00:00:00Z{hundred}"),
    )
    .await;
    assert_eq!(r.status, 200, "100 ids are allowed");
    // 1m buckets over exactly 24 hours, and 31 days, are allowed.
    for ok in [
        "starting_at=2026-11-01T00:00:00Z&ending_at=2026-11-02T00:00:00Z&time_bucket_width=1m&limit=1",
        "starting_at=2026-10-01T00:00:00Z&ending_at=2026-11-01T00:00:00Z&time_bucket_width=1d",
        "starting_at=2026-11-01T00:00:00Z&exclude_deleted_users=false&order=asc&order_by=list_amount",
    ] {
        let r = analytics(&server, &k, &format!("{c}?{ok}")).await;
        assert_eq!(r.status, 200, "{ok}: {}", r.body);
    }
}

#[tokio::test]
async fn history_older_than_365_days_is_refused() {
    let server = start_with(FakeConfig {
        days: 30,
        now: "2027-03-01T00:00:00Z".parse().unwrap(),
        ..FakeConfig::default()
    })
    .await;
    let k = key(&server, 0);
    // 2026-02-28 is 366 days before now: after 2026-01-01 but too old.
    let r = analytics(
        &server,
        &k,
        "analytics/usage?starting_at=2026-02-28T00:00:00Z",
    )
    .await;
    assert_eq!(r.status, 400);
    assert!(r.error().1.contains("365 days"), "{}", r.body);
    let r = analytics(
        &server,
        &k,
        "analytics/usage?starting_at=2026-03-02T00:00:00Z",
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    // The legacy report still serves that history.
    let r = get(
        &server,
        &k,
        "usage_report/messages?starting_at=2026-02-28T00:00:00Z&limit=1",
    )
    .await;
    assert_eq!(r.status, 200);
}

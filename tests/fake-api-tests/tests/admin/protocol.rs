//! Headers, authentication, versions, routing and determinism.

use crate::admin::common::{get, get_with, key, start, start_with};
use fake_admin_api::FakeConfig;

#[tokio::test]
async fn every_answer_has_request_id_content_type_and_org_header() {
    let server = start().await;
    let org = &server.orgs()[0];
    for path in [
        "me",
        "usage_report/messages?starting_at=2026-11-19T00:00:00Z",
        "nope",
    ] {
        let r = get(&server, &org.admin_key, path).await;
        let id = r.header("request-id").unwrap();
        assert!(id.starts_with("req_011") && id.len() == 28, "{id}");
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("anthropic-organization-id"), Some(org.id.as_str()));
    }
    let r = get(&server, &org.admin_key, "nope").await;
    assert_eq!(r.status, 404);
    assert_eq!(r.error().0, "not_found_error");
    assert_eq!(r.json()["request_id"], r.header("request-id").unwrap());
}

#[tokio::test]
async fn me_names_the_org_of_the_key() {
    let server = start().await;
    for org in server.orgs() {
        let r = get(&server, &org.admin_key, "me").await;
        assert_eq!(r.status, 200);
        let v = r.json();
        assert_eq!(
            v,
            serde_json::json!({"id": org.id, "type": "organization", "name": org.name})
        );
    }
    let ids: std::collections::HashSet<String> = server.orgs().into_iter().map(|o| o.id).collect();
    assert_eq!(ids.len(), 3);
}

#[tokio::test]
async fn missing_or_unknown_keys_get_401() {
    let server = start().await;
    let r = get_with(&server, "me", &[("anthropic-version", "2023-06-01")]).await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.error(),
        (
            "authentication_error".into(),
            "x-api-key header is required".into()
        )
    );
    assert!(r.header("request-id").is_some());
    assert!(r.header("anthropic-organization-id").is_none());

    let r = get(&server, "sk-ant-admin01-nope", "me").await;
    assert_eq!(r.status, 401);
    assert_eq!(
        r.error(),
        ("authentication_error".into(), "invalid x-api-key".into())
    );
}

#[tokio::test]
async fn revoked_keys_fail_and_added_keys_work() {
    let server = start().await;
    let org = server.orgs()[1].clone();
    let second = server.add_admin_key(&org.id);
    assert!(second.starts_with("sk-ant-admin01-") && second != org.admin_key);
    assert_eq!(get(&server, &second, "me").await.json()["id"], org.id);
    server.revoke_key(&org.admin_key);
    let r = get(&server, &org.admin_key, "me").await;
    assert_eq!(r.status, 401);
    assert_eq!(r.error().1, "invalid x-api-key");
    assert_eq!(get(&server, &second, "me").await.status, 200);
}

#[tokio::test]
async fn anthropic_version_is_required_and_checked() {
    let server = start().await;
    let k = key(&server, 0);
    let r = get_with(&server, "me", &[("x-api-key", &k)]).await;
    assert_eq!(r.status, 400);
    assert_eq!(
        r.error(),
        (
            "invalid_request_error".into(),
            "anthropic-version: header is required".into()
        )
    );
    for v in ["2023-06-01", "2026-10-21"] {
        let r = get_with(
            &server,
            "me",
            &[("x-api-key", &k), ("anthropic-version", v)],
        )
        .await;
        assert_eq!(r.status, 200, "{v}");
    }
    let r = get_with(
        &server,
        "me",
        &[("X-Api-Key", &k), ("anthropic-version", "1999-01-01")],
    )
    .await;
    assert_eq!(r.status, 400);
    assert_eq!(r.error().0, "invalid_request_error");
}

#[tokio::test]
async fn only_get_is_served() {
    let server = start().await;
    let resp = crate::client()
        .post(format!("{}/v1/organizations/me", server.base_url()))
        .header("x-api-key", key(&server, 0))
        .header("anthropic-version", "2023-06-01")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 405);
    let v: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(v["error"]["type"], "invalid_request_error");
}

#[tokio::test]
async fn same_seed_gives_identical_bodies_and_another_seed_does_not() {
    let paths = [
        "me",
        "api_keys?limit=100",
        "workspaces?include_archived=true",
        "users",
        "usage_report/messages?starting_at=2026-11-01T00:00:00Z&bucket_width=1h&limit=168&group_by[]=api_key_id&group_by[]=model",
        "cost_report?starting_at=2026-10-01T00:00:00Z&limit=31&group_by[]=workspace_id&group_by[]=description",
        "usage_report/claude_code?starting_at=2026-11-18",
    ];
    let mut bodies = Vec::new();
    for seed in [7, 7, 8] {
        let server = start_with(FakeConfig {
            seed,
            ..FakeConfig::default()
        })
        .await;
        let k = key(&server, 0);
        let mut all = Vec::new();
        for p in paths {
            let r = get(&server, &k, p).await;
            assert_eq!(r.status, 200, "{p}: {}", r.body);
            all.push(r.body);
        }
        bodies.push((server.orgs(), all));
        server.shutdown().await;
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_ne!(bodies[0].0, bodies[2].0);
    assert_ne!(bodies[0].1[4], bodies[2].1[4]);
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let server = start().await;
    let url = format!("{}/v1/organizations/me", server.base_url());
    server.shutdown().await;
    assert!(crate::client().get(url).send().await.is_err());
}

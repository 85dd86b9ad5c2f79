//! Headers, authentication, the organisation header, permissions, routing, determinism.

use crate::openai::common::{get, get_with, key, send, start, start_with};
use fake_openai_api::{FakeConfig, KeyKind, OPENAI_VERSION};
use reqwest::Method;

const READS: [&str; 8] = [
    "usage/completions?start_time=1795046400",
    "costs?start_time=1795046400",
    "projects",
    "users",
    "admin_api_keys",
    "usage/vector_stores?start_time=1795046400",
    "usage/web_search_calls?start_time=1795046400",
    "usage/code_interpreter_sessions?start_time=1795046400",
];

#[tokio::test]
async fn every_answer_has_request_id_version_and_the_org_once_the_key_is_known() {
    let server = start().await;
    let org = &server.orgs()[0];
    for path in [
        "projects",
        "usage/completions?start_time=1795046400",
        "nope",
    ] {
        let r = get(&server, &org.read_only_key, path).await;
        let id = r.header("x-request-id").unwrap();
        assert!(id.starts_with("req_") && id.len() == 36, "{id}");
        assert!(id[4..].chars().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.header("openai-version"), Some(OPENAI_VERSION));
        assert!(r.header("openai-processing-ms").is_some());
        assert_eq!(r.header("openai-organization"), Some(org.slug.as_str()));
    }
    let r = get(&server, "sk-admin-unknown-key-0000", "projects").await;
    assert!(r.header("x-request-id").is_some() && r.header("openai-processing-ms").is_some());
    assert!(r.header("openai-organization").is_none());
}

#[tokio::test]
async fn missing_malformed_unknown_and_revoked_keys_get_401() {
    let server = start().await;
    let r = get_with(&server, "projects", &[]).await;
    let (status, kind, code, message) = r.error();
    assert_eq!(
        (status, kind.as_str(), code),
        (401, "invalid_request_error", None)
    );
    assert!(
        message.starts_with("You didn't provide an API key."),
        "{message}"
    );
    let basic = get_with(&server, "projects", &[("authorization", "Basic abc")]).await;
    assert_eq!(basic.error().3, message);

    let wrong = "sk-admin-thisisnotarealkeyatall1234";
    let r = get(&server, wrong, "projects").await;
    let (status, _, code, message) = r.error();
    assert_eq!((status, code.as_deref()), (401, Some("invalid_api_key")));
    assert!(
        message.starts_with("Incorrect API key provided: sk-admin*"),
        "{message}"
    );
    assert!(
        message.contains("1234") && !message.contains(wrong),
        "{message}"
    );

    let org = server.orgs()[1].clone();
    let extra = server.add_admin_key(&org.id, KeyKind::ReadOnly);
    assert!(extra.starts_with("sk-admin-") && extra != org.read_only_key);
    server.revoke_key(&org.read_only_key);
    assert_eq!(
        get(&server, &org.read_only_key, "projects").await.status,
        401
    );
    assert_eq!(get(&server, &extra, "projects").await.status, 200);
    assert_eq!(get(&server, &org.admin_key, "projects").await.status, 200);
}

#[tokio::test]
async fn the_openai_organization_header_must_name_the_keys_org() {
    let server = start().await;
    let orgs = server.orgs();
    let auth = format!("Bearer {}", orgs[0].read_only_key);
    let ok = get_with(
        &server,
        "projects",
        &[
            ("authorization", &auth),
            ("OpenAI-Organization", &orgs[0].id),
        ],
    )
    .await;
    assert_eq!(ok.status, 200);
    let r = get_with(
        &server,
        "projects",
        &[
            ("authorization", &auth),
            ("openai-organization", &orgs[1].id),
        ],
    )
    .await;
    let (status, _, code, message) = r.error();
    assert_eq!(
        (status, code.as_deref()),
        (401, Some("mismatched_organization"))
    );
    assert_eq!(
        message,
        "OpenAI-Organization header should match organization for API key"
    );
}

#[tokio::test]
async fn a_read_only_key_reads_everything_and_is_refused_every_write() {
    let server = start().await;
    let org = server.orgs()[0].clone();
    for path in READS {
        let r = get(&server, &org.read_only_key, path).await;
        assert_eq!(r.status, 200, "{path}: {}", r.body);
    }
    for method in [Method::POST, Method::DELETE] {
        let auth = format!("Bearer {}", org.read_only_key);
        let r = send(
            &server,
            method.clone(),
            "projects",
            &[("authorization", &auth)],
        )
        .await;
        let (status, kind, _, message) = r.error();
        assert_eq!((status, kind.as_str()), (403, "invalid_request_error"));
        assert!(
            message.contains("Missing scopes: api.management.write"),
            "{message}"
        );
        // The all-permissions key passes the permission check; the fake serves no writes.
        let auth = format!("Bearer {}", org.admin_key);
        let r = send(
            &server,
            method,
            "admin_api_keys",
            &[("authorization", &auth)],
        )
        .await;
        assert_eq!(r.status, 405, "{}", r.body);
    }
}

#[tokio::test]
async fn a_usage_only_key_reads_usage_and_costs_but_no_metadata() {
    let server = start().await;
    let org = server.orgs()[0].clone();
    let usage_only = server.add_admin_key(&org.id, KeyKind::UsageOnly);
    for path in READS {
        let r = get(&server, &usage_only, path).await;
        if path.starts_with("usage/") || path.starts_with("costs") {
            assert_eq!(r.status, 200, "{path}");
        } else {
            let (status, _, _, message) = r.error();
            assert_eq!(status, 403, "{path}");
            assert!(
                message.contains("Missing scopes: api.management.read"),
                "{message}"
            );
        }
    }
}

#[tokio::test]
async fn unknown_paths_endpoints_and_parameters_are_rejected() {
    let server = start().await;
    let k = key(&server, 0);
    for path in [
        "nope",
        "usage/chat",
        "usage",
        "costs/extra",
        "projects/a/b/c/d",
        "usage//x",
    ] {
        let r = get(&server, &k, path).await;
        let (status, kind, _, message) = r.error();
        assert_eq!(
            (status, kind.as_str()),
            (404, "invalid_request_error"),
            "{path}"
        );
        assert!(
            message.starts_with("Invalid URL (GET /v1/organization/"),
            "{message}"
        );
    }
    let r = get(
        &server,
        &k,
        "usage/vector_stores?start_time=0&api_key_ids=key_x",
    )
    .await;
    let (status, _, code, message) = r.error();
    assert_eq!((status, code.as_deref()), (400, Some("unknown_parameter")));
    assert_eq!(message, "Unknown parameter: 'api_key_ids'.");
    assert_eq!(r.json()["error"]["param"], "api_key_ids");
    assert_eq!(get(&server, &k, "projects?colour=red").await.status, 400);
}

#[tokio::test]
async fn same_seed_gives_identical_bodies_and_another_seed_does_not() {
    let paths = [
        "projects?include_archived=true",
        "users",
        "admin_api_keys",
        "usage/completions?start_time=1794528000&bucket_width=1h&limit=168&group_by=api_key_id&group_by=model",
        "usage/images?start_time=1792540800&limit=31&group_by=size",
        "costs?start_time=1792540800&limit=31&group_by=project_id&group_by=line_item",
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
    assert_ne!(bodies[0].1[3], bodies[2].1[3]);
}

#[tokio::test]
async fn shutdown_stops_serving() {
    let server = start().await;
    let url = format!("{}/v1/organization/projects", server.base_url());
    server.shutdown().await;
    assert!(crate::client().get(url).send().await.is_err());
}

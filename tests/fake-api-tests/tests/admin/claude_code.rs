//! The Claude Code analytics report.

use crate::admin::common::{all_pages, fields, get, key, names, start};
use serde_json::Value;

const PATH: &str = "usage_report/claude_code";

#[tokio::test]
async fn validation() {
    let server = start().await;
    let k = key(&server, 0);
    for bad in [
        "",
        "starting_at=2026-11-18T00:00:00Z",
        "starting_at=18-11-2026",
        "starting_at=2026-11-18&limit=0",
        "starting_at=2026-11-18&limit=1001",
        "starting_at=2026-11-18&page=page_bm9wZQ==",
    ] {
        let r = get(&server, &k, &format!("{PATH}?{bad}")).await;
        assert_eq!(r.status, 400, "{bad}: {}", r.body);
        assert_eq!(r.error().0, "invalid_request_error");
    }
    let r = get(
        &server,
        &k,
        &format!("{PATH}?starting_at=2026-11-18&limit=1000"),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn records_describe_org_users_and_keys() {
    let server = start().await;
    let org = server.orgs()[0].clone();
    let users = get(&server, &org.admin_key, "users?limit=100").await.json();
    let emails: Vec<&str> = users["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["email"].as_str().unwrap())
        .collect();
    let mut seen_api = false;
    let mut seen_user = false;
    for day in 10..=19 {
        let v = get(
            &server,
            &org.admin_key,
            &format!("{PATH}?starting_at=2026-11-{day}&limit=1000"),
        )
        .await
        .json();
        for r in v["data"].as_array().unwrap() {
            assert_eq!(
                fields(r),
                names(&[
                    "date",
                    "actor",
                    "organization_id",
                    "customer_type",
                    "terminal_type",
                    "core_metrics",
                    "tool_actions",
                    "model_breakdown"
                ])
            );
            assert_eq!(r["date"], format!("2026-11-{day}T00:00:00Z"));
            assert_eq!(r["organization_id"], org.id.as_str());
            assert_eq!(r["customer_type"], "api");
            match r["actor"]["type"].as_str().unwrap() {
                "user_actor" => {
                    seen_user = true;
                    assert!(emails.contains(&r["actor"]["email_address"].as_str().unwrap()));
                }
                "api_actor" => {
                    seen_api = true;
                    assert!(r["actor"]["api_key_name"].is_string());
                }
                other => panic!("{other}"),
            }
            for m in r["model_breakdown"].as_array().unwrap() {
                assert_eq!(m["estimated_cost"]["currency"], "USD");
                assert!(m["estimated_cost"]["amount"].is_u64());
                assert_eq!(
                    fields(&m["tokens"]),
                    names(&["input", "output", "cache_read", "cache_creation"])
                );
            }
            assert!(r["tool_actions"]["edit_tool"]["accepted"].is_u64());
        }
    }
    assert!(seen_user && seen_api);
}

#[tokio::test]
async fn cursor_pages_cover_the_day_and_today_is_empty() {
    let server = start().await;
    let k = key(&server, 0);
    let whole = get(
        &server,
        &k,
        &format!("{PATH}?starting_at=2026-11-17&limit=1000"),
    )
    .await
    .json();
    let whole = whole["data"].as_array().unwrap().clone();
    assert!(whole.len() >= 2, "{}", whole.len());
    let pages = all_pages(&server, &k, PATH, "starting_at=2026-11-17&limit=1").await;
    assert_eq!(pages.len(), whole.len());
    let paged: Vec<Value> = pages
        .iter()
        .flat_map(|p| p["data"].as_array().unwrap().clone())
        .collect();
    assert_eq!(paged, whole);
    let token = pages[0]["next_page"].as_str().unwrap();
    let r = get(
        &server,
        &k,
        &format!("{PATH}?starting_at=2026-11-16&limit=1&page={token}"),
    )
    .await;
    assert_eq!(r.status, 400);
    for day in ["2026-11-20", "2027-01-01", "2020-01-01"] {
        let v = get(&server, &k, &format!("{PATH}?starting_at={day}"))
            .await
            .json();
        assert_eq!(
            v,
            serde_json::json!({"data": [], "has_more": false, "next_page": null}),
            "{day}"
        );
    }
}

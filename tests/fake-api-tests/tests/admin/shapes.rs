//! The reference's example requests return bodies with exactly the documented fields.

use crate::admin::common::{fields, get, key, names, start};
use serde_json::Value;

const USAGE_ROW: [&str; 8] = [
    "uncached_input_tokens",
    "cache_creation",
    "cache_read_input_tokens",
    "output_tokens",
    "server_tool_use",
    "api_key_id",
    "workspace_id",
    "model",
];

#[tokio::test]
async fn usage_report_example() {
    let server = start().await;
    let k = key(&server, 0);
    let groups = "group_by[]=api_key_id&group_by[]=workspace_id&group_by[]=model&group_by[]=service_tier&group_by[]=context_window&limit=1";
    // Verbatim (before the generated history: the bucket is there, empty).
    let v = get(
        &server,
        &k,
        &format!("usage_report/messages?starting_at=2025-08-01T00:00:00Z&{groups}"),
    )
    .await
    .json();
    assert_eq!(fields(&v), names(&["data", "has_more", "next_page"]));
    assert_eq!(v["has_more"], true);
    assert!(v["next_page"].as_str().unwrap().starts_with("page_"));
    let b = &v["data"][0];
    assert_eq!(fields(b), names(&["starting_at", "ending_at", "results"]));
    assert_eq!(
        (b["starting_at"].as_str(), b["ending_at"].as_str()),
        (Some("2025-08-01T00:00:00Z"), Some("2025-08-02T00:00:00Z"))
    );
    // Same shape on a day with usage.
    let v = get(
        &server,
        &k,
        &format!("usage_report/messages?starting_at=2026-11-01T00:00:00Z&{groups}"),
    )
    .await
    .json();
    let row = &v["data"][0]["results"][0];
    let mut want: Vec<&str> = USAGE_ROW.to_vec();
    // The schema lists these dimensions too; they are null unless grouped.
    want.extend([
        "service_tier",
        "context_window",
        "inference_geo",
        "account_id",
        "service_account_id",
    ]);
    assert_eq!(fields(row), names(&want));
    assert_eq!(
        fields(&row["cache_creation"]),
        names(&["ephemeral_1h_input_tokens", "ephemeral_5m_input_tokens"])
    );
    assert_eq!(
        fields(&row["server_tool_use"]),
        names(&["web_search_requests"])
    );
    assert!(row["service_tier"].is_string() && row["context_window"].is_string());
}

#[tokio::test]
async fn cost_report_example() {
    let server = start().await;
    let k = key(&server, 0);
    let q = "group_by[]=workspace_id&group_by[]=description&limit=1";
    let v = get(
        &server,
        &k,
        &format!("cost_report?starting_at=2025-08-01T00:00:00Z&{q}"),
    )
    .await
    .json();
    assert_eq!(fields(&v), names(&["data", "has_more", "next_page"]));
    assert_eq!(v["data"][0]["results"], serde_json::json!([]));
    let v = get(
        &server,
        &k,
        &format!("cost_report?starting_at=2026-11-01T00:00:00Z&{q}"),
    )
    .await
    .json();
    let row = &v["data"][0]["results"][0];
    assert_eq!(
        fields(row),
        names(&[
            "currency",
            "amount",
            "workspace_id",
            "description",
            "cost_type",
            "context_window",
            "model",
            "service_tier",
            "token_type",
            "inference_geo"
        ])
    );
    assert!(row["amount"].is_string());
}

#[tokio::test]
async fn claude_code_example() {
    let server = start().await;
    let v = get(
        &server,
        &key(&server, 0),
        "usage_report/claude_code?starting_at=2026-11-18",
    )
    .await
    .json();
    assert_eq!(fields(&v), names(&["data", "has_more", "next_page"]));
    let r = &v["data"][0];
    assert_eq!(
        fields(&r["core_metrics"]),
        names(&[
            "num_sessions",
            "lines_of_code",
            "commits_by_claude_code",
            "pull_requests_by_claude_code"
        ])
    );
    assert_eq!(
        fields(&r["core_metrics"]["lines_of_code"]),
        names(&["added", "removed"])
    );
    assert_eq!(
        fields(&r["tool_actions"]),
        names(&[
            "edit_tool",
            "multi_edit_tool",
            "write_tool",
            "notebook_edit_tool"
        ])
    );
    let m = &r["model_breakdown"][0];
    assert_eq!(fields(m), names(&["model", "tokens", "estimated_cost"]));
    assert_eq!(fields(&m["estimated_cost"]), names(&["currency", "amount"]));
    let actor = &r["actor"];
    let want = if actor["type"] == "user_actor" {
        ["type", "email_address"]
    } else {
        ["type", "api_key_name"]
    };
    assert_eq!(fields(actor), names(&want));
}

#[tokio::test]
async fn list_and_object_examples() {
    let server = start().await;
    let k = key(&server, 0);
    let v = get(&server, &k, "api_keys").await.json();
    assert_eq!(
        fields(&v),
        names(&["data", "first_id", "last_id", "has_more"])
    );
    assert_eq!(
        fields(&v["data"][0]),
        names(&[
            "id",
            "type",
            "name",
            "workspace_id",
            "created_at",
            "created_by",
            "partial_key_hint",
            "status",
            "expires_at"
        ])
    );
    assert_eq!(fields(&v["data"][0]["created_by"]), names(&["id", "type"]));
    let created = v["data"][0]["created_at"].as_str().unwrap();
    assert_eq!(created.len(), "2024-10-30T23:58:27.427722Z".len());
    let w = get(&server, &k, "workspaces?include_archived=true")
        .await
        .json();
    assert_eq!(
        fields(&w["data"][0]),
        names(&[
            "id",
            "type",
            "name",
            "display_color",
            "created_at",
            "archived_at",
            "data_residency"
        ])
    );
    assert_eq!(
        fields(&w["data"][0]["data_residency"]),
        names(&[
            "allowed_inference_geos",
            "default_inference_geo",
            "workspace_geo"
        ])
    );
    let u = get(&server, &k, "users").await.json();
    assert_eq!(
        fields(&u["data"][0]),
        names(&["id", "type", "email", "name", "role", "added_at"])
    );
    let me = get(&server, &k, "me").await.json();
    assert_eq!(fields(&me), names(&["id", "type", "name"]));
    let err: Value = get(&server, &k, "api_keys/apikey_01nope").await.json();
    assert_eq!(fields(&err), names(&["type", "error", "request_id"]));
    assert_eq!(fields(&err["error"]), names(&["type", "message"]));
}

//! Every endpoint answers with exactly the fields the spec's schemas and examples list.

use crate::openai::common::{DAY, NOW, fields, get, key, rows, sorted, start};
use serde_json::Value;

const WHO: [&str; 3] = ["project_id", "user_id", "api_key_id"];

/// Result fields per usage endpoint (spec `Usage*Result` schemas), and its `object`.
fn spec_fields(endpoint: &str) -> (&'static str, Vec<&'static str>) {
    let mut f: Vec<&str> = vec!["object"];
    let object = match endpoint {
        "completions" => {
            f.extend([
                "input_tokens",
                "input_cached_tokens",
                "input_cache_write_tokens",
                "input_uncached_tokens",
                "output_tokens",
                "input_text_tokens",
                "output_text_tokens",
                "input_cached_text_tokens",
                "input_audio_tokens",
                "input_cached_audio_tokens",
                "output_audio_tokens",
                "input_image_tokens",
                "input_cached_image_tokens",
                "output_image_tokens",
                "num_model_requests",
            ]);
            f.extend(WHO);
            f.extend(["model", "batch", "service_tier"]);
            "organization.usage.completions.result"
        }
        "embeddings" | "moderations" => {
            f.extend(["input_tokens", "num_model_requests"]);
            f.extend(WHO);
            f.push("model");
            if endpoint == "embeddings" {
                "organization.usage.embeddings.result"
            } else {
                "organization.usage.moderations.result"
            }
        }
        "images" => {
            f.extend(["images", "num_model_requests", "source", "size"]);
            f.extend(WHO);
            f.push("model");
            "organization.usage.images.result"
        }
        "audio_speeches" => {
            f.extend(["characters", "num_model_requests"]);
            f.extend(WHO);
            f.push("model");
            "organization.usage.audio_speeches.result"
        }
        "audio_transcriptions" => {
            f.extend(["seconds", "num_model_requests"]);
            f.extend(WHO);
            f.push("model");
            "organization.usage.audio_transcriptions.result"
        }
        "web_search_calls" => {
            f.extend(["num_model_requests", "num_requests"]);
            f.extend(WHO);
            f.extend(["model", "context_level"]);
            "organization.usage.web_searches.result"
        }
        "file_search_calls" => {
            f.push("num_requests");
            f.extend(WHO);
            f.push("vector_store_id");
            "organization.usage.file_searches.result"
        }
        "code_interpreter_sessions" => {
            f.extend(["num_sessions", "project_id"]);
            "organization.usage.code_interpreter_sessions.result"
        }
        "vector_stores" => {
            f.extend(["usage_bytes", "project_id"]);
            "organization.usage.vector_stores.result"
        }
        _ => unreachable!(),
    };
    (object, f)
}

/// The `group_by` values of each endpoint (spec parameter enums).
fn spec_group_by(endpoint: &str) -> Vec<&'static str> {
    match endpoint {
        "completions" => vec![
            "project_id",
            "user_id",
            "api_key_id",
            "model",
            "batch",
            "service_tier",
        ],
        "images" => vec![
            "project_id",
            "user_id",
            "api_key_id",
            "model",
            "size",
            "source",
        ],
        "web_search_calls" => vec![
            "project_id",
            "user_id",
            "api_key_id",
            "model",
            "context_level",
        ],
        "file_search_calls" => vec!["project_id", "user_id", "api_key_id", "vector_store_id"],
        "code_interpreter_sessions" | "vector_stores" => vec!["project_id"],
        _ => vec!["project_id", "user_id", "api_key_id", "model"],
    }
}

const ENDPOINTS: [&str; 10] = [
    "completions",
    "embeddings",
    "moderations",
    "images",
    "audio_speeches",
    "audio_transcriptions",
    "web_search_calls",
    "file_search_calls",
    "code_interpreter_sessions",
    "vector_stores",
];

#[tokio::test]
async fn every_usage_endpoint_has_the_spec_envelope_and_result_fields() {
    let server = start().await;
    let k = key(&server, 0);
    for endpoint in ENDPOINTS {
        let (object, want) = spec_fields(endpoint);
        let groups: Vec<String> = spec_group_by(endpoint)
            .iter()
            .map(|g| format!("group_by={g}"))
            .collect();
        let base = format!("usage/{endpoint}?start_time={}&limit=31", NOW - 31 * DAY);
        for query in [base.clone(), format!("{base}&{}", groups.join("&"))] {
            let r = get(&server, &k, &query).await;
            assert_eq!(r.status, 200, "{query}: {}", r.body);
            let page = r.json();
            assert_eq!(
                sorted(&["object", "data", "has_more", "next_page"]),
                sorted_fields(&page)
            );
            let bucket = &page["data"][0];
            assert_eq!(
                sorted(&["object", "start_time", "end_time", "results"]),
                sorted_fields(bucket)
            );
            assert!(bucket["start_time"].is_i64() && bucket["end_time"].is_i64());
            let all = rows(std::slice::from_ref(&page));
            assert!(!all.is_empty(), "{query}");
            for row in &all {
                assert_eq!(row["object"], object, "{query}");
                assert_eq!(sorted_fields(row), sorted(&want), "{query}");
            }
            let grouped = query.contains("group_by");
            for dim in spec_group_by(endpoint) {
                let some = all.iter().any(|r| !r[dim].is_null());
                assert_eq!(some, grouped, "{query} {dim}");
            }
        }
    }
}

fn sorted_fields(v: &Value) -> Vec<String> {
    let mut f = fields(v);
    f.sort();
    f
}

#[tokio::test]
async fn costs_results_have_the_spec_fields() {
    let server = start().await;
    let k = key(&server, 0);
    let base = format!("costs?start_time={}&limit=3", NOW - 3 * DAY);
    let want = sorted(&[
        "object",
        "amount",
        "line_item",
        "project_id",
        "api_key_id",
        "quantity",
        "quantity_unit",
    ]);
    for q in [
        base.clone(),
        format!("{base}&group_by=line_item&group_by=project_id&group_by=api_key_id"),
    ] {
        let all = rows(&[get(&server, &k, &q).await.json()]);
        assert!(!all.is_empty());
        for row in &all {
            assert_eq!(sorted_fields(row), want, "{q}");
            assert_eq!(row["object"], "organization.costs.result");
            assert_eq!(
                sorted_fields(&row["amount"]),
                sorted(&["value", "currency"])
            );
            assert!(row["amount"]["value"].is_number());
            assert_eq!(row["amount"]["currency"], "usd");
        }
    }
}

#[tokio::test]
async fn metadata_objects_have_the_spec_fields() {
    let server = start().await;
    let k = key(&server, 0);
    let list = sorted(&["object", "data", "first_id", "last_id", "has_more"]);
    let projects = get(&server, &k, "projects?include_archived=true")
        .await
        .json();
    assert_eq!(sorted_fields(&projects), list);
    assert_eq!(projects["object"], "list");
    let project = &projects["data"][0];
    assert_eq!(
        sorted_fields(project),
        sorted(&[
            "id",
            "object",
            "name",
            "created_at",
            "archived_at",
            "status",
            "external_key_id"
        ])
    );
    assert_eq!(project["object"], "organization.project");
    assert_eq!(project["name"], "Default project");
    let pid = project["id"].as_str().unwrap();
    assert_eq!(
        get(&server, &k, &format!("projects/{pid}")).await.json(),
        *project
    );

    let users = get(&server, &k, "users").await.json();
    assert_eq!(sorted_fields(&users), list);
    let user = &users["data"][0];
    assert_eq!(
        sorted_fields(user),
        sorted(&["object", "id", "name", "email", "role", "added_at"])
    );
    assert_eq!(user["object"], "organization.user");

    let keys = get(&server, &k, &format!("projects/{pid}/api_keys"))
        .await
        .json();
    let key_obj = &keys["data"][0];
    assert_eq!(
        sorted_fields(key_obj),
        sorted(&[
            "object",
            "redacted_value",
            "name",
            "created_at",
            "last_used_at",
            "id",
            "owner_project_access",
            "owner"
        ])
    );
    assert_eq!(key_obj["object"], "organization.project.api_key");
    let owner = &key_obj["owner"];
    let kind = owner["type"].as_str().unwrap();
    assert_eq!(sorted_fields(owner), sorted(&["type", kind]));
    let inner = if kind == "user" {
        vec!["id", "name", "email", "role", "created_at"]
    } else {
        vec!["id", "name", "created_at", "role"]
    };
    assert_eq!(sorted_fields(&owner[kind]), sorted(&inner));

    let admin = get(&server, &k, "admin_api_keys").await.json();
    assert_eq!(sorted_fields(&admin), list);
    let a = &admin["data"][0];
    assert_eq!(
        sorted_fields(a),
        sorted(&[
            "object",
            "id",
            "name",
            "redacted_value",
            "created_at",
            "expires_at",
            "last_used_at",
            "owner"
        ])
    );
    assert_eq!(a["object"], "organization.admin_api_key");
    assert!(
        a["redacted_value"]
            .as_str()
            .unwrap()
            .starts_with("sk-admin...")
    );
    assert_eq!(
        sorted_fields(&a["owner"]),
        sorted(&["type", "object", "id", "name", "created_at", "role"])
    );

    let err = get(&server, &k, "projects/proj_nope").await;
    assert_eq!(err.status, 404);
    let v = err.json();
    assert_eq!(sorted_fields(&v), sorted(&["error"]));
    assert_eq!(
        sorted_fields(&v["error"]),
        sorted(&["message", "type", "param", "code"])
    );
}

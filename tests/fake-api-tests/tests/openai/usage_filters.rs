//! The usage endpoints: grouping, filters, array syntaxes, minute buckets and paging.

use std::collections::BTreeSet;

use crate::openai::common::{DAY, NOW, all_pages, buckets, get, key, rows, start};
use crate::openai::usage::{invalid, usage};
use serde_json::{Value, json};

#[tokio::test]
async fn grouped_rows_carry_every_kind_of_attribution() {
    let server = start().await;
    let q = format!(
        "start_time={}&limit=31&group_by=project_id&group_by=user_id&group_by=api_key_id&group_by=model&group_by=batch&group_by=service_tier",
        NOW - 31 * DAY
    );
    let all = rows(&[usage(&server, "completions", &q).await.json()]);
    assert!(
        all.iter()
            .any(|r| r["project_id"].is_null() && r["api_key_id"].is_null()),
        "unattributed"
    );
    assert!(
        all.iter().any(|r| !r["project_id"].is_null()
            && r["api_key_id"].is_null()
            && !r["user_id"].is_null()),
        "Playground"
    );
    assert!(
        all.iter()
            .any(|r| !r["api_key_id"].is_null() && r["user_id"].is_null()),
        "service account key"
    );
    assert!(
        all.iter()
            .all(|r| r["batch"].is_boolean() && r["service_tier"].is_string())
    );
    assert!(
        all.iter()
            .all(|r| r["batch"] == false || !r["api_key_id"].is_null()),
        "batch needs a key"
    );
    let tiers: BTreeSet<&str> = all
        .iter()
        .map(|r| r["service_tier"].as_str().unwrap())
        .collect();
    assert_eq!(tiers, BTreeSet::from(["default", "flex", "priority"]));
    let models: BTreeSet<&str> = all.iter().map(|r| r["model"].as_str().unwrap()).collect();
    assert_eq!(models.len(), 8);
}

#[tokio::test]
async fn filters_select_rows_and_array_syntaxes_are_equivalent() {
    let server = start().await;
    let k = key(&server, 0);
    let base = format!("start_time={}&limit=31", NOW - 31 * DAY);
    let keyed = rows(&[usage(
        &server,
        "completions",
        &format!("{base}&group_by=api_key_id"),
    )
    .await
    .json()]);
    let key_id = keyed
        .iter()
        .find_map(|r| r["api_key_id"].as_str())
        .unwrap()
        .to_string();
    let model = "gpt-4o-2024-08-06";
    let forms = [
        format!("{base}&group_by=api_key_id&group_by=model&api_key_ids={key_id}&models={model}"),
        format!(
            "{base}&group_by[]=api_key_id&group_by[]=model&api_key_ids[]={key_id}&models[]={model}"
        ),
        format!(
            "{base}&group_by%5B%5D=api_key_id&group_by%5B%5D=model&api_key_ids%5B%5D={key_id}&models%5B%5D={model}"
        ),
    ];
    let mut bodies = Vec::new();
    for q in &forms {
        bodies.push(
            get(&server, &k, &format!("usage/completions?{q}"))
                .await
                .body,
        );
    }
    assert_eq!(bodies[0], bodies[1]);
    assert_eq!(bodies[0], bodies[2]);
    let got = rows(&[serde_json::from_str(&bodies[0]).unwrap()]);
    assert!(!got.is_empty());
    assert!(
        got.iter()
            .all(|r| r["api_key_id"] == key_id.as_str() && r["model"] == model)
    );

    for (endpoint, filter, field, value) in [
        ("completions", "batch=true", "batch", json!(true)),
        ("completions", "batch=false", "batch", json!(false)),
        ("images", "sizes=1024x1792", "size", json!("1024x1792")),
        (
            "images",
            "sources=image.edit",
            "source",
            json!("image.edit"),
        ),
        (
            "web_search_calls",
            "context_levels=high",
            "context_level",
            json!("high"),
        ),
    ] {
        let group = if field == "batch" { "batch" } else { field };
        let got = rows(&[usage(
            &server,
            endpoint,
            &format!("{base}&group_by={group}&{filter}"),
        )
        .await
        .json()]);
        assert!(!got.is_empty(), "{filter}");
        assert!(got.iter().all(|r| r[field] == value), "{filter}");
    }
    let stores = rows(&[usage(
        &server,
        "file_search_calls",
        &format!("{base}&group_by=vector_store_id"),
    )
    .await
    .json()]);
    let store = stores[0]["vector_store_id"].as_str().unwrap().to_string();
    let got = rows(&[usage(
        &server,
        "file_search_calls",
        &format!("{base}&group_by=vector_store_id&vector_store_ids={store}"),
    )
    .await
    .json()]);
    assert!(!got.is_empty() && got.iter().all(|r| r["vector_store_id"] == store.as_str()));
    // Unknown ids and models match nothing; they are not errors.
    for q in [
        "models=gpt-9",
        "project_ids=proj_nope",
        "user_ids=user-nope",
    ] {
        let v = usage(&server, "completions", &format!("{base}&{q}"))
            .await
            .json();
        assert!(
            buckets(&[v]).iter().all(|b| b["results"] == json!([])),
            "{q}"
        );
    }
}

#[tokio::test]
async fn minute_buckets_add_up_to_their_hour() {
    let server = start().await;
    let window = format!(
        "start_time={}&end_time={}",
        NOW - DAY + 15 * 3600,
        NOW - DAY + 16 * 3600
    );
    let hour = usage(&server, "completions", &format!("{window}&bucket_width=1h"))
        .await
        .json();
    let minutes = usage(&server, "completions", &format!("{window}&bucket_width=1m"))
        .await
        .json();
    let minutes = buckets(&[minutes]);
    assert_eq!(minutes.len(), 60);
    for field in [
        "input_tokens",
        "input_cached_tokens",
        "output_tokens",
        "num_model_requests",
    ] {
        let sum: u64 = minutes
            .iter()
            .flat_map(|b| {
                b["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| r[field].as_u64().unwrap())
            })
            .sum();
        assert_eq!(
            sum,
            hour["data"][0]["results"][0][field].as_u64().unwrap(),
            "{field}"
        );
    }
}

#[tokio::test]
async fn pages_chain_and_a_token_only_works_with_its_own_query() {
    let server = start().await;
    let k = key(&server, 0);
    let q = format!(
        "start_time={}&bucket_width=1h&limit=50&group_by=model",
        NOW - 19 * DAY
    );
    let pages = all_pages(&server, &k, "usage/completions", &q).await;
    assert_eq!(pages.len(), 19 * 24 / 50 + 1);
    let all = buckets(&pages);
    assert_eq!(all.len(), 19 * 24);
    assert!(
        all.windows(2)
            .all(|p| p[0]["end_time"] == p[1]["start_time"])
    );
    assert_eq!(pages.last().unwrap()["next_page"], Value::Null);

    let token = pages[0]["next_page"].as_str().unwrap().to_string();
    for changed in [
        q.replace("limit=50", "limit=49"),
        q.replace("group_by=model", "group_by=project_id"),
        format!("{q}&models=gpt-5-2025-08-07"),
    ] {
        let (param, _, _) =
            invalid(&server, "completions", &format!("{changed}&page={token}")).await;
        assert_eq!(param, "page");
    }
    invalid(&server, "completions", &format!("{q}&page=page_bm9wZQ==")).await;
    invalid(&server, "embeddings", &format!("{q}&page={token}")).await;
}

#[tokio::test]
async fn each_org_sees_only_its_own_usage() {
    let server = start().await;
    let q = format!("start_time={}&limit=31&group_by=project_id", NOW - 31 * DAY);
    let a = rows(&[usage(&server, "completions", &q).await.json()]);
    let b = rows(&[
        get(&server, &key(&server, 1), &format!("usage/completions?{q}"))
            .await
            .json(),
    ]);
    let ids = |rows: &[Value]| -> BTreeSet<String> {
        rows.iter()
            .filter_map(|r| r["project_id"].as_str().map(str::to_string))
            .collect()
    };
    assert!(ids(&a).is_disjoint(&ids(&b)));
}

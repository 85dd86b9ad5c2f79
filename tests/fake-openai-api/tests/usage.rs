//! The usage endpoints: parameters, limits, buckets, grouping, filters and paging.

use std::collections::BTreeSet;

use crate::common::{DAY, NOW, Resp, all_pages, buckets, get, key, rows, start, start_unaligned};
use fake_openai_api::FakeServer;
use serde_json::{Value, json};

async fn usage(server: &FakeServer, endpoint: &str, query: &str) -> Resp {
    get(
        server,
        &key(server, 0),
        &format!("usage/{endpoint}?{query}"),
    )
    .await
}

/// A 400 `invalid_request_error`: its (param, code, message).
async fn invalid(server: &FakeServer, endpoint: &str, query: &str) -> (String, String, String) {
    let r = usage(server, endpoint, query).await;
    assert_eq!(r.status, 400, "{query}: {}", r.body);
    let v = r.json();
    assert_eq!(v["error"]["type"], "invalid_request_error");
    let s = |f: &str| v["error"][f].as_str().unwrap_or_default().to_string();
    (s("param"), s("code"), s("message"))
}

#[tokio::test]
async fn defaults_are_1d_buckets_seven_per_page() {
    let server = start().await;
    let v = usage(
        &server,
        "completions",
        &format!("start_time={}", NOW - 30 * DAY),
    )
    .await
    .json();
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 7);
    assert_eq!(data[0]["start_time"], NOW - 30 * DAY);
    assert_eq!(data[0]["end_time"], NOW - 29 * DAY);
    assert_eq!(v["object"], "page");
    assert_eq!(v["has_more"], true);
    assert!(v["next_page"].as_str().unwrap().starts_with("page_"));
}

#[tokio::test]
async fn limit_defaults_and_maxima_per_bucket_width() {
    let server = start().await;
    for (width, default, max) in [("1m", 60, 1440), ("1h", 24, 168), ("1d", 7, 31)] {
        let base = format!("start_time={}&bucket_width={width}", NOW - 60 * DAY);
        let n = |v: Value| v["data"].as_array().unwrap().len();
        assert_eq!(
            n(usage(&server, "embeddings", &base).await.json()),
            default,
            "{width}"
        );
        let full = usage(&server, "embeddings", &format!("{base}&limit={max}")).await;
        assert_eq!(n(full.json()), max, "{width}");
        let (param, code, message) =
            invalid(&server, "embeddings", &format!("{base}&limit={}", max + 1)).await;
        assert_eq!(
            (param.as_str(), code.as_str()),
            ("limit", "integer_above_max_value")
        );
        assert_eq!(
            message,
            format!(
                "Invalid 'limit': integer above maximum value. Expected a value <= {max}, but got {} instead.",
                max + 1
            )
        );
        let (_, code, _) = invalid(&server, "embeddings", &format!("{base}&limit=0")).await;
        assert_eq!(code, "integer_below_min_value");
    }
}

#[tokio::test]
async fn validation_errors_name_the_parameter() {
    let server = start().await;
    let s = format!("start_time={}", NOW - DAY);
    let cases = [
        (
            "completions",
            "bucket_width=1h".to_string(),
            "start_time",
            "missing_required_parameter",
        ),
        (
            "completions",
            "start_time=yesterday".into(),
            "start_time",
            "invalid_type",
        ),
        (
            "completions",
            format!("{s}&end_time=1.5"),
            "end_time",
            "invalid_type",
        ),
        (
            "completions",
            format!("{s}&end_time={}", NOW - DAY),
            "end_time",
            "invalid_value",
        ),
        (
            "completions",
            format!("{s}&bucket_width=1w"),
            "bucket_width",
            "invalid_value",
        ),
        (
            "completions",
            format!("{s}&limit=ten"),
            "limit",
            "invalid_type",
        ),
        (
            "completions",
            format!("{s}&batch=yes"),
            "batch",
            "invalid_type",
        ),
        (
            "completions",
            format!("{s}&group_by=size"),
            "group_by",
            "invalid_value",
        ),
        (
            "embeddings",
            format!("{s}&group_by=batch"),
            "group_by",
            "invalid_value",
        ),
        (
            "embeddings",
            format!("{s}&batch=true"),
            "batch",
            "unknown_parameter",
        ),
        ("images", format!("{s}&sizes=1x1"), "sizes", "invalid_value"),
        (
            "images",
            format!("{s}&sources=image.upscale"),
            "sources",
            "invalid_value",
        ),
        (
            "web_search_calls",
            format!("{s}&context_levels=max"),
            "context_levels",
            "invalid_value",
        ),
        (
            "file_search_calls",
            format!("{s}&models=gpt-4o"),
            "models",
            "unknown_parameter",
        ),
        (
            "vector_stores",
            format!("{s}&group_by=user_id"),
            "group_by",
            "invalid_value",
        ),
    ];
    for (endpoint, query, param, code) in cases {
        let got = invalid(&server, endpoint, &query).await;
        assert_eq!(
            (got.0.as_str(), got.1.as_str()),
            (param, code),
            "{endpoint}?{query}: {}",
            got.2
        );
    }
    let (_, _, message) = invalid(&server, "completions", &format!("{s}&bucket_width=1w")).await;
    assert_eq!(
        message,
        "Invalid value: '1w'. Supported values are: '1m', '1h', and '1d'."
    );
    let (_, _, message) = invalid(&server, "completions", &format!("{s}&group_by=size")).await;
    assert_eq!(
        message,
        "Invalid value: 'size'. Supported values are: 'project_id', 'user_id', 'api_key_id', 'model', 'batch', and 'service_tier'."
    );
}

#[tokio::test]
async fn the_first_bucket_starts_at_start_time_and_the_last_ends_at_now() {
    let server = start_unaligned().await; // now = 2026-11-20T10:30:30Z
    let now = NOW + 10 * 3600 + 1830;
    let v = usage(
        &server,
        "completions",
        &format!("start_time={}&bucket_width=1h", NOW + 3 * 3600 + 1234),
    )
    .await
    .json();
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 8);
    assert_eq!(
        data[0]["start_time"],
        NOW + 3 * 3600 + 1200,
        "rounded down to the minute"
    );
    assert_eq!(data[0]["end_time"], NOW + 4 * 3600);
    assert_eq!(data[7]["start_time"], NOW + 10 * 3600);
    assert_eq!(data[7]["end_time"], now, "the open bucket ends now");
    assert_eq!(v["has_more"], false);

    let v = usage(
        &server,
        "completions",
        &format!("start_time={}", NOW - 2 * DAY),
    )
    .await
    .json();
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 3);
    assert_eq!(data[2]["start_time"], NOW);
    assert_eq!(data[2]["end_time"], now);
    assert!(
        !data[2]["results"].as_array().unwrap().is_empty(),
        "today has usage so far"
    );

    // An end in the future is clipped to now; a start in the future gives an empty page.
    let v = usage(
        &server,
        "completions",
        &format!("start_time={}&end_time={}", NOW, NOW + 5 * DAY),
    )
    .await
    .json();
    assert_eq!(v["data"][0]["end_time"], now);
    let v = usage(&server, "completions", &format!("start_time={}", now + 60))
        .await
        .json();
    assert_eq!(
        v,
        json!({"object": "page", "data": [], "has_more": false, "next_page": null})
    );
    // An explicit end inside a bucket ends that bucket there.
    let v = usage(
        &server,
        "completions",
        &format!("start_time={}&end_time={}", NOW - DAY, NOW - DAY + 4000),
    )
    .await
    .json();
    assert_eq!(v["data"][0]["end_time"], NOW - DAY + 4000);
}

#[tokio::test]
async fn empty_buckets_have_no_results_and_ungrouped_rows_have_null_dimensions() {
    let server = start().await;
    let v = usage(&server, "completions", "start_time=1700000000&limit=3")
        .await
        .json();
    for b in v["data"].as_array().unwrap() {
        assert_eq!(b["results"], json!([]));
        assert_eq!(b["object"], "bucket");
    }
    let v = usage(
        &server,
        "completions",
        &format!("start_time={}", NOW - 7 * DAY),
    )
    .await
    .json();
    for b in v["data"].as_array().unwrap() {
        let rows = b["results"].as_array().unwrap();
        assert_eq!(rows.len(), 1);
        for dim in [
            "project_id",
            "user_id",
            "api_key_id",
            "model",
            "batch",
            "service_tier",
        ] {
            assert_eq!(rows[0][dim], Value::Null, "{dim}");
        }
    }
    let v = usage(
        &server,
        "completions",
        &format!("start_time={}&bucket_width=1h&limit=168", NOW - 7 * DAY),
    )
    .await
    .json();
    let empty = buckets(&[v])
        .iter()
        .filter(|b| b["results"] == json!([]))
        .count();
    assert!(empty > 0 && empty < 100, "{empty}");
}

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

//! The usage endpoints: parameters, limits, validation and bucket edges.

use crate::openai::common::{DAY, NOW, Resp, buckets, get, key, start, start_unaligned};
use fake_openai_api::FakeServer;
use serde_json::{Value, json};

pub async fn usage(server: &FakeServer, endpoint: &str, query: &str) -> Resp {
    get(
        server,
        &key(server, 0),
        &format!("usage/{endpoint}?{query}"),
    )
    .await
}

/// A 400 `invalid_request_error`: its (param, code, message).
pub async fn invalid(server: &FakeServer, endpoint: &str, query: &str) -> (String, String, String) {
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

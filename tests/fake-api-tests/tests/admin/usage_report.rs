//! The messages usage report: parameters, limits, alignment, grouping, filters, paging.

use crate::admin::common::{all_pages, buckets, get, get_with, key, start};
use serde_json::Value;

const PATH: &str = "usage_report/messages";

async fn usage(server: &fake_admin_api::FakeServer, query: &str) -> crate::admin::common::Resp {
    get(server, &key(server, 0), &format!("{PATH}?{query}")).await
}

async fn invalid(server: &fake_admin_api::FakeServer, query: &str) -> String {
    let r = usage(server, query).await;
    assert_eq!(r.status, 400, "{query}: {}", r.body);
    let (kind, message) = r.error();
    assert_eq!(kind, "invalid_request_error");
    message
}

fn total(bucket: &Value, field: &str) -> u64 {
    bucket["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| match field {
            "5m" => r["cache_creation"]["ephemeral_5m_input_tokens"]
                .as_u64()
                .unwrap(),
            "1h" => r["cache_creation"]["ephemeral_1h_input_tokens"]
                .as_u64()
                .unwrap(),
            "web" => r["server_tool_use"]["web_search_requests"]
                .as_u64()
                .unwrap(),
            f => r[f].as_u64().unwrap(),
        })
        .sum()
}

#[tokio::test]
async fn defaults_are_1d_buckets_seven_per_page() {
    let server = start().await;
    let v = usage(&server, "starting_at=2026-10-01T00:00:00Z")
        .await
        .json();
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 7);
    assert_eq!(data[0]["starting_at"], "2026-10-01T00:00:00Z");
    assert_eq!(data[0]["ending_at"], "2026-10-02T00:00:00Z");
    assert_eq!(v["has_more"], true);
    assert!(v["next_page"].as_str().unwrap().starts_with("page_"));
}

#[tokio::test]
async fn limit_defaults_and_maxima_per_width() {
    let server = start().await;
    for (width, default, max) in [("1m", 60, 1440), ("1h", 24, 168), ("1d", 7, 31)] {
        let base = format!("starting_at=2026-08-01T00:00:00Z&bucket_width={width}");
        let n = |v: Value| v["data"].as_array().unwrap().len();
        assert_eq!(n(usage(&server, &base).await.json()), default, "{width}");
        assert_eq!(
            n(usage(&server, &format!("{base}&limit={max}")).await.json()),
            max,
            "{width}"
        );
        let over = invalid(&server, &format!("{base}&limit={}", max + 1)).await;
        assert_eq!(
            over,
            format!("limit: Input should be less than or equal to {max}")
        );
        let zero = invalid(&server, &format!("{base}&limit=0")).await;
        assert_eq!(zero, "limit: Input should be greater than or equal to 1");
        invalid(&server, &format!("{base}&limit=abc")).await;
    }
}

#[tokio::test]
async fn validation_errors() {
    let server = start().await;
    let s = "starting_at=2026-11-01T00:00:00Z";
    assert_eq!(
        invalid(&server, "bucket_width=1h").await,
        "starting_at: Field required"
    );
    invalid(&server, "starting_at=yesterday").await;
    invalid(&server, &format!("{s}&ending_at=2026-13-01")).await;
    invalid(&server, &format!("{s}&bucket_width=1w")).await;
    invalid(&server, &format!("{s}&group_by[]=colour")).await;
    invalid(&server, &format!("{s}&service_tiers[]=gold")).await;
    invalid(&server, &format!("{s}&context_window[]=0-1M")).await;
    invalid(&server, &format!("{s}&inference_geos[]=mars")).await;
    let six = "group_by[]=api_key_id&group_by[]=workspace_id&group_by[]=model\
               &group_by[]=service_tier&group_by[]=context_window&group_by[]=inference_geo";
    assert_eq!(
        invalid(&server, &format!("{s}&{six}")).await,
        "Cannot specify more than 5 group_by[] dimensions."
    );
    let five = six.rsplit_once('&').unwrap().0;
    assert_eq!(usage(&server, &format!("{s}&{five}")).await.status, 200);
    // speed needs the fast-mode beta header.
    invalid(&server, &format!("{s}&group_by[]=speed")).await;
    invalid(&server, &format!("{s}&speeds[]=fast")).await;
    let k = key(&server, 0);
    let headers = [
        ("x-api-key", k.as_str()),
        ("anthropic-version", "2023-06-01"),
        ("anthropic-beta", "fast-mode-2026-02-01"),
    ];
    let r = get_with(
        &server,
        &format!("{PATH}?{s}&group_by[]=speed&speeds[]=standard"),
        &headers,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
}

#[tokio::test]
async fn buckets_align_start_up_end_down_and_end_defaults_to_now() {
    let server = start().await;
    let v = usage(
        &server,
        "starting_at=2026-11-18T10:30:00Z&ending_at=2026-11-18T15:45:00Z&bucket_width=1h",
    )
    .await
    .json();
    let data = v["data"].as_array().unwrap();
    assert_eq!(data.len(), 4);
    assert_eq!(data[0]["starting_at"], "2026-11-18T11:00:00Z");
    assert_eq!(data[3]["ending_at"], "2026-11-18T15:00:00Z");

    let v = usage(&server, "starting_at=2026-11-17T00:00:01Z")
        .await
        .json();
    let data = v["data"].as_array().unwrap();
    assert_eq!(
        data.len(),
        2,
        "1d: start rounds up to the 18th, end is now (the 20th)"
    );
    assert_eq!(data[0]["starting_at"], "2026-11-18T00:00:00Z");
    assert_eq!(data[1]["ending_at"], "2026-11-20T00:00:00Z");
    assert_eq!(v["has_more"], false);
    assert_eq!(v["next_page"], Value::Null);

    let empty = "Invalid date range: ending date must be after starting date";
    assert_eq!(
        invalid(&server, "starting_at=2026-11-19T00:00:01Z").await,
        empty
    );
    assert_eq!(
        invalid(
            &server,
            "starting_at=2026-11-18T00:00:00Z&ending_at=2026-11-18T00:00:00Z"
        )
        .await,
        empty
    );
    assert_eq!(
        invalid(
            &server,
            "starting_at=2026-11-18T10:10:00Z&ending_at=2026-11-18T10:50:00Z&bucket_width=1h"
        )
        .await,
        empty
    );
}

#[tokio::test]
async fn empty_buckets_have_empty_results_and_ungrouped_rows_have_null_dimensions() {
    let server = start().await;
    let v = usage(&server, "starting_at=2026-01-01T00:00:00Z&limit=3")
        .await
        .json();
    for b in v["data"].as_array().unwrap() {
        assert_eq!(b["results"], serde_json::json!([]));
    }
    let v = usage(&server, "starting_at=2026-11-10T00:00:00Z")
        .await
        .json();
    let data = v["data"].as_array().unwrap();
    let some = data
        .iter()
        .filter(|b| !b["results"].as_array().unwrap().is_empty())
        .count();
    assert_eq!(some, 7);
    for b in data {
        let rows = b["results"].as_array().unwrap();
        assert_eq!(rows.len(), 1);
        for dim in [
            "api_key_id",
            "workspace_id",
            "model",
            "service_tier",
            "context_window",
            "inference_geo",
            "account_id",
            "service_account_id",
        ] {
            assert_eq!(rows[0][dim], Value::Null, "{dim}");
        }
    }
    // Hours with no usage at all exist (and still appear, empty).
    let v = usage(
        &server,
        "starting_at=2026-11-13T00:00:00Z&bucket_width=1h&limit=168",
    )
    .await
    .json();
    let empty = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["results"] == serde_json::json!([]))
        .count();
    assert!(empty > 0 && empty < 100, "{empty}");
}

#[tokio::test]
async fn grouped_dimensions_include_console_keys_and_the_default_workspace() {
    let server = start().await;
    let q = "starting_at=2026-10-01T00:00:00Z&limit=31&group_by[]=api_key_id&group_by[]=workspace_id\
             &group_by[]=model&group_by[]=service_tier&group_by[]=context_window";
    let rows: Vec<Value> = buckets(&[usage(&server, q).await.json()])
        .iter()
        .flat_map(|b| b["results"].as_array().unwrap().clone())
        .collect();
    assert!(
        rows.iter().any(|r| r["api_key_id"].is_null()),
        "Console usage"
    );
    assert!(
        rows.iter().any(|r| r["workspace_id"].is_null()),
        "Default workspace"
    );
    assert!(rows.iter().all(|r| r["inference_geo"].is_null()));
    for tier in ["standard", "batch", "priority"] {
        assert!(rows.iter().any(|r| r["service_tier"] == tier), "{tier}");
    }
    let long: Vec<&Value> = rows
        .iter()
        .filter(|r| r["context_window"] == "200k-1M")
        .collect();
    assert!(!long.is_empty());
    for r in long {
        let m = r["model"].as_str().unwrap();
        assert!(
            [
                "claude-opus-4-6",
                "claude-sonnet-4-5-20250929",
                "claude-sonnet-4-20250514"
            ]
            .contains(&m)
        );
    }
    let models: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r["model"].as_str().unwrap()).collect();
    assert_eq!(models.len(), 5);
}

#[tokio::test]
async fn inference_geo_grouping_and_filtering() {
    let server = start().await;
    let q = "starting_at=2026-10-01T00:00:00Z&limit=31&group_by[]=model&group_by[]=inference_geo";
    let rows: Vec<Value> = buckets(&[usage(&server, q).await.json()])
        .iter()
        .flat_map(|b| b["results"].as_array().unwrap().clone())
        .collect();
    for r in &rows {
        let geo = r["inference_geo"].as_str().unwrap();
        if r["model"] == "claude-opus-4-6" {
            assert!(geo == "global" || geo == "us");
        } else {
            assert_eq!(geo, "not_available");
        }
    }
    let us = usage(&server, &format!("{q}&inference_geos[]=us"))
        .await
        .json();
    let rows: Vec<Value> = buckets(&[us])
        .iter()
        .flat_map(|b| b["results"].as_array().unwrap().clone())
        .collect();
    assert!(!rows.is_empty());
    assert!(
        rows.iter()
            .all(|r| r["inference_geo"] == "us" && r["model"] == "claude-opus-4-6")
    );
}

#[tokio::test]
async fn filters_select_rows_and_array_syntaxes_are_equivalent() {
    let server = start().await;
    let keys = get(&server, &key(&server, 0), "api_keys?limit=100")
        .await
        .json();
    let key_id = keys["data"][0]["id"].as_str().unwrap().to_string();
    let base = "starting_at=2026-10-01T00:00:00Z&limit=31";
    let bracketed = usage(&server, &format!("{base}&group_by[]=api_key_id&group_by[]=model&api_key_ids[]={key_id}&models[]=claude-haiku-4-5-20251001")).await;
    let encoded = usage(&server, &format!("{base}&group_by%5B%5D=api_key_id&group_by%5B%5D=model&api_key_ids%5B%5D={key_id}&models%5B%5D=claude-haiku-4-5-20251001")).await;
    let plain = usage(&server, &format!("{base}&group_by=api_key_id&group_by=model&api_key_ids={key_id}&models=claude-haiku-4-5-20251001")).await;
    assert_eq!(bracketed.body, encoded.body);
    assert_eq!(bracketed.body, plain.body);
    let rows: Vec<Value> = buckets(&[bracketed.json()])
        .iter()
        .flat_map(|b| b["results"].as_array().unwrap().clone())
        .collect();
    assert!(
        rows.iter().all(
            |r| r["api_key_id"] == key_id.as_str() && r["model"] == "claude-haiku-4-5-20251001"
        )
    );

    for (filter, field, value) in [
        ("service_tiers[]=batch", "service_tier", "batch"),
        ("context_window[]=200k-1M", "context_window", "200k-1M"),
    ] {
        let v = usage(&server, &format!("{base}&group_by[]={field}&{filter}"))
            .await
            .json();
        let rows: Vec<Value> = buckets(&[v])
            .iter()
            .flat_map(|b| b["results"].as_array().unwrap().clone())
            .collect();
        assert!(!rows.is_empty());
        assert!(rows.iter().all(|r| r[field] == value), "{filter}");
    }
    let ws = get(&server, &key(&server, 0), "workspaces").await.json();
    let ws_id = ws["data"][0]["id"].as_str().unwrap().to_string();
    let v = usage(
        &server,
        &format!("{base}&group_by[]=workspace_id&workspace_ids[]={ws_id}"),
    )
    .await
    .json();
    let rows: Vec<Value> = buckets(&[v])
        .iter()
        .flat_map(|b| b["results"].as_array().unwrap().clone())
        .collect();
    assert!(rows.iter().all(|r| r["workspace_id"] == ws_id.as_str()));
    // Unknown ids and models match nothing; they are not errors.
    let v = usage(&server, &format!("{base}&models[]=claude-nope"))
        .await
        .json();
    assert!(
        buckets(&[v])
            .iter()
            .all(|b| b["results"] == serde_json::json!([]))
    );
}

#[tokio::test]
async fn minute_buckets_add_up_to_their_hour() {
    let server = start().await;
    let hour = usage(
        &server,
        "starting_at=2026-11-18T15:00:00Z&ending_at=2026-11-18T16:00:00Z&bucket_width=1h",
    )
    .await
    .json();
    let minutes = usage(
        &server,
        "starting_at=2026-11-18T15:00:00Z&ending_at=2026-11-18T16:00:00Z&bucket_width=1m",
    )
    .await
    .json();
    let minutes = buckets(&[minutes]);
    assert_eq!(minutes.len(), 60);
    assert_eq!(minutes[59]["ending_at"], "2026-11-18T16:00:00Z");
    for field in [
        "uncached_input_tokens",
        "output_tokens",
        "cache_read_input_tokens",
        "5m",
        "1h",
        "web",
    ] {
        let sum: u64 = minutes.iter().map(|b| total(b, field)).sum();
        assert_eq!(sum, total(&hour["data"][0], field), "{field}");
    }
    assert!(total(&hour["data"][0], "output_tokens") > 0);
}

#[tokio::test]
async fn pages_chain_until_has_more_is_false() {
    let server = start().await;
    let q = "starting_at=2026-11-01T00:00:00Z&bucket_width=1h&limit=50&group_by[]=model";
    let pages = all_pages(&server, &key(&server, 0), PATH, q).await;
    assert_eq!(pages.len(), 19 * 24 / 50 + 1);
    let all = buckets(&pages);
    assert_eq!(all.len(), 19 * 24);
    for pair in all.windows(2) {
        assert_eq!(pair[0]["ending_at"], pair[1]["starting_at"]);
    }
    assert_eq!(pages.last().unwrap()["next_page"], Value::Null);
}

#[tokio::test]
async fn a_token_only_works_with_its_own_query() {
    let server = start().await;
    let q = "starting_at=2026-11-01T00:00:00Z&bucket_width=1h&limit=24";
    let token = usage(&server, q).await.json()["next_page"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        usage(&server, &format!("{q}&page={token}")).await.status,
        200
    );
    for changed in [
        "starting_at=2026-11-01T00:00:00Z&bucket_width=1h&limit=23",
        "starting_at=2026-11-02T00:00:00Z&bucket_width=1h&limit=24",
        "starting_at=2026-11-01T00:00:00Z&bucket_width=1h&limit=24&group_by[]=model",
    ] {
        let msg = invalid(&server, &format!("{changed}&page={token}")).await;
        assert!(msg.starts_with("page:"), "{msg}");
    }
    invalid(&server, &format!("{q}&page=page_bm9wZQ==")).await;
    invalid(&server, &format!("{q}&page=garbage")).await;
    // The cost report does not accept a usage token either.
    let r = get(
        &server,
        &key(&server, 0),
        &format!("cost_report?{q}&page={token}"),
    )
    .await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn each_org_sees_only_its_own_usage() {
    let server = start().await;
    let q = "starting_at=2026-11-01T00:00:00Z&group_by[]=api_key_id";
    let a = usage(&server, q).await.json();
    let b = get(&server, &key(&server, 1), &format!("{PATH}?{q}"))
        .await
        .json();
    assert_ne!(a, b);
    let ids_b = get(&server, &key(&server, 1), "api_keys?limit=100")
        .await
        .json();
    let ids_b: Vec<&str> = ids_b["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    for row in buckets(&[a])
        .iter()
        .flat_map(|b| b["results"].as_array().unwrap().clone())
    {
        if let Some(id) = row["api_key_id"].as_str() {
            assert!(!ids_b.contains(&id));
        }
    }
}

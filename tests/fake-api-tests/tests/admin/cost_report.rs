//! The cost report: parameters, amounts as cent strings, grouping, what it leaves out.

use crate::admin::common::{all_pages, buckets, cents_to_nanos, get, key, start};
use serde_json::Value;

const PATH: &str = "cost_report";

async fn cost(server: &fake_admin_api::FakeServer, query: &str) -> crate::admin::common::Resp {
    get(server, &key(server, 0), &format!("{PATH}?{query}")).await
}

fn rows(pages: &[Value]) -> Vec<Value> {
    buckets(pages)
        .iter()
        .flat_map(|b| b["results"].as_array().unwrap().clone())
        .collect()
}

#[tokio::test]
async fn parameters_and_limits() {
    let server = start().await;
    let s = "starting_at=2026-08-01T00:00:00Z";
    let v = cost(&server, s).await.json();
    assert_eq!(v["data"].as_array().unwrap().len(), 7);
    assert_eq!(v["has_more"], true);
    assert_eq!(
        cost(&server, &format!("{s}&limit=31")).await.json()["data"]
            .as_array()
            .unwrap()
            .len(),
        31
    );
    assert_eq!(
        cost(&server, &format!("{s}&bucket_width=1d")).await.status,
        200
    );
    for bad in [
        "bucket_width=1h",
        "bucket_width=1m",
        "limit=32",
        "limit=0",
        "group_by[]=api_key_id",
        "group_by[]=model",
    ] {
        let r = cost(&server, &format!("{s}&{bad}")).await;
        assert_eq!(r.status, 400, "{bad}");
        assert_eq!(r.error().0, "invalid_request_error");
    }
    let six = "group_by[]=workspace_id&".repeat(6);
    assert_eq!(
        cost(&server, &format!("{s}&{six}")).await.error().1,
        "Cannot specify more than 5 group_by[] dimensions."
    );
    // 24 hours before now, no ending_at: no whole day fits (the langwatch observation).
    let r = cost(&server, "starting_at=2026-11-19T00:00:00.001Z").await;
    assert_eq!(
        r.error().1,
        "Invalid date range: ending date must be after starting date"
    );
}

#[tokio::test]
async fn amounts_are_cent_strings_in_usd() {
    let server = start().await;
    let pages = all_pages(
        &server,
        &key(&server, 0),
        PATH,
        "starting_at=2026-08-22T00:00:00Z&limit=31&group_by[]=workspace_id&group_by[]=description",
    )
    .await;
    let rows = rows(&pages);
    assert!(rows.len() > 500, "{}", rows.len());
    for r in &rows {
        assert_eq!(r["currency"], "USD");
        let a = r["amount"].as_str().unwrap();
        let ok = a
            .split_once('.')
            .map_or(a.chars().all(|c| c.is_ascii_digit()), |(w, f)| {
                w.chars().all(|c| c.is_ascii_digit())
                    && !f.is_empty()
                    && f.len() <= 7
                    && !f.ends_with('0')
            });
        assert!(ok, "{a}");
        assert!(cents_to_nanos(a) > 0);
    }
}

#[tokio::test]
async fn description_rows_carry_structured_fields() {
    let server = start().await;
    let pages = all_pages(
        &server,
        &key(&server, 0),
        PATH,
        "starting_at=2026-08-22T00:00:00Z&limit=31&group_by[]=description",
    )
    .await;
    let rows = rows(&pages);
    let mut kinds = std::collections::BTreeSet::new();
    for r in &rows {
        assert_eq!(r["workspace_id"], Value::Null);
        assert_eq!(r["inference_geo"], Value::Null);
        let d = r["description"].as_str().unwrap();
        match r["cost_type"].as_str().unwrap() {
            "tokens" => {
                let suffix = match r["token_type"].as_str().unwrap() {
                    "uncached_input_tokens" => "Input Tokens",
                    "output_tokens" => "Output Tokens",
                    "cache_read_input_tokens" => "Input Tokens, Cache Hit",
                    "cache_creation.ephemeral_5m_input_tokens"
                    | "cache_creation.ephemeral_1h_input_tokens" => "Input Tokens, Cache Write",
                    other => panic!("{other}"),
                };
                assert!(d.ends_with(&format!(" Usage - {suffix}")), "{d}");
                assert!(r["model"].is_string() && r["context_window"].is_string());
                let tier = r["service_tier"].as_str().unwrap();
                assert!(
                    tier == "standard" || tier == "batch",
                    "priority is never billed here"
                );
                kinds.insert("tokens");
            }
            t @ ("web_search" | "code_execution") => {
                let want = if t == "web_search" {
                    "Web Search Usage"
                } else {
                    "Code Execution Usage"
                };
                assert_eq!(d, want);
                for f in ["model", "service_tier", "context_window", "token_type"] {
                    assert_eq!(r[f], Value::Null, "{f}");
                }
                kinds.insert(t);
            }
            other => panic!("{other}"),
        }
    }
    assert_eq!(kinds.len(), 3);
    for d in [
        "Claude Sonnet 4.5 Usage - Input Tokens",
        "Claude Sonnet 4.5 Usage - Output Tokens",
        "Claude Sonnet 4.5 Usage - Input Tokens, Cache Write",
        "Claude Sonnet 4.5 Usage - Input Tokens, Cache Hit",
        "Claude Haiku 3.5 Usage - Input Tokens",
        "Claude Opus 4.6 Usage - Output Tokens",
    ] {
        assert!(rows.iter().any(|r| r["description"] == d), "{d}");
    }
    assert!(rows.iter().any(|r| r["context_window"] == "200k-1M"));
}

#[tokio::test]
async fn groupings_partition_the_daily_total_exactly() {
    let server = start().await;
    let q = "starting_at=2026-10-20T00:00:00Z&limit=31";
    let k = key(&server, 0);
    let day_totals = |pages: &[Value]| -> Vec<u64> {
        buckets(pages)
            .iter()
            .map(|b| {
                b["results"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|r| cents_to_nanos(r["amount"].as_str().unwrap()))
                    .sum()
            })
            .collect()
    };
    let plain = all_pages(&server, &k, PATH, q).await;
    for b in buckets(&plain) {
        let n = b["results"].as_array().unwrap().len();
        assert_eq!(n, 1, "one row per day without group_by");
        assert_eq!(b["results"][0]["description"], Value::Null);
        assert_eq!(b["results"][0]["cost_type"], Value::Null);
    }
    let totals = day_totals(&plain);
    assert_eq!(totals.len(), 31);
    for g in [
        "group_by[]=workspace_id",
        "group_by[]=description",
        "group_by[]=workspace_id&group_by[]=description",
    ] {
        let grouped = all_pages(&server, &k, PATH, &format!("{q}&{g}")).await;
        assert_eq!(day_totals(&grouped), totals, "{g}");
    }
    let by_ws = rows(&all_pages(&server, &k, PATH, &format!("{q}&group_by[]=workspace_id")).await);
    assert!(by_ws.iter().any(|r| r["workspace_id"].is_null()));
    assert!(by_ws.iter().any(|r| r["workspace_id"].is_string()));
}

#[tokio::test]
async fn a_cost_page_token_needs_the_same_query() {
    let server = start().await;
    let q = "starting_at=2026-09-01T00:00:00Z&group_by[]=description";
    let token = cost(&server, q).await.json()["next_page"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(
        cost(&server, &format!("{q}&page={token}")).await.status,
        200
    );
    let r = cost(
        &server,
        &format!("starting_at=2026-09-01T00:00:00Z&page={token}"),
    )
    .await;
    assert_eq!(r.status, 400);
}

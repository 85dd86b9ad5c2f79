//! Summing every page of every endpoint gives exactly `truth()`.

use std::collections::BTreeMap;

use crate::openai::common::{
    DAY, HISTORY, NOW, add_counts, all_pages, buckets, day_of, start, text,
};
use fake_openai_api::{FakeServer, Truth, UsageTruthRow};
use serde_json::Value;

type Counts = BTreeMap<String, u64>;
type UsageKey = (String, Vec<Option<String>>);

pub const ENDPOINT_DIMS: [(&str, &[&str]); 9] = [
    (
        "completions",
        &[
            "project_id",
            "user_id",
            "api_key_id",
            "model",
            "batch",
            "service_tier",
        ],
    ),
    (
        "embeddings",
        &["project_id", "user_id", "api_key_id", "model"],
    ),
    (
        "moderations",
        &["project_id", "user_id", "api_key_id", "model"],
    ),
    (
        "images",
        &[
            "project_id",
            "user_id",
            "api_key_id",
            "model",
            "size",
            "source",
        ],
    ),
    (
        "audio_speeches",
        &["project_id", "user_id", "api_key_id", "model"],
    ),
    (
        "audio_transcriptions",
        &["project_id", "user_id", "api_key_id", "model"],
    ),
    (
        "web_search_calls",
        &[
            "project_id",
            "user_id",
            "api_key_id",
            "model",
            "context_level",
        ],
    ),
    (
        "file_search_calls",
        &["project_id", "user_id", "api_key_id", "vector_store_id"],
    ),
    ("code_interpreter_sessions", &["project_id"]),
];

/// Served usage of `endpoint`, grouped by all its dimensions, summed per UTC day.
pub async fn served_usage(
    server: &FakeServer,
    key: &str,
    endpoint: &str,
    dims: &[&str],
    window: &str,
    width: &str,
) -> BTreeMap<UsageKey, Counts> {
    let groups: Vec<String> = dims.iter().map(|d| format!("group_by={d}")).collect();
    let limit = if width == "1h" { 168 } else { 31 };
    let q = format!(
        "{window}&bucket_width={width}&limit={limit}&{}",
        groups.join("&")
    );
    let mut out: BTreeMap<UsageKey, Counts> = BTreeMap::new();
    for b in buckets(&all_pages(server, key, &format!("usage/{endpoint}"), &q).await) {
        let day = day_of(b["start_time"].as_i64().unwrap());
        for r in b["results"].as_array().unwrap() {
            let k = (day.clone(), dims.iter().map(|d| text(&r[*d])).collect());
            add_counts(out.entry(k).or_default(), r);
        }
    }
    out
}

fn truth_field(r: &UsageTruthRow, dim: &str) -> Option<String> {
    match dim {
        "project_id" => r.project_id.clone(),
        "user_id" => r.user_id.clone(),
        "api_key_id" => r.api_key_id.clone(),
        "model" => r.model.clone(),
        "batch" => r.batch.map(|b| b.to_string()),
        "service_tier" => r.service_tier.clone(),
        "size" => r.size.clone(),
        "source" => r.source.clone(),
        "context_level" => r.context_level.clone(),
        "vector_store_id" => r.vector_store_id.clone(),
        _ => unreachable!(),
    }
}

/// The truth's usage of `endpoint` in the same shape as [`served_usage`].
pub fn truth_usage(
    truth: &Truth,
    org: usize,
    endpoint: &str,
    dims: &[&str],
) -> BTreeMap<UsageKey, Counts> {
    let mut out: BTreeMap<UsageKey, Counts> = BTreeMap::new();
    for r in truth.orgs[org]
        .usage
        .iter()
        .filter(|r| r.endpoint == endpoint)
    {
        let k = (
            r.day.clone(),
            dims.iter().map(|d| truth_field(r, d)).collect(),
        );
        let counts = out.entry(k).or_default();
        for (field, n) in &r.counts {
            *counts.entry(field.clone()).or_default() += n;
        }
        if !matches!(endpoint, "file_search_calls" | "code_interpreter_sessions") {
            *counts.entry("num_model_requests".into()).or_default() += r.num_model_requests;
        }
    }
    out
}

#[tokio::test]
async fn every_usage_endpoint_sums_to_truth_over_90_days() {
    let server = start().await;
    let truth = server.truth();
    assert_eq!((truth.start_time, truth.end_time), (HISTORY, NOW));
    let window = format!("start_time={HISTORY}");
    for (i, org) in server.orgs().iter().enumerate() {
        assert_eq!(truth.orgs[i].org_id, org.id);
        for (endpoint, dims) in ENDPOINT_DIMS {
            let expected = truth_usage(&truth, i, endpoint, dims);
            assert!(expected.len() > 20, "{endpoint}: {}", expected.len());
            let daily =
                served_usage(&server, &org.read_only_key, endpoint, dims, &window, "1d").await;
            assert_eq!(daily, expected, "{endpoint} 1d, org {i}");
        }
        let (endpoint, dims) = ENDPOINT_DIMS[0];
        let hourly = served_usage(&server, &org.read_only_key, endpoint, dims, &window, "1h").await;
        assert_eq!(
            hourly,
            truth_usage(&truth, i, endpoint, dims),
            "completions 1h, org {i}"
        );
    }
}

#[tokio::test]
async fn tokens_per_day_project_key_and_model_equal_truth() {
    let server = start().await;
    let truth = server.truth();
    let org = &server.orgs()[0];
    let dims = ["project_id", "api_key_id", "model"];
    let served = served_usage(
        &server,
        &org.read_only_key,
        "completions",
        &dims,
        &format!("start_time={HISTORY}"),
        "1h",
    )
    .await;
    let t = &truth.orgs[0];
    assert_eq!(served.len(), t.tokens.len());
    let mut total = 0;
    for row in &t.tokens {
        let k = (
            row.day.clone(),
            vec![
                row.project_id.clone(),
                row.api_key_id.clone(),
                Some(row.model.clone()),
            ],
        );
        let s = &served[&k];
        assert_eq!(s["input_tokens"], row.tokens.input_tokens);
        assert_eq!(s["input_cached_tokens"], row.tokens.input_cached_tokens);
        assert_eq!(
            s["input_cache_write_tokens"],
            row.tokens.input_cache_write_tokens
        );
        assert_eq!(s["input_uncached_tokens"], row.tokens.input_uncached_tokens);
        assert_eq!(s["output_tokens"], row.tokens.output_tokens);
        assert_eq!(s["num_model_requests"], row.tokens.num_model_requests);
        total += row.tokens.input_tokens;
    }
    assert_eq!(total, t.tokens_total.input_tokens);
}

#[tokio::test]
async fn vector_storage_is_a_daily_level_equal_to_truth() {
    let server = start().await;
    let truth = server.truth();
    let org = &server.orgs()[0];
    let mut expected: BTreeMap<(String, String), u64> = BTreeMap::new();
    for r in &truth.orgs[0].vector_storage {
        expected.insert((r.day.clone(), r.project_id.clone()), r.usage_bytes);
    }
    let q = format!("start_time={HISTORY}&limit=31&group_by=project_id");
    let mut served = BTreeMap::new();
    for b in buckets(&all_pages(&server, &org.read_only_key, "usage/vector_stores", &q).await) {
        for r in b["results"].as_array().unwrap() {
            let k = (
                day_of(b["start_time"].as_i64().unwrap()),
                r["project_id"].as_str().unwrap().to_string(),
            );
            served.insert(k, r["usage_bytes"].as_u64().unwrap());
        }
    }
    assert_eq!(served, expected);
    // Every hour of a day reports that day's level.
    let day = NOW - 3 * DAY;
    let hours = all_pages(
        &server,
        &org.read_only_key,
        "usage/vector_stores",
        &format!("start_time={day}&end_time={}&bucket_width=1h", day + DAY),
    )
    .await;
    let level: u64 = expected
        .iter()
        .filter(|((d, _), _)| *d == day_of(day))
        .map(|(_, v)| v)
        .sum();
    for b in buckets(&hours) {
        assert_eq!(b["results"][0]["usage_bytes"].as_u64().unwrap(), level);
    }
}

#[tokio::test]
async fn the_control_endpoint_serves_the_same_truth() {
    let server = start().await;
    let url = format!("{}/_fake/truth", server.base_url());
    let served: Truth = crate::client()
        .get(&url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served, server.truth());
    let windowed: Value = crate::client()
        .get(format!(
            "{url}?start_time={}&end_time={}",
            NOW - 2 * DAY,
            NOW
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let expected = serde_json::to_value(server.truth_between(NOW - 2 * DAY, NOW)).unwrap();
    assert_eq!(windowed, expected);
    assert_eq!(
        windowed["orgs"][0]["cost_per_day"]
            .as_object()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(
        crate::client()
            .get(format!("{url}?start_time=soon"))
            .send()
            .await
            .unwrap()
            .status(),
        400
    );
}

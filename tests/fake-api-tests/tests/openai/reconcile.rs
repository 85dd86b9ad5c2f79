//! Sums over any grouping equal the ungrouped totals, bucket by bucket, and the costs
//! endpoint's groupings agree with each other to the nanodollar.

use std::collections::BTreeMap;

use crate::openai::common::{
    DAY, NOW, add_counts, all_bodies, all_pages, buckets, cost_rows, key, nanos, start,
};
use fake_openai_api::FakeServer;

/// Per bucket start: every counter summed over the bucket's rows.
async fn per_bucket(
    server: &FakeServer,
    endpoint: &str,
    query: &str,
) -> BTreeMap<i64, BTreeMap<String, u64>> {
    let mut out = BTreeMap::new();
    for b in buckets(&all_pages(server, &key(server, 0), &format!("usage/{endpoint}"), query).await)
    {
        let sums: &mut BTreeMap<String, u64> =
            out.entry(b["start_time"].as_i64().unwrap()).or_default();
        for r in b["results"].as_array().unwrap() {
            add_counts(sums, r);
        }
    }
    out
}

fn subsets<'a>(dims: &[&'a str]) -> Vec<Vec<&'a str>> {
    let mut out: Vec<Vec<&str>> = dims.iter().map(|d| vec![*d]).collect();
    out.push(dims.to_vec());
    out.push(dims.iter().step_by(2).copied().collect());
    out
}

#[tokio::test]
async fn usage_groupings_sum_to_the_ungrouped_totals() {
    let server = start().await;
    let window = format!("start_time={}&limit=31", NOW - 14 * DAY);
    for (endpoint, dims) in [
        (
            "completions",
            &[
                "project_id",
                "user_id",
                "api_key_id",
                "model",
                "batch",
                "service_tier",
            ][..],
        ),
        (
            "images",
            &["project_id", "api_key_id", "model", "size", "source"],
        ),
        ("web_search_calls", &["user_id", "model", "context_level"]),
        ("file_search_calls", &["project_id", "vector_store_id"]),
        ("vector_stores", &["project_id"]),
    ] {
        let plain = per_bucket(&server, endpoint, &window).await;
        assert_eq!(plain.len(), 14);
        assert!(plain.values().any(|s| !s.is_empty()));
        for group in subsets(dims) {
            let q: Vec<String> = group.iter().map(|d| format!("group_by={d}")).collect();
            let grouped = per_bucket(&server, endpoint, &format!("{window}&{}", q.join("&"))).await;
            assert_eq!(grouped, plain, "{endpoint} by {group:?}");
        }
    }
    // Hourly buckets of a day add up to its daily bucket.
    let day = format!("start_time={}&end_time={}", NOW - 5 * DAY, NOW - 4 * DAY);
    let daily = per_bucket(&server, "completions", &day).await;
    let hourly = per_bucket(&server, "completions", &format!("{day}&bucket_width=1h")).await;
    let mut summed: BTreeMap<String, u64> = BTreeMap::new();
    for sums in hourly.values() {
        for (k, v) in sums {
            *summed.entry(k.clone()).or_default() += v;
        }
    }
    assert_eq!(Some(&summed), daily.values().next());
}

#[tokio::test]
async fn cost_groupings_agree_to_the_nanodollar() {
    let server = start().await;
    let k = key(&server, 0);
    let window = format!("start_time={}&limit=14", NOW - 14 * DAY);
    let total = |bodies: &[String]| -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for (day, r) in cost_rows(bodies) {
            *out.entry(day).or_default() += nanos(r.amount.value.get());
        }
        out
    };
    let plain = total(&all_bodies(&server, &k, "costs", &window).await);
    assert_eq!(plain.len(), 14);
    for group in [
        "group_by=project_id",
        "group_by=line_item",
        "group_by=api_key_id",
        "group_by=project_id&group_by=api_key_id",
        "group_by[]=line_item&group_by[]=project_id&group_by[]=api_key_id",
    ] {
        let grouped = total(&all_bodies(&server, &k, "costs", &format!("{window}&{group}")).await);
        assert_eq!(grouped, plain, "{group}");
    }
}

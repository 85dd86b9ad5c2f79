//! Fault injection: every kind, per-key counters, and the stats that count them.

use std::time::{Duration, Instant};

use crate::openai::common::{
    DAY, NOW, all_pages, buckets, get, key, start, start_unaligned, start_with,
};
use fake_openai_api::{FakeConfig, FakeServer, Faults};

async fn statuses(server: &FakeServer, key: &str, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(get(server, key, "projects").await.status);
    }
    out
}

#[tokio::test]
async fn rate_limits_every_nth_request_with_retry_after_in_seconds_and_ms() {
    let server = start_with(FakeConfig {
        faults: "429:3:0.05".parse().unwrap(),
        ..FakeConfig::default()
    })
    .await;
    let (a, b) = (key(&server, 0), key(&server, 1));
    assert_eq!(statuses(&server, &a, 2).await, [200, 200]);
    let r = get(&server, &a, "projects").await;
    let (status, kind, code, message) = r.error();
    assert_eq!(
        (status, kind.as_str(), code.as_deref()),
        (429, "requests", Some("rate_limit_exceeded"))
    );
    assert!(message.contains(&server.orgs()[0].id), "{message}");
    assert_eq!(
        r.header("retry-after"),
        Some("1"),
        "whole seconds, at least 1"
    );
    assert_eq!(r.header("retry-after-ms"), Some("50"));
    assert!(r.header("x-request-id").is_some());
    assert_eq!(
        r.header("openai-organization"),
        Some(server.orgs()[0].slug.as_str())
    );
    // Each key has its own count.
    assert_eq!(statuses(&server, &b, 3).await, [200, 200, 429]);
    assert_eq!(statuses(&server, &a, 3).await, [200, 200, 429]);
    let stats = server.stats();
    assert_eq!(stats.faults_of("429"), 3);
    assert_eq!(stats.requests_for(&a), 6);
    assert_eq!(stats.requests_for_endpoint(&b, "projects"), 3);

    server.set_faults(Faults::none().with_rate_limit(1, 2.5));
    let r = get(&server, &a, "projects").await;
    assert_eq!(
        (r.header("retry-after"), r.header("retry-after-ms")),
        (Some("3"), Some("2500"))
    );
}

#[tokio::test]
async fn server_errors_and_overload() {
    let server = start().await;
    let k = key(&server, 0);
    server.set_faults("500:2,503:3".parse().unwrap());
    assert_eq!(
        statuses(&server, &k, 6).await,
        [200, 500, 503, 500, 200, 503]
    );
    server.set_faults(Faults::none().with_503(1));
    let (status, kind, code, _) = get(&server, &k, "costs?start_time=0").await.error();
    assert_eq!((status, kind.as_str(), code), (503, "server_error", None));
    server.set_faults(Faults::none().with_500(1));
    let r = get(&server, &k, "projects").await;
    let (_, kind, _, message) = r.error();
    assert_eq!(kind, "server_error");
    assert!(message.starts_with("The server had an error"), "{message}");
    assert!(r.header("retry-after").is_none());
    let stats = server.stats();
    assert_eq!((stats.faults_of("500"), stats.faults_of("503")), (3, 3));
}

#[tokio::test]
async fn faults_come_after_authentication() {
    let server = start_with(FakeConfig {
        faults: Faults::none().with_500(1),
        ..FakeConfig::default()
    })
    .await;
    assert_eq!(
        get(&server, "sk-admin-unknown-key-0000", "projects")
            .await
            .status,
        401
    );
    assert_eq!(server.stats().faults_of("500"), 0);
}

#[tokio::test]
async fn slow_delays_every_request() {
    let server = start().await;
    let k = key(&server, 0);
    server.set_faults(Faults::none().with_slow(150));
    let t = Instant::now();
    assert_eq!(get(&server, &k, "projects").await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(150));
    assert_eq!(server.stats().faults_of("slow"), 1);
}

#[tokio::test]
async fn truncated_bodies_end_mid_json_with_the_full_content_length() {
    let server = start().await;
    let k = key(&server, 0);
    server.set_faults("trunc:2".parse().unwrap());
    let url = format!(
        "{}/v1/organization/usage/completions?start_time={}&group_by=model",
        server.base_url(),
        NOW - 7 * DAY
    );
    let client = crate::client();
    let send = || client.get(&url).bearer_auth(&k).send();
    let full = send().await.unwrap().bytes().await.unwrap();
    let resp = send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert_eq!(resp.content_length(), Some(full.len() as u64));
    assert!(resp.bytes().await.is_err(), "the body must end early");
    assert_eq!(
        send().await.unwrap().bytes().await.unwrap(),
        full,
        "request 3 is whole"
    );
    assert_eq!(server.stats().faults_of("trunc"), 1);
}

#[tokio::test]
async fn down_fails_every_request_after_the_nth_until_cleared() {
    let server = start().await;
    let k = key(&server, 0);
    server.set_faults(Faults::none().with_down_after(2));
    assert_eq!(statuses(&server, &k, 5).await, [200, 200, 500, 500, 500]);
    assert_eq!(server.stats().faults_of("down"), 3);
    server.set_faults(Faults::none());
    assert_eq!(statuses(&server, &k, 2).await, [200, 200]);
}

#[tokio::test]
async fn late_data_changes_recent_buckets_and_costs_consistently() {
    let server = start().await;
    let k = key(&server, 0);
    let q = format!(
        "usage/completions?start_time={}&bucket_width=1h",
        NOW - 6 * 3600
    );
    let before = get(&server, &k, &q).await.body;
    let truth_before = server.truth();
    server.set_faults("late".parse().unwrap());
    assert_eq!(
        get(&server, &k, &q).await.body,
        before,
        "the request that triggers growth sees the old data"
    );
    server.set_faults(Faults::none());
    let after = get(&server, &k, &q).await;
    let truth_after = server.truth();
    let (b, a): (serde_json::Value, serde_json::Value) =
        (serde_json::from_str(&before).unwrap(), after.json());
    assert_eq!(
        b["data"][0], a["data"][0],
        "hours before the last three are unchanged"
    );
    assert_ne!(b["data"][5], a["data"][5]);
    for (tb, ta) in truth_before.orgs.iter().zip(&truth_after.orgs) {
        assert!(ta.tokens_total.output_tokens > tb.tokens_total.output_tokens);
        assert!(ta.cost_total_nanos > tb.cost_total_nanos);
    }
    // The served costs of today's last day still equal the truth after the change.
    let costs = all_pages(&server, &k, "costs", &format!("start_time={}", NOW - DAY)).await;
    let value = buckets(&costs)[0]["results"][0]["amount"]["value"].to_string();
    assert_eq!(
        crate::openai::common::nanos(&value),
        truth_after.orgs[0].cost_per_day[&crate::openai::common::day_of(NOW - DAY)]
    );
    assert_eq!(server.stats().faults_of("late"), 1);
}

#[tokio::test]
async fn moving_the_clock_reveals_new_minutes_in_the_open_bucket() {
    let server = start_unaligned().await;
    let k = key(&server, 0);
    let q = format!("usage/completions?start_time={NOW}&bucket_width=1d");
    let before = get(&server, &k, &q).await.json();
    server.set_now("2026-11-20T18:00:00Z".parse().unwrap());
    let after = get(&server, &k, &q).await.json();
    assert_eq!(after["data"][0]["end_time"], NOW + 18 * 3600);
    let n = |v: &serde_json::Value| {
        v["data"][0]["results"][0]["num_model_requests"]
            .as_u64()
            .unwrap()
    };
    assert!(n(&after) > n(&before));
    assert_eq!(server.truth().end_time, NOW + 18 * 3600);
}

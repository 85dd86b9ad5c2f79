//! Fault injection: every kind, per-key counters, and the stats that count them.

use std::time::{Duration, Instant};

use crate::admin::common::{get, key, start, start_with};
use fake_admin_api::{FakeConfig, Faults};

async fn statuses(server: &fake_admin_api::FakeServer, key: &str, n: usize) -> Vec<u16> {
    let mut out = Vec::new();
    for _ in 0..n {
        out.push(get(server, key, "me").await.status);
    }
    out
}

#[tokio::test]
async fn rate_limit_every_nth_request_with_retry_after() {
    let server = start_with(FakeConfig {
        faults: "429:3:0.05".parse().unwrap(),
        ..FakeConfig::default()
    })
    .await;
    let (a, b) = (key(&server, 0), key(&server, 1));
    assert_eq!(statuses(&server, &a, 2).await, [200, 200]);
    let r = get(&server, &a, "me").await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("retry-after"), Some("0.05"));
    assert_eq!(
        r.error(),
        ("rate_limit_error".into(), "Rate limited".into())
    );
    assert!(r.header("request-id").is_some());
    assert_eq!(
        r.header("anthropic-organization-id"),
        Some(server.orgs()[0].id.as_str())
    );
    // The other key has its own count.
    assert_eq!(statuses(&server, &b, 3).await, [200, 200, 429]);
    assert_eq!(statuses(&server, &a, 3).await, [200, 200, 429]);
    let stats = server.stats();
    assert_eq!(stats.faults_of("429"), 3);
    assert_eq!(stats.requests_for(&a), 6);
    assert_eq!(stats.requests_for_endpoint(&b, "me"), 3);

    server.set_faults(Faults::none().with_rate_limit(1, 2.0));
    let r = get(&server, &a, "me").await;
    assert_eq!((r.status, r.header("retry-after")), (429, Some("2")));
}

#[tokio::test]
async fn server_errors_and_overload() {
    let server = start().await;
    let k = key(&server, 0);
    server.set_faults("500:2,529:3".parse().unwrap());
    assert_eq!(
        statuses(&server, &k, 6).await,
        [200, 500, 529, 500, 200, 529]
    );
    server.set_faults(Faults::none().with_529(1));
    let r = get(
        &server,
        &k,
        "usage_report/messages?starting_at=2026-11-19T00:00:00Z",
    )
    .await;
    assert_eq!(r.status, 529);
    assert_eq!(r.error(), ("overloaded_error".into(), "Overloaded".into()));
    server.set_faults(Faults::none().with_500(1));
    let r = get(&server, &k, "me").await;
    assert_eq!(
        r.error(),
        ("api_error".into(), "Internal server error".into())
    );
    assert!(r.header("retry-after").is_none());
    let stats = server.stats();
    assert_eq!((stats.faults_of("500"), stats.faults_of("529")), (3, 3));
}

#[tokio::test]
async fn faults_apply_after_authentication() {
    let server = start_with(FakeConfig {
        faults: Faults::none().with_500(1),
        ..FakeConfig::default()
    })
    .await;
    assert_eq!(
        get(&server, "sk-ant-admin01-unknown", "me").await.status,
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
    assert_eq!(get(&server, &k, "me").await.status, 200);
    assert!(t.elapsed() >= Duration::from_millis(150));
    server.set_faults(Faults::none());
    let t = Instant::now();
    get(&server, &k, "me").await;
    assert!(t.elapsed() < Duration::from_millis(150));
    assert_eq!(server.stats().faults_of("slow"), 1);
}

#[tokio::test]
async fn truncated_bodies_are_cut_mid_json() {
    let server = start().await;
    let k = key(&server, 0);
    server.set_faults("trunc:2".parse().unwrap());
    let url = format!(
        "{}/v1/organizations/usage_report/messages?starting_at=2026-11-01T00:00:00Z&group_by[]=model",
        server.base_url()
    );
    let client = crate::client();
    let send = || {
        client
            .get(&url)
            .header("x-api-key", &k)
            .header("anthropic-version", "2023-06-01")
            .send()
    };
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
    assert!(
        send().await.unwrap().bytes().await.is_err(),
        "request 4 is cut"
    );
    let stats = server.stats();
    assert_eq!(stats.faults_of("trunc"), 2);
}

#[tokio::test]
async fn truncated_raw_body_is_the_first_half() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let server = start_with(FakeConfig {
        faults: Faults::none().with_truncation(1),
        ..FakeConfig::default()
    })
    .await;
    let k = key(&server, 0);
    let mut sock = tokio::net::TcpStream::connect(("127.0.0.1", server.port()))
        .await
        .unwrap();
    let req = format!(
        "GET /v1/organizations/cost_report?starting_at=2026-11-01T00:00:00Z HTTP/1.1\r\nhost: x\r\nx-api-key: {k}\r\nanthropic-version: 2023-06-01\r\n\r\n"
    );
    sock.write_all(req.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    let _ = sock.read_to_end(&mut raw).await;
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"));
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length: "))
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(body.len(), length / 2);
    assert!(body.starts_with("{\"data\":["));
    assert!(serde_json::from_str::<serde_json::Value>(body).is_err());
}

#[tokio::test]
async fn down_fails_every_request_after_the_nth_until_cleared() {
    let server = start().await;
    let k = key(&server, 0);
    server.set_faults(Faults::none().with_down_after(2));
    assert_eq!(statuses(&server, &k, 5).await, [200, 200, 500, 500, 500]);
    assert_eq!(
        statuses(&server, &key(&server, 1), 3).await,
        [200, 200, 500]
    );
    assert_eq!(server.stats().faults_of("down"), 4);
    server.set_faults(Faults::none());
    assert_eq!(statuses(&server, &k, 2).await, [200, 200]);
}

#[tokio::test]
async fn late_data_grows_after_each_usage_or_cost_request() {
    let server = start().await;
    let k = key(&server, 0);
    let q = "usage_report/messages?starting_at=2026-11-19T20:00:00Z&bucket_width=1h";
    let before = get(&server, &k, q).await.body;
    let truth_before = server.truth();
    server.set_faults("late".parse().unwrap());
    assert_eq!(
        get(&server, &k, q).await.body,
        before,
        "the request that triggers growth sees the old data"
    );
    let after = get(&server, &k, q).await;
    assert_ne!(after.body, before);
    let truth_after = server.truth();
    for (b, a) in truth_before.orgs.iter().zip(&truth_after.orgs) {
        assert!(a.usage_totals.output_tokens > b.usage_totals.output_tokens);
        assert!(a.cost_total_nanos > b.cost_total_nanos);
    }
    // Only the last three hours changed.
    let v_before: serde_json::Value = serde_json::from_str(&before).unwrap();
    let v_after = after.json();
    assert_eq!(v_before["data"][0], v_after["data"][0]);
    assert_ne!(v_before["data"][3], v_after["data"][3]);
    // Lists do not grow data.
    get(&server, &k, "me").await;
    assert_eq!(server.stats().faults_of("late"), 2);
}

#[tokio::test]
async fn grow_late_data_and_set_now_are_reflected_in_truth() {
    let server = start().await;
    let t0 = server.truth();
    server.grow_late_data();
    let t1 = server.truth();
    assert!(
        t1.orgs[0].usage_totals.uncached_input_tokens
            > t0.orgs[0].usage_totals.uncached_input_tokens
    );
    server.set_now("2026-11-21T06:30:00Z".parse().unwrap());
    let t2 = server.truth();
    assert_eq!(t2.usage_ending_at, "2026-11-21T06:00:00Z");
    assert_eq!(t2.cost_ending_at, "2026-11-21T00:00:00Z");
    assert!(t2.orgs[0].cost_per_day.contains_key("2026-11-20"));
    let k = key(&server, 0);
    let v = get(
        &server,
        &k,
        "usage_report/messages?starting_at=2026-11-21T00:00:00Z&bucket_width=1h",
    )
    .await
    .json();
    assert_eq!(v["data"].as_array().unwrap().len(), 6);
}

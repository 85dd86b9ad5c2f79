//! Measures how fast the fake starts and serves a full sync.
//!
//! `cargo run --release -p fake-admin-api --example throughput -- [days]`
//! Starts the fake in-process with 3 orgs and `days` of history (default 90), then pages
//! through the whole history of every org at 1h grouped by api_key_id, workspace_id,
//! model, service_tier and context_window, one request at a time. Then it does the same
//! with the Analytics cost endpoint, 1h, grouped by every attribution dimension, in
//! 31-day windows of 1,000-row pages.

use std::time::Instant;

use fake_admin_api::{FakeConfig, FakeServer};

#[tokio::main]
async fn main() {
    let days: u32 = std::env::args()
        .nth(1)
        .map_or(90, |d| d.parse().expect("days"));
    let t = Instant::now();
    let server = FakeServer::start(FakeConfig {
        days,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    println!("start ({days} days, 3 orgs): {:?}", t.elapsed());

    // reqwest has rustls without a provider of its own here: install ring's.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::new();
    let start = server.truth().usage_starting_at;
    let query = format!(
        "starting_at={start}&bucket_width=1h&limit=168&group_by[]=api_key_id&group_by[]=workspace_id\
         &group_by[]=model&group_by[]=service_tier&group_by[]=context_window"
    );
    let (mut rows, mut requests, mut bytes) = (0usize, 0usize, 0usize);
    let t = Instant::now();
    for org in server.orgs() {
        let mut page: Option<String> = None;
        loop {
            let mut url = format!(
                "{}/v1/organizations/usage_report/messages?{query}",
                server.base_url()
            );
            if let Some(p) = &page {
                url.push_str(&format!("&page={p}"));
            }
            let body = client
                .get(url)
                .header("x-api-key", &org.admin_key)
                .header("anthropic-version", "2023-06-01")
                .send()
                .await
                .unwrap()
                .bytes()
                .await
                .unwrap();
            requests += 1;
            bytes += body.len();
            let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
            rows += v["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b["results"].as_array().unwrap().len())
                .sum::<usize>();
            page = v["next_page"].as_str().map(str::to_string);
            if page.is_none() {
                break;
            }
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "full sync: {rows} rows, {requests} requests, {:.1} MB in {secs:.3}s = {:.0} rows/s (client JSON parsing included)",
        bytes as f64 / 1e6,
        rows as f64 / secs
    );
    analytics(&server, &client).await;
    server.shutdown().await;
}

/// A full Analytics cost sync: every org, every 31-day window, every page.
async fn analytics(server: &FakeServer, client: &reqwest::Client) {
    let groups = [
        "actor",
        "api_key_id",
        "workspace_id",
        "model",
        "service_tier",
        "context_window",
        "inference_geo",
        "product",
        "cost_type",
        "token_type",
    ];
    let group_by: String = groups.iter().map(|g| format!("&group_by[]={g}")).collect();
    let truth = server.truth();
    let (first, end) = (
        truth.orgs[0].analytics.starting_at.clone(),
        truth.usage_ending_at.clone(),
    );
    let parse = |s: &str| {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&chrono::Utc)
    };
    let (mut rows, mut requests, mut bytes) = (0usize, 0usize, 0usize);
    let t = Instant::now();
    for org in server.orgs() {
        let mut from = parse(&first);
        while from < parse(&end) {
            let to = (from + chrono::Duration::days(31)).min(parse(&end));
            let query = format!(
                "starting_at={}&ending_at={}&time_bucket_width=1h&limit=1000{group_by}",
                from.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
                to.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            );
            let mut page: Option<String> = None;
            loop {
                let mut url = format!(
                    "{}/v1/organizations/analytics/cost?{query}",
                    server.base_url()
                );
                if let Some(p) = &page {
                    url.push_str(&format!("&page={p}"));
                }
                let body = client
                    .get(url)
                    .header("x-api-key", &org.admin_key)
                    .header("anthropic-version", "2023-06-01")
                    .header("anthropic-beta", "analytics-usage-cost-2026-08-24")
                    .send()
                    .await
                    .unwrap()
                    .bytes()
                    .await
                    .unwrap();
                requests += 1;
                bytes += body.len();
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
                rows += v["data"].as_array().unwrap().len();
                page = v["next_page"].as_str().map(str::to_string);
                if page.is_none() {
                    break;
                }
            }
            from = to;
        }
    }
    let secs = t.elapsed().as_secs_f64();
    println!(
        "analytics cost sync (1h, {} dimensions): {rows} rows, {requests} requests, {:.1} MB in {secs:.3}s = {:.0} rows/s",
        groups.len(),
        bytes as f64 / 1e6,
        rows as f64 / secs
    );
}

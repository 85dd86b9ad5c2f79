//! Helpers shared by the integration tests: start a fake, call it, follow pages.
#![allow(dead_code)]

use fake_admin_api::{FakeConfig, FakeServer};
use reqwest::header::HeaderMap;
use serde_json::Value;

/// One answer of the fake.
pub struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `(error.type, error.message)` of an error envelope.
    pub fn error(&self) -> (String, String) {
        let v = self.json();
        assert_eq!(v["type"], "error", "{}", self.body);
        (
            v["error"]["type"].as_str().unwrap().to_string(),
            v["error"]["message"].as_str().unwrap().to_string(),
        )
    }
}

pub async fn start() -> FakeServer {
    FakeServer::start(FakeConfig::default()).await.unwrap()
}

pub async fn start_with(config: FakeConfig) -> FakeServer {
    FakeServer::start(config).await.unwrap()
}

/// The admin key of org `i`.
pub fn key(server: &FakeServer, i: usize) -> String {
    server.orgs()[i].admin_key.clone()
}

/// GET `path_and_query` under `/v1/organizations/` with the usual headers.
pub async fn get(server: &FakeServer, key: &str, path_and_query: &str) -> Resp {
    get_with(
        server,
        path_and_query,
        &[("x-api-key", key), ("anthropic-version", "2023-06-01")],
    )
    .await
}

/// GET with exactly these headers.
pub async fn get_with(server: &FakeServer, path_and_query: &str, headers: &[(&str, &str)]) -> Resp {
    let url = format!("{}/v1/organizations/{path_and_query}", server.base_url());
    let mut req = crate::client().get(url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.text().await.unwrap();
    Resp {
        status,
        headers,
        body,
    }
}

/// Follows `next_page` from `path?query` to the end; returns every page's JSON.
pub async fn all_pages(server: &FakeServer, key: &str, path: &str, query: &str) -> Vec<Value> {
    let mut pages = Vec::new();
    let mut url = format!("{path}?{query}");
    loop {
        let r = get(server, key, &url).await;
        assert_eq!(r.status, 200, "{url}: {}", r.body);
        let page = r.json();
        let next = page["next_page"].as_str().map(str::to_string);
        assert_eq!(page["has_more"].as_bool().unwrap(), next.is_some());
        pages.push(page);
        match next {
            Some(token) => url = format!("{path}?{query}&page={token}"),
            None => return pages,
        }
    }
}

/// Every bucket of every page.
pub fn buckets(pages: &[Value]) -> Vec<Value> {
    pages
        .iter()
        .flat_map(|p| p["data"].as_array().unwrap().clone())
        .collect()
}

/// Parses a cents decimal string exactly into nanodollars.
pub fn cents_to_nanos(s: &str) -> u64 {
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    assert!(frac.len() <= 7, "{s}");
    let frac = format!("{frac:0<7}");
    whole.parse::<u64>().unwrap() * 10_000_000 + frac.parse::<u64>().unwrap()
}

/// The keys of a JSON object, sorted.
pub fn fields(v: &Value) -> Vec<String> {
    let mut k: Vec<String> = v.as_object().unwrap().keys().cloned().collect();
    k.sort();
    k
}

/// Sorted field names from a list.
pub fn names(list: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    k.sort();
    k
}

/// The analytics beta flag.
pub const ANALYTICS_BETA: &str = "analytics-usage-cost-2026-08-24";
/// The spend-limit list beta flag.
pub const SPEND_READS_BETA: &str = "spend-limit-reads-2026-09-26";

/// Any request under `/v1/organizations/` with exactly these headers and an optional body.
pub async fn request(
    server: &FakeServer,
    method: reqwest::Method,
    path_and_query: &str,
    headers: &[(&str, &str)],
    body: Option<String>,
) -> Resp {
    let url = format!("{}/v1/organizations/{path_and_query}", server.base_url());
    let mut req = crate::client().request(method, url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req.header("content-type", "application/json").body(b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let body = resp.text().await.unwrap();
    Resp {
        status,
        headers,
        body,
    }
}

/// GET an analytics path with the beta header.
pub async fn analytics(server: &FakeServer, key: &str, path_and_query: &str) -> Resp {
    get_with(
        server,
        path_and_query,
        &[
            ("x-api-key", key),
            ("anthropic-version", "2023-06-01"),
            ("anthropic-beta", ANALYTICS_BETA),
        ],
    )
    .await
}

/// Every row of an analytics query, following `next_page` to the end.
pub async fn analytics_rows(server: &FakeServer, key: &str, path: &str, query: &str) -> Vec<Value> {
    let mut rows = Vec::new();
    let mut url = format!("{path}?{query}");
    loop {
        let r = analytics(server, key, &url).await;
        assert_eq!(r.status, 200, "{url}: {}", r.body);
        let page = r.json();
        let next = page["next_page"].as_str().map(str::to_string);
        assert_eq!(page["has_more"].as_bool().unwrap(), next.is_some());
        rows.extend(page["data"].as_array().unwrap().iter().cloned());
        match next {
            Some(token) => url = format!("{path}?{query}&page={token}"),
            None => return rows,
        }
    }
}

/// Parses an analytics amount (cents, exactly 5 decimals) into nanodollars.
pub fn amount_nanos(s: &str) -> u64 {
    let (whole, frac) = s.split_once('.').unwrap_or_else(|| panic!("{s}"));
    assert_eq!(frac.len(), 5, "{s}");
    whole.parse::<u64>().unwrap() * 10_000_000 + frac.parse::<u64>().unwrap() * 100
}

/// The Enterprise, HIPAA and beta-disabled layout the analytics tests use: org 1
/// Enterprise, org 2 HIPAA-ready, 4 orgs so that org 3 has the 20 % discount.
pub async fn start_kinds(kinds: fake_admin_api::OrgKinds) -> FakeServer {
    FakeServer::start_with_kinds(
        FakeConfig {
            orgs: 4,
            ..FakeConfig::default()
        },
        kinds,
    )
    .await
    .unwrap()
}

//! Helpers shared by the integration tests: start a fake, call it, follow pages, read
//! money exactly.
#![allow(dead_code)]

use std::collections::BTreeMap;

use fake_openai_api::{FakeConfig, FakeServer};
use reqwest::header::HeaderMap;
use serde_json::Value;
use serde_json::value::RawValue;

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

    /// `(status, error.type, error.code, error.message)` of an error envelope.
    pub fn error(&self) -> (u16, String, Option<String>, String) {
        let v = self.json();
        let e = &v["error"];
        (
            self.status,
            e["type"].as_str().unwrap().to_string(),
            e["code"].as_str().map(str::to_string),
            e["message"].as_str().unwrap().to_string(),
        )
    }
}

pub async fn start() -> FakeServer {
    FakeServer::start(FakeConfig::default()).await.unwrap()
}

pub async fn start_with(config: FakeConfig) -> FakeServer {
    FakeServer::start(config).await.unwrap()
}

/// A fake whose clock is not on a boundary: 2026-11-20T10:30:30Z.
pub async fn start_unaligned() -> FakeServer {
    start_with(FakeConfig {
        now: "2026-11-20T10:30:30Z".parse().unwrap(),
        ..FakeConfig::default()
    })
    .await
}

/// The read-only admin key of org `i` (what costledger's docs recommend).
pub fn key(server: &FakeServer, i: usize) -> String {
    server.orgs()[i].read_only_key.clone()
}

/// 2026-11-20T00:00:00Z, the default clock.
pub const NOW: i64 = 1_795_132_800;
/// Seconds in a day.
pub const DAY: i64 = 86_400;
/// The default history's first second (90 days before the default clock).
pub const HISTORY: i64 = NOW - 90 * DAY;

/// GET `path_and_query` under `/v1/organization/` with `Authorization: Bearer <key>`.
pub async fn get(server: &FakeServer, key: &str, path_and_query: &str) -> Resp {
    let auth = format!("Bearer {key}");
    get_with(server, path_and_query, &[("authorization", &auth)]).await
}

/// A request with this method and exactly these headers.
pub async fn send(
    server: &FakeServer,
    method: reqwest::Method,
    path_and_query: &str,
    headers: &[(&str, &str)],
) -> Resp {
    let url = format!("{}/v1/organization/{path_and_query}", server.base_url());
    let mut req = crate::client().request(method, url);
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

/// GET with exactly these headers.
pub async fn get_with(server: &FakeServer, path_and_query: &str, headers: &[(&str, &str)]) -> Resp {
    send(server, reqwest::Method::GET, path_and_query, headers).await
}

/// The raw bodies of every page from `path?query` to the end.
pub async fn all_bodies(server: &FakeServer, key: &str, path: &str, query: &str) -> Vec<String> {
    let mut bodies = Vec::new();
    let mut url = format!("{path}?{query}");
    loop {
        let r = get(server, key, &url).await;
        assert_eq!(r.status, 200, "{url}: {}", r.body);
        let page = r.json();
        let next = page["next_page"].as_str().map(str::to_string);
        assert_eq!(page["has_more"].as_bool().unwrap(), next.is_some());
        bodies.push(r.body);
        match next {
            Some(token) => url = format!("{path}?{query}&page={token}"),
            None => return bodies,
        }
    }
}

/// Every page's JSON from `path?query` to the end.
pub async fn all_pages(server: &FakeServer, key: &str, path: &str, query: &str) -> Vec<Value> {
    all_bodies(server, key, path, query)
        .await
        .iter()
        .map(|b| serde_json::from_str(b).unwrap())
        .collect()
}

/// Every bucket of every page.
pub fn buckets(pages: &[Value]) -> Vec<Value> {
    pages
        .iter()
        .flat_map(|p| p["data"].as_array().unwrap().clone())
        .collect()
}

/// Every result of every bucket.
pub fn rows(pages: &[Value]) -> Vec<Value> {
    buckets(pages)
        .iter()
        .flat_map(|b| b["results"].as_array().unwrap().clone())
        .collect()
}

/// A decimal JSON number of dollars, parsed exactly into nanodollars (never via f64).
pub fn nanos(decimal: &str) -> u64 {
    let (whole, frac) = decimal.split_once('.').unwrap_or((decimal, ""));
    assert!(frac.len() <= 9, "more than nine decimals: {decimal}");
    assert!(!decimal.contains(['e', 'E', '-']), "{decimal}");
    whole.parse::<u64>().unwrap() * 1_000_000_000 + format!("{frac:0<9}").parse::<u64>().unwrap()
}

/// One costs result with its numbers as written.
#[derive(serde::Deserialize, Debug)]
pub struct CostRow {
    pub object: String,
    pub amount: Amount,
    pub line_item: Option<String>,
    pub project_id: Option<String>,
    pub api_key_id: Option<String>,
    pub quantity: Box<RawValue>,
    pub quantity_unit: Option<String>,
}

/// `amount` with its value as written.
#[derive(serde::Deserialize, Debug)]
pub struct Amount {
    pub value: Box<RawValue>,
    pub currency: String,
}

#[derive(serde::Deserialize)]
struct CostBucket {
    start_time: i64,
    results: Vec<CostRow>,
}

#[derive(serde::Deserialize)]
struct CostPage {
    data: Vec<CostBucket>,
}

/// Every costs result of `bodies` with the UTC day of its bucket.
pub fn cost_rows(bodies: &[String]) -> Vec<(String, CostRow)> {
    let mut out = Vec::new();
    for body in bodies {
        let page: CostPage = serde_json::from_str(body).unwrap();
        for b in page.data {
            let day = day_of(b.start_time);
            out.extend(b.results.into_iter().map(|r| (day.clone(), r)));
        }
    }
    out
}

/// `YYYY-MM-DD` of a Unix second.
pub fn day_of(t: i64) -> String {
    chrono::DateTime::from_timestamp(t, 0)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}

/// The keys of a JSON object, in order.
pub fn fields(v: &Value) -> Vec<String> {
    v.as_object().unwrap().keys().cloned().collect()
}

/// Sorted field names.
pub fn sorted(list: &[&str]) -> Vec<String> {
    let mut k: Vec<String> = list.iter().map(|s| s.to_string()).collect();
    k.sort();
    k
}

/// A JSON value as a map key (`null`, a string, or a boolean's text).
pub fn text(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// Adds every unsigned integer field of `row` except the dimensions into `into`.
pub fn add_counts(into: &mut BTreeMap<String, u64>, row: &Value) {
    for (k, v) in row.as_object().unwrap() {
        if let Some(n) = v.as_u64() {
            *into.entry(k.clone()).or_default() += n;
        }
    }
}

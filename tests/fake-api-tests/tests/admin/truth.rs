//! Summing every page of the reports gives exactly `truth()`.

use std::collections::BTreeMap;

use crate::admin::common::{all_pages, buckets, cents_to_nanos, start};
use fake_admin_api::{FakeServer, Truth};
use serde_json::Value;

const ALL_DIMS: &str = "group_by[]=api_key_id&group_by[]=workspace_id&group_by[]=model&group_by[]=service_tier&group_by[]=context_window";

type UsageKey = Vec<Option<String>>;

fn opt(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

fn counts(r: &Value) -> [u64; 6] {
    [
        r["uncached_input_tokens"].as_u64().unwrap(),
        r["cache_creation"]["ephemeral_5m_input_tokens"]
            .as_u64()
            .unwrap(),
        r["cache_creation"]["ephemeral_1h_input_tokens"]
            .as_u64()
            .unwrap(),
        r["cache_read_input_tokens"].as_u64().unwrap(),
        r["output_tokens"].as_u64().unwrap(),
        r["server_tool_use"]["web_search_requests"]
            .as_u64()
            .unwrap(),
    ]
}

fn add(into: &mut [u64; 6], c: [u64; 6]) {
    for (a, b) in into.iter_mut().zip(c) {
        *a += b;
    }
}

/// Served usage, summed per (day, key, workspace, model, tier, window).
async fn served_usage(
    server: &FakeServer,
    admin_key: &str,
    query: &str,
) -> BTreeMap<UsageKey, [u64; 6]> {
    let mut out = BTreeMap::new();
    for b in buckets(&all_pages(server, admin_key, "usage_report/messages", query).await) {
        let day = b["starting_at"].as_str().unwrap()[..10].to_string();
        for r in b["results"].as_array().unwrap() {
            let k = vec![
                Some(day.clone()),
                opt(&r["api_key_id"]),
                opt(&r["workspace_id"]),
                opt(&r["model"]),
                opt(&r["service_tier"]),
                opt(&r["context_window"]),
            ];
            add(out.entry(k).or_insert([0; 6]), counts(r));
        }
    }
    out
}

fn truth_usage(truth: &Truth, org: usize) -> BTreeMap<UsageKey, [u64; 6]> {
    truth.orgs[org]
        .usage
        .iter()
        .map(|r| {
            let t = &r.tokens;
            let k = vec![
                Some(r.day.clone()),
                r.api_key_id.clone(),
                r.workspace_id.clone(),
                Some(r.model.clone()),
                Some(r.service_tier.clone()),
                Some(r.context_window.clone()),
            ];
            let v = [
                t.uncached_input_tokens,
                t.cache_creation_ephemeral_5m_input_tokens,
                t.cache_creation_ephemeral_1h_input_tokens,
                t.cache_read_input_tokens,
                t.output_tokens,
                t.web_search_requests,
            ];
            (k, v)
        })
        .collect()
}

fn grand_total(m: &BTreeMap<UsageKey, [u64; 6]>) -> [u64; 6] {
    let mut t = [0; 6];
    for v in m.values() {
        add(&mut t, *v);
    }
    t
}

fn truth_totals(truth: &Truth, org: usize) -> [u64; 6] {
    let t = &truth.orgs[org].usage_totals;
    [
        t.uncached_input_tokens,
        t.cache_creation_ephemeral_5m_input_tokens,
        t.cache_creation_ephemeral_1h_input_tokens,
        t.cache_read_input_tokens,
        t.output_tokens,
        t.web_search_requests,
    ]
}

/// Served cost per (day, workspace, model, tier, window, token type, cost type) in nanos,
/// plus the amount strings.
async fn served_cost(
    server: &FakeServer,
    admin_key: &str,
    query: &str,
) -> BTreeMap<UsageKey, (u64, String)> {
    let mut out = BTreeMap::new();
    for b in buckets(&all_pages(server, admin_key, "cost_report", query).await) {
        let day = Some(b["starting_at"].as_str().unwrap()[..10].to_string());
        for r in b["results"].as_array().unwrap() {
            let k = [
                "workspace_id",
                "model",
                "service_tier",
                "context_window",
                "token_type",
                "cost_type",
                "description",
            ]
            .iter()
            .map(|f| opt(&r[*f]));
            let k: UsageKey = std::iter::once(day.clone()).chain(k).collect();
            let amount = r["amount"].as_str().unwrap().to_string();
            assert!(
                out.insert(k, (cents_to_nanos(&amount), amount)).is_none(),
                "one row per line item"
            );
        }
    }
    out
}

#[tokio::test]
async fn usage_report_pages_sum_to_truth_for_90_days() {
    let server = start().await;
    let truth = server.truth();
    assert_eq!(truth.usage_starting_at, "2026-08-22T00:00:00Z");
    assert_eq!(truth.usage_ending_at, "2026-11-20T00:00:00Z");
    for (i, org) in server.orgs().iter().enumerate() {
        assert_eq!(truth.orgs[i].org_id, org.id);
        let expected = truth_usage(&truth, i);
        assert!(expected.len() > 5_000, "{}", expected.len());
        let start = "starting_at=2026-08-22T00:00:00Z";
        let hourly = served_usage(
            &server,
            &org.admin_key,
            &format!("{start}&bucket_width=1h&limit=168&{ALL_DIMS}"),
        )
        .await;
        assert_eq!(hourly, expected, "1h grouped, org {i}");
        let daily = served_usage(
            &server,
            &org.admin_key,
            &format!("{start}&bucket_width=1d&limit=31&{ALL_DIMS}"),
        )
        .await;
        assert_eq!(daily, expected, "1d grouped, org {i}");
        assert_eq!(grand_total(&expected), truth_totals(&truth, i));
        for width in ["1h&limit=168", "1d&limit=31", "1d"] {
            let plain = served_usage(
                &server,
                &org.admin_key,
                &format!("{start}&bucket_width={width}"),
            )
            .await;
            assert_eq!(
                grand_total(&plain),
                truth_totals(&truth, i),
                "{width} ungrouped"
            );
        }
    }
}

#[tokio::test]
async fn cost_report_pages_sum_to_truth_for_90_days() {
    let server = start().await;
    let truth = server.truth();
    assert_eq!(truth.cost_ending_at, "2026-11-20T00:00:00Z");
    for (i, org) in server.orgs().iter().enumerate() {
        let t = &truth.orgs[i];
        let start = "starting_at=2026-08-22T00:00:00Z&limit=31";
        let fine = served_cost(
            &server,
            &org.admin_key,
            &format!("{start}&group_by[]=workspace_id&group_by[]=description"),
        )
        .await;
        let expected: BTreeMap<UsageKey, (u64, String)> = t
            .cost
            .iter()
            .map(|r| {
                let k = vec![
                    Some(r.day.clone()),
                    r.workspace_id.clone(),
                    r.model.clone(),
                    r.service_tier.clone(),
                    r.context_window.clone(),
                    r.token_type.clone(),
                    Some(r.cost_type.clone()),
                    Some(r.description.clone()),
                ];
                (k, (r.amount_nanos, r.amount_cents.clone()))
            })
            .collect();
        assert_eq!(fine, expected, "org {i}");
        let plain = served_cost(&server, &org.admin_key, start).await;
        let per_day: BTreeMap<String, u64> = plain
            .iter()
            .map(|(k, v)| (k[0].clone().unwrap(), v.0))
            .collect();
        assert_eq!(per_day, t.cost_per_day);
        assert_eq!(per_day.values().sum::<u64>(), t.cost_total_nanos);
        assert_eq!(per_day.len(), 90, "every day has cost");
        assert!(t.cost.iter().any(|r| r.cost_type == "code_execution"));
        assert!(
            t.cost
                .iter()
                .all(|r| r.service_tier.as_deref() != Some("priority"))
        );
    }
}

#[tokio::test]
async fn truth_between_matches_a_window_and_an_unaligned_now() {
    let server = start().await;
    server.set_now("2026-11-20T10:30:00Z".parse().unwrap());
    let truth = server.truth();
    assert_eq!(truth.usage_ending_at, "2026-11-20T10:00:00Z");
    assert_eq!(truth.cost_ending_at, "2026-11-20T00:00:00Z");
    let org = server.orgs()[2].clone();
    let recent = served_usage(
        &server,
        &org.admin_key,
        &format!("starting_at=2026-11-15T00:00:00Z&bucket_width=1h&limit=168&{ALL_DIMS}"),
    )
    .await;
    let window = server.truth_between(
        "2026-11-15T00:00:00Z".parse().unwrap(),
        "2026-11-20T10:30:00Z".parse().unwrap(),
    );
    assert_eq!(recent, truth_usage(&window, 2));
    assert!(recent.keys().any(|k| k[0].as_deref() == Some("2026-11-20")));

    let q = "starting_at=2026-10-05T13:20:00Z&ending_at=2026-10-09T07:00:00Z";
    let window = server.truth_between(
        "2026-10-05T13:20:00Z".parse().unwrap(),
        "2026-10-09T07:00:00Z".parse().unwrap(),
    );
    assert_eq!(window.usage_starting_at, "2026-10-05T14:00:00Z");
    assert_eq!(window.cost_starting_at, "2026-10-06T00:00:00Z");
    assert_eq!(window.cost_ending_at, "2026-10-09T00:00:00Z");
    let served = served_usage(
        &server,
        &org.admin_key,
        &format!("{q}&bucket_width=1h&{ALL_DIMS}"),
    )
    .await;
    assert_eq!(served, truth_usage(&window, 2));
    let cost = served_cost(&server, &org.admin_key, q).await;
    let per_day: BTreeMap<String, u64> = cost
        .iter()
        .map(|(k, v)| (k[0].clone().unwrap(), v.0))
        .collect();
    assert_eq!(per_day, window.orgs[2].cost_per_day);
}

#[tokio::test]
async fn control_truth_endpoint_serves_the_same_json() {
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
    let windowed: Truth = crate::client()
        .get(format!(
            "{url}?starting_at=2026-11-01T00:00:00Z&ending_at=2026-11-03T00:00:00Z"
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        windowed,
        server.truth_between(
            "2026-11-01T00:00:00Z".parse().unwrap(),
            "2026-11-03T00:00:00Z".parse().unwrap()
        )
    );
    assert_eq!(windowed.orgs[0].cost_per_day.len(), 2);
    // Truth is stable: reading it twice gives the same thing.
    assert_eq!(server.truth(), server.truth());
}

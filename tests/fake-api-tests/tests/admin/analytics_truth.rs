//! The analytics truth is exactly what the Analytics API serves: per day, per API key,
//! per actor and per workspace, net, list, requests and tokens, over the whole history.

use std::collections::BTreeMap;

use crate::admin::common::{amount_nanos, analytics_rows, key, start_kinds};
use fake_admin_api::{AnalyticsAmounts, FakeServer, OrgKinds};
use serde_json::{Value, json};

/// (day, group value as JSON) → [net, list, cost requests, usage requests, tokens…, web].
type Cells = BTreeMap<(String, String), [u64; 10]>;

fn amounts(a: &AnalyticsAmounts) -> [u64; 10] {
    let t = &a.tokens;
    [
        a.net_nanos,
        a.list_nanos,
        a.cost_requests,
        a.usage_requests,
        t.uncached_input_tokens,
        t.cache_creation_ephemeral_5m_input_tokens,
        t.cache_creation_ephemeral_1h_input_tokens,
        t.cache_read_input_tokens,
        t.output_tokens,
        t.web_search_requests,
    ]
}

/// The three 31-day windows covering the 90-day history.
const WINDOWS: [(&str, &str); 3] = [
    ("2026-08-22T00:00:00Z", "2026-09-22T00:00:00Z"),
    ("2026-09-22T00:00:00Z", "2026-10-23T00:00:00Z"),
    ("2026-10-23T00:00:00Z", "2026-11-20T00:00:00Z"),
];

async fn served(server: &FakeServer, k: &str, group: Option<&str>) -> Cells {
    let mut cells = Cells::new();
    for (from, to) in WINDOWS {
        let mut q = format!("starting_at={from}&ending_at={to}&time_bucket_width=1d&limit=1000");
        if let Some(g) = group {
            q.push_str(&format!("&group_by[]={g}"));
        }
        for path in ["analytics/cost", "analytics/usage"] {
            for row in analytics_rows(server, k, path, &q).await {
                let day = row["starting_at"].as_str().unwrap()[..10].to_string();
                let value = group.map_or(Value::Null, |g| row["group"][g].clone());
                let cell = cells.entry((day, value.to_string())).or_default();
                if let Some(c) = row.get("cost") {
                    cell[0] += amount_nanos(c["amount"].as_str().unwrap());
                    cell[1] += amount_nanos(c["list_amount"].as_str().unwrap());
                    cell[2] += c["requests"].as_u64().unwrap();
                } else {
                    let u = &row["usage"];
                    let n = |p: &str| u.pointer(p).unwrap().as_u64().unwrap();
                    cell[3] += n("/requests");
                    cell[4] += n("/uncached_input_tokens");
                    cell[5] += n("/cache_creation/ephemeral_5m_input_tokens");
                    cell[6] += n("/cache_creation/ephemeral_1h_input_tokens");
                    cell[7] += n("/cache_read_input_tokens");
                    cell[8] += n("/output_tokens");
                    cell[9] += n("/server_tool_use/web_search_requests");
                }
            }
        }
    }
    cells
}

#[tokio::test]
async fn served_rows_equal_the_truth_per_day_key_actor_and_workspace() {
    let server = start_kinds(OrgKinds::none().with_enterprise(1)).await;
    let truth = server.truth();
    for org in [0, 1] {
        let k = key(&server, org);
        let t = &truth.orgs[org].analytics;
        assert_eq!(t.starting_at, "2026-08-22T00:00:00Z");
        assert_eq!(t.ending_at, "2026-11-20T00:00:00Z");
        let cells = |rows: Vec<((String, Value), &AnalyticsAmounts)>| -> Cells {
            rows.into_iter()
                .map(|((d, v), a)| ((d, v.to_string()), amounts(a)))
                .collect()
        };
        let by_day = cells(
            t.by_day
                .iter()
                .map(|r| ((r.day.clone(), Value::Null), &r.amounts))
                .collect(),
        );
        assert_eq!(served(&server, &k, None).await, by_day, "org {org} by day");
        let by_key = cells(
            t.by_api_key
                .iter()
                .map(|r| ((r.day.clone(), json!(r.api_key_id)), &r.amounts))
                .collect(),
        );
        assert_eq!(
            served(&server, &k, Some("api_key_id")).await,
            by_key,
            "org {org} by key"
        );
        let by_actor = cells(
            t.by_actor
                .iter()
                .map(|r| ((r.day.clone(), json!(r.actor)), &r.amounts))
                .collect(),
        );
        assert_eq!(
            served(&server, &k, Some("actor")).await,
            by_actor,
            "org {org} by actor"
        );
        let by_ws = cells(
            t.by_workspace
                .iter()
                .map(|r| ((r.day.clone(), json!(r.workspace_id)), &r.amounts))
                .collect(),
        );
        assert_eq!(
            served(&server, &k, Some("workspace_id")).await,
            by_ws,
            "org {org} by workspace"
        );
        // Totals and rendered strings agree with the rows.
        assert_eq!(
            t.net_total_nanos,
            t.by_day.iter().map(|r| r.amounts.net_nanos).sum::<u64>()
        );
        assert_eq!(
            t.list_total_nanos,
            t.by_actor.iter().map(|r| r.amounts.list_nanos).sum::<u64>()
        );
        for r in &t.by_api_key {
            assert_eq!(amount_nanos(&r.amounts.amount), r.amounts.net_nanos);
            assert_eq!(amount_nanos(&r.amounts.list_amount), r.amounts.list_nanos);
        }
        // The residual is stated for every complete day with cost.
        assert_eq!(
            t.legacy_rounding_residual_by_day.keys().collect::<Vec<_>>(),
            truth.orgs[org].cost_per_day.keys().collect::<Vec<_>>()
        );
        for (day, residual) in &t.legacy_rounding_residual_by_day {
            let list = t
                .by_day
                .iter()
                .find(|r| &r.day == day)
                .unwrap()
                .amounts
                .list_nanos as i64;
            assert_eq!(list - truth.orgs[org].cost_per_day[day] as i64, *residual);
        }
    }
    assert_eq!(truth.orgs[1].kind, "enterprise");
    assert_eq!(truth.orgs[0].kind, "console");
}

#[tokio::test]
async fn the_truth_window_is_what_the_api_can_serve() {
    // 400 days of history ending 2026-11-20 reach back past 2026-01-01.
    let server = FakeServer::start_with_kinds(
        fake_admin_api::FakeConfig {
            days: 400,
            orgs: 1,
            ..fake_admin_api::FakeConfig::default()
        },
        OrgKinds::none(),
    )
    .await
    .unwrap();
    let truth = server.truth();
    let t = &truth.orgs[0].analytics;
    assert_eq!(t.starting_at, "2026-01-01T00:00:00Z");
    assert!(t.by_day.iter().all(|r| r.day.as_str() >= "2026-01-01"));
    assert!(
        truth.orgs[0]
            .cost_per_day
            .keys()
            .any(|d| d.as_str() < "2026-01-01")
    );
    // truth_between covers whole hours of its window.
    let part = server.truth_between(
        "2026-11-10T00:30:00Z".parse().unwrap(),
        "2026-11-12T00:00:00Z".parse().unwrap(),
    );
    let t = &part.orgs[0].analytics;
    assert_eq!(
        (t.starting_at.as_str(), t.ending_at.as_str()),
        ("2026-11-10T01:00:00Z", "2026-11-12T00:00:00Z")
    );
    assert_eq!(
        t.legacy_rounding_residual_by_day.keys().collect::<Vec<_>>(),
        ["2026-11-11"]
    );
}

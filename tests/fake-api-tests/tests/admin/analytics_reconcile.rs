//! Groupings reconcile: any grouping sums to the ungrouped total, net ≤ list, the
//! filters select what they say, and each day's list total differs from the legacy cost
//! report by exactly the rounding residual the truth states.

use std::collections::BTreeMap;

use crate::admin::common::{
    all_pages, amount_nanos, analytics_rows, buckets, cents_to_nanos, key, start_kinds,
};
use fake_admin_api::{FakeServer, OrgKinds};
use serde_json::Value;

const WINDOW: &str = "starting_at=2026-11-01T00:00:00Z&ending_at=2026-11-08T00:00:00Z&time_bucket_width=1d&limit=1000";

/// Per day: [net, list, requests, tokens…, web searches] summed over rows.
type Totals = BTreeMap<String, [u64; 9]>;

fn add_row(t: &mut Totals, row: &Value) {
    let day = row["starting_at"].as_str().unwrap()[..10].to_string();
    let e = t.entry(day).or_default();
    if let Some(c) = row.get("cost") {
        e[0] += amount_nanos(c["amount"].as_str().unwrap());
        e[1] += amount_nanos(c["list_amount"].as_str().unwrap());
        e[2] += c["requests"].as_u64().unwrap_or(0);
    } else {
        let u = &row["usage"];
        let n = |p: &str| u.pointer(p).unwrap().as_u64().unwrap();
        e[2] += n("/requests");
        e[3] += n("/uncached_input_tokens");
        e[4] += n("/cache_creation/ephemeral_5m_input_tokens");
        e[5] += n("/cache_creation/ephemeral_1h_input_tokens");
        e[6] += n("/cache_read_input_tokens");
        e[7] += n("/output_tokens");
        e[8] += n("/server_tool_use/web_search_requests");
    }
}

async fn totals(server: &FakeServer, k: &str, path: &str, query: &str) -> Totals {
    let mut t = Totals::new();
    for row in analytics_rows(server, k, path, query).await {
        if let Some(c) = row.get("cost") {
            let (net, list) = (
                amount_nanos(c["amount"].as_str().unwrap()),
                amount_nanos(c["list_amount"].as_str().unwrap()),
            );
            assert!(net <= list, "{row}");
        }
        add_row(&mut t, &row);
    }
    t
}

fn without_requests(mut t: Totals) -> Totals {
    t.values_mut().for_each(|v| v[2] = 0);
    t
}

#[tokio::test]
async fn every_grouping_sums_to_the_ungrouped_total() {
    let server = start_kinds(OrgKinds::none().with_enterprise(1)).await;
    let k = key(&server, 1);
    let all = "&group_by[]=actor&group_by[]=api_key_id&group_by[]=workspace_id&group_by[]=model\
               &group_by[]=service_tier&group_by[]=context_window&group_by[]=inference_geo\
               &group_by[]=product&group_by[]=speed&group_by[]=actor_type";
    for path in ["analytics/cost", "analytics/usage"] {
        let total = totals(&server, &k, path, WINDOW).await;
        assert_eq!(total.len(), 7);
        for group in [
            "&group_by[]=actor",
            "&group_by[]=actor_type",
            "&group_by[]=api_key_id",
            "&group_by[]=workspace_id",
            "&group_by[]=model",
            "&group_by[]=service_tier",
            "&group_by[]=context_window",
            "&group_by[]=inference_geo",
            "&group_by[]=product",
            "&group_by[]=organization_id",
            "&group_by[]=session_id",
            all,
        ] {
            assert_eq!(
                totals(&server, &k, path, &format!("{WINDOW}{group}")).await,
                total,
                "{path}{group}"
            );
        }
        if path == "analytics/cost" {
            for split in [
                "&group_by[]=cost_type",
                "&group_by[]=token_type",
                "&group_by[]=token_type&group_by[]=cost_type",
            ] {
                let grouped = totals(&server, &k, path, &format!("{WINDOW}{split}{all}")).await;
                assert_eq!(
                    without_requests(grouped),
                    without_requests(total.clone()),
                    "{split}"
                );
            }
        }
        // Hours and minutes add up to the days.
        let hourly = WINDOW.replace("time_bucket_width=1d", "time_bucket_width=1h");
        assert_eq!(
            totals(&server, &k, path, &format!("{hourly}&group_by[]=model")).await,
            total
        );
        let minutes = "starting_at=2026-11-03T00:00:00Z&ending_at=2026-11-04T00:00:00Z&time_bucket_width=1m&limit=1000";
        let day = totals(&server, &k, path, &minutes.replace("1m", "1d")).await;
        assert_eq!(totals(&server, &k, path, minutes).await, day);
        // Groups overlap (a person in two groups counts in both), so their rows add up to
        // at least the total.
        let groups = totals(
            &server,
            &k,
            path,
            &format!("{WINDOW}&group_by[]=rbac_group_id"),
        )
        .await;
        for (day, t) in &total {
            assert!(
                groups[day][1] >= t[1] && groups[day][3] >= t[3],
                "{path} {day}"
            );
        }
    }
}

#[tokio::test]
async fn cost_counts_each_request_once_and_leaves_priority_out() {
    let server = start_kinds(OrgKinds::none()).await;
    let k = key(&server, 3);
    // Usage of the tiers the cost report bills…
    let billed = totals(
        &server,
        &k,
        "analytics/usage",
        &format!("{WINDOW}&service_tiers[]=standard&service_tiers[]=batch"),
    )
    .await;
    // …has exactly the requests of the cost rows that carry a tier (code execution has none).
    let rows = analytics_rows(
        &server,
        &k,
        "analytics/cost",
        &format!("{WINDOW}&group_by[]=service_tier"),
    )
    .await;
    assert!(
        rows.iter()
            .all(|r| r["group"]["service_tier"] != "priority")
    );
    let mut by_day: BTreeMap<String, u64> = BTreeMap::new();
    for r in rows
        .iter()
        .filter(|r| !r["group"]["service_tier"].is_null())
    {
        *by_day
            .entry(r["starting_at"].as_str().unwrap()[..10].to_string())
            .or_default() += r["cost"]["requests"].as_u64().unwrap();
    }
    assert_eq!(
        by_day,
        billed
            .iter()
            .map(|(d, t)| (d.clone(), t[2]))
            .collect::<BTreeMap<_, _>>()
    );
    let priority = totals(
        &server,
        &k,
        "analytics/usage",
        &format!("{WINDOW}&service_tiers[]=priority"),
    )
    .await;
    assert!(
        priority.values().all(|t| t[2] > 0),
        "priority usage exists and is not billed here"
    );
}

#[tokio::test]
async fn discounts_and_legacy_reconcile_exactly() {
    let server = start_kinds(OrgKinds::none()).await;
    let truth = server.truth();
    for (org, discount) in [(0, 0u64), (1, 15), (2, 8), (3, 20)] {
        let k = key(&server, org);
        let t = &truth.orgs[org].analytics;
        assert_eq!(t.discount_percent, discount);
        let cost = totals(&server, &k, "analytics/cost", WINDOW).await;
        let legacy = buckets(
            &all_pages(
                &server,
                &k,
                "cost_report",
                "starting_at=2026-11-01T00:00:00Z&ending_at=2026-11-08T00:00:00Z",
            )
            .await,
        );
        assert_eq!(legacy.len(), 7);
        for b in legacy {
            let day = b["starting_at"].as_str().unwrap()[..10].to_string();
            let legacy_nanos = cents_to_nanos(b["results"][0]["amount"].as_str().unwrap()) as i64;
            let [net, list, ..] = cost[&day];
            let residual = t.legacy_rounding_residual_by_day[&day];
            assert_eq!(list as i64 - legacy_nanos, residual, "org {org} {day}");
            // Rounding only: far below a cent a day.
            assert!(residual.abs() < 10_000_000, "{residual}");
            // Net is the list less the discount, up to each atom's rounding.
            let expected = list as f64 * (100 - discount) as f64 / 100.0;
            assert!(
                (net as f64 - expected).abs() < 10_000_000.0,
                "org {org} {day}: {net} vs {expected}"
            );
            assert_eq!(net == list, discount == 0);
        }
    }
}

#[tokio::test]
async fn usage_days_equal_the_legacy_usage_report() {
    let server = start_kinds(OrgKinds::none()).await;
    let k = key(&server, 2);
    let usage = totals(&server, &k, "analytics/usage", WINDOW).await;
    let legacy = buckets(
        &all_pages(
            &server,
            &k,
            "usage_report/messages",
            "starting_at=2026-11-01T00:00:00Z&ending_at=2026-11-08T00:00:00Z&bucket_width=1d",
        )
        .await,
    );
    for b in legacy {
        let day = b["starting_at"].as_str().unwrap()[..10].to_string();
        let r = &b["results"][0];
        let n = |p: &str| r.pointer(p).unwrap().as_u64().unwrap();
        let want = [
            n("/uncached_input_tokens"),
            n("/cache_creation/ephemeral_5m_input_tokens"),
            n("/cache_creation/ephemeral_1h_input_tokens"),
            n("/cache_read_input_tokens"),
            n("/output_tokens"),
            n("/server_tool_use/web_search_requests"),
        ];
        assert_eq!(usage[&day][3..], want, "{day}");
    }
}

#[tokio::test]
async fn filters_select_what_they_say() {
    let server = start_kinds(OrgKinds::none().with_enterprise(1)).await;
    let k = key(&server, 1);
    let by = |dims: &str| format!("{WINDOW}&group_by[]={dims}");
    for path in ["analytics/cost", "analytics/usage"] {
        let rows = analytics_rows(&server, &k, path, &by("actor&group_by[]=api_key_id&group_by[]=inference_geo&group_by[]=actor_type&group_by[]=product")).await;
        let sum_where = |pred: &dyn Fn(&Value) -> bool| {
            let mut t = Totals::new();
            rows.iter()
                .filter(|r| pred(&r["group"]))
                .for_each(|r| add_row(&mut t, r));
            t
        };
        let key_id = rows
            .iter()
            .find_map(|r| r["group"]["api_key_id"].as_str())
            .unwrap()
            .to_string();
        let user_id = rows
            .iter()
            .find_map(|r| r["group"]["actor"]["user_id"].as_str())
            .unwrap()
            .to_string();
        let svac = rows
            .iter()
            .find_map(|r| r["group"]["actor"]["service_account_id"].as_str())
            .unwrap()
            .to_string();
        let geo_null = |g: &Value| g["inference_geo"].is_null();
        for (filter, pred) in [
            (
                format!("api_key_ids[]={key_id}"),
                Box::new(|g: &Value| g["api_key_id"] == key_id.as_str())
                    as Box<dyn Fn(&Value) -> bool>,
            ),
            (
                format!("actor_ids[]={key_id}"),
                Box::new(|g: &Value| g["actor"]["api_key_id"] == key_id.as_str()),
            ),
            (
                format!("actor_ids[]={user_id}&actor_ids[]={svac}"),
                Box::new(|g: &Value| {
                    g["actor"]["user_id"] == user_id.as_str()
                        || g["actor"]["service_account_id"] == svac.as_str()
                }),
            ),
            (
                "actor_types[]=federated_actor".into(),
                Box::new(|g: &Value| g["actor_type"] == "federated_actor"),
            ),
            ("inference_geos[]=not_available".into(), Box::new(geo_null)),
            (
                "inference_geos[]=us&inference_geos[]=global".into(),
                Box::new(move |g: &Value| !geo_null(g)),
            ),
            (
                "products[]=claude_code".into(),
                Box::new(|g: &Value| g["product"] == "claude_code"),
            ),
        ] {
            let filtered = totals(&server, &k, path, &format!("{WINDOW}&{filter}")).await;
            assert_eq!(filtered, sum_where(&*pred), "{path} {filter}");
            assert!(!filtered.is_empty(), "{path} {filter}");
        }
        // A key's own attribution is a subset of everything it authenticated.
        let by_key = totals(
            &server,
            &k,
            path,
            &format!("{WINDOW}&api_key_ids[]={key_id}"),
        )
        .await;
        let as_actor = totals(&server, &k, path, &format!("{WINDOW}&actor_ids[]={key_id}")).await;
        for (day, t) in &by_key {
            let own = as_actor.get(day).copied().unwrap_or_default();
            assert!(t.iter().zip(own).all(|(a, b)| *a >= b), "{day}");
        }
        assert_ne!(
            by_key, as_actor,
            "people and service accounts also use the key"
        );
        // Filters on dimensions without generated values match nothing.
        for nothing in [
            "agent_ids[]=agent_1",
            "session_ids[]=s",
            "speeds[]=fast",
            "models[]=claude-unknown",
            "actor_ids[]=user_01nobody",
        ] {
            let rows = analytics_rows(&server, &k, path, &format!("{WINDOW}&{nothing}")).await;
            assert!(rows.is_empty(), "{nothing}");
        }
        // Groups: a member's rows are in the group rows of each of their groups.
        let groups = &server.truth().orgs[1].spend_limits.rbac_groups;
        let g = groups.iter().find(|g| !g.user_ids.is_empty()).unwrap();
        let filtered = totals(
            &server,
            &k,
            path,
            &format!("{WINDOW}&rbac_group_ids[]={}", g.id),
        )
        .await;
        let members = sum_where(&|grp: &Value| {
            grp["actor"]["user_id"]
                .as_str()
                .is_some_and(|u| g.user_ids.iter().any(|m| m == u))
        });
        assert_eq!(filtered, members, "{path} group {}", g.name);
    }
}

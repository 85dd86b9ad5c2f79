//! The Analytics API's shapes: every group key, the actor union, decimal strings,
//! `requests` nulls, ranges and bucket labels, ordering.

use std::collections::BTreeSet;

use crate::admin::common::{
    amount_nanos, analytics, analytics_rows, fields, key, names, start, start_kinds,
};
use fake_admin_api::OrgKinds;
use serde_json::Value;

const COST_GROUP_BY: [&str; 22] = [
    "actor",
    "actor_type",
    "agent_id",
    "api_key_id",
    "claude_tag_category",
    "claude_tag_user_id",
    "context_window",
    "cost_type",
    "deployment_id",
    "environment_id",
    "inference_geo",
    "model",
    "organization_id",
    "product",
    "rbac_group_id",
    "service_tier",
    "session_id",
    "slack_channel_id",
    "speed",
    "token_type",
    "user_profile_id",
    "workspace_id",
];

fn usage_group_by() -> Vec<&'static str> {
    COST_GROUP_BY
        .iter()
        .copied()
        .filter(|g| !matches!(*g, "cost_type" | "token_type"))
        .collect()
}

#[tokio::test]
async fn every_group_key_is_present_and_null_unless_grouped() {
    let server = start_kinds(OrgKinds::none().with_enterprise(1)).await;
    let k = key(&server, 1);
    let q = "starting_at=2026-11-18T00:00:00Z&ending_at=2026-11-19T00:00:00Z&limit=1000";
    // Code execution has no speed: whether the day has one decides the speed rows of cost.
    let types = analytics_rows(
        &server,
        &k,
        "analytics/cost",
        &format!("{q}&group_by[]=cost_type"),
    )
    .await;
    let code = usize::from(
        types
            .iter()
            .any(|r| r["group"]["cost_type"] == "code_execution"),
    );
    for (path, all) in [
        ("analytics/cost", COST_GROUP_BY.to_vec()),
        ("analytics/usage", usage_group_by()),
    ] {
        for g in &all {
            let rows = analytics_rows(&server, &k, path, &format!("{q}&group_by[]={g}")).await;
            assert!(!rows.is_empty(), "{path} {g}");
            let mut values = BTreeSet::new();
            for row in &rows {
                assert_eq!(fields(&row["group"]), names(&all), "{path} {g}");
                for other in all.iter().filter(|o| *o != g) {
                    assert!(row["group"][other].is_null(), "{path} {g}: {other} is set");
                }
                values.insert(row["group"][g].to_string());
            }
            // Dimensions with generated values split the day into several rows.
            let expected = match *g {
                "agent_id"
                | "claude_tag_category"
                | "claude_tag_user_id"
                | "deployment_id"
                | "environment_id"
                | "session_id"
                | "slack_channel_id"
                | "user_profile_id"
                | "organization_id" => Some(1),
                "speed" if path.ends_with("cost") => Some(1 + code),
                "speed" => Some(1),
                _ => None,
            };
            match expected {
                Some(n) => assert_eq!(values.len(), n, "{path} {g}: {values:?}"),
                None => assert!(values.len() > 1, "{path} {g}: {values:?}"),
            }
        }
        let rows = analytics_rows(
            &server,
            &k,
            path,
            &format!("{q}&group_by[]=organization_id&group_by[]=speed"),
        )
        .await;
        let code = if path.ends_with("cost") { code } else { 0 };
        assert_eq!(rows.len(), 1 + code, "{path}: code execution has no speed");
        assert!(
            rows.iter()
                .all(|r| r["group"]["organization_id"] == server.orgs()[1].id.as_str())
        );
        assert!(rows.iter().any(|r| r["group"]["speed"] == "standard"));
    }
}

#[tokio::test]
async fn actors_render_as_their_union() {
    let server = start().await;
    let k = key(&server, 0);
    // The former member left part way through the history, so look at its start.
    let q = "starting_at=2026-08-22T00:00:00Z&ending_at=2026-09-22T00:00:00Z&group_by[]=actor&group_by[]=actor_type&limit=1000";
    let rows = analytics_rows(&server, &k, "analytics/usage", q).await;
    let mut kinds = BTreeSet::new();
    for row in &rows {
        let a = &row["group"]["actor"];
        let kind = a["type"].as_str().unwrap();
        assert_eq!(row["group"]["actor_type"], kind);
        let keys: Vec<&str> = match kind {
            "user_actor" => vec!["deleted", "email_address", "name", "type", "user_id"],
            "api_actor" => vec!["api_key_id", "type"],
            "service_account_actor" => vec!["service_account_id", "type"],
            "federated_actor" => vec!["provider", "subject", "type"],
            other => panic!("{other}"),
        };
        assert_eq!(fields(a), names(&keys));
        match kind {
            "user_actor" => assert!(a["user_id"].as_str().unwrap().starts_with("user_01")),
            "api_actor" => assert!(a["api_key_id"].as_str().unwrap().starts_with("apikey_01")),
            "service_account_actor" => assert!(
                a["service_account_id"]
                    .as_str()
                    .unwrap()
                    .starts_with("svac_01")
            ),
            _ => assert!(a["provider"].as_str().unwrap().starts_with("https://")),
        }
        kinds.insert(kind.to_string());
    }
    assert_eq!(kinds.len(), 4, "{kinds:?}");
    // The former member: deleted, email kept, no name; members are not deleted.
    let former: Vec<&Value> = rows
        .iter()
        .filter(|r| r["group"]["actor"]["deleted"] == true)
        .collect();
    assert!(!former.is_empty());
    let members: BTreeSet<&str> = rows
        .iter()
        .filter(|r| r["group"]["actor"]["deleted"] == false)
        .map(|r| r["group"]["actor"]["user_id"].as_str().unwrap())
        .collect();
    let listed = crate::admin::common::get(&server, &k, "users?limit=100")
        .await
        .json();
    let ids: BTreeSet<&str> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_str().unwrap())
        .collect();
    assert!(members.is_subset(&ids));
    for r in former {
        let a = &r["group"]["actor"];
        assert!(a["name"].is_null());
        assert!(a["email_address"].as_str().unwrap().contains('@'));
        assert!(!ids.contains(a["user_id"].as_str().unwrap()));
    }
    // `exclude_deleted_users` leaves the former member out.
    let kept = analytics_rows(
        &server,
        &k,
        "analytics/usage",
        &format!("{q}&exclude_deleted_users=true"),
    )
    .await;
    assert!(kept.iter().all(|r| r["group"]["actor"]["deleted"] != true));
    assert_eq!(
        kept.len()
            + rows
                .iter()
                .filter(|r| r["group"]["actor"]["deleted"] == true)
                .count(),
        rows.len()
    );
}

#[tokio::test]
async fn metrics_are_decimal_strings_and_requests_null_only_when_split_by_cost() {
    let server = start().await;
    let k = key(&server, 1);
    let q = "starting_at=2026-11-10T00:00:00Z&ending_at=2026-11-12T00:00:00Z&time_bucket_width=1d&limit=1000";
    for (group, split) in [
        ("", false),
        ("&group_by[]=model", false),
        ("&group_by[]=cost_type", true),
        ("&group_by[]=token_type&group_by[]=workspace_id", true),
    ] {
        let rows = analytics_rows(&server, &k, "analytics/cost", &format!("{q}{group}")).await;
        for row in &rows {
            let c = &row["cost"];
            assert_eq!(
                fields(c),
                names(&["amount", "currency", "list_amount", "requests"])
            );
            assert_eq!(c["currency"], "USD");
            let (net, list) = (
                amount_nanos(c["amount"].as_str().unwrap()),
                amount_nanos(c["list_amount"].as_str().unwrap()),
            );
            assert!(net <= list && list > 0, "{row}");
            assert_eq!(c["requests"].is_null(), split, "{group}: {row}");
        }
    }
    let rows = analytics_rows(
        &server,
        &k,
        "analytics/usage",
        &format!("{q}&group_by[]=model"),
    )
    .await;
    for row in rows {
        let u = &row["usage"];
        assert_eq!(
            fields(u),
            names(&[
                "cache_creation",
                "cache_read_input_tokens",
                "output_tokens",
                "requests",
                "server_tool_use",
                "total_tokens",
                "uncached_input_tokens"
            ])
        );
        let n = |p: &str| u.pointer(p).unwrap().as_u64().unwrap();
        let sum = n("/uncached_input_tokens")
            + n("/cache_creation/ephemeral_5m_input_tokens")
            + n("/cache_creation/ephemeral_1h_input_tokens")
            + n("/cache_read_input_tokens")
            + n("/output_tokens");
        assert_eq!(n("/total_tokens"), sum);
        assert!(n("/requests") >= 1);
        assert!(row.get("cost").is_none());
    }
}

#[tokio::test]
async fn ranges_floor_to_the_hour_and_default_to_31_days_or_now() {
    let server = start().await;
    let k = key(&server, 0);
    let page = |q: &'static str| {
        let (server, k) = (&server, &k);
        async move {
            let r = analytics(server, k, &format!("analytics/cost?{q}")).await;
            assert_eq!(r.status, 200, "{}", r.body);
            r.json()
        }
    };
    // Unaligned start: the whole hour is included (floored, unlike the legacy API).
    let p = page("starting_at=2026-11-01T10:59:59Z&ending_at=2026-11-01T12:30:00Z").await;
    assert_eq!(p["data"][0]["starting_at"], "2026-11-01T10:00:00Z");
    assert_eq!(p["data"][0]["ending_at"], "2026-11-01T12:00:00Z");
    assert_eq!(p["data_refreshed_at"], "2026-11-20T00:00:00Z");
    // No ending_at: the earlier of now and start + 31 days.
    let p = page("starting_at=2026-11-01T00:00:00Z").await;
    assert_eq!(p["data"][0]["ending_at"], "2026-11-20T00:00:00Z");
    let p = page("starting_at=2026-09-01T00:00:00Z").await;
    assert_eq!(p["data"][0]["ending_at"], "2026-10-02T00:00:00Z");
    // With a width, rows carry their bucket's bounds; a day cut by the range is labelled
    // with the part inside it.
    let p = page(
        "starting_at=2026-11-01T06:00:00Z&ending_at=2026-11-03T00:00:00Z&time_bucket_width=1d",
    )
    .await;
    let spans: Vec<(String, String)> = p["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["starting_at"].as_str().unwrap().into(),
                r["ending_at"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        spans,
        [
            (
                "2026-11-01T06:00:00Z".to_string(),
                "2026-11-02T00:00:00Z".to_string()
            ),
            (
                "2026-11-02T00:00:00Z".to_string(),
                "2026-11-03T00:00:00Z".to_string()
            ),
        ]
    );
    let p = page("starting_at=2026-11-18T00:00:00Z&ending_at=2026-11-18T03:00:00Z&time_bucket_width=1m&limit=1000").await;
    for r in p["data"].as_array().unwrap() {
        let s = chrono::DateTime::parse_from_rfc3339(r["starting_at"].as_str().unwrap()).unwrap();
        let e = chrono::DateTime::parse_from_rfc3339(r["ending_at"].as_str().unwrap()).unwrap();
        assert_eq!((e - s).num_seconds(), 60);
    }
    // The single ungrouped, unbucketed row is there even when nothing matches.
    let p = page("starting_at=2026-11-01T00:00:00Z&models[]=claude-unknown").await;
    assert_eq!(p["data"].as_array().unwrap().len(), 1);
    assert_eq!(p["data"][0]["cost"]["amount"], "0.00000");
    assert_eq!(p["data"][0]["cost"]["requests"], 0);
    // Grouped or bucketed, empty combinations have no rows.
    let p = page("starting_at=2026-11-01T00:00:00Z&models[]=claude-unknown&group_by[]=model").await;
    assert!(p["data"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn rows_are_ranked_within_each_bucket() {
    let server = start().await;
    let k = key(&server, 0);
    let q = "starting_at=2026-11-10T00:00:00Z&ending_at=2026-11-13T00:00:00Z&time_bucket_width=1d&group_by[]=model&limit=1000";
    for (extra, metric, desc) in [
        ("", "/cost/amount", true),
        ("&order=asc", "/cost/amount", false),
        ("&order_by=list_amount", "/cost/list_amount", true),
    ] {
        let rows = analytics_rows(&server, &k, "analytics/cost", &format!("{q}{extra}")).await;
        let keys: Vec<(String, u64)> = rows
            .iter()
            .map(|r| {
                (
                    r["starting_at"].as_str().unwrap().into(),
                    amount_nanos(r.pointer(metric).unwrap().as_str().unwrap()),
                )
            })
            .collect();
        for w in keys.windows(2) {
            assert!(w[0].0 <= w[1].0, "buckets ascend");
            if w[0].0 == w[1].0 {
                assert!(
                    if desc {
                        w[0].1 >= w[1].1
                    } else {
                        w[0].1 <= w[1].1
                    },
                    "{extra}: {w:?}"
                );
            }
        }
        assert_eq!(keys.iter().map(|k| &k.0).collect::<BTreeSet<_>>().len(), 3);
    }
    for by in [
        "total_tokens",
        "output_tokens",
        "uncached_input_tokens",
        "requests",
    ] {
        let rows = analytics_rows(
            &server,
            &k,
            "analytics/usage",
            &format!("{q}&order_by={by}"),
        )
        .await;
        let pointer = format!("/usage/{by}");
        for w in rows.windows(2) {
            if w[0]["starting_at"] == w[1]["starting_at"] {
                let (a, b) = (
                    w[0].pointer(&pointer).unwrap().as_u64().unwrap(),
                    w[1].pointer(&pointer).unwrap().as_u64().unwrap(),
                );
                assert!(a >= b, "{by}");
            }
        }
    }
}

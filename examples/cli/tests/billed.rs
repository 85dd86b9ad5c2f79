//! `costledger report billed` against the fake: after a sync with the `analytics` stream, the
//! billed cost per actor and day (net and list) equals the fake's truth to the nanodollar,
//! the table shows the members, and bad options are refused.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use costledger::{FixedClock, LedgerConfig, SyncOptions, SyncStream};
use fake_admin_api::ActorJson;

use crate::common::{World, exit, nanos, now};

/// Two plans added by the CLI and synced with the analytics stream by the library (the CLI's
/// `sync` runs the default streams).
fn synced() -> World {
    let w = World::new(2, 10);
    w.add_plans(2);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let config = LedgerConfig::new(w.db_url.clone())
        .master_key(w.master_key.clone())
        .anthropic_base_url(w.fake.server().base_url())
        .request_interval(Duration::ZERO)
        .clock(Arc::new(FixedClock::new(now())))
        .without_env();
    rt.block_on(async {
        let ledger = costledger::Ledger::open(config).await.unwrap();
        let options = SyncOptions::default()
            .initial_backfill(chrono::TimeDelta::days(10))
            .streams(SyncStream::WITH_ANALYTICS);
        let report = ledger.sync(options).await.unwrap();
        assert!(report.is_ok(), "{report:?}");
        ledger.close().await;
    });
    w
}

fn actor_key(actor: &serde_json::Value) -> String {
    format!(
        "{}:{}",
        actor["actor_type"].as_str().unwrap(),
        actor["id"].as_str().unwrap_or_default()
    )
}

#[test]
fn billed_per_actor_equals_the_fakes_truth() {
    let w = synced();
    let truth = w.fake.server().truth();
    let plans = w.json(&["plans", "list", "--json"]);
    let mut want: BTreeMap<(i64, String, String), (i64, i64)> = BTreeMap::new();
    let mut member = None;
    for org in &truth.orgs {
        let plan = plans
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["org_id"] == org.org_id.as_str())
            .unwrap()["id"]
            .as_i64()
            .unwrap();
        for r in &org.analytics.by_actor {
            let (a, day) = (&r.amounts, r.day.clone());
            if a.net_nanos == 0 && a.list_nanos == 0 {
                continue;
            }
            let key = match &r.actor {
                ActorJson::User {
                    user_id,
                    name: Some(name),
                    ..
                } => {
                    member = Some(name.clone());
                    format!("user_actor:{user_id}")
                }
                ActorJson::User { user_id, .. } => format!("user_actor:{user_id}"),
                ActorJson::Api { api_key_id } => format!("api_actor:{api_key_id}"),
                ActorJson::ServiceAccount { service_account_id } => {
                    format!("service_account_actor:{service_account_id}")
                }
                ActorJson::Federated { .. } => "federated_actor:".to_string(),
            };
            let cell = want.entry((plan, day, key)).or_default();
            cell.0 += a.net_nanos as i64;
            cell.1 += a.list_nanos as i64;
        }
    }
    assert!(!want.is_empty());
    let range = ["--from", "2026-11-01", "--to", "2026-11-21"];
    let lines = w.json(
        &[
            &["report", "billed", "--by", "actor"][..],
            &range,
            &["--json"],
        ]
        .concat(),
    );
    let mut got: BTreeMap<(i64, String, String), (i64, i64)> = BTreeMap::new();
    for l in lines.as_array().unwrap() {
        assert_eq!(l["basis"], "billed");
        assert_eq!(nanos(&l["discount"]), nanos(&l["list"]) - nanos(&l["net"]));
        let key = (
            l["plan_id"].as_i64().unwrap(),
            l["day"].as_str().unwrap().to_string(),
            actor_key(&l["actor"]),
        );
        let cell = got.entry(key).or_default();
        cell.0 += nanos(&l["net"]);
        cell.1 += nanos(&l["list"]);
    }
    assert_eq!(got, want);

    // The table names members and sums to the same total, rounded to the cent.
    let table = w.ok(&[&["report", "billed"][..], &range].concat());
    let net: i64 = want.values().map(|c| c.0).sum();
    assert!(table.contains(&crate::common::cents(net)), "{table}");
    let member = member.expect("the fake bills a named member");
    assert!(table.contains(&member), "{member} in:\n{table}");
    for by in ["api-key", "workspace", "day"] {
        let text = w.ok(&[&["report", "billed", "--by", by][..], &range].concat());
        assert!(
            text.contains(&crate::common::cents(net)),
            "--by {by}:\n{text}"
        );
    }
    let csv = w.ok(&[
        &["report", "billed", "--by", "workspace", "--csv"][..],
        &range,
    ]
    .concat());
    assert!(csv.starts_with("plan_id,day,by,"), "{csv}");

    let out = w.output(&mut w.cmd(&["report", "billed", "--by", "person"]));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(exit::USAGE), "{stderr}");
    assert!(
        stderr.contains("actor") && stderr.contains("api-key"),
        "{stderr}"
    );
    w.fails(
        &[
            "report",
            "billed",
            "--from",
            "2026-11-10",
            "--to",
            "2026-11-01",
        ],
        exit::USAGE,
        "INVALID_INPUT",
    );
}

//! `costledger providers`, and an OpenAI organisation added and synced from the command line.

use crate::common::{NOW, World, exit, now};

#[test]
fn the_catalog_as_a_table_and_as_json_without_a_database() {
    let w = World::new(1, 1);
    let table = w.ok(&["providers"]);
    for word in [
        "anthropic",
        "openai",
        "claude_code_logs",
        "admin_key, oauth",
    ] {
        assert!(table.contains(word), "{word}: {table}");
    }
    let json = w.json(&["providers", "--json"]);
    let all = json.as_array().unwrap();
    let names: Vec<&str> = all
        .iter()
        .map(|p| p["provider"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["anthropic", "openai", "claude_code_logs"]);
    assert_eq!(all[1]["credential_kinds"], serde_json::json!(["admin_key"]));
    assert_eq!(all[1]["per_key_billed_cost"], true);
    assert_eq!(all[0]["per_key_billed_cost"], false);
    assert_eq!(all[2]["cost_report_lag_hours"], serde_json::Value::Null);
    // The catalog needs no database: none was created.
    assert!(!w.path("ledger.db").exists());
}

#[test]
fn an_openai_organisation_is_added_with_its_key_and_synced() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let fake = runtime
        .block_on(fake_openai_api::FakeServer::start(
            fake_openai_api::FakeConfig {
                orgs: 1,
                days: 3,
                now: now(),
                ..fake_openai_api::FakeConfig::default()
            },
        ))
        .unwrap();
    let org = fake.orgs()[0].clone();
    let mut w = World::new(1, 1);
    w.secret(&org.read_only_key);
    w.secret(&org.admin_key);
    let url = fake.base_url();
    let out = w.ok_cmd(
        w.cmd(&["plans", "add", "--openai", "--label", "OpenAI prod"])
            .env("OPENAI_ADMIN_KEY", &org.read_only_key)
            .env("COSTLEDGER_OPENAI_BASE_URL", &url),
    );
    assert!(out.contains("added plan 1 \"OpenAI prod\""), "{out}");
    assert!(out.contains(&org.slug), "{out}");
    assert!(out.contains("sk-admin-…"), "{out}");
    // An Anthropic key given for --openai is refused before anything is opened.
    w.fails_cmd(
        w.cmd(&["plans", "add", "--openai", "--label", "Wrong"])
            .env("OPENAI_ADMIN_KEY", w.key(0))
            .env("COSTLEDGER_OPENAI_BASE_URL", &url),
        exit::USAGE,
        "INVALID_INPUT",
    );
    let synced = w.ok_cmd(
        w.cmd(&["sync", "--initial-days", "3"])
            .env("COSTLEDGER_OPENAI_BASE_URL", &url),
    );
    assert!(synced.contains("OpenAI prod"), "{synced}");
    let plans = w.json(&["plans", "list", "--json"]);
    assert_eq!(plans[0]["provider"], "openai");
    assert_eq!(plans[0]["org_id"], org.slug.as_str());
    assert!(plans[0]["last_synced_at"].is_string(), "{plans}");
    assert!(NOW.starts_with("2026-11-20"));
    // Usage that is not tokens, per day, as JSON and as a table.
    let range = ["--from", "2026-11-17", "--to", "2026-11-21"];
    let truth = fake.truth();
    let images: u64 = truth.orgs[0]
        .usage
        .iter()
        .filter(|r| r.endpoint == "images")
        .map(|r| r.counts["images"])
        .sum();
    assert!(images > 0);
    let lines = w.json(&[&["report", "units"][..], &range, &["--json"]].concat());
    let got: u64 = lines
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["unit"] == "images")
        .map(|l| l["quantity"].as_u64().unwrap())
        .sum();
    assert_eq!(got, images);
    let table = w.ok_cmd(&mut w.cmd(&[&["report", "units"][..], &range].concat()));
    assert!(table.contains("storage (byte-days)"), "{table}");
    assert!(table.contains("dall-e"), "{table}");
    w.fails_cmd(
        &mut w.cmd(&["report", "units", "--unit", "pixels"]),
        exit::USAGE,
        "INVALID_INPUT",
    );
    runtime.block_on(fake.shutdown());
}

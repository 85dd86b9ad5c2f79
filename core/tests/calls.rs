//! `Ledger::call`, the methods by name the Python package crosses with: every name answers,
//! arguments are checked before anything runs, and a reply is the typed method's own JSON
//! and exports.

use std::sync::Arc;

use crate::common::{KeyTableSource, TestDb};
use costledger::reports::export::Export;
use costledger::{CALLS, DashboardFilter, Ledger, MasterKey, NewSubject};

async fn ledger() -> (TestDb, Ledger) {
    let db = TestDb::sqlite().await;
    let source: Arc<KeyTableSource> = KeyTableSource::new();
    let ledger = Ledger::open(db.config(&MasterKey::generate(), source))
        .await
        .unwrap();
    (db, ledger)
}

fn invalid(result: costledger::Result<costledger::Reply>) -> String {
    let e = result.expect_err("the call should fail");
    assert_eq!(e.code(), "INVALID_INPUT", "{e}");
    e.to_string()
}

#[tokio::test]
async fn every_listed_name_is_a_method_and_no_other() {
    let (_db, ledger) = ledger().await;
    for name in CALLS {
        // With no arguments each either runs or says which argument it needs: none is
        // unknown.
        if let Err(e) = ledger.call(name, "{}").await {
            assert!(!e.to_string().contains("no method"), "{name}: {e}");
        }
    }
    let message = invalid(ledger.call("drop_everything", "{}").await);
    assert!(
        message.contains("no method \"drop_everything\""),
        "{message}"
    );
}

#[tokio::test]
async fn arguments_are_checked_before_anything_runs() {
    let (_db, ledger) = ledger().await;
    ledger
        .call("upsert_subject", r#"{"id": "u-1", "email": null}"#)
        .await
        .unwrap();

    // A misspelt argument refuses the call: the subject is still there.
    let message = invalid(
        ledger
            .call("delete_subject", r#"{"id": "u-1", "cascade": true}"#)
            .await,
    );
    assert!(message.contains("has no argument \"cascade\""), "{message}");
    assert_eq!(ledger.list_subjects().await.unwrap().len(), 1);

    let message = invalid(ledger.call("get_subject", "{}").await);
    assert!(
        message.contains("get_subject needs the argument id"),
        "{message}"
    );
    let message = invalid(ledger.call("get_plan", r#"{"plan_id": "seven"}"#).await);
    assert!(
        message.contains("(argument plan_id of get_plan)"),
        "{message}"
    );
    let message = invalid(ledger.call("list_subjects", "[1]").await);
    assert!(
        message.contains("JSON object of named arguments"),
        "{message}"
    );
    let message = invalid(ledger.call("list_subjects", "{").await);
    assert!(message.contains("not JSON"), "{message}");

    // Money is exact decimal text, never a JSON number (nor nanodollars by mistake).
    let budget = r#"{"name": "b", "scope": "global", "amount": 100, "period": "month",
        "time_zone": "UTC", "thresholds": [50]}"#;
    let message = invalid(ledger.call("create_budget", budget).await);
    assert!(message.contains("amount"), "{message}");
    assert!(ledger.list_budgets().await.unwrap().is_empty());
    let budget = budget.replace("100", "\"100.50\"");
    let reply = ledger.call("create_budget", &budget).await.unwrap();
    assert!(reply.data().contains("\"100.5"), "{}", reply.data());

    let message = invalid(
        ledger
            .call(
                "update_plan",
                r#"{"plan_id": 1, "clear_subscription": true, "subscription":
                {"tier": "pro", "seats": 1, "price_per_seat": null, "cycle": "monthly",
                 "anchor_date": "2026-01-01", "currency": "USD"}}"#,
            )
            .await,
    );
    assert!(message.contains("not both"), "{message}");
    let message = invalid(ledger.call("verify", r#"{"start": "2026-11-01"}"#).await);
    assert!(message.contains("both start and end"), "{message}");
}

#[tokio::test]
async fn a_reply_is_the_typed_methods_json_and_exports() {
    let (_db, ledger) = ledger().await;
    let subject = ledger
        .upsert_subject(NewSubject {
            id: "u-1".into(),
            email: Some("a@example.com".into()),
            name: None,
        })
        .await
        .unwrap();
    let reply = ledger
        .call("get_subject", r#"{"id": "u-1"}"#)
        .await
        .unwrap();
    assert_eq!(reply.data(), serde_json::to_string(&subject).unwrap());
    assert!(reply.exports().is_none());
    assert_eq!(
        ledger
            .call("delete_mapping", r#"{"id": 9}"#)
            .await
            .unwrap_err()
            .code(),
        "MAPPING_NOT_FOUND"
    );

    // A period as a pair of dates in a time zone, as the Python package sends a `Period`.
    let args = r#"{"period": ["2026-11-01", "2026-12-01"], "time_zone": "America/Los_Angeles",
        "top_subjects": 3}"#;
    let reply = ledger.call("dashboard", args).await.unwrap();
    let period = "2026-11 America/Los_Angeles".parse().unwrap();
    let typed = ledger
        .dashboard(DashboardFilter::new(period).top(3))
        .await
        .unwrap();
    assert_eq!(reply.data(), serde_json::to_string(&typed).unwrap());
    let exports = reply.exports().expect("a dashboard has exports");
    assert_eq!(exports.to_csv().unwrap(), typed.to_csv().unwrap());
    assert_eq!(exports.to_json().unwrap(), Export::to_json(&typed).unwrap());

    let message = invalid(
        ledger
            .call("dashboard", r#"{"period": "2026-11", "top_subjects": -1}"#)
            .await,
    );
    assert!(
        message.contains("top_subjects must be 0 or more"),
        "{message}"
    );
    for period in ["3", "[\"2026-11-01\"]", "{\"month\": 11}"] {
        let args = format!("{{\"period\": {period}}}");
        let message = invalid(ledger.call("dashboard", &args).await);
        assert!(message.contains("[start, end] pair"), "{period}: {message}");
    }
    let message = invalid(ledger.call("dashboard", r#"{"period": "2026-13"}"#).await);
    assert!(
        !message.contains("[start, end] pair"),
        "the period's own message: {message}"
    );
}

#[test]
fn sync_options_and_new_plans_read_their_arguments_as_calls_do() {
    let options = costledger::sync_options(
        r#"{"plan_id": 3, "streams": ["usage", "cost"], "usage_width": "1d",
            "initial_backfill_days": 7, "cost_lookback_days": 5,
            "backfill": ["2026-11-01T00:00:00Z", "2026-11-02T00:00:00+00:00"],
            "concurrency": 2, "lease_ttl": 1.5, "usage_lookback_days": null}"#,
    )
    .unwrap();
    let expected = costledger::SyncOptions {
        plan_id: Some(3),
        cost_lookback: chrono::TimeDelta::days(5),
        concurrency: 2,
        ..costledger::SyncOptions::default()
    }
    .streams(&[costledger::SyncStream::Usage, costledger::SyncStream::Cost])
    .usage_width(costledger::BucketWidth::Day)
    .initial_backfill(chrono::TimeDelta::days(7))
    .backfill(
        "2026-11-01T00:00:00Z".parse().unwrap(),
        "2026-11-02T00:00:00Z".parse().unwrap(),
    )
    .lease_ttl(std::time::Duration::from_millis(1500));
    assert_eq!(options, expected);
    assert_eq!(
        costledger::sync_options("{}").unwrap(),
        costledger::SyncOptions::default()
    );
    for (args, says) in [
        (
            r#"{"streams": ["usage", "bills"]}"#,
            "sync stream must be one of",
        ),
        (
            r#"{"lease_ttl": -1}"#,
            "lease_ttl must be a non-negative number of seconds",
        ),
        (
            r#"{"concurrency": -2}"#,
            "concurrency must be a positive number of plans",
        ),
        (
            r#"{"initial_backfill_days": 9223372036854775807}"#,
            "out of range",
        ),
        (r#"{"plan": 3}"#, "sync has no argument \"plan\""),
    ] {
        let e = costledger::sync_options(args).unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT");
        assert!(e.to_string().contains(says), "{args}: {e}");
    }

    let key = "sk-ant-admin01-secret-never-quoted";
    let plan = costledger::new_plan(
        r#"{"label": "Prod", "subscription": {"tier": "team_premium", "seats": 3,
            "price_per_seat": "25.50", "cycle": "monthly", "anchor_date": "2026-01-31",
            "currency": "USD"}}"#,
        Some(key.to_string()),
        None,
    )
    .unwrap();
    assert_eq!(plan.provider, costledger::Provider::Anthropic);
    let subscription = plan.subscription.clone().unwrap();
    assert_eq!(subscription.seats, 3);
    assert_eq!(subscription.price_per_seat, Some("25.50".parse().unwrap()));
    let openai = costledger::new_plan(
        r#"{"label": "OpenAI", "provider": "openai"}"#,
        Some(key.to_string()),
        None,
    )
    .unwrap();
    assert_eq!(openai.provider, costledger::Provider::OpenAi);
    let logs = costledger::new_plan(r#"{"label": "Logs", "directories": []}"#, None, None).unwrap();
    assert_eq!(logs.provider, costledger::Provider::ClaudeCodeLogs);
    for (args, credential) in [
        (
            r#"{"label": "Both", "directories": ["/tmp"]}"#,
            Some(key.to_string()),
        ),
        (r#"{"label": "None"}"#, None),
    ] {
        let e = costledger::new_plan(args, credential, None).unwrap_err();
        assert!(e.to_string().contains("exactly one of them"), "{e}");
        assert!(!e.to_string().contains(key));
    }
}

//! The costs endpoint: parameters, money as exact dollar numbers, line items, filters.

use std::collections::BTreeMap;

use crate::openai::common::{DAY, NOW, all_bodies, cost_rows, get, key, nanos, rows, start};
use fake_openai_api::FakeServer;
use serde_json::Value;

async fn costs(server: &FakeServer, query: &str) -> crate::openai::common::Resp {
    get(server, &key(server, 0), &format!("costs?{query}")).await
}

#[tokio::test]
async fn parameters_limits_and_bucket_width() {
    let server = start().await;
    let s = format!("start_time={}", HISTORY_START);
    let n = |v: Value| v["data"].as_array().unwrap().len();
    assert_eq!(n(costs(&server, &s).await.json()), 7);
    assert_eq!(
        n(costs(&server, &format!("{s}&limit=180")).await.json()),
        90
    );
    for (query, param, code) in [
        (format!("{s}&limit=181"), "limit", "integer_above_max_value"),
        (format!("{s}&limit=0"), "limit", "integer_below_min_value"),
        (
            format!("{s}&bucket_width=1h"),
            "bucket_width",
            "invalid_value",
        ),
        (format!("{s}&group_by=model"), "group_by", "invalid_value"),
        (
            format!("{s}&user_ids=user-x"),
            "user_ids",
            "unknown_parameter",
        ),
        (
            "limit=3".to_string(),
            "start_time",
            "missing_required_parameter",
        ),
    ] {
        let v = costs(&server, &query).await.json();
        assert_eq!(v["error"]["param"], param, "{query}");
        assert_eq!(v["error"]["code"], code, "{query}");
    }
    let v = costs(&server, &format!("{s}&group_by=model")).await.json();
    assert_eq!(
        v["error"]["message"],
        "Invalid value: 'model'. Supported values are: 'project_id', 'line_item', and 'api_key_id'."
    );
}

const HISTORY_START: i64 = NOW - 90 * DAY;

#[tokio::test]
async fn amounts_are_exact_dollar_numbers_and_line_items_carry_quantities() {
    let server = start().await;
    let k = key(&server, 0);
    let q = format!(
        "start_time={HISTORY_START}&limit=180&group_by=line_item&group_by=project_id&group_by=api_key_id"
    );
    let all = cost_rows(&all_bodies(&server, &k, "costs", &q).await);
    let mut units: BTreeMap<String, Option<String>> = BTreeMap::new();
    for (_, r) in &all {
        assert_eq!(r.object, "organization.costs.result");
        assert_eq!(r.amount.currency, "usd");
        let value = r.amount.value.get();
        assert!(nanos(value) > 0, "{value}");
        assert!(
            !value.ends_with('0') || !value.contains('.'),
            "no trailing zeros: {value}"
        );
        let line = r.line_item.clone().unwrap();
        units.insert(line, r.quantity_unit.clone());
        let qty = r.quantity.get();
        if r.quantity_unit.as_deref() == Some("gibibyte_hours") {
            let milli = (qty.parse::<f64>().unwrap() * 1000.0).round() as u64;
            assert_eq!(milli % 375, 0, "16 MiB for a day is 0.375 GiB-hours: {qty}");
        } else {
            assert!(qty.parse::<u64>().is_ok(), "{qty}");
        }
    }
    for (line, unit) in [
        ("web search tool calls", None),
        ("file search tool calls", None),
        ("code interpreter sessions", None),
        ("Vector storage", Some("gibibyte_hours")),
        ("ft-gpt-4o-mini-2024-07-18, training", Some("tokens")),
        ("gpt-4o-2024-08-06, input", Some("tokens")),
        ("gpt-4o-2024-08-06, cached input", Some("tokens")),
        ("batch | gpt-4.1-2025-04-14, output", Some("tokens")),
        ("priority | gpt-5-2025-08-07, output", Some("tokens")),
        ("flex | o3-2025-04-16, input", Some("tokens")),
        ("o3-2025-04-16, cache writes", Some("tokens")),
        (
            "gpt-4o-realtime-preview-2025-06-03 audio, input",
            Some("tokens"),
        ),
        ("gpt-image-1 image, output", Some("tokens")),
        ("dall-e-3 1024x1024, images", Some("images")),
        ("tts-1, characters", Some("characters")),
        ("whisper-1, audio", Some("duration_seconds")),
        ("text-embedding-3-small, input", Some("tokens")),
    ] {
        assert_eq!(units.get(line), Some(&unit.map(str::to_string)), "{line}");
    }
    assert!(
        !units.keys().any(|l| l.contains("moderation")),
        "moderations are free"
    );
    assert!(
        all.iter().any(|(_, r)| r.project_id.is_none()),
        "a charge with no project"
    );
    assert!(
        all.iter()
            .any(|(_, r)| r.project_id.is_some() && r.api_key_id.is_none()),
        "a charge with no key"
    );
}

#[tokio::test]
async fn without_line_item_grouping_there_is_no_line_item_or_quantity() {
    let server = start().await;
    let all = rows(&[costs(
        &server,
        &format!("start_time={}&group_by=project_id", NOW - 7 * DAY),
    )
    .await
    .json()]);
    assert!(!all.is_empty());
    for r in &all {
        assert!(
            r["line_item"].is_null() && r["quantity"].is_null() && r["quantity_unit"].is_null()
        );
        assert!(r["api_key_id"].is_null());
    }
    let plain = costs(&server, &format!("start_time={}", NOW - 7 * DAY))
        .await
        .json();
    for b in plain["data"].as_array().unwrap() {
        assert_eq!(b["results"].as_array().unwrap().len(), 1, "one row per day");
    }
}

#[tokio::test]
async fn project_and_key_filters_keep_only_their_charges() {
    let server = start().await;
    let k = key(&server, 0);
    let base = format!(
        "start_time={}&limit=31&group_by=project_id&group_by=api_key_id",
        NOW - 31 * DAY
    );
    let all = cost_rows(&all_bodies(&server, &k, "costs", &base).await);
    let key_id = all.iter().find_map(|(_, r)| r.api_key_id.clone()).unwrap();
    let project_id = all.iter().find_map(|(_, r)| r.project_id.clone()).unwrap();
    let by_key = cost_rows(
        &all_bodies(
            &server,
            &k,
            "costs",
            &format!("{base}&api_key_ids={key_id}"),
        )
        .await,
    );
    assert!(
        !by_key.is_empty()
            && by_key
                .iter()
                .all(|(_, r)| r.api_key_id.as_deref() == Some(key_id.as_str()))
    );
    let by_project = cost_rows(
        &all_bodies(
            &server,
            &k,
            "costs",
            &format!("{base}&project_ids[]={project_id}"),
        )
        .await,
    );
    assert!(!by_project.is_empty());
    assert!(
        by_project
            .iter()
            .all(|(_, r)| r.project_id.as_deref() == Some(project_id.as_str()))
    );
    let expected: u64 = all
        .iter()
        .filter(|(_, r)| r.project_id.as_deref() == Some(project_id.as_str()))
        .map(|(_, r)| nanos(r.amount.value.get()))
        .sum();
    let got: u64 = by_project
        .iter()
        .map(|(_, r)| nanos(r.amount.value.get()))
        .sum();
    assert_eq!(got, expected);
}

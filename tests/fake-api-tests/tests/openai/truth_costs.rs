//! Summing every page of the costs endpoint gives exactly `truth()`, by line, day, project
//! and key, and truth over an unaligned window matches what that window serves.

use std::collections::BTreeMap;

use crate::openai::common::{
    DAY, HISTORY, NOW, all_bodies, cost_rows, day_of, nanos, start, start_unaligned,
};
use crate::openai::truth::{ENDPOINT_DIMS, served_usage, truth_usage};
use fake_openai_api::FakeServer;

/// Served costs at full detail: (day, project, key, line item) → (nanos, quantity text).
async fn served_costs(
    server: &FakeServer,
    key: &str,
    query: &str,
) -> BTreeMap<(String, Option<String>, Option<String>, Option<String>), (u64, String)> {
    let mut out = BTreeMap::new();
    for (day, r) in cost_rows(&all_bodies(server, key, "costs", query).await) {
        let k = (
            day,
            r.project_id.clone(),
            r.api_key_id.clone(),
            r.line_item.clone(),
        );
        let v = (nanos(r.amount.value.get()), r.quantity.get().to_string());
        assert!(out.insert(k, v).is_none(), "one row per line item");
    }
    out
}

#[tokio::test]
async fn costs_equal_truth_per_line_day_project_and_key() {
    let server = start().await;
    let truth = server.truth();
    for (i, org) in server.orgs().iter().enumerate() {
        let t = &truth.orgs[i];
        let q = format!(
            "start_time={HISTORY}&limit=90&group_by=project_id&group_by=api_key_id&group_by=line_item"
        );
        let fine = served_costs(&server, &org.read_only_key, &q).await;
        let expected: BTreeMap<_, _> = t
            .cost
            .iter()
            .map(|r| {
                (
                    (
                        r.day.clone(),
                        r.project_id.clone(),
                        r.api_key_id.clone(),
                        Some(r.line_item.clone()),
                    ),
                    (r.amount_nanos, r.quantity.clone()),
                )
            })
            .collect();
        assert_eq!(fine, expected, "org {i}");
        let plain = served_costs(
            &server,
            &org.read_only_key,
            &format!("start_time={HISTORY}&limit=90"),
        )
        .await;
        let per_day: BTreeMap<String, u64> =
            plain.iter().map(|(k, v)| (k.0.clone(), v.0)).collect();
        assert_eq!(per_day, t.cost_per_day);
        assert_eq!(per_day.len(), 90, "every day has cost");
        assert_eq!(per_day.values().sum::<u64>(), t.cost_total_nanos);
        assert_eq!(nanos(&t.cost_total_value), t.cost_total_nanos);
        for (group, by) in [
            ("api_key_id", &t.cost_per_api_key),
            ("project_id", &t.cost_per_project),
        ] {
            let served = served_costs(
                &server,
                &org.read_only_key,
                &format!("start_time={HISTORY}&limit=90&group_by={group}"),
            )
            .await;
            let mut sums: BTreeMap<Option<String>, u64> = BTreeMap::new();
            for (k, v) in served {
                let id = if group == "api_key_id" { k.2 } else { k.1 };
                *sums.entry(id).or_default() += v.0;
            }
            let expected: BTreeMap<Option<String>, u64> =
                by.iter().map(|c| (c.id.clone(), c.amount_nanos)).collect();
            assert_eq!(sums, expected, "{group}");
            assert!(
                expected.contains_key(&None),
                "{group}: some cost is attributed to none"
            );
        }
    }
}

#[tokio::test]
async fn truth_between_matches_an_unaligned_window_and_an_unaligned_now() {
    let server = start_unaligned().await;
    let truth = server.truth();
    assert_eq!(truth.end_time, NOW + 10 * 3600 + 1830);
    let org = &server.orgs()[1];
    let start = NOW - 4 * DAY + 13 * 3600 + 1234;
    let window = server.truth_between(start, NOW + 30 * DAY);
    assert_eq!(
        (window.start_time, window.end_time),
        (start - 34, truth.end_time)
    );
    let (endpoint, dims) = ENDPOINT_DIMS[0];
    let served = served_usage(
        &server,
        &org.read_only_key,
        endpoint,
        dims,
        &format!("start_time={start}"),
        "1h",
    )
    .await;
    assert_eq!(served, truth_usage(&window, 1, endpoint, dims));
    assert!(
        served.keys().any(|k| k.0 == day_of(NOW)),
        "today so far is served"
    );
    let costs = served_costs(
        &server,
        &org.read_only_key,
        &format!("start_time={start}&group_by=line_item&group_by=project_id&group_by=api_key_id"),
    )
    .await;
    let total: u64 = costs.values().map(|v| v.0).sum();
    assert_eq!(total, window.orgs[1].cost_total_nanos);
    let end = NOW - DAY + 7 * 3600;
    let closed = server.truth_between(start, end);
    let served = served_usage(
        &server,
        &org.read_only_key,
        endpoint,
        dims,
        &format!("start_time={start}&end_time={end}"),
        "1d",
    )
    .await;
    assert_eq!(served, truth_usage(&closed, 1, endpoint, dims));
}

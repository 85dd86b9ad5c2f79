//! Faults hit the new endpoints as they hit the old ones, and late data changes the
//! Analytics API and the legacy reports consistently.

use crate::admin::common::{
    ANALYTICS_BETA, SPEND_READS_BETA, amount_nanos, analytics, analytics_rows, key, start,
    start_kinds,
};
use fake_admin_api::{Faults, OrgKinds};

const URL: &str = "analytics/cost?starting_at=2026-11-19T00:00:00Z&group_by[]=api_key_id";

#[tokio::test]
async fn status_faults_and_truncation() {
    let server = start().await;
    let k = key(&server, 0);
    server.set_faults("429:2:0.25,529:3,500:5".parse().unwrap());
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let r = analytics(&server, &k, URL).await;
        if r.status == 429 {
            assert_eq!(r.header("retry-after"), Some("0.25"));
            assert_eq!(r.error().0, "rate_limit_error");
        }
        statuses.push(r.status);
    }
    assert_eq!(statuses, [200, 429, 529, 429, 500, 429]);
    assert_eq!(
        server.stats().requests_for_endpoint(&k, "analytics/cost"),
        6
    );

    server.set_faults(Faults::none().with_truncation(1));
    let url = format!("{}/v1/organizations/{URL}", server.base_url());
    let resp = crate::client()
        .get(url)
        .header("x-api-key", &k)
        .header("anthropic-version", "2023-06-01")
        .header("anthropic-beta", ANALYTICS_BETA)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let length: usize = resp.headers()["content-length"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body = resp.bytes().await;
    assert!(
        body.map_or(true, |b| b.len() < length),
        "the body is cut short"
    );
    assert_eq!(server.stats().faults_of("trunc"), 1);
}

#[tokio::test]
async fn faults_apply_to_spend_limits_and_scoped_keys_too() {
    let server = start_kinds(OrgKinds::none().with_enterprise(1)).await;
    let scoped = server.scoped_keys()[0].key.clone();
    server.set_faults(Faults::none().with_500(1));
    let r = crate::admin::common::get_with(
        &server,
        "spend_limits",
        &[
            ("x-api-key", &scoped),
            ("anthropic-version", "2023-06-01"),
            ("anthropic-beta", SPEND_READS_BETA),
        ],
    )
    .await;
    assert_eq!((r.status, r.error().0.as_str()), (500, "api_error"));
    server.set_faults(Faults::none().with_down_after(1));
    assert_eq!(analytics(&server, &scoped, URL).await.status, 200);
    assert_eq!(analytics(&server, &scoped, URL).await.status, 500);
    assert_eq!(server.stats().requests_for(&scoped), 3);
}

#[tokio::test]
async fn late_data_changes_analytics_and_legacy_consistently() {
    let server = start().await;
    let k = key(&server, 1);
    let q = "starting_at=2026-11-19T00:00:00Z&time_bucket_width=1d&limit=1000";
    let total = |rows: Vec<serde_json::Value>| -> (u64, u64) {
        rows.iter().fold((0, 0), |(n, l), r| {
            (
                n + amount_nanos(r["cost"]["amount"].as_str().unwrap()),
                l + amount_nanos(r["cost"]["list_amount"].as_str().unwrap()),
            )
        })
    };
    let before = total(analytics_rows(&server, &k, "analytics/cost", q).await);
    let truth_before = server.truth();
    // `late` grows the data after each successful analytics request, not during it.
    server.set_faults(Faults::none().with_late());
    let during = total(analytics_rows(&server, &k, "analytics/cost", q).await);
    assert_eq!(during, before);
    assert_eq!(server.stats().faults_of("late"), 1);
    server.set_faults(Faults::none());
    let after = total(analytics_rows(&server, &k, "analytics/cost", q).await);
    assert!(after.0 > before.0 && after.1 > before.1);
    let truth = server.truth();
    let (a, b) = (&truth.orgs[1], &truth_before.orgs[1]);
    // The late day grew in both APIs, and they still differ by rounding only.
    let day = "2026-11-19";
    assert!(a.cost_per_day[day] > b.cost_per_day[day]);
    let list = |t: &fake_admin_api::OrgTruth| {
        t.analytics
            .by_day
            .iter()
            .find(|r| r.day == day)
            .unwrap()
            .amounts
            .clone()
    };
    assert_eq!(list(a).list_nanos, after.1);
    assert_eq!(list(a).net_nanos, after.0);
    let residual = a.analytics.legacy_rounding_residual_by_day[day];
    assert_eq!(
        list(a).list_nanos as i64 - a.cost_per_day[day] as i64,
        residual
    );
    assert!(residual.abs() < 10_000_000);
    let tokens = a
        .usage
        .iter()
        .filter(|r| r.day == day)
        .map(|r| r.tokens.output_tokens)
        .sum::<u64>();
    assert_eq!(list(a).tokens.output_tokens, tokens);
    assert!(list(a).tokens.output_tokens > list(b).tokens.output_tokens);
}

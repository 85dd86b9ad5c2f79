//! Row pagination of the Analytics API: `limit` counts rows, tokens are bound to their
//! query, and later pages keep the first page's snapshot.

use crate::admin::common::{analytics, analytics_rows, key, start};
use serde_json::Value;

const PATH: &str = "analytics/cost";
const Q: &str =
    "starting_at=2026-11-17T00:00:00Z&time_bucket_width=1h&group_by[]=api_key_id&group_by[]=model";

async fn first_page(server: &fake_admin_api::FakeServer, k: &str, query: &str) -> Value {
    let r = analytics(server, k, &format!("{PATH}?{query}")).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.json()
}

#[tokio::test]
async fn limit_counts_rows_and_pages_concatenate_to_one_big_page() {
    let server = start().await;
    let k = key(&server, 0);
    let whole = first_page(&server, &k, &format!("{Q}&limit=1000")).await;
    assert_eq!(whole["has_more"], false);
    assert!(whole["next_page"].is_null());
    let all = whole["data"].as_array().unwrap().clone();
    assert!(all.len() > 50, "{}", all.len());
    let paged = analytics_rows(&server, &k, PATH, &format!("{Q}&limit=7")).await;
    assert_eq!(paged, all);
    let p = first_page(&server, &k, &format!("{Q}&limit=7")).await;
    assert_eq!(p["data"].as_array().unwrap().len(), 7);
    assert!(p["next_page"].as_str().unwrap().starts_with("page_"));
    assert_eq!(p["data_refreshed_at"], whole["data_refreshed_at"]);
    // The default limit is 20.
    let p = first_page(&server, &k, Q).await;
    assert_eq!(p["data"].as_array().unwrap().len(), 20);
}

#[tokio::test]
async fn a_token_only_works_with_its_own_query() {
    let server = start().await;
    let k = key(&server, 0);
    let p = first_page(&server, &k, &format!("{Q}&limit=5")).await;
    let token = p["next_page"].as_str().unwrap();
    for changed in [
        format!("{Q}&limit=6&page={token}"),
        format!("{Q}&group_by[]=workspace_id&limit=5&page={token}"),
        format!("{Q}&limit=5&order=asc&page={token}"),
    ] {
        let r = analytics(&server, &k, &format!("{PATH}?{changed}")).await;
        assert_eq!(r.status, 400, "{changed}");
        assert!(r.error().1.contains("different parameters"), "{}", r.body);
    }
    // Another endpoint is another query.
    let r = analytics(
        &server,
        &k,
        &format!("analytics/usage?{Q}&limit=5&page={token}"),
    )
    .await;
    assert_eq!(r.status, 400);
    // Parameter order does not matter.
    let reordered = format!(
        "limit=5&group_by[]=api_key_id&group_by[]=model&time_bucket_width=1h&starting_at=2026-11-17T00:00:00Z&page={token}"
    );
    assert_eq!(
        analytics(&server, &k, &format!("{PATH}?{reordered}"))
            .await
            .status,
        200
    );
    let r = analytics(&server, &k, &format!("{PATH}?{Q}&limit=5&page=garbage")).await;
    assert_eq!(r.status, 400);
}

#[tokio::test]
async fn later_pages_keep_the_first_pages_snapshot() {
    let server = start().await;
    let k = key(&server, 0);
    let before = analytics_rows(&server, &k, PATH, &format!("{Q}&limit=1000")).await;
    // Page 1, then late data lands and the clock moves, then the rest.
    let mut rows: Vec<Value> = Vec::new();
    let query = format!("{Q}&limit=9");
    let p = first_page(&server, &k, &query).await;
    rows.extend(p["data"].as_array().unwrap().iter().cloned());
    server.grow_late_data();
    server.set_now("2026-11-20T05:00:00Z".parse().unwrap());
    let mut next = p["next_page"].as_str().map(str::to_string);
    while let Some(token) = next {
        let p = first_page(&server, &k, &format!("{query}&page={token}")).await;
        assert_eq!(p["data_refreshed_at"], "2026-11-20T00:00:00Z");
        rows.extend(p["data"].as_array().unwrap().iter().cloned());
        next = p["next_page"].as_str().map(str::to_string);
    }
    assert_eq!(rows, before);
    // A new query sees the late data and the new hours.
    let after = analytics_rows(&server, &k, PATH, &format!("{Q}&limit=1000")).await;
    assert_ne!(after, before);
    assert!(after.len() > before.len());
    assert_eq!(
        first_page(&server, &k, Q).await["data_refreshed_at"],
        "2026-11-20T05:00:00Z"
    );
}

//! The effective report's period-to-date spend is the member's net Analytics cost since
//! the period started, rounded half-even to 3 decimals of a cent.

use crate::admin::common::{amount_nanos, analytics_rows, key, start_kinds};
use fake_admin_api::OrgKinds;

fn cents3(nanos: u64) -> String {
    // Half-even at 10,000 nanodollars (a thousandth of a cent).
    let (q, r) = (nanos / 10_000, nanos % 10_000);
    let q = if r > 5_000 || (r == 5_000 && q % 2 == 1) {
        q + 1
    } else {
        q
    };
    let (whole, frac) = (q / 1_000, q % 1_000);
    if frac == 0 {
        whole.to_string()
    } else {
        format!("{whole}.{}", format!("{frac:03}").trim_end_matches('0'))
    }
}

#[tokio::test]
async fn period_to_date_spend_is_net_cost_since_the_period_start() {
    let server = start_kinds(OrgKinds::none().with_enterprise(1)).await;
    // A Wednesday afternoon: the day, the ISO week (from Monday 16th) and the month differ.
    server.set_now("2026-11-18T13:30:00Z".parse().unwrap());
    let k = key(&server, 1);
    let truth = server.truth();
    let effective = &truth.orgs[1].spend_limits.effective;
    assert!(effective.len() >= 8);
    let starts = [
        ("daily", "2026-11-18T00:00:00Z"),
        ("weekly", "2026-11-16T00:00:00Z"),
        ("monthly", "2026-11-01T00:00:00Z"),
    ];
    let mut nonzero = 0;
    for row in effective {
        let start = starts.iter().find(|(p, _)| *p == row.row.period).unwrap().1;
        assert_eq!(row.period_starting_at, start);
        let user = match &row.row.actor {
            fake_admin_api::ActorJson::User {
                user_id, deleted, ..
            } => {
                assert!(!deleted);
                user_id.clone()
            }
            other => panic!("{other:?}"),
        };
        let q = format!("starting_at={start}&ending_at=2026-11-18T14:00:00Z&actor_ids[]={user}");
        let rows = analytics_rows(&server, &k, "analytics/cost", &q).await;
        let net: u64 = rows
            .iter()
            .map(|r| amount_nanos(r["cost"]["amount"].as_str().unwrap()))
            .sum();
        assert_eq!(
            row.period_to_date_spend_nanos, net,
            "{user} {}",
            row.row.period
        );
        assert_eq!(row.row.period_to_date_spend, cents3(net));
        nonzero += usize::from(net > 0);
    }
    assert!(nonzero >= 4, "{nonzero}");
    // The served report is the truth's rows.
    let r = crate::admin::common::request(
        &server,
        reqwest::Method::GET,
        "spend_limits/effective?limit=1000",
        &[("x-api-key", &k), ("anthropic-version", "2023-06-01")],
        None,
    )
    .await;
    let served: Vec<fake_admin_api::EffectiveRow> =
        serde_json::from_value(r.json()["data"].clone()).unwrap();
    let expected: Vec<fake_admin_api::EffectiveRow> =
        effective.iter().map(|r| r.row.clone()).collect();
    assert_eq!(served, expected);
}

#[test]
fn half_even_rendering() {
    assert_eq!(cents3(0), "0");
    assert_eq!(cents3(5_000), "0");
    assert_eq!(cents3(15_000), "0.002");
    assert_eq!(cents3(120_505_000_000), "12050.5");
}

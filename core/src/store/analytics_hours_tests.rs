//! Tests of `analytics_hours`: records round-trip exactly, corrupt ones are errors, and the
//! sums group and order as the SQL store did.

use super::*;

fn row(key: Option<&str>, actor: Actor, token_type: Option<&str>, net: i64) -> AnalyticsCostRow {
    let start: DateTime<Utc> = "2026-11-02T05:00:00Z".parse().unwrap();
    AnalyticsCostRow {
        starting_at: start,
        ending_at: start + chrono::TimeDelta::hours(1),
        group: AnalyticsGroup {
            api_key_id: key.map(Into::into),
            workspace_id: None,
            model: Some("claude-sonnet-4-5".into()),
            actor: Some(actor),
            actor_type: None,
            cost_type: Some("tokens".into()),
            token_type: token_type.map(Into::into),
            service_tier: Some("standard".into()),
            context_window: Some("0-200k".into()),
            inference_geo: Some("".into()),
            product: None,
            speed: Some("standard".into()),
        },
        amount: Money::from_nanos(net),
        list_amount: Money::from_nanos(net * 2),
        currency: "USD".into(),
        requests: (net % 2 == 0).then_some(net / 7),
    }
}

fn user(id: &str) -> Actor {
    Actor::User {
        user_id: id.into(),
        email_address: None,
        name: None,
        deleted: false,
    }
}

fn sample() -> Vec<AnalyticsCostRow> {
    vec![
        row(
            Some("apikey_1"),
            user("user_1"),
            Some("output_tokens"),
            1_234_567_891,
        ),
        row(None, user("user_1"), Some("uncached_input_tokens"), -5),
        row(
            Some("apikey_1"),
            Actor::ApiKey {
                api_key_id: "apikey_1".into(),
            },
            None,
            i64::MAX / 4,
        ),
        row(
            Some("apikey_2"),
            Actor::ServiceAccount {
                service_account_id: "svac_1".into(),
            },
            Some("output_tokens"),
            0,
        ),
        row(
            Some("apikey_2"),
            Actor::Federated {
                provider: "https://issuer.example".into(),
                subject: "wl:ci".into(),
            },
            Some("output_tokens"),
            42,
        ),
    ]
}

#[test]
fn records_keep_every_value_exactly() {
    let rows = sample();
    let record = encode(&rows);
    let decoded = decode(&record).unwrap();
    assert_eq!(decoded.len(), rows.len());
    for (stored, original) in decoded.iter().zip(&rows) {
        let back = stored.to_cost_row(original.starting_at, original.ending_at);
        assert_eq!(&back, original);
    }
    // Null and empty stay apart.
    assert_eq!(decoded[0].values[7], Some(""));
    assert_eq!(decoded[0].values[8], None);
}

#[test]
fn corrupt_records_are_storage_errors() {
    let record = encode(&sample());
    for cut in [0, 1, record.len() / 2, record.len() - 1] {
        let err = decode(&record[..cut]).unwrap_err();
        assert_eq!(err.code(), "STORAGE", "{cut}");
        assert!(err.to_string().contains("corrupt"), "{err}");
    }
    let mut unknown = record.clone();
    unknown[0] = 9;
    assert!(decode(&unknown).is_err());
    let mut longer = record;
    longer.push(0);
    assert!(decode(&longer).is_err());
}

#[test]
fn sums_group_and_order_as_the_store_did() {
    let rows = sample();
    let start = rows[0].starting_at.timestamp();
    let records = vec![(start, encode(&rows)), (start + 3_600, encode(&rows[..2]))];
    let by_day = totals(&records, AnalyticsTotalsBy::Day).unwrap();
    assert_eq!(by_day.len(), 1);
    let all: i64 = rows.iter().map(|r| r.amount.nanos()).sum::<i64>()
        + rows[..2].iter().map(|r| r.amount.nanos()).sum::<i64>();
    assert_eq!(by_day[0].net.nanos(), all);
    assert_eq!(by_day[0].list.nanos(), all * 2);
    // One row without requests makes the day's requests unknown.
    assert_eq!(by_day[0].requests, None);

    let by_key = totals(&records, AnalyticsTotalsBy::ApiKey).unwrap();
    let ids: Vec<_> = by_key.iter().map(|t| t.id.as_deref()).collect();
    assert_eq!(ids, [None, Some("apikey_1"), Some("apikey_2")]);
    assert_eq!(by_key[0].net.nanos(), -10);

    let by_actor = totals(&records, AnalyticsTotalsBy::Actor).unwrap();
    let keys: Vec<_> = by_actor.iter().map(|t| t.actor.clone().unwrap()).collect();
    // By the stored id text: a federated id starts with its provider's length.
    assert_eq!(
        keys,
        [
            ActorKey::Federated {
                provider: "https://issuer.example".into(),
                subject: "wl:ci".into()
            },
            ActorKey::ApiKey("apikey_1".into()),
            ActorKey::ServiceAccount("svac_1".into()),
            ActorKey::User("user_1".into()),
        ]
    );

    let facts = fact_rows(&records).unwrap();
    assert_eq!(facts.iter().map(|f| f.net.nanos()).sum::<i64>(), all);
    assert!(facts.windows(2).all(|w| w[0].hour <= w[1].hour));
    let user_hours: Vec<_> = facts
        .iter()
        .filter(|f| f.user_id.as_deref() == Some("user_1"))
        .map(|f| (f.hour, f.api_key_id.clone()))
        .collect();
    assert_eq!(user_hours.len(), 4);

    let standard = tier_totals(&records, "standard").unwrap();
    assert_eq!(standard[0].net.nanos(), all);
    assert!(tier_totals(&records, "priority").unwrap().is_empty());
}

#[test]
fn federated_ids_do_not_collide() {
    let a = StoredActor::Federated("a:1", "b");
    let b = StoredActor::Federated("a", ":1b");
    assert_ne!(a.column_id(), b.column_id());
    assert_eq!(a.column_id(), "3:a:1b");
    assert_eq!(StoredActor::User("user_1").column_id(), "user_1");
    assert_eq!(StoredActor::User("user_1").type_name(), "user_actor");
}

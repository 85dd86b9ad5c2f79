//! OpenAI usage attributed to the org user who made it (`user_id`), on SQLite and Postgres:
//! tokens per (day, project, user) equal the fake's truth, and a user's Playground usage
//! (no key) counts in the cost of the subject with their email, exactly their share of the
//! lines billed without a key.

use std::collections::BTreeMap;

use chrono::TimeDelta;
use costledger::{BucketWidth, NewSubject, TokenCounts};
use fake_openai_api::OrgTruth;

use crate::common::TestDb;
use crate::openai_sync::{history, setup, sync_options};

backend_tests!(tokens_per_user_and_playground_cost_equal_the_truth);

/// (day, project, user) of a usage row.
type UserKey = (String, Option<String>, Option<String>);

/// A truth usage row of an endpoint costledger stores, in costledger's token model.
fn truth_counts(r: &fake_openai_api::UsageTruthRow) -> Option<TokenCounts> {
    let count = |k: &str| r.counts.get(k).copied().unwrap_or(0) as i64;
    Some(match r.endpoint.as_str() {
        "completions" => TokenCounts {
            uncached_input: count("input_tokens")
                - count("input_cached_tokens")
                - count("input_cache_write_tokens"),
            cache_read: count("input_cached_tokens"),
            cache_write_5m: count("input_cache_write_tokens"),
            output: count("output_tokens"),
            ..TokenCounts::default()
        },
        "embeddings" | "moderations" => TokenCounts {
            uncached_input: count("input_tokens"),
            ..TokenCounts::default()
        },
        "web_search_calls" => TokenCounts {
            web_search_requests: count("num_requests"),
            ..TokenCounts::default()
        },
        _ => return None,
    })
}

fn truth_per_user(org: &OrgTruth) -> BTreeMap<UserKey, TokenCounts> {
    let mut out: BTreeMap<UserKey, TokenCounts> = BTreeMap::new();
    for r in &org.usage {
        if let Some(t) = truth_counts(r) {
            let key = (r.day.clone(), r.project_id.clone(), r.user_id.clone());
            out.entry(key).or_default().add(&t);
        }
    }
    out.retain(|_, t| !t.is_zero());
    out
}

/// Largest-remainder split, written out here so the test does not reuse the library's.
fn split(amount: i64, weights: &[i64]) -> Vec<i64> {
    let total: i128 = weights.iter().map(|&w| i128::from(w)).sum();
    let mut parts: Vec<i128> = weights
        .iter()
        .map(|&w| i128::from(amount) * i128::from(w) / total)
        .collect();
    let mut rest: Vec<(i128, usize)> = weights
        .iter()
        .enumerate()
        .map(|(i, &w)| (i128::from(amount) * i128::from(w) % total, i))
        .collect();
    rest.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let left = i128::from(amount) - parts.iter().sum::<i128>();
    for &(_, i) in rest.iter().take(left as usize) {
        parts[i] += 1;
    }
    parts.into_iter().map(|p| p as i64).collect()
}

/// Each user's (None: no user's) share of the lines billed without a key: a line of a day,
/// project and model is split among that day's keyless usage of the project and model by the
/// tokens of the line's meter, per user.
pub(crate) fn playground_shares(org: &OrgTruth) -> BTreeMap<Option<String>, i64> {
    let mut out: BTreeMap<Option<String>, i64> = BTreeMap::new();
    for line in org.cost.iter().filter(|c| c.api_key_id.is_none()) {
        let item = ["batch | ", "priority | ", "flex | "]
            .iter()
            .find_map(|p| line.line_item.strip_prefix(p))
            .unwrap_or(&line.line_item);
        let Some((head, meter)) = item.split_once(", ") else {
            continue;
        };
        let model = head.split_whitespace().next().unwrap();
        let mut weights: BTreeMap<Option<String>, i64> = BTreeMap::new();
        for r in &org.usage {
            let keyless = r.api_key_id.is_none() && r.day == line.day;
            if !keyless || r.project_id != line.project_id || r.model.as_deref() != Some(model) {
                continue;
            }
            let Some(t) = truth_counts(r) else { continue };
            let w = match meter {
                "input" => t.uncached_input,
                "cached input" => t.cache_read,
                "cache writes" => t.cache_write_5m,
                "output" => t.output,
                _ => t.total_input() + t.output,
            };
            *weights.entry(r.user_id.clone()).or_default() += w;
        }
        weights.retain(|_, w| *w > 0);
        if weights.is_empty() {
            continue;
        }
        let w: Vec<i64> = weights.values().copied().collect();
        for (user, part) in weights.keys().zip(split(line.amount_nanos as i64, &w)) {
            *out.entry(user.clone()).or_default() += part;
        }
    }
    out
}

async fn tokens_per_user_and_playground_cost_equal_the_truth(db: TestDb) {
    let s = setup(db, 1, 5).await;
    let report = s.ledger.sync(sync_options(5)).await.unwrap();
    assert!(report.is_ok(), "{report:#?}");
    let plan = &s.plans[0];
    let org = s.fake.truth().orgs.remove(0);

    // Tokens per (day, project, user), keyed or not.
    let now = s.fake.now();
    let rows = s
        .ledger
        .store()
        .usage_rows(plan.id, BucketWidth::Hour, now - TimeDelta::days(400), now)
        .await
        .unwrap();
    let mut stored: BTreeMap<UserKey, TokenCounts> = BTreeMap::new();
    for r in rows {
        let key = (
            r.bucket_start.date_naive().to_string(),
            r.workspace_id,
            r.actor_id,
        );
        stored.entry(key).or_default().add(&r.tokens);
    }
    let expected = truth_per_user(&org);
    assert!(expected.keys().any(|k| k.2.is_some()), "usage with a user");
    assert_eq!(stored, expected);

    // Every org member as a subject: each one's cost is the bill of the keys they created plus
    // their share of the keyless lines.
    let shares = playground_shares(&org);
    let metadata = s.ledger.plan_metadata(plan.id).await.unwrap();
    let mut with_share = 0;
    for (i, user) in metadata.users.iter().enumerate() {
        let id = format!("dev-{i}");
        s.ledger
            .upsert_subject(NewSubject::new(&id).email(user.email.clone()))
            .await
            .unwrap();
        let keys: u64 = metadata
            .api_keys
            .iter()
            .filter(|k| k.created_by_id.as_deref() == Some(user.id.as_str()))
            .flat_map(|k| {
                org.cost_per_api_key
                    .iter()
                    .filter(|c| c.id.as_ref() == Some(&k.id))
            })
            .map(|c| c.amount_nanos)
            .sum();
        let share = shares.get(&Some(user.id.clone())).copied().unwrap_or(0);
        with_share += usize::from(share > 0);
        let costs = s.ledger.user_costs(&id, history(&s, 5)).await.unwrap();
        assert_eq!(
            costs.total.billed().nanos(),
            keys as i64 + share,
            "user {}",
            user.id
        );
        assert_eq!(costs.total.estimated.nanos(), 0);
    }
    assert!(with_share > 0, "some member has billed Playground usage");
}

//! The OpenAI source against the fake OpenAI API, on SQLite and Postgres: tokens and billed
//! cost equal the fake's ground truth exactly, cached tokens are counted once, faults are
//! survived, credentials are checked, and a dashboard across Anthropic and OpenAI plans sums
//! both bills.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use costledger::{
    BucketWidth, DashboardFilter, FixedClock, FocusFilter, Ledger, LedgerConfig, MasterKey,
    NewPlan, NewSubject, Period, Plan, Provider, SyncOptions, SyncStream, TokenCounts,
    UnitUsageFilter, UsageUnit,
};
use fake_openai_api::{FakeConfig, FakeServer, Faults, OrgTruth};

use crate::common::TestDb;

backend_tests!(
    sync_stores_the_exact_truth_and_a_second_sync_changes_nothing,
    faults_still_give_the_exact_truth,
    credentials_are_checked_against_the_provider,
    a_dashboard_across_providers_sums_both_bills,
    key_owners_are_attribution_targets_and_late_data_is_caught,
    non_token_usage_is_stored_and_estimated_until_billed,
);

const STREAMS: &[SyncStream] = &[SyncStream::Metadata, SyncStream::Usage, SyncStream::Cost];

/// A ledger on `db` that talks to `openai` (and to `anthropic`, when given) with no pacing.
fn config(
    db: &TestDb,
    key: &MasterKey,
    openai: &FakeServer,
    anthropic: Option<&fake_admin_api::FakeServer>,
    clock: &FixedClock,
) -> LedgerConfig {
    let mut config = LedgerConfig::new(db.url.clone())
        .master_key(key.to_base64().to_string())
        .openai_base_url(openai.base_url())
        .request_interval(Duration::ZERO)
        .retry_backoff(Duration::from_millis(5))
        .max_retries(4)
        .clock(Arc::new(clock.clone()))
        .without_env();
    if let Some(anthropic) = anthropic {
        config = config.anthropic_base_url(anthropic.base_url());
    }
    if let Some(schema) = &db.schema {
        config = config.postgres_schema(schema.clone());
    }
    config
}

pub(crate) struct Synced {
    _db: TestDb,
    pub(crate) fake: FakeServer,
    pub(crate) ledger: Ledger,
    pub(crate) plans: Vec<Plan>,
}

/// A fake with `orgs` orgs and `days` of history, a ledger, one plan per org (read-only keys).
pub(crate) async fn setup(db: TestDb, orgs: usize, days: u32) -> Synced {
    let fake = FakeServer::start(FakeConfig {
        orgs,
        days,
        ..FakeConfig::default()
    })
    .await
    .expect("fake starts");
    let key = MasterKey::generate();
    let clock = FixedClock::new(fake.now());
    let ledger = Ledger::open(config(&db, &key, &fake, None, &clock))
        .await
        .expect("ledger opens");
    let mut plans = Vec::new();
    for (i, org) in fake.orgs().iter().enumerate() {
        let plan = ledger
            .add_plan(NewPlan::openai(
                format!("OpenAI {}", i + 1),
                org.read_only_key.clone(),
            ))
            .await
            .expect("plan added");
        assert_eq!(plan.provider, Provider::OpenAi);
        assert_eq!(plan.org_id.as_deref(), Some(org.slug.as_str()));
        // The hint names the key kind and its last four characters, nothing else.
        let key = &org.read_only_key;
        let hint = plan.key_hint.clone().unwrap();
        assert_eq!(hint, format!("sk-admin-…{}", &key[key.len() - 4..]));
        plans.push(plan);
    }
    Synced {
        _db: db,
        fake,
        ledger,
        plans,
    }
}

pub(crate) fn sync_options(days: i64) -> SyncOptions {
    SyncOptions::default()
        .initial_backfill(TimeDelta::days(days))
        .streams(STREAMS)
}

type TokenKey = (String, Option<String>, Option<String>, String);

/// What the fake served, per (day, project, key, model), in costledger's token model:
/// completions with cached and cache-write tokens taken out of input once, embeddings and
/// moderations input, web search calls.
fn truth_tokens(org: &OrgTruth) -> BTreeMap<TokenKey, TokenCounts> {
    let mut out: BTreeMap<TokenKey, TokenCounts> = BTreeMap::new();
    for r in &org.tokens {
        let t = &r.tokens;
        let key = (
            r.day.clone(),
            r.project_id.clone(),
            r.api_key_id.clone(),
            r.model.clone(),
        );
        out.entry(key).or_default().add(&TokenCounts {
            uncached_input: t.input_uncached_tokens as i64,
            cache_read: t.input_cached_tokens as i64,
            cache_write_5m: t.input_cache_write_tokens as i64,
            output: t.output_tokens as i64,
            ..TokenCounts::default()
        });
    }
    for r in &org.usage {
        let count = |k: &str| r.counts.get(k).copied().unwrap_or(0) as i64;
        let counts = match r.endpoint.as_str() {
            "embeddings" | "moderations" => TokenCounts {
                uncached_input: count("input_tokens"),
                ..TokenCounts::default()
            },
            "web_search_calls" => TokenCounts {
                web_search_requests: count("num_requests"),
                ..TokenCounts::default()
            },
            _ => continue,
        };
        let key = (
            r.day.clone(),
            r.project_id.clone(),
            r.api_key_id.clone(),
            r.model.clone().unwrap_or_default(),
        );
        out.entry(key).or_default().add(&counts);
    }
    out.retain(|_, t| !t.is_zero());
    out
}

async fn stored_tokens(s: &Synced, plan: &Plan) -> BTreeMap<TokenKey, TokenCounts> {
    let now = s.fake.now();
    let rows = s
        .ledger
        .store()
        .usage_rows(plan.id, BucketWidth::Hour, now - TimeDelta::days(400), now)
        .await
        .unwrap();
    let mut out: BTreeMap<TokenKey, TokenCounts> = BTreeMap::new();
    for r in rows {
        let key = (
            r.bucket_start.date_naive().to_string(),
            r.workspace_id,
            r.api_key_id,
            r.model.unwrap_or_default(),
        );
        out.entry(key).or_default().add(&r.tokens);
    }
    out
}

/// (day, unit, project, user, key, model, variant) of non-token usage.
type UnitKey = (
    String,
    UsageUnit,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

/// The unit an endpoint's truth rows count, and their variant.
fn truth_unit(r: &fake_openai_api::UsageTruthRow) -> Option<(UsageUnit, &str, Option<String>)> {
    Some(match r.endpoint.as_str() {
        "images" => (
            UsageUnit::Images,
            "images",
            Some(format!(
                "{}/{}",
                r.size.as_deref().unwrap_or(""),
                r.source.as_deref().unwrap_or("")
            )),
        ),
        "audio_speeches" => (UsageUnit::SpeechCharacters, "characters", None),
        "audio_transcriptions" => (UsageUnit::TranscriptionSeconds, "seconds", None),
        "file_search_calls" => (
            UsageUnit::FileSearchCalls,
            "num_requests",
            r.vector_store_id.clone(),
        ),
        "code_interpreter_sessions" => (UsageUnit::CodeInterpreterSessions, "num_sessions", None),
        _ => return None,
    })
}

/// (quantity, requests) per unit key, as the fake served it.
fn truth_units(org: &OrgTruth) -> BTreeMap<UnitKey, (u64, u64)> {
    let mut out: BTreeMap<UnitKey, (u64, u64)> = BTreeMap::new();
    for r in &org.usage {
        let Some((unit, field, variant)) = truth_unit(r) else {
            continue;
        };
        let key = (
            r.day.clone(),
            unit,
            r.project_id.clone(),
            r.user_id.clone(),
            r.api_key_id.clone(),
            r.model.clone(),
            variant,
        );
        let e = out.entry(key).or_default();
        e.0 += r.counts.get(field).copied().unwrap_or(0);
        e.1 += r.num_model_requests;
    }
    out.retain(|_, (q, r)| *q > 0 || *r > 0);
    out
}

/// Stored vector storage per (day, project): the level every bucket of the day reports.
fn truth_levels(org: &OrgTruth) -> BTreeMap<(String, Option<String>), u64> {
    org.vector_storage
        .iter()
        .map(|r| ((r.day.clone(), Some(r.project_id.clone())), r.usage_bytes))
        .collect()
}

async fn stored_units(
    s: &Synced,
    plan: &Plan,
) -> (
    BTreeMap<UnitKey, (u64, u64)>,
    BTreeMap<(String, Option<String>), u64>,
) {
    let now = s.fake.now();
    let rows = s
        .ledger
        .store()
        .unit_rows(plan.id, BucketWidth::Hour, now - TimeDelta::days(400), now)
        .await
        .unwrap();
    let mut units: BTreeMap<UnitKey, (u64, u64)> = BTreeMap::new();
    let mut levels = BTreeMap::new();
    for r in rows {
        let day = r.bucket_start.date_naive().to_string();
        if r.unit == UsageUnit::StorageBytes {
            let level = levels.entry((day, r.workspace_id)).or_insert(r.quantity);
            assert_eq!(
                *level, r.quantity,
                "every bucket of a day has the day's level"
            );
            continue;
        }
        let key = (
            day,
            r.unit,
            r.workspace_id,
            r.actor_id,
            r.api_key_id,
            r.model,
            r.variant,
        );
        let e = units.entry(key).or_default();
        e.0 += r.quantity;
        e.1 += r.requests;
    }
    (units, levels)
}

/// Billed nanodollars per (day, API key).
type CostKey = (String, Option<String>);

fn truth_cost(org: &OrgTruth) -> BTreeMap<CostKey, i64> {
    let mut out = BTreeMap::new();
    for r in &org.cost {
        *out.entry((r.day.clone(), r.api_key_id.clone()))
            .or_default() += r.amount_nanos as i64;
    }
    out
}

async fn stored_cost(s: &Synced, plan: &Plan) -> BTreeMap<CostKey, i64> {
    let now = s.fake.now();
    let rows = s
        .ledger
        .store()
        .cost_rows(plan.id, now - TimeDelta::days(400), now)
        .await
        .unwrap();
    let mut out = BTreeMap::new();
    for r in rows {
        let key = (r.bucket_start.date_naive().to_string(), r.api_key_id);
        *out.entry(key).or_default() += r.amount.nanos();
    }
    out
}

/// The whole history as a period: from the first day to the day after now.
pub(crate) fn history(s: &Synced, days: i64) -> Period {
    let now: DateTime<Utc> = s.fake.now();
    let from = (now - TimeDelta::days(days)).date_naive();
    let to = now.date_naive() + TimeDelta::days(1);
    format!("{from}..{to}").parse().unwrap()
}

async fn assert_matches_truth(s: &Synced, days: i64) {
    let truth = s.fake.truth();
    for plan in &s.plans {
        let org = truth
            .orgs
            .iter()
            .find(|o| Some(o.slug.as_str()) == plan.org_id.as_deref())
            .expect("org of the plan");
        let stored = stored_tokens(s, plan).await;
        let expected = truth_tokens(org);
        assert!(expected.len() > 50, "{}", expected.len());
        assert_eq!(stored, expected, "tokens of plan {}", plan.id);
        // Cached tokens counted once: costledger's total input is OpenAI's input_tokens.
        for r in &org.tokens {
            let key = (
                r.day.clone(),
                r.project_id.clone(),
                r.api_key_id.clone(),
                r.model.clone(),
            );
            let got = stored[&key];
            assert_eq!(got.total_input(), r.tokens.input_tokens as i64, "{key:?}");
            assert_eq!(
                got.cache_read, r.tokens.input_cached_tokens as i64,
                "{key:?}"
            );
        }
        let total: i64 = stored
            .iter()
            .filter(|(k, _)| org.tokens.iter().any(|r| r.model == k.3))
            .map(|(_, t)| t.total_input())
            .sum();
        let cached = org.tokens_total.input_cached_tokens as i64;
        assert!(cached > 0);
        assert_eq!(total, org.tokens_total.input_tokens as i64);
        assert_ne!(total, org.tokens_total.input_tokens as i64 + cached);
        // Usage that is not tokens, per day and every dimension its endpoint has.
        let (units, levels) = stored_units(s, plan).await;
        assert_eq!(
            units,
            truth_units(org),
            "non-token usage of plan {}",
            plan.id
        );
        assert!(
            units
                .keys()
                .any(|k| k.1 == UsageUnit::Images && k.3.is_some())
        );
        assert_eq!(levels, truth_levels(org), "storage of plan {}", plan.id);
        assert!(!levels.is_empty());
        // Billed cost per day and key.
        let cost = stored_cost(s, plan).await;
        assert_eq!(cost, truth_cost(org), "cost of plan {}", plan.id);
        assert!(
            cost.keys().any(|(_, k)| k.is_none()),
            "charges without a key"
        );
        // The derived facts hold the whole bill: per key billed; without a key split among
        // keyless usage (exactly checked in openai_actors.rs) or else unallocated.
        let d = s
            .ledger
            .dashboard(DashboardFilter::new(history(s, days)).plans(vec![plan.id]))
            .await
            .unwrap();
        assert_eq!(d.totals.billed().nanos() as u64, org.cost_total_nanos);
        assert_eq!(d.totals.estimated.nanos(), 0, "every day is billed");
        let keyless: u64 = org
            .cost_per_api_key
            .iter()
            .filter(|c| c.id.is_none())
            .map(|c| c.amount_nanos)
            .sum();
        let unallocated = d.totals.unallocated.nanos() as u64;
        assert!(unallocated < keyless, "{unallocated} of {keyless}");
        assert_eq!(d.per_plan[0].provider, Provider::OpenAi);
    }
}

async fn sync_stores_the_exact_truth_and_a_second_sync_changes_nothing(db: TestDb) {
    let s = setup(db, 2, 12).await;
    let report = s.ledger.sync(sync_options(12)).await.unwrap();
    assert!(report.is_ok(), "{report:#?}");
    for plan in &report.plans {
        let usage = plan.stream(SyncStream::Usage).unwrap();
        assert_eq!(usage.buckets_written, 12 * 24, "{plan:?}");
        assert_eq!(plan.stream(SyncStream::Cost).unwrap().buckets_written, 12);
    }
    assert_matches_truth(&s, 12).await;
    // Metadata: projects are workspaces, keys carry their project and owner, users emails.
    let metadata = s.ledger.plan_metadata(s.plans[0].id).await.unwrap();
    assert!(
        metadata
            .workspaces
            .iter()
            .any(|w| w.name == "Default project")
    );
    assert!(metadata.workspaces.iter().any(|w| w.archived_at.is_some()));
    assert!(metadata.api_keys.iter().all(|k| k.workspace_id.is_some()));
    assert!(
        metadata
            .api_keys
            .iter()
            .any(|k| k.created_by_type.as_deref() == Some("service_account"))
    );
    assert!(metadata.api_keys.iter().any(|k| k.status == "inactive"));
    assert!(metadata.users.iter().all(|u| u.email.contains('@')));
    // Recomputing the derived facts finds what the sync stored.
    let verified = s.ledger.verify(None, None, false).await.unwrap();
    assert_eq!(verified.differences(), 0, "{verified:#?}");
    assert!(verified.plans.iter().all(|p| p.days_checked >= 12));
    let again = s.ledger.sync(sync_options(12)).await.unwrap();
    assert!(again.is_ok(), "{again:#?}");
    let usage = again.plans[0].stream(SyncStream::Usage).unwrap();
    assert_eq!(usage.buckets_written, 2 * 24, "only the lookback");
    assert_matches_truth(&s, 12).await;
}

async fn faults_still_give_the_exact_truth(db: TestDb) {
    let s = setup(db, 1, 6).await;
    // No more than three requests in a row fail (the client retries four times).
    let faults: Faults = "429:4:0.01,503:7,500:9,trunc:11".parse().unwrap();
    s.fake.set_faults(faults);
    let report = s.ledger.sync(sync_options(6)).await.unwrap();
    assert!(report.is_ok(), "{report:#?}");
    let retries: i64 = report.plans[0].streams.iter().map(|x| x.retries).sum();
    assert!(retries > 0, "the faults made the client retry");
    assert_matches_truth(&s, 6).await;
    let stats = s.fake.stats();
    assert!(
        stats.faults.get("429").copied().unwrap_or(0) > 0,
        "{stats:?}"
    );
    assert!(
        stats.faults.get("trunc").copied().unwrap_or(0) > 0,
        "{stats:?}"
    );
}

async fn credentials_are_checked_against_the_provider(db: TestDb) {
    let s = setup(db, 1, 1).await;
    let org = &s.fake.orgs()[0];
    // The same organisation twice is a conflict.
    let again = s
        .ledger
        .add_plan(NewPlan::openai("Again", org.admin_key.clone()))
        .await
        .unwrap_err();
    assert_eq!(again.code(), "CONFLICT", "{again}");
    // A project key and an Anthropic key are refused before any request.
    let requests = s.fake.stats().requests;
    for bad in [
        format!("sk-proj-{}", "p".repeat(40)),
        "sk-ant-admin01-abcdefghijklmnopqrstuvwxyz0123".to_string(),
    ] {
        let e = s
            .ledger
            .add_plan(NewPlan::openai("Bad", bad.clone()))
            .await
            .unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT", "{e}");
        assert!(!e.to_string().contains(&bad[12..]), "{e}");
    }
    assert_eq!(s.fake.stats().requests, requests);
    // A revoked key: refused by the provider, its message without the key.
    let revoked = s
        .fake
        .add_admin_key(&org.id, fake_openai_api::KeyKind::ReadOnly);
    s.fake.revoke_key(&revoked);
    let e = s
        .ledger
        .add_plan(NewPlan::openai("Revoked", revoked.clone()))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED", "{e}");
    assert!(!e.to_string().contains(&revoked[9..40]), "{e}");
    assert!(!format!("{e:?}").contains(&revoked[9..40]));
    // A key restricted to the Usage API cannot list projects, keys and users: refused, with
    // the scope it lacks named.
    let usage_only = s
        .fake
        .add_admin_key(&org.id, fake_openai_api::KeyKind::UsageOnly);
    let e = s
        .ledger
        .add_plan(NewPlan::openai("Usage only", usage_only))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED", "{e}");
    assert!(e.to_string().contains("api.management.read"), "{e}");
    // The catalog says which kinds each provider takes.
    let catalog = s.ledger.providers();
    let providers: Vec<Provider> = catalog.iter().map(|p| p.provider).collect();
    assert_eq!(
        providers,
        vec![
            Provider::Anthropic,
            Provider::OpenAi,
            Provider::ClaudeCodeLogs
        ]
    );
}

async fn a_dashboard_across_providers_sums_both_bills(db: TestDb) {
    let days = 25;
    let openai = FakeServer::start(FakeConfig {
        orgs: 1,
        days,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let anthropic = fake_admin_api::FakeServer::start(fake_admin_api::FakeConfig {
        orgs: 1,
        days,
        now: openai.now(),
        ..fake_admin_api::FakeConfig::default()
    })
    .await
    .unwrap();
    let key = MasterKey::generate();
    let clock = FixedClock::new(openai.now());
    let ledger = Ledger::open(config(&db, &key, &openai, Some(&anthropic), &clock))
        .await
        .unwrap();
    let a = ledger
        .add_plan(NewPlan::anthropic(
            "Claude org",
            anthropic.orgs()[0].admin_key.clone(),
        ))
        .await
        .unwrap();
    let o = ledger
        .add_plan(NewPlan::openai(
            "OpenAI org",
            openai.orgs()[0].read_only_key.clone(),
        ))
        .await
        .unwrap();
    let report = ledger
        .sync(
            // The legacy streams: the Anthropic bill compared below is the legacy cost report's.
            SyncOptions::default()
                .streams(SyncStream::LEGACY)
                .initial_backfill(TimeDelta::days(i64::from(days))),
        )
        .await
        .unwrap();
    assert!(report.is_ok(), "{report:#?}");
    let period: Period = "2026-11".parse().unwrap();
    let d = ledger
        .dashboard(DashboardFilter::new(period))
        .await
        .unwrap();
    let in_november = |day: &str| day.starts_with("2026-11");
    let anthropic_bill: u64 = anthropic.truth().orgs[0]
        .cost_per_day
        .iter()
        .filter(|(day, _)| in_november(day))
        .map(|(_, n)| n)
        .sum();
    let openai_bill: u64 = openai.truth().orgs[0]
        .cost_per_day
        .iter()
        .filter(|(day, _)| in_november(day))
        .map(|(_, n)| *n)
        .sum();
    assert!(anthropic_bill > 0 && openai_bill > 0);
    assert_eq!(
        d.totals.billed().nanos() as u64,
        anthropic_bill + openai_bill
    );
    let line = |id: i64| d.per_plan.iter().find(|p| p.plan_id == id).unwrap();
    assert_eq!(line(a.id).provider, Provider::Anthropic);
    assert_eq!(line(o.id).provider, Provider::OpenAi);
    assert_eq!(line(o.id).cost.billed().nanos() as u64, openai_bill);
    assert_eq!(line(a.id).cost.billed().nanos() as u64, anthropic_bill);
    // Filtered by provider: one plan, its bill.
    let only = ledger
        .dashboard(
            DashboardFilter::new("2026-11".parse().unwrap()).providers(vec![Provider::OpenAi]),
        )
        .await
        .unwrap();
    assert_eq!(only.per_plan.len(), 1);
    assert_eq!(only.totals.billed().nanos() as u64, openai_bill);
    // OpenAI projects show as workspaces of their plan; models of both providers are listed.
    assert!(d.per_workspace.iter().any(|w| w.workspace.plan_id == o.id));
    assert!(d.per_model.iter().any(|m| m.model.starts_with("gpt-")));
    assert!(d.per_model.iter().any(|m| m.model.starts_with("claude-")));
    // FOCUS names each row's provider; BilledCost per provider is its bill.
    let rows = ledger
        .focus_rows(FocusFilter::new("2026-11".parse().unwrap()))
        .await
        .unwrap();
    let billed = |provider: &str| -> u64 {
        rows.iter()
            .filter(|r| r.provider_name == provider && r.publisher_name == provider)
            .map(|r| r.billed_cost.nanos() as u64)
            .sum()
    };
    assert_eq!(billed("OpenAI"), openai_bill);
    assert_eq!(billed("Anthropic"), anthropic_bill);
    let keyed = rows
        .iter()
        .find(|r| r.provider_name == "OpenAI" && r.resource_id.is_some())
        .expect("a row billed to an OpenAI key");
    assert_eq!(keyed.x_cost_basis, costledger::Basis::Billed);
    assert_eq!(keyed.service_name, "OpenAI API");
}

async fn key_owners_are_attribution_targets_and_late_data_is_caught(db: TestDb) {
    let s = setup(db, 1, 5).await;
    // Usage and costs keep arriving for the last hours while the first sync runs.
    s.fake.set_faults("late".parse().unwrap());
    let first = s.ledger.sync(sync_options(5)).await.unwrap();
    assert!(first.is_ok(), "{first:#?}");
    s.fake.set_faults(Faults::none());
    let truth = s.fake.truth();
    let late = stored_tokens(&s, &s.plans[0]).await != truth_tokens(&truth.orgs[0]);
    assert!(late, "usage arrived after the first sync read it");
    // The lookback re-reads the late hours: the next sync ends at the truth.
    let again = s.ledger.sync(sync_options(5)).await.unwrap();
    assert!(again.is_ok(), "{again:#?}");
    assert_matches_truth(&s, 5).await;
    // A subject whose email is a key owner's owns that key's billed cost.
    let plan = &s.plans[0];
    let metadata = s.ledger.plan_metadata(plan.id).await.unwrap();
    let org = s.fake.truth().orgs.remove(0);
    let billed = |key: &str| -> u64 {
        org.cost_per_api_key
            .iter()
            .filter(|c| c.id.as_deref() == Some(key))
            .map(|c| c.amount_nanos)
            .sum()
    };
    let (user, expected) = metadata
        .users
        .iter()
        .map(|u| {
            let owned: u64 = metadata
                .api_keys
                .iter()
                .filter(|k| k.created_by_id.as_deref() == Some(u.id.as_str()))
                .map(|k| billed(&k.id))
                .sum();
            (u, owned)
        })
        .max_by_key(|(_, owned)| *owned)
        .expect("users");
    assert!(expected > 0);
    // Plus their share of the lines billed without a key (their Playground usage).
    let expected = expected
        + crate::openai_actors::playground_shares(&org)
            .get(&Some(user.id.clone()))
            .copied()
            .unwrap_or(0) as u64;
    s.ledger
        .upsert_subject(NewSubject::new("dev-1").email(user.email.to_uppercase()))
        .await
        .unwrap();
    let costs = s.ledger.user_costs("dev-1", history(&s, 5)).await.unwrap();
    assert_eq!(costs.total.billed().nanos() as u64, expected);
    assert_eq!(costs.total.estimated.nanos(), 0);
}

/// The source alone, with small pages: every page is whole buckets in order, the pages tile
/// the range, and they hold exactly what one big page holds.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_pages_tile_the_range_and_sum_to_the_big_page() {
    use costledger::source::openai::{OpenAiConfig, OpenAiSource, RetryPolicy};
    use costledger::source::{CostRequest, SourceContext, UsageRequest, UsageSource};
    use costledger::{Credential, PlanSettings, SecretString};
    use futures::TryStreamExt;

    let fake = FakeServer::start(FakeConfig {
        orgs: 1,
        days: 3,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let source = OpenAiSource::new(
        OpenAiConfig::new(fake.base_url())
            .retry_policy(RetryPolicy::for_tests())
            .min_request_interval(Duration::ZERO),
    )
    .unwrap();
    let credential = Credential::AdminKey(SecretString::from(fake.orgs()[0].read_only_key.clone()));
    let settings = PlanSettings::default();
    let ctx = SourceContext {
        plan_id: None,
        credential: Some(&credential),
        settings: &settings,
        requests: None,
        refresher: None,
    };
    let now = fake.now();
    let start = now - TimeDelta::days(2);
    let usage = |per_page: Option<u32>| {
        let mut request = UsageRequest::for_sync(start, now, BucketWidth::Hour);
        request.buckets_per_page = per_page;
        source.usage(ctx, request).try_collect::<Vec<_>>()
    };
    let small = usage(Some(5)).await.unwrap();
    let big = usage(None).await.unwrap();
    assert_eq!(
        (small.len(), big.len()),
        (10, 1),
        "48 hours: 10 pages of 5, or one"
    );
    let mut at = start;
    for page in &small {
        assert_eq!(page.starting_at, at);
        at = page.ending_at;
    }
    assert_eq!(at, now);
    let rows = |pages: &[costledger::UsagePage]| {
        let mut rows: Vec<_> = pages.iter().flat_map(|p| p.rows.clone()).collect();
        rows.sort_by(|a, b| format!("{a:?}").cmp(&format!("{b:?}")));
        rows
    };
    assert_eq!(rows(&small), rows(&big));
    let costs = |days: u32| {
        let mut request = CostRequest::for_sync(start, now);
        request.days_per_page = Some(days);
        source.costs(ctx, request).try_collect::<Vec<_>>()
    };
    let (one, two) = (costs(1).await.unwrap(), costs(2).await.unwrap());
    assert_eq!((one.len(), two.len()), (2, 1));
    let total = |pages: &[costledger::CostPage]| -> i64 {
        pages
            .iter()
            .flat_map(|p| &p.rows)
            .map(|r| r.amount.nanos())
            .sum()
    };
    assert_eq!(total(&one), total(&two));
    assert!(total(&one) > 0);
    // A page size beyond the API's limit is refused before any request.
    let e = usage(Some(169)).await.unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT", "{e}");
    fake.shutdown().await;
}

/// The fake's bill of the non-token line items the price table prices, per day: what a
/// list-price estimate of the same usage must come to.
fn truth_unit_bill(org: &OrgTruth, model: &str) -> BTreeMap<String, i64> {
    let mut out: BTreeMap<String, i64> = BTreeMap::new();
    for r in &org.cost {
        let line = r.line_item.as_str();
        let wanted = match model {
            // The fake's 1792x1792 size is not one the price table knows.
            "dall-e-3" => line.starts_with("dall-e-3 ") && !line.contains("1792x1792"),
            "dall-e-2" => line.starts_with("dall-e-2 "),
            "tts-1" => line == "tts-1, characters",
            "whisper-1" => line == "whisper-1, audio",
            "" => [
                "file search tool calls",
                "code interpreter sessions",
                "Vector storage",
            ]
            .contains(&line),
            _ => unreachable!(),
        };
        if wanted {
            *out.entry(r.day.clone()).or_default() += r.amount_nanos as i64;
        }
    }
    out
}

async fn non_token_usage_is_stored_and_estimated_until_billed(db: TestDb) {
    let s = setup(db, 1, 5).await;
    // Usage only: no day is billed, so every amount is an estimate.
    let options = sync_options(5).streams(&[SyncStream::Metadata, SyncStream::Usage]);
    let report = s.ledger.sync(options).await.unwrap();
    assert!(report.is_ok(), "{report:#?}");
    let plan = &s.plans[0];
    let truth = s.fake.truth();
    let org = &truth.orgs[0];
    let (units, _) = stored_units(&s, plan).await;
    assert_eq!(units, truth_units(org));
    // Whole days strictly inside the history: the first is cut by the backfill start.
    let today = s.fake.now().date_naive();
    let (from, to) = (today - TimeDelta::days(3), today);
    let period: Period = format!("{from}..{to}").parse().unwrap();
    let d = s
        .ledger
        .dashboard(DashboardFilter::new(period).plans(vec![plan.id]))
        .await
        .unwrap();
    assert_eq!(d.totals.billed().nanos(), 0);
    // The unit report: one line per day and combination, summing to the stored rows.
    let lines = s
        .ledger
        .unit_usage(&UnitUsageFilter {
            plan_ids: vec![plan.id],
            ..UnitUsageFilter::new(from, to)
        })
        .await
        .unwrap();
    assert!(lines.iter().all(|l| l.day >= from && l.day < to));
    let days: Vec<String> = (0..3)
        .map(|i| (from + TimeDelta::days(i)).to_string())
        .collect();
    for model in ["dall-e-3", "dall-e-2", "tts-1", "whisper-1", ""] {
        let bill = truth_unit_bill(org, model);
        let expected: i64 = days.iter().filter_map(|d| bill.get(d)).sum();
        // The estimates priced every unit of these models exactly as the fake billed them.
        let line = d.per_model.iter().find(|m| m.model == model);
        let got = line.map_or(0, |m| m.cost.estimated.nanos());
        // Model "" is cost without a model: file search, code interpreter and storage.
        assert_eq!(got, expected, "estimate of {model:?}");
        assert!(expected > 0 || model == "dall-e-2", "{model} has usage");
        let report_estimate: i64 = lines
            .iter()
            .filter(|l| l.model.as_deref().unwrap_or("") == model)
            .filter(|l| !l.variant.as_deref().unwrap_or("").starts_with("1792x1792"))
            .map(|l| l.estimate.expect("priced").nanos())
            .sum();
        assert_eq!(report_estimate, expected, "unit report estimate of {model}");
    }
    // A size the table does not price is reported without an estimate, never at $0.
    let unpriced: Vec<_> = lines
        .iter()
        .filter(|l| l.variant.as_deref().unwrap_or("").starts_with("1792x1792"))
        .collect();
    assert!(unpriced.iter().all(|l| l.estimate.is_none()));
    // Storage is a level: a whole day's line is the level, not 24 times it.
    let storage: BTreeMap<(String, Option<String>), u64> = lines
        .iter()
        .filter(|l| l.unit == UsageUnit::StorageBytes)
        .map(|l| ((l.day.to_string(), l.workspace_id.clone()), l.quantity))
        .collect();
    let levels = truth_levels(org);
    assert!(!storage.is_empty());
    for (key, bytes) in &storage {
        assert_eq!(Some(bytes), levels.get(key), "{key:?}");
    }
    let images: u64 = lines
        .iter()
        .filter(|l| l.unit == UsageUnit::Images)
        .map(|l| l.quantity)
        .sum();
    assert!(images > 0);
    // Billing the days replaces the estimates.
    let report = s.ledger.sync(sync_options(5)).await.unwrap();
    assert!(report.is_ok(), "{report:#?}");
    let period: Period = format!("{from}..{to}").parse().unwrap();
    let d = s
        .ledger
        .dashboard(DashboardFilter::new(period).plans(vec![plan.id]))
        .await
        .unwrap();
    assert_eq!(d.totals.estimated.nanos(), 0);
}

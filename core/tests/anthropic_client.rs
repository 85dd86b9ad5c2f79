//! The Anthropic source against the in-process fake Admin API: exact totals, exact request
//! counts under every fault, credential errors, and no key in any message.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use costledger::source::anthropic::{AnthropicConfig, AnthropicSource, RetryPolicy};
use costledger::source::{
    ClaudeCodeRequest, CostRequest, RequestStats, SourceContext, UsageRequest, UsageSource,
};
use costledger::{
    BucketWidth, CostPage, Credential, Error, Money, PlanSettings, SecretString, TokenCounts,
    UsageDimension, UsagePage,
};
use fake_admin_api::{FakeConfig, FakeServer, Faults, TokenTotals, UsageTruthRow};
use futures::TryStreamExt;

async fn start() -> FakeServer {
    FakeServer::start(FakeConfig::default()).await.unwrap()
}

fn config(server: &FakeServer) -> AnthropicConfig {
    AnthropicConfig::new(server.base_url())
        .retry_policy(RetryPolicy::for_tests())
        .min_request_interval(Duration::ZERO)
        .timeout(Duration::from_secs(20))
}

fn source(server: &FakeServer) -> AnthropicSource {
    AnthropicSource::new(config(server)).unwrap()
}

/// A credential and settings that outlive the contexts borrowing them.
struct Plan {
    credential: Credential,
    settings: PlanSettings,
    plan_id: Option<i64>,
}

impl Plan {
    fn new(key: &str) -> Plan {
        Plan {
            credential: Credential::AdminKey(SecretString::from(key)),
            settings: PlanSettings::default(),
            plan_id: Some(7),
        }
    }

    fn ctx(&self) -> SourceContext<'_> {
        SourceContext {
            plan_id: self.plan_id,
            credential: Some(&self.credential),
            settings: &self.settings,
            requests: None,
            refresher: None,
        }
    }
}

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

fn day_of(at: DateTime<Utc>) -> String {
    at.date_naive().format("%Y-%m-%d").to_string()
}

fn counts(t: &TokenTotals) -> TokenCounts {
    TokenCounts {
        uncached_input: t.uncached_input_tokens as i64,
        cache_write_5m: t.cache_creation_ephemeral_5m_input_tokens as i64,
        cache_write_1h: t.cache_creation_ephemeral_1h_input_tokens as i64,
        cache_read: t.cache_read_input_tokens as i64,
        output: t.output_tokens as i64,
        web_search_requests: t.web_search_requests as i64,
    }
}

type UsageKey = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
);

fn truth_key(r: &UsageTruthRow) -> UsageKey {
    (
        r.day.clone(),
        r.api_key_id.clone(),
        r.workspace_id.clone(),
        Some(r.model.clone()),
        Some(r.service_tier.clone()),
        Some(r.context_window.clone()),
    )
}

/// Usage rows summed per (day, key, workspace, model, tier, window).
fn by_day_and_dims(pages: &[UsagePage]) -> BTreeMap<UsageKey, TokenCounts> {
    let mut out: BTreeMap<UsageKey, TokenCounts> = BTreeMap::new();
    for row in pages.iter().flat_map(|p| &p.rows) {
        let key = (
            day_of(row.bucket_start),
            row.api_key_id.clone(),
            row.workspace_id.clone(),
            row.model.clone(),
            row.service_tier.clone(),
            row.context_window.clone(),
        );
        out.entry(key).or_default().add(&row.tokens);
    }
    out
}

fn total_stats<'a>(stats: impl IntoIterator<Item = &'a RequestStats>) -> RequestStats {
    let mut total = RequestStats::default();
    for s in stats {
        total.add(*s);
    }
    total
}

/// Pages must tile `[start, end)` with no gap and no overlap.
fn assert_tiles(
    ranges: &[(DateTime<Utc>, DateTime<Utc>)],
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) {
    assert_eq!(ranges.first().unwrap().0, start);
    assert_eq!(ranges.last().unwrap().1, end);
    for w in ranges.windows(2) {
        assert_eq!(w[0].1, w[1].0);
    }
}

async fn usage(
    source: &AnthropicSource,
    plan: &Plan,
    request: UsageRequest,
) -> Result<Vec<UsagePage>, Error> {
    source.usage(plan.ctx(), request).try_collect().await
}

async fn costs(
    source: &AnthropicSource,
    plan: &Plan,
    request: CostRequest,
) -> Result<Vec<CostPage>, Error> {
    source.costs(plan.ctx(), request).try_collect().await
}

#[tokio::test]
async fn grouped_hourly_usage_equals_truth_row_by_row() {
    let server = start().await;
    let truth = server.truth();
    let (start, end) = (t(&truth.usage_starting_at), t(&truth.usage_ending_at));
    let source = source(&server);
    for (org, org_truth) in server.orgs().iter().zip(&truth.orgs) {
        let plan = Plan::new(&org.admin_key);
        let pages = usage(
            &source,
            &plan,
            UsageRequest::for_sync(start, end, BucketWidth::Hour),
        )
        .await
        .unwrap();
        // 90 days of hours, 168 buckets a page.
        assert_eq!(pages.len(), 13);
        let ranges: Vec<_> = pages.iter().map(|p| (p.starting_at, p.ending_at)).collect();
        assert_tiles(&ranges, start, end);
        assert!(pages.iter().all(|p| p.width == BucketWidth::Hour));
        let expected: BTreeMap<UsageKey, TokenCounts> = org_truth
            .usage
            .iter()
            .map(|r| (truth_key(r), counts(&r.tokens)))
            .collect();
        let got = by_day_and_dims(&pages);
        assert_eq!(got.len(), expected.len());
        assert_eq!(got, expected);
        let mut total = TokenCounts::default();
        got.values().for_each(|c| total.add(c));
        assert_eq!(total, counts(&org_truth.usage_totals));
        let stats = total_stats(pages.iter().map(|p| &p.stats));
        assert_eq!(
            stats,
            RequestStats {
                requests: 13,
                retries: 0
            }
        );
        assert_eq!(server.stats().requests_for(&org.admin_key), 13);
    }
}

#[tokio::test]
async fn daily_and_ungrouped_usage_equal_truth() {
    let server = start().await;
    let truth = server.truth();
    let (start, end) = (t(&truth.usage_starting_at), t(&truth.usage_ending_at));
    let source = source(&server);
    let org = &server.orgs()[1];
    let org_truth = &truth.orgs[1];
    let plan = Plan::new(&org.admin_key);

    let daily = usage(
        &source,
        &plan,
        UsageRequest::for_sync(start, end, BucketWidth::Day),
    )
    .await
    .unwrap();
    assert_eq!(daily.len(), 3); // 90 days, 31 a page
    let expected: BTreeMap<UsageKey, TokenCounts> = org_truth
        .usage
        .iter()
        .map(|r| (truth_key(r), counts(&r.tokens)))
        .collect();
    assert_eq!(by_day_and_dims(&daily), expected);

    let mut per_day_truth: BTreeMap<String, TokenCounts> = BTreeMap::new();
    for r in &org_truth.usage {
        per_day_truth
            .entry(r.day.clone())
            .or_default()
            .add(&counts(&r.tokens));
    }
    let ungrouped = UsageRequest {
        group_by: Vec::new(),
        ..UsageRequest::for_sync(start, end, BucketWidth::Hour)
    };
    let pages = usage(&source, &plan, ungrouped).await.unwrap();
    let mut per_day: BTreeMap<String, TokenCounts> = BTreeMap::new();
    for row in pages.iter().flat_map(|p| &p.rows) {
        assert!(row.model.is_none() && row.api_key_id.is_none() && row.workspace_id.is_none());
        per_day
            .entry(day_of(row.bucket_start))
            .or_default()
            .add(&row.tokens);
    }
    per_day_truth.retain(|_, c| !c.is_zero());
    assert_eq!(per_day, per_day_truth);
}

#[tokio::test]
async fn cost_report_equals_truth_to_the_nanodollar() {
    let server = start().await;
    let truth = server.truth();
    let (start, end) = (t(&truth.cost_starting_at), t(&truth.cost_ending_at));
    let source = source(&server);
    for (org, org_truth) in server.orgs().iter().zip(&truth.orgs) {
        let plan = Plan::new(&org.admin_key);
        let pages = costs(&source, &plan, CostRequest::for_sync(start, end))
            .await
            .unwrap();
        // A sync asks for a week per page: 90 days are 13 pages.
        let days = (end - start).num_days();
        assert_eq!(pages.len() as i64, (days + 6) / 7);
        let ranges: Vec<_> = pages.iter().map(|p| (p.starting_at, p.ending_at)).collect();
        assert_tiles(&ranges, start, end);
        let mut per_day: BTreeMap<String, u64> = BTreeMap::new();
        let mut rows = BTreeMap::new();
        for row in pages.iter().flat_map(|p| &p.rows) {
            *per_day.entry(day_of(row.bucket_start)).or_default() += row.amount.nanos() as u64;
            let key = (
                day_of(row.bucket_start),
                row.workspace_id.clone(),
                row.model.clone(),
                row.service_tier.clone(),
                row.context_window.clone(),
                row.token_type.clone(),
                row.cost_type.clone().unwrap(),
            );
            *rows.entry(key).or_insert(0u64) += row.amount.nanos() as u64;
        }
        per_day.retain(|_, n| *n > 0);
        assert_eq!(per_day, org_truth.cost_per_day);
        let total: Money = pages.iter().flat_map(|p| &p.rows).map(|r| r.amount).sum();
        assert_eq!(total.nanos() as u64, org_truth.cost_total_nanos);
        let expected: BTreeMap<_, u64> = org_truth
            .cost
            .iter()
            .map(|c| {
                let key = (
                    c.day.clone(),
                    c.workspace_id.clone(),
                    c.model.clone(),
                    c.service_tier.clone(),
                    c.context_window.clone(),
                    c.token_type.clone(),
                    c.cost_type.clone(),
                );
                (key, c.amount_nanos)
            })
            .collect();
        assert_eq!(rows, expected);
    }
}

/// Requests a sequential client needs for `logical` requests when the key's n-th request
/// (from 1) fails whenever `fails(n)`: (requests, retries).
fn simulate(logical: u32, fails: impl Fn(u64) -> bool) -> RequestStats {
    let (mut n, mut done) = (0u64, 0u32);
    while done < logical {
        n += 1;
        if !fails(n) {
            done += 1;
        }
    }
    RequestStats {
        requests: n as u32,
        retries: n as u32 - logical,
    }
}

/// Cost over the 90 days, 7 days a page (13 pages), with `faults` on: exact totals and the
/// exact number of requests and retries it took, by the source's count and the fake's.
async fn cost_under(faults: &str, fails: impl Fn(u64) -> bool) -> (FakeServer, RequestStats) {
    let server = start().await;
    let truth = server.truth();
    let org = server.orgs()[0].clone();
    let plan = Plan::new(&org.admin_key);
    let source = source(&server);
    server.set_faults(faults.parse::<Faults>().unwrap());
    server.reset_stats();
    let request = CostRequest {
        days_per_page: Some(7),
        ..CostRequest::for_sync(t(&truth.cost_starting_at), t(&truth.cost_ending_at))
    };
    let pages = costs(&source, &plan, request).await.unwrap();
    assert_eq!(pages.len(), 13);
    let total: Money = pages.iter().flat_map(|p| &p.rows).map(|r| r.amount).sum();
    assert_eq!(
        total.nanos() as u64,
        truth.orgs[0].cost_total_nanos,
        "{faults}"
    );
    let stats = total_stats(pages.iter().map(|p| &p.stats));
    assert_eq!(stats, simulate(13, fails), "{faults}");
    assert_eq!(
        server.stats().requests_for(&org.admin_key),
        u64::from(stats.requests),
        "{faults}"
    );
    (server, stats)
}

#[tokio::test]
async fn rate_limits_with_fractional_retry_after_are_waited_out() {
    let started = Instant::now();
    let (server, stats) = cost_under("429:3:0.05", |n| n.is_multiple_of(3)).await;
    assert_eq!(
        stats,
        RequestStats {
            requests: 19,
            retries: 6
        }
    );
    assert_eq!(server.stats().faults_of("429"), 6);
    // Each 429 asked for 50 ms; the test backoff alone is a millisecond.
    assert!(started.elapsed() >= Duration::from_millis(300));
}

#[tokio::test]
async fn server_errors_and_overload_are_retried() {
    let (server, stats) = cost_under("500:4", |n| n.is_multiple_of(4)).await;
    assert_eq!(
        stats,
        RequestStats {
            requests: 17,
            retries: 4
        }
    );
    assert_eq!(server.stats().faults_of("500"), 4);
    let (server, stats) = cost_under("529:2", |n| n.is_multiple_of(2)).await;
    assert_eq!(
        stats,
        RequestStats {
            requests: 25,
            retries: 12
        }
    );
    assert_eq!(server.stats().faults_of("529"), 12);
}

#[tokio::test]
async fn truncated_bodies_are_retried() {
    let (server, stats) = cost_under("trunc:3", |n| n.is_multiple_of(3)).await;
    assert_eq!(
        stats,
        RequestStats {
            requests: 19,
            retries: 6
        }
    );
    assert_eq!(server.stats().faults_of("trunc"), 6);

    // Every body cut off: a transport failure (not a malformed body), so all four retries
    // are spent before giving up.
    let key = server.orgs()[0].admin_key.clone();
    server.set_faults("trunc:1".parse().unwrap());
    server.reset_stats();
    let e = source(&server)
        .verify(Plan::new(&key).ctx())
        .await
        .unwrap_err();
    assert_eq!(e.code(), "UPSTREAM");
    assert!(
        e.to_string().contains("cut off") && e.to_string().contains("after 4 retries"),
        "{e}"
    );
    assert_eq!(server.stats().requests_for(&key), 5);
    assert_no_key(&key, &e);
}

#[tokio::test]
async fn every_fault_at_once() {
    // At most four failures in a row, so four retries always get through.
    let faults = "429:5:0.01,500:7,529:3,trunc:11,slow:5";
    let fails = |n: u64| {
        n.is_multiple_of(5) || n.is_multiple_of(7) || n.is_multiple_of(3) || n.is_multiple_of(11)
    };
    let (server, stats) = cost_under(faults, fails).await;
    assert_eq!(
        stats,
        RequestStats {
            requests: 32,
            retries: 19
        }
    );
    assert_eq!(server.stats().faults_of("slow"), 32);
    assert_eq!(server.stats().faults_of("trunc"), 2);

    // The hourly usage sync, grouped, under the brief's mix: exact rows and counts.
    let server = start().await;
    let truth = server.truth();
    let (start, end) = (t(&truth.usage_starting_at), t(&truth.usage_ending_at));
    let org = server.orgs()[1].clone();
    let plan = Plan::new(&org.admin_key);
    let source = source(&server);
    server.set_faults("429:5:0.05,500:7,529:3,slow:10,trunc:9".parse().unwrap());
    let pages = usage(
        &source,
        &plan,
        UsageRequest::for_sync(start, end, BucketWidth::Hour),
    )
    .await
    .unwrap();
    let expected: BTreeMap<UsageKey, TokenCounts> = truth.orgs[1]
        .usage
        .iter()
        .map(|r| (truth_key(r), counts(&r.tokens)))
        .collect();
    assert_eq!(by_day_and_dims(&pages), expected);
    let stats = total_stats(pages.iter().map(|p| &p.stats));
    let fails = |n: u64| {
        n.is_multiple_of(5) || n.is_multiple_of(7) || n.is_multiple_of(3) || n.is_multiple_of(9)
    };
    assert_eq!(stats, simulate(13, fails));
    assert_eq!(
        stats,
        RequestStats {
            requests: 29,
            retries: 16
        }
    );
    assert_eq!(server.stats().requests_for(&org.admin_key), 29);
}

#[tokio::test]
async fn slow_answers_within_the_timeout_are_awaited() {
    let (server, stats) = cost_under("slow:60", |_| false).await;
    assert_eq!(
        stats,
        RequestStats {
            requests: 13,
            retries: 0
        }
    );
    assert_eq!(server.stats().faults_of("slow"), 13);
}

#[tokio::test]
async fn late_data_is_picked_up_by_the_next_sync() {
    let server = start().await;
    let org = server.orgs()[0].clone();
    let plan = Plan::new(&org.admin_key);
    let source = source(&server);
    let before = server.truth();
    let (start, end) = (t(&before.usage_starting_at), t(&before.usage_ending_at));
    server.set_faults(Faults::none().with_late());
    let pages = usage(
        &source,
        &plan,
        UsageRequest::for_sync(start, end, BucketWidth::Hour),
    )
    .await
    .unwrap();
    assert_eq!(server.stats().faults_of("late"), 13);
    // Each page saw the data as it was when it was served; the last page saw none of the
    // late hours grown after it.
    server.set_faults(Faults::none());
    let after = server.truth();
    assert_ne!(after.orgs[0].usage_totals, before.orgs[0].usage_totals);
    let mut first_total = TokenCounts::default();
    pages
        .iter()
        .flat_map(|p| &p.rows)
        .for_each(|r| first_total.add(&r.tokens));
    assert_ne!(first_total, counts(&after.orgs[0].usage_totals));
    let again = usage(
        &source,
        &plan,
        UsageRequest::for_sync(start, end, BucketWidth::Hour),
    )
    .await
    .unwrap();
    let expected: BTreeMap<UsageKey, TokenCounts> = after.orgs[0]
        .usage
        .iter()
        .map(|r| (truth_key(r), counts(&r.tokens)))
        .collect();
    assert_eq!(by_day_and_dims(&again), expected);
}

/// A 16-character window of the key's secret part found in `text`, if any.
fn leaked(key: &str, text: &str) -> Option<String> {
    let secret = key.strip_prefix("sk-ant-admin01-").unwrap();
    (0..=secret.len() - 16)
        .map(|i| &secret[i..i + 16])
        .find(|w| text.contains(w))
        .map(str::to_string)
}

fn assert_no_key(key: &str, e: &Error) {
    for text in [e.to_string(), e.full_message(), format!("{e:?}")] {
        assert_eq!(leaked(key, &text), None, "{text}");
    }
}

#[tokio::test]
async fn a_revoked_key_is_rejected_at_once_without_leaking() {
    let server = start().await;
    let key = server.orgs()[0].admin_key.clone();
    let plan = Plan::new(&key);
    let source = source(&server);
    server.revoke_key(&key);
    let e = source.verify(plan.ctx()).await.unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED");
    let Error::CredentialRejected {
        plan: Some(7),
        status: 401,
        request_id: Some(request_id),
        message,
    } = &e
    else {
        panic!("{e:?}");
    };
    assert_eq!(message, "invalid x-api-key");
    assert!(request_id.starts_with("req_"), "{request_id}");
    let text = e.to_string();
    assert!(text.contains(request_id.as_str()), "{text}");
    assert!(
        text.contains("the provider refused the credential of plan 7"),
        "{text}"
    );
    assert_eq!(server.stats().requests_for(&key), 1);
    assert_no_key(&key, &e);

    // The same from a stream, and from metadata: one request each, no retries.
    let now = server.now();
    let pages = usage(
        &source,
        &plan,
        UsageRequest::for_sync(now - chrono::Duration::days(2), now, BucketWidth::Hour),
    )
    .await;
    assert_eq!(pages.unwrap_err().code(), "CREDENTIAL_REJECTED");
    let e = source.metadata(plan.ctx()).await.unwrap_err();
    assert_eq!(e.code(), "CREDENTIAL_REJECTED");
    assert_eq!(server.stats().requests_for(&key), 3);
}

#[tokio::test]
async fn an_outage_gives_upstream_after_the_retries() {
    let server = start().await;
    let key = server.orgs()[0].admin_key.clone();
    let plan = Plan::new(&key);
    let source = source(&server);
    let truth = server.truth();
    server.set_faults("down:2".parse().unwrap());
    let request = CostRequest {
        days_per_page: Some(7),
        ..CostRequest::for_sync(t(&truth.cost_starting_at), t(&truth.cost_ending_at))
    };
    let mut stream = source.costs(plan.ctx(), request);
    assert!(stream.try_next().await.unwrap().is_some());
    assert!(stream.try_next().await.unwrap().is_some());
    let e = stream.try_next().await.unwrap_err();
    assert_eq!(e.code(), "UPSTREAM");
    let Error::Upstream {
        status: Some(500),
        request_id: Some(request_id),
        ..
    } = &e
    else {
        panic!("{e:?}");
    };
    let text = e.to_string();
    assert!(text.contains("HTTP 500"), "{text}");
    assert!(text.contains(request_id.as_str()), "{text}");
    assert!(text.contains("after 4 retries"), "{text}");
    assert!(text.contains("api_error: Internal server error"), "{text}");
    // Two pages, then one request and four retries.
    assert_eq!(server.stats().requests_for(&key), 2 + 5);
    assert_eq!(server.stats().faults_of("down"), 5);
    assert_no_key(&key, &e);
}

#[tokio::test]
async fn a_rate_limit_storm_gives_rate_limited() {
    let server = start().await;
    let key = server.orgs()[0].admin_key.clone();
    let plan = Plan::new(&key);
    let source = source(&server);
    server.set_faults("429:1:0.01".parse().unwrap());
    let e = source.verify(plan.ctx()).await.unwrap_err();
    assert_eq!(e.code(), "RATE_LIMITED");
    let Error::RateLimited {
        status: 429,
        retries: 4,
        retry_after: Some(wait),
        request_id: Some(request_id),
    } = &e
    else {
        panic!("{e:?}");
    };
    assert_eq!(*wait, Duration::from_millis(10));
    assert!(e.to_string().contains(request_id.as_str()));
    assert!(e.to_string().contains("HTTP 429"));
    assert_eq!(server.stats().requests_for(&key), 5);
    assert_no_key(&key, &e);
}

#[tokio::test]
async fn timeouts_are_retried_then_reported() {
    let server = start().await;
    let key = server.orgs()[0].admin_key.clone();
    let plan = Plan::new(&key);
    let config = config(&server)
        .timeout(Duration::from_millis(50))
        .max_retries(2);
    let source = AnthropicSource::new(config).unwrap();
    server.set_faults("slow:400".parse().unwrap());
    let e = source.verify(plan.ctx()).await.unwrap_err();
    assert_eq!(e.code(), "UPSTREAM");
    let text = e.to_string();
    assert!(
        text.contains("timed out") && text.contains("after 2 retries"),
        "{text}"
    );
    assert_eq!(server.stats().requests_for(&key), 3);
    assert_no_key(&key, &e);
}

#[tokio::test]
async fn debug_output_never_shows_the_key() {
    let server = start().await;
    let key = server.orgs()[0].admin_key.clone();
    let plan = Plan::new(&key);
    let source = source(&server);
    source.verify(plan.ctx()).await.unwrap();
    for text in [
        format!("{source:?}"),
        format!("{source:#?}"),
        format!("{:?}", source.config()),
        format!("{:?}", plan.ctx()),
    ] {
        assert_eq!(leaked(&key, &text), None, "{text}");
    }
    // An unreachable server: the transport error's chain holds no key either.
    let dead = AnthropicSource::new(
        AnthropicConfig::new("http://127.0.0.1:9")
            .retry_policy(RetryPolicy {
                max_retries: 1,
                ..RetryPolicy::for_tests()
            })
            .min_request_interval(Duration::ZERO),
    )
    .unwrap();
    let e = dead.verify(plan.ctx()).await.unwrap_err();
    assert_eq!(e.code(), "UPSTREAM");
    assert!(e.to_string().contains("after 1 retry"), "{e}");
    assert_no_key(&key, &e);
}

#[tokio::test]
async fn requests_of_one_key_are_paced_across_clones() {
    let server = start().await;
    let key = server.orgs()[0].admin_key.clone();
    let other = server.orgs()[1].admin_key.clone();
    let (plan, other_plan) = (Plan::new(&key), Plan::new(&other));
    let source =
        AnthropicSource::new(config(&server).min_request_interval(Duration::from_millis(50)))
            .unwrap();
    let clone = source.clone();
    let started = Instant::now();
    let a = async {
        for _ in 0..3 {
            source.verify(plan.ctx()).await.unwrap();
        }
    };
    let b = async {
        for _ in 0..3 {
            clone.verify(plan.ctx()).await.unwrap();
        }
    };
    let c = async {
        for _ in 0..3 {
            clone.verify(other_plan.ctx()).await.unwrap();
        }
    };
    futures::join!(a, b, c);
    // Six requests of one key: five intervals at least.
    assert!(
        started.elapsed() >= Duration::from_millis(250),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(server.stats().requests_for(&key), 6);
    assert_eq!(server.stats().requests_for(&other), 3);
}

#[tokio::test]
async fn metadata_lists_everything_and_reverifies_the_org() {
    let server = start().await;
    let org = server.orgs()[2].clone();
    let plan = Plan::new(&org.admin_key);
    let source = source(&server);
    let info = source.verify(plan.ctx()).await.unwrap();
    assert_eq!(
        (info.id.as_str(), info.name.as_str()),
        (org.id.as_str(), org.name.as_str())
    );
    let meta = source.metadata(plan.ctx()).await.unwrap();
    assert_eq!(meta.org, Some(info));
    assert_eq!(
        meta.stats,
        RequestStats {
            requests: 4,
            retries: 0
        }
    );
    assert!(meta.workspaces.iter().any(|w| w.archived_at.is_some()));
    let statuses: std::collections::BTreeSet<&str> =
        meta.api_keys.iter().map(|k| k.status.as_str()).collect();
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        ["active", "archived", "expired", "inactive"]
    );
    assert!(meta.api_keys.iter().any(|k| k.workspace_id.is_none()));
    assert!(meta.users.len() >= 4 && meta.users.iter().all(|u| u.email.contains('@')));
    // Every key the usage report names is among them.
    let truth = server.truth();
    for row in &truth.orgs[2].usage {
        if let Some(id) = &row.api_key_id {
            assert!(meta.api_keys.iter().any(|k| &k.id == id), "{id}");
        }
    }
}

#[tokio::test]
async fn claude_code_is_one_page_per_day() {
    let server = start().await;
    let org = server.orgs()[0].clone();
    let plan = Plan::new(&org.admin_key);
    let source = source(&server);
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d).unwrap();
    let request = ClaudeCodeRequest {
        start: day(16),
        end: day(21),
    };
    let pages: Vec<_> = source
        .claude_code(plan.ctx(), request)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        pages.iter().map(|p| p.day).collect::<Vec<_>>(),
        (16..21).map(day).collect::<Vec<_>>()
    );
    assert!(pages.iter().all(|p| p.stats
        == RequestStats {
            requests: 1,
            retries: 0
        }));
    // Complete days have records; today (the 20th) and tomorrow have none yet.
    assert!(pages[..4].iter().any(|p| !p.records.is_empty()));
    assert!(pages[4].records.is_empty());
    for record in pages
        .iter()
        .flat_map(|p| p.records.iter().map(move |r| (p.day, r)))
    {
        let (d, r) = record;
        assert_eq!(r.date, d);
        assert!(!r.models.is_empty() && !r.terminal_type.is_empty());
        assert!(
            r.models
                .iter()
                .all(|m| m.estimated_cost.nanos() % 10_000_000 == 0)
        );
    }
    assert_eq!(server.stats().requests_for(&org.admin_key), 5);
}

#[tokio::test]
async fn bad_requests_are_refused_before_any_request() {
    let server = start().await;
    let key = server.orgs()[0].admin_key.clone();
    let plan = Plan::new(&key);
    let source = source(&server);
    let now = server.now();
    let mut too_many =
        UsageRequest::for_sync(now - chrono::Duration::days(1), now, BucketWidth::Hour);
    too_many.group_by.push(UsageDimension::InferenceGeo);
    let e = usage(&source, &plan, too_many).await.unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    let oversized = UsageRequest {
        buckets_per_page: Some(169),
        ..UsageRequest::for_sync(now - chrono::Duration::days(1), now, BucketWidth::Hour)
    };
    assert_eq!(
        usage(&source, &plan, oversized).await.unwrap_err().code(),
        "INVALID_INPUT"
    );
    // Less than one whole day: nothing to ask for, no request (the API would answer 400).
    let partial = CostRequest::for_sync(now - chrono::Duration::hours(20), now);
    assert!(costs(&source, &plan, partial).await.unwrap().is_empty());
    let no_key = SourceContext {
        plan_id: None,
        credential: None,
        settings: &plan.settings,
        requests: None,
        refresher: None,
    };
    assert_eq!(
        source.verify(no_key).await.unwrap_err().code(),
        "INVALID_INPUT"
    );
    assert_eq!(server.stats().requests, 0);
}

#[tokio::test]
async fn unaligned_ranges_are_shrunk_to_whole_buckets() {
    let server = start().await;
    let key = server.orgs()[0].admin_key.clone();
    let plan = Plan::new(&key);
    let source = source(&server);
    let (start, end) = (t("2026-11-10T10:20:00Z"), t("2026-11-12T05:59:59Z"));
    let request = UsageRequest {
        buckets_per_page: Some(10),
        ..UsageRequest::for_sync(start, end, BucketWidth::Hour)
    };
    let pages = usage(&source, &plan, request).await.unwrap();
    let ranges: Vec<_> = pages.iter().map(|p| (p.starting_at, p.ending_at)).collect();
    assert_tiles(
        &ranges,
        t("2026-11-10T11:00:00Z"),
        t("2026-11-12T05:00:00Z"),
    );
    assert_eq!(pages.len(), 5); // 42 hours, 10 a page
    let truth = server.truth_between(start, end);
    let expected: BTreeMap<UsageKey, TokenCounts> = truth.orgs[0]
        .usage
        .iter()
        .map(|r| (truth_key(r), counts(&r.tokens)))
        .collect();
    assert_eq!(by_day_and_dims(&pages), expected);
}

//! The Analytics API client against the in-process fake Admin API: billed net and list
//! amounts per key, actor, workspace and day equal the fake's ground truth to the
//! nanodollar (also under 429s, 5xx and truncated bodies), groupings reconcile, the
//! "cannot answer" cases come back as their reasons, and no key shows in any message.
//! Spend limits and credential reach: spend_limits_source.rs.

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use costledger::model::{
    Actor, ActorKey, AnalyticsCostRow, AnalyticsDimension, AnalyticsUnavailable,
};
use costledger::source::SourceContext;
use costledger::source::anthropic::{
    AnalyticsRequest, AnthropicConfig, AnthropicSource, RetryPolicy,
};
use costledger::{BucketWidth, Credential, Error, PlanSettings, SecretString};
use fake_admin_api::{AnalyticsAmounts, FakeConfig, FakeServer, Faults, OrgKinds, OrgTruth, Truth};
use futures::TryStreamExt;

fn t(s: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
}

pub(crate) fn source(server: &FakeServer) -> AnthropicSource {
    let config = AnthropicConfig::new(server.base_url())
        .retry_policy(RetryPolicy::for_tests())
        .min_request_interval(Duration::ZERO)
        .timeout(Duration::from_secs(20));
    AnthropicSource::new(config).unwrap()
}

/// A credential and settings that outlive the contexts borrowing them.
pub(crate) struct Plan {
    pub(crate) credential: Credential,
    settings: PlanSettings,
}

impl Plan {
    pub(crate) fn new(key: &str) -> Plan {
        Plan {
            credential: Credential::AdminKey(SecretString::from(key)),
            settings: PlanSettings::default(),
        }
    }

    pub(crate) fn ctx(&self) -> SourceContext<'_> {
        SourceContext {
            plan_id: Some(7),
            credential: Some(&self.credential),
            settings: &self.settings,
            requests: None,
            refresher: None,
        }
    }
}

pub(crate) fn org<'a>(truth: &'a Truth, id: &str) -> &'a OrgTruth {
    truth.orgs.iter().find(|o| o.org_id == id).unwrap()
}

fn day(at: DateTime<Utc>) -> String {
    at.date_naive().format("%Y-%m-%d").to_string()
}

/// (net, list, requests) as the truth states them.
fn truth_cell(a: &AnalyticsAmounts) -> (i64, i64, Option<i64>) {
    (
        a.net_nanos as i64,
        a.list_nanos as i64,
        Some(a.cost_requests as i64),
    )
}

type Cells<K> = BTreeMap<(String, K), (i64, i64, Option<i64>)>;

/// Without the cells that have no cost at all: the truth also has cells of usage that is
/// not billed (Priority Tier), for which the cost report has no row.
fn billed<K: Ord>(cells: Cells<K>) -> Cells<K> {
    cells
        .into_iter()
        .filter(|(_, c)| *c != (0, 0, Some(0)))
        .collect()
}

/// Rows summed per (day, key of the row); requests stay `None` once any row has none.
fn sum_by<K: Ord>(rows: &[AnalyticsCostRow], key: impl Fn(&AnalyticsCostRow) -> K) -> Cells<K> {
    let mut out: Cells<K> = BTreeMap::new();
    for r in rows {
        let cell = out
            .entry((day(r.starting_at), key(r)))
            .or_insert((0, 0, Some(0)));
        cell.0 += r.amount.nanos();
        cell.1 += r.list_amount.nanos();
        cell.2 = match (cell.2, r.requests) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }
    out
}

async fn cost_rows(
    source: &AnthropicSource,
    plan: &Plan,
    request: AnalyticsRequest,
) -> Result<Vec<AnalyticsCostRow>, Error> {
    let pages: Vec<_> = source
        .analytics_cost(plan.ctx(), request)
        .try_collect()
        .await?;
    Ok(pages.into_iter().flat_map(|p| p.rows).collect())
}

fn window(truth: &OrgTruth) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        t(&truth.analytics.starting_at),
        t(&truth.analytics.ending_at),
    )
}

/// Truth actors in costledger's type (the same JSON union).
fn actor(json: &fake_admin_api::ActorJson) -> Actor {
    serde_json::from_value(serde_json::to_value(json).unwrap()).unwrap()
}

#[tokio::test]
async fn net_and_list_per_key_actor_workspace_and_day_equal_the_truth() {
    let server = FakeServer::start(FakeConfig::default()).await.unwrap();
    let source = source(&server);
    let truth = server.truth();
    for credentials in server.orgs() {
        let plan = Plan::new(&credentials.admin_key);
        let org_truth = org(&truth, &credentials.id);
        let (start, end) = window(org_truth);
        let daily = |dims: &[AnalyticsDimension]| {
            AnalyticsRequest::new(start, end)
                .width(BucketWidth::Day)
                .group_by(dims.iter().copied())
        };

        let rows = cost_rows(&source, &plan, daily(&[])).await.unwrap();
        let got = sum_by(&rows, |_| ());
        let want: Cells<()> = org_truth
            .analytics
            .by_day
            .iter()
            .map(|r| ((r.day.clone(), ()), truth_cell(&r.amounts)))
            .collect();
        assert_eq!(billed(got), billed(want), "per day, org {}", credentials.id);
        let net: i64 = rows.iter().map(|r| r.amount.nanos()).sum();
        let list: i64 = rows.iter().map(|r| r.list_amount.nanos()).sum();
        assert_eq!(net, org_truth.analytics.net_total_nanos as i64);
        assert_eq!(list, org_truth.analytics.list_total_nanos as i64);
        if org_truth.analytics.discount_percent > 0 {
            assert!(net < list, "a discounted org's net is below list");
        }

        let rows = cost_rows(&source, &plan, daily(&[AnalyticsDimension::ApiKeyId]))
            .await
            .unwrap();
        let got = sum_by(&rows, |r| r.group.api_key_id.as_deref().map(str::to_string));
        let want: Cells<Option<String>> = org_truth
            .analytics
            .by_api_key
            .iter()
            .map(|r| {
                (
                    (r.day.clone(), r.api_key_id.clone()),
                    truth_cell(&r.amounts),
                )
            })
            .collect();
        assert_eq!(billed(got), billed(want), "per key, org {}", credentials.id);

        let rows = cost_rows(&source, &plan, daily(&[AnalyticsDimension::Actor]))
            .await
            .unwrap();
        let got = sum_by(&rows, |r| r.group.actor.as_ref().unwrap().key());
        let want: Cells<ActorKey> = org_truth
            .analytics
            .by_actor
            .iter()
            .map(|r| {
                (
                    (r.day.clone(), actor(&r.actor).key()),
                    truth_cell(&r.amounts),
                )
            })
            .collect();
        assert_eq!(
            billed(got),
            billed(want),
            "per actor, org {}",
            credentials.id
        );
        // Actor metadata is carried as served (a former member keeps the e-mail).
        for r in &org_truth.analytics.by_actor {
            let served = rows.iter().find(|row| {
                row.group.actor.as_ref().map(Actor::key) == Some(actor(&r.actor).key())
            });
            if let Some(served) = served {
                assert_eq!(served.group.actor.as_ref().unwrap(), &actor(&r.actor));
            }
        }
        assert!(
            rows.iter()
                .any(|r| matches!(r.group.actor, Some(Actor::Federated { .. })))
                || !org_truth
                    .analytics
                    .by_actor
                    .iter()
                    .any(|r| matches!(actor(&r.actor), Actor::Federated { .. })),
            "federated actors are read"
        );

        let rows = cost_rows(&source, &plan, daily(&[AnalyticsDimension::WorkspaceId]))
            .await
            .unwrap();
        let got = sum_by(&rows, |r| {
            r.group.workspace_id.as_deref().map(str::to_string)
        });
        let want: Cells<Option<String>> = org_truth
            .analytics
            .by_workspace
            .iter()
            .map(|r| {
                (
                    (r.day.clone(), r.workspace_id.clone()),
                    truth_cell(&r.amounts),
                )
            })
            .collect();
        assert_eq!(
            billed(got),
            billed(want),
            "per workspace, org {}",
            credentials.id
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn hourly_rows_of_every_dimension_reconcile_with_the_daily_truth() {
    let server = FakeServer::start(FakeConfig::default()).await.unwrap();
    let source = source(&server);
    let truth = server.truth();
    let credentials = &server.orgs()[1];
    let plan = Plan::new(&credentials.admin_key);
    let org_truth = org(&truth, &credentials.id);
    let (start, end) = (t("2026-11-10T00:00:00Z"), t("2026-11-13T00:00:00Z"));
    let request = AnalyticsRequest::new(start, end)
        .group_by(AnalyticsDimension::SYNC_COST.iter().copied())
        .rows_per_page(250);
    let pages: Vec<_> = source
        .analytics_cost(plan.ctx(), request)
        .try_collect()
        .await
        .unwrap();
    assert!(pages.len() > 3, "several pages: {}", pages.len());
    assert!(pages.last().unwrap().last_of_range);
    assert!(pages.iter().all(|p| p.stats.requests >= 1));
    let rows: Vec<_> = pages.into_iter().flat_map(|p| p.rows).collect();
    assert!(
        rows.iter()
            .all(|r| r.ending_at - r.starting_at == chrono::Duration::hours(1))
    );
    // Grouped by cost/token type, a request spans rows: requests are null, never zero.
    assert!(rows.iter().all(|r| r.requests.is_none()));
    assert!(rows.iter().all(|r| r.amount <= r.list_amount));
    let got: BTreeMap<_, _> = sum_by(&rows, |r| r.group.api_key_id.as_deref().map(str::to_string))
        .into_iter()
        .map(|(k, (n, l, _))| (k, (n, l)))
        .collect();
    let want: BTreeMap<_, _> = org_truth
        .analytics
        .by_api_key
        .iter()
        .filter(|r| (day(start)..day(end)).contains(&r.day))
        .map(|r| {
            (
                (r.day.clone(), r.api_key_id.clone()),
                (r.amounts.net_nanos as i64, r.amounts.list_nanos as i64),
            )
        })
        .filter(|(_, (_, l))| *l > 0)
        .collect();
    assert_eq!(got, want);

    // Usage: the day's tokens and requests equal the truth.
    let request = AnalyticsRequest::new(start, end)
        .group_by([AnalyticsDimension::Actor, AnalyticsDimension::Model]);
    let pages: Vec<_> = source
        .analytics_usage(plan.ctx(), request)
        .try_collect()
        .await
        .unwrap();
    let mut per_day: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for r in pages.into_iter().flat_map(|p| p.rows) {
        let cell = per_day.entry(day(r.starting_at)).or_default();
        cell.0 += r.tokens.output;
        cell.1 += r.tokens.total_input();
        cell.2 += r.requests.unwrap();
    }
    for r in org_truth
        .analytics
        .by_day
        .iter()
        .filter(|r| (day(start)..day(end)).contains(&r.day))
    {
        let tk = &r.amounts.tokens;
        let input = tk.uncached_input_tokens
            + tk.cache_creation_ephemeral_5m_input_tokens
            + tk.cache_creation_ephemeral_1h_input_tokens
            + tk.cache_read_input_tokens;
        assert_eq!(
            per_day[&r.day],
            (
                tk.output_tokens as i64,
                input as i64,
                r.amounts.usage_requests as i64
            ),
            "usage of {}",
            r.day
        );
    }
    server.shutdown().await;
}

#[tokio::test]
async fn faults_are_retried_and_totals_stay_exact_with_the_beta_header() {
    let faults = Faults::none()
        .with_rate_limit(4, 0.01)
        .with_500(5)
        .with_truncation(7);
    let server = FakeServer::start(FakeConfig {
        orgs: 1,
        days: 40,
        faults,
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let source = source(&server);
    let truth = server.truth();
    let credentials = &server.orgs()[0];
    let plan = Plan::new(&credentials.admin_key);
    let org_truth = org(&truth, &credentials.id);
    let (start, end) = window(org_truth);
    // 40 days: two windows of at most 31 days, 200 rows a page.
    let request = AnalyticsRequest::new(start, end)
        .group_by([AnalyticsDimension::ApiKeyId])
        .rows_per_page(200);
    let pages: Vec<_> = source
        .analytics_cost(plan.ctx(), request)
        .try_collect()
        .await
        .unwrap();
    let ranges: std::collections::BTreeSet<_> =
        pages.iter().map(|p| (p.range_start, p.range_end)).collect();
    assert_eq!(ranges.len(), 2, "{ranges:?}");
    let retries: u32 = pages.iter().map(|p| p.stats.retries).sum();
    assert!(retries > 0, "faults were met and retried");
    let rows: Vec<_> = pages.into_iter().flat_map(|p| p.rows).collect();
    let net: i64 = rows.iter().map(|r| r.amount.nanos()).sum();
    let list: i64 = rows.iter().map(|r| r.list_amount.nanos()).sum();
    assert_eq!(net, org_truth.analytics.net_total_nanos as i64);
    assert_eq!(list, org_truth.analytics.list_total_nanos as i64);
    let stats = server.stats();
    assert!(
        stats
            .by_endpoint
            .get("analytics/cost")
            .copied()
            .unwrap_or(0)
            > 0,
        "{stats:?}"
    );
    assert!(stats.faults.values().sum::<u64>() > 0);
    server.shutdown().await;
}

fn reason(e: &Error) -> Option<AnalyticsUnavailable> {
    e.analytics_unavailable()
}

#[tokio::test]
async fn the_cannot_answer_cases_come_back_as_reasons() {
    let kinds = OrgKinds::none()
        .with_hipaa(1)
        .with_analytics_beta_disabled(2)
        .with_enterprise(0);
    let server = FakeServer::start_with_kinds(FakeConfig::default(), kinds)
        .await
        .unwrap();
    let source = source(&server);
    let orgs = server.orgs();
    let week = AnalyticsRequest::new(t("2026-11-01T00:00:00Z"), t("2026-11-08T00:00:00Z"));

    let hipaa = Plan::new(&orgs[1].admin_key);
    let e = cost_rows(&source, &hipaa, week.clone()).await.unwrap_err();
    assert_eq!(
        reason(&e),
        Some(AnalyticsUnavailable::HipaaOrganization),
        "{e}"
    );
    assert_eq!(e.code(), "UPSTREAM");
    assert!(!e.to_string().contains(&orgs[1].admin_key));

    let beta_off = Plan::new(&orgs[2].admin_key);
    let e = cost_rows(&source, &beta_off, week.clone())
        .await
        .unwrap_err();
    assert_eq!(
        reason(&e),
        Some(AnalyticsUnavailable::BetaNotEnabled),
        "{e}"
    );

    // Before 2026: known without asking.
    let console = Plan::new(&orgs[0].admin_key);
    server.reset_stats();
    let old = AnalyticsRequest::new(t("2025-12-20T00:00:00Z"), t("2026-01-05T00:00:00Z"));
    let e = cost_rows(&source, &console, old).await.unwrap_err();
    assert_eq!(
        reason(&e),
        Some(AnalyticsUnavailable::BeforeAnalyticsStart),
        "{e}"
    );
    assert_eq!(server.stats().requests, 0);

    // A scoped key without read:analytics.
    let no_scope = server
        .add_scoped_key(&orgs[0].id, &["read:spend_limits"])
        .unwrap();
    let scoped = Plan::new(&no_scope);
    let e = cost_rows(&source, &scoped, week.clone()).await.unwrap_err();
    assert_eq!(reason(&e), Some(AnalyticsUnavailable::MissingScope), "{e}");
    assert!(!e.to_string().contains(&no_scope), "{e}");
    assert!(!format!("{e:?}").contains(&no_scope));
    // The same key with the scope reads analytics.
    let with_scope = server
        .add_scoped_key(&orgs[0].id, &["read:analytics"])
        .unwrap();
    assert!(
        cost_rows(&source, &Plan::new(&with_scope), week)
            .await
            .is_ok()
    );
    server.shutdown().await;

    // Older than 365 days (but after 2026-01-01): the provider says so.
    let server = FakeServer::start(FakeConfig {
        orgs: 1,
        days: 10,
        now: t("2027-03-01T00:00:00Z"),
        ..FakeConfig::default()
    })
    .await
    .unwrap();
    let plan = Plan::new(&server.orgs()[0].admin_key);
    let request = AnalyticsRequest::new(t("2026-02-01T00:00:00Z"), t("2026-02-03T00:00:00Z"));
    let e = cost_rows(&source_for(&server), &plan, request)
        .await
        .unwrap_err();
    assert_eq!(
        reason(&e),
        Some(AnalyticsUnavailable::OlderThan365Days),
        "{e}"
    );
    assert!(
        costledger::source::anthropic::analytics::analytics_earliest(server.now())
            > t("2026-02-03T00:00:00Z")
    );
    server.shutdown().await;
}

fn source_for(server: &FakeServer) -> AnthropicSource {
    source(server)
}

#[tokio::test]
async fn no_key_in_debug_or_errors() {
    let server = FakeServer::start_with_kinds(
        FakeConfig {
            orgs: 2,
            days: 5,
            ..FakeConfig::default()
        },
        OrgKinds::none().with_hipaa(1),
    )
    .await
    .unwrap();
    let source = source(&server);
    let key = server.orgs()[1].admin_key.clone();
    let plan = Plan::new(&key);
    let request = AnalyticsRequest::new(t("2026-11-18T00:00:00Z"), t("2026-11-19T00:00:00Z"));
    let e = cost_rows(&source, &plan, request.clone())
        .await
        .unwrap_err();
    let bad = Plan::new("sk-ant-admin01-not-a-real-key-but-long-enough-0000");
    let rejected = cost_rows(&source, &bad, request.clone()).await.unwrap_err();
    let reach = source
        .credential_reach(bad.ctx(), server.now())
        .await
        .unwrap_err();
    for text in [
        e.to_string(),
        format!("{e:?}"),
        rejected.to_string(),
        format!("{rejected:?}"),
        format!("{reach:?}"),
        format!("{:?}", plan.credential),
        format!("{source:?}"),
        format!("{request:?}"),
    ] {
        assert!(!text.contains(&key), "{text}");
        assert!(!text.contains("not-a-real-key"), "{text}");
    }
    server.shutdown().await;
}

//! Allocation, attribution and reports against the fake Admin API, on SQLite and Postgres.
//! Expected values come from the fake's ground truth and the price table, never from the
//! allocation code under test.

use std::collections::BTreeMap;

use crate::common::TestDb;
use crate::common::fake::{FakeConfig, Synced, synced};
use crate::common::snapshot;
use chrono::{NaiveDate, TimeZone, Utc};
use costledger::pricing::PriceTable;
use costledger::store::{Grain, SeriesOf, SumOver};
use costledger::{
    DashboardFilter, Money, NewKeyMapping, NewSubject, Period, SyncStatus, SyncStream, TokenCounts,
};

backend_tests!(
    allocated_plus_unallocated_equals_the_bill_per_plan_and_day,
    priority_tier_is_estimated_from_the_price_table,
    a_subject_owning_a_workspace_costs_its_bill,
    attribution_by_creator_email_without_a_mapping,
    remapping_moves_history_without_a_sync,
    what_another_process_changes_reaches_reports_at_once,
    a_key_changing_hands_splits_the_month,
    dashboard_totals_lines_and_names,
    periods_in_a_time_zone_read_the_right_hours,
    subscription_fees_and_seat_shares,
    subjects_projects_and_mappings_validate,
    web_search_is_split_among_the_billed_tiers_only,
    missing_prices_cover_exactly_the_period,
);

const OCTOBER: &str = "2026-10";

/// The fake's 90 days synced (a copy of the template every test of this kind shares).
async fn synced_90(db: TestDb) -> Synced {
    let (s, report) = snapshot::synced_90(db).await;
    for plan in &report.plans {
        let allocation = plan.stream(SyncStream::Allocation).expect("allocation ran");
        assert_eq!(allocation.status, SyncStatus::Ok);
        assert_eq!(allocation.buckets_written, 90);
    }
    s
}

fn october_days() -> (String, String) {
    ("2026-10-01".to_string(), "2026-11-01".to_string())
}

fn in_october(day: &str) -> bool {
    let (a, b) = october_days();
    day >= a.as_str() && day < b.as_str()
}

fn day_ts(day: &str) -> i64 {
    NaiveDate::parse_from_str(day, "%Y-%m-%d")
        .unwrap()
        .and_hms_opt(0, 0, 0)
        .unwrap()
        .and_utc()
        .timestamp()
}

fn tokens(t: &fake_admin_api::TokenTotals) -> TokenCounts {
    TokenCounts {
        uncached_input: t.uncached_input_tokens as i64,
        cache_write_5m: t.cache_creation_ephemeral_5m_input_tokens as i64,
        cache_write_1h: t.cache_creation_ephemeral_1h_input_tokens as i64,
        cache_read: t.cache_read_input_tokens as i64,
        output: t.output_tokens as i64,
        web_search_requests: t.web_search_requests as i64,
    }
}

/// The list-price estimate of an org's priority-tier usage, from the truth, filtered.
fn priority_estimate(
    s: &Synced,
    org: &str,
    keep: impl Fn(&fake_admin_api::UsageTruthRow) -> bool,
) -> Money {
    let truth = s.fake.truth();
    truth
        .org(org)
        .unwrap()
        .usage
        .iter()
        .filter(|r| r.service_tier == "priority" && keep(r))
        .map(|r| {
            let date = NaiveDate::parse_from_str(&r.day, "%Y-%m-%d").unwrap();
            PriceTable::bundled()
                .estimate(
                    &r.model,
                    date,
                    &r.service_tier,
                    &r.context_window,
                    &tokens(&r.tokens),
                )
                .expect("the fake's models are priced")
                .total
        })
        .sum()
}

async fn allocated_plus_unallocated_equals_the_bill_per_plan_and_day(db: TestDb) {
    let s = synced_90(db).await;
    let truth = s.fake.truth();
    let store = s.ledger.store();
    for plan in &s.plans {
        let org = plan.org_id.as_deref().unwrap();
        let billed = &truth.org(org).unwrap().cost_per_day;
        let (from, to) = (
            day_ts(&truth.cost_starting_at[..10]),
            day_ts(&truth.cost_ending_at[..10]),
        );
        let mut per_day: BTreeMap<i64, Money> = BTreeMap::new();
        let mut unallocated = Money::ZERO;
        for (day, basis, amount) in store
            .cost_series(
                &[plan.id],
                SumOver::Each(Grain::Day, from, to),
                SeriesOf::Dims(None),
            )
            .await
            .unwrap()
        {
            match basis {
                costledger::Basis::Allocated => *per_day.entry(day).or_default() += amount,
                costledger::Basis::Unallocated => {
                    *per_day.entry(day).or_default() += amount;
                    unallocated += amount;
                }
                _ => {}
            }
        }
        assert!(unallocated > Money::ZERO, "code execution is unallocated");
        assert_eq!(per_day.len(), billed.values().filter(|n| **n > 0).count());
        for (day, nanos) in billed {
            let got = per_day.get(&day_ts(day)).copied().unwrap_or_default();
            assert_eq!(got.nanos() as u64, *nanos, "plan {} day {day}", plan.id);
        }
    }
}

async fn priority_tier_is_estimated_from_the_price_table(db: TestDb) {
    let s = synced_90(db).await;
    let period: Period = OCTOBER.parse().unwrap();
    let dashboard = s
        .ledger
        .dashboard(DashboardFilter::new(period).plans(vec![s.plans[0].id]))
        .await
        .unwrap();
    let org = s.plans[0].org_id.as_deref().unwrap();
    let expected = priority_estimate(&s, org, |r| in_october(&r.day));
    assert!(expected > Money::ZERO, "the fake has priority usage");
    assert_eq!(dashboard.totals.estimated, expected);
    assert!(
        dashboard.missing_prices.is_empty(),
        "{:?}",
        dashboard.missing_prices
    );
}

/// The keys of a non-default workspace of a plan that has no Console (key-less) usage, so
/// that its whole token bill goes to its keys; and the workspace id.
async fn workspace_keys(s: &Synced, plan_index: usize) -> (String, Vec<String>) {
    let org = s.plans[plan_index].org_id.clone().unwrap();
    let truth = s.fake.truth();
    let console: std::collections::HashSet<Option<String>> = truth
        .org(&org)
        .unwrap()
        .usage
        .iter()
        .filter(|r| r.api_key_id.is_none())
        .map(|r| r.workspace_id.clone())
        .collect();
    let meta = s
        .ledger
        .store()
        .metadata(s.plans[plan_index].id)
        .await
        .unwrap();
    let mut by_ws: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for key in &meta.api_keys {
        if let Some(ws) = &key.workspace_id
            && !console.contains(&Some(ws.clone()))
        {
            by_ws.entry(ws.clone()).or_default().push(key.id.clone());
        }
    }
    by_ws
        .into_iter()
        .max_by_key(|(_, keys)| keys.len())
        .expect("a workspace with keys and no Console usage")
}

async fn a_subject_owning_a_workspace_costs_its_bill(db: TestDb) {
    let s = synced_90(db).await;
    let plan = &s.plans[0];
    let org = plan.org_id.as_deref().unwrap();
    let (workspace, keys) = workspace_keys(&s, 0).await;
    s.ledger
        .upsert_subject(NewSubject::new("owner-1").name("Owner"))
        .await
        .unwrap();
    for key in &keys {
        s.ledger
            .map_key(NewKeyMapping::new(plan.id, key.clone(), "owner-1"))
            .await
            .unwrap();
    }
    let costs = s
        .ledger
        .user_costs("owner-1", OCTOBER.parse().unwrap())
        .await
        .unwrap();
    let truth = s.fake.truth();
    let billed: u64 = truth
        .org(org)
        .unwrap()
        .cost
        .iter()
        .filter(|r| in_october(&r.day) && r.workspace_id.as_deref() == Some(workspace.as_str()))
        .filter(|r| r.cost_type == "tokens" || r.cost_type == "web_search")
        .map(|r| r.amount_nanos)
        .sum();
    assert!(billed > 0);
    assert_eq!(
        costs.total.allocated.nanos() as u64,
        billed,
        "the workspace's token and search bill"
    );
    assert_eq!(costs.total.unallocated, Money::ZERO);
    let estimated = priority_estimate(&s, org, |r| {
        in_october(&r.day) && r.workspace_id.as_deref() == Some(workspace.as_str())
    });
    assert_eq!(costs.total.estimated, estimated);
    assert_eq!(costs.per_plan.len(), 1);
    assert_eq!(costs.per_plan[0].label, "Org 1");
    assert_eq!(costs.per_plan[0].cost.total(), costs.total.total());
    assert_eq!(costs.per_day.len(), 31);
    let by_day: Money = costs.per_day.iter().map(|d| d.cost.total()).sum();
    let by_model: Money = costs.per_model.iter().map(|m| m.cost.total()).sum();
    let by_project: Money = costs.per_project.iter().map(|p| p.cost.total()).sum();
    assert_eq!(
        (by_day, by_model, by_project),
        (
            costs.total.total(),
            costs.total.total(),
            costs.total.total()
        )
    );
    assert_eq!(costs.per_project[0].name, "Default");
}

async fn attribution_by_creator_email_without_a_mapping(db: TestDb) {
    let s = synced_90(db).await;
    let plan = &s.plans[0];
    let meta = s.ledger.store().metadata(plan.id).await.unwrap();
    let creator = meta
        .api_keys
        .iter()
        .find_map(|k| k.created_by_id.clone())
        .unwrap();
    let user = meta.users.iter().find(|u| u.id == creator).unwrap();
    let theirs: Vec<&str> = meta
        .api_keys
        .iter()
        .filter(|k| k.created_by_id.as_deref() == Some(creator.as_str()))
        .map(|k| k.id.as_str())
        .collect();
    // Same email, other case: emails are compared without case.
    s.ledger
        .upsert_subject(NewSubject::new("creator").email(user.email.to_uppercase()))
        .await
        .unwrap();
    let by_email = s
        .ledger
        .user_costs("creator", OCTOBER.parse().unwrap())
        .await
        .unwrap();
    assert!(by_email.total.total() > Money::ZERO);
    // The same keys mapped explicitly to another subject give that subject the same total.
    s.ledger
        .upsert_subject(NewSubject::new("mapped"))
        .await
        .unwrap();
    for key in &theirs {
        s.ledger
            .map_key(NewKeyMapping::new(plan.id, *key, "mapped"))
            .await
            .unwrap();
    }
    let mapped = s
        .ledger
        .user_costs("mapped", OCTOBER.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(mapped.total, by_email.total);
    let creator_now = s
        .ledger
        .user_costs("creator", OCTOBER.parse().unwrap())
        .await
        .unwrap();
    assert_eq!(
        creator_now.total.total(),
        Money::ZERO,
        "a mapping wins over the creator's email"
    );
}

/// Subjects "a" and "b", and the first plan's first key of its workspace mapped to "a": the
/// keys and that mapping.
async fn first_key_mapped_to_a(s: &Synced) -> (Vec<String>, costledger::KeyMapping) {
    let (_, keys) = workspace_keys(s, 0).await;
    for id in ["a", "b"] {
        s.ledger.upsert_subject(NewSubject::new(id)).await.unwrap();
    }
    let mapping = s
        .ledger
        .map_key(NewKeyMapping::new(s.plans[0].id, keys[0].clone(), "a"))
        .await
        .unwrap();
    (keys, mapping)
}

async fn remapping_moves_history_without_a_sync(db: TestDb) {
    let s = synced_90(db).await;
    let plan = &s.plans[0];
    let (keys, mapping) = first_key_mapped_to_a(&s).await;
    let period: Period = OCTOBER.parse().unwrap();
    let before = s.ledger.user_costs("a", period).await.unwrap().total;
    assert!(before.total() > Money::ZERO);
    s.ledger.delete_mapping(mapping.id).await.unwrap();
    s.ledger
        .map_key(NewKeyMapping::new(plan.id, keys[0].clone(), "b"))
        .await
        .unwrap();
    assert_a_cost_moved_to_b(&s.ledger, period, before).await;
}

/// After a key moved from subject "a" to "b": "a" costs nothing, "b" what "a" cost `before`,
/// in `user_costs` and in the dashboard's subjects.
async fn assert_a_cost_moved_to_b(
    ledger: &costledger::Ledger,
    period: Period,
    before: costledger::Cost,
) {
    let a = ledger.user_costs("a", period).await.unwrap().total;
    let b = ledger.user_costs("b", period).await.unwrap().total;
    assert_eq!(a.total(), Money::ZERO, "a's cost did not move");
    assert_eq!(b, before);
    let dashboard = ledger
        .dashboard(DashboardFilter::new(period))
        .await
        .unwrap();
    assert!(
        dashboard
            .top_subjects
            .iter()
            .any(|l| l.subject_id == "b" && l.cost == before)
    );
    assert!(!dashboard.top_subjects.iter().any(|l| l.subject_id == "a"));
}

/// Reports keep what attribution read while nothing it reads changes; a change made through
/// another ledger on the same database (as another process would make it) reaches the next
/// report of this one: a key's mapping, and a subject's email that makes them a key's creator.
async fn what_another_process_changes_reaches_reports_at_once(db: TestDb) {
    let s = synced_90(db).await;
    let plan = &s.plans[0];
    let period: Period = OCTOBER.parse().unwrap();
    let other = costledger::Ledger::open(crate::common::fake::config(
        &s.db, &s.key, &s.fake, &s.clock,
    ))
    .await
    .unwrap();
    let (keys, mapping) = first_key_mapped_to_a(&s).await;
    // Read (and kept) by this ledger.
    let a_before = s.ledger.user_costs("a", period).await.unwrap();
    assert!(a_before.total.total() > Money::ZERO);
    let dashboard = s
        .ledger
        .dashboard(DashboardFilter::new(period))
        .await
        .unwrap();
    assert!(dashboard.top_subjects.iter().any(|l| l.subject_id == "a"));

    // The key moves to "b" through the other ledger.
    other.delete_mapping(mapping.id).await.unwrap();
    other
        .map_key(NewKeyMapping::new(plan.id, keys[0].clone(), "b"))
        .await
        .unwrap();
    assert_a_cost_moved_to_b(&s.ledger, period, a_before.total).await;

    // A subject given a key creator's email through the other ledger owns their keys' cost
    // from the next report on (the creator's keys are not mapped to anyone).
    let meta = s.ledger.store().metadata(plan.id).await.unwrap();
    let creator = meta
        .api_keys
        .iter()
        .filter(|k| k.id != keys[0])
        .find_map(|k| k.created_by_id.clone())
        .unwrap();
    let user = meta.users.iter().find(|u| u.id == creator).unwrap();
    s.ledger.upsert_subject(NewSubject::new("c")).await.unwrap();
    assert_eq!(
        s.ledger
            .user_costs("c", period)
            .await
            .unwrap()
            .total
            .total(),
        Money::ZERO
    );
    other
        .upsert_subject(NewSubject::new("c").email(user.email.clone()))
        .await
        .unwrap();
    let c = s.ledger.user_costs("c", period).await.unwrap();
    assert!(
        c.total.total() > Money::ZERO,
        "the kept subject had no email"
    );
}

async fn a_key_changing_hands_splits_the_month(db: TestDb) {
    let s = synced_90(db).await;
    let plan = &s.plans[0];
    let (_, keys) = workspace_keys(&s, 0).await;
    for id in ["first", "second"] {
        s.ledger.upsert_subject(NewSubject::new(id)).await.unwrap();
    }
    let period: Period = OCTOBER.parse().unwrap();
    s.ledger
        .map_key(NewKeyMapping::new(plan.id, keys[0].clone(), "first"))
        .await
        .unwrap();
    let whole = s.ledger.user_costs("first", period).await.unwrap();
    // Handed over on the 15th at 09:00 UTC: the open mapping is closed there.
    let handover = Utc.with_ymd_and_hms(2026, 10, 15, 9, 0, 0).unwrap();
    s.ledger
        .map_key(NewKeyMapping::new(plan.id, keys[0].clone(), "second").from(handover))
        .await
        .unwrap();
    let first = s.ledger.user_costs("first", period).await.unwrap();
    let second = s.ledger.user_costs("second", period).await.unwrap();
    assert_eq!(
        first.total.total() + second.total.total(),
        whole.total.total()
    );
    assert!(first.total.total() > Money::ZERO && second.total.total() > Money::ZERO);
    let day = |c: &costledger::UserCosts, d: u32| c.per_day[(d - 1) as usize].cost.total();
    assert_eq!(day(&first, 16), Money::ZERO);
    assert_eq!(day(&second, 14), Money::ZERO);
    assert_eq!(
        day(&first, 15) + day(&second, 15),
        day(&whole, 15),
        "the 15th is split at 09:00"
    );
    assert!(day(&first, 15) > Money::ZERO || day(&second, 15) > Money::ZERO);
    let mappings = s.ledger.list_mappings(Default::default()).await.unwrap();
    assert_eq!(mappings[0].valid_to, Some(handover));
}

async fn dashboard_totals_lines_and_names(db: TestDb) {
    let s = synced_90(db).await;
    let period: Period = OCTOBER.parse().unwrap();
    let truth = s.fake.truth();
    let d = s
        .ledger
        .dashboard(DashboardFilter::new(period))
        .await
        .unwrap();
    let billed: u64 = truth
        .orgs
        .iter()
        .flat_map(|o| &o.cost_per_day)
        .filter(|(day, _)| in_october(day))
        .map(|(_, n)| n)
        .sum();
    assert_eq!(d.totals.billed().nanos() as u64, billed);
    assert_eq!(d.per_plan.len(), 3);
    let sum = |it: &mut dyn Iterator<Item = Money>| it.sum::<Money>();
    assert_eq!(
        sum(&mut d.per_plan.iter().map(|p| p.cost.total())),
        d.totals.total()
    );
    assert_eq!(
        sum(&mut d.per_workspace.iter().map(|w| w.cost.total())),
        d.totals.total()
    );
    assert_eq!(
        sum(&mut d.per_model.iter().map(|m| m.cost.total())),
        d.totals.total()
    );
    assert_eq!(
        sum(&mut d.daily.iter().map(|x| x.cost.total())),
        d.totals.total()
    );
    assert_eq!(d.daily.len(), 31);
    // Nobody is mapped yet: everything is unattributed.
    assert!(d.top_subjects.is_empty());
    assert_eq!(d.unattributed, d.totals);
    // Workspaces are (plan, workspace); names carry the plan label when several plans show.
    assert!(
        d.per_workspace
            .iter()
            .any(|w| w.workspace.workspace_id.is_none() && w.name == "Default workspace (Org 1)")
    );
    let names: std::collections::HashSet<&str> =
        d.per_workspace.iter().map(|w| w.name.as_str()).collect();
    assert_eq!(names.len(), d.per_workspace.len(), "names are unambiguous");
    assert!(
        d.per_model
            .iter()
            .all(|m| m.model.is_empty() || m.tokens.total_input() + m.tokens.output > 0)
    );
    // One plan: no label suffix; one workspace: its share only, no fees.
    let one = s
        .ledger
        .dashboard(DashboardFilter::new(period).plans(vec![s.plans[1].id]))
        .await
        .unwrap();
    assert!(
        one.per_workspace
            .iter()
            .any(|w| w.name == "Default workspace")
    );
    let ws = one.per_workspace[0].workspace.clone();
    let only = s
        .ledger
        .dashboard(DashboardFilter::new(period).workspace(ws.plan_id, ws.workspace_id.clone()))
        .await
        .unwrap();
    assert_eq!(only.totals, one.per_workspace[0].cost);
    assert_eq!(
        sum(&mut only.daily.iter().map(|x| x.cost.total())),
        only.totals.total()
    );
    let e = s
        .ledger
        .dashboard(DashboardFilter::new(period).plans(vec![999]))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "PLAN_NOT_FOUND");
}

async fn periods_in_a_time_zone_read_the_right_hours(db: TestDb) {
    let s = synced_90(db).await;
    let ids: Vec<i64> = s.plans.iter().map(|p| p.id).collect();
    let store = s.ledger.store();
    let la: Period = "2026-10 America/Los_Angeles".parse().unwrap();
    let d = s.ledger.dashboard(DashboardFilter::new(la)).await.unwrap();
    // October in Los Angeles is PDT throughout: Oct 1 07:00 UTC to Nov 1 07:00 UTC.
    let (from, to) = (
        Utc.with_ymd_and_hms(2026, 10, 1, 7, 0, 0)
            .unwrap()
            .timestamp(),
        Utc.with_ymd_and_hms(2026, 11, 1, 7, 0, 0)
            .unwrap()
            .timestamp(),
    );
    // The facts of every hour of the period, summed per hour.
    let per_hour: BTreeMap<i64, Money> = store
        .cost_series(
            &ids,
            SumOver::Each(Grain::Hour, from, to),
            SeriesOf::Dims(None),
        )
        .await
        .unwrap()
        .into_iter()
        .fold(BTreeMap::new(), |mut m, (at, _, amount)| {
            *m.entry(at).or_insert(Money::ZERO) += amount;
            m
        });
    assert_eq!(d.totals.usage(), per_hour.values().copied().sum());
    let utc = s
        .ledger
        .dashboard(DashboardFilter::new(OCTOBER.parse().unwrap()))
        .await
        .unwrap();
    assert_ne!(d.totals, utc.totals, "seven hours at each end differ");
    let daily: Money = d.daily.iter().map(|x| x.cost.total()).sum();
    assert_eq!(daily, d.totals.total());
    // Each local day is exactly its 24 hours of facts (07:00 UTC to 07:00 UTC).
    assert_eq!(d.daily.len(), 31);
    for (i, day) in d.daily.iter().enumerate() {
        let start = from + i as i64 * 86_400;
        let expected: Money = per_hour.range(start..start + 86_400).map(|(_, m)| *m).sum();
        assert_eq!(day.cost.usage(), expected, "{}", day.date);
    }
    // A DST change: November 1st in Los Angeles has 25 hours.
    let fall: Period = "2026-11-01 America/Los_Angeles".parse().unwrap();
    let day = s
        .ledger
        .dashboard(DashboardFilter::new(fall))
        .await
        .unwrap();
    let (a, b) = (
        Utc.with_ymd_and_hms(2026, 11, 1, 7, 0, 0)
            .unwrap()
            .timestamp(),
        Utc.with_ymd_and_hms(2026, 11, 2, 8, 0, 0)
            .unwrap()
            .timestamp(),
    );
    let expected: Money = store
        .cost_series(&ids, SumOver::Each(Grain::Hour, a, b), SeriesOf::Dims(None))
        .await
        .unwrap()
        .into_iter()
        .map(|(_, _, m)| m)
        .sum();
    assert_eq!(day.totals.usage(), expected);
    assert_eq!(day.daily.len(), 1);
    // user_costs in a zone: the subject's days follow the zone too.
    let (_, keys) = workspace_keys(&s, 0).await;
    s.ledger
        .upsert_subject(NewSubject::new("tz"))
        .await
        .unwrap();
    s.ledger
        .map_key(NewKeyMapping::new(s.plans[0].id, keys[0].clone(), "tz"))
        .await
        .unwrap();
    let c = s.ledger.user_costs("tz", la).await.unwrap();
    assert_eq!(
        c.per_day.iter().map(|x| x.cost.total()).sum::<Money>(),
        c.total.total()
    );
}

async fn subscription_fees_and_seat_shares(db: TestDb) {
    use costledger::{BillingCycle, PlanUpdate, Subscription, SubscriptionTier};
    let s = synced_90(db).await;
    let plan = &s.plans[0];
    // Annual Team premium, 10 seats at a custom $1500/seat/year, anchored on Jan 31.
    let sub = Subscription::new(
        SubscriptionTier::TeamPremium,
        10,
        NaiveDate::from_ymd_opt(2026, 1, 31).unwrap(),
    )
    .cycle(BillingCycle::Annual)
    .price_per_seat("1500".parse().unwrap());
    s.ledger
        .update_plan(plan.id, PlanUpdate::new().subscription(sub.clone()))
        .await
        .unwrap();
    let period: Period = OCTOBER.parse().unwrap();
    let d = s
        .ledger
        .dashboard(DashboardFilter::new(period))
        .await
        .unwrap();
    // The period Jan 31 2026 - Jan 31 2027 is 365 days; October is 31 of them.
    let fee = Money::from_nanos((15_000_000_000_000i128 * 31 / 365) as i64);
    let line = d.per_plan.iter().find(|p| p.plan_id == plan.id).unwrap();
    assert!(
        (line.cost.subscription.nanos() - fee.nanos()).abs() <= 1,
        "{} vs {}",
        line.cost.subscription,
        fee
    );
    assert_eq!(d.totals.subscription, line.cost.subscription);
    // A subject who is a member of the org holds a seat: a tenth of it.
    let meta = s.ledger.store().metadata(plan.id).await.unwrap();
    s.ledger
        .upsert_subject(NewSubject::new("member").email(meta.users[0].email.clone()))
        .await
        .unwrap();
    let c = s.ledger.user_costs("member", period).await.unwrap();
    assert_eq!(c.seats.len(), 1);
    assert_eq!(c.seats[0].seats, 10);
    assert!((c.seats[0].amount.nanos() * 10 - line.cost.subscription.nanos()).abs() <= 10);
    assert_eq!(c.total.subscription, c.seats[0].amount);
}

async fn subjects_projects_and_mappings_validate(db: TestDb) {
    let s = synced(
        db,
        FakeConfig {
            days: 2,
            ..FakeConfig::default()
        },
    )
    .await;
    let plan = s.plans[0].id;
    let subject = s
        .ledger
        .upsert_subject(
            NewSubject::new(" u-1 ")
                .email("Ada@Example.com")
                .name("Ada"),
        )
        .await
        .unwrap();
    assert_eq!(subject.id, "u-1");
    let e = s
        .ledger
        .upsert_subject(NewSubject::new("u-2").email("ada@example.COM"))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CONFLICT");
    assert!(
        e.to_string().contains("already belongs to subject \"u-1\""),
        "{e}"
    );
    let projects = s.ledger.list_projects(Some("u-1")).await.unwrap();
    assert_eq!(
        (
            projects.len(),
            projects[0].is_default,
            projects[0].name.as_str()
        ),
        (1, true, "Default")
    );
    let research = s.ledger.create_project("u-1", " Research ").await.unwrap();
    assert_eq!(research.name, "Research");
    assert_eq!(
        s.ledger
            .create_project("u-1", "Research")
            .await
            .unwrap_err()
            .code(),
        "CONFLICT"
    );
    assert_eq!(
        s.ledger
            .create_project("nobody", "x")
            .await
            .unwrap_err()
            .code(),
        "SUBJECT_NOT_FOUND"
    );
    assert_eq!(
        s.ledger
            .create_project("u-1", "")
            .await
            .unwrap_err()
            .to_string(),
        "project name must be 1-200 characters, got 0"
    );
    let e = s.ledger.delete_project(projects[0].id).await.unwrap_err();
    assert!(e.to_string().contains("default project"), "{e}");
    s.ledger
        .upsert_subject(NewSubject::new("u-3"))
        .await
        .unwrap();
    let other_project = s.ledger.create_project("u-3", "Theirs").await.unwrap();
    let e = s
        .ledger
        .map_key(NewKeyMapping::new(plan, "apikey_x", "u-1").project(other_project.id))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("belongs to subject \"u-3\""), "{e}");
    assert_eq!(
        s.ledger
            .map_key(NewKeyMapping::new(999, "apikey_x", "u-1"))
            .await
            .unwrap_err()
            .code(),
        "PLAN_NOT_FOUND"
    );
    assert_eq!(
        s.ledger
            .map_key(NewKeyMapping::new(plan, "apikey_x", "ghost"))
            .await
            .unwrap_err()
            .code(),
        "SUBJECT_NOT_FOUND"
    );
    let t = |d| Utc.with_ymd_and_hms(2026, 10, d, 0, 0, 0).unwrap();
    let e = s
        .ledger
        .map_key(
            NewKeyMapping::new(plan, "apikey_x", "u-1")
                .from(t(5))
                .until(t(5)),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("must end after it starts"), "{e}");
    let m = s
        .ledger
        .map_key(
            NewKeyMapping::new(plan, "apikey_x", "u-1")
                .from(t(1))
                .until(t(10))
                .project(research.id),
        )
        .await
        .unwrap();
    let e = s
        .ledger
        .map_key(NewKeyMapping::new(plan, "apikey_x", "u-3").from(t(5)))
        .await
        .unwrap_err();
    assert_eq!(e.code(), "CONFLICT");
    assert!(e.to_string().contains(&format!("mapping {}", m.id)), "{e}");
    s.ledger
        .map_key(NewKeyMapping::new(plan, "apikey_x", "u-3").from(t(10)))
        .await
        .unwrap();
    let ended = s.ledger.end_mapping(m.id, t(8)).await.unwrap();
    assert_eq!(ended.valid_to, Some(t(8)));
    assert_eq!(
        s.ledger.end_mapping(m.id, t(9)).await.unwrap_err().code(),
        "INVALID_INPUT"
    );
    assert_eq!(
        s.ledger.delete_mapping(12345).await.unwrap_err().code(),
        "MAPPING_NOT_FOUND"
    );
    s.ledger.delete_project(research.id).await.unwrap();
    let mapped = s
        .ledger
        .list_mappings(costledger::MappingFilter {
            subject_id: Some("u-1".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        mapped[0].project_id, None,
        "falls back to the default project"
    );
    s.ledger.delete_subject("u-1").await.unwrap();
    assert_eq!(
        s.ledger.get_subject("u-1").await.unwrap_err().code(),
        "SUBJECT_NOT_FOUND"
    );
    assert_eq!(
        s.ledger
            .user_costs("u-1", OCTOBER.parse().unwrap())
            .await
            .unwrap_err()
            .code(),
        "SUBJECT_NOT_FOUND"
    );
}

/// The model whose price depends on `inference_geo`, which the usage report does not show:
/// a key's share of its lines is by tokens, not its own rate, so it is left out of the exact
/// per-key comparison below.
const GEO_PRICED: &str = "claude-opus-4-6";

/// What the documented allocation gives one key per model in October, computed from the
/// fake's truth alone: each token line by the key's tokens of its type, each web search line
/// (day, workspace) by the key's searches among the usage the bill covers, and the usage the
/// bill leaves out estimated at list prices. Exact for models priced one rate per line.
fn expected_per_model(
    truth: &fake_admin_api::OrgTruth,
    key: &str,
) -> BTreeMap<String, (Money, Money)> {
    type Line = (String, Option<String>, String, String, String);
    let rows: Vec<&fake_admin_api::UsageTruthRow> =
        truth.usage.iter().filter(|r| in_october(&r.day)).collect();
    let covered: std::collections::HashSet<Line> = truth
        .cost
        .iter()
        .filter(|c| in_october(&c.day) && c.cost_type == "tokens")
        .map(|c| {
            (
                c.day.clone(),
                c.workspace_id.clone(),
                c.model.clone().unwrap(),
                c.service_tier.clone().unwrap(),
                c.context_window.clone().unwrap(),
            )
        })
        .collect();
    let line_of = |r: &fake_admin_api::UsageTruthRow| -> Line {
        (
            r.day.clone(),
            r.workspace_id.clone(),
            r.model.clone(),
            r.service_tier.clone(),
            r.context_window.clone(),
        )
    };
    let share = |amount: u64, part: i64, whole: i64| -> Money {
        let n = i128::from(amount) * i128::from(part);
        assert_eq!(
            n % i128::from(whole),
            0,
            "one rate per line: an exact share"
        );
        Money::from_nanos((n / i128::from(whole)) as i64)
    };
    // The rows of each line, and of each (day, workspace) the bill covers: looked up per cost
    // line rather than scanned, so the expectation is linear in the truth's size.
    let mut by_line: std::collections::HashMap<Line, Vec<&fake_admin_api::UsageTruthRow>> =
        std::collections::HashMap::new();
    let mut billed_by_day: std::collections::HashMap<
        (String, Option<String>),
        Vec<&fake_admin_api::UsageTruthRow>,
    > = std::collections::HashMap::new();
    for r in &rows {
        let line = line_of(r);
        if covered.contains(&line) {
            billed_by_day
                .entry((r.day.clone(), r.workspace_id.clone()))
                .or_default()
                .push(r);
        }
        by_line.entry(line).or_default().push(r);
    }
    let mut out: BTreeMap<String, (Money, Money)> = BTreeMap::new();
    for c in truth.cost.iter().filter(|c| in_october(&c.day)) {
        match c.cost_type.as_str() {
            "tokens" => {
                let token_type: costledger::TokenType =
                    c.token_type.as_deref().unwrap().parse().unwrap();
                let line = (
                    c.day.clone(),
                    c.workspace_id.clone(),
                    c.model.clone().unwrap(),
                    c.service_tier.clone().unwrap(),
                    c.context_window.clone().unwrap(),
                );
                if line.2 == GEO_PRICED {
                    continue;
                }
                let of_line = by_line.get(&line).map_or(&[][..], Vec::as_slice);
                let whole: i64 = of_line
                    .iter()
                    .map(|r| tokens(&r.tokens).get(token_type))
                    .sum();
                let part: i64 = of_line
                    .iter()
                    .filter(|r| r.api_key_id.as_deref() == Some(key))
                    .map(|r| tokens(&r.tokens).get(token_type))
                    .sum();
                if part > 0 {
                    out.entry(line.2).or_default().0 += share(c.amount_nanos, part, whole);
                }
            }
            "web_search" => {
                let billed = billed_by_day
                    .get(&(c.day.clone(), c.workspace_id.clone()))
                    .map_or(&[][..], Vec::as_slice);
                let whole: i64 = billed
                    .iter()
                    .map(|r| r.tokens.web_search_requests as i64)
                    .sum();
                for r in billed {
                    if r.api_key_id.as_deref() == Some(key)
                        && r.model != GEO_PRICED
                        && r.tokens.web_search_requests > 0
                    {
                        out.entry(r.model.clone()).or_default().0 +=
                            share(c.amount_nanos, r.tokens.web_search_requests as i64, whole);
                    }
                }
            }
            _ => {}
        }
    }
    for r in rows.iter().filter(|r| r.api_key_id.as_deref() == Some(key)) {
        if covered.contains(&line_of(r)) || r.model == GEO_PRICED {
            continue;
        }
        let date = NaiveDate::parse_from_str(&r.day, "%Y-%m-%d").unwrap();
        let estimate = PriceTable::bundled()
            .estimate(
                &r.model,
                date,
                &r.service_tier,
                &r.context_window,
                &tokens(&r.tokens),
            )
            .unwrap()
            .total;
        out.entry(r.model.clone()).or_default().1 += estimate;
    }
    out
}

async fn web_search_is_split_among_the_billed_tiers_only(db: TestDb) {
    let s = synced_90(db).await;
    let plan = &s.plans[0];
    let truth = s.fake.truth();
    let org = truth.org(plan.org_id.as_deref().unwrap()).unwrap();
    // The case that matters is there: priority usage with web searches, beside billed ones.
    assert!(org.usage.iter().any(|r| in_october(&r.day)
        && r.service_tier == "priority"
        && r.tokens.web_search_requests > 0
        && r.api_key_id.is_some()));
    let keys: Vec<String> = s
        .ledger
        .store()
        .metadata(plan.id)
        .await
        .unwrap()
        .api_keys
        .into_iter()
        .map(|k| k.id)
        .collect();
    let mut compared = 0;
    for (i, key) in keys.iter().enumerate() {
        let subject = format!("key-{i}");
        s.ledger
            .upsert_subject(NewSubject::new(subject.clone()))
            .await
            .unwrap();
        s.ledger
            .map_key(NewKeyMapping::new(plan.id, key.clone(), subject.clone()))
            .await
            .unwrap();
        let costs = s
            .ledger
            .user_costs(&subject, OCTOBER.parse().unwrap())
            .await
            .unwrap();
        let expected = expected_per_model(org, key);
        let got: BTreeMap<String, (Money, Money)> = costs
            .per_model
            .iter()
            .filter(|m| m.model != GEO_PRICED)
            .map(|m| (m.model.clone(), (m.cost.allocated, m.cost.estimated)))
            .collect();
        assert_eq!(got, expected, "key {key}: (allocated, estimated) per model");
        compared += expected.len();
    }
    assert!(compared > 5, "compared {compared} key-model lines");
    // The plan's bill stays exact.
    let dashboard = s
        .ledger
        .dashboard(DashboardFilter::new(OCTOBER.parse().unwrap()).plans(vec![plan.id]))
        .await
        .unwrap();
    let bill: u64 = org
        .cost
        .iter()
        .filter(|c| in_october(&c.day))
        .map(|c| c.amount_nanos)
        .sum();
    assert_eq!(dashboard.totals.billed().nanos() as u64, bill);
}

/// Hourly usage rows written straight to the store: `(hour, model, uncached input tokens)`.
async fn store_usage(s: &Synced, plan_id: i64, rows: &[(&str, &str, i64)]) {
    let at = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .unwrap()
            .with_timezone(&Utc)
    };
    let page = costledger::UsagePage {
        width: costledger::BucketWidth::Hour,
        starting_at: at("2026-10-04T00:00:00Z"),
        ending_at: at("2026-10-07T00:00:00Z"),
        units: Vec::new(),
        rows: rows
            .iter()
            .map(|(hour, model, input)| costledger::UsageRow {
                bucket_start: at(hour),
                api_key_id: Some("apikey_unpriced".into()),
                workspace_id: None,
                model: Some((*model).into()),
                service_tier: Some("standard".into()),
                context_window: Some("0-200k".into()),
                inference_geo: None,
                actor_id: None,
                tokens: TokenCounts {
                    uncached_input: *input,
                    ..Default::default()
                },
            })
            .collect(),
        stats: Default::default(),
    };
    s.ledger
        .store()
        .replace_usage_page(plan_id, &page, None)
        .await
        .unwrap();
    let day = |d| NaiveDate::from_ymd_opt(2026, 10, d).unwrap();
    s.ledger
        .rebuild_cost_facts(plan_id, day(4), day(7))
        .await
        .unwrap();
}

async fn missing_prices_cover_exactly_the_period(db: TestDb) {
    let s = synced(
        db,
        FakeConfig {
            orgs: 1,
            days: 2,
            ..FakeConfig::default()
        },
    )
    .await;
    let plan = s.plans[0].id;
    const UNKNOWN: &str = "claude-imaginary-9";
    const SONNET: &str = "claude-sonnet-4-5-20250929";
    store_usage(
        &s,
        plan,
        &[
            ("2026-10-04T23:00:00Z", UNKNOWN, 1),
            ("2026-10-05T00:00:00Z", UNKNOWN, 10),
            ("2026-10-05T01:00:00Z", SONNET, 1_000_000),
            ("2026-10-05T06:00:00Z", UNKNOWN, 100),
            ("2026-10-05T23:00:00Z", UNKNOWN, 1_000),
            ("2026-10-06T03:00:00Z", UNKNOWN, 10_000),
            ("2026-10-06T08:00:00Z", UNKNOWN, 100_000),
        ],
    )
    .await;
    let dashboard = |period: &str| {
        let filter = DashboardFilter::new(period.parse().unwrap()).plans(vec![plan]);
        s.ledger.dashboard(filter)
    };
    let missing = |d: &costledger::Dashboard| -> Vec<(String, i64)> {
        d.missing_prices
            .iter()
            .map(|m| (m.model.clone(), m.tokens))
            .collect()
    };
    // A UTC day: its 24 hours, not the day after.
    let utc = dashboard("2026-10-05").await.unwrap();
    assert_eq!(missing(&utc), vec![(UNKNOWN.to_string(), 1_110)]);
    let line = &utc.missing_prices[0];
    assert_eq!(
        (
            line.plan_id,
            line.service_tier.as_str(),
            line.context_window.as_str()
        ),
        (plan, "standard", "0-200k")
    );
    // The same date in Los Angeles: 07:00 UTC to 07:00 UTC the next day.
    let la = dashboard("2026-10-05 America/Los_Angeles").await.unwrap();
    assert_eq!(missing(&la), vec![(UNKNOWN.to_string(), 11_000)]);
    // An unpriced model is in per_model, with its tokens and its cost unknown.
    for (d, unpriced) in [(&utc, 1_110), (&la, 11_000)] {
        let model = d.per_model.iter().find(|m| m.model == UNKNOWN).unwrap();
        assert_eq!(model.tokens.uncached_input, unpriced);
        assert_eq!(model.unpriced_tokens, unpriced);
        assert!(model.cost_unknown);
        assert!(model.cost.is_zero());
    }
    let sonnet = utc.per_model.iter().find(|m| m.model == SONNET).unwrap();
    assert_eq!((sonnet.unpriced_tokens, sonnet.cost_unknown), (0, false));
    assert_eq!(sonnet.cost.estimated, Money::from_cents(300));
    assert!(la.per_model.iter().all(|m| m.model != SONNET));
    // Another workspace has none of it.
    let other = s
        .ledger
        .dashboard(
            DashboardFilter::new("2026-10-05".parse().unwrap())
                .workspace(plan, Some("wrkspc_elsewhere".into())),
        )
        .await
        .unwrap();
    assert!(other.missing_prices.is_empty());
    assert!(other.per_model.is_empty());
    // A day an older schema kept per day: migration 20261206000009 drops its unpriced rows
    // and marks the day stale, and the next report derives it again, per hour.
    let day = day_ts("2026-10-05");
    let store = s.ledger.store();
    store.mark_stale(plan, day, day + 86_400).await.unwrap();
    let generation = store
        .stale_days(&[plan], Some((day, day + 86_400)), None, 10)
        .await
        .unwrap()[0]
        .generation;
    let emptied = costledger::store::DayFacts {
        day,
        ..Default::default()
    };
    assert!(
        store
            .replace_day_facts(plan, &emptied, generation)
            .await
            .unwrap()
    );
    store.mark_stale(plan, day, day + 86_400).await.unwrap();
    let again = s
        .ledger
        .dashboard(DashboardFilter::new("2026-10-05".parse().unwrap()).plans(vec![plan]))
        .await
        .unwrap();
    assert_eq!(missing(&again), vec![(UNKNOWN.to_string(), 1_110)]);
}

//! Exports against the fake Admin API, on SQLite and Postgres: JSON that parses back to the
//! same totals, RFC 4180 CSV of every report, and the FOCUS layout whose BilledCost adds up
//! to the fake's bill exactly.

use std::collections::BTreeMap;

use crate::common::TestDb;
use crate::common::fake::{FakeConfig, Synced, synced};
use crate::common::snapshot::synced_90;
use chrono::{NaiveDate, TimeZone, Utc};
use costledger::reports::FOCUS_COLUMNS;
use costledger::reports::export::{
    DASHBOARD_COLUMNS, SYNC_EVENT_COLUMNS, SYNC_REPORT_COLUMNS, USER_COSTS_COLUMNS,
};
use costledger::{
    BudgetPeriod, BudgetScope, DashboardFilter, Export, FocusFilter, Money, NewBudget,
    NewKeyMapping, NewSubject, Period, SyncHistoryFilter,
};

backend_tests!(
    json_parses_back_to_the_same_totals,
    every_csv_has_its_header_and_adds_up,
    csv_quotes_commas_quotes_and_line_breaks,
    focus_billed_cost_is_the_bill,
    focus_in_a_time_zone_and_a_key_changing_hands,
    focus_quantities_add_up_to_the_usage,
    focus_counts_usage_once_on_a_day_with_two_bases,
);

const OCTOBER: &str = "2026-10";
const AMOUNTS: [&str; 7] = [
    "total",
    "billed",
    "billed_per_key",
    "allocated",
    "unallocated",
    "estimated",
    "subscription",
];

/// An RFC 4180 reader for the tests: records of fields, quotes undone.
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            (true, '"') => quoted = false,
            (true, c) => field.push(c),
            (false, '"') if field.is_empty() => quoted = true,
            (false, ',') => record.push(std::mem::take(&mut field)),
            (false, '\r') => assert_eq!(chars.next(), Some('\n'), "CR must start CRLF"),
            (false, '\n') => panic!("a record must end with CRLF"),
            (false, c) => field.push(c),
        }
        if !quoted && c == '\r' {
            record.push(std::mem::take(&mut field));
            records.push(std::mem::take(&mut record));
        }
    }
    assert!(
        record.is_empty() && field.is_empty(),
        "the last record ends with CRLF"
    );
    records
}

/// Records as maps from column to field, checking every record has the header's width.
fn rows(text: &str) -> (Vec<String>, Vec<BTreeMap<String, String>>) {
    let mut records = parse_csv(text).into_iter();
    let header = records.next().expect("a header line");
    let rows = records
        .map(|r| {
            assert_eq!(r.len(), header.len(), "{r:?}");
            header.iter().cloned().zip(r).collect()
        })
        .collect();
    (header, rows)
}

fn columns(leading: &[&str]) -> Vec<String> {
    leading
        .iter()
        .chain(AMOUNTS.iter())
        .map(|s| s.to_string())
        .collect()
}

fn money(text: &str) -> Money {
    Money::parse_dollars(text).unwrap_or_else(|e| panic!("{text:?}: {e}"))
}

fn sum(rows: &[BTreeMap<String, String>], column: &str) -> Money {
    rows.iter().map(|r| money(&r[column])).sum()
}

/// Map the keys of plan 0's first workspace with keys to `subject`; returns the keys.
async fn map_some_keys(s: &Synced, subject: &str) -> Vec<String> {
    let meta = s.ledger.store().metadata(s.plans[0].id).await.unwrap();
    let ws = meta
        .api_keys
        .iter()
        .find_map(|k| k.workspace_id.clone())
        .unwrap();
    let keys: Vec<String> = meta
        .api_keys
        .iter()
        .filter(|k| k.workspace_id.as_deref() == Some(ws.as_str()))
        .map(|k| k.id.clone())
        .collect();
    for key in &keys {
        s.ledger
            .map_key(NewKeyMapping::new(s.plans[0].id, key.clone(), subject))
            .await
            .unwrap();
    }
    keys
}

async fn json_parses_back_to_the_same_totals(db: TestDb) {
    let (s, report) = synced_90(db).await;
    let period: Period = OCTOBER.parse().unwrap();
    let d = s
        .ledger
        .dashboard(DashboardFilter::new(period))
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&d.to_json().unwrap()).unwrap();
    assert_eq!(v["period"]["start"], "2026-10-01");
    for part in AMOUNTS {
        let expected = match part {
            "total" => d.totals.total(),
            "billed" => d.totals.billed(),
            "billed_per_key" => d.totals.billed_per_key,
            "allocated" => d.totals.allocated,
            "unallocated" => d.totals.unallocated,
            "estimated" => d.totals.estimated,
            _ => d.totals.subscription,
        };
        assert_eq!(
            money(v["totals"][part].as_str().unwrap()),
            expected,
            "{part}"
        );
    }
    let per_day: Money = v["daily"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| money(x["cost"]["total"].as_str().unwrap()))
        .sum();
    assert_eq!(per_day, d.totals.total());

    s.ledger
        .upsert_subject(NewSubject::new("ada").name("Ada"))
        .await
        .unwrap();
    map_some_keys(&s, "ada").await;
    let c = s.ledger.user_costs("ada", period).await.unwrap();
    assert!(c.total.total() > Money::ZERO);
    let v: serde_json::Value = serde_json::from_str(&c.to_json().unwrap()).unwrap();
    assert_eq!(v["subject"]["id"], "ada");
    assert_eq!(
        money(v["total"]["total"].as_str().unwrap()),
        c.total.total()
    );
    assert_eq!(v["per_day"].as_array().unwrap().len(), 31);

    let v: serde_json::Value = serde_json::from_str(&report.to_json().unwrap()).unwrap();
    assert_eq!(v["plans"].as_array().unwrap().len(), 3);
    let rows: i64 = v["plans"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["streams"].as_array().unwrap())
        .map(|x| x["rows_written"].as_i64().unwrap())
        .sum();
    assert_eq!(rows, report.rows_written());

    let events = s
        .ledger
        .sync_history(SyncHistoryFilter::default())
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&events.to_json().unwrap()).unwrap();
    assert_eq!(v.as_array().unwrap().len(), events.len());
    assert_eq!(v[0]["id"], events[0].id);

    let focus = s.ledger.focus_rows(FocusFilter::new(period)).await.unwrap();
    let v: serde_json::Value = serde_json::from_str(&focus.to_json().unwrap()).unwrap();
    let billed: Money = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| money(r["BilledCost"].as_str().unwrap()))
        .sum();
    assert_eq!(billed, d.totals.billed());
}

async fn every_csv_has_its_header_and_adds_up(db: TestDb) {
    let (s, report) = synced_90(db).await;
    let period: Period = OCTOBER.parse().unwrap();
    let d = s
        .ledger
        .dashboard(DashboardFilter::new(period))
        .await
        .unwrap();
    let (header, dash) = rows(&d.to_csv().unwrap());
    assert_eq!(header, columns(&DASHBOARD_COLUMNS));
    let section = |name: &str| -> Vec<BTreeMap<String, String>> {
        dash.iter()
            .filter(|r| r["section"] == name)
            .cloned()
            .collect()
    };
    let total = section("total");
    assert_eq!(total.len(), 1);
    assert_eq!(total[0]["period"], "2026-10");
    assert_eq!(money(&total[0]["total"]), d.totals.total());
    for (name, count) in [
        ("plan", d.per_plan.len()),
        ("workspace", d.per_workspace.len()),
        ("model", d.per_model.len()),
        ("day", 31),
    ] {
        let lines = section(name);
        assert_eq!(lines.len(), count, "{name}");
        assert_eq!(sum(&lines, "total"), d.totals.total(), "{name} adds up");
        assert_eq!(sum(&lines, "billed"), d.totals.billed(), "{name} billed");
    }
    assert_eq!(section("day")[0]["date"], "2026-10-01");
    assert_eq!(section("unattributed").len(), 1);
    assert!(
        section("workspace")
            .iter()
            .any(|r| r["workspace_id"].is_empty()
                && r["name"] == "Default workspace (Org 1)"
                && r["plan_label"] == "Org 1")
    );

    s.ledger
        .upsert_subject(NewSubject::new("ada").email("ada@example.com"))
        .await
        .unwrap();
    map_some_keys(&s, "ada").await;
    let c = s.ledger.user_costs("ada", period).await.unwrap();
    let (header, uc) = rows(&c.to_csv().unwrap());
    assert_eq!(header, columns(&USER_COSTS_COLUMNS));
    assert!(uc.iter().all(|r| r["subject_id"] == "ada"));
    let days: Vec<_> = uc
        .iter()
        .filter(|r| r["section"] == "day")
        .cloned()
        .collect();
    assert_eq!(days.len(), 31);
    assert_eq!(sum(&days, "total"), c.total.total());
    let total = uc.iter().find(|r| r["section"] == "total").unwrap();
    assert_eq!(total["name"], "ada@example.com");
    assert_eq!(money(&total["allocated"]), c.total.allocated);

    let (header, sync_rows) = rows(&report.to_csv().unwrap());
    assert_eq!(header, SYNC_REPORT_COLUMNS);
    let streams: usize = report.plans.iter().map(|p| p.streams.len()).sum();
    assert_eq!(sync_rows.len(), streams + report.budget_alerts.len());
    let written: i64 = sync_rows
        .iter()
        .map(|r| r["rows_written"].parse::<i64>().unwrap())
        .sum();
    assert_eq!(written, report.rows_written());
    assert!(sync_rows[0]["started_at"].ends_with('Z'));

    let events = s
        .ledger
        .sync_history(SyncHistoryFilter::default())
        .await
        .unwrap();
    let (header, ev) = rows(&events.to_csv().unwrap());
    assert_eq!(header, SYNC_EVENT_COLUMNS);
    assert_eq!(ev.len(), events.len());
    assert_eq!(ev[0]["id"], events[0].id.to_string());
    let (header, none) = rows(&Vec::<costledger::SyncEvent>::new().to_csv().unwrap());
    assert_eq!((header.len(), none.len()), (SYNC_EVENT_COLUMNS.len(), 0));

    let (header, focus) = rows(
        &s.ledger
            .focus_export(FocusFilter::new(period))
            .await
            .unwrap(),
    );
    assert_eq!(header, FOCUS_COLUMNS);
    assert_eq!(sum(&focus, "BilledCost"), d.totals.billed());

    // Budgets and forecasts: columns are their JSON fields, nested objects joined by dots.
    s.ledger
        .create_budget(NewBudget::new(
            "Everything, \"all\" of it",
            BudgetScope::Global,
            Money::from_cents(100_000),
            BudgetPeriod::Month,
        ))
        .await
        .unwrap();
    let statuses = s.ledger.budget_statuses().await.unwrap();
    let (header, budgets) = rows(&statuses.to_csv().unwrap());
    assert!(header.contains(&"budget.name".to_string()), "{header:?}");
    assert!(header.contains(&"spent.total".to_string()), "{header:?}");
    assert_eq!(budgets[0]["budget.name"], "Everything, \"all\" of it");
    assert_eq!(money(&budgets[0]["spent.total"]), statuses[0].spent.total());
    let forecast = s
        .ledger
        .forecast(&BudgetScope::Global, period)
        .await
        .unwrap();
    let (header, one) = rows(&forecast.to_csv().unwrap());
    assert!(header.contains(&"method".to_string()), "{header:?}");
    assert_eq!(one.len(), 1);
    assert_eq!(one[0]["method"], forecast.method);
}

async fn csv_quotes_commas_quotes_and_line_breaks(db: TestDb) {
    let (s, _) = synced_90(db).await;
    // Subject names refuse control characters; workspace names come from the provider.
    let name = "Doe, \"JJ\" Junior";
    s.ledger
        .upsert_subject(NewSubject::new("jj").name(name))
        .await
        .unwrap();
    map_some_keys(&s, "jj").await;
    let plan = s.plans[0].id;
    let mut meta = s.ledger.store().metadata(plan).await.unwrap();
    let workspace = "Research, \"R&D\"\nand\r\nops";
    meta.workspaces[0].name = workspace.to_string();
    s.ledger.store().upsert_metadata(plan, &meta).await.unwrap();
    let period: Period = OCTOBER.parse().unwrap();
    let d = s
        .ledger
        .dashboard(DashboardFilter::new(period).plans(vec![plan]))
        .await
        .unwrap();
    let text = d.to_csv().unwrap();
    assert!(text.contains("\"Doe, \"\"JJ\"\" Junior\""), "quoted");
    assert!(
        text.contains("\"Research, \"\"R&D\"\"\nand\r\nops\""),
        "quoted"
    );
    let (_, dash) = rows(&text);
    let line = dash
        .iter()
        .find(|r| r["section"] == "subject")
        .expect("a subject line");
    assert_eq!(
        (line["subject_id"].as_str(), line["name"].as_str()),
        ("jj", name)
    );
    let ws = dash
        .iter()
        .find(|r| r["workspace_id"] == meta.workspaces[0].id)
        .expect("the renamed workspace's line");
    assert_eq!(ws["name"], workspace);
    let c = s.ledger.user_costs("jj", period).await.unwrap();
    let (_, uc) = rows(&c.to_csv().unwrap());
    assert_eq!(uc[0]["name"], name);
    let (_, focus) = rows(
        &s.ledger
            .focus_export(FocusFilter::new(period).plans(vec![plan]))
            .await
            .unwrap(),
    );
    assert!(focus.iter().any(|r| r["SubAccountName"] == workspace));
}

fn instant(text: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(text)
        .unwrap()
        .timestamp()
}

async fn focus_billed_cost_is_the_bill(db: TestDb) {
    let (s, _) = synced_90(db).await;
    let truth = s.fake.truth();
    let day = |t: &str| NaiveDate::parse_from_str(&t[..10], "%Y-%m-%d").unwrap();
    let period = Period::dates(day(&truth.cost_starting_at), day(&truth.cost_ending_at)).unwrap();
    let (header, focus) = rows(
        &s.ledger
            .focus_export(FocusFilter::new(period))
            .await
            .unwrap(),
    );
    assert_eq!(header, FOCUS_COLUMNS);
    let billed: u64 = truth
        .orgs
        .iter()
        .flat_map(|o| o.cost_per_day.values())
        .sum();
    assert_eq!(sum(&focus, "BilledCost").nanos() as u64, billed);
    let d = s
        .ledger
        .dashboard(DashboardFilter::new(period))
        .await
        .unwrap();
    assert_eq!(sum(&focus, "EffectiveCost"), d.totals.usage());
    for r in &focus {
        assert_eq!(r["ChargeCategory"], "Usage");
        assert_eq!(r["BillingCurrency"], "USD");
        assert_eq!(r["ProviderName"], "Anthropic");
        assert_eq!(r["ServiceCategory"], "AI and Machine Learning");
        assert_eq!(r["ChargeFrequency"], "Usage-Based");
        assert_eq!(
            instant(&r["ChargePeriodEnd"]) - instant(&r["ChargePeriodStart"]),
            86_400
        );
        assert!(r["BillingPeriodStart"].ends_with("-01T00:00:00Z"), "{r:?}");
        let tags: BTreeMap<String, String> = serde_json::from_str(&r["Tags"]).unwrap();
        assert_eq!(tags["costledger/basis"], r["x_CostBasis"]);
        match r["x_CostBasis"].as_str() {
            "estimated" => {
                assert_eq!(money(&r["BilledCost"]), Money::ZERO);
                assert!(money(&r["EffectiveCost"]) > Money::ZERO);
            }
            "allocated" => {
                assert_eq!(r["BilledCost"], r["EffectiveCost"]);
                assert!(r["PricingQuantity"].parse::<i64>().unwrap() > 0);
            }
            "unallocated" => {
                assert_eq!(r["BilledCost"], r["EffectiveCost"]);
                assert_eq!(r["ResourceId"], "");
            }
            other => panic!("basis {other}"),
        }
    }
    assert!(focus.iter().any(|r| r["x_CostBasis"] == "estimated"));
    assert!(focus.iter().any(|r| r["x_CostBasis"] == "unallocated"));
    // Per plan, BilledCost is that org's bill.
    for plan in &s.plans {
        let org = plan.org_id.clone().unwrap();
        let theirs: Vec<_> = focus
            .iter()
            .filter(|r| r["BillingAccountId"] == org)
            .cloned()
            .collect();
        let bill: u64 = truth.org(&org).unwrap().cost_per_day.values().sum();
        assert_eq!(sum(&theirs, "BilledCost").nanos() as u64, bill, "{org}");
    }
    let only = s
        .ledger
        .focus_rows(FocusFilter::new(period).plans(vec![s.plans[1].id]))
        .await
        .unwrap();
    assert!(
        only.iter()
            .all(|r| r.billing_account_id == s.plans[1].org_id.clone().unwrap())
    );
    assert_eq!(
        s.ledger
            .focus_export(FocusFilter::new(period).plans(vec![999]))
            .await
            .unwrap_err()
            .code(),
        "PLAN_NOT_FOUND"
    );
}

async fn focus_in_a_time_zone_and_a_key_changing_hands(db: TestDb) {
    let (s, _) = synced_90(db).await;
    let la: Period = "2026-10 America/Los_Angeles".parse().unwrap();
    let focus = s.ledger.focus_rows(FocusFilter::new(la)).await.unwrap();
    let d = s.ledger.dashboard(DashboardFilter::new(la)).await.unwrap();
    let effective: Money = focus.iter().map(|r| r.effective_cost).sum();
    assert_eq!(effective, d.totals.usage());
    let start = Utc.with_ymd_and_hms(2026, 10, 1, 7, 0, 0).unwrap();
    assert_eq!(focus[0].charge_period_start, start);
    assert!(focus.iter().all(|r| r.charge_period_start >= start));
    let end = Utc.with_ymd_and_hms(2026, 11, 1, 7, 0, 0).unwrap();
    assert!(focus.iter().any(|r| r.charge_period_end == end));
    assert!(focus.iter().all(|r| r.charge_period_end <= end));

    for id in ["first", "second"] {
        s.ledger.upsert_subject(NewSubject::new(id)).await.unwrap();
    }
    let keys = map_some_keys(&s, "first").await;
    let handover = Utc.with_ymd_and_hms(2026, 10, 15, 9, 0, 0).unwrap();
    s.ledger
        .map_key(NewKeyMapping::new(s.plans[0].id, keys[0].clone(), "second").from(handover))
        .await
        .unwrap();
    let october: Period = OCTOBER.parse().unwrap();
    let focus = s
        .ledger
        .focus_rows(FocusFilter::new(october))
        .await
        .unwrap();
    for id in ["first", "second"] {
        let theirs: Money = focus
            .iter()
            .filter(|r| r.tags.get("costledger/subject_id").map(String::as_str) == Some(id))
            .map(|r| r.effective_cost)
            .sum();
        let costs = s.ledger.user_costs(id, october).await.unwrap();
        assert_eq!(theirs, costs.total.usage(), "{id}");
        assert!(theirs > Money::ZERO, "{id}");
    }
    assert!(
        focus.iter().any(|r| r.charge_period_start == handover
            && r.resource_id.as_deref() == Some(keys[0].as_str())),
        "the 15th is split at the handover"
    );
    let d = s
        .ledger
        .dashboard(DashboardFilter::new(october))
        .await
        .unwrap();
    assert_eq!(
        focus.iter().map(|r| r.billed_cost).sum::<Money>(),
        d.totals.billed()
    );
}

async fn focus_quantities_add_up_to_the_usage(db: TestDb) {
    let (s, _) = synced_90(db).await;
    let focus = s
        .ledger
        .focus_rows(FocusFilter::new(OCTOBER.parse().unwrap()))
        .await
        .unwrap();
    let truth = s.fake.truth();
    for plan in &s.plans {
        let org = plan.org_id.clone().unwrap();
        let mut expected: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for r in &truth.org(&org).unwrap().usage {
            if r.day.starts_with(OCTOBER) {
                let t = &r.tokens;
                let e = expected.entry(r.day.clone()).or_default();
                e.0 += (t.uncached_input_tokens
                    + t.cache_creation_ephemeral_5m_input_tokens
                    + t.cache_creation_ephemeral_1h_input_tokens
                    + t.cache_read_input_tokens
                    + t.output_tokens) as i64;
                e.1 += t.web_search_requests as i64;
            }
        }
        let mut got: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for r in focus.iter().filter(|r| r.billing_account_id == org) {
            let e = got
                .entry(r.charge_period_start.date_naive().to_string())
                .or_default();
            e.0 += r.consumed_quantity;
            e.1 += r
                .tags
                .get("costledger/web_search_requests")
                .map_or(0, |n| n.parse::<i64>().unwrap());
            assert_eq!(r.pricing_quantity, r.consumed_quantity);
        }
        assert_eq!(got.len(), 31);
        assert_eq!(got, expected, "tokens and searches per day of {org}");
    }
}

async fn focus_counts_usage_once_on_a_day_with_two_bases(db: TestDb) {
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
    let at = |t: &str| {
        chrono::DateTime::parse_from_rfc3339(t)
            .unwrap()
            .with_timezone(&Utc)
    };
    let hour = at("2026-10-05T01:00:00Z");
    let tokens = costledger::TokenCounts {
        uncached_input: 700,
        output: 300,
        web_search_requests: 5,
        ..Default::default()
    };
    let page = costledger::UsagePage {
        width: costledger::BucketWidth::Hour,
        starting_at: at("2026-10-05T00:00:00Z"),
        ending_at: at("2026-10-06T00:00:00Z"),
        units: Vec::new(),
        rows: vec![costledger::UsageRow {
            bucket_start: hour,
            api_key_id: Some("apikey_both".into()),
            workspace_id: None,
            model: Some("claude-sonnet-4-5-20250929".into()),
            service_tier: Some("standard".into()),
            context_window: Some("0-200k".into()),
            inference_geo: None,
            actor_id: None,
            tokens,
        }],
        stats: Default::default(),
    };
    let store = s.ledger.store();
    store.replace_usage_page(plan, &page, None).await.unwrap();
    let dim = store.dims(&[plan]).await.unwrap()[0].id;
    // A day whose usage is part billed and part estimated, $0.03 and $0.01.
    let (allocated, estimated) = (Money::from_cents(3), Money::from_cents(1));
    let (h, day) = (hour.timestamp(), at("2026-10-05T00:00:00Z").timestamp());
    use costledger::Basis::{Allocated, Estimated};
    // The usage page marked the day stale; these facts stand for its derivation.
    let generation = store
        .stale_days(&[plan], Some((day, day + 86_400)), None, 10)
        .await
        .unwrap()[0]
        .generation;
    store
        .replace_day_facts(
            plan,
            &costledger::store::DayFacts {
                day,
                facts: vec![
                    costledger::store::Fact {
                        hour: h,
                        dim_id: dim,
                        basis: Allocated,
                        amount: allocated,
                    },
                    costledger::store::Fact {
                        hour: h,
                        dim_id: dim,
                        basis: Estimated,
                        amount: estimated,
                    },
                ],
                daily: vec![(dim, Allocated, allocated), (dim, Estimated, estimated)],
                hourly_ws: vec![
                    (h, String::new(), Allocated, allocated),
                    (h, String::new(), Estimated, estimated),
                ],
                daily_ws: vec![
                    (String::new(), Allocated, allocated),
                    (String::new(), Estimated, estimated),
                ],
                usage: vec![(dim, tokens)],
                unpriced: Vec::new(),
            },
            generation,
        )
        .await
        .unwrap();
    for period in ["2026-10-05", "2026-10-04 America/Los_Angeles"] {
        let rows = s
            .ledger
            .focus_rows(FocusFilter::new(period.parse().unwrap()))
            .await
            .unwrap();
        assert_eq!(rows.len(), 2, "{period}: {rows:#?}");
        let quantity: i64 = rows.iter().map(|r| r.consumed_quantity).sum();
        assert_eq!(quantity, 1_000, "{period}: the day's tokens, once");
        // Split by amount, 3:1, so both rows have the same unit cost.
        let by_basis: BTreeMap<String, (i64, String)> = rows
            .iter()
            .map(|r| {
                (
                    r.x_cost_basis.to_string(),
                    (
                        r.consumed_quantity,
                        r.tags["costledger/web_search_requests"].clone(),
                    ),
                )
            })
            .collect();
        assert_eq!(by_basis["allocated"], (750, "4".to_string()), "{period}");
        assert_eq!(by_basis["estimated"], (250, "1".to_string()), "{period}");
    }
}

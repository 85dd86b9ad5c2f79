//! Reports of a Claude Code logs plan: days in UTC and in a time zone, months, sessions and
//! 5-hour blocks, with estimated costs and the models missing a price.

use chrono::{NaiveDate, TimeZone, Utc};
use costledger::source::claude_code_logs::{LogReportOptions, LogUsage};
use costledger::{Money, NewPlan};

use crate::common::TestDb;
use crate::logs_support::corpus::{Tokens, append, assistant_line};
use crate::logs_support::ledger::{logs_plan, open, open_at, sync};

backend_tests!(
    days_follow_the_time_zone_and_months_the_calendar,
    sessions_and_blocks_cut_like_ccusage,
    costs_are_estimates_and_unknown_models_are_listed,
    reports_need_a_logs_plan_and_valid_options,
    weeks_projects_and_zones_of_every_offset,
);

const SONNET: &str = "claude-sonnet-4-5-20250929";

fn ms(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
    Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
        .unwrap()
        .timestamp_millis()
}

/// One entry of `output` output tokens, and `input` input tokens.
fn line(session: &str, id: &str, at: i64, model: &str, input: i64, output: i64) -> String {
    let t = Tokens {
        input,
        output,
        cache_creation: 0,
        cache_read: 0,
    };
    assistant_line(
        session,
        Some(id),
        Some(&format!("r{id}")),
        false,
        at,
        model,
        &t,
        None,
        5,
    )
}

fn outputs(usage: &LogUsage) -> (i64, i64) {
    (usage.entries, usage.tokens.output)
}

async fn days_follow_the_time_zone_and_months_the_calendar(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app").join("s1.jsonl");
    // 14:30 and 15:30 UTC on January 5th: 23:30 on the 5th and 00:30 on the 6th in Tokyo.
    append(
        &file,
        &line("s1", "a", ms(2026, 1, 5, 14, 30), SONNET, 1, 10),
    );
    append(
        &file,
        &line("s1", "b", ms(2026, 1, 5, 15, 30), SONNET, 1, 20),
    );
    // 23:00 on January 31st and 01:00 on February 1st, UTC.
    append(
        &file,
        &line("s1", "c", ms(2026, 1, 31, 23, 0), SONNET, 1, 40),
    );
    append(&file, &line("s1", "d", ms(2026, 2, 1, 1, 0), SONNET, 1, 80));
    let ledger = open(&db).await;
    let plan = logs_plan(&ledger, &[dir.path()]).await;
    sync(&ledger, &plan).await;
    let days = |tz: Option<&str>| LogReportOptions {
        time_zone: tz.map(String::from),
        ..Default::default()
    };
    let utc = ledger
        .claude_code_logs_daily(plan.id, &days(None))
        .await
        .unwrap();
    let got: Vec<(String, (i64, i64))> = utc
        .iter()
        .map(|d| (d.period.clone(), outputs(&d.usage)))
        .collect();
    assert_eq!(
        got,
        [
            ("2026-01-05".into(), (2, 30)),
            ("2026-01-31".into(), (1, 40)),
            ("2026-02-01".into(), (1, 80))
        ]
    );
    let tokyo = ledger
        .claude_code_logs_daily(plan.id, &days(Some("Asia/Tokyo")))
        .await
        .unwrap();
    let got: Vec<(String, (i64, i64))> = tokyo
        .iter()
        .map(|d| (d.period.clone(), outputs(&d.usage)))
        .collect();
    assert_eq!(
        got,
        [
            ("2026-01-05".into(), (1, 10)),
            ("2026-01-06".into(), (1, 20)),
            ("2026-02-01".into(), (2, 120))
        ]
    );
    let months = ledger
        .claude_code_logs_monthly(plan.id, &days(None))
        .await
        .unwrap();
    let got: Vec<(String, (i64, i64))> = months
        .iter()
        .map(|m| (m.period.clone(), outputs(&m.usage)))
        .collect();
    assert_eq!(
        got,
        [("2026-01".into(), (3, 70)), ("2026-02".into(), (1, 80))]
    );
    // since and until are days in the report's time zone, both included.
    let window = LogReportOptions {
        time_zone: Some("Asia/Tokyo".into()),
        since: NaiveDate::from_ymd_opt(2026, 1, 6),
        until: NaiveDate::from_ymd_opt(2026, 1, 6),
        project: None,
    };
    let got = ledger
        .claude_code_logs_daily(plan.id, &window)
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].period.as_str(), outputs(&got[0].usage)),
        ("2026-01-06", (1, 20))
    );
}

async fn sessions_and_blocks_cut_like_ccusage(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("-home-app").join("sa.jsonl");
    let b = dir.path().join("-home-api").join("sb.jsonl");
    append(&a, &line("sa", "1", ms(2026, 1, 5, 10, 20), SONNET, 1, 1));
    append(&a, &line("sa", "2", ms(2026, 1, 5, 12, 0), SONNET, 1, 2));
    // 15:00 is exactly 5 h after the block's 10:00 start: still in it (ccusage's rule).
    append(&b, &line("sb", "3", ms(2026, 1, 5, 15, 0), SONNET, 1, 4));
    // 15:01 starts the next block, at 15:00.
    append(&b, &line("sb", "4", ms(2026, 1, 5, 15, 1), SONNET, 1, 8));
    // More than 5 h after the previous entry: a new block at 21:00.
    append(&b, &line("sb", "5", ms(2026, 1, 5, 21, 30), SONNET, 1, 16));
    let now = Utc.with_ymd_and_hms(2026, 1, 5, 23, 0, 0).unwrap();
    let ledger = open_at(&db, now).await;
    let plan = logs_plan(&ledger, &[dir.path()]).await;
    sync(&ledger, &plan).await;
    let options = LogReportOptions::default();
    let sessions = ledger
        .claude_code_logs_sessions(plan.id, &options)
        .await
        .unwrap();
    let got: Vec<(&str, &str, (i64, i64))> = sessions
        .iter()
        .map(|s| (s.project.as_str(), s.session.as_str(), outputs(&s.usage)))
        .collect();
    assert_eq!(
        got,
        [("-home-api", "sb", (3, 28)), ("-home-app", "sa", (2, 3))],
        "most recent first"
    );
    assert_eq!(
        sessions[0].first_at.timestamp_millis(),
        ms(2026, 1, 5, 15, 0)
    );
    assert_eq!(
        sessions[0].last_at.timestamp_millis(),
        ms(2026, 1, 5, 21, 30)
    );
    let blocks = ledger
        .claude_code_logs_blocks(plan.id, &options)
        .await
        .unwrap();
    let got: Vec<(i64, i64, (i64, i64), bool)> = blocks
        .iter()
        .map(|b| {
            (
                b.start.timestamp_millis(),
                b.end.timestamp_millis(),
                outputs(&b.usage),
                b.active,
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (ms(2026, 1, 5, 10, 0), ms(2026, 1, 5, 15, 0), (3, 7), false),
            (ms(2026, 1, 5, 15, 0), ms(2026, 1, 5, 20, 0), (1, 8), false),
            (ms(2026, 1, 5, 21, 0), ms(2026, 1, 6, 2, 0), (1, 16), true),
        ]
    );
    assert_eq!(blocks[2].last_at.timestamp_millis(), ms(2026, 1, 5, 21, 30));
}

async fn costs_are_estimates_and_unknown_models_are_listed(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("app").join("s1.jsonl");
    let at = ms(2026, 1, 5, 10, 0);
    // Sonnet 4.5: $3 per million input tokens, $15 per million output tokens.
    append(&file, &line("s1", "a", at, SONNET, 1_000_000, 0));
    append(&file, &line("s1", "b", at + 1, SONNET, 0, 1_000_000));
    // 5m and 1h cache writes are priced apart ($3.75 and $6 per million).
    let split = Tokens {
        input: 0,
        output: 0,
        cache_creation: 3_000_000,
        cache_read: 0,
    };
    append(
        &file,
        &assistant_line(
            "s1",
            Some("c"),
            Some("rc"),
            false,
            at + 2,
            SONNET,
            &split,
            Some(1_000_000),
            5,
        ),
    );
    append(
        &file,
        &line("s1", "d", at + 3, "claude-experimental-9", 5, 5),
    );
    let ledger = open(&db).await;
    let plan = logs_plan(&ledger, &[dir.path()]).await;
    sync(&ledger, &plan).await;
    let day = &ledger
        .claude_code_logs_daily(plan.id, &LogReportOptions::default())
        .await
        .unwrap()[0];
    let sonnet = day.usage.models.iter().find(|m| m.model == SONNET).unwrap();
    assert_eq!(
        (sonnet.tokens.cache_write_5m, sonnet.tokens.cache_write_1h),
        (2_000_000, 1_000_000)
    );
    let expected = Money::parse_dollars("3").unwrap()
        + Money::parse_dollars("15").unwrap()
        + Money::parse_dollars("7.5").unwrap()
        + Money::parse_dollars("6").unwrap();
    assert_eq!(sonnet.estimated_cost, Some(expected));
    let unknown = day
        .usage
        .models
        .iter()
        .find(|m| m.model == "claude-experimental-9")
        .unwrap();
    assert_eq!(
        (unknown.tokens.output, unknown.estimated_cost),
        (5, None),
        "no price is not $0"
    );
    assert_eq!(day.usage.missing_prices, ["claude-experimental-9"]);
    assert_eq!(
        day.usage.estimated_cost, expected,
        "the total leaves the unpriced model out"
    );
    assert_eq!(day.usage.tokens.output, 1_000_005, "but counts its tokens");
}

async fn reports_need_a_logs_plan_and_valid_options(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(&db).await;
    let plan = ledger
        .add_plan(NewPlan::claude_code_logs(
            "logs",
            vec![dir.path().display().to_string()],
        ))
        .await
        .unwrap();
    let bad_zone = LogReportOptions {
        time_zone: Some("Moon/Tranquility".into()),
        ..Default::default()
    };
    let err = ledger
        .claude_code_logs_daily(plan.id, &bad_zone)
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
    assert!(err.to_string().contains("Moon/Tranquility"), "{err}");
    let err = ledger
        .claude_code_logs_blocks(plan.id + 100, &LogReportOptions::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), "PLAN_NOT_FOUND");
    assert!(
        ledger
            .claude_code_logs_monthly(plan.id, &LogReportOptions::default())
            .await
            .unwrap()
            .is_empty()
    );
}

/// The (period, (entries, output tokens)) of a periods report.
fn periods(
    report: &[costledger::source::claude_code_logs::LogPeriodUsage],
) -> Vec<(String, (i64, i64))> {
    report
        .iter()
        .map(|p| (p.period.clone(), outputs(&p.usage)))
        .collect()
}

async fn weeks_projects_and_zones_of_every_offset(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let app = dir.path().join("-home-app").join("s1.jsonl");
    let api = dir.path().join("-home-api").join("s2.jsonl");
    // Around midnight of Kolkata (UTC+5:30: 18:30 UTC) and Kathmandu (UTC+5:45: 18:15 UTC)
    // on Sunday January 4th, 2026, and across New York's spring-forward night (March 8th:
    // midnight is 05:00 UTC before it, 04:00 UTC after).
    append(&app, &line("s1", "a", ms(2026, 1, 4, 18, 10), SONNET, 1, 1));
    append(&app, &line("s1", "b", ms(2026, 1, 4, 18, 20), SONNET, 1, 2));
    append(&api, &line("s2", "c", ms(2026, 1, 4, 18, 40), SONNET, 1, 4));
    append(&api, &line("s2", "d", ms(2026, 3, 8, 4, 30), SONNET, 1, 8));
    append(&api, &line("s2", "e", ms(2026, 3, 9, 3, 50), SONNET, 1, 16));
    append(&api, &line("s2", "f", ms(2026, 3, 9, 4, 10), SONNET, 1, 32));
    let ledger = open(&db).await;
    let plan = logs_plan(&ledger, &[dir.path()]).await;
    sync(&ledger, &plan).await;
    let zone = |tz: &str| LogReportOptions {
        time_zone: Some(tz.into()),
        ..Default::default()
    };
    let daily = |tz: &'static str| {
        let ledger = &ledger;
        async move {
            periods(
                &ledger
                    .claude_code_logs_daily(plan.id, &zone(tz))
                    .await
                    .unwrap(),
            )
        }
    };
    let day = |d: &str, n: (i64, i64)| (d.to_string(), n);
    assert_eq!(
        daily("UTC").await,
        [
            day("2026-01-04", (3, 7)),
            day("2026-03-08", (1, 8)),
            day("2026-03-09", (2, 48))
        ]
    );
    // 18:10 and 18:20 UTC are 23:40 and 23:50 in Kolkata; 18:40 is 00:10 on the 5th.
    assert_eq!(
        daily("Asia/Kolkata").await[..2],
        [day("2026-01-04", (2, 3)), day("2026-01-05", (1, 4))]
    );
    // 18:10 UTC is 23:55 in Kathmandu; 18:20 is 00:05 on the 5th.
    assert_eq!(
        daily("Asia/Kathmandu").await[..2],
        [day("2026-01-04", (1, 1)), day("2026-01-05", (2, 6))]
    );
    // 04:30 UTC on March 8th is 23:30 EST on the 7th; 03:50 UTC on the 9th is 23:50 EDT on
    // the 8th (the day had 23 hours); 04:10 UTC is 00:10 on the 9th.
    assert_eq!(
        daily("America/New_York").await[1..],
        [
            day("2026-03-07", (1, 8)),
            day("2026-03-08", (1, 16)),
            day("2026-03-09", (1, 32))
        ]
    );
    // Weeks run Monday to Sunday and are named by their Monday, in the zone.
    let weekly = |tz: &'static str| {
        let ledger = &ledger;
        async move {
            periods(
                &ledger
                    .claude_code_logs_weekly(plan.id, &zone(tz))
                    .await
                    .unwrap(),
            )
        }
    };
    assert_eq!(
        weekly("UTC").await,
        [
            day("2025-12-29", (3, 7)),
            day("2026-03-02", (1, 8)),
            day("2026-03-09", (2, 48))
        ]
    );
    assert_eq!(
        weekly("Asia/Kolkata").await[..2],
        [day("2025-12-29", (2, 3)), day("2026-01-05", (1, 4))]
    );
    assert_eq!(
        weekly("America/New_York").await[1..],
        [day("2026-03-02", (2, 24)), day("2026-03-09", (1, 32))]
    );
    // A project's entries only, in every report.
    let api_only = LogReportOptions {
        project: Some("-home-api".into()),
        ..Default::default()
    };
    let got = ledger
        .claude_code_logs_monthly(plan.id, &api_only)
        .await
        .unwrap();
    assert_eq!(
        periods(&got),
        [day("2026-01", (1, 4)), day("2026-03", (3, 56))]
    );
    let sessions = ledger
        .claude_code_logs_sessions(plan.id, &api_only)
        .await
        .unwrap();
    assert_eq!(sessions.len(), 1);
    assert_eq!(sessions[0].session, "s2");
    let blocks = ledger
        .claude_code_logs_blocks(plan.id, &api_only)
        .await
        .unwrap();
    let outs: Vec<(i64, i64)> = blocks.iter().map(|b| outputs(&b.usage)).collect();
    assert_eq!(outs, [(1, 4), (1, 8), (2, 48)]);
    let none = LogReportOptions {
        project: Some("-home-nowhere".into()),
        ..Default::default()
    };
    assert!(
        ledger
            .claude_code_logs_daily(plan.id, &none)
            .await
            .unwrap()
            .is_empty()
    );
}

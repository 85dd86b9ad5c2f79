//! Every logs report against ccusage 20.0.24 on the rich corpus (streamed snapshots, sidechain
//! replays and work, 5m/1h splits, entries without ids, malformed and synthetic lines, a
//! resumed session): days in UTC and in zones of every kind of offset, ISO weeks, months,
//! sessions and 5-hour blocks, token counts exact. Skipped, saying why, without ccusage
//! (`. scripts/ccusage.sh && install_ccusage`).

use costledger::Ledger;
use costledger::source::claude_code_logs::{LogPeriodUsage, LogReportOptions, LogUsage};

use crate::common::TestDb;
use crate::logs_support::ccusage::{CCUSAGE20_ENV, ccusage, ccusage_blocks, ccusage_periods};
use crate::logs_support::corpus::{Corpus, Mix, T0, Tokens, Totals, rich_corpus, rich_mix};
use crate::logs_support::ledger::{logs_plan, open, sync};

backend_tests!(
    every_report_equals_ccusage_20,
    sessions_and_blocks_equal_ccusage_20_without_replays,
    progress_lines_count_once_like_ccusage_20,
);

fn tokens(t: &costledger::TokenCounts) -> Tokens {
    Tokens {
        input: t.uncached_input,
        output: t.output,
        cache_creation: t.cache_write_5m + t.cache_write_1h,
        cache_read: t.cache_read,
    }
}

/// Per-group per-model totals of a report, keyed as ccusage keys them.
fn totals<'a>(groups: impl Iterator<Item = (String, &'a LogUsage)>) -> Totals {
    let mut out = Totals::new();
    for (group, usage) in groups {
        for m in &usage.models {
            out.entry((group.clone(), m.model.clone()))
                .or_default()
                .add(&tokens(&m.tokens));
        }
    }
    out
}

fn periods(report: &[LogPeriodUsage]) -> Totals {
    totals(report.iter().map(|p| (p.period.clone(), &p.usage)))
}

fn zone(tz: &str) -> LogReportOptions {
    LogReportOptions {
        time_zone: Some(tz.into()),
        ..Default::default()
    }
}

async fn daily(ledger: &Ledger, plan: i64, tz: &str) -> Totals {
    periods(
        &ledger
            .claude_code_logs_daily(plan, &zone(tz))
            .await
            .unwrap(),
    )
}

async fn every_report_equals_ccusage_20(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let projects = dir.path().join("projects");
    rich_corpus(&projects);
    let ledger = open(&db).await;
    let plan = logs_plan(&ledger, &[&projects]).await;
    sync(&ledger, &plan).await;
    let plan = plan.id;
    let Some(_) = ccusage(CCUSAGE20_ENV) else {
        return;
    };
    let cc = || ccusage(CCUSAGE20_ENV).expect("set");
    let config = dir.path();
    // Days in UTC and in a DST zone, a half-hour zone and a 45-minute zone: the corpus runs
    // from 20:00 UTC on January 5th over two days, so each zone cuts it elsewhere.
    for tz in ["UTC", "America/New_York", "Asia/Kolkata", "Asia/Kathmandu"] {
        let ours = daily(&ledger, plan, tz).await;
        assert!(ours.len() > 4, "{tz}: {ours:?}");
        assert_eq!(
            ccusage_periods(cc(), config, &["daily", "--timezone", tz], "daily"),
            ours,
            "daily in {tz}"
        );
    }
    let utc = zone("UTC");
    assert_eq!(
        ccusage_periods(cc(), config, &["weekly"], "weekly"),
        periods(&ledger.claude_code_logs_weekly(plan, &utc).await.unwrap()),
        "weekly"
    );
    assert_eq!(
        ccusage_periods(cc(), config, &["monthly"], "monthly"),
        periods(&ledger.claude_code_logs_monthly(plan, &utc).await.unwrap()),
        "monthly"
    );
    // ccusage 20.0.24's session report does not dedup as its daily report does: on this
    // corpus its sessions add up to more than its days. costledger's add up to its days.
    let sessions = ledger.claude_code_logs_sessions(plan, &utc).await.unwrap();
    let ours = totals(sessions.iter().map(|s| (s.session.clone(), &s.usage)));
    let theirs = ccusage_periods(cc(), config, &["session"], "session");
    let output = |t: &Totals| t.values().map(|x| x.output).sum::<i64>();
    let days = daily(&ledger, plan, "UTC").await;
    assert_eq!(output(&ours), output(&days));
    assert!(
        output(&theirs) > output(&days),
        "ccusage's sessions count replays again"
    );
    // Its blocks are cut as costledger cuts them (the same starts), but count replays too.
    let ours = blocks(&ledger, plan).await;
    let theirs = ccusage_blocks(cc(), config);
    assert!(ours.len() > 3, "{ours:?}");
    let starts = |b: &[(String, i64, Tokens)]| b.iter().map(|b| b.0.clone()).collect::<Vec<_>>();
    assert_eq!(starts(&theirs), starts(&ours), "block starts");
    for (t, o) in theirs.iter().zip(&ours) {
        assert!(t.2.output >= o.2.output, "{t:?} {o:?}");
    }
}

/// (start, entries, tokens) of each block, as ccusage prints them.
async fn blocks(ledger: &Ledger, plan: i64) -> Vec<(String, i64, Tokens)> {
    ledger
        .claude_code_logs_blocks(plan, &LogReportOptions::default())
        .await
        .unwrap()
        .iter()
        .map(|b| {
            (
                b.start.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
                b.usage.entries,
                tokens(&b.usage.tokens),
            )
        })
        .collect()
}

/// Sessions of streamed snapshots only (no sidechain, no resumed copy, no synthetic line,
/// every id present):
/// where ccusage 20.0.24's session and blocks reports dedup as its daily report does, they
/// equal costledger's exactly: per session and model, and per block (entries and tokens).
async fn sessions_and_blocks_equal_ccusage_20_without_replays(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let projects = dir.path().join("projects");
    let mut corpus = Corpus::new(&projects, 11);
    let mix = Mix {
        sidechain_replay: 0,
        sidechain_own: 0,
        no_request_id: 0,
        no_message_id: 0,
        // ccusage counts a `<synthetic>` API error (no tokens) as a block's entry.
        synthetic: 0,
        ..rich_mix()
    };
    for (p, project) in ["-home-dev-app", "-home-dev-api"].iter().enumerate() {
        for s in 0..3 {
            let start = T0 + (p * 3 + s) as i64 * 3 * 3_600_000;
            corpus.session(project, &format!("s{p}{s}"), start, 30, &mix);
        }
    }
    let ledger = open(&db).await;
    let plan = logs_plan(&ledger, &[&projects]).await;
    sync(&ledger, &plan).await;
    let sessions = ledger
        .claude_code_logs_sessions(plan.id, &LogReportOptions::default())
        .await
        .unwrap();
    assert_eq!(sessions.len(), 6);
    let ours = totals(sessions.iter().map(|s| (s.session.clone(), &s.usage)));
    let ours_blocks = blocks(&ledger, plan.id).await;
    assert!(ours_blocks.len() > 1, "{ours_blocks:?}");
    if let Some(command) = ccusage(CCUSAGE20_ENV) {
        assert_eq!(
            ccusage_periods(command, dir.path(), &["session"], "session"),
            ours,
            "sessions"
        );
        let command = ccusage(CCUSAGE20_ENV).expect("set");
        assert_eq!(ccusage_blocks(command, dir.path()), ours_blocks, "blocks");
    }
}

/// A subagent's message written only as `progress` lines of its parent session: its usage is
/// `data.message`, counted once, with the dedup rules of every entry (ccusage 20.0.24 reads
/// it the same way; the expected totals are written out, so the test holds without ccusage).
async fn progress_lines_count_once_like_ccusage_20(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let projects = dir.path().join("projects");
    let app = projects.join("-home-app");
    let usage = |output: i64| {
        format!(
            "\"usage\":{{\"input_tokens\":100,\"output_tokens\":{output},\
             \"cache_creation_input_tokens\":10,\"cache_read_input_tokens\":1000}}"
        )
    };
    let progress = |outer_at: &str, at: &str, m: &str, model: &str, output: i64, side: bool| {
        format!(
            "{{\"type\":\"progress\",\"sessionId\":\"s1\",\"timestamp\":\"{outer_at}\",\
             \"data\":{{\"type\":\"agent_progress\",\"message\":{{\"type\":\"assistant\",\
             \"isSidechain\":{side},\"timestamp\":\"{at}\",\"requestId\":\"r{m}\",\
             \"message\":{{\"id\":\"{m}\",\"model\":\"{model}\",{}}}}}}}}}\n",
            usage(output)
        )
    };
    let assistant = |at: &str, m: &str, model: &str, output: i64, side: bool| {
        format!(
            "{{\"type\":\"assistant\",\"isSidechain\":{side},\"sessionId\":\"s1\",\
             \"timestamp\":\"{at}\",\"requestId\":\"r{m}\",\"message\":{{\"id\":\"{m}\",\
             \"model\":\"{model}\",{}}}}}\n",
            usage(output)
        )
    };
    const HAIKU: &str = "claude-haiku-4-5-20251001";
    const SONNET: &str = "claude-sonnet-4-5-20250929";
    let parent = [
        assistant("2026-01-05T10:00:00.000Z", "m1", SONNET, 1, false),
        // m2: two progress snapshots; the subagent's own file has a bigger sidechain copy,
        // which replays it: the largest progress snapshot counts (9).
        progress(
            "2026-01-05T10:01:00.000Z",
            "2026-01-05T10:00:30.000Z",
            "m2",
            HAIKU,
            7,
            false,
        ),
        progress(
            "2026-01-05T10:01:10.000Z",
            "2026-01-05T10:00:40.000Z",
            "m2",
            HAIKU,
            9,
            false,
        ),
        // m3: a sidechain message in a progress line: with its sidechain copy, the largest
        // of the two counts (50).
        progress(
            "2026-01-05T10:02:00.000Z",
            "2026-01-05T10:01:30.000Z",
            "m3",
            HAIKU,
            20,
            true,
        ),
        // m4: dated by its own timestamp, the next day, not the progress line's.
        progress(
            "2026-01-05T23:59:00.000Z",
            "2026-01-06T00:00:30.000Z",
            "m4",
            HAIKU,
            100,
            false,
        ),
    ]
    .concat();
    let side = [
        assistant("2026-01-05T10:00:40.000Z", "m2", HAIKU, 30, true),
        assistant("2026-01-05T10:01:30.000Z", "m3", HAIKU, 50, true),
    ]
    .concat();
    std::fs::create_dir_all(app.join("s1").join("subagents")).unwrap();
    std::fs::write(app.join("s1.jsonl"), parent).unwrap();
    std::fs::write(app.join("s1").join("subagents").join("agent-1.jsonl"), side).unwrap();
    let ledger = open(&db).await;
    let plan = logs_plan(&ledger, &[&projects]).await;
    let report = sync(&ledger, &plan).await;
    assert!(report.error.is_none(), "no line is malformed: {report:?}");
    let ours = daily(&ledger, plan.id, "UTC").await;
    let day = |d: &str, model: &str, entries: i64, output: i64| {
        (
            (d.to_string(), model.to_string()),
            Tokens {
                input: 100 * entries,
                output,
                cache_creation: 10 * entries,
                cache_read: 1000 * entries,
            },
        )
    };
    let expected: Totals = [
        day("2026-01-05", SONNET, 1, 1),
        day("2026-01-05", HAIKU, 2, 9 + 50),
        day("2026-01-06", HAIKU, 1, 100),
    ]
    .into_iter()
    .collect();
    assert_eq!(ours, expected);
    if let Some(command) = ccusage(CCUSAGE20_ENV) {
        assert_eq!(
            ccusage_periods(command, dir.path(), &["daily"], "daily"),
            ours,
            "ccusage 20.0.24"
        );
    }
}

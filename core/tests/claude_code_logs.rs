//! The Claude Code logs source: parity with ccusage, where it differs on purpose, the sync
//! report, and the plan's checks. Reports and incremental syncs have their own files.

use crate::logs_support::corpus;

use costledger::source::claude_code_logs::SKIPPED_CODE;
use costledger::{NewPlan, SyncStatus};

use crate::common::TestDb;
use crate::logs_support::ccusage::{CCUSAGE17_ENV, CCUSAGE20_ENV, ccusage, ccusage_daily};
use crate::logs_support::corpus::{
    T0, Tokens, Totals, append, assistant_line, first_seen_totals, largest_snapshot_totals,
    rich_corpus,
};
use crate::logs_support::ledger::{logs_plan, open, stored_totals, sync};

backend_tests!(
    per_day_totals_equal_ccusage_20_and_differ_from_ccusage_17_only_by_its_dedup,
    intentional_differences_from_ccusage,
    a_resumed_sessions_copy_without_request_id_counts_once,
    malformed_and_over_long_lines_are_counted_and_reported_never_fatal,
    a_logs_plan_checks_its_directories_and_has_no_organisation,
);

async fn per_day_totals_equal_ccusage_20_and_differ_from_ccusage_17_only_by_its_dedup(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let projects = dir.path().join("projects");
    let corpus = rich_corpus(&projects);
    let ledger = open(&db).await;
    let plan = logs_plan(&ledger, &[&projects]).await;
    sync(&ledger, &plan).await;
    let (ours, _) = stored_totals(&ledger, &plan).await;
    let largest = largest_snapshot_totals(&corpus.emitted);
    assert_eq!(
        ours, largest,
        "costledger keeps the largest snapshot of each message and request"
    );
    // ccusage 17 keeps the first snapshot and counts sidechain replays: the corpus has both,
    // so its totals differ.
    let first_seen = first_seen_totals(&corpus.emitted);
    assert_ne!(first_seen, largest);
    if let Some(command) = ccusage(CCUSAGE20_ENV) {
        assert_eq!(
            ccusage_daily(command, dir.path()),
            ours,
            "ccusage 20.0.24 daily totals"
        );
    }
    if let Some(command) = ccusage(CCUSAGE17_ENV) {
        assert_eq!(
            ccusage_daily(command, dir.path()),
            first_seen,
            "ccusage 17.2.1 daily totals"
        );
    }
}

/// Lines ccusage drops whole but which carry real usage: costledger counts them. Each is
/// one of the differences listed in docs/claude-code-logs.md.
async fn intentional_differences_from_ccusage(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let projects = dir.path().join("projects");
    let file = projects.join("-home-dev-app").join("s1.jsonl");
    let t = Tokens {
        input: 10,
        output: 100,
        cache_creation: 1_000,
        cache_read: 10_000,
    };
    let model = "claude-sonnet-4-5-20250929";
    let plain = |m: &str, at: i64| {
        assistant_line(
            "s1",
            Some(m),
            Some(&format!("r-{m}")),
            false,
            at,
            model,
            &t,
            None,
            5,
        )
    };
    // 1. A null where ccusage expects a value (`"costUSD":null`, a null count).
    append(
        &file,
        &plain("m1", T0).replace(
            "\"type\":\"assistant\"",
            "\"costUSD\":null,\"type\":\"assistant\"",
        ),
    );
    append(
        &file,
        &plain("m2", T0 + 1).replace("\"cwd\":\"/home/dev/app\"", "\"cwd\":null"),
    );
    // 2. An empty request id: absent, not invalid.
    append(
        &file,
        &plain("m3", T0 + 2).replace("\"requestId\":\"r-m3\"", "\"requestId\":\"\""),
    );
    // 3. A version that is not semver.
    append(
        &file,
        &plain("m4", T0 + 3).replace("\"version\":\"2.0.14\"", "\"version\":\"dev\""),
    );
    // 4. Fast mode: ccusage 20 reports `<model>-fast`; costledger keeps the model's name.
    append(
        &file,
        &plain("m5", T0 + 4).replace("\"service_tier\":\"standard\"", "\"speed\":\"fast\""),
    );
    let ledger = open(&db).await;
    let plan = logs_plan(&ledger, &[&projects]).await;
    sync(&ledger, &plan).await;
    let (ours, entries) = stored_totals(&ledger, &plan).await;
    let day = corpus::day(T0);
    let five = Tokens {
        input: 50,
        output: 500,
        cache_creation: 5_000,
        cache_read: 50_000,
    };
    assert_eq!(
        ours,
        Totals::from([((day.clone(), model.to_string()), five)])
    );
    assert_eq!(entries, [(day.clone(), model.to_string(), 5)]);
    if let Some(command) = ccusage(CCUSAGE20_ENV) {
        let theirs = ccusage_daily(command, dir.path());
        // ccusage 20 drops lines 1-4 (m1 to m4) and reports m5 under `-fast`.
        let fast = (day.clone(), format!("{model}-fast"));
        assert_eq!(
            theirs,
            Totals::from([(fast, t)]),
            "ccusage 20 on the difference corpus"
        );
    }
    if let Some(command) = ccusage(CCUSAGE17_ENV) {
        // ccusage 17 drops the same four lines, and knows nothing of fast mode.
        let theirs = ccusage_daily(command, dir.path());
        assert_eq!(
            theirs,
            Totals::from([((day, model.to_string()), t)]),
            "ccusage 17 on the difference corpus"
        );
    }
}

/// A resumed session replays the lines it resumes into its own file, under its own session
/// id. A replayed line without `requestId` is the same response (same message, same instant):
/// costledger counts it once; ccusage 20.0.24 counts it again because its session id is new,
/// and ccusage 17.2.1 counts every copy.
async fn a_resumed_sessions_copy_without_request_id_counts_once(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let projects = dir.path().join("projects");
    let app = projects.join("-home-dev-app");
    let t = Tokens {
        input: 10,
        output: 100,
        cache_creation: 1_000,
        cache_read: 10_000,
    };
    let model = "claude-sonnet-4-5-20250929";
    let line =
        |session: &str| assistant_line(session, Some("m1"), None, false, T0, model, &t, None, 5);
    append(&app.join("s1.jsonl"), &line("s1"));
    append(&app.join("s2.jsonl"), &line("s2"));
    let ledger = open(&db).await;
    let plan = logs_plan(&ledger, &[&projects]).await;
    sync(&ledger, &plan).await;
    let (ours, _) = stored_totals(&ledger, &plan).await;
    let day = corpus::day(T0);
    let once = Totals::from([((day.clone(), model.to_string()), t)]);
    assert_eq!(ours, once, "costledger: once");
    let twice = Tokens {
        input: 20,
        output: 200,
        cache_creation: 2_000,
        cache_read: 20_000,
    };
    let twice = Totals::from([((day, model.to_string()), twice)]);
    for env in [CCUSAGE20_ENV, CCUSAGE17_ENV] {
        if let Some(command) = ccusage(env) {
            assert_eq!(ccusage_daily(command, dir.path()), twice, "{env}: twice");
        }
    }
    // The same copy under the same session id (the corpus's resumed file): once everywhere.
    std::fs::write(app.join("s2.jsonl"), line("s1")).unwrap();
    sync(&ledger, &plan).await;
    assert_eq!(stored_totals(&ledger, &plan).await.0, once);
    if let Some(command) = ccusage(CCUSAGE20_ENV) {
        assert_eq!(
            ccusage_daily(command, dir.path()),
            once,
            "ccusage 20, same session"
        );
    }
}

async fn malformed_and_over_long_lines_are_counted_and_reported_never_fatal(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("-home-dev-app").join("s1.jsonl");
    let t = Tokens {
        input: 1,
        output: 2,
        cache_creation: 3,
        cache_read: 4,
    };
    let good = assistant_line(
        "s1",
        Some("m1"),
        Some("r1"),
        false,
        T0,
        "claude-opus-4-5",
        &t,
        None,
        5,
    );
    append(&file, &good);
    append(&file, &good[..good.len() - 40]);
    append(
        &file,
        "\n{\"timestamp\":\"2026-01-05T20:00:00.000Z\",\"message\":{\"usage\":{\"input_tokens\":\"x\"}}}\n",
    );
    // A line over the 16 MiB line buffer (a pasted image, say): skipped and counted.
    let huge = assistant_line(
        "s1",
        Some("m2"),
        Some("r2"),
        false,
        T0,
        "claude-opus-4-5",
        &t,
        None,
        17 << 20,
    );
    append(&file, &huge);
    append(
        &file,
        &assistant_line(
            "s1",
            Some("m3"),
            Some("r3"),
            false,
            T0 + 1,
            "claude-opus-4-5",
            &t,
            None,
            5,
        ),
    );
    let ledger = open(&db).await;
    let plan = logs_plan(&ledger, &[dir.path()]).await;
    let report = sync(&ledger, &plan).await;
    assert_eq!(report.status, SyncStatus::Partial, "{report:?}");
    let error = report.error.expect("the skipped lines are reported");
    assert_eq!(error.code, SKIPPED_CODE);
    assert!(
        error.message.contains("2 malformed line(s)")
            && error.message.contains("1 line(s) over 16 MiB"),
        "{}",
        error.message
    );
    assert_eq!(
        ledger.get_plan(plan.id).await.unwrap().last_error,
        None,
        "skipped lines do not fail the plan"
    );
    let (totals, _) = stored_totals(&ledger, &plan).await;
    let two = Tokens {
        input: 2,
        output: 4,
        cache_creation: 6,
        cache_read: 8,
    };
    assert_eq!(
        totals,
        Totals::from([((corpus::day(T0), "claude-opus-4-5".to_string()), two)])
    );
    let files = ledger.claude_code_log_files(plan.id).await.unwrap();
    assert_eq!(
        (
            files[0].lines,
            files[0].entries,
            files[0].malformed,
            files[0].too_long
        ),
        (5, 2, 2, 1)
    );
    // Nothing new: the next sync reads nothing and reports nothing skipped.
    let again = sync(&ledger, &plan).await;
    assert_eq!(
        (again.status, again.rows_written),
        (SyncStatus::Ok, 0),
        "{again:?}"
    );
}

async fn a_logs_plan_checks_its_directories_and_has_no_organisation(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let ledger = open(&db).await;
    let missing = dir.path().join("nowhere");
    let err = ledger
        .add_plan(NewPlan::claude_code_logs(
            "Claude Pro",
            vec![missing.display().to_string()],
        ))
        .await
        .unwrap_err();
    assert_eq!(err.code(), "INVALID_INPUT");
    assert!(err.to_string().contains("nowhere"), "{err}");
    let plan = logs_plan(&ledger, &[dir.path()]).await;
    assert_eq!(
        (plan.org_id.as_deref(), plan.key_hint.as_deref()),
        (None, None)
    );
    // An empty directory syncs to nothing, without error.
    let report = sync(&ledger, &plan).await;
    assert_eq!(
        (report.status, report.rows_written, report.window_start),
        (SyncStatus::Ok, 0, None)
    );
    // A directory that disappears makes the sync fail, and say why.
    drop(dir);
    let report = ledger
        .sync(costledger::SyncOptions::default().plan(plan.id))
        .await
        .unwrap();
    let stream = &report.plan(plan.id).unwrap().streams[0];
    assert_eq!(stream.status, SyncStatus::Error);
    assert_eq!(stream.error.as_ref().unwrap().code, "INVALID_INPUT");
}

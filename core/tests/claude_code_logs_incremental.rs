//! Incremental syncs of Claude Code logs: after appending lines, truncating, replacing,
//! rotating or deleting a file, the totals are exactly those of a fresh full scan into a new
//! database (for a deleted file: of the logs before it was deleted, whose usage is kept).

use crate::logs_support::corpus;

use std::fs;
use std::path::Path;

use crate::common::TestDb;
use crate::logs_support::corpus::{
    Corpus, T0, Tokens, append, assistant_line, largest_snapshot_totals, rich_corpus, rich_mix,
};
use crate::logs_support::ledger::{fresh_totals, logs_plan, open, stored_totals, sync};

backend_tests!(
    appended_lines_are_read_once_even_when_a_line_is_half_written,
    a_truncated_or_rewritten_file_is_read_again_and_replaces_its_entries,
    a_rotated_file_and_its_successor_count_like_a_fresh_scan,
    a_deleted_file_is_forgotten_but_its_usage_is_kept,
);

const H: i64 = 3_600_000;

/// Assert the plan's totals (and entry counts) equal a fresh scan of `dirs`.
async fn assert_fresh(
    db: &TestDb,
    l: &costledger::Ledger,
    p: &costledger::Plan,
    dirs: &[&Path],
    what: &str,
) {
    let stored = stored_totals(l, p).await;
    assert!(!stored.0.is_empty());
    assert_eq!(stored, fresh_totals(db, dirs).await, "{what}");
}

async fn appended_lines_are_read_once_even_when_a_line_is_half_written(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let projects = dir.path().join("projects");
    let mut c = rich_corpus(&projects);
    let l = open(&db).await;
    let plan = logs_plan(&l, &[&projects]).await;
    sync(&l, &plan).await;
    // The sessions go on (their files and subagent files grow), a new one starts, and a line
    // is caught half written.
    let mix = rich_mix();
    c.session("-home-dev-app", "s00", T0 + 60 * H, 15, &mix);
    c.session("-home-dev-api", "s12", T0 + 61 * H, 15, &mix);
    c.session("-home-dev-new", "s30", T0 + 62 * H, 15, &mix);
    let t = Tokens {
        input: 7,
        output: 70,
        cache_creation: 700,
        cache_read: 7_000,
    };
    let line = assistant_line(
        "s01",
        Some("m-half"),
        Some("r-half"),
        false,
        T0 + 63 * H,
        "claude-opus-4-1-20250805",
        &t,
        None,
        50,
    );
    let half = projects.join("-home-dev-app").join("s01.jsonl");
    append(&half, &line[..line.len() / 2]);
    let report = sync(&l, &plan).await;
    assert!(
        report.rows_written > 0 && report.window_start.unwrap().timestamp_millis() >= T0 + 59 * H,
        "{report:?}"
    );
    assert_eq!(
        stored_totals(&l, &plan).await.0,
        largest_snapshot_totals(&c.emitted)
    );
    assert_fresh(&db, &l, &plan, &[&projects], "after appending").await;
    append(&half, &line[line.len() / 2..]);
    c.emitted.push(corpus::Emitted {
        file: half,
        message_id: Some("m-half".into()),
        request_id: Some("r-half".into()),
        sidechain: false,
        at_ms: T0 + 63 * H,
        model: "claude-opus-4-1-20250805".into(),
        tokens: t,
    });
    sync(&l, &plan).await;
    assert_eq!(
        stored_totals(&l, &plan).await.0,
        largest_snapshot_totals(&c.emitted),
        "the completed line counts once"
    );
    assert_fresh(&db, &l, &plan, &[&projects], "after completing the line").await;
}

async fn a_truncated_or_rewritten_file_is_read_again_and_replaces_its_entries(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let projects = dir.path().join("projects");
    rich_corpus(&projects);
    let l = open(&db).await;
    let plan = logs_plan(&l, &[&projects]).await;
    sync(&l, &plan).await;
    // Cut a file at a line boundary in its middle.
    let cut = projects.join("-home-dev-api").join("s10.jsonl");
    let text = fs::read_to_string(&cut).unwrap();
    let keep: usize = text.split_inclusive('\n').take(25).map(str::len).sum();
    fs::OpenOptions::new()
        .write(true)
        .open(&cut)
        .unwrap()
        .set_len(keep as u64)
        .unwrap();
    sync(&l, &plan).await;
    assert_fresh(&db, &l, &plan, &[&projects], "after truncating").await;
    // Rewrite a file in place (same inode) with other content, longer than before: only the
    // bytes before the parsed offset tell.
    let rewritten = projects.join("-home-dev-docs").join("s21.jsonl");
    let before = fs::metadata(&rewritten).unwrap().len();
    let mut other = Corpus::new(dir.path().join("scratch").as_path(), 99);
    other.session("p", "s21", T0 + 80 * H, 80, &rich_mix());
    let replacement = fs::read(dir.path().join("scratch/p/s21.jsonl")).unwrap();
    assert!(replacement.len() as u64 > before);
    fs::write(&rewritten, &replacement).unwrap();
    sync(&l, &plan).await;
    assert_fresh(&db, &l, &plan, &[&projects], "after rewriting in place").await;
    // Replace a file by another at the same path (a new inode).
    let replaced = projects.join("-home-dev-app").join("s02.jsonl");
    let fresh_copy = dir.path().join("new.jsonl");
    fs::write(&fresh_copy, &replacement[..replacement.len() / 3]).unwrap();
    fs::rename(&fresh_copy, &replaced).unwrap();
    sync(&l, &plan).await;
    assert_fresh(&db, &l, &plan, &[&projects], "after replacing").await;
    // Emptied.
    fs::write(&cut, "").unwrap();
    sync(&l, &plan).await;
    assert_fresh(&db, &l, &plan, &[&projects], "after emptying").await;
}

async fn a_rotated_file_and_its_successor_count_like_a_fresh_scan(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let projects = dir.path().join("projects");
    let mut c = rich_corpus(&projects);
    let l = open(&db).await;
    let plan = logs_plan(&l, &[&projects]).await;
    sync(&l, &plan).await;
    let app = projects.join("-home-dev-app");
    // Rotate a session file and its subagent file; the session goes on in new files.
    fs::rename(app.join("s01.jsonl"), app.join("s01.1.jsonl")).unwrap();
    let agents = app.join("s01").join("subagents");
    if agents.join("agent-1.jsonl").exists() {
        fs::rename(
            agents.join("agent-1.jsonl"),
            agents.join("agent-1.old.jsonl"),
        )
        .unwrap();
    }
    c.session("-home-dev-app", "s01", T0 + 70 * H, 20, &rich_mix());
    sync(&l, &plan).await;
    assert_eq!(
        stored_totals(&l, &plan).await.0,
        largest_snapshot_totals(&c.emitted)
    );
    assert_fresh(&db, &l, &plan, &[&projects], "after rotating").await;
}

async fn a_deleted_file_is_forgotten_but_its_usage_is_kept(db: TestDb) {
    let dir = tempfile::tempdir().unwrap();
    let projects = dir.path().join("projects");
    let mut c = rich_corpus(&projects);
    let l = open(&db).await;
    let plan = logs_plan(&l, &[&projects]).await;
    sync(&l, &plan).await;
    let before = stored_totals(&l, &plan).await;
    // Claude Code deletes old sessions (cleanupPeriodDays); keep a copy outside the scan.
    let gone = projects.join("-home-dev-docs").join("s20.jsonl");
    let kept = dir.path().join("kept");
    fs::create_dir_all(kept.join("-home-dev-docs")).unwrap();
    fs::copy(&gone, kept.join("-home-dev-docs").join("s20.jsonl")).unwrap();
    fs::remove_file(&gone).unwrap();
    let files = l.claude_code_log_files(plan.id).await.unwrap().len();
    sync(&l, &plan).await;
    assert_eq!(
        l.claude_code_log_files(plan.id).await.unwrap().len(),
        files - 1,
        "the file is forgotten"
    );
    assert_eq!(stored_totals(&l, &plan).await, before, "its usage is kept");
    // Later syncs still add up: the logs now, plus the deleted file.
    c.session("-home-dev-docs", "s22", T0 + 90 * H, 10, &rich_mix());
    sync(&l, &plan).await;
    assert_fresh(
        &db,
        &l,
        &plan,
        &[&projects, &kept],
        "after deleting and appending",
    )
    .await;
}

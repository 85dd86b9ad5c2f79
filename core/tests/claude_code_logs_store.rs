//! The store side of the Claude Code logs source ([`LogStore`]), on both backends: tracked
//! files, sessions, entries found through both message indexes, hourly sums and their dirty
//! marks.

use std::sync::Arc;

use costledger::store::logs::{LogCommit, LogEntry, LogEntryKey, LogFile, LogHourDelta};
use costledger::{NewPlan, TokenCounts};

use crate::common::TestDb;

backend_tests!(
    files_and_sessions_get_stable_ids,
    entries_are_found_by_message_whichever_index_holds_them,
    hourly_sums_add_up_and_stay_dirty_until_cleaned,
);

async fn plan(db: &TestDb) -> (Arc<dyn costledger::store::Store>, i64) {
    let dir = tempfile::tempdir().unwrap();
    let key = costledger::MasterKey::generate();
    let mut config = costledger::LedgerConfig::new(db.url.clone())
        .master_key(key.to_base64().to_string())
        .without_env();
    if let Some(schema) = &db.schema {
        config = config.postgres_schema(schema.clone());
    }
    let ledger = costledger::Ledger::open(config).await.unwrap();
    let plan = ledger
        .add_plan(NewPlan::claude_code_logs(
            "logs",
            vec![dir.path().display().to_string()],
        ))
        .await
        .unwrap();
    (ledger.store().clone(), plan.id)
}

fn entry(message_key: i64, file_id: i64) -> LogEntry {
    LogEntry {
        id: 0,
        key: LogEntryKey {
            message_key,
            sidechain: false,
            request_key: message_key + 1,
            file_id,
        },
        at_ms: 1_767_600_000_000 + message_key,
        session_ref: 1,
        model: Arc::from("claude-sonnet-4-5"),
        tokens: TokenCounts {
            uncached_input: 1,
            output: message_key,
            ..TokenCounts::default()
        },
        cost_usd: None,
        fast: message_key % 2 == 0,
        counted: true,
    }
}

async fn files_and_sessions_get_stable_ids(db: TestDb) {
    let (store, plan) = plan(&db).await;
    let file = |path: &str| LogFile {
        path: path.into(),
        project: "p".into(),
        ..LogFile::default()
    };
    let ids = store
        .insert_log_files(
            plan,
            &[file("/a.jsonl"), file("/b.jsonl")],
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    assert!(ids[0] > 0 && ids[1] > ids[0], "{ids:?}");
    let stored = store.log_files(plan).await.unwrap();
    assert_eq!(
        stored
            .iter()
            .map(|f| (f.id, f.path.as_str()))
            .collect::<Vec<_>>(),
        [(ids[0], "/a.jsonl"), (ids[1], "/b.jsonl")]
    );
    // A commit updates one file and forgets the other; a new file never reuses an id.
    let grown = LogFile {
        id: ids[0],
        size: 10,
        parsed_to: 10,
        lines: 1,
        ..stored[0].clone()
    };
    let commit = LogCommit {
        files: vec![grown.clone()],
        forget_files: vec![ids[1]],
        ..LogCommit::default()
    };
    store.commit_log_sync(plan, &commit).await.unwrap();
    assert_eq!(store.log_files(plan).await.unwrap(), [grown]);
    let again = store
        .insert_log_files(plan, &[file("/b.jsonl")], chrono::Utc::now())
        .await
        .unwrap();
    assert!(again[0] > ids[1]);
    let names = [
        ("p".to_string(), "s1".to_string()),
        ("q".to_string(), "s1".to_string()),
    ];
    let first = store.insert_log_sessions(plan, &names).await.unwrap();
    let second = store.insert_log_sessions(plan, &names[1..]).await.unwrap();
    assert_eq!(
        second[0].id,
        first.iter().find(|s| s.project == "q").unwrap().id
    );
    assert_eq!(store.log_sessions(plan).await.unwrap().len(), 2);
}

async fn entries_are_found_by_message_whichever_index_holds_them(db: TestDb) {
    let (store, plan) = plan(&db).await;
    assert!(!store.has_log_entries(plan).await.unwrap());
    // Two commits of 20 000 entries: the second moves every entry into the main index;
    // a third small one stays in the index of recent entries.
    for (from, file) in [(1, 1), (20_001, 2)] {
        let inserts = (from..from + 20_000).map(|m| entry(m, file)).collect();
        store
            .commit_log_sync(
                plan,
                &LogCommit {
                    insert_entries: inserts,
                    ..LogCommit::default()
                },
            )
            .await
            .unwrap();
    }
    let small = (40_001..40_011).map(|m| entry(m, 3)).collect();
    store
        .commit_log_sync(
            plan,
            &LogCommit {
                insert_entries: small,
                ..LogCommit::default()
            },
        )
        .await
        .unwrap();
    assert!(store.has_log_entries(plan).await.unwrap());
    let found = store
        .log_entries_of_messages(plan, &[5, 25_000, 40_005, 99_999])
        .await
        .unwrap();
    let mut keys: Vec<(i64, i64)> = found
        .iter()
        .map(|e| (e.key.message_key, e.tokens.output))
        .collect();
    keys.sort();
    assert_eq!(keys, [(5, 5), (25_000, 25_000), (40_005, 40_005)]);
    assert_eq!(
        store.log_entries_of_files(plan, &[3]).await.unwrap().len(),
        10
    );
    // Deleting by id, and inserting a changed row for the same key.
    let five = found.iter().find(|e| e.key.message_key == 5).unwrap();
    let changed = LogEntry {
        counted: false,
        ..five.clone()
    };
    let commit = LogCommit {
        delete_entries: vec![five.id],
        insert_entries: vec![changed],
        ..LogCommit::default()
    };
    store.commit_log_sync(plan, &commit).await.unwrap();
    let now = store.log_entries_of_messages(plan, &[5]).await.unwrap();
    assert_eq!(now.len(), 1);
    assert!(!now[0].counted && now[0].id != five.id);
}

async fn hourly_sums_add_up_and_stay_dirty_until_cleaned(db: TestDb) {
    let (store, plan) = plan(&db).await;
    let delta = |hour: i64, entries: i64, output: i64| LogHourDelta {
        hour,
        model: Arc::from("m"),
        entries,
        tokens: TokenCounts {
            output,
            ..TokenCounts::default()
        },
    };
    let h = 1_767_600_000 / 3_600 * 3_600;
    let commit = LogCommit {
        hour_deltas: vec![delta(h, 2, 30), delta(h + 7_200, 1, 5)],
        ..LogCommit::default()
    };
    store.commit_log_sync(plan, &commit).await.unwrap();
    assert_eq!(
        store.dirty_log_hours(plan).await.unwrap(),
        Some((h, h + 7_200))
    );
    store.clean_log_hours(plan, h, h + 10_800).await.unwrap();
    assert_eq!(store.dirty_log_hours(plan).await.unwrap(), None);
    // A later delta adds to the sum; one that empties an hour drops it when cleaned.
    let commit = LogCommit {
        hour_deltas: vec![delta(h, 1, 12), delta(h + 7_200, -1, -5)],
        ..LogCommit::default()
    };
    store.commit_log_sync(plan, &commit).await.unwrap();
    let hours = store.log_hours(plan, h, h + 10_800).await.unwrap();
    assert_eq!(
        hours
            .iter()
            .map(|x| (x.hour, x.entries, x.tokens.output))
            .collect::<Vec<_>>(),
        [(h, 3, 42), (h + 7_200, 0, 0)]
    );
    store.clean_log_hours(plan, h, h + 10_800).await.unwrap();
    assert_eq!(store.log_hours(plan, h, h + 10_800).await.unwrap().len(), 1);
}

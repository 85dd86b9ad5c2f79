use std::collections::{BTreeMap, HashSet};

use super::*;
use crate::store::logs::LogEntryKey;

fn names() -> SessionNames {
    [
        (1, ("p".to_string(), "a".to_string())),
        (2, ("p".to_string(), "b".to_string())),
    ]
    .into()
}

fn entry(message: i64, request: i64, side: bool, file: i64, at_ms: i64, output: i64) -> LogEntry {
    LogEntry {
        id: 0,
        key: LogEntryKey {
            message_key: message,
            sidechain: side,
            request_key: if side { 0 } else { request },
            file_id: file,
        },
        at_ms,
        session_ref: 1,
        model: Arc::from("claude-sonnet-4-5"),
        tokens: TokenCounts {
            uncached_input: 10,
            output,
            ..TokenCounts::default()
        },
        cost_usd: None,
        fast: false,
        counted: false,
    }
}

/// Apply a merge to a table of rows, the way the store does (ids from a counter).
fn apply(table: &mut BTreeMap<LogEntryKey, LogEntry>, merged: &Merged) {
    let deleted: HashSet<i64> = merged.deletes.iter().copied().collect();
    assert_eq!(deleted.len(), merged.deletes.len(), "a row is deleted once");
    table.retain(|_, row| !deleted.contains(&row.id));
    let first =
        table.values().map(|r| r.id).max().unwrap_or(0) + deleted.iter().max().unwrap_or(&0) + 1;
    for (id, row) in (first..).zip(&merged.inserts) {
        let row = LogEntry { id, ..row.clone() };
        assert!(
            table.insert(row.key, row).is_none(),
            "an inserted key is new"
        );
    }
}

/// Merge `incoming` into `table`, loading the rows of the touched messages as a sync does.
fn sync(
    table: &mut BTreeMap<LogEntryKey, LogEntry>,
    incoming: Vec<LogEntry>,
    reset: &[i64],
) -> Merged {
    let reset: HashSet<i64> = reset.iter().copied().collect();
    let mut messages: HashSet<i64> = incoming.iter().map(|e| e.key.message_key).collect();
    messages.extend(
        table
            .values()
            .filter(|e| reset.contains(&e.key.file_id))
            .map(|e| e.key.message_key),
    );
    let existing = table
        .values()
        .filter(|e| messages.contains(&e.key.message_key))
        .cloned()
        .collect();
    let merged = merge(existing, &reset, incoming, &names());
    apply(table, &merged);
    merged
}

fn counted_output(table: &BTreeMap<LogEntryKey, LogEntry>) -> Vec<(i64, i64)> {
    table
        .values()
        .filter(|e| e.counted)
        .map(|e| (e.key.message_key, e.tokens.output))
        .collect()
}

#[test]
fn the_largest_streaming_snapshot_counts_once() {
    let mut t = BTreeMap::new();
    let m = sync(
        &mut t,
        vec![
            entry(1, 7, false, 1, 0, 5),
            entry(1, 7, false, 1, 1, 50),
            entry(1, 7, false, 1, 2, 20),
        ],
        &[],
    );
    assert_eq!(counted_output(&t), [(1, 50)]);
    assert_eq!(t.len(), 1);
    assert_eq!(m.deltas.len(), 1);
    assert_eq!((m.deltas[0].entries, m.deltas[0].tokens.output), (1, 50));
}

#[test]
fn a_sidechain_replay_never_beats_its_parent() {
    let mut t = BTreeMap::new();
    // The replay comes first, has another request id and more tokens; the parent still wins.
    sync(&mut t, vec![entry(1, 8, true, 2, 0, 900)], &[]);
    assert_eq!(counted_output(&t), [(1, 900)]);
    let m = sync(&mut t, vec![entry(1, 7, false, 1, 1, 10)], &[]);
    assert_eq!(counted_output(&t), [(1, 10)]);
    let net: i64 = m.deltas.iter().map(|d| d.tokens.output).sum();
    assert_eq!(net, 10 - 900);
    assert_eq!(m.deltas.iter().map(|d| d.entries).sum::<i64>(), 0);
}

#[test]
fn sidechain_entries_of_one_message_are_one_group() {
    let mut t = BTreeMap::new();
    sync(
        &mut t,
        vec![entry(1, 7, true, 1, 0, 10), entry(1, 8, true, 2, 0, 30)],
        &[],
    );
    assert_eq!(counted_output(&t), [(1, 30)]);
}

#[test]
fn different_requests_of_one_message_both_count() {
    let mut t = BTreeMap::new();
    sync(
        &mut t,
        vec![entry(1, 7, false, 1, 0, 10), entry(1, 8, false, 1, 0, 30)],
        &[],
    );
    assert_eq!(counted_output(&t), [(1, 10), (1, 30)]);
}

#[test]
fn across_files_the_largest_wins_and_a_reset_file_gives_way() {
    let mut t = BTreeMap::new();
    sync(&mut t, vec![entry(1, 7, false, 1, 0, 10)], &[]);
    sync(&mut t, vec![entry(1, 7, false, 2, 0, 40)], &[]);
    assert_eq!(counted_output(&t), [(1, 40)]);
    assert_eq!(t.len(), 2, "each file keeps its own best snapshot");
    // File 2 is truncated and now holds another message: file 1's snapshot counts again.
    let m = sync(&mut t, vec![entry(2, 9, false, 2, 0, 3)], &[2]);
    assert_eq!(counted_output(&t), [(1, 10), (2, 3)]);
    // File 2's row goes; file 1's comes back counted (a change is a delete and an insert).
    assert_eq!((m.deletes.len(), m.inserts.len()), (2, 2));
    assert_eq!(
        m.deltas.iter().map(|d| d.tokens.output).sum::<i64>(),
        10 + 3 - 40
    );
}

#[test]
fn ties_go_to_the_earliest_then_the_first_session() {
    let mut t = BTreeMap::new();
    let mut late = entry(1, 7, false, 1, 5, 10);
    late.session_ref = 1;
    let mut early_b = entry(1, 7, false, 2, 1, 10);
    early_b.session_ref = 2;
    let mut early_a = entry(1, 7, false, 3, 1, 10);
    early_a.session_ref = 1;
    sync(&mut t, vec![late, early_b.clone(), early_a.clone()], &[]);
    let winner: Vec<i64> = t
        .values()
        .filter(|e| e.counted)
        .map(|e| e.key.file_id)
        .collect();
    assert_eq!(winner, [3]);
}

#[test]
fn reading_nothing_new_changes_nothing() {
    let mut t = BTreeMap::new();
    sync(
        &mut t,
        vec![entry(1, 7, false, 1, 0, 10), entry(2, 7, true, 1, 0, 10)],
        &[],
    );
    let again = sync(
        &mut t,
        vec![entry(1, 7, false, 1, 0, 10), entry(1, 7, false, 1, 0, 4)],
        &[],
    );
    assert!(again.inserts.is_empty() && again.deletes.is_empty() && again.deltas.is_empty());
}

/// A tiny deterministic generator for the property test.
struct Rng(u64);
impl Rng {
    fn next(&mut self, n: u64) -> i64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n) as i64
    }
}

#[test]
fn incremental_merges_equal_one_merge_of_everything() {
    for seed in 1..200u64 {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        let rows: Vec<LogEntry> = (0..40)
            .map(|_| {
                let mut e = entry(
                    rng.next(6),
                    rng.next(3),
                    rng.next(4) == 0,
                    1 + rng.next(3),
                    rng.next(4) * 1_800_000,
                    rng.next(50),
                );
                e.session_ref = 1 + rng.next(2);
                e
            })
            .collect();
        let mut whole = BTreeMap::new();
        sync(&mut whole, rows.clone(), &[]);
        let mut parts = BTreeMap::new();
        let mut hours: BTreeMap<(i64, String), (i64, TokenCounts)> = BTreeMap::new();
        for chunk in rows.chunks(1 + rng.next(7) as usize) {
            for d in sync(&mut parts, chunk.to_vec(), &[]).deltas {
                let h = hours.entry((d.hour, d.model.to_string())).or_default();
                h.0 += d.entries;
                h.1.add(&d.tokens);
            }
        }
        let no_ids = |t: &BTreeMap<LogEntryKey, LogEntry>| -> Vec<LogEntry> {
            t.values()
                .map(|r| LogEntry { id: 0, ..r.clone() })
                .collect()
        };
        assert_eq!(no_ids(&parts), no_ids(&whole), "seed {seed}");
        let mut expected: BTreeMap<(i64, String), (i64, TokenCounts)> = BTreeMap::new();
        for e in whole.values().filter(|e| e.counted) {
            let h = expected
                .entry((e.at_ms / 3_600_000 * 3_600, e.model.to_string()))
                .or_default();
            h.0 += 1;
            h.1.add(&e.tokens);
        }
        hours.retain(|_, (n, t)| *n != 0 || !t.is_zero());
        assert_eq!(hours, expected, "seed {seed}");
    }
}

//! Which snapshots count: the dedup rules, and the merge of newly read entries into the
//! stored ones that yields the rows to write and the hourly sums to change.
//!
//! Claude Code writes one line per content block of a streamed answer, each with the usage
//! so far, and replays messages into other files (resumed sessions, `/btw` sidechains). The
//! rules, following ccusage 20:
//!
//! 1. Entries with the same `message.id` and `requestId` are one group; the group counts
//!    once, with its largest snapshot (largest token total; on a tie the earliest, then the
//!    one of the smallest (project, session), then of the first file read).
//! 2. A sidechain entry replays its message: when the message has any non-sidechain entry,
//!    its sidechain entries do not count; otherwise its sidechain entries, whatever their
//!    request ids, are one group.
//! 3. An entry without `message.id` is never merged with another: each such line counts. A
//!    main entry without `requestId` groups with the entries of its message at the same
//!    instant (copies of one line), whatever their session, and makes its message's
//!    sidechain entries replays. (ccusage 20 also keys these by session, so it counts a
//!    resumed session's copy, which carries the new session's id, again; costledger counts
//!    one response once.)
//!
//! The store keeps the largest snapshot of each group per file (not only the winner), so
//! that when a file is truncated or replaced its entries can be taken out and the next best
//! snapshot from another file takes over, exactly as a fresh scan would choose.

use std::cmp::Ordering;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use crate::model::TokenCounts;
use crate::store::logs::{LogEntry, LogHourDelta};

/// The (project, session) names of session ids, for tie-breaks.
pub(crate) type SessionNames = HashMap<i64, (String, String)>;

/// What merging changes. A changed row is deleted and inserted again: rows are only ever
/// appended, which keeps a sync that appends entries cheap to write.
#[derive(Debug, Default)]
pub(crate) struct Merged {
    /// Rows to insert, in key order.
    pub inserts: Vec<LogEntry>,
    /// Ids of the stored rows to delete.
    pub deletes: Vec<i64>,
    /// Changes of the hourly sums (none zero).
    pub deltas: Vec<LogHourDelta>,
}

/// The total that decides between snapshots (web searches are not tokens).
fn total(t: &TokenCounts) -> i64 {
    t.uncached_input + t.output + t.cache_read + t.cache_write_5m + t.cache_write_1h
}

/// How `a` ranks against `b` as a snapshot of one group: `Greater` when it is kept.
pub(crate) fn rank(a: &LogEntry, b: &LogEntry, names: &SessionNames) -> Ordering {
    let name = |e: &LogEntry| {
        names
            .get(&e.session_ref)
            .map(|(p, s)| (p.as_str(), s.as_str()))
    };
    total(&a.tokens)
        .cmp(&total(&b.tokens))
        .then_with(|| b.at_ms.cmp(&a.at_ms))
        .then_with(|| name(b).cmp(&name(a)))
        .then_with(|| b.key.file_id.cmp(&a.key.file_id))
        // Same group, file, instant and size: only a rewritten line differs; any fixed order.
        .then_with(|| {
            let t = |e: &LogEntry| {
                let t = &e.tokens;
                (
                    t.output,
                    t.cache_read,
                    t.cache_write_1h,
                    t.cache_write_5m,
                    t.web_search_requests,
                )
            };
            t(a).cmp(&t(b)).then_with(|| b.model.cmp(&a.model))
        })
}

/// Mark the rows of one message that count: the best of each non-sidechain request group,
/// or, when there is none, the best sidechain row.
fn choose(rows: &mut [LogEntry], names: &SessionNames) {
    for row in rows.iter_mut() {
        row.counted = false;
    }
    let any_main = rows.iter().any(|r| !r.key.sidechain);
    let mut best: HashMap<i64, usize> = HashMap::new();
    for (i, row) in rows.iter().enumerate() {
        if row.key.sidechain == any_main {
            continue;
        }
        let group = if any_main { row.key.request_key } else { 0 };
        match best.get(&group) {
            Some(&j) if rank(row, &rows[j], names) != Ordering::Greater => {}
            _ => {
                best.insert(group, i);
            }
        }
    }
    for i in best.into_values() {
        rows[i].counted = true;
    }
}

fn same_content(a: &LogEntry, b: &LogEntry) -> bool {
    (
        a.at_ms,
        a.session_ref,
        &a.model,
        a.tokens,
        a.cost_usd,
        a.fast,
        a.counted,
    ) == (
        b.at_ms,
        b.session_ref,
        &b.model,
        b.tokens,
        b.cost_usd,
        b.fast,
        b.counted,
    )
}

/// Merge newly read entries (`incoming`, any number per key) into the stored rows of the
/// same messages (`existing`, which must hold every stored row of every message that
/// `incoming` or the reset files touch). Rows of `reset_files` are replaced by what was
/// read from them again.
pub(crate) fn merge(
    existing: Vec<LogEntry>,
    reset_files: &HashSet<i64>,
    incoming: Vec<LogEntry>,
    names: &SessionNames,
) -> Merged {
    let mut rows: Vec<(LogEntry, bool)> = existing
        .into_iter()
        .map(|e| (e, false))
        .chain(incoming.into_iter().map(|e| (e, true)))
        .collect();
    rows.sort_unstable_by(|a, b| a.0.key.cmp(&b.0.key).then(a.1.cmp(&b.1)));
    let mut out = Merged::default();
    let mut deltas: HashMap<(i64, Arc<str>), (i64, TokenCounts)> = HashMap::new();
    let mut apply = |e: &LogEntry, sign: i64| {
        let hour = e.at_ms.div_euclid(3_600_000) * 3_600;
        let d = deltas.entry((hour, e.model.clone())).or_default();
        d.0 += sign;
        let t = &e.tokens;
        d.1.add(&TokenCounts {
            uncached_input: sign * t.uncached_input,
            cache_write_5m: sign * t.cache_write_5m,
            cache_write_1h: sign * t.cache_write_1h,
            cache_read: sign * t.cache_read,
            output: sign * t.output,
            web_search_requests: sign * t.web_search_requests,
        });
    };
    let mut start = 0;
    let mut after: Vec<LogEntry> = Vec::new();
    let mut before: Vec<Option<LogEntry>> = Vec::new();
    while start < rows.len() {
        let message = rows[start].0.key.message_key;
        let end = start
            + rows[start..]
                .iter()
                .take_while(|r| r.0.key.message_key == message)
                .count();
        after.clear();
        before.clear();
        let mut i = start;
        while i < end {
            let key = rows[i].0.key;
            let stored = (!rows[i].1).then(|| rows[i].0.clone());
            let kept = stored
                .clone()
                .filter(|s| !reset_files.contains(&s.key.file_id));
            let mut best = kept;
            let mut j = i + usize::from(stored.is_some());
            while j < end && rows[j].0.key == key {
                let candidate = &rows[j].0;
                if best
                    .as_ref()
                    .is_none_or(|b| rank(candidate, b, names) == Ordering::Greater)
                {
                    best = Some(candidate.clone());
                }
                j += 1;
            }
            if let Some(s) = &stored {
                if s.counted {
                    apply(s, -1);
                }
                if best.is_none() {
                    out.deletes.push(s.id);
                }
            }
            if let Some(b) = best {
                after.push(b);
                before.push(stored);
            }
            i = j;
        }
        choose(&mut after, names);
        for (row, stored) in after.drain(..).zip(before.drain(..)) {
            if row.counted {
                apply(&row, 1);
            }
            match stored {
                Some(s) if same_content(&s, &row) => {}
                Some(s) => {
                    out.deletes.push(s.id);
                    out.inserts.push(row);
                }
                None => out.inserts.push(row),
            }
        }
        start = end;
    }
    out.deltas = deltas
        .into_iter()
        .filter(|(_, (n, t))| *n != 0 || !t.is_zero())
        .map(|((hour, model), (entries, tokens))| LogHourDelta {
            hour,
            model,
            entries,
            tokens,
        })
        .collect();
    out.deltas
        .sort_by(|a, b| (a.hour, &a.model).cmp(&(b.hour, &b.model)));
    out
}

#[cfg(test)]
#[path = "dedup_tests.rs"]
mod tests;

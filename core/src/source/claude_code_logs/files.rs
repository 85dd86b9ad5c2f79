//! Matching the files found on disk with the files a plan tracks: which to read and from
//! where, which to read again from the start, which to forget.

use std::collections::HashMap;

use super::reader::ReadTask;
use super::scan::FoundFile;
use crate::store::logs::LogFile;

/// What a sync does with each file.
#[derive(Debug, Default)]
pub(crate) struct FileWork {
    /// Files to read: the state each continues from (id 0 when not tracked yet) and where.
    pub reads: Vec<(LogFile, ReadTask)>,
    /// Tracked files read again from the start: their stored entries are replaced.
    pub resets: Vec<i64>,
    /// Tracked files gone from disk: forgotten, their entries kept.
    pub forget: Vec<i64>,
    /// Files unchanged since the last sync.
    pub unchanged: usize,
}

/// Decide, for every found and every tracked file, what the sync does:
///
/// - a tracked file is recognised by its identity (device and inode), else by its path; a
///   file found under another path is recognised by its identity only when its bytes before
///   the parsed offset are still the ones read (`same_bytes`): a deleted file's inode taken
///   over by a new file is a new file, and the deleted one is forgotten, its entries kept;
/// - unchanged (same path, size and modification time): nothing;
/// - grown or touched: read on from the parsed offset (the reader checks that the bytes
///   before it are still the same, and starts over when not);
/// - shorter than the parsed offset (truncated), replaced at its path by another file, or
///   moved to another project or session: read again from the start, replacing its entries;
/// - new: read from the start;
/// - tracked but gone: forgotten, its entries kept.
pub(crate) fn plan_file_work(
    stored: Vec<LogFile>,
    found: Vec<FoundFile>,
    same_bytes: impl Fn(&FoundFile, &LogFile) -> bool,
) -> FileWork {
    let mut by_identity: HashMap<(i64, i64), usize> = HashMap::new();
    let mut by_path: HashMap<String, usize> = HashMap::new();
    for (i, file) in stored.iter().enumerate() {
        if (file.device, file.inode) != (0, 0) {
            by_identity.insert((file.device, file.inode), i);
        }
        by_path.insert(file.path.clone(), i);
    }
    let mut claimed = vec![false; stored.len()];
    let mut work = FileWork::default();
    // Identity first, so that a file renamed over another's old path is still recognised.
    let mut matches: Vec<Option<usize>> = found
        .iter()
        .map(|f| {
            let i = *by_identity
                .get(&(f.device, f.inode))
                .filter(|_| (f.device, f.inode) != (0, 0))?;
            let s = &stored[i];
            if s.path != path_text(f) && (f.size < s.parsed_to || !same_bytes(f, s)) {
                return None;
            }
            claimed[i] = true;
            Some(i)
        })
        .collect();
    for (f, m) in found.iter().zip(matches.iter_mut()) {
        if m.is_none()
            && let Some(&i) = by_path.get(&path_text(f)).filter(|&&i| !claimed[i])
        {
            claimed[i] = true;
            *m = Some(i);
        }
    }
    for (f, m) in found.into_iter().zip(matches) {
        let path = path_text(&f);
        let fresh = |id: i64| LogFile {
            id,
            path: path.clone(),
            project: f.project.clone(),
            device: f.device,
            inode: f.inode,
            size: f.size,
            mtime_ns: f.mtime_ns,
            ..LogFile::default()
        };
        let (state, from) = match m.map(|i| &stored[i]) {
            None => (fresh(0), None),
            Some(s) => {
                let same_identity = (s.device, s.inode) == (f.device, f.inode);
                let same_place =
                    s.path == path || (s.project == f.project && same_hint(&s.path, &path));
                if !same_identity || !same_place || f.size < s.parsed_to {
                    work.resets.push(s.id);
                    (fresh(s.id), None)
                } else if s.path == path && s.size == f.size && s.mtime_ns == f.mtime_ns {
                    work.unchanged += 1;
                    continue;
                } else {
                    let state = LogFile {
                        path: path.clone(),
                        size: f.size,
                        mtime_ns: f.mtime_ns,
                        ..s.clone()
                    };
                    (state, Some((s.parsed_to, s.fingerprint)))
                }
            }
        };
        let task = ReadTask {
            file_id: state.id,
            path: f.path,
            size: u64::try_from(f.size).unwrap_or(0),
            from: from.map_or(0, |(at, _)| u64::try_from(at).unwrap_or(0)),
            fingerprint: from.map(|(_, fp)| fp),
            session_hint: f.session_hint,
        };
        work.reads.push((state, task));
    }
    work.forget = stored
        .iter()
        .zip(&claimed)
        .filter(|(_, c)| !**c)
        .map(|(s, _)| s.id)
        .collect();
    work
}

fn path_text(f: &FoundFile) -> String {
    f.path.to_string_lossy().into_owned()
}

/// True when two paths give entries without a `sessionId` the same session.
fn same_hint(a: &str, b: &str) -> bool {
    super::scan::session_hint(std::path::Path::new(a))
        == super::scan::session_hint(std::path::Path::new(b))
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    fn found(path: &str, inode: i64, size: i64, mtime: i64) -> FoundFile {
        FoundFile {
            path: PathBuf::from(path),
            project: path.split('/').nth(2).unwrap_or("unknown").to_string(),
            session_hint: super::super::scan::session_hint(std::path::Path::new(path)),
            device: 1,
            inode,
            size,
            mtime_ns: mtime,
        }
    }

    fn stored(id: i64, path: &str, inode: i64, size: i64, mtime: i64) -> LogFile {
        let f = found(path, inode, size, mtime);
        LogFile {
            id,
            path: path.to_string(),
            project: f.project,
            device: 1,
            inode,
            size,
            mtime_ns: mtime,
            parsed_to: size,
            fingerprint: 42,
            lines: 9,
            ..LogFile::default()
        }
    }

    #[test]
    fn each_case_gets_its_action() {
        let tracked = vec![
            stored(1, "/p/a/same.jsonl", 10, 100, 5),
            stored(2, "/p/a/grown.jsonl", 11, 100, 5),
            stored(3, "/p/a/cut.jsonl", 12, 100, 5),
            stored(4, "/p/a/replaced.jsonl", 13, 100, 5),
            stored(5, "/p/a/gone.jsonl", 14, 100, 5),
            stored(6, "/p/a/renamed.jsonl", 15, 100, 5),
        ];
        let disk = vec![
            found("/p/a/same.jsonl", 10, 100, 5),
            found("/p/a/grown.jsonl", 11, 150, 6),
            found("/p/a/cut.jsonl", 12, 40, 6),
            found("/p/a/replaced.jsonl", 99, 100, 5),
            found("/p/b/renamed.jsonl", 15, 100, 5),
            found("/p/a/new.jsonl", 16, 10, 5),
        ];
        let work = plan_file_work(tracked, disk, |_, _| true);
        assert_eq!(work.unchanged, 1);
        assert_eq!(work.forget, [5]);
        assert_eq!(work.resets, [3, 4, 6]);
        let reads: Vec<(i64, &str, u64, Option<i64>, i64)> = work
            .reads
            .iter()
            .map(|(s, t)| (s.id, s.path.as_str(), t.from, t.fingerprint, s.lines))
            .collect();
        assert_eq!(
            reads,
            [
                (2, "/p/a/grown.jsonl", 100, Some(42), 9),
                (3, "/p/a/cut.jsonl", 0, None, 0),
                (4, "/p/a/replaced.jsonl", 0, None, 0),
                (6, "/p/b/renamed.jsonl", 0, None, 0),
                (0, "/p/a/new.jsonl", 0, None, 0),
            ]
        );
    }

    #[test]
    fn a_rotated_file_keeps_its_state_under_its_new_name_in_the_same_session() {
        let tracked = vec![stored(1, "/p/a/s/subagents/x.jsonl", 10, 100, 5)];
        let disk = vec![
            found("/p/a/s/subagents/x-old.jsonl", 10, 100, 5),
            found("/p/a/s/subagents/x.jsonl", 11, 20, 7),
        ];
        let work = plan_file_work(tracked, disk, |_, _| true);
        assert!(work.resets.is_empty() && work.forget.is_empty());
        let reads: Vec<(i64, &str, u64)> = work
            .reads
            .iter()
            .map(|(s, t)| (s.id, s.path.as_str(), t.from))
            .collect();
        assert_eq!(
            reads,
            [
                (1, "/p/a/s/subagents/x-old.jsonl", 100),
                (0, "/p/a/s/subagents/x.jsonl", 0)
            ]
        );
    }

    #[test]
    fn a_deleted_files_inode_taken_by_a_new_file_is_a_new_file() {
        // old.jsonl was deleted and new.jsonl got its inode: other bytes, so not a move.
        let tracked = vec![stored(1, "/p/a/old.jsonl", 10, 100, 5)];
        let disk = vec![found("/p/a/new.jsonl", 10, 150, 7)];
        let work = plan_file_work(tracked.clone(), disk.clone(), |_, _| false);
        assert_eq!(
            work.forget,
            [1],
            "the deleted file is forgotten, its entries kept"
        );
        assert!(work.resets.is_empty(), "its entries are not replaced");
        assert_eq!(work.reads.len(), 1);
        assert_eq!((work.reads[0].0.id, work.reads[0].1.from), (0, 0));
        // Shorter than what was read: not the same file either, whatever its bytes.
        let disk = vec![found("/p/b/new.jsonl", 10, 50, 7)];
        let work = plan_file_work(tracked.clone(), disk, |_, _| true);
        assert_eq!(
            (work.forget.as_slice(), work.resets.len()),
            ([1].as_slice(), 0)
        );
        // The same bytes: the same file, moved.
        let work = plan_file_work(tracked, disk_same(), |_, _| true);
        assert!(work.forget.is_empty());
        assert_eq!(work.reads[0].0.id, 1);
    }

    fn disk_same() -> Vec<FoundFile> {
        vec![found("/p/a/old-moved.jsonl", 10, 150, 7)]
    }
}

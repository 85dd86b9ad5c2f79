//! Reading log files from an offset, streaming: a bounded line buffer, never a whole file in
//! memory, and several files at once on the caller's runtime's blocking threads.

use std::collections::HashSet;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::PathBuf;
use std::sync::Arc;

use super::keys::{fingerprint, id_key, instant_key, line_key};
use super::line::{Line, LineParser};
use crate::error::{Error, Result};
use crate::model::{Money, TokenCounts};

/// Lines longer than this are skipped and counted: no usage line comes close (a model's
/// longest answer is well under a megabyte), while a pasted image can exceed it.
pub(crate) const MAX_LINE: usize = 16 << 20;
/// The read buffer's starting size; it grows (up to [`MAX_LINE`]) only for a longer line.
const CHUNK: usize = 256 << 10;
/// How many bytes before the parsed offset the fingerprint covers.
const FINGERPRINT_BYTES: u64 = 64;

/// A file to read.
#[derive(Clone, Debug)]
pub(crate) struct ReadTask {
    /// The file's id in the store.
    pub file_id: i64,
    /// Where it is.
    pub path: PathBuf,
    /// Its size when found (to share the work out).
    pub size: u64,
    /// The offset to read from.
    pub from: u64,
    /// The fingerprint of the bytes before `from`, checked before reading on.
    pub fingerprint: Option<i64>,
    /// The session of entries that carry none.
    pub session_hint: String,
}

/// An entry as read, before it is stored.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct ParsedEntry {
    /// The key of its message id (or of its file and offset without one).
    pub message_key: i64,
    /// The key of its request id; 0 for sidechain entries, the key of its instant for an
    /// entry without one.
    pub request_key: i64,
    /// `isSidechain`.
    pub sidechain: bool,
    /// Its instant, in milliseconds.
    pub at_ms: i64,
    /// Its session, an index into [`ReadOutcome::sessions`].
    pub session: u32,
    /// The model (`unknown` when the line named none).
    pub model: Arc<str>,
    /// Its tokens.
    pub tokens: TokenCounts,
    /// The `costUSD` it carried.
    pub cost_usd: Option<Money>,
}

/// What reading one file found.
#[derive(Debug, Default)]
pub(crate) struct ReadOutcome {
    /// The file's id.
    pub file_id: i64,
    /// True when the bytes before the offset had changed, so the file was read from 0.
    pub restarted: bool,
    /// The offset after the last complete line.
    pub parsed_to: u64,
    /// The file's size when the read ended.
    pub end: u64,
    /// The fingerprint of the bytes before `parsed_to`.
    pub fingerprint: i64,
    /// Lines read.
    pub lines: i64,
    /// Lines that mention usage but do not parse.
    pub malformed: i64,
    /// Lines longer than [`MAX_LINE`], skipped.
    pub too_long: i64,
    /// The sessions of the entries.
    pub sessions: Vec<String>,
    /// The usage entries, in file order.
    pub entries: Vec<ParsedEntry>,
}

/// Per-thread state: the line parser and the model names seen.
struct Reader {
    parser: LineParser,
    models: HashSet<Arc<str>>,
    max_line: usize,
    /// The line buffer, reused from file to file.
    buf: Vec<u8>,
}

impl Reader {
    fn new(max_line: usize) -> Self {
        Reader {
            parser: LineParser::new(),
            models: HashSet::new(),
            max_line,
            buf: Vec::new(),
        }
    }

    /// Read one file with the reused buffer (back to its starting size after a long line).
    fn read(&mut self, task: &ReadTask) -> io::Result<ReadOutcome> {
        let chunk = CHUNK.min(self.max_line);
        let mut buf = std::mem::take(&mut self.buf);
        if buf.len() != chunk {
            buf = vec![0u8; chunk];
        }
        let outcome = self.read_with(task, &mut buf);
        if buf.capacity() > 4 * chunk {
            buf = Vec::new();
        }
        buf.truncate(chunk);
        self.buf = buf;
        outcome
    }
}

impl Reader {
    fn model(&mut self, name: &str) -> Arc<str> {
        if let Some(known) = self.models.get(name) {
            return known.clone();
        }
        let name: Arc<str> = Arc::from(name);
        self.models.insert(name.clone());
        name
    }

    fn read_with(&mut self, task: &ReadTask, buf: &mut Vec<u8>) -> io::Result<ReadOutcome> {
        let mut file = File::open(&task.path)?;
        let mut out = ReadOutcome {
            file_id: task.file_id,
            ..ReadOutcome::default()
        };
        // The bytes before the offset come with the first read: they must be unchanged.
        let check = task.from.min(FINGERPRINT_BYTES) as usize;
        let mut base = task.from - check as u64; // file offset of buf[0]
        if base > 0 {
            file.seek(SeekFrom::Start(base))?;
        }
        let mut filled = read_at_least(&mut file, buf, check)?;
        if check > 0 && (filled < check || task.fingerprint != Some(fingerprint(&buf[..check]))) {
            out.restarted = true;
            file.seek(SeekFrom::Start(0))?;
            base = 0;
            filled = 0;
        }
        // The last bytes before `base` (the end of the last complete line), for the next
        // fingerprint; `None` once a too long line was dropped from the buffer.
        let mut tail: Option<Vec<u8>> = Some(Vec::new());
        let mut consumed = if out.restarted { 0 } else { check };
        let mut scanned = consumed;
        let mut skipping = false; // inside a line longer than the limit
        let mut skip_start = 0; // where that line began
        let mut skip_tail = None;
        loop {
            let mut start = consumed;
            while let Some(i) = memchr::memchr(b'\n', &buf[scanned..filled]) {
                let end = scanned + i;
                out.lines += 1;
                if skipping {
                    out.too_long += 1;
                    skipping = false;
                } else {
                    self.line(task, &buf[start..end], base + start as u64, &mut out);
                }
                start = end + 1;
                scanned = start;
            }
            if let Some(t) = tail.as_mut() {
                t.extend_from_slice(&buf[..start]);
                let excess = t.len().saturating_sub(FINGERPRINT_BYTES as usize);
                t.drain(..excess);
            }
            buf.copy_within(start..filled, 0);
            filled -= start;
            scanned = filled;
            base += start as u64;
            consumed = 0;
            if filled == buf.len() {
                if buf.len() < self.max_line {
                    buf.resize((buf.len() * 2).min(self.max_line), 0);
                } else {
                    // Too long: drop what we have of it and skip to its end.
                    if !skipping {
                        skip_start = base;
                        skip_tail = tail.take();
                    }
                    skipping = true;
                    base += filled as u64;
                    filled = 0;
                    scanned = 0;
                }
            }
            // Past the size the listing saw, stop without asking for more: what was appended
            // since is read next time.
            if base + filled as u64 >= task.size {
                break;
            }
            let n = file.read(&mut buf[filled..])?;
            if n == 0 {
                break;
            }
            filled += n;
        }
        // The incomplete last line is read again next time.
        out.parsed_to = if skipping { skip_start } else { base };
        out.end = base + filled as u64;
        let known = if skipping { skip_tail } else { tail };
        out.fingerprint = match known {
            Some(t) if t.len() as u64 == out.parsed_to.min(FINGERPRINT_BYTES) => fingerprint(&t),
            _ => fingerprint_before(&mut file, out.parsed_to)?,
        };
        Ok(out)
    }

    fn line(&mut self, task: &ReadTask, line: &[u8], offset: u64, out: &mut ReadOutcome) {
        let entry = match self.parser.parse(line) {
            Line::NoUsage => return,
            Line::Malformed => {
                out.malformed += 1;
                return;
            }
            Line::Usage(entry) => entry,
        };
        let session = entry.session_id.as_deref().unwrap_or(&task.session_hint);
        let session = match out.sessions.iter().rposition(|s| s == session) {
            Some(i) => i as u32,
            None => {
                out.sessions.push(session.to_string());
                (out.sessions.len() - 1) as u32
            }
        };
        let model = self.model(entry.model.as_deref().unwrap_or("unknown"));
        let message_key = match entry.message_id.as_deref() {
            Some(id) => id_key(id),
            None => line_key(task.file_id, offset),
        };
        // A sidechain entry belongs to its message whatever its request (a `/btw` replay
        // repeats the parent message under a new request id). A main entry without a request
        // id groups with the entries of its message at the same instant (as ccusage 20 does).
        let request_key = match (entry.sidechain, entry.request_id.as_deref()) {
            (true, _) => 0,
            (false, Some(id)) => id_key(id),
            (false, None) => instant_key(entry.at_ms),
        };
        out.entries.push(ParsedEntry {
            message_key,
            request_key,
            sidechain: entry.sidechain,
            at_ms: entry.at_ms,
            session,
            model,
            tokens: entry.tokens,
            cost_usd: entry.cost_usd,
        });
    }
}

/// Read into `buf` until at least `min` bytes are in it or the file ends; returns how many.
fn read_at_least(file: &mut File, buf: &mut [u8], min: usize) -> io::Result<usize> {
    let mut filled = 0;
    while filled < min.max(1) {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// True when the file at `path` still has, just before `offset`, the bytes `fingerprint` was
/// taken of: the same file under another path, not another file that took over its inode
/// (which a file system reuses once a file is deleted). An unreadable file is not.
pub(crate) fn same_bytes_before(path: &std::path::Path, offset: i64, fingerprint: i64) -> bool {
    let offset = u64::try_from(offset).unwrap_or(0);
    File::open(path)
        .and_then(|mut file| fingerprint_before(&mut file, offset))
        .is_ok_and(|f| f == fingerprint)
}

/// The fingerprint of the bytes just before `offset` (of none at 0). Leaves the position
/// anywhere.
fn fingerprint_before(file: &mut File, offset: u64) -> io::Result<i64> {
    let start = offset.saturating_sub(FINGERPRINT_BYTES);
    let mut bytes = vec![0u8; (offset - start) as usize];
    file.seek(SeekFrom::Start(start))?;
    match file.read_exact(&mut bytes) {
        Ok(()) => Ok(fingerprint(&bytes)),
        // The file is now shorter than the offset: it cannot match.
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(0),
        Err(e) => Err(e),
    }
}

/// Read every task, spreading them over the blocking threads by size (largest first, each
/// to the least loaded), at most one thread per core. A file that cannot be read is
/// reported with its error; the others are unaffected.
pub(crate) async fn read_all(
    tasks: Vec<ReadTask>,
) -> Result<Vec<(ReadTask, io::Result<ReadOutcome>)>> {
    read_all_with(tasks, MAX_LINE).await
}

async fn read_all_with(
    mut tasks: Vec<ReadTask>,
    max_line: usize,
) -> Result<Vec<(ReadTask, io::Result<ReadOutcome>)>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 8)
        .min(tasks.len().max(1));
    tasks.sort_by_key(|t| std::cmp::Reverse(t.size.saturating_sub(t.from)));
    let mut groups: Vec<(u64, Vec<ReadTask>)> = (0..threads).map(|_| (0, Vec::new())).collect();
    for task in tasks {
        let lightest = groups
            .iter_mut()
            .min_by_key(|g| g.0)
            .expect("at least one group");
        lightest.0 += task.size.saturating_sub(task.from);
        lightest.1.push(task);
    }
    let handles: Vec<_> = groups
        .into_iter()
        .filter(|g| !g.1.is_empty())
        .map(|(_, group)| {
            tokio::task::spawn_blocking(move || {
                let mut reader = Reader::new(max_line);
                group
                    .into_iter()
                    .map(|task| {
                        let outcome = reader.read(&task);
                        (task, outcome)
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut results = Vec::new();
    for joined in futures::future::join_all(handles).await {
        results.extend(
            joined.map_err(|e| Error::internal(format!("reading Claude Code logs failed: {e}")))?,
        );
    }
    Ok(results)
}

#[cfg(test)]
#[path = "reader_tests.rs"]
mod tests;

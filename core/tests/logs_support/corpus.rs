//! Synthetic Claude Code logs for the tests and the benchmark, in the shape Claude Code writes
//! them, with a record of every usage line so that each dedup rule's totals can be computed
//! independently of the code under test.
#![allow(dead_code)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// A small deterministic generator (xorshift64).
#[derive(Clone, Debug)]
pub struct Rng(pub u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// A number in `0..n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n.max(1)
    }
    /// True `percent` % of the time.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// Tokens as ccusage reports them (cache creation is the 5m and 1h writes together).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tokens {
    pub input: i64,
    pub output: i64,
    pub cache_creation: i64,
    pub cache_read: i64,
}

impl Tokens {
    pub fn total(&self) -> i64 {
        self.input + self.output + self.cache_creation + self.cache_read
    }
    pub fn add(&mut self, o: &Tokens) {
        self.input += o.input;
        self.output += o.output;
        self.cache_creation += o.cache_creation;
        self.cache_read += o.cache_read;
    }
}

/// Tokens per (UTC day `YYYY-MM-DD`, model).
pub type Totals = BTreeMap<(String, String), Tokens>;

/// One usage line, as written.
#[derive(Clone, Debug)]
pub struct Emitted {
    pub file: PathBuf,
    pub message_id: Option<String>,
    pub request_id: Option<String>,
    pub sidechain: bool,
    pub at_ms: i64,
    pub model: String,
    pub tokens: Tokens,
}

/// The UTC day of an instant in milliseconds.
pub fn day(at_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(at_ms)
        .unwrap()
        .format("%Y-%m-%d")
        .to_string()
}

fn timestamp(at_ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(at_ms)
        .unwrap()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// An assistant line with usage. `split` writes the 5m/1h `cache_creation` object (the 1h
/// part being `split_1h` of the writes) besides the total.
#[allow(clippy::too_many_arguments)]
pub fn assistant_line(
    session: &str,
    message_id: Option<&str>,
    request_id: Option<&str>,
    sidechain: bool,
    at_ms: i64,
    model: &str,
    t: &Tokens,
    split_1h: Option<i64>,
    padding: usize,
) -> String {
    let id = message_id
        .map(|m| format!("\"id\":\"{m}\","))
        .unwrap_or_default();
    let request = request_id
        .map(|r| format!("\"requestId\":\"{r}\","))
        .unwrap_or_default();
    let split = split_1h
        .map(|h| format!(",\"cache_creation\":{{\"ephemeral_5m_input_tokens\":{},\"ephemeral_1h_input_tokens\":{h}}}", t.cache_creation - h))
        .unwrap_or_default();
    format!(
        "{{\"parentUuid\":\"p-{at_ms}\",\"isSidechain\":{sidechain},\"userType\":\"external\",\"cwd\":\"/home/dev/app\",\"sessionId\":\"{session}\",\"version\":\"2.0.14\",\"gitBranch\":\"main\",\"message\":{{{id}\"type\":\"message\",\"role\":\"assistant\",\"model\":\"{model}\",\"content\":[{{\"type\":\"text\",\"text\":\"{}\"}}],\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{{\"input_tokens\":{},\"cache_creation_input_tokens\":{},\"cache_read_input_tokens\":{}{split},\"output_tokens\":{},\"service_tier\":\"standard\"}}}},{request}\"type\":\"assistant\",\"uuid\":\"u-{at_ms}\",\"timestamp\":\"{}\"}}\n",
        "x".repeat(padding),
        t.input,
        t.cache_creation,
        t.cache_read,
        t.output,
        timestamp(at_ms)
    )
}

/// A user line (a tool result), with no usage.
pub fn user_line(session: &str, at_ms: i64, padding: usize) -> String {
    format!(
        "{{\"parentUuid\":\"p-{at_ms}\",\"isSidechain\":false,\"userType\":\"external\",\"cwd\":\"/home/dev/app\",\"sessionId\":\"{session}\",\"version\":\"2.0.14\",\"type\":\"user\",\"message\":{{\"role\":\"user\",\"content\":[{{\"tool_use_id\":\"toolu_{at_ms}\",\"type\":\"tool_result\",\"content\":\"{}\"}}]}},\"uuid\":\"u-{at_ms}\",\"timestamp\":\"{}\"}}\n",
        "y".repeat(padding),
        timestamp(at_ms)
    )
}

/// Append text to a file, creating it and its directories.
pub fn append(path: &Path, text: &str) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
}

/// What a session file holds besides plain turns, in percent of messages.
#[derive(Clone, Debug)]
pub struct Mix {
    pub models: Vec<String>,
    /// Up to this many streamed snapshots per message (output growing).
    pub max_snapshots: u64,
    pub split_cache: u64,
    pub sidechain_replay: u64,
    pub sidechain_own: u64,
    pub no_request_id: u64,
    pub no_message_id: u64,
    pub malformed: u64,
    pub synthetic: u64,
    /// Padding of each line's text, in bytes.
    pub padding: (usize, usize),
}

/// A corpus being written under `root` (a `projects/` directory).
pub struct Corpus {
    pub root: PathBuf,
    pub emitted: Vec<Emitted>,
    /// Keep `emitted` (off for the benchmark's gigabyte).
    pub record: bool,
    pub rng: Rng,
    seq: u64,
}

impl Corpus {
    pub fn new(root: &Path, seed: u64) -> Self {
        Corpus {
            root: root.to_path_buf(),
            emitted: Vec::new(),
            record: true,
            rng: Rng::new(seed),
            seq: 0,
        }
    }

    fn id(&mut self, prefix: &str) -> String {
        self.seq += 1;
        format!("{prefix}_{:016x}{:08}", self.rng.below(u64::MAX), self.seq)
    }

    /// Write `turns` turns of session `session` of `project`, from `start_ms`, a few minutes
    /// apart; sidechain lines go to the session's `subagents/` file. Returns the end time.
    pub fn session(
        &mut self,
        project: &str,
        session: &str,
        start_ms: i64,
        turns: usize,
        mix: &Mix,
    ) -> i64 {
        let file = self.root.join(project).join(format!("{session}.jsonl"));
        let side_file = self
            .root
            .join(project)
            .join(session)
            .join("subagents")
            .join("agent-1.jsonl");
        let mut at = start_ms;
        let (mut text, mut side) = (String::new(), String::new());
        for _ in 0..turns {
            at += 1_000 + self.rng.below(400_000) as i64;
            let pad = |r: &mut Rng| {
                mix.padding.0 + r.below((mix.padding.1 - mix.padding.0) as u64 + 1) as usize
            };
            text.push_str(&user_line(session, at, pad(&mut self.rng)));
            if self.rng.chance(mix.malformed) {
                let broken = assistant_line(
                    session,
                    Some("msg_broken"),
                    Some("req_broken"),
                    false,
                    at,
                    "claude-sonnet-4-5",
                    &Tokens::default(),
                    None,
                    10,
                );
                text.push_str(&broken[..broken.len() / 2]);
                text.push('\n');
                text.push_str("{\"timestamp\":\"2026-01-01T00:00:00.000Z\",\"message\":{\"usage\":{\"input_tokens\":\"12\",\"output_tokens\":3}}}\n");
            }
            if self.rng.chance(mix.synthetic) {
                text.push_str(&format!("{{\"sessionId\":\"{session}\",\"isApiErrorMessage\":true,\"type\":\"assistant\",\"message\":{{\"id\":\"{}\",\"model\":\"<synthetic>\",\"content\":[],\"usage\":{{\"input_tokens\":0,\"output_tokens\":0,\"cache_creation_input_tokens\":0,\"cache_read_input_tokens\":0}}}},\"timestamp\":\"{}\"}}\n", self.id("msg"), timestamp(at)));
            }
            let model = mix.models[self.rng.below(mix.models.len() as u64) as usize].clone();
            let message = (!self.rng.chance(mix.no_message_id)).then(|| self.id("msg"));
            let request = (!self.rng.chance(mix.no_request_id)).then(|| self.id("req"));
            let mut t = Tokens {
                input: 1 + self.rng.below(40) as i64,
                output: 1 + self.rng.below(20) as i64,
                cache_creation: self.rng.below(3_000) as i64,
                cache_read: self.rng.below(60_000) as i64,
            };
            let split = self
                .rng
                .chance(mix.split_cache)
                .then(|| self.rng.below(t.cache_creation as u64 + 1) as i64);
            for _ in 0..1 + self.rng.below(mix.max_snapshots) {
                at += 50 + self.rng.below(2_000) as i64;
                t.output += 1 + self.rng.below(400) as i64;
                text.push_str(&assistant_line(
                    session,
                    message.as_deref(),
                    request.as_deref(),
                    false,
                    at,
                    &model,
                    &t,
                    split,
                    pad(&mut self.rng),
                ));
                self.record(
                    &file,
                    message.clone(),
                    request.clone(),
                    false,
                    at,
                    &model,
                    t,
                );
            }
            if message.is_some() && self.rng.chance(mix.sidechain_replay) {
                // A `/btw` replay: the parent message again, under a new request, bigger.
                let replay = Tokens {
                    cache_read: t.cache_read + 50_000,
                    ..t
                };
                let req = self.id("req");
                side.push_str(&assistant_line(
                    session,
                    message.as_deref(),
                    Some(&req),
                    true,
                    at + 10,
                    &model,
                    &replay,
                    None,
                    20,
                ));
                self.record(
                    &side_file,
                    message.clone(),
                    Some(req),
                    true,
                    at + 10,
                    &model,
                    replay,
                );
            }
            if self.rng.chance(mix.sidechain_own) {
                let (m, r) = (self.id("msg"), self.id("req"));
                let own = Tokens {
                    input: 5,
                    output: 7,
                    cache_creation: 11,
                    cache_read: 13,
                };
                side.push_str(&assistant_line(
                    session,
                    Some(&m),
                    Some(&r),
                    true,
                    at + 20,
                    &model,
                    &own,
                    None,
                    20,
                ));
                self.record(&side_file, Some(m), Some(r), true, at + 20, &model, own);
            }
        }
        append(&file, &text);
        if !side.is_empty() {
            append(&side_file, &side);
        }
        at
    }

    /// Copy the first `lines` lines of `from` into a new file (a resumed session replays the
    /// history it resumes), recording its usage lines again.
    pub fn resume(&mut self, from: &Path, to: &Path, lines: usize) {
        let text = fs::read_to_string(from).unwrap();
        let copied: Vec<&str> = text.lines().take(lines).collect();
        let copied_usage = copied.iter().filter(|l| is_usage_line(l)).count();
        let originals: Vec<Emitted> = self
            .emitted
            .iter()
            .filter(|e| e.file == from)
            .take(copied_usage)
            .cloned()
            .collect();
        append(to, &(copied.join("\n") + "\n"));
        for e in originals {
            self.emitted.push(Emitted {
                file: to.to_path_buf(),
                ..e
            });
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn record(
        &mut self,
        file: &Path,
        message_id: Option<String>,
        request_id: Option<String>,
        sidechain: bool,
        at_ms: i64,
        model: &str,
        tokens: Tokens,
    ) {
        if !self.record {
            return;
        }
        self.emitted.push(Emitted {
            file: file.to_path_buf(),
            message_id,
            request_id,
            sidechain,
            at_ms,
            model: model.to_string(),
            tokens,
        });
    }
}

/// True for a line the generator recorded: valid JSON with numeric usage, not synthetic.
fn is_usage_line(line: &str) -> bool {
    let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
        return false;
    };
    v["message"]["usage"]["input_tokens"].is_number() && v["message"]["model"] != "<synthetic>"
}

fn add(totals: &mut Totals, e: &Emitted) {
    totals
        .entry((day(e.at_ms), e.model.clone()))
        .or_default()
        .add(&e.tokens);
}

/// The totals under ccusage 20's rules (and costledger's): the largest snapshot per message
/// and request (without a request id: per message and instant); a message's sidechain
/// entries dropped when it has a main entry, else merged; entries without a message id all
/// counted. Snapshots in the corpus never tie, so order does not matter.
pub fn largest_snapshot_totals(emitted: &[Emitted]) -> Totals {
    let main: HashSet<&str> = emitted
        .iter()
        .filter(|e| !e.sidechain)
        .filter_map(|e| e.message_id.as_deref())
        .collect();
    let mut best: HashMap<(String, Option<String>), &Emitted> = HashMap::new();
    let mut totals = Totals::new();
    for e in emitted {
        let Some(m) = &e.message_id else {
            add(&mut totals, e);
            continue;
        };
        if e.sidechain && main.contains(m.as_str()) {
            continue;
        }
        let request = match (e.sidechain, &e.request_id) {
            (true, _) => None,
            (false, Some(r)) => Some(r.clone()),
            (false, None) => Some(format!("at {}", e.at_ms)),
        };
        let key = (m.clone(), request);
        let slot = best.entry(key).or_insert(e);
        if e.tokens.total() > slot.tokens.total() {
            *slot = e;
        }
    }
    for e in best.values() {
        add(&mut totals, e);
    }
    totals
}

/// The totals under ccusage 17's rules: the first line of each message and request counts,
/// entries lacking either id all count, sidechain entries count like any other.
pub fn first_seen_totals(emitted: &[Emitted]) -> Totals {
    let mut seen: HashSet<(String, String)> = HashSet::new();
    let mut totals = Totals::new();
    for e in emitted {
        if let (Some(m), Some(r)) = (&e.message_id, &e.request_id)
            && !seen.insert((m.clone(), r.clone()))
        {
            continue;
        }
        add(&mut totals, e);
    }
    totals
}

/// The models of the test corpora: three priced ones and one the price table does not know.
pub fn test_models() -> Vec<String> {
    [
        "claude-sonnet-4-5-20250929",
        "claude-opus-4-1-20250805",
        "claude-haiku-4-5-20251001",
        "claude-experimental-9",
    ]
    .map(String::from)
    .to_vec()
}

/// Every feature at once, in small amounts: streamed snapshots, 5m/1h splits, sidechain
/// replays and sidechain work, entries without ids, malformed and synthetic lines.
pub fn rich_mix() -> Mix {
    Mix {
        models: test_models(),
        max_snapshots: 3,
        split_cache: 40,
        sidechain_replay: 15,
        sidechain_own: 10,
        no_request_id: 6,
        no_message_id: 5,
        malformed: 5,
        synthetic: 5,
        padding: (10, 400),
    }
}

/// 2026-01-05T20:00:00Z, where the test corpora start (their sessions cross UTC days).
pub const T0: i64 = 1_767_643_200_000;

/// Three projects of three sessions each, five hours apart, and a session resumed from the
/// first (its history copied into a new file).
pub fn rich_corpus(projects: &Path) -> Corpus {
    let mut c = Corpus::new(projects, 7);
    let mix = rich_mix();
    for (p, project) in ["-home-dev-app", "-home-dev-api", "-home-dev-docs"]
        .iter()
        .enumerate()
    {
        for s in 0..3 {
            let start = T0 + (p * 3 + s) as i64 * 5 * 3_600_000;
            c.session(project, &format!("s{p}{s}"), start, 40, &mix);
        }
    }
    let app = projects.join("-home-dev-app");
    c.resume(&app.join("s00.jsonl"), &app.join("s00-resumed.jsonl"), 30);
    c
}

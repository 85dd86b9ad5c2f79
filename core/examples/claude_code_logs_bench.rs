//! The Claude Code logs benchmark's three steps (scripts/bench-claude-code-logs.sh runs them
//! against ccusage; docs/claude-code-logs.md has the figures):
//!
//! ```sh
//! cargo build --release -p costledger --example claude_code_logs_bench
//! B=target/release/examples/claude_code_logs_bench
//! $B generate /tmp/cc/projects --size-mib 1024 [--shape ccusage|sessions]
//! $B sync /tmp/cc/projects /tmp/cc/ledger.db      # first scan: prints one JSON line
//! $B append /tmp/cc/projects --percent 1 [--files 10]
//! $B sync /tmp/cc/projects /tmp/cc/ledger.db      # re-scan
//! $B restore /tmp/cc/projects                     # undo the append
//! ```
//!
//! `generate` writes about `--size-mib` MiB of logs with ccusage's real-world file-size
//! distribution (its `generate-large-fixture.nu`: p50 105 KB, p99 5.4 MB, max 87 MB at
//! 1.24 GiB, scaled). Shape `ccusage` is that script's: every line a distinct usage entry
//! of 2-4 KB (some 8-16 KB, a few 48-80 KB). Shape `sessions` is Claude Code's: user turns,
//! streamed snapshots of each answer, sidechain files. `append` adds new lines worth
//! `--percent` % of the corpus, one day after it: into every file in proportion to its size,
//! or with `--files N` into N sessions (the ones still active).

#[path = "../tests/logs_support/corpus.rs"]
mod corpus;

use std::path::{Path, PathBuf};
use std::time::Instant;

use corpus::{Corpus, Mix, Rng, Tokens, append, assistant_line};
use costledger::{Ledger, LedgerConfig, ListPlans, MasterKey, NewPlan, SyncOptions, SyncStream};

/// ccusage's file-size quantiles: (percentile, bytes) over 3 142 files, 1.24 GiB.
const QUANTILES: [(f64, f64); 7] = [
    (0.0, 236.0),
    (0.5, 105_267.0),
    (0.75, 233_572.0),
    (0.9, 653_972.0),
    (0.95, 1_504_757.0),
    (0.99, 5_383_751.0),
    (1.0, 87_033_471.0),
];
const PROFILE_FILES: f64 = 3_142.0;
const PROFILE_MIB: f64 = 1_238.971_804_618_835_4;
/// 2026-01-01T00:00:00Z.
const JAN_1: i64 = 1_767_225_600_000;

fn file_sizes(target: u64) -> Vec<u64> {
    let count =
        ((target as f64 / 1_048_576.0 / PROFILE_MIB * PROFILE_FILES).round() as usize).max(1);
    let at = |p: f64| {
        let i = QUANTILES
            .iter()
            .position(|q| p <= q.0)
            .unwrap_or(QUANTILES.len() - 1)
            .max(1);
        let (a, b) = (QUANTILES[i - 1], QUANTILES[i]);
        a.1 + (b.1 - a.1) * ((p - a.0) / (b.0 - a.0))
    };
    let raw: Vec<f64> = (0..count)
        .map(|i| at((i as f64 + 0.5) / count as f64))
        .collect();
    let scale = target as f64 / raw.iter().sum::<f64>();
    // Spread the sizes over the files as the script does (not largest last).
    (0..count)
        .map(|i| ((raw[(i * (count - 1) + 17) % count] * scale).round() as u64).max(256))
        .collect()
}

/// ccusage's content length for line `i`.
fn padding(i: u64) -> usize {
    (if i.is_multiple_of(997) {
        48 * 1024 + i % (32 * 1024)
    } else if i.is_multiple_of(37) {
        8 * 1024 + i % (8 * 1024)
    } else {
        1800 + ((i * 1_103_515_245 + 12_345) % 4_294_967_296) % 2400
    }) as usize
}

fn generate(root: &Path, size_mib: u64, shape: &str) {
    let sizes = file_sizes(size_mib << 20);
    let mut line = 0u64;
    let mut corpus = Corpus::new(root, 1);
    corpus.record = false;
    let mix = Mix {
        models: [
            "claude-sonnet-4-5-20250929",
            "claude-opus-4-1-20250805",
            "claude-haiku-4-5-20251001",
        ]
        .map(String::from)
        .to_vec(),
        max_snapshots: 3,
        split_cache: 50,
        sidechain_replay: 5,
        sidechain_own: 5,
        no_request_id: 0,
        no_message_id: 0,
        malformed: 0,
        synthetic: 1,
        padding: (1_800, 4_200),
    };
    for (f, &size) in sizes.iter().enumerate() {
        let project = format!("project-{:03}", f % 128);
        let session = format!("session-{f:06}");
        let path = root.join(&project).join(format!("{session}.jsonl"));
        let mut written = 0u64;
        let mut at = JAN_1 + (f as i64 % 28) * 86_400_000;
        while written < size {
            if shape == "sessions" {
                at = corpus.session(&project, &session, at, 8, &mix);
                written = std::fs::metadata(&path).map_or(0, |m| m.len());
                continue;
            }
            let mut chunk = String::new();
            for _ in 0..128 {
                if written + chunk.len() as u64 >= size {
                    break;
                }
                let when = JAN_1
                    + ((line % 28) as i64 * 24 + (line % 24) as i64) * 3_600_000
                    + ((line / 24) % 60) as i64 * 60_000;
                let model = if line.is_multiple_of(5) {
                    "claude-opus-4-1-20250805"
                } else {
                    "claude-sonnet-4-5-20250929"
                };
                let t = Tokens {
                    input: 100 + (line % 1000) as i64,
                    output: 20 + (line % 200) as i64,
                    cache_creation: (line % 300) as i64,
                    cache_read: (line % 5000) as i64,
                };
                let id = format!("{line:010x}");
                chunk.push_str(&assistant_line(
                    &session,
                    Some(&format!("msg_{id}")),
                    Some(&format!("req_{id}")),
                    false,
                    when,
                    model,
                    &t,
                    None,
                    padding(line),
                ));
                line += 1;
            }
            written += chunk.len() as u64;
            append(&path, &chunk);
        }
    }
    println!(
        "{{\"files\":{},\"bytes\":{},\"shape\":\"{shape}\"}}",
        sizes.len(),
        sizes.iter().sum::<u64>()
    );
}

fn files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut dirs = vec![root.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "jsonl") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// Append new lines (dated 2026-02-01) worth `percent` % of the corpus's bytes: spread over
/// every file in proportion to its size (at least a line each) when `files` is 0, else split
/// evenly among `files` sessions spread over the corpus (the ones still active). The
/// original sizes go to `<root>.sizes`, for `restore`.
fn append_lines(root: &Path, percent: f64, files_wanted: usize) {
    let all = files(root);
    let sizes: Vec<u64> = all
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .collect();
    let total: u64 = sizes.iter().sum();
    let manifest: String = all
        .iter()
        .zip(&sizes)
        .map(|(p, s)| format!("{s}\t{}\n", p.display()))
        .collect();
    std::fs::write(root.with_extension("sizes"), manifest).unwrap();
    let targets: Vec<(usize, u64)> = if files_wanted == 0 {
        (0..all.len())
            .map(|i| (i, (sizes[i] as f64 * percent / 100.0) as u64))
            .collect()
    } else {
        let each = (total as f64 * percent / 100.0) as u64 / files_wanted as u64;
        (0..files_wanted)
            .map(|k| (k * all.len() / files_wanted, each))
            .collect()
    };
    let mut rng = Rng::new(99);
    let (mut lines, mut bytes) = (0u64, 0u64);
    for (i, target) in targets {
        let path = &all[i];
        let session = path.file_stem().unwrap().to_string_lossy().into_owned();
        let mut chunk = String::new();
        while chunk.is_empty() || (chunk.len() as u64) < target {
            let when = JAN_1 + 31 * 86_400_000 + rng.below(6 * 3_600_000) as i64;
            let t = Tokens {
                input: 3,
                output: 300 + rng.below(900) as i64,
                cache_creation: 800,
                cache_read: 40_000,
            };
            let id = format!("new{lines:012x}");
            chunk.push_str(&assistant_line(
                &session,
                Some(&format!("msg_{id}")),
                Some(&format!("req_{id}")),
                false,
                when,
                "claude-sonnet-4-5-20250929",
                &t,
                Some(200),
                padding(lines),
            ));
            lines += 1;
        }
        bytes += chunk.len() as u64;
        append(path, &chunk);
    }
    println!("{{\"appended_lines\":{lines},\"appended_bytes\":{bytes},\"of_bytes\":{total}}}");
}

/// Cut every file back to the size `append` found it at.
fn restore(root: &Path) {
    let manifest = std::fs::read_to_string(root.with_extension("sizes")).unwrap();
    for line in manifest.lines() {
        let (size, path) = line.split_once('\t').unwrap();
        let file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
        file.set_len(size.parse().unwrap()).unwrap();
    }
}

async fn sync(root: &Path, db: &Path) {
    let clock = Instant::now();
    let config = LedgerConfig::new(format!("sqlite://{}", db.display()))
        .master_key(MasterKey::generate().to_base64().to_string())
        .without_env();
    let ledger = Ledger::open(config).await.expect("ledger opens");
    let plan = match ledger
        .list_plans(ListPlans::default())
        .await
        .unwrap()
        .into_iter()
        .next()
    {
        Some(plan) => plan,
        None => ledger
            .add_plan(NewPlan::claude_code_logs(
                "bench",
                vec![root.display().to_string()],
            ))
            .await
            .unwrap(),
    };
    let opened = clock.elapsed().as_secs_f64();
    let report = ledger
        .sync(SyncOptions::default().plan(plan.id))
        .await
        .unwrap();
    let synced = clock.elapsed().as_secs_f64() - opened;
    let usage = report.plans[0]
        .streams
        .iter()
        .find(|s| s.stream == SyncStream::Usage)
        .unwrap();
    let streams: Vec<String> = report.plans[0]
        .streams
        .iter()
        .map(|s| format!("\"{}_s\":{:.3}", s.stream, s.duration.as_secs_f64()))
        .collect();
    let closing = Instant::now();
    ledger.close().await;
    let closed = closing.elapsed().as_secs_f64();
    println!(
        "{{\"open_s\":{opened:.3},\"sync_s\":{synced:.3},\"close_s\":{closed:.3},{},\"status\":\"{}\",\"hours_written\":{},\"usage_rows\":{}}}",
        streams.join(","),
        usage.status,
        usage.buckets_written,
        usage.rows_written
    );
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .map(|i| args[i + 1].clone())
    };
    match args.first().map(String::as_str) {
        Some("generate") => generate(
            Path::new(&args[1]),
            flag("--size-mib").map_or(1024, |v| v.parse().expect("--size-mib N")),
            &flag("--shape").unwrap_or_else(|| "ccusage".into()),
        ),
        Some("append") => append_lines(
            Path::new(&args[1]),
            flag("--percent").map_or(1.0, |v| v.parse().expect("--percent P")),
            flag("--files").map_or(0, |v| v.parse().expect("--files N")),
        ),
        Some("restore") => restore(Path::new(&args[1])),
        Some("sync") => sync(Path::new(&args[1]), Path::new(&args[2])).await,
        _ => eprintln!(
            "usage: claude_code_logs_bench generate DIR [--size-mib N] [--shape ccusage|sessions] \
             | append DIR [--percent P] [--files N] | restore DIR | sync DIR DB"
        ),
    }
}

//! Running ccusage on a corpus: `ccusage daily --json --offline` with `TZ=UTC`,
//! `CLAUDE_CONFIG_DIR` at the corpus and an empty `HOME` (so that no other agent's logs are
//! read), parsed into per-day per-model totals.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

use super::corpus::{Tokens, Totals};

/// Names ccusage 20.0.24's native binary (scripts/test.sh installs it and sets this).
pub const CCUSAGE20_ENV: &str = "COSTLEDGER_CCUSAGE20";
/// Names ccusage 17.2.1's entry point (`dist/index.js`, run with node).
pub const CCUSAGE17_ENV: &str = "COSTLEDGER_CCUSAGE17";

/// The command an environment variable names, or `None` (saying why) when it is unset.
pub fn ccusage(env: &str) -> Option<Command> {
    let entry = match std::env::var(env) {
        Ok(entry) if !entry.trim().is_empty() => entry,
        _ => {
            eprintln!(
                "skipping the ccusage comparison: {env} is not set (scripts/test.sh installs \
                 ccusage 20.0.24 and 17.2.1 from npm and sets COSTLEDGER_CCUSAGE20/17)"
            );
            return None;
        }
    };
    Some(if entry.ends_with(".js") {
        let mut node = Command::new("node");
        node.arg(entry);
        node
    } else {
        Command::new(entry)
    })
}

/// Per-day per-model totals of `ccusage daily --json --offline` over `config_dir` (the
/// directory holding `projects/`).
pub fn ccusage_daily(command: Command, config_dir: &Path) -> Totals {
    parse_daily(&ccusage_json(command, config_dir, &["daily"]))
}

/// Per-period (day, week, month or session) per-model totals of `ccusage REPORT --json
/// --offline [ARGS]`, whose rows are under `key` (`daily`, `weekly`, `monthly`, `session`).
pub fn ccusage_periods(command: Command, config_dir: &Path, args: &[&str], key: &str) -> Totals {
    parse_periods(&ccusage_json(command, config_dir, args), key)
}

/// The blocks of `ccusage blocks --json --offline` that are not gaps: (start, entries,
/// tokens), oldest first.
pub fn ccusage_blocks(command: Command, config_dir: &Path) -> Vec<(String, i64, Tokens)> {
    let json = ccusage_json(command, config_dir, &["blocks"]);
    let report: serde_json::Value = serde_json::from_slice(&json).expect("ccusage prints JSON");
    report["blocks"]
        .as_array()
        .expect("a blocks array")
        .iter()
        .filter(|b| b["isGap"] != true)
        .map(|b| {
            let t = &b["tokenCounts"];
            let n = |k: &str| t[k].as_i64().unwrap_or_else(|| panic!("{k} in {b}"));
            (
                b["startTime"].as_str().expect("a start").to_string(),
                b["entries"].as_i64().expect("entries"),
                Tokens {
                    input: n("inputTokens"),
                    output: n("outputTokens"),
                    cache_creation: n("cacheCreationInputTokens"),
                    cache_read: n("cacheReadInputTokens"),
                },
            )
        })
        .collect()
}

/// The JSON stdout of `ccusage ARGS --json --offline` over `config_dir`.
fn ccusage_json(mut command: Command, config_dir: &Path, args: &[&str]) -> Vec<u8> {
    let home = tempfile::tempdir().unwrap();
    let output = command
        .args(args)
        .args(["--json", "--offline"])
        .env("TZ", "UTC")
        .env("CLAUDE_CONFIG_DIR", config_dir)
        .env("HOME", home.path())
        .env_remove("XDG_CONFIG_HOME")
        .env("NO_COLOR", "1")
        .output()
        .expect("ccusage runs");
    assert!(
        output.status.success(),
        "ccusage failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    output.stdout
}

/// The per-day per-model totals of a `daily --json` report (ccusage 17 names the day
/// `date`, ccusage 20 `period`).
pub fn parse_daily(json: &[u8]) -> Totals {
    parse_periods(json, "daily")
}

/// The per-period per-model totals of a report whose rows are under `key`.
pub fn parse_periods(json: &[u8], key: &str) -> Totals {
    let report: serde_json::Value = serde_json::from_slice(json).expect("ccusage prints JSON");
    let mut totals = Totals::new();
    for day in report[key]
        .as_array()
        .unwrap_or_else(|| panic!("a {key} array in {report}"))
    {
        let date = day
            .get("period")
            .or_else(|| day.get("date"))
            .and_then(|d| d.as_str())
            .expect("a day");
        for m in day["modelBreakdowns"].as_array().expect("model breakdowns") {
            let n = |k: &str| m[k].as_i64().unwrap_or_else(|| panic!("{k} in {m}"));
            let tokens = Tokens {
                input: n("inputTokens"),
                output: n("outputTokens"),
                cache_creation: n("cacheCreationTokens"),
                cache_read: n("cacheReadTokens"),
            };
            let key = (
                date.to_string(),
                m["modelName"].as_str().expect("a model").to_string(),
            );
            totals.entry(key).or_default().add(&tokens);
        }
    }
    totals
}

//! `costledger demo`, run twice in a temporary directory as a newcomer would: the first run
//! shows the fake's exact bill, the second syncs incrementally and shows the same totals.

use crate::common::{Fake, NOW, cents, exit, nanos, now};
use assert_cmd::Command;
use chrono::{DateTime, Utc};

/// The fake OpenAI API the demo starts (seed 7, 1 org, 90 days up to NOW), for its truth.
struct OpenAiFake {
    server: Option<fake_openai_api::FakeServer>,
    runtime: tokio::runtime::Runtime,
}

impl OpenAiFake {
    fn start() -> OpenAiFake {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let server = runtime
            .block_on(fake_openai_api::FakeServer::start(
                fake_openai_api::FakeConfig {
                    seed: 7,
                    orgs: 1,
                    days: 90,
                    now: now(),
                    faults: fake_openai_api::Faults::none(),
                },
            ))
            .unwrap();
        OpenAiFake {
            server: Some(server),
            runtime,
        }
    }

    fn orgs(&self) -> Vec<fake_openai_api::OrgCredentials> {
        self.server.as_ref().unwrap().orgs()
    }

    /// What it bills in `[start, end)`: whole days only, as a sync stores them (today's
    /// partial day is estimated, not billed, until it ends).
    fn truth_between(&self, start: i64, end: i64) -> fake_openai_api::Truth {
        let today = now().timestamp().div_euclid(86_400) * 86_400;
        self.server
            .as_ref()
            .unwrap()
            .truth_between(start, end.min(today))
    }
}

impl Drop for OpenAiFake {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.shutdown());
        }
    }
}

/// The demo's period: the last 30 days up to today (NOW's date).
const PERIOD: &str = "2026-10-22..2026-11-21";

fn demo(dir: &std::path::Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_costledger"));
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("COSTLEDGER_NOW", NOW)
        .current_dir(dir)
        .arg("demo");
    cmd
}

/// The amount on the line of the basis block that starts with `label`.
fn amount(stdout: &str, label: &str) -> String {
    stdout
        .lines()
        .find(|l| l.trim_start().starts_with(label) && l.contains('$'))
        .and_then(|l| l.split_whitespace().find(|w| w.starts_with('$')))
        .unwrap_or_else(|| panic!("no {label} line in:\n{stdout}"))
        .to_string()
}

/// The number before " rows written" in a line containing `marker`.
fn rows_written(stdout: &str, marker: &str) -> i64 {
    let line = stdout
        .lines()
        .find(|l| l.contains(marker))
        .unwrap_or_else(|| panic!("no {marker:?} in:\n{stdout}"));
    let before = line.split(" rows written").next().unwrap();
    let number = before.rsplit(' ').next().unwrap();
    number.replace(',', "").parse().unwrap()
}

#[test]
fn runs_twice_first_in_full_then_incrementally_with_the_same_totals() {
    // The same fakes the demo starts (seed 7, 3 + 1 orgs, 90 days up to NOW), for their truth.
    let fake = Fake::start(3, 90);
    let openai = OpenAiFake::start();
    let billed_between = |from: &str, to: DateTime<Utc>| -> i64 {
        let from: DateTime<Utc> = from.parse().unwrap();
        let anthropic = fake.server().truth();
        let openai = openai.truth_between(from.timestamp(), to.timestamp());
        // The demo syncs the default streams: the Analytics API bills the Anthropic days
        // (net), OpenAI's bill names its keys.
        let (first, end) = (from.date_naive().to_string(), to.date_naive().to_string());
        anthropic
            .orgs
            .iter()
            .flat_map(|o| &o.analytics.by_day)
            .filter(|r| first <= r.day && r.day < end)
            .map(|r| r.amounts.net_nanos as i64)
            .chain(openai.orgs.iter().map(|o| o.cost_total_nanos as i64))
            .sum()
    };
    let billed = billed_between("2026-10-22T00:00:00Z", now());
    let mut secrets: Vec<String> = fake.orgs().into_iter().map(|o| o.admin_key).collect();
    secrets.extend(openai.orgs().into_iter().map(|o| o.read_only_key));

    let dir = tempfile::tempdir().unwrap();
    let first = demo(dir.path()).output().unwrap();
    let stdout = String::from_utf8(first.stdout).unwrap();
    let stderr = String::from_utf8(first.stderr).unwrap();
    assert!(first.status.success(), "{stdout}\n{stderr}");

    let key_file = dir.path().join("costledger-demo.key");
    let master_key = std::fs::read_to_string(&key_file)
        .unwrap()
        .trim()
        .to_string();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o777,
            0o600,
            "the key file is readable only by its owner"
        );
    }
    for secret in secrets.iter().chain([&master_key]) {
        assert!(!stdout.contains(secret.as_str()) && !stderr.contains(secret.as_str()));
    }

    assert!(stdout.contains("SQLite, new"), "{stdout}");
    assert!(stdout.contains("secret store"), "{stdout}");
    assert_eq!(
        stdout.matches("sk-ant-admin01-…").count(),
        3,
        "three key hints"
    );
    assert_eq!(
        stdout.matches("sk-admin-…").count(),
        1,
        "the OpenAI key's hint"
    );
    assert!(stdout.contains("2026-10-22 → 2026-11-20 (UTC)"), "{stdout}");
    assert_eq!(amount(&stdout, "billed"), cents(billed), "the fake's bill");
    for section in [
        "Per plan",
        "Per workspace",
        "Per model",
        "Top users",
        "Last 14 days",
        "Next",
    ] {
        assert!(stdout.contains(section), "{section} in:\n{stdout}");
    }
    assert!(stdout.contains("support-bot"), "{stdout}");
    assert!(stdout.contains("Budgets · current periods"), "{stdout}");
    assert!(
        stdout.contains("⚠ budget 1 \"Company, monthly\" reached 50%"),
        "{stdout}"
    );
    let first_rows = rows_written(&stdout, "plans synced:");
    let total = amount(&stdout, "Total");

    // The same numbers, exact, from the database the demo left.
    let url = format!(
        "sqlite://{}",
        dir.path().join("costledger-demo.db").display()
    );
    let report = Command::new(env!("CARGO_BIN_EXE_costledger"))
        .env_clear()
        .env("COSTLEDGER_DATABASE_URL", &url)
        .env("COSTLEDGER_MASTER_KEY", &master_key)
        .args(["report", "dashboard", "--period", PERIOD, "--json"])
        .output()
        .unwrap();
    assert!(report.status.success());
    let d: serde_json::Value = serde_json::from_slice(&report.stdout).unwrap();
    assert_eq!(nanos(&d["totals"]["billed"]), billed);
    assert_eq!(cents(nanos(&d["totals"]["total"])), total);

    let second = demo(dir.path()).output().unwrap();
    let again = String::from_utf8(second.stdout).unwrap();
    assert!(second.status.success(), "{again}");
    assert!(
        again.contains("reused: this run syncs incrementally"),
        "{again}"
    );
    assert!(again.contains("(connected before)"), "{again}");
    let rows = rows_written(&again, "incremental sync:");
    assert!(
        rows > 0 && rows * 10 < first_rows,
        "{rows} rows vs {first_rows}"
    );
    assert!(
        again.contains(&format!(
            "the first sync wrote {}",
            crate::common::count(first_rows)
        )),
        "{again}"
    );
    assert!(again.contains("no new budget alerts"), "{again}");
    assert!(
        !again.contains('⚠'),
        "each threshold alerts once per period:\n{again}"
    );
    assert_eq!(amount(&again, "billed"), cents(billed));
    assert_eq!(amount(&again, "Total"), total);

    // A day later the fake's past is the same (its history stays anchored where the plans
    // were added) and the new hours arrive.
    let later = demo(dir.path())
        .env("COSTLEDGER_NOW", "2026-11-21T15:00:00Z")
        .output()
        .unwrap();
    let text = String::from_utf8(later.stdout).unwrap();
    assert!(later.status.success(), "{text}");
    assert!(
        text.contains("Nov 18 15:00 → Nov 21 15:00"),
        "the last watermark less the lookback, up to the new now:\n{text}"
    );
    let october = Command::new(env!("CARGO_BIN_EXE_costledger"))
        .env_clear()
        .env("COSTLEDGER_DATABASE_URL", &url)
        .env("COSTLEDGER_MASTER_KEY", &master_key)
        .args(["report", "dashboard", "--period", "2026-10", "--json"])
        .output()
        .unwrap();
    let d: serde_json::Value = serde_json::from_slice(&october.stdout).unwrap();
    let october_billed = billed_between(
        "2026-10-01T00:00:00Z",
        "2026-11-01T00:00:00Z".parse().unwrap(),
    );
    assert_eq!(nanos(&d["totals"]["billed"]), october_billed);
}

#[test]
fn a_database_without_its_key_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("costledger-demo.db"), b"").unwrap();
    let out = demo(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(exit::CREDENTIAL));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("error[CRYPTO]: "), "{stderr}");
    assert!(stderr.contains("costledger-demo.key"), "{stderr}");
    assert!(stderr.contains("hint: delete"), "{stderr}");
}

/// `costledger … ARGS` in `dir` at `now`, with nothing of the caller's environment.
fn run_at(dir: &std::path::Path, now: &str, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_costledger"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("COSTLEDGER_NOW", now)
        .env(
            "COSTLEDGER_DATABASE_URL",
            format!(
                "sqlite://{}",
                dir.join("costledger-claude-code-demo.db").display()
            ),
        )
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

#[test]
fn the_claude_code_demo_shows_a_max_users_month_and_keeps_it_after_cleanup() {
    let dir = tempfile::tempdir().unwrap();
    let first = run_at(dir.path(), NOW, &["demo", "--claude-code"]);
    for text in [
        "no master key",
        "Claude Code usage per week",
        "Cache Create",
        "ACTIVE",
        "burn rate",
        "projected",
        "at API list prices",
        "the Max 5x plan's fee",
        "$100.00",
    ] {
        assert!(first.contains(text), "{text} in:\n{first}");
    }
    assert!(
        !dir.path().join("costledger-demo.key").exists(),
        "no key file"
    );
    let daily = |now: &str| -> serde_json::Value {
        serde_json::from_str(&run_at(dir.path(), now, &["logs", "daily", "--json"])).unwrap()
    };
    let before = daily(NOW);
    let days = before["daily"].as_array().unwrap();
    assert_eq!(
        days[0]["period"], "2026-10-22",
        "30 days up to November 20th"
    );
    assert_eq!(days.last().unwrap()["period"], "2026-11-20");
    let oldest = days[0].clone();
    // Three days later (a Monday): today's sessions grew, three more days, and Claude Code's
    // cleanup removed the files of the three oldest days. The ledger still has them, to the
    // token.
    let later = "2026-11-23T15:00:00Z";
    let second = run_at(dir.path(), later, &["demo", "--claude-code"]);
    assert!(second.contains("older session files removed"), "{second}");
    let after = daily(later);
    let days = after["daily"].as_array().unwrap();
    assert_eq!(days[0], oldest, "the deleted logs' usage stays");
    assert_eq!(days.last().unwrap()["period"], "2026-11-23");
    assert_eq!(
        days.iter()
            .find(|d| d["period"] == "2026-11-19")
            .expect("a weekday"),
        before["daily"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["period"] == "2026-11-19")
            .unwrap(),
        "a past day is read once"
    );
}

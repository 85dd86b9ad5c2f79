//! Test support: a fake Admin API in this process, a database in a temporary directory, and
//! the `costledger` binary pointed at both through the environment, as a user would run it.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::Output;

use assert_cmd::Command;
use chrono::{DateTime, Utc};
use costledger::MasterKey;
use fake_admin_api::{FakeConfig, FakeServer, OrgCredentials};

/// The instant the fake and the ledger take as now: mid-afternoon, so today has billed-less
/// hours.
pub const NOW: &str = "2026-11-20T15:00:00Z";

/// Exit codes of docs/cli.md.
pub mod exit {
    pub const FAILURE: i32 = 1;
    pub const USAGE: i32 = 2;
    pub const NOT_FOUND: i32 = 3;
    pub const CONFLICT: i32 = 4;
    pub const CREDENTIAL: i32 = 5;
    pub const SYNC_INCOMPLETE: i32 = 6;
    pub const INCONSISTENT: i32 = 7;
}

pub fn now() -> DateTime<Utc> {
    NOW.parse().expect("valid instant")
}

/// A fake Admin API served from its own runtime while the test thread runs the CLI.
pub struct Fake {
    pub server: Option<FakeServer>,
    runtime: tokio::runtime::Runtime,
}

impl Fake {
    /// `orgs` organisations with `days` days of history up to [`NOW`].
    pub fn start(orgs: usize, days: u32) -> Fake {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("runtime");
        let server = runtime
            .block_on(FakeServer::start(FakeConfig {
                orgs,
                days,
                now: now(),
                ..FakeConfig::default()
            }))
            .expect("fake starts");
        Fake {
            server: Some(server),
            runtime,
        }
    }

    pub fn server(&self) -> &FakeServer {
        self.server.as_ref().expect("running")
    }

    pub fn orgs(&self) -> Vec<OrgCredentials> {
        self.server().orgs()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        if let Some(server) = self.server.take() {
            self.runtime.block_on(server.shutdown());
        }
    }
}

/// One test's world: the fake, a database file, a master key, and every secret that must
/// never appear in any output.
pub struct World {
    pub fake: Fake,
    pub dir: tempfile::TempDir,
    pub db_url: String,
    pub master_key: String,
    secrets: Vec<String>,
}

impl World {
    pub fn new(orgs: usize, days: u32) -> World {
        let fake = Fake::start(orgs, days);
        let dir = tempfile::tempdir().expect("temp dir");
        let db_url = format!("sqlite://{}", dir.path().join("ledger.db").display());
        let master_key = MasterKey::generate().to_base64().to_string();
        let mut secrets: Vec<String> = fake.orgs().into_iter().map(|o| o.admin_key).collect();
        secrets.push(master_key.clone());
        World {
            fake,
            dir,
            db_url,
            master_key,
            secrets,
        }
    }

    pub fn key(&self, org: usize) -> String {
        self.fake.orgs()[org].admin_key.clone()
    }

    /// Another secret that must not leak.
    pub fn secret(&mut self, secret: &str) {
        self.secrets.push(secret.to_string());
    }

    /// `costledger ARGS` with this world's environment and nothing of the caller's.
    pub fn cmd(&self, args: &[&str]) -> Command {
        Command::from_std(self.process(args))
    }

    /// [`World::cmd`] as a plain process, for tests that signal or kill it while it runs.
    pub fn process(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_costledger"));
        cmd.env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("COSTLEDGER_DATABASE_URL", &self.db_url)
            .env("COSTLEDGER_MASTER_KEY", &self.master_key)
            .env(
                "COSTLEDGER_ANTHROPIC_BASE_URL",
                self.fake.server().base_url(),
            )
            .env("COSTLEDGER_NOW", NOW)
            .env("COSTLEDGER_REQUEST_INTERVAL_MS", "0")
            .current_dir(self.dir.path())
            .args(args);
        cmd
    }

    /// The ledger the commands use, opened by the library in this process.
    pub fn ledger(&self, runtime: &tokio::runtime::Runtime) -> costledger::Ledger {
        let config = costledger::LedgerConfig::new(self.db_url.clone())
            .master_key(self.master_key.clone())
            .without_env();
        runtime
            .block_on(costledger::Ledger::open(config))
            .expect("the ledger opens")
    }

    /// Run a command and check that no secret is in its output.
    pub fn output(&self, cmd: &mut Command) -> Output {
        let out = cmd.output().expect("runs");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        for secret in &self.secrets {
            assert!(
                !text.contains(secret.as_str()),
                "a secret leaked into the output of {cmd:?}:\n{text}"
            );
        }
        out
    }

    /// Run `costledger ARGS`, expect success, return stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        self.ok_cmd(&mut self.cmd(args))
    }

    /// Run a prepared command, expect success, return stdout.
    pub fn ok_cmd(&self, cmd: &mut Command) -> String {
        let out = self.output(cmd);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        assert!(
            out.status.success(),
            "{cmd:?} failed with {:?}\nstdout:\n{stdout}\nstderr:\n{}",
            out.status.code(),
            String::from_utf8_lossy(&out.stderr)
        );
        stdout
    }

    /// Run `costledger ARGS`, expect exit code `exit` and `error[CODE]` on stderr; return
    /// stderr.
    pub fn fails(&self, args: &[&str], exit: i32, code: &str) -> String {
        self.fails_cmd(&mut self.cmd(args), exit, code)
    }

    /// Like [`World::fails`] for a prepared command.
    pub fn fails_cmd(&self, cmd: &mut Command, exit: i32, code: &str) -> String {
        let out = self.output(cmd);
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert_eq!(
            out.status.code(),
            Some(exit),
            "{cmd:?}: expected exit {exit}\nstdout:\n{}\nstderr:\n{stderr}",
            String::from_utf8_lossy(&out.stdout)
        );
        assert!(
            stderr.contains(&format!("error[{code}]: ")),
            "{cmd:?}: expected error[{code}] on stderr, got:\n{stderr}"
        );
        stderr
    }

    /// Run and parse stdout as JSON.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let stdout = self.ok(args);
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("not JSON ({e}):\n{stdout}"))
    }

    /// Add the first `n` organisations as plans (keys from the environment).
    pub fn add_plans(&self, n: usize) {
        for (i, org) in self.fake.orgs().into_iter().take(n).enumerate() {
            let label = format!("Org {}", i + 1);
            self.ok_cmd(
                self.cmd(&["plans", "add", "--label", &label])
                    .env("ANTHROPIC_ADMIN_API_KEY", &org.admin_key),
            );
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
}

/// An amount of dollars as the JSON reports write it, in nanodollars.
pub fn nanos(value: &serde_json::Value) -> i64 {
    let text = value.as_str().expect("an amount is a decimal string");
    costledger::Money::parse_dollars(text)
        .expect("a decimal amount")
        .nanos()
}

/// Nanodollars as the tables show them: rounded to the cent, with thousands separators.
pub fn cents(nanos: i64) -> String {
    let cents = (nanos + 5_000_000) / 10_000_000;
    let digits = (cents / 100).to_string();
    let mut whole = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            whole.push(',');
        }
        whole.push(c);
    }
    format!("${whole}.{:02}", cents % 100)
}

/// A count as the tables show it, with thousands separators.
pub fn count(n: i64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

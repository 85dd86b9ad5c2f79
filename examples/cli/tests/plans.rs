//! `costledger plans …` against the fake: every subcommand, its output and its failures.

use crate::common::{World, exit};
use predicates::prelude::*;

#[test]
fn add_list_update_check_and_disconnect() {
    let w = World::new(3, 3);
    let out = w.ok_cmd(
        w.cmd(&["plans", "add", "--label", "Prod"])
            .env("ANTHROPIC_ADMIN_API_KEY", w.key(0)),
    );
    assert!(out.contains("added plan 1 \"Prod\""), "{out}");
    assert!(out.contains("sk-ant-admin01-…"), "the hint is shown: {out}");

    // --key-env names another variable; --key-stdin reads a pipe.
    w.ok_cmd(
        w.cmd(&[
            "plans",
            "add",
            "--label",
            "Research",
            "--key-env",
            "OTHER_KEY",
        ])
        .env("OTHER_KEY", w.key(1)),
    );
    let plan = w.json(&["plans", "list", "--json"]);
    assert_eq!(plan.as_array().unwrap().len(), 2);
    let mut stdin = w.cmd(&["plans", "add", "--label", "Labs", "--key-stdin", "--json"]);
    stdin.write_stdin(format!("{}\n", w.key(2)));
    let added: serde_json::Value = serde_json::from_str(&w.ok_cmd(&mut stdin)).unwrap();
    assert_eq!(added["id"], 3);
    assert_eq!(added["org_name"], w.fake.orgs()[2].name);
    assert!(
        added["key_hint"]
            .as_str()
            .unwrap()
            .starts_with("sk-ant-admin01-…")
    );

    let list = w.ok(&["plans", "list"]);
    for label in ["Prod", "Research", "Labs"] {
        assert!(list.contains(label), "{list}");
    }
    assert!(list.contains(&w.fake.orgs()[0].name), "{list}");

    let updated = w.json(&[
        "plans",
        "update",
        "1",
        "--label",
        "Production",
        "--tier",
        "team_premium",
        "--seats",
        "5",
        "--anchor",
        "2026-11-01",
        "--json",
    ]);
    assert_eq!(updated["label"], "Production");
    assert_eq!(updated["subscription"]["tier"], "team_premium");
    assert_eq!(updated["subscription"]["seats"], 5);
    let cleared = w.json(&["plans", "update", "1", "--no-subscription", "--json"]);
    assert_eq!(cleared["subscription"], serde_json::Value::Null);

    let check = w.ok(&["plans", "check", "2"]);
    assert!(check.contains(&w.fake.orgs()[1].name), "{check}");
    assert!(check.contains(&w.fake.orgs()[1].id), "{check}");

    let out = w.ok(&["plans", "disconnect", "3"]);
    assert!(out.contains("sealed key is destroyed"), "{out}");
    assert_eq!(
        w.json(&["plans", "list", "--json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let all = w.json(&["plans", "list", "--all", "--json"]);
    assert_eq!(all[2]["status"], "disconnected");
    assert_eq!(all[2]["key_hint"], serde_json::Value::Null);
    w.ok(&["plans", "disconnect", "2", "--purge"]);
}

#[test]
fn rotate_credential_and_import_env() {
    let w = World::new(2, 2);
    // import-env creates the first plan from ANTHROPIC_ADMIN_API_KEY, then does nothing.
    let out = w.ok_cmd(
        w.cmd(&["plans", "import-env"])
            .env("ANTHROPIC_ADMIN_API_KEY", w.key(0)),
    );
    assert!(
        out.contains("imported ANTHROPIC_ADMIN_API_KEY as plan 1"),
        "{out}"
    );
    let again = w.ok_cmd(
        w.cmd(&["plans", "import-env"])
            .env("ANTHROPIC_ADMIN_API_KEY", w.key(1)),
    );
    assert!(again.contains("nothing imported"), "{again}");

    let org = w.fake.orgs()[0].id.clone();
    let mut w = w;
    let fresh = w.fake.server().add_admin_key(&org);
    w.secret(&fresh);
    let out = w.ok_cmd(
        w.cmd(&["plans", "rotate-credential", "1"])
            .env("ANTHROPIC_ADMIN_API_KEY", &fresh),
    );
    let hint = format!("…{}", &fresh[fresh.len() - 4..]);
    assert!(out.contains(&hint), "the new key's hint: {out}");

    // A key of another organisation is refused, and the plan keeps its key.
    let stderr = w.fails_cmd(
        w.cmd(&["plans", "rotate-credential", "1"])
            .env("ANTHROPIC_ADMIN_API_KEY", w.key(1)),
        exit::CREDENTIAL,
        "ORG_MISMATCH",
    );
    assert!(stderr.contains(&org), "{stderr}");
    w.ok(&["plans", "check", "1"]);
}

#[test]
fn keys_lists_the_synced_api_keys() {
    let w = World::new(1, 2);
    w.add_plans(1);
    let before = w.ok(&["plans", "keys", "1"]);
    assert!(before.contains("run `costledger sync` first"), "{before}");
    w.ok(&["sync", "--initial-days", "1"]);
    let keys = w.json(&["plans", "keys", "1", "--json"]);
    let ids: Vec<&str> = keys["api_keys"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.len() >= 6 && ids.iter().all(|id| id.starts_with("apikey_")),
        "{ids:?}"
    );
    let table = w.ok(&["plans", "keys", "1"]);
    assert!(table.contains(ids[0]), "{table}");
    assert!(table.contains("Default workspace"), "{table}");
}

#[test]
fn unknown_plans_are_not_found() {
    let w = World::new(1, 1);
    for args in [
        &["plans", "check", "9"][..],
        &["plans", "update", "9", "--label", "x"],
        &["plans", "disconnect", "9"],
        &["plans", "keys", "9"],
        &["sync", "--plan", "9"],
        &["report", "history", "--plan", "9"],
        &["report", "dashboard", "--plan", "9"],
    ] {
        let stderr = w.fails(args, exit::NOT_FOUND, "PLAN_NOT_FOUND");
        assert!(stderr.contains("plan 9 not found"), "{args:?}: {stderr}");
        assert!(
            stderr.contains("hint: `costledger plans list --all`"),
            "{stderr}"
        );
    }
    w.fails_cmd(
        w.cmd(&["plans", "rotate-credential", "9"])
            .env("ANTHROPIC_ADMIN_API_KEY", w.key(0)),
        exit::NOT_FOUND,
        "PLAN_NOT_FOUND",
    );
}

#[test]
fn a_key_given_as_an_argument_is_refused_without_echoing_it() {
    let w = World::new(1, 1);
    let key = w.key(0);
    for args in [
        vec!["plans", "add", "--label", "Prod", key.as_str()],
        vec!["plans", "add", "--label", "Prod", "--key", key.as_str()],
        vec!["plans", "rotate-credential", "1", &key],
    ] {
        let stderr = w.fails(&args, exit::USAGE, "INVALID_INPUT");
        assert!(stderr.contains("looks like an Anthropic key"), "{stderr}");
        assert!(stderr.contains("shell's history"), "{stderr}");
    }
    let with_equals = format!("--key={key}");
    w.fails(
        &["plans", "add", "--label", "x", &with_equals],
        exit::USAGE,
        "INVALID_INPUT",
    );
    // A master key on the command line is refused the same way.
    let master = w.master_key.clone();
    let stderr = w.fails(
        &["master-key", "rotate", &master],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(stderr.contains("looks like a master key"), "{stderr}");
    // Nothing was added.
    assert_eq!(w.json(&["plans", "list", "--json"]), serde_json::json!([]));
    // --help says why.
    for command in ["add", "rotate-credential"] {
        w.cmd(&["plans", command, "--help"])
            .assert()
            .success()
            .stdout(predicate::str::contains("--key-stdin"))
            .stdout(predicate::str::contains("shell's history"));
    }
    w.cmd(&["--help"])
        .assert()
        .success()
        .stdout(predicate::str::contains("shell's history"));
}

#[test]
fn bad_keys_and_labels_are_refused() {
    let w = World::new(2, 1);
    let stderr = w.fails(
        &["plans", "add", "--label", "Prod"],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(
        stderr.contains("no admin key: set ANTHROPIC_ADMIN_API_KEY"),
        "{stderr}"
    );
    let stderr = w.fails_cmd(
        w.cmd(&["plans", "add", "--label", "Prod"]).env(
            "ANTHROPIC_ADMIN_API_KEY",
            "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123",
        ),
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(stderr.contains("regular API key"), "{stderr}");
    assert!(!stderr.contains("abcdefghijklmnop"), "{stderr}");
    let revoked = "sk-ant-admin01-abcdefghijklmnopqrstuvwxyz0123";
    w.fails_cmd(
        w.cmd(&["plans", "add", "--label", "Prod"])
            .env("ANTHROPIC_ADMIN_API_KEY", revoked),
        exit::CREDENTIAL,
        "CREDENTIAL_REJECTED",
    );
    w.add_plans(1);
    // The same organisation twice, or a label in use: CONFLICT.
    w.fails_cmd(
        w.cmd(&["plans", "add", "--label", "Again"])
            .env("ANTHROPIC_ADMIN_API_KEY", w.key(0)),
        exit::CONFLICT,
        "CONFLICT",
    );
    w.fails_cmd(
        w.cmd(&["plans", "add", "--label", "Org 1"])
            .env("ANTHROPIC_ADMIN_API_KEY", w.key(1)),
        exit::CONFLICT,
        "CONFLICT",
    );
    let stderr = w.fails(
        &["plans", "update", "1", "--label", " "],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(
        stderr.contains("label must be 1-200 characters, got 0"),
        "{stderr}"
    );
    let stderr = w.fails(
        &["plans", "update", "1", "--tier", "gold"],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(
        stderr.contains("--tier: subscription tier must be one of"),
        "{stderr}"
    );
    let stderr = w.fails(
        &[
            "plans",
            "update",
            "1",
            "--tier",
            "pro",
            "--anchor",
            "2026-02-30",
        ],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(stderr.contains("--anchor must be a date"), "{stderr}");
}

#[test]
fn a_wrong_master_key_is_a_crypto_error_naming_the_key_expected() {
    let w = World::new(1, 1);
    w.add_plans(1);
    let other = costledger::MasterKey::generate().to_base64().to_string();
    let stderr = w.fails_cmd(
        w.cmd(&["plans", "check", "1"])
            .env("COSTLEDGER_MASTER_KEY", &other),
        exit::CREDENTIAL,
        "CRYPTO",
    );
    let expected = costledger::MasterKey::from_base64(&w.master_key).unwrap();
    assert!(stderr.contains("wrong master key"), "{stderr}");
    assert!(stderr.contains(expected.id()), "{stderr}");
    assert!(
        stderr.contains("hint: COSTLEDGER_MASTER_KEY must be the key"),
        "{stderr}"
    );
    assert!(!stderr.contains(&other), "{stderr}");
    // No master key at all: reading works, opening a credential says how to make one.
    w.cmd(&["plans", "list"])
        .env_remove("COSTLEDGER_MASTER_KEY")
        .assert()
        .success();
    let stderr = w.fails_cmd(
        w.cmd(&["plans", "check", "1"])
            .env_remove("COSTLEDGER_MASTER_KEY"),
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(
        stderr.contains("costledger master-key generate"),
        "{stderr}"
    );
    // A malformed one.
    w.fails_cmd(
        w.cmd(&["plans", "list"])
            .env("COSTLEDGER_MASTER_KEY", "not-a-key"),
        exit::USAGE,
        "INVALID_INPUT",
    );
}

#[test]
fn a_claude_code_logs_plan_takes_directories_and_no_key() {
    let w = World::new(1, 1);
    let logs = w.path("logs");
    std::fs::create_dir(&logs).unwrap();
    let dir = logs.display().to_string();
    let out = w.ok(&[
        "plans",
        "add",
        "--label",
        "Laptop",
        "--claude-code-logs",
        "--dir",
        &dir,
    ]);
    assert!(
        out.contains(&format!("Claude Code's logs in {dir}; no key to seal")),
        "{out}"
    );
    let plan = &w.json(&["plans", "list", "--json"])[0];
    assert_eq!(plan["provider"], "claude_code_logs");
    assert_eq!(plan["key_hint"], serde_json::Value::Null);
    assert!(w.ok(&["plans", "list"]).contains("Claude Code logs"));
    let report = w.json(&["sync", "--json"]);
    assert_eq!(report["plans"][0]["status"], "ok");
    let stderr = w.fails(
        &[
            "plans",
            "add",
            "--label",
            "Gone",
            "--claude-code-logs",
            "--dir",
            "/nonexistent/logs",
        ],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(
        stderr.contains("does not exist or is not a directory"),
        "{stderr}"
    );
}

#[test]
fn a_refused_command_leaves_no_database_behind() {
    let w = World::new(1, 1);
    let db = w.path("ledger.db");
    let refused: &[(&[&str], &str)] = &[
        (
            &["plans", "add", "--label", ""],
            "label must be 1-200 characters",
        ),
        (
            &["plans", "add", "--label", "   "],
            "label must be 1-200 characters",
        ),
        (
            &["plans", "add", "--label", "Prod", "--tier", "gold"],
            "--tier: subscription tier must be one of",
        ),
        (
            &["plans", "update", "1", "--label", ""],
            "label must be 1-200",
        ),
        (
            &["report", "dashboard", "--period", "2027-02-29"],
            "2027-02-29 does not exist: February 2027 has 28 days",
        ),
        (
            &["report", "user", "u-1", "--period", "soon"],
            "period must look like",
        ),
        (
            &["sync", "--from", "2026-11-05", "--to", "2026-11-01"],
            "backfill range must end after it starts",
        ),
        (
            &["budgets", "add", "--name", "B", "--amount", "ten"],
            "--amount",
        ),
        (
            &[
                "budgets",
                "add",
                "--name",
                "B",
                "--amount",
                "10",
                "--time-zone",
                "Mars/Base",
            ],
            "IANA",
        ),
        (
            &["map-key", "end", "1", "--at", "yesterday"],
            "--at must be a date",
        ),
    ];
    for (args, says) in refused {
        let stderr = w.fails_cmd(
            w.cmd(args).env("ANTHROPIC_ADMIN_API_KEY", w.key(0)),
            exit::USAGE,
            "INVALID_INPUT",
        );
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(!db.exists(), "{args:?} created {}", db.display());
    }
    // A key of the wrong shape, from the environment or from standard input.
    let regular = "sk-ant-api03-abcdefghijklmnopqrstuvwxyz0123";
    w.fails_cmd(
        w.cmd(&["plans", "add", "--label", "Prod"])
            .env("ANTHROPIC_ADMIN_API_KEY", regular),
        exit::USAGE,
        "INVALID_INPUT",
    );
    let mut stdin = w.cmd(&["plans", "rotate-credential", "1", "--key-stdin"]);
    stdin.write_stdin(format!("{regular}\n"));
    w.fails_cmd(&mut stdin, exit::USAGE, "INVALID_INPUT");
    assert!(!db.exists());
    // The key read before opening is the one used: standard input is read once.
    let mut stdin = w.cmd(&["plans", "add", "--label", "Prod", "--key-stdin"]);
    stdin.write_stdin(format!("{}\n", w.key(0)));
    assert!(w.ok_cmd(&mut stdin).contains("added plan 1"));
    assert!(db.exists());
}

#[test]
fn a_reconnected_organisation_is_counted_once() {
    let w = World::new(2, 3);
    w.add_plans(2);
    // The legacy streams: the bill compared below is the legacy cost report's.
    w.ok(&["sync", "--initial-days", "3", "--streams", "legacy"]);
    w.ok(&["plans", "disconnect", "1"]);
    let out = w.ok_cmd(
        w.cmd(&["plans", "add", "--label", "Org 1 again"])
            .env("ANTHROPIC_ADMIN_API_KEY", w.key(0)),
    );
    assert!(out.contains("reconnected plan 1 \"Org 1 again\""), "{out}");
    assert_eq!(
        w.json(&["plans", "list", "--all", "--json"])
            .as_array()
            .unwrap()
            .len(),
        2
    );
    w.ok(&["sync", "--streams", "legacy"]);
    let truth = w.fake.server().truth();
    let d = w.json(&[
        "report",
        "dashboard",
        "--period",
        &format!(
            "{}..{}",
            &truth.cost_starting_at[..10],
            &truth.cost_ending_at[..10]
        ),
        "--json",
    ]);
    let bill: i64 = truth.orgs.iter().map(|o| o.cost_total_nanos as i64).sum();
    assert_eq!(crate::common::nanos(&d["totals"]["billed"]), bill);
    // After a purge the organisation comes back as a new plan.
    w.ok(&["plans", "disconnect", "1", "--purge"]);
    let out = w.ok_cmd(
        w.cmd(&["plans", "add", "--label", "Org 1"])
            .env("ANTHROPIC_ADMIN_API_KEY", w.key(0)),
    );
    assert!(out.contains("added plan 3"), "{out}");
}

#[test]
fn a_second_master_key_is_refused_before_anything_is_sealed() {
    let w = World::new(2, 1);
    w.add_plans(1);
    let other = costledger::MasterKey::generate();
    let expected = costledger::MasterKey::from_base64(&w.master_key)
        .unwrap()
        .id()
        .to_string();
    let stderr = w.fails_cmd(
        w.cmd(&["plans", "add", "--label", "Org 2"])
            .env("COSTLEDGER_MASTER_KEY", other.to_base64().as_str())
            .env("ANTHROPIC_ADMIN_API_KEY", w.key(1)),
        exit::CREDENTIAL,
        "CRYPTO",
    );
    assert!(
        stderr.contains(&format!("sealed with master key {expected}")),
        "{stderr}"
    );
    assert!(stderr.contains(other.id()), "{stderr}");
    assert!(!stderr.contains(other.to_base64().as_str()), "{stderr}");
    // Nothing was added: the right key sees one plan, and syncs it.
    assert_eq!(
        w.json(&["plans", "list", "--all", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    w.ok(&["plans", "check", "1"]);
}

/// One HTTP/1.1 GET over a plain TCP connection: `(status line, whole answer)`.
fn http_get(url: &str) -> (String, String) {
    use std::io::{Read, Write};
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest.split_once('/').expect("a path");
    let mut stream = std::net::TcpStream::connect(host).unwrap();
    write!(
        stream,
        "GET /{path} HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.lines().next().unwrap_or_default().to_string();
    (status, answer)
}

/// Run `plans connect --oauth --label LABEL EXTRA…` against the world's fake, play the
/// browser (the fake approves and redirects to the loopback port), and return what the
/// command printed, once it has succeeded.
fn connect_through_loopback(w: &World, label: &str, extra: &[&str]) -> String {
    use std::io::{BufRead, BufReader};
    let mut args = vec!["plans", "connect", "--oauth", "--label", label];
    args.extend(extra);
    let mut child = w
        .process(&args)
        .env(
            "COSTLEDGER_OAUTH_CLIENT_ID",
            fake_admin_api::OAUTH_PUBLIC_CLIENT_ID,
        )
        .env("COSTLEDGER_OAUTH_URL", w.fake.server().base_url())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut printed = String::new();
    let url = loop {
        let mut line = String::new();
        assert!(stdout.read_line(&mut line).unwrap() > 0, "{printed}");
        printed.push_str(&line);
        if line.starts_with("http") {
            break line.trim().to_string();
        }
    };
    assert!(url.contains("code_challenge_method=S256"), "{url}");
    // The browser: the fake approves and redirects to the CLI's loopback port.
    let (status, answer) = http_get(&url);
    assert!(status.contains("302"), "{answer}");
    let location = answer
        .lines()
        .find_map(|l| l.strip_prefix("location: "))
        .expect("a redirect")
        .trim()
        .to_string();
    assert!(location.starts_with("http://127.0.0.1:"), "{location}");
    let (status, answer) = http_get(&location);
    assert!(status.contains("200"), "{answer}");
    assert!(answer.contains("signed in"), "{answer}");
    let output = child.wait_with_output().unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    printed.push_str(&rest);
    assert!(
        output.status.success(),
        "{printed}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(!printed.contains("sk-ant-oat01-") && !printed.contains("sk-ant-ort01-"));
    printed
}

#[test]
fn connect_oauth_signs_in_through_a_loopback_redirect() {
    let w = World::new(2, 3);
    let printed = connect_through_loopback(&w, "Signed in", &[]);
    assert!(
        printed.contains("connected plan 1 \"Signed in\""),
        "{printed}"
    );
    assert!(printed.contains("OAuth (org:admin)"), "{printed}");
    let plans = w.json(&["plans", "list", "--json"]);
    assert_eq!(plans[0]["key_hint"], "OAuth (org:admin)");
    assert_eq!(plans[0]["org_id"], w.fake.orgs()[0].id.as_str());
    // The plan syncs with its bearer token.
    w.ok(&["sync", "--plan", "1"]);
}

#[test]
fn connect_oauth_chooses_among_the_organisations_a_sign_in_reaches() {
    let w = World::new(2, 3);
    let ids: Vec<String> = w.fake.orgs().iter().map(|o| o.id.clone()).collect();
    w.fake
        .server()
        .set_oauth_account(&[ids[0].as_str(), ids[1].as_str()])
        .unwrap();
    // Without --org: the sign-in's own organisation, and the other one listed.
    let printed = connect_through_loopback(&w, "First", &[]);
    assert!(printed.contains("the sign-in also reaches"), "{printed}");
    assert!(printed.contains(&format!("    {} ", ids[1])), "{printed}");
    // With --org: the other organisation, one plan each.
    let printed = connect_through_loopback(&w, "Second", &["--org", &ids[1]]);
    assert!(printed.contains("connected plan 2 \"Second\""), "{printed}");
    let plans = w.json(&["plans", "list", "--json"]);
    assert_eq!(plans[0]["org_id"], ids[0].as_str());
    assert_eq!(plans[1]["org_id"], ids[1].as_str());
    w.ok(&["sync", "--plan", "2"]);
}

//! `costledger master-key …`: generate a key, and rotate every sealed admin key to a new one.

use crate::common::{World, exit};

#[test]
fn generate_prints_only_the_key() {
    let w = World::new(1, 1);
    let out = w.output(&mut w.cmd(&["master-key", "generate"]));
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let key = stdout.trim_end();
    assert_eq!(stdout, format!("{key}\n"), "one line");
    costledger::MasterKey::from_base64(key).expect("a valid master key");
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("secret store"), "{stderr}");
    // Two keys differ.
    assert_ne!(w.ok(&["master-key", "generate"]), stdout);
}

#[test]
fn rotate_reseals_and_the_old_key_opens_nothing() {
    let mut w = World::new(2, 1);
    w.add_plans(2);
    let new_key = w.ok(&["master-key", "generate"]).trim().to_string();
    w.secret(&new_key);
    let out = w.ok_cmd(
        w.cmd(&["master-key", "rotate"])
            .env("COSTLEDGER_NEW_MASTER_KEY", &new_key),
    );
    assert!(out.contains("re-sealed 2 admin key(s)"), "{out}");
    let stderr = w.fails(&["plans", "check", "1"], exit::CREDENTIAL, "CRYPTO");
    assert!(stderr.contains("rotated away"), "{stderr}");
    w.ok_cmd(
        w.cmd(&["plans", "check", "2"])
            .env("COSTLEDGER_MASTER_KEY", &new_key),
    );

    // Back again, the new key read from stdin.
    let old = w.master_key.clone();
    let mut rotate = w.cmd(&["master-key", "rotate", "--new-key-stdin"]);
    rotate
        .env("COSTLEDGER_MASTER_KEY", &new_key)
        .write_stdin(format!("{old}\n"));
    assert!(w.ok_cmd(&mut rotate).contains("re-sealed 2"));
    w.ok(&["plans", "check", "1"]);
}

#[test]
fn rotate_needs_a_valid_new_key_and_the_current_one() {
    let w = World::new(1, 1);
    w.add_plans(1);
    let stderr = w.fails(&["master-key", "rotate"], exit::USAGE, "INVALID_INPUT");
    assert!(
        stderr.contains("no new master key: set COSTLEDGER_NEW_MASTER_KEY"),
        "{stderr}"
    );
    w.fails_cmd(
        w.cmd(&["master-key", "rotate"])
            .env("COSTLEDGER_NEW_MASTER_KEY", "too-short"),
        exit::USAGE,
        "INVALID_INPUT",
    );
    // With the wrong current key nothing changes, and the key expected is named.
    let wrong = costledger::MasterKey::generate().to_base64().to_string();
    let new_key = costledger::MasterKey::generate().to_base64().to_string();
    let stderr = w.fails_cmd(
        w.cmd(&["master-key", "rotate"])
            .env("COSTLEDGER_MASTER_KEY", &wrong)
            .env("COSTLEDGER_NEW_MASTER_KEY", &new_key),
        exit::CREDENTIAL,
        "CRYPTO",
    );
    assert!(stderr.contains("wrong master key"), "{stderr}");
    assert!(
        !stderr.contains(&new_key) && !stderr.contains(&wrong),
        "{stderr}"
    );
    w.ok(&["plans", "check", "1"]);
}

//! `costledger subjects …`, `projects …` and `map-key …`: users, their projects, and which
//! API keys are theirs when.

use crate::common::{World, exit};

#[test]
fn subjects_add_list_update_delete() {
    let w = World::new(1, 1);
    let out = w.ok(&[
        "subjects",
        "add",
        "ada",
        "--email",
        "ada@example.com",
        "--name",
        "Ada",
    ]);
    assert!(
        out.contains("subject \"ada\" (Ada): keys created by ada@example.com"),
        "{out}"
    );
    w.ok(&["subjects", "add", "ada", "--name", "Ada Lovelace"]);
    w.ok(&["subjects", "add", "bob"]);
    let list = w.json(&["subjects", "list", "--json"]);
    assert_eq!(list[0]["id"], "ada");
    assert_eq!(list[0]["name"], "Ada Lovelace");
    assert_eq!(list[1]["id"], "bob");
    let text = w.ok(&["subjects", "list"]);
    assert!(text.contains("Ada Lovelace"), "{text}");

    let stderr = w.fails(
        &["subjects", "add", "eve", "--email", "not-an-email"],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(
        stderr.contains("email must look like name@domain"),
        "{stderr}"
    );
    w.ok(&["subjects", "add", "carol", "--email", "c@example.com"]);
    w.fails(
        &["subjects", "add", "dave", "--email", "C@example.com"],
        exit::CONFLICT,
        "CONFLICT",
    );

    w.ok(&["subjects", "delete", "bob"]);
    let stderr = w.fails(
        &["subjects", "delete", "bob"],
        exit::NOT_FOUND,
        "SUBJECT_NOT_FOUND",
    );
    assert!(
        stderr.contains("hint: `costledger subjects list`"),
        "{stderr}"
    );
}

#[test]
fn projects_add_list_delete() {
    let w = World::new(1, 1);
    w.ok(&["subjects", "add", "ada"]);
    let out = w.ok(&["projects", "add", "ada", "Search"]);
    assert!(out.contains("project 2 \"Search\" of \"ada\""), "{out}");
    let list = w.json(&["projects", "list", "--subject", "ada", "--json"]);
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Default", "Search"]);
    assert_eq!(list[0]["is_default"], true);
    w.fails(
        &["projects", "add", "ada", "Search"],
        exit::CONFLICT,
        "CONFLICT",
    );
    w.fails(
        &["projects", "add", "nobody", "X"],
        exit::NOT_FOUND,
        "SUBJECT_NOT_FOUND",
    );
    w.ok(&["projects", "delete", "2"]);
    w.fails(
        &["projects", "delete", "2"],
        exit::NOT_FOUND,
        "PROJECT_NOT_FOUND",
    );
    assert!(w.ok(&["projects", "list"]).contains("Default"));
}

#[test]
fn map_key_add_list_end_delete() {
    let w = World::new(1, 2);
    w.add_plans(1);
    w.ok(&["sync", "--initial-days", "2"]);
    let keys = w.json(&["plans", "keys", "1", "--json"]);
    let key = keys["api_keys"][0]["id"].as_str().unwrap().to_string();
    w.ok(&["subjects", "add", "ada"]);
    w.ok(&["subjects", "add", "bob"]);
    w.ok(&["projects", "add", "ada", "Search"]);

    let out = w.ok(&["map-key", "add", "1", &key, "ada", "--project", "3"]);
    assert!(
        out.contains(&format!(
            "mapping 1: key {key} of plan 1 belongs to \"ada\" (project 3)"
        )),
        "{out}"
    );
    // The key changes hands: the open mapping is closed where the new one starts.
    w.ok(&["map-key", "add", "1", &key, "bob", "--from", "2026-11-19"]);
    let list = w.json(&["map-key", "list", "--json"]);
    assert_eq!(list[0]["valid_to"], "2026-11-19T00:00:00Z");
    assert_eq!(list[1]["subject_id"], "bob");
    assert_eq!(list[1]["valid_from"], "2026-11-19T00:00:00Z");
    let bob = w.json(&["map-key", "list", "--subject", "bob", "--json"]);
    assert_eq!(bob.as_array().unwrap().len(), 1);
    assert!(w.ok(&["map-key", "list", "--plan", "1"]).contains(&key));

    // An overlap that is not a handover is a conflict.
    w.fails(
        &[
            "map-key",
            "add",
            "1",
            &key,
            "ada",
            "--from",
            "2026-11-01",
            "--until",
            "2026-11-20",
        ],
        exit::CONFLICT,
        "CONFLICT",
    );
    let stderr = w.fails(
        &["map-key", "add", "1", &key, "ada", "--from", "19/11/2026"],
        exit::USAGE,
        "INVALID_INPUT",
    );
    assert!(stderr.contains("--from must be a date"), "{stderr}");
    w.fails(
        &["map-key", "add", "9", &key, "ada"],
        exit::NOT_FOUND,
        "PLAN_NOT_FOUND",
    );
    w.fails(
        &["map-key", "add", "1", &key, "nobody"],
        exit::NOT_FOUND,
        "SUBJECT_NOT_FOUND",
    );

    let out = w.ok(&["map-key", "end", "2", "--at", "2026-11-20T12:00:00Z"]);
    assert!(out.contains("ends at 2026-11-20 12:00 UTC"), "{out}");
    w.ok(&["map-key", "delete", "2"]);
    w.fails(
        &["map-key", "delete", "2"],
        exit::NOT_FOUND,
        "MAPPING_NOT_FOUND",
    );
    w.fails(
        &["map-key", "end", "2"],
        exit::NOT_FOUND,
        "MAPPING_NOT_FOUND",
    );
}

//! The README's and the guide's samples that are not Rust (the Rust ones are doctests, see
//! `lib.rs`): the TOML data-file samples of docs/pricing.md parse into what the text says,
//! and every `sh` block is valid shell whose scripts, cargo packages, examples, benches,
//! test targets and files exist, so no command in the docs points at something renamed.
//! (docs/cli.md's commands are run for real by examples/cli/tests/docs.rs.)

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use chrono::NaiveDate;
use costledger::pricing::{PriceTable, SubscriptionCatalog};
use costledger::{BillingCycle, Money, SubscriptionTier};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The fenced blocks of `file` whose info string is `lang`, with their first line number.
fn blocks(file: &str, lang: &str) -> Vec<(usize, String)> {
    let text = std::fs::read_to_string(root().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    let mut found = Vec::new();
    let mut current: Option<(usize, String, bool)> = None;
    for (i, line) in text.lines().enumerate() {
        match &mut current {
            None => {
                if let Some(info) = line.strip_prefix("```") {
                    current = Some((i + 1, String::new(), info.trim() == lang));
                }
            }
            Some((start, body, wanted)) => {
                if line.starts_with("```") {
                    if *wanted {
                        found.push((*start, std::mem::take(body)));
                    }
                    current = None;
                } else {
                    body.push_str(line);
                    body.push('\n');
                }
            }
        }
    }
    assert!(current.is_none(), "{file}: a code block is not closed");
    found
}

#[test]
fn pricing_doc_price_table_sample_parses() {
    let samples = blocks("docs/pricing.md", "toml");
    assert_eq!(
        samples.len(),
        3,
        "docs/pricing.md has its three TOML samples"
    );
    let table = PriceTable::from_toml(&samples[0].1).expect("the prices.toml sample parses");
    let day = NaiveDate::from_ymd_opt(2026, 1, 15).unwrap();
    let sonnet = table
        .lookup("claude-sonnet-4-5", day)
        .expect("the alias resolves");
    assert_eq!(sonnet.model, "claude-sonnet-4-5-20250929");
    assert_eq!(table.as_of(), NaiveDate::from_ymd_opt(2026, 11, 22));
    // The sample says what the bundled table says for the same model.
    let bundled = PriceTable::bundled()
        .lookup("claude-sonnet-4-5", day)
        .unwrap();
    assert_eq!(format!("{sonnet:?}"), format!("{bundled:?}"));
}

#[test]
fn pricing_doc_unit_price_sample_parses() {
    let samples = blocks("docs/pricing.md", "toml");
    let table = PriceTable::from_toml(&samples[1].1).expect("the unit_price sample parses");
    let image = costledger::UnitRow {
        bucket_start: chrono::DateTime::from_timestamp(1_767_225_600, 0).unwrap(),
        workspace_id: None,
        api_key_id: None,
        actor_id: None,
        model: Some("dall-e-3".into()),
        unit: costledger::UsageUnit::Images,
        variant: Some("1024x1024/image.generation".into()),
        requests: 1,
        quantity: 2,
    };
    let day = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
    let sample = table.estimate_unit(&image, 3_600, day).unwrap();
    // The sample says what the bundled table says for the same image.
    let bundled = PriceTable::bundled()
        .estimate_unit(&image, 3_600, day)
        .unwrap();
    assert_eq!(
        (sample, bundled),
        (Money::parse_dollars("0.08").unwrap(), sample)
    );
}

#[test]
fn pricing_doc_subscription_sample_parses() {
    let samples = blocks("docs/pricing.md", "toml");
    let catalog = SubscriptionCatalog::from_toml(&samples[2].1).expect("the catalog sample parses");
    let day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
    for (cycle, price) in [(BillingCycle::Monthly, "25"), (BillingCycle::Annual, "240")] {
        let list = catalog
            .list_price(SubscriptionTier::TeamStandard, cycle, day)
            .expect("a team_standard price in June 2026");
        assert_eq!(list, Money::parse_dollars(price).unwrap(), "{cycle:?}");
    }
}

/// Workspace package names, from each member's Cargo.toml.
fn packages() -> BTreeSet<String> {
    let root_manifest: toml::Table = std::fs::read_to_string(root().join("Cargo.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let members: Vec<&str> = root_manifest["workspace"]["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap())
        .collect();
    members
        .iter()
        .map(|member| {
            let text = std::fs::read_to_string(root().join(member).join("Cargo.toml")).unwrap();
            let manifest: toml::Table = text.parse().unwrap();
            manifest["package"]["name"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// The file stems of `dir`'s `*.rs` files.
fn stems(dir: &str) -> BTreeSet<String> {
    std::fs::read_dir(root().join(dir))
        .map(|entries| {
            entries
                .filter_map(|e| {
                    let path = e.ok()?.path();
                    (path.extension()? == "rs")
                        .then(|| path.file_stem()?.to_str().map(str::to_owned))?
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The word after each `flag` in `line`.
fn after<'a>(line: &'a str, flag: &str) -> Vec<&'a str> {
    let words: Vec<&str> = line.split_whitespace().collect();
    words
        .windows(2)
        .filter(|w| w[0] == flag)
        .map(|w| w[1])
        .collect()
}

/// The names of the `[[test]]` targets a manifest declares.
fn test_targets(manifest: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(manifest)).expect("manifest");
    let value: toml::Value = toml::from_str(&text).expect("manifest is TOML");
    value
        .get("test")
        .and_then(|t| t.as_array())
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("name")?.as_str().map(str::to_string))
        .collect()
}

#[test]
fn every_shell_sample_names_what_exists() {
    let files = [
        "README.md",
        "docs/anthropic-client.md",
        "docs/benchmarks.md",
        "docs/claude-code-logs.md",
        "docs/openai.md",
        "docs/pricing.md",
        "docs/postgres.md",
        "docs/reports.md",
        "docs/schema.md",
        "docs/security.md",
        "docs/sync.md",
        "docs/troubleshooting.md",
        "docs/concepts.md",
        "bindings-python/README.md",
        "bindings-node/README.md",
        "examples/nextjs/README.md",
        "tests/fake-admin-api/README.md",
    ];
    let packages = packages();
    let examples: BTreeSet<String> = ["core/examples", "tests/fake-admin-api/examples"]
        .iter()
        .flat_map(|dir| stems(dir))
        .collect();
    let benches = stems("core/benches");
    // Each crate's integration tests are one `[[test]]` target (autotests are off).
    let tests: BTreeSet<String> = [
        "core/Cargo.toml",
        "examples/cli/Cargo.toml",
        "tests/fake-admin-api/Cargo.toml",
        "tests/fake-api-tests/Cargo.toml",
    ]
    .iter()
    .flat_map(|manifest| test_targets(manifest))
    .collect();
    let mut checked = 0;
    let mut problems = Vec::new();
    for file in files {
        for (line_no, body) in blocks(file, "sh") {
            checked += 1;
            let syntax = Command::new("bash")
                .args(["-n", "-c", &body])
                .output()
                .expect("bash");
            if !syntax.status.success() {
                problems.push(format!(
                    "{file}:{line_no}: not valid shell: {}",
                    String::from_utf8_lossy(&syntax.stderr)
                ));
            }
            for line in body
                .lines()
                .map(|l| l.split('#').next().unwrap_or("").trim())
            {
                let mut names: Vec<(&str, bool)> = Vec::new();
                let cargo = line.split_whitespace().any(|w| w == "cargo");
                let here = root().join(file).parent().unwrap().to_path_buf();
                let exists = |path: &str| root().join(path).exists() || here.join(path).exists();
                for package in after(line, "-p").into_iter().filter(|_| cargo) {
                    names.push((package, packages.contains(package)));
                }
                for example in after(line, "--example").into_iter().filter(|_| cargo) {
                    names.push((example, examples.contains(example)));
                }
                for bench in after(line, "--bench").into_iter().filter(|_| cargo) {
                    names.push((bench, benches.contains(bench)));
                }
                for test in after(line, "--test").into_iter().filter(|_| cargo) {
                    names.push((test, tests.contains(test)));
                }
                for word in line.split_whitespace() {
                    let word = word.trim_start_matches(['(', '.']).trim_start_matches('/');
                    let word = word.trim_end_matches([')', ';']);
                    if let Some(example) = word.strip_prefix("target/release/examples/") {
                        names.push((word, examples.contains(example)));
                    } else if word.starts_with("scripts/")
                        || word.starts_with("bindings-python/bench/")
                    {
                        names.push((word, exists(word)));
                    }
                }
                for (name, exists) in names {
                    if !exists {
                        problems.push(format!("{file}:{line_no}: `{name}` does not exist: {line}"));
                    }
                }
            }
        }
    }
    assert!(checked >= 10, "only {checked} shell samples found");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

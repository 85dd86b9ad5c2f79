//! Tests of the price table: model ids, aliases and dated ids, missing prices, prices that
//! change on a date, and malformed files that name the entry and field.

use super::tests::{day, dollars, late, vector_tokens};
use super::*;

#[test]
fn ids_aliases_and_dated_ids_resolve() {
    let table = PriceTable::bundled();
    let cases = [
        ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5-20250929"),
        ("claude-sonnet-4-5", "claude-sonnet-4-5-20250929"),
        ("  Claude-Sonnet-4-5 ", "claude-sonnet-4-5-20250929"),
        ("claude-opus-4-1", "claude-opus-4-1-20250805"),
        ("claude-haiku-4-5", "claude-haiku-4-5-20251001"),
        ("claude-sonnet-4-0", "claude-sonnet-4-20250514"),
        ("claude-opus-4-0", "claude-opus-4-20250514"),
        ("claude-3-5-haiku-latest", "claude-3-5-haiku-20241022"),
        // A snapshot of an undated id, and a new snapshot of an alias.
        ("claude-opus-4-6-20260205", "claude-opus-4-6"),
        ("claude-sonnet-4-5-20991231", "claude-sonnet-4-5-20250929"),
    ];
    for (asked, canonical) in cases {
        assert_eq!(table.canonical_model(asked), Some(canonical), "{asked}");
        assert_eq!(
            table.lookup(asked, late()).map(|p| p.model.as_str()),
            Some(canonical),
            "{asked}"
        );
    }
    assert_eq!(table.canonical_model("claude-sonnet-4-5-2025"), None);
    let alias = table
        .estimate(
            "claude-sonnet-4-5",
            day(2026, 1, 15),
            "standard",
            "0-200k",
            &vector_tokens(),
        )
        .unwrap();
    let dated = table
        .estimate(
            "claude-sonnet-4-5-20250929",
            day(2026, 1, 15),
            "standard",
            "0-200k",
            &vector_tokens(),
        )
        .unwrap();
    assert_eq!(alias, dated);
}

#[test]
fn before_effective_from_and_unknown_models_are_missing() {
    let table = PriceTable::bundled();
    let err = table
        .estimate(
            "claude-sonnet-4-5",
            day(2025, 9, 28),
            "standard",
            "0-200k",
            &vector_tokens(),
        )
        .unwrap_err();
    assert_eq!(
        err,
        MissingPrice {
            model: "claude-sonnet-4-5".into(),
            on: day(2025, 9, 28),
            context_window: None,
            speed: None,
        }
    );
    assert_eq!(
        err.to_string(),
        "no price for model claude-sonnet-4-5 on 2025-09-28"
    );
    assert!(
        table
            .lookup("claude-sonnet-4-5", day(2025, 9, 29))
            .is_some()
    );

    let unknown = table
        .estimate(
            "gpt-9",
            late(),
            "standard",
            "0-200k",
            &TokenCounts::default(),
        )
        .unwrap_err();
    assert_eq!(
        unknown.to_string(),
        "no price for model gpt-9 on 2026-11-01"
    );
    assert!(
        table
            .unit_price("gpt-9", late(), "standard", "", TokenType::Output)
            .is_none()
    );
    // Haiku 5.5 is deliberately not priced (prompt-length bands the usage report
    // cannot tell apart): missing, never $0.
    assert!(table.lookup("claude-haiku-5-5", late()).is_none());
}

#[test]
fn a_price_change_applies_from_its_date() {
    let text = r#"
        as_of = 2026-11-01
        [defaults]
        web_search_per_1000 = "10"
        [[model]]
        model = "claude-test-2"
        display_name = "Test 2 (new)"
        aliases = ["test-2"]
        effective_from = 2026-10-07
        input = "2"
        cache_write_5m = "2.50"
        cache_write_1h = "4"
        cache_read = "0.10"
        output = "10"
        [[model]]
        model = "claude-test-2"
        display_name = "Test 2"
        effective_from = 2026-09-01
        input = "2"
        cache_write_5m = "2.50"
        cache_write_1h = "4"
        cache_read = "0.20"
        output = "10"
    "#;
    let table = PriceTable::from_toml(text).unwrap();
    assert_eq!(table.as_of(), Some(day(2026, 11, 1)));
    let read = |on| {
        table
            .unit_price("test-2", on, "standard", "0-200k", TokenType::CacheRead)
            .map(|u| u.million())
    };
    assert_eq!(read(day(2026, 8, 31)), None);
    assert_eq!(read(day(2026, 9, 1)), Some(dollars("0.20")));
    assert_eq!(read(day(2026, 10, 6)), Some(dollars("0.20")));
    assert_eq!(read(day(2026, 10, 7)), Some(dollars("0.10")));
    assert_eq!(read(day(2030, 1, 1)), Some(dollars("0.10")));
    let dates: Vec<_> = table.models().map(|m| m.effective_from).collect();
    assert_eq!(dates, [day(2026, 9, 1), day(2026, 10, 7)]);

    // The bundled table carries a real one: Sonnet 5.5's cache-read cut.
    let bundled = PriceTable::bundled();
    let sonnet55 = |on| {
        bundled
            .unit_price(
                "claude-sonnet-5-5",
                on,
                "standard",
                "0-200k",
                TokenType::CacheRead,
            )
            .unwrap()
            .million()
    };
    assert_eq!(sonnet55(day(2026, 10, 6)), dollars("0.20"));
    assert_eq!(sonnet55(day(2026, 10, 7)), dollars("0.10"));
}

fn entry(extra: &str) -> String {
    format!(
        "[[model]]\nmodel = \"m\"\ndisplay_name = \"M\"\neffective_from = 2026-01-01\n\
         input = \"1\"\ncache_write_5m = \"1.25\"\ncache_write_1h = \"2\"\n\
         cache_read = \"0.10\"\noutput = \"5\"\nweb_search_per_1000 = \"10\"\n{extra}"
    )
}

fn load_error(text: &str) -> String {
    let e = PriceTable::from_toml(text).unwrap_err();
    assert_eq!(e.code(), "INVALID_INPUT");
    e.to_string()
}

#[test]
fn malformed_tables_name_the_entry_and_field() {
    assert!(PriceTable::from_toml(&entry("")).is_ok());
    let float = entry("").replace("output = \"5\"", "output = 5.5");
    assert_eq!(
        load_error(&float),
        "price table, model entry 1 (m): field `output` must be written as a string (\"5.5\") so it stays exact"
    );
    let missing = entry("").replace("cache_read = \"0.10\"\n", "");
    assert_eq!(
        load_error(&missing),
        "price table, model entry 1 (m): field `cache_read` is missing"
    );
    let typo = load_error(&entry("cache_raed = \"1\"\n"));
    assert!(
        typo.contains("model entry 1 (m): unknown field(s) cache_raed"),
        "{typo}"
    );
    let negative = entry("").replace("input = \"1\"", "input = \"-1\"");
    assert!(load_error(&negative).contains("field `input` must not be negative"));
    let bad_date = entry("").replace("2026-01-01", "\"2026-13-01\"");
    assert!(load_error(&bad_date).contains("field `effective_from` must be a date"));
    let bad_id = entry("").replace("model = \"m\"", "model = \"Claude X\"");
    assert!(load_error(&bad_id).contains("field `model` must be a lower-case id"));
    let long = load_error(&entry("[model.long_context]\ninput = \"2\"\n"));
    assert!(
        long.contains("model entry 1 (m), [long_context]: field `cache_write_5m` is missing"),
        "{long}"
    );
    let no_search = entry("").replace("web_search_per_1000 = \"10\"\n", "");
    assert!(load_error(&no_search).contains("set it here or in [defaults]"));
    let twice = format!("{}{}", entry(""), entry(""));
    assert_eq!(
        load_error(&twice),
        "price table: model m has two entries effective from 2026-01-01; keep one"
    );
    let clash = format!(
        "{}{}",
        entry("aliases = [\"shared\"]\n"),
        entry("aliases = [\"shared\"]\n").replace("model = \"m\"", "model = \"n\"")
    );
    assert_eq!(
        load_error(&clash),
        "price table: alias shared names both m and n"
    );
    let alias_is_id = format!(
        "{}{}",
        entry("aliases = [\"n\"]\n"),
        entry("").replace("model = \"m\"", "model = \"n\"")
    );
    assert_eq!(
        load_error(&alias_is_id),
        "price table: alias n of m is also a model id"
    );
    let tier = load_error(&entry("service_tiers = { batch = 0.5 }\n"));
    assert!(
        tier.contains("tier \"batch\" must be a decimal string"),
        "{tier}"
    );
    assert!(load_error("model = 3\n").contains("field `model` must be an array of tables"));
    assert!(load_error("[[model]\n").starts_with("price table is not valid TOML"));
    assert!(load_error("extra = 1\n").contains("unknown field(s) extra"));
}

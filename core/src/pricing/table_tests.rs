//! Tests of the price table: the reference vector, tiers, long context, the bundled data
//! and fast mode (id resolution, dates and malformed files: `table_resolve_tests.rs`).

use super::*;
use crate::model::Money;

pub(super) fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

pub(super) fn dollars(text: &str) -> Money {
    Money::parse_dollars(text).unwrap()
}

/// The reference row: Sonnet 4.5, standard tier ([OAS-2025] example).
pub(super) fn vector_tokens() -> TokenCounts {
    TokenCounts {
        uncached_input: 1500,
        cache_write_5m: 500,
        cache_write_1h: 1000,
        cache_read: 200,
        output: 500,
        web_search_requests: 0,
    }
}

const AFTER_LAUNCHES: (i32, u32, u32) = (2026, 11, 1);

pub(super) fn late() -> NaiveDate {
    day(AFTER_LAUNCHES.0, AFTER_LAUNCHES.1, AFTER_LAUNCHES.2)
}

#[test]
fn bundled_table_parses() {
    let table = PriceTable::bundled();
    assert!(table.models().count() >= 25);
    assert!(table.as_of().is_some());
    // Reading the same text again gives the same table: parsing is deterministic.
    let again = PriceTable::from_toml(BUNDLED_PRICES).unwrap();
    assert_eq!(again.models().count(), table.models().count());
}

#[test]
fn reference_vector_is_exact() {
    let table = PriceTable::bundled();
    let est = table
        .estimate(
            "claude-sonnet-4-5-20250929",
            day(2026, 1, 15),
            "standard",
            "0-200k",
            &vector_tokens(),
        )
        .unwrap();
    assert_eq!(est.total, dollars("0.019935"));
    assert_eq!(est.get(TokenType::UncachedInput), dollars("0.0045"));
    assert_eq!(est.get(TokenType::CacheWrite5m), dollars("0.001875"));
    assert_eq!(est.get(TokenType::CacheWrite1h), dollars("0.006"));
    assert_eq!(est.get(TokenType::CacheRead), dollars("0.00006"));
    assert_eq!(est.get(TokenType::Output), dollars("0.0075"));
    assert_eq!(est.get(TokenType::WebSearch), Money::ZERO);
    assert_eq!(est.by_type.len(), 5);
    assert_eq!(
        est.by_type.iter().map(|(_, m)| *m).sum::<Money>(),
        est.total
    );

    let mut with_search = vector_tokens();
    with_search.web_search_requests = 10;
    let est = table
        .estimate(
            "claude-sonnet-4-5",
            day(2026, 1, 15),
            "standard",
            "0-200k",
            &with_search,
        )
        .unwrap();
    assert_eq!(est.get(TokenType::WebSearch), dollars("0.10"));
    assert_eq!(est.total, dollars("0.119935"));
    assert_eq!(est.by_type.last().unwrap().0, TokenType::WebSearch);
}

#[test]
fn batch_halves_every_token_category_but_not_web_search() {
    let table = PriceTable::bundled();
    let mut tokens = vector_tokens();
    tokens.web_search_requests = 10;
    let batch = table
        .estimate(
            "claude-sonnet-4-5",
            day(2026, 1, 15),
            "batch",
            "0-200k",
            &tokens,
        )
        .unwrap();
    assert_eq!(batch.get(TokenType::UncachedInput), dollars("0.00225"));
    assert_eq!(batch.get(TokenType::CacheWrite5m), dollars("0.0009375"));
    assert_eq!(batch.get(TokenType::CacheWrite1h), dollars("0.003"));
    assert_eq!(batch.get(TokenType::CacheRead), dollars("0.00003"));
    assert_eq!(batch.get(TokenType::Output), dollars("0.00375"));
    assert_eq!(batch.get(TokenType::WebSearch), dollars("0.10"));
    assert_eq!(batch.total, dollars("0.1099675"));
    let unit = table
        .unit_price(
            "claude-sonnet-4-5",
            day(2026, 1, 15),
            "batch",
            "0-200k",
            TokenType::CacheWrite5m,
        )
        .unwrap();
    assert_eq!(unit.million(), dollars("1.875"));
}

#[test]
fn priority_and_other_tiers_use_list_rates() {
    let table = PriceTable::bundled();
    for tier in ["standard", "priority", "priority_on_demand", "flex", ""] {
        let est = table
            .estimate(
                "claude-sonnet-4-5",
                day(2026, 1, 15),
                tier,
                "0-200k",
                &vector_tokens(),
            )
            .unwrap();
        assert_eq!(est.total, dollars("0.019935"), "{tier}");
    }
}

#[test]
fn a_table_can_price_a_tier_otherwise() {
    let text = r#"
        [defaults]
        web_search_per_1000 = "10"
        service_tiers = { batch = "0.5", priority = "1.25" }
        [[model]]
        model = "m"
        display_name = "M"
        effective_from = 2026-01-01
        input = "4"
        cache_write_5m = "5"
        cache_write_1h = "8"
        cache_read = "0.40"
        output = "20"
        service_tiers = { batch = "0.4" }
    "#;
    let table = PriceTable::from_toml(text).unwrap();
    let price = table.lookup("m", day(2026, 2, 1)).unwrap();
    assert_eq!(price.batch_multiplier().to_string(), "0.4");
    assert_eq!(price.tier_multiplier("priority").to_string(), "1.25");
    let unit = table
        .unit_price("m", day(2026, 2, 1), "priority", "", TokenType::Output)
        .unwrap();
    assert_eq!(unit.million(), dollars("25"));
}

#[test]
fn long_context_premium_only_where_the_model_has_one() {
    let table = PriceTable::bundled();
    let on = late();
    let long = table
        .estimate(
            "claude-sonnet-4-5",
            on,
            "standard",
            "200k-1M",
            &vector_tokens(),
        )
        .unwrap();
    // 1500×6 + 500×7.50 + 1000×12 + 200×0.60 + 500×22.50 = 36,120 per 1e6.
    assert_eq!(long.total, dollars("0.03612"));
    let sonnet4 = table
        .estimate(
            "claude-sonnet-4-0",
            on,
            "standard",
            "200k-1M",
            &vector_tokens(),
        )
        .unwrap();
    assert_eq!(sonnet4.total, dollars("0.03612"));
    // Batch stacks on the premium.
    let long_batch = table
        .estimate(
            "claude-sonnet-4-5",
            on,
            "batch",
            "200k-1M",
            &vector_tokens(),
        )
        .unwrap();
    assert_eq!(long_batch.total, dollars("0.01806"));
    // Sonnet 4.6 and Opus 4.6/4.7 bill the whole window at standard rates.
    for model in ["claude-sonnet-4-6", "claude-opus-4-6", "claude-opus-4-7"] {
        let std = table
            .estimate(model, on, "standard", "0-200k", &vector_tokens())
            .unwrap();
        let long = table
            .estimate(model, on, "standard", "200k-1M", &vector_tokens())
            .unwrap();
        assert_eq!(std, long, "{model}");
    }
    let opus46 = table
        .estimate(
            "claude-opus-4-6",
            on,
            "standard",
            "200k-1M",
            &vector_tokens(),
        )
        .unwrap();
    // 1500×5 + 500×6.25 + 1000×10 + 200×0.50 + 500×25 = 33,225 per 1e6.
    assert_eq!(opus46.total, dollars("0.033225"));
}

#[test]
fn an_unknown_context_window_is_missing_not_standard() {
    let table = PriceTable::bundled();
    let err = table
        .estimate(
            "claude-sonnet-4-5",
            late(),
            "standard",
            "1M-2M",
            &vector_tokens(),
        )
        .unwrap_err();
    assert_eq!(err.context_window.as_deref(), Some("1M-2M"));
    assert_eq!(
        err.to_string(),
        "no price for model claude-sonnet-4-5 on 2026-11-01 in context window \"1M-2M\""
    );
    assert!(
        table
            .unit_price(
                "claude-sonnet-4-5",
                late(),
                "standard",
                "1M-2M",
                TokenType::Output
            )
            .is_none()
    );
}

#[test]
fn bundled_data_is_sane() {
    let table = PriceTable::bundled();
    let ratio = |price: UnitPrice, input: UnitPrice, num: i64, den: i64| {
        price.nanos_per_million * den == input.nanos_per_million * num
    };
    for entry in table.models() {
        let what = format!("{} from {}", entry.model, entry.effective_from);
        assert_eq!(entry.batch_multiplier().to_string(), "0.5", "{what}");
        assert_eq!(entry.web_search_per_1000, dollars("10"), "{what}");
        assert!(!entry.display_name.is_empty(), "{what}");
        if !entry.model.starts_with("claude-") {
            // OpenAI: no cache-write price, written tokens at the input rate; embeddings
            // have no output and no cache discount.
            let p = entry.standard;
            assert!(p.input.nanos_per_million > 0, "{what}");
            assert_eq!(p.cache_write_5m, p.input, "{what}");
            assert_eq!(p.cache_write_1h, p.input, "{what}");
            assert!(p.cache_read <= p.input, "{what}");
            assert!(entry.model.starts_with("text-embedding-") || p.output > p.input);
            continue;
        }
        let mut sets = vec![entry.standard];
        sets.extend(entry.long_context);
        for p in sets {
            assert!(p.input.nanos_per_million > 0, "{what}");
            assert!(p.cache_read < p.input, "{what}: reads cost less than input");
            assert!(p.output > p.input, "{what}: output costs more than input");
            assert!(
                ratio(p.cache_write_1h, p.input, 2, 1),
                "{what}: 1h write = 2x input"
            );
            // Haiku 3 is the one model whose 5m write is not 1.25x (0.30 vs 0.25).
            if !entry.model.starts_with("claude-3-haiku") {
                assert!(
                    ratio(p.cache_write_5m, p.input, 5, 4),
                    "{what}: 5m write = 1.25x"
                );
            }
        }
    }
    // Every model of the reference table and its aliases, plus the newer 2026 models.
    let expected = [
        "claude-opus-4-7",
        "claude-opus-4-6",
        "claude-opus-4-5-20251101",
        "claude-opus-4-1-20250805",
        "claude-opus-4-20250514",
        "claude-sonnet-4-6",
        "claude-sonnet-4-5-20250929",
        "claude-sonnet-4-20250514",
        "claude-3-7-sonnet-20250219",
        "claude-haiku-4-5-20251001",
        "claude-3-5-haiku-20241022",
        "claude-3-opus-20240229",
        "claude-3-haiku-20240307",
        "claude-sonnet-4-5",
        "claude-opus-4-1",
        "claude-haiku-4-5",
        "claude-sonnet-4-0",
        "claude-opus-4-0",
        "claude-opus-4-8",
        "claude-opus-5",
        "claude-opus-5-5",
        "claude-sonnet-5",
        "claude-sonnet-5-5",
        "claude-fable-5-1",
        "claude-mythos-5-1",
        "gpt-4o",
        "gpt-4o-mini-2024-07-18",
        "gpt-4.1",
        "gpt-4.1-mini-2025-04-14",
        "gpt-5-2025-08-07",
        "text-embedding-3-large",
    ];
    for model in expected {
        assert!(table.lookup(model, late()).is_some(), "{model} is priced");
    }
    let models: Vec<_> = table
        .models()
        .map(|m| (m.model.clone(), m.effective_from))
        .collect();
    let mut sorted = models.clone();
    sorted.sort();
    assert_eq!(models, sorted);
}

#[test]
fn the_reference_prices_per_model() {
    let table = PriceTable::bundled();
    let check = |model: &str, prices: [&str; 5]| {
        let p = table.lookup(model, late()).unwrap().standard;
        let got = [
            p.input,
            p.cache_write_5m,
            p.cache_write_1h,
            p.cache_read,
            p.output,
        ]
        .map(UnitPrice::million);
        assert_eq!(got, prices.map(dollars), "{model}");
    };
    check("claude-opus-4-7", ["5", "6.25", "10", "0.50", "25"]);
    check("claude-opus-4-1", ["15", "18.75", "30", "1.50", "75"]);
    check("claude-sonnet-4-5", ["3", "3.75", "6", "0.30", "15"]);
    check("claude-haiku-4-5", ["1", "1.25", "2", "0.10", "5"]);
    check(
        "claude-3-5-haiku-20241022",
        ["0.80", "1", "1.6", "0.08", "4"],
    );
    check(
        "claude-3-haiku-20240307",
        ["0.25", "0.30", "0.50", "0.03", "1.25"],
    );
    check("claude-opus-5", ["5", "6.25", "10", "0.50", "25"]);
    check("claude-opus-5-5", ["4", "5", "8", "0.20", "20"]);
    check("claude-sonnet-5", ["2", "2.50", "4", "0.20", "10"]);
    check("claude-fable-5-1", ["10", "12.50", "20", "0.25", "50"]);
    let web = table
        .unit_price("claude-opus-5", late(), "batch", "", TokenType::WebSearch)
        .unwrap();
    assert_eq!(web.nanos_per_million, 10_000_000_000_000);
}

#[test]
fn fast_mode_has_its_own_prices_or_none() {
    let table = PriceTable::bundled();
    let on = day(2026, 3, 2);
    let tokens = TokenCounts {
        uncached_input: 1_000_000,
        output: 1_000_000,
        ..TokenCounts::default()
    };
    let cost = |model, window, speed| {
        table
            .estimate_at_speed(model, on, "standard", window, speed, &tokens)
            .map(|e| e.total.to_string())
    };
    assert_eq!(
        cost("claude-opus-4-6", "0-200k", "standard").unwrap(),
        "$30.00"
    );
    assert_eq!(
        cost("claude-opus-4-6", "0-200k", "fast").unwrap(),
        "$180.00"
    );
    assert_eq!(
        cost("claude-opus-4-6", "200k-1M", "fast").unwrap(),
        "$285.00"
    );
    assert_eq!(cost("claude-opus-4-6", "200k-1M", "").unwrap(), "$30.00");
    let batch = table
        .estimate_at_speed("claude-opus-4-6", on, "batch", "0-200k", "fast", &tokens)
        .unwrap();
    assert_eq!(batch.total.to_string(), "$90.00");
    let err = cost("claude-sonnet-4-5", "0-200k", "fast").unwrap_err();
    assert_eq!(
        err.to_string(),
        "no price for model claude-sonnet-4-5 on 2026-03-02 at speed \"fast\""
    );
    assert!(cost("claude-opus-4-6", "0-200k", "turbo").is_err());
}

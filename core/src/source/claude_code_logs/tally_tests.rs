use super::*;

fn tokens(input: i64, output: i64) -> TokenCounts {
    TokenCounts {
        uncached_input: input,
        output,
        ..TokenCounts::default()
    }
}

/// A row of `entries` entries on 2026-03-02 (Opus 4.6 and Sonnet 4.5 both priced then).
fn row(model: &str, entries: i64, tokens: TokenCounts) -> LogUsageRow {
    LogUsageRow {
        at_ms: 1_772_445_600_000, // 2026-03-02T10:00:00Z
        session_ref: 0,
        model: model.to_string(),
        entries,
        tokens,
        first_ms: 0,
        last_ms: 0,
        fast: false,
        long_context: false,
        cost_usd: None,
    }
}

fn cost_of(rows: &[LogUsageRow], mode: CostMode) -> Option<Money> {
    let mut tally = Tally::new();
    for r in rows {
        tally.add("g", r);
    }
    let usage = tally
        .finish(PriceTable::bundled(), mode)
        .remove("g")
        .unwrap();
    assert_eq!(usage.models.len(), 1);
    usage.models[0].estimated_cost
}

fn dollars(text: &str) -> Option<Money> {
    Some(Money::parse_dollars(text).unwrap())
}

#[test]
fn models_without_a_price_are_listed_never_zero() {
    let million = tokens(1_000_000, 1_000_000);
    let mut tally = Tally::new();
    tally.add("a", &row("claude-sonnet-4-5", 2, million));
    tally.add("a", &row("claude-sonnet-4-5", 1, million));
    tally.add("a", &row("gpt-unknown", 1, million));
    let usage = tally
        .finish(PriceTable::bundled(), CostMode::Calculate)
        .remove("a")
        .unwrap();
    assert_eq!(usage.entries, 4);
    assert_eq!(usage.tokens.output, 3_000_000);
    assert_eq!(usage.missing_prices, ["gpt-unknown"]);
    let sonnet = &usage.models[0];
    // $3 per million input and $15 per million output, twice.
    assert_eq!(sonnet.estimated_cost, Some(Money::from_cents(3_600)));
    assert_eq!(usage.models[1].estimated_cost, None);
    assert_eq!(usage.estimated_cost, Money::from_cents(3_600));
}

#[test]
fn a_fast_mode_request_is_priced_at_fast_rates() {
    let t = tokens(10_000, 2_000);
    // Standard: 10k × $5 + 2k × $25 per million = $0.10.
    assert_eq!(
        cost_of(&[row("claude-opus-4-6", 1, t)], CostMode::Calculate),
        dollars("0.10")
    );
    // Fast: 10k × $30 + 2k × $150 per million = $0.60 (6x).
    let fast = LogUsageRow {
        fast: true,
        ..row("claude-opus-4-6", 1, t)
    };
    assert_eq!(
        cost_of(std::slice::from_ref(&fast), CostMode::Calculate),
        dollars("0.60")
    );
    // Fast and over 200k input tokens: $60 in, $75 5m writes, $6 reads, $225 out.
    let long = TokenCounts {
        uncached_input: 1_000,
        cache_write_5m: 100_000,
        cache_read: 100_000,
        output: 1_000,
        ..TokenCounts::default()
    };
    let fast_long = LogUsageRow {
        fast: true,
        long_context: true,
        ..row("claude-opus-4-6", 1, long)
    };
    assert_eq!(
        cost_of(&[fast_long], CostMode::Calculate),
        dollars("8.385") // 0.06 + 7.50 + 0.60 + 0.225
    );
    // A fast request of a model without fast prices is unpriced, never standard.
    let sonnet_fast = LogUsageRow {
        fast: true,
        ..row("claude-sonnet-4-5", 1, t)
    };
    assert_eq!(cost_of(&[sonnet_fast], CostMode::Calculate), None);
}

#[test]
fn long_context_requests_are_priced_whole_where_the_model_charges_a_premium() {
    // Sonnet 4.5 over 200k input tokens: every token at $6 in / $22.50 out.
    let t = tokens(200_001, 1_000);
    let long = LogUsageRow {
        long_context: true,
        ..row("claude-sonnet-4-5-20250929", 1, t)
    };
    assert_eq!(
        cost_of(&[long], CostMode::Calculate),
        dollars("1.222506") // 200,001 × $6 + 1,000 × $22.50 per million
    );
    // Opus 4.6 bills its whole 1M window at standard rates.
    let opus = LogUsageRow {
        long_context: true,
        ..row("claude-opus-4-6", 1, tokens(900_000, 1_000))
    };
    assert_eq!(cost_of(&[opus], CostMode::Calculate), dollars("4.525"));
}

#[test]
fn cost_modes_follow_ccusage() {
    let t = tokens(1_000_000, 0); // $3 calculated
    let with_cost = LogUsageRow {
        cost_usd: dollars("1.25"),
        ..row("claude-sonnet-4-5", 2, t)
    };
    let without = row("claude-sonnet-4-5", 1, t);
    let both = [with_cost.clone(), without];
    assert_eq!(cost_of(&both, CostMode::Calculate), dollars("6"));
    assert_eq!(cost_of(&both, CostMode::Display), dollars("1.25"));
    assert_eq!(cost_of(&both, CostMode::Auto), dollars("4.25"));
    assert_eq!(cost_of(&[with_cost], CostMode::Auto), dollars("1.25"));
    // Display never needs a price: an unknown model's costUSD is its cost.
    let unknown = LogUsageRow {
        cost_usd: dollars("0.5"),
        ..row("gpt-unknown", 1, t)
    };
    assert_eq!(
        cost_of(std::slice::from_ref(&unknown), CostMode::Display),
        dollars("0.5")
    );
    assert_eq!(
        cost_of(std::slice::from_ref(&unknown), CostMode::Auto),
        dollars("0.5")
    );
    assert_eq!(cost_of(&[unknown], CostMode::Calculate), None);
    assert_eq!("Display".parse::<CostMode>().unwrap(), CostMode::Display);
    assert_eq!("x".parse::<CostMode>().unwrap_err().code(), "INVALID_INPUT");
}

//! Tests of allocation (kept apart: the module stays readable in one sitting).

use super::*;
use crate::model::TokenCounts;

/// 2026-10-01T00:00:00Z: a day every test model has a price on.
const DAY0: i64 = 1_790_812_800;

#[test]
fn split_is_exact_and_proportional() {
    let parts = split(Money::from_nanos(100), &[1, 1, 1]);
    assert_eq!(parts.iter().copied().sum::<Money>(), Money::from_nanos(100));
    assert_eq!(
        parts,
        vec![
            Money::from_nanos(34),
            Money::from_nanos(33),
            Money::from_nanos(33)
        ]
    );
    let parts = split(Money::from_nanos(10), &[2, 1, 0, 7]);
    assert_eq!(
        parts.iter().map(|m| m.nanos()).collect::<Vec<_>>(),
        vec![2, 1, 0, 7]
    );
    let parts = split(Money::from_nanos(-7), &[1, 1]);
    assert_eq!(
        parts.iter().map(|m| m.nanos()).collect::<Vec<_>>(),
        vec![-4, -3]
    );
    // Remainders go to the largest fractions, not the first parts.
    let parts = split(Money::from_nanos(5), &[1, 3, 3]);
    assert_eq!(
        parts.iter().map(|m| m.nanos()).collect::<Vec<_>>(),
        vec![1, 2, 2]
    );
    // Huge amounts and weights do not overflow.
    let parts = split(
        Money::from_nanos(i64::MAX / 2),
        &[i64::MAX / 3, 1, i64::MAX / 5],
    );
    assert_eq!(
        parts.iter().copied().sum::<Money>(),
        Money::from_nanos(i64::MAX / 2)
    );
}

fn dim(id: i64, key: &str, tier: &str) -> Dim {
    Dim {
        id,
        plan_id: 1,
        api_key_id: Some(key.into()),
        workspace_id: Some("w".into()),
        model: "claude-sonnet-4-5-20250929".into(),
        service_tier: tier.into(),
        context_window: "0-200k".into(),
        actor_id: None,
    }
}

fn cost(token_type: &str, cents: &str) -> CostRow {
    CostRow {
        bucket_start: DateTime::from_timestamp(0, 0).unwrap(),
        workspace_id: Some("w".into()),
        api_key_id: None,
        description: None,
        cost_type: Some("tokens".into()),
        model: Some("claude-sonnet-4-5-20250929".into()),
        service_tier: Some("standard".into()),
        context_window: Some("0-200k".into()),
        token_type: Some(token_type.into()),
        inference_geo: None,
        amount: Money::parse_cents(cents).unwrap(),
    }
}

fn usage(hour: i64, dim: Dim, input: i64, output: i64) -> HourUsage {
    HourUsage {
        hour: DAY0 + hour * HOUR,
        dim,
        tokens: TokenCounts {
            uncached_input: input,
            output,
            ..Default::default()
        },
    }
}

#[test]
fn billed_rows_go_to_keys_by_tokens_of_their_type() {
    let rows = vec![
        usage(0, dim(1, "a", "standard"), 300, 10),
        usage(5, dim(2, "b", "standard"), 100, 30),
    ];
    let bill = vec![
        cost("uncached_input_tokens", "4"),
        cost("output_tokens", "1"),
    ];
    let out = allocate_day(
        Provider::Anthropic,
        DAY0,
        &rows,
        &bill,
        true,
        PriceTable::bundled(),
    );
    let get = |h: i64, id| out.facts[&(DAY0 + h * HOUR, FactDim::Known(id), Basis::Allocated)];
    // input 3:1, output 1:3
    assert_eq!(
        get(0, 1),
        Money::from_cents(3) + Money::parse_cents("0.25").unwrap()
    );
    assert_eq!(
        get(5, 2),
        Money::from_cents(1) + Money::parse_cents("0.75").unwrap()
    );
    let total: Money = out.facts.values().copied().sum();
    assert_eq!(total, Money::from_cents(5));
}

#[test]
fn unmatched_cost_is_unallocated_and_spread_over_the_day() {
    let mut code = cost("output_tokens", "0.000024");
    code.cost_type = Some("code_execution".into());
    code.model = None;
    let out = allocate_day(
        Provider::Anthropic,
        DAY0,
        &[],
        &[code],
        true,
        PriceTable::bundled(),
    );
    assert_eq!(out.facts.len(), 24);
    assert!(
        out.facts
            .keys()
            .all(|(_, d, b)| *b == Basis::Unallocated && matches!(d, FactDim::New(..)))
    );
    assert_eq!(out.facts.values().copied().sum::<Money>().nanos(), 240);
}

#[test]
fn priority_and_unbilled_days_are_estimated() {
    let rows = vec![
        usage(1, dim(1, "a", "priority"), 1_000_000, 0),
        usage(2, dim(2, "b", "standard"), 1_000_000, 0),
    ];
    let bill = vec![cost("uncached_input_tokens", "300")];
    let out = allocate_day(
        Provider::Anthropic,
        DAY0,
        &rows,
        &bill,
        true,
        PriceTable::bundled(),
    );
    // Sonnet 4.5 input at list rate: $3 per million.
    assert_eq!(
        out.facts[&(DAY0 + HOUR, FactDim::Known(1), Basis::Estimated)],
        Money::from_cents(300)
    );
    assert_eq!(
        out.facts[&(DAY0 + 2 * HOUR, FactDim::Known(2), Basis::Allocated)],
        Money::from_cents(300)
    );
    let unbilled = allocate_day(
        Provider::Anthropic,
        DAY0,
        &rows,
        &[],
        false,
        PriceTable::bundled(),
    );
    assert_eq!(unbilled.facts.len(), 2);
    assert!(
        unbilled
            .facts
            .keys()
            .all(|(_, _, b)| *b == Basis::Estimated)
    );
}

#[test]
fn web_searches_of_the_priority_tier_are_estimated_not_billed() {
    let searches = |hour, dim, n| {
        let mut u = usage(hour, dim, 1_000, 100);
        u.tokens.web_search_requests = n;
        u
    };
    let rows = vec![
        searches(0, dim(1, "a", "standard"), 3),
        searches(1, dim(2, "b", "standard"), 1),
        searches(2, dim(3, "c", "priority"), 6),
    ];
    // The bill: the standard tier's tokens, and its 4 searches at $0.01 each.
    let mut web = cost("output_tokens", "4");
    web.cost_type = Some("web_search".into());
    (
        web.model,
        web.service_tier,
        web.context_window,
        web.token_type,
    ) = (None, None, None, None);
    let bill = vec![
        cost("uncached_input_tokens", "0.6"),
        cost("output_tokens", "0.3"),
        web,
    ];
    let out = allocate_day(
        Provider::Anthropic,
        DAY0,
        &rows,
        &bill,
        true,
        PriceTable::bundled(),
    );
    let at = |h: i64, id, basis| out.facts.get(&(DAY0 + h * HOUR, FactDim::Known(id), basis));
    // Input 1:1, output 1:1, searches 3:1.
    assert_eq!(
        at(0, 1, Basis::Allocated),
        Some(&(Money::parse_cents("0.45").unwrap() + Money::from_cents(3)))
    );
    assert_eq!(
        at(1, 2, Basis::Allocated),
        Some(&(Money::parse_cents("0.45").unwrap() + Money::from_cents(1)))
    );
    // The priority row takes nothing from the bill; its searches are in its estimate:
    // $3 + $15 per million tokens and $10 per 1,000 searches.
    assert_eq!(at(2, 3, Basis::Allocated), None);
    assert_eq!(
        at(2, 3, Basis::Estimated),
        Some(&Money::from_nanos(3_000_000 + 1_500_000 + 6 * 10_000_000))
    );
    assert_eq!(
        out.facts
            .iter()
            .filter(|((_, _, b), _)| *b == Basis::Allocated)
            .map(|(_, m)| *m)
            .sum::<Money>(),
        Money::from_cents(5) - Money::parse_cents("0.1").unwrap(),
        "the bill, exactly"
    );
}

#[test]
fn unknown_models_are_reported_not_priced_at_zero() {
    let mut d = dim(1, "a", "priority");
    d.model = "claude-imaginary-9".into();
    let out = allocate_day(
        Provider::Anthropic,
        DAY0,
        &[usage(0, d, 10, 5)],
        &[],
        true,
        PriceTable::bundled(),
    );
    assert!(out.facts.is_empty());
    assert_eq!(
        out.unpriced,
        vec![Unpriced {
            hour: DAY0,
            dim_id: 1,
            tokens: 15
        }]
    );
}

#[test]
fn openai_lines_stay_whole_under_their_key_and_unbilled_days_are_estimated() {
    let mut gpt = dim(1, "key_a", "default");
    gpt.model = "gpt-4.1-2025-04-14".into();
    gpt.context_window = String::new();
    let rows = vec![usage(3, gpt, 1_000_000, 0)];
    let line = |key: Option<&str>, cents: &str| CostRow {
        api_key_id: key.map(str::to_string),
        model: Some("gpt-4.1-2025-04-14".into()),
        service_tier: None,
        context_window: None,
        token_type: Some("input".into()),
        cost_type: Some("tokens".into()),
        ..cost("input", cents)
    };
    let bill = vec![line(Some("key_a"), "200.00000001"), line(None, "7")];
    let out = allocate_day(
        Provider::OpenAi,
        DAY0,
        &rows,
        &bill,
        true,
        PriceTable::bundled(),
    );
    let sum = |basis: Basis| -> Money {
        out.facts
            .iter()
            .filter(|((_, _, b), _)| *b == basis)
            .map(|(_, m)| *m)
            .sum()
    };
    assert_eq!(
        sum(Basis::Billed),
        Money::parse_cents("200.00000001").unwrap()
    );
    assert_eq!(sum(Basis::Unallocated), Money::from_cents(7));
    assert_eq!(
        sum(Basis::Estimated),
        Money::ZERO,
        "a billed day is not estimated"
    );
    assert_eq!(sum(Basis::Allocated), Money::ZERO, "nothing is divided");
    let keyed = out
        .facts
        .keys()
        .filter(|(_, d, b)| {
            *b == Basis::Billed
                && *d
                    == FactDim::New(
                        Some("key_a".into()),
                        Some("w".into()),
                        "gpt-4.1-2025-04-14".into(),
                        String::new(),
                        String::new(),
                        None,
                    )
        })
        .count();
    assert_eq!(keyed, 24, "spread over the day's hours");
    // Not billed yet: the usage is estimated at $2 per million input tokens.
    let unbilled = allocate_day(
        Provider::OpenAi,
        DAY0,
        &rows,
        &[],
        false,
        PriceTable::bundled(),
    );
    let estimated: Money = unbilled.facts.values().copied().sum();
    assert_eq!(estimated, Money::from_cents(200));
}

#[test]
fn openai_keyless_lines_go_to_users_then_hours_by_tokens_of_their_meter() {
    let keyless = |id, actor: Option<&str>| Dim {
        api_key_id: None,
        actor_id: actor.map(Into::into),
        model: "gpt-4o".into(),
        service_tier: "default".into(),
        context_window: String::new(),
        ..dim(id, "", "")
    };
    let rows = vec![
        usage(0, keyless(1, Some("user_a")), 100, 1),
        usage(3, keyless(1, Some("user_a")), 200, 1),
        usage(1, keyless(2, Some("user_b")), 300, 9),
        usage(2, keyless(3, None), 400, 0),
        // Keyed usage and another model take no part.
        usage(2, dim(4, "key", "default"), 1_000, 1_000),
    ];
    let line = |meter: &str, nanos| CostRow {
        api_key_id: None,
        model: Some("gpt-4o".into()),
        service_tier: None,
        context_window: None,
        token_type: Some(meter.into()),
        amount: Money::from_nanos(nanos),
        ..cost("x", "0")
    };
    let other = CostRow {
        model: Some("gpt-5".into()),
        ..line("input", 24)
    };
    let bill = vec![line("input", 1_000), line("output", 11), other];
    let out = allocate_day(
        Provider::OpenAi,
        DAY0,
        &rows,
        &bill,
        true,
        PriceTable::bundled(),
    );
    let get = |h: i64, id| {
        out.facts
            .get(&(DAY0 + h * HOUR, FactDim::Known(id), Basis::Allocated))
            .map_or(0, |m| m.nanos())
    };
    // input 1000 by 300 : 300 : 400 per actor (a, b, none), a's 300 by 100 : 200 per hour;
    // output 11 by 2 : 9, a's 2 by 1 : 1.
    assert_eq!((get(0, 1), get(3, 1)), (100 + 1, 200 + 1));
    assert_eq!(get(1, 2), 300 + 9);
    assert_eq!(get(2, 3), 400);
    assert_eq!(get(2, 4), 0);
    // The other model's line matches no keyless usage: unallocated, whole.
    let unallocated: i64 = out
        .facts
        .iter()
        .filter(|((_, _, b), _)| *b == Basis::Unallocated)
        .map(|(_, m)| m.nanos())
        .sum();
    assert_eq!(unallocated, 24);
}

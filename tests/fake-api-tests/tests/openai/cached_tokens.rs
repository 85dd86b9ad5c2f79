//! OpenAI's `input_tokens` includes cached and cache-write tokens. These tests pin the
//! relationship in the served data, and show that adding cached tokens to input tokens
//! (right for Anthropic's uncached input, wrong here) double counts against the bill.

use crate::openai::common::{
    DAY, HISTORY, NOW, all_bodies, all_pages, cost_rows, get, key, nanos, rows, start,
};

fn n(r: &serde_json::Value, f: &str) -> u64 {
    r[f].as_u64().unwrap_or_else(|| panic!("{f}: {r}"))
}

#[tokio::test]
async fn input_tokens_include_cached_and_cache_write_tokens_in_every_row() {
    let server = start().await;
    let q = format!(
        "start_time={}&limit=31&group_by=model&group_by=batch&group_by=service_tier&group_by=project_id",
        NOW - 31 * DAY
    );
    let all = rows(&all_pages(&server, &key(&server, 0), "usage/completions", &q).await);
    let mut with_cache = 0;
    for r in &all {
        let uncached =
            n(r, "input_text_tokens") + n(r, "input_audio_tokens") + n(r, "input_image_tokens");
        let cached = n(r, "input_cached_text_tokens")
            + n(r, "input_cached_audio_tokens")
            + n(r, "input_cached_image_tokens");
        let output =
            n(r, "output_text_tokens") + n(r, "output_audio_tokens") + n(r, "output_image_tokens");
        assert_eq!(n(r, "input_uncached_tokens"), uncached, "{r}");
        assert_eq!(n(r, "input_cached_tokens"), cached, "{r}");
        assert_eq!(
            n(r, "input_tokens"),
            uncached + cached + n(r, "input_cache_write_tokens"),
            "{r}"
        );
        assert_eq!(n(r, "output_tokens"), output, "{r}");
        if cached > 0 {
            with_cache += 1;
            assert!(n(r, "input_tokens") > cached);
        }
    }
    assert!(
        with_cache * 2 > all.len(),
        "most rows have cached tokens: {with_cache}/{}",
        all.len()
    );
    assert!(all.iter().any(|r| n(r, "input_cache_write_tokens") > 0));
    assert!(all.iter().any(|r| n(r, "input_cached_audio_tokens") > 0));
    assert!(all.iter().any(|r| n(r, "input_cached_image_tokens") > 0));
}

/// gpt-4o-mini at the default tier: $0.15 input, $0.075 cached input, $0.60 output per
/// million tokens (the fake's price table), no batch, no cache writes.
#[tokio::test]
async fn the_bill_counts_cached_tokens_once() {
    let server = start().await;
    let k = key(&server, 0);
    let model = "gpt-4o-mini-2024-07-18";
    let window = format!("start_time={HISTORY}&limit=31");
    let usage = rows(
        &all_pages(
            &server,
            &k,
            "usage/completions",
            &format!("{window}&models={model}&group_by=service_tier"),
        )
        .await,
    );
    let default: Vec<_> = usage
        .iter()
        .filter(|r| r["service_tier"] == "default")
        .collect();
    let sum = |f: &str| default.iter().map(|r| n(r, f)).sum::<u64>();
    let (input, cached, uncached, output) = (
        sum("input_tokens"),
        sum("input_cached_tokens"),
        sum("input_uncached_tokens"),
        sum("output_tokens"),
    );
    assert!(cached > 0 && sum("input_cache_write_tokens") == 0);

    let bills = cost_rows(
        &all_bodies(
            &server,
            &k,
            "costs",
            &format!("start_time={HISTORY}&limit=90&group_by=line_item"),
        )
        .await,
    );
    let line = |name: &str| -> (u64, u64) {
        bills
            .iter()
            .filter(|(_, r)| r.line_item.as_deref() == Some(name))
            .fold((0, 0), |(q, a), (_, r)| {
                (
                    q + r.quantity.get().parse::<u64>().unwrap(),
                    a + nanos(r.amount.value.get()),
                )
            })
    };
    let (in_qty, in_nanos) = line(&format!("{model}, input"));
    let (cached_qty, cached_nanos) = line(&format!("{model}, cached input"));
    let (out_qty, out_nanos) = line(&format!("{model}, output"));
    // The bill's "input" line is the uncached input only.
    assert_eq!((in_qty, cached_qty, out_qty), (uncached, cached, output));
    assert_eq!(in_qty + cached_qty, input);
    let billed = in_nanos + cached_nanos + out_nanos;
    assert_eq!(billed, uncached * 150 + cached * 75 + output * 600);
    // Treating input_tokens as uncached (adding cached on top) overstates the bill.
    let double_counted = input * 150 + cached * 75 + output * 600;
    assert_eq!(double_counted - billed, cached * 150);
    assert!(double_counted > billed);
}

#[tokio::test]
async fn the_specs_example_relationship_holds_for_an_ungrouped_bucket() {
    let server = start().await;
    let r = get(
        &server,
        &key(&server, 0),
        &format!("usage/completions?start_time={}&limit=1", NOW - DAY),
    )
    .await;
    let row = &r.json()["data"][0]["results"][0];
    // Spec example: 1000 = 400 cached + 100 cache write + 500 uncached.
    assert_eq!(
        n(row, "input_tokens"),
        n(row, "input_cached_tokens")
            + n(row, "input_cache_write_tokens")
            + n(row, "input_uncached_tokens")
    );
}

//! Which source bills a (plan, UTC day), and the facts of a day the Analytics API bills.
//!
//! A day is billed from the Analytics API's rows when the `analytics` stream's watermark
//! covers the whole day (the rule of [`billed`]); otherwise the legacy pair decides as before:
//! allocated from the legacy cost report when the `cost` watermark covers the day, estimated
//! from the usage otherwise. One source per (plan, day), so no day counts twice. Moving either
//! watermark marks the days whose source changes stale, and the next derivation switches them.
//!
//! On an analytics day every hourly row (summed over cost and token type, geography, product
//! and speed) is one fact, basis `billed`, of its (key, workspace, model, tier, window, person)
//! at its net (post-discount) amount: nothing is divided. The person is the user id of a
//! `user_actor`, so attribution finds them through the org member's (or the stored actor's)
//! e-mail; an API key, service account or federated actor names no one, so its cost goes to
//! the key's owner when there is a key and is unattributed otherwise. Rows of an API key
//! actor land on the same dimension as the key's usage, so tokens and cost join there.
//! Usage the rows do not cover at all (by workspace, model, tier and window: the Priority
//! Tier, which the cost reports leave out) is estimated from the price table, as on a legacy
//! day. Tokens always come from the usage stream (which reads the Analytics API's usage report
//! for a credential that never reaches the legacy one).

use super::allocation::{DayAllocation, FactDim, allocate_day};
use super::materialize::billed;
use crate::model::{Basis, Provider};
use crate::pricing::PriceTable;
use crate::store::{AnalyticsFactRow, HourUsage, Watermark};

/// The watermark key of the analytics stream.
pub(crate) const ANALYTICS_STREAM: &str = "analytics";

/// Where a day's cost facts come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DaySource {
    /// The Analytics API's billed rows.
    Analytics,
    /// The legacy usage and cost reports: allocated when `billed` (the cost report covers the
    /// day), estimated otherwise.
    Legacy {
        /// The cost report covers the day.
        billed: bool,
    },
}

/// The source of `day` (Unix seconds) by the plan's `cost` and `analytics` watermarks.
pub(crate) fn day_source(
    cost_mark: Option<&Watermark>,
    analytics_mark: Option<&Watermark>,
    day: i64,
) -> DaySource {
    if billed(analytics_mark, day) {
        DaySource::Analytics
    } else {
        DaySource::Legacy {
            billed: billed(cost_mark, day),
        }
    }
}

/// The facts of a day billed by the Analytics API: its `rows`, and an estimate of the
/// `usage` no row covers.
pub(crate) fn analytics_day(
    provider: Provider,
    day: i64,
    usage: &[HourUsage],
    rows: &[AnalyticsFactRow],
    prices: &PriceTable,
) -> DayAllocation {
    let covered: foldhash::HashSet<(Option<&str>, &str, &str, &str)> = rows
        .iter()
        .map(|r| {
            (
                r.workspace_id.as_deref(),
                r.model.as_str(),
                r.service_tier.as_str(),
                r.context_window.as_str(),
            )
        })
        .collect();
    let uncovered: Vec<HourUsage> = usage
        .iter()
        .filter(|u| {
            let d = &u.dim;
            !covered.contains(&(
                d.workspace_id.as_deref(),
                d.model.as_str(),
                d.service_tier.as_str(),
                d.context_window.as_str(),
            ))
        })
        .cloned()
        .collect();
    let mut out = if uncovered.is_empty() {
        DayAllocation::default()
    } else {
        allocate_day(provider, day, &uncovered, &[], false, prices)
    };
    // A row of a dimension the usage already has (an API key's, as a rule) is written under
    // that dimension's id; only the others (a member's usage without a key) are created.
    let known: foldhash::HashMap<DimKey<'_>, i64> = usage
        .iter()
        .map(|u| {
            let d = &u.dim;
            let key = (
                d.api_key_id.as_deref(),
                d.workspace_id.as_deref(),
                d.model.as_str(),
                d.service_tier.as_str(),
                d.context_window.as_str(),
                d.actor_id.as_deref(),
            );
            (key, d.id)
        })
        .collect();
    for r in rows {
        let key = (
            r.api_key_id.as_deref(),
            r.workspace_id.as_deref(),
            r.model.as_str(),
            r.service_tier.as_str(),
            r.context_window.as_str(),
            r.user_id.as_deref(),
        );
        let dim = match known.get(&key) {
            Some(&id) => FactDim::Known(id),
            None => FactDim::New(
                r.api_key_id.clone(),
                r.workspace_id.clone(),
                r.model.clone(),
                r.service_tier.clone(),
                r.context_window.clone(),
                r.user_id.clone(),
            ),
        };
        out.add(r.hour, dim, Basis::Billed, r.net);
    }
    out
}

/// A usage dimension's values: (key, workspace, model, tier, window, person).
type DimKey<'a> = (
    Option<&'a str>,
    Option<&'a str>,
    &'a str,
    &'a str,
    &'a str,
    Option<&'a str>,
);

#[cfg(test)]
mod tests {
    use chrono::DateTime;

    use super::*;
    use crate::model::{Money, TokenCounts};
    use crate::store::Dim;

    const DAY0: i64 = 1_767_225_600; // 2026-01-01

    fn mark(first: i64, end: i64) -> Watermark {
        Watermark {
            watermark: DateTime::from_timestamp(end, 0).unwrap(),
            first_start: DateTime::from_timestamp(first, 0).unwrap(),
        }
    }

    #[test]
    fn a_day_is_billed_by_analytics_only_when_its_watermark_covers_it() {
        let cost = mark(DAY0, DAY0 + 3 * 86_400);
        let analytics = mark(DAY0 + 86_400, DAY0 + 2 * 86_400 + 3_600);
        let at = |d: i64| day_source(Some(&cost), Some(&analytics), DAY0 + d * 86_400);
        assert_eq!(at(0), DaySource::Legacy { billed: true });
        assert_eq!(at(1), DaySource::Analytics);
        // Partly covered: the legacy pair.
        assert_eq!(at(2), DaySource::Legacy { billed: true });
        assert_eq!(at(3), DaySource::Legacy { billed: false });
        assert_eq!(
            day_source(None, None, DAY0),
            DaySource::Legacy { billed: false }
        );
    }

    fn usage(tier: &str, id: i64) -> HourUsage {
        HourUsage {
            hour: DAY0,
            dim: Dim {
                id,
                plan_id: 1,
                api_key_id: Some("k".into()),
                workspace_id: None,
                model: "claude-sonnet-4-5-20250929".into(),
                service_tier: tier.into(),
                context_window: "0-200k".into(),
                actor_id: None,
            },
            tokens: TokenCounts {
                uncached_input: 1_000,
                ..TokenCounts::default()
            },
        }
    }

    #[test]
    fn rows_are_billed_whole_and_uncovered_usage_is_estimated() {
        let row = |user: Option<&str>, nanos| AnalyticsFactRow {
            hour: DAY0 + 3_600,
            api_key_id: Some("k".into()),
            workspace_id: None,
            model: "claude-sonnet-4-5-20250929".into(),
            service_tier: "standard".into(),
            context_window: "0-200k".into(),
            user_id: user.map(str::to_string),
            net: Money::from_nanos(nanos),
            list: Money::from_nanos(nanos * 2),
        };
        let rows = [row(None, 300), row(Some("user_1"), 501)];
        let usage = [usage("standard", 7), usage("priority", 8)];
        let out = analytics_day(
            Provider::Anthropic,
            DAY0,
            &usage,
            &rows,
            PriceTable::bundled(),
        );
        let billed: Vec<_> = out
            .facts
            .iter()
            .filter(|((_, _, b), _)| *b == Basis::Billed)
            .map(|((h, d, _), m)| (*h, d.clone(), m.nanos()))
            .collect();
        // The key's row lands on the usage's own dimension (7); the member's is created.
        let member = FactDim::New(
            Some("k".into()),
            None,
            "claude-sonnet-4-5-20250929".into(),
            "standard".into(),
            "0-200k".into(),
            Some("user_1".into()),
        );
        assert_eq!(
            billed,
            vec![
                (DAY0 + 3_600, FactDim::Known(7), 300),
                (DAY0 + 3_600, member, 501)
            ]
        );
        // The priority row (no analytics row covers it) is estimated on its own dimension;
        // the covered standard row is not.
        let estimated: Vec<_> = out
            .facts
            .iter()
            .filter(|((_, _, b), _)| *b == Basis::Estimated)
            .map(|((_, d, _), _)| d.clone())
            .collect();
        assert_eq!(estimated, vec![FactDim::Known(8)]);
    }
}

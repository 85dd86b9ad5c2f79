//! From atoms to the ordered rows of one query: bucketing, grouping, ranking.

use std::collections::HashMap;

use crate::analytics::atoms::{Metrics, Report, for_each_atom};
use crate::analytics::dims::{Dim, Dims, NULL};
use crate::analytics::filter::groups_of_actor;
use crate::analytics::params::{OrderBy, Params};
use crate::buckets::floor;
use crate::world::World;

/// One row: its time span, its group values (null where not grouped) and its sums.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// Start (epoch seconds): the bucket's start, or the range start without a width.
    pub start: i64,
    /// End: the bucket's end, or the range end.
    pub end: i64,
    /// Group values.
    pub key: Dims,
    /// Sums.
    pub metrics: Metrics,
}

fn metric(m: &Metrics, by: OrderBy) -> u64 {
    match by {
        OrderBy::Amount => m.net,
        OrderBy::ListAmount => m.list,
        OrderBy::TotalTokens => m.total_tokens(),
        OrderBy::OutputTokens => m.tokens[4],
        OrderBy::UncachedInputTokens => m.tokens[0],
        OrderBy::Requests => m.requests,
    }
}

/// Every row of the query over `[p.start, p.end)`, in page order: bucket start ascending,
/// then the `order_by` metric (descending unless `order=asc`), ties by group values.
/// Late events after `generation` and hours from `served_until` on are left out, so later
/// pages see exactly the data of the first.
pub fn rows(
    world: &World,
    org: usize,
    p: &Params,
    report: Report,
    (generation, served_until): (u32, i64),
) -> Vec<Row> {
    let state = &world.orgs[org];
    let by_group = p.grouping.has(Dim::RbacGroup);
    let mut sums: HashMap<(i64, Dims), Metrics> = HashMap::new();
    let until = p.end.min(served_until);
    for_each_atom(
        world,
        org,
        (p.start, until),
        report,
        generation,
        |at, dims, m| {
            if !p.filter.matches(&state.org, state.enterprise, dims) {
                return;
            }
            let bucket = p.width.map_or(p.start, |w| floor(at, w.secs()));
            let mut key = p.grouping.key(dims);
            if !by_group {
                sums.entry((bucket, key)).or_default().add(m);
                return;
            }
            // A person in two groups counts in both rows; someone in none, in the null row.
            let groups: Vec<u8> = if state.enterprise {
                groups_of_actor(&state.org, dims[Dim::Actor as usize])
                    .map(|g| g.collect())
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            if groups.is_empty() {
                key[Dim::RbacGroup as usize] = NULL;
                sums.entry((bucket, key)).or_default().add(m);
            }
            for g in groups {
                key[Dim::RbacGroup as usize] = g;
                sums.entry((bucket, key)).or_default().add(m);
            }
        },
    );
    let span = |bucket: i64| match p.width {
        None => (p.start, p.end),
        // A day bucket cut by the range is labelled with the part inside the range.
        Some(w) => (bucket.max(p.start), (bucket + w.secs()).min(p.end)),
    };
    let mut rows: Vec<Row> = sums
        .into_iter()
        .map(|((bucket, key), metrics)| {
            let (start, end) = span(bucket);
            Row {
                start,
                end,
                key,
                metrics,
            }
        })
        .collect();
    if rows.is_empty() && p.width.is_none() && p.grouping == Default::default() {
        // With no grouping and no width the one row is always there, zero or not.
        rows.push(Row {
            start: p.start,
            end: p.end,
            key: [NULL; crate::analytics::dims::N_DIMS],
            metrics: Metrics::default(),
        });
    }
    rows.sort_unstable_by(|a, b| {
        let (ma, mb) = (
            metric(&a.metrics, p.order_by),
            metric(&b.metrics, p.order_by),
        );
        let by_metric = if p.descending {
            mb.cmp(&ma)
        } else {
            ma.cmp(&mb)
        };
        a.start
            .cmp(&b.start)
            .then(by_metric)
            .then(a.key.cmp(&b.key))
    });
    rows
}

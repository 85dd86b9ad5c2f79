//! `GET /v1/organization/costs`: the same usage priced from the fake's price table, plus
//! the charges that have no usage event (vector storage, fine-tuning training).

use crate::aggregate::Filter;
use crate::buckets::DAY;
use crate::daily::{STORAGE_BILLED_AT_MINUTE, project_units, training};
use crate::errors::ApiResult;
use crate::json::Obj;
use crate::line_items::{Charge, Line};
use crate::money::{dollars, quantity};
use crate::pricing::{TRAINING_NANOS, VECTOR_UNIT_DAY_NANOS, event_charges};
use crate::query::{Query, invalid_value};
use crate::range::resolve;
use crate::usage::{COMMON_PARAMS, bucket, key_filter, page, project_filter};
use crate::world::World;

/// Marks a dimension that is not grouped by.
const NONE8: u8 = 0xFF;
const NONE32: u32 = u32::MAX;

/// A cost line's place: project and key (0 = none, i+1 = index i) and line item.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CostKey {
    /// 0 = no project, i+1 = `org.projects[i]`, `0xFF` = not grouped.
    pub project: u8,
    /// 0 = no key, i+1 = `org.api_keys[i]`, `0xFF` = not grouped.
    pub key: u8,
    /// Packed [`Line`], `u32::MAX` = not grouped.
    pub line: u32,
}

impl CostKey {
    fn pack(self) -> u64 {
        (self.project as u64) << 40 | (self.key as u64) << 32 | self.line as u64
    }

    fn unpack(v: u64) -> CostKey {
        CostKey {
            project: (v >> 40) as u8,
            key: (v >> 32) as u8,
            line: v as u32,
        }
    }
}

/// Quantity (thousandths of its unit) and amount (nanodollars) of one line.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Amount {
    /// Quantity in thousandths of the line's unit.
    pub milli: u64,
    /// Nanodollars.
    pub nanos: u64,
}

fn merge(mut lines: Vec<(u64, Amount)>) -> Vec<(CostKey, Amount)> {
    lines.sort_unstable_by_key(|l| l.0);
    let mut out: Vec<(u64, Amount)> = Vec::with_capacity(lines.len());
    for (key, a) in lines {
        match out.last_mut() {
            Some((k, sum)) if *k == key => {
                sum.milli += a.milli;
                sum.nanos += a.nanos;
            }
            _ => out.push((key, a)),
        }
    }
    out.into_iter()
        .map(|(k, a)| (CostKey::unpack(k), a))
        .collect()
}

/// Every cost line of `org` billed in `[start, end)` at full detail, merged and sorted.
/// Only minutes inside the history that have ended are billed.
pub fn cost_lines(world: &World, org: usize, start: i64, end: i64) -> Vec<(CostKey, Amount)> {
    let mut lines: Vec<(u64, Amount)> = Vec::new();
    world.for_each_event(org, start, end, |_, e| {
        event_charges(e, |line, milli, nanos| {
            let key = CostKey {
                project: e.project,
                key: e.key,
                line: line.pack(),
            };
            lines.push((key.pack(), Amount { milli, nanos }));
        });
    });
    let (lo, hi) = (
        start.max(world.history_start()),
        end.min(world.served_until()),
    );
    let meta = &world.orgs[org].org;
    let billed = |t: i64| lo <= t && t < hi;
    let mut day = lo.div_euclid(DAY);
    while day * DAY < hi {
        if billed(day * DAY + STORAGE_BILLED_AT_MINUTE * 60) {
            for (p, units) in project_units(world.seed, meta, day).into_iter().enumerate() {
                if units > 0 {
                    let key = CostKey {
                        project: p as u8 + 1,
                        key: 0,
                        line: Line::plain(Charge::VectorStorage).pack(),
                    };
                    // 16 MiB for 24 hours is 0.375 GiB-hours.
                    let amount = Amount {
                        milli: units * 375,
                        nanos: units * VECTOR_UNIT_DAY_NANOS,
                    };
                    lines.push((key.pack(), amount));
                }
            }
        }
        if let Some(job) = training(world.seed, meta, day)
            && billed(day * DAY + job.minute_of_day * 60)
        {
            let key = CostKey {
                project: job.project as u8 + 1,
                key: 0,
                line: Line::plain(Charge::FineTuning).pack(),
            };
            let amount = Amount {
                milli: job.tokens * 1000,
                nanos: job.tokens * TRAINING_NANOS,
            };
            lines.push((key.pack(), amount));
        }
        day += 1;
    }
    merge(lines)
}

const GROUP_BY: [&str; 3] = ["project_id", "line_item", "api_key_id"];

/// Serves one page of the costs endpoint for org `org`.
pub fn costs(world: &World, org: usize, query: &Query) -> ApiResult {
    let mut known = COMMON_PARAMS.to_vec();
    known.extend(["project_ids", "api_key_ids"]);
    query.only(&known)?;
    query.enum_value("bucket_width", &["1d"])?;
    let limit = query.limit(7, 1, 180)?;
    let groups = query.all("group_by");
    if let Some(bad) = groups.iter().find(|g| !GROUP_BY.contains(g)) {
        return Err(invalid_value("group_by", bad, &GROUP_BY));
    }
    let by = |g: &str| groups.contains(&g);
    let (by_project, by_line, by_key) = (by("project_id"), by("line_item"), by("api_key_id"));
    let meta = &world.orgs[org].org;
    let mut filter = Filter::default();
    project_filter(meta, query, &mut filter);
    key_filter(meta, query, &mut filter);
    let page_of = resolve(query, "costs", DAY, limit, world.now.timestamp())?;
    let buckets = page_of
        .buckets
        .iter()
        .map(|&(start, end)| {
            let kept = cost_lines(world, org, start, end)
                .into_iter()
                .filter(|(k, _)| filter.0[0] >> k.project & 1 == 1 && filter.0[2] >> k.key & 1 == 1)
                .map(|(k, a)| {
                    let k = CostKey {
                        project: if by_project { k.project } else { NONE8 },
                        key: if by_key { k.key } else { NONE8 },
                        line: if by_line { k.line } else { NONE32 },
                    };
                    (k.pack(), a)
                })
                .collect();
            let results = merge(kept)
                .into_iter()
                .map(|(k, a)| row(meta, k, a))
                .collect();
            bucket(start, end, results)
        })
        .collect();
    Ok(page(buckets, page_of))
}

fn row(org: &crate::data::Org, k: CostKey, a: Amount) -> String {
    let id =
        |v: u8, ids: &dyn Fn(usize) -> String| (v != NONE8 && v > 0).then(|| ids(v as usize - 1));
    let project = id(k.project, &|i| org.projects[i].id.clone());
    let key = id(k.key, &|i| org.api_keys[i].id.clone());
    let line = (k.line != NONE32).then(|| Line::unpack(k.line));
    let amount = Obj::new()
        .raw("value", &dollars(a.nanos))
        .str("currency", Some("usd"))
        .done();
    let o = Obj::new()
        .str("object", Some("organization.costs.result"))
        .raw("amount", &amount)
        .str("line_item", line.map(Line::name).as_deref())
        .str("project_id", project.as_deref())
        .str("api_key_id", key.as_deref());
    match line {
        Some(l) => o
            .raw("quantity", &quantity(a.milli))
            .str("quantity_unit", l.unit()),
        None => o.raw("quantity", "null").str("quantity_unit", None),
    }
    .done()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip() {
        let k = CostKey {
            project: 3,
            key: 0,
            line: Line::plain(Charge::WebSearch).pack(),
        };
        assert_eq!(CostKey::unpack(k.pack()), k);
        let none = CostKey {
            project: NONE8,
            key: NONE8,
            line: NONE32,
        };
        assert_eq!(CostKey::unpack(none.pack()), none);
    }
}

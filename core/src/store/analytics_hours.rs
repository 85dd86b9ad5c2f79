//! How the store keeps the Analytics API's billed cost rows: one record per plan and bucket
//! (an hour, as the stream syncs them) holding every row of that bucket in a compact binary
//! form, and the sums the reports need, computed from those records.
//!
//! A range of 90 days of three organisations is about 100 000 rows of 15 key columns; stored
//! one SQL row each, writing them held the database's write lock for longer than the legacy
//! usage and cost streams together. Stored a bucket per record, the same rows are a few
//! thousand small writes. Nothing is lost: every group value (null distinct from empty), the
//! actor, both amounts, the currency and the requests are kept exactly.
//!
//! The record (format 1), integers as LEB128 varints (amounts zigzag-encoded):
//!
//! ```text
//! 1                                       format
//! n, then n × (length, UTF-8 bytes)       the record's strings; index 0 is null
//! m, then m rows:
//!     11 string indexes                   api key, workspace, model, cost type, token type,
//!                                         service tier, context window, geography, product,
//!                                         speed, currency
//!     actor kind (0 user, 1 API key, 2 service account, 3 federated), then one string
//!     index (the id) or two (provider, subject)
//!     net, list (zigzag), requests + 1 (0: none)
//! ```

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};

use crate::error::{Error, Result};
use crate::model::{Actor, ActorKey, ActorType, AnalyticsCostRow, AnalyticsGroup, Money};
use crate::store::analytics::{AnalyticsFactRow, AnalyticsTotal, AnalyticsTotalsBy};
use crate::store::from_ts;
use crate::store::reconcile::TierTotal;

const FORMAT: u8 = 1;
const DAY: i64 = 86_400;

/// The group values of a row, in record order (see the module docs).
const N_VALUES: usize = 11;
const API_KEY: usize = 0;
const WORKSPACE: usize = 1;
const MODEL: usize = 2;
const COST_TYPE: usize = 3;
const TOKEN_TYPE: usize = 4;
const SERVICE_TIER: usize = 5;
const CONTEXT_WINDOW: usize = 6;
const INFERENCE_GEO: usize = 7;
const PRODUCT: usize = 8;
const SPEED: usize = 9;
const CURRENCY: usize = 10;

/// What identifies a row within its bucket, borrowed: its group values and its actor.
pub(crate) type RowIdentity<'a> = ([Option<&'a str>; N_VALUES - 1], Option<StoredActor<'a>>);

/// The identity of `row` within its bucket.
pub(crate) fn row_identity(row: &AnalyticsCostRow) -> RowIdentity<'_> {
    let [values @ .., _currency] = values(row);
    (values, row.group.actor.as_ref().map(StoredActor::from))
}

/// A row's group values and currency, in record order.
fn values(row: &AnalyticsCostRow) -> [Option<&str>; N_VALUES] {
    let g = &row.group;
    [
        g.api_key_id.as_deref(),
        g.workspace_id.as_deref(),
        g.model.as_deref(),
        g.cost_type.as_deref(),
        g.token_type.as_deref(),
        g.service_tier.as_deref(),
        g.context_window.as_deref(),
        g.inference_geo.as_deref(),
        g.product.as_deref(),
        g.speed.as_deref(),
        Some(&*row.currency),
    ]
}

/// The record of one bucket's rows (already one per group, in a stable order).
pub(crate) fn encode<'a>(rows: impl IntoIterator<Item = &'a AnalyticsCostRow>) -> Vec<u8> {
    let mut strings: foldhash::HashMap<&'a str, u64> = foldhash::HashMap::default();
    let mut table: Vec<&'a str> = Vec::new();
    let mut body = Vec::new();
    let mut count = 0u64;
    let mut index = |s: Option<&'a str>| -> u64 {
        match s {
            None => 0,
            Some(s) => *strings.entry(s).or_insert_with(|| {
                table.push(s);
                table.len() as u64
            }),
        }
    };
    // Rows in group order repeat most values of the row before: each column remembers its
    // last value, so most values skip the hash table.
    let mut last: [(Option<&'a str>, u64); N_VALUES + 2] = [(None, 0); N_VALUES + 2];
    let mut cached = |column: usize, s: Option<&'a str>| -> u64 {
        let slot = &mut last[column];
        if slot.0 != s {
            *slot = (s, index(s));
        }
        slot.1
    };
    for row in rows {
        count += 1;
        let g = &row.group;
        let values = values(row);
        for (column, v) in values.into_iter().enumerate() {
            put(&mut body, cached(column, v));
        }
        // The store refuses rows without an actor before they get here.
        let actor = g.actor.as_ref().map(StoredActor::from);
        let actor = actor.expect("analytics cost rows are stored grouped by actor");
        let (first, second) = (N_VALUES, N_VALUES + 1);
        body.push(actor.kind());
        match actor {
            StoredActor::User(id) | StoredActor::ApiKey(id) | StoredActor::ServiceAccount(id) => {
                put(&mut body, cached(first, Some(id)));
            }
            StoredActor::Federated(provider, subject) => {
                put(&mut body, cached(first, Some(provider)));
                put(&mut body, cached(second, Some(subject)));
            }
        }
        put(&mut body, zigzag(row.amount.nanos()));
        put(&mut body, zigzag(row.list_amount.nanos()));
        put(&mut body, row.requests.map_or(0, |r| zigzag(r) + 1));
    }
    let mut out = Vec::with_capacity(body.len() + 16 * table.len() + 8);
    out.push(FORMAT);
    put(&mut out, table.len() as u64);
    for s in &table {
        put(&mut out, s.len() as u64);
        out.extend_from_slice(s.as_bytes());
    }
    put(&mut out, count);
    out.extend_from_slice(&body);
    out
}

/// One stored row, borrowing its strings from the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoredCost<'a> {
    /// The group values in record order (`None`: null).
    pub values: [Option<&'a str>; N_VALUES],
    /// The actor.
    pub actor: StoredActor<'a>,
    /// Net amount, nanodollars.
    pub net: i64,
    /// List amount, nanodollars.
    pub list: i64,
    /// Requests, when the row states them.
    pub requests: Option<i64>,
}

impl StoredCost<'_> {
    /// The row as the source gave it, but for an actor's metadata (kept with the actors).
    pub(crate) fn to_cost_row(
        &self,
        starting_at: DateTime<Utc>,
        ending_at: DateTime<Utc>,
    ) -> AnalyticsCostRow {
        let v = |i: usize| self.values[i].map(Arc::<str>::from);
        AnalyticsCostRow {
            starting_at,
            ending_at,
            group: AnalyticsGroup {
                api_key_id: v(API_KEY),
                workspace_id: v(WORKSPACE),
                model: v(MODEL),
                actor: Some(self.actor.to_actor()),
                actor_type: None,
                cost_type: v(COST_TYPE),
                token_type: v(TOKEN_TYPE),
                service_tier: v(SERVICE_TIER),
                context_window: v(CONTEXT_WINDOW),
                inference_geo: v(INFERENCE_GEO),
                product: v(PRODUCT),
                speed: v(SPEED),
            },
            amount: Money::from_nanos(self.net),
            list_amount: Money::from_nanos(self.list),
            currency: v(CURRENCY).unwrap_or_else(|| "".into()),
            requests: self.requests,
        }
    }
}

/// A row's actor, borrowed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum StoredActor<'a> {
    User(&'a str),
    ApiKey(&'a str),
    ServiceAccount(&'a str),
    Federated(&'a str, &'a str),
}

impl<'a> From<&'a Actor> for StoredActor<'a> {
    fn from(actor: &'a Actor) -> Self {
        match actor {
            Actor::User { user_id, .. } => StoredActor::User(user_id),
            Actor::ApiKey { api_key_id } => StoredActor::ApiKey(api_key_id),
            Actor::ServiceAccount { service_account_id } => {
                StoredActor::ServiceAccount(service_account_id)
            }
            Actor::Federated { provider, subject } => StoredActor::Federated(provider, subject),
        }
    }
}

impl<'a> StoredActor<'a> {
    /// Its kind in a record (see the module docs).
    fn kind(self) -> u8 {
        match self {
            StoredActor::User(_) => 0,
            StoredActor::ApiKey(_) => 1,
            StoredActor::ServiceAccount(_) => 2,
            StoredActor::Federated(..) => 3,
        }
    }

    pub(crate) fn type_name(self) -> &'static str {
        match self {
            StoredActor::User(_) => ActorType::User.as_str(),
            StoredActor::ApiKey(_) => ActorType::ApiKey.as_str(),
            StoredActor::ServiceAccount(_) => ActorType::ServiceAccount.as_str(),
            StoredActor::Federated(..) => ActorType::Federated.as_str(),
        }
    }

    /// The id as the actors table keys it: a federated identity's is
    /// `<length of provider>:<provider><subject>`, so that no two pairs collide.
    pub(crate) fn column_id(self) -> Cow<'a, str> {
        match self {
            StoredActor::User(id) | StoredActor::ApiKey(id) | StoredActor::ServiceAccount(id) => {
                Cow::Borrowed(id)
            }
            StoredActor::Federated(provider, subject) => {
                Cow::Owned(format!("{}:{provider}{subject}", provider.len()))
            }
        }
    }

    fn to_actor(self) -> Actor {
        match self {
            StoredActor::User(id) => Actor::User {
                user_id: id.into(),
                email_address: None,
                name: None,
                deleted: false,
            },
            StoredActor::ApiKey(id) => Actor::ApiKey {
                api_key_id: id.into(),
            },
            StoredActor::ServiceAccount(id) => Actor::ServiceAccount {
                service_account_id: id.into(),
            },
            StoredActor::Federated(provider, subject) => Actor::Federated {
                provider: provider.into(),
                subject: subject.into(),
            },
        }
    }

    fn key(self) -> ActorKey {
        match self {
            StoredActor::User(id) => ActorKey::User(id.into()),
            StoredActor::ApiKey(id) => ActorKey::ApiKey(id.into()),
            StoredActor::ServiceAccount(id) => ActorKey::ServiceAccount(id.into()),
            StoredActor::Federated(provider, subject) => ActorKey::Federated {
                provider: provider.into(),
                subject: subject.into(),
            },
        }
    }
}

/// Reads a record back into its rows.
pub(crate) fn decode(record: &[u8]) -> Result<Vec<StoredCost<'_>>> {
    let bad = |what: &str| Error::Storage {
        message: format!("a stored analytics record is corrupt ({what})"),
        source: None,
    };
    let mut r = Reader { rest: record };
    if r.byte().ok_or_else(|| bad("empty"))? != FORMAT {
        return Err(bad("unknown format"));
    }
    let n = r.varint().ok_or_else(|| bad("string count"))?;
    let mut table: Vec<&str> = Vec::with_capacity(n.min(4096) as usize);
    for _ in 0..n {
        let len = r.varint().ok_or_else(|| bad("string length"))? as usize;
        let bytes = r.take(len).ok_or_else(|| bad("string"))?;
        table.push(std::str::from_utf8(bytes).map_err(|_| bad("string not UTF-8"))?);
    }
    let string = |i: u64| -> Result<Option<&str>> {
        match i {
            0 => Ok(None),
            i => table
                .get(i as usize - 1)
                .copied()
                .map(Some)
                .ok_or_else(|| bad("string index")),
        }
    };
    let m = r.varint().ok_or_else(|| bad("row count"))?;
    let mut rows = Vec::with_capacity(m.min(1 << 16) as usize);
    for _ in 0..m {
        let mut values = [None; N_VALUES];
        for v in &mut values {
            *v = string(r.varint().ok_or_else(|| bad("group value"))?)?;
        }
        let kind = r.byte().ok_or_else(|| bad("actor kind"))?;
        let mut id = || -> Result<&str> {
            string(r.varint().ok_or_else(|| bad("actor"))?)?.ok_or_else(|| bad("null actor id"))
        };
        let actor = match kind {
            0 => StoredActor::User(id()?),
            1 => StoredActor::ApiKey(id()?),
            2 => StoredActor::ServiceAccount(id()?),
            3 => {
                let provider = id()?;
                StoredActor::Federated(provider, id()?)
            }
            _ => return Err(bad("actor kind")),
        };
        let net = unzigzag(r.varint().ok_or_else(|| bad("amount"))?);
        let list = unzigzag(r.varint().ok_or_else(|| bad("list amount"))?);
        let requests = match r.varint().ok_or_else(|| bad("requests"))? {
            0 => None,
            v => Some(unzigzag(v - 1)),
        };
        rows.push(StoredCost {
            values,
            actor,
            net,
            list,
            requests,
        });
    }
    if !r.rest.is_empty() {
        return Err(bad("trailing bytes"));
    }
    Ok(rows)
}

/// Sums per day of [`AnalyticsTotalsBy`] over stored records `(bucket start, record)`.
pub(crate) fn totals(
    records: &[(i64, Vec<u8>)],
    by: AnalyticsTotalsBy,
) -> Result<Vec<AnalyticsTotal>> {
    /// The sort key of a group, as the SQL store ordered them: the day, the stored text of
    /// the id (null as empty; a federated actor as `<length of provider>:<provider><subject>`),
    /// then the actor type.
    type GroupKey<'a> = (i64, Cow<'a, str>, &'static str);
    #[derive(Default)]
    struct Sum {
        net: i64,
        list: i64,
        requests: i64,
        without_requests: bool,
    }
    let mut sums: BTreeMap<GroupKey<'_>, (Option<&str>, Option<StoredActor<'_>>, Sum)> =
        BTreeMap::new();
    for (start, record) in records {
        let day = start.div_euclid(DAY);
        for row in decode(record)? {
            let (id, actor) = match by {
                AnalyticsTotalsBy::Day => (None, None),
                AnalyticsTotalsBy::ApiKey => (row.values[API_KEY], None),
                AnalyticsTotalsBy::Workspace => (row.values[WORKSPACE], None),
                AnalyticsTotalsBy::Actor => (None, Some(row.actor)),
            };
            let key = match actor {
                Some(a) => (day, a.column_id(), a.type_name()),
                None => (day, Cow::Borrowed(id.unwrap_or("")), ""),
            };
            let (_, _, sum) = sums
                .entry(key)
                .or_insert_with(|| (id, actor, Sum::default()));
            sum.net += row.net;
            sum.list += row.list;
            match row.requests {
                Some(r) => sum.requests += r,
                None => sum.without_requests = true,
            }
        }
    }
    sums.into_iter()
        .map(|((day, _, _), (id, actor, sum))| {
            Ok(AnalyticsTotal {
                day: day_of(day)?,
                id: id.filter(|s| !s.is_empty()).map(str::to_string),
                actor: actor.map(StoredActor::key),
                net: Money::from_nanos(sum.net),
                list: Money::from_nanos(sum.list),
                requests: (!sum.without_requests).then_some(sum.requests),
            })
        })
        .collect()
}

/// The hourly rows of stored hour records, summed per [`AnalyticsFactRow`] group, ordered by
/// hour and group.
pub(crate) fn fact_rows(records: &[(i64, Vec<u8>)]) -> Result<Vec<AnalyticsFactRow>> {
    type FactKey<'a> = (i64, [&'a str; 5], &'a str);
    let mut sums: BTreeMap<FactKey<'_>, (i64, i64)> = BTreeMap::new();
    for (start, record) in records {
        for row in decode(record)? {
            let v = |i: usize| row.values[i].unwrap_or("");
            let user = match row.actor {
                StoredActor::User(id) => id,
                _ => "",
            };
            let key = (
                *start,
                [
                    v(API_KEY),
                    v(WORKSPACE),
                    v(MODEL),
                    v(SERVICE_TIER),
                    v(CONTEXT_WINDOW),
                ],
                user,
            );
            let sum = sums.entry(key).or_default();
            sum.0 += row.net;
            sum.1 += row.list;
        }
    }
    let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
    Ok(sums
        .into_iter()
        .map(
            |((hour, [key, workspace, model, tier, window], user), (net, list))| AnalyticsFactRow {
                hour,
                api_key_id: some(key),
                workspace_id: some(workspace),
                model: model.to_string(),
                service_tier: tier.to_string(),
                context_window: window.to_string(),
                user_id: some(user),
                net: Money::from_nanos(net),
                list: Money::from_nanos(list),
            },
        )
        .collect())
}

/// Net and list amounts of the rows of service tier `tier`, per day (days without such rows
/// left out).
pub(crate) fn tier_totals(records: &[(i64, Vec<u8>)], tier: &str) -> Result<Vec<TierTotal>> {
    let mut sums: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (start, record) in records {
        for row in decode(record)? {
            if row.values[SERVICE_TIER].unwrap_or("") == tier {
                let sum = sums.entry(start.div_euclid(DAY)).or_default();
                sum.0 += row.net;
                sum.1 += row.list;
            }
        }
    }
    sums.into_iter()
        .map(|(day, (net, list))| {
            Ok(TierTotal {
                day: day_of(day)?,
                net: Money::from_nanos(net),
                list: Money::from_nanos(list),
            })
        })
        .collect()
}

fn day_of(day_number: i64) -> Result<NaiveDate> {
    Ok(from_ts(day_number * DAY)?.date_naive())
}

fn put(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

struct Reader<'a> {
    rest: &'a [u8],
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Option<u8> {
        let (&b, rest) = self.rest.split_first()?;
        self.rest = rest;
        Some(b)
    }

    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        if n > self.rest.len() {
            return None;
        }
        let (head, rest) = self.rest.split_at(n);
        self.rest = rest;
        Some(head)
    }

    fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.byte()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }
}

#[cfg(test)]
#[path = "analytics_hours_tests.rs"]
mod tests;

//! [`FactStore`]: the derived cost facts (hourly, per dimension and basis), the days whose
//! facts are stale, the rollups reports read, and the sums and series they serve.

use std::fmt;

use async_trait::async_trait;

use crate::error::Result;
use crate::model::{Basis, CostRow, TokenCounts};

/// A combination of usage dimensions of a plan, as stored.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Dim {
    /// Its id.
    pub id: i64,
    /// Its plan.
    pub plan_id: i64,
    /// The API key; `None` for Console usage and for unallocated cost.
    pub api_key_id: Option<String>,
    /// The workspace; `None` for the Default workspace.
    pub workspace_id: Option<String>,
    /// The model (`""` for cost that has none, such as code execution).
    pub model: String,
    /// The service tier.
    pub service_tier: String,
    /// The context window.
    pub context_window: String,
    /// The org member who made the requests (OpenAI's `user_id`), when the provider says.
    pub actor_id: Option<String>,
}

/// One hour's usage of one dimension combination, read for allocation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HourUsage {
    /// Start of the hour (Unix seconds).
    pub hour: i64,
    /// The dimensions.
    pub dim: Dim,
    /// The tokens.
    pub tokens: TokenCounts,
}

/// An amount of one hour, dimension combination and basis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fact {
    /// Start of the hour (Unix seconds).
    pub hour: i64,
    /// The dimension combination.
    pub dim_id: i64,
    /// Allocated, unallocated or estimated.
    pub basis: Basis,
    /// The amount.
    pub amount: crate::model::Money,
}

/// Usage the price table has no price for, kept per hour and dimension so reports can name
/// it for exactly their period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unpriced {
    /// Start of the hour (Unix seconds).
    pub hour: i64,
    /// The usage dimension (key, workspace, model, tier, window).
    pub dim_id: i64,
    /// Its tokens of every kind, summed.
    pub tokens: i64,
}

/// Everything allocation computed for one UTC day of a plan, written in one transaction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DayFacts {
    /// Start of the day (Unix seconds).
    pub day: i64,
    /// Hourly facts.
    pub facts: Vec<Fact>,
    /// Facts summed per dimension and basis.
    pub daily: Vec<(i64, Basis, crate::model::Money)>,
    /// Facts summed per hour, workspace (`""` for Default) and basis.
    pub hourly_ws: Vec<(i64, String, Basis, crate::model::Money)>,
    /// Facts summed per workspace (`""` for Default) and basis.
    pub daily_ws: Vec<(String, Basis, crate::model::Money)>,
    /// Usage summed per dimension.
    pub usage: Vec<(i64, TokenCounts)>,
    /// Usage without a price.
    pub unpriced: Vec<Unpriced>,
}

/// A day whose derived facts are out of date.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct StaleDay {
    /// The plan.
    pub plan_id: i64,
    /// The day's first instant (Unix seconds, UTC midnight).
    pub day: i64,
    /// The generation of its mark: deriving the day clears the mark only if it is unchanged.
    pub generation: i64,
}

/// A month's cost and usage rollups, as stored and as summed from the stored daily rollups.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MonthRollups {
    /// Stored monthly cost per (dimension, basis).
    pub cost: Vec<(i64, Basis, crate::model::Money)>,
    /// The daily cost rollups of the month summed per (dimension, basis).
    pub cost_from_days: Vec<(i64, Basis, crate::model::Money)>,
    /// Stored monthly usage per dimension.
    pub usage: Vec<(i64, TokenCounts)>,
    /// The daily usage rollups of the month summed per dimension.
    pub usage_from_days: Vec<(i64, TokenCounts)>,
}

/// Which rollup a piece of a report's time range is read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Grain {
    /// UTC calendar months (a month is the Unix second of its first instant).
    Month,
    /// UTC days.
    Day,
    /// Hours (the facts themselves, and the hourly usage).
    Hour,
}

/// Buckets `[from, to)` of one rollup, added to a sum or subtracted from it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    /// The rollup.
    pub grain: Grain,
    /// First bucket start (Unix seconds).
    pub from: i64,
    /// End (exclusive).
    pub to: i64,
    /// Subtracted rather than added.
    pub minus: bool,
}

/// Which rows of the rollups a sum reads, and how it groups them in time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SumOver<'a> {
    /// The buckets of one rollup in `[from, to)` (Unix seconds), summed together.
    Total(Grain, i64, i64),
    /// The buckets of one rollup in `[from, to)`, each summed on its own.
    Each(Grain, i64, i64),
    /// Hours summed per bucket `[bounds[i], bounds[i + 1])` (increasing, hour-aligned
    /// instants): a period's local days, cut where keys change hands, in one query.
    Buckets(&'a [i64]),
    /// Pieces of the rollups, added or subtracted, summed together in one query; a sum that
    /// comes to zero is left out.
    Pieces(&'a [Piece]),
    /// The hours of these ranges `[from, to)` (increasing, disjoint, hour-aligned), each hour
    /// summed on its own: the hours a period's local days add to or take from their UTC days.
    Hours(&'a [(i64, i64)]),
}

impl SumOver<'_> {
    /// Whether the span holds no bucket (its sums are empty).
    pub fn is_empty(&self) -> bool {
        match self {
            SumOver::Total(_, from, to) | SumOver::Each(_, from, to) => from >= to,
            SumOver::Buckets(bounds) => bounds.len() < 2,
            SumOver::Pieces(pieces) => pieces.is_empty(),
            SumOver::Hours(ranges) => ranges.iter().all(|(from, to)| from >= to),
        }
    }
}

/// What a cost series sums.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SeriesOf<'a> {
    /// The facts (and their daily rollup), only these dimensions when given.
    Dims(Option<&'a [i64]>),
    /// The per-workspace rollups (any time zone without scanning every fact), only one
    /// workspace (`""` for Default) when given. Hours and days, not months.
    Workspace(Option<&'a str>),
}

/// A sum of facts, grouped by plan, dimension, basis and (when asked) time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FactSum {
    /// The plan.
    pub plan_id: i64,
    /// Start of the day or hour, when grouped by time.
    pub at: Option<i64>,
    /// The dimension combination.
    pub dim_id: i64,
    /// The basis.
    pub basis: Basis,
    /// The sum.
    pub amount: crate::model::Money,
}

/// Allocated cost facts and the rollups reports read.
#[async_trait]
pub trait FactStore: Send + Sync + fmt::Debug {
    /// The hourly usage and the billed cost rows of one UTC day of a plan.
    async fn day_inputs(&self, plan_id: i64, day: i64) -> Result<(Vec<HourUsage>, Vec<CostRow>)> {
        let usage = self.day_usage(plan_id, day).await?;
        let costs = self.day_costs(plan_id, day).await?;
        Ok((usage, costs))
    }

    /// The hourly usage of one UTC day of a plan (its daily bucket when it was synced daily).
    async fn day_usage(&self, plan_id: i64, day: i64) -> Result<Vec<HourUsage>>;

    /// The billed cost rows of one UTC day of a plan.
    async fn day_costs(&self, plan_id: i64, day: i64) -> Result<Vec<CostRow>>;

    /// Ids of dimension combinations, creating the missing ones (allocation files unmatched
    /// cost under a dimension without a key).
    async fn ensure_dims(&self, plan_id: i64, dims: &[Dim]) -> Result<Vec<i64>>;

    /// Replace one day's facts, rollups and unpriced usage, in one transaction (the rollups
    /// of the day's workspaces and of its month are recomputed with it), and delete the day's
    /// stale mark, but only if the mark still has `generation`: otherwise (the mark is gone,
    /// or a later write renewed it) nothing is written and the result is false.
    async fn replace_day_facts(
        &self,
        plan_id: i64,
        day: &DayFacts,
        generation: i64,
    ) -> Result<bool> {
        Ok(self
            .replace_days_facts(plan_id, &[(day, generation)])
            .await?[0])
    }

    /// [`FactStore::replace_day_facts`] for several days of one plan in one transaction:
    /// each day is written only if its mark still has its generation (the result says which
    /// were), and each month they touch has its rollups summed again once.
    async fn replace_days_facts(
        &self,
        plan_id: i64,
        days: &[(&DayFacts, i64)],
    ) -> Result<Vec<bool>>;

    /// Stale days of these plans (days whose derived facts are out of date), only those in
    /// `[from, to)` when a range is given and after the (plan, day) `after` when given, in
    /// (plan, day) order, at most `limit`. One indexed query: cheap when nothing is stale.
    async fn stale_days(
        &self,
        plan_ids: &[i64],
        range: Option<(i64, i64)>,
        after: Option<(i64, i64)>,
        limit: i64,
    ) -> Result<Vec<StaleDay>>;

    /// Mark the UTC days overlapping `[from, to)` of a plan stale, in one transaction.
    async fn mark_stale(&self, plan_id: i64, from: i64, to: i64) -> Result<()>;

    /// The derived rows stored for one UTC day of a plan, in the shape allocation computes
    /// them (for `verify`).
    async fn stored_day_facts(&self, plan_id: i64, day: i64) -> Result<DayFacts>;

    /// The UTC days `[first, last + 1)` holding any of a plan's raw usage or cost, or derived
    /// rows; `None` when there is none.
    async fn fact_extent(&self, plan_id: i64) -> Result<Option<(i64, i64)>>;

    /// The monthly rollups of a plan's month (its first instant) as stored, and as the sum
    /// of its stored daily rollups, for `verify`.
    async fn month_rollups(&self, plan_id: i64, month: i64) -> Result<MonthRollups>;

    /// The dimension combinations of these plans.
    async fn dims(&self, plan_ids: &[i64]) -> Result<Vec<Dim>>;

    /// `(plan, workspace id, name)` of every workspace of these plans, for report lines.
    async fn workspace_names(&self, plan_ids: &[i64]) -> Result<Vec<(i64, String, String)>>;

    /// The dimension combinations of these (plan, API key) pairs.
    async fn dims_of_keys(&self, keys: &[(i64, String)]) -> Result<Vec<Dim>>;

    /// The dimension combinations naming these (plan, actor) pairs, with or without a key:
    /// usage an org member made without an API key (OpenAI's Playground), and the cost of a
    /// person the Analytics API bills (`reports::analytics_facts`).
    async fn dims_of_actors(&self, actors: &[(i64, String)]) -> Result<Vec<Dim>>;

    /// Cost summed over `span` by plan, dimension and basis (and by bucket, with `at` its
    /// start, for [`SumOver::Each`] and [`SumOver::Buckets`]); only `dim_ids` when given.
    async fn sum_costs(
        &self,
        plan_ids: &[i64],
        span: SumOver<'_>,
        dim_ids: Option<&[i64]>,
    ) -> Result<Vec<FactSum>>;

    /// A time series: cost summed per bucket of `span` ([`SumOver::Each`] or
    /// [`SumOver::Buckets`]) and basis, in time order, `at` being the bucket's start.
    async fn cost_series(
        &self,
        plan_ids: &[i64],
        span: SumOver<'_>,
        of: SeriesOf<'_>,
    ) -> Result<Vec<(i64, Basis, crate::model::Money)>>;

    /// Usage summed over `span` ([`SumOver::Total`] or [`SumOver::Pieces`]; hours are the hourly
    /// usage) by plan and dimension: `(plan, dimension, tokens)`.
    async fn sum_usage(
        &self,
        plan_ids: &[i64],
        span: SumOver<'_>,
    ) -> Result<Vec<(i64, i64, TokenCounts)>>;

    /// Unpriced usage of these plans over hours in `[from, to)`, summed per plan and
    /// dimension: `(plan, dimension, tokens)`; only `dim_ids` when given.
    async fn unpriced(
        &self,
        plan_ids: &[i64],
        from: i64,
        to: i64,
        dim_ids: Option<&[i64]>,
    ) -> Result<Vec<(i64, i64, i64)>>;
}

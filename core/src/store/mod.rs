//! Storage: the [`PlanStore`] and [`UsageStore`] traits, and their SQLite and Postgres
//! implementations.
//!
//! Both backends run the same SQL: instants are Unix seconds, money is integer nanodollars,
//! placeholders are `$n`. The shared queries live in `sql/*.rs` and are compiled once per
//! backend against its own concrete sqlx types (`include!` into each backend module), which
//! keeps native sqlx speed without generic trait bounds on every function. Only what truly
//! differs (opening, write transactions, bulk inserts) is written per backend.

pub mod analytics;
mod analytics_hours;
pub mod budgets;
pub mod facts;
pub mod logs;
mod migrations;
mod postgres;
pub mod reconcile;
pub mod spend_limits;
mod sqlite;
pub mod subjects;
pub mod sync;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, TimeZone, Utc};

pub use analytics::{AnalyticsFactRow, AnalyticsStore, AnalyticsTotal, AnalyticsTotalsBy};
pub use budgets::BudgetStore;
pub use facts::{
    DayFacts, Dim, Fact, FactStore, FactSum, Grain, HourUsage, MonthRollups, Piece, SeriesOf,
    StaleDay, SumOver, Unpriced,
};
pub use logs::LogStore;
pub use postgres::PostgresStore;
pub use reconcile::{ReconcileStore, TierTotal};
pub use spend_limits::SpendLimitStore;
pub use sqlite::SqliteStore;
pub use subjects::SubjectStore;
pub use sync::{LeaseInfo, PlanSyncUpdate, SyncStore};

use crate::crypto::Sealed;
use crate::error::{Error, Result};
use crate::model::{
    BucketWidth, ClaudeCodePage, ClaudeCodeRecord, CostPage, CostRow, CredentialReach, OrgMetadata,
    Plan, PlanSettings, PlanUpdate, Provider, Subscription, UsagePage, UsageRow,
};

/// Which database a store talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, embedded.
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        })
    }
}

/// How to open a store.
#[derive(Clone, Debug)]
pub struct StoreOptions {
    /// Largest connection pool (SQLite in memory always uses one connection).
    pub max_connections: u32,
    /// Apply pending migrations on open (default true).
    pub run_migrations: bool,
    /// Postgres only: the schema the tables live in, created if missing (default: the
    /// connection's `search_path`).
    pub postgres_schema: Option<String>,
    /// How long to wait for a connection or a database lock.
    pub busy_timeout: Duration,
    /// Postgres only: how long opening waits for the server to accept a first connection
    /// (default 5 s); a refused connection fails at once, naming the cause.
    pub connect_timeout: Duration,
}

impl Default for StoreOptions {
    fn default() -> Self {
        StoreOptions {
            max_connections: 8,
            run_migrations: true,
            postgres_schema: None,
            busy_timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// A store of everything costledger keeps: plans, usage, sync bookkeeping, subjects and
/// cost facts.
pub trait Store:
    PlanStore
    + UsageStore
    + SyncStore
    + SubjectStore
    + FactStore
    + LogStore
    + BudgetStore
    + AnalyticsStore
    + SpendLimitStore
    + ReconcileStore
{
}
impl<T> Store for T where
    T: PlanStore
        + UsageStore
        + SyncStore
        + SubjectStore
        + FactStore
        + LogStore
        + BudgetStore
        + AnalyticsStore
        + SpendLimitStore
        + ReconcileStore
{
}

/// Open the store a database URL names: `sqlite://path` (the file is created when missing),
/// `sqlite::memory:`, or `postgres://…`.
pub async fn open_store(url: &str, options: &StoreOptions) -> Result<Arc<dyn Store>> {
    let trimmed = url.trim();
    if trimmed.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::open(trimmed, options).await?))
    } else if trimmed.starts_with("postgres://") || trimmed.starts_with("postgresql://") {
        Ok(Arc::new(PostgresStore::open(trimmed, options).await?))
    } else {
        Err(Error::invalid(format!(
            "database URL must start with sqlite:// (a file), sqlite::memory: or postgres://, \
             got {:?}",
            redact_url(trimmed)
        )))
    }
}

/// A database URL with any password replaced by `***`, for messages, logs and reprs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

/// A new plan row, validated by the ledger.
#[derive(Clone, Debug)]
pub struct NewPlanRecord {
    /// Provider.
    pub provider: Provider,
    /// Trimmed, validated label.
    pub label: String,
    /// The credential's hint.
    pub key_hint: Option<String>,
    /// Organisation id the credential answered for.
    pub org_id: Option<String>,
    /// Organisation name.
    pub org_name: Option<String>,
    /// Settings.
    pub settings: PlanSettings,
    /// Validated subscription.
    pub subscription: Option<Subscription>,
    /// Creation time.
    pub now: DateTime<Utc>,
    /// What the credential reaches, when checked.
    pub reach: Option<CredentialReach>,
}

/// A sealed credential as stored.
#[derive(Clone, Debug)]
pub struct StoredCredential {
    /// Its plan.
    pub plan_id: i64,
    /// Its kind (`admin_key`).
    pub kind: String,
    /// The sealed value.
    pub sealed: Sealed,
}

/// Seals a new plan's credential once its id is known, inside the transaction that creates
/// the plan (the id is part of the associated data).
#[async_trait]
pub trait CredentialSealer: Send + Sync {
    /// Seal for the plan with this id; returns the credential kind and the sealed value.
    async fn seal(&self, plan_id: i64) -> Result<(String, Sealed)>;
}

/// Decides, with the stored credential locked, what replaces it (an OAuth refresh).
#[async_trait]
pub trait CredentialUpdater: Send + Sync {
    /// Given the stored credential, the sealed value to store in its place, or `None` to
    /// leave it as it is. An error rolls the transaction back.
    async fn update(&self, stored: &StoredCredential) -> Result<Option<Sealed>>;
}

/// Re-seals a stored credential during a master-key rotation.
#[async_trait]
pub trait CredentialResealer: Send + Sync {
    /// Open `credential` and seal it again.
    async fn reseal(&self, credential: &StoredCredential) -> Result<Sealed>;
}

/// Plans, their sealed credentials, and their sync bookkeeping.
#[async_trait]
pub trait PlanStore: Send + Sync + fmt::Debug {
    /// Which database this is.
    fn backend(&self) -> Backend;

    /// Close the connection pool; every later call fails with [`Error::Closed`].
    async fn close(&self);

    /// Create a plan and, when `sealer` is given, its sealed credential, in one transaction.
    /// A label or organisation already live is [`Error::Conflict`].
    async fn insert_plan(
        &self,
        plan: &NewPlanRecord,
        sealer: Option<&dyn CredentialSealer>,
    ) -> Result<Plan>;

    /// One plan, or [`Error::PlanNotFound`].
    async fn get_plan(&self, id: i64) -> Result<Plan>;

    /// Plans in id order; disconnected ones only when asked for.
    async fn list_plans(&self, include_disconnected: bool) -> Result<Vec<Plan>>;

    /// How many plans exist in any status.
    async fn count_plans(&self) -> Result<i64>;

    /// Apply a validated update.
    async fn update_plan(&self, id: i64, update: &PlanUpdate, now: DateTime<Utc>) -> Result<Plan>;

    /// Mark a plan disconnected and destroy its credential; with `purge`, also delete its
    /// synced data.
    async fn disconnect_plan(&self, id: i64, purge: bool, now: DateTime<Utc>) -> Result<Plan>;

    /// The sealed credential of a plan, if it has one.
    async fn get_credential(&self, plan_id: i64) -> Result<Option<StoredCredential>>;

    /// Replace a plan's sealed credential through `updater` in one transaction that holds the
    /// credential's row lock from the read to the write, so two processes updating the same
    /// credential at once run one after the other and the second sees what the first
    /// stored. Returns whether it was replaced; `PLAN_NOT_FOUND` when the plan has no
    /// credential (disconnected).
    async fn update_credential(
        &self,
        plan_id: i64,
        updater: &dyn CredentialUpdater,
        now: DateTime<Utc>,
    ) -> Result<bool>;

    /// Replace a plan's credential and hint, and mark the plan active again.
    async fn replace_credential(
        &self,
        plan_id: i64,
        kind: &str,
        key_hint: &str,
        sealed: &Sealed,
        now: DateTime<Utc>,
    ) -> Result<Plan>;

    /// Record what the plan's credential reaches (`None`: not known; the next sync checks).
    async fn set_plan_reach(&self, plan_id: i64, reach: Option<&CredentialReach>) -> Result<()>;

    /// Re-seal every stored credential in one transaction (their `updated_at` becomes
    /// `now`), and make `check` (a key-check value of the new key) the current master-key
    /// version in the same transaction, the versions before it retired; returns how many
    /// credentials were re-sealed.
    async fn reseal_credentials(
        &self,
        resealer: &dyn CredentialResealer,
        check: &Sealed,
        now: DateTime<Utc>,
    ) -> Result<u64>;

    /// Every stored credential, in plan order.
    async fn credentials(&self) -> Result<Vec<StoredCredential>>;

    /// The recorded key-check values, one per master-key version, the current one first.
    async fn key_checks(&self) -> Result<Vec<KeyCheck>>;

    /// Record `check` as the current master-key version unless one is already recorded (then
    /// nothing changes: read [`PlanStore::key_checks`] to see which one won).
    async fn record_key_check(&self, check: &Sealed, now: DateTime<Utc>) -> Result<()>;

    /// The most recent disconnected plan of this provider organisation whose synced data was
    /// kept, if any: adding the organisation again reconnects it.
    async fn reconnectable_plan(&self, provider: Provider, org_id: &str) -> Result<Option<i64>>;

    /// Reconnect a disconnected plan (data kept) with a new label, credential and
    /// organisation name, in one transaction: it becomes active again and keeps its id, its
    /// history and its watermarks. [`Error::Conflict`] when it was reconnected meanwhile or
    /// the label is in use.
    async fn reconnect_plan(
        &self,
        id: i64,
        plan: &NewPlanRecord,
        sealer: Option<&dyn CredentialSealer>,
    ) -> Result<Plan>;
}

/// A master-key version's key-check value: a constant sealed under that key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyCheck {
    /// The sealed constant; its `key_id` names the version.
    pub sealed: Sealed,
    /// True for the version every credential is sealed with now.
    pub current: bool,
    /// When it was recorded.
    pub created_at: DateTime<Utc>,
    /// When a rotation replaced it.
    pub retired_at: Option<DateTime<Utc>>,
}

/// Moving a stream's watermark forward as part of a page write.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WatermarkAdvance {
    /// The stream (`usage:1h`, `cost`, …).
    pub stream: String,
    /// The end of the last complete bucket written; the stored watermark never moves back.
    pub watermark: DateTime<Utc>,
    /// The first instant this stream was ever synced from (kept from the first write).
    pub first_start: DateTime<Utc>,
    /// When the write happens, by the ledger's clock (the stream state's `updated_at`).
    pub at: DateTime<Utc>,
}

/// A stream's stored watermark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Watermark {
    /// The end of the last complete bucket committed.
    pub watermark: DateTime<Utc>,
    /// The first instant the stream was synced from.
    pub first_start: DateTime<Utc>,
}

/// Synced usage, cost and metadata.
#[async_trait]
pub trait UsageStore: Send + Sync + fmt::Debug {
    /// Replace every usage bucket of `page`'s range with its rows, and advance the watermark,
    /// in one transaction. Returns the rows written.
    async fn replace_usage_page(
        &self,
        plan_id: i64,
        page: &UsagePage,
        advance: Option<&WatermarkAdvance>,
    ) -> Result<u64>;

    /// Replace every cost row of `page`'s days with its rows, and advance the watermark, in
    /// one transaction. Returns the rows written.
    async fn replace_cost_page(
        &self,
        plan_id: i64,
        page: &CostPage,
        advance: Option<&WatermarkAdvance>,
    ) -> Result<u64>;

    /// The watermark of a plan's stream, if it was ever synced.
    async fn watermark(&self, plan_id: i64, stream: &str) -> Result<Option<Watermark>>;

    /// Stored usage rows of a plan with buckets starting in `[start, end)`, in bucket order.
    async fn usage_rows(
        &self,
        plan_id: i64,
        width: BucketWidth,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<UsageRow>>;

    /// Stored non-token usage of a plan with buckets starting in `[start, end)`, in bucket
    /// order.
    async fn unit_rows(
        &self,
        plan_id: i64,
        width: BucketWidth,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<crate::model::UnitRow>>;

    /// Stored cost rows of a plan with days starting in `[start, end)`, in day order.
    async fn cost_rows(
        &self,
        plan_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<CostRow>>;

    /// Upsert workspaces, API keys and users of a plan's organisation (nothing is deleted:
    /// keys gone at the provider still own their history).
    async fn upsert_metadata(&self, plan_id: i64, metadata: &OrgMetadata) -> Result<()>;

    /// Stored metadata of a plan.
    async fn metadata(&self, plan_id: i64) -> Result<OrgMetadata>;

    /// Replace the Claude Code analytics of the page's day, and advance the watermark, in one
    /// transaction. Returns the records written.
    async fn replace_claude_code_page(
        &self,
        plan_id: i64,
        page: &ClaudeCodePage,
        advance: Option<&WatermarkAdvance>,
    ) -> Result<u64>;

    /// Stored Claude Code records of a plan for days starting in `[start, end)`.
    async fn claude_code_records(
        &self,
        plan_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> Result<Vec<ClaudeCodeRecord>>;
}

/// Rows split into chunks of `max` rows and then power-of-two chunks for the remainder, so
/// that a multi-row statement has one of only a few shapes: the driver caches each prepared
/// shape per connection, and arbitrary row counts would grow that cache with the history
/// synced. `max` must be a power of two.
pub(crate) fn shaped_chunks<T>(rows: &[T], max: usize) -> Vec<&[T]> {
    debug_assert!(max.is_power_of_two());
    let mut chunks = Vec::new();
    let mut rest = rows;
    let mut size = max;
    while !rest.is_empty() {
        while size > rest.len() {
            size /= 2;
        }
        let (head, tail) = rest.split_at(size);
        chunks.push(head);
        rest = tail;
    }
    chunks
}

/// Unix milliseconds of an instant.
pub(crate) fn to_ms(at: DateTime<Utc>) -> i64 {
    at.timestamp_millis()
}

/// The instant of Unix milliseconds read from the database.
pub(crate) fn from_ms(ms: i64) -> Result<DateTime<Utc>> {
    Utc.timestamp_millis_opt(ms)
        .single()
        .ok_or_else(|| Error::Storage {
            message: format!("stored timestamp {ms} ms is out of range"),
            source: None,
        })
}

/// Unix seconds of an instant.
pub(crate) fn to_ts(at: DateTime<Utc>) -> i64 {
    at.timestamp()
}

/// The instant of Unix seconds read from the database.
pub(crate) fn from_ts(seconds: i64) -> Result<DateTime<Utc>> {
    Utc.timestamp_opt(seconds, 0)
        .single()
        .ok_or_else(|| Error::Storage {
            message: format!("stored timestamp {seconds} is out of range"),
            source: None,
        })
}

/// Storage of an optional dimension: `None` is `''`.
pub(crate) fn dim_in(value: &Option<String>) -> &str {
    value.as_deref().unwrap_or("")
}

/// An optional dimension read back: `''` is `None`.
pub(crate) fn dim_out(value: String) -> Option<String> {
    if value.is_empty() { None } else { Some(value) }
}

/// Map a driver error to [`Error::Storage`], saying what was being done ([`Error::Closed`]
/// once the pool was closed).
pub(crate) fn db_error(doing: &'static str) -> impl FnOnce(sqlx::Error) -> Error {
    move |e| match e {
        sqlx::Error::PoolClosed => Error::Closed,
        e => Error::storage(doing, e),
    }
}

/// True when a driver error is a unique-constraint violation on the named index.
pub(crate) fn is_unique_violation(e: &sqlx::Error, index: &str, column_hint: &str) -> bool {
    match e {
        sqlx::Error::Database(db) if db.is_unique_violation() => {
            db.constraint() == Some(index) || db.message().contains(column_hint)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_are_redacted_in_messages() {
        assert_eq!(
            redact_url("postgres://app:hunter2@db:5432/x"),
            "postgres://app:***@db:5432/x"
        );
        assert_eq!(redact_url("postgres://db/x"), "postgres://db/x");
        assert_eq!(redact_url("sqlite://a.db"), "sqlite://a.db");
    }

    #[test]
    fn shaped_chunks_use_few_sizes_and_keep_every_row() {
        let rows: Vec<u32> = (0..1_337).collect();
        let chunks = shaped_chunks(&rows, 512);
        let sizes: Vec<usize> = chunks.iter().map(|c| c.len()).collect();
        assert_eq!(sizes, vec![512, 512, 256, 32, 16, 8, 1]);
        assert_eq!(chunks.concat(), rows);
        assert!(shaped_chunks::<u8>(&[], 512).is_empty());
    }

    #[tokio::test]
    async fn unknown_schemes_are_invalid_input() {
        let err = open_store("mysql://root:pw@db/x", &StoreOptions::default())
            .await
            .unwrap_err();
        assert_eq!(err.code(), "INVALID_INPUT");
        assert!(err.to_string().contains("mysql://root:***@db/x"), "{err}");
    }
}

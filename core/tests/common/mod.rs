//! Test support shared by the integration tests: a database per test on each backend, and a
//! stand-in usage source for plan-management tests that need no HTTP.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use costledger::source::{PageStream, SourceContext, UsageSource};
use costledger::store::{Store, StoreOptions, open_store};
use costledger::{
    CostPage, Credential, Error, LedgerConfig, MasterKey, OrgInfo, OrgMetadata, Provider, Result,
    UsagePage,
};

pub mod snapshot;

/// Run each listed async test function once on SQLite and once on Postgres. The functions
/// take a [`TestDb`].
#[macro_export]
macro_rules! backend_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::common::TestDb::sqlite().await;
                    super::$name(db).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let Some(db) = $crate::common::TestDb::postgres().await else { return };
                    super::$name(db).await;
                }
            )*
        }
    };
}

/// The environment variable naming the Postgres test database.
pub const PG_URL_ENV: &str = "COSTLEDGER_TEST_DATABASE_URL";
/// When set to 1, a missing Postgres URL fails the test instead of skipping it.
pub const PG_REQUIRED_ENV: &str = "COSTLEDGER_REQUIRE_POSTGRES";

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// A fresh, empty database for one test.
#[derive(Clone, Debug)]
pub struct TestDb {
    /// The database URL.
    pub url: String,
    /// The Postgres schema isolating this test, if on Postgres.
    pub schema: Option<String>,
    /// Keeps a SQLite file's directory alive.
    pub dir: Option<Arc<tempfile::TempDir>>,
    /// Drops the Postgres schema when the last clone goes away.
    schema_guard: Option<Arc<SchemaGuard>>,
}

/// Drops a test's Postgres schema when the test is done with it, so that runs leave nothing
/// behind (scripts/test.sh sweeps what a killed run leaves).
#[derive(Debug)]
struct SchemaGuard {
    url: String,
    schema: String,
}

impl Drop for SchemaGuard {
    fn drop(&mut self) {
        let (url, schema) = (self.url.clone(), self.schema.clone());
        // Drop runs on the test's runtime, which must not be blocked on from inside: a
        // thread of its own with a small runtime does the work.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())?;
            runtime
                .block_on(async {
                    use sqlx::Connection;
                    let mut conn = sqlx::PgConnection::connect(&url).await?;
                    // The name is this module's own (cltest_<pid>_<n>_<nanos>), quoted.
                    let sql = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
                    sqlx::query(sqlx::AssertSqlSafe(sql))
                        .execute(&mut conn)
                        .await?;
                    conn.close().await
                })
                .map_err(|e| e.to_string())
        })
        .join();
        if let Ok(Err(e)) = dropped {
            eprintln!("could not drop the test schema {}: {e}", self.schema);
        }
    }
}

impl TestDb {
    /// A new SQLite file in a temporary directory (a file rather than memory so that
    /// several connections and ledgers can share it).
    pub async fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("ledger.db");
        TestDb {
            url: format!("sqlite://{}", path.display()),
            schema: None,
            dir: Some(Arc::new(dir)),
            schema_guard: None,
        }
    }

    /// An in-memory SQLite database: the store keeps exactly one connection to it.
    #[allow(dead_code)]
    pub fn sqlite_memory() -> TestDb {
        TestDb {
            url: "sqlite::memory:".into(),
            schema: None,
            dir: None,
            schema_guard: None,
        }
    }

    /// A new schema in the Postgres test database, or `None` (skipped) when no URL is set
    /// and Postgres is not required.
    pub async fn postgres() -> Option<TestDb> {
        let url = match std::env::var(PG_URL_ENV) {
            Ok(url) if !url.trim().is_empty() => url,
            _ => {
                if std::env::var(PG_REQUIRED_ENV).as_deref() == Ok("1") {
                    panic!(
                        "{PG_URL_ENV} is not set but {PG_REQUIRED_ENV}=1: Postgres tests must run"
                    );
                }
                eprintln!("skipping a Postgres test: {PG_URL_ENV} is not set");
                return None;
            }
        };
        let schema = format!(
            "cltest_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst),
            chrono::Utc::now().timestamp_subsec_nanos()
        );
        Some(TestDb {
            schema_guard: Some(Arc::new(SchemaGuard {
                url: url.clone(),
                schema: schema.clone(),
            })),
            url,
            schema: Some(schema),
            dir: None,
        })
    }

    /// Store options isolating this test.
    pub fn store_options(&self) -> StoreOptions {
        StoreOptions {
            postgres_schema: self.schema.clone(),
            ..StoreOptions::default()
        }
    }

    /// The store, opened and migrated.
    pub async fn store(&self) -> Arc<dyn Store> {
        open_store(&self.url, &self.store_options())
            .await
            .expect("open test store")
    }

    /// A ledger config on this database with `master_key` and `source`, ignoring the
    /// environment.
    pub fn config(&self, master_key: &MasterKey, source: Arc<dyn UsageSource>) -> LedgerConfig {
        let mut config = LedgerConfig::new(self.url.clone())
            .master_key(master_key.to_base64().to_string())
            .source(source)
            .without_env();
        if let Some(schema) = &self.schema {
            config = config.postgres_schema(schema.clone());
        }
        config
    }

    /// True on Postgres.
    pub fn is_postgres(&self) -> bool {
        self.schema.is_some()
    }

    /// Another fresh, empty database on the same backend.
    pub async fn another(&self) -> TestDb {
        if self.is_postgres() {
            TestDb::postgres().await.expect("Postgres is configured")
        } else {
            TestDb::sqlite().await
        }
    }

    /// Run SQL statements directly on this database (a test's way to corrupt what the
    /// library wrote).
    pub async fn exec(&self, statements: &[&str]) {
        use sqlx::Connection;
        if let Some(schema) = &self.schema {
            let mut conn = sqlx::PgConnection::connect(&self.url).await.unwrap();
            let set = format!("SET search_path TO \"{schema}\"");
            sqlx::query(sqlx::AssertSqlSafe(set))
                .execute(&mut conn)
                .await
                .unwrap();
            for s in statements {
                sqlx::query(sqlx::AssertSqlSafe(s.to_string()))
                    .execute(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("{s}: {e}"));
            }
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
            for s in statements {
                sqlx::query(sqlx::AssertSqlSafe(s.to_string()))
                    .execute(&mut conn)
                    .await
                    .unwrap_or_else(|e| panic!("{s}: {e}"));
            }
        }
    }

    /// Rows of integer (or NULL, read as `None`) columns of a query run directly.
    pub async fn rows(&self, query: &str) -> Vec<Vec<Option<i64>>> {
        use sqlx::{Connection, Row};
        fn read<R: Row>(rows: Vec<R>) -> Vec<Vec<Option<i64>>>
        where
            usize: sqlx::ColumnIndex<R>,
            for<'r> Option<i64>: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
        {
            rows.iter()
                .map(|r| (0..r.len()).map(|i| r.try_get(i).unwrap()).collect())
                .collect()
        }
        let q = sqlx::AssertSqlSafe(query.to_string());
        if let Some(schema) = &self.schema {
            let mut conn = sqlx::PgConnection::connect(&self.url).await.unwrap();
            let set = format!("SET search_path TO \"{schema}\"");
            sqlx::query(sqlx::AssertSqlSafe(set))
                .execute(&mut conn)
                .await
                .unwrap();
            read(sqlx::query(q).fetch_all(&mut conn).await.unwrap())
        } else {
            let mut conn = sqlx::SqliteConnection::connect(&self.url).await.unwrap();
            read(sqlx::query(q).fetch_all(&mut conn).await.unwrap())
        }
    }
}

/// A reqwest client. costledger builds reqwest with rustls but no crypto provider of its own
/// (its clients bring theirs): test clients use *ring*, installed as the process default.
pub fn client_builder() -> reqwest::ClientBuilder {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
}

/// [`client_builder`]'s client with reqwest's defaults.
pub fn client() -> reqwest::Client {
    client_builder().build().expect("a reqwest client")
}

/// A well-formed admin key, distinct per `n`.
pub fn admin_key(n: u32) -> String {
    let mut state = u64::from(n).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    let body: String = (0..80)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"[(state % 62) as usize]
                as char
        })
        .collect();
    format!("sk-ant-admin01-{body}")
}

/// A usage source that answers `verify` from a table of keys, for plan-management tests.
/// Its usage and cost streams are empty; sync tests use the fake Admin API instead.
#[derive(Default)]
pub struct KeyTableSource {
    orgs: Mutex<HashMap<String, OrgInfo>>,
    refused: Mutex<HashSet<String>>,
    delay: Mutex<Duration>,
    /// How many times `verify` was called.
    pub verify_calls: AtomicUsize,
}

impl KeyTableSource {
    /// A source knowing no key.
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// `key` answers for organisation `org_id` named `name`.
    pub fn allow(&self, key: &str, org_id: &str, name: &str) {
        self.orgs.lock().unwrap().insert(
            key.to_string(),
            OrgInfo {
                id: org_id.to_string(),
                name: name.to_string(),
            },
        );
    }

    /// `key` is now refused with 401.
    pub fn refuse(&self, key: &str) {
        self.refused.lock().unwrap().insert(key.to_string());
    }

    /// Every `verify` waits this long first (to line up concurrent calls).
    pub fn set_delay(&self, delay: Duration) {
        *self.delay.lock().unwrap() = delay;
    }
}

impl std::fmt::Debug for KeyTableSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("KeyTableSource")
    }
}

#[async_trait]
impl UsageSource for KeyTableSource {
    fn provider(&self) -> Provider {
        Provider::Anthropic
    }

    async fn verify(&self, ctx: SourceContext<'_>) -> Result<OrgInfo> {
        self.verify_calls.fetch_add(1, Ordering::SeqCst);
        let delay = *self.delay.lock().unwrap();
        if !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        let Some(Credential::AdminKey(key)) = ctx.credential else {
            return Err(Error::invalid("no credential"));
        };
        let refused = |message: &str| Error::CredentialRejected {
            plan: ctx.plan_id,
            status: 401,
            request_id: Some("req_test".into()),
            message: message.to_string(),
        };
        if self.refused.lock().unwrap().contains(key.expose()) {
            return Err(refused("invalid x-api-key"));
        }
        self.orgs
            .lock()
            .unwrap()
            .get(key.expose())
            .cloned()
            .ok_or_else(|| refused("invalid x-api-key"))
    }

    async fn metadata(&self, _ctx: SourceContext<'_>) -> Result<OrgMetadata> {
        Ok(OrgMetadata::default())
    }

    fn usage<'a>(
        &'a self,
        _ctx: SourceContext<'a>,
        _request: costledger::source::UsageRequest,
    ) -> PageStream<'a, UsagePage> {
        Box::pin(futures::stream::empty())
    }

    fn costs<'a>(
        &'a self,
        _ctx: SourceContext<'a>,
        _request: costledger::source::CostRequest,
    ) -> PageStream<'a, CostPage> {
        Box::pin(futures::stream::empty())
    }
}

/// Support for tests that sync from the fake Admin API.
pub mod fake {
    use std::collections::BTreeMap;
    use std::sync::Arc;
    use std::time::Duration;

    use chrono::{DateTime, NaiveDate, TimeDelta, Utc};
    use costledger::store::Store;
    use costledger::{
        BucketWidth, FixedClock, Ledger, LedgerConfig, MasterKey, NewPlan, Plan, SyncOptions,
        TokenCounts,
    };
    #[allow(unused_imports)]
    pub use fake_admin_api::{FakeConfig, FakeServer, Faults, Truth};

    use super::TestDb;

    /// A fake Admin API, a ledger on a test database pointed at it, and one plan per org.
    pub struct Synced {
        pub db: TestDb,
        pub fake: FakeServer,
        pub key: MasterKey,
        pub clock: FixedClock,
        pub ledger: Ledger,
        pub plans: Vec<Plan>,
    }

    /// A ledger config on `db` that talks to `fake` with no pacing and fast retries.
    pub fn config(
        db: &TestDb,
        key: &MasterKey,
        fake: &FakeServer,
        clock: &FixedClock,
    ) -> LedgerConfig {
        let mut config = LedgerConfig::new(db.url.clone())
            .master_key(key.to_base64().to_string())
            .anthropic_base_url(fake.base_url())
            .request_interval(Duration::ZERO)
            .retry_backoff(Duration::from_millis(5))
            .max_retries(4)
            .clock(Arc::new(clock.clone()))
            .without_env();
        if let Some(schema) = &db.schema {
            config = config.postgres_schema(schema.clone());
        }
        config
    }

    /// Start a fake, open a ledger, add one plan per org (labels "Org 1", "Org 2", …).
    pub async fn synced(db: TestDb, fake_config: FakeConfig) -> Synced {
        synced_with_kinds(db, fake_config, fake_admin_api::OrgKinds::none()).await
    }

    /// Like [`synced`], with some orgs Enterprise, HIPAA-ready or without the Analytics beta.
    pub async fn synced_with_kinds(
        db: TestDb,
        fake_config: FakeConfig,
        kinds: fake_admin_api::OrgKinds,
    ) -> Synced {
        let fake = FakeServer::start_with_kinds(fake_config, kinds)
            .await
            .expect("fake starts");
        let key = MasterKey::generate();
        let clock = FixedClock::new(fake.now());
        let ledger = Ledger::open(config(&db, &key, &fake, &clock))
            .await
            .expect("ledger opens");
        let mut plans = Vec::new();
        for (i, org) in fake.orgs().iter().enumerate() {
            let plan = ledger
                .add_plan(NewPlan::anthropic(
                    format!("Org {}", i + 1),
                    org.admin_key.clone(),
                ))
                .await
                .expect("plan added");
            plans.push(plan);
        }
        Synced {
            db,
            fake,
            key,
            clock,
            ledger,
            plans,
        }
    }

    /// Options that sync the fake's whole history of `days` days with the legacy streams
    /// alone (`SyncStream::LEGACY`): every cost is the legacy cost report's allocation, which
    /// is what the tests comparing with the fake's legacy truth check.
    pub fn all_history(days: i64) -> SyncOptions {
        default_history(days).streams(costledger::model::SyncStream::LEGACY)
    }

    /// Options that sync the fake's whole history of `days` days with the default streams
    /// (the Analytics API bills the days it covers).
    pub fn default_history(days: i64) -> SyncOptions {
        SyncOptions::default().initial_backfill(TimeDelta::days(days))
    }

    type UsageKey = (
        String,
        Option<String>,
        Option<String>,
        String,
        String,
        String,
    );

    /// Stored hourly usage of a plan summed per (day, key, workspace, model, tier, window).
    pub async fn stored_usage(
        store: &Arc<dyn Store>,
        plan_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> BTreeMap<UsageKey, TokenCounts> {
        let mut out = BTreeMap::new();
        for row in store
            .usage_rows(plan_id, BucketWidth::Hour, start, end)
            .await
            .unwrap()
        {
            let key = (
                row.bucket_start.date_naive().to_string(),
                row.api_key_id,
                row.workspace_id,
                row.model.unwrap_or_default(),
                row.service_tier.unwrap_or_default(),
                row.context_window.unwrap_or_default(),
            );
            out.entry(key)
                .or_insert_with(TokenCounts::default)
                .add(&row.tokens);
        }
        out
    }

    /// The fake's usage truth of one org, in the same shape.
    pub fn truth_usage(truth: &Truth, org_id: &str) -> BTreeMap<UsageKey, TokenCounts> {
        let org = truth.org(org_id).expect("org in truth");
        let mut out = BTreeMap::new();
        for row in &org.usage {
            let t = &row.tokens;
            let counts = TokenCounts {
                uncached_input: t.uncached_input_tokens as i64,
                cache_write_5m: t.cache_creation_ephemeral_5m_input_tokens as i64,
                cache_write_1h: t.cache_creation_ephemeral_1h_input_tokens as i64,
                cache_read: t.cache_read_input_tokens as i64,
                output: t.output_tokens as i64,
                web_search_requests: t.web_search_requests as i64,
            };
            if counts.is_zero() {
                continue;
            }
            let key = (
                row.day.clone(),
                row.api_key_id.clone(),
                row.workspace_id.clone(),
                row.model.clone(),
                row.service_tier.clone(),
                row.context_window.clone(),
            );
            out.entry(key)
                .or_insert_with(TokenCounts::default)
                .add(&counts);
        }
        out
    }

    /// Stored billed cost of a plan per day, in nanodollars.
    pub async fn stored_cost_per_day(
        store: &Arc<dyn Store>,
        plan_id: i64,
        start: DateTime<Utc>,
        end: DateTime<Utc>,
    ) -> BTreeMap<String, i64> {
        let mut out = BTreeMap::new();
        for row in store.cost_rows(plan_id, start, end).await.unwrap() {
            *out.entry(row.bucket_start.date_naive().to_string())
                .or_insert(0) += row.amount.nanos();
        }
        out
    }

    /// The fake's billed cost truth of one org per day (days with no cost left out).
    pub fn truth_cost_per_day(truth: &Truth, org_id: &str) -> BTreeMap<String, i64> {
        truth
            .org(org_id)
            .expect("org in truth")
            .cost_per_day
            .iter()
            .filter(|(_, nanos)| **nanos > 0)
            .map(|(day, nanos)| (day.clone(), *nanos as i64))
            .collect()
    }

    fn instant(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    /// Assert that every plan's stored usage and cost equal the fake's truth exactly.
    pub async fn assert_matches_truth(s: &Synced) {
        let truth = s.fake.truth();
        let store = s.ledger.store();
        let (us, ue) = (
            instant(&truth.usage_starting_at),
            instant(&truth.usage_ending_at),
        );
        let (cs, ce) = (
            instant(&truth.cost_starting_at),
            instant(&truth.cost_ending_at),
        );
        for plan in &s.plans {
            let org = plan.org_id.as_deref().unwrap();
            let stored = stored_usage(store, plan.id, us, ue).await;
            let expected = truth_usage(&truth, org);
            assert!(!expected.is_empty());
            assert_eq!(
                stored.len(),
                expected.len(),
                "usage row groups of plan {}",
                plan.id
            );
            assert_eq!(stored, expected, "usage of plan {}", plan.id);
            assert_eq!(
                stored_cost_per_day(store, plan.id, cs, ce).await,
                truth_cost_per_day(&truth, org),
                "cost per day of plan {}",
                plan.id
            );
        }
    }

    /// A day as a UTC instant.
    pub fn day(date: NaiveDate) -> DateTime<Utc> {
        date.and_hms_opt(0, 0, 0).unwrap().and_utc()
    }
}

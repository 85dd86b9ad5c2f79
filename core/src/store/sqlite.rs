//! The SQLite store: the embedded default, a file or `sqlite::memory:`.

use std::fmt;
use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{QueryBuilder, Transaction};

use super::{Backend, StoreOptions, db_error, shaped_chunks};
use crate::error::{Error, Result};

type Db = sqlx::Sqlite;
type ThisStore = SqliteStore;
const BACKEND: Backend = Backend::Sqlite;
/// The next stale-day generation: one counter row (write transactions are serialised).
const NEXT_GENERATION: &str =
    "UPDATE costledger_stale_generation SET value = value + 1 WHERE id = 1 RETURNING value";
/// SQLite's write transaction already excludes every other writer.
const LOCK_PLAN_FACTS: &str = "SELECT id FROM costledger_plans WHERE id = $1";
/// SQLite locks the whole database for a write transaction; nothing more to lock.
const LOCK_ALL_CREDENTIALS: &str =
    "SELECT plan_id, kind, key_id, nonce, ciphertext FROM costledger_credentials ORDER BY plan_id";
/// SQLite write transactions exclude each other: reading the current key version is enough.
const LOCK_CURRENT_KEY_CHECK: &str =
    "SELECT key_id FROM costledger_key_checks WHERE is_current = 1";
/// Rows per usage insert: 10 parameters each, well under SQLite's 32766.
const USAGE_ROWS_PER_STATEMENT: usize = 512;

/// The store on SQLite.
#[derive(Clone)]
pub struct SqliteStore {
    pool: SqlitePool,
    location: String,
    /// Held for the life of every write transaction of this store, so the process's writers
    /// queue here and each starts the moment the previous one ends. (Left to SQLite, a writer
    /// that finds the lock taken sleeps in its busy handler for up to tens of milliseconds
    /// after the lock is free.) Other processes still wait through the busy timeout.
    writer: Arc<tokio::sync::Mutex<()>>,
}

/// A write transaction of the SQLite store, holding the store's writer lock until it is
/// committed or dropped (rolled back).
pub(crate) struct WriteTx {
    tx: Transaction<'static, Db>,
    _writer: tokio::sync::OwnedMutexGuard<()>,
}

impl WriteTx {
    pub(crate) async fn commit(self) -> std::result::Result<(), sqlx::Error> {
        self.tx.commit().await
    }

    pub(crate) async fn rollback(self) -> std::result::Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SqliteStore")
            .field("location", &self.location)
            .finish()
    }
}

/// The lock file that serialises migrations of the database at `location`, beside it.
fn migration_lock_path(location: &str) -> PathBuf {
    PathBuf::from(format!("{location}-migrate.lock"))
}

/// An exclusive lock on the file at `path` (created when missing), held until the file is
/// dropped; waits up to `timeout` for another process to release it.
async fn lock_file(path: &Path, timeout: Duration) -> Result<File> {
    let failed = |e: std::io::Error| {
        Error::storage(
            format!(
                "opening the SQLite database's migration lock file {:?} (check that its \
                 directory exists and is writable)",
                path.display().to_string()
            ),
            e,
        )
    };
    let file = OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(failed)?;
    let deadline = Instant::now() + timeout;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(file),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            Err(TryLockError::WouldBlock) => {
                return Err(Error::storage(
                    format!(
                        "another process has been migrating this SQLite database for more than \
                         {} s (it holds {:?}); try again when it is done",
                        timeout.as_secs(),
                        path.display().to_string()
                    ),
                    std::io::Error::from(std::io::ErrorKind::TimedOut),
                ));
            }
            Err(TryLockError::Error(e)) => return Err(failed(e)),
        }
    }
}

impl SqliteStore {
    /// Open (creating the file when missing) and migrate.
    pub async fn open(url: &str, options: &StoreOptions) -> Result<Self> {
        let memory = url.contains(":memory:") || url.contains("mode=memory");
        let connect = SqliteConnectOptions::from_str(url)
            .map_err(|e| Error::invalid(format!("SQLite database URL {url:?} is not valid: {e}")))?
            .create_if_missing(true)
            .foreign_keys(true)
            .busy_timeout(options.busy_timeout)
            .journal_mode(if memory {
                SqliteJournalMode::Memory
            } else {
                SqliteJournalMode::Wal
            })
            .synchronous(SqliteSynchronous::Normal);
        let location = connect.get_filename().display().to_string();
        // An in-memory database lives and dies with its one connection: keep exactly one.
        let pool_options = if memory {
            SqlitePoolOptions::new()
                .max_connections(1)
                .min_connections(1)
                .idle_timeout(None)
                .max_lifetime(None)
        } else {
            SqlitePoolOptions::new().max_connections(options.max_connections.max(1))
        };
        let pool = pool_options
            .acquire_timeout(options.busy_timeout)
            .connect_with(connect)
            .await
            .map_err(|e| {
                Error::storage(
                    format!(
                        "opening the SQLite database {location:?} (check that its directory \
                         exists and is writable)"
                    ),
                    e,
                )
            })?;
        if options.run_migrations {
            // Processes opening one new file at once would each see the same migrations
            // pending and run them: they go one at a time, under a lock file beside the
            // database, and each re-reads what is applied once it holds the lock.
            let _lock = match memory {
                true => None,
                false => {
                    Some(lock_file(&migration_lock_path(&location), options.busy_timeout).await?)
                }
            };
            super::migrations::sqlite()
                .run(&pool)
                .await
                .map_err(|e| Error::storage("migrating the SQLite database", e))?;
        }
        Ok(SqliteStore {
            pool,
            location,
            writer: Arc::new(tokio::sync::Mutex::new(())),
        })
    }

    /// The underlying pool, for tests and benchmarks that compare against raw sqlx.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// A write transaction. `BEGIN IMMEDIATE` takes the write lock up front, so two writers
    /// wait for each other instead of failing on lock upgrade: in this process on the
    /// store's writer lock, across processes through the busy timeout.
    async fn begin_write(&self) -> Result<WriteTx> {
        let writer = self.writer.clone().lock_owned().await;
        let tx = self
            .pool
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(db_error("starting a write transaction"))?;
        Ok(WriteTx {
            tx,
            _writer: writer,
        })
    }

    async fn insert_usage_rows(
        conn: &mut sqlx::SqliteConnection,
        plan_id: i64,
        width: i64,
        rows: &[sql_usage::UsageInsert],
    ) -> Result<()> {
        for chunk in shaped_chunks(rows, USAGE_ROWS_PER_STATEMENT) {
            let mut insert = QueryBuilder::<Db>::new(
                "INSERT INTO costledger_usage (plan_id, width, bucket_start, dim_id, \
                 uncached_input, cache_write_5m, cache_write_1h, cache_read, output, \
                 web_search_requests) ",
            );
            insert.push_values(chunk, |mut b, r| {
                b.push_bind(plan_id)
                    .push_bind(width)
                    .push_bind(r.bucket_start)
                    .push_bind(r.dim_id)
                    .push_bind(r.tokens.uncached_input)
                    .push_bind(r.tokens.cache_write_5m)
                    .push_bind(r.tokens.cache_write_1h)
                    .push_bind(r.tokens.cache_read)
                    .push_bind(r.tokens.output)
                    .push_bind(r.tokens.web_search_requests);
            });
            insert
                .build()
                .execute(&mut *conn)
                .await
                .map_err(db_error("storing usage rows"))?;
        }
        Ok(())
    }
}

mod sql_plans {
    use super::*;
    include!("sql/plans.rs");
}

mod sql_plan_rows {
    use super::*;
    include!("sql/plan_rows.rs");
}

mod sql_credentials {
    use super::*;
    include!("sql/credentials.rs");
}

pub(crate) mod sql_writes {
    use super::*;
    include!("sql/writes.rs");
}

mod sql_claude_code {
    use super::*;
    include!("sql/claude_code.rs");
}

pub(crate) mod sql_usage {
    use super::*;
    include!("sql/usage.rs");
}

pub(crate) mod sql_units {
    use super::*;
    include!("sql/units.rs");
}

mod sql_sync {
    use super::*;
    include!("sql/sync.rs");
}

mod sql_subjects {
    use super::*;
    include!("sql/subjects.rs");
}

pub(crate) mod sql_facts {
    use super::*;
    include!("sql/facts.rs");
}

mod sql_fact_checks {
    use super::*;
    include!("sql/fact_checks.rs");
}

mod sql_fact_sums {
    use super::*;
    include!("sql/fact_sums.rs");
}

mod sql_log_writes {
    use super::*;
    include!("sql/log_writes.rs");
}

mod sql_logs {
    use super::*;
    include!("sql/logs.rs");
}

pub(crate) mod sql_stale {
    use super::*;
    include!("sql/stale.rs");
}

mod sql_budgets {
    use super::*;
    include!("sql/budgets.rs");
}

mod sql_analytics {
    use super::*;
    include!("sql/analytics.rs");
}

mod sql_spend_limits {
    use super::*;
    include!("sql/spend_limits.rs");
}

mod sql_reconcile {
    use super::*;
    include!("sql/reconcile.rs");
}

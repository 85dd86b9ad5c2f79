//! The Postgres store: what several app instances share.

use std::fmt;
use std::str::FromStr;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection, Executor, Transaction};

use super::{Backend, StoreOptions, db_error, redact_url};
use crate::error::{Error, Result};

type Db = sqlx::Postgres;
type ThisStore = PostgresStore;
const BACKEND: Backend = Backend::Postgres;
/// The next stale-day generation: a sequence (never reused, never contended).
const NEXT_GENERATION: &str = "SELECT nextval('costledger_stale_generation')";
/// Derivations of one plan's days take turns: they rewrite the same month's rollups, which
/// two concurrent transactions at read committed would otherwise both insert.
const LOCK_PLAN_FACTS: &str = "SELECT id FROM costledger_plans WHERE id = $1 FOR UPDATE";
/// Row locks keep a concurrent credential write from slipping between read and re-seal.
const LOCK_ALL_CREDENTIALS: &str = "SELECT plan_id, kind, key_id, nonce, ciphertext \
     FROM costledger_credentials ORDER BY plan_id FOR UPDATE";
/// The current master-key version, locked: a rotation holds it while it re-seals, and so does
/// a transaction storing a credential, so the two never interleave.
const LOCK_CURRENT_KEY_CHECK: &str =
    "SELECT key_id FROM costledger_key_checks WHERE is_current = 1 FOR UPDATE";

/// The store on PostgreSQL.
#[derive(Clone)]
pub struct PostgresStore {
    pool: PgPool,
    location: String,
}

impl fmt::Debug for PostgresStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PostgresStore")
            .field("location", &self.location)
            .finish()
    }
}

/// A schema name safe to quote: letters, digits and underscores, not starting with a digit.
fn check_schema(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= 63
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "Postgres schema must be 1-63 letters, digits or underscores not starting with a \
             digit, got {name:?}"
        )))
    }
}

/// What went wrong connecting, in words: the operating system's reason for an I/O error
/// (connection refused, host not found), else the server's or the driver's message. The URL,
/// and so its password, is never part of it.
fn connect_cause(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Io(io) => match io.kind() {
            std::io::ErrorKind::ConnectionRefused => {
                "connection refused: nothing listens on that host and port; check that \
                 Postgres runs there"
                    .to_string()
            }
            _ => format!("{io}; check the host, the port and the network"),
        },
        sqlx::Error::Database(db) => db.message().to_string(),
        other => other.to_string(),
    }
}

/// Create `schema` when missing. `CREATE SCHEMA IF NOT EXISTS` alone races (two sessions can
/// both find it missing, and one fails on the catalog's unique index), so sessions take a
/// transaction-level advisory lock on the schema's name first: pooler-safe, released at
/// commit.
async fn create_schema(pool: &PgPool, schema: &str) -> Result<()> {
    let failed = |e| Error::storage(format!("creating the schema {schema}"), e);
    let mut tx = pool.begin().await.map_err(failed)?;
    sqlx::query("SELECT pg_advisory_xact_lock(hashtext('costledger schema ' || $1))")
        .bind(schema)
        .execute(&mut *tx)
        .await
        .map_err(failed)?;
    tx.execute(sqlx::AssertSqlSafe(format!(
        "CREATE SCHEMA IF NOT EXISTS \"{schema}\""
    )))
    .await
    .map_err(failed)?;
    tx.commit().await.map_err(failed)
}

impl PostgresStore {
    /// Connect, create the schema when one is named, and migrate.
    pub async fn open(url: &str, options: &StoreOptions) -> Result<Self> {
        let location = redact_url(url);
        let mut connect = PgConnectOptions::from_str(url).map_err(|e| {
            Error::invalid(format!(
                "Postgres database URL {location:?} is not valid: {e}"
            ))
        })?;
        if let Some(schema) = &options.postgres_schema {
            check_schema(schema)?;
            connect = connect.options([("search_path", schema.as_str())]);
        }
        // No parallel workers for costledger's own sessions (unless the URL's `options` set
        // them): its reads are small and a report runs several at once, each on its own
        // connection; starting workers took longer than the reads (a month's dashboard on
        // 10 million rows: 44 ms with them, 28 ms without; docs/postgres.md).
        if !url.contains("max_parallel_workers_per_gather") {
            connect = connect.options([("max_parallel_workers_per_gather", "0")]);
        }
        // One connection first, within the connect timeout: a server that refuses or does
        // not answer is reported at once, with its cause, instead of after the pool's wait.
        let server = format!("{}:{}", connect.get_host(), connect.get_port());
        match tokio::time::timeout(
            options.connect_timeout,
            PgConnection::connect_with(&connect),
        )
        .await
        {
            Ok(Ok(probe)) => {
                let _ = probe.close().await;
            }
            Ok(Err(e)) => {
                return Err(Error::storage(
                    format!(
                        "cannot connect to Postgres at {server} ({location}): {}",
                        connect_cause(&e)
                    ),
                    e,
                ));
            }
            Err(_) => {
                return Err(Error::storage(
                    format!(
                        "cannot connect to Postgres at {server} ({location}): no answer within \
                         {} s; check the host, the port and the network",
                        options.connect_timeout.as_secs()
                    ),
                    std::io::Error::from(std::io::ErrorKind::TimedOut),
                ));
            }
        }
        let pool = PgPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.busy_timeout)
            .connect_with(connect)
            .await
            .map_err(|e| Error::storage(format!("connecting to Postgres at {location}"), e))?;
        if let Some(schema) = &options.postgres_schema {
            create_schema(&pool, schema).await?;
        }
        if options.run_migrations {
            super::migrations::postgres()
                .run(&pool)
                .await
                .map_err(|e| Error::storage("migrating the Postgres database", e))?;
        }
        Ok(PostgresStore { pool, location })
    }

    /// The underlying pool, for tests and benchmarks that compare against raw sqlx.
    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Db>> {
        self.pool
            .begin()
            .await
            .map_err(db_error("starting a write transaction"))
    }

    /// One statement per page: columns travel as arrays and `UNNEST` turns them into rows.
    async fn insert_usage_rows(
        conn: &mut sqlx::PgConnection,
        plan_id: i64,
        width: i64,
        rows: &[sql_usage::UsageInsert],
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let column =
            |f: fn(&sql_usage::UsageInsert) -> i64| rows.iter().map(f).collect::<Vec<i64>>();
        sqlx::query(
            "INSERT INTO costledger_usage (plan_id, width, bucket_start, dim_id, uncached_input, \
             cache_write_5m, cache_write_1h, cache_read, output, web_search_requests) \
             SELECT $1, $2, * FROM UNNEST($3::bigint[], $4::bigint[], $5::bigint[], \
             $6::bigint[], $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[])",
        )
        .bind(plan_id)
        .bind(width)
        .bind(column(|r| r.bucket_start))
        .bind(column(|r| r.dim_id))
        .bind(column(|r| r.tokens.uncached_input))
        .bind(column(|r| r.tokens.cache_write_5m))
        .bind(column(|r| r.tokens.cache_write_1h))
        .bind(column(|r| r.tokens.cache_read))
        .bind(column(|r| r.tokens.output))
        .bind(column(|r| r.tokens.web_search_requests))
        .execute(&mut *conn)
        .await
        .map_err(db_error("storing usage rows"))?;
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

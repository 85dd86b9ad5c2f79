//! The `Ledger` class: open and close. The other methods live beside their core domain
//! (`plans.rs`, `master_key.rs`, `sync.rs`), each in its own `#[napi] impl` block.

use std::sync::Arc;
use std::time::Duration;

use costledger::{FixedClock, LedgerConfig};
use napi_derive::napi;

use crate::cipher::{JsKeyCipher, KeyCipher};
use crate::error::run;
use crate::integers::opt_uint32;
use crate::model::parse_instant;

/// How to open a ledger. Every field is optional; unset ones fall back to the
/// `COSTLEDGER_*` environment variables, then to the defaults below.
#[napi(object, object_to_js = false)]
#[derive(Default)]
pub struct LedgerOptions {
    /// `sqlite://path`, `sqlite::memory:` or `postgres://user:password@host/db`.
    /// Default: `COSTLEDGER_DATABASE_URL`, else `sqlite://costledger.db`.
    pub database_url: Option<String>,
    /// The master key that seals plan credentials: 32 random bytes as base64
    /// (`generateMasterKey()` makes one). Default: `COSTLEDGER_MASTER_KEY`. Without it (nor a
    /// `cipher`) the ledger reads plans, reports and history, but adding a plan, checking or
    /// rotating a credential and syncing fail with `INVALID_INPUT`.
    pub master_key: Option<String>,
    /// Older master keys still accepted for opening credentials sealed before a rotation.
    /// Default: `COSTLEDGER_PREVIOUS_MASTER_KEYS` (comma-separated) when `masterKey` is unset.
    pub previous_master_keys: Option<Vec<String>>,
    /// A host-supplied cipher (a KMS) used instead of the master key.
    pub cipher: Option<KeyCipher>,
    /// The Anthropic API base URL. Default: `COSTLEDGER_ANTHROPIC_BASE_URL`, else
    /// `https://api.anthropic.com`.
    pub anthropic_base_url: Option<String>,
    /// The OpenAI API base URL, without `/v1`. Default: `COSTLEDGER_OPENAI_BASE_URL`, else
    /// `https://api.openai.com`.
    pub openai_base_url: Option<String>,
    /// Postgres only: keep costledger's tables in this schema, created when missing.
    /// Default: the connection's `search_path` (usually `public`).
    pub postgres_schema: Option<String>,
    /// Largest database connection pool. Default 8.
    pub max_connections: Option<f64>,
    /// Apply pending migrations on open. Default true; turn off when migrations run from a
    /// deploy step.
    pub run_migrations: Option<bool>,
    /// Timeout of one HTTP request to a provider, in milliseconds. Default 60000.
    pub http_timeout_ms: Option<f64>,
    /// Retries of a failed provider request before giving up. Default 4.
    pub max_retries: Option<f64>,
    /// The least time between two requests sent with one credential, in milliseconds.
    /// Default 250.
    pub request_interval_ms: Option<f64>,
    /// The first wait before retrying a failed provider request, in milliseconds; it doubles
    /// with each retry up to 8 s unless the provider says how long to wait. Default 500.
    pub retry_backoff_ms: Option<f64>,
    /// For tests and simulations: a fixed "now" (ISO-8601, like `2026-11-20T00:00:00Z`) that
    /// sync windows are computed from. Default: the system clock.
    pub now: Option<String>,
}

/// The builder chain of the core's `LedgerConfig`, one option at a time.
fn config(o: LedgerOptions) -> costledger::Result<LedgerConfig> {
    let mut c = match o.database_url {
        Some(url) => LedgerConfig::new(url),
        None => LedgerConfig::from_env(),
    };
    if let Some(key) = o.master_key {
        c = c.master_key(key);
    }
    for key in o.previous_master_keys.unwrap_or_default() {
        c = c.previous_master_key(key);
    }
    if let Some(cipher) = o.cipher {
        c = c.cipher(Arc::new(JsKeyCipher::from(cipher)));
    }
    if let Some(url) = o.anthropic_base_url {
        c = c.anthropic_base_url(url);
    }
    if let Some(url) = o.openai_base_url {
        c = c.openai_base_url(url);
    }
    if let Some(schema) = o.postgres_schema {
        c = c.postgres_schema(schema);
    }
    if let Some(n) = opt_uint32("maxConnections", o.max_connections)? {
        c = c.max_connections(n);
    }
    if let Some(run) = o.run_migrations {
        c = c.run_migrations(run);
    }
    let ms = |n: u32| Duration::from_millis(n.into());
    if let Some(n) = opt_uint32("httpTimeoutMs", o.http_timeout_ms)? {
        c = c.http_timeout(ms(n));
    }
    if let Some(n) = opt_uint32("maxRetries", o.max_retries)? {
        c = c.max_retries(n);
    }
    if let Some(n) = opt_uint32("requestIntervalMs", o.request_interval_ms)? {
        c = c.request_interval(ms(n));
    }
    if let Some(n) = opt_uint32("retryBackoffMs", o.retry_backoff_ms)? {
        c = c.retry_backoff(ms(n));
    }
    if let Some(now) = o.now {
        let now = parse_instant("now", &now)?;
        c = c.clock(Arc::new(FixedClock::new(now)));
    }
    Ok(c)
}

/// A handle on costledger's data: plan connections, synced usage and cost.
///
/// Open one per process with `Ledger.open()` and share it: every method returns a Promise,
/// runs on a background thread pool and never blocks the event loop. No returned object ever
/// holds a credential, only its hint.
#[napi(js_name = "Ledger")]
pub struct JsLedger {
    pub(crate) inner: costledger::Ledger,
}

#[napi]
impl JsLedger {
    /// Open the database (creating and migrating it as needed) and prepare the cipher.
    /// Fails with `INVALID_INPUT` when the URL or master key is malformed, and with `CRYPTO`
    /// when the master key is not the one the ledger's credentials are sealed with (naming
    /// the key id expected, never a key). Opened without a master key or cipher, it reads
    /// reports and history, and whatever needs a credential fails with `INVALID_INPUT` saying
    /// how to make a key.
    #[napi(catch_unwind)]
    pub async fn open(options: Option<LedgerOptions>) -> napi::Result<JsLedger> {
        let options = options.unwrap_or_default();
        let inner = run(async move { costledger::Ledger::open(config(options)?).await }).await?;
        Ok(JsLedger { inner })
    }

    /// Close the database pool. Later calls fail with `CLOSED`; closing twice is harmless.
    #[napi(catch_unwind)]
    pub async fn close(&self) -> napi::Result<()> {
        run(async {
            self.inner.close().await;
            Ok(())
        })
        .await
    }
}

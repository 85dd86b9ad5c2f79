//! [`LedgerConfig`]: what [`crate::Ledger::open`] needs.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::clock::{Clock, SystemClock};
use crate::crypto::{KeyCipher, SecretString};
use crate::error::{Error, Result};
use crate::model::Provider;
use crate::source::UsageSource;
use crate::source::anthropic::{AnthropicConfig, AnthropicSource, RetryPolicy};
use crate::source::claude_code_logs::ClaudeCodeLogsSource;
use crate::source::openai::{OpenAiConfig, OpenAiSource};
use crate::store::StoreOptions;

/// Environment variable of the database URL.
pub const ENV_DATABASE_URL: &str = "COSTLEDGER_DATABASE_URL";
/// Environment variable of the master key (32 bytes, base64).
pub const ENV_MASTER_KEY: &str = "COSTLEDGER_MASTER_KEY";
/// Environment variable of older master keys still accepted for reading (comma-separated).
pub const ENV_PREVIOUS_MASTER_KEYS: &str = "COSTLEDGER_PREVIOUS_MASTER_KEYS";
/// Environment variable of the Anthropic API base URL.
pub const ENV_ANTHROPIC_BASE_URL: &str = "COSTLEDGER_ANTHROPIC_BASE_URL";
/// Environment variable of the OpenAI API base URL.
pub const ENV_OPENAI_BASE_URL: &str = "COSTLEDGER_OPENAI_BASE_URL";
/// Environment variable an existing single-plan install keeps its admin key in.
pub const ENV_ANTHROPIC_ADMIN_API_KEY: &str = "ANTHROPIC_ADMIN_API_KEY";
/// Environment variable the CLI reads an OpenAI admin key from by default.
pub const ENV_OPENAI_ADMIN_KEY: &str = "OPENAI_ADMIN_KEY";
/// The database URL when none is given.
pub const DEFAULT_DATABASE_URL: &str = "sqlite://costledger.db";
/// The Anthropic API base URL when none is given.
pub const DEFAULT_ANTHROPIC_BASE_URL: &str = crate::source::anthropic::DEFAULT_BASE_URL;
/// The OpenAI API base URL when none is given (the API is under `/v1`).
pub const DEFAULT_OPENAI_BASE_URL: &str = crate::source::openai::DEFAULT_BASE_URL;

/// How to open a [`crate::Ledger`]: the database, the master key (or a host cipher), and the
/// provider endpoints.
///
/// ```
/// use costledger::LedgerConfig;
/// let config = LedgerConfig::new("sqlite::memory:")
///     .master_key("q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=")
///     .anthropic_base_url("http://127.0.0.1:8787");
/// // Debug never shows the master key.
/// assert!(!format!("{config:?}").contains("q83vEjRW"));
/// ```
#[derive(Clone)]
pub struct LedgerConfig {
    pub(crate) database_url: String,
    pub(crate) master_key: Option<SecretString>,
    pub(crate) previous_master_keys: Vec<SecretString>,
    pub(crate) cipher: Option<Arc<dyn KeyCipher>>,
    pub(crate) anthropic_base_url: Option<String>,
    pub(crate) openai_base_url: Option<String>,
    pub(crate) http_timeout: Duration,
    pub(crate) max_retries: u32,
    pub(crate) retry_backoff: Duration,
    pub(crate) request_interval: Duration,
    pub(crate) sources: Vec<Arc<dyn UsageSource>>,
    pub(crate) store: StoreOptions,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) read_env: bool,
}

impl LedgerConfig {
    /// A config for the database at `database_url` (`sqlite://path`, `sqlite::memory:`,
    /// `postgres://…`). The master key and the Anthropic base URL fall back to
    /// `COSTLEDGER_MASTER_KEY` and `COSTLEDGER_ANTHROPIC_BASE_URL` when not set here.
    pub fn new(database_url: impl Into<String>) -> Self {
        LedgerConfig {
            database_url: database_url.into(),
            master_key: None,
            previous_master_keys: Vec::new(),
            cipher: None,
            anthropic_base_url: None,
            openai_base_url: None,
            http_timeout: Duration::from_secs(60),
            max_retries: 4,
            retry_backoff: Duration::from_millis(500),
            request_interval: Duration::from_millis(250),
            sources: Vec::new(),
            store: StoreOptions::default(),
            clock: Arc::new(SystemClock),
            read_env: true,
        }
    }

    /// A config from the environment: `COSTLEDGER_DATABASE_URL` (default
    /// `sqlite://costledger.db`), `COSTLEDGER_MASTER_KEY`, `COSTLEDGER_PREVIOUS_MASTER_KEYS`,
    /// `COSTLEDGER_ANTHROPIC_BASE_URL`, `COSTLEDGER_OPENAI_BASE_URL`.
    pub fn from_env() -> Self {
        let url = std::env::var(ENV_DATABASE_URL)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        LedgerConfig::new(url)
    }

    /// The master key, 32 bytes as base64. Parsed by [`crate::Ledger::open`], which rejects
    /// anything else with `INVALID_INPUT`.
    pub fn master_key(mut self, base64: impl Into<SecretString>) -> Self {
        self.master_key = Some(base64.into());
        self
    }

    /// An older master key, still accepted for opening credentials sealed before a rotation.
    pub fn previous_master_key(mut self, base64: impl Into<SecretString>) -> Self {
        self.previous_master_keys.push(base64.into());
        self
    }

    /// A host-supplied cipher (a KMS) instead of the built-in AES-256-GCM keyring.
    pub fn cipher(mut self, cipher: Arc<dyn KeyCipher>) -> Self {
        self.cipher = Some(cipher);
        self
    }

    /// The Anthropic API base URL (default `https://api.anthropic.com`).
    pub fn anthropic_base_url(mut self, url: impl Into<String>) -> Self {
        self.anthropic_base_url = Some(url.into());
        self
    }

    /// The OpenAI API base URL, without `/v1` (default `https://api.openai.com`).
    pub fn openai_base_url(mut self, url: impl Into<String>) -> Self {
        self.openai_base_url = Some(url.into());
        self
    }

    /// Timeout of one HTTP request to a provider (default 60 s).
    pub fn http_timeout(mut self, timeout: Duration) -> Self {
        self.http_timeout = timeout;
        self
    }

    /// Retries of a failed provider request before giving up (default 4).
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The first wait before retrying a failed provider request; it doubles with each retry
    /// up to 8 s, unless the provider says how long to wait (default 500 ms).
    pub fn retry_backoff(mut self, initial: Duration) -> Self {
        self.retry_backoff = initial;
        self
    }

    /// The least time between two requests sent with one credential: the provider asks for
    /// polite polling (default 250 ms).
    pub fn request_interval(mut self, interval: Duration) -> Self {
        self.request_interval = interval;
        self
    }

    /// Use `source` for its provider instead of the built-in one.
    pub fn source(mut self, source: Arc<dyn UsageSource>) -> Self {
        self.sources.push(source);
        self
    }

    /// Largest database connection pool (default 8).
    pub fn max_connections(mut self, n: u32) -> Self {
        self.store.max_connections = n;
        self
    }

    /// Postgres only: keep costledger's tables in this schema, created when missing.
    pub fn postgres_schema(mut self, schema: impl Into<String>) -> Self {
        self.store.postgres_schema = Some(schema.into());
        self
    }

    /// Apply pending migrations on open (default true). Turn off when migrations run from a
    /// deploy step.
    pub fn run_migrations(mut self, run: bool) -> Self {
        self.store.run_migrations = run;
        self
    }

    /// The clock sync windows are computed from (default: the system clock).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Ignore the `COSTLEDGER_*` fallbacks: only what is set on this config counts.
    pub fn without_env(mut self) -> Self {
        self.read_env = false;
        self
    }

    /// The database URL.
    pub fn database_url(&self) -> &str {
        &self.database_url
    }

    /// The database URL with any password replaced by `***`, safe to show.
    pub fn redacted_database_url(&self) -> String {
        crate::store::redact_url(&self.database_url)
    }

    /// The master key and previous keys to use: this config's, else the environment's.
    pub(crate) fn master_keys(&self) -> Result<Option<(SecretString, Vec<SecretString>)>> {
        if let Some(key) = &self.master_key {
            return Ok(Some((key.clone(), self.previous_master_keys.clone())));
        }
        if !self.read_env {
            return Ok(None);
        }
        let Some(key) = std::env::var(ENV_MASTER_KEY)
            .ok()
            .filter(|v| !v.trim().is_empty())
        else {
            return Ok(None);
        };
        let previous = std::env::var(ENV_PREVIOUS_MASTER_KEYS)
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(SecretString::from)
            .collect();
        Ok(Some((SecretString::new(key), previous)))
    }

    /// The Anthropic base URL to use.
    pub(crate) fn resolved_anthropic_base_url(&self) -> Result<String> {
        self.resolved_base_url(
            "Anthropic",
            &self.anthropic_base_url,
            ENV_ANTHROPIC_BASE_URL,
            DEFAULT_ANTHROPIC_BASE_URL,
        )
    }

    /// The OpenAI base URL to use.
    pub(crate) fn resolved_openai_base_url(&self) -> Result<String> {
        self.resolved_base_url(
            "OpenAI",
            &self.openai_base_url,
            ENV_OPENAI_BASE_URL,
            DEFAULT_OPENAI_BASE_URL,
        )
    }

    /// A provider's base URL: set here, else from `env` (unless the environment is ignored),
    /// else `default`; without a trailing `/`.
    fn resolved_base_url(
        &self,
        provider: &str,
        set: &Option<String>,
        env: &str,
        default: &str,
    ) -> Result<String> {
        let url = set
            .clone()
            .or_else(|| {
                self.read_env
                    .then(|| std::env::var(env).ok())
                    .flatten()
                    .filter(|v| !v.trim().is_empty())
            })
            .unwrap_or_else(|| default.to_string());
        let url = url.trim().trim_end_matches('/').to_string();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Error::invalid(format!(
                "{provider} base URL must start with http:// or https://, got {url:?}"
            )));
        }
        Ok(url)
    }
}

impl fmt::Debug for LedgerConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A master key has no displayable hint: even its last characters are key material.
        f.debug_struct("LedgerConfig")
            .field(
                "database_url",
                &crate::store::redact_url(&self.database_url),
            )
            .field("master_key", &self.master_key.as_ref().map(|_| "<set>"))
            .field("previous_master_keys", &self.previous_master_keys.len())
            .field("cipher", &self.cipher)
            .field("anthropic_base_url", &self.anthropic_base_url)
            .field("openai_base_url", &self.openai_base_url)
            .field("http_timeout", &self.http_timeout)
            .field("max_retries", &self.max_retries)
            .field("retry_backoff", &self.retry_backoff)
            .field("request_interval", &self.request_interval)
            .field(
                "sources",
                &self
                    .sources
                    .iter()
                    .map(|s| s.provider())
                    .collect::<Vec<_>>(),
            )
            .field("store", &self.store)
            .finish()
    }
}

impl LedgerConfig {
    /// The built-in sources: the Anthropic Admin API and the OpenAI organisation API at their
    /// configured base URLs (or `COSTLEDGER_ANTHROPIC_BASE_URL`, `COSTLEDGER_OPENAI_BASE_URL`),
    /// with the HTTP timeout, retries and pacing, and the local Claude Code logs.
    pub(crate) fn default_sources(&self) -> Result<HashMap<Provider, Arc<dyn UsageSource>>> {
        let retry = RetryPolicy {
            max_retries: self.max_retries,
            initial_backoff: self.retry_backoff,
            max_backoff: RetryPolicy::default().max_backoff.max(self.retry_backoff),
            ..RetryPolicy::default()
        };
        let anthropic = AnthropicConfig::new(self.resolved_anthropic_base_url()?)
            .timeout(self.http_timeout)
            .retry_policy(retry.clone())
            .min_request_interval(self.request_interval);
        let openai = OpenAiConfig::new(self.resolved_openai_base_url()?)
            .timeout(self.http_timeout)
            .retry_policy(retry)
            .min_request_interval(self.request_interval);
        let mut sources: HashMap<Provider, Arc<dyn UsageSource>> = HashMap::new();
        sources.insert(
            Provider::Anthropic,
            Arc::new(AnthropicSource::new(anthropic)?),
        );
        sources.insert(Provider::OpenAi, Arc::new(OpenAiSource::new(openai)?));
        sources.insert(Provider::ClaudeCodeLogs, Arc::new(ClaudeCodeLogsSource));
        Ok(sources)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source_debug(config: &LedgerConfig, provider: Provider) -> String {
        let sources = config.default_sources().unwrap();
        let source = &sources[&provider];
        assert_eq!(source.provider(), provider);
        format!("{source:?}")
    }

    #[test]
    fn the_anthropic_source_carries_url_timeout_and_retries() {
        let config = LedgerConfig::new("sqlite::memory:")
            .without_env()
            .anthropic_base_url("http://127.0.0.1:8787/")
            .http_timeout(Duration::from_secs(9))
            .max_retries(2);
        let text = source_debug(&config, Provider::Anthropic);
        assert!(text.contains("AnthropicSource"), "{text}");
        assert!(text.contains("\"http://127.0.0.1:8787\""), "{text}");
        assert!(text.contains("timeout: 9s"), "{text}");
        assert!(text.contains("max_retries: 2"), "{text}");
        let bad = LedgerConfig::new("sqlite::memory:")
            .without_env()
            .anthropic_base_url("localhost:8787");
        assert_eq!(bad.default_sources().unwrap_err().code(), "INVALID_INPUT");
    }

    #[test]
    fn the_openai_source_carries_url_and_retries() {
        let config = LedgerConfig::new("sqlite::memory:")
            .without_env()
            .openai_base_url("http://127.0.0.1:8788/")
            .max_retries(2);
        let text = source_debug(&config, Provider::OpenAi);
        assert!(text.contains("\"http://127.0.0.1:8788\""), "{text}");
        assert!(text.contains("max_retries: 2"), "{text}");
    }
}

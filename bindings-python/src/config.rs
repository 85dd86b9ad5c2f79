//! Opening options (core `config.rs`): what `Ledger.open` takes, as a [`LedgerConfig`].

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use costledger::{Error, FixedClock, LedgerConfig};
use pyo3::prelude::*;

use crate::cipher::PyKeyCipher;

/// The options of `Ledger.open` as the Python layer passes them (a dict); `None` keeps the
/// core's default, which for the master key and base URL reads the environment.
#[derive(FromPyObject)]
#[pyo3(from_item_all)]
pub(crate) struct OpenArgs {
    master_key: Option<String>,
    previous_master_keys: Vec<String>,
    anthropic_base_url: Option<String>,
    openai_base_url: Option<String>,
    cipher: Option<Py<PyAny>>,
    postgres_schema: Option<String>,
    max_connections: Option<u32>,
    http_timeout: Option<f64>,
    max_retries: Option<u32>,
    request_interval: Option<f64>,
    retry_backoff: Option<f64>,
    now: Option<DateTime<Utc>>,
}

/// Seconds as a [`Duration`], or `INVALID_INPUT` naming the option.
pub(crate) fn seconds(name: &str, value: Option<f64>) -> costledger::Result<Option<Duration>> {
    value
        .map(|s| {
            Duration::try_from_secs_f64(s).map_err(|_| {
                Error::invalid(format!(
                    "{name} must be a non-negative number of seconds, got {s}"
                ))
            })
        })
        .transpose()
}

/// Apply `value` with `set` when it is given.
fn with<T>(
    config: LedgerConfig,
    value: Option<T>,
    set: fn(LedgerConfig, T) -> LedgerConfig,
) -> LedgerConfig {
    match value {
        Some(value) => set(config, value),
        None => config,
    }
}

impl OpenArgs {
    /// The cipher object is checked here (a `TypeError` when it lacks a method); everything
    /// else the core checks when it opens.
    pub(crate) fn cipher(&self, py: Python<'_>) -> PyResult<Option<PyKeyCipher>> {
        self.cipher
            .as_ref()
            .map(|c| PyKeyCipher::new(c.bind(py)))
            .transpose()
    }

    pub(crate) fn into_config(
        self,
        database_url: Option<String>,
        cipher: Option<PyKeyCipher>,
    ) -> costledger::Result<LedgerConfig> {
        let mut config = match database_url {
            Some(url) => LedgerConfig::new(url),
            None => LedgerConfig::from_env(),
        };
        config = with(config, self.master_key, |c, k| c.master_key(k));
        for key in self.previous_master_keys {
            config = config.previous_master_key(key);
        }
        config = with(config, cipher, |c, k| c.cipher(Arc::new(k)));
        config = with(
            config,
            self.anthropic_base_url,
            LedgerConfig::anthropic_base_url,
        );
        config = with(config, self.openai_base_url, LedgerConfig::openai_base_url);
        config = with(config, self.postgres_schema, LedgerConfig::postgres_schema);
        config = with(config, self.max_connections, LedgerConfig::max_connections);
        config = with(config, self.max_retries, LedgerConfig::max_retries);
        config = with(config, self.now, |c, now| {
            c.clock(Arc::new(FixedClock::new(now)))
        });
        let timeout = seconds("http_timeout", self.http_timeout)?;
        config = with(config, timeout, LedgerConfig::http_timeout);
        let interval = seconds("request_interval", self.request_interval)?;
        config = with(config, interval, LedgerConfig::request_interval);
        let backoff = seconds("retry_backoff", self.retry_backoff)?;
        Ok(with(config, backoff, LedgerConfig::retry_backoff))
    }
}

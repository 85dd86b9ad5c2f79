//! The OpenAI source: an organisation's projects, API keys and users, its usage (hourly, by
//! project, API key, model, batch and service tier) and its billed costs (daily, by project,
//! line item and API key), read with an admin key.
//!
//! ```no_run
//! use std::time::Duration;
//! use costledger::source::openai::{OpenAiConfig, OpenAiSource};
//!
//! let config = OpenAiConfig::new("https://api.openai.com")
//!     .timeout(Duration::from_secs(30))
//!     .min_request_interval(Duration::from_millis(500));
//! let source = OpenAiSource::new(config)?;
//! # Ok::<(), costledger::Error>(())
//! ```
//!
//! Every request is a `GET` under `/v1/organization/` with `Authorization: Bearer
//! sk-admin-…` (a header value marked sensitive) and the user agent `costledger/<version>`.
//! Retries and pacing are the Anthropic source's ([`RetryPolicy`]): 408, 409, 429 and 5xx,
//! connection errors and cut-off bodies are retried, `retry-after-ms` / `retry-after` are
//! honoured, 401 and 403 fail at once. A read-only admin key reads everything needed.

mod http;
mod metadata;
mod reports;
mod units;
mod wire;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

pub use super::anthropic::RetryPolicy;
use super::anthropic::pacing::Pacer;
use crate::error::{Error, Result};
use crate::model::{CostPage, OrgInfo, OrgMetadata, Provider, UsagePage};
use crate::source::anthropic::DEFAULT_USER_AGENT;
use crate::source::{CostRequest, PageStream, SourceContext, UsageRequest, UsageSource};

/// The OpenAI API base URL when none is given.
pub const DEFAULT_BASE_URL: &str = "https://api.openai.com";

/// How to reach the OpenAI API: base URL (without `/v1`), timeout, user agent, retries and
/// pacing. Holds no credential.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenAiConfig {
    base_url: String,
    pub(crate) timeout: Duration,
    user_agent: String,
    pub(crate) retry: RetryPolicy,
    min_request_interval: Duration,
}

impl Default for OpenAiConfig {
    /// `https://api.openai.com`, 60 s timeout, default retries, 250 ms pacing.
    fn default() -> Self {
        OpenAiConfig::new(DEFAULT_BASE_URL)
    }
}

impl OpenAiConfig {
    /// A config for the API at `base_url` (`https://api.openai.com`, or a fake's URL); a
    /// trailing `/` is dropped.
    pub fn new(base_url: impl Into<String>) -> Self {
        OpenAiConfig {
            base_url: base_url.into().trim().trim_end_matches('/').to_string(),
            timeout: Duration::from_secs(60),
            user_agent: DEFAULT_USER_AGENT.to_string(),
            retry: RetryPolicy::default(),
            min_request_interval: super::anthropic::DEFAULT_MIN_REQUEST_INTERVAL,
        }
    }

    /// Timeout of one HTTP attempt (default 60 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The `User-Agent` header (default `costledger/<version>`).
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = user_agent.into();
        self
    }

    /// How failed requests are retried.
    pub fn retry_policy(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Least time between the starts of two requests made with the same admin key (default
    /// 250 ms; zero turns pacing off).
    pub fn min_request_interval(mut self, interval: Duration) -> Self {
        self.min_request_interval = interval;
        self
    }

    /// The base URL, without a trailing `/`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    fn validate(&self) -> Result<()> {
        let url = &self.base_url;
        if !(url.starts_with("http://") || url.starts_with("https://"))
            || reqwest::Url::parse(url).is_err()
        {
            return Err(Error::invalid(format!(
                "OpenAI base URL must be an http:// or https:// URL, got {url:?}"
            )));
        }
        if url.ends_with("/v1") {
            return Err(Error::invalid(format!(
                "OpenAI base URL {url:?} ends with /v1; give it without, costledger adds the \
                 /v1/organization/… paths"
            )));
        }
        if self.timeout.is_zero() {
            return Err(Error::invalid(
                "the OpenAI HTTP timeout must be greater than zero",
            ));
        }
        if reqwest::header::HeaderValue::from_str(&self.user_agent).is_err() {
            return Err(Error::invalid(format!(
                "user agent {:?} cannot be sent in an HTTP header; use printable ASCII",
                self.user_agent
            )));
        }
        Ok(())
    }
}

/// OpenAI's organisation APIs as a [`UsageSource`]. Cheap to clone; clones share the
/// connection pool and the per-key pacing. `Debug` never shows a credential (it holds none).
#[derive(Clone)]
pub struct OpenAiSource {
    inner: Arc<Inner>,
}

struct Inner {
    config: OpenAiConfig,
    client: reqwest::Client,
    pacer: Pacer,
}

impl OpenAiSource {
    /// A source with its own HTTP client (rustls, no redirects followed, so the key is never
    /// sent to another host).
    pub fn new(config: OpenAiConfig) -> Result<Self> {
        config.validate()?;
        let client = crate::http::client(Some(config.timeout))?;
        Ok(OpenAiSource {
            inner: Arc::new(Inner {
                config,
                client,
                pacer: Pacer::default(),
            }),
        })
    }

    /// Its config.
    pub fn config(&self) -> &OpenAiConfig {
        &self.inner.config
    }
}

impl fmt::Debug for OpenAiSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OpenAiSource")
            .field("config", &self.inner.config)
            .field("paced_keys", &self.inner.pacer.len())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl UsageSource for OpenAiSource {
    fn provider(&self) -> Provider {
        Provider::OpenAi
    }

    async fn verify(&self, ctx: SourceContext<'_>) -> Result<OrgInfo> {
        Ok(self.identify(&ctx).await?.0)
    }

    async fn metadata(&self, ctx: SourceContext<'_>) -> Result<OrgMetadata> {
        self.org_metadata(&ctx).await
    }

    fn usage<'a>(
        &'a self,
        ctx: SourceContext<'a>,
        request: UsageRequest,
    ) -> PageStream<'a, UsagePage> {
        reports::usage_pages(self, ctx, request)
    }

    fn costs<'a>(
        &'a self,
        ctx: SourceContext<'a>,
        request: CostRequest,
    ) -> PageStream<'a, CostPage> {
        reports::cost_pages(self, ctx, request)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_builder_and_validation() {
        let c = OpenAiConfig::new("http://127.0.0.1:9/ ").timeout(Duration::from_secs(5));
        assert_eq!(c.base_url(), "http://127.0.0.1:9");
        assert!(OpenAiSource::new(c).is_ok());
        for bad in ["ftp://x", "https://api.openai.com/v1", "localhost:8080"] {
            let e = OpenAiSource::new(OpenAiConfig::new(bad)).unwrap_err();
            assert_eq!(e.code(), "INVALID_INPUT", "{bad}");
        }
        assert!(OpenAiSource::new(OpenAiConfig::default().timeout(Duration::ZERO)).is_err());
    }
}

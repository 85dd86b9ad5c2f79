//! The Anthropic Admin API source: organisation identity, metadata, the usage report, the
//! cost report and Claude Code analytics of an organisation reached with its admin key.
//!
//! ```no_run
//! use std::time::Duration;
//! use costledger::source::anthropic::{AnthropicConfig, AnthropicSource, RetryPolicy};
//!
//! let config = AnthropicConfig::new("https://api.anthropic.com")
//!     .timeout(Duration::from_secs(30))
//!     .retry_policy(RetryPolicy { max_retries: 6, ..RetryPolicy::default() })
//!     .min_request_interval(Duration::from_millis(500));
//! let source = AnthropicSource::new(config)?;
//! # Ok::<(), costledger::Error>(())
//! ```
//!
//! Every request is a `GET` with the admin key in `x-api-key` (a header value marked
//! sensitive), `anthropic-version: 2023-06-01` and the user agent `costledger/<version>`.
//! Failures are retried the way the official SDKs retry them (see [`RetryPolicy`]);
//! requests made with one key are spaced by [`AnthropicConfig::min_request_interval`].

pub(crate) mod amounts;
pub mod analytics;
mod claude_code;
mod http;
mod metadata;
pub(crate) mod pacing;
mod pages;
pub(crate) mod reports;
pub(crate) mod retry;
mod wire;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

pub use analytics::{AnalyticsRequest, CredentialReach};
pub use retry::RetryPolicy;

use crate::error::{Error, Result};
use crate::model::{ClaudeCodePage, CostPage, OrgInfo, OrgMetadata, Provider, UsagePage};
use crate::source::{
    ClaudeCodeRequest, CostRequest, PageStream, SourceContext, UsageRequest, UsageSource,
};

/// The `anthropic-version` header every request carries.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// The default user agent: `costledger/<crate version>`.
pub const DEFAULT_USER_AGENT: &str = concat!("costledger/", env!("CARGO_PKG_VERSION"));

/// The default spacing between two requests made with the same admin key.
pub const DEFAULT_MIN_REQUEST_INTERVAL: Duration = Duration::from_millis(250);

/// The Anthropic API base URL when none is given.
pub const DEFAULT_BASE_URL: &str = "https://api.anthropic.com";

/// How to reach the Admin API: base URL, timeout, user agent, retries and pacing.
///
/// Holds no credential: keys travel with each call in [`SourceContext`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnthropicConfig {
    base_url: String,
    pub(crate) timeout: Duration,
    user_agent: String,
    pub(crate) retry: RetryPolicy,
    min_request_interval: Duration,
}

impl Default for AnthropicConfig {
    /// `https://api.anthropic.com`, 60 s timeout, default retries, 250 ms pacing.
    fn default() -> Self {
        AnthropicConfig::new(DEFAULT_BASE_URL)
    }
}

impl AnthropicConfig {
    /// A config for the API at `base_url` (`https://api.anthropic.com`, or a fake's URL);
    /// a trailing `/` is dropped.
    pub fn new(base_url: impl Into<String>) -> Self {
        AnthropicConfig {
            base_url: base_url.into().trim().trim_end_matches('/').to_string(),
            timeout: Duration::from_secs(60),
            user_agent: DEFAULT_USER_AGENT.to_string(),
            retry: RetryPolicy::default(),
            min_request_interval: DEFAULT_MIN_REQUEST_INTERVAL,
        }
    }

    /// Timeout of one HTTP attempt, connection and body included (default 60 s).
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

    /// Retries of a failed request before giving up (shorthand for the policy's field).
    pub fn max_retries(mut self, max_retries: u32) -> Self {
        self.retry.max_retries = max_retries;
        self
    }

    /// Least time between the starts of two requests made with the same admin key, across
    /// every clone of the source (default 250 ms; zero turns pacing off).
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
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(Error::invalid(format!(
                "Anthropic base URL must start with http:// or https://, got {url:?}"
            )));
        }
        if reqwest::Url::parse(url).is_err() {
            return Err(Error::invalid(format!(
                "Anthropic base URL {url:?} is not a valid URL"
            )));
        }
        if self.timeout.is_zero() {
            return Err(Error::invalid(
                "the Anthropic HTTP timeout must be greater than zero",
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

/// The Anthropic Admin API as a [`UsageSource`].
///
/// Cheap to clone; clones share the HTTP connection pool and the per-key pacing, so two
/// syncs of one organisation never exceed the request rate together. `Debug` shows the
/// config, never a credential (the source holds none).
#[derive(Clone)]
pub struct AnthropicSource {
    inner: Arc<Inner>,
}

struct Inner {
    config: AnthropicConfig,
    client: reqwest::Client,
    pacer: pacing::Pacer,
}

impl AnthropicSource {
    /// A source with its own HTTP client (rustls, no redirects followed, so the key is never
    /// sent to another host).
    pub fn new(config: AnthropicConfig) -> Result<Self> {
        let client = crate::http::client(Some(config.timeout))?;
        AnthropicSource::with_client(config, client)
    }

    /// A source that sends its requests through `client` (a shared pool, a proxy). The
    /// config's timeout and user agent are still set on every request. Configure the client
    /// not to follow redirects across hosts: the key travels in a custom header that
    /// redirect policies do not strip.
    pub fn with_client(config: AnthropicConfig, client: reqwest::Client) -> Result<Self> {
        config.validate()?;
        Ok(AnthropicSource {
            inner: Arc::new(Inner {
                config,
                client,
                pacer: pacing::Pacer::default(),
            }),
        })
    }

    /// Its config.
    pub fn config(&self) -> &AnthropicConfig {
        &self.inner.config
    }
}

impl fmt::Debug for AnthropicSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AnthropicSource")
            .field("config", &self.inner.config)
            .field("paced_keys", &self.inner.pacer.len())
            .finish_non_exhaustive()
    }
}

#[async_trait]
impl UsageSource for AnthropicSource {
    fn provider(&self) -> Provider {
        Provider::Anthropic
    }

    fn spend_limit_api(&self) -> Option<&dyn crate::source::SpendLimitApi> {
        Some(self)
    }

    async fn verify(&self, ctx: SourceContext<'_>) -> Result<OrgInfo> {
        Ok(self.me(&ctx).await?.0)
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

    fn claude_code<'a>(
        &'a self,
        ctx: SourceContext<'a>,
        request: ClaudeCodeRequest,
    ) -> PageStream<'a, ClaudeCodePage> {
        claude_code::day_pages(self, ctx, request)
    }

    fn analytics_costs<'a>(
        &'a self,
        ctx: SourceContext<'a>,
        request: AnalyticsRequest,
    ) -> PageStream<'a, crate::model::AnalyticsCostPage> {
        AnthropicSource::analytics_cost(self, ctx, request)
    }

    fn usage_from_analytics<'a>(
        &'a self,
        ctx: SourceContext<'a>,
        request: UsageRequest,
        now: chrono::DateTime<chrono::Utc>,
    ) -> PageStream<'a, UsagePage> {
        AnthropicSource::usage_from_analytics(self, ctx, request, now)
    }

    async fn reach(
        &self,
        ctx: SourceContext<'_>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<crate::model::CredentialReach>> {
        Ok(Some(self.credential_reach(ctx, now).await?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_builder_and_validation() {
        let c = AnthropicConfig::new("http://127.0.0.1:9/ ")
            .timeout(Duration::from_secs(5))
            .max_retries(7)
            .min_request_interval(Duration::ZERO);
        assert_eq!(c.base_url(), "http://127.0.0.1:9");
        assert_eq!(c.retry.max_retries, 7);
        assert_eq!(c.user_agent, DEFAULT_USER_AGENT);
        assert!(DEFAULT_USER_AGENT.starts_with("costledger/0."));
        assert!(AnthropicSource::new(c).is_ok());
        let e = AnthropicSource::new(AnthropicConfig::new("ftp://x")).unwrap_err();
        assert_eq!(e.code(), "INVALID_INPUT");
        assert!(e.to_string().contains("http:// or https://"), "{e}");
        let e = AnthropicSource::new(AnthropicConfig::default().timeout(Duration::ZERO));
        assert!(e.is_err());
    }
}

//! Where usage comes from: the [`UsageSource`] seam and its implementations.
//!
//! A source turns a plan's credential into organisation identity, metadata, and streams of
//! usage and cost pages. It never touches the store; the sync engine writes what it yields.

pub mod anthropic;
pub mod claude_code_logs;
mod failure;
pub mod openai;

use std::fmt;
use std::sync::atomic::{AtomicU32, Ordering};

use async_trait::async_trait;
use chrono::{DateTime, NaiveDate, Utc};
use futures::stream::BoxStream;

use crate::crypto::SecretString;
use crate::error::Result;
pub use crate::model::RequestStats;
use crate::model::{
    BucketWidth, ClaudeCodePage, CostDimension, CostPage, Credential, OrgInfo, OrgMetadata,
    PlanSettings, Provider, UsageDimension, UsagePage,
};

/// Request counts kept live while an operation runs: a source records each request as it
/// sends it, so the counts survive an operation that fails after retries (the sync reports
/// them in its events).
#[derive(Debug, Default)]
pub struct RequestCounter {
    requests: AtomicU32,
    retries: AtomicU32,
}

impl RequestCounter {
    /// Count one request about to be sent; `retry` when it repeats a failed one.
    pub fn record(&self, retry: bool) {
        self.requests.fetch_add(1, Ordering::Relaxed);
        if retry {
            self.retries.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The counts so far.
    pub fn stats(&self) -> RequestStats {
        RequestStats {
            requests: self.requests.load(Ordering::Relaxed),
            retries: self.retries.load(Ordering::Relaxed),
        }
    }
}

/// What a source needs to know about the plan it reads for.
#[derive(Clone, Copy, Debug)]
pub struct SourceContext<'a> {
    /// The plan, when the call is made for a stored plan (not while adding one).
    pub plan_id: Option<i64>,
    /// The opened credential; `None` for sources that need none.
    pub credential: Option<&'a Credential>,
    /// The plan's settings.
    pub settings: &'a PlanSettings,
    /// Where to count each HTTP request as it is sent, when the caller wants live counts.
    pub requests: Option<&'a RequestCounter>,
    /// For an OAuth credential of a stored plan: what refreshes its tokens near expiry and
    /// after a 401, and stores the rotated ones. Without it the credential's access token is
    /// sent as it is.
    pub refresher: Option<&'a dyn TokenRefresher>,
}

/// Keeps an OAuth credential fresh while a source uses it.
#[async_trait]
pub trait TokenRefresher: Send + Sync + fmt::Debug {
    /// The access token to send now, refreshed first when it is about to expire.
    async fn access_token(&self) -> Result<SecretString>;

    /// The provider refused `used` with a 401: refresh (unless another holder already did)
    /// and return the token to retry with.
    async fn after_rejection(&self, used: &SecretString) -> Result<SecretString>;
}

/// A request for usage buckets in `[start, end)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UsageRequest {
    /// First instant wanted; the source rounds it up to a bucket boundary.
    pub start: DateTime<Utc>,
    /// End of the range; the source rounds it down to a bucket boundary.
    pub end: DateTime<Utc>,
    /// Bucket width.
    pub width: BucketWidth,
    /// Dimensions to group by (a sync uses [`UsageDimension::SYNC`]).
    pub group_by: Vec<UsageDimension>,
    /// Buckets per page; `None` uses the maximum for the width.
    pub buckets_per_page: Option<u32>,
}

impl UsageRequest {
    /// A request grouped the way a sync groups: by key, workspace, model, tier and context
    /// window.
    pub fn for_sync(start: DateTime<Utc>, end: DateTime<Utc>, width: BucketWidth) -> Self {
        UsageRequest {
            start,
            end,
            width,
            group_by: UsageDimension::SYNC.to_vec(),
            buckets_per_page: None,
        }
    }
}

/// A request for daily billed cost in `[start, end)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CostRequest {
    /// First instant wanted (rounded up to a day).
    pub start: DateTime<Utc>,
    /// End of the range (rounded down to a day).
    pub end: DateTime<Utc>,
    /// Dimensions to group by (a sync uses both).
    pub group_by: Vec<CostDimension>,
    /// Days per page; `None` uses the maximum (31).
    pub days_per_page: Option<u32>,
}

impl CostRequest {
    /// A request grouped the way a sync groups: by workspace and description, a week per
    /// page (the API's default). Cost rows are many per day (workspace × model × token type ×
    /// tier × window); a week keeps a page, and so a sync's memory, small whatever the history.
    pub fn for_sync(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        CostRequest {
            start,
            end,
            group_by: vec![CostDimension::WorkspaceId, CostDimension::Description],
            days_per_page: Some(7),
        }
    }
}

/// A request for Claude Code analytics of the days in `[start, end)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaudeCodeRequest {
    /// First day.
    pub start: NaiveDate,
    /// Day after the last.
    pub end: NaiveDate,
}

/// A stream of pages; each item is one page or the error that stopped the stream.
pub type PageStream<'a, T> = BoxStream<'a, Result<T>>;

/// A provider of usage, cost and metadata for plans.
#[async_trait]
pub trait UsageSource: Send + Sync + fmt::Debug {
    /// The provider this source serves.
    fn provider(&self) -> Provider;

    /// Check the credential and return the organisation it answers for.
    async fn verify(&self, ctx: SourceContext<'_>) -> Result<OrgInfo>;

    /// Workspaces, API keys of every status, and users, following every cursor to the end.
    async fn metadata(&self, ctx: SourceContext<'_>) -> Result<OrgMetadata>;

    /// Usage pages in time order, following the provider's pagination to the end. A source
    /// of local files ([`UsageSource::local_files`]) yields nothing.
    fn usage<'a>(
        &'a self,
        _ctx: SourceContext<'a>,
        _request: UsageRequest,
    ) -> PageStream<'a, UsagePage> {
        Box::pin(futures::stream::empty())
    }

    /// Billed-cost pages in time order. Sources without a bill yield nothing.
    fn costs<'a>(
        &'a self,
        _ctx: SourceContext<'a>,
        _request: CostRequest,
    ) -> PageStream<'a, CostPage> {
        Box::pin(futures::stream::empty())
    }

    /// The files on this machine the source reads its usage from (Claude Code's logs):
    /// the sync engine has it find and read what is new in them instead of asking for
    /// pages. `None` for a provider's API.
    fn local_files(&self) -> Option<LocalFiles<'_>> {
        None
    }

    /// Claude Code analytics, one page per day. Sources without it yield nothing.
    fn claude_code<'a>(
        &'a self,
        _ctx: SourceContext<'a>,
        _request: ClaudeCodeRequest,
    ) -> PageStream<'a, ClaudeCodePage> {
        Box::pin(futures::stream::empty())
    }

    /// Billed-cost pages of the Anthropic Analytics API. Sources without it yield nothing.
    fn analytics_costs<'a>(
        &'a self,
        _ctx: SourceContext<'a>,
        _request: anthropic::AnalyticsRequest,
    ) -> PageStream<'a, crate::model::AnalyticsCostPage> {
        Box::pin(futures::stream::empty())
    }

    /// Token usage pages read from the Anthropic Analytics API instead of the legacy usage
    /// report (for a credential that never reaches the latter). Sources without it yield
    /// nothing.
    fn usage_from_analytics<'a>(
        &'a self,
        _ctx: SourceContext<'a>,
        _request: UsageRequest,
        _now: chrono::DateTime<chrono::Utc>,
    ) -> PageStream<'a, UsagePage> {
        Box::pin(futures::stream::empty())
    }

    /// The provider's spend limits API, when it has one (Anthropic).
    fn spend_limit_api(&self) -> Option<&dyn SpendLimitApi> {
        None
    }

    /// Which of the provider's APIs the credential reaches at `now`, each checked with one
    /// request; `None` for a provider whose credential reaches one API (OpenAI, local logs).
    async fn reach(
        &self,
        _ctx: SourceContext<'_>,
        _now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<crate::model::CredentialReach>> {
        Ok(None)
    }
}

/// A source's local files, as [`UsageSource::local_files`] gives them to the sync engine:
/// the source finds the files and reads the bytes that are new since the offsets the engine
/// stored; merging what it read into the stored entries, writing it and keeping the offsets
/// are the engine's (`sync::logs`).
pub struct LocalFiles<'a>(pub(crate) &'a dyn LocalFileSource);

impl fmt::Debug for LocalFiles<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("LocalFiles")
    }
}

/// What a source of local files does for the sync engine.
#[async_trait]
pub(crate) trait LocalFileSource: Send + Sync {
    /// Find the plan's files (while the engine reads what the store tracks).
    async fn find(
        &self,
        settings: &crate::model::PlanSettings,
    ) -> Result<Vec<claude_code_logs::scan::FoundFile>>;

    /// Decide, for the files found and those the store tracks, which to read and from where.
    fn plan_reads(
        &self,
        found: Vec<claude_code_logs::scan::FoundFile>,
        tracked: Vec<crate::store::logs::LogFile>,
    ) -> claude_code_logs::files::FileWork;

    /// Read the files of `tasks` from their offsets (each task's file has its store id).
    async fn read(&self, tasks: Vec<claude_code_logs::reader::ReadTask>) -> Result<ReadResults>;
}

/// What [`LocalFileSource::read`] returns: each task with its outcome or why its file could
/// not be read.
pub(crate) type ReadResults = Vec<(
    claude_code_logs::reader::ReadTask,
    std::io::Result<claude_code_logs::reader::ReadOutcome>,
)>;

/// A provider's spend limits: read, set (an upsert on scope and period), delete, and the
/// per-member effective report.
#[async_trait]
pub trait SpendLimitApi: Send + Sync {
    /// Every limit matching the filter.
    async fn list(
        &self,
        ctx: SourceContext<'_>,
        filter: &anthropic::analytics::SpendLimitFilter,
    ) -> Result<Vec<crate::model::SpendLimit>>;

    /// Set a limit; with the organisation's kind known, what it cannot set is refused first.
    async fn set(
        &self,
        ctx: SourceContext<'_>,
        write: &crate::model::SpendLimitWrite,
        kind: Option<crate::model::OrgKind>,
    ) -> Result<crate::model::SpendLimit>;

    /// Delete a limit by id.
    async fn delete(&self, ctx: SourceContext<'_>, id: &str) -> Result<()>;

    /// Each member's effective limit and period-to-date spend (Claude Enterprise).
    async fn effective(
        &self,
        ctx: SourceContext<'_>,
        periods: &[crate::model::SpendPeriod],
        user_ids: &[String],
    ) -> Result<Vec<crate::model::EffectiveSpend>>;
}

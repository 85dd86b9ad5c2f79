//! An organisation's metadata as the provider reports it: workspaces, API keys, users.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::OrgInfo;
use super::RequestStats;

/// A workspace of an organisation. The Default workspace has no id at the provider; it is
/// stored under the id `None` and named by costledger.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Workspace {
    /// The provider's id (`wrkspc_…`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its display colour, e.g. `#6C5BB9`.
    pub display_color: Option<String>,
    /// When it was created.
    pub created_at: Option<DateTime<Utc>>,
    /// When it was archived, if it was.
    pub archived_at: Option<DateTime<Utc>>,
}

/// An API key of an organisation (of any status: archived keys still own usage).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ApiKeyInfo {
    /// The provider's id (`apikey_…`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its workspace; `None` is the Default workspace.
    pub workspace_id: Option<String>,
    /// `active`, `inactive`, `archived`, `expired` (kept as the provider's string).
    pub status: String,
    /// When it was created.
    pub created_at: Option<DateTime<Utc>>,
    /// The id of who created it (a user id for `created_by_type` `user`).
    pub created_by_id: Option<String>,
    /// The kind of creator (`user`, …).
    pub created_by_type: Option<String>,
    /// The provider's own partial hint of the key (`sk-ant-api03-R2D...igAA`).
    pub partial_key_hint: Option<String>,
    /// When it expires, if it does.
    pub expires_at: Option<DateTime<Utc>>,
}

/// A member of an organisation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OrgUser {
    /// The provider's id (`user_…`).
    pub id: String,
    /// Their email address, which attribution matches against subjects.
    pub email: String,
    /// Their name.
    pub name: String,
    /// `user`, `developer`, `billing`, `admin`, `claude_code_user`, … (kept as a string).
    pub role: String,
    /// When they joined.
    pub added_at: Option<DateTime<Utc>>,
}

/// Everything [`crate::source::UsageSource::metadata`] returns.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct OrgMetadata {
    /// The organisation the credential answers for, when the source re-checked it.
    pub org: Option<OrgInfo>,
    /// Workspaces, archived ones included.
    pub workspaces: Vec<Workspace>,
    /// API keys of every status.
    pub api_keys: Vec<ApiKeyInfo>,
    /// Organisation members.
    pub users: Vec<OrgUser>,
    /// Requests and retries it took.
    #[serde(skip)]
    pub stats: RequestStats,
}

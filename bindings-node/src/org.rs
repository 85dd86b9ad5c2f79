//! What a provider says about an organisation: who it is, its workspaces, API keys and
//! members (`Ledger.checkPlan`, `Ledger.planMetadata`).

use napi_derive::napi;

use crate::model::iso_opt;

/// The organisation a credential answers for.
#[napi(object, object_from_js = false)]
pub struct OrgInfo {
    /// The provider's organisation id (a UUID for Anthropic).
    pub id: String,
    /// The organisation's name.
    pub name: String,
}

impl From<costledger::OrgInfo> for OrgInfo {
    fn from(o: costledger::OrgInfo) -> Self {
        OrgInfo {
            id: o.id,
            name: o.name,
        }
    }
}

/// A workspace of an organisation (the Default workspace has none: it is `null` wherever a
/// workspace id is).
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Workspace {
    /// The provider's id (`wrkspc_…`).
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its display colour, e.g. `#6C5BB9`.
    pub display_color: Option<String>,
    /// When it was created (ISO-8601, UTC).
    pub created_at: Option<String>,
    /// When it was archived, if it was (ISO-8601, UTC).
    pub archived_at: Option<String>,
}

impl From<costledger::Workspace> for Workspace {
    fn from(w: costledger::Workspace) -> Self {
        Workspace {
            id: w.id,
            name: w.name,
            display_color: w.display_color,
            created_at: iso_opt(w.created_at),
            archived_at: iso_opt(w.archived_at),
        }
    }
}

/// An API key of an organisation, of any status (archived keys still own their usage).
/// Never the key itself: the provider only tells its partial hint.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct ApiKeyInfo {
    /// The provider's id (`apikey_…`): what `mapKey` takes as `apiKeyId`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// Its workspace; null for the Default workspace.
    pub workspace_id: Option<String>,
    /// `active`, `inactive`, `archived`, `expired` (the provider's word).
    pub status: String,
    /// When it was created (ISO-8601, UTC).
    pub created_at: Option<String>,
    /// Who created it (a user id when `createdByType` is `user`).
    pub created_by_id: Option<String>,
    /// The kind of creator (`user`, …).
    pub created_by_type: Option<String>,
    /// The provider's own partial hint of the key (`sk-ant-api03-R2D...igAA`).
    pub partial_key_hint: Option<String>,
    /// When it expires, if it does (ISO-8601, UTC).
    pub expires_at: Option<String>,
}

impl From<costledger::ApiKeyInfo> for ApiKeyInfo {
    fn from(k: costledger::ApiKeyInfo) -> Self {
        ApiKeyInfo {
            id: k.id,
            name: k.name,
            workspace_id: k.workspace_id,
            status: k.status,
            created_at: iso_opt(k.created_at),
            created_by_id: k.created_by_id,
            created_by_type: k.created_by_type,
            partial_key_hint: k.partial_key_hint,
            expires_at: iso_opt(k.expires_at),
        }
    }
}

/// A member of an organisation.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct OrgUser {
    /// The provider's id (`user_…`).
    pub id: String,
    /// Their email address, which attribution matches against subjects' emails.
    pub email: String,
    /// Their name.
    pub name: String,
    /// `user`, `developer`, `billing`, `admin`, `claude_code_user`, … (the provider's word).
    pub role: String,
    /// When they joined (ISO-8601, UTC).
    pub added_at: Option<String>,
}

impl From<costledger::OrgUser> for OrgUser {
    fn from(u: costledger::OrgUser) -> Self {
        OrgUser {
            id: u.id,
            email: u.email,
            name: u.name,
            role: u.role,
            added_at: iso_opt(u.added_at),
        }
    }
}

/// An organisation's metadata as last synced (the organisation itself is the plan's `orgId`
/// and `orgName`).
#[napi(object, object_from_js = false)]
pub struct OrgMetadata {
    /// Workspaces, archived ones included.
    pub workspaces: Vec<Workspace>,
    /// API keys of every status.
    pub api_keys: Vec<ApiKeyInfo>,
    /// Members.
    pub users: Vec<OrgUser>,
}

impl From<costledger::OrgMetadata> for OrgMetadata {
    fn from(m: costledger::OrgMetadata) -> Self {
        OrgMetadata {
            workspaces: m.workspaces.into_iter().map(Workspace::from).collect(),
            api_keys: m.api_keys.into_iter().map(ApiKeyInfo::from).collect(),
            users: m.users.into_iter().map(OrgUser::from).collect(),
        }
    }
}

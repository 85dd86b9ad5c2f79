//! The organisations: projects, users, service accounts, API keys, vector stores and
//! admin keys (generated from the seed in `generate.rs`).

use chrono::{DateTime, Utc};

use crate::config::KeyKind;

/// A project. Project 0 is the org's Default project.
#[derive(Clone, Debug)]
pub struct Project {
    /// `proj_…`
    pub id: String,
    /// Display name.
    pub name: String,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Set on the one archived project; its usage stops then.
    pub archived_at: Option<DateTime<Utc>>,
}

/// An organisation member.
#[derive(Clone, Debug)]
pub struct User {
    /// `user-…`
    pub id: String,
    /// Full name.
    pub name: String,
    /// `first.last@<slug>.example`
    pub email: String,
    /// `owner` or `reader`.
    pub role: &'static str,
    /// When the user joined.
    pub added_at: DateTime<Utc>,
}

/// A project service account (it owns keys but is not a user).
#[derive(Clone, Debug)]
pub struct ServiceAccount {
    /// `svc_acct_…`
    pub id: String,
    /// Display name.
    pub name: String,
    /// Index into `Org::projects`.
    pub project: usize,
    /// `owner` or `member`.
    pub role: &'static str,
    /// Creation time.
    pub created_at: DateTime<Utc>,
}

/// Who owns a project API key.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Owner {
    /// Index into `Org::users`.
    User(usize),
    /// Index into `Org::service_accounts`.
    ServiceAccount(usize),
}

/// A project API key; its usage appears in the reports.
#[derive(Clone, Debug)]
pub struct ApiKey {
    /// `key_…`
    pub id: String,
    /// Display name.
    pub name: String,
    /// Index into `Org::projects`.
    pub project: usize,
    /// Its owner.
    pub owner: Owner,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// `sk-pro...x9Z` style.
    pub redacted_value: String,
    /// `owner_project_access`: false once the owner lost access to the project.
    pub owner_access: bool,
    /// Deleted keys are never listed, but their past usage stays in the reports.
    pub deleted: bool,
    /// The key has usage only before this time.
    pub usable_until: Option<DateTime<Utc>>,
    /// Relative share of the org's usage.
    pub weight: u64,
}

/// A vector store (file search target, and storage that is billed daily).
#[derive(Clone, Debug)]
pub struct VectorStore {
    /// `vs_…`
    pub id: String,
    /// Index into `Org::projects`.
    pub project: usize,
    /// Storage on the first day, in 16 MiB units.
    pub base_units: u64,
}

/// An admin key the org was created with or that was issued later.
#[derive(Clone, Debug)]
pub struct AdminKey {
    /// `key_…`
    pub id: String,
    /// Display name.
    pub name: String,
    /// The secret, `sk-admin-…`.
    pub value: String,
    /// Its permissions.
    pub kind: KeyKind,
    /// Creation time.
    pub created_at: DateTime<Utc>,
    /// Index into `Org::users` of its owner.
    pub owner: usize,
}

/// One organisation and its metadata.
#[derive(Clone, Debug)]
pub struct Org {
    /// Position among the orgs (part of every random stream about it).
    pub index: usize,
    /// `org-…`
    pub id: String,
    /// Title, e.g. "Acme Robotics".
    pub name: String,
    /// The `openai-organization` header value, e.g. `acme-robotics-k3x9qz`.
    pub slug: String,
    /// Projects; 0 is the Default project, one other is archived.
    pub projects: Vec<Project>,
    /// Members.
    pub users: Vec<User>,
    /// Service accounts.
    pub service_accounts: Vec<ServiceAccount>,
    /// Project API keys, including a deleted one.
    pub api_keys: Vec<ApiKey>,
    /// Vector stores.
    pub vector_stores: Vec<VectorStore>,
    /// The all-permissions and the read-only admin key.
    pub admin_keys: Vec<AdminKey>,
    /// Activity level in percent (scales the number of events per hour).
    pub activity: u64,
}

impl Org {
    /// Index of the archived project.
    pub fn archived_project(&self) -> usize {
        self.projects.len() - 1
    }
}

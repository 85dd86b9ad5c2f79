//! Subjects (the host's users), their projects, and which API keys are theirs when, on
//! `Ledger`.

use costledger::{MappingFilter, NewKeyMapping as CoreNewKeyMapping, NewSubject as CoreNewSubject};
use napi_derive::napi;

use crate::error::run;
use crate::integers;
use crate::ledger::JsLedger;
use crate::model::{iso, iso_opt, parse_instant};

/// A user of the host application, to whom spend is attributed.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct Subject {
    /// The host's id for the user.
    pub id: String,
    /// Their email address: a key created by the organisation member with this email is
    /// theirs unless a mapping says otherwise.
    pub email: Option<String>,
    /// Their display name.
    pub name: Option<String>,
    /// When the subject was first stored (ISO-8601, UTC).
    pub created_at: String,
    /// When it last changed (ISO-8601, UTC).
    pub updated_at: String,
}

impl From<costledger::Subject> for Subject {
    fn from(s: costledger::Subject) -> Self {
        Subject {
            id: s.id,
            email: s.email,
            name: s.name,
            created_at: iso(s.created_at),
            updated_at: iso(s.updated_at),
        }
    }
}

/// A subject to create, or whose email and name to replace.
#[napi(object, object_to_js = false)]
pub struct NewSubject {
    /// The host's id for the user (1-200 characters, trimmed).
    pub id: String,
    /// Email address, unique among subjects (compared without case). Default: none.
    pub email: Option<String>,
    /// Display name (1-200 characters). Default: none.
    pub name: Option<String>,
}

impl From<NewSubject> for CoreNewSubject {
    fn from(s: NewSubject) -> Self {
        CoreNewSubject {
            id: s.id,
            email: s.email,
            name: s.name,
        }
    }
}

/// A named group of a subject's spend. Every subject has one default project, created with
/// it; spend attributed to a subject without a project lands there.
#[napi(object, object_from_js = false)]
pub struct Project {
    /// The project's id.
    pub id: i64,
    /// Its owner.
    pub subject_id: String,
    /// Its name, unique per subject.
    pub name: String,
    /// True for the subject's default project.
    pub is_default: bool,
    /// When it was created (ISO-8601, UTC).
    pub created_at: String,
}

impl From<costledger::Project> for Project {
    fn from(p: costledger::Project) -> Self {
        Project {
            id: p.id,
            subject_id: p.subject_id,
            name: p.name,
            is_default: p.is_default,
            created_at: iso(p.created_at),
        }
    }
}

/// Which projects `listProjects` returns.
#[napi(object, object_to_js = false)]
pub struct ListProjectsOptions {
    /// Only this subject's. Default: everyone's.
    pub subject_id: Option<String>,
}

/// An API key of a plan attributed to a subject (and one of their projects) from `validFrom`
/// until `validTo`.
#[napi(object, object_from_js = false, use_nullable = true)]
pub struct KeyMapping {
    /// The mapping's id.
    pub id: i64,
    /// The plan the key belongs to.
    pub plan_id: i64,
    /// The provider's key id (`apikey_…`).
    pub api_key_id: String,
    /// The subject it is attributed to.
    pub subject_id: String,
    /// The project; null for the subject's default project.
    pub project_id: Option<i64>,
    /// From when, inclusive (ISO-8601, UTC); null from the beginning of the key's history.
    pub valid_from: Option<String>,
    /// Until when, exclusive (ISO-8601, UTC); null while open-ended.
    pub valid_to: Option<String>,
    /// When the mapping was made (ISO-8601, UTC).
    pub created_at: String,
}

impl From<costledger::KeyMapping> for KeyMapping {
    fn from(m: costledger::KeyMapping) -> Self {
        KeyMapping {
            id: m.id,
            plan_id: m.plan_id,
            api_key_id: m.api_key_id,
            subject_id: m.subject_id,
            project_id: m.project_id,
            valid_from: iso_opt(m.valid_from),
            valid_to: iso_opt(m.valid_to),
            created_at: iso(m.created_at),
        }
    }
}

/// A key mapping to create.
#[napi(object, object_to_js = false)]
pub struct NewKeyMapping {
    /// The plan the key belongs to.
    pub plan_id: f64,
    /// The provider's key id (`apikey_…`, from `planMetadata(planId).apiKeys`).
    pub api_key_id: String,
    /// The subject.
    pub subject_id: String,
    /// One of the subject's projects. Default: their default project.
    pub project_id: Option<f64>,
    /// From when (ISO-8601, like `2026-11-05T00:00:00Z`). Default: the beginning of the
    /// key's history.
    pub valid_from: Option<String>,
    /// Until when, exclusive (ISO-8601). Default: open-ended.
    pub valid_to: Option<String>,
}

impl TryFrom<NewKeyMapping> for CoreNewKeyMapping {
    type Error = costledger::Error;

    fn try_from(m: NewKeyMapping) -> costledger::Result<Self> {
        let instant = |what, t: Option<String>| t.map(|t| parse_instant(what, &t)).transpose();
        Ok(CoreNewKeyMapping {
            plan_id: integers::id("planId", m.plan_id)?,
            api_key_id: m.api_key_id,
            subject_id: m.subject_id,
            project_id: integers::opt_id("projectId", m.project_id)?,
            valid_from: instant("validFrom", m.valid_from)?,
            valid_to: instant("validTo", m.valid_to)?,
        })
    }
}

/// Which mappings `listMappings` returns; every field narrows the list.
#[napi(object, object_to_js = false)]
pub struct ListMappingsOptions {
    /// Only this plan's.
    pub plan_id: Option<f64>,
    /// Only this key's.
    pub api_key_id: Option<String>,
    /// Only this subject's.
    pub subject_id: Option<String>,
}

impl TryFrom<ListMappingsOptions> for MappingFilter {
    type Error = costledger::Error;

    fn try_from(o: ListMappingsOptions) -> costledger::Result<Self> {
        Ok(MappingFilter {
            plan_id: integers::opt_id("planId", o.plan_id)?,
            api_key_id: o.api_key_id,
            subject_id: o.subject_id,
        })
    }
}

#[napi]
impl JsLedger {
    /// Create a subject (a user of the host application) or replace its email and name. A
    /// new subject gets a default project. An email already used by another subject is
    /// `CONFLICT`.
    #[napi(catch_unwind)]
    pub async fn upsert_subject(&self, subject: NewSubject) -> napi::Result<Subject> {
        run(self.inner.upsert_subject(subject.into()))
            .await
            .map(Subject::from)
    }

    /// One subject, or `SUBJECT_NOT_FOUND`.
    #[napi(catch_unwind)]
    pub async fn get_subject(&self, id: String) -> napi::Result<Subject> {
        run(self.inner.get_subject(&id)).await.map(Subject::from)
    }

    /// Every subject, by id.
    #[napi(catch_unwind)]
    pub async fn list_subjects(&self) -> napi::Result<Vec<Subject>> {
        let subjects = run(self.inner.list_subjects()).await?;
        Ok(subjects.into_iter().map(Subject::from).collect())
    }

    /// Delete a subject, its projects and its mappings; their keys become unattributed
    /// (unless the key creator's email matches another subject). `SUBJECT_NOT_FOUND` when
    /// there is none.
    #[napi(catch_unwind)]
    pub async fn delete_subject(&self, id: String) -> napi::Result<()> {
        run(self.inner.delete_subject(&id)).await
    }

    /// Create a project owned by a subject: its name (1-200 characters, trimmed) is unique
    /// per subject (`CONFLICT`); `SUBJECT_NOT_FOUND` when the subject does not exist.
    #[napi(catch_unwind)]
    pub async fn create_project(&self, subject_id: String, name: String) -> napi::Result<Project> {
        run(self.inner.create_project(&subject_id, &name))
            .await
            .map(Project::from)
    }

    /// Projects of one subject, or of everyone, by id.
    #[napi(catch_unwind)]
    pub async fn list_projects(
        &self,
        options: Option<ListProjectsOptions>,
    ) -> napi::Result<Vec<Project>> {
        let subject_id = options.and_then(|o| o.subject_id);
        let projects = run(self.inner.list_projects(subject_id.as_deref())).await?;
        Ok(projects.into_iter().map(Project::from).collect())
    }

    /// Delete a project (not a default one: `INVALID_INPUT`); keys mapped to it fall back to
    /// its subject's default project. `PROJECT_NOT_FOUND` when there is none.
    #[napi(catch_unwind)]
    pub async fn delete_project(&self, id: f64) -> napi::Result<()> {
        run(async { self.inner.delete_project(integers::id("id", id)?).await }).await
    }

    /// Attribute an API key of a plan to a subject (and project) from `validFrom` until
    /// `validTo`. When the key changes hands, map it to the new subject from that instant:
    /// the previous open-ended mapping is closed there. Any other overlap with a mapping of
    /// the key is `CONFLICT`. Reports change at once; no re-sync is needed.
    #[napi(catch_unwind)]
    pub async fn map_key(&self, mapping: NewKeyMapping) -> napi::Result<KeyMapping> {
        run(async { self.inner.map_key(mapping.try_into()?).await })
            .await
            .map(KeyMapping::from)
    }

    /// Key mappings, narrowed by plan, key and subject.
    #[napi(catch_unwind)]
    pub async fn list_mappings(
        &self,
        options: Option<ListMappingsOptions>,
    ) -> napi::Result<Vec<KeyMapping>> {
        let mappings = run(async {
            let filter = options.map(MappingFilter::try_from).transpose()?;
            self.inner.list_mappings(filter.unwrap_or_default()).await
        })
        .await?;
        Ok(mappings.into_iter().map(KeyMapping::from).collect())
    }

    /// End a mapping at `at` (ISO-8601): from then on the key falls back to its creator's
    /// email (or nobody). `MAPPING_NOT_FOUND` when there is none.
    #[napi(catch_unwind)]
    pub async fn end_mapping(&self, id: f64, at: String) -> napi::Result<KeyMapping> {
        run(async {
            let id = integers::id("id", id)?;
            self.inner.end_mapping(id, parse_instant("at", &at)?).await
        })
        .await
        .map(KeyMapping::from)
    }

    /// Delete a mapping; `MAPPING_NOT_FOUND` when there is none.
    #[napi(catch_unwind)]
    pub async fn delete_mapping(&self, id: f64) -> napi::Result<()> {
        run(async { self.inner.delete_mapping(integers::id("id", id)?).await }).await
    }
}

//! Subjects (the host's users), their projects, and which API keys are theirs when, on
//! `Ledger`.

use costledger::{MappingFilter, NewKeyMapping as CoreNewKeyMapping, NewSubject as CoreNewSubject};
use napi_derive::napi;

use crate::error::{run, run_json};
use crate::integers;
use crate::ledger::JsLedger;
use crate::model::parse_instant;

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

/// Which projects `listProjects` returns.
#[napi(object, object_to_js = false)]
pub struct ListProjectsOptions {
    /// Only this subject's. Default: everyone's.
    pub subject_id: Option<String>,
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
    pub async fn upsert_subject(&self, subject: NewSubject) -> napi::Result<String> {
        run_json(self.inner.upsert_subject(subject.into())).await
    }

    /// One subject, or `SUBJECT_NOT_FOUND`.
    #[napi(catch_unwind)]
    pub async fn get_subject(&self, id: String) -> napi::Result<String> {
        run_json(self.inner.get_subject(&id)).await
    }

    /// Every subject, by id.
    #[napi(catch_unwind)]
    pub async fn list_subjects(&self) -> napi::Result<String> {
        run_json(self.inner.list_subjects()).await
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
    pub async fn create_project(&self, subject_id: String, name: String) -> napi::Result<String> {
        run_json(self.inner.create_project(&subject_id, &name)).await
    }

    /// Projects of one subject, or of everyone, by id.
    #[napi(catch_unwind)]
    pub async fn list_projects(
        &self,
        options: Option<ListProjectsOptions>,
    ) -> napi::Result<String> {
        let subject_id = options.and_then(|o| o.subject_id);
        run_json(self.inner.list_projects(subject_id.as_deref())).await
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
    pub async fn map_key(&self, mapping: NewKeyMapping) -> napi::Result<String> {
        run_json(async { self.inner.map_key(mapping.try_into()?).await }).await
    }

    /// Key mappings, narrowed by plan, key and subject.
    #[napi(catch_unwind)]
    pub async fn list_mappings(
        &self,
        options: Option<ListMappingsOptions>,
    ) -> napi::Result<String> {
        run_json(async {
            let filter = options.map(MappingFilter::try_from).transpose()?;
            self.inner.list_mappings(filter.unwrap_or_default()).await
        })
        .await
    }

    /// End a mapping at `at` (ISO-8601): from then on the key falls back to its creator's
    /// email (or nobody). `MAPPING_NOT_FOUND` when there is none.
    #[napi(catch_unwind)]
    pub async fn end_mapping(&self, id: f64, at: String) -> napi::Result<String> {
        run_json(async {
            let id = integers::id("id", id)?;
            self.inner.end_mapping(id, parse_instant("at", &at)?).await
        })
        .await
    }

    /// Delete a mapping; `MAPPING_NOT_FOUND` when there is none.
    #[napi(catch_unwind)]
    pub async fn delete_mapping(&self, id: f64) -> napi::Result<()> {
        run(async { self.inner.delete_mapping(integers::id("id", id)?).await }).await
    }
}

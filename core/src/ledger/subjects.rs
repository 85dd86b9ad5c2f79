//! Subjects, projects and key mappings on [`Ledger`].

use super::Ledger;
use crate::error::{Error, Result};
use crate::model::{
    KeyMapping, MappingFilter, NewKeyMapping, NewSubject, Project, Subject, check_text,
};

impl Ledger {
    /// Create a subject (a user of the host application) or replace its email and name. A new
    /// subject gets a default project. An email already used by another subject is `CONFLICT`.
    pub async fn upsert_subject(&self, subject: NewSubject) -> Result<Subject> {
        let subject = subject.validated()?;
        self.inner
            .store
            .upsert_subject(&subject, self.inner.now())
            .await
    }

    /// One subject, or `SUBJECT_NOT_FOUND`.
    pub async fn get_subject(&self, id: &str) -> Result<Subject> {
        self.inner.store.get_subject(id).await
    }

    /// Every subject, by id.
    pub async fn list_subjects(&self) -> Result<Vec<Subject>> {
        self.inner.store.list_subjects().await
    }

    /// Delete a subject, its projects and its mappings; their keys become unattributed
    /// (unless another rule attributes them).
    pub async fn delete_subject(&self, id: &str) -> Result<()> {
        self.inner.store.delete_subject(id).await
    }

    /// Create a project owned by a subject (names are unique per subject).
    pub async fn create_project(&self, subject_id: &str, name: &str) -> Result<Project> {
        let name = name.trim();
        check_text("project name", name, 1, 200)?;
        self.inner
            .store
            .create_project(subject_id, name, self.inner.now())
            .await
    }

    /// Projects of a subject, or of everyone.
    pub async fn list_projects(&self, subject_id: Option<&str>) -> Result<Vec<Project>> {
        self.inner.store.list_projects(subject_id).await
    }

    /// Delete a project (not a default one); keys mapped to it fall back to its subject's
    /// default project.
    pub async fn delete_project(&self, id: i64) -> Result<()> {
        self.inner.store.delete_project(id).await
    }

    /// Attribute an API key of a plan to a subject (and project) from `valid_from` (default:
    /// all of its history) until `valid_to` (default: open-ended). When the key changes hands,
    /// map it to the new subject from that instant: the previous open-ended mapping is closed
    /// there. Any other overlap with an existing mapping of the key is `CONFLICT`. Reports
    /// change at once; no re-sync is needed.
    pub async fn map_key(&self, mapping: NewKeyMapping) -> Result<KeyMapping> {
        let mut mapping = mapping;
        mapping.api_key_id = mapping.api_key_id.trim().to_string();
        check_text("API key id", &mapping.api_key_id, 1, 200)?;
        if let (Some(from), Some(to)) = (mapping.valid_from, mapping.valid_to)
            && to <= from
        {
            return Err(Error::invalid(format!(
                "a mapping must end after it starts, got {from} to {to}"
            )));
        }
        self.inner
            .store
            .insert_mapping(&mapping, self.inner.now())
            .await
    }

    /// Mappings matching the filter.
    pub async fn list_mappings(&self, filter: MappingFilter) -> Result<Vec<KeyMapping>> {
        self.inner.store.list_mappings(&filter).await
    }

    /// End a mapping at `at`: from then on the key falls back to its creator (or nobody).
    pub async fn end_mapping(
        &self,
        id: i64,
        at: chrono::DateTime<chrono::Utc>,
    ) -> Result<KeyMapping> {
        self.inner.store.end_mapping(id, at).await
    }

    /// Delete a mapping.
    pub async fn delete_mapping(&self, id: i64) -> Result<()> {
        self.inner.store.delete_mapping(id).await
    }
}

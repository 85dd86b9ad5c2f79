//! [`SubjectStore`]: the host's subjects (people, teams), their projects, and the mappings
//! that attribute keys to them.

use std::fmt;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

use crate::error::Result;
use crate::model::{KeyMapping, MappingFilter, NewKeyMapping, NewSubject, Project, Subject};

/// Subjects, projects and key mappings.
#[async_trait]
pub trait SubjectStore: Send + Sync + fmt::Debug {
    /// Create or update a validated subject; a new subject gets its default project. An email
    /// used by another subject is `CONFLICT`.
    async fn upsert_subject(&self, subject: &NewSubject, now: DateTime<Utc>) -> Result<Subject>;

    /// One subject, or `SUBJECT_NOT_FOUND`.
    async fn get_subject(&self, id: &str) -> Result<Subject>;

    /// Every subject, by id.
    async fn list_subjects(&self) -> Result<Vec<Subject>>;

    /// Delete a subject with its projects and mappings.
    async fn delete_subject(&self, id: &str) -> Result<()>;

    /// Create a project of a subject; a name in use is `CONFLICT`.
    async fn create_project(
        &self,
        subject_id: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Project>;

    /// One project, or `PROJECT_NOT_FOUND`.
    async fn get_project(&self, id: i64) -> Result<Project>;

    /// Projects, of one subject or of all, by id.
    async fn list_projects(&self, subject_id: Option<&str>) -> Result<Vec<Project>>;

    /// Delete a project that is not its subject's default; its mappings fall back to the
    /// default project.
    async fn delete_project(&self, id: i64) -> Result<()>;

    /// Store a mapping whose fields were checked. An open-ended mapping of the same key that
    /// starts earlier is closed at the new one's start; any other overlap is `CONFLICT`.
    async fn insert_mapping(
        &self,
        mapping: &NewKeyMapping,
        now: DateTime<Utc>,
    ) -> Result<KeyMapping>;

    /// Mappings matching the filter, by plan, key and start.
    async fn list_mappings(&self, filter: &MappingFilter) -> Result<Vec<KeyMapping>>;

    /// End a mapping at `at` (not before its start).
    async fn end_mapping(&self, id: i64, at: DateTime<Utc>) -> Result<KeyMapping>;

    /// Delete a mapping.
    async fn delete_mapping(&self, id: i64) -> Result<()>;

    /// For each API key of these plans whose creator is an org user: the creator's
    /// normalised email, for attribution without a mapping.
    async fn key_creator_emails(&self, plan_ids: &[i64]) -> Result<Vec<(i64, String, String)>>;

    /// (plan, user id, normalised email) of every org member of these plans, and of every
    /// person the Analytics API named with an email who is not in their org's user list (a
    /// former member): one query, for attribution by email.
    async fn member_emails(&self, plan_ids: &[i64]) -> Result<Vec<(i64, String, String)>>;

    /// Every (scope, version) of attribution's inputs, by scope: a write to mappings,
    /// subjects or projects bumps scope 0, one to a plan's API keys, org users or analytics
    /// actors bumps the plan's id, in the writing transaction. Two equal lists mean nothing
    /// attribution reads changed in between.
    async fn attribution_versions(&self) -> Result<Vec<(i64, i64)>>;
}

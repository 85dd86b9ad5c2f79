//! Subjects, projects and key mappings (core `ledger/subjects.rs`): who the host's users are,
//! their projects, and which API keys are theirs when.

use chrono::{DateTime, Utc};
use costledger::{MappingFilter, NewKeyMapping, NewSubject};
use pyo3::prelude::*;

use crate::ledger::PyLedger;
use crate::pending::Pending;

#[pymethods]
impl PyLedger {
    /// Create a subject, or replace its email and name.
    #[pyo3(signature = (id, email=None, name=None))]
    fn upsert_subject(&self, id: String, email: Option<String>, name: Option<String>) -> Pending {
        let ledger = self.inner.clone();
        let subject = NewSubject { id, email, name };
        Pending::json(async move { ledger.upsert_subject(subject).await })
    }

    /// One subject, or `SUBJECT_NOT_FOUND`.
    fn get_subject(&self, id: String) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.get_subject(&id).await })
    }

    /// Every subject, by id.
    fn list_subjects(&self) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.list_subjects().await })
    }

    /// Delete a subject, its projects and its mappings.
    fn delete_subject(&self, id: String) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.delete_subject(&id).await })
    }

    /// Create a project owned by a subject.
    fn create_project(&self, subject_id: String, name: String) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.create_project(&subject_id, &name).await })
    }

    /// Projects of a subject, or of everyone.
    #[pyo3(signature = (subject_id=None))]
    fn list_projects(&self, subject_id: Option<String>) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.list_projects(subject_id.as_deref()).await })
    }

    /// Delete a project (not a default one).
    fn delete_project(&self, id: i64) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.delete_project(id).await })
    }

    /// Attribute an API key of a plan to a subject (and project) over a time range.
    #[pyo3(signature = (plan_id, api_key_id, subject_id, project_id=None, valid_from=None, valid_to=None))]
    fn map_key(
        &self,
        plan_id: i64,
        api_key_id: String,
        subject_id: String,
        project_id: Option<i64>,
        valid_from: Option<DateTime<Utc>>,
        valid_to: Option<DateTime<Utc>>,
    ) -> Pending {
        let ledger = self.inner.clone();
        let mapping = NewKeyMapping {
            plan_id,
            api_key_id,
            subject_id,
            project_id,
            valid_from,
            valid_to,
        };
        Pending::json(async move { ledger.map_key(mapping).await })
    }

    /// Mappings matching the filter.
    #[pyo3(signature = (plan_id=None, api_key_id=None, subject_id=None))]
    fn list_mappings(
        &self,
        plan_id: Option<i64>,
        api_key_id: Option<String>,
        subject_id: Option<String>,
    ) -> Pending {
        let ledger = self.inner.clone();
        let filter = MappingFilter {
            plan_id,
            api_key_id,
            subject_id,
        };
        Pending::json(async move { ledger.list_mappings(filter).await })
    }

    /// End a mapping at an instant.
    fn end_mapping(&self, id: i64, at: DateTime<Utc>) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.end_mapping(id, at).await })
    }

    /// Delete a mapping.
    fn delete_mapping(&self, id: i64) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move { ledger.delete_mapping(id).await })
    }
}

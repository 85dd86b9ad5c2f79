//! The host's users (subjects), their projects, and which API keys are theirs when.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A user of the host application, to whom spend is attributed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Subject {
    /// The host's id for the user.
    pub id: String,
    /// Their email address: a key created by the org user with this email is theirs unless
    /// a mapping says otherwise.
    pub email: Option<String>,
    /// Their display name.
    pub name: Option<String>,
    /// When the subject was first stored.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
}

/// A subject to create or update ([`crate::Ledger::upsert_subject`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewSubject {
    /// The host's id (1-200 characters).
    pub id: String,
    /// Email address (unique among subjects, compared without case).
    pub email: Option<String>,
    /// Display name.
    pub name: Option<String>,
}

impl NewSubject {
    /// A subject with this id.
    pub fn new(id: impl Into<String>) -> Self {
        NewSubject {
            id: id.into(),
            ..Self::default()
        }
    }

    /// Set the email address.
    pub fn email(mut self, email: impl Into<String>) -> Self {
        self.email = Some(email.into());
        self
    }

    /// Set the display name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Trim and check the fields.
    pub fn validated(&self) -> Result<NewSubject> {
        let id = self.id.trim();
        check_text("subject id", id, 1, 200)?;
        let email = match self
            .email
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            None => None,
            Some(e) => {
                let (local, domain) = e.split_once('@').unwrap_or(("", ""));
                if local.is_empty()
                    || domain.is_empty()
                    || e.len() > 320
                    || e.contains(char::is_whitespace)
                {
                    return Err(Error::invalid(format!(
                        "email must look like name@domain (at most 320 characters), got {e:?}"
                    )));
                }
                Some(e.to_string())
            }
        };
        let name = match self
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            None => None,
            Some(n) => {
                check_text("subject name", n, 1, 200)?;
                Some(n.to_string())
            }
        };
        Ok(NewSubject {
            id: id.to_string(),
            email,
            name,
        })
    }
}

/// The form of an email address that attribution compares.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// Check a free-text field's length (in characters) and that it has no control characters.
pub(crate) fn check_text(what: &str, text: &str, min: usize, max: usize) -> Result<()> {
    let chars = text.chars().count();
    if chars < min || chars > max {
        return Err(Error::invalid(format!(
            "{what} must be {min}-{max} characters, got {chars}"
        )));
    }
    if text.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "{what} must not contain control characters"
        )));
    }
    Ok(())
}

/// A named group of spend owned by a subject. Every subject has one default project, created
/// with it; spend attributed to a subject without a project lands there.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Project {
    /// The project's id.
    pub id: i64,
    /// Its owner.
    pub subject_id: String,
    /// Its name, unique per subject.
    pub name: String,
    /// True for the subject's default project.
    pub is_default: bool,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// Name of the project every subject gets.
pub const DEFAULT_PROJECT_NAME: &str = "Default";

/// An API key of a plan attributed to a subject (and one of their projects) from
/// `valid_from` until `valid_to`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct KeyMapping {
    /// The mapping's id.
    pub id: i64,
    /// The plan the key belongs to.
    pub plan_id: i64,
    /// The provider's key id.
    pub api_key_id: String,
    /// The subject it is attributed to.
    pub subject_id: String,
    /// The project, or the subject's default project when `None`.
    pub project_id: Option<i64>,
    /// From when (inclusive); `None` is the beginning of the key's history.
    pub valid_from: Option<DateTime<Utc>>,
    /// Until when (exclusive); `None` is open-ended.
    pub valid_to: Option<DateTime<Utc>>,
    /// When the mapping was made.
    pub created_at: DateTime<Utc>,
}

impl KeyMapping {
    /// True when the mapping covers `at`.
    pub fn covers(&self, at: DateTime<Utc>) -> bool {
        self.valid_from.is_none_or(|start| start <= at) && self.valid_to.is_none_or(|end| at < end)
    }
}

/// A mapping to create ([`crate::Ledger::map_key`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewKeyMapping {
    /// The plan.
    pub plan_id: i64,
    /// The provider's key id (`apikey_…`).
    pub api_key_id: String,
    /// The subject.
    pub subject_id: String,
    /// One of the subject's projects; `None` for the default project.
    pub project_id: Option<i64>,
    /// From when; `None` is the beginning of the plan's history.
    pub valid_from: Option<DateTime<Utc>>,
    /// Until when; `None` is open-ended.
    pub valid_to: Option<DateTime<Utc>>,
}

impl NewKeyMapping {
    /// Key `api_key_id` of `plan_id` belongs to `subject_id` for all of its history.
    pub fn new(plan_id: i64, api_key_id: impl Into<String>, subject_id: impl Into<String>) -> Self {
        NewKeyMapping {
            plan_id,
            api_key_id: api_key_id.into(),
            subject_id: subject_id.into(),
            project_id: None,
            valid_from: None,
            valid_to: None,
        }
    }

    /// Attribute to this project.
    pub fn project(mut self, project_id: i64) -> Self {
        self.project_id = Some(project_id);
        self
    }

    /// Starting at this instant (the key changed hands).
    pub fn from(mut self, at: DateTime<Utc>) -> Self {
        self.valid_from = Some(at);
        self
    }

    /// Ending at this instant.
    pub fn until(mut self, at: DateTime<Utc>) -> Self {
        self.valid_to = Some(at);
        self
    }
}

/// Which mappings [`crate::Ledger::list_mappings`] returns.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MappingFilter {
    /// Only this plan's.
    pub plan_id: Option<i64>,
    /// Only this key's.
    pub api_key_id: Option<String>,
    /// Only this subject's.
    pub subject_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_trimmed_and_checked() {
        let s = NewSubject::new(" u1 ")
            .email(" Ada@Example.com ")
            .name(" Ada ")
            .validated()
            .unwrap();
        assert_eq!(
            (s.id.as_str(), s.email.as_deref(), s.name.as_deref()),
            ("u1", Some("Ada@Example.com"), Some("Ada"))
        );
        assert_eq!(normalise_email(" Ada@Example.COM "), "ada@example.com");
        let e = NewSubject::new("").validated().unwrap_err();
        assert_eq!(e.to_string(), "subject id must be 1-200 characters, got 0");
        let e = NewSubject::new("u")
            .email("not-an-email")
            .validated()
            .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("email must look like name@domain"),
            "{e}"
        );
        assert_eq!(
            NewSubject::new("u").email("  ").validated().unwrap().email,
            None
        );
    }
}

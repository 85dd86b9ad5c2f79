//! What a budget counts: its scope, and the text and JSON forms of it.

use std::fmt;

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use super::WorkspaceRef;
use crate::error::{Error, Result};

/// What a budget counts the spend of.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum BudgetScope {
    /// Every plan, disconnected ones included.
    Global,
    /// One plan.
    Plan(i64),
    /// One workspace of one plan (`workspace_id: None` is its Default workspace).
    Workspace(WorkspaceRef),
    /// The keys attributed to one subject.
    Subject(String),
    /// The keys attributed to one project of a subject.
    Project(i64),
}

impl BudgetScope {
    /// One workspace of a plan (`None` for its Default workspace).
    pub fn workspace(plan_id: i64, workspace_id: Option<String>) -> Self {
        BudgetScope::Workspace(WorkspaceRef {
            plan_id,
            workspace_id,
        })
    }

    /// A subject's keys.
    pub fn subject(subject_id: impl Into<String>) -> Self {
        BudgetScope::Subject(subject_id.into())
    }

    /// The stable name of its kind: `global`, `plan`, `workspace`, `subject` or `project`.
    pub fn kind(&self) -> &'static str {
        match self {
            BudgetScope::Global => "global",
            BudgetScope::Plan(_) => "plan",
            BudgetScope::Workspace(_) => "workspace",
            BudgetScope::Subject(_) => "subject",
            BudgetScope::Project(_) => "project",
        }
    }

    /// Rebuild a scope from its stored columns.
    pub(crate) fn from_columns(
        kind: &str,
        plan_id: Option<i64>,
        workspace_id: Option<String>,
        subject_id: Option<String>,
        project_id: Option<i64>,
    ) -> Result<BudgetScope> {
        let bad = || Error::Storage {
            message: format!("stored budget scope {kind:?} is missing its target"),
            source: None,
        };
        Ok(match kind {
            "global" => BudgetScope::Global,
            "plan" => BudgetScope::Plan(plan_id.ok_or_else(bad)?),
            "workspace" => BudgetScope::workspace(plan_id.ok_or_else(bad)?, workspace_id),
            "subject" => BudgetScope::Subject(subject_id.ok_or_else(bad)?),
            "project" => BudgetScope::Project(project_id.ok_or_else(bad)?),
            _ => return Err(bad()),
        })
    }

    /// The plan id a plan or workspace scope names.
    pub(crate) fn plan_id(&self) -> Option<i64> {
        match self {
            BudgetScope::Plan(id) => Some(*id),
            BudgetScope::Workspace(ws) => Some(ws.plan_id),
            _ => None,
        }
    }
}

impl std::str::FromStr for BudgetScope {
    type Err = Error;

    /// `global`, `plan:ID`, `workspace:PLAN:WORKSPACE` (`workspace:PLAN:default` for the
    /// Default workspace), `subject:ID` or `project:ID`.
    fn from_str(text: &str) -> Result<BudgetScope> {
        let bad = || {
            Error::invalid(format!(
                "budget scope must be global, plan:ID, workspace:PLAN:WORKSPACE (or \
                 workspace:PLAN:default), subject:ID or project:ID, got {text:?}"
            ))
        };
        let id = |s: &str| s.trim().parse::<i64>().map_err(|_| bad());
        let text = text.trim();
        let (kind, rest) = text.split_once(':').unwrap_or((text, ""));
        Ok(match kind {
            "global" if rest.is_empty() => BudgetScope::Global,
            "plan" => BudgetScope::Plan(id(rest)?),
            "workspace" => {
                let (plan, ws) = rest.split_once(':').ok_or_else(bad)?;
                let ws = ws.trim();
                if ws.is_empty() {
                    return Err(bad());
                }
                let ws = (ws != "default").then(|| ws.to_string());
                BudgetScope::workspace(id(plan)?, ws)
            }
            "subject" if !rest.trim().is_empty() => BudgetScope::Subject(rest.trim().to_string()),
            "project" => BudgetScope::Project(id(rest)?),
            _ => return Err(bad()),
        })
    }
}

impl BudgetScope {
    /// The scope in the form [`BudgetScope::from_str`](std::str::FromStr) reads: `global`,
    /// `plan:3`, `workspace:3:wrkspc_…`, `workspace:3:default`, `subject:u-1`, `project:7`.
    pub fn spec(&self) -> String {
        match self {
            BudgetScope::Global => "global".to_string(),
            BudgetScope::Plan(id) => format!("plan:{id}"),
            BudgetScope::Workspace(ws) => format!(
                "workspace:{}:{}",
                ws.plan_id,
                ws.workspace_id.as_deref().unwrap_or("default")
            ),
            BudgetScope::Subject(id) => format!("subject:{id}"),
            BudgetScope::Project(id) => format!("project:{id}"),
        }
    }
}

impl fmt::Display for BudgetScope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BudgetScope::Global => f.write_str("every plan"),
            BudgetScope::Plan(id) => write!(f, "plan {id}"),
            BudgetScope::Workspace(ws) => match &ws.workspace_id {
                Some(w) => write!(f, "workspace {w:?} of plan {}", ws.plan_id),
                None => write!(f, "the Default workspace of plan {}", ws.plan_id),
            },
            BudgetScope::Subject(id) => write!(f, "subject {id:?}"),
            BudgetScope::Project(id) => write!(f, "project {id}"),
        }
    }
}

/// In the bindings' schema: the flat object `Serialize` writes.
impl schemars::JsonSchema for BudgetScope {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "BudgetScope".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "object",
            "description": "What a budget counts: `kind`, and the target fields that kind has.",
            "properties": {
                "kind": {
                    "type": "string",
                    "enum": ["global", "plan", "workspace", "subject", "project"],
                    "description": "What kind of target.",
                },
                "plan_id": {"type": "integer", "description": "The plan, for `plan` and `workspace` scopes."},
                "workspace_id": {
                    "type": ["string", "null"],
                    "description": "The workspace, for `workspace` scopes; null for the plan's Default workspace.",
                },
                "subject_id": {"type": "string", "description": "The subject, for `subject` scopes."},
                "project_id": {"type": "integer", "description": "The project, for `project` scopes."},
            },
            "required": ["kind"],
        })
    }
}

impl Serialize for BudgetScope {
    /// Flat: `{"kind": "workspace", "plan_id": 1, "workspace_id": null}`, with only the
    /// fields the kind has.
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        map.serialize_entry("kind", self.kind())?;
        match self {
            BudgetScope::Global => {}
            BudgetScope::Plan(id) => map.serialize_entry("plan_id", id)?,
            BudgetScope::Workspace(ws) => {
                map.serialize_entry("plan_id", &ws.plan_id)?;
                map.serialize_entry("workspace_id", &ws.workspace_id)?;
            }
            BudgetScope::Subject(id) => map.serialize_entry("subject_id", id)?,
            BudgetScope::Project(id) => map.serialize_entry("project_id", id)?,
        }
        map.end()
    }
}

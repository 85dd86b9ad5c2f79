//! [`Reply`]: what a [`Ledger::call`](crate::Ledger::call) returns, the value's JSON and a
//! report's exports.

use std::sync::Arc;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::reports::export::{self, Export, ExportRecord};

/// What a [`Ledger::call`](crate::Ledger::call) returned: the value as the core's compact
/// JSON and, for a report, the value itself behind its [`Export`] (JSON and CSV on demand).
pub struct Reply {
    data: String,
    exports: Option<Arc<dyn Export + Send + Sync>>,
}

impl std::fmt::Debug for Reply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reply")
            .field("data_bytes", &self.data.len())
            .field("exports", &self.exports.is_some())
            .finish()
    }
}

impl Reply {
    /// The value as compact JSON (`null` for a method that returns nothing).
    pub fn data(&self) -> &str {
        &self.data
    }

    /// The value's JSON, given up.
    pub fn into_data(self) -> String {
        self.data
    }

    /// The exports of a report; `None` for other values.
    pub fn exports(&self) -> Option<Arc<dyn Export + Send + Sync>> {
        self.exports.clone()
    }

    /// A value's reply: its JSON, no exports.
    pub fn value<T: Serialize>(value: &T) -> Result<Reply> {
        let data = serde_json::to_string(value)
            .map_err(|e| Error::internal(format!("cannot write a result as JSON: {e}")))?;
        Ok(Reply {
            data,
            exports: None,
        })
    }

    /// A report's reply: its JSON, and its exports (a binding's own report methods, such as
    /// a sync, wrap what they return this way).
    pub fn report<T: Export + Serialize + Send + Sync + 'static>(report: T) -> Result<Reply> {
        let mut reply = Reply::value(&report)?;
        reply.exports = Some(Arc::new(report));
        Ok(reply)
    }
}

/// One value of a type the core exports as a list (`Budget`, `BudgetStatus`): its JSON is
/// the value, its CSV the one-row list.
#[derive(Serialize)]
#[serde(transparent)]
pub(super) struct One<T>(pub(super) T);

impl<T: ExportRecord> Export for One<T> {
    fn to_json(&self) -> Result<String> {
        export::json(&self.0)
    }
    fn to_csv(&self) -> Result<String> {
        std::slice::from_ref(&self.0).to_csv()
    }
}

/// A list of a type without an `Export` of its own (the Claude Code log reports): the
/// core's generic JSON and flattened CSV.
#[derive(Serialize)]
#[serde(transparent)]
pub(super) struct Flat<T>(pub(super) Vec<T>);

impl<T: Serialize> Export for Flat<T> {
    fn to_json(&self) -> Result<String> {
        export::json(&self.0)
    }
    fn to_csv(&self) -> Result<String> {
        export::flat_csv(&self.0)
    }
}

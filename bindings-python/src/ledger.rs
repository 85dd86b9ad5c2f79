//! The native `Ledger` handle: open, close, master-key rotation, and `call`, which runs any of
//! the core's request-and-reply methods by name. The operations that cannot cross as JSON sit
//! in the file of their domain (`plans.rs`, `sync.rs`), each in its own `#[pymethods]` block.

use costledger::{Ledger, MasterKey};
use pyo3::prelude::*;

use crate::config::OpenArgs;
use crate::pending::{Pending, Reply, to_json};

/// An open costledger ledger. Every operation returns a [`Pending`] call.
#[pyclass(name = "Ledger", module = "costledger._native", frozen)]
pub struct PyLedger {
    pub(crate) inner: Ledger,
}

#[pymethods]
impl PyLedger {
    /// Open (creating and migrating) the database and prepare the cipher and sources;
    /// without a URL, `COSTLEDGER_DATABASE_URL` (else `sqlite://costledger.db`).
    #[staticmethod]
    #[pyo3(signature = (database_url, options))]
    fn open(py: Python<'_>, database_url: Option<String>, options: OpenArgs) -> PyResult<Pending> {
        let cipher = options.cipher(py)?;
        Ok(Pending::new(async move {
            let config = options.into_config(database_url, cipher)?;
            Ledger::open(config).await.map(Reply::Ledger)
        }))
    }

    /// One of the core's request-and-reply methods by name (`costledger::CALLS`), with its
    /// named arguments as a JSON object: JSON text back, or a report with its exports.
    fn call(&self, method: String, args: String) -> Pending {
        let ledger = self.inner.clone();
        Pending::new(async move { ledger.call(&method, &args).await.map(Reply::from) })
    }

    /// Close the database pool; later calls fail with `CLOSED`.
    fn close(&self) -> Pending {
        let ledger = self.inner.clone();
        Pending::new(async move {
            ledger.close().await;
            to_json(&())
        })
    }

    /// Re-seal every credential under `new_master_key` (base64); returns how many.
    fn rotate_master_key(&self, new_master_key: String) -> Pending {
        let ledger = self.inner.clone();
        Pending::json(async move {
            let key = MasterKey::from_base64(&new_master_key)?;
            ledger.rotate_master_key(key).await
        })
    }

    fn __repr__(&self) -> String {
        format!("{:?}", self.inner)
    }
}

/// A new random master key: 32 bytes from the OS generator, as base64.
#[pyfunction]
pub(crate) fn generate_master_key() -> String {
    MasterKey::generate().to_base64().to_string()
}

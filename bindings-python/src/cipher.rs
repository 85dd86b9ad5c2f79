//! A key cipher written in Python (a KMS client, say) in place of the built-in AES-256-GCM
//! keyring: `costledger::KeyCipher` over an object with `encrypt(plaintext, aad) -> bytes`
//! and `decrypt(ciphertext, aad) -> bytes`.
//!
//! The methods may be plain functions (either ledger class) or coroutine functions
//! (`AsyncLedger`, whose calls run inside the event loop's task locals, so the coroutine is
//! awaited on that loop with pyo3-async-runtimes' `into_future`).

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use async_trait::async_trait;
use costledger::{Error, KeyCipher, Result, Sealed};
use pyo3::exceptions::PyTypeError;
use pyo3::intern;
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use zeroize::Zeroizing;

use crate::runtime::Rt;

/// The key id stored with values sealed by a cipher that has no `key_id` attribute.
const DEFAULT_KEY_ID: &str = "host";

/// A Python object used as the ledger's [`KeyCipher`].
pub(crate) struct PyKeyCipher {
    cipher: Py<PyAny>,
    key_id: String,
}

impl fmt::Debug for PyKeyCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PyKeyCipher")
            .field("key_id", &self.key_id)
            .finish()
    }
}

type Awaiting = Pin<Box<dyn Future<Output = PyResult<Py<PyAny>>> + Send>>;

/// What calling a cipher method gave: bytes at once, or a coroutine to await.
enum Answer {
    Bytes(Vec<u8>),
    Awaiting(Awaiting),
}

impl PyKeyCipher {
    /// Check that `cipher` has callable `encrypt` and `decrypt`, and read its `key_id`.
    pub(crate) fn new(cipher: &Bound<'_, PyAny>) -> PyResult<Self> {
        for name in ["encrypt", "decrypt"] {
            let callable = cipher.getattr_opt(name)?.is_some_and(|m| m.is_callable());
            if !callable {
                return Err(PyTypeError::new_err(format!(
                    "cipher must have a callable {name}(data: bytes, aad: bytes) -> bytes; \
                     {} has none",
                    cipher.get_type().name()?
                )));
            }
        }
        let key_id = match cipher.getattr_opt(intern!(cipher.py(), "key_id"))? {
            Some(id) if !id.is_none() => id.str()?.to_string(),
            _ => DEFAULT_KEY_ID.to_string(),
        };
        Ok(PyKeyCipher {
            cipher: cipher.clone().unbind(),
            key_id,
        })
    }

    async fn call(&self, method: &'static str, data: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
        let fail = |e: PyErr| {
            Error::crypto(format!(
                "the key cipher's {method}() failed for {}: {e}",
                String::from_utf8_lossy(aad)
            ))
        };
        let answer = Python::attach(|py| {
            let out = self
                .cipher
                .bind(py)
                .call_method1(method, (PyBytes::new(py, data), PyBytes::new(py, aad)))?;
            if !out.hasattr(intern!(py, "__await__"))? {
                return bytes_of(method, &out).map(Answer::Bytes);
            }
            match pyo3_async_runtimes::generic::into_future::<Rt>(out.clone()) {
                Ok(fut) => Ok(Answer::Awaiting(Box::pin(fut))),
                Err(_) => {
                    // A blocking Ledger has no event loop to run the coroutine on.
                    let _ = out.call_method0(intern!(py, "close"));
                    Err(PyTypeError::new_err(format!(
                        "{method}() returned an awaitable, which only costledger.AsyncLedger \
                         can await; give costledger.Ledger a cipher with plain methods"
                    )))
                }
            }
        })
        .map_err(fail)?;
        match answer {
            Answer::Bytes(bytes) => Ok(bytes),
            Answer::Awaiting(fut) => {
                let out = fut.await.map_err(fail)?;
                Python::attach(|py| bytes_of(method, out.bind(py))).map_err(fail)
            }
        }
    }
}

fn bytes_of(method: &str, out: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    match out.cast::<PyBytes>() {
        Ok(bytes) => Ok(bytes.as_bytes().to_vec()),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{method}() must return bytes, got {}",
            out.get_type().name()?
        ))),
    }
}

#[async_trait]
impl KeyCipher for PyKeyCipher {
    async fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> Result<Sealed> {
        let ciphertext = self.call("encrypt", plaintext, aad).await?;
        Ok(Sealed {
            key_id: self.key_id.clone(),
            nonce: Vec::new(),
            ciphertext,
        })
    }

    async fn decrypt(&self, sealed: &Sealed, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let plaintext = self.call("decrypt", &sealed.ciphertext, aad).await?;
        Ok(Zeroizing::new(plaintext))
    }
}

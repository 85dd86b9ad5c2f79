//! A key cipher supplied by the host (a KMS): JS `encrypt` / `decrypt` functions that return
//! Promises, called from the core's tokio tasks through threadsafe functions.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;
use costledger::{Result, Sealed};
use napi::Status;
use napi::bindgen_prelude::{Buffer, FnArgs, Promise};
use napi::threadsafe_function::ThreadsafeFunction;
use napi_derive::napi;
use zeroize::Zeroizing;

/// `(data, aad) => Promise<Buffer>`, called on the JS thread. `FnArgs` spreads the tuple
/// into two arguments; `CalleeHandled = false` drops the error-first convention; weak, so a
/// ledger left open does not keep the process alive.
type CipherArgs = FnArgs<(Buffer, Buffer)>;
type CipherFn = ThreadsafeFunction<CipherArgs, Promise<Buffer>, CipherArgs, Status, false, true>;

/// A host-supplied key cipher that seals plan credentials instead of the built-in
/// AES-256-GCM master key, for instance with a cloud KMS.
///
/// `aad` (associated data) binds a sealed credential to its plan: `decrypt` must fail when
/// it is given other associated data than `encrypt` was. Anything either function throws
/// or rejects with becomes a `CRYPTO` error.
#[napi(object, object_to_js = false)]
pub struct KeyCipher {
    /// Seal `plaintext`, binding it to `aad`; resolves to the ciphertext (with whatever nonce
    /// and tag the cipher needs to open it again).
    #[napi(ts_type = "(plaintext: Buffer, aad: Buffer) => Promise<Buffer>")]
    pub encrypt: CipherFn,
    /// Open what `encrypt` returned, given the same `aad`; resolves to the plaintext.
    #[napi(ts_type = "(ciphertext: Buffer, aad: Buffer) => Promise<Buffer>")]
    pub decrypt: CipherFn,
    /// Names the key, stored beside each sealed credential (for instance a KMS key ARN).
    /// Default `"host"`.
    pub key_id: Option<String>,
}

/// [`KeyCipher`] as the core's `KeyCipher` trait.
pub(crate) struct JsKeyCipher {
    encrypt: Arc<CipherFn>,
    decrypt: Arc<CipherFn>,
    key_id: String,
}

impl From<KeyCipher> for JsKeyCipher {
    fn from(c: KeyCipher) -> Self {
        JsKeyCipher {
            encrypt: Arc::new(c.encrypt),
            decrypt: Arc::new(c.decrypt),
            key_id: c.key_id.unwrap_or_else(|| "host".to_string()),
        }
    }
}

impl fmt::Debug for JsKeyCipher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsKeyCipher")
            .field("key_id", &self.key_id)
            .finish_non_exhaustive()
    }
}

/// Call a cipher function and await the Promise it returns.
async fn call(f: &CipherFn, what: &str, data: &[u8], aad: &[u8]) -> Result<Vec<u8>> {
    let failed = |e: napi::Error| {
        costledger::Error::crypto(format!(
            "the host cipher's {what} failed: {}",
            e.reason.trim_start_matches("GenericFailure, ")
        ))
    };
    let args = FnArgs::from((Buffer::from(data.to_vec()), Buffer::from(aad.to_vec())));
    // `call_async_catch`: a throwing callback must become an error, not a fatal exception.
    let promise = f.call_async_catch(args).await.map_err(failed)?;
    let out = promise.await.map_err(failed)?;
    Ok(out.to_vec())
}

#[async_trait]
impl costledger::KeyCipher for JsKeyCipher {
    async fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> Result<Sealed> {
        let ciphertext = call(&self.encrypt, "encrypt", plaintext, aad).await?;
        Ok(Sealed {
            key_id: self.key_id.clone(),
            nonce: Vec::new(),
            ciphertext,
        })
    }

    async fn decrypt(&self, sealed: &Sealed, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        call(&self.decrypt, "decrypt", &sealed.ciphertext, aad)
            .await
            .map(Zeroizing::new)
    }
}

//! Sealing credentials at rest.
//!
//! A credential is sealed by a [`KeyCipher`] before it reaches the store and opened only in
//! memory, for the duration of one sync or verification. The default cipher is
//! [`Keyring`]: AES-256-GCM under a host-supplied master key, with older master keys kept
//! for reading so the key can be rotated. A host may supply its own cipher (a KMS).
//!
//! The associated data of every seal binds the ciphertext to its plan and credential kind
//! ([`credential_aad`]), so a sealed credential copied into another plan's row fails to open.

mod keyring;
mod secret;

use std::fmt;

use async_trait::async_trait;
use zeroize::Zeroizing;

pub use keyring::{Keyring, MasterKey};
pub use secret::SecretString;
pub(crate) use secret::constant_time_eq;

use crate::error::Result;

/// A sealed secret as stored: which key sealed it, the nonce, and the ciphertext with its
/// authentication tag.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed {
    /// Identifies the key that sealed this value (for [`Keyring`], a fingerprint of the
    /// master key, never the key itself).
    pub key_id: String,
    /// The nonce (96 bits for AES-GCM; may be empty for a host cipher that keeps its own).
    pub nonce: Vec<u8>,
    /// The ciphertext, tag included.
    pub ciphertext: Vec<u8>,
}

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sealed")
            .field("key_id", &self.key_id)
            .field("nonce_len", &self.nonce.len())
            .field("ciphertext_len", &self.ciphertext.len())
            .finish()
    }
}

/// Encrypts and decrypts credentials. Implement it to keep the master key in a KMS.
///
/// `aad` (associated data) must be authenticated: decrypting with different associated data
/// than the value was sealed with must fail.
#[async_trait]
pub trait KeyCipher: Send + Sync + fmt::Debug {
    /// Seal `plaintext`, binding it to `aad`.
    async fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> Result<Sealed>;

    /// Open a sealed value; fails with [`crate::Error::Crypto`] when the key is unknown, the
    /// value was tampered with, or `aad` differs from the one it was sealed with.
    async fn decrypt(&self, sealed: &Sealed, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>>;
}

/// The associated data that binds a sealed credential to its plan and kind.
pub fn credential_aad(plan_id: i64, kind: &str) -> Vec<u8> {
    format!("costledger:credential:v1:plan={plan_id}:kind={kind}").into_bytes()
}

/// `N` random bytes from the operating system's generator (at most 64), wiped when dropped.
pub(crate) fn random_bytes<const N: usize>() -> Zeroizing<[u8; N]> {
    use aes_gcm::Aes256Gcm;
    use aes_gcm::aead::{Generate, Key};
    assert!(N <= 64, "at most 64 random bytes at a time");
    let mut out = Zeroizing::new([0u8; N]);
    // A fresh AES key is 32 bytes of OS randomness; two cover 64.
    let first = Key::<Aes256Gcm>::generate();
    let second = Key::<Aes256Gcm>::generate();
    let mut pool = Zeroizing::new([0u8; 64]);
    pool[..32].copy_from_slice(first.as_slice());
    pool[32..].copy_from_slice(second.as_slice());
    out.copy_from_slice(&pool[..N]);
    out
}

/// `bytes` random bytes from the operating system's generator, as lowercase hex.
pub(crate) fn random_hex(bytes: usize) -> String {
    use aes_gcm::Aes256Gcm;
    use aes_gcm::aead::{Generate, Key};
    // A fresh AES key is 32 bytes of OS randomness; take as many as asked (at most 32).
    let key = Key::<Aes256Gcm>::generate();
    hex::encode(&key.as_slice()[..bytes.min(32)])
}

//! The default cipher: AES-256-GCM under a master key, with older keys kept for reading.

use std::fmt;

use aes_gcm::Aes256Gcm;
use aes_gcm::aead::{Aead, Generate, Key, KeyInit, Nonce, Payload};
use async_trait::async_trait;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{KeyCipher, Sealed};
use crate::error::{Error, Result};

const NONCE_LEN: usize = 12;
/// What a key-check value seals, and the associated data it binds.
const KEY_CHECK_PLAINTEXT: &[u8] = b"costledger master key check";
const KEY_CHECK_AAD: &[u8] = b"costledger:key-check:v1";

/// A 256-bit master key, given by the host as base64 (`COSTLEDGER_MASTER_KEY` by
/// convention). Its bytes are wiped on drop; `Debug` shows only its id.
#[derive(Clone)]
pub struct MasterKey {
    bytes: Zeroizing<[u8; 32]>,
    id: String,
}

impl MasterKey {
    /// Parse a base64 master key (standard or URL-safe alphabet, padded or not). Anything
    /// that does not decode to exactly 32 bytes is [`Error::InvalidInput`], with the length
    /// found.
    pub fn from_base64(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.is_empty() {
            return Err(Error::invalid(
                "master key is empty; give 32 random bytes as base64, e.g. from \
                 `costledger master-key generate`",
            ));
        }
        let decoded = [STANDARD, URL_SAFE, STANDARD_NO_PAD, URL_SAFE_NO_PAD]
            .iter()
            .find_map(|engine| engine.decode(text).ok())
            .map(Zeroizing::new)
            .ok_or_else(|| {
                Error::invalid(format!(
                    "master key is not valid base64 ({} characters); give 32 random bytes \
                     as base64, e.g. from `costledger master-key generate`",
                    text.chars().count()
                ))
            })?;
        let bytes: [u8; 32] = decoded.as_slice().try_into().map_err(|_| {
            Error::invalid(format!(
                "master key must be 32 bytes, got {} bytes; give 32 random bytes as base64 \
                 (44 characters)",
                decoded.len()
            ))
        })?;
        Ok(Self::from_bytes(bytes))
    }

    /// A master key from raw bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        let bytes = Zeroizing::new(bytes);
        let digest = Sha256::new()
            .chain_update(b"costledger master key id\0")
            .chain_update(bytes.as_slice())
            .finalize();
        let id = format!("sha256:{}", hex::encode(&digest[..8]));
        MasterKey { bytes, id }
    }

    /// A new random master key from the operating system's generator.
    pub fn generate() -> Self {
        let key = Key::<Aes256Gcm>::generate();
        let mut bytes = Zeroizing::new([0u8; 32]);
        bytes.copy_from_slice(key.as_slice());
        Self::from_bytes(*bytes)
    }

    /// The key as standard base64, to hand to the host's secret store once.
    pub fn to_base64(&self) -> Zeroizing<String> {
        Zeroizing::new(STANDARD.encode(self.bytes.as_slice()))
    }

    /// The key's public fingerprint (`sha256:` and 16 hex digits), recorded beside every
    /// value it seals so the right key can be found after a rotation.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// A key-check value: a constant sealed under this key. Stored beside the credentials,
    /// it lets a ledger tell that it was given another key without revealing any key.
    pub fn key_check(&self) -> Result<Sealed> {
        Keyring::new(self.clone(), Vec::new()).seal(KEY_CHECK_PLAINTEXT, KEY_CHECK_AAD)
    }

    /// True when `check` is a key-check value sealed under this very key.
    pub fn opens_key_check(&self, check: &Sealed) -> bool {
        check.key_id == self.id
            && Keyring::new(self.clone(), Vec::new())
                .open(check, KEY_CHECK_AAD)
                .is_ok_and(|plain| plain.as_slice() == KEY_CHECK_PLAINTEXT)
    }

    fn cipher(&self) -> Aes256Gcm {
        Aes256Gcm::new(&Key::<Aes256Gcm>::from(*self.bytes))
    }
}

impl fmt::Debug for MasterKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKey").field("id", &self.id).finish()
    }
}

/// AES-256-GCM over a keyring: the current master key seals, every key in the ring opens.
///
/// Each seal draws a fresh random 96-bit nonce. Opening fails with [`Error::Crypto`] when
/// the sealing key is not in the ring, or the ciphertext, nonce or associated data differ.
#[derive(Clone)]
pub struct Keyring {
    current: MasterKey,
    previous: Vec<MasterKey>,
}

impl Keyring {
    /// A keyring that seals with `current` and also opens values sealed with `previous`.
    pub fn new(current: MasterKey, previous: Vec<MasterKey>) -> Self {
        Keyring { current, previous }
    }

    /// The key that seals.
    pub fn current(&self) -> &MasterKey {
        &self.current
    }

    /// The older keys, which only open.
    pub fn previous(&self) -> &[MasterKey] {
        &self.previous
    }

    /// The ids of every key that opens, the current one first.
    pub fn key_ids(&self) -> Vec<String> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .map(|k| k.id.clone())
            .collect()
    }

    fn find(&self, key_id: &str) -> Option<&MasterKey> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|k| k.id == key_id)
    }

    /// Seal synchronously (the trait method just calls this).
    pub fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Result<Sealed> {
        let nonce = Nonce::<Aes256Gcm>::generate();
        let ciphertext = self
            .current
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .map_err(|_| Error::crypto("AES-GCM encryption failed"))?;
        Ok(Sealed {
            key_id: self.current.id.clone(),
            nonce: nonce.to_vec(),
            ciphertext,
        })
    }

    /// Open synchronously (the trait method just calls this).
    pub fn open(&self, sealed: &Sealed, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        let key = self.find(&sealed.key_id).ok_or_else(|| {
            Error::crypto(format!(
                "sealed with master key {}, which is not configured (configured: {}); \
                 set COSTLEDGER_MASTER_KEY to the key in use, or pass the old key as a \
                 previous master key",
                sealed.key_id,
                self.key_ids().join(", ")
            ))
        })?;
        if sealed.nonce.len() != NONCE_LEN {
            return Err(Error::crypto(format!(
                "the sealed value has a {}-byte nonce, AES-GCM needs {NONCE_LEN}; the stored \
                 value is corrupt",
                sealed.nonce.len()
            )));
        }
        let nonce = Nonce::<Aes256Gcm>::try_from(sealed.nonce.as_slice())
            .map_err(|_| Error::crypto("malformed nonce"))?;
        key.cipher()
            .decrypt(
                &nonce,
                Payload {
                    msg: &sealed.ciphertext,
                    aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| {
                Error::crypto(
                    "the sealed value failed authentication: it was altered, or it belongs to \
                     another plan",
                )
            })
    }
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("current", &self.current.id)
            .field(
                "previous",
                &self.previous.iter().map(|k| &k.id).collect::<Vec<_>>(),
            )
            .finish()
    }
}

#[async_trait]
impl KeyCipher for Keyring {
    async fn encrypt(&self, plaintext: &[u8], aad: &[u8]) -> Result<Sealed> {
        self.seal(plaintext, aad)
    }

    async fn decrypt(&self, sealed: &Sealed, aad: &[u8]) -> Result<Zeroizing<Vec<u8>>> {
        self.open(sealed, aad)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring() -> Keyring {
        Keyring::new(MasterKey::generate(), vec![])
    }

    #[test]
    fn round_trip_with_fresh_nonces() {
        let ring = ring();
        let a = ring.seal(b"secret", b"aad").unwrap();
        let b = ring.seal(b"secret", b"aad").unwrap();
        assert_ne!(a.nonce, b.nonce);
        assert_ne!(a.ciphertext, b.ciphertext);
        assert_eq!(a.nonce.len(), 12);
        assert_eq!(ring.open(&a, b"aad").unwrap().as_slice(), b"secret");
    }

    #[test]
    fn tampering_and_other_aad_fail() {
        let ring = ring();
        let sealed = ring.seal(b"secret", b"plan=1").unwrap();
        assert_eq!(ring.open(&sealed, b"plan=2").unwrap_err().code(), "CRYPTO");
        let mut flipped = sealed.clone();
        flipped.ciphertext[0] ^= 1;
        assert_eq!(ring.open(&flipped, b"plan=1").unwrap_err().code(), "CRYPTO");
        let mut bad_nonce = sealed.clone();
        bad_nonce.nonce[3] ^= 1;
        assert_eq!(
            ring.open(&bad_nonce, b"plan=1").unwrap_err().code(),
            "CRYPTO"
        );
    }

    #[test]
    fn previous_keys_open_and_unknown_keys_are_named() {
        let old = MasterKey::generate();
        let sealed = Keyring::new(old.clone(), vec![]).seal(b"s", b"a").unwrap();
        let rotated = Keyring::new(MasterKey::generate(), vec![old.clone()]);
        assert_eq!(rotated.open(&sealed, b"a").unwrap().as_slice(), b"s");
        let stranger = ring();
        let err = stranger.open(&sealed, b"a").unwrap_err();
        assert_eq!(err.code(), "CRYPTO");
        assert!(err.to_string().contains(old.id()), "{err}");
    }

    #[test]
    fn key_checks_open_under_their_key_only() {
        let key = MasterKey::generate();
        let check = key.key_check().unwrap();
        assert_eq!(check.key_id, key.id());
        assert!(key.opens_key_check(&check));
        assert!(!MasterKey::generate().opens_key_check(&check));
        let mut forged = MasterKey::generate().key_check().unwrap();
        forged.key_id = key.id().to_string();
        assert!(!key.opens_key_check(&forged), "the id alone proves nothing");
    }

    #[test]
    fn master_key_parsing() {
        let key = MasterKey::generate();
        let text = key.to_base64();
        let parsed = MasterKey::from_base64(&text).unwrap();
        assert_eq!(parsed.id(), key.id());
        let unpadded = text.trim_end_matches('=');
        assert_eq!(MasterKey::from_base64(unpadded).unwrap().id(), key.id());

        let short = MasterKey::from_base64(&STANDARD.encode([7u8; 16])).unwrap_err();
        assert_eq!(short.code(), "INVALID_INPUT");
        assert!(short.to_string().contains("got 16 bytes"), "{short}");
        let not_b64 = MasterKey::from_base64("not base64 at all!").unwrap_err();
        assert!(
            not_b64.to_string().contains("not valid base64"),
            "{not_b64}"
        );
        let empty = MasterKey::from_base64("  ").unwrap_err();
        assert!(empty.to_string().contains("empty"), "{empty}");
    }

    #[test]
    fn debug_never_shows_key_bytes() {
        let key = MasterKey::generate();
        let b64 = key.to_base64();
        let ring = Keyring::new(key.clone(), vec![]);
        for text in [format!("{key:?}"), format!("{ring:?}")] {
            assert!(!text.contains(b64.as_str()), "{text}");
            assert!(text.contains(key.id()));
        }
    }
}

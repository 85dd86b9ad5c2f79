//! PKCE (RFC 7636) and state values from the operating system's generator, and the
//! constant-time comparison the callback's state check uses.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::crypto::{SecretString, random_bytes};

/// A code verifier: 64 random bytes as unpadded base64url, 86 characters of the
/// `[A-Za-z0-9-_]` subset of what RFC 7636 §4.1 allows (43-128).
pub(crate) fn new_verifier() -> SecretString {
    let bytes = random_bytes::<64>();
    SecretString::new(URL_SAFE_NO_PAD.encode(&bytes[..]))
}

/// A state value: 32 random bytes as unpadded base64url (43 characters).
pub(crate) fn new_state() -> String {
    URL_SAFE_NO_PAD.encode(&random_bytes::<32>()[..])
}

/// The S256 challenge of a verifier: `BASE64URL(SHA256(verifier))`.
pub(crate) fn challenge(verifier: &SecretString) -> String {
    URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.expose().as_bytes()))
}

/// True when a verifier has RFC 7636's shape: 43-128 characters of `[A-Za-z0-9-._~]`.
pub(crate) fn verifier_shaped(verifier: &str) -> bool {
    (43..=128).contains(&verifier.len())
        && verifier
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-._~".contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenge_matches_rfc_7636_appendix_b() {
        let verifier = SecretString::from("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            challenge(&verifier),
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        );
    }

    #[test]
    fn verifiers_and_states_are_well_formed_and_fresh() {
        let a = new_verifier();
        let b = new_verifier();
        assert_eq!(a.len(), 86);
        assert!(verifier_shaped(a.expose()));
        assert_ne!(a.expose(), b.expose());
        let s = new_state();
        assert_eq!(s.len(), 43);
        assert_ne!(s, new_state());
        assert!(!verifier_shaped("short"));
        assert!(!verifier_shaped(&"a".repeat(129)));
        assert!(!verifier_shaped(&format!("{}=", "a".repeat(43))));
    }
}

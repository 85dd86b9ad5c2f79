//! Spacing of the requests made with one admin key.
//!
//! The Admin API documents no numeric limit, only that bursts of page fetches are fine and
//! sustained polling should be slow; spacing the requests of one key keeps a sync (or two
//! concurrent ones sharing a source) from tripping the rate limiter at all.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use sha2::{Digest, Sha256};
use tokio::time::Instant;

use crate::crypto::SecretString;

/// Identifies a key in the pacing table: a salted SHA-256 prefix, never the key.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct KeyId([u8; 16]);

impl KeyId {
    pub(crate) fn of(key: &SecretString) -> KeyId {
        let mut hasher = Sha256::new();
        hasher.update(b"costledger:anthropic-pacing:v1:");
        hasher.update(key.expose().as_bytes());
        let digest = hasher.finalize();
        let mut id = [0u8; 16];
        id.copy_from_slice(&digest[..16]);
        KeyId(id)
    }
}

/// The instant each key may send its next request.
#[derive(Default)]
pub(crate) struct Pacer {
    next: Mutex<HashMap<KeyId, Instant>>,
}

/// Entries kept before slots already in the past are swept out.
const SWEEP_ABOVE: usize = 256;

impl Pacer {
    /// Waits for this key's turn and books the next slot `interval` later. Callers that
    /// arrive together are served one slot apart, in arrival order.
    pub(crate) async fn wait(&self, key: KeyId, interval: Duration) {
        if interval.is_zero() {
            return;
        }
        let now = Instant::now();
        let at = {
            let mut next = self.next.lock().unwrap_or_else(|p| p.into_inner());
            if next.len() > SWEEP_ABOVE {
                next.retain(|_, at| *at > now);
            }
            let slot = next.get(&key).map_or(now, |&at| at.max(now));
            next.insert(key, slot + interval);
            slot
        };
        if at > now {
            tokio::time::sleep_until(at).await;
        }
    }

    /// Keys with a booked slot (for `Debug`).
    pub(crate) fn len(&self) -> usize {
        self.next.lock().map(|m| m.len()).unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_key_is_spaced_others_are_not() {
        let pacer = Pacer::default();
        let a = KeyId::of(&SecretString::from("sk-ant-admin01-aaaaaaaaaaaaaaaaaaaa"));
        let b = KeyId::of(&SecretString::from("sk-ant-admin01-bbbbbbbbbbbbbbbbbbbb"));
        assert_ne!(a, b);
        let interval = Duration::from_millis(30);
        let start = Instant::now();
        for _ in 0..4 {
            pacer.wait(a, interval).await;
        }
        assert!(start.elapsed() >= interval * 3, "{:?}", start.elapsed());
        pacer.wait(b, interval).await;
        assert_eq!(pacer.len(), 2);
        // Zero interval: no booking at all.
        pacer.wait(a, Duration::ZERO).await;
    }

    #[test]
    fn key_ids_do_not_contain_the_key() {
        let key = SecretString::from("sk-ant-admin01-cccccccccccccccccccc");
        let id = KeyId::of(&key);
        assert!(!format!("{id:?}").contains("ccccc"));
        assert_eq!(id, KeyId::of(&key.clone()));
    }
}

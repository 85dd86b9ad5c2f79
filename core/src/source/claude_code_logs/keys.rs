//! The 64-bit keys entries are deduplicated by. They are stored, so they must never change:
//! FNV-1a over the id's bytes, then the MurmurHash3 finaliser so that ids differing only in
//! their last characters spread over the whole range. With n distinct ids the chance that
//! two share a key is about n² / 2⁶⁵ (one in 40 million for a million messages).

/// The key of a `message.id` or `requestId`; never 0, which stands for "none".
pub(crate) fn id_key(id: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in id.as_bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    non_zero(finalise(hash))
}

/// The key of an entry without a message id: one of its own, from its file and offset, so
/// that it is never merged with another (as ccusage does).
pub(crate) fn line_key(file_id: i64, offset: u64) -> i64 {
    non_zero(finalise(
        finalise(file_id as u64 ^ 0x9e37_79b9_7f4a_7c15).wrapping_add(offset),
    ))
}

/// The request key of a main entry without a request id: its instant's, so that the
/// entries of one message at one instant are one group.
pub(crate) fn instant_key(at_ms: i64) -> i64 {
    non_zero(finalise(at_ms as u64 ^ 0x5bd1_e995_7f4a_7c15))
}

/// A hash of the bytes just before a file's parsed offset: an append keeps them, a rewrite
/// almost never does.
pub(crate) fn fingerprint(bytes: &[u8]) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325 ^ bytes.len() as u64;
    for &byte in bytes {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    finalise(hash) as i64
}

fn finalise(mut k: u64) -> u64 {
    k ^= k >> 33;
    k = k.wrapping_mul(0xff51_afd7_ed55_8ccd);
    k ^= k >> 33;
    k = k.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    k ^ (k >> 33)
}

fn non_zero(k: u64) -> i64 {
    if k == 0 { 1 } else { k as i64 }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stable() {
        // Stored keys: these values must never change.
        assert_eq!(id_key("msg_01"), id_key("msg_01"));
        assert_eq!(id_key(""), -1_166_397_803_181_037_274);
        assert_eq!(id_key("msg_01ABC"), id_key(&String::from("msg_01ABC")));
        assert_ne!(id_key("msg_01ABC"), id_key("msg_01ABD"));
        assert_ne!(line_key(1, 0), line_key(2, 0));
        assert_ne!(line_key(1, 0), line_key(1, 1));
        assert_ne!(fingerprint(b"ab"), fingerprint(b"ba"));
    }

    #[test]
    fn close_ids_spread() {
        let keys: std::collections::HashSet<i64> = (0..100_000)
            .map(|i| id_key(&format!("msg_{i:024}")))
            .collect();
        assert_eq!(keys.len(), 100_000);
        let high = keys.iter().filter(|k| **k < 0).count();
        assert!((45_000..55_000).contains(&high), "{high}");
    }
}

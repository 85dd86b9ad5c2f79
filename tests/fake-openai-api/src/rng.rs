//! A tiny deterministic PRNG (SplitMix64) and the id helpers built on it.
//!
//! The fake owns its generator so that its data never changes with a crate version.

/// SplitMix64: a small, fast, well-mixed 64-bit generator.
#[derive(Clone, Debug)]
pub struct Rng(u64);

const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// Mixes one 64-bit value (the SplitMix64 finaliser).
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// A generator seeded from several parts (seed, org, hour, purpose…), so every
    /// stream is a pure function of what it is about.
    pub fn from_parts(parts: &[u64]) -> Rng {
        let mut state = 0x0A1_C0DE_5EED_u64;
        for &p in parts {
            state = mix(state ^ p.wrapping_add(GOLDEN));
        }
        Rng(state)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        mix(self.0)
    }

    /// Uniform in `0..n` (n > 0). The tiny modulo bias does not matter here.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `percent`/100.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    /// In `lo..=hi`, skewed towards `lo` (the cube of a uniform variable), which is how
    /// token counts look. Integer-only, so it is identical on every platform.
    pub fn skewed(&mut self, lo: u64, hi: u64) -> u64 {
        let u = (self.next_u64() >> 44) as u128; // 20 bits
        let cube = u * u * u; // < 2^60
        lo + (((hi - lo) as u128 * cube) >> 60) as u64
    }

    /// Picks an index with the given integer weights.
    pub fn weighted(&mut self, weights: &[u64]) -> usize {
        let total: u64 = weights.iter().sum();
        let mut x = self.below(total.max(1));
        for (i, &w) in weights.iter().enumerate() {
            if x < w {
                return i;
            }
            x -= w;
        }
        weights.len() - 1
    }

    /// `len` characters drawn from `alphabet`.
    pub fn chars(&mut self, alphabet: &[u8], len: usize) -> String {
        (0..len)
            .map(|_| alphabet[self.below(alphabet.len() as u64) as usize] as char)
            .collect()
    }

    /// `len` base62 characters (ids and key bodies).
    pub fn base62(&mut self, len: usize) -> String {
        self.chars(BASE62, len)
    }

    /// `len` lowercase letters and digits (org slugs).
    pub fn lower(&mut self, len: usize) -> String {
        self.chars(b"abcdefghijklmnopqrstuvwxyz0123456789", len)
    }

    /// `len` lowercase hex digits (request ids).
    pub fn hex(&mut self, len: usize) -> String {
        self.chars(b"0123456789abcdef", len)
    }
}

/// The base62 alphabet.
pub const BASE62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_pure_functions_of_their_parts() {
        let a: Vec<u64> = (0..4)
            .map(|_| Rng::from_parts(&[7, 1, 2]).next_u64())
            .collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        assert_ne!(
            Rng::from_parts(&[7, 1, 2]).next_u64(),
            Rng::from_parts(&[7, 2, 1]).next_u64()
        );
    }

    #[test]
    fn alphabets_and_bounds() {
        let mut r = Rng::from_parts(&[3]);
        assert!(r.base62(24).chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(r.hex(32).chars().all(|c| c.is_ascii_hexdigit()));
        assert!(r.lower(6).chars().all(|c| !c.is_ascii_uppercase()));
        for _ in 0..1000 {
            let v = r.skewed(100, 30_000);
            assert!((100..=30_000).contains(&v));
            assert!((3..=5).contains(&r.range(3, 5)));
        }
    }
}

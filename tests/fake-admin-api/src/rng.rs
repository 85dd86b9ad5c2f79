//! A tiny deterministic PRNG (SplitMix64) and the id/format helpers built on it.
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
        let mut state = 0x51_7C_C1_B7_27_22_0A_95u64;
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

    /// `len` base62 characters.
    pub fn base62(&mut self, len: usize) -> String {
        const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
        (0..len)
            .map(|_| ALPHABET[self.below(62) as usize] as char)
            .collect()
    }

    /// A version-4 UUID string.
    pub fn uuid(&mut self) -> String {
        let a = self.next_u64();
        let b = self.next_u64();
        let hi = (a & 0xFFFF_FFFF_FFFF_0FFF) | 0x4000;
        let lo = (b & 0x3FFF_FFFF_FFFF_FFFF) | 0x8000_0000_0000_0000;
        format!(
            "{:08x}-{:04x}-{:04x}-{:04x}-{:012x}",
            hi >> 32,
            (hi >> 16) & 0xFFFF,
            hi & 0xFFFF,
            lo >> 48,
            lo & 0xFFFF_FFFF_FFFF
        )
    }
}

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
    fn uuid_and_base62_have_the_right_shape() {
        let mut r = Rng::from_parts(&[1]);
        let u = r.uuid();
        assert_eq!(u.len(), 36);
        assert_eq!(&u[14..15], "4");
        assert!(r.base62(22).chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn skewed_stays_in_bounds() {
        let mut r = Rng::from_parts(&[3]);
        for _ in 0..1000 {
            let v = r.skewed(100, 30_000);
            assert!((100..=30_000).contains(&v));
        }
    }
}

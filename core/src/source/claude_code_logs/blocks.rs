//! Claude's 5-hour usage blocks, as ccusage's `blocks` report cuts them: a block starts at
//! its first entry's hour (UTC, floored) and lasts 5 hours; an entry more than 5 hours after
//! the block's start, or more than 5 hours after the previous entry, starts the next block.

use std::ops::Range;

/// How long a block lasts, in milliseconds.
pub(crate) const BLOCK_MS: i64 = 5 * 3_600_000;

/// One block over a sorted list of instants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct BlockSpan {
    /// Start (ms): the first entry's hour.
    pub start_ms: i64,
    /// The entries in it, as a range of the list.
    pub entries: Range<usize>,
}

/// The blocks of `times` (milliseconds, ascending).
pub(crate) fn blocks(times: &[i64]) -> Vec<BlockSpan> {
    let mut out: Vec<BlockSpan> = Vec::new();
    for (i, &t) in times.iter().enumerate() {
        match out.last_mut() {
            Some(b) if t - b.start_ms <= BLOCK_MS && t - times[i - 1] <= BLOCK_MS => {
                b.entries.end = i + 1
            }
            _ => out.push(BlockSpan {
                start_ms: t.div_euclid(3_600_000) * 3_600_000,
                entries: i..i + 1,
            }),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3_600_000;
    const M: i64 = 60_000;

    #[test]
    fn a_block_starts_at_the_hour_and_lasts_five_hours() {
        let t0 = 1_767_600_000_000 + 10 * H; // 10:00 UTC
        let times = [
            t0 + 20 * M,
            t0 + 2 * H,
            t0 + 5 * H,
            t0 + 5 * H + M,
            t0 + 6 * H,
        ];
        let b = blocks(&times);
        // 10:20, 12:00 and 15:00 (exactly 5 h after the start) are in the 10:00 block; 15:01
        // starts a new block at 15:00.
        assert_eq!(
            b,
            [
                BlockSpan {
                    start_ms: t0,
                    entries: 0..3
                },
                BlockSpan {
                    start_ms: t0 + 5 * H,
                    entries: 3..5
                }
            ]
        );
    }

    #[test]
    fn a_long_gap_starts_a_new_block() {
        let t0 = 1_767_600_000_000;
        let times = [t0, t0 + 30 * M, t0 + 30 * M + 5 * H + 1];
        let b = blocks(&times);
        assert_eq!(b.len(), 2);
        assert_eq!(b[1].start_ms, t0 + 5 * H);
        assert_eq!(blocks(&[]), []);
    }
}

//! The fake's own price table in integer nanodollars, and the charges of a usage event.
//!
//! The rates follow OpenAI's public list prices closely enough to look real, but they are
//! this fake's ground truth, not a copy of a price list: $1 per million tokens is 1,000
//! nanodollars per token, so every rate is an exact integer and no float touches money.

use crate::catalog::{Endpoint, TIER_FLEX, TIER_PRIORITY, Tok};
use crate::events::Event;
use crate::line_items::{Charge, Line};

/// One token category's line and rate: (modality word, meter, nanodollars per token).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    /// 0 none, 1 `text`, 2 `audio`, 3 `image`: the word after the model in the line item.
    pub modality: u8,
    /// Index into [`METERS`].
    pub meter: u8,
    /// Nanodollars per token at the default tier.
    pub nanos: u64,
}

const fn r(modality: u8, meter: u8, nanos: u64) -> Option<Rate> {
    Some(Rate {
        modality,
        meter,
        nanos,
    })
}

/// Text-only model rates: input, cached input, cache writes (if any), output.
const fn text(input: u64, cached: u64, write: Option<u64>, output: u64) -> [Option<Rate>; 10] {
    let write = match write {
        Some(w) => r(0, 2, w),
        None => None,
    };
    [
        r(0, 0, input),
        None,
        None,
        r(0, 1, cached),
        None,
        None,
        write,
        r(0, 3, output),
        None,
        None,
    ]
}

/// Rates per completions model (indexed like [`COMPLETION_MODELS`]) and [`Tok`].
pub const COMPLETION_RATES: [[Option<Rate>; 10]; 8] = [
    // gpt-4o: image input is billed as text input.
    [
        r(0, 0, 2_500),
        None,
        r(0, 0, 2_500),
        r(0, 1, 1_250),
        None,
        r(0, 1, 1_250),
        None,
        r(0, 3, 10_000),
        None,
        None,
    ],
    text(150, 75, None, 600),             // gpt-4o-mini
    text(2_000, 500, Some(2_500), 8_000), // gpt-4.1
    text(400, 100, None, 1_600),          // gpt-4.1-mini
    text(2_000, 500, Some(2_500), 8_000), // o3
    text(1_250, 125, None, 10_000),       // gpt-5
    // gpt-4o-realtime-preview: text and audio lines.
    [
        r(1, 0, 5_000),
        r(2, 0, 40_000),
        None,
        r(1, 1, 2_500),
        r(2, 1, 2_500),
        None,
        None,
        r(1, 3, 20_000),
        r(2, 3, 80_000),
        None,
    ],
    // gpt-image-1: text and image input, image output.
    [
        r(1, 0, 5_000),
        None,
        r(3, 0, 10_000),
        r(1, 1, 1_250),
        None,
        r(3, 1, 2_500),
        None,
        None,
        None,
        r(3, 3, 40_000),
    ],
];

/// Embeddings, nanodollars per input token (`text-embedding-3-small`, `-large`).
pub const EMBEDDING_NANOS: [u64; 2] = [20, 130];
/// Images, nanodollars per image, by model (`dall-e-3`, `dall-e-2`) and [`SIZES`].
pub const IMAGE_NANOS: [[u64; 5]; 2] = [
    [0, 0, 40_000_000, 120_000_000, 80_000_000],
    [16_000_000, 18_000_000, 20_000_000, 0, 0],
];
/// Speech, nanodollars per character (`tts-1`, `tts-1-hd`).
pub const SPEECH_NANOS: [u64; 2] = [15_000, 30_000];
/// Transcription, nanodollars per second (`whisper-1`).
pub const TRANSCRIPTION_NANOS: u64 = 100_000;
/// Web search, nanodollars per call by context level (low, medium, high).
pub const WEB_SEARCH_NANOS: [u64; 3] = [25_000_000, 27_500_000, 30_000_000];
/// File search, nanodollars per call.
pub const FILE_SEARCH_NANOS: u64 = 2_500_000;
/// Code interpreter, nanodollars per session.
pub const CODE_INTERPRETER_NANOS: u64 = 30_000_000;
/// Vector storage is counted in units of 16 MiB; a unit-day costs this ($0.10 per GiB-day).
pub const VECTOR_UNIT_DAY_NANOS: u64 = 1_562_500;
/// Bytes in one vector storage unit (16 MiB).
pub const VECTOR_UNIT_BYTES: u64 = 1 << 24;
/// Fine-tuning training, nanodollars per trained token.
pub const TRAINING_NANOS: u64 = 3_000;

/// The rate of one token of `tok` for completions model `model` at this tier.
/// Batch and flex are half price, priority is double.
pub fn token_rate(model: u8, tok: Tok, batch: bool, tier: u8) -> Option<Rate> {
    let mut rate = COMPLETION_RATES[model as usize][tok as usize]?;
    if batch || tier == TIER_FLEX {
        debug_assert_eq!(rate.nanos % 2, 0, "half price must stay integral");
        rate.nanos /= 2;
    } else if tier == TIER_PRIORITY {
        rate.nanos *= 2;
    }
    Some(rate)
}

fn tier_prefix(batch: bool, tier: u8) -> u8 {
    match (batch, tier) {
        (true, _) => 1,
        (false, TIER_PRIORITY) => 2,
        (false, TIER_FLEX) => 3,
        _ => 0,
    }
}

/// Calls `f(line, quantity in thousandths, nanodollars)` for every charge of a usage event.
/// Moderations are free and produce none.
pub fn event_charges(e: &Event, mut f: impl FnMut(Line, u64, u64)) {
    let c = |i: usize| e.counts[i] as u64;
    let mut plain = |charge: Charge, model: u8, variant: u8, qty: u64, nanos_each: u64| {
        let line = Line {
            charge,
            model,
            variant,
            prefix: 0,
        };
        f(line, qty * 1000, qty * nanos_each);
    };
    match e.endpoint {
        Endpoint::Completions => {
            for tok in Tok::ALL {
                let n = c(tok as usize);
                if n == 0 {
                    continue;
                }
                let rate = token_rate(e.model, tok, e.batch, e.tier)
                    .expect("the generator only emits tokens that have a rate");
                let line = Line {
                    charge: Charge::Tokens,
                    model: e.model,
                    variant: rate.modality * 4 + rate.meter,
                    prefix: tier_prefix(e.batch, e.tier),
                };
                f(line, n * 1000, n * rate.nanos);
            }
        }
        Endpoint::Embeddings => plain(
            Charge::Embeddings,
            e.model,
            0,
            c(0),
            EMBEDDING_NANOS[e.model as usize],
        ),
        Endpoint::Images => plain(
            Charge::Images,
            e.model,
            e.size,
            c(0),
            IMAGE_NANOS[e.model as usize][e.size as usize],
        ),
        Endpoint::AudioSpeeches => plain(
            Charge::Speech,
            e.model,
            0,
            c(0),
            SPEECH_NANOS[e.model as usize],
        ),
        Endpoint::AudioTranscriptions => {
            plain(Charge::Transcription, e.model, 0, c(0), TRANSCRIPTION_NANOS)
        }
        Endpoint::WebSearchCalls => plain(
            Charge::WebSearch,
            0,
            0,
            c(0),
            WEB_SEARCH_NANOS[e.level as usize],
        ),
        Endpoint::FileSearchCalls => plain(Charge::FileSearch, 0, 0, c(0), FILE_SEARCH_NANOS),
        Endpoint::CodeInterpreterSessions => {
            plain(Charge::CodeInterpreter, 0, 0, c(0), CODE_INTERPRETER_NANOS)
        }
        Endpoint::Moderations | Endpoint::VectorStores => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::COMPLETION_MODELS;

    #[test]
    fn tiers_scale_rates() {
        let input = token_rate(0, Tok::InText, false, 0).unwrap();
        assert_eq!(input.nanos, 2_500);
        assert_eq!(token_rate(0, Tok::InText, true, 0).unwrap().nanos, 1_250);
        assert_eq!(
            token_rate(4, Tok::OutText, false, TIER_FLEX).unwrap().nanos,
            4_000
        );
        assert_eq!(
            token_rate(5, Tok::CachedText, false, TIER_PRIORITY)
                .unwrap()
                .nanos,
            250
        );
        assert!(token_rate(1, Tok::CacheWrite, false, 0).is_none());
    }

    #[test]
    fn every_batch_or_flex_model_has_even_rates() {
        for (m, spec) in COMPLETION_MODELS.iter().enumerate() {
            if spec.batch || spec.flex {
                for rate in COMPLETION_RATES[m].iter().flatten() {
                    assert_eq!(rate.nanos % 2, 0, "{}", spec.id);
                }
            }
        }
    }
}

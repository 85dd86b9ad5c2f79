//! Cost line items: what a line charges for, its `line_item` string and its unit.

use crate::catalog::{COMPLETION_MODELS, Endpoint, SIZES};

/// The meter words of token line items.
pub const METERS: [&str; 4] = ["input", "cached input", "cache writes", "output"];
const MODALITY_WORDS: [&str; 4] = ["", " text", " audio", " image"];
/// Line item prefixes by [`Line::prefix`]: none, batch, priority, flex.
const PREFIXES: [&str; 4] = ["", "batch | ", "priority | ", "flex | "];
/// The fine-tuned base model of the training line item.
pub const TRAINING_LINE: &str = "ft-gpt-4o-mini-2024-07-18, training";

/// What a cost line charges for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u8)]
pub enum Charge {
    /// Completions tokens.
    Tokens,
    /// Embeddings tokens.
    Embeddings,
    /// Generated images.
    Images,
    /// Speech characters.
    Speech,
    /// Transcribed seconds.
    Transcription,
    /// Web search calls.
    WebSearch,
    /// File search calls.
    FileSearch,
    /// Code interpreter sessions.
    CodeInterpreter,
    /// Vector store storage.
    VectorStorage,
    /// Fine-tuning training.
    FineTuning,
}

const CHARGES: [Charge; 10] = [
    Charge::Tokens,
    Charge::Embeddings,
    Charge::Images,
    Charge::Speech,
    Charge::Transcription,
    Charge::WebSearch,
    Charge::FileSearch,
    Charge::CodeInterpreter,
    Charge::VectorStorage,
    Charge::FineTuning,
];

/// A cost line item's identity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Line {
    /// What it charges for.
    pub charge: Charge,
    /// Model index within the charge's endpoint.
    pub model: u8,
    /// Tokens: `modality * 4 + meter`; images: size index; otherwise 0.
    pub variant: u8,
    /// Tokens: 0 none, 1 batch, 2 priority, 3 flex.
    pub prefix: u8,
}

impl Line {
    /// A line of a charge with no model or variant.
    pub fn plain(charge: Charge) -> Line {
        Line {
            charge,
            model: 0,
            variant: 0,
            prefix: 0,
        }
    }

    /// Packs into 32 bits (sortable).
    pub fn pack(self) -> u32 {
        (self.charge as u32) << 24
            | (self.model as u32) << 16
            | (self.variant as u32) << 8
            | self.prefix as u32
    }

    /// The inverse of [`Line::pack`].
    pub fn unpack(v: u32) -> Line {
        Line {
            charge: CHARGES[(v >> 24) as usize],
            model: (v >> 16) as u8,
            variant: (v >> 8) as u8,
            prefix: v as u8,
        }
    }

    /// The `line_item` string.
    pub fn name(self) -> String {
        let model = |e: Endpoint| e.models()[self.model as usize];
        match self.charge {
            Charge::Tokens => format!(
                "{}{}{}, {}",
                PREFIXES[self.prefix as usize],
                COMPLETION_MODELS[self.model as usize].id,
                MODALITY_WORDS[(self.variant / 4) as usize],
                METERS[(self.variant % 4) as usize]
            ),
            Charge::Embeddings => format!("{}, input", model(Endpoint::Embeddings)),
            Charge::Images => format!(
                "{} {}, images",
                model(Endpoint::Images),
                SIZES[self.variant as usize]
            ),
            Charge::Speech => format!("{}, characters", model(Endpoint::AudioSpeeches)),
            Charge::Transcription => format!("{}, audio", model(Endpoint::AudioTranscriptions)),
            Charge::WebSearch => "web search tool calls".into(),
            Charge::FileSearch => "file search tool calls".into(),
            Charge::CodeInterpreter => "code interpreter sessions".into(),
            Charge::VectorStorage => "Vector storage".into(),
            Charge::FineTuning => TRAINING_LINE.into(),
        }
    }

    /// The `quantity_unit` (null where no supported unit applies: calls and sessions).
    pub fn unit(self) -> Option<&'static str> {
        match self.charge {
            Charge::Tokens | Charge::Embeddings | Charge::FineTuning => Some("tokens"),
            Charge::Images => Some("images"),
            Charge::Speech => Some("characters"),
            Charge::Transcription => Some("duration_seconds"),
            Charge::VectorStorage => Some("gibibyte_hours"),
            Charge::WebSearch | Charge::FileSearch | Charge::CodeInterpreter => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_units_and_packing() {
        let line = Line {
            charge: Charge::Tokens,
            model: 6,
            variant: 2 * 4 + 1,
            prefix: 2,
        };
        assert_eq!(
            line.name(),
            "priority | gpt-4o-realtime-preview-2025-06-03 audio, cached input"
        );
        assert_eq!(Line::unpack(line.pack()), line);
        let batch = Line {
            charge: Charge::Tokens,
            model: 2,
            variant: 2,
            prefix: 1,
        };
        assert_eq!(batch.name(), "batch | gpt-4.1-2025-04-14, cache writes");
        assert_eq!(
            Line::plain(Charge::VectorStorage).unit(),
            Some("gibibyte_hours")
        );
        assert_eq!(Line::plain(Charge::WebSearch).unit(), None);
    }
}

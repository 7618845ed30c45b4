//! Token counts of rendered prompts, by the tokenizer a target names.
//!
//! Exact for targets with `tokenizer = "openai"` (gpt): OpenAI's `o200k_base`
//! encoding (GPT-4o, GPT-4.1, GPT-5 and the o-series) by default, or
//! `cl100k_base` (GPT-4, GPT-3.5) when asked for; both are embedded in
//! `tiktoken-rs` and loaded on first use only. No offline tokenizer exists for
//! Claude or Gemini, and the Llama and DeepSeek ones are not bundleable, so every
//! other target gets a labelled estimate: characters / 4, rounded up. Pure apart
//! from that lazy load.

use std::sync::OnceLock;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// How a target's tokens are counted (its `tokenizer` key).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tokenizer {
    /// characters / 4: no offline tokenizer for the target's models.
    #[default]
    Estimate,
    /// OpenAI's encodings, exact.
    Openai,
}

/// A token count and how it was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tokens {
    pub count: usize,
    /// True when counted with the model's own encoding; false for an estimate.
    pub exact: bool,
    /// The encoding counted with (`o200k_base`), or `estimate`.
    pub encoding: Encoding,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Encoding {
    /// OpenAI's encoding for GPT-4o and newer.
    O200kBase,
    /// OpenAI's encoding for GPT-4 and GPT-3.5 (`agentc stats --encoding`; bundles
    /// always count with `o200k_base`, so their schema leaves it out).
    #[schemars(skip)]
    Cl100kBase,
    /// characters / 4, rounded up.
    Estimate,
}

/// An encoding the `gpt` family can be counted with (`agentc stats --encoding`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
#[value(rename_all = "snake_case")]
pub enum GptEncoding {
    #[default]
    #[value(name = "o200k_base")]
    O200kBase,
    #[value(name = "cl100k_base")]
    Cl100kBase,
}

impl Encoding {
    /// The name as JSON and the command line spell it.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::O200kBase => "o200k_base",
            Encoding::Cl100kBase => "cl100k_base",
            Encoding::Estimate => "estimate",
        }
    }
}

/// Counts the tokens of `text` with a target's tokenizer (`o200k_base` for OpenAI's).
pub fn count(tokenizer: Tokenizer, text: &str) -> Tokens {
    count_with(tokenizer, text, GptEncoding::O200kBase)
}

/// Counts like [`count`], with the given encoding for OpenAI's tokenizer.
pub fn count_with(tokenizer: Tokenizer, text: &str, gpt: GptEncoding) -> Tokens {
    if tokenizer != Tokenizer::Openai {
        return estimate(text);
    }
    let (bpe, encoding) = match gpt {
        GptEncoding::O200kBase => (o200k(), Encoding::O200kBase),
        GptEncoding::Cl100kBase => (cl100k(), Encoding::Cl100kBase),
    };
    match bpe {
        Some(bpe) => Tokens {
            count: bpe.encode_ordinary(text).len(),
            exact: true,
            encoding,
        },
        None => estimate(text),
    }
}

/// The labelled estimate: characters / 4, rounded up.
pub fn estimate(text: &str) -> Tokens {
    estimate_of(text.chars().count())
}

/// The estimate for a text of `characters` Unicode scalar values (a file
/// counted in pieces, never held whole).
pub fn estimate_of(characters: usize) -> Tokens {
    Tokens {
        count: characters.div_ceil(4),
        exact: false,
        encoding: Encoding::Estimate,
    }
}

/// The `o200k_base` encoder, built once on first use; `None` if it cannot be
/// built (then counts fall back to the estimate rather than failing a build).
fn o200k() -> Option<&'static tiktoken_rs::CoreBPE> {
    static BPE: OnceLock<Option<tiktoken_rs::CoreBPE>> = OnceLock::new();
    BPE.get_or_init(|| tiktoken_rs::o200k_base().ok()).as_ref()
}

/// The `cl100k_base` encoder, built once on first use, like [`o200k`].
fn cl100k() -> Option<&'static tiktoken_rs::CoreBPE> {
    static BPE: OnceLock<Option<tiktoken_rs::CoreBPE>> = OnceLock::new();
    BPE.get_or_init(|| tiktoken_rs::cl100k_base().ok()).as_ref()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gpt_counts_are_exact() {
        for (text, want) in [("", 0), ("hello world", 2), ("You are a code reviewer.", 6)] {
            let t = count(Tokenizer::Openai, text);
            assert_eq!(
                (t.count, t.exact, t.encoding),
                (want, true, Encoding::O200kBase),
                "{text:?}"
            );
        }
    }

    /// OpenAI's cookbook ("How to count tokens with tiktoken") encodes
    /// "tiktoken is great!" with `cl100k_base` as [83, 1609, 5963, 374, 2294, 0].
    #[test]
    fn cl100k_counts_match_openai_reference_ids() {
        let bpe = cl100k().expect("cl100k_base loads");
        assert_eq!(
            bpe.encode_ordinary("tiktoken is great!"),
            [83, 1609, 5963, 374, 2294, 0]
        );
        let t = count_with(
            Tokenizer::Openai,
            "tiktoken is great!",
            GptEncoding::Cl100kBase,
        );
        assert_eq!(
            (t.count, t.exact, t.encoding),
            (6, true, Encoding::Cl100kBase)
        );
        let t = count_with(
            Tokenizer::Estimate,
            "tiktoken is great!",
            GptEncoding::Cl100kBase,
        );
        assert_eq!(
            (t.count, t.exact),
            (5, false),
            "other families stay estimates"
        );
    }

    #[test]
    fn other_targets_get_labelled_estimates() {
        let t = count(Tokenizer::Estimate, "abcde");
        assert_eq!(
            (t.count, t.exact, t.encoding),
            (2, false, Encoding::Estimate)
        );
        assert_eq!(estimate("").count, 0);
        assert_eq!(estimate("éééé").count, 1, "characters, not bytes");
    }
}

//! Diagnostic codes: one enum, so that a code is spelt once and the build
//! record, JSON output and `[lint]` levels all read the same names back.
//!
//! The kebab-case spelling (`unknown-key`) is what users see and grep for; it
//! is stable: renaming a variant's spelling is a breaking change.

use serde::{Deserialize, Serialize};

/// What kind of problem a diagnostic reports.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
    strum::Display,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Code {
    // Reading files and folders.
    Io,
    NotFound,
    Binary,
    NotAFile,
    TooLarge,
    InvalidUtf8,
    Symlink,
    Exists,
    Usage,
    // Specs.
    InvalidToml,
    InvalidSpec,
    UnknownKey,
    InvalidName,
    InvalidId,
    EmptyDescription,
    DuplicateName,
    UnknownTool,
    UnknownTarget,
    UnknownOption,
    OptionType,
    OptionValue,
    AlreadyASpec,
    // The project: agentc.toml, target files, templates.
    InvalidConfig,
    InvalidTarget,
    BuiltinTarget,
    UnknownLint,
    Template,
    Render,
    TargetRule,
    // Outputs.
    PathEscapes,
    PathCollision,
    /// Two agents under one name in a tool (the target's `name_field`).
    NameCollision,
    NotOwned,
    InvalidManifest,
    PartialAggregate,
    Write,
    // What a target cannot express.
    Translation,
    // Bundles.
    Bundle,
    Request,
    // Lint rules (their names are their codes).
    MissingDescription,
    ShortDescription,
    NoTriggerPhrase,
    EmptyRole,
    EmptyItem,
    DuplicateItem,
    WillAndWillNot,
    UnmappableTool,
    NameFileMismatch,
    SectionRepeatsField,
    OverBudget,
    // What the importer recovered from a legacy file.
    Bom,
    ControlCharacter,
    DuplicateKey,
    EmptyValue,
    FrontmatterNotMapping,
    FrontmatterLayout,
    FrontmatterLine,
    InvalidYaml,
    KeyCase,
    NoFrontmatter,
    NoFrontmatterEnd,
    NoName,
    NameNormalised,
    DerivedDescription,
    HashComment,
    HashTags,
    LineEnds,
    LiteralNewline,
    RecoveredValue,
    /// A frontmatter value of another type than the key takes.
    Type,
    YamlComment,
    XmlText,
    XmlUnknown,
    XmlUnclosed,
    Empty,
    Other,
}

/// What a translation warning says a target lost (or changed) of an agent:
/// the build report groups warnings by loss and target, and `[accept]` in
/// agentc.toml names losses a project knows of, per target.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
    strum::Display,
)]
#[serde(rename_all = "kebab-case")]
#[strum(serialize_all = "kebab-case")]
pub enum Loss {
    /// A `tools` list the target cannot express became every tool: a
    /// permission widening (never accepted, always shown first).
    AllTools,
    /// A `tools` list became a coarser permission (a sandbox mode, read-only).
    ToolsAsMode,
    /// A tool with no equivalent in the target, dropped.
    DroppedTool,
    /// A legacy tool name written under the name the tool has now (`MultiEdit`
    /// as `Edit`).
    RenamedTool,
    /// A model the target cannot express or does not take, dropped.
    DroppedModel,
    /// A model the target does not document, kept as written.
    UnknownModel,
    /// A colour the target cannot express or does not take, dropped.
    DroppedColor,
    /// A colour the target does not list, kept as written.
    UnknownColor,
    /// `[extra]` keys the target cannot carry, dropped.
    DroppedField,
    /// A prompt longer than the target takes.
    OverLimit,
    /// The target's own rules leave the agent's file out.
    NotWritten,
    /// Text the format cannot hold, written another way.
    EscapedText,
    /// Part of the prompt the target's template leaves out (examples for an
    /// R1-style model, the usage of a tool the target has no word for).
    DroppedContent,
    /// A warning of one of the target's own rules (`[[checks]]`).
    TargetRule,
}

impl Loss {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl Code {
    /// The kebab-case name users see (`unknown-key`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use strum::IntoEnumIterator;

    /// Every code reads back from its name (the build record and `[lint]`
    /// levels depend on it), and no two share a name.
    #[test]
    fn every_code_reads_back_from_its_name() {
        let mut seen = std::collections::HashSet::new();
        for code in Code::iter() {
            assert!(seen.insert(code.as_str()), "{code:?}");
            assert_eq!(code.as_str().parse::<Code>(), Ok(code));
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
        assert_eq!(Code::UnknownKey.as_str(), "unknown-key");
        assert_eq!(Code::InvalidUtf8.as_str(), "invalid-utf8");
        assert_eq!(Code::AlreadyASpec.as_str(), "already-a-spec");
        assert!("no-such-code".parse::<Code>().is_err());
    }
}

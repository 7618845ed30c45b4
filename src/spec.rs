//! The canonical spec: the TOML model of one agent (`agents/<name>.toml`).
//!
//! Fields are declared in the canonical order, which is also the order in which
//! importers write them and templates render them. Unknown keys are rejected
//! (`deny_unknown_fields`) except inside `[extra]` and the free keys of
//! `[targets.<name>]`. The JSON Schema printed by `agentc schema` is derived from
//! these types, so the two cannot drift apart.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// The `[extra]` key where `import` keeps a name it had to normalise: agentc's
/// own bookkeeping, which no target reports as a loss.
pub const ORIGINAL_NAME: &str = "original_name";

pub mod kind;
pub use kind::Kind;

/// A TOML table whose key order is kept (toml's `preserve_order`).
pub type Table = toml::Table;

/// One agent, as written in `agents/<name>.toml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "agentc agent spec")]
pub struct Spec {
    /// Identifier and output file stem: `^[a-z0-9][a-z0-9._-]*$`.
    #[schemars(regex(pattern = r"^[a-z0-9][a-z0-9._-]*$"), length(min = 1, max = 128))]
    pub name: String,
    /// When a coordinator should delegate to this agent; may hold examples.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(regex(pattern = r"\S"))]
    pub description: Option<String>,
    /// Metadata, kept as written (`"2.0"` stays a string).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// Display colour, validated per target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    /// `inherit` (default), a tier (`fast`, `balanced`, `powerful`), a Claude alias
    /// (`haiku`, `sonnet`, `opus`) or a concrete model id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Allowed tools in the canonical (Claude Code) vocabulary; absent = all, `[]` = none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<String>>,
    /// Model families this agent is meant for (default: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_compatibility: Option<Vec<String>>,
    /// The identity/preamble paragraph(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expertise: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub responsibilities: Vec<Responsibility>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_usage: Vec<ToolUsage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundaries: Option<Boundaries>,
    /// What to do when unsure (Markdown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty_protocol: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_formats: Vec<OutputFormat>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<Example>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub success_metrics: Vec<String>,
    /// Free-form sections, in order (what legacy Markdown files carry).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sections: Vec<Section>,
    /// Frontmatter keys agentc does not model; re-emitted where a target allows.
    #[serde(default, skip_serializing_if = "Table::is_empty")]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub extra: Table,
    /// Per-target overrides, keyed by target name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub targets: BTreeMap<String, TargetOverride>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Responsibility {
    /// Optional identifier (`^[A-Za-z0-9_-]+$`), e.g. `"1"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub title: String,
    #[serde(default)]
    pub actions: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolUsage {
    pub tool: String,
    // Empty: the default, not written back (`agentc import`); the schema still shows it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[schemars(extend("default" = ""))]
    pub purpose: String,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    #[schemars(extend("default" = ""))]
    pub when_to_use: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Boundaries {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub will: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub will_not: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub escalation: Vec<String>,
}

impl Boundaries {
    pub fn is_empty(&self) -> bool {
        self.will.is_empty() && self.will_not.is_empty() && self.escalation.is_empty()
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutputFormat {
    pub name: String,
    /// Markdown, usually a fenced code block.
    pub body: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub context: String,
    pub input: String,
    pub approach: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commentary: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub title: String,
    /// What the section is (`docs/prompts.md`, "Section kinds"), so that each
    /// target can place it; absent: unclassified. Never changes its text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<Kind>,
    /// The body's first line is the section's heading as the source wrote it
    /// (`**Tech Stack**:`, `Your duties:`, `### Notes`) rather than `## title`:
    /// `claude` and `xml` write the body as it is, the plain prompts write
    /// their own heading (the title) and the body without that line.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub heading_in_body: bool,
    /// Markdown.
    #[serde(default)]
    pub body: String,
}

/// A structured body field of the spec, in the canonical render order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::EnumIter, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Field {
    Triggers,
    Expertise,
    Responsibilities,
    ToolUsage,
    Boundaries,
    UncertaintyProtocol,
    OutputFormats,
    Examples,
    SuccessMetrics,
}

impl Field {
    /// The key in the spec (`tool_usage`).
    pub fn key(self) -> &'static str {
        self.into()
    }

    /// The heading agentc's Markdown body writes for the field (`Tool Usage`):
    /// the one table the templates (as `headings`), the importer (which lifts
    /// these headings back into fields) and lint read.
    pub fn heading(self) -> &'static str {
        match self {
            Field::Triggers => "Triggers",
            Field::Expertise => "Expertise",
            Field::Responsibilities => "Responsibilities",
            Field::ToolUsage => "Tool Usage",
            Field::Boundaries => "Boundaries",
            Field::UncertaintyProtocol => "Uncertainty Protocol",
            Field::OutputFormats => "Output Formats",
            Field::Examples => "Examples",
            Field::SuccessMetrics => "Success Metrics",
        }
    }

    /// The section kind the field counts as (`boundaries` → `constraints`).
    pub fn kind(self) -> Kind {
        match self {
            Field::Triggers => Kind::Triggers,
            Field::Expertise => Kind::Expertise,
            Field::Responsibilities => Kind::Responsibilities,
            Field::ToolUsage => Kind::ToolUsage,
            Field::Boundaries => Kind::Constraints,
            Field::UncertaintyProtocol => Kind::Uncertainty,
            Field::OutputFormats => Kind::OutputFormat,
            Field::Examples => Kind::Examples,
            Field::SuccessMetrics => Kind::SuccessMetrics,
        }
    }

    /// Every field, in canonical order.
    pub fn all() -> impl Iterator<Item = Field> {
        <Field as strum::IntoEnumIterator>::iter()
    }

    /// The field whose heading `title` is, ignoring case and surrounding space.
    pub fn of_heading(title: &str) -> Option<Field> {
        let title = title.trim();
        Field::all().find(|f| f.heading().eq_ignore_ascii_case(title))
    }
}

/// `[targets.<name>]`: what one target should do differently for this agent.
///
/// Keys other than the named ones are either options the target declares (e.g.
/// `wrap` for `llama`) or extra frontmatter keys for that target.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct TargetOverride {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub color: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Do not render this agent for this target.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub skip: bool,
    #[serde(flatten)]
    #[schemars(with = "BTreeMap<String, serde_json::Value>")]
    pub rest: Table,
}

/// The identifier rule for agent names.
pub fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_lowercase() || c.is_ascii_digit())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        && name.len() <= 128
}

/// The identifier rule for responsibility ids.
pub fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// The JSON Schema of the spec, as printed by `agentc schema`.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Spec);
    serde_json::to_value(schema).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_identifier_rule() {
        for ok in ["a", "backend-architect", "x1.2_y", "0ab"] {
            assert!(is_valid_name(ok), "{ok}");
        }
        let long = "a".repeat(129);
        for bad in [
            "",
            "../x",
            "a/b",
            "A",
            "has space",
            "-x",
            ".x",
            "é",
            long.as_str(),
        ] {
            assert!(!is_valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn field_keys_are_spec_keys_and_headings_are_unique() {
        let schema = json_schema();
        let props = schema["properties"].as_object().unwrap();
        let mut headings = std::collections::HashSet::new();
        for f in Field::all() {
            assert!(props.contains_key(f.key()), "{f:?}");
            assert!(headings.insert(f.heading()), "{f:?}");
            assert_eq!(Field::of_heading(&f.heading().to_uppercase()), Some(f));
        }
        assert_eq!(Field::ToolUsage.key(), "tool_usage");
        assert_eq!(Field::of_heading("Role"), None);
    }

    #[test]
    fn version_stays_a_string() {
        let spec: Spec = toml::from_str("name = \"a\"\nversion = \"2.0\"").unwrap();
        assert_eq!(spec.version.as_deref(), Some("2.0"));
        let err = toml::from_str::<Spec>("name = \"a\"\nversion = 2.0").unwrap_err();
        assert!(err.message().contains("expected a string"), "{err}");
    }

    #[test]
    fn schema_lists_every_top_level_key() {
        let schema = json_schema();
        let props = schema["properties"].as_object().unwrap();
        for key in [
            "name",
            "tools",
            "sections",
            "extra",
            "targets",
            "boundaries",
        ] {
            assert!(props.contains_key(key), "{key}");
        }
        assert_eq!(schema["additionalProperties"], serde_json::json!(false));
    }
}

#[cfg(test)]
mod schema_file {
    /// `agentc.schema.json` (referenced by the specs' `#:schema` lines) must be
    /// what `agentc schema` prints; regenerate it with `agentc schema > agentc.schema.json`.
    #[test]
    fn committed_schema_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("agentc.schema.json");
        let committed = std::fs::read_to_string(path).expect("agentc.schema.json is committed");
        let current = format!(
            "{}\n",
            serde_json::to_string_pretty(&super::json_schema()).unwrap()
        );
        assert!(
            committed == current,
            "agentc.schema.json is stale: run `agentc schema > agentc.schema.json`"
        );
    }
}

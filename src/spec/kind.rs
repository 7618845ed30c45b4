//! Section kinds: what a part of an agent's body is, so that each target can
//! place it where its model family's guide wants it while the text stays as
//! written. The one vocabulary of the crate: the spec's `[[sections]] kind`,
//! the JSON Schema, the importer's classifier, lint and the docs
//! (`docs/prompts.md`, "Section kinds", which a test keeps in step) all read
//! this table.
//!
//! The kinds were chosen from the headings of 202 real agent files: a kind is
//! worth having when some family's guide places it differently. A heading that
//! fits none stays unclassified (`kind` absent) rather than forced into a
//! catch-all.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What a section of the body is. Written in snake case (`output_format`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    JsonSchema,
    strum::EnumIter,
    strum::IntoStaticStr,
    strum::EnumString,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum Kind {
    /// The agent's purpose or mission ("Purpose", "Core Mission", "Goal").
    Objective,
    /// When the agent should be called ("When to Use", "Use Cases").
    Triggers,
    /// What the agent knows and can do ("Capabilities", "Focus Areas").
    Expertise,
    /// The duties it owns ("Responsibilities", "Core Duties").
    Responsibilities,
    /// How it works, step by step ("Workflow", "Process", "Response Approach").
    Workflow,
    /// How to use its tools ("Tool Usage", "Available Tools").
    ToolUsage,
    /// Hard limits and rules ("Constraints", "Boundaries", "Guardrails").
    Constraints,
    /// What to do when unsure ("Uncertainty Protocol", "When in Doubt").
    Uncertainty,
    /// The shape of its answers ("Output Format", "Response Format", "Deliverables").
    OutputFormat,
    /// Worked examples ("Examples", "Example Interactions").
    Examples,
    /// How success is measured ("Success Metrics", "Definition of Done").
    SuccessMetrics,
    /// Values and behaviour it follows ("Principles", "Behavioral Traits", "Best Practices").
    Principles,
    /// Tone and voice ("Communication Style", "Tone").
    Style,
    /// Background it draws on ("Knowledge Base", "Context", "References").
    Knowledge,
    /// Working with other agents and people ("Delegation", "Key Distinctions").
    Collaboration,
    /// Items to check before finishing ("Quality Checklist", "Review Checklist").
    Checklist,
}

impl Kind {
    /// The name written in specs and seen by templates (`output_format`).
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// Every kind, in the table's order.
    pub fn all() -> impl Iterator<Item = Kind> {
        <Kind as strum::IntoEnumIterator>::iter()
    }

    /// The kind named `name`, exactly as written in a spec.
    pub fn of_name(name: &str) -> Option<Kind> {
        name.parse().ok()
    }

    /// What the kind means (the first line of the docs table).
    pub fn meaning(self) -> &'static str {
        match self {
            Kind::Objective => "the agent's purpose or mission",
            Kind::Triggers => "when the agent should be called",
            Kind::Expertise => "what the agent knows and can do",
            Kind::Responsibilities => "the duties it owns",
            Kind::Workflow => "how it works, step by step",
            Kind::ToolUsage => "how to use its tools",
            Kind::Constraints => "hard limits and rules",
            Kind::Uncertainty => "what to do when unsure",
            Kind::OutputFormat => "the shape of its answers",
            Kind::Examples => "worked examples",
            Kind::SuccessMetrics => "how success is measured",
            Kind::Principles => "values and behaviour it follows",
            Kind::Style => "tone and voice",
            Kind::Knowledge => "background it draws on",
            Kind::Collaboration => "working with other agents and people",
            Kind::Checklist => "items to check before finishing",
        }
    }

    /// Every kind's name, quoted and comma-separated (for error messages).
    pub fn list() -> String {
        Kind::all()
            .map(|k| format!("`{}`", k.name()))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_read_back_and_serde_agrees_with_strum() {
        for k in Kind::all() {
            assert_eq!(Kind::of_name(k.name()), Some(k));
            let json = serde_json::to_value(k).unwrap();
            assert_eq!(json, serde_json::Value::from(k.name()));
            assert!(!k.meaning().is_empty());
        }
        assert_eq!(Kind::OutputFormat.name(), "output_format");
        assert_eq!(Kind::of_name("Output_Format"), None);
        assert_eq!(Kind::of_name("boundaries"), None);
    }

    /// docs/prompts.md's table lists every kind with its meaning, and the
    /// structured field that counts as it.
    #[test]
    fn the_docs_table_is_this_table() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/prompts.md");
        let docs = std::fs::read_to_string(path).expect("docs/prompts.md");
        let rows: Vec<&str> = docs.lines().filter(|l| l.starts_with("| `")).collect();
        let kinds: Vec<Kind> = Kind::all().collect();
        assert_eq!(rows.len(), kinds.len(), "one row per kind");
        for (row, k) in rows.iter().zip(kinds) {
            let start = format!("| `{}` | {} |", k.name(), k.meaning());
            assert!(row.starts_with(&start), "{row}\nwant: {start}");
            let field = crate::spec::Field::all().find(|f| f.kind() == k);
            let end = field.map_or("| |".to_string(), |f| format!("| `{}` |", f.key()));
            assert!(row.ends_with(&end), "{row}\nwant: … {end}");
        }
    }
}

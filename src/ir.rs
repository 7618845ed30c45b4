//! The target-neutral agent: what `lower` makes of a spec and what templates see.
//!
//! Every text is normalised (LF line ends, no leading blank lines, no trailing
//! white space), defaults are resolved, and absent lists are empty. Fields whose
//! absence means something to a target (`tools`, `model`) stay optional.

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::spec::{OutputFormat, Section, Table, TargetOverride, ToolUsage};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Agent {
    pub name: String,
    /// The spec's description, or one derived from the body when it has none.
    pub description: String,
    /// True when `description` equals what `derive_description` gives, so that
    /// targets that carry no description (the XML v2.0 form) lose nothing.
    pub description_derived: bool,
    pub version: Option<String>,
    pub category: Option<String>,
    pub author: Option<String>,
    pub tags: Option<Vec<String>>,
    pub color: Option<String>,
    /// As written; `None` means `inherit`.
    pub model: Option<String>,
    /// `None`: all tools (inherit); `Some([])`: no tools.
    pub tools: Option<Vec<String>>,
    pub model_compatibility: Option<Vec<String>>,
    pub role: String,
    pub triggers: Vec<String>,
    pub expertise: Vec<String>,
    pub responsibilities: Vec<Responsibility>,
    pub tool_usage: Vec<ToolUsage>,
    pub boundaries: Boundaries,
    pub uncertainty_protocol: String,
    pub output_formats: Vec<OutputFormat>,
    pub examples: Vec<Example>,
    pub success_metrics: Vec<String>,
    pub sections: Vec<Section>,
    pub extra: Table,
    #[serde(skip)]
    pub overrides: std::collections::BTreeMap<String, TargetOverride>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Responsibility {
    pub id: Option<String>,
    pub title: String,
    pub actions: Vec<String>,
}

/// A worked example; absent parts are `none` (not undefined) for templates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Example {
    pub context: String,
    pub input: String,
    pub approach: String,
    pub output: Option<String>,
    pub commentary: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Boundaries {
    pub will: Vec<String>,
    pub will_not: Vec<String>,
    pub escalation: Vec<String>,
}

impl Agent {
    /// True when the agent has any structured body field beyond role and sections.
    pub fn is_structured(&self) -> bool {
        !(self.triggers.is_empty()
            && self.expertise.is_empty()
            && self.responsibilities.is_empty()
            && self.tool_usage.is_empty()
            && self.boundaries == Boundaries::default()
            && self.uncertainty_protocol.is_empty()
            && self.output_formats.is_empty()
            && self.examples.is_empty()
            && self.success_metrics.is_empty())
    }
}

/// What one target makes of an agent (`resolve`'s result): the target-specific
/// values templates see beside the agent, and what the target cannot express.
#[derive(Debug, Default)]
pub struct Resolved {
    pub options: Table,
    /// The target's tool names; `None` = inherit all (or not expressible).
    pub tools: Option<Vec<String>>,
    pub model: Option<String>,
    pub color: Option<String>,
    pub description: String,
    /// Extra frontmatter keys the target carries.
    pub extra: Table,
    pub warnings: Vec<Diagnostic>,
}

//! The target-neutral agent: what `lower` makes of a spec and what templates see.
//!
//! Every text is normalised (LF line ends, no leading blank lines, no trailing
//! white space), defaults are resolved, and absent lists are empty. Fields whose
//! absence means something to a target (`tools`, `model`) stay optional.

use serde::Serialize;

use crate::diag::Diagnostic;
use crate::spec::{Field, Kind, OutputFormat, Table, TargetOverride};

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
    /// The body after the role, in render order: each structured field that has
    /// content, then each section, with its kind (see [`Part`]).
    pub parts: Vec<Part>,
    pub extra: Table,
    #[serde(skip)]
    pub overrides: std::collections::BTreeMap<String, TargetOverride>,
}

/// A free section as templates see it: `kind` is `none` when unclassified.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub title: String,
    pub kind: Option<Kind>,
    /// For a section whose heading is in its body (`heading_in_body`): that
    /// heading line and the blank lines after it, as written; `body` is the
    /// rest. `none` for a section whose heading is `## title`.
    pub lead: Option<String>,
    pub body: String,
}

/// One part of the body, as `agent.parts` lists them for templates: a
/// structured field (`field` is its key, e.g. `boundaries`, and `kind` the kind
/// it counts as) or a free section (`section` is its index in `agent.sections`).
/// Parts name their content rather than copy it, so listing them is cheap:
/// `{% for p in agent.parts if p.kind == "output_format" %}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Part {
    pub kind: Option<Kind>,
    pub field: Option<&'static str>,
    pub section: Option<usize>,
}

impl Part {
    /// The parts of a body: the fields that `has` says have content, in
    /// canonical order, then the sections.
    pub fn list(has: impl Fn(Field) -> bool, sections: &[Section]) -> Vec<Part> {
        let fields = Field::all().filter(|f| has(*f)).map(|f| Part {
            kind: Some(f.kind()),
            field: Some(f.key()),
            section: None,
        });
        let sections = sections.iter().enumerate().map(|(i, s)| Part {
            kind: s.kind,
            field: None,
            section: Some(i),
        });
        fields.chain(sections).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Responsibility {
    pub id: Option<String>,
    pub title: String,
    pub actions: Vec<String>,
}

/// How to use a tool; an empty text is `""` (not undefined) for templates.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ToolUsage {
    pub tool: String,
    pub purpose: String,
    pub when_to_use: String,
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
    /// Whether the structured field `f` has content.
    pub fn has(&self, f: Field) -> bool {
        match f {
            Field::Triggers => !self.triggers.is_empty(),
            Field::Expertise => !self.expertise.is_empty(),
            Field::Responsibilities => !self.responsibilities.is_empty(),
            Field::ToolUsage => !self.tool_usage.is_empty(),
            Field::Boundaries => self.boundaries != Boundaries::default(),
            Field::UncertaintyProtocol => !self.uncertainty_protocol.is_empty(),
            Field::OutputFormats => !self.output_formats.is_empty(),
            Field::Examples => !self.examples.is_empty(),
            Field::SuccessMetrics => !self.success_metrics.is_empty(),
        }
    }

    /// True when the agent has any structured body field beyond role and sections.
    pub fn is_structured(&self) -> bool {
        Field::all().any(|f| self.has(f))
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

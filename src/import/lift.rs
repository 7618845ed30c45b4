//! Import stage 3b: lifting agentc's canonical Markdown headings back into fields.
//!
//! Input: a spec whose Markdown body was read as role + sections. Output: the
//! same spec with its leading canonical sections (`## Triggers`, `## Expertise`,
//! … in the canonical order) moved into the structured fields.
//!
//! A section is lifted only when (a) it continues the prefix of canonical
//! sections in canonical order, and (b) rendering the parsed field with the real
//! `claude` body template (`_markdown.j2`) gives back that section's text exactly
//! (after `lower::text`). Anything else stays a free section, so lifting can never
//! lose or reorder text.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use pulldown_cmark::HeadingLevel;

use super::markdown::split;
use crate::lower::{lower, text};
use crate::render::Renderer;
use crate::spec::{Boundaries, Example, OutputFormat, Responsibility, Section, Spec, ToolUsage};

#[derive(Debug, Clone, Copy)]
enum Kind {
    Triggers,
    Expertise,
    Responsibilities,
    ToolUsage,
    Boundaries,
    Uncertainty,
    OutputFormats,
    Examples,
    SuccessMetrics,
}

/// The headings `_markdown.j2` writes, in canonical order.
const CANONICAL: [(&str, Kind); 9] = [
    ("Triggers", Kind::Triggers),
    ("Expertise", Kind::Expertise),
    ("Responsibilities", Kind::Responsibilities),
    ("Tool Usage", Kind::ToolUsage),
    ("Boundaries", Kind::Boundaries),
    ("Uncertainty Protocol", Kind::Uncertainty),
    ("Output Formats", Kind::OutputFormats),
    ("Examples", Kind::Examples),
    ("Success Metrics", Kind::SuccessMetrics),
];

/// Whether a free section with this title could be mistaken for a structured
/// field on import (a lint should flag such titles).
pub fn is_canonical_heading(title: &str) -> bool {
    CANONICAL.iter().any(|(t, _)| *t == title)
}

/// Moves the canonical prefix of `spec.sections` into structured fields.
pub fn lift(spec: &mut Spec) {
    let mut next = 0;
    let mut lifted = Vec::new();
    for sec in &spec.sections {
        let Some(k) = CANONICAL[next..].iter().position(|(t, _)| *t == sec.title) else {
            break;
        };
        let mut candidate = Spec {
            name: spec.name.clone(),
            ..Spec::default()
        };
        if parse(CANONICAL[next + k].1, &sec.body, &mut candidate).is_none()
            || !reproduces(&candidate, sec)
        {
            break;
        }
        lifted.push(candidate);
        next += k + 1;
    }
    spec.sections.drain(..lifted.len());
    for c in lifted {
        merge(spec, c);
    }
}

fn merge(into: &mut Spec, c: Spec) {
    into.triggers.extend(c.triggers);
    into.expertise.extend(c.expertise);
    into.responsibilities.extend(c.responsibilities);
    into.tool_usage.extend(c.tool_usage);
    into.boundaries = c.boundaries.or(into.boundaries.take());
    into.uncertainty_protocol = c.uncertainty_protocol.or(into.uncertainty_protocol.take());
    into.output_formats.extend(c.output_formats);
    into.examples.extend(c.examples);
    into.success_metrics.extend(c.success_metrics);
}

fn renderer() -> &'static Renderer {
    static RENDERER: OnceLock<Renderer> = OnceLock::new();
    RENDERER.get_or_init(|| Renderer::new(None, BTreeMap::new()))
}

/// Whether the claude body template turns `candidate` back into `sec`.
fn reproduces(candidate: &Spec, sec: &Section) -> bool {
    let Ok(rendered) = renderer().markdown_body(&lower(candidate)) else {
        return false;
    };
    text(&rendered) == text(&format!("## {}\n\n{}", sec.title, sec.body))
}

fn parse(kind: Kind, body: &str, c: &mut Spec) -> Option<()> {
    match kind {
        Kind::Triggers => c.triggers = non_empty(items(body)?)?,
        Kind::Expertise => c.expertise = non_empty(items(body)?)?,
        Kind::SuccessMetrics => c.success_metrics = non_empty(items(body)?)?,
        Kind::Uncertainty => c.uncertainty_protocol = Some(text(body)).filter(|t| !t.is_empty()),
        Kind::Responsibilities => c.responsibilities = responsibilities(body)?,
        Kind::ToolUsage => c.tool_usage = tool_usage(body)?,
        Kind::Boundaries => c.boundaries = Some(boundaries(body)?),
        Kind::OutputFormats => {
            let subs = subsections(body)?;
            c.output_formats = subs
                .into_iter()
                .map(|(name, b)| OutputFormat {
                    name,
                    body: text(&b),
                })
                .collect();
        }
        Kind::Examples => c.examples = examples(body)?,
    }
    Some(())
}

fn non_empty(v: Vec<String>) -> Option<Vec<String>> {
    (!v.is_empty()).then_some(v)
}

/// `### ` subsections, with nothing but blank lines before the first.
fn subsections(body: &str) -> Option<Vec<(String, String)>> {
    let (pre, subs) = split(body, HeadingLevel::H3);
    (pre.trim().is_empty() && !subs.is_empty()).then_some(subs)
}

/// A list of `- item` lines, continuation lines indented by two spaces.
fn items(body: &str) -> Option<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for line in text(body).lines() {
        if let Some(rest) = line.strip_prefix("- ") {
            out.push(rest.to_string());
        } else if line == "-" {
            out.push(String::new());
        } else if let Some(last) = out.last_mut() {
            last.push('\n');
            if !line.is_empty() {
                last.push_str(line.strip_prefix("  ")?);
            }
        } else {
            return None;
        }
    }
    Some(out.iter().map(|i| text(i)).collect())
}

/// The text after `Label:` in an item such as `Purpose: x`.
fn label(item: &str, name: &str) -> Option<String> {
    let rest = item.strip_prefix(name)?.strip_prefix(':')?;
    Some(text(rest.strip_prefix(' ').unwrap_or(rest)))
}

fn responsibilities(body: &str) -> Option<Vec<Responsibility>> {
    let mut out = Vec::new();
    for (heading, b) in subsections(body)? {
        let (id, title) = match heading.split_once(". ") {
            Some((id, title)) if crate::spec::is_valid_id(id) => {
                (Some(id.to_string()), title.to_string())
            }
            _ => (None, heading),
        };
        out.push(Responsibility {
            id,
            title,
            actions: items(&b)?,
        });
    }
    Some(out)
}

fn tool_usage(body: &str) -> Option<Vec<ToolUsage>> {
    let mut out = Vec::new();
    for (tool, b) in subsections(body)? {
        let its = items(&b)?;
        let [purpose, when] = its.as_slice() else {
            return None;
        };
        out.push(ToolUsage {
            tool,
            purpose: label(purpose, "Purpose")?,
            when_to_use: label(when, "When to use")?,
        });
    }
    Some(out)
}

fn boundaries(body: &str) -> Option<Boundaries> {
    let mut b = Boundaries::default();
    let mut last = 0;
    for (title, sub) in subsections(body)? {
        let (rank, list) = match title.as_str() {
            "Will" => (1, &mut b.will),
            "Will Not" => (2, &mut b.will_not),
            "Escalation" => (3, &mut b.escalation),
            _ => return None,
        };
        if rank <= last {
            return None;
        }
        last = rank;
        *list = non_empty(items(&sub)?)?;
    }
    Some(b)
}

fn examples(body: &str) -> Option<Vec<Example>> {
    let mut out = Vec::new();
    for (i, (title, b)) in subsections(body)?.into_iter().enumerate() {
        if title != format!("Example {}", i + 1) {
            return None;
        }
        let its = items(&b)?;
        let mut it = its.iter().peekable();
        let mut e = Example {
            context: label(it.next()?, "Context")?,
            input: label(it.next()?, "Input")?,
            approach: label(it.next()?, "Approach")?,
            ..Example::default()
        };
        e.output = it.peek().and_then(|i| label(i, "Output"));
        if e.output.is_some() {
            it.next();
        }
        e.commentary = it.peek().and_then(|i| label(i, "Commentary"));
        if e.commentary.is_some() {
            it.next();
        }
        if it.next().is_some() {
            return None;
        }
        out.push(e);
    }
    Some(out)
}

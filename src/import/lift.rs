//! Import stage 3b: lifting agentc's canonical Markdown headings back into fields.
//!
//! Input: a spec whose Markdown body was read as role + sections. Output: the
//! same spec with its leading canonical sections (`## Triggers`, `## Expertise`,
//! … in the canonical order) moved into the structured fields.
//!
//! A section is lifted only when (a) it continues the prefix of canonical
//! sections in canonical order, and (b) rendering the parsed field with the real
//! `claude` body template (`_markdown.j2`) gives back that section's text exactly
//! (after `support::text::normalize`). Anything else stays a free section, so lifting can never
//! lose or reorder text.

use std::sync::OnceLock;

use pulldown_cmark::HeadingLevel;

use super::markdown::split;
use crate::lower::lower;
use crate::render::Renderer;
use crate::spec::{
    Boundaries, Example, Field, OutputFormat, Responsibility, Section, Spec, ToolUsage,
};
use crate::support::text::normalize as text;

/// Moves the canonical prefix of `spec.sections` into structured fields.
pub fn lift(spec: &mut Spec) {
    let canonical: Vec<Field> = Field::all().collect();
    let mut next = 0;
    let mut lifted = Vec::new();
    for sec in &spec.sections {
        let Some(k) = canonical[next..]
            .iter()
            .position(|f| f.heading() == sec.title)
        else {
            break;
        };
        let mut candidate = Spec {
            name: spec.name.clone(),
            ..Spec::default()
        };
        if parse(canonical[next + k], &sec.body, &mut candidate).is_none()
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
    RENDERER.get_or_init(|| Renderer::new(None))
}

/// Whether the claude body template turns `candidate` back into `sec`.
fn reproduces(candidate: &Spec, sec: &Section) -> bool {
    let Ok(rendered) = renderer().markdown_body(&lower(candidate)) else {
        return false;
    };
    text(&rendered) == text(&format!("## {}\n\n{}", sec.title, sec.body))
}

fn parse(field: Field, body: &str, c: &mut Spec) -> Option<()> {
    match field {
        Field::Triggers => c.triggers = non_empty(items(body)?)?,
        Field::Expertise => c.expertise = non_empty(items(body)?)?,
        Field::SuccessMetrics => c.success_metrics = non_empty(items(body)?)?,
        Field::UncertaintyProtocol => {
            c.uncertainty_protocol = Some(text(body)).filter(|t| !t.is_empty())
        }
        Field::Responsibilities => c.responsibilities = responsibilities(body)?,
        Field::ToolUsage => c.tool_usage = tool_usage(body)?,
        Field::Boundaries => c.boundaries = Some(boundaries(body)?),
        Field::OutputFormats => {
            let subs = subsections(body)?;
            c.output_formats = subs
                .into_iter()
                .map(|(name, b)| OutputFormat {
                    name,
                    body: text(&b),
                })
                .collect();
        }
        Field::Examples => c.examples = examples(body)?,
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
        // `Purpose:` then `When to use:`, in that order, each left out when empty.
        let mut usage = ToolUsage {
            tool,
            ..ToolUsage::default()
        };
        {
            let mut slots = [
                ("Purpose", &mut usage.purpose),
                ("When to use", &mut usage.when_to_use),
            ]
            .into_iter();
            for item in items(&b)? {
                let (slot, value) = slots
                    .by_ref()
                    .find_map(|(name, slot)| Some((slot, label(&item, name)?)))?;
                *slot = value;
            }
        }
        out.push(usage);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn list_items_and_continuations() {
        let cases: [(&str, Option<&[&str]>); 6] = [
            ("- a\n- b", Some(&["a", "b"])),
            (
                "- a\n  more\n\n  para\n- b",
                Some(&["a\nmore\n\npara", "b"]),
            ),
            ("-\n- x", Some(&["", "x"])),
            ("", Some(&[])),
            ("intro\n- a", None),
            ("- a\nnot indented", None),
        ];
        for (body, want) in cases {
            let want = want.map(|w| w.iter().map(|s| s.to_string()).collect::<Vec<_>>());
            assert_eq!(items(body), want, "{body:?}");
        }
        assert_eq!(label("Purpose: x", "Purpose").as_deref(), Some("x"));
        assert_eq!(label("Purpose:", "Purpose").as_deref(), Some(""));
        assert_eq!(label("Use: x", "Purpose"), None);
    }

    fn lifted(body: &str) -> Spec {
        let mut spec = Spec {
            name: "a".into(),
            ..Spec::default()
        };
        super::super::markdown::read(body, &mut spec);
        lift(&mut spec);
        spec
    }

    #[test]
    fn only_a_canonical_prefix_that_renders_back_is_lifted() {
        let s = lifted(
            "Role.\n\n## Triggers\n\n- x\n- y\n\n## Success Metrics\n\n- m\n\n## Notes\n\nfree\n",
        );
        assert_eq!(s.triggers, ["x", "y"]);
        assert_eq!(s.success_metrics, ["m"]);
        assert_eq!(s.sections.len(), 1);
        let out_of_order = lifted("## Expertise\n\n- e\n\n## Triggers\n\n- t\n");
        assert_eq!(out_of_order.expertise, ["e"]);
        assert_eq!(out_of_order.sections[0].title, "Triggers");
        let after_free = lifted("## Notes\n\nn\n\n## Triggers\n\n- t\n");
        assert!(after_free.triggers.is_empty() && after_free.sections.len() == 2);
        let not_a_list = lifted("## Triggers\n\nWhen asked.\n");
        assert!(not_a_list.triggers.is_empty() && not_a_list.sections.len() == 1);
        let not_as_rendered = lifted("## Triggers\n\n- a\n\n- b\n");
        assert!(
            not_as_rendered.triggers.is_empty(),
            "a loose list does not render back the same"
        );
    }

    #[test]
    fn structured_sections_are_parsed() {
        let s = lifted(
            "## Responsibilities\n\n### 1. API\n\n- design\n\n### Docs\n\n- write\n\n## Tool Usage\n\n### Read\n\n- Purpose: p\n- When to use: w\n\n## Boundaries\n\n### Will\n\n- w\n\n### Escalation\n\n- e\n\n## Examples\n\n### Example 1\n\n- Context: c\n- Input: i\n- Approach: a\n- Commentary: k\n",
        );
        assert_eq!(s.responsibilities[0].id.as_deref(), Some("1"));
        assert_eq!(s.responsibilities[1].id, None);
        assert_eq!(s.tool_usage[0].when_to_use, "w");
        assert_eq!(
            s.boundaries.as_ref().map(|b| b.escalation.clone()),
            Some(vec!["e".to_string()])
        );
        assert_eq!(s.examples[0].commentary.as_deref(), Some("k"));
        assert_eq!(s.examples[0].output, None);
        assert!(s.sections.is_empty(), "{:?}", s.sections);
    }
}

//! Lowering: `Spec` → `ir::Agent`, a pure function.
//!
//! Normalises every text to LF line ends with no leading blank lines and no
//! trailing white space, resolves defaults (an absent description is derived
//! from the body) and turns absent lists into empty ones.

use crate::ir::{Agent, Boundaries, Example, Part, Responsibility, Section, ToolUsage};
use crate::spec::{OutputFormat, Spec};
use crate::support::text::normalize as text;

pub fn lower(spec: &Spec) -> Agent {
    let role = spec.role.as_deref().map(text).unwrap_or_default();
    let triggers = list(&spec.triggers);
    let derived = derive_description(&role, &triggers, &spec.name);
    let description = spec
        .description
        .as_deref()
        .map(text)
        .unwrap_or_else(|| derived.clone());
    let boundaries = spec.boundaries.clone().unwrap_or_default();
    let mut agent = Agent {
        name: spec.name.clone(),
        description_derived: description == derived,
        description,
        version: spec.version.clone(),
        category: spec.category.clone(),
        author: spec.author.clone(),
        tags: spec.tags.clone(),
        color: spec.color.clone(),
        model: spec.model.clone(),
        tools: spec.tools.clone(),
        model_compatibility: spec.model_compatibility.clone(),
        role,
        triggers,
        expertise: list(&spec.expertise),
        responsibilities: spec
            .responsibilities
            .iter()
            .map(|r| Responsibility {
                id: r.id.clone(),
                title: text(&r.title),
                actions: list(&r.actions),
            })
            .collect(),
        tool_usage: spec
            .tool_usage
            .iter()
            .map(|t| ToolUsage {
                tool: t.tool.clone(),
                purpose: text(&t.purpose),
                when_to_use: text(&t.when_to_use),
            })
            .collect(),
        boundaries: Boundaries {
            will: list(&boundaries.will),
            will_not: list(&boundaries.will_not),
            escalation: list(&boundaries.escalation),
        },
        uncertainty_protocol: spec
            .uncertainty_protocol
            .as_deref()
            .map(text)
            .unwrap_or_default(),
        output_formats: spec
            .output_formats
            .iter()
            .map(|f| OutputFormat {
                name: f.name.clone(),
                body: text(&f.body),
            })
            .collect(),
        examples: spec
            .examples
            .iter()
            .map(|e| Example {
                context: text(&e.context),
                input: text(&e.input),
                approach: text(&e.approach),
                output: e.output.as_deref().map(text),
                commentary: e.commentary.as_deref().map(text),
            })
            .collect(),
        success_metrics: list(&spec.success_metrics),
        sections: spec
            .sections
            .iter()
            .map(|s| {
                let body = text(&s.body);
                let (lead, body) = match s.heading_in_body {
                    true => split_lead(body),
                    false => (None, body),
                };
                Section {
                    title: text(&s.title),
                    kind: s.kind,
                    lead,
                    body,
                }
            })
            .collect(),
        parts: Vec::new(),
        extra: spec.extra.clone(),
        overrides: spec.targets.clone(),
    };
    agent.parts = Part::list(|f| agent.has(f), &agent.sections);
    agent
}

/// A body whose first line is its heading: (that line and the blank lines after
/// it, the rest).
fn split_lead(body: String) -> (Option<String>, String) {
    let Some(nl) = body.find('\n') else {
        return (Some(body), String::new());
    };
    let start = nl + body[nl..].len() - body[nl..].trim_start_matches('\n').len();
    (Some(body[..start].to_string()), body[start..].to_string())
}

fn list(items: &[String]) -> Vec<String> {
    items.iter().map(|s| text(s)).collect()
}

/// The description a spec without one gets. Coding tools read a subagent's
/// description to decide when to delegate to it, so it says when, not who:
/// "Use this agent when the task involves: …" from the triggers, else from the
/// role's first sentence ("You are a code reviewer." gives "Use this agent when
/// you need a code reviewer."). Importers and the XML form rely on this being
/// deterministic; it is one line, holds no literal `\n`, and is never blank.
pub fn derive_description(role: &str, triggers: &[String], name: &str) -> String {
    // No literal `\n` (importers read it as a line break) and one line.
    let clean = |s: &str| s.replace('\n', " ").replace("\\n", " ").trim().to_string();
    let triggers: Vec<String> = triggers
        .iter()
        .map(|t| clean(t))
        .filter(|t| !t.is_empty())
        .map(|t| lower_first(t.trim_end_matches(['.', ';'])))
        .collect();
    if !triggers.is_empty() {
        return format!(
            "Use this agent when the task involves: {}.",
            triggers.join("; ")
        );
    }
    let first_line = role
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let sentence = match first_line.find(". ") {
        Some(i) => &first_line[..i],
        None => first_line.trim_end_matches('.'),
    };
    let sentence = clean(sentence);
    let sentence = sentence.trim_start_matches('#').trim();
    if sentence.is_empty() {
        return format!("Use this agent when the task calls for the {name} agent.");
    }
    for lead in ["You are ", "You're ", "you are "] {
        if let Some(who) = sentence.strip_prefix(lead) {
            return format!("Use this agent when you need {who}.");
        }
    }
    format!("Use this agent when the task fits its role: {sentence}.")
}

/// `s` with its first letter in lower case, unless the word is an acronym (`API`).
fn lower_first(s: &str) -> String {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(a), Some(b)) if a.is_uppercase() && !b.is_uppercase() => {
            let mut out: String = a.to_lowercase().collect();
            out.push_str(&s[a.len_utf8()..]);
            out
        }
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_description_is_derived_and_flagged() {
        let spec = Spec {
            name: "a".into(),
            role: Some("You help. Really.".into()),
            triggers: vec!["x".into(), "y".into()],
            ..Spec::default()
        };
        let agent = lower(&spec);
        assert_eq!(
            agent.description,
            "Use this agent when the task involves: x; y."
        );
        assert!(agent.description_derived);
        let given = lower(&Spec {
            description: Some("Given.".into()),
            ..spec
        });
        assert_eq!(given.description, "Given.");
        assert!(!given.description_derived);
    }

    #[test]
    fn derived_description_has_no_literal_newline_escape() {
        let d = derive_description("You help.", &["Use \\n now".to_string()], "a");
        assert_eq!(d, "Use this agent when the task involves: use   now.");
    }

    #[test]
    fn nameless_role_falls_back_to_the_name() {
        let want = "Use this agent when the task calls for the x agent.";
        assert_eq!(derive_description("", &[], "x"), want);
        assert_eq!(derive_description("\\n \\n", &[], "x"), want);
    }

    #[test]
    fn derived_description_says_when_to_delegate() {
        for (role, triggers, want) in [
            (
                "You are a senior code reviewer. You read diffs.",
                &[][..],
                "Use this agent when you need a senior code reviewer.",
            ),
            (
                "# You are a Senior Engineer.",
                &[],
                "Use this agent when you need a Senior Engineer.",
            ),
            (
                "Write release notes from merged PRs.",
                &[],
                "Use this agent when the task fits its role: Write release notes from merged PRs.",
            ),
            (
                "You help.",
                &["Designing new APIs".to_string(), "API reviews.".to_string()][..],
                "Use this agent when the task involves: designing new APIs; API reviews.",
            ),
        ] {
            assert_eq!(derive_description(role, triggers, "a"), want);
        }
    }
}

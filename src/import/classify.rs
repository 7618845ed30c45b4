//! Import stage 3c: giving each free section its kind (`spec::Kind`).
//!
//! Input: a section's title and body. Output: its kind, or none. Deterministic,
//! and it never touches the text: the claude and xml round trips stay exact
//! because importing either form classifies the same title and body again.
//!
//! 1. The heading: lower-cased, every run of characters that are not letters or
//!    digits made one space (emoji, `&`, `:`, `**` go), then matched against the
//!    phrases of `RULES` as whole words. The longest phrase (in words) wins, then
//!    the one that ends last in the heading (an English compound names its kind
//!    last: "Output Examples" are examples, "Example Output" is output), then
//!    the earlier rule.
//! 2. Where no phrase matches, or the one that does is generic ("Overview",
//!    "Method"), the content's shape decides (`shape`): input/output pairs are
//!    examples, a checkbox list a checklist, numbered steps a workflow, a list
//!    of "never/always" rules constraints. A generic heading with a kind of its
//!    own ("Method" → workflow) falls back to it.
//! 3. Otherwise the section stays unclassified, and import says so.

use crate::spec::Kind;

/// What a heading phrase says: a kind, or that the heading is generic (the
/// content decides; the kind given, if any, is the fallback).
#[derive(Clone, Copy)]
enum Says {
    Kind(Kind),
    Generic(Option<Kind>),
}

use Kind::*;
use Says::{Generic, Kind as K};

/// Heading phrases (lower case, words separated by one space) and what they say.
/// A rule table: long, but it does one thing.
const RULES: &[(&str, Says)] = &[
    // objective
    ("purpose", K(Objective)),
    ("mission", K(Objective)),
    ("goal", K(Objective)),
    ("goals", K(Objective)),
    ("objective", K(Objective)),
    ("objectives", K(Objective)),
    ("role", K(Objective)),
    ("your role", K(Objective)),
    ("who you are", K(Objective)),
    ("identity", K(Objective)),
    ("about", Generic(Some(Objective))),
    ("overview", Generic(Some(Objective))),
    ("introduction", Generic(Some(Objective))),
    // triggers
    ("when to use", K(Triggers)),
    ("when to use this agent", K(Triggers)),
    ("when to invoke", K(Triggers)),
    ("when to call", K(Triggers)),
    ("when invoked", K(Triggers)),
    ("when you re called", K(Triggers)),
    ("when called", K(Triggers)),
    ("use cases", K(Triggers)),
    ("use case", K(Triggers)),
    ("usage scenarios", K(Triggers)),
    ("triggers", K(Triggers)),
    ("trigger", K(Triggers)),
    ("activation", K(Triggers)),
    ("invocation", K(Triggers)),
    // expertise
    ("capabilities", K(Expertise)),
    ("capability", K(Expertise)),
    ("expertise", K(Expertise)),
    ("focus areas", K(Expertise)),
    ("focus", K(Expertise)),
    ("areas", K(Expertise)),
    ("skills", K(Expertise)),
    ("competencies", K(Expertise)),
    ("specialties", K(Expertise)),
    ("specialization", K(Expertise)),
    ("specializations", K(Expertise)),
    ("specialities", K(Expertise)),
    ("proficiency", K(Expertise)),
    ("what you know", K(Expertise)),
    ("what i can analyze", K(Expertise)),
    ("what i can do", K(Expertise)),
    ("what you can do", K(Expertise)),
    ("dimensions", K(Expertise)),
    // responsibilities
    ("responsibilities", K(Responsibilities)),
    ("responsibility", K(Responsibilities)),
    ("duties", K(Responsibilities)),
    ("what you do", K(Responsibilities)),
    ("tasks", K(Responsibilities)),
    ("ownership", K(Responsibilities)),
    // workflow
    ("workflow", K(Workflow)),
    ("process", K(Workflow)),
    ("approach", K(Workflow)),
    ("methodology", K(Workflow)),
    ("method", Generic(Some(Workflow))),
    ("how to help", Generic(Some(Workflow))),
    ("how you work", K(Workflow)),
    ("how i work", K(Workflow)),
    ("steps", K(Workflow)),
    ("step", K(Workflow)),
    ("procedure", K(Workflow)),
    ("procedures", K(Workflow)),
    ("protocol", K(Workflow)),
    ("playbook", K(Workflow)),
    ("playbooks", K(Workflow)),
    ("framework", K(Workflow)),
    ("planning", K(Workflow)),
    ("plan", K(Workflow)),
    ("strategy", K(Workflow)),
    ("strategies", K(Workflow)),
    ("lifecycle", K(Workflow)),
    ("phases", K(Workflow)),
    ("flow", K(Workflow)),
    ("triage", K(Workflow)),
    ("immediate actions", K(Workflow)),
    ("instructions", Generic(Some(Workflow))),
    ("operating procedure", K(Workflow)),
    ("how to determine", K(Workflow)),
    ("implementation", K(Workflow)),
    ("analysis", Generic(Some(Workflow))),
    // tool usage
    ("tool usage", K(ToolUsage)),
    ("tool use", K(ToolUsage)),
    ("tools", K(ToolUsage)),
    ("tool", K(ToolUsage)),
    ("available tools", K(ToolUsage)),
    ("using tools", K(ToolUsage)),
    ("commands", K(ToolUsage)),
    ("commands available", K(ToolUsage)),
    ("tool proficiency", K(Expertise)),
    ("toolchain proficiency", K(Expertise)),
    // constraints
    ("constraints", K(Constraints)),
    ("constraint", K(Constraints)),
    ("boundaries", K(Constraints)),
    ("boundary", K(Constraints)),
    ("guardrails", K(Constraints)),
    ("limitations", K(Constraints)),
    ("limits", K(Constraints)),
    ("rules", K(Constraints)),
    ("rule", K(Constraints)),
    ("restrictions", K(Constraints)),
    ("non negotiables", K(Constraints)),
    ("non negotiable", K(Constraints)),
    ("forbidden", K(Constraints)),
    ("prohibited", K(Constraints)),
    ("never", K(Constraints)),
    ("do not", K(Constraints)),
    ("don t", K(Constraints)),
    ("must", K(Constraints)),
    ("requirements", K(Constraints)),
    ("out of scope", K(Constraints)),
    ("scope", K(Constraints)),
    ("what i cannot do", K(Constraints)),
    ("cannot", K(Constraints)),
    ("safety", K(Constraints)),
    ("security", Generic(None)),
    ("ethics", K(Constraints)),
    ("ethical", K(Constraints)),
    ("disclaimer", K(Constraints)),
    ("important", Generic(Some(Constraints))),
    ("critical", Generic(None)),
    ("mandatory", K(Constraints)),
    // uncertainty
    ("uncertainty", K(Uncertainty)),
    ("uncertainty protocol", K(Uncertainty)),
    ("when unsure", K(Uncertainty)),
    ("when in doubt", K(Uncertainty)),
    ("unclear", K(Uncertainty)),
    ("ambiguity", K(Uncertainty)),
    ("ambiguous", K(Uncertainty)),
    ("clarification", K(Uncertainty)),
    ("clarifying questions", K(Uncertainty)),
    ("questions", K(Uncertainty)),
    ("information to collect", K(Uncertainty)),
    ("assumptions", K(Uncertainty)),
    ("escalation", K(Uncertainty)),
    // output format
    ("output", K(OutputFormat)),
    ("outputs", K(OutputFormat)),
    ("output format", K(OutputFormat)),
    ("output formats", K(OutputFormat)),
    ("response format", K(OutputFormat)),
    ("format", K(OutputFormat)),
    ("formats", K(OutputFormat)),
    ("deliverables", K(OutputFormat)),
    ("deliverable", K(OutputFormat)),
    ("delivery", K(OutputFormat)),
    ("report", K(OutputFormat)),
    ("reporting", K(OutputFormat)),
    ("what to report", K(OutputFormat)),
    ("template", K(OutputFormat)),
    ("templates", K(OutputFormat)),
    ("structure", K(OutputFormat)),
    ("results", K(OutputFormat)),
    ("findings", K(OutputFormat)),
    ("summary", Generic(Some(OutputFormat))),
    ("verdict", K(OutputFormat)),
    ("recommendations", K(OutputFormat)),
    ("recommendation", K(OutputFormat)),
    // examples
    ("examples", K(Examples)),
    ("example", K(Examples)),
    ("example interactions", K(Examples)),
    ("sample", K(Examples)),
    ("samples", K(Examples)),
    ("demonstration", K(Examples)),
    ("scenarios", K(Examples)),
    ("exercise types", K(Examples)),
    ("example output", K(OutputFormat)),
    // success metrics
    ("success metrics", K(SuccessMetrics)),
    ("success criteria", K(SuccessMetrics)),
    ("metrics", K(SuccessMetrics)),
    ("kpis", K(SuccessMetrics)),
    ("definition of done", K(SuccessMetrics)),
    ("acceptance criteria", K(SuccessMetrics)),
    ("criteria", K(SuccessMetrics)),
    ("quality", Generic(None)),
    // principles
    ("principles", K(Principles)),
    ("principle", K(Principles)),
    ("philosophy", K(Principles)),
    ("behavioral traits", K(Principles)),
    ("behavioural traits", K(Principles)),
    ("behavior", K(Principles)),
    ("behaviour", K(Principles)),
    ("behaviors", K(Principles)),
    ("traits", K(Principles)),
    ("values", K(Principles)),
    ("best practices", K(Principles)),
    ("practices", K(Principles)),
    ("guidelines", K(Principles)),
    ("standards", K(Principles)),
    ("mindset", K(Principles)),
    ("tenets", K(Principles)),
    ("conventions", K(Principles)),
    ("preferences", K(Principles)),
    // style
    ("style", K(Style)),
    ("tone", K(Style)),
    ("voice", K(Style)),
    ("communication", K(Style)),
    ("communication style", K(Style)),
    ("personality", K(Style)),
    ("persona", K(Style)),
    ("personas", K(Style)),
    ("writing", K(Style)),
    ("code style", K(Style)),
    ("communication strategy", K(Collaboration)),
    // knowledge
    ("knowledge", K(Knowledge)),
    ("knowledge base", K(Knowledge)),
    ("context", K(Knowledge)),
    ("background", K(Knowledge)),
    ("reference", K(Knowledge)),
    ("references", K(Knowledge)),
    ("resources", K(Knowledge)),
    ("further reading", K(Knowledge)),
    ("documentation", K(Knowledge)),
    ("glossary", K(Knowledge)),
    ("terminology", K(Knowledge)),
    ("technology stack", K(Knowledge)),
    ("tech stack", K(Knowledge)),
    ("stack", K(Knowledge)),
    ("technologies", K(Knowledge)),
    ("patterns", K(Knowledge)),
    ("pitfalls", K(Knowledge)),
    ("techniques", K(Knowledge)),
    ("relationships", K(Knowledge)),
    ("dependencies", K(Knowledge)),
    ("architecture", K(Knowledge)),
    ("integration points", K(Knowledge)),
    ("tips", K(Knowledge)),
    ("facts", K(Knowledge)),
    ("inputs", K(Knowledge)),
    ("input", K(Knowledge)),
    ("notes", Generic(Some(Knowledge))),
    ("types", K(Knowledge)),
    ("classes", K(Knowledge)),
    ("taxonomy", K(Knowledge)),
    ("classification", K(Knowledge)),
    ("levels", K(Knowledge)),
    ("considerations", K(Knowledge)),
    ("features", K(Knowledge)),
    ("trends", K(Knowledge)),
    // collaboration
    ("collaboration", K(Collaboration)),
    ("delegation", K(Collaboration)),
    ("delegate", K(Collaboration)),
    ("delegation strategy", K(Collaboration)),
    ("when to delegate", K(Collaboration)),
    ("coordination", K(Collaboration)),
    ("handoff", K(Collaboration)),
    ("hand off", K(Collaboration)),
    ("handoffs", K(Collaboration)),
    ("working with", K(Collaboration)),
    ("key distinctions", K(Collaboration)),
    ("distinctions", K(Collaboration)),
    ("workflow position", K(Collaboration)),
    ("inter agent", K(Collaboration)),
    ("agents", K(Collaboration)),
    ("team", K(Collaboration)),
    ("integration with", K(Collaboration)),
    ("communication protocols", K(Collaboration)),
    ("file ownership", K(Collaboration)),
    ("vs", K(Collaboration)),
    // checklist
    ("checklist", K(Checklist)),
    ("check list", K(Checklist)),
    ("checks", K(Checklist)),
    ("before completing", K(Checklist)),
    ("self check", K(Checklist)),
    ("verification", K(Checklist)),
    ("validation", Generic(Some(Checklist))),
];

/// The kind of a section with this title and body, if any.
pub fn classify(title: &str, body: &str) -> Option<Kind> {
    match heading(title) {
        Some(K(k)) => Some(k),
        Some(Generic(fallback)) => shape(body).or(fallback),
        None => shape(body),
    }
}

/// What the heading says, by `RULES` (see the module docs for ties).
fn heading(title: &str) -> Option<Says> {
    let normalised = normalise(title);
    let words: Vec<&str> = normalised.split_whitespace().collect();
    if words.is_empty() {
        return None;
    }
    // (words in the phrase, the word it ends before, rule index)
    let mut best: Option<(usize, usize, usize)> = None;
    for (i, (phrase, _)) in RULES.iter().enumerate() {
        let n = phrase.split(' ').count();
        // Whole-word occurrences, leftmost first and not overlapping.
        let mut at = 0;
        while at + n <= words.len() {
            if !phrase.split(' ').eq(words[at..at + n].iter().copied()) {
                at += 1;
                continue;
            }
            let key = (n, at + n, i);
            let better = best.is_none_or(|(m, e, j)| {
                (key.0, key.1) > (m, e) || (key.0, key.1) == (m, e) && i < j
            });
            if better {
                best = Some(key);
            }
            at += n;
        }
    }
    best.map(|(_, _, i)| RULES[i].1)
}

/// ` words of the title `: lower case, one space between words and at each end.
fn normalise(title: &str) -> String {
    let mut out = String::with_capacity(title.len() + 2);
    out.push(' ');
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

/// The kind the body's shape shows, for a generic or unknown heading.
fn shape(body: &str) -> Option<Kind> {
    let (mut io, mut checks, mut ordered, mut bullets, mut rules) = (0, 0, 0, 0, 0);
    let mut fenced = false;
    for line in body.lines() {
        let t = line.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            continue;
        }
        let bare = t
            .trim_start_matches(['-', '*', '+', ' ', '>'])
            .trim_start_matches('*');
        let lower = bare.to_lowercase();
        if [
            "input:",
            "output:",
            "user:",
            "assistant:",
            "<example>",
            "example:",
        ]
        .iter()
        .any(|p| lower.starts_with(p))
            || lower.starts_with("input**:")
            || lower.starts_with("output**:")
            || lower.starts_with("user**:")
        {
            io += 1;
        }
        if ["- [ ]", "- [x]", "* [ ]", "* [x]", "- [X]"]
            .iter()
            .any(|p| t.starts_with(p))
        {
            checks += 1;
            continue;
        }
        let digits = t.len() - t.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0
            && digits < 4
            && (t[digits..].starts_with(". ") || t[digits..].starts_with(") "))
        {
            ordered += 1;
            continue;
        }
        if t.starts_with("- ") || t.starts_with("* ") || t.starts_with("+ ") {
            bullets += 1;
            let first = lower
                .split(|c: char| !c.is_alphanumeric())
                .next()
                .unwrap_or("");
            if ["never", "always", "must", "avoid", "don", "do"].contains(&first)
                && (first != "do" || lower.starts_with("do not"))
            {
                rules += 1;
            }
        }
    }
    if io >= 2 {
        Some(Examples)
    } else if checks >= 2 {
        Some(Checklist)
    } else if ordered >= 3 && ordered >= bullets {
        Some(Workflow)
    } else if bullets >= 2 && rules * 2 >= bullets {
        Some(Constraints)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(title: &str) -> Option<Kind> {
        classify(title, "")
    }

    #[test]
    fn headings_are_matched_as_whole_words() {
        let cases = [
            ("Capabilities", Some(Expertise)),
            ("## Core Expertise Areas", Some(Expertise)),
            ("Behavioral Traits", Some(Principles)),
            ("Response Approach", Some(Workflow)),
            ("Knowledge Base", Some(Knowledge)),
            ("🧠 Knowledge Base", Some(Knowledge)),
            ("Expert Purpose", Some(Objective)),
            ("Output Format", Some(OutputFormat)),
            ("**Response Format:**", Some(OutputFormat)),
            ("Example Interactions", Some(Examples)),
            ("Strict Boundaries", Some(Constraints)),
            ("Quality Checklist", Some(Checklist)),
            ("When You're Called", Some(Triggers)),
            ("Automatic Delegation Strategy", Some(Collaboration)),
            ("Success Metrics", Some(SuccessMetrics)),
            ("Communication Style", Some(Style)),
            ("Purposeful", None),
            ("Outputting", None),
            ("", None),
            ("Miscellany", None),
        ];
        for (title, want) in cases {
            assert_eq!(kind(title), want, "{title}");
        }
    }

    #[test]
    fn ties_go_to_the_longest_phrase_then_the_last_one() {
        let cases = [
            // longest phrase: "workflow position" (2 words) over "workflow"
            ("Workflow Position", Some(Collaboration)),
            ("When to Use vs Security Auditor", Some(Triggers)),
            ("Uncertainty Protocol", Some(Uncertainty)),
            // equal length: the phrase that ends last names the kind
            ("Output Examples", Some(Examples)),
            ("Example Output", Some(OutputFormat)),
            ("Architecture Design Process", Some(Workflow)),
            ("Process Architecture", Some(Knowledge)),
            ("Best Practices & Patterns", Some(Principles)),
        ];
        for (title, want) in cases {
            assert_eq!(kind(title), want, "{title}");
        }
    }

    #[test]
    fn generic_headings_look_at_the_content() {
        let steps = "1. Read.\n2. Think.\n3. Write.\n";
        let pairs = "- Input: a\n  Output: b\n- Input: c\n  Output: d\n";
        let checks = "- [ ] tests pass\n- [ ] docs updated\n";
        let rules = "- Never guess.\n- Always cite.\n- Do not push.\n";
        let prose = "Some words about the agent.\n";
        let cases = [
            ("Overview", steps, Some(Workflow)),
            ("Overview", prose, Some(Objective)),
            ("Notes", pairs, Some(Examples)),
            ("Method", prose, Some(Workflow)),
            ("Security", checks, Some(Checklist)),
            ("Security", prose, None),
            ("Misc", rules, Some(Constraints)),
            ("Misc", prose, None),
            ("Misc", "```\n1. a\n2. b\n3. c\n```\n", None),
            // a heading that names its kind is not second-guessed by content
            ("Capabilities", steps, Some(Expertise)),
        ];
        for (title, body, want) in cases {
            assert_eq!(classify(title, body), want, "{title}: {body:?}");
        }
    }

    #[test]
    fn every_rule_is_reachable_and_lower_case() {
        for (phrase, says) in RULES {
            assert_eq!(normalise(phrase), format!(" {phrase} "), "{phrase}");
            let got = heading(phrase).map(|s| match s {
                K(k) => (Some(k), false),
                Generic(k) => (k, true),
            });
            let want = match says {
                K(k) => (Some(*k), false),
                Generic(k) => (*k, true),
            };
            assert_eq!(got, Some(want), "{phrase} is shadowed by another rule");
        }
    }
}

//! The prose of native agent files for tools whose model is not (or not only)
//! Claude (docs/prompts.md, "Native agent files"): tool usage names each tool
//! as the model sees it in that tool, never by Claude Code's name, and a tool
//! that runs one model family writes that family's prompt.

use std::path::Path;

use agentc::artifact::Layout;
use agentc::render::Rendered;
use agentc::spec::Spec;

use crate::support::{library, targets};

/// The tools whose usage the spec describes, each with a purpose of its own.
const TOOLS: [&str; 6] = [
    "Read",
    "Bash",
    "MultiEdit",
    "WebSearch",
    "NotebookRead",
    "mcp__gh__get_pr",
];

fn spec(tool_usage: bool) -> Spec {
    spec_using(if tool_usage { &TOOLS } else { &[] })
}

/// The spec, with a tool usage entry for each of `tools` (`PURPOSE-<i>`).
fn spec_using(tools: &[&str]) -> Spec {
    let mut text = String::from(
        "name = \"prose-agent\"\n\
         description = \"Use this agent to test the prose of native files.\"\n\
         role = \"You are the prose agent.\"\n\
         tools = [\"Read\", \"Bash\"]\n\
         success_metrics = [\"SUCCESS-METRIC\"]\n\n\
         [boundaries]\nwill_not = [\"WILL-NOT-ITEM\"]\n\n\
         [[output_formats]]\nname = \"Report\"\nbody = \"FORMAT-TEXT\"\n\n\
         [[examples]]\ncontext = \"EXAMPLE-CONTEXT\"\ninput = \"EXAMPLE-INPUT\"\napproach = \"EXAMPLE-APPROACH\"\n\n\
         [[sections]]\ntitle = \"How I Work\"\nkind = \"workflow\"\nbody = \"1. WORKFLOW-STEP\"\n\n\
         [[sections]]\ntitle = \"Rules\"\nkind = \"constraints\"\nbody = \"- RULE-ITEM\"\n",
    );
    for (i, tool) in tools.iter().enumerate() {
        text.push_str(&format!(
            "\n[[tool_usage]]\ntool = \"{tool}\"\npurpose = \"PURPOSE-{i}\"\nwhen_to_use = \"WHEN-{i}\"\n"
        ));
    }
    toml::from_str(&text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn render(spec: &Spec, target: &str) -> Rendered {
    let agent = agentc::lower::lower(spec);
    library::render(&agent, target, None, Layout::Dist, Path::new("a.toml"))
        .unwrap_or_else(|e| panic!("{target}: {e:?}"))
}

/// The text of the file (an aggregate target's entry as JSON), with JSON's
/// `\n` escapes read as line ends, so every format is read line by line.
fn text(r: &Rendered, target: &str) -> String {
    let raw = match (&r.artifact, &r.entry) {
        (Some(a), _) => a.content.clone(),
        (None, Some(e)) => serde_json::to_string(&e.item).unwrap(),
        (None, None) => panic!("{target}: the agent was skipped: {:?}", r.warnings),
    };
    raw.replace("\\n", "\n")
}

/// The name the tool usage gives the tool whose purpose is `purpose`: the
/// heading or list item before its `Purpose:` line (past the lines of other
/// tools of the same name); `None` when the purpose is not written.
fn written_name(text: &str, purpose: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| l.contains(purpose))?;
    let name = lines[..at]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find(|l| {
            !l.is_empty() && !l.starts_with("- Purpose: ") && !l.starts_with("- When to use: ")
        })
        .unwrap_or_else(|| panic!("nothing before `{purpose}`:\n{text}"));
    let name = name
        .strip_prefix("### ")
        .or_else(|| name.strip_prefix("- "))
        .unwrap_or_else(|| panic!("`{name}` before `{purpose}` is no heading or item"));
    Some(name.to_string())
}

/// Every native target names each tool of the tool usage by its `tool_terms`
/// word, or else by its own name for it (its tool map); a tool with neither is
/// left out, with a warning. Targets whose tool map is Claude Code's own
/// (`identity`) keep the names.
#[test]
fn tool_usage_names_each_tool_as_the_target_calls_it() {
    let spec = spec(true);
    for name in targets::native() {
        let target = targets::registry().get(name).unwrap();
        let r = render(&spec, name);
        let text = text(&r, name);
        let terms = target.options.get("tool_terms").and_then(|t| t.as_table());
        for (i, tool) in TOOLS.iter().enumerate() {
            let want = match terms {
                Some(terms) => terms
                    .get(*tool)
                    .and_then(|w| w.as_str())
                    .filter(|w| !w.is_empty())
                    .map(str::to_string),
                None => target.tools.as_ref().and_then(|m| m.name_of(tool)),
            };
            let got = written_name(&text, &format!("PURPOSE-{i}"));
            assert_eq!(got, want, "{name} × {tool}:\n{text}");
            if want.is_none() {
                assert!(
                    r.warnings.iter().any(|w| w
                        .message
                        .contains(&format!("the tool usage of `{tool}` is left out"))),
                    "{name} × {tool}: no warning in {:?}",
                    r.warnings
                );
            }
        }
        // No Claude Code name anywhere where the target calls the tool otherwise.
        for (i, tool) in TOOLS.iter().enumerate() {
            if written_name(&text, &format!("PURPOSE-{i}")).as_deref() == Some(tool) {
                continue;
            }
            for line in text.lines().map(str::trim) {
                assert!(
                    line != format!("### {tool}") && line != format!("- {tool}"),
                    "{name}: `{line}` names Claude Code's tool\n{text}"
                );
            }
        }
    }
}

/// Tools that a target calls by one name (kiro's `write` for Write and
/// MultiEdit, the word "Editing files" for Edit and MultiEdit) share one
/// heading or item, in the order of their first use: every target, every
/// layout of the tool usage (headings, nested items).
#[test]
fn tools_a_target_calls_alike_share_one_heading() {
    const ALIKE: [&str; 6] = ["Write", "Edit", "Read", "MultiEdit", "Task", "Agent"];
    let spec = spec_using(&ALIKE);
    let mut merged = Vec::new();
    // The XML form keeps Claude Code's names, one `<tool>` element each.
    for name in targets::all().into_iter().filter(|t| *t != "xml") {
        let text = text(&render(&spec, name), name);
        let names: Vec<Option<String>> = (0..ALIKE.len())
            .map(|i| written_name(&text, &format!("PURPOSE-{i}")))
            .collect();
        let mut distinct: Vec<&str> = Vec::new();
        for n in names.iter().flatten() {
            if !distinct.contains(&n.as_str()) {
                distinct.push(n);
            }
        }
        // The body: a frontmatter's tool list is no tool usage.
        let body = text
            .strip_prefix("---\n")
            .and_then(|t| t.split_once("\n---\n"))
            .map_or(text.as_str(), |(_, body)| body);
        for n in &distinct {
            let written = body
                .lines()
                .map(str::trim)
                .filter(|l| *l == format!("### {n}") || *l == format!("- {n}"))
                .count();
            assert_eq!(
                written, 1,
                "{name}: `{n}` is written {written} times\n{text}"
            );
        }
        // In the order of first use: each name's first purpose comes after the
        // previous name's.
        let first = |n: &str| names.iter().position(|m| m.as_deref() == Some(n)).unwrap();
        let at = |n: &str| text.find(&format!("PURPOSE-{}", first(n))).unwrap();
        for pair in distinct.windows(2) {
            assert!(
                at(pair[0]) < at(pair[1]),
                "{name}: {pair:?} out of order\n{text}"
            );
        }
        if distinct.len() < names.iter().flatten().count() {
            merged.push(name);
        }
    }
    // The spec does give some targets one name for two tools.
    for name in ["kiro", "codex", "gpt", "opencode"] {
        assert!(merged.contains(&name), "{name} merged nothing: {merged:?}");
    }
}

/// The tools that run one model family write that family's prompt as their
/// body: with no tool usage to name differently, byte for byte.
#[test]
fn a_tool_of_one_family_writes_that_familys_prompt() {
    let spec = spec(false);
    for (native, family) in [("gemini-cli", "gemini"), ("antigravity", "gemini")] {
        let file = text(&render(&spec, native), native);
        let body = file
            .strip_prefix("---\n")
            .and_then(|f| f.split_once("\n---\n\n"))
            .map(|(_, body)| body)
            .unwrap_or_else(|| panic!("{native}: no frontmatter\n{file}"));
        let prompt = render(&spec, family).artifact.unwrap().content;
        assert_eq!(body, prompt, "{native} is not the {family} prompt");
        // Gemini's order: persona, constraints, output format, then the task.
        let at = |s: &str| body.find(s).unwrap_or_else(|| panic!("{s}:\n{body}"));
        assert_eq!(at("# Persona\n"), 0, "{native}:\n{body}");
        assert!(at("# Constraints\n") < at("# Output Format\n"), "{native}");
        assert!(at("RULE-ITEM") < at("# Task\n"), "{native}");
        assert!(at("FORMAT-TEXT") < at("WORKFLOW-STEP"), "{native}");
    }
    // Codex's developer instructions are the gpt prompt, recap last.
    let file = render(&spec, "codex").artifact.unwrap().content;
    let toml: toml::Table = toml::from_str(&file).unwrap();
    let instructions = toml["developer_instructions"].as_str().unwrap();
    let prompt = render(&spec, "gpt").artifact.unwrap().content;
    assert_eq!(format!("{instructions}\n"), prompt);
    assert!(instructions.starts_with("# Role and Objective\n"));
    assert!(instructions.contains("\n# Final Instructions\n"));
}

/// Codex and gemini-cli name no Claude Code tool in their prose (the tool
/// usage of the repository's `release-notes-writer`: `Bash`).
#[test]
fn codex_and_gemini_cli_prose_names_no_claude_tool() {
    let mut spec = spec(true);
    spec.tool_usage
        .retain(|t| t.tool == "Bash" || t.tool == "Read");
    let codex = render(&spec, "codex").artifact.unwrap().content;
    assert!(
        codex.contains("- Running shell commands\n  - Purpose: PURPOSE-1"),
        "{codex}"
    );
    assert!(
        codex.contains("- Reading files\n  - Purpose: PURPOSE-0"),
        "{codex}"
    );
    let cli = render(&spec, "gemini-cli").artifact.unwrap().content;
    assert!(
        cli.contains("- run_shell_command\n  - Purpose: PURPOSE-1"),
        "{cli}"
    );
    assert!(cli.contains("- read_file\n  - Purpose: PURPOSE-0"), "{cli}");
    for (name, out) in [("codex", &codex), ("gemini-cli", &cli)] {
        for word in ["Bash", "Read\n"] {
            assert!(!out.contains(word), "{name} names `{word}`:\n{out}");
        }
    }
}

/// A tool usage whose purpose or "when to use" is empty writes no label with
/// nothing after it (`- When to use:`, `<purpose></purpose>`), in any target;
/// what it has is written.
#[test]
fn an_empty_purpose_or_when_writes_no_empty_label() {
    let mut spec = spec_using(&["Read", "Bash"]);
    spec.tool_usage[0].when_to_use.clear();
    spec.tool_usage[1].purpose.clear();
    for name in targets::all() {
        let text = text(&render(&spec, name), name);
        for line in text.lines() {
            let l = line.trim().trim_end_matches(',').trim_end_matches('"');
            assert!(
                !matches!(
                    l,
                    "- Purpose:"
                        | "- When to use:"
                        | "<purpose></purpose>"
                        | "<when_to_use></when_to_use>"
                ),
                "{name}: an empty label `{line}`\n{text}"
            );
        }
        // What each has is there (a target may leave a tool's usage out,
        // with a warning, when it has no word for the tool).
        if text.contains("PURPOSE-0") {
            assert!(!text.contains("WHEN-0"), "{name}\n{text}");
        }
        if text.contains("WHEN-1") {
            assert!(!text.contains("PURPOSE-1"), "{name}\n{text}");
        }
        assert!(
            text.contains("PURPOSE-0") || text.contains("WHEN-1"),
            "{name}: no tool usage at all\n{text}"
        );
    }
}

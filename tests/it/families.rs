//! The model-family prompts (docs/prompts.md): the plain targets write four
//! different prompts, each placing the body where its guide asks; every
//! outline is a tree; golden snapshots of the five seeds, imported and then
//! rendered for every prompt target (`snapshots/seeds/<seed>__<target>.snap`,
//! read by eye against the guides).

use std::path::Path;

use agentc::artifact::Layout;
use agentc::spec::{Spec, Table};
use pulldown_cmark::{Event, Options, Parser, Tag};

use crate::support::import::{corpus_files, import, seed};
use crate::support::{library, shared, targets};

/// `spec` rendered for `target` with these options: the file and its warnings.
fn render_with(spec: &Spec, target: &str, options: &str) -> Result<(String, Vec<String>), String> {
    let options: Table = toml::from_str(options).expect("options are TOML");
    let agent = agentc::lower::lower(spec);
    let opts = (!options.is_empty()).then_some(&options);
    match library::render(&agent, target, opts, Layout::Dist, Path::new("a.toml")) {
        Ok(r) => Ok((
            r.artifact.expect("not skipped").content,
            r.warnings.iter().map(|w| w.message.clone()).collect(),
        )),
        Err(d) => Err(d
            .0
            .iter()
            .map(|d| d.message.clone())
            .collect::<Vec<_>>()
            .join("\n")),
    }
}

fn render(spec: &Spec, target: &str) -> String {
    render_with(spec, target, "")
        .unwrap_or_else(|e| panic!("{target}: {e}"))
        .0
}

fn spec(text: &str) -> Spec {
    toml::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// An agent with a part of every kind a family places differently.
fn rich() -> Spec {
    spec(
        r##"
name = "rich"
description = "Use this agent to test."
tools = ["Read", "Bash", "mcp__gh__get_pr"]
role = "# You are the rich agent"
success_metrics = ["SUCCESS-METRIC"]

[boundaries]
will = ["WILL-ITEM"]
will_not = ["WILL-NOT-ITEM"]

[[tool_usage]]
tool = "Bash"
purpose = "BASH-PURPOSE"
when_to_use = "always"

[[tool_usage]]
tool = "mcp__gh__get_pr"
purpose = "PR-PURPOSE"
when_to_use = "on a PR"

[[output_formats]]
name = "Report"
body = "# Summary\n\n### Details\n\n```md\n# not a heading\n```"

[[examples]]
context = "EXAMPLE-CONTEXT"
input = "EXAMPLE-INPUT"
approach = "EXAMPLE-APPROACH"
output = "EXAMPLE-OUTPUT"

[[sections]]
title = "How I Work"
kind = "workflow"
body = "1. WORKFLOW-STEP"

[[sections]]
title = "Rules"
kind = "constraints"
body = "- RULE-ITEM"

[[sections]]
title = "Response Format"
kind = "output_format"
body = "FORMAT-SECTION"

[[sections]]
title = "Sample Dialogues"
kind = "examples"
body = "EXAMPLE-SECTION"

[[sections]]
title = "Odds and Ends"
body = "# Deep\n\nUNCLASSIFIED-TEXT"
"##,
    )
}

fn at(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("`{needle}` is missing:\n{text}"))
}

/// The ATX and setext headings of a Markdown text, as levels in order (none
/// from code blocks).
fn outline(text: &str) -> Vec<usize> {
    Parser::new_ext(text, Options::empty())
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { level, .. }) => Some(level as usize),
            _ => None,
        })
        .collect()
}

/// A tree: the first heading is `#`, and no heading is more than one level
/// deeper than the one before it.
fn assert_tree(text: &str, what: &str) {
    let levels = outline(text);
    let mut prev = 0;
    for (i, l) in levels.iter().enumerate() {
        assert!(
            *l <= prev + 1,
            "{what}: heading {i} jumps from level {prev} to {l}: {levels:?}\n{text}"
        );
        prev = *l;
    }
}

#[test]
fn every_plain_prompt_places_everything_and_is_a_tree() {
    let rich = rich();
    for target in targets::plain() {
        let out = render(&rich, target);
        for text in [
            "WILL-NOT-ITEM",
            "WORKFLOW-STEP",
            "RULE-ITEM",
            "FORMAT-SECTION",
            "UNCLASSIFIED-TEXT",
            "SUCCESS-METRIC",
            "# not a heading",
        ] {
            at(&out, text);
        }
        // The role was one heading line: it is text now.
        assert!(
            out.contains("\nYou are the rich agent\n")
                || out.starts_with("You are the rich agent\n"),
            "{target}:\n{out}"
        );
        assert!(!out.contains("# You are the rich agent"), "{target}");
        assert_tree(&out, target);
    }
}

#[test]
fn gemini_puts_persona_constraints_and_output_format_first() {
    let out = render(&rich(), "gemini");
    let persona = at(&out, "# Persona\n");
    let constraints = at(&out, "# Constraints\n");
    let format = at(&out, "# Output Format\n");
    assert_eq!(persona, 0, "{out}");
    assert!(persona < constraints && constraints < format, "{out}");
    for later in [
        "WORKFLOW-STEP",
        "EXAMPLE-INPUT",
        "EXAMPLE-SECTION",
        "# Task\n",
    ] {
        assert!(
            format < at(&out, later),
            "{later} before the output format:\n{out}"
        );
    }
    assert!(at(&out, "RULE-ITEM") < format && at(&out, "FORMAT-SECTION") > format);
    // Every example has the same labels, in the same order.
    let example = &out[at(&out, "## Example 1")..];
    let labels: Vec<usize> = ["Context: ", "Input: ", "Approach: ", "Output: "]
        .iter()
        .map(|l| at(example, l))
        .collect();
    assert!(labels.windows(2).all(|w| w[0] < w[1]), "{example}");
}

#[test]
fn gpt_ends_with_the_recap_and_reminds_an_agent_with_tools() {
    let (out, warnings) = render_with(&rich(), "gpt", "").unwrap();
    assert!(
        out.starts_with("# Role and Objective\n\nYou are the rich agent\n"),
        "{out}"
    );
    let success = at(&out, "# Success Criteria\n");
    let instructions = at(&out, "# Instructions\n");
    assert!(
        success < instructions,
        "success criteria follow the objective"
    );
    let order = [
        "# Instructions\n",
        "# Reasoning Steps\n",
        "# Output Format\n",
        "# Examples\n",
        "# Context\n",
        "# Final Instructions\n",
    ];
    let places: Vec<usize> = order.iter().map(|h| at(&out, h)).collect();
    assert!(places.windows(2).all(|w| w[0] < w[1]), "{places:?}\n{out}");
    // The recap is last and restates the constraints and the output format.
    let recap = &out[at(&out, "# Final Instructions\n")..];
    assert!(!recap[1..].contains("\n# "), "the recap is the last block");
    for restated in [
        "WILL-NOT-ITEM",
        "\"Rules\"",
        "\"Report\"",
        "\"Response Format\"",
    ] {
        assert!(
            recap.contains(restated),
            "{restated} not in the recap:\n{recap}"
        );
    }
    // The three agent reminders, for an agent with tools.
    let reminders = at(&out, "## Working as an Agent\n");
    assert!(instructions < reminders);
    // Examples as delimited input → output pairs.
    assert!(out.contains("Input:\n\n```\nEXAMPLE-INPUT\n```"), "{out}");
    assert!(out.contains("Output:\n\n```\nEXAMPLE-OUTPUT\n```"), "{out}");
    // No Claude Code tool name in the prose; the one without a word is reported.
    assert!(out.contains("- Running shell commands\n  - Purpose: BASH-PURPOSE"));
    assert!(
        !out.contains("Bash") && !out.contains("PR-PURPOSE"),
        "{out}"
    );
    assert_eq!(
        warnings,
        [
            "`rich` → `gpt`: the tool usage of `mcp__gh__get_pr` is left out: the target has no word for that tool (add one to its `tool_terms` option)"
        ]
    );

    let mut no_tools = rich();
    no_tools.tools = Some(vec![]);
    let out = render(&no_tools, "gpt");
    assert!(
        !out.contains("Working as an Agent"),
        "no tools, no reminders"
    );
    assert!(out.ends_with("then carry it out.\n"), "{out}");
}

#[test]
fn deepseek_r1_is_zero_shot_and_states_the_output_format_last() {
    let (out, warnings) = render_with(&rich(), "deepseek", "system_prompt = false").unwrap();
    assert!(
        !out.contains("EXAMPLE-INPUT") && !out.contains("EXAMPLE-SECTION"),
        "{out}"
    );
    assert!(!out.contains("# Examples"), "{out}");
    assert_eq!(
        warnings,
        [
            "`rich` → `deepseek`: examples left out: R1-style models work zero-shot (few-shot examples degrade them)"
        ]
    );
    let format = at(
        &out,
        "# Output Format\n\nGive your final answer in exactly this format.",
    );
    for before in [
        "RULE-ITEM",
        "WORKFLOW-STEP",
        "UNCLASSIFIED-TEXT",
        "SUCCESS-METRIC",
    ] {
        assert!(at(&out, before) < format, "{before}:\n{out}");
    }
    assert!(out.ends_with("FORMAT-SECTION\n\nThe request:\n"), "{out}");

    // No output format of its own: R1 is still told what to write.
    let bare = spec("name = \"b\"\nrole = \"You help.\"\n");
    let out = render_with(&bare, "deepseek", "system_prompt = false")
        .unwrap()
        .0;
    assert!(
        out.contains("# Output Format\n\nNo fixed format is required"),
        "{out}"
    );

    // The system-prompt form keeps its examples.
    let (out, warnings) = render_with(&rich(), "deepseek", "").unwrap();
    assert!(
        out.contains("EXAMPLE-INPUT") && warnings.is_empty(),
        "{warnings:?}"
    );
}

#[test]
fn llama_turns_end_at_the_end_token_and_bos_is_optional() {
    let rich = rich();
    let cases = [
        (
            "wrap = \"llama3\"",
            "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\n",
            "<|eot_id|>",
        ),
        (
            "wrap = \"llama3\"\nbos = false",
            "<|start_header_id|>system<|end_header_id|>\n\n",
            "<|eot_id|>",
        ),
        (
            "wrap = \"llama4\"",
            "<|begin_of_text|><|header_start|>system<|header_end|>\n\n",
            "<|eot|>",
        ),
        (
            "wrap = \"llama4\"\nbos = false",
            "<|header_start|>system<|header_end|>\n\n",
            "<|eot|>",
        ),
    ];
    for (options, start, end) in cases {
        let (out, _) = render_with(&rich, "llama", options).unwrap();
        assert!(out.starts_with(start), "{options}:\n{out}");
        assert!(
            out.ends_with(end),
            "{options}: something after {end}: {:?}",
            &out[out.len() - 20..]
        );
        assert_eq!(
            out.matches("<|begin_of_text|>").count(),
            usize::from(start.starts_with("<|begin"))
        );
    }
    let plain = render(&rich, "llama");
    assert!(
        plain.starts_with("You are the rich agent\n"),
        "role prompting first:\n{plain}"
    );
    let order = [
        "# Your Task\n",
        "# Formatting\n",
        "# Restrictions\n",
        "# Examples\n",
    ];
    let places: Vec<usize> = order.iter().map(|h| at(&plain, h)).collect();
    assert!(places.windows(2).all(|w| w[0] < w[1]), "{plain}");
}

#[test]
fn llama_modelfile_sets_the_context_and_refuses_injected_lines() {
    let rich = rich();
    let (out, _) = render_with(&rich, "llama", "wrap = \"modelfile\"").unwrap();
    assert!(
        out.starts_with("FROM llama3.3\nPARAMETER num_ctx 64000\nSYSTEM \"\"\""),
        "{out}"
    );
    let (out, _) = render_with(
        &rich,
        "llama",
        "wrap = \"modelfile\"\nnum_ctx = 0\nollama_model = \"hf.co/org/m:Q4_K_M\"",
    )
    .unwrap();
    assert!(
        out.starts_with("FROM hf.co/org/m:Q4_K_M\nSYSTEM \"\"\""),
        "{out}"
    );
    let refused = [
        (
            "ollama_model = \"llama3.3\\nSYSTEM evil\"",
            "`ollama_model = \"llama3.3\\nSYSTEM evil\"` cannot be written in a Modelfile's FROM line",
        ),
        (
            "ollama_model = \"llama3.3 PARAMETER\"",
            "cannot be written in a Modelfile's FROM line",
        ),
        (
            "ollama_model = \"\"",
            "cannot be written in a Modelfile's FROM line",
        ),
        (
            "wrap = \"llama5\"",
            "`wrap = \"llama5\"` is not one of none, llama3, llama4, modelfile",
        ),
        ("num_ctx = -1", "`num_ctx = -1` must be 0"),
    ];
    for (options, want) in refused {
        let options = if options.starts_with("wrap") {
            options.to_string()
        } else {
            format!("wrap = \"modelfile\"\n{options}")
        };
        let e = render_with(&rich, "llama", &options).expect_err(&options);
        assert!(e.contains(want), "{options}: {e}");
    }
}

/// For every corpus agent with at least three sections, the plain prompts are
/// pairwise different, and each is a tree.
#[test]
fn corpus_prompts_differ_per_family() {
    let Some(dir) = shared("corpus") else {
        return;
    };
    let mut files = Vec::new();
    corpus_files(&dir, &mut files);
    files.sort();
    assert!(files.len() >= 200, "{} corpus files", files.len());
    let plain = targets::plain();
    assert!(plain.len() >= 4, "{plain:?}");
    let mut checked = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).expect("corpus file");
        let imported = import(path, &text);
        if imported.spec.sections.len() < 3 {
            continue;
        }
        checked += 1;
        let outs: Vec<(&str, String)> = plain
            .iter()
            .map(|t| (*t, render(&imported.spec, t)))
            .collect();
        for (i, (a, x)) in outs.iter().enumerate() {
            assert_tree(x, &format!("{} × {a}", path.display()));
            for (b, y) in &outs[i + 1..] {
                assert_ne!(x, y, "{} × {a} and {b} are the same prompt", path.display());
            }
        }
    }
    assert!(
        checked >= 150,
        "{checked} corpus agents have three sections or more"
    );
}

/// The five seeds, imported, then rendered for every prompt target.
#[test]
fn seeds_render_as_their_snapshots() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/seeds");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    for prefix in ["000", "001", "002", "003", "004"] {
        let Some((path, text)) = seed(prefix) else {
            return;
        };
        let imported = import(&path, &text);
        for target in targets::prompt() {
            let out = render(&imported.spec, target);
            settings.bind(|| insta::assert_snapshot!(format!("seed-{prefix}__{target}"), out));
        }
    }
}

//! Property: any valid spec rendered to `claude` or `xml` and imported back gives
//! the same spec, and the TOML writer reads back to the same spec.
//!
//! Generated specs are normalised the way `lower::text` normalises (the importer
//! can only return normalised text). Excluded on purpose: free sections titled like
//! a canonical heading (`Triggers`, …: a lint should flag them, as import would
//! lift them), responsibility titles that start like `<id>. `, lines that start a
//! Markdown block (`#`, `-`, `>`, fences, HTML, indentation), descriptions equal to
//! the derived one, and literal `\n` in descriptions (read as line breaks).

use std::path::Path;

use crate::support::import::render;
use agentc::spec::{
    Boundaries, Example, OutputFormat, Responsibility, Section, Spec, Table, ToolUsage,
};
use agentc::support::text::normalize as text;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use proptest::sample::{select, subsequence};

const WORDS: &[&str] = &[
    "agent",
    "review",
    "the",
    "code",
    "é",
    "日本語",
    "🚀",
    "{{ x }}",
    "{% if %}",
    "a&b",
    "&amp;",
    "x<y",
    "<tag>",
    "</role>",
    "\"q\"",
    "'s",
    "\"\"\"",
    "'''",
    "C:\\path",
    "key: value",
    "#hash",
    "100%",
    "a,b",
    "[x]",
    "`tick`",
    "**bold**",
    "\u{7}",
    "---",
    "@at",
    "ümlaut",
    "Ω",
    "tab\there",
    "x > 1",
];
const START: &[&str] = &[
    "Use",
    "You",
    "When",
    "Review",
    "Ünïcode",
    "Agent",
    "Keep",
    "日本",
    "Zeta",
];
const TOOLS: &[&str] = &[
    "Read",
    "Write",
    "Edit",
    "Grep",
    "Glob",
    "Bash",
    "WebFetch",
    "Task",
    "mcp__gh__issues",
];

/// One line: a letter-initial word, then words; never starts a Markdown block.
fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => select(WORDS).prop_map(String::from),
        1 => "[\\p{L}\\p{N}\\p{P}\\p{S}]{1,6}",
    ]
}

fn line() -> impl Strategy<Value = String> {
    (select(START), vec(word(), 0..8)).prop_map(|(s, ws)| {
        let mut l = s.to_string();
        for w in ws {
            l.push(' ');
            l.push_str(&w);
        }
        l
    })
}

/// Paragraphs of lines, possibly separated by one blank line.
fn prose() -> impl Strategy<Value = String> {
    vec((line(), any::<bool>()), 1..4).prop_map(|ls| {
        let mut out = String::new();
        for (i, (l, blank)) in ls.iter().enumerate() {
            if i > 0 {
                out.push_str(if *blank { "\n\n" } else { "\n" });
            }
            out.push_str(l);
        }
        text(&out)
    })
}

fn title() -> impl Strategy<Value = String> {
    (
        select(START),
        vec(select(&["API", "Notes", "more", "Ω", "&", "x<y"][..]), 0..3),
    )
        .prop_map(|(s, ws)| {
            let mut t = s.to_string();
            for w in ws {
                t.push(' ');
                t.push_str(w);
            }
            t
        })
}

fn items() -> impl Strategy<Value = Vec<String>> {
    vec(prose(), 0..4)
}

fn boundaries() -> impl Strategy<Value = Option<Boundaries>> {
    option::of(
        (items(), items(), items()).prop_map(|(will, will_not, escalation)| Boundaries {
            will,
            will_not,
            escalation,
        }),
    )
    .prop_map(|b| b.filter(|b| !b.is_empty()))
}

fn body_fields() -> impl Strategy<
    Value = (
        Vec<Responsibility>,
        Vec<ToolUsage>,
        Vec<OutputFormat>,
        Vec<Example>,
    ),
> {
    let resp = (option::of("[0-9a-z_-]{1,3}"), title(), items())
        .prop_map(|(id, title, actions)| Responsibility { id, title, actions });
    // Either text may be empty: its line is then left out, and still reads back.
    let maybe = || prop_oneof![1 => Just(String::new()), 3 => prose()];
    let tool = (select(TOOLS), maybe(), maybe()).prop_map(|(t, purpose, when_to_use)| ToolUsage {
        tool: t.into(),
        purpose,
        when_to_use,
    });
    let format = (title(), prose()).prop_map(|(name, body)| OutputFormat { name, body });
    let example = (
        prose(),
        prose(),
        prose(),
        option::of(prose()),
        option::of(prose()),
    )
        .prop_map(|(context, input, approach, output, commentary)| Example {
            context,
            input,
            approach,
            output,
            commentary,
        });
    (
        vec(resp, 0..3),
        vec(tool, 0..3),
        vec(format, 0..3),
        vec(example, 0..3),
    )
}

fn extra() -> impl Strategy<Value = Table> {
    let value = prop_oneof![
        prose().prop_map(toml::Value::String),
        any::<i32>().prop_map(|i| toml::Value::Integer(i.into())),
        any::<bool>().prop_map(toml::Value::Boolean),
        Just(toml::Value::String("2.0".into())),
    ];
    vec(("x[a-zA-Z_]{0,8}", value), 0..3).prop_map(|kv| kv.into_iter().collect())
}

fn spec() -> impl Strategy<Value = Spec> {
    let meta = (
        "[a-z][a-z0-9-]{0,12}",
        option::of(prose()),
        option::of(prop_oneof![
            Just("2.0".to_string()),
            Just("1.10".to_string()),
            title()
        ]),
        option::of(title()),
        option::of(select(&["@someone", "Ann <a@b.c>", "x"][..]).prop_map(String::from)),
        option::of(vec(
            select(&["backend", "api", "日本", "a b"][..]).prop_map(String::from),
            0..3,
        )),
        option::of(select(&["red", "blue", "purple", "cyan"][..]).prop_map(String::from)),
        option::of(select(&["inherit", "sonnet", "opus", "haiku"][..]).prop_map(String::from)),
        option::of(
            subsequence(TOOLS, 0..4).prop_map(|v| v.into_iter().map(String::from).collect()),
        ),
        option::of(subsequence(&["gpt", "gemini"][..], 0..2).prop_map(|v| {
            std::iter::once("claude")
                .chain(v)
                .map(String::from)
                .collect()
        })),
    );
    let body = (
        option::of(prose()),
        items(),
        items(),
        boundaries(),
        option::of(prose()),
        items(),
        body_fields(),
    );
    let rest = (vec((title(), prose()), 0..3), extra());
    (meta, body, rest).prop_map(|(m, b, r)| {
        let (
            name,
            description,
            version,
            category,
            author,
            tags,
            color,
            model,
            tools,
            model_compatibility,
        ) = m;
        let (
            role,
            triggers,
            expertise,
            boundaries,
            uncertainty_protocol,
            success_metrics,
            (responsibilities, tool_usage, output_formats, examples),
        ) = b;
        let mut spec = Spec {
            name,
            description,
            version,
            category,
            author,
            tags,
            color,
            model,
            tools,
            model_compatibility,
            role,
            triggers,
            expertise,
            responsibilities,
            tool_usage,
            boundaries,
            uncertainty_protocol,
            output_formats,
            examples,
            success_metrics,
            sections: r
                .0
                .into_iter()
                // The kind is what import gives the section (the claude and
                // xml forms do not carry it).
                .map(|(title, body)| Section {
                    kind: agentc::import::classify::classify(&title, &body),
                    heading_in_body: false,
                    title,
                    body,
                })
                .collect(),
            extra: r.1,
            targets: Default::default(),
        };
        let lowered = agentc::lower::lower(&Spec {
            description: None,
            ..spec.clone()
        });
        if spec.description.as_deref() == Some(lowered.description.as_str()) {
            spec.description = None;
        }
        spec
    })
}

proptest! {
    #![proptest_config(crate::support::proptest_config(128))]

    #[test]
    fn claude_and_xml_renders_import_back_to_the_same_spec(spec in spec()) {
        for target in ["claude", "xml"] {
            let (rendered, _) = render(&spec, target);
            let back = match agentc::import::import(Path::new("x.md"), &rendered) {
                Ok(i) => i.spec,
                Err(e) => panic!("{target}: {}\n{rendered}", e.message),
            };
            prop_assert_eq!(&back, &spec, "{}:\n{}", target, rendered);
        }
    }

    #[test]
    fn written_toml_reads_back_to_the_same_spec(spec in spec()) {
        let toml = agentc::import::write::to_toml(&spec, "x.md").map_err(TestCaseError::fail)?;
        let mut diags = agentc::diag::Diagnostics::default();
        let loaded = agentc::load::load_str(Path::new("x.toml"), &toml, &mut diags);
        prop_assert!(loaded.is_some(), "{:?}\n{}", diags.0.iter().map(|d| &d.message).collect::<Vec<_>>(), toml);
        prop_assert_eq!(loaded.map(|l| l.spec), Some(spec));
    }
}

const FRAGMENTS: &[&str] = &[
    "name: x",
    "name: Weird Name!",
    "description: a: b",
    "description: 'q\\nr'",
    "description: \"d\\ne\"",
    "author: @me",
    "tags: #a #b",
    "tools: Read, Write",
    "tools: [Read, Grep]",
    "tools:",
    "  - Read",
    "version: 2.0",
    "version: 1.10",
    "maxTurns: 3",
    "extra: {a: 1}",
    "desc: >",
    "  folded",
    "notes: |",
    "  literal",
    "# comment",
    "",
    "  ",
    "---",
    "...",
    "## Title",
    "### 1. Sub",
    "- item",
    "  more",
    "```",
    "````",
    "<role>",
    "</role>",
    "<triggers>",
    "  <trigger>a & b</trigger>",
    "</triggers>",
    "<format name=\"f\">",
    "    ```",
    "</format>",
    "<section title=\"s\">",
    "</section>",
    "{{ x }}",
    "\"\"\"",
    "'''",
    "é 日本 🚀",
    "\u{7}",
    "\t",
    "\r",
    "\u{feff}",
    "<?xml version=\"1.0\"?>",
    "<frontmatter>",
    "</frontmatter>",
    "## Triggers",
    "## Boundaries",
    "### Will",
    "- Purpose: p",
    "- When to use: w",
    "<responsibility id=\"1\">",
    "<responsibility id=\"a b\">",
    "<title>T</title>",
];

proptest! {
    #![proptest_config(crate::support::proptest_config(300))]

    /// Whatever the input, import does not panic; and whatever it imports, the
    /// TOML writer writes a spec that loads back identically.
    #[test]
    fn import_never_panics_and_what_it_imports_can_be_written(lines in vec(select(FRAGMENTS), 0..30), noise in ".{0,20}") {
        let mut input = lines.join("\n");
        input.push_str(&noise);
        if let Ok(i) = agentc::import::import(Path::new("in.md"), &input) {
            let toml = agentc::import::write::to_toml(&i.spec, "in.md").map_err(TestCaseError::fail)?;
            let mut diags = agentc::diag::Diagnostics::default();
            let loaded = agentc::load::load_str(Path::new("x.toml"), &toml, &mut diags);
            prop_assert!(loaded.is_some(), "{:?}\n{}", diags.0.iter().map(|d| &d.message).collect::<Vec<_>>(), toml);
            prop_assert_eq!(loaded.map(|l| l.spec), Some(i.spec));
        }
    }

    #[test]
    fn import_never_panics_on_any_text(s in any::<String>()) {
        let _ = agentc::import::import(Path::new("any.md"), &s);
    }
}

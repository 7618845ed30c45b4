//! Property tests for the native tool targets: on arbitrary specs every file
//! written passes its tool's rules (`validate_native`), parses with a real
//! parser of its format, and gives back the description and the prompt text as
//! written — whatever quotes, delimiters or template syntax they hold (a target
//! with a plain frontmatter: the description as one plain line, reported).

use std::path::Path;

use agentc::artifact::Layout;
use agentc::ir::Agent;
use agentc::spec::{Section, Spec};
use agentc::target::Frontmatter;
use proptest::prelude::*;
use serde_json::Value;

use crate::support::validate_native::validate_native;
use crate::support::{library, targets};

/// Text that stresses every escaping layer of the native formats.
fn nasty_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        any::<String>(),
        Just("\"\"\"".to_string()),
        Just("'''".to_string()),
        Just("{{ x }}".to_string()),
        Just("{% if x %}y{% endif %}".to_string()),
        Just("\n---\n".to_string()),
        Just("\\".to_string()),
        Just("\\n \u{85}\u{2028}".to_string()),
        Just(": #@ - [x]".to_string()),
        Just("\u{1}\u{7f}\t".to_string()),
        Just("🚀 é".to_string()),
        "[a-zA-Z ]{1,12}",
    ];
    proptest::collection::vec(pieces, 1..4).prop_map(|v| v.concat())
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        "[a-z0-9][a-z0-9._-]{0,15}",
        proptest::option::of(nasty_text()),
        proptest::option::of(nasty_text()),
        proptest::collection::vec((nasty_text(), nasty_text()), 0..3),
        proptest::option::of(proptest::sample::subsequence(
            vec![
                "Read",
                "Write",
                "Edit",
                "Bash",
                "Grep",
                "Glob",
                "WebFetch",
                "TodoWrite",
                "mcp__s__t",
            ],
            0..5,
        )),
    )
        .prop_map(|(name, description, role, sections, tools)| Spec {
            name,
            // A blank description does not load (`empty-description`).
            description: description.filter(|d| !agentc::support::text::is_blank(d)),
            role,
            sections: sections
                .into_iter()
                .map(|(title, body)| Section {
                    title,
                    kind: None,
                    heading_in_body: false,
                    body,
                })
                .collect(),
            tools: tools.map(|t| t.into_iter().map(str::to_string).collect()),
            ..Spec::default()
        })
}

/// The YAML frontmatter of a Markdown file, parsed, and the body after it.
fn split_frontmatter(c: &str) -> (Value, String) {
    let rest = c.strip_prefix("---\n").expect("frontmatter");
    let end = rest.find("\n---\n").expect("closed frontmatter") + 1;
    let fm = agentc::support::yaml::parse(&rest[..end]).expect("YAML");
    (fm, rest[end + 4..].to_string())
}

/// The description and the prompt a native file holds, read with its format's parser.
fn read_back(target: &str, plain: bool, content: &str) -> (Value, String) {
    match target {
        "codex" => {
            let v: Value = toml::from_str(content).expect("TOML");
            (
                v["description"].clone(),
                v["developer_instructions"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string(),
            )
        }
        "kiro" => {
            let v: Value = serde_json::from_str(content).expect("JSON");
            (
                v["description"].clone(),
                v["prompt"].as_str().unwrap_or_default().to_string(),
            )
        }
        "roo" => {
            let v = agentc::support::yaml::parse(content).expect("YAML");
            let m = &v["customModes"][0];
            let prompt = format!(
                "{}\n{}",
                m["roleDefinition"].as_str().unwrap_or_default(),
                m["customInstructions"].as_str().unwrap_or_default()
            );
            (m["whenToUse"].clone(), prompt)
        }
        _ if plain => {
            // A plain frontmatter's reader (Cursor's) is no YAML parser: it splits each
            // line at its first colon and keeps the rest, trimmed, as text.
            let rest = content.strip_prefix("---\n").expect("frontmatter");
            let end = rest.find("\n---\n").expect("closed frontmatter") + 1;
            let description = rest[..end]
                .lines()
                .find_map(|l| l.strip_prefix("description:"))
                .map(|v| Value::String(v.trim().to_string()))
                .unwrap_or(Value::Null);
            (description, rest[end + 4..].to_string())
        }
        _ => {
            let (fm, body) = split_frontmatter(content);
            (fm["description"].clone(), body)
        }
    }
}

fn check(agent: &Agent) -> Result<(), TestCaseError> {
    for name in targets::native() {
        let target = targets::registry().get(name).expect("a built-in target");
        let r = library::render(agent, name, None, Layout::Native, Path::new("a.toml"));
        let r = r.map_err(|d| TestCaseError::fail(format!("{}: {d:?}", target.name)))?;
        let (content, path) = match (r.artifact, r.entry) {
            (Some(a), _) => (a.content, a.path),
            (None, Some(e)) => {
                let a = library::renderer()
                    .aggregate(target, &[e])
                    .map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
                (a.content, a.path)
            }
            (None, None) => {
                prop_assert!(
                    !r.warnings.is_empty(),
                    "{}: left out without a word",
                    target.name
                );
                continue;
            }
        };
        let problems = validate_native(&target.name, &path, &content);
        prop_assert!(
            problems.is_empty(),
            "{}: {problems:?}\n{content}",
            target.name
        );
        // The tools: Claude's own file lists them as written, comma-separated
        // (absent: every tool).
        // (claude-plugin writes agents as claude does.)
        if target.name.starts_with("claude") {
            let (fm, _) = split_frontmatter(&content);
            match &agent.tools {
                None => prop_assert!(fm.get("tools").is_none(), "claude: tools absent = all"),
                // `[]` (no tools) is never an empty `tools` (Claude Code reads
                // that as all tools): every built-in tool is denied instead.
                Some(tools) if tools.is_empty() => {
                    prop_assert!(fm.get("tools").is_none(), "claude: no tools, no `tools`");
                    let denied = fm["disallowedTools"].as_str().unwrap_or_default();
                    prop_assert!(denied.split(", ").any(|t| t == "Bash"), "{}", denied);
                }
                Some(tools) => prop_assert_eq!(
                    &fm["tools"],
                    &Value::String(tools.join(", ")),
                    "claude: tools as written"
                ),
            }
        }
        let (description, prompt) = read_back(
            &target.name,
            target.frontmatter == Frontmatter::Plain,
            &content,
        );
        // A plain frontmatter (Cursor's) holds each value as one plain line: the
        // description normalised, with a warning when that changed it.
        let want = match target.frontmatter {
            Frontmatter::Yaml => Value::String(agent.description.clone()),
            Frontmatter::Plain => {
                let plain = agentc::support::yaml::plain_scalar(&agent.description).0;
                let said = r
                    .warnings
                    .iter()
                    .any(|w| w.message.contains("`description`"));
                prop_assert_eq!(
                    said,
                    plain != agent.description,
                    "{}: {:?}",
                    target.name,
                    r.warnings
                );
                if plain.is_empty() {
                    Value::Null
                } else {
                    Value::String(plain)
                }
            }
        };
        prop_assert_eq!(&description, &want, "{}", target.name);
        if !agent.role.is_empty() {
            prop_assert!(
                prompt.contains(&agent.role),
                "{}: role verbatim\n{content}",
                target.name
            );
        }
        for s in agent.sections.iter().filter(|s| !s.body.is_empty()) {
            prop_assert!(
                prompt.contains(&s.body),
                "{}: section body verbatim\n{content}",
                target.name
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(crate::support::proptest_config(96))]

    #[test]
    fn native_files_are_valid_and_keep_every_string(spec in spec()) {
        check(&agentc::lower::lower(&spec))?;
    }
}

//! The five seeds: each imports; 004 (XML v2.0) renders back to itself; 000, 002
//! and 003 keep every frontmatter value and their body through the `claude` target.

use crate::support::import::{import, normalise, render, seed, split};
use agentc::support::text::normalize as text;
use serde_json::{Value, json};

#[test]
fn every_seed_imports_as_backend_architect() {
    for prefix in ["000", "001", "002", "003", "004"] {
        let Some((path, text)) = seed(prefix) else {
            return;
        };
        let imported = import(&path, &text);
        assert_eq!(imported.spec.name, "backend-architect", "{prefix}");
        assert!(imported.spec.role.is_some(), "{prefix}");
    }
}

#[test]
fn seed_001_recovers_the_at_author_and_the_hash_tags() {
    let Some((path, text)) = seed("001") else {
        return;
    };
    let i = import(&path, &text);
    assert_eq!(i.spec.author.as_deref(), Some("@claude-code-hub"));
    assert_eq!(
        i.spec.tags,
        Some(vec![
            "backend".into(),
            "architecture".into(),
            "api".into(),
            "database".into(),
            "design".into()
        ])
    );
    assert_eq!(i.spec.version.as_deref(), Some("1.0.0"));
    assert_eq!(
        i.spec.extra.get("tested_with").and_then(|v| v.as_str()),
        Some("claude-code@2.0.0")
    );
    let codes: Vec<(&str, usize)> = i
        .warnings
        .iter()
        .map(|w| (w.code.as_str(), w.line_col().map_or(0, |l| l.0)))
        .collect();
    assert!(
        codes.contains(&("recovered-value", 5)),
        "author warning on line 5: {codes:?}"
    );
    assert!(
        codes.contains(&("hash-comment", 8)),
        "tags warning on line 8: {codes:?}"
    );
}

#[test]
fn seed_004_renders_back_to_the_xml_form_byte_for_byte() {
    let Some((path, original)) = seed("004") else {
        return;
    };
    let i = import(&path, &original);
    assert_eq!(i.form, agentc::import::Form::Xml);
    assert_eq!(i.spec.version.as_deref(), Some("2.0"));
    assert_eq!(
        i.spec.description, None,
        "the derived description is stored as absent"
    );
    let (xml, warnings) = render(&i.spec, "xml");
    assert!(warnings.is_empty(), "{warnings:?}");
    assert_eq!(normalise(&xml), normalise(&original));
    assert_eq!(
        xml, original,
        "byte-identical, as from agents/backend-architect.toml"
    );
}

#[test]
fn seed_004_imports_to_the_dogfood_spec() {
    let Some((path, original)) = seed("004") else {
        return;
    };
    let imported = import(&path, &original).spec;
    let dogfood = crate::support::repo().join("agents/backend-architect.toml");
    let mut diags = agentc::diag::Diagnostics::default();
    let source = std::fs::read_to_string(&dogfood).expect("dogfood spec");
    let loaded = agentc::load::load_str(&dogfood, &source, &mut diags).expect("dogfood loads");
    assert_eq!(
        agentc::lower::lower(&imported),
        agentc::lower::lower(&loaded.spec)
    );
}

/// The frontmatter of a rendered file, as YAML reads it.
fn rendered_frontmatter(rendered: &str) -> serde_json::Map<String, Value> {
    let (fm, _) = split(rendered);
    match agentc::support::yaml::parse(&fm) {
        Ok(Value::Object(map)) => map,
        other => panic!("rendered frontmatter is not a mapping: {other:?}\n{fm}"),
    }
}

#[test]
fn seeds_000_to_003_keep_frontmatter_and_body_through_claude() {
    let expected: [(&str, Vec<(&str, Value)>); 4] = [
        (
            "001",
            vec![
                ("author", json!("@claude-code-hub")),
                (
                    "tags",
                    json!(["backend", "architecture", "api", "database", "design"]),
                ),
                ("version", json!("1.0.0")),
                ("tested_with", json!("claude-code@2.0.0")),
            ],
        ),
        (
            "000",
            vec![(
                "tools",
                json!("Write, Edit, MultiEdit, Bash, Read, Grep, WebSearch"),
            )],
        ),
        (
            "002",
            vec![
                ("color", json!("purple")),
                ("tools", json!("Write, Read, MultiEdit, Bash, Grep")),
            ],
        ),
        (
            "003",
            vec![
                ("model", json!("inherit")),
                (
                    "tools",
                    json!("Read, Write, Edit, MultiEdit, Bash, Grep, Glob, WebSearch, Task"),
                ),
            ],
        ),
    ];
    for (prefix, values) in expected {
        let Some((path, original)) = seed(prefix) else {
            return;
        };
        let i = import(&path, &original);
        let (rendered, warnings) = render(&i.spec, "claude");
        assert!(warnings.is_empty(), "{prefix}: {warnings:?}");
        let fm = rendered_frontmatter(&rendered);
        assert_eq!(fm["name"], json!("backend-architect"), "{prefix}");
        let (orig_fm, orig_body) = split(&original);
        let desc_line = orig_fm
            .lines()
            .find_map(|l| l.strip_prefix("description: "))
            .expect("a description");
        assert_eq!(
            fm["description"],
            json!(text(&desc_line.replace("\\n", "\n"))),
            "{prefix}"
        );
        for (key, value) in values {
            assert_eq!(fm[key], value, "{prefix} {key}");
        }
        let (_, body) = split(&rendered);
        assert_eq!(normalise(&body), normalise(&orig_body), "{prefix}: body");
        let again = import(&path, &rendered);
        assert_eq!(again.spec, i.spec, "{prefix}: claude round trip");
    }
}

#[test]
fn seed_004_through_claude_lifts_every_field_back() {
    let Some((path, original)) = seed("004") else {
        return;
    };
    let i = import(&path, &original);
    let (md, _) = render(&i.spec, "claude");
    assert!(
        md.contains("\n## Responsibilities\n\n### 1. API Design & Implementation\n"),
        "{md}"
    );
    let back = import(&path, &md);
    assert_eq!(back.spec, i.spec);
    assert!(back.spec.sections.is_empty());
    let (xml, _) = render(&back.spec, "xml");
    assert_eq!(
        xml, original,
        "XML → claude → import → XML is the seed again"
    );
}

/// Seed 002 has no `## ` heading: its role is the opening paragraph and each
/// label line (`Your primary responsibilities:`, `**Architectural Patterns**:`)
/// opens a classified section that keeps the line in its body, so the claude
/// and xml forms give the body back byte for byte.
#[test]
fn seed_002_labels_become_classified_sections() {
    let Some((path, text)) = seed("002") else {
        return;
    };
    let spec = import(&path, &text).spec;
    let role = spec.role.as_deref().unwrap_or_default();
    assert!(
        role.starts_with("You are a master backend architect") && !role.contains('\n'),
        "{role}"
    );
    let got: Vec<(&str, Option<&str>)> = spec
        .sections
        .iter()
        .map(|s| (s.title.as_str(), s.kind.map(|k| k.name())))
        .collect();
    assert_eq!(got.len(), 8, "{got:?}");
    assert_eq!(
        got[0],
        ("Your primary responsibilities", Some("responsibilities"))
    );
    assert_eq!(got[2], ("Architectural Patterns", Some("knowledge")));
    assert!(spec.sections.iter().all(|s| s.heading_in_body));
    assert!(
        spec.sections[1]
            .body
            .starts_with("**Technology Stack Expertise**:\n- ")
    );
    let (_, orig_body) = split(&text);
    for target in ["claude", "xml"] {
        let (rendered, _) = render(&spec, target);
        let again = import(&path, &rendered).spec;
        assert_eq!(again, spec, "{target}: the round trip changed the spec");
        if target == "claude" {
            assert_eq!(split(&rendered).1.trim(), orig_body.trim(), "claude body");
        }
    }
}

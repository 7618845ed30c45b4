//! One fixture per irregularity class of DESIGN.md ("Importing legacy files"):
//! the recovered values, and the warning that says so.

use std::path::{Path, PathBuf};

use agentc::artifact::Layout;
use agentc::import::Imported;
use agentc::spec::Spec;

use crate::support::import::{normalise, render, split};
use crate::support::{library, repo};

fn fixture(name: &str) -> (PathBuf, Imported) {
    let path = repo().join("tests/fixtures/import").join(name);
    let bytes = std::fs::read(&path).expect("fixture");
    let imported = agentc::import::import_bytes(&path, &bytes)
        .unwrap_or_else(|e| panic!("{name}: {}", e.render(false)));
    (path, imported)
}

fn codes(i: &Imported) -> Vec<&'static str> {
    i.warnings.iter().map(|w| w.code.as_str()).collect()
}

fn strs(v: &[&str]) -> Option<Vec<String>> {
    Some(v.iter().map(|s| s.to_string()).collect())
}

/// (fixture, warning codes it must raise, check of the recovered spec)
type Case = (&'static str, &'static [&'static str], fn(&Spec));

const CASES: &[Case] = &[
    (
        "unquoted-colon.md",
        &["invalid-yaml", "recovered-value"],
        |s| {
            assert_eq!(
                s.description.as_deref(),
                Some("Use this agent when: the build breaks. Note: it fixes tests")
            );
            assert_eq!(s.model.as_deref(), Some("sonnet"));
        },
    ),
    ("at-value.md", &["invalid-yaml", "recovered-value"], |s| {
        assert_eq!(s.author.as_deref(), Some("@claude-code-hub"))
    }),
    ("hash-comment.md", &["hash-comment", "hash-tags"], |s| {
        assert_eq!(
            s.description.as_deref(),
            Some("Fixes issue #42 before anything else")
        );
        assert_eq!(s.tags, strs(&["backend", "api"]));
    }),
    ("literal-newline-plain.md", &["literal-newline"], |s| {
        assert_eq!(s.description.as_deref(), Some("First line\nSecond line"))
    }),
    ("literal-newline-single.md", &["literal-newline"], |s| {
        assert_eq!(s.description.as_deref(), Some("First line\nSecond line"))
    }),
    ("literal-newline-double.md", &["literal-newline"], |s| {
        assert_eq!(s.description.as_deref(), Some("First line\nSecond line"))
    }),
    ("literal-backslash-n-kept.md", &[], |s| {
        assert_eq!(s.description.as_deref(), Some("Matches \\n in logs"))
    }),
    ("empty-description.md", &["empty-value"], |s| {
        assert_eq!(s.description, None)
    }),
    ("block-scalars.md", &[], |s| {
        assert_eq!(s.description.as_deref(), Some("Folded text on two lines."));
        assert_eq!(
            s.extra["notes"].as_str(),
            Some("Literal text\nkeeps lines.\n")
        );
    }),
    ("layout.md", &["frontmatter-layout"], |s| {
        assert_eq!(s.name, "layout-agent");
        assert_eq!(s.description.as_deref(), Some("Indented frontmatter."));
        assert_eq!(s.role.as_deref(), Some("Body."));
    }),
    (
        "no-frontmatter.md",
        &["no-frontmatter", "derived-description"],
        |s| {
            assert_eq!(s.name, "no-frontmatter");
            assert_eq!(
                s.role.as_deref(),
                Some("You are an agent without frontmatter.")
            );
            assert_eq!(s.sections.len(), 1);
            assert_eq!(s.description, None);
        },
    ),
    ("bom-crlf.md", &["bom", "line-ends"], |s| {
        assert_eq!(s.name, "crlf-agent");
        assert_eq!(s.role.as_deref(), Some("You are here."));
        assert_eq!(s.sections[0].body, "Text without final newline.");
    }),
    ("tools-comma.md", &[], |s| {
        assert_eq!(s.tools, strs(&["Read", "Write", "Grep"]))
    }),
    ("tools-flow.md", &[], |s| {
        assert_eq!(s.tools, strs(&["Read", "Write", "Grep"]))
    }),
    ("tools-block.md", &[], |s| {
        assert_eq!(s.tools, strs(&["Read", "Write", "Grep"]))
    }),
    // Claude Code reads `tools: []` as all tools, like no `tools` at all.
    ("tools-empty.md", &["empty-value"], |s| {
        assert_eq!(s.tools, None)
    }),
    ("tools-absent.md", &[], |s| assert_eq!(s.tools, None)),
    ("unknown-keys.md", &[], |s| {
        let e = &s.extra;
        assert_eq!(e["emoji"].as_str(), Some("🚀"));
        assert_eq!(e["maxTurns"].as_integer(), Some(10));
        assert_eq!(
            e["ratio"].as_str(),
            Some("1.10"),
            "a float that would not read back as written stays text"
        );
        assert_eq!(e["enabled"].as_bool(), Some(true));
        assert_eq!(e["permissionMode"].as_str(), Some("plan"));
        assert_eq!(e["skills"].as_array().map(Vec::len), Some(2));
        assert_eq!(e["mcpServers"]["github"]["command"].as_str(), Some("gh"));
        assert_eq!(s.version.as_deref(), Some("2.0"));
        let keys: Vec<&str> = e.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "emoji",
                "maxTurns",
                "ratio",
                "enabled",
                "permissionMode",
                "skills",
                "mcpServers"
            ]
        );
    }),
    ("name-not-identifier.md", &["name-normalised"], |s| {
        assert_eq!(s.name, "backend-architect");
        assert_eq!(
            s.extra["original_name"].as_str(),
            Some("Backend Architect!")
        );
    }),
    ("body-hazards.md", &[], |s| {
        let titles: Vec<&str> = s.sections.iter().map(|x| x.title.as_str()).collect();
        assert_eq!(titles, ["Fences", "Setext is not split", "Last"]);
        assert!(
            s.role
                .as_deref()
                .is_some_and(|r| r.contains("{{ not_a_template }}") && r.ends_with("---"))
        );
        assert!(
            s.sections[0].body.contains("## not a heading")
                && s.sections[0].body.contains("'''single'''")
        );
        assert!(s.sections[1].body.contains("> ## quoted heading stays"));
    }),
    ("key-case.md", &["key-case"], |s| {
        assert_eq!(s.name, "key-case");
        assert_eq!(s.description.as_deref(), Some("Capitalised keys."));
        assert_eq!(s.tools, strs(&["Read"]));
    }),
    (
        "not-a-mapping.md",
        &["frontmatter-not-mapping", "no-name"],
        |s| {
            assert_eq!(s.name, "not-a-mapping");
            assert_eq!(s.extra["frontmatter"].as_str(), Some("- just\n- a list\n"));
        },
    ),
    (
        "comments-and-spaces.md",
        &["recovered-value", "hash-comment", "yaml-comment"],
        |s| {
            assert_eq!(s.name, "no-space");
            assert_eq!(s.description.as_deref(), Some("Fixes #42 fast"));
            assert_eq!(
                s.model.as_deref(),
                Some("sonnet"),
                "a trailing comment stays a comment"
            );
        },
    ),
    ("tab-key.md", &["frontmatter-layout"], |s| {
        assert_eq!(s.name, "tab-agent");
        assert_eq!(s.description.as_deref(), Some("Tab-indented key."));
    }),
    ("mixed-tags-markdown.md", &[], |s| {
        assert_eq!(
            s.role.as_deref(),
            Some("<role>\nA role in tags.\n</role>"),
            "not the XML form: kept as Markdown"
        );
        assert_eq!(s.sections[0].title, "Then Markdown");
    }),
    ("control.md", &["control-character"], |s| {
        assert_eq!(s.role.as_deref(), Some("Ring \u{7} the bell."))
    }),
];

#[test]
fn every_irregularity_is_recovered_with_its_warning() {
    for (name, want, check) in CASES {
        let (_, i) = fixture(name);
        let got = codes(&i);
        for code in *want {
            assert!(
                got.contains(code),
                "{name}: wanted warning `{code}`, got {got:?}"
            );
        }
        if want.is_empty() {
            assert!(got.is_empty(), "{name}: no warnings expected, got {got:?}");
        }
        for w in &i.warnings {
            assert!(
                w.location()
                    .is_some_and(|l| l.contains(name) && l.matches(':').count() >= 2),
                "{name}: {:?}",
                w.location()
            );
        }
        check(&i.spec);
    }
}

#[test]
fn every_fixture_survives_the_claude_round_trip() {
    for (name, _, _) in CASES {
        let (path, i) = fixture(name);
        let toml = agentc::import::write::to_toml(&i.spec, name).expect("writes TOML");
        let mut diags = agentc::diag::Diagnostics::default();
        let loaded =
            agentc::load::load_str(Path::new("x.toml"), &toml, &mut diags).expect("the TOML loads");
        assert_eq!(loaded.spec, i.spec, "{name}: TOML round trip");
        let (rendered, _) = render(&i.spec, "claude");
        let again = agentc::import::import(&path, &rendered).expect("the rendered file imports");
        assert_eq!(again.spec, i.spec, "{name}:\n{rendered}");
        let original = String::from_utf8_lossy(&std::fs::read(&path).expect("fixture"))
            .replace('\u{feff}', "");
        let (_, body) = split(&original.replace("\r\n", "\n"));
        let (_, new_body) = split(&rendered);
        if !name.starts_with("no-frontmatter") && !name.starts_with("layout") {
            assert_eq!(normalise(&new_body), normalise(&body), "{name}");
        }
    }
}

#[test]
fn unreadable_files_fail_with_a_reason() {
    let cases: [(&[u8], &str); 4] = [
        (b"", "empty"),
        (b" \n\n", "empty"),
        (b"\x00\x01bin", "binary"),
        (b"---\nname: x\n---\n\xff\xfe", "invalid-utf8"),
    ];
    for (bytes, code) in cases {
        let err = agentc::import::import_bytes(Path::new("bad.md"), bytes).expect_err("must fail");
        assert_eq!(err.code, code);
        assert!(err.location().is_some_and(|l| l.starts_with("bad.md")));
    }
}

#[test]
fn the_strict_xml_form_imports_too() {
    let (_, i) = fixture("unknown-keys.md");
    // `[target.xml] strict = true` in agentc.toml.
    let mut strict = toml::Table::new();
    strict.insert("strict".into(), toml::Value::Boolean(true));
    let spec = Spec {
        role: Some("You check <things> & more.".into()),
        triggers: vec!["a < b".into()],
        ..i.spec
    };
    let agent = agentc::lower::lower(&spec);
    let r = library::render(&agent, "xml", Some(&strict), Layout::Dist, Path::new("x"))
        .expect("renders");
    let content = r.artifact.expect("artifact").content;
    assert!(content.starts_with("<?xml"), "{content}");
    let back = agentc::import::import(Path::new("x.xml"), &content).expect("imports");
    assert_eq!(back.form, agentc::import::Form::XmlStrict);
    assert_eq!(back.spec, spec);
}

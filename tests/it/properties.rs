//! Property tests over arbitrary specs: every target renders them, the outputs
//! parse with a real parser of their format and give back the (normalised)
//! strings, text is never evaluated as a template, and rendering is deterministic
//! whatever the order of the inputs.

use std::path::Path;

use agentc::artifact::{Artifact, Layout};
use agentc::ir::Agent;
use agentc::spec::{Section, Spec, Table};
use proptest::prelude::*;

use crate::support::{library, targets, validate_native};

/// Text that stresses every escaping layer: arbitrary Unicode (control characters
/// included) mixed with the delimiters of TOML, YAML, XML, Markdown and minijinja.
fn nasty_text() -> impl Strategy<Value = String> {
    let pieces = prop_oneof![
        any::<String>(),
        Just("\"\"\"".to_string()),
        Just("'''".to_string()),
        Just("{{ x }}".to_string()),
        Just("{% if x %}y{% endif %}".to_string()),
        Just("]]>".to_string()),
        Just("\n---\n".to_string()),
        Just("\\".to_string()),
        Just("\\n \u{85}\u{2028}".to_string()),
        Just("<role>&amp;</role>".to_string()),
        Just(": #@".to_string()),
        Just("\u{1}\u{7f}\t".to_string()),
        Just("🚀 é".to_string()),
        "[a-zA-Z ]{1,12}",
    ];
    proptest::collection::vec(pieces, 1..4).prop_map(|v| v.concat())
}

fn name() -> impl Strategy<Value = String> {
    "[a-z0-9][a-z0-9._-]{0,15}"
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        name(),
        proptest::option::of(nasty_text()),
        proptest::option::of(nasty_text()),
        proptest::collection::vec(nasty_text(), 0..3),
        proptest::collection::vec((nasty_text(), nasty_text()), 0..3),
        proptest::option::of(proptest::collection::vec(nasty_text(), 0..3)),
        proptest::option::of(nasty_text()),
    )
        .prop_map(
            |(name, description, role, triggers, sections, tags, extra)| {
                let mut table = Table::new();
                if let Some(e) = extra {
                    table.insert("note".into(), toml::Value::String(e));
                }
                Spec {
                    name,
                    description,
                    role,
                    triggers,
                    tags,
                    sections: sections
                        .into_iter()
                        .map(|(title, body)| Section {
                            title,
                            kind: None,
                            heading_in_body: false,
                            body,
                        })
                        .collect(),
                    extra: table,
                    ..Spec::default()
                }
            },
        )
}

fn render_all(agent: &Agent) -> Vec<Artifact> {
    let mut out = Vec::new();
    // Native tool targets: native_properties.rs, native_golden.rs, native_rules.rs.
    for target in targets::prompt() {
        let r = library::render(agent, target, None, Layout::Dist, Path::new("a.toml"))
            .expect("renders");
        out.extend(r.artifact);
    }
    out
}

/// The YAML frontmatter of a Markdown output, parsed.
fn frontmatter(content: &str) -> serde_json::Value {
    let rest = content
        .strip_prefix("---\n")
        .expect("starts with frontmatter");
    let end = rest.find("\n---\n").expect("frontmatter ends");
    agentc::support::yaml::parse(&rest[..=end]).expect("frontmatter is valid YAML")
}

proptest! {
    #![proptest_config(crate::support::proptest_config(200))]

    #[test]
    fn outputs_parse_and_keep_every_string(spec in spec()) {
        let agent = agentc::lower::lower(&spec);
        let outputs = render_all(&agent);
        for a in &outputs {
            prop_assert!(a.content.ends_with('\n') && !a.content.ends_with("\n\n"), "{}: one final newline", a.target);
            prop_assert!(!a.content.contains('\r'), "{}: LF only", a.target);
            match a.target.as_str() {
                "claude" | "xml" => {
                    let fm = frontmatter(&a.content);
                    prop_assert_eq!(&fm["name"], &serde_json::json!(agent.name));
                    if a.target == "claude" || !agent.description_derived {
                        prop_assert_eq!(&fm["description"], &serde_json::json!(agent.description));
                    }
                    if a.target == "claude" {
                        // Only keys Claude Code reads; the rest stays in the spec.
                        for key in fm.as_object().expect("a mapping").keys() {
                            prop_assert!(validate_native::claude_keys().any(|k| k == key), "claude wrote `{}`", key);
                        }
                    } else {
                        if let Some(tags) = &agent.tags
                            && !tags.is_empty()
                        {
                            prop_assert_eq!(&fm["tags"], &serde_json::json!(tags));
                        }
                        if let Some(toml::Value::String(note)) = agent.extra.get("note") {
                            prop_assert_eq!(&fm["note"], &serde_json::json!(note));
                        }
                    }
                }
                _ => {}
            }
            // Spec text is a value, never template source: it comes out as written.
            if a.target != "xml" && !agent.role.is_empty() {
                prop_assert!(a.content.contains(&agent.role), "{}: role verbatim", a.target);
            }
            for s in &agent.sections {
                if a.target != "xml" && !s.body.is_empty() {
                    prop_assert!(a.content.contains(&s.body), "{}: section body verbatim", a.target);
                }
                if a.target != "xml" {
                    for line in lines(&s.title) {
                        prop_assert!(a.content.contains(line), "{}: section title line {:?}", a.target, line);
                    }
                }
            }
            // A trigger is a list item: each of its lines comes out as written
            // (the lines after the first indented under the item).
            for t in &agent.triggers {
                if a.target != "xml" {
                    for line in lines(t) {
                        prop_assert!(a.content.contains(line), "{}: trigger line {:?}", a.target, line);
                    }
                }
            }
        }
    }

    #[test]
    fn strict_xml_is_well_formed_and_gives_back_the_text(spec in spec()) {
        let mut spec = spec;
        let mut opts = Table::new();
        opts.insert("strict".into(), toml::Value::Boolean(true));
        spec.targets.insert("xml".into(), agentc::spec::TargetOverride { rest: opts, ..Default::default() });
        let agent = agentc::lower::lower(&spec);
        let a = library::render(&agent, "xml", None, Layout::Dist, Path::new("a.toml")).unwrap().artifact.unwrap();
        let texts = xml_texts(&a.content).map_err(|e| TestCaseError::fail(format!("not well-formed: {e}\n{}", a.content)))?;
        // XML 1.0 cannot hold some control characters: they become U+FFFD, with a warning.
        let xml10 = |s: &str| -> String { s.chars().map(|c| if agentc::support::xmltext::is_xml_char(c) { c } else { '\u{fffd}' }).collect() };
        if !agent.role.is_empty() {
            let want = xml10(&agent.role);
            let role = texts.iter().find(|(tag, _)| tag == "role").map(|(_, t)| t.trim_matches('\n').to_string());
            prop_assert_eq!(role.as_deref(), Some(want.as_str()));
        }
        // The body's other elements give back their text too: every trigger, in
        // order, and every section's body (between the line breaks the form adds).
        let of = |tag: &str| -> Vec<&str> { texts.iter().filter(|(t, _)| t == tag).map(|(_, x)| x.as_str()).collect() };
        let triggers: Vec<String> = agent.triggers.iter().map(|t| xml10(t)).collect();
        prop_assert_eq!(of("trigger"), triggers.iter().map(String::as_str).collect::<Vec<_>>());
        let bodies: Vec<&str> = of("section").into_iter().map(|b| b.strip_prefix('\n').and_then(|b| b.strip_suffix("\n  ")).unwrap_or(b)).collect();
        let want: Vec<String> = agent.sections.iter().map(|s| xml10(&s.body)).collect();
        prop_assert_eq!(bodies, want.iter().map(String::as_str).collect::<Vec<_>>());
    }

    #[test]
    fn rendering_does_not_depend_on_input_order(specs in proptest::collection::vec(spec(), 1..5)) {
        let mut seen = std::collections::BTreeSet::new();
        let specs: Vec<Spec> = specs.into_iter().filter(|s| seen.insert(s.name.clone())).collect();
        let forward = render_many(&specs);
        let mut reversed = specs.clone();
        reversed.reverse();
        prop_assert_eq!(forward, render_many(&reversed));
    }
}

/// The lines of a text that hold something, trimmed.
fn lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines().map(str::trim).filter(|l| !l.is_empty())
}

fn render_many(specs: &[Spec]) -> Vec<Artifact> {
    let loaded: Vec<agentc::load::Loaded> = specs
        .iter()
        .map(|s| agentc::load::Loaded {
            path: format!("agents/{}.toml", s.name).into(),
            source: std::sync::Arc::from(""),
            spec: s.clone(),
        })
        .collect();
    library::compile_loaded(loaded, &targets::all(), Layout::Dist).artifacts
}

/// Parses a whole XML document strictly; returns (element, its direct text, unescaped).
fn xml_texts(doc: &str) -> Result<Vec<(String, String)>, String> {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(doc);
    reader.config_mut().check_end_names = true;
    let mut stack: Vec<(String, String)> = Vec::new();
    let mut out = Vec::new();
    let mut roots = 0;
    loop {
        match reader.read_event().map_err(|e| e.to_string())? {
            Event::Start(e) => {
                if stack.is_empty() {
                    roots += 1;
                }
                stack.push((e.name().as_ref().to_string(), String::new()));
            }
            Event::End(_) => out.extend(stack.pop()),
            Event::Text(t) => {
                let text = t.xml10_content().into_owned();
                if let Some(c) = text
                    .chars()
                    .find(|c| !agentc::support::xmltext::is_xml_char(*c))
                {
                    return Err(format!("U+{:04X} is not an XML 1.0 character", c as u32));
                }
                match stack.last_mut() {
                    Some((_, acc)) => acc.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err(format!("text outside the root: {text:?}")),
                }
            }
            Event::GeneralRef(r) => {
                let name: &str = &r;
                let c = match name {
                    "amp" => "&",
                    "lt" => "<",
                    "gt" => ">",
                    "quot" => "\"",
                    "apos" => "'",
                    other => return Err(format!("unknown entity &{other};")),
                };
                match stack.last_mut() {
                    Some((_, acc)) => acc.push_str(c),
                    None => return Err("entity outside the root".into()),
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if roots != 1 || !stack.is_empty() {
        return Err(format!("{roots} roots, {} unclosed", stack.len()));
    }
    Ok(out)
}

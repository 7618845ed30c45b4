//! The `claude` target against what Claude Code 2.1.332's own loader does
//! (measured with ../shared/validate/extra-clients.sh): no `---` anywhere in the
//! frontmatter (its split ends the frontmatter at the first `---`, even inside a
//! quoted value, and the file is not loaded or its description cut short).

use crate::support::Test;
use crate::support::import::split;

/// Builds one spec for `claude`; returns the file.
fn claude(spec: &str) -> String {
    let p = Test::new();
    p.write("agents/a.toml", spec);
    p.run_args(["build", "-t", "claude", "-o", "out"]).status(0);
    p.read("out/claude/a.md")
}

fn frontmatter(file: &str) -> serde_json::Map<String, serde_json::Value> {
    let (fm, _) = split(file);
    match agentc::support::yaml::parse(&fm).unwrap() {
        serde_json::Value::Object(m) => m,
        other => panic!("not a mapping: {other}"),
    }
}

#[test]
fn a_frontmatter_value_never_holds_three_dashes() {
    for description in ["---", "Use it when a --- b", "a ------ b"] {
        let file = claude(&format!(
            "name = \"a\"\ndescription = {description:?}\nrole = \"You help.\"\n[extra]\nhooks = {{ \"x---y\" = \"--- z\" }}\n"
        ));
        let end = file[4..].find("\n---\n").unwrap() + 4;
        let head = &file[4..end];
        assert!(!head.contains("---"), "{file}");
        let fm = frontmatter(&file);
        assert_eq!(fm["description"], description, "{file}");
        assert_eq!(fm["hooks"]["x---y"], "--- z", "{file}");
        // And it imports back as written.
        let i = agentc::import::import(std::path::Path::new("a.md"), &file).unwrap();
        assert_eq!(i.spec.description.as_deref(), Some(description));
        assert_eq!(i.spec.extra["hooks"]["x---y"].as_str(), Some("--- z"));
    }
}

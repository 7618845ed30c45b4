//! The `claude` target against what Claude Code 2.1.332's own loader does
//! (measured with ../shared/validate/extra-clients.sh): only the frontmatter keys
//! it reads, never an empty `tools` (it reads `tools: ''` and `tools: []` as all
//! tools), legacy tool names under their current names, no `---` anywhere in the
//! frontmatter (its split ends the frontmatter at the first one), and a derived
//! description that says when to delegate. Every loss is a translation warning.

use crate::support::Test;
use crate::support::import::split;

/// Builds one spec for `claude`; returns the file and the command's stderr.
fn claude(spec: &str) -> (String, String) {
    let p = Test::new();
    p.write("agents/a.toml", spec);
    let out = p.run_args(["build", "-v", "-t", "claude", "-o", "out"]);
    let out = out.status(0);
    (p.read("out/claude/a.md"), out.stderr.clone())
}

fn frontmatter(file: &str) -> serde_json::Map<String, serde_json::Value> {
    let (fm, _) = split(file);
    match agentc::support::yaml::parse(&fm).unwrap() {
        serde_json::Value::Object(m) => m,
        other => panic!("not a mapping: {other}"),
    }
}

#[test]
fn no_tools_is_written_as_every_tool_denied_never_as_an_empty_tools() {
    let (file, err) =
        claude("name = \"a\"\ndescription = \"Use it.\"\ntools = []\nrole = \"You help.\"\n");
    let fm = frontmatter(&file);
    assert!(!fm.contains_key("tools"), "{file}");
    let denied = fm["disallowedTools"].as_str().unwrap();
    for tool in ["Read", "Write", "Edit", "Bash", "Agent", "WebFetch"] {
        assert!(denied.split(", ").any(|t| t == tool), "{tool}: {denied}");
    }
    assert!(
        err.contains("no tools: written as `disallowedTools`"),
        "{err}"
    );
    // With tools, no `disallowedTools` and no warning.
    let (file, err) = claude(
        "name = \"a\"\ndescription = \"Use it.\"\ntools = [\"Read\"]\nrole = \"You help.\"\n",
    );
    assert_eq!(frontmatter(&file)["tools"], "Read");
    assert!(
        !file.contains("disallowedTools") && !err.contains("no tools"),
        "{file}{err}"
    );
    // No `tools` at all: all tools, nothing written.
    let (file, _) = claude("name = \"a\"\ndescription = \"Use it.\"\nrole = \"You help.\"\n");
    assert!(!file.contains("tools"), "{file}");
}

#[test]
fn legacy_tool_names_are_written_under_their_current_names() {
    let (file, err) = claude(
        "name = \"a\"\ndescription = \"Use it.\"\ntools = [\"Read\", \"MultiEdit\", \"Edit\", \"Task\", \"TaskList\"]\nrole = \"You help.\"\n",
    );
    assert_eq!(frontmatter(&file)["tools"], "Read, Edit, Agent, TaskList");
    assert!(
        err.contains("legacy tool names written under their current names: `MultiEdit` as `Edit`, `Task` as `Agent`"),
        "{err}"
    );
}

#[test]
fn only_keys_claude_code_reads_are_written_and_the_rest_reported_once_per_agent() {
    let (file, err) = claude(
        "name = \"a\"\ndescription = \"Use it.\"\nversion = \"1.0\"\ncategory = \"dev\"\ntags = [\"x\"]\n\
         model_compatibility = [\"claude\"]\nmodel = \"sonnet\"\ncolor = \"blue\"\nrole = \"You help.\"\n\
         [extra]\nemoji = \"🤖\"\noriginal_name = \"A\"\npermissionMode = \"plan\"\nmaxTurns = 5\n",
    );
    let fm = frontmatter(&file);
    let mut keys: Vec<&str> = fm.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "color",
            "description",
            "maxTurns",
            "model",
            "name",
            "permissionMode"
        ],
        "{file}"
    );
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.trim_start().starts_with("- "))
        .collect();
    assert_eq!(lines.len(), 2, "{err}");
    assert!(
        err.contains("Claude Code does not read `version`, `category`, `tags`; not written (kept in the spec; `lossless = true` writes them)"),
        "{err}"
    );
    assert!(
        err.contains("cannot carry extra keys; dropped [\"emoji\"]\n"),
        "{err}"
    );
}

#[test]
fn a_frontmatter_value_never_holds_three_dashes() {
    for description in ["---", "Use it when a --- b", "a ------ b"] {
        let (file, _) = claude(&format!(
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

#[test]
fn a_derived_description_says_when_to_delegate() {
    let (file, _) =
        claude("name = \"a\"\nrole = \"You are a careful reviewer. You read diffs.\"\n");
    assert_eq!(
        frontmatter(&file)["description"],
        "Use this agent when you need a careful reviewer."
    );
    let (file, _) = claude(
        "name = \"a\"\nrole = \"You are a careful reviewer.\"\ntriggers = [\"Reviewing a pull request\", \"Before a release\"]\n",
    );
    assert_eq!(
        frontmatter(&file)["description"],
        "Use this agent when the task involves: reviewing a pull request; before a release."
    );
}

#[test]
fn an_empty_tools_imports_as_all_tools() {
    for tools in ["tools: ''", "tools: []", "tools: \"\"", "tools:  []"] {
        let text = format!("---\nname: a\ndescription: Use it.\n{tools}\n---\n\nYou help.\n");
        let i = agentc::import::import(std::path::Path::new("a.md"), &text).unwrap();
        assert_eq!(i.spec.tools, None, "{tools}");
        assert!(
            i.warnings
                .iter()
                .any(|w| w.message.contains("Claude Code reads as all tools")),
            "{tools}: {:?}",
            i.warnings.iter().map(|w| &w.message).collect::<Vec<_>>()
        );
    }
    let text = "---\nname: a\ndescription: Use it.\ntools: Read\n---\n\nYou help.\n";
    let i = agentc::import::import(std::path::Path::new("a.md"), text).unwrap();
    assert_eq!(i.spec.tools, Some(vec!["Read".to_string()]));
}

/// A spec with every metadata field, extra keys and a legacy tool name.
const LEGACY: &str = "name = \"a\"\ndescription = \"Use it.\"\nversion = \"1.0\"\ncategory = \"dev\"\n\
    author = \"@me\"\ntags = [\"x\"]\nmodel_compatibility = [\"claude\"]\ntools = [\"Read\", \"MultiEdit\"]\n\
    role = \"You help.\"\n[extra]\nemoji = \"🤖\"\nmaxTurns = 5\n";

#[test]
fn lossless_writes_every_key_and_legacy_tool_name_per_project_or_per_agent() {
    let check = |p: &Test| {
        let run = p.run_args(["build", "-t", "claude", "-o", "out"]);
        let out = run.status(0);
        let file = p.read("out/claude/a.md");
        let fm = frontmatter(&file);
        let mut keys: Vec<&str> = fm.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "author",
                "category",
                "description",
                "emoji",
                "maxTurns",
                "model_compatibility",
                "name",
                "tags",
                "tools",
                "version"
            ],
            "{file}"
        );
        assert_eq!(fm["tools"], "Read, MultiEdit", "{file}");
        assert!(!out.stderr.contains("warning"), "{}", out.stderr);
    };
    // For the project, in agentc.toml.
    let p = Test::new();
    p.write("agentc.toml", "[target.claude]\nlossless = true\n");
    p.write("agents/a.toml", LEGACY);
    check(&p);
    // For one agent.
    let p = Test::new();
    p.write(
        "agents/a.toml",
        format!("{LEGACY}[targets.claude]\nlossless = true\n"),
    );
    check(&p);
    // Not a boolean: an error naming the option.
    let p = Test::new();
    p.write(
        "agents/a.toml",
        format!("{LEGACY}[targets.claude]\nlossless = \"yes\"\n"),
    );
    let run = p.run_args(["build", "-t", "claude", "-o", "out"]);
    let out = run.status(1);
    assert!(
        out.stderr
            .contains("option `lossless` of target `claude` must be a boolean"),
        "{}",
        out.stderr
    );
    assert!(!p.path("out").exists());
}

#[test]
fn no_tools_reads_back_as_no_tools() {
    let (file, _) =
        claude("name = \"a\"\ndescription = \"Use it.\"\ntools = []\nrole = \"You help.\"\n");
    let i = agentc::import::import(std::path::Path::new("a.md"), &file).unwrap();
    assert_eq!(i.spec.tools, Some(vec![]), "{file}");
    assert!(i.spec.extra.is_empty(), "{:?}", i.spec.extra);
    // A `disallowedTools` that leaves some tool allowed stays as written.
    for denied in ["Bash, Write", "Bash", "[Bash, Write]"] {
        let text = format!(
            "---\nname: a\ndescription: Use it.\ndisallowedTools: {denied}\n---\n\nYou help.\n"
        );
        let i = agentc::import::import(std::path::Path::new("a.md"), &text).unwrap();
        assert_eq!(i.spec.tools, None, "{denied}");
        assert!(i.spec.extra.contains_key("disallowedTools"), "{denied}");
    }
}

/// No tools and the spec's own `[extra] disallowedTools` (an MCP server's
/// tool, say): both are denied, the built-in tools first, each once, and
/// `import` reads the file back as no tools plus the rest. Before, the extra
/// list was dropped without a word, which left those tools allowed.
#[test]
fn no_tools_keeps_the_specs_own_denied_tools() {
    let (plain, _) =
        claude("name = \"a\"\ndescription = \"Use it.\"\ntools = []\nrole = \"You help.\"\n");
    let builtin = frontmatter(&plain)["disallowedTools"]
        .as_str()
        .unwrap()
        .to_string();
    let pair = "mcp__github, mcp__db";
    let list = toml::Value::Array(vec!["mcp__github".into(), "mcp__db".into()]);
    for (extra, added, rest) in [
        (
            "\"mcp__github, WebFetch\"",
            "mcp__github",
            toml::Value::from("mcp__github"),
        ),
        ("\"mcp__github,,mcp__db \"", pair, toml::Value::from(pair)),
        ("[\"mcp__github\", \"Bash\", \"mcp__db\"]", pair, list),
    ] {
        let (file, err) = claude(&format!(
            "name = \"a\"\ndescription = \"Use it.\"\ntools = []\nrole = \"You help.\"\n\n[extra]\ndisallowedTools = {extra}\n"
        ));
        let denied = frontmatter(&file)["disallowedTools"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(denied, format!("{builtin}, {added}"), "{extra}");
        assert!(!err.contains("`[extra]` key"), "{err}");
        let i = agentc::import::import(std::path::Path::new("a.md"), &file).unwrap();
        assert_eq!(i.spec.tools, Some(vec![]), "{file}");
        let kept = i.spec.extra.get("disallowedTools");
        let want = match &rest {
            toml::Value::Array(_) => toml::Value::from(pair),
            r => r.clone(),
        };
        assert_eq!(kept, Some(&want), "{extra}");
    }
    // A list in a Markdown file reads back as a list.
    let text = format!(
        "---\nname: a\ndescription: Use it.\ndisallowedTools: [{builtin}, mcp__db]\n---\n\nYou help.\n"
    );
    let i = agentc::import::import(std::path::Path::new("a.md"), &text).unwrap();
    assert_eq!(i.spec.tools, Some(vec![]));
    assert_eq!(
        i.spec.extra.get("disallowedTools"),
        Some(&toml::Value::Array(vec!["mcp__db".into()]))
    );
}

/// An `[extra]` key that a field of the target also writes is not written
/// twice: the field's value stands, and the extra value, when it differs, is
/// reported, not dropped unsaid (`lossless` writes every `[extra]` key).
#[test]
fn an_extra_key_a_field_writes_is_reported() {
    let p = Test::new();
    p.write(
        "agents/a.toml",
        "name = \"a\"\ndescription = \"Use it.\"\nrole = \"You help.\"\n\n[extra]\ndescription = \"Other.\"\nname = \"a\"\n\n[targets.claude]\nlossless = true\n",
    );
    let out = p.run_args(["build", "-v", "-t", "claude", "-o", "out"]);
    let out = out.status(0);
    let fm = frontmatter(&p.read("out/claude/a.md"));
    assert_eq!(fm["description"], "Use it.");
    assert!(
        out.stderr.contains(
            "`[extra]` key `description` not written: the target writes its own `description`"
        ),
        "{}",
        out.stderr
    );
    // The same value as the field's is no loss.
    assert!(
        !out.stderr.contains("`[extra]` key `name`"),
        "{}",
        out.stderr
    );
}

#[test]
fn the_xml_form_keeps_an_empty_tools_as_no_tools() {
    for tools in ["tools: []", "tools: ''"] {
        let text = format!(
            "---\nname: a\ndescription: Use it.\n{tools}\n---\n\n<role>\nYou help.\n</role>\n"
        );
        let i = agentc::import::import(std::path::Path::new("a.md"), &text).unwrap();
        assert_eq!(i.spec.tools, Some(vec![]), "{tools}");
    }
}

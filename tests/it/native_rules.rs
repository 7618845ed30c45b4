//! Native targets on awkward specs: every file written passes its tool's rules
//! (`validate_native`), and everything a target cannot express is reported as a
//! translation warning (or the file is left out with one) — never a silently
//! invalid file. Also: the validator itself catches broken files, `--strict`,
//! collisions with aggregate targets, and target definition errors.

use std::path::{Path, PathBuf};

use agentc::artifact::Layout;
use agentc::pipeline::Compiled;
use agentc::target::Registry;

use crate::support::validate_native::validate_native;
use crate::support::{library, repo, targets};

/// Awkward specs: names tools reject, tool lists that map to nothing, colours,
/// models and extra keys of every kind.
const FIXTURES: &[(&str, &str)] = &[
    (
        "a.b",
        r##"name = "a.b"
description = "Dotted name, no tools, a hex colour and a concrete Claude id."
tools = []
color = "#ff0000"
model = "claude-sonnet-4-5"
role = "You check things carefully and report what you find."
"##,
    ),
    (
        "main",
        "name = \"main\"\ndescription = \"A reserved word in Qwen.\"\nrole = \"You are the main agent of this project.\"\n",
    ),
    (
        "x",
        "name = \"x\"\ndescription = \"One character.\"\nrole = \"Short name\"\n",
    ),
    (
        "terse",
        "name = \"terse\"\ndescription = \"A prompt under ten characters.\"\nrole = \"Be brief.\"\n",
    ),
    (
        "notebook",
        r##"name = "notebook"
description = "Tools some targets lack, a colour none knows, a bad maxTurns."
tools = ["NotebookEdit", "AskUserQuestion", "TodoWrite", "mcp__db__query", "Agent"]
color = "magenta"
model = "powerful"
role = "You edit notebooks and keep a todo list."
[extra]
maxTurns = "ten"
[targets.copilot]
model = "GPT-5 (copilot)"
"##,
    ),
    (
        "only-notebook",
        "name = \"only-notebook\"\ndescription = \"Its one tool maps to nothing in Qwen.\"\ntools = [\"NotebookEdit\"]\nrole = \"You edit Jupyter notebooks.\"\n",
    ),
    (
        "yaml-hostile",
        r##"name = "yaml-hostile"
description = "key: value # not a comment, @at, 'quotes', \"dq\", {{ braces }}"
tools = ["Read", "Write", "Bash", "WebSearch", "LS"]
role = """
---
Starts with a rule: {% raw %} and ``` fences ``` stay as written."""
"##,
    ),
    (
        "quoted-lines",
        r##"name = "quoted-lines"
description = """'Quoted': the first line # with a hash
Examples:
|- not a block, > not folded, "dq": end:"""
tools = ["Read", "WebFetch", "WebSearch"]
role = "You read the web and report what you find."
"##,
    ),
    (
        "debug",
        "name = \"debug\"\ndescription = \"Named like a built-in Roo mode.\"\nrole = \"You find the cause of a bug.\"\n",
    ),
];

fn fixtures() -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut files = Vec::new();
    for (name, text) in FIXTURES {
        let path = dir.path().join(format!("{name}.toml"));
        std::fs::write(&path, text).expect("write fixture");
        files.push(path);
    }
    (dir, files)
}

fn compile(
    sources: Vec<PathBuf>,
    targets: &[&str],
    project_targets: Option<&Path>,
    strict: bool,
) -> Compiled {
    library::compile(sources, targets, Layout::Native, strict, project_targets)
}

fn messages(c: &Compiled) -> Vec<String> {
    c.diags.iter().map(|d| d.message.clone()).collect()
}

fn has(c: &Compiled, agent: &str, target: &str, what: &str) -> bool {
    let prefix = format!("`{agent}` → `{target}`: ");
    c.diags.iter().any(|d| {
        d.code == "translation" && d.message.starts_with(&prefix) && d.message.contains(what)
    })
}

fn content<'a>(c: &'a Compiled, target: &str, agent: &str) -> Option<&'a str> {
    c.artifacts
        .iter()
        .find(|a| a.target == target && a.agent.split(", ").any(|n| n == agent))
        .map(|a| a.content.as_str())
}

#[test]
fn awkward_specs_give_valid_files_or_warnings() {
    let (_dir, files) = fixtures();
    let c = compile(files, &targets::native(), None, false);
    assert!(!c.failed(), "{:#?}", messages(&c));
    for a in &c.artifacts {
        let problems = validate_native(&a.target, &a.path, &a.content);
        assert!(
            problems.is_empty(),
            "{} {}: {problems:#?}\n{}",
            a.target,
            a.path.display(),
            a.content
        );
    }
    let expected = [
        ("a.b", "gemini-cli", "name written as `a-b`"),
        ("a.b", "roo", "slug written as `a-b`"),
        (
            "a.b",
            "qwen",
            "not written: Qwen Code names take only letters",
        ),
        (
            "a.b",
            "copilot",
            "model `claude-sonnet-4-5` is not one this target takes",
        ),
        (
            "main",
            "qwen",
            "not written: Qwen Code reserves the name `main`",
        ),
        (
            "x",
            "qwen",
            "not written: Qwen Code rejects names shorter than 2",
        ),
        (
            "terse",
            "qwen",
            "not written: Qwen Code rejects a prompt under 10 characters",
        ),
        (
            "notebook",
            "qwen",
            "tool `NotebookEdit` has no equivalent; dropped",
        ),
        (
            "notebook",
            "gemini-cli",
            "tool `NotebookEdit` has no equivalent; dropped",
        ),
        (
            "notebook",
            "copilot",
            "tool `AskUserQuestion` has no equivalent; dropped",
        ),
        (
            "notebook",
            "roo",
            "tool `TodoWrite` has no equivalent; dropped",
        ),
        ("notebook", "opencode", "colour `magenta` is not one of"),
        ("notebook", "qwen", "colour `magenta` is not one of"),
        (
            "notebook",
            "gemini-cli",
            "not written: Gemini CLI rejects `max_turns = ten`",
        ),
        (
            "notebook",
            "opencode",
            "not written: OpenCode rejects `steps = ten`",
        ),
        (
            "notebook",
            "roo",
            "cannot express a model; dropped model = `powerful`",
        ),
        (
            "notebook",
            "kiro",
            "cannot carry extra keys; dropped [\"maxTurns\"]",
        ),
        ("notebook", "codex", "cannot restrict tools one by one"),
        (
            "yaml-hostile",
            "cursor",
            "`description` written as one plain line, as the tool reads frontmatter line by line (not as YAML): `: ` written ` - `, ` #` written",
        ),
        (
            "quoted-lines",
            "cursor",
            "line breaks joined into spaces, leading quotes or YAML indicators dropped, `: ` written ` - `",
        ),
        (
            "quoted-lines",
            "roo",
            "tool `WebFetch` has no equivalent; dropped",
        ),
        (
            "quoted-lines",
            "roo",
            "tool `WebSearch` has no equivalent; dropped",
        ),
        (
            "debug",
            "roo",
            "slug written as `debug-agent`: a custom mode `debug` would replace Roo Code's built-in mode",
        ),
    ];
    for (agent, target, what) in expected {
        assert!(
            has(&c, agent, target, what),
            "no `{what}` for {agent} → {target} in {:#?}",
            messages(&c)
        );
    }
    let skipped = [
        ("a.b", "qwen"),
        ("main", "qwen"),
        ("x", "qwen"),
        ("terse", "qwen"),
        ("notebook", "gemini-cli"),
        ("notebook", "opencode"),
    ];
    for (agent, target) in skipped {
        assert!(
            content(&c, target, agent).is_none(),
            "{agent} → {target} must not be written"
        );
    }
}

#[test]
fn awkward_specs_map_values_per_target() {
    let (_dir, files) = fixtures();
    let c = compile(files, &targets::native(), None, false);
    let get = |t, a| content(&c, t, a).unwrap_or_else(|| panic!("{a} → {t} written"));
    let opencode = get("opencode", "a.b");
    assert!(opencode.contains("color: '#ff0000'"), "{opencode}");
    assert!(
        opencode.contains("model: anthropic/claude-sonnet-4-5"),
        "{opencode}"
    );
    assert!(
        opencode.contains("permission:\n  '*': deny\n---"),
        "no tools: everything denied\n{opencode}"
    );
    assert!(get("codex", "a.b").contains("sandbox_mode = \"read-only\""));
    assert!(get("cursor", "a.b").contains("readonly: true"));
    assert!(get("codex", "yaml-hostile").contains("sandbox_mode = \"workspace-write\""));
    assert!(!get("cursor", "yaml-hostile").contains("readonly"));
    assert!(
        get("copilot", "notebook").contains("model: GPT-5 (copilot)"),
        "an override is taken as written"
    );
    assert!(get("kiro", "notebook").contains("\"@db/query\""));
    let qwen = get("qwen", "only-notebook");
    assert!(
        !qwen.contains("\ntools:") && qwen.contains("disallowedTools:"),
        "no tools left: all disallowed\n{qwen}"
    );
    let yaml = get("qwen", "yaml-hostile");
    assert!(
        yaml.contains("{{ braces }}") && yaml.contains("{% raw %}"),
        "spec text is never a template\n{yaml}"
    );
}

/// Cursor reads each frontmatter line split at its first colon, not YAML: what
/// agentc writes for it reads the same both ways, and says what it changed.
#[test]
fn cursor_frontmatter_is_plain_lines_that_read_the_same_without_yaml() {
    let (_dir, files) = fixtures();
    let c = compile(files, &["cursor"], None, false);
    assert!(!c.failed(), "{:#?}", messages(&c));
    let quoted = content(&c, "cursor", "quoted-lines").expect("written");
    assert!(
        quoted.contains(
            "\ndescription: Quoted - the first line \u{ff03} with a hash Examples - |- not a block, > not folded, \"dq\" - end\n"
        ),
        "{quoted}"
    );
    let hostile = content(&c, "cursor", "yaml-hostile").expect("written");
    assert!(
        hostile.contains("\ndescription: key - value \u{ff03} not a comment, @at, 'quotes', \"dq\", {{ braces }}\n"),
        "{hostile}"
    );
    for a in &c.artifacts {
        let fm = a.content.split("\n---\n").next().unwrap();
        assert!(
            !fm.contains(": '") && !fm.contains(": \"") && !fm.contains(": |"),
            "{fm}"
        );
    }
    // The validator catches what Cursor misreads.
    for (bad, want) in [
        (
            "---\nname: a\ndescription: 'a: b'\n---\n\np\n",
            "Cursor reads `description` as `'a: b'`",
        ),
        (
            "---\nname: a\ndescription: |-\n  two\n  lines\n---\n\np\n",
            "Cursor reads `description` as `|-`",
        ),
    ] {
        let problems = validate_native("cursor", Path::new(".cursor/agents/a.md"), bad);
        assert!(
            problems.iter().any(|p| p.contains(want)),
            "{want}: {problems:#?}"
        );
    }
}

/// Roo: no `browser` group (removed, stripped without a word), so a web tool is
/// reported as dropped and an agent with every tool gets `code`'s groups; a
/// built-in mode's slug is renamed, with a warning.
#[test]
fn roo_writes_no_browser_group_and_no_built_in_slug() {
    let (_dir, files) = fixtures();
    let c = compile(files, &["roo"], None, false);
    assert!(!c.failed(), "{:#?}", messages(&c));
    let roo = content(&c, "roo", "debug").expect("written");
    assert!(!roo.contains("browser"), "{roo}");
    assert!(roo.contains("- slug: debug-agent\n"), "{roo}");
    assert!(!roo.contains("- slug: debug\n"), "{roo}");
    assert!(
        roo.contains("- slug: debug-agent\n  name: Debug\n  roleDefinition: You find the cause of a bug.\n  whenToUse: Named like a built-in Roo mode.\n  groups:\n  - read\n  - edit\n  - command\n  - mcp\n"),
        "{roo}"
    );
    for (bad, want) in [
        (
            "customModes:\n- slug: a\n  name: A\n  roleDefinition: r\n  groups: [browser]\n",
            "`browser`",
        ),
        (
            "customModes:\n- slug: code\n  name: A\n  roleDefinition: r\n  groups: [read]\n",
            "built-in mode",
        ),
    ] {
        let problems = validate_native("roo", Path::new(".roomodes"), bad);
        assert!(
            problems.iter().any(|p| p.contains(want)),
            "{want}: {problems:#?}"
        );
    }
}

/// Names a target normalises alike (`a.b`, `a_b`, `a-b` → Roo's slug `a-b`,
/// Gemini CLI's name `a-b`) are an error naming both spec files; nothing is
/// written.
#[test]
fn names_written_alike_collide_with_both_spec_files_named() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let mut files = Vec::new();
    for name in ["a.b", "a_b"] {
        let path = dir.path().join(format!("{name}.toml"));
        std::fs::write(
            &path,
            format!("name = \"{name}\"\ndescription = \"d\"\nrole = \"You help.\"\n"),
        )
        .expect("write");
        files.push(path);
    }
    let c = compile(files.clone(), &["roo", "gemini-cli"], None, false);
    assert!(c.failed());
    let collisions: Vec<_> = c
        .diags
        .iter()
        .filter(|d| d.code == "name-collision")
        .collect();
    assert_eq!(collisions.len(), 1, "{:#?}", messages(&c));
    let m = &collisions[0].message;
    for part in [
        "`a_b` and `a.b`",
        "`slug: a-b`",
        "`roo`",
        "a.b.toml",
        "a_b.toml",
    ] {
        assert!(m.contains(part), "{part} in {m}");
    }
    // Gemini CLI keeps `_`: only `a.b` and `a-b` meet there.
    let path = dir.path().join("a-b.toml");
    std::fs::write(
        &path,
        "name = \"a-b\"\ndescription = \"d\"\nrole = \"You help.\"\n",
    )
    .expect("write");
    let c = compile(vec![files[0].clone(), path], &["gemini-cli"], None, false);
    let d = c
        .diags
        .iter()
        .find(|d| d.code == "name-collision")
        .expect("a collision");
    assert!(
        d.is_error() && d.message.contains("`name: a-b`") && d.message.contains("`gemini-cli`"),
        "{}",
        d.message
    );
    assert!(c.artifacts.is_empty() || c.failed());
    // Apart, each is written.
    let c = compile(vec![files[1].clone()], &["roo", "gemini-cli"], None, false);
    assert!(!c.failed(), "{:#?}", messages(&c));
}

#[test]
fn strict_makes_translation_warnings_errors() {
    let (_dir, files) = fixtures();
    let c = compile(files, &["roo"], None, true);
    assert!(c.failed());
    assert!(c.diags.iter().all(|d| d.is_error()));
}

#[test]
fn validator_flags_what_the_tools_reject() {
    let long = format!("---\ndescription: d\n---\n\n{}\n", "x".repeat(30_001));
    let cases: &[(&str, &str, &str, &str)] = &[
        (
            "opencode",
            ".opencode/agents/a.md",
            "---\ndescription: d\ntools: [read]\n---\n\nprompt\n",
            "key `tools`",
        ),
        (
            "opencode",
            ".opencode/agents/a.md",
            "---\ndescription: d\ncolor: green\n---\n\nprompt\n",
            "colour",
        ),
        (
            "opencode",
            ".opencode/agents/a.md",
            "---\ndescription: d\npermission: [read]\n---\n\nprompt\n",
            "must be a map",
        ),
        (
            "opencode",
            ".opencode/agents/a.md",
            "---\ndescription: d\nsteps: ten\n---\n\nprompt\n",
            "`steps`",
        ),
        ("copilot", ".github/agents/a.agent.md", &long, "30,000"),
        (
            "copilot",
            ".github/agents/a.md",
            "---\ndescription: d\n---\n\nprompt\n",
            "path",
        ),
        (
            "gemini-cli",
            ".gemini/agents/a.md",
            "---\nname: a\ndescription: d\ncolor: red\n---\n\np\n",
            "key `color`",
        ),
        (
            "gemini-cli",
            ".gemini/agents/a.md",
            "---\nname: a.b\ndescription: d\n---\n\np\n",
            "`name` must match",
        ),
        (
            "gemini-cli",
            ".gemini/agents/a.md",
            "---\nname: a\ndescription: d\ntools: [Read]\n---\n\np\n",
            "`Read`",
        ),
        (
            "qwen",
            ".qwen/agents/main.md",
            "---\nname: main\ndescription: d\n---\n\nlong enough prompt\n",
            "name rules",
        ),
        (
            "qwen",
            ".qwen/agents/a.md",
            "---\nname: ab\ndescription: d\n---\n\nshort\n",
            "under 10",
        ),
        (
            "qwen",
            ".qwen/agents/a.md",
            "---\nname: ab\ndescription: d\ntools: []\n---\n\nlong enough prompt\n",
            "every tool",
        ),
        (
            "codex",
            ".codex/agents/a.toml",
            "name = \"a\"\ndescription = \"d\"\ndeveloper_instructions = \"p\"\nsandbox_mode = \"yolo\"\n",
            "sandbox_mode",
        ),
        (
            "codex",
            ".codex/agents/a.toml",
            "name = \"a\"\n",
            "developer_instructions",
        ),
        (
            "cursor",
            ".cursor/agents/a.md",
            "---\nname: a\ndescription: d\nreadonly: 'yes'\n---\n\np\n",
            "boolean",
        ),
        (
            "kiro",
            ".kiro/agents/a.json",
            "{\"name\": \"a\", \"prompt\": \"p\", \"tools\": [\"Bash\"]}\n",
            "`Bash`",
        ),
        (
            "kiro",
            ".kiro/agents/a.json",
            "{\"name\": \"a\",}\n",
            "not JSON",
        ),
        (
            "roo",
            ".roomodes",
            "customModes:\n- slug: a.b\n  name: A\n  roleDefinition: r\n  groups: [read]\n",
            "slug `a.b`",
        ),
        (
            "roo",
            ".roomodes",
            "customModes:\n- slug: a\n  name: A\n  roleDefinition: r\n  groups: [shell]\n",
            "`shell`",
        ),
        // A tool with no rules of its own here: the generic checks.
        (
            "a-new-tool",
            ".new/agents/a.md",
            "no frontmatter\n",
            "no YAML frontmatter",
        ),
        (
            "a-new-tool",
            ".new/agents/a.md",
            "---\nd: x\n---\n\n",
            "no prompt",
        ),
        ("a-new-tool", ".new/agents/a.json", "{\n", "not JSON"),
        ("a-new-tool", ".new/a.toml", "a = \n", "not TOML"),
    ];
    for (target, path, content, want) in cases {
        let problems = validate_native(target, Path::new(path), content);
        assert!(
            problems.iter().any(|p| p.contains(want)),
            "{target} {path}: want `{want}` in {problems:#?}"
        );
    }
}

fn project_targets(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write target");
    }
    dir
}

#[test]
fn collision_with_an_aggregate_names_both_writers() {
    let targets = project_targets(&[(
        "clash.toml",
        "extends = \"copilot\"\ndescription = \"writes where roo does\"\nnative_path = \".roomodes\"\n",
    )]);
    let agents = vec![repo().join("agents/code-reviewer.toml")];
    let c = compile(agents, &["roo", "clash"], Some(targets.path()), false);
    let collision = c
        .diags
        .iter()
        .find(|d| d.code == "path-collision")
        .expect("a collision");
    assert!(collision.is_error());
    for part in ["`.roomodes`", "`roo`", "`clash`", "code-reviewer"] {
        assert!(
            collision.message.contains(part),
            "{part} in {}",
            collision.message
        );
    }
}

#[test]
fn aggregate_target_needs_a_document_format() {
    let targets = project_targets(&[(
        "bad.toml",
        "extends = \"claude\"\ndescription = \"one file\"\nnative_path = \"all.md\"\n[aggregate]\nkey = \"agents\"\n",
    )]);
    let err = Registry::load(Some(targets.path())).expect_err("rejected");
    let text: Vec<String> = err.iter().map(|d| d.message.clone()).collect();
    assert!(
        text.iter().any(|m| m.contains("`aggregate` target needs")),
        "{text:?}"
    );
}

#[test]
fn failing_check_at_error_level_fails_the_build() {
    let targets = project_targets(&[(
        "picky.toml",
        "extends = \"cursor\"\ndescription = \"rejects every name\"\n[[checks]]\ntest = \"false\"\nmessage = \"`{{ agent.name }}` is never right\"\n",
    )]);
    let agents = vec![repo().join("agents/code-reviewer.toml")];
    let c = compile(agents, &["picky"], Some(targets.path()), false);
    assert!(c.failed());
    let d = c
        .diags
        .iter()
        .find(|d| d.code == "target-rule")
        .expect("a target-rule error");
    assert!(
        d.message.contains("`code-reviewer` is never right"),
        "{}",
        d.message
    );
}

#[test]
fn copilot_over_its_body_limit_is_reported() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("long.toml");
    let role = "word ".repeat(6_100);
    std::fs::write(
        &path,
        format!("name = \"long\"\ndescription = \"d\"\nrole = \"{role}\"\n"),
    )
    .expect("write");
    let c = compile(vec![path], &["copilot"], None, false);
    assert!(
        has(&c, "long", "copilot", "the target takes at most 30000"),
        "{:#?}",
        messages(&c)
    );
    let a = &c.artifacts[0];
    let problems = validate_native("copilot", &a.path, &a.content);
    assert!(
        problems.iter().any(|p| p.contains("30,000")),
        "{problems:?}"
    );
}

#[test]
fn a_partial_build_says_the_aggregate_holds_only_its_agents() {
    let dir = tempfile::tempdir().expect("a temp dir");
    let path = dir.path().join("plain.toml");
    let spec = "name = \"plain\"\ndescription = \"d\"\ntools = [\"Read\"]\nrole = \"You read.\"\n";
    std::fs::write(&path, spec).expect("write");
    let c = compile(vec![path], &["roo"], None, true);
    assert!(!c.failed(), "{:#?}", messages(&c));
    let note = c
        .diags
        .iter()
        .find(|d| d.code == "partial-aggregate")
        .expect("a note");
    assert!(
        !note.is_error(),
        "not a translation warning: `--strict` leaves it a warning"
    );
    assert!(
        note.message.contains("`.roomodes`") && note.message.contains("plain"),
        "{}",
        note.message
    );
}

//! Migrating real collections: a whole MCP server in `tools`, a key given
//! twice, a frontmatter closed by a long line of dashes, `new` and the build
//! following `sources`, and a build that never reads its own outputs (or
//! `agentc.toml`) back in as specs.

use crate::support::{Output, Test, spec};

fn built(out: &Output, agents: usize) {
    out.status(0);
    let plural = if agents == 1 { "" } else { "s" };
    out.stderr_has(&format!("built {agents} agent{plural} × "));
}

#[test]
fn sources_dot_reads_neither_agentc_toml_nor_its_outputs() {
    let t = Test::new()
        .file(
            "agentc.toml",
            "sources = [\".\"]\ntargets = [\"codex\", \"claude\"]\n",
        )
        .file("a.toml", spec("a"))
        .file(
            "targets/mine.toml",
            "extends = \"claude\"\ndefault = false\n",
        );
    // codex writes `dist/codex/a.toml`: a spec-looking file inside the source folder.
    built(&t.run_args(["build"]), 1);
    assert!(t.path("dist/codex/a.toml").is_file());
    let again = t.run_args(["build"]);
    built(&again, 1);
    assert!(!again.stderr.contains("agentc.toml"), "{}", again.stderr);
    // The native layout writes `.codex/agents/a.toml` under the root.
    built(&t.run_args(["build", "--layout", "native"]), 1);
    assert!(t.path(".codex/agents/a.toml").is_file());
    built(&t.run_args(["build", "--layout", "native"]), 1);
    t.run_args(["check", "--layout", "native"]).status(0);
}

#[test]
fn an_out_dir_inside_a_source_folder_is_not_read_back() {
    let t = Test::new()
        .file(
            "agentc.toml",
            "sources = [\"specs\"]\nout_dir = \"specs/out\"\ntargets = [\"codex\"]\n",
        )
        .file("specs/a.toml", spec("a"));
    built(&t.run_args(["build"]), 1);
    assert!(t.path("specs/out/codex/a.toml").is_file());
    built(&t.run_args(["build"]), 1);
    t.run_args(["check"]).status(0);
}

#[test]
fn new_writes_into_the_first_source_folder() {
    let t = Test::new().file("agentc.toml", "sources = [\"specs\"]\n");
    let out = t.run_args(["new", "reviewer"]);
    out.status(0);
    assert!(t.path("specs/reviewer.toml").is_file());
    assert!(!t.path("agents").exists());
    built(&t.run_args(["build", "-t", "gpt"]), 1);
}

#[test]
fn a_whole_mcp_server_is_a_tool_claude_keeps() {
    let t = Test::new().file(
        "old/a.md",
        "---\nname: a\ndescription: Use it when assets are needed\ntools: Read, mcp__prompt-to-asset\n---\n\nYou are a.\n",
    );
    t.run_args(["import", "old", "-o", "agents"]).status(0);
    assert!(
        t.read("agents/a.toml").contains("\"mcp__prompt-to-asset\""),
        "{}",
        t.read("agents/a.toml")
    );
    let out = t.run_args(["build", "-t", "claude", "-t", "kiro", "-t", "gemini-cli"]);
    out.status(0);
    assert!(!out.stderr.contains("unknown tool"), "{}", out.stderr);
    assert!(
        t.read("dist/claude/a.md")
            .contains("tools: Read, mcp__prompt-to-asset"),
        "{}",
        t.read("dist/claude/a.md")
    );
    assert!(
        t.read("dist/kiro/a.json").contains("\"@prompt-to-asset\""),
        "{}",
        t.read("dist/kiro/a.json")
    );
    // Gemini CLI has no notation for a whole server: reported, not silent.
    out.stderr_has("dropped-tool × gemini-cli");
}

#[test]
fn a_key_given_twice_keeps_both_values_where_the_warning_says() {
    let t = Test::new().file(
        "old/a.md",
        "---\nname: a\ndescription: the first one\ncolor: blue\ndescription: the second one\n---\n\nYou are a.\n",
    );
    let out = t.run_args(["import", "old", "-o", "agents"]);
    out.status(0);
    let spec = t.read("agents/a.toml");
    assert!(spec.contains("description = \"the first one\""), "{spec}");
    assert!(
        spec.contains("description_2 = \"the second one\""),
        "{spec}"
    );
}

#[test]
fn a_long_line_of_dashes_closes_the_frontmatter() {
    let t = Test::new().file(
        "old/a.md",
        "---\nname: a\ndescription: Use it when needed\n--------\n\nYou are a.\n",
    );
    t.run_args(["import", "old", "-o", "agents"]).status(0);
    let spec = t.read("agents/a.toml");
    assert!(
        spec.contains("description = \"Use it when needed\""),
        "{spec}"
    );
    assert!(!spec.contains("---"), "{spec}");
}

/// Two collections that share a name.
fn collections() -> Test {
    let md = |desc: &str| format!("---\nname: reviewer\ndescription: {desc}\n---\n\nYou review.\n");
    Test::new()
        .file("col/wshobson/agents/reviewer.md", md("Use it for code"))
        .file("col/other/reviewer.md", md("Use it for prose"))
        .file(
            "col/other/solo.md",
            "---\nname: solo\ndescription: Use it alone\n---\n\nYou work alone.\n",
        )
}

#[test]
fn a_name_two_collections_share_fails_both_naming_both_files() {
    let t = collections();
    let out = t.run_args(["import", "col", "-o", "agents"]);
    out.status(1);
    out.stderr_has("agent name `reviewer` comes from 2 files: col/other/reviewer.md, col/wshobson/agents/reviewer.md");
    out.stderr_has("--on-collision prefix");
    assert!(t.path("agents/solo.toml").is_file());
    assert!(!t.path("agents/reviewer.toml").exists());
}

#[test]
fn on_collision_prefix_names_each_by_its_collection() {
    let t = collections();
    let out = t.run_args(["import", "col", "-o", "agents", "--on-collision", "prefix"]);
    out.status(0);
    out.stderr_has("agent name `reviewer` also comes from col/wshobson/agents/reviewer.md; named this one `other-reviewer`");
    let a = t.read("agents/other-reviewer.toml");
    assert!(
        a.contains("name = \"other-reviewer\"") && a.contains("prose"),
        "{a}"
    );
    assert!(a.contains("original_name = \"reviewer\""), "{a}");
    let b = t.read("agents/wshobson-reviewer.toml");
    assert!(
        b.contains("name = \"wshobson-reviewer\"") && b.contains("code"),
        "{b}"
    );
    assert!(t.path("agents/solo.toml").is_file());
    // Both build, and no target reports the bookkeeping key.
    let out = t.run_args(["build", "-t", "codex"]);
    out.status(0);
    assert!(!out.stderr.contains("original_name"), "{}", out.stderr);
}

#[test]
fn on_collision_stem_that_cannot_tell_them_apart_still_fails() {
    // Both files are `reviewer.md`: their stems clash as their names do.
    let t = collections();
    let before = t.tree();
    let out = t.run_args(["import", "col", "-o", "agents", "--on-collision", "stem"]);
    out.status(1);
    out.stderr_has("would clash too");
    assert!(!t.path("agents/reviewer.toml").exists());
    assert!(before.keys().all(|k| t.path(k).is_file()));
    // Different stems, one name: named by the stems.
    let t = Test::new()
        .file(
            "old/first.md",
            "---\nname: x\ndescription: Use it first\n---\n\nOne.\n",
        )
        .file(
            "old/second.md",
            "---\nname: x\ndescription: Use it second\n---\n\nTwo.\n",
        );
    t.run_args(["import", "old", "-o", "agents", "--on-collision", "stem"])
        .status(0);
    assert!(t.read("agents/first.toml").contains("name = \"first\""));
    assert!(t.read("agents/second.toml").contains("name = \"second\""));
}

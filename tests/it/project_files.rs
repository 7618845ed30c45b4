//! Files a target writes once per build, not per agent (`project_files`): the
//! Claude Code plugin's `plugin.json` and its marketplace. Named by the project's
//! options in agentc.toml, written only when the target wrote an agent, checked
//! and removed like every other output, never touched by a partial build.

use crate::support::Test;

fn spec(name: &str) -> String {
    format!(
        "name = \"{name}\"\ndescription = \"Use it to {name}.\"\nrole = \"You {name} carefully.\"\n"
    )
}

const CONFIG: &str = "targets = [\"claude-plugin\"]\nlayout = \"native\"\n\n[target.claude-plugin]\nplugin = \"team-tools\"\nmarketplace = \"acme\"\nauthor = \"Acme\"\nversion = \"2.1.0\"\n";

#[test]
fn the_plugin_and_its_marketplace_follow_the_project_options() {
    let t = Test::new()
        .file("agentc.toml", CONFIG)
        .file("agents/review.toml", spec("review"))
        .file("agents/plan.toml", spec("plan"));
    let out = t.run_args(["build"]);
    out.status(0);
    let mut files: Vec<&str> = out
        .files_under("")
        .into_iter()
        .filter(|f| f.starts_with("plugins/") || f.starts_with(".claude-plugin/"))
        .collect();
    files.sort();
    assert_eq!(
        files,
        [
            ".claude-plugin/marketplace.json",
            "plugins/team-tools/.claude-plugin/plugin.json",
            "plugins/team-tools/agents/plan.md",
            "plugins/team-tools/agents/review.md",
        ]
    );
    let plugin: serde_json::Value =
        serde_json::from_str(out.text("plugins/team-tools/.claude-plugin/plugin.json")).unwrap();
    assert_eq!(plugin["name"], "team-tools");
    assert_eq!(plugin["version"], "2.1.0");
    assert_eq!(plugin["author"]["name"], "Acme");
    let market: serde_json::Value =
        serde_json::from_str(out.text(".claude-plugin/marketplace.json")).unwrap();
    assert_eq!(market["name"], "acme");
    assert_eq!(market["owner"]["name"], "Acme");
    assert_eq!(market["plugins"][0]["source"], "./plugins/team-tools");
    assert!(out.stderr.contains("4 written"), "{}", out.stderr);
    t.run_args(["check"]).status(0);
}

#[test]
fn a_stale_manifest_fails_check_and_a_renamed_plugin_leaves_nothing_behind() {
    let t = Test::new()
        .file("agentc.toml", CONFIG)
        .file("agents/review.toml", spec("review"));
    t.run_args(["build"]).status(0);
    t.write(".claude-plugin/marketplace.json", "{}\n");
    let check = t.run_args(["check"]);
    check.status(1);
    assert!(
        check.stdout.contains("marketplace.json"),
        "{}",
        check.stdout
    );
    t.write("agentc.toml", CONFIG.replace("team-tools", "tools"));
    let out = t.run_args(["build"]);
    out.status(0);
    assert!(
        out.files_under("plugins/team-tools/").is_empty(),
        "{:?}",
        out.files_under("")
    );
    assert_eq!(
        out.files_under("plugins/tools/"),
        [
            "plugins/tools/.claude-plugin/plugin.json",
            "plugins/tools/agents/review.md"
        ]
    );
}

#[test]
fn a_build_of_some_specs_keeps_the_manifests_and_the_other_agents() {
    let t = Test::new()
        .file("agentc.toml", CONFIG)
        .file("agents/review.toml", spec("review"))
        .file("agents/plan.toml", spec("plan"));
    t.run_args(["build"]).status(0);
    let out = t.run_args(["build", "agents/plan.toml"]);
    out.status(0);
    for f in [
        ".claude-plugin/marketplace.json",
        "plugins/team-tools/.claude-plugin/plugin.json",
        "plugins/team-tools/agents/review.md",
    ] {
        assert!(!out.text(f).is_empty(), "{f}");
    }
}

#[test]
fn no_agent_written_means_no_manifest() {
    let t = Test::new().file("agentc.toml", CONFIG).file(
        "agents/review.toml",
        format!("{}\n[targets.claude-plugin]\nskip = true\n", spec("review")),
    );
    let out = t.run_args(["build"]);
    out.status(0);
    assert!(out.files_under("plugins/").is_empty());
    assert!(out.files_under(".claude-plugin/").is_empty());
}

#[test]
fn a_plugin_name_claude_code_would_refuse_is_an_error() {
    let t = Test::new()
        .file("agentc.toml", CONFIG.replace("team-tools", "Team Tools"))
        .file("agents/review.toml", spec("review"));
    let out = t.run_args(["build"]);
    out.status(1);
    assert!(out.stderr.contains("kebab-case"), "{}", out.stderr);
    assert!(out.files_under("plugins/").is_empty());
}

#[test]
fn convert_prints_the_agent_not_a_manifest() {
    let t = Test::new().file("agents/review.toml", spec("review"));
    let out = t.run_args(["convert", "agents/review.toml", "-t", "claude-plugin"]);
    out.status(0);
    assert!(
        out.stdout.starts_with("---\nname: review\n"),
        "{}",
        out.stdout
    );
}

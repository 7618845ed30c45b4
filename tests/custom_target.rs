//! Through the real binary: the `examples/custom-target` project (a built-in
//! target changed by a project file, a new target that `extends` one), the
//! `targets` listing, and the translation report of `build`.

#[path = "support/validate_native.rs"]
mod validate_native;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use validate_native::validate_native;

fn agentc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_agentc"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .expect("agentc runs")
}

/// A copy of an example project in a temp dir, so tests never write into the repo.
fn example(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temp dir");
    let src = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    for sub in ["agents", "targets"] {
        std::fs::create_dir_all(dir.path().join(sub)).expect("mkdir");
        for entry in std::fs::read_dir(src.join(sub)).expect("example folder") {
            let path = entry.expect("entry").path();
            let name = path.file_name().expect("a file name");
            std::fs::copy(&path, dir.path().join(sub).join(name)).expect("copy");
        }
    }
    dir
}

fn read(path: PathBuf) -> String {
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn custom_target_example_builds() {
    let dir = example("custom-target");
    let out = agentc(dir.path(), &["build", "--layout", "native", "-o", "out"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let root = dir.path().join("out");
    let opencode = read(root.join(".opencode/agents/reviewer.md"));
    assert!(
        opencode.contains("model: gateway/medium"),
        "the project's model table wins\n{opencode}"
    );
    assert!(
        opencode.contains("mode: subagent"),
        "the rest of the built-in stays\n{opencode}"
    );
    let team = read(root.join(".github/agents/team-reviewer.agent.md"));
    assert!(
        team.contains("name: team-reviewer\n") && team.contains("target: vscode\n"),
        "{team}"
    );
    assert!(
        team.contains("tools:\n- read\n- search\n"),
        "the built-in tool map is reused\n{team}"
    );
    assert!(
        team.contains("## Report"),
        "the built-in template is reused\n{team}"
    );
    assert_eq!(
        validate_native(
            "opencode",
            Path::new(".opencode/agents/reviewer.md"),
            &opencode
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        validate_native(
            "copilot",
            Path::new(".github/agents/team-reviewer.agent.md"),
            &team
        ),
        Vec::<String>::new()
    );
    assert!(
        !root.join(".github/agents/reviewer.agent.md").exists(),
        "the project turns the built-in copilot target off"
    );
    assert!(
        root.join(".claude/agents/reviewer.md").is_file(),
        "the other built-in targets are built"
    );
    assert!(stderr.contains("reviewer → team-copilot (1)"), "{stderr}");
}

#[test]
fn targets_lists_every_target_with_its_native_path_and_version() {
    let dir = example("custom-target");
    let out = agentc(dir.path(), &["targets"]);
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let natives = [
        ("opencode", ".opencode/agents/<name>.md"),
        ("copilot", ".github/agents/<name>.agent.md"),
        ("gemini-cli", ".gemini/agents/<name>.md"),
        ("qwen", ".qwen/agents/<name>.md"),
        ("codex", ".codex/agents/<name>.toml"),
        ("cursor", ".cursor/agents/<name>.md"),
        ("kiro", ".kiro/agents/<name>.json"),
        ("roo", ".roomodes (one file for all agents)"),
        ("team-copilot", ".github/agents/team-<name>.agent.md"),
    ];
    for (name, path) in natives {
        let block = text
            .split("\n")
            .skip_while(|l| {
                !l.starts_with(&format!("{name}\n"))
                    && !l.starts_with(&format!("{name} "))
                    && *l != name
            })
            .take(4)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            block.contains(&format!("native: {path}")),
            "{name}: {block}\n---\n{text}"
        );
        assert!(block.contains("checked against: "), "{name}: {block}");
    }
    for version in [
        "Gemini CLI 0.61",
        "Qwen Code 0.24",
        "OpenCode 1.18",
        "Codex 0.169",
    ] {
        assert!(text.contains(version), "{version}");
    }
    let json = agentc(dir.path(), &["targets", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_slice(&json.stdout).expect("json");
    let roo = list
        .as_array()
        .and_then(|l| l.iter().find(|t| t["name"] == "roo"))
        .expect("roo");
    assert_eq!(roo["aggregate"], true);
}

#[test]
fn build_json_lists_the_translation_report() {
    let dir = example("custom-target");
    let out = agentc(
        dir.path(),
        &[
            "build", "--layout", "native", "-o", "out", "-t", "roo", "--format", "json",
        ],
    );
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let report = v["translation"].as_array().expect("a translation list");
    assert_eq!(report.len(), 1, "{v:#}");
    assert_eq!(report[0]["agent"], "reviewer");
    assert_eq!(report[0]["target"], "roo");
    assert_eq!(report[0]["count"], 2);
    let items = report[0]["items"].to_string();
    assert!(
        items.contains("model = `balanced`") && items.contains("color = `blue`"),
        "{items}"
    );
    let strict = agentc(
        dir.path(),
        &[
            "build", "--layout", "native", "-o", "out2", "-t", "roo", "--strict",
        ],
    );
    assert_eq!(strict.status.code(), Some(1), "--strict makes them errors");
    assert!(!dir.path().join("out2").exists(), "nothing is written");
}

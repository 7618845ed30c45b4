//! The CI recipes under examples/ are exercised: their `agentc` commands are read out
//! of the YAML files and run, with the real binary, against a copy of this repository's
//! agents.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every command line starting with `agentc` under `key` (`run` or `entry`) in a YAML file.
fn agentc_commands(file: &str, key: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(repo().join(file)).unwrap();
    let doc =
        agentc::yaml::parse(&text).unwrap_or_else(|e| panic!("{file} is not valid YAML: {e:?}"));
    let mut out = Vec::new();
    collect(&doc, key, &mut out);
    assert!(!out.is_empty(), "{file}: no agentc commands under `{key}`");
    out
}

fn collect(v: &serde_json::Value, key: &str, out: &mut Vec<Vec<String>>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, v) in m {
                match (k == key, v.as_str()) {
                    (true, Some(cmd)) if cmd.starts_with("agentc ") => {
                        out.push(cmd.split_whitespace().skip(1).map(String::from).collect())
                    }
                    _ => collect(v, key, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect(v, key, out)),
        _ => {}
    }
}

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("agents")).unwrap();
    for entry in std::fs::read_dir(repo().join("agents")).unwrap() {
        let p = entry.unwrap().path();
        std::fs::copy(&p, dir.path().join("agents").join(p.file_name().unwrap())).unwrap();
    }
    dir
}

fn agentc(dir: &Path, args: &[String]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_agentc"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn github_check_workflow_passes_then_catches_a_stale_output() {
    let cmds = agentc_commands("examples/ci/github-check.yml", "run");
    let dir = project();
    let build: Vec<String> = ["build", "--layout", "native", "-t", "claude"]
        .map(String::from)
        .to_vec();
    assert_eq!(agentc(dir.path(), &build).0, 0);
    for cmd in &cmds {
        let (code, err) = agentc(dir.path(), cmd);
        assert_eq!(code, 0, "agentc {}: {err}", cmd.join(" "));
    }
    let spec = dir.path().join("agents/code-reviewer.toml");
    let text = std::fs::read_to_string(&spec)
        .unwrap()
        .replace("senior code reviewer", "strict code reviewer");
    std::fs::write(&spec, text).unwrap();
    let check = cmds
        .iter()
        .find(|c| c[0] == "check")
        .expect("the workflow runs agentc check");
    let (code, _) = agentc(dir.path(), check);
    assert_eq!(code, 1, "a stale output fails the job");
}

#[test]
fn pre_commit_hooks_run() {
    for file in [
        "examples/pre-commit/.pre-commit-config.yaml",
        ".pre-commit-hooks.yaml",
    ] {
        let dir = project();
        let mut cmds = agentc_commands(file, "entry");
        // `check` needs outputs to compare with: the hook runs after a build.
        cmds.sort_by_key(|c| c[0] == "check");
        assert_eq!(agentc(dir.path(), &["build".to_string()]).0, 0);
        for cmd in &cmds {
            let (code, err) = agentc(dir.path(), cmd);
            assert_eq!(code, 0, "{file}: agentc {}: {err}", cmd.join(" "));
        }
    }
}

#[test]
fn migration_walkthrough_runs() {
    let dir = tempfile::tempdir().unwrap();
    let src = repo().join("examples/migration");
    std::fs::create_dir(dir.path().join("legacy")).unwrap();
    for f in [
        "migrate.sh",
        "legacy/api-reviewer.md",
        "legacy/incident-scribe.md",
    ] {
        std::fs::copy(src.join(f), dir.path().join(f)).unwrap();
    }
    let out = Command::new("bash")
        .arg("migrate.sh")
        .env("AGENTC", env!("CARGO_BIN_EXE_agentc"))
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("2 files: 2 imported, 0 unchanged, 0 failed"),
        "{stderr}"
    );
    let spec = std::fs::read_to_string(dir.path().join("agents/api-reviewer.toml")).unwrap();
    for kept in [
        "author = \"@platform-team\"",
        "tags = [\"api\", \"review\"]",
        "original_name = \"API Reviewer\"",
    ] {
        assert!(spec.contains(kept), "{kept} in\n{spec}");
    }
    for file in [
        ".claude/agents/api-reviewer.md",
        ".codex/agents/incident-scribe.toml",
        ".roomodes",
    ] {
        assert!(dir.path().join("out").join(file).is_file(), "{file}");
    }
}

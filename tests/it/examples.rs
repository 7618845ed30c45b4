//! The CI recipes under examples/ are exercised: their `agentc` commands are read out
//! of the YAML files and run, with the real binary, against a copy of this repository's
//! agents.

use crate::support::{Test, repo};

/// Every command line starting with `agentc` under `key` (`run` or `entry`) in a YAML file.
fn agentc_commands(file: &str, key: &str) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(repo().join(file)).unwrap();
    let doc = agentc::support::yaml::parse(&text)
        .unwrap_or_else(|e| panic!("{file} is not valid YAML: {e:?}"));
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

/// A temp project holding a copy of the repository's agents.
fn project() -> Test {
    Test::new().copy("agents", "agents")
}

/// Runs `agentc args` in `t`: the exit code and stderr.
fn agentc(t: &Test, args: &[String]) -> (i32, String) {
    let out = t.run_args(args);
    (out.code, out.stderr)
}

#[test]
fn github_check_workflow_passes_then_catches_a_stale_output() {
    let cmds = agentc_commands("examples/ci/github-check.yml", "run");
    let dir = project();
    let build: Vec<String> = ["build", "--layout", "native", "-t", "claude"]
        .map(String::from)
        .to_vec();
    assert_eq!(agentc(&dir, &build).0, 0);
    for cmd in &cmds {
        let (code, err) = agentc(&dir, cmd);
        assert_eq!(code, 0, "agentc {}: {err}", cmd.join(" "));
    }
    let spec = "agents/code-reviewer.toml";
    dir.write(
        spec,
        dir.read(spec)
            .replace("senior code reviewer", "strict code reviewer"),
    );
    let check = cmds
        .iter()
        .find(|c| c[0] == "check")
        .expect("the workflow runs agentc check");
    let (code, _) = agentc(&dir, check);
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
        assert_eq!(agentc(&dir, &["build".to_string()]).0, 0);
        for cmd in &cmds {
            let (code, err) = agentc(&dir, cmd);
            assert_eq!(code, 0, "{file}: agentc {}: {err}", cmd.join(" "));
        }
    }
}

#[test]
fn migration_walkthrough_runs() {
    let t = Test::new()
        .copy("examples/migration/legacy", "legacy")
        .file(
            "migrate.sh",
            std::fs::read(repo().join("examples/migration/migrate.sh")).unwrap(),
        );
    let out = t.program("bash").arg("migrate.sh").output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("2 files: 2 imported, 0 unchanged, 0 failed"),
        "{stderr}"
    );
    let spec = t.read("agents/api-reviewer.toml");
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
        assert!(t.path("out").join(file).is_file(), "{file}");
    }
}

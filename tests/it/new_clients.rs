//! The real loaders of the coding tools of 2026 (`validate/new-clients.sh`: Cline's
//! agent config loader, `kilo debug config`, Claude Code's plugin validator and a
//! session with the plugin loaded, Droid's tool list) on a `--layout native` build
//! of `agents/`. The tools are not installed by CI: the test skips, with a note,
//! unless they are in `$AGENTC_CLIENTS/new` (run the script once with network).

use std::process::Command;

use crate::support::{Test, repo};

#[test]
fn the_tools_load_every_file_of_agents() {
    if Command::new("node").arg("--version").output().is_err() {
        eprintln!("skipped: no node");
        return;
    }
    let t = Test::new();
    let agents = repo().join("agents");
    let agents = agents.to_string_lossy().into_owned();
    let built = t.run_args([
        "build",
        &agents,
        "-t",
        "cline",
        "-t",
        "kilo",
        "-t",
        "claude-plugin",
        "-t",
        "factory",
        "--layout",
        "native",
        "-o",
        "out",
    ]);
    built.status(0);
    let out = Command::new("bash")
        .arg(repo().join("validate/new-clients.sh"))
        .arg(t.path("out"))
        .env("INSTALLED_ONLY", "1")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.code() == Some(3) {
        eprintln!("skipped: {}", stdout.trim());
        return;
    }
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<&str> = stdout.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(lines.len(), 4, "{stdout}");
    for line in lines {
        assert!(line.ends_with(": 3/3 files loaded"), "{stdout}");
    }
}

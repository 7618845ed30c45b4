//! The build record: a run whose inputs did not change reads the outputs once
//! instead of rendering, and says exactly what a full run says; any change to an
//! input or an output, or a record it cannot read, runs the full build.

mod common;

use common::{Output, Test, spec};

/// A project with a warning that points into its spec (an unknown tool).
fn project() -> Test {
    let t = Test::new().file("agents/a.toml", spec("a")).file(
        "agents/b.toml",
        format!("{}tools = [\"Read\", \"Raed\"]\n", spec("b")),
    );
    t.run_args(["build", "-q"]).status(0);
    t
}

/// The same command without the record (`AGENTC_CACHE_DIR=""`).
fn full(t: &Test, args: &[&str]) -> (i32, String, String) {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_agentc"));
    let out = cmd
        .args(args)
        .current_dir(t.root())
        .env("AGENTC_CACHE_DIR", "")
        .env_remove("CI")
        .env_remove("NO_COLOR")
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

fn said(o: &Output) -> (i32, String, String) {
    (o.code, o.stdout.clone(), o.stderr.clone())
}

fn records(t: &Test) -> usize {
    std::fs::read_dir(t.cache_dir()).unwrap().count()
}

#[test]
fn an_unchanged_project_says_what_a_full_run_says() {
    let t = project();
    assert_eq!(records(&t), 1, "a successful build leaves its record");
    for args in [
        &["build"][..],
        &["check"],
        &["--format", "json", "build"],
        &["--format", "json", "check"],
        &["build", "-t", "claude", "-t", "roo"],
    ] {
        let hit = t.run_args(args);
        hit.status(0);
        assert_eq!(said(&hit), full(&t, args), "{args:?}");
    }
    let out = t.run_args(["build"]);
    out.stderr_has("unknown tool `Raed`")
        .stderr_has("b.toml:5:");

    // The runs above did come from the record: a record that says otherwise is believed.
    let record = std::fs::read_dir(t.cache_dir())
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&record).unwrap()).unwrap();
    json["skipped"] = 99.into();
    std::fs::write(&record, json.to_string()).unwrap();
    t.run_args(["build"]).status(0).stderr_has(", 99 skipped");
}

#[test]
fn an_output_edited_by_hand_is_found_and_rebuilt() {
    let t = project();
    let file = "dist/claude/a.md";
    let good = t.read(file);
    // Same length, one byte changed: only the content tells.
    let bad = good.replacen("You are a.", "You are b.", 1);
    assert_eq!(bad.len(), good.len());
    t.write(file, &bad);
    t.run_args(["check"])
        .status(1)
        .stdout_has("-You are b.")
        .stdout_has("+You are a.");
    t.run_args(["build"]).status(0).stderr_has("1 written");
    assert_eq!(t.read(file), good);
    t.remove(file);
    t.run_args(["check"]).status(1);
    t.run_args(["build"]).status(0).stderr_has("1 written");
    assert_eq!(t.read(file), good);
}

#[test]
fn a_changed_input_runs_the_full_build() {
    let t = project();
    t.write(
        "agents/a.toml",
        spec("a").replace("You are a.", "You are A."),
    );
    t.run_args(["check"]).status(1);
    t.run_args(["build"]).status(0);
    assert!(t.read("dist/claude/a.md").contains("You are A."));
    // A project template or target file, and agentc.toml, are inputs too.
    t.write("templates/gpt.md.j2", "custom {{ agent.name }}\n");
    t.run_args(["check"]).status(1);
    t.run_args(["build", "-q"]).status(0);
    assert_eq!(t.read("dist/gpt/a.md"), "custom a\n");
    t.write("agentc.toml", "targets = [\"claude\"]\n");
    t.run_args(["build"])
        .status(0)
        .stderr_has("built 2 agents × 1 target into dist: 0 written, 2 unchanged");
}

#[test]
fn an_unreadable_record_is_ignored() {
    let t = project();
    for entry in std::fs::read_dir(t.cache_dir()).unwrap() {
        std::fs::write(entry.unwrap().path(), "{ not a record").unwrap();
    }
    let out = t.run_args(["build"]);
    out.status(0).stderr_has("0 written");
    assert_eq!(said(&out), full(&t, &["build"]));
    t.run_args(["check", "-q"]).status(0);
}

#[test]
fn an_unchanged_build_still_removes_what_a_killed_build_staged() {
    let t = project();
    // A staging folder of a process that is gone (no such pid).
    t.write("dist/.agentc-staging-999999999-x/0", "half a file");
    t.run_args(["check", "-q"]).status(0);
    assert!(
        t.path("dist/.agentc-staging-999999999-x").exists(),
        "check writes nothing"
    );
    t.run_args(["build"]).status(0).stderr_has("0 written");
    assert!(!t.path("dist/.agentc-staging-999999999-x").exists());
}

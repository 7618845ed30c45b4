//! The build record: a run whose inputs did not change reads the outputs once
//! instead of rendering, and says exactly what a full run says; any change to an
//! input or an output, or a record it cannot read, runs the full build.

use crate::support::{Output, Test, spec};

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
    let out = t
        .command(args)
        .env("AGENTC_CACHE_DIR", "")
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

/// Sets `skipped` in every build record to 99: a run that reports `99 skipped`
/// came from the record, not from a build.
fn mark_records(t: &Test) {
    assert!(records(t) > 0, "the build left a record");
    for entry in std::fs::read_dir(t.cache_dir()).unwrap() {
        let path = entry.unwrap().path();
        let mut json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        json["skipped"] = 99.into();
        std::fs::write(&path, json.to_string()).unwrap();
    }
}

/// Rewrites `rel` with `from` replaced by `to` (the same length) and its old
/// modification time: only the content tells.
fn edit_in_place(t: &Test, rel: &str, from: &str, to: &str) {
    assert_eq!(from.len(), to.len());
    let path = t.path(rel);
    let mtime = std::fs::metadata(&path).unwrap().modified().unwrap();
    let text = t.read(rel);
    assert!(text.contains(from), "{rel}: {text}");
    t.write(rel, text.replace(from, to));
    std::fs::File::options()
        .write(true)
        .open(&path)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
}

/// The templates a build reads are its inputs however it reaches them: through
/// a symlink in `templates/` to a file elsewhere in the project, or through an
/// `{% include %}` of another project template. A change to either makes the
/// next `check` fail and the next `build` rewrite the output, although the build
/// record of the last run is there to be believed.
#[cfg(unix)]
#[test]
fn templates_reached_by_symlink_or_include_are_inputs() {
    let t = Test::new()
        .file("agents/a.toml", spec("a"))
        .file("agentc.toml", "targets = [\"claude\", \"gpt\"]\n")
        .file("templates/variants/gpt.j2", "gpt one: {{ agent.name }}\n")
        .file("templates/agent.md.j2", "{% include \"_part.j2\" %}\n")
        .file("templates/_part.j2", "part one: {{ agent.name }}\n");
    std::os::unix::fs::symlink("variants/gpt.j2", t.path("templates/gpt.md.j2")).unwrap();
    t.run_args(["build"])
        .status(0)
        .stderr_has("2 written, 0 unchanged");
    assert_eq!(t.read("dist/gpt/a.md"), "gpt one: a\n");
    assert_eq!(t.read("dist/claude/a.md"), "part one: a\n");

    for (file, from, to, output, want) in [
        (
            "templates/variants/gpt.j2",
            "one",
            "two",
            "dist/gpt/a.md",
            "gpt two: a\n",
        ),
        (
            "templates/_part.j2",
            "one",
            "two",
            "dist/claude/a.md",
            "part two: a\n",
        ),
    ] {
        // Nothing changed: the record is believed.
        mark_records(&t);
        t.run_args(["build"])
            .status(0)
            .stderr_has("0 written, 2 unchanged, 0 removed, 99 skipped");

        edit_in_place(&t, file, from, to);
        let check = t.run_args(["check"]);
        check
            .status(1)
            .stderr_has("(1 stale, 0 missing, 0 extra)")
            .stdout_has(&format!("+{want}"));
        assert!(
            !check.stderr.contains("99 skipped"),
            "{file}: {}",
            check.show()
        );
        let build = t.run_args(["build"]);
        build.status(0).stderr_has("1 written, 1 unchanged");
        assert!(
            !build.stderr.contains("99 skipped"),
            "{file}: {}",
            build.show()
        );
        assert_eq!(t.read(output), want, "{file}");
        t.run_args(["check"]).status(0);
    }
}

/// A template symlink that leads out of `templates/` is not followed: a project
/// could otherwise render any file on the machine into its outputs. The build
/// fails naming the link, and writes nothing.
#[cfg(unix)]
#[test]
fn a_template_symlink_out_of_the_templates_folder_is_refused() {
    for target in ["../prompts/gpt.j2", "/etc/hostname"] {
        let t = Test::new()
            .file("agents/a.toml", spec("a"))
            .file("agentc.toml", "targets = [\"gpt\"]\n")
            .file("prompts/gpt.j2", "secret: {{ agent.name }}\n");
        std::fs::create_dir_all(t.path("templates")).unwrap();
        std::os::unix::fs::symlink(target, t.path("templates/gpt.md.j2")).unwrap();
        let before = t.tree();
        let out = t.run_args(["build"]);
        out.status(1)
            .stderr_has("templates/gpt.md.j2")
            .stderr_has("leads outside");
        assert!(!out.stderr.contains("secret"), "{target}: {}", out.show());
        assert_eq!(t.tree(), before, "{target}: nothing written");
    }
}

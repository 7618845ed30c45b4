//! The command line through the real binary, each test in its own temp project.

mod common;

use std::time::{Duration, SystemTime};

use common::{TARGETS, Test, spec};

/// The file each built-in target writes for agent `name` in the dist layout.
fn dist_files(name: &str) -> Vec<String> {
    let mut files: Vec<String> = TARGETS
        .iter()
        .map(|t| {
            let ext = if *t == "llama" { "txt" } else { "md" };
            format!("dist/{t}/{name}.{ext}")
        })
        .collect();
    files.sort();
    files
}

/// A project with agents `a` and `b`, built once.
fn built() -> Test {
    let t = Test::new()
        .file("agents/a.toml", spec("a"))
        .file("agents/b.toml", spec("b"));
    t.run_args(["build"]).status(0);
    t
}

#[test]
fn build_writes_every_target_and_prints_a_summary() {
    let t = Test::new()
        .file("agents/a.toml", spec("a"))
        .file("agents/b.toml", spec("b"));
    let out = t.run_args(["build"]);
    out.status(0);
    let mut want = dist_files("a");
    want.extend(dist_files("b"));
    want.push("dist/.agentc-manifest.json".into());
    want.sort();
    assert_eq!(out.files_under("dist/"), want);
    assert_eq!(
        out.stderr,
        "built 2 agents × 6 targets into dist: 12 written, 0 unchanged, 0 removed\n"
    );
    assert_eq!(out.stdout, "");
    assert!(out.text("dist/claude/a.md").starts_with("---\nname: a\ndescription: Use this agent when a test needs an agent named a.\n---\n\nYou are a.\n"));
    assert!(
        out.text("dist/gpt/b.md")
            .starts_with("# Role and Objective\n\nYou are b.\n")
    );
}

#[test]
fn second_build_rewrites_nothing() {
    let t = built();
    let before = t.tree();
    let long_ago = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
    t.set_mtimes("dist", long_ago);
    let out = t.run_args(["build"]);
    out.status(0);
    assert_eq!(
        out.stderr,
        "built 2 agents × 6 targets into dist: 0 written, 12 unchanged, 0 removed\n"
    );
    let times = t.mtimes("dist");
    assert_eq!(times.len(), 13);
    for (path, mtime) in times {
        assert_eq!(mtime, long_ago, "{path} was rewritten");
    }
    assert_eq!(out.tree, before);
}

#[test]
fn check_passes_after_build() {
    let t = built();
    let before = t.tree();
    let out = t.run_args(["check"]);
    out.status(0);
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr, "12 files up to date in dist\n");
    assert_eq!(out.tree, before);
}

#[test]
fn check_fails_with_a_diff_after_a_spec_is_edited() {
    let t = built();
    t.write(
        "agents/a.toml",
        spec("a").replace("You are a.", "You are changed."),
    );
    let before = t.tree();
    let out = t.run_args(["check"]);
    out.status(1)
        .stdout_has("--- a/claude/a.md\n+++ b/claude/a.md\n")
        .stdout_has("-You are a.\n+You are changed.\n")
        .stdout_has("--- a/llama/a.txt\n+++ b/llama/a.txt\n")
        .stderr_has("error: 6 of 12 outputs out of date in dist (6 stale, 0 missing, 0 extra); run `agentc build`");
    assert!(!out.stdout.contains("b.md"), "{}", out.show());
    assert_eq!(out.tree, before, "check wrote something");
}

#[test]
fn check_fails_with_a_diff_after_an_output_is_edited() {
    let t = built();
    t.write(
        "dist/gpt/a.md",
        format!("{}local edit\n", t.read("dist/gpt/a.md")),
    );
    let before = t.tree();
    let out = t.run_args(["check"]);
    out.status(1)
        .stdout_has("--- a/gpt/a.md\n+++ b/gpt/a.md\n")
        .stdout_has("-local edit\n")
        .stderr_has("(1 stale, 0 missing, 0 extra)");
    assert_eq!(out.tree, before, "check wrote something");
}

#[test]
fn check_reports_a_deleted_output_as_missing() {
    let t = built();
    t.remove("dist/llama/a.txt");
    let before = t.tree();
    let out = t.run_args(["check"]);
    out.status(1)
        .stdout_has("--- a/llama/a.txt\n+++ b/llama/a.txt\n@@ -0,0 +1,")
        .stdout_has("+You are a.\n")
        .stderr_has("(0 stale, 1 missing, 0 extra)");
    assert_eq!(out.tree, before, "check wrote something");
}

#[test]
fn check_reports_the_outputs_of_a_removed_spec_as_extra() {
    let t = built();
    t.remove("agents/b.toml");
    let before = t.tree();
    let out = t.run_args(["check"]);
    out.status(1)
        .stdout_has("--- a/xml/b.md\n+++ b/xml/b.md\n")
        .stdout_has("-You are b.\n")
        .stderr_has("error: 6 of 6 outputs out of date in dist (0 stale, 0 missing, 6 extra)");
    assert_eq!(out.tree, before, "check wrote or removed something");
}

#[test]
fn check_without_outputs_creates_nothing() {
    let t = Test::new().file("agents/a.toml", spec("a"));
    let out = t.run_args(["check"]);
    out.status(1).stderr_has("(0 stale, 6 missing, 0 extra)");
    assert_eq!(out.tree.keys().collect::<Vec<_>>(), ["agents/a.toml"]);
}

#[test]
fn build_removes_its_own_stale_outputs() {
    let t = built();
    t.remove("agents/b.toml");
    let out = t.run_args(["build"]);
    out.status(0);
    assert_eq!(
        out.stderr,
        "built 1 agent × 6 targets into dist: 0 written, 6 unchanged, 6 removed\n"
    );
    let mut want = dist_files("a");
    want.push("dist/.agentc-manifest.json".into());
    want.sort();
    assert_eq!(out.files_under("dist/"), want);
    assert!(
        !out.text("dist/.agentc-manifest.json").contains("b."),
        "manifest still owns b"
    );
}

#[test]
fn build_never_overwrites_a_file_it_did_not_write() {
    let t = Test::new()
        .file("agents/a.toml", spec("a"))
        .file("dist/gpt/a.md", "mine\n");
    let out = t.run_args(["build"]);
    out.status(1)
        .stderr_has("error[not-owned]: `dist/gpt/a.md` exists and was not written by agentc")
        .stderr_has("help: move it away, or pass --force to overwrite it")
        .stderr_has("nothing was written");
    assert_eq!(
        out.files_under("dist/"),
        ["dist/gpt/a.md"],
        "all or nothing"
    );
    assert_eq!(out.text("dist/gpt/a.md"), "mine\n");

    let out = t.run_args(["build", "--force"]);
    out.status(0);
    assert!(
        out.text("dist/gpt/a.md")
            .starts_with("# Role and Objective\n")
    );
    assert_eq!(out.files_under("dist/").len(), 7);
}

#[test]
fn build_never_deletes_a_file_it_did_not_write() {
    let t = built();
    t.write("dist/gpt/notes.md", "mine\n");
    t.write("dist/gpt/b.txt", "mine too\n");
    t.remove("agents/b.toml");
    let out = t.run_args(["build"]);
    out.status(0).stderr_has("6 removed");
    assert_eq!(out.text("dist/gpt/notes.md"), "mine\n");
    assert_eq!(out.text("dist/gpt/b.txt"), "mine too\n");
    assert!(!out.tree.contains_key("dist/gpt/b.md"));
    // Nor does check count it as agentc's.
    t.run_args(["check"]).status(0);
}

#[test]
fn target_flag_selects_targets() {
    let t = Test::new().file("agents/a.toml", spec("a"));
    let out = t.run_args(["build", "-t", "claude", "--target", "gpt"]);
    out.status(0);
    assert_eq!(
        out.files_under("dist/"),
        [
            "dist/.agentc-manifest.json",
            "dist/claude/a.md",
            "dist/gpt/a.md"
        ]
    );
    assert_eq!(
        out.stderr,
        "built 1 agent × 2 targets into dist: 2 written, 0 unchanged, 0 removed\n"
    );
}

#[test]
fn unknown_target_fails_with_a_suggestion() {
    let t = Test::new().file("agents/a.toml", spec("a"));
    let out = t.run_args(["build", "-t", "claud"]);
    out.status(1)
        .stderr_has("error[unknown-target]: unknown target `claud`")
        .stderr_has("help: did you mean `claude`?")
        .stderr_has("nothing was written");
    assert!(out.files_under("dist").is_empty());
}

#[test]
fn out_flag_sets_the_output_root() {
    let t = Test::new().file("agents/a.toml", spec("a"));
    let out = t.run_args(["build", "-o", "out/here"]);
    out.status(0).stderr_has("into out/here: 6 written");
    assert!(out.files_under("dist").is_empty());
    let want: Vec<String> = dist_files("a")
        .iter()
        .map(|f| f.replacen("dist/", "out/here/", 1))
        .collect();
    let got: Vec<&str> = out
        .files_under("out/here/")
        .into_iter()
        .filter(|f| !f.ends_with(".json"))
        .collect();
    assert_eq!(got, want);
    t.run_args(["check", "-o", "out/here"]).status(0);
}

#[test]
fn native_layout_writes_where_claude_code_reads() {
    let t = Test::new().file("agents/a.toml", spec("a"));
    let out = t.run_args(["build", "--layout", "native", "-t", "claude"]);
    out.status(0);
    assert!(
        out.text(".claude/agents/a.md")
            .starts_with("---\nname: a\n")
    );
    assert!(out.files_under("dist").is_empty());
    let out = t.run_args(["build", "--layout", "native"]);
    out.status(0);
    for f in [
        "prompts/gpt/a.md",
        "prompts/gemini/a.md",
        "prompts/llama/a.txt",
        "prompts/deepseek/a.md",
        "prompts/xml/a.md",
    ] {
        assert!(
            out.tree.contains_key(f),
            "{f} missing: {:?}",
            out.tree.keys()
        );
    }
    t.run_args(["check", "--layout", "native"]).status(0);
}

#[test]
fn project_file_is_found_from_a_subfolder() {
    let config = r#"sources = ["specs"]
out_dir = "out"
targets = ["llama", "claude"]

[target.llama]
wrap = "modelfile"
"#;
    let t = Test::new()
        .file("agentc.toml", config)
        .file("specs/a.toml", spec("a"))
        .cwd("sub/deeper")
        .args(["build"]);
    let out = t.run();
    out.status(0).stderr_has("built 1 agent × 2 targets");
    assert_eq!(
        out.files_under("out/"),
        [
            "out/.agentc-manifest.json",
            "out/claude/a.md",
            "out/llama/a.Modelfile"
        ]
    );
    assert!(
        out.text("out/llama/a.Modelfile")
            .starts_with("FROM llama3.3\nSYSTEM \"\"\"# Role and Objective\n\nYou are a.\n"),
        "{}",
        out.text("out/llama/a.Modelfile")
    );
    assert!(
        out.text("out/llama/a.Modelfile")
            .ends_with("- a test runs\"\"\"\n")
    );
    assert!(out.files_under("sub/").is_empty());
    assert!(out.files_under("dist").is_empty());
}

#[test]
fn command_line_flags_win_over_the_project_file() {
    let t = Test::new()
        .file("agentc.toml", "out_dir = \"out\"\ntargets = [\"llama\"]\n")
        .file("agents/a.toml", spec("a"));
    let out = t.run_args(["build", "-t", "gpt", "-o", "elsewhere"]);
    out.status(0);
    assert_eq!(
        out.files_under("elsewhere/"),
        ["elsewhere/.agentc-manifest.json", "elsewhere/gpt/a.md"]
    );
    assert!(out.files_under("out").is_empty());
}

#[test]
fn convert_prints_one_target_to_stdout() {
    let t = built();
    let out = t.run_args(["convert", "agents/a.toml", "-t", "gpt"]);
    out.status(0);
    assert_eq!(
        out.stdout,
        "# Role and Objective\n\nYou are a.\n\n# Instructions\n\n## When You Are Called\n\n- a test runs\n"
    );
    assert_eq!(out.stdout, t.read("dist/gpt/a.md"));
}

#[test]
fn convert_writes_a_file_with_out() {
    let t = Test::new().file("agents/a.toml", spec("a"));
    let stdout = t
        .run_args(["convert", "agents/a.toml", "-t", "claude"])
        .stdout;
    let out = t.run_args(["convert", "agents/a.toml", "-t", "claude", "-o", "a.md"]);
    out.status(0);
    assert_eq!(out.stdout, "");
    assert_eq!(out.text("a.md"), stdout);
    assert!(stdout.starts_with("---\nname: a\n"));
}

#[test]
fn targets_lists_every_built_in_target() {
    let out = Test::new().run_args(["targets"]);
    out.status(0);
    let names: Vec<&str> = out.stdout.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(
        names,
        [
            "claude",
            "codex",
            "copilot",
            "cursor",
            "deepseek",
            "gemini",
            "gemini-cli",
            "gpt",
            "kiro",
            "llama",
            "opencode",
            "qwen",
            "roo",
            "xml"
        ]
    );
    assert_eq!(
        out.stdout.matches("\n  checked against: ").count(),
        14,
        "{}",
        out.stdout
    );
    out.stdout_has("  native: .claude/agents/<name>.md\n")
        .stdout_has("  native: prompts/gpt/<name>.md\n")
        .stdout_has("  checked against: Claude Code 2.1 subagent docs");
}

#[test]

fn targets_shows_native_paths_without_template_syntax() {
    let out = Test::new().run_args(["targets"]);
    out.status(0);
    assert!(!out.stdout.contains("{{"), "{}", out.stdout);
    out.stdout_has("  native: prompts/llama/<name>.txt\n")
        .stdout_has("  native: prompts/xml/<name>.md\n");
}

#[test]
fn schema_is_json_with_the_spec_keys() {
    let out = Test::new().run_args(["schema"]);
    out.status(0);
    let schema: serde_json::Value = serde_json::from_str(&out.stdout).expect("schema is JSON");
    let props = schema["properties"].as_object().expect("properties");
    for key in ["name", "tools", "sections"] {
        assert!(props.contains_key(key), "no `{key}` in {:?}", props.keys());
    }
    assert_eq!(schema["additionalProperties"], serde_json::json!(false));
    assert_eq!(schema["required"], serde_json::json!(["name"]));
}

#[test]
fn schema_comment_on_the_first_line_is_valid() {
    let t = Test::new().file(
        "agents/a.toml",
        format!("#:schema ../x.json\n{}", spec("a")),
    );
    let out = t.run_args(["build"]);
    out.status(0);
    assert_eq!(
        out.stderr,
        "built 1 agent × 6 targets into dist: 6 written, 0 unchanged, 0 removed\n"
    );
}

#[test]
fn new_creates_a_spec() {
    let t = Test::new();
    let out = t.run_args(["new", "reviewer"]);
    out.status(0).stderr_has("created ");
    let text = out.text("agents/reviewer.toml");
    assert!(text.starts_with("name = \"reviewer\"\n"), "{text}");
    toml::from_str::<toml::Table>(text).expect("the starter is TOML");
    let out = t.run_args(["new", "--dir", "elsewhere", "other"]);
    out.status(0);
    assert!(out.tree.contains_key("elsewhere/other.toml"));
}

/// `new` is the first thing a user runs; its starter must build as it is.
#[test]

fn new_creates_a_spec_that_builds() {
    let t = Test::new();
    t.run_args(["new", "reviewer"]).status(0);
    let out = t.run_args(["build"]);
    out.status(0);
    assert!(
        out.text("dist/claude/reviewer.md")
            .starts_with("---\nname: reviewer\n")
    );
}

#[test]
fn new_refuses_an_existing_spec() {
    let t = Test::new().file("agents/reviewer.toml", "name = \"reviewer\"\n# mine\n");
    let out = t.run_args(["new", "reviewer"]);
    out.status(1)
        .stderr_has("error[exists]")
        .stderr_has("agents/reviewer.toml` already exists");
    assert_eq!(
        out.text("agents/reviewer.toml"),
        "name = \"reviewer\"\n# mine\n"
    );
}

#[test]
fn new_refuses_an_invalid_name() {
    for bad in ["Bad", "a b", "../x", ""] {
        let out = Test::new().run_args(["new", bad]);
        out.status(1).stderr_has("error[invalid-name]");
        assert!(out.tree.is_empty(), "{bad}: {:?}", out.tree.keys());
    }
}

#[test]
fn init_creates_a_project_once() {
    let t = Test::new();
    let out = t.run_args(["init"]);
    out.status(0);
    assert_eq!(
        out.tree.keys().collect::<Vec<_>>(),
        ["agentc.toml", "agents/example.toml"]
    );
    let before = out.tree.clone();
    let out = t.run_args(["init"]);
    out.status(1)
        .stderr_has("error[exists]")
        .stderr_has("agentc.toml` already exists");
    assert_eq!(out.tree, before);
}

#[test]

fn init_gives_a_project_that_builds() {
    let t = Test::new();
    t.run_args(["init"]).status(0);
    let out = t.run_args(["build"]);
    out.status(0);
    assert!(out.tree.contains_key("dist/claude/example.md"));
}

#[test]
fn completions_print_a_script_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = Test::new().run_args(["completions", shell]);
        out.status(0);
        assert!(out.stdout.len() > 100, "{shell}: {}", out.stdout);
        assert!(out.stdout.contains("agentc"), "{shell}");
        assert!(
            out.stdout.contains("convert"),
            "{shell}: subcommands missing"
        );
    }
}

#[test]
fn usage_errors_exit_2() {
    let cases: [(&[&str], &str); 5] = [
        (
            &["build", "--nope"],
            "error: unexpected argument '--nope' found",
        ),
        (&[], "Usage: agentc [OPTIONS] <COMMAND>"),
        (
            &["frobnicate"],
            "error: unrecognized subcommand 'frobnicate'",
        ),
        (&["completions", "tcsh"], "error: invalid value 'tcsh'"),
        (
            &["build", "--layout", "flat"],
            "error: invalid value 'flat'",
        ),
    ];
    for (args, message) in cases {
        let out = Test::new().run_args(args.iter().copied());
        out.status(2).stderr_has(message);
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(out.tree.is_empty());
    }
}

#[test]
fn build_json_output_parses() {
    let t = Test::new().file("agents/a.toml", spec("a"));
    let out = t.run_args(["build", "--format", "json"]);
    out.status(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v["ok"], true);
    assert_eq!(v["diagnostics"], serde_json::json!([]));
    assert_eq!(v["agents"], serde_json::json!(["a"]));
    assert_eq!(v["written"].as_array().map(Vec::len), Some(6));
    assert_eq!(out.stderr, "", "JSON mode prints no human summary");
}

#[test]
fn build_json_output_carries_the_diagnostics() {
    let t = Test::new().file("agents/a.toml", "name = \"a\"\ntool = []\n");
    let out = t.run_args(["build", "--format", "json"]);
    out.status(1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v["ok"], false);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "unknown-key");
    assert_eq!(d["file"], "agents/a.toml");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(2), Some(1))
    );
    assert_eq!(d["help"], "did you mean `tools`?");
}

#[test]
fn check_json_output_parses() {
    let t = built();
    let out = t.run_args(["check", "--format", "json"]);
    out.status(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v["ok"], true);
    assert!(v["diagnostics"].is_array());
    t.remove("dist/gpt/a.md");
    let out = t.run_args(["check", "--format", "json"]);
    out.status(1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v["ok"], false);
    assert!(v["diagnostics"].is_array());
    assert_eq!(v["drift"][0]["path"], "gpt/a.md");
    assert_eq!(v["drift"][0]["kind"], "missing");
}

#[test]
fn quiet_prints_nothing_on_success() {
    let t = Test::new().file("agents/a.toml", spec("a"));
    for args in [["build", "-q"], ["check", "-q"], ["build", "-q"]] {
        let out = t.run_args(args);
        out.status(0);
        assert_eq!(
            (out.stdout.as_str(), out.stderr.as_str()),
            ("", ""),
            "{args:?}"
        );
    }
    assert_eq!(
        t.tree().keys().filter(|k| k.starts_with("dist/")).count(),
        7
    );
}

#[test]
fn colour_follows_no_color_and_the_flag() {
    let t = Test::new().file("agents/a.toml", "name = \"a\"\ntool = []\n");
    let never = t.run_args(["build", "--color", "never"]);
    let auto = t.run_args(["build"]);
    let no_color = Test::new()
        .file("agents/a.toml", "name = \"a\"\ntool = []\n")
        .env("NO_COLOR", "1")
        .args(["build", "--color", "auto"])
        .run();
    for out in [&never, &auto, &no_color] {
        out.status(1).stderr_has("error[unknown-key]");
        assert!(
            !out.stderr.contains('\x1b'),
            "ANSI escape in {:?}:\n{}",
            out.args,
            out.stderr
        );
    }
    let always = t.run_args(["build", "--color", "always"]);
    always.status(1);
    assert!(
        always.stderr.contains("\x1b["),
        "no ANSI escape with --color always:\n{}",
        always.stderr
    );
    assert!(!always.stdout.contains('\x1b'));
}

#[test]
fn building_some_specs_keeps_the_outputs_of_the_others() {
    let t = built();
    let before = t.tree();
    t.write(
        "agents/a.toml",
        spec("a").replace("You are a.", "You are changed."),
    );
    let out = t.run_args(["build", "agents/a.toml"]);
    out.status(0);
    assert_eq!(
        out.stderr,
        "built 1 agent × 6 targets into dist: 6 written, 0 unchanged, 0 removed\n"
    );
    for f in dist_files("b") {
        assert_eq!(out.tree.get(&f), before.get(&f), "{f} changed");
    }
    t.run_args(["check", "agents/b.toml"]).status(0);
    t.run_args(["check"]).status(0);
}

#[test]
fn convert_of_an_invalid_spec_prints_nothing_on_stdout() {
    let t = Test::new().file("agents/a.toml", "name = \"a\"\ntool = []\n");
    let out = t.run_args(["convert", "agents/a.toml", "-t", "gpt"]);
    out.status(1)
        .stderr_has("error[unknown-key]: unknown key `tool`");
    assert_eq!(out.stdout, "");
}

/// Outputs are ordinary files: their mode follows the umask like any file the
/// user creates, so other readers (editors, containers, web servers) can read them.
#[cfg(unix)]
#[test]

fn outputs_get_the_usual_file_mode() {
    use std::os::unix::fs::PermissionsExt;
    let t = built();
    t.write("reference.txt", "x");
    let mode = |rel: &str| {
        std::fs::metadata(t.path(rel))
            .expect("metadata")
            .permissions()
            .mode()
            & 0o777
    };
    let want = mode("reference.txt");
    for f in [
        "dist/gpt/a.md",
        "dist/claude/b.md",
        "dist/.agentc-manifest.json",
    ] {
        assert_eq!(format!("{:o}", mode(f)), format!("{want:o}"), "{f}");
    }
}

#[test]
fn check_prints_an_exact_unified_diff() {
    let t = built();
    t.write(
        "dist/gpt/a.md",
        format!("{}local edit\n", t.read("dist/gpt/a.md")),
    );
    let out = t.run_args(["check", "-t", "gpt", "agents/a.toml"]);
    out.status(1);
    assert_eq!(
        out.stdout,
        "--- a/gpt/a.md\n+++ b/gpt/a.md\n@@ -7,4 +7,3 @@\n ## When You Are Called\n \n - a test runs\n-local edit\n"
    );
    assert_eq!(
        out.stderr,
        "error: 1 of 1 outputs out of date in dist (1 stale, 0 missing, 0 extra); run `agentc build`\n"
    );
}

#[test]
fn the_manifest_records_every_output_and_its_owner() {
    let t = built();
    let manifest: serde_json::Value =
        serde_json::from_str(&t.read("dist/.agentc-manifest.json")).expect("manifest is JSON");
    let files = manifest["files"].as_object().expect("files");
    let mut want: Vec<String> = dist_files("a");
    want.extend(dist_files("b"));
    want.sort();
    let want: Vec<String> = want.iter().map(|f| f.replacen("dist/", "", 1)).collect();
    assert_eq!(files.keys().cloned().collect::<Vec<_>>(), want);
    assert_eq!(
        files["llama/b.txt"],
        serde_json::json!({ "target": "llama", "agent": "b" })
    );
}

#[test]
fn verbose_lists_each_file_written_and_removed() {
    let t = built();
    t.remove("agents/b.toml");
    t.write("agents/c.toml", spec("c"));
    let out = t.run_args(["build", "-v", "-t", "gpt"]);
    out.status(0)
        .stderr_has("  wrote   dist/gpt/c.md\n")
        .stderr_has("  removed dist/gpt/b.md\n");
    assert!(!out.stderr.contains("dist/gpt/a.md"), "{}", out.show());
    assert!(
        out.tree.contains_key("dist/claude/b.md"),
        "other targets keep b"
    );
}

#[test]
fn skipped_targets_are_counted_and_not_written() {
    let skip = format!("{}\n[targets.xml]\nskip = true\n", spec("a"));
    let only_claude = format!("{}model_compatibility = [\"claude\"]\n", spec("b"));
    let t = Test::new()
        .file("agents/a.toml", skip)
        .file("agents/b.toml", only_claude);
    let out = t.run_args(["build"]);
    out.status(0);
    assert_eq!(
        out.stderr,
        "built 2 agents × 6 targets into dist: 7 written, 0 unchanged, 0 removed, 5 skipped\n"
    );
    assert!(!out.tree.contains_key("dist/xml/a.md"));
    assert_eq!(
        out.files_under("dist/")
            .iter()
            .filter(|f| f.contains("/b."))
            .collect::<Vec<_>>(),
        [&"dist/claude/b.md", &"dist/xml/b.md"]
    );
}

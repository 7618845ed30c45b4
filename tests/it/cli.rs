//! The command line through the real binary, each test in its own temp project.

use std::time::{Duration, SystemTime};

use crate::support::targets::{self, dist_file};
use crate::support::{Test, spec};

/// The files every target built by default writes for agent `name` in the dist
/// layout, the one file of an aggregate target (Roo's) included.
fn dist_files(name: &str) -> Vec<String> {
    let mut files: Vec<String> = targets::built_by_default()
        .iter()
        .map(|t| dist_file(t, name))
        .collect();
    files.sort();
    files
}

/// The dist files of all `names` (an aggregate target's once).
fn dist_tree(names: &[&str]) -> Vec<String> {
    let mut files: Vec<String> = names.iter().flat_map(|n| dist_files(n)).collect();
    files.sort();
    files.dedup();
    files
}

/// The files of the aggregate targets built by default: one for all agents.
fn shared_files() -> Vec<String> {
    targets::built_by_default()
        .into_iter()
        .filter(|t| targets::is_aggregate(t))
        .map(|t| dist_file(t, ""))
        .collect()
}

/// A project with agents `a` and `b`, built once.
fn built() -> Test {
    let t = Test::new()
        .file("agents/reviewer.toml", spec("reviewer"))
        .file("agents/planner.toml", spec("planner"));
    t.run_args(["build"]).status(0);
    t
}

#[test]
fn build_writes_every_target_and_prints_a_summary() {
    let t = Test::new()
        .file("agents/reviewer.toml", spec("reviewer"))
        .file("agents/planner.toml", spec("planner"));
    let out = t.run_args(["build"]);
    out.status(0);
    let mut want = dist_tree(&["reviewer", "planner"]);
    want.push("dist/.agentc-manifest.json".into());
    want.sort();
    assert_eq!(out.files_under("dist/"), want);
    // A file per agent and target, and one for both per aggregate target (Roo's).
    assert_eq!(
        out.stderr,
        format!(
            "built 2 agents × {} targets into dist: {} written, 0 unchanged, 0 removed\n",
            targets::count(),
            targets::files(2)
        )
    );
    assert_eq!(out.stdout, "");
    assert!(out.text("dist/claude/reviewer.md").starts_with("---\nname: reviewer\ndescription: Use this agent when a test needs an agent named reviewer.\n---\n\nYou are reviewer.\n"));
    assert!(
        out.text("dist/gpt/planner.md")
            .starts_with("# Role and Objective\n\nYou are planner.\n")
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
        format!(
            "built 2 agents × {} targets into dist: 0 written, {} unchanged, 0 removed\n",
            targets::count(),
            targets::files(2)
        )
    );
    let times = t.mtimes("dist");
    assert_eq!(times.len(), targets::files(2) + 1);
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
    assert_eq!(
        out.stderr,
        format!("{} files up to date in dist\n", targets::files(2))
    );
    assert_eq!(out.tree, before);
}

#[test]
fn check_fails_with_a_diff_after_a_spec_is_edited() {
    let t = built();
    t.write(
        "agents/reviewer.toml",
        spec("reviewer").replace("You are reviewer.", "You are changed."),
    );
    let before = t.tree();
    let out = t.run_args(["check"]);
    out.status(1)
        .stdout_has("--- a/claude/reviewer.md\n+++ b/claude/reviewer.md\n")
        .stdout_has("-You are reviewer.\n+You are changed.\n")
        .stdout_has("--- a/llama/reviewer.txt\n+++ b/llama/reviewer.txt\n")
        .stderr_has(&format!(
            "error: {0} of {1} outputs out of date in dist ({0} stale, 0 missing, 0 extra); run `agentc build`",
            targets::files(1),
            targets::files(2)
        ));
    // Roo's shared file holds reviewer too.
    assert!(!shared_files().is_empty());
    for f in shared_files() {
        out.stdout_has(&format!("--- a/{0}\n+++ b/{0}\n", &f["dist/".len()..]));
    }
    assert!(!out.stdout.contains("planner.md"), "{}", out.show());
    assert_eq!(out.tree, before, "check wrote something");
}

#[test]
fn check_fails_with_a_diff_after_an_output_is_edited() {
    let t = built();
    t.write(
        "dist/gpt/reviewer.md",
        format!("{}local edit\n", t.read("dist/gpt/reviewer.md")),
    );
    let before = t.tree();
    let out = t.run_args(["check"]);
    out.status(1)
        .stdout_has("--- a/gpt/reviewer.md\n+++ b/gpt/reviewer.md\n")
        .stdout_has("-local edit\n")
        .stderr_has("(1 stale, 0 missing, 0 extra)");
    assert_eq!(out.tree, before, "check wrote something");
}

#[test]
fn check_reports_a_deleted_output_as_missing() {
    let t = built();
    t.remove("dist/llama/reviewer.txt");
    let before = t.tree();
    let out = t.run_args(["check"]);
    out.status(1)
        .stdout_has("--- a/llama/reviewer.txt\n+++ b/llama/reviewer.txt\n@@ -0,0 +1,")
        .stdout_has("+You are reviewer.\n")
        .stderr_has("(0 stale, 1 missing, 0 extra)");
    assert_eq!(out.tree, before, "check wrote something");
}

#[test]
fn check_reports_the_outputs_of_a_removed_spec_as_extra() {
    let t = built();
    t.remove("agents/planner.toml");
    let before = t.tree();
    let out = t.run_args(["check"]);
    out.status(1)
        .stdout_has("--- a/xml/planner.md\n+++ b/xml/planner.md\n")
        .stdout_has("-You are planner.\n")
        .stderr_has(&format!(
            "error: {} of {} outputs out of date in dist ({} stale, 0 missing, {} extra)",
            targets::files(2) - targets::files(1) + targets::aggregates(),
            targets::files(1),
            targets::aggregates(),
            targets::files(2) - targets::files(1)
        ));
    assert_eq!(out.tree, before, "check wrote or removed something");
}

#[test]
fn check_without_outputs_creates_nothing() {
    let t = Test::new().file("agents/reviewer.toml", spec("reviewer"));
    let out = t.run_args(["check"]);
    out.status(1).stderr_has(&format!(
        "(0 stale, {} missing, 0 extra)",
        targets::files(1)
    ));
    assert_eq!(
        out.tree.keys().collect::<Vec<_>>(),
        ["agents/reviewer.toml"]
    );
}

#[test]
fn build_removes_its_own_stale_outputs() {
    let t = built();
    t.remove("agents/planner.toml");
    let out = t.run_args(["build"]);
    out.status(0);
    assert_eq!(
        out.stderr,
        format!(
            "built 1 agent × {} targets into dist: {} written, {} unchanged, {} removed\n",
            targets::count(),
            targets::aggregates(),
            targets::files(1) - targets::aggregates(),
            targets::files(2) - targets::files(1)
        )
    );
    let mut want = dist_files("reviewer");
    want.push("dist/.agentc-manifest.json".into());
    want.sort();
    assert_eq!(out.files_under("dist/"), want);
    assert!(
        !out.text("dist/.agentc-manifest.json").contains("planner."),
        "manifest still owns b"
    );
}

#[test]
fn build_never_overwrites_a_file_it_did_not_write() {
    let t = Test::new()
        .file("agents/reviewer.toml", spec("reviewer"))
        .file("dist/gpt/reviewer.md", "mine\n");
    let out = t.run_args(["build"]);
    out.status(1)
        .stderr_has("error[not-owned]: `dist/gpt/reviewer.md` exists and was not written by agentc")
        .stderr_has("help: move it away, or pass --force to overwrite it")
        .stderr_has("nothing was written");
    assert_eq!(
        out.files_under("dist/"),
        ["dist/gpt/reviewer.md"],
        "all or nothing"
    );
    assert_eq!(out.text("dist/gpt/reviewer.md"), "mine\n");

    let out = t.run_args(["build", "--force"]);
    out.status(0);
    assert!(
        out.text("dist/gpt/reviewer.md")
            .starts_with("# Role and Objective\n")
    );
    assert_eq!(out.files_under("dist/").len(), targets::files(1) + 1);
}

#[test]
fn build_never_deletes_a_file_it_did_not_write() {
    let t = built();
    t.write("dist/gpt/notes.md", "mine\n");
    t.write("dist/gpt/planner.txt", "mine too\n");
    t.remove("agents/planner.toml");
    let out = t.run_args(["build"]);
    out.status(0).stderr_has(&format!(
        "{} removed",
        targets::files(2) - targets::files(1)
    ));
    assert_eq!(out.text("dist/gpt/notes.md"), "mine\n");
    assert_eq!(out.text("dist/gpt/planner.txt"), "mine too\n");
    assert!(!out.tree.contains_key("dist/gpt/planner.md"));
    // Nor does check count it as agentc's.
    t.run_args(["check"]).status(0);
}

#[test]
fn target_flag_selects_targets() {
    let t = Test::new().file("agents/reviewer.toml", spec("reviewer"));
    let out = t.run_args(["build", "-t", "claude", "--target", "gpt"]);
    out.status(0);
    assert_eq!(
        out.files_under("dist/"),
        [
            "dist/.agentc-manifest.json",
            "dist/claude/reviewer.md",
            "dist/gpt/reviewer.md"
        ]
    );
    assert_eq!(
        out.stderr,
        "built 1 agent × 2 targets into dist: 2 written, 0 unchanged, 0 removed\n"
    );
}

#[test]
fn unknown_target_fails_with_a_suggestion() {
    let t = Test::new().file("agents/reviewer.toml", spec("reviewer"));
    let out = t.run_args(["build", "-t", "claud"]);
    out.status(1)
        .stderr_has("error[unknown-target]: unknown target `claud`")
        .stderr_has("help: did you mean `claude`?")
        .stderr_has("nothing was written");
    assert!(out.files_under("dist").is_empty());
}

#[test]
fn out_flag_sets_the_output_root() {
    let t = Test::new().file("agents/reviewer.toml", spec("reviewer"));
    let out = t.run_args(["build", "-o", "out/here"]);
    out.status(0)
        .stderr_has(&format!("into out/here: {} written", targets::files(1)));
    assert!(out.files_under("dist").is_empty());
    let want: Vec<String> = dist_files("reviewer")
        .iter()
        .map(|f| f.replacen("dist/", "out/here/", 1))
        .collect();
    let got: Vec<&str> = out
        .files_under("out/here/")
        .into_iter()
        .filter(|f| !f.ends_with(".agentc-manifest.json"))
        .collect();
    assert_eq!(got, want);
    t.run_args(["check", "-o", "out/here"]).status(0);
}

#[test]
fn native_layout_writes_where_claude_code_reads() {
    let t = Test::new().file("agents/reviewer.toml", spec("reviewer"));
    let out = t.run_args(["build", "--layout", "native", "-t", "claude"]);
    out.status(0);
    assert!(
        out.text(".claude/agents/reviewer.md")
            .starts_with("---\nname: reviewer\n")
    );
    assert!(out.files_under("dist").is_empty());
    let out = t.run_args(["build", "--layout", "native"]);
    out.status(0);
    for f in [
        "prompts/gpt/reviewer.md",
        "prompts/gemini/reviewer.md",
        "prompts/llama/reviewer.txt",
        "prompts/deepseek/reviewer.md",
        "prompts/xml/reviewer.md",
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
        .file("specs/reviewer.toml", spec("reviewer"))
        .cwd("sub/deeper")
        .args(["build"]);
    let out = t.run();
    out.status(0).stderr_has("built 1 agent × 2 targets");
    assert_eq!(
        out.files_under("out/"),
        [
            "out/.agentc-manifest.json",
            "out/claude/reviewer.md",
            "out/llama/reviewer.Modelfile"
        ]
    );
    assert!(
        out.text("out/llama/reviewer.Modelfile").starts_with(
            "FROM llama3.3\nPARAMETER num_ctx 64000\nSYSTEM \"\"\"You are reviewer.\n"
        ),
        "{}",
        out.text("out/llama/reviewer.Modelfile")
    );
    assert!(
        out.text("out/llama/reviewer.Modelfile")
            .ends_with("- a test runs\"\"\"\n")
    );
    assert!(out.files_under("sub/").is_empty());
    assert!(out.files_under("dist").is_empty());
}

#[test]
fn command_line_flags_win_over_the_project_file() {
    let t = Test::new()
        .file("agentc.toml", "out_dir = \"out\"\ntargets = [\"llama\"]\n")
        .file("agents/reviewer.toml", spec("reviewer"));
    let out = t.run_args(["build", "-t", "gpt", "-o", "elsewhere"]);
    out.status(0);
    assert_eq!(
        out.files_under("elsewhere/"),
        [
            "elsewhere/.agentc-manifest.json",
            "elsewhere/gpt/reviewer.md"
        ]
    );
    assert!(out.files_under("out").is_empty());
}

#[test]
fn convert_prints_one_target_to_stdout() {
    let t = built();
    let out = t.run_args(["convert", "agents/reviewer.toml", "-t", "gpt"]);
    out.status(0);
    assert_eq!(
        out.stdout,
        "# Role and Objective\n\nYou are reviewer.\n\n# Instructions\n\n## Working as an Agent\n\n\
         - Keep going until the request is completely resolved before you end your turn and hand back to the user; stop only when you are sure the problem is solved.\n\
         - When you are not sure about a file's content, the code's structure or any fact the request depends on, use your tools to find out: never guess or make up an answer.\n\
         - Plan before each tool call and reflect on the outcome of the previous one; do not string tool calls together without thinking between them.\n\n\
         ## When You Are Called\n\n- a test runs\n\n\
         # Final Instructions\n\nThink step by step about what the request needs before you act, then carry it out.\n"
    );
    assert_eq!(out.stdout, t.read("dist/gpt/reviewer.md"));
}

#[test]
fn convert_writes_a_file_with_out() {
    let t = Test::new().file("agents/reviewer.toml", spec("reviewer"));
    let stdout = t
        .run_args(["convert", "agents/reviewer.toml", "-t", "claude"])
        .stdout;
    let out = t.run_args([
        "convert",
        "agents/reviewer.toml",
        "-t",
        "claude",
        "-o",
        "reviewer.md",
    ]);
    out.status(0);
    assert_eq!(out.stdout, "");
    assert_eq!(out.text("reviewer.md"), stdout);
    assert!(stdout.starts_with("---\nname: reviewer\n"));
}

#[test]
fn targets_lists_every_built_in_target() {
    let out = Test::new().run_args(["targets"]);
    out.status(0);
    let names: Vec<&str> = out.stdout.lines().filter(|l| !l.starts_with(' ')).collect();
    assert_eq!(names, targets::all());
    assert_eq!(
        out.stdout.matches("\n  checked against: ").count(),
        targets::all().len(),
        "{}",
        out.stdout
    );
    out.stdout_has("  native: .claude/agents/<name>.md\n")
        .stdout_has("  native: prompts/gpt/<name>.md\n")
        .stdout_has("  checked against: Claude Code 2.1.332 (its own agent loader");
}

#[test]

fn targets_marks_legacy_targets_in_the_listing_and_json() {
    let legacy: Vec<&str> = targets::all()
        .into_iter()
        .filter(|t| targets::registry().get(t).unwrap().legacy.is_some())
        .collect();
    assert!(legacy.contains(&"gemini-cli"), "{legacy:?}");
    let out = Test::new().run_args(["targets"]);
    out.status(0);
    assert_eq!(out.stdout.matches("\n  legacy: ").count(), legacy.len());
    out.stdout_has("gemini-cli\n  Gemini CLI subagent")
        .stdout_has("  legacy: Google's successor to Gemini CLI for consumers is Antigravity");
    let out = Test::new().run_args(["targets", "--format", "json"]);
    let list: serde_json::Value = serde_json::from_str(&out.stdout).unwrap();
    for t in list.as_array().unwrap() {
        let name = t["name"].as_str().unwrap();
        assert_eq!(t["legacy"], legacy.contains(&name), "{name}");
        assert_eq!(
            t["legacy_note"].is_string(),
            legacy.contains(&name),
            "{name}"
        );
    }
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
        "agents/reviewer.toml",
        format!("#:schema ../x.json\n{}", spec("reviewer")),
    );
    let out = t.run_args(["build"]);
    out.status(0);
    assert_eq!(
        out.stderr,
        format!(
            "built 1 agent × {} targets into dist: {} written, 0 unchanged, 0 removed\n",
            targets::count(),
            targets::files(1)
        )
    );
}

#[test]
fn new_creates_a_spec() {
    let t = Test::new();
    let out = t.run_args(["new", "reviewer"]);
    out.status(0).stderr_has("created ");
    let text = out.text("agents/reviewer.toml");
    assert!(
        text.starts_with("#:schema ../agentc.schema.json\nname = \"reviewer\"\n"),
        "{text}"
    );
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
        ["agentc.schema.json", "agentc.toml", "agents/example.toml"]
    );
    let schema: serde_json::Value =
        serde_json::from_str(std::str::from_utf8(&out.tree["agentc.schema.json"]).unwrap())
            .unwrap();
    assert_eq!(schema["title"], "agentc agent spec");
    assert!(
        std::str::from_utf8(&out.tree["agents/example.toml"])
            .unwrap()
            .starts_with("#:schema ../agentc.schema.json\n")
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
    let t = Test::new().file("agents/reviewer.toml", spec("reviewer"));
    let out = t.run_args(["build", "--format", "json"]);
    out.status(0);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v["ok"], true);
    assert_eq!(v["diagnostics"], serde_json::json!([]));
    assert_eq!(v["agents"], serde_json::json!(["reviewer"]));
    assert_eq!(
        v["written"].as_array().map(Vec::len),
        Some(targets::files(1))
    );
    assert_eq!(out.stderr, "", "JSON mode prints no human summary");
}

#[test]
fn build_json_output_carries_the_diagnostics() {
    let t = Test::new().file("agents/reviewer.toml", "name = \"reviewer\"\ntool = []\n");
    let out = t.run_args(["build", "--format", "json"]);
    out.status(1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v["ok"], false);
    let d = &v["diagnostics"][0];
    assert_eq!(d["code"], "unknown-key");
    assert_eq!(d["file"], "agents/reviewer.toml");
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
    t.remove("dist/gpt/reviewer.md");
    let out = t.run_args(["check", "--format", "json"]);
    out.status(1);
    let v: serde_json::Value = serde_json::from_str(&out.stdout).expect("JSON");
    assert_eq!(v["ok"], false);
    assert!(v["diagnostics"].is_array());
    assert_eq!(v["drift"][0]["path"], "gpt/reviewer.md");
    assert_eq!(v["drift"][0]["kind"], "missing");
}

#[test]
fn quiet_prints_nothing_on_success() {
    let t = Test::new().file("agents/reviewer.toml", spec("reviewer"));
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
        targets::files(1) + 1
    );
}

#[test]
fn colour_follows_no_color_and_the_flag() {
    let t = Test::new().file("agents/reviewer.toml", "name = \"reviewer\"\ntool = []\n");
    let never = t.run_args(["build", "--color", "never"]);
    let auto = t.run_args(["build"]);
    let no_color = Test::new()
        .file("agents/reviewer.toml", "name = \"reviewer\"\ntool = []\n")
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
        "agents/reviewer.toml",
        spec("reviewer").replace("You are reviewer.", "You are changed."),
    );
    let out = t.run_args(["build", "agents/reviewer.toml"]);
    out.status(0);
    // Roo's one file can only hold the agents built: said, not silent.
    assert_eq!(
        out.stderr,
        format!(
            "warning[partial-aggregate]: `roo/roomodes.yaml` holds only the agents named on the command line: reviewer\n \
             = help: build without paths to write every agent of the project into it\n\n\
             built 1 agent × {} targets into dist: {} written, 0 unchanged, 0 removed (1 warning)\n",
            targets::count(),
            targets::files(1)
        )
    );
    let shared = shared_files();
    for f in dist_files("planner")
        .into_iter()
        .filter(|f| !shared.contains(f))
    {
        assert_eq!(out.tree.get(&f), before.get(&f), "{f} changed");
    }
    t.run_args(["check", "agents/planner.toml"])
        .status(1)
        .stderr_has(&format!(
            "error: {0} of {1} outputs out of date in dist ({0} stale, 0 missing, 0 extra)",
            targets::aggregates(),
            targets::files(1)
        ));
    t.run_args(["build"]).status(0).stderr_has(&format!(
        "{} written, {} unchanged",
        targets::aggregates(),
        targets::files(2) - targets::aggregates()
    ));
    t.run_args(["check"]).status(0);
}

/// Roo's one file is whole when the paths name every spec of the project, or
/// specs from elsewhere (`agentc build /tmp/imported -o out`): no warning then.
#[test]
fn naming_every_spec_or_other_specs_keeps_the_roo_file_whole() {
    let t = built()
        .file("imported/tester.toml", spec("tester"))
        .file("imported/writer.toml", spec("writer"));
    let out = t.run_args(["build", "agents"]);
    out.status(0);
    assert_eq!(
        out.stderr,
        format!(
            "built 2 agents × {} targets into dist: 0 written, {} unchanged, 0 removed\n",
            targets::count(),
            targets::files(2)
        )
    );
    let out = t.run_args(["build", "imported", "-o", "out"]);
    out.status(0);
    assert_eq!(
        out.stderr,
        format!(
            "built 2 agents × {} targets into out: {} written, 0 unchanged, 0 removed\n",
            targets::count(),
            targets::files(2)
        )
    );
    let roo = out.text("out/roo/roomodes.yaml");
    assert!(
        roo.contains("slug: tester") && roo.contains("slug: writer"),
        "{roo}"
    );
}

#[test]
fn convert_of_an_invalid_spec_prints_nothing_on_stdout() {
    let t = Test::new().file("agents/reviewer.toml", "name = \"reviewer\"\ntool = []\n");
    let out = t.run_args(["convert", "agents/reviewer.toml", "-t", "gpt"]);
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
        "dist/gpt/reviewer.md",
        "dist/claude/planner.md",
        "dist/.agentc-manifest.json",
    ] {
        assert_eq!(format!("{:o}", mode(f)), format!("{want:o}"), "{f}");
    }
}

#[test]
fn check_prints_an_exact_unified_diff() {
    let t = built();
    t.write(
        "dist/gpt/reviewer.md",
        format!("{}local edit\n", t.read("dist/gpt/reviewer.md")),
    );
    let out = t.run_args(["check", "-t", "gpt", "agents/reviewer.toml"]);
    out.status(1);
    assert_eq!(
        out.stdout,
        "--- a/gpt/reviewer.md\n+++ b/gpt/reviewer.md\n@@ -17,4 +17,3 @@\n # Final Instructions\n \n Think step by step about what the request needs before you act, then carry it out.\n-local edit\n"
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
    let want = dist_tree(&["reviewer", "planner"]);
    let want: Vec<String> = want.iter().map(|f| f.replacen("dist/", "", 1)).collect();
    assert_eq!(files.keys().cloned().collect::<Vec<_>>(), want);
    assert_eq!(
        files["llama/planner.txt"],
        serde_json::json!({ "target": "llama", "agent": "planner" })
    );
}

#[test]
fn verbose_lists_each_file_written_and_removed() {
    let t = built();
    t.remove("agents/planner.toml");
    t.write("agents/tester.toml", spec("tester"));
    let out = t.run_args(["build", "-v", "-t", "gpt"]);
    out.status(0)
        .stderr_has("  wrote   dist/gpt/tester.md\n")
        .stderr_has("  removed dist/gpt/planner.md\n");
    assert!(
        !out.stderr.contains("dist/gpt/reviewer.md"),
        "{}",
        out.show()
    );
    assert!(
        out.tree.contains_key("dist/claude/planner.md"),
        "other targets keep b"
    );
}

#[test]
fn skipped_targets_are_counted_and_not_written() {
    let skip = format!("{}\n[targets.xml]\nskip = true\n", spec("reviewer"));
    let only_claude = format!("{}model_compatibility = [\"claude\"]\n", spec("planner"));
    let t = Test::new()
        .file("agents/reviewer.toml", skip)
        .file("agents/planner.toml", only_claude);
    let out = t.run_args(["build"]);
    out.status(0);
    // reviewer skips xml; planner every prompt target of another family.
    let skipped = 1 + targets::built_by_default()
        .into_iter()
        .filter(|t| targets::family(t).is_some_and(|f| f != "claude"))
        .count();
    assert_eq!(
        out.stderr,
        format!(
            "built 2 agents × {} targets into dist: {} written, 0 unchanged, 0 removed, {skipped} skipped\n",
            targets::count(),
            targets::files(2) - skipped
        )
    );
    assert!(!out.tree.contains_key("dist/xml/reviewer.md"));
    // `model_compatibility` names model families; the tool targets have none.
    // (Roo's one file is checked below: it holds reviewer too.)
    let mut want: Vec<String> = targets::built_by_default()
        .into_iter()
        .filter(|t| !targets::is_aggregate(t))
        .filter(|t| targets::family(t).is_none_or(|f| f == "claude"))
        .map(|t| dist_file(t, "planner"))
        .collect();
    want.sort();
    assert_eq!(
        out.files_under("dist/")
            .into_iter()
            .filter(|f| f.contains("/planner."))
            .collect::<Vec<_>>(),
        want
    );
    assert!(out.text(&dist_file("roo", "")).contains("slug: planner"));
}

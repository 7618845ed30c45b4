//! Through the real binary: the `examples/custom-target` project (a built-in
//! target changed by a project file, a new target that `extends` one, a
//! built-in turned off), the `targets` listing, the translation report of
//! `build`, and the one target selection every command shares.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::support::Test;
use crate::support::validate_native::validate_native;

/// A copy of an example project in a temp dir, so tests never write into the repo.
fn example(name: &str) -> Test {
    Test::new()
        .copy(&format!("examples/{name}/agents"), "agents")
        .copy(&format!("examples/{name}/targets"), "targets")
}

fn json(out: &crate::support::Output) -> Value {
    serde_json::from_str(&out.stdout).unwrap_or_else(|e| panic!("not JSON: {e}\n{}", out.show()))
}

#[test]
fn custom_target_example_builds() {
    let t = example("custom-target");
    let out = t.run_args(["build", "--layout", "native", "-o", "out"]);
    out.status(0);
    let stderr = &out.stderr;
    let opencode = out.text("out/.opencode/agents/reviewer.md");
    assert!(
        opencode.contains("model: gateway/medium"),
        "the project's model table wins\n{opencode}"
    );
    assert!(
        opencode.contains("mode: subagent"),
        "the rest of the built-in stays\n{opencode}"
    );
    let team = out.text("out/.github/agents/team-reviewer.agent.md");
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
            opencode
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        validate_native(
            "copilot",
            Path::new(".github/agents/team-reviewer.agent.md"),
            team
        ),
        Vec::<String>::new()
    );
    assert!(
        !t.path("out/.github/agents/reviewer.agent.md").exists(),
        "the project turns the built-in copilot target off"
    );
    assert!(
        t.path("out/.claude/agents/reviewer.md").is_file(),
        "the other built-in targets are built"
    );
    assert!(
        stderr.contains(" × team-copilot: 1 item in 1 agent (reviewer); e.g. "),
        "{stderr}"
    );
}

/// A target's native path as `targets` shows it: `<name>` for the agent's name,
/// the target's default options, and a note for a file of all agents.
fn shown_native_path(t: &Value, options: &Value) -> String {
    let path = minijinja::Environment::new()
        .render_str(
            t["native_path"].as_str().expect("a native path"),
            minijinja::context! { name => "<name>", options => minijinja::Value::from(minijinja::value::Serde(options)) },
        )
        .expect("the path renders");
    if t["aggregate"] == true {
        format!("{path} (one file for all agents)")
    } else {
        path
    }
}

#[test]
fn targets_lists_every_target_with_its_native_path_and_version() {
    let t = example("custom-target");
    let out = t.run_args(["targets"]);
    out.status(0);
    let text = &out.stdout;
    let list = json(&t.run_args(["targets", "--format", "json"]));
    let list = list.as_array().expect("a list");
    let registry =
        agentc::target::Registry::load(Some(&t.path("targets"))).expect("the targets load");
    assert_eq!(
        list.iter()
            .map(|t| t["name"].as_str().expect("a name"))
            .collect::<Vec<_>>(),
        registry.names().collect::<Vec<_>>(),
        "every target, the project's own included"
    );
    for target in list {
        let name = target["name"].as_str().expect("a name");
        let options = serde_json::to_value(&registry.get(name).expect("known").options)
            .expect("options as JSON");
        let path = shown_native_path(target, &options);
        let block = text
            .split('\n')
            .skip_while(|l| *l != name && !l.starts_with(&format!("{name} ")))
            .take(4)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            block.contains(&format!("\n  native: {path}\n")),
            "{name}: {block}\n---\n{text}"
        );
        assert!(!block.contains("{{"), "{name}: {block}");
        assert!(block.contains("checked against: "), "{name}: {block}");
    }
    out.stdout_has("  native: .roomodes (one file for all agents)\n")
        .stdout_has("  native: .github/agents/team-<name>.agent.md\n");
    for version in [
        "Gemini CLI 0.61",
        "Qwen Code 0.24",
        "OpenCode 1.18",
        "Codex 0.169",
    ] {
        assert!(text.contains(version), "{version}");
    }
    let roo = list.iter().find(|t| t["name"] == "roo").expect("roo");
    assert_eq!(roo["aggregate"], true);
}

#[test]
fn build_json_lists_the_translation_report() {
    let t = example("custom-target");
    let out = t.run_args([
        "build", "--layout", "native", "-o", "out", "-t", "roo", "--format", "json",
    ]);
    out.status(0);
    let v = json(&out);
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
    let strict = t.run_args([
        "build", "--layout", "native", "-o", "out2", "-t", "roo", "--strict",
    ]);
    assert_eq!(strict.code, 1, "--strict makes them errors");
    assert!(!t.path("out2").exists(), "nothing is written");
}

fn names<'a>(values: impl IntoIterator<Item = &'a Value>) -> BTreeSet<String> {
    values
        .into_iter()
        .map(|v| v.as_str().expect("a target name").to_string())
        .collect()
}

/// `build`, `bundle`, `stats` and `lint` pick their targets by one rule: `-t`,
/// else agentc.toml's `targets`, else every target whose `default` is true. The
/// example turns the built-in `copilot` off and adds `team-copilot`; each command
/// must work on exactly the targets `targets` marks as built by default.
#[test]
fn every_command_selects_the_same_targets() {
    let t = example("custom-target");
    let listed = json(&t.run_args(["targets", "--format", "json"]));
    let listed = listed.as_array().expect("a list");
    let by_default: BTreeSet<String> = names(
        listed
            .iter()
            .filter(|t| t["default"] == true)
            .map(|t| &t["name"]),
    );
    assert!(by_default.contains("team-copilot"), "{by_default:?}");
    assert!(!by_default.contains("copilot"), "{by_default:?}");
    assert!(by_default.contains("claude"), "{by_default:?}");
    // A budget of one character for every target, so that `lint`'s `over-budget`
    // rule names each target it renders; agentc.toml names no `targets`, so the
    // selection stays the default one.
    let budgets: String = listed
        .iter()
        .map(|t| {
            format!(
                "[budget.{}]\nmax_chars = 1\n",
                t["name"].as_str().expect("a name")
            )
        })
        .collect();
    t.write("agentc.toml", budgets);

    // build: the folders it writes under dist/, one per target.
    t.run_args(["build"]).status(0);
    let built: BTreeSet<String> = std::fs::read_dir(t.path("dist"))
        .expect("dist/")
        .map(|e| e.expect("entry"))
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(built, by_default, "build");

    // bundle: the targets the bundle says it holds, and those its agent has.
    t.run_args(["bundle", "-o", "b.json"]).status(0);
    let bundle: Value = serde_json::from_str(&t.read("b.json")).expect("the bundle is JSON");
    let bundled = names(bundle["targets"].as_array().expect("targets"));
    assert_eq!(bundled, by_default, "bundle");
    let entries: BTreeSet<String> = bundle["agents"]["reviewer"]["targets"]
        .as_object()
        .expect("the agent's targets")
        .keys()
        .cloned()
        .collect();
    assert_eq!(entries, by_default, "bundle entries");

    // stats: the targets of its rows.
    let stats = t.run_args(["stats", "--format", "json"]);
    stats.status(0);
    let rows = json(&stats);
    let measured = names(
        rows["rows"]
            .as_array()
            .expect("rows")
            .iter()
            .map(|r| &r["target"]),
    );
    assert_eq!(measured, by_default, "stats");

    // lint: the targets its `over-budget` findings name.
    let lint = t.run_args(["lint", "--format", "json"]);
    lint.status(0);
    let findings = json(&lint);
    let linted = names(
        findings["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| d["code"] == "over-budget")
            .map(|d| &d["target"]),
    );
    assert_eq!(linted, by_default, "lint");

    // `-t` wins over the default for each of them alike.
    let one = BTreeSet::from(["copilot".to_string()]);
    t.run_args(["bundle", "-t", "copilot", "-o", "c.json"])
        .status(0);
    let bundle: Value = serde_json::from_str(&t.read("c.json")).expect("JSON");
    assert_eq!(names(bundle["targets"].as_array().expect("targets")), one);
    let rows = json(&t.run_args(["stats", "-t", "copilot", "--format", "json"]));
    assert_eq!(
        names(
            rows["rows"]
                .as_array()
                .expect("rows")
                .iter()
                .map(|r| &r["target"])
        ),
        one
    );
    let findings = json(&t.run_args(["lint", "-t", "copilot", "--format", "json"]));
    let linted = names(
        findings["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .filter(|d| d["code"] == "over-budget")
            .map(|d| &d["target"]),
    );
    assert_eq!(linted, one);
}

/// An error in a built-in template of a project that replaces built-in
/// templates (an `_markdown.j2` ejected from an older agentc, whose `body`
/// takes two arguments where the built-ins now pass three) names the
/// project's replacements that differ from the built-ins, and only those;
/// an error in the project's own template points at that file instead.
#[test]
fn an_error_in_a_built_in_template_names_the_projects_replacements() {
    let spec = "name = \"t\"\ndescription = \"Use it for t.\"\nrole = \"You are t.\"\n\
                tools = [\"Bash\"]\n[[tool_usage]]\ntool = \"Bash\"\npurpose = \"Run tests.\"\n";
    let old_body = "{% macro items(list) %}{% endmacro %}\n\
                    {% macro body(agent, with_role=true) %}{{ agent.role }}{% endmacro %}\n";
    let same = agentc::render::builtin_template("_prompt.j2").unwrap();
    let t = Test::new()
        .file("agents/t.toml", spec)
        .file("templates/_markdown.j2", old_body)
        .file("templates/_prompt.j2", same);
    let before = t.tree();
    for args in [["build", "-t", "opencode"], ["check", "-t", "opencode"]] {
        let out = t.run_args(args);
        out.status(1);
        out.stderr_has("native.md.j2: too many arguments");
        out.stderr_has("replaces built-in templates with its own (`templates/_markdown.j2`)");
        assert!(!out.stderr.contains("_prompt.j2"), "{}", out.stderr);
        assert_eq!(t.tree(), before, "{args:?}");
    }
    let out = t.run_args(["build", "-t", "opencode", "--format", "json"]);
    out.status(1);
    assert!(
        out.stdout.contains("templates/_markdown.j2"),
        "{}",
        out.stdout
    );

    // The project's own template at fault: that file and line, no such help.
    let t = Test::new().file("agents/t.toml", spec).file(
        "templates/native.md.j2",
        "{{ agent.role }}\n{{ nothing.here }}\n",
    );
    let out = t.run_args(["build", "-t", "opencode"]);
    out.status(1);
    out.stderr_has("native.md.j2");
    out.stderr_has("2 | {{ nothing.here }}");
    assert!(
        !out.stderr.contains("replaces built-in templates"),
        "{}",
        out.stderr
    );
}

//! A migration's warnings stay readable: translation warnings one line per loss
//! and target (`-v`: every item), repeated warnings counted, losses a project
//! accepts (`[accept]`) counted and not printed, permission widenings never
//! accepted, and agentc's own bookkeeping (`original_name`) never reported.

use crate::support::Test;

/// `n` agents that each carry an extra key and a model the plain targets drop.
fn project(n: usize) -> Test {
    let mut t = Test::new();
    for i in 0..n {
        t = t.file(
            &format!("agents/a{i}.toml"),
            format!(
                "name = \"a{i}\"\ndescription = \"Use it when a{i} is needed.\"\nrole = \"You are a{i}.\"\nmodel = \"opus\"\ntools = [\"Read\", \"Edit\"]\n[extra]\nemoji = \"x\"\n"
            ),
        );
    }
    t
}

fn lines_with(text: &str, needle: &str) -> usize {
    text.lines().filter(|l| l.contains(needle)).count()
}

#[test]
fn translation_warnings_are_one_line_per_loss_and_target() {
    let t = project(6);
    let out = t.run_args(["build", "-t", "codex", "-t", "cursor"]);
    out.status(0);
    let err = &out.stderr;
    // One line for codex's dropped extra key, naming a few of the six agents.
    assert_eq!(
        lines_with(
            err,
            "dropped-field × codex: 6 items in 6 agents (a0, a1, a2, …)"
        ),
        1,
        "{err}"
    );
    assert_eq!(lines_with(err, "emoji"), 2, "{err}");
    // Cursor cannot restrict tools: every tool, shown first.
    let widening = err.find("all-tools × cursor: 6 items").expect(err);
    let dropped = err.find("dropped-field × codex").expect(err);
    assert!(widening < dropped, "{err}");
    // -v: every item, agent by agent.
    let out = t.run_args(["build", "-v", "-t", "codex", "-t", "cursor"]);
    assert_eq!(
        lines_with(&out.stderr, "cannot carry extra keys; dropped [\"emoji\"]"),
        12,
        "{}",
        out.stderr
    );
}

#[test]
fn accepted_losses_are_counted_not_printed_and_pass_strict() {
    let t = project(4).file(
        "agentc.toml",
        "[accept]\ndropped-field = [\"codex\"]\ntools-as-mode = [\"*\"]\n",
    );
    let out = t.run_args(["build", "-t", "codex", "--strict"]);
    out.status(0);
    assert!(!out.stderr.contains("dropped-field"), "{}", out.stderr);
    assert!(!out.stderr.contains("emoji"), "{}", out.stderr);
    out.stderr_has("8 accepted in agentc.toml");
    // Accepted for codex only: another target still reports it.
    let out = t.run_args(["build", "-t", "codex", "-t", "cursor"]);
    out.status(0);
    assert!(
        !out.stderr.contains("dropped-field × codex"),
        "{}",
        out.stderr
    );
    out.stderr_has("all-tools × cursor: 4 items");
    out.stderr_has("8 accepted in agentc.toml");
    // The build record's fast path reports the same.
    let again = t.run_args(["build", "-t", "codex", "-t", "cursor"]);
    again.stderr_has("0 written");
    again.stderr_has("all-tools × cursor: 4 items");
    again.stderr_has("8 accepted in agentc.toml");
}

/// What a template leaves out (deepseek's examples for an R1-style model) is
/// its own loss, `dropped-content`: accepting `escaped-text` (text written
/// another way) does not hide it, accepting `dropped-content` does.
#[test]
fn content_a_template_leaves_out_is_its_own_loss() {
    let spec = "name = \"r1\"\ndescription = \"Use it for r1.\"\nrole = \"You are r1.\"\n\
                [[examples]]\ncontext = \"C\"\ninput = \"EX-IN\"\napproach = \"A\"\noutput = \"EX-OUT\"\n\
                [targets.deepseek]\nsystem_prompt = false\n";
    let line = "dropped-content × deepseek: 1 item in 1 agent (r1); e.g. examples left out";
    let t = Test::new().file("agents/r1.toml", spec);
    let out = t.run_args(["build", "-t", "deepseek"]);
    out.status(0);
    out.stderr_has(line);
    assert!(!out.stderr.contains("escaped-text"), "{}", out.stderr);
    let out = t.run_args(["build", "-t", "deepseek", "--format", "json"]);
    assert!(
        out.stdout.contains("\"loss\":\"dropped-content\""),
        "{}",
        out.stdout
    );

    let t = t.file("agentc.toml", "[accept]\nescaped-text = [\"deepseek\"]\n");
    let out = t.run_args(["build", "-t", "deepseek", "--strict"]);
    out.status(1);
    out.stderr_has("examples left out");

    let t = t.file(
        "agentc.toml",
        "[accept]\ndropped-content = [\"deepseek\"]\n",
    );
    let out = t.run_args(["build", "-t", "deepseek", "--strict"]);
    out.status(0);
    out.stderr_has("1 accepted in agentc.toml");
    assert!(!out.stderr.contains("examples left out"), "{}", out.stderr);
}

#[test]
fn a_widening_cannot_be_accepted_and_unknown_names_are_errors() {
    for (config, message) in [
        (
            "[accept]\nall-tools = [\"cursor\"]\n",
            "`all-tools` cannot be accepted",
        ),
        (
            "[accept]\ndropped-field = [\"codx\"]\n",
            "names an unknown target `codx`",
        ),
        (
            "[accept]\ndropped-feld = [\"codex\"]\n",
            "unknown variant `dropped-feld`",
        ),
    ] {
        let t = project(1).file("agentc.toml", config);
        let before = t.tree();
        let out = t.run_args(["build"]);
        out.status(1);
        out.stderr_has(message);
        out.stderr_has("agentc.toml:2:");
        assert_eq!(t.tree(), before, "{config}");
    }
}

#[test]
fn original_name_from_import_is_never_reported() {
    let t = Test::new().file(
        "old/My Agent.md",
        "---\nname: My Agent\ndescription: Use it when needed\n---\n\nYou are it.\n",
    );
    t.run_args(["import", "old", "-o", "agents"]).status(0);
    assert!(
        t.read("agents/my-agent.toml")
            .contains("original_name = \"My Agent\"")
    );
    let out = t.run_args(["build"]);
    out.status(0);
    assert!(!out.stderr.contains("original_name"), "{}", out.stderr);
}

#[test]
fn repeated_warnings_are_counted_after_two() {
    let mut t = Test::new();
    for i in 0..5 {
        t = t.file(
            &format!("agents/a{i}.toml"),
            format!("name = \"a{i}\"\ndescription = \"Use it when needed.\"\nrole = \"You help.\"\ntools = [\"Telepathy\"]\n"),
        );
    }
    let shown = |args: &[&str], want: usize| {
        let out = t.run_args(args);
        let n = lines_with(
            &out.stderr,
            "warning[unknown-tool]: unknown tool `Telepathy`",
        );
        assert_eq!(n, want, "{}", out.stderr);
        out
    };
    let out = shown(&["build", "-t", "gpt"], 2);
    out.status(0);
    out.stderr_has("warning[unknown-tool]: 3 more like `unknown tool `Telepathy`` (agents/a2.toml:4:10, agents/a3.toml:4:10, agents/a4.toml:4:10); -v prints each");
    shown(&["build", "-v", "-t", "gpt"], 5);
}

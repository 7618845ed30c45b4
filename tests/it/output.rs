//! Output people can read: a summary line after every command, colour only when
//! asked for or on a terminal, quiet in CI.

use crate::support::{Test, spec, targets};

#[test]
fn ci_is_quiet_but_keeps_the_summary() {
    let t = Test::new()
        .file(
            "old/a.md",
            "---\nname: a\ndescription: Use it when needed\n---\n\nYou are a.\n",
        )
        .file(
            "old/b.md",
            "---\nname: b\ndescription: Use it when needed\n---\n\nYou are b.\n",
        );
    let out = t
        .env("CI", "true")
        .run_args(["import", "old", "-o", "specs"]);
    out.status(0);
    assert_eq!(
        out.stderr,
        "2 files: 2 imported, 0 unchanged, 0 failed, 0 warnings\n"
    );
    let t = Test::new().file(
        "old/a.md",
        "---\nname: a\ndescription: Use it when needed\n---\n\nYou are a.\n",
    );
    let out = t
        .env("CI", "false")
        .run_args(["import", "old", "-o", "specs"]);
    out.stderr_has("imported  old/a.md");
}

#[test]
fn every_command_ends_with_a_one_line_summary() {
    let t = Test::new();
    let (all, on) = (targets::all().len(), targets::built_by_default().len());
    let targets_summary = if all == on {
        format!("{all} targets, all built by default")
    } else {
        format!(
            "{all} targets: {on} built by default, {} when asked for",
            all - on
        )
    };
    let templates = format!(
        "{} built-in templates; ",
        agentc::render::builtin_templates().len()
    );
    let (n, files) = (targets::count(), targets::files(2));
    let build = format!("built 2 agents × {n} targets into dist: {files} written");
    let check = format!("{files} files up to date in dist");
    let stats = format!("measured 2 agents × {n} targets: {files} files, ");
    let bundle = format!(
        "bundled 2 agents × {n} targets ({} prompts) into agentc-bundle.json",
        2 * n
    );
    let cases: &[(&[&str], &str)] = &[
        (
            &["init"],
            "created agentc.toml, agentc.schema.json, agents/example.toml; next: ",
        ),
        (
            &["new", "reviewer"],
            "created agents/reviewer.toml; edit it, then run `agentc build`",
        ),
        (&["build"], &build),
        (&["check"], &check),
        (&["lint"], "linted 2 specs: "),
        (&["stats"], &stats),
        (&["bundle"], &bundle),
        (
            &["check", "--bundle", "agentc-bundle.json"],
            "bundle agentc-bundle.json matches the sources",
        ),
        (&["targets"], &targets_summary),
        (&["schema"], "printed the JSON Schema of the agent spec"),
        (&["templates", "list"], &templates),
        (
            &["lint", "--list"],
            " rules; set their levels in agentc.toml's `[lint]`",
        ),
        (
            &["import", "dist/claude", "-o", "imported"],
            "2 files: 2 imported, 0 unchanged, 0 failed, 0 warnings",
        ),
    ];
    for (args, want) in cases {
        let out = t.run_args(args.iter().copied());
        out.status(0);
        let last = out.stderr.lines().last().unwrap_or_default();
        assert!(
            last.contains(want),
            "agentc {args:?}: last line {last:?}, want {want:?}\n{}",
            out.show()
        );
        let quiet = t.run_args(args.iter().copied().chain(["-q"]));
        if !["init", "new", "bundle", "import"].contains(&args[0]) {
            assert_eq!(quiet.stderr, "", "agentc {args:?} -q");
        }
    }
}

#[test]
fn colour_only_when_asked_for_or_on_a_terminal() {
    let t = Test::new().file("agents/a.toml", spec("a"));
    let piped = t.run_args(["stats"]);
    assert!(!piped.stdout.contains('\x1b') && !piped.stderr.contains('\x1b'));
    let forced = t.run_args(["stats", "--color", "always"]);
    assert!(
        forced.stdout.starts_with("\x1b[1magent"),
        "{}",
        forced.stdout
    );
    let t = t.file("agents/b.toml", "name = \"b\"\ntool = []\n");
    let out = t.run_args(["build", "--color", "always"]);
    out.status(1)
        .stderr_has("\x1b[1;31merror\x1b[0m: 1 error found; nothing was written");
    let out = t.run_args(["build", "--color", "never"]);
    assert!(!out.stderr.contains('\x1b'), "{}", out.stderr);
    let out = t.env("NO_COLOR", "1").run_args(["build"]);
    assert!(!out.stderr.contains('\x1b'), "{}", out.stderr);
}

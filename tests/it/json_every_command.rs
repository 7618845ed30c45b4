//! `--format json` prints exactly one JSON value on stdout for every command,
//! failures included (issue 18). The commands are clap's own list (every
//! subcommand, nested ones too), not a list kept here: a new subcommand fails
//! `every_subcommand_has_arguments_to_succeed` until it is given arguments.

use serde_json::Value;

use crate::support::{Output, Test, spec};

/// Every runnable command line of clap's definition: `["build"]`,
/// `["templates", "list"]`, …
fn commands() -> Vec<Vec<String>> {
    fn walk(cmd: &clap::Command, prefix: &[String], out: &mut Vec<Vec<String>>) {
        for sub in cmd.get_subcommands() {
            let mut path = prefix.to_vec();
            path.push(sub.get_name().to_string());
            if sub.has_subcommands() {
                walk(sub, &path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&agentc::command(), &[], &mut out);
    assert!(out.len() >= 10, "clap lists the commands: {out:?}");
    out
}

/// The arguments with which a command succeeds in [`project`], and the folder
/// (relative to the project) it runs in.
fn success_args(command: &[String]) -> Option<(&'static str, Vec<&'static str>)> {
    let args = match command.join(" ").as_str() {
        "build" | "lint" | "stats" | "targets" | "schema" | "man" | "templates list" => vec![],
        "check" => vec![],
        "bundle" => vec!["-o", "b.json"],
        "convert" => vec!["agents/a.toml", "-t", "gpt"],
        "import" => vec!["old", "-o", "imported"],
        "new" => vec!["fresh"],
        "templates eject" => vec!["gpt"],
        "completions" => vec!["bash"],
        "init" => return Some(("empty", vec![])),
        _ => return None,
    };
    Some((".", args))
}

/// A project whose outputs are built (so `check` passes), with a legacy file to
/// import and an empty folder for `init`.
fn project() -> Test {
    let t = Test::new()
        .file("agentc.toml", "sources = [\"agents\"]\n")
        .file("agents/a.toml", spec("a"))
        .file(
            "old/b.md",
            "---\nname: b\ndescription: Use it when b is needed.\n---\n\nYou are b.\n",
        )
        .file("empty/.keep", "");
    t.run_args(["build"]).status(0);
    t
}

/// The one JSON value on stdout; fails on none, on two, or on anything else.
fn one_value(out: &Output) -> Value {
    let mut values = serde_json::Deserializer::from_str(&out.stdout).into_iter::<Value>();
    let first = values
        .next()
        .unwrap_or_else(|| panic!("no JSON value on stdout\n{}", out.show()))
        .unwrap_or_else(|e| panic!("stdout is not JSON: {e}\n{}", out.show()));
    match values.next() {
        None => first,
        Some(next) => panic!(
            "more than one JSON value on stdout ({next:?})\n{}",
            out.show()
        ),
    }
}

fn run(t: &Test, cwd: &str, command: &[String], args: &[&str]) -> Output {
    let all: Vec<&str> = command
        .iter()
        .map(String::as_str)
        .chain(args.iter().copied())
        .chain(["--format", "json"])
        .collect();
    t.run_in(cwd, all)
}

#[test]
fn every_subcommand_has_arguments_to_succeed() {
    for command in commands() {
        assert!(
            success_args(&command).is_some(),
            "`agentc {}` is new: give it arguments in success_args",
            command.join(" ")
        );
    }
}

#[test]
fn every_command_prints_one_json_value_when_it_succeeds() {
    let t = project();
    for command in commands() {
        let Some((cwd, args)) = success_args(&command) else {
            continue;
        };
        let out = run(&t, cwd, &command, &args);
        assert_eq!(out.code, 0, "{}", out.show());
        let value = one_value(&out);
        // `schema` prints a JSON Schema and `targets` an array (docs/json.md).
        if !matches!(command[0].as_str(), "schema" | "targets") {
            assert_eq!(value["ok"], true, "{}", out.show());
        }
        // Help is a success too, and one value.
        let out = run(&t, cwd, &command, &["--help"]);
        assert_eq!(out.code, 0, "{}", out.show());
        assert!(
            one_value(&out)["help"].as_str().unwrap().contains("Usage"),
            "{}",
            out.show()
        );
    }
}

#[test]
fn every_command_prints_one_json_value_when_it_fails() {
    let t = project();
    for command in commands() {
        let (cwd, args) = success_args(&command).unwrap_or((".", vec![]));
        // An option no command has: a usage error, exit 2.
        let mut bad = args.clone();
        bad.push("--no-such-option");
        let out = run(&t, cwd, &command, &bad);
        assert_eq!(out.code, 2, "{}", out.show());
        let value = one_value(&out);
        assert_eq!(value["ok"], false, "{}", out.show());
        assert_eq!(value["diagnostics"][0]["code"], "usage", "{}", out.show());
        assert!(
            value["diagnostics"][0]["message"]
                .as_str()
                .unwrap()
                .contains("--no-such-option"),
            "{}",
            out.show()
        );
    }
    // A broken project: every command that reads it fails (exit 1) with one
    // value; those that do not read it still print one.
    let broken = Test::new()
        .file("agentc.toml", "sources = 3\n")
        .file("agents/a.toml", spec("a"))
        .file("old/b.md", "---\nname: b\n---\n\nYou are b.\n")
        .file("empty/.keep", "");
    for command in commands() {
        let (cwd, args) = success_args(&command).unwrap_or((".", vec![]));
        let cwd = if cwd == "empty" { "." } else { cwd };
        let out = run(&broken, cwd, &command, &args);
        let value = one_value(&out);
        assert!(matches!(out.code, 0..=2), "{}", out.show());
        if out.code != 0 {
            assert_eq!(value["ok"], false, "{}", out.show());
            assert!(
                !value["diagnostics"].as_array().unwrap().is_empty(),
                "a failure says why\n{}",
                out.show()
            );
        }
    }
}

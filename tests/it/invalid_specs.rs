//! Invalid specs through the real binary: each kind is reported with its code,
//! message, exact `file:line:col` and help, and nothing is written — not even the
//! outputs of the valid specs beside the bad one.

use crate::support::{Output, Test, spec, targets};

/// One diagnostic the run must print.
struct Expect<'a> {
    code: &'a str,
    message: &'a str,
    /// `file:line:col`, computed by hand from the spec text.
    location: &'a str,
    help: Option<&'a str>,
}

/// Builds `bad` (path, text) beside a valid spec, twice: in a fresh project (no
/// output folder may appear) and after a good build with the valid spec since
/// changed (the output folder must stay byte for byte as it was). Returns the
/// first run.
fn build_fails(bad: &[(&str, &str)], errors: Option<usize>) -> Output {
    let mut t = Test::new().file("agents/ok.toml", spec("ok"));
    for (path, text) in bad {
        t = t.file(path, text);
    }
    let fresh = t.run_args(["build"]);
    fresh.status(1);
    match errors {
        Some(n) => fresh.stderr_has(&format!(
            "error: {n} error{} found; nothing was written\n",
            if n == 1 { "" } else { "s" }
        )),
        None => fresh.stderr_has(" found; nothing was written\n"),
    };
    assert!(
        fresh.files_under("dist").is_empty(),
        "wrote {:?}",
        fresh.tree.keys()
    );

    for (path, _) in bad {
        t.remove(path);
    }
    t.run_args(["build"]).status(0);
    t.write(
        "agents/ok.toml",
        spec("ok").replace("You are ok.", "You are changed."),
    );
    for (path, text) in bad {
        t.write(path, text);
    }
    let before = t.tree();
    let again = t.run_args(["build"]);
    again.status(1);
    assert_eq!(
        again.tree,
        before,
        "a failed build changed files\n{}",
        again.show()
    );
    again.stderr_has(" found; nothing was written\n");
    fresh
}

/// Asserts that `out` reports `e`: the header, then the location on the next line,
/// then the help line (if any) before the next diagnostic.
fn reports(out: &Output, e: &Expect) {
    let header = format!("error[{}]: {}\n", e.code, e.message);
    let at = out
        .stderr
        .find(&header)
        .unwrap_or_else(|| panic!("no {header:?}\n{}", out.show()));
    let rest = &out.stderr[at + header.len()..];
    let location = rest.lines().next().unwrap_or("").trim_start();
    assert_eq!(location, format!("--> {}", e.location), "{}", out.show());
    let block = rest.split("\nerror").next().unwrap_or(rest);
    match e.help {
        Some(help) => assert!(
            block.contains(&format!("= help: {help}\n")),
            "no help {help:?} in\n{block}"
        ),
        None => assert!(!block.contains("help:"), "unexpected help in\n{block}"),
    }
}

fn one(path: &str, text: &str, e: Expect) {
    let out = build_fails(&[(path, text)], Some(1));
    reports(&out, &e);
}

#[test]
fn invalid_toml_syntax() {
    one(
        "agents/bad.toml",
        "name = \"bad\"\nrole = \"unclosed\n",
        Expect {
            code: "invalid-toml",
            message: "invalid basic string, expected `\"`",
            location: "agents/bad.toml:2:17",
            help: None,
        },
    );
}

#[test]
fn unknown_key_suggests_the_known_one() {
    one(
        "agents/bad.toml",
        "name = \"bad\"\ntool = [\"Read\"]\n",
        Expect {
            code: "unknown-key",
            message: "unknown key `tool`",
            location: "agents/bad.toml:2:1",
            help: Some("did you mean `tools`?"),
        },
    );
}

#[test]
fn unknown_key_without_a_close_match_lists_the_keys() {
    let out = build_fails(
        &[("agents/bad.toml", "name = \"bad\"\nzzzzzz = 1\n")],
        Some(1),
    );
    out.stderr_has("error[unknown-key]: unknown key `zzzzzz`\n")
        .stderr_has("--> agents/bad.toml:2:1\n")
        .stderr_has("= help: expected one of `name`, `description`, ");
}

#[test]
fn unknown_keys_in_nested_tables_are_all_reported() {
    let text = "name = \"bad\"\n[boundaries]\nwil = [\"x\"]\n\n[[sections]]\ntitle = \"t\"\n  bdy = \"b\"\n";
    let out = build_fails(&[("agents/bad.toml", text)], Some(2));
    reports(
        &out,
        &Expect {
            code: "unknown-key",
            message: "unknown key `wil`",
            location: "agents/bad.toml:3:1",
            help: Some("did you mean `will`?"),
        },
    );
    reports(
        &out,
        &Expect {
            code: "unknown-key",
            message: "unknown key `bdy`",
            location: "agents/bad.toml:7:3",
            help: Some("did you mean `body`?"),
        },
    );
}

#[test]
fn wrong_type_list_given_a_string() {
    one(
        "agents/bad.toml",
        "name = \"bad\"\ntags = \"x\"\n",
        Expect {
            code: "invalid-spec",
            message: "invalid type: string \"x\", expected a sequence",
            location: "agents/bad.toml:2:8",
            help: Some("this key takes a list: key = [\"…\", \"…\"]"),
        },
    );
}

#[test]
fn wrong_type_version_as_a_float() {
    one(
        "agents/bad.toml",
        "name = \"bad\"\nversion = 2.0\n",
        Expect {
            code: "invalid-spec",
            message: "invalid type: floating point `2.0`, expected a string",
            location: "agents/bad.toml:2:11",
            help: Some(
                "this key takes a string: quote it, key = \"…\" (version numbers too: \"2.0\")",
            ),
        },
    );
}

#[test]
fn wrong_type_column_counts_characters_not_bytes() {
    one(
        "agents/bad.toml",
        "name = \"bad\"\ntags = [\"é🚀\", 1]\n",
        Expect {
            code: "invalid-spec",
            message: "invalid type: integer `1`, expected a string",
            location: "agents/bad.toml:2:15",
            help: Some(
                "this key takes a string: quote it, key = \"…\" (version numbers too: \"2.0\")",
            ),
        },
    );
}

#[test]
fn missing_name() {
    one(
        "agents/bad.toml",
        "role = \"x\"\n",
        Expect {
            code: "invalid-spec",
            message: "missing required key `name`",
            location: "agents/bad.toml:1:1",
            help: Some("add name = \"…\""),
        },
    );
}

#[test]
fn invalid_names() {
    let help = "names are lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit (at most 128)";
    for (name, shown) in [
        ("../x", "../x"),
        ("a b", "a b"),
        ("Upper", "Upper"),
        ("", ""),
        ("a/b", "a/b"),
    ] {
        let text = format!("# an agent\nname = {name:?}\n");
        one(
            "agents/bad.toml",
            &text,
            Expect {
                code: "invalid-name",
                message: &format!("invalid agent name `{shown}`"),
                location: "agents/bad.toml:2:8",
                help: Some(help),
            },
        );
    }
}

#[test]
fn duplicate_names_are_reported_in_both_files() {
    let out = build_fails(
        &[
            ("agents/one.toml", "name = \"same\"\n"),
            (
                "agents/sub/two.toml",
                "# c\ndescription = \"x\"\nname = \"same\"\n",
            ),
        ],
        None,
    );
    let help = Some("names must be unique: agents/one.toml, agents/sub/two.toml");
    let message = "agent name `same` is used by 2 files";
    reports(
        &out,
        &Expect {
            code: "duplicate-name",
            message,
            location: "agents/one.toml:1:8",
            help,
        },
    );
    let second = &out.stderr[out.stderr.find("agents/one.toml:1:8").unwrap_or(0)..];
    assert!(
        second.contains("--> agents/sub/two.toml:3:8\n"),
        "{}",
        out.show()
    );
    assert_eq!(out.stderr.matches(message).count(), 2);
}

#[test]
fn duplicate_of_a_valid_name() {
    let out = build_fails(&[("agents/copy.toml", &spec("ok"))], None);
    out.stderr_has("--> agents/copy.toml:1:8\n")
        .stderr_has("--> agents/ok.toml:1:8\n")
        .stderr_has("= help: names must be unique: agents/copy.toml, agents/ok.toml\n");
}

#[test]

fn duplicate_names_are_the_only_errors() {
    let out = build_fails(
        &[
            ("agents/one.toml", "name = \"same\"\n"),
            (
                "agents/two.toml",
                "name = \"same\"\ndescription = \"Use this agent when the other one is busy.\"\n",
            ),
        ],
        Some(2),
    );
    assert!(!out.stderr.contains("path-collision"), "{}", out.show());
}

#[test]
fn unknown_target_table_suggests_the_known_one() {
    one(
        "agents/bad.toml",
        "name = \"bad\"\n\n[targets.claud]\nmodel = \"opus\"\n",
        Expect {
            code: "unknown-target",
            message: "`[targets.claud]` names an unknown target",
            location: "agents/bad.toml:3:1",
            help: Some("did you mean `claude`?"),
        },
    );
}

#[test]
fn invalid_responsibility_id() {
    let out = build_fails(
        &[(
            "agents/bad.toml",
            "name = \"bad\"\n[[responsibilities]]\nid = \"1 2\"\ntitle = \"t\"\n",
        )],
        Some(1),
    );
    out.stderr_has("error[invalid-id]: invalid responsibility id `1 2`\n")
        .stderr_has("--> agents/bad.toml:")
        .stderr_has("= help: ids are letters, digits, `_` and `-`\n");
}

#[test]

fn invalid_responsibility_id_points_at_the_id() {
    one(
        "agents/bad.toml",
        "name = \"bad\"\n[[responsibilities]]\nid = \"1 2\"\ntitle = \"t\"\n",
        Expect {
            code: "invalid-id",
            message: "invalid responsibility id `1 2`",
            location: "agents/bad.toml:3:6",
            help: Some("ids are letters, digits, `_` and `-`"),
        },
    );
}

#[test]
fn errors_of_several_files_are_reported_in_one_run() {
    let out = build_fails(
        &[
            ("agents/a.toml", "name = \"a\"\ntool = []\n"),
            ("agents/b.toml", "name = \"B\"\n"),
            ("agents/c.toml", "name = \"c\"\nrole = \"\n"),
        ],
        Some(3),
    );
    out.stderr_has("--> agents/a.toml:2:1\n")
        .stderr_has("--> agents/b.toml:1:8\n")
        .stderr_has("--> agents/c.toml:2:9\n");
    let order: Vec<usize> = [
        "error[unknown-key]",
        "error[invalid-name]",
        "error[invalid-toml]",
    ]
    .iter()
    .map(|h| {
        out.stderr
            .find(h)
            .unwrap_or_else(|| panic!("no {h}\n{}", out.show()))
    })
    .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "files are reported in path order\n{}",
        out.show()
    );
}

#[test]
fn an_unknown_tool_is_only_a_warning() {
    let t = Test::new().file(
        "agents/reviewer.toml",
        format!("{}tools = [\"Read\", \"Raed\"]\n", spec("reviewer")),
    );
    let out = t.run_args(["build"]);
    out.status(0)
        .stderr_has("warning[unknown-tool]: unknown tool `Raed`\n")
        .stderr_has("--> agents/reviewer.toml:5:18\n")
        .stderr_has("= help: did you mean `Read`?\n")
        // Each tool target names it too when it drops it.
        .stderr_has(
            "  dropped-tool × qwen: 1 item in 1 agent (reviewer); e.g. tool `Raed` has no equivalent; dropped\n",
        )
        .stderr_has(&format!(
            "{} written, 0 unchanged, 0 removed (",
            targets::files(1)
        ));
    assert!(
        out.text("dist/claude/reviewer.md")
            .contains("\ntools: Read, Raed\n")
    );
    let out = t.run_args(["build", "--strict"]);
    out.status(1)
        .stderr_has("error[unknown-tool]: unknown tool `Raed`\n");
}

#[test]
fn blank_description() {
    one(
        "agents/bad.toml",
        "name = \"bad\"\ndescription = \"  \"\nrole = \"You help.\"\n",
        Expect {
            code: "empty-description",
            message: "`description` is empty",
            location: "agents/bad.toml:2:15",
            help: Some(
                "say when a coordinator should delegate to this agent, or remove the key to have one derived from the role",
            ),
        },
    );
}

//! Hostile and broken input, table-driven, through the real binary.
//!
//! Each case starts from a project that built once (so `dist/` holds a previous
//! good build and its manifest), adds its files, snapshots the whole project
//! tree, runs its command and asserts: exit code 1 or 2 (never a panic's 101 or a
//! signal), the expected message, the file (and `file:line` where there is one)
//! in that message, and the tree byte for byte as it was. A few inputs look
//! hostile but are valid (a BOM, CRLF, deep YAML); those must just work.

use crate::support::{Test, spec};

/// One broken input: files written over a built project, the command, and what
/// it must say.
struct Case {
    name: &'static str,
    files: Vec<(&'static str, Vec<u8>)>,
    args: &'static [&'static str],
    code: i32,
    /// A fragment of the message.
    message: &'static str,
    /// `file:line:col` (or as much as exists) the message must name; empty for
    /// usage errors, which concern no file.
    at: &'static str,
    /// Anything else to set up after the good build (symlinks, odd files).
    prep: fn(&Test),
}

fn no_prep(_: &Test) {}

fn case(
    name: &'static str,
    files: &[(&'static str, &[u8])],
    args: &'static [&'static str],
    code: i32,
    message: &'static str,
    at: &'static str,
) -> Case {
    Case {
        name,
        files: files.iter().map(|(p, b)| (*p, b.to_vec())).collect(),
        args,
        code,
        message,
        at,
        prep: no_prep,
    }
}

const BUILD: &[&str] = &["build"];
const CUSTOM: &str = "extends = \"claude\"\n";

fn huge_line() -> String {
    format!("  \"{}\",\n", "x".repeat(1000))
}

/// agentc reads input files of at most this many bytes.
const MAX_INPUT: usize = agentc::support::fs::MAX_INPUT as usize;

/// How many `huge_line`s fit in a spec just under the input limit.
fn huge_lines() -> usize {
    (MAX_INPUT - 1024) / huge_line().len()
}

/// A spec just under the input limit whose last line is broken.
fn huge_broken_spec() -> Vec<u8> {
    let mut text = String::from("name = \"huge\"\ntriggers = [\n");
    let line = huge_line();
    assert_eq!(line.len(), 1006);
    for _ in 0..huge_lines() {
        text.push_str(&line);
    }
    text.push_str("]\nrole = \"unclosed\n");
    assert!(text.len() <= MAX_INPUT && text.len() > MAX_INPUT - 2048);
    text.into_bytes()
}

fn huge_broken_line() -> &'static str {
    // Header (2 lines) + items + `]` line, then the broken `role` line.
    Box::leak(format!("agents/huge.toml:{}:", huge_lines() + 4).into_boxed_str())
}

/// A valid spec one byte over the input limit.
fn too_large_spec() -> Vec<u8> {
    let mut text = spec("huge");
    text.push('#');
    text.push_str(&"x".repeat(MAX_INPUT - text.len()));
    assert_eq!(text.len(), MAX_INPUT);
    text.push('\n');
    text.into_bytes()
}

fn deep(open: &str, close: &str, n: usize) -> Vec<u8> {
    format!(
        "name = \"deep\"\n[extra]\nx = {}1{}\n",
        open.repeat(n),
        close.repeat(n)
    )
    .into_bytes()
}

fn cases() -> Vec<Case> {
    let long = format!("name = \"{}\"\n", "a".repeat(300));
    let mut v = vec![
        // --- specs
        case("spec: invalid toml", &[("agents/bad.toml", b"name = \"bad\"\nrole = \"unclosed\n")], BUILD, 1, "invalid basic string", "agents/bad.toml:2:17"),
        case("spec: name is an integer", &[("agents/bad.toml", b"name = 1\n")], BUILD, 1, "expected a string", "agents/bad.toml:1:8"),
        case("spec: tags is a string", &[("agents/bad.toml", b"name = \"bad\"\ntags = \"x\"\n")], BUILD, 1, "expected a sequence", "agents/bad.toml:2:8"),
        case("spec: tools holds integers", &[("agents/bad.toml", b"name = \"bad\"\ntools = [1, 2]\n")], BUILD, 1, "expected a string", "agents/bad.toml:2:10"),
        case("spec: unknown key", &[("agents/bad.toml", b"name = \"bad\"\ntool = [\"Read\"]\n")], BUILD, 1, "unknown key `tool`", "agents/bad.toml:2:1"),
        case("spec: unknown nested key", &[("agents/bad.toml", b"name = \"bad\"\n[boundaries]\nwil = []\n")], BUILD, 1, "unknown key `wil`", "agents/bad.toml:3:1"),
        case("spec: duplicate key", &[("agents/bad.toml", b"name = \"bad\"\nname = \"again\"\n")], BUILD, 1, "duplicate key", "agents/bad.toml:2:1"),
        case("spec: name ../x", &[("agents/bad.toml", b"name = \"../x\"\n")], BUILD, 1, "invalid agent name `../x`", "agents/bad.toml:1:8"),
        case("spec: name a/b", &[("agents/bad.toml", b"name = \"a/b\"\n")], BUILD, 1, "invalid agent name `a/b`", "agents/bad.toml:1:8"),
        case("spec: empty name", &[("agents/bad.toml", b"name = \"\"\n")], BUILD, 1, "invalid agent name ``", "agents/bad.toml:1:8"),
        case("spec: very long name", &[("agents/bad.toml", long.clone().into_bytes().leak())], BUILD, 1, "invalid agent name `aaaa", "agents/bad.toml:1:8"),
        case("spec: duplicate names", &[("agents/dup.toml", b"name = \"ok\"\n")], BUILD, 1, "agent name `ok` is used by 2 files", "agents/dup.toml:1:8"),
        case("spec: empty file", &[("agents/bad.toml", b"")], BUILD, 1, "missing required key `name`", "agents/bad.toml:1:1"),
        case("spec: binary data", &[("agents/bad.toml", b"\x7fELF\x02\x01\x01\x00\x00\x00\xff\xfe\x00\x10")], BUILD, 1, "not UTF-8 text (invalid byte at offset 10)", "agents/bad.toml:1:11"),
        case("spec: invalid UTF-8 in a string", &[("agents/bad.toml", b"name = \"bad\"\nrole = \"caf\xe9\"\n")], BUILD, 1, "not UTF-8 text", "agents/bad.toml:2:12"),
        case("spec: NUL in a string", &[("agents/bad.toml", b"name = \"bad\"\nrole = \"a\x00b\"\n")], BUILD, 1, "invalid", "agents/bad.toml:2:10"),
        case("spec: unknown target table", &[("agents/bad.toml", b"name = \"bad\"\n[targets.claud]\nmodel = \"x\"\n")], BUILD, 1, "`[targets.claud]` names an unknown target", "agents/bad.toml:2:1"),
        case("spec: option of the wrong type", &[("agents/bad.toml", b"name = \"bad\"\n[targets.llama]\nwrap = 3\n")], BUILD, 1, "option `wrap` of target `llama` must be a string", "agents/bad.toml"),
        case("spec: invalid responsibility id", &[("agents/bad.toml", b"name = \"bad\"\n[[responsibilities]]\ntitle = \"t\"\nid = \"a b\"\nactions = []\n")], BUILD, 1, "invalid responsibility id `a b`", "agents/bad.toml:4:6"),
        // --- agentc.toml
        case("config: invalid toml", &[("agentc.toml", b"out_dir = [\n")], BUILD, 1, "unclosed array", "agentc.toml:1:12"),
        case("config: wrong type", &[("agentc.toml", b"sources = 3\n")], BUILD, 1, "expected a sequence", "agentc.toml:1:11"),
        case("config: unknown key", &[("agentc.toml", b"outdir = \"x\"\n")], BUILD, 1, "unknown field `outdir`", "agentc.toml:1:1"),
        case("config: unknown layout", &[("agentc.toml", b"layout = \"sideways\"\n")], BUILD, 1, "unknown variant `sideways`", "agentc.toml:1:10"),
        case("config: unknown target option", &[("agentc.toml", b"[target.llama]\nwarp = \"modelfile\"\n")], BUILD, 1, "target `llama` has no option `warp`", "agentc.toml:2:8"),
        case("config: option of the wrong type", &[("agentc.toml", b"[target.llama]\nwrap = 3\n")], BUILD, 1, "option `wrap` of target `llama` must be a string", "agentc.toml:2:8"),
        case("config: options for an unknown target", &[("agentc.toml", b"[target.lama]\nwrap = \"modelfile\"\n")], BUILD, 1, "`[target.lama]` names an unknown target", "agentc.toml:1:1"),
        case("config: unknown target in the list", &[("agentc.toml", b"targets = [\"claude\", \"claud\"]\n")], BUILD, 1, "unknown target `claud`", "agentc.toml:1:22"),
        case("config: binary", &[("agentc.toml", b"\x00\x01\xff\xfe binary")], BUILD, 1, "not UTF-8 text (invalid byte at offset 2)", "agentc.toml"),
        case("config: unknown lint rule", &[("agentc.toml", b"[lint]\nno-such-rule = \"deny\"\n")], BUILD, 1, "no-such-rule", "agentc.toml"),
        // --- project targets
        case("target: invalid toml", &[("targets/foo.toml", b"extends = \n")], BUILD, 1, "string values must be quoted", "targets/foo.toml:1:11"),
        case("target: unknown key", &[("targets/foo.toml", b"extends = \"claude\"\nbogus = 1\n")], BUILD, 1, "unknown field `bogus`", "targets/foo.toml:2:1"),
        case("target: wrong type", &[("targets/foo.toml", b"extends = \"claude\"\ndefault = \"yes\"\n")], BUILD, 1, "expected a boolean", "targets/foo.toml:2:11"),
        case("target: extends an unknown target", &[("targets/foo.toml", b"extends = \"claud\"\n")], BUILD, 1, "`extends` names unknown target `claud`", "targets/foo.toml"),
        case("target: invalid file name", &[("targets/Bad Name.toml", CUSTOM.as_bytes())], BUILD, 1, "target name `Bad Name` is not a valid identifier", "targets/Bad Name.toml"),
        case("target: invalid UTF-8", &[("targets/foo.toml", b"extends = \"claude\"\ndescription = \"\xff\"\n")], BUILD, 1, "not UTF-8 text (invalid byte at offset 34)", "targets/foo.toml"),
        case("target: path escapes with ..", &[("targets/foo.toml", b"extends = \"claude\"\npath = \"../../x.md\"\n")], BUILD, 1, "would write `../../x.md` for `ok`, outside the output root", "targets/foo.toml:2:8"),
        case("target: absolute path", &[("targets/foo.toml", b"extends = \"claude\"\npath = \"/tmp/agentc-escape.md\"\n")], BUILD, 1, "outside the output root", "targets/foo.toml:2:8"),
        case("target: absolute native path", &[("targets/foo.toml", b"extends = \"claude\"\nnative_path = \"/tmp/agentc-escape.md\"\n")], &["build", "-t", "foo", "--layout", "native"], 1, "outside the output root", "targets/foo.toml:2:15"),
        case("target: path pattern that errors", &[("targets/foo.toml", b"extends = \"claude\"\npath = \"{{ nope.x }}.md\"\n")], BUILD, 1, "`nope` is undefined", "targets/foo.toml:2:8"),
        case("target: field expression that errors", &[("targets/foo.toml", b"extends = \"claude\"\n\n[[fields]]\nkey = \"x\"\nvalue = \"1 / 0\"\n")], BUILD, 1, "unable to calculate 1 / 0", "targets/foo.toml:5:9"),
        case("target: field expression syntax error", &[("targets/foo.toml", b"extends = \"claude\"\n[[fields]]\nkey = \"x\"\nvalue = \"((\"\n")], BUILD, 1, "syntax error", "targets/foo.toml:4:9"),
        case("target: check that errors", &[("targets/foo.toml", b"extends = \"claude\"\n[[checks]]\ntest = \"nope.x\"\nmessage = \"m\"\n")], BUILD, 1, "`nope` is undefined", "targets/foo.toml:2:1"),
        case("target: template missing", &[("targets/foo.toml", b"extends = \"claude\"\ntemplate = \"nope.j2\"\n")], BUILD, 1, "template \"nope.j2\" does not exist", "targets/foo.toml:2:12"),
        case("target: invalid colour pattern", &[("targets/foo.toml", b"extends = \"claude\"\ncolor_pattern = \"(\"\n")], BUILD, 1, "`color_pattern` is not a regular expression", "targets/foo.toml"),
        case("target: aggregate without a document", &[("targets/foo.toml", b"extends = \"claude\"\n[aggregate]\nkey = \"all\"\n")], BUILD, 1, "an `aggregate` target needs", "targets/foo.toml"),
        // --- templates
        // `agent.md.j2`: the built-in template of claude (and the other Markdown agent formats).
        case("template: syntax error", &[("templates/agent.md.j2", b"line1\n{% if %}\n")], BUILD, 1, "syntax error", "templates/agent.md.j2:2:1"),
        case("template: undefined variable", &[("templates/agent.md.j2", b"line1\nline2\n{{ nope.x }}\n")], BUILD, 1, "`nope` is undefined", "templates/agent.md.j2:3:1"),
        case("template: invalid UTF-8", &[("templates/agent.md.j2", b"line1\n\xff\n")], BUILD, 1, "not UTF-8 text", "templates/agent.md.j2"),
        case("template: includes itself", &[("templates/agent.md.j2", b"{% include \"agent.md.j2\" %}\n")], BUILD, 1, "could not render include", "templates/agent.md.j2:1:1"),
        case("template: undefined macro import", &[("templates/gpt.md.j2", b"{% from \"_nope.j2\" import body %}{{ body(agent) }}\n")], BUILD, 1, "_nope.j2", "templates/gpt.md.j2:1:1"),
        // --- outputs
        case("output: corrupt manifest", &[("dist/.agentc-manifest.json", b"{{{ not json")], BUILD, 1, "cannot read agentc's manifest", "dist/.agentc-manifest.json"),
        case("output: binary manifest", &[("dist/.agentc-manifest.json", b"\x00\xff\xfe")], BUILD, 1, "manifest", "dist/.agentc-manifest.json"),
        case("output: a foreign file where an output goes", &[("agents/new.toml", spec("new").into_bytes().leak()), ("dist/gpt/new.md", b"mine\n")], BUILD, 1, "exists and was not written by agentc", "dist/gpt/new.md"),
        case("output: the output root is a file", &[("out", b"a file\n")], &["build", "-o", "out"], 1, "cannot create the output root", "`out`"),
        // --- legacy files: import and convert
        case("import: empty file", &[("legacy/a.md", b"")], &["import", "legacy/a.md"], 1, "the file is empty", "legacy/a.md:1:1"),
        case("import: binary file", &[("legacy/a.md", b"abc\0def")], &["import", "legacy/a.md"], 1, "a binary file", "legacy/a.md:1:4"),
        case("import: invalid UTF-8", &[("legacy/a.md", b"---\nname: a\n---\nhi \xff\n")], &["import", "legacy/a.md"], 1, "not UTF-8 text", "legacy/a.md:4:4"),
        case("import: two files, one name", &[("legacy/a.md", b"---\nname: z\n---\nbody\n"), ("legacy/b.md", b"---\nname: z\n---\nbody2\n")], &["import", "legacy"], 1, "agent name `z` comes from 2 files", "legacy/b.md"),
        case("import: would overwrite a spec", &[("legacy/a.md", b"---\nname: ok\n---\nother body\n")], &["import", "legacy/a.md"], 1, "`agents/ok.toml` already exists", "legacy/a.md"),
        case("import: a missing file", &[], &["import", "legacy/none.md"], 1, "no such file or folder", "legacy/none.md"),
        case("convert: binary file", &[("legacy/a.md", b"abc\0def")], &["convert", "legacy/a.md", "-t", "gpt"], 1, "a binary file", "legacy/a.md:1:4"),
        case("convert: empty file", &[("legacy/a.md", b"  \n\n")], &["convert", "legacy/a.md", "-t", "gpt"], 1, "the file is empty", "legacy/a.md:1:1"),
        case("convert: invalid UTF-8", &[("legacy/a.md", b"abc\xffdef")], &["convert", "legacy/a.md", "-t", "gpt"], 1, "not UTF-8 text", "legacy/a.md:1:4"),
        case("convert: a folder", &[("legacy/a.md", b"x")], &["convert", "legacy", "-t", "gpt"], 1, "cannot read `legacy`: a folder", "legacy"),
        case("convert: a broken spec", &[("legacy/a.toml", b"name = 1\n")], &["convert", "legacy/a.toml", "-t", "gpt"], 1, "expected a string", "legacy/a.toml:1:8"),
        case("convert: -o is a folder", &[("legacy/a.md", b"---\nname: a\ndescription: d\n---\nbody\n")], &["convert", "legacy/a.md", "-t", "gpt", "-o", "agents"], 1, "cannot write `agents`: it is a folder", "agents"),
        // --- usage errors
        case("usage: unknown layout", &[], &["build", "--layout", "sideways"], 2, "invalid value 'sideways'", ""),
        case("usage: convert without a target", &[("legacy/a.md", b"x")], &["convert", "legacy/a.md"], 2, "--target", ""),
        case("usage: unknown subcommand", &[], &["bulid"], 2, "unrecognized subcommand", ""),
    ];
    v.push(Case {
        name: "spec: just under the input limit, with a broken last line",
        files: vec![("agents/huge.toml", huge_broken_spec())],
        args: BUILD,
        code: 1,
        message: "invalid basic string",
        at: huge_broken_line(),
        prep: no_prep,
    });
    v.push(Case {
        name: "spec: over the input limit",
        files: vec![("agents/huge.toml", too_large_spec())],
        args: BUILD,
        code: 1,
        message: Box::leak(
            format!(
                "`agents/huge.toml` is larger than {} MiB",
                MAX_INPUT / (1024 * 1024)
            )
            .into_boxed_str(),
        ),
        at: "agents/huge.toml",
        prep: no_prep,
    });
    v.push(Case {
        name: "spec: deeply nested arrays",
        files: vec![("agents/deep.toml", deep("[", "]", 100_000))],
        args: BUILD,
        code: 1,
        message: "max recursion depth",
        at: "agents/deep.toml:3:",
        prep: no_prep,
    });
    v.push(Case {
        name: "spec: deeply nested inline tables",
        files: vec![("agents/deep.toml", deep("{a=", "}", 50_000))],
        args: BUILD,
        code: 1,
        message: "max recursion depth",
        at: "agents/deep.toml:3:",
        prep: no_prep,
    });
    v.push(Case {
        name: "output: a symlink in the output dir pointing outside",
        files: vec![(
            "agents/ok.toml",
            spec("ok")
                .replace("You are ok.", "You changed.")
                .into_bytes(),
        )],
        args: BUILD,
        code: 1,
        message: "refusing to write through symlink",
        at: "dist/gpt",
        prep: |t| {
            let outside = t.path("outside");
            std::fs::create_dir_all(&outside).unwrap();
            std::fs::rename(t.path("dist/gpt"), t.path("outside/gpt")).unwrap();
            symlink(&t.path("outside/gpt"), &t.path("dist/gpt"));
        },
    });
    v
}

#[cfg(unix)]
fn symlink(target: &std::path::Path, link: &std::path::Path) {
    std::os::unix::fs::symlink(target, link).unwrap();
}

#[cfg(not(unix))]
fn symlink(target: &std::path::Path, link: &std::path::Path) {
    std::os::windows::fs::symlink_dir(target, link).unwrap();
}

/// A project with two good specs, built once.
fn built() -> Test {
    let t = Test::new()
        .file("agents/ok.toml", spec("ok"))
        .file("agents/two.toml", spec("two"));
    t.run_args(["build"]).status(0);
    assert!(t.path("dist/.agentc-manifest.json").is_file());
    t
}

fn run_case(c: &Case) -> Result<(), String> {
    let t = built();
    for (path, bytes) in &c.files {
        t.write(path, bytes);
    }
    (c.prep)(&t);
    let before = t.tree();
    let out = t.run_args(c.args);
    let show = || format!("[{}] {:?}\n{}", c.name, c.args, out.show());
    if out.code != 1 && out.code != 2 {
        return Err(format!("exit {} (not 1 or 2)\n{}", out.code, show()));
    }
    if out.code != c.code {
        return Err(format!(
            "exit {}, expected {}\n{}",
            out.code,
            c.code,
            show()
        ));
    }
    let said = format!("{}{}", out.stderr, out.stdout);
    if !said.contains(c.message) {
        return Err(format!("no message {:?}\n{}", c.message, show()));
    }
    if !said.contains(c.at) {
        return Err(format!("no location {:?}\n{}", c.at, show()));
    }
    if said.contains("panicked") || said.contains("RUST_BACKTRACE") {
        return Err(format!("a panic\n{}", show()));
    }
    if out.tree != before {
        let changed: Vec<&String> = out
            .tree
            .keys()
            .chain(before.keys())
            .filter(|k| out.tree.get(*k) != before.get(*k))
            .collect();
        return Err(format!("the tree changed: {changed:?}\n{}", show()));
    }
    Ok(())
}

#[test]
fn every_bad_input_fails_cleanly_and_writes_nothing() {
    let cases = cases();
    assert!(cases.len() >= 40, "{} cases", cases.len());
    let mut names = std::collections::BTreeSet::new();
    for c in &cases {
        assert!(names.insert(c.name), "two cases named {}", c.name);
    }
    // Cases are independent projects: run them on a few threads.
    let failures: Vec<String> = std::thread::scope(|s| {
        let chunks: Vec<&[Case]> = cases.chunks(cases.len().div_ceil(8)).collect();
        let handles: Vec<_> = chunks
            .into_iter()
            .map(|chunk| {
                s.spawn(move || {
                    chunk
                        .iter()
                        .filter_map(|c| run_case(c).err())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert!(
        failures.is_empty(),
        "{} of {} cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// Inputs that look hostile but are valid: they must build like their plain form.
#[test]
fn bom_and_crlf_are_valid() {
    let plain = spec("c");
    let variants: [(&str, Vec<u8>); 3] = [
        ("bom", format!("\u{feff}{plain}").into_bytes()),
        ("crlf", plain.replace('\n', "\r\n").into_bytes()),
        (
            "bom+crlf",
            format!("\u{feff}{}", plain.replace('\n', "\r\n")).into_bytes(),
        ),
    ];
    let want = Test::new().file("agents/c.toml", &plain);
    let want = want.run_args(["build"]);
    want.status(0);
    for (what, bytes) in variants {
        let t = Test::new().file("agents/c.toml", &bytes).file(
            "agentc.toml",
            b"\xef\xbb\xbfout_dir = \"dist\"\r\nstrict = false\r\n",
        );
        let out = t.run_args(["build"]);
        out.status(0);
        for f in want.files_under("dist/") {
            if f.ends_with(".agentc-manifest.json") {
                continue;
            }
            assert_eq!(out.text(f), want.text(f), "{what}: {f}");
        }
        t.run_args(["check"]).status(0);
    }
}

#[test]
fn legacy_bom_crlf_and_deep_yaml_import() {
    let t = Test::new()
        .file(
            "legacy/a.md",
            b"\xef\xbb\xbf---\r\nname: a\r\ndescription: d\r\n---\r\nbody\r\n",
        )
        .file(
            "legacy/deep.md",
            format!(
                "---\nname: deep\ndescription: d\nx: {}{}\n---\nbody\n",
                "[".repeat(200_000),
                "]".repeat(200_000)
            ),
        )
        .file(
            "legacy/dots.md",
            b"---\nname: ../x\ndescription: d\n---\nbody\n",
        );
    // Deep nesting is refused before libyaml sees it (its time grows with the
    // square of the depth): the message says so.
    let out = t.run_args(["import", "legacy"]);
    out.status(0);
    out.stderr_has("warning[bom]")
        .stderr_has("warning[line-ends]")
        .stderr_has("recursion limit exceeded")
        .stderr_has("named the agent `x`");
    assert!(out.text("agents/a.toml").contains("name = \"a\""));
    assert!(out.tree.contains_key("agents/x.toml"));
    assert!(!out.tree.keys().any(|k| k.contains("..")));
    let conv = t.run_args(["convert", "legacy/a.md", "-t", "claude"]);
    conv.status(0);
    assert!(!conv.stdout.contains('\r') && !conv.stdout.contains('\u{feff}'));
    t.run_args(["build"]).status(0);
}

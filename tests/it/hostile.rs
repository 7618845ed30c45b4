//! Hostile projects (issue 18): a project folder built to read files it must
//! not, hang, panic, or leave a half-written tree. Every case checks the exit
//! code (1 or 2, never 101), the message, and that the project's files are
//! byte for byte as they were where nothing should change.

use crate::support::{Output, Test, spec};

/// A project with one valid agent.
fn project() -> Test {
    Test::new().file("agents/a.toml", spec("a"))
}

/// Runs `args`, expects `code` and `message` on stderr, and the tree unchanged.
fn refused(t: &Test, args: &[&str], code: i32, message: &str) -> Output {
    let before = t.tree();
    let out = t.run_args(args);
    out.status(code).stderr_has(message);
    assert_eq!(out.tree, before, "agentc {args:?} changed the project");
    out
}

/// Makes a hostile file in a project.
#[cfg(unix)]
type Make<'a> = dyn Fn(&Test) + 'a;
/// Makes a hostile file at a path of a project.
#[cfg(unix)]
type MakeAt = dyn Fn(&Test, &str);

#[cfg(unix)]
fn symlink(to: impl AsRef<std::path::Path>, at: &std::path::Path) {
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    std::os::unix::fs::symlink(to, at).unwrap();
}

#[cfg(unix)]
fn mkfifo(at: &std::path::Path) {
    std::fs::create_dir_all(at.parent().unwrap()).unwrap();
    let made = std::process::Command::new("mkfifo").arg(at).status();
    assert!(made.is_ok_and(|s| s.success()), "mkfifo {}", at.display());
}

// Class 1: templates load templates only.

/// Every way a template names another file, by a path out of `templates/`.
#[test]
fn templates_cannot_load_files_by_path() {
    let secret = tempfile::tempdir().unwrap();
    let secret_file = secret.path().join("secret.j2");
    std::fs::write(&secret_file, "TOP-SECRET\n").unwrap();
    let abs = secret_file.display().to_string();
    for tag in [
        "{% include \"/proc/self/environ\" %}".to_string(),
        format!("{{% include \"{abs}\" %}}"),
        "{% include \"../agentc.toml\" %}".to_string(),
        "{% include \"sub/../../agents/a.toml\" %}".to_string(),
        format!("{{% import \"{abs}\" as x %}}"),
        "{% extends \"../../etc/passwd\" %}".to_string(),
        "{% from \"/etc/hostname\" import y %}".to_string(),
        "{% include [\"nope.j2\", \"/etc/passwd\"] %}".to_string(),
    ] {
        let t = project()
            .file("templates/gpt.md.j2", format!("{tag}\n"))
            .file("agentc.toml", "# TOP-SECRET\n");
        let out = refused(
            &t,
            &["build", "-t", "gpt"],
            1,
            "templates load other templates by name, not by path",
        );
        out.stderr_has("templates/gpt.md.j2");
        assert!(!out.stderr.contains("TOP-SECRET"), "{tag}: {}", out.stderr);
        assert!(!out.stderr.contains("root:"), "{tag}: {}", out.stderr);
        // `check` says the same, and prints nothing of the file either.
        let out = t.run_args(["check", "-t", "gpt"]);
        out.status(1);
        assert!(!out.stderr.contains("TOP-SECRET") && !out.stdout.contains("TOP-SECRET"));
    }
}

/// A name that is no template of the project nor a built-in is not found,
/// even when a file of that name lies in the project root.
#[test]
fn a_non_template_file_is_not_a_template() {
    for name in ["agentc.toml", "agents/a.toml", "a.toml"] {
        let t = project()
            .file(
                "templates/gpt.md.j2",
                format!("{{% include \"{name}\" %}}\n"),
            )
            .file("agentc.toml", "# TOP-SECRET\n");
        let out = refused(&t, &["build", "-t", "gpt"], 1, "template not found");
        assert!(!out.stderr.contains("TOP-SECRET"), "{}", out.stderr);
    }
}

/// Symlinks in `templates/`: out of the folder (to a file, to `/dev/zero`), a
/// FIFO in its place, and a symlink inside the folder, which works.
#[cfg(unix)]
#[test]
fn template_symlinks_and_special_files() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("x.j2"), "TOP-SECRET\n").unwrap();
    let cases: [(&str, &Make<'_>, &str); 4] = [
        (
            "to a file outside",
            &|t| symlink(outside.path().join("x.j2"), &t.path("templates/gpt.md.j2")),
            "leads outside",
        ),
        (
            "to /dev/zero",
            &|t| symlink("/dev/zero", &t.path("templates/gpt.md.j2")),
            "leads outside",
        ),
        (
            "a FIFO",
            &|t| mkfifo(&t.path("templates/gpt.md.j2")),
            "not a regular file",
        ),
        (
            "an included part to a file outside",
            &|t| {
                t.write("templates/gpt.md.j2", "{% include \"part.j2\" %}\n");
                symlink(outside.path().join("x.j2"), &t.path("templates/part.j2"));
            },
            "leads outside",
        ),
    ];
    for (what, make, message) in cases {
        let t = project();
        make(&t);
        let out = refused(&t, &["build", "-t", "gpt"], 1, message);
        assert!(!out.stderr.contains("TOP-SECRET"), "{what}: {}", out.stderr);
    }
    // Inside the folder a symlink is a template like any other.
    let t = project().file("templates/real.j2", "via a link\n");
    symlink("real.j2", &t.path("templates/gpt.md.j2"));
    t.run_args(["build", "-t", "gpt"]).status(0);
    assert_eq!(t.read("dist/gpt/a.md"), "via a link\n");
}

/// Work without end is an error: nested loops (fuel) and recursion (the
/// recursion limit, on a stack that holds it).
#[test]
fn template_work_is_bounded() {
    for (template, message) in [
        (
            "{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
            "ran out of fuel",
        ),
        (
            "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
            "recursion limit exceeded",
        ),
        (
            "{% for a in [1] recursive %}{{ loop([1]) }}{% endfor %}",
            "recursion limit exceeded",
        ),
        ("{{ \"x\" * 1000000000 }}", "too large"),
        // Big strings printed in a loop, well within the fuel: the output is bounded.
        (
            "{% for i in range(2000) %}{{ \"x\" * 100000 }}{% endfor %}",
            "the output of one agent passed 64 MiB; rendering stopped",
        ),
        (
            "{% for i in range(700) %}{{ agent.role * 1000 }}{{ \"y\" * 99999 }}{% endfor %}",
            "passed 64 MiB",
        ),
    ] {
        let t = project().file("templates/gpt.md.j2", template);
        refused(&t, &["build", "-t", "gpt"], 1, message);
    }
}

/// A template a target's template includes is an input of the build record:
/// after it changes, a cached `check` renders again and fails.
#[test]
fn an_included_template_is_part_of_the_build_record() {
    for (top, part) in [
        ("{% include \"part.j2\" %}\n", "part.j2"),
        ("{% import \"sub/m.j2\" as m %}{{ m.x() }}\n", "sub/m.j2"),
    ] {
        let body = |v: &str| match part {
            "part.j2" => format!("{v}\n"),
            _ => format!("{{% macro x() %}}{v}{{% endmacro %}}\n"),
        };
        let t = project()
            .file("templates/gpt.md.j2", top)
            .file(&format!("templates/{part}"), body("one"));
        t.run_args(["build", "-t", "gpt"]).status(0);
        t.run_args(["check", "-t", "gpt"]).status(0);
        t.write(&format!("templates/{part}"), body("two"));
        t.run_args(["check", "-t", "gpt"])
            .status(1)
            .stdout_has("+two");
        t.run_args(["build", "-t", "gpt"]).status(0);
        assert!(t.read("dist/gpt/a.md").contains("two"));
    }
}

// Class 2: panics and hangs.

/// `stats` on a project whose Roo row lists every agent (many long names):
/// a table, not a panic.
#[test]
fn stats_with_a_very_wide_row() {
    let t = Test::new();
    for i in 0..600 {
        let name = format!("agent-{i:04}-{}", "x".repeat(110));
        t.write(&format!("agents/{name}.toml"), spec(&name));
    }
    let out = t.run_args(["stats", "-t", "roo", "-t", "gpt"]);
    out.status(0);
    let roo = out
        .stdout
        .lines()
        .find(|l| l.contains(" roo "))
        .expect("a roo row");
    assert!(roo.contains("+599 more"), "{roo}");
    assert!(out.stdout.lines().all(|l| l.chars().count() < 400));
    // The JSON keeps every name.
    let json = t.run_args(["--format", "json", "stats", "-t", "roo"]);
    json.status(0).stdout_has("agent-0599-");
}

/// Spec paths that are not regular files, given to every command that reads
/// one: a clear error, no hang, nothing written.
#[cfg(unix)]
#[test]
fn non_regular_spec_files() {
    let makers: [(&str, &MakeAt); 3] = [
        ("FIFO", &|t, rel| mkfifo(&t.path(rel))),
        ("/dev/zero", &|t, rel| symlink("/dev/zero", &t.path(rel))),
        ("/dev/null", &|t, rel| symlink("/dev/null", &t.path(rel))),
    ];
    for (what, make) in makers {
        for file in ["x.toml", "x.md", "x.json"] {
            let t = project();
            make(&t, &format!("in/{file}"));
            let rel = format!("in/{file}");
            for args in [
                vec!["convert", rel.as_str(), "-t", "gpt"],
                vec!["check", "--bundle", rel.as_str()],
                vec!["build", rel.as_str()],
                vec!["lint", rel.as_str()],
            ] {
                let out = t.run_args(&args);
                assert!(
                    out.code == 1 && out.stderr.contains("not a regular file"),
                    "{what} {args:?}: exit {}\n{}",
                    out.code,
                    out.stderr
                );
            }
            if file != "x.toml" {
                let out = t.run_args(["import", rel.as_str(), "-o", "imported"]);
                out.status(1).stderr_has("not a regular file");
                assert!(!t.path("imported").exists(), "{what}");
            }
        }
        // In a source folder: left out with an error, by every command that walks it.
        let t = project();
        make(&t, "agents/z.toml");
        for cmd in ["build", "check", "lint", "stats", "bundle"] {
            let out = t.run_args([cmd]);
            assert_eq!(out.code, 1, "{what} {cmd}\n{}", out.stderr);
            assert!(
                out.stderr.contains("agents/z.toml"),
                "{what} {cmd}: {}",
                out.stderr
            );
        }
    }
}

/// Files larger than agentc reads: an error before the read, for a spec, a
/// legacy file and `agentc.toml`.
#[test]
fn oversized_inputs() {
    let big = vec![b'#'; 17 * 1024 * 1024];
    for rel in ["agents/big.toml", "legacy/big.md", "agentc.toml"] {
        let t = project().file(rel, &big);
        let args: Vec<&str> = match rel {
            "legacy/big.md" => vec!["import", "legacy", "-o", "imported"],
            _ => vec!["build"],
        };
        let out = t.run_args(&args);
        out.status(1).stderr_has("larger than 16 MiB");
        assert!(!t.path("dist").exists() && !t.path("imported").exists());
    }
}

/// `import` of a folder does not follow a symlink out of it, to a file, a
/// folder or a device; a FIFO in it is left out.
#[cfg(unix)]
#[test]
fn import_stays_in_its_folder() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("s.md"),
        "---\nname: s\ndescription: TOP-SECRET\n---\nTOP-SECRET\n",
    )
    .unwrap();
    let t = Test::new().file(
        "legacy/ok.md",
        "---\nname: ok\ndescription: Use it.\n---\nbody\n",
    );
    symlink(outside.path().join("s.md"), &t.path("legacy/file.md"));
    symlink(outside.path(), &t.path("legacy/folder"));
    symlink("/dev/zero", &t.path("legacy/zero.md"));
    mkfifo(&t.path("legacy/fifo.md"));
    let out = t.run_args(["import", "legacy", "-o", "imported"]);
    out.status(1);
    for name in ["file.md", "folder", "zero.md"] {
        out.stderr_has(&format!("legacy/{name}: a symlink that leads outside"));
    }
    out.stderr_has("legacy/fifo.md: not a regular file");
    assert_eq!(out.files_under("imported/"), ["imported/ok.toml"]);
    assert!(!out.stderr.contains("TOP-SECRET"));
}

// Class 4: all or nothing.

/// A commit that fails part-way (injected after N steps: a file or folder put
/// in place, a stale file removed) is undone: the tree is as it was, the
/// manifest too, and the next build finishes the job.
#[cfg(debug_assertions)]
#[test]
fn a_commit_that_fails_part_way_is_undone() {
    // The commit has 8 steps: 6 files put in place, 2 removed.
    for after in [0, 1, 2, 3, 5, 7] {
        // Version 1 of a, b, c, d in two targets; then a and b change, c goes,
        // e is new: replaced files, a removed one, a new one.
        let t = Test::new().file("agentc.toml", "targets = [\"gpt\", \"claude\"]\n");
        for n in ["a", "b", "c", "d"] {
            t.write(&format!("agents/{n}.toml"), spec(n));
        }
        t.run_args(["build"]).status(0);
        for n in ["a", "b"] {
            t.write(
                &format!("agents/{n}.toml"),
                spec(n).replace("You are", "Now you are"),
            );
        }
        t.remove("agents/c.toml");
        t.write("agents/e.toml", spec("e"));
        let before = t.tree();
        let out = t
            .command(["build"])
            .env("AGENTC_FAULT_COMMIT_AFTER", after.to_string())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "after {after}: {stderr}");
        assert!(
            stderr.contains("injected by AGENTC_FAULT_COMMIT_AFTER"),
            "{stderr}"
        );
        assert!(
            stderr.contains("failed and was undone; nothing was written"),
            "after {after}: {stderr}"
        );
        assert_eq!(t.tree(), before, "after {after}: the tree is as it was");
        t.run_args(["build"]).status(0);
        t.run_args(["check"]).status(0);
        assert!(!t.path("dist/gpt/c.md").exists());
    }
}

/// A disk that fills while the manifest is saved (after the files were
/// staged): nothing was replaced, and the message says so.
#[cfg(debug_assertions)]
#[test]
fn a_manifest_that_cannot_be_saved_changes_nothing() {
    let t = project();
    t.run_args(["build", "-t", "gpt"]).status(0);
    t.write("agents/a.toml", spec("a").replace("You are", "Now you are"));
    let before = t.tree();
    // One staged file, then the manifest: the second write fails.
    let out = t
        .command(["build", "-t", "gpt"])
        .env("AGENTC_FAULT_WRITE_AFTER", "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains(".agentc-manifest.json"), "{stderr}");
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert_eq!(t.tree(), before);
}

/// Two builds of one output root: the second waits for the first's lock
/// (held here by the test), says so, and then builds; `check` meanwhile
/// waits too. No clock decides anything: the test holds the lock until the
/// second process has said that it waits.
#[cfg(unix)]
#[test]
fn a_second_build_waits_for_the_lock() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let t = project();
    t.run_args(["build", "-t", "gpt"]).status(0);
    t.write("agents/a.toml", spec("a").replace("You are", "Now you are"));
    for cmd in ["build", "check"] {
        let dist = std::fs::File::open(t.path("dist")).unwrap();
        dist.lock().unwrap();
        let mut child = t
            .command([cmd, "-t", "gpt"])
            .env("AGENTC_CACHE_DIR", "")
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut first = String::new();
        stderr.read_line(&mut first).unwrap();
        assert!(
            first.contains("waiting for another agentc build of the same output root"),
            "{cmd}: {first}"
        );
        // Still held: the build has not written.
        if cmd == "build" {
            assert!(t.read("dist/gpt/a.md").contains("You are a."));
        }
        dist.unlock().unwrap();
        let mut rest = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
        let status = child.wait().unwrap();
        match cmd {
            "build" => assert!(status.success(), "{rest}"),
            _ => assert!(status.success(), "check after the build: {rest}"),
        }
    }
    assert!(t.read("dist/gpt/a.md").contains("Now you are a."));
}

// Class 5: collisions and silent rewrites.

/// A project target whose path is agentc's own manifest, staging folder or a
/// temp file name: refused, nothing written.
#[test]
fn a_target_cannot_write_agentc_files() {
    for path in [
        ".agentc-manifest.json",
        ".agentc-staging-x/{{ name }}.md",
        "sub/.agentc-{{ name }}",
    ] {
        let t = project().file(
            "targets/evil.toml",
            format!(
                "name = \"evil\"\ndescription = \"d\"\nchecked_against = \"-\"\nextends = \"gpt\"\npath = \"{path}\"\nnative_path = \"{path}\"\n"
            ),
        );
        t.run_args(["build", "-t", "gpt"]).status(0);
        for layout in ["dist", "native"] {
            refused(
                &t,
                &["build", "-t", "evil", "--layout", layout],
                1,
                "names starting `.agentc-` are agentc's own files",
            );
        }
    }
}

/// `convert -o` and `bundle -o` never replace a file agentc did not write:
/// not without `--force`; the same output, or a bundle agentc wrote, is fine.
#[test]
fn single_file_outputs_do_not_replace_foreign_files() {
    let t = project()
        .file("notes.md", "mine\n")
        .file("b.json", "{\"mine\": 1}\n");
    refused(
        &t,
        &["convert", "agents/a.toml", "-t", "gpt", "-o", "notes.md"],
        1,
        "`notes.md` exists and was not written by agentc",
    );
    refused(
        &t,
        &[
            "convert",
            "agents/a.toml",
            "-t",
            "gpt",
            "-o",
            "agents/a.toml",
        ],
        1,
        "was not written by agentc",
    );
    refused(
        &t,
        &["bundle", "-o", "b.json"],
        1,
        "`b.json` exists and was not written by agentc",
    );
    // A new file is written.
    t.run_args(["bundle", "-o", "new.tar.gz"]).status(0);
    t.run_args(["bundle", "-o", "new.tar.gz"]).status(0);
    t.write("x.zip", "not a zip");
    refused(
        &t,
        &["bundle", "-o", "x.zip"],
        1,
        "was not written by agentc",
    );
    // With --force, or over agentc's own output, it writes.
    t.run_args([
        "convert",
        "agents/a.toml",
        "-t",
        "gpt",
        "-o",
        "notes.md",
        "--force",
    ])
    .status(0);
    assert!(t.read("notes.md").contains("You are a."));
    t.run_args(["convert", "agents/a.toml", "-t", "gpt", "-o", "notes.md"])
        .status(0);
    t.run_args(["bundle", "-o", "b.json", "--force"]).status(0);
    t.write("agents/b.toml", spec("b"));
    t.run_args(["bundle", "-o", "b.json"]).status(0);
    assert!(t.read("b.json").contains("\"b\""));
    t.run_args(["bundle", "-o", "x.zip", "--force"]).status(0);
    t.run_args(["bundle", "-o", "x.zip"]).status(0);
}

/// `bundle -o` tells a bundle agentc wrote from its first bytes (and a zip's
/// end record), without reading the rest: a file that is not a bundle, one cut
/// short within its header, and a foreign file with a bundle's name are
/// refused, byte for byte untouched; agentc's own bundle, even one damaged
/// after its header, is replaced.
#[test]
fn bundle_ownership_is_told_from_the_header() {
    let t = project();
    for name in ["b.json", "b.tar.gz", "b.zip"] {
        t.run_args(["bundle", "-o", name]).status(0);
    }
    let own = |name: &str| std::fs::read(t.path(name)).unwrap();
    let (json, tgz, zip) = (own("b.json"), own("b.tar.gz"), own("b.zip"));
    let header_end = json
        .windows(14)
        .position(|w| w == b"  \"targets\": [")
        .unwrap();
    let mut foreign: Vec<(&str, Vec<u8>)> = vec![
        ("agentc-bundle.json", b"hello".to_vec()),
        ("agentc-bundle.json", b"{\"bundle_version\": 3}\n".to_vec()),
        ("agentc-bundle.json", Vec::new()),
        ("b.json", json[..header_end + 10].to_vec()),
        ("b.json", json[..40].to_vec()),
        ("b.tar.gz", tgz[..12].to_vec()),
        ("b.tar.gz", tgz[..3].to_vec()),
        ("b.zip", zip[..zip.len() - 1].to_vec()),
        ("b.zip", zip[..60].to_vec()),
    ];
    // The header's fields in another order, or with a digest that is no sha256.
    let text = String::from_utf8(json.clone()).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    lines.swap(1, 2);
    foreign.push(("b.json", lines.join("\n").into_bytes()));
    foreign.push((
        "b.json",
        text.replacen("\"source_digest\": \"", "\"source_digest\": \"x", 1)
            .into_bytes(),
    ));
    // A zip with a comment, and one whose first entry has another mode.
    let mut commented = zip.clone();
    let at = commented.len() - 2;
    commented[at] = 2;
    commented.extend_from_slice(b"hi");
    foreign.push(("b.zip", commented));
    let mut moded = zip.clone();
    let cd = u32::from_le_bytes(moded[moded.len() - 6..moded.len() - 2].try_into().unwrap());
    moded[cd as usize + 40] = 0o700u16.to_le_bytes()[0];
    foreign.push(("b.zip", moded));
    // A tar.gz written by another tool: another gzip header (a time, Unix),
    // or agentc's gzip header over a tar entry owned by uid 1000.
    let mut stamped = tgz.clone();
    stamped[4] = 1;
    foreign.push(("b.tar.gz", stamped));
    foreign.push(("b.tar.gz", other_tar_gz()));
    for (i, (name, bytes)) in foreign.iter().enumerate() {
        t.write(name, bytes);
        refused(
            &t,
            &["bundle", "-o", name],
            1,
            &format!("`{name}` exists and was not written by agentc"),
        );
        assert_eq!(&own(name), bytes, "case {i}");
    }
    // agentc's own bundle, whatever follows its header, is replaced.
    let mut damaged = json[..header_end + 20].to_vec();
    damaged.extend_from_slice(b"garbage");
    for (name, bytes) in [
        ("b.json", damaged),
        ("b.tar.gz", tgz.clone()),
        ("b.zip", zip),
    ] {
        t.write(name, &bytes);
        t.run_args(["bundle", "-o", name]).status(0);
        assert!(own(name).len() > 100, "{name}");
    }
    assert_eq!(own("b.json"), json);
    // An older agentc's bundle too (another version, same header).
    t.write(
        "b.json",
        text.replacen("\"bundle_version\": 3", "\"bundle_version\": 2", 1),
    );
    t.run_args(["bundle", "-o", "b.json"]).status(0);
    assert_eq!(own("b.json"), json);
}

/// A `.tar.gz` with agentc's gzip header around a tar entry that agentc would
/// not write (owner 1000).
fn other_tar_gz() -> Vec<u8> {
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::new(9));
    let mut tar = tar::Builder::new(gz);
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Regular);
    h.set_mode(0o644);
    h.set_uid(1000);
    h.set_size(2);
    tar.append_data(&mut h, "notes.md", &b"hi"[..]).unwrap();
    tar.into_inner().unwrap().finish().unwrap()
}

/// `out_dir` must be a folder of its own inside the project, never one that
/// holds a source folder (one inside a source folder is left out of the walk:
/// tests/it/migration.rs); the message points at the line.
#[test]
fn out_dir_must_stay_in_the_project() {
    for (config, message) in [
        ("out_dir = \"/\"", "leaves the project"),
        ("out_dir = \"..\"", "leaves the project"),
        ("out_dir = \"../elsewhere\"", "leaves the project"),
        ("out_dir = \"/tmp/agentc-out\"", "leaves the project"),
        ("out_dir = \"dist/../..\"", "leaves the project"),
        ("out_dir = \".\"", "is the project root"),
        ("out_dir = \"\"", "is the project root"),
        ("out_dir = \"agents\"", "holds the source folder `agents`"),
        (
            "sources = [\"specs/team\"]\nout_dir = \"specs\"",
            "holds the source folder `specs/team`",
        ),
    ] {
        let t = project().file("agentc.toml", format!("{config}\n"));
        let out = refused(&t, &["build"], 1, message);
        out.stderr_has("agentc.toml:");
    }
    let t = project().file("agentc.toml", "out_dir = \"./out/x\"\n");
    t.run_args(["build", "-t", "gpt"]).status(0);
    assert!(t.path("out/x/gpt/a.md").exists());
}

/// Option values a target does not take: errors naming the option, the value
/// and the values it takes, from a spec and from agentc.toml.
#[test]
fn option_values_are_checked() {
    let cases = [
        (
            "llama",
            "wrap",
            "\"llama33\"",
            "\"none\", \"llama3\", \"llama4\", \"modelfile\"",
        ),
        (
            "gpt",
            "message_role",
            "\"root\"",
            "\"developer\", \"system\", \"auto\"",
        ),
    ];
    for (target, key, value, allowed) in cases {
        let message = format!("option `{key}` of target `{target}` cannot be");
        let t = project().file(
            "agents/a.toml",
            format!("{}\n[targets.{target}]\n{key} = {value}\n", spec("a")),
        );
        let out = refused(&t, &["build", "-t", target], 1, &message);
        out.stderr_has(allowed).stderr_has("agents/a.toml");
        let t = project().file(
            "agentc.toml",
            format!("[target.{target}]\n{key} = {value}\n"),
        );
        let out = refused(&t, &["build", "-t", target], 1, &message);
        out.stderr_has(allowed).stderr_has("agentc.toml:2:");
    }
    // The values it takes build.
    let t = project().file(
        "agents/a.toml",
        format!(
            "{}\n[targets.llama]\nwrap = \"llama4\"\nollama_model = \"qwen3:8b\"\n",
            spec("a")
        ),
    );
    t.run_args(["build", "-t", "llama"]).status(0);
}

/// A project target's own `option_values`: a pattern that is no regular
/// expression, or a default it excludes, is an error in the target file.
#[test]
fn project_option_values_are_checked_when_read() {
    for (values, message) in [
        ("wrap = { pattern = \"(\" }", "not a regular expression"),
        ("wrap = [\"llama3\"]", "the default of option `wrap`"),
        ("nope = [\"x\"]", "`option_values` names `nope`"),
    ] {
        let t = project().file("targets/llama.toml", format!("[option_values]\n{values}\n"));
        refused(&t, &["build", "-t", "llama"], 1, message);
    }
}

/// A project target's request shape is checked when the target is read, not
/// first when a bundle fills it in: a `values` key or `user.at` that is no
/// JSON Pointer, an expression that does not compile, a `value` the action
/// does not take. `build` refuses too (the target file is wrong), naming it.
#[test]
fn request_shapes_are_checked_when_read() {
    let user = "user = { at = \"/messages\", action = \"append\", value = { role = \"user\", content = \"{{ user }}\" } }";
    for (shape, message) in [
        (
            format!("values = {{ \"model\" = \"options.x\" }}\n{user}"),
            "`values` key `model` is not a JSON Pointer (it must start with `/`)",
        ),
        (
            format!("values = {{ \"/a//b\" = \"1\" }}\n{user}"),
            "`values` key `/a//b` is not a JSON Pointer to a key",
        ),
        (
            format!("values = {{ \"/n\" = \"options.(\" }}\n{user}"),
            "`values.\"/n\"` is not an expression",
        ),
        (
            format!("when = \"model ==\"\n{user}"),
            "`when` is not an expression",
        ),
        (
            "user = { at = \"messages\", action = \"append\", value = \"{{ user }}\" }".into(),
            "`user.at` = `messages` is not a JSON Pointer",
        ),
        (
            "user = { at = \"/messages\", action = \"append\" }".into(),
            "`append` and `set` need a `value`",
        ),
        (
            "user = { at = \"/m\", action = \"replace\", value = \"x\" }".into(),
            "`replace` takes no `value`",
        ),
    ] {
        let t = project().file(
            "targets/gpt.toml",
            format!("[[request]]\napi = \"openai.chat\"\nbody = {{ messages = [] }}\n{shape}\n"),
        );
        for args in [&["bundle", "-t", "gpt"][..], &["build", "-t", "gpt"]] {
            let out = refused(&t, args, 1, message);
            out.stderr_has("request `openai.chat`")
                .stderr_has("targets/gpt.toml");
        }
    }
}

/// `check` does not read through a symlink or a FIFO where an output goes:
/// the output is reported stale, nothing of the other file is printed.
#[cfg(unix)]
#[test]
fn check_does_not_read_through_committed_symlinks() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(outside.path().join("s"), "TOP-SECRET\n").unwrap();
    let makers: [&dyn Fn(&Test); 4] = [
        &|t| symlink(outside.path().join("s"), &t.path("dist/gpt/a.md")),
        &|t| symlink("/dev/zero", &t.path("dist/gpt/a.md")),
        &|t| mkfifo(&t.path("dist/gpt/a.md")),
        &|t| symlink("/dev/zero", &t.path("dist/.agentc-manifest.json")),
    ];
    for make in makers {
        let t = project();
        t.run_args(["build", "-t", "gpt"]).status(0);
        let _ = std::fs::remove_file(t.path("dist/gpt/a.md"));
        let _ = std::fs::remove_file(t.path("dist/.agentc-manifest.json"));
        make(&t);
        for cmd in ["check", "build"] {
            let before = t.tree();
            let out = t.run_args([cmd, "-t", "gpt"]);
            assert_eq!(out.code, 1, "{cmd}: {}", out.stderr);
            assert!(!out.stdout.contains("TOP-SECRET") && !out.stderr.contains("TOP-SECRET"));
            assert_eq!(out.tree, before, "{cmd}");
        }
    }
}

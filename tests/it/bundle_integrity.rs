//! Tampered bundles (issue 18, class 3): `check --bundle` and both example
//! loaders (`examples/bundle-app/load.py`, `load.mjs`) read an archive by one
//! strict reading and agree on every variant: each is rejected (exit 1) with
//! the same message, and nothing in the project changes. The archives are
//! built here, entry by entry, from one that `agentc bundle` wrote.
//!
//! Under `CI` a missing `python3` or `node` fails these tests; elsewhere the
//! loader is left out with a note.

use std::io::{Read, Write};
use std::process::Command;

use serde_json::Value;

use crate::support::{Test, repo};

/// One tar entry as written: raw path bytes, type byte, declared size, data.
#[derive(Clone, Debug)]
struct Entry {
    path: Vec<u8>,
    kind: u8,
    size: u64,
    data: Vec<u8>,
    link: Vec<u8>,
}

impl Entry {
    fn file(path: &str, data: &[u8]) -> Entry {
        Entry {
            path: path.as_bytes().to_vec(),
            kind: b'0',
            size: data.len() as u64,
            data: data.to_vec(),
            link: Vec::new(),
        }
    }

    fn dir(path: &str) -> Entry {
        Entry {
            kind: b'5',
            ..Entry::file(path, b"")
        }
    }

    fn special(path: &str, kind: u8, link: &str) -> Entry {
        Entry {
            kind,
            link: link.as_bytes().to_vec(),
            ..Entry::file(path, b"")
        }
    }

    fn name(&self) -> &str {
        std::str::from_utf8(&self.path).unwrap()
    }
}

/// A project of two agents, with a bundle of it in every format.
fn project() -> Test {
    let p = Test::new()
        .file("agentc.toml", "sources = [\"agents\"]\n")
        .file(
            "agents/code-reviewer.toml",
            crate::support::spec("code-reviewer"),
        )
        .file("agents/planner.toml", crate::support::spec("planner"));
    for name in ["b.json", "b.tar.gz", "b.zip"] {
        p.run_args(["bundle", "-o", name]).status(0);
    }
    p
}

/// The entries of a `.tar.gz` that agentc wrote, in order.
fn entries(bytes: &[u8]) -> Vec<Entry> {
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut out = Vec::new();
    for e in tar.entries().unwrap() {
        let mut e = e.unwrap();
        let mut data = Vec::new();
        e.read_to_end(&mut data).unwrap();
        out.push(Entry {
            path: e.path_bytes().into_owned(),
            kind: e.header().entry_type().as_byte(),
            size: data.len() as u64,
            data,
            link: Vec::new(),
        });
    }
    out
}

/// A `.tar.gz` of `entries`, each header written byte by byte (so that paths
/// the tar crate refuses, such as `../x`, can be written too).
fn tar_gz(entries: &[Entry]) -> Vec<u8> {
    let mut tar = Vec::new();
    for e in entries {
        let mut h = tar::Header::new_gnu();
        {
            let raw = h.as_old_mut();
            assert!(e.path.len() <= 100, "a short path: {}", e.name());
            raw.name[..e.path.len()].copy_from_slice(&e.path);
            raw.linkname[..e.link.len()].copy_from_slice(&e.link);
        }
        h.set_mode(if e.kind == b'5' { 0o755 } else { 0o644 });
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(315_532_800);
        h.set_size(e.size);
        h.set_entry_type(tar::EntryType::new(e.kind));
        h.set_cksum();
        tar.extend_from_slice(h.as_bytes());
        tar.extend_from_slice(&e.data);
        tar.resize(tar.len().div_ceil(512) * 512, 0);
    }
    tar.resize(tar.len() + 1024, 0);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).unwrap();
    gz.finish().unwrap()
}

/// The manifest's JSON among `entries`.
fn manifest_of(entries: &[Entry]) -> Value {
    let m = entries
        .iter()
        .find(|e| e.path == b"agentc-bundle.json")
        .unwrap();
    serde_json::from_slice(&m.data).unwrap()
}

/// `entries` with the manifest replaced by `manifest`.
fn with_manifest(entries: &[Entry], manifest: &Value) -> Vec<Entry> {
    let text = serde_json::to_vec_pretty(manifest).unwrap();
    entries
        .iter()
        .map(|e| {
            if e.path == b"agentc-bundle.json" {
                Entry::file("agentc-bundle.json", &text)
            } else {
                e.clone()
            }
        })
        .collect()
}

/// A program to run a loader with, if the machine has it; under `CI` a missing
/// one fails the test.
fn loader(program: &str) -> Option<&'static str> {
    let found = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some(if program == "node" { "node" } else { "python3" });
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "{program} is missing: under CI the loader tests must run (.ci/run installs it)"
    );
    eprintln!("note: {program} not found; the {program} loader is left out");
    None
}

/// What each reader said of the file `name`: (who, exit code, what it printed).
fn verdicts(p: &Test, name: &str) -> Vec<(String, i32, String)> {
    let before = p.tree();
    let out = p.run_args(["check", "--bundle", name]);
    assert_eq!(
        out.tree, before,
        "check --bundle {name} changed the project"
    );
    let mut all = vec![(
        "check --bundle".to_string(),
        out.code,
        format!("{}{}", out.stdout, out.stderr),
    )];
    for (program, script) in [("python3", "load.py"), ("node", "load.mjs")] {
        let Some(program) = loader(program) else {
            continue;
        };
        let script = repo().join("examples/bundle-app").join(script);
        let run = p
            .program(program)
            .arg(&script)
            .args(["--content", name, "code-reviewer", "gpt"])
            .output()
            .unwrap();
        all.push((
            script.file_name().unwrap().to_string_lossy().into_owned(),
            run.status.code().unwrap_or(-1),
            format!(
                "{}{}",
                String::from_utf8_lossy(&run.stdout),
                String::from_utf8_lossy(&run.stderr)
            ),
        ));
    }
    all
}

/// Every reader rejects `bytes` (exit 1, never a crash) with `want` in its message.
fn rejected_by_all(p: &Test, label: &str, bytes: &[u8], want: &str, zip: bool) {
    rejected_by_each(p, label, bytes, [want; 2], zip);
}

/// Every reader rejects `bytes` (exit 1, never a crash): `check --bundle` with
/// `want[0]` in its message, the loaders with `want[1]` (for what only the
/// loaders bound: they hold the manifest in memory, `check` streams it).
fn rejected_by_each(p: &Test, label: &str, bytes: &[u8], want: [&str; 2], zip: bool) {
    let name = if zip {
        format!("{label}.zip")
    } else {
        format!("{label}.tar.gz")
    };
    std::fs::write(p.path(&name), bytes).unwrap();
    for (who, code, said) in verdicts(p, &name) {
        assert_eq!(
            code, 1,
            "{label}: {who} must reject it with exit 1:\n{said}"
        );
        for bad in ["panicked", "Traceback", "    at "] {
            assert!(!said.contains(bad), "{label}: {who} crashed:\n{said}");
        }
        let want = if who == "check --bundle" {
            want[0]
        } else {
            want[1]
        };
        if zip && who == "load.mjs" {
            assert!(said.contains("zip bundles need an unzip library"), "{said}");
        } else {
            assert!(
                said.contains(want),
                "{label}: {who} must say {want:?}:\n{said}"
            );
        }
    }
    std::fs::remove_file(p.path(&name)).unwrap();
}

#[test]
fn an_archive_rebuilt_entry_by_entry_is_accepted_by_all_three() {
    let p = project();
    let good = entries(&std::fs::read(p.path("b.tar.gz")).unwrap());
    std::fs::write(p.path("same.tar.gz"), tar_gz(&good)).unwrap();
    for name in ["b.json", "b.tar.gz", "same.tar.gz", "b.zip"] {
        for (who, code, said) in verdicts(&p, name) {
            if who == "load.mjs" && name.ends_with(".zip") {
                continue;
            }
            assert_eq!(code, 0, "{name}: {who}:\n{said}");
        }
    }
}

#[test]
fn tampered_tar_archives_are_rejected_alike_by_check_and_both_loaders() {
    let p = project();
    let good = entries(&std::fs::read(p.path("b.tar.gz")).unwrap());
    let manifest = good
        .iter()
        .find(|e| e.path == b"agentc-bundle.json")
        .unwrap()
        .clone();
    let file = good
        .iter()
        .find(|e| e.path == b"prompts/gpt/code-reviewer.md")
        .unwrap()
        .clone();
    let plus = |extra: Vec<Entry>| -> Vec<Entry> { good.iter().cloned().chain(extra).collect() };
    let without =
        |path: &[u8]| -> Vec<Entry> { good.iter().filter(|e| e.path != path).cloned().collect() };
    let mut other = manifest_of(&good);
    other["agents"]["code-reviewer"]["description"] = Value::from("served by one reader only");
    let second_manifest = Entry::file(
        "agentc-bundle.json",
        &serde_json::to_vec_pretty(&other).unwrap(),
    );
    let mut edited = good.clone();
    for e in &mut edited {
        if e.path == file.path {
            *e = Entry::file(file.name(), b"edited by hand\n");
        }
    }
    let mut big_manifest = manifest.clone();
    big_manifest.size = 600 * 1024 * 1024;
    let mut bomb = Entry::file("prompts/gpt/bomb.md", b"");
    bomb.size = 1536 * 1024 * 1024;
    let mut huge_bomb = Entry::file("prompts/gpt/bomb.md", b"");
    huge_bomb.size = 33 * 1024 * 1024 * 1024;
    let twice = "is in the archive twice";
    let only = "a bundle holds only files and folders";
    let cases: Vec<(&str, Vec<Entry>, &str)> = vec![
        ("manifest-twice-same", plus(vec![manifest.clone()]), twice),
        (
            "manifest-twice-other",
            plus(vec![second_manifest.clone()]),
            twice,
        ),
        (
            "manifest-other-first",
            std::iter::once(second_manifest)
                .chain(good.iter().cloned())
                .collect(),
            twice,
        ),
        ("file-twice", plus(vec![file.clone()]), twice),
        ("folder-twice", plus(vec![Entry::dir("prompts/")]), twice),
        (
            "extra-file-in-tree",
            plus(vec![Entry::file("prompts/gpt/extra.md", b"x\n")]),
            "`prompts/gpt/extra.md`, a file the manifest does not list",
        ),
        (
            "extra-file-at-top",
            plus(vec![Entry::file("README", b"x\n")]),
            "`README`, a file the manifest does not list",
        ),
        (
            "manifest-in-a-folder",
            plus(vec![Entry::file(
                "prompts/agentc-bundle.json",
                &manifest.data,
            )]),
            "a file the manifest does not list",
        ),
        (
            "extra-folder",
            plus(vec![Entry::dir("extra/")]),
            "the folder `extra/`, which holds no file",
        ),
        (
            "missing-file",
            without(&file.path),
            "lacks `prompts/gpt/code-reviewer.md`",
        ),
        (
            "edited-file",
            edited,
            "`prompts/gpt/code-reviewer.md` differs from the manifest's",
        ),
        (
            "no-manifest",
            without(b"agentc-bundle.json"),
            "holds no `agentc-bundle.json`",
        ),
        (
            "dot-dot",
            plus(vec![Entry::file("../evil.md", b"x\n")]),
            "climbs out with `..`",
        ),
        (
            "dot-dot-inside",
            plus(vec![Entry::file("prompts/../../evil.md", b"x\n")]),
            "climbs out with `..`",
        ),
        (
            "absolute",
            plus(vec![Entry::file("/tmp/evil.md", b"x\n")]),
            "an absolute path",
        ),
        (
            "dot-part",
            plus(vec![Entry::file("./prompts/x.md", b"x\n")]),
            "an empty or `.` part",
        ),
        (
            "empty-part",
            plus(vec![Entry::file("prompts//x.md", b"x\n")]),
            "an empty or `.` part",
        ),
        (
            "backslash",
            plus(vec![Entry::file("prompts\\x.md", b"x\n")]),
            "a backslash",
        ),
        (
            "symlink",
            plus(vec![Entry::special("prompts/link.md", b'2', "/etc/passwd")]),
            "is a symbolic link",
        ),
        (
            "symlink-over-a-file",
            without(&file.path)
                .into_iter()
                .chain([Entry::special(
                    file.name(),
                    b'2',
                    "../../agentc-bundle.json",
                )])
                .collect(),
            "is a symbolic link",
        ),
        (
            "hard-link",
            plus(vec![Entry::special(
                "prompts/hard.md",
                b'1',
                "agentc-bundle.json",
            )]),
            "is a hard link",
        ),
        (
            "char-device",
            plus(vec![Entry::special("prompts/zero", b'3', "")]),
            "is a device",
        ),
        (
            "block-device",
            plus(vec![Entry::special("prompts/disk", b'4', "")]),
            "is a device",
        ),
        (
            "fifo",
            plus(vec![Entry::special("prompts/fifo", b'6', "")]),
            "is a FIFO",
        ),
        (
            "pax-header",
            std::iter::once(Entry::file("pax", b"18 path=evil/x.md\n"))
                .map(|mut e| {
                    e.kind = b'x';
                    e
                })
                .chain(good.iter().cloned())
                .collect(),
            only,
        ),
        (
            "contiguous-file",
            plus(vec![Entry {
                kind: b'7',
                ..Entry::file("prompts/c.md", b"x\n")
            }]),
            only,
        ),
    ];
    for (label, entries, want) in &cases {
        rejected_by_all(&p, label, &tar_gz(entries), want, false);
    }
    // What only the loaders bound (they hold the manifest in memory): their
    // message, and `check --bundle`'s, which streams the manifest and reads on
    // until the data ends.
    let bounded = [
        (
            "manifest-over-512-mib",
            without(b"agentc-bundle.json")
                .into_iter()
                .chain([big_manifest])
                .collect::<Vec<_>>(),
            "entry `agentc-bundle.json` holds",
            "the manifest is larger than 512 MiB",
        ),
        (
            "unpacks-over-1-gib",
            plus(vec![bomb]),
            "entry `prompts/gpt/bomb.md` holds",
            "unpacks to more than 1024 MiB",
        ),
        (
            "unpacks-over-32-gib",
            plus(vec![huge_bomb]),
            "the archive unpacks to more than 32 GiB",
            "unpacks to more than 1024 MiB",
        ),
    ];
    for (label, entries, check, loaders) in &bounded {
        rejected_by_each(&p, label, &tar_gz(entries), [check, loaders], false);
    }
    let mut trailing = tar_gz(&good);
    trailing.extend_from_slice(b"trailing bytes that are no gzip member");
    rejected_by_all(&p, "trailing-bytes", &trailing, "tar.gz", false);
    let full = tar_gz(&good);
    rejected_by_all(&p, "cut-short", &full[..full.len() / 2], "tar.gz", false);
}

#[test]
fn tampered_manifests_are_rejected_alike_in_json_and_in_archives() {
    let p = project();
    let good = entries(&std::fs::read(p.path("b.tar.gz")).unwrap());
    let base = manifest_of(&good);
    let edit = |f: &dyn Fn(&mut Value)| -> Value {
        let mut m = base.clone();
        f(&mut m);
        m
    };
    let roo = base["agents"]["code-reviewer"]["targets"]["roo"]["path"]
        .as_str()
        .unwrap()
        .to_string();
    let cases: Vec<(&str, Value, &str)> = vec![
        (
            "shared-extra-key",
            edit(&|m| {
                let copy = m["shared"][&roo].clone();
                m["shared"]["prompts/evil.md"] = copy;
            }),
            "`shared` has `prompts/evil.md`, which no entry points at",
        ),
        (
            "shared-unknown-field",
            edit(&|m| m["shared"][&roo]["exec"] = Value::from("rm -rf /")),
            "unknown field `exec`",
        ),
        (
            "shared-content-changed",
            edit(&|m| m["shared"][&roo]["content"] = Value::from("changed\n")),
            "does not match its `sha256`",
        ),
        (
            "content-changed",
            edit(&|m| {
                m["agents"]["code-reviewer"]["targets"]["gpt"]["content"] = Value::from("changed\n")
            }),
            "`code-reviewer` × `gpt`: `content` does not match its `sha256`",
        ),
        (
            "path-climbs-out",
            edit(&|m| {
                m["agents"]["code-reviewer"]["targets"]["gpt"]["path"] =
                    Value::from("../../evil.md")
            }),
            "climbs out with `..`",
        ),
        (
            "path-absolute",
            edit(&|m| {
                m["agents"]["code-reviewer"]["targets"]["gpt"]["path"] = Value::from("/etc/evil.md")
            }),
            "an absolute path",
        ),
        (
            "two-entries-one-path",
            edit(&|m| {
                let path = m["agents"]["planner"]["targets"]["gpt"]["path"].clone();
                m["agents"]["code-reviewer"]["targets"]["gpt"]["path"] = path;
            }),
            "which another entry writes too",
        ),
        (
            "unknown-top-field",
            edit(&|m| m["extra"] = Value::from(1)),
            "unknown field `extra`",
        ),
    ];
    for (label, manifest, want) in &cases {
        let json = serde_json::to_vec_pretty(manifest).unwrap();
        std::fs::write(p.path(&format!("{label}.json")), &json).unwrap();
        for (who, code, said) in verdicts(&p, &format!("{label}.json")) {
            assert_eq!(code, 1, "{label}.json: {who}:\n{said}");
            assert!(
                said.contains(want),
                "{label}.json: {who} must say {want:?}:\n{said}"
            );
        }
        rejected_by_all(
            &p,
            label,
            &tar_gz(&with_manifest(&good, manifest)),
            want,
            false,
        );
    }
}

/// A `.zip` of (path, data, unix mode) entries; `None` data for a symlink.
fn zip_of(entries: &[(&str, &[u8], u32)]) -> Vec<u8> {
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (path, data, mode) in entries {
        let options = zip::write::SimpleFileOptions::default().unix_permissions(*mode);
        if mode & 0o170_000 == 0o120_000 {
            z.add_symlink(*path, std::str::from_utf8(data).unwrap(), options)
                .unwrap();
        } else if path.ends_with('/') {
            z.add_directory(*path, options).unwrap();
        } else {
            z.start_file(*path, options).unwrap();
            z.write_all(data).unwrap();
        }
    }
    z.finish().unwrap().into_inner()
}

/// Renames, in a zip's bytes, every `from` (a path) to `to` of the same length:
/// the way to write two entries of one name, which zip writers refuse.
fn rename(mut zip: Vec<u8>, from: &str, to: &str) -> Vec<u8> {
    assert_eq!(from.len(), to.len());
    let mut at = 0;
    while let Some(i) = zip[at..]
        .windows(from.len())
        .position(|w| w == from.as_bytes())
    {
        zip[at + i..at + i + from.len()].copy_from_slice(to.as_bytes());
        at += i + from.len();
    }
    zip
}

#[test]
fn tampered_zip_archives_are_rejected_by_check_and_the_python_loader() {
    let p = project();
    let good = entries(&std::fs::read(p.path("b.tar.gz")).unwrap());
    let list: Vec<(&str, &[u8], u32)> = good
        .iter()
        .map(|e| {
            let mode = if e.kind == b'5' { 0o040_755 } else { 0o100_644 };
            (e.name(), &e.data[..], mode)
        })
        .collect();
    std::fs::write(p.path("same.zip"), zip_of(&list)).unwrap();
    for (who, code, said) in verdicts(&p, "same.zip") {
        if who != "load.mjs" {
            assert_eq!(code, 0, "same.zip: {who}:\n{said}");
        }
    }
    let plus = |extra: &[(&'static str, &'static [u8], u32)]| -> Vec<u8> {
        let mut all = list.clone();
        all.extend_from_slice(extra);
        zip_of(&all)
    };
    let manifest = good
        .iter()
        .find(|e| e.path == b"agentc-bundle.json")
        .unwrap();
    let mut with_copy = list.clone();
    with_copy.push(("agentc-bundle.jsoX", &manifest.data[..], 0o100_644));
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "manifest-twice",
            rename(
                zip_of(&with_copy),
                "agentc-bundle.jsoX",
                "agentc-bundle.json",
            ),
            "is in the archive twice",
        ),
        (
            "extra-file",
            plus(&[("prompts/gpt/extra.md", b"x\n", 0o100_644)]),
            "a file the manifest does not list",
        ),
        (
            "dot-dot",
            plus(&[("../evil.md", b"x\n", 0o100_644)]),
            "climbs out with `..`",
        ),
        (
            "absolute",
            plus(&[("/tmp/evil.md", b"x\n", 0o100_644)]),
            "an absolute path",
        ),
        (
            "symlink",
            plus(&[("prompts/link.md", b"/etc/passwd", 0o120_777)]),
            "is a symbolic link",
        ),
        (
            "missing-file",
            zip_of(
                &list
                    .iter()
                    .filter(|(p, ..)| *p != "prompts/gpt/code-reviewer.md")
                    .cloned()
                    .collect::<Vec<_>>(),
            ),
            "lacks `prompts/gpt/code-reviewer.md`",
        ),
    ];
    for (label, bytes, want) in &cases {
        rejected_by_all(&p, label, bytes, want, true);
    }
}

/// A target's project files (claude-plugin's `plugin.json` and marketplace) sit
/// in `shared` with no entry pointing at them: all three readers accept them when
/// every agent they name has that target, and reject one that names an agent
/// without it.
#[test]
fn project_files_in_shared_are_accepted_alike_and_checked() {
    let p = Test::new()
        .file(
            "agentc.toml",
            "sources = [\"agents\"]\ntargets = [\"gpt\", \"claude-plugin\"]\n",
        )
        .file(
            "agents/code-reviewer.toml",
            crate::support::spec("code-reviewer"),
        );
    p.run_args(["bundle", "-o", "b.json"]).status(0);
    let mut manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(p.path("b.json")).unwrap()).unwrap();
    let shared = manifest["shared"].as_object().unwrap();
    assert!(
        shared.keys().any(|k| k.ends_with("plugin.json")),
        "{shared:?}"
    );
    for (who, code, said) in verdicts(&p, "b.json") {
        assert_eq!(code, 0, "{who}:\n{said}");
    }
    // The same file claimed for an agent the bundle does not have.
    for file in manifest["shared"].as_object_mut().unwrap().values_mut() {
        file["agents"] = serde_json::json!(["nobody"]);
    }
    std::fs::write(p.path("bad.json"), manifest.to_string()).unwrap();
    for (who, code, said) in verdicts(&p, "bad.json") {
        assert_eq!(code, 1, "{who}:\n{said}");
        assert!(said.contains("which no entry points at"), "{who}:\n{said}");
    }
}

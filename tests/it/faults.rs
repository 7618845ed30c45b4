//! Faults during a build: an output folder that cannot be written, a disk that
//! fills up half-way (injected deterministically through the debug-only
//! `AGENTC_FAULT_WRITE_AFTER`), and a process killed in the middle of a large
//! build. After each: every output is the old or the new version (never a part of
//! one), the manifest is valid JSON and owns every output, and the next build
//! repairs the tree so that `check` passes.

use std::collections::BTreeMap;

use crate::support::{Test, spec};

type Tree = BTreeMap<String, Vec<u8>>;

fn spec_v(name: &str, version: u32) -> String {
    spec(name).replace(
        &format!("You are {name}."),
        &format!("You are {name}, version {version}."),
    )
}

fn project(agents: usize, version: u32) -> Test {
    let t = Test::new();
    write_specs(&t, agents, version);
    t
}

fn write_specs(t: &Test, agents: usize, version: u32) {
    for i in 0..agents {
        let name = format!("a{i:05}");
        t.write(&format!("agents/{name}.toml"), spec_v(&name, version));
    }
}

/// The outputs under `dist/` (not the manifest, not temp files).
fn outputs(tree: &Tree) -> BTreeMap<&str, &Vec<u8>> {
    tree.iter()
        .filter(|(k, _)| k.starts_with("dist/") && !k.ends_with(".agentc-manifest.json"))
        .filter(|(k, _)| !is_temp(k))
        .map(|(k, v)| (k.as_str(), v))
        .collect()
}

/// A temp file, or a file in a build's staging folder (`.agentc-staging-*`).
fn is_temp(path: &str) -> bool {
    path.split('/')
        .any(|f| f.starts_with(".agentc-") && f != ".agentc-manifest.json")
}

/// Every output is byte for byte the old or the new version; the manifest is
/// valid JSON, owns every output on disk and lists only files that exist or
/// that the new build writes.
fn old_or_new(now: &Tree, old: &Tree, new: &Tree) {
    for (path, bytes) in outputs(now) {
        let is_old = old.get(path) == Some(bytes);
        let is_new = new.get(path) == Some(bytes);
        assert!(
            is_old || is_new,
            "{path} is neither the old nor the new version ({} bytes)",
            bytes.len()
        );
    }
    let manifest: serde_json::Value = serde_json::from_slice(
        now.get("dist/.agentc-manifest.json")
            .expect("a manifest survives"),
    )
    .expect("the manifest is valid JSON");
    let files = manifest["files"].as_object().expect("a files map");
    for path in outputs(now).keys() {
        let key = path.strip_prefix("dist/").unwrap();
        assert!(files.contains_key(key), "{path} is not in the manifest");
    }
    for key in files.keys() {
        let path = format!("dist/{key}");
        assert!(
            now.contains_key(&path) || new.contains_key(&path),
            "the manifest lists {key}, which neither exists nor is about to be written"
        );
    }
}

/// Builds version 2 in a fresh project: the tree a repaired build must equal.
fn expected_new(agents: usize) -> Tree {
    let t = project(agents, 2);
    t.run_args(["build"]).status(0);
    t.tree()
}

fn repairs(t: &Test, new: &Tree) {
    let out = t.run_args(["build"]);
    out.status(0);
    assert_eq!(
        outputs(&out.tree),
        outputs(new),
        "the next build repairs the tree"
    );
    assert!(
        !out.tree.keys().any(|k| is_temp(k)),
        "temp files left: {:?}",
        out.tree.keys().filter(|k| is_temp(k)).collect::<Vec<_>>()
    );
    t.run_args(["check"]).status(0);
}

/// Whether this process can write into a folder with mode 0o500 (root can).
#[cfg(unix)]
fn permissions_bind() -> bool {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let sub = dir.path().join("ro");
    std::fs::create_dir(&sub).unwrap();
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o500)).unwrap();
    let wrote = std::fs::write(sub.join("x"), "x").is_ok();
    std::fs::set_permissions(&sub, std::fs::Permissions::from_mode(0o700)).unwrap();
    !wrote
}

#[cfg(unix)]
#[test]
fn unwritable_output_folder() {
    use std::os::unix::fs::PermissionsExt;
    if !permissions_bind() {
        // Root writes into a 0o500 folder: the same fault, injected.
        return unwritable_output_folder_injected();
    }
    let t = project(3, 1);
    t.run_args(["build"]).status(0);
    write_specs(&t, 3, 2);
    let before = t.tree();
    let mode = |m| std::fs::set_permissions(t.path("dist/gpt"), std::fs::Permissions::from_mode(m));
    mode(0o500).unwrap();
    let out = t.run_args(["build"]);
    mode(0o755).unwrap();
    out.status(1)
        .stderr_has("dist/gpt")
        .stderr_has("ermission denied");
    old_or_new(&out.tree, &before, &expected_new(3));
    repairs(&t, &expected_new(3));
}

/// What a folder that cannot be written does to a commit, for a user whom
/// permissions do not stop (root, as CI runs): the commit's second step fails.
#[cfg(unix)]
fn unwritable_output_folder_injected() {
    #[cfg(debug_assertions)]
    {
        let t = project(3, 1);
        t.run_args(["build"]).status(0);
        write_specs(&t, 3, 2);
        let before = t.tree();
        let out = t
            .command(["build"])
            .env("AGENTC_FAULT_COMMIT_AFTER", "1")
            .output()
            .expect("run agentc");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{stderr}");
        assert!(stderr.contains("dist/"), "{stderr}");
        assert!(stderr.contains("nothing was written"), "{stderr}");
        assert_eq!(t.tree(), before, "the commit was undone");
        repairs(&t, &expected_new(3));
    }
    #[cfg(not(debug_assertions))]
    panic!("run as root, this test needs a debug build (its fault hook)");
}

/// A file where agentc needs a folder: fails for everyone, root included.
#[test]
fn a_file_where_an_output_folder_goes() {
    let t = project(3, 1);
    t.run_args(["build"]).status(0);
    std::fs::remove_dir_all(t.path("dist/gpt")).unwrap();
    t.write("dist/gpt", "a file, not a folder\n");
    write_specs(&t, 3, 2);
    let before = t.tree();
    let out = t.run_args(["build"]);
    out.status(1).stderr_has("dist/gpt/a00000.md");
    assert_eq!(out.tree, before, "nothing was written");
    t.remove("dist/gpt");
    repairs(&t, &expected_new(3));
}

#[test]
fn output_root_is_a_file() {
    let t = project(2, 1).file("out", "x\n");
    let before = t.tree();
    let out = t.run_args(["build", "-o", "out"]);
    out.status(1)
        .stderr_has("cannot create the output root `out`");
    assert_eq!(out.tree, before);
}

/// A disk that fills up after N writes (the manifest counts as one).
#[cfg(debug_assertions)]
#[test]
fn disk_full_part_way() {
    let agents = 5;
    let new = expected_new(agents);
    for after in [0, 1, 4, 17] {
        let t = project(agents, 1);
        t.run_args(["build"]).status(0);
        let old = t.tree();
        write_specs(&t, agents, 2);
        t.write("agents/extra.toml", spec_v("extra", 2));
        let (code, stderr, tree) = build_with_fault(&t, after);
        assert_eq!(code, 1, "after {after}:\n{stderr}");
        assert!(stderr.contains("no space left on device"), "{stderr}");
        assert!(stderr.contains("dist/"), "{stderr}");
        assert!(
            !tree.keys().any(|k| is_temp(k)),
            "after {after}: temp files left"
        );
        let mut new_with_extra = new.clone();
        let extra = project(0, 2).file("agents/extra.toml", spec_v("extra", 2));
        extra.run_args(["build"]).status(0);
        new_with_extra.extend(
            extra
                .tree()
                .into_iter()
                .filter(|(k, _)| k.contains("extra")),
        );
        old_or_new(&tree, &old, &new_with_extra);
        t.remove("agents/extra.toml");
        repairs(&t, &new);
    }
}

/// Runs `agentc build` in `t` with the injected disk-full after `after` writes.
#[cfg(debug_assertions)]
fn build_with_fault(t: &Test, after: usize) -> (i32, String, Tree) {
    let out = t
        .command(["build"])
        .env("AGENTC_FAULT_WRITE_AFTER", after.to_string())
        .output()
        .expect("run agentc");
    let code = out.status.code().expect("agentc exited by a signal");
    (
        code,
        String::from_utf8_lossy(&out.stderr).into_owned(),
        t.tree(),
    )
}

#[test]
fn killed_in_the_middle_of_a_large_build() {
    // Two targets keep the debug binary's builds short; the write phase still
    // holds thousands of files.
    let agents = 2500;
    let t = project(agents, 1).file("agentc.toml", "targets = [\"claude\", \"gpt\"]\n");
    t.run_args(["build", "-q"]).status(0);
    let old = t.tree();
    write_specs(&t, agents, 2);
    // New agents widen the manifest before any file is written.
    for i in 0..20 {
        let name = format!("new{i:02}");
        t.write(&format!("agents/{name}.toml"), spec_v(&name, 2));
    }
    // Outputs are staged (written under `dist/.agentc-staging-*`) while rendering,
    // then renamed into place: kill it while it stages.
    let staging = || {
        std::fs::read_dir(t.path("dist"))
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .starts_with(".agentc-staging-")
            })
            .any(|e| std::fs::read_dir(e.path()).is_ok_and(|mut d| d.next().is_some()))
    };
    let mut child = t.command(["build", "-q"]).spawn().expect("start agentc");
    // Kill it as soon as staging has begun (no clock decides: the loop ends
    // when the build has staged a file, or has ended).
    let mut killed = false;
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if staging() {
            child.kill().unwrap();
            killed = true;
            break;
        }
        std::thread::yield_now();
    }
    child.wait().unwrap();
    let now = t.tree();
    // The repaired tree is the new version: `check` below proves it matches the specs.
    let out = t.run_args(["build", "-q"]);
    out.status(0);
    let new = out.tree;
    assert!(
        new.keys().all(|k| !is_temp(k)),
        "the next build removes what the killed one staged"
    );
    t.run_args(["check", "-q"]).status(0);
    let changed = outputs(&now)
        .iter()
        .filter(|(k, v)| old.get(**k) != Some(**v))
        .count();
    eprintln!(
        "killed mid-write: {killed}; {changed} of {} outputs were new when it died",
        outputs(&now).len()
    );
    assert!(killed, "the build ended before it could be killed");
    assert!(changed < outputs(&new).len(), "killed after the last write");
    // Temp files of the killed process may remain; they are never outputs.
    old_or_new(&now, &old, &new);
}

//! Replays the seeds of the `check_bundle` and `project` fuzz targets
//! (`fuzz/seeds/<target>/`, where a finding's input goes too) with the same
//! checks the targets make, so that `cargo test` keeps them without cargo-fuzz.

use std::io::Write;
use std::path::{Path, PathBuf};

use agentc::artifact::Layout;
use agentc::workspace::Workspace;

use crate::support::repo;

fn seeds(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = repo().join("fuzz/seeds").join(target);
    let mut out: Vec<(PathBuf, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect();
    out.sort();
    assert!(out.len() >= 5, "{}: the seeds are there", dir.display());
    out
}

/// The `check_bundle` target's check: a bundle, or one message.
fn check_bundle(data: &[u8]) -> Result<usize, String> {
    let gzipped;
    let bytes = match data.split_first() {
        Some((b't', tar)) => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(tar).unwrap();
            gzipped = gz.finish().unwrap();
            &gzipped[..]
        }
        _ => data,
    };
    let read = agentc::read_bundle(bytes);
    match &read {
        Ok(stale) => assert_eq!(*stale, 0, "a bundle read back differs from itself"),
        Err(message) => assert!(!message.is_empty()),
    }
    read
}

#[test]
fn check_bundle_seeds_read_or_give_one_message() {
    let mut verdicts = Vec::new();
    for (path, data) in seeds("check_bundle") {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        verdicts.push((name, check_bundle(&data)));
    }
    let ok: Vec<&str> = verdicts
        .iter()
        .filter(|(_, v)| v.is_ok())
        .map(|(n, _)| n.as_str())
        .collect();
    // The untouched bundles read; every tampered one is rejected.
    assert_eq!(
        ok,
        ["bundle.json", "bundle.tar.gz", "bundle.zip", "tar-bundle"],
        "{verdicts:#?}"
    );
    let said = |name: &str| {
        verdicts
            .iter()
            .find(|(n, _)| n == name)
            .unwrap()
            .1
            .clone()
            .unwrap_err()
    };
    assert!(said("tar-symlink").contains("is a symbolic link"));
    assert!(said("tar-manifest-twice").contains("in the archive twice"));
    assert!(said("tar-dot-dot").contains("climbs out"));
}

const SECRET: &str = "FUZZ-SECRET-5b1e0c";

/// The `project` target's check on one input: a project with the input as its
/// target file and template, a secret beside it that must not show up.
fn project(data: &[u8]) {
    let (target, template) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &b""[..]),
    };
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("p");
    let write = |rel: &str, bytes: &[u8]| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    };
    std::fs::write(dir.path().join("secret.txt"), SECRET).unwrap();
    write("agentc.toml", b"targets = [\"fuzz\"]\n");
    write("agents/a.toml", crate::support::spec("a").as_bytes());
    write("targets/fuzz.toml", target);
    write("templates/fuzz.md.j2", template);
    let ws = match Workspace::open(Path::new(&root)) {
        Ok(ws) => ws,
        Err(diags) => {
            for d in diags.iter() {
                assert!(
                    !d.render(false).contains(SECRET),
                    "a message shows the secret"
                );
            }
            return;
        }
    };
    let selection = ws.select(&[], &[]);
    for layout in [Layout::Dist, Layout::Native] {
        let job = ws.job(&selection, layout, false, None);
        let compiled = agentc::pipeline::compile_all(&job);
        for d in compiled.diags.iter() {
            let text = d.render(false);
            assert!(!text.contains(SECRET), "a message shows the secret: {text}");
        }
        for a in &compiled.artifacts {
            assert!(
                !format!("{a:?}").contains(SECRET),
                "an output holds the secret"
            );
        }
    }
}

#[test]
fn project_seeds_compile_or_fail_without_showing_a_file_outside() {
    for (path, data) in seeds("project") {
        eprintln!("{}", path.display());
        project(&data);
    }
}

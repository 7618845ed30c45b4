//! The fuzz targets' checks (`agentc::fuzzing`, the same function the targets
//! call) run on every committed seed: `fuzz/seeds/<target>/` holds small
//! corpora plus every input a fuzzer ever found a fault with, so that a
//! finding stays fixed without cargo-fuzz.

use std::path::PathBuf;

use crate::support::repo;

/// The fuzz targets: every `fuzz/fuzz_targets/*.rs` but the shared `common.rs`.
fn targets() -> Vec<String> {
    let dir = repo().join("fuzz/fuzz_targets");
    let mut out: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "rs"))
        .map(|p| p.file_stem().unwrap().to_string_lossy().into_owned())
        .filter(|name| name != "common")
        .collect();
    out.sort();
    out
}

/// The seeds of one target, sorted by name.
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
    out
}

#[test]
fn every_seed_passes_its_targets_check() {
    let targets = targets();
    assert_eq!(targets.len(), 7, "{targets:?}");
    let scratch = tempfile::tempdir().unwrap();
    for target in &targets {
        let seeds = seeds(target);
        assert!(
            seeds.len() >= 5,
            "{target}: too few seeds ({})",
            seeds.len()
        );
        for (path, data) in seeds {
            eprintln!("{}", path.display());
            agentc::fuzzing::check(target, &data, scratch.path()).unwrap();
        }
    }
}

#[test]
fn a_name_without_a_check_is_an_error() {
    let scratch = tempfile::tempdir().unwrap();
    let e = agentc::fuzzing::check("spec-parse", b"", scratch.path()).unwrap_err();
    assert!(e.contains("no fuzz check named `spec-parse`"), "{e}");
}

#[test]
fn check_bundle_seeds_read_or_give_one_message() {
    let verdicts: Vec<(String, Result<usize, String>)> = seeds("check_bundle")
        .into_iter()
        .map(|(path, data)| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, agentc::fuzzing::check_bundle(&data))
        })
        .collect();
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
        let (_, verdict) = verdicts.iter().find(|(n, _)| n == name).unwrap();
        verdict.clone().unwrap_err()
    };
    assert!(said("tar-symlink").contains("is a symbolic link"));
    assert!(said("tar-manifest-twice").contains("in the archive twice"));
    assert!(said("tar-dot-dot").contains("climbs out"));
}

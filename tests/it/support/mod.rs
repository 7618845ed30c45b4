//! What the integration tests share:
//!
//! - [`Test`]: a project in a temp dir and the real `agentc` binary run in it,
//!   with its build records (`AGENTC_CACHE_DIR`) in a temp dir of its own;
//! - [`targets`]: the built-in targets as the registry has them; every list of
//!   target names a test needs is derived there from target data;
//! - [`library`]: one agent rendered, or specs compiled, through the library;
//! - [`import`]: the importer's helpers (seeds, corpus files, whitespace);
//! - [`validate_native`]: each tool's own rules for its native files;
//! - [`shared`]: `../shared` (the corpus, the seeds), skipped with a note when absent.

pub mod import;
pub mod library;
pub mod targets;
pub mod test;
pub mod validate_native;

use std::path::{Path, PathBuf};

pub use test::{Output, Test};

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A small valid spec named `name`.
pub fn spec(name: &str) -> String {
    format!(
        "name = \"{name}\"\ndescription = \"Use this agent when a test needs an agent named {name}.\"\nrole = \"You are {name}.\"\ntriggers = [\"a test runs\"]\n"
    )
}

/// `rel` under `../shared` (the corpus, the seeds: material beside the repository,
/// not in it), or `None` with a note when it is not there: the tests that read it
/// then skip, as the README says. `AGENTC_SHARED_DIR` points elsewhere (a
/// missing folder shows the skipping).
pub fn shared(rel: &str) -> Option<PathBuf> {
    let root = std::env::var_os("AGENTC_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo().join("../shared"));
    let path = root.join(rel);
    if path.is_dir() {
        Some(path)
    } else {
        eprintln!("note: {} is absent; skipped", path.display());
        None
    }
}

/// Whether `program` (python3, node) runs here. Without it a test skips with a
/// note, except under `CI`, where a missing program fails the test: CI
/// (`.ci/run`) makes sure both are installed, and a test that skips there
/// tests nothing.
pub fn have(program: &str) -> bool {
    let runs = std::process::Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !runs {
        let ci = std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "false" | "0"));
        assert!(
            !ci,
            "{program} is not installed, and CI must run this test (.ci/run installs it)"
        );
        eprintln!("note: {program} not found; skipped");
    }
    runs
}

/// proptest's settings for `cases` cases, its failures kept next to the test
/// module (`tests/it/<module>.proptest-regressions`). proptest's default would
/// put them under `tests/proptest-regressions/` now that `tests/it/` holds a
/// `main.rs`.
pub fn proptest_config(cases: u32) -> proptest::prelude::ProptestConfig {
    proptest::prelude::ProptestConfig {
        cases,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("proptest-regressions"),
        )),
        ..proptest::prelude::ProptestConfig::default()
    }
}

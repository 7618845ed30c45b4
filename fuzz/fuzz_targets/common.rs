//! Shared by every fuzz target: the checks live in the library
//! (`agentc::fuzzing`), where `tests/it/fuzz_regressions.rs` replays the seeds
//! through them too.

use std::path::PathBuf;
use std::sync::OnceLock;

/// Runs the library's check named `target` on one input; a folder of the
/// system's temporary directory, one per process, is the scratch space.
pub fn check(target: &str, data: &[u8]) {
    static SCRATCH: OnceLock<PathBuf> = OnceLock::new();
    let scratch = SCRATCH
        .get_or_init(|| std::env::temp_dir().join(format!("agentc-fuzz-{}", std::process::id())));
    if let Err(e) = agentc::fuzzing::check(target, data, scratch) {
        panic!("{e}");
    }
}

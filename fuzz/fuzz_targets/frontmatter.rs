//! Frontmatter recovery: any text between the `---` fences; what imports
//! loads back equal from TOML (`agentc::fuzzing`).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::check("frontmatter", data));

//! The Markdown importer: any body after a valid frontmatter, and any whole
//! file; what imports loads back equal from TOML (`agentc::fuzzing`).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::check("import_markdown", data));

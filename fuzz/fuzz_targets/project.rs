//! A project's own target file and template (split at the first NUL byte)
//! compile or fail without a panic or a hang, and never show a file outside
//! the project (`agentc::fuzzing`).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::check("project", data));

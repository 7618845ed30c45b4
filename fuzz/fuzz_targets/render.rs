//! Rendering: every spec that loads renders for every built-in target, in both
//! layouts, twice the same (`agentc::fuzzing` holds the check).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::check("render", data));

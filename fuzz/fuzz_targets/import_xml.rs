//! The XML v2.0 importer: any text inside one of the form's tags and after
//! one; what imports loads back equal from TOML (`agentc::fuzzing`).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::check("import_xml", data));

//! Spec parsing: any bytes as a spec file give a spec or diagnostics that
//! render, never a panic (`agentc::fuzzing` holds the check).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::check("spec_parse", data));

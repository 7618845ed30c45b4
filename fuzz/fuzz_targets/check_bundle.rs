//! `check --bundle`'s reading: any bytes (JSON, `.tar.gz`, `.zip`; an input
//! starting with `t` is a tar archive gzipped first) give a bundle equal to
//! itself or one message, in bounded memory (`agentc::fuzzing`).
#![no_main]

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| common::check("check_bundle", data));

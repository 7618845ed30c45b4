//! `check --bundle`'s reading: any bytes (JSON, `.tar.gz`, `.zip`) give a bundle
//! or one message, never a panic, in bounded memory (libFuzzer's `-rss_limit_mb`);
//! a bundle that is read compares equal to itself.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match agentc::read_bundle(data) {
        Ok(stale) => assert_eq!(stale, 0, "a bundle read back differs from itself"),
        Err(message) => assert!(!message.is_empty()),
    }
});

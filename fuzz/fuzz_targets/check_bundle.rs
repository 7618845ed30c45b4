//! `check --bundle`'s reading: any bytes (JSON, `.tar.gz`, `.zip`) give a bundle
//! or one message, never a panic, in bounded memory (libFuzzer's `-rss_limit_mb`);
//! a bundle that is read compares equal to itself. An input that starts with
//! `t` is a tar archive to be gzipped first, so that the fuzzer mutates the tar
//! entries themselves rather than the compressed stream.
#![no_main]

use std::io::Write;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let gzipped;
    let bytes = match data.split_first() {
        Some((b't', tar)) => {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(tar).unwrap();
            gzipped = gz.finish().unwrap();
            &gzipped[..]
        }
        _ => data,
    };
    match agentc::read_bundle(bytes) {
        Ok(stale) => assert_eq!(stale, 0, "a bundle read back differs from itself"),
        Err(message) => assert!(!message.is_empty()),
    }
});

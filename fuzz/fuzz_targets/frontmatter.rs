//! Frontmatter recovery: any text between the `---` fences.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    common::import_and_check(&format!("---\n{text}\n---\n\nYou are a fuzzer.\n"));
});

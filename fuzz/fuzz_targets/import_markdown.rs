//! The Markdown importer: any body after a valid frontmatter, and any whole file.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    common::import_and_check(&format!("---\nname: fuzz\ndescription: x\n---\n\n{text}"));
    common::import_and_check(text);
});

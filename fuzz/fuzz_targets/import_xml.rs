//! The XML v2.0 importer: any text among the form's tags.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    common::import_and_check(&format!("---\nname: fuzz\nversion: 2.0\n---\n\n<role>\n{text}\n</role>\n"));
    common::import_and_check(&format!("---\nname: fuzz\n---\n\n<role>\nx\n</role>\n\n{text}"));
});

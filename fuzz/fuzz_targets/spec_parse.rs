//! Spec parsing: any bytes as a spec file give a spec or diagnostics, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut diags = agentc::diag::Diagnostics::default();
    let loaded = agentc::load::load_str(std::path::Path::new("fuzz.toml"), text, &mut diags);
    // Every diagnostic must render (spans inside the text, on char boundaries).
    for d in diags.iter() {
        let _ = d.render(false);
        let _ = d.to_json();
    }
    assert!(loaded.is_some() || diags.has_errors());
});

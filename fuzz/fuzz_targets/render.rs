//! Rendering: every spec that loads renders for every built-in target, twice the same.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use agentc::render::{Layout, Renderer};
use agentc::target::Registry;
use libfuzzer_sys::fuzz_target;

fn registry() -> &'static Registry {
    static R: OnceLock<Registry> = OnceLock::new();
    R.get_or_init(|| Registry::load(None).expect("built-in targets load"))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut diags = agentc::diagnostic::Diagnostics::default();
    let Some(loaded) = agentc::load::load_str(Path::new("fuzz.toml"), text, &mut diags) else {
        return;
    };
    let agent = agentc::lower::lower(&loaded.spec);
    let renderer = Renderer::new(None, Default::default());
    for target in registry().targets.values() {
        for layout in [Layout::Dist, Layout::Native] {
            let a = renderer.render(&agent, target, layout, Path::new("fuzz.toml"));
            let b = renderer.render(&agent, target, layout, Path::new("fuzz.toml"));
            if let (Ok(a), Ok(b)) = (a, b) {
                assert_eq!(a.artifact, b.artifact, "deterministic");
            }
        }
    }
});

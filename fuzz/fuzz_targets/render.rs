//! Rendering: every spec that loads renders for every built-in target, in both
//! layouts, twice the same.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use agentc::artifact::Layout;
use agentc::render::Renderer;
use agentc::target::Registry;
use libfuzzer_sys::fuzz_target;

/// The registry and the renderer, built once for the whole run.
fn setup() -> &'static (Registry, Renderer) {
    static S: OnceLock<(Registry, Renderer)> = OnceLock::new();
    S.get_or_init(|| (Registry::load(None).expect("built-in targets load"), Renderer::new(None)))
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut diags = agentc::diag::Diagnostics::default();
    let Some(loaded) = agentc::load::load_str(Path::new("fuzz.toml"), text, &mut diags) else {
        return;
    };
    let agent = agentc::lower::lower(&loaded.spec);
    let (registry, renderer) = setup();
    let source = Path::new("fuzz.toml");
    for target in registry.targets.values() {
        for layout in [Layout::Dist, Layout::Native] {
            let a = agentc::pipeline::render_one(renderer, &agent, target, None, layout, source);
            let b = agentc::pipeline::render_one(renderer, &agent, target, None, layout, source);
            match (a, b) {
                (Ok(a), Ok(b)) => assert_eq!(a.artifact, b.artifact, "deterministic"),
                (Err(a), Err(b)) => assert_eq!(format!("{a:?}"), format!("{b:?}"), "deterministic"),
                _ => panic!("one render failed, the other did not"),
            }
        }
    }
});

//! Shared by the import fuzz targets: import a text, and when it imports, check
//! that the spec written as TOML loads back to the same spec.

use std::path::Path;

pub fn import_and_check(text: &str) {
    let path = Path::new("fuzz.md");
    let Ok(imported) = agentc::import::import(path, text) else {
        return;
    };
    for w in &imported.warnings {
        let _ = w.render(false);
    }
    let toml = agentc::import::write::to_toml(&imported.spec, "fuzz.md").expect("an imported spec can be written");
    let mut diags = agentc::diag::Diagnostics::default();
    let loaded = agentc::load::load_str(Path::new("fuzz.toml"), &toml, &mut diags)
        .unwrap_or_else(|| panic!("written spec does not load: {diags:?}\n{toml}"));
    assert_eq!(loaded.spec, imported.spec, "written spec loads back differently\n{toml}");
}

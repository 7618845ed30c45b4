//! The fuzz targets' checks, run on every committed seed (`fuzz/seeds/<target>/`,
//! minimised corpora plus every crash input a fuzzer ever found), so that a finding
//! stays fixed without a fuzzer.

use std::path::{Path, PathBuf};

use agentc::artifact::Layout;

use crate::support::{library, repo, targets};

fn seeds(target: &str) -> Vec<(PathBuf, String)> {
    let dir = repo().join("fuzz/seeds").join(target);
    let mut out: Vec<(PathBuf, String)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter_map(|p| {
            let bytes = std::fs::read(&p).ok()?;
            Some((p, String::from_utf8(bytes).ok()?))
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no seeds in {}", dir.display());
    out
}

/// What `fuzz_targets/common.rs` checks: an imported spec, written as TOML,
/// loads back equal; every warning renders, and a failure is an error that
/// renders too.
fn import_and_check(text: &str) {
    let imported = match agentc::import::import(Path::new("fuzz.md"), text) {
        Ok(i) => i,
        Err(d) => {
            assert!(!d.render(false).is_empty(), "{text:?}");
            let _ = d.to_json();
            return;
        }
    };
    for w in &imported.warnings {
        assert!(!w.render(false).is_empty(), "{text:?}");
        let _ = w.to_json();
    }
    let toml = agentc::import::write::to_toml(&imported.spec, "fuzz.md").expect("writable");
    let mut diags = agentc::diag::Diagnostics::default();
    let loaded = agentc::load::load_str(Path::new("fuzz.toml"), &toml, &mut diags)
        .unwrap_or_else(|| panic!("written spec does not load: {diags:?}\n{toml}"));
    assert_eq!(loaded.spec, imported.spec, "{toml}");
}

#[test]
fn spec_seeds_parse_or_fail_cleanly_and_render_deterministically() {
    for (path, text) in seeds("spec_parse").into_iter().chain(seeds("render")) {
        let mut diags = agentc::diag::Diagnostics::default();
        let loaded = agentc::load::load_str(Path::new("fuzz.toml"), &text, &mut diags);
        for d in diags.iter() {
            assert!(!d.render(false).is_empty(), "{}", path.display());
            assert!(d.to_json().is_object(), "{}", path.display());
        }
        let Some(loaded) = loaded else {
            assert!(
                diags.has_errors(),
                "{}: rejected without an error",
                path.display()
            );
            continue;
        };
        let agent = agentc::lower::lower(&loaded.spec);
        for target in targets::all() {
            for layout in [Layout::Dist, Layout::Native] {
                let render = || library::render(&agent, target, None, layout, Path::new("f.toml"));
                let at = format!("{} → {target} ({layout:?})", path.display());
                // Twice the same: the same file, or the same errors.
                match (render(), render()) {
                    (Ok(a), Ok(b)) => assert_eq!(a.artifact, b.artifact, "{at}"),
                    (Err(a), Err(b)) => {
                        let text = |d: &agentc::diag::Diagnostics| -> Vec<String> {
                            d.iter().map(|d| d.render(false)).collect()
                        };
                        assert_eq!(text(&a), text(&b), "{at}");
                        assert!(a.has_errors(), "{at}: failed without an error");
                    }
                    (a, b) => panic!("{at}: once {:?}, once {:?}", a.is_ok(), b.is_ok()),
                }
            }
        }
    }
}

#[test]
fn import_seeds_round_trip_through_toml() {
    for (_, text) in seeds("import_markdown") {
        import_and_check(&format!("---\nname: fuzz\ndescription: x\n---\n\n{text}"));
        import_and_check(&text);
    }
    // Both of the fuzz target's wrappers: text inside a tag, and after one.
    for (_, text) in seeds("import_xml") {
        import_and_check(&format!(
            "---\nname: fuzz\nversion: 2.0\n---\n\n<role>\n{text}\n</role>\n"
        ));
        import_and_check(&format!(
            "---\nname: fuzz\n---\n\n<role>\nx\n</role>\n\n{text}"
        ));
    }
    for (_, text) in seeds("frontmatter") {
        import_and_check(&format!("---\n{text}\n---\n\nYou are a fuzzer.\n"));
    }
}

//! The `xml` target reproduces the XML v2.0 seed (`../shared/seeds/004_*.txt`)
//! from `agents/backend-architect.toml`.

use std::path::{Path, PathBuf};

use agentc::diagnostic::Diagnostics;
use agentc::render::{Layout, Renderer};
use agentc::target::Registry;

/// The seed file, or `None` (with a note) when `../shared` is not checked out.
fn seed() -> Option<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seeds");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        eprintln!(
            "note: {} is absent; skipping the seed comparison (CI has it)",
            dir.display()
        );
        return None;
    };
    let mut found: Vec<PathBuf> = entries
        .map(|e| e.expect("dir entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("004_"))
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one 004_* seed in {}: {found:?}",
        dir.display()
    );
    let path = found.remove(0);
    let text = std::fs::read_to_string(&path).expect("seed is UTF-8");
    Some((path, text))
}

/// The `xml` rendering of `agents/backend-architect.toml`, through the library.
fn render_xml() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("agents/backend-architect.toml");
    let mut diags = Diagnostics::default();
    let loaded = agentc::load::load(std::slice::from_ref(&path), &mut diags);
    assert!(!diags.has_errors(), "{diags:?}");
    let agent = agentc::lower::lower(&loaded[0].spec);
    let registry = Registry::load(None).expect("built-in targets");
    let target = registry.get("xml").expect("xml target");
    let renderer = Renderer::new(None, Default::default());
    let rendered = renderer
        .render(&agent, target, Layout::Dist, &path)
        .expect("renders");
    assert!(rendered.warnings.is_empty(), "{:?}", rendered.warnings);
    rendered.artifact.expect("not skipped").content
}

/// LF line ends, no trailing spaces, runs of blank lines as one, no blank edges.
fn normalise(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out: Vec<&str> = Vec::new();
    for line in text.split('\n').map(str::trim_end) {
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

#[test]
fn normalise_forgives_whitespace_only() {
    assert_eq!(normalise("a  \r\n\r\n\n\nb\t\n\n"), "a\n\nb");
    assert_eq!(normalise("\n\na\nb"), "a\nb");
    assert_ne!(normalise("a b"), normalise("ab"));
    assert_ne!(normalise("  a"), normalise("a"));
}

#[test]
fn xml_target_reproduces_the_seed() {
    let Some((path, seed)) = seed() else { return };
    let xml = render_xml();
    let (want, got) = (normalise(&seed), normalise(&xml));
    if want != got {
        let diff = similar::TextDiff::from_lines(&want, &got)
            .unified_diff()
            .header(&path.display().to_string(), "xml rendering")
            .to_string();
        panic!("the xml target no longer reproduces the seed:\n{diff}");
    }
}

#[test]
fn xml_target_reproduces_the_seed_byte_for_byte() {
    let Some((_, seed)) = seed() else { return };
    let xml = render_xml();
    assert!(
        xml == seed,
        "equal up to whitespace, but not byte-identical"
    );
}

#[test]
fn the_binary_writes_the_same_bytes() {
    let Some((_, seed)) = seed() else { return };
    let dir = tempfile::tempdir().expect("temp dir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_agentc"))
        .args(["build", "-t", "xml", "-o"])
        .arg(dir.path())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run agentc");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written =
        std::fs::read_to_string(dir.path().join("xml/backend-architect.md")).expect("written");
    assert!(
        written == seed,
        "`agentc build -t xml` differs from the seed"
    );
}

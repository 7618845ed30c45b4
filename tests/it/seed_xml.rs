//! The `xml` target reproduces the XML v2.0 seed (`../shared/seeds/004_*.txt`)
//! from `agents/backend-architect.toml`.

use std::ffi::OsStr;
use std::path::PathBuf;

use agentc::artifact::Layout;
use agentc::diag::Diagnostics;

use crate::support::{Test, library, repo};

/// The seed file, or `None` (with a note) when `../shared` is not checked out.
fn seed() -> Option<(PathBuf, String)> {
    crate::support::import::seed("004_")
}

/// The `xml` rendering of `agents/backend-architect.toml`, through the library.
fn render_xml() -> String {
    let path = repo().join("agents/backend-architect.toml");
    let mut diags = Diagnostics::default();
    let loaded = agentc::load::load(std::slice::from_ref(&path), &mut diags);
    assert!(!diags.has_errors(), "{diags:?}");
    let agent = agentc::lower::lower(&loaded[0].spec);
    let rendered = library::render(&agent, "xml", None, Layout::Dist, &path).expect("renders");
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
    let t = Test::new();
    let (out, agents) = (t.path("out"), repo().join("agents"));
    let args = [
        OsStr::new("build"),
        OsStr::new("-t"),
        OsStr::new("xml"),
        OsStr::new("-o"),
    ];
    t.run_args(
        args.into_iter()
            .chain([out.as_os_str(), agents.as_os_str()]),
    )
    .status(0);
    let written = t.read("out/xml/backend-architect.md");
    assert!(
        written == seed,
        "`agentc build -t xml` differs from the seed"
    );
}

//! The importer's helpers: a file imported or the test fails, a spec rendered
//! for a built-in target, frontmatter split from body, whitespace normalised,
//! the seeds and the corpus files of `../shared`.

use std::path::{Path, PathBuf};

use agentc::artifact::Layout;
use agentc::diag::Diagnostic;
use agentc::import::{self, Imported};
use agentc::spec::Spec;

pub fn import(path: &Path, text: &str) -> Imported {
    match import::import(path, text) {
        Ok(i) => i,
        Err(e) => panic!("{} failed to import: {}", path.display(), e.render(false)),
    }
}

/// Renders a spec for a built-in target: the file's content and the translation warnings.
pub fn render(spec: &Spec, target: &str) -> (String, Vec<Diagnostic>) {
    let agent = agentc::lower::lower(spec);
    // A round trip through `claude` is what its `lossless` option is for: every
    // key and tool name written as the spec holds it.
    let lossless: agentc::spec::Table = toml::toml! { lossless = true };
    let options = (target == "claude").then_some(&lossless);
    let rendered =
        match super::library::render(&agent, target, options, Layout::Dist, Path::new("x.toml")) {
            Ok(r) => r,
            Err(d) => panic!(
                "render failed: {:?}",
                d.0.iter().map(|d| d.message.clone()).collect::<Vec<_>>()
            ),
        };
    (
        rendered.artifact.expect("not skipped").content,
        rendered.warnings,
    )
}

/// Frontmatter text and body of a `---` fenced file (clean files only).
pub fn split(text: &str) -> (String, String) {
    let text = text.replace("\r\n", "\n");
    let Some(rest) = text.strip_prefix("---\n") else {
        return (String::new(), text);
    };
    match rest.find("\n---\n") {
        Some(i) => (rest[..i + 1].to_string(), rest[i + 5..].to_string()),
        None => match rest.find("\n---") {
            Some(i) => (rest[..i + 1].to_string(), rest[i + 4..].to_string()),
            None => (rest.to_string(), String::new()),
        },
    }
}

/// Whitespace normalisation of Invariant 5: LF line ends, no trailing spaces, no
/// blank lines at the edges, and runs of blank lines (including the empty run a
/// heading may have instead of a blank line) are one blank line.
pub fn normalise(text: &str) -> String {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let lines: Vec<&str> = text.lines().map(|l| l.trim_end()).collect();
    let mut out: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let heading = line.starts_with("## ") || *line == "##";
        if heading && out.last().is_some_and(|l| !l.is_empty()) {
            out.push("");
        }
        if line.is_empty() && out.last().is_none_or(|l| l.is_empty()) {
            continue;
        }
        out.push(line);
        let next_blank = lines.get(i + 1).is_none_or(|l| l.trim().is_empty());
        if heading && !next_blank {
            out.push("");
        }
    }
    while out.last() == Some(&"") {
        out.pop();
    }
    out.join("\n")
}

/// The seed whose file name starts with `prefix` (`../shared/seeds`), or `None`
/// with a note when `../shared` is absent.
pub fn seed(prefix: &str) -> Option<(PathBuf, String)> {
    let dir = super::shared("seeds")?;
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("seeds folder")
        .map(|e| e.expect("dir entry").path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one {prefix}* seed in {}: {found:?}",
        dir.display()
    );
    let path = found.remove(0);
    let text = std::fs::read_to_string(&path).expect("seed text");
    Some((path, text))
}

/// The agent files of the corpus: `*.md` files in `agents/` folders, recursively.
pub fn corpus_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.filter_map(Result::ok) {
        let p = e.path();
        if p.is_dir() {
            corpus_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "md")
            && p.parent().is_some_and(|d| d.ends_with("agents"))
        {
            out.push(p);
        }
    }
}

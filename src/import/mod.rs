//! Importing legacy agent files: text → canonical `Spec`, losing nothing.
//!
//! Stage: the first of the pipeline (`legacy .md / XML v2.0 → agents/*.toml`).
//! Input: a file's path (for diagnostics and a fallback name) and its text.
//! Output: an `Imported` spec and the warnings for everything that had to be
//! recovered, or one error diagnostic when the file cannot be read as an agent.
//!
//! Steps: clean the text (BOM, CRLF) → find and read the frontmatter
//! (`frontmatter`, tolerant) → metadata and `[extra]` (`meta`) → the body, as the
//! XML v2.0 form (`xml`) or as Markdown (`markdown`, which lifts agentc's own
//! canonical headings back into fields via `lift`) → each free section's kind
//! (`classify`, from its heading or content) → the description (a derived
//! one is stored as absent, so round trips are exact). `write` turns a spec into
//! TOML a person can edit; `batch` imports many files (the only I/O here).

pub mod batch;
pub mod classify;
pub mod frontmatter;
mod headings;
pub mod lift;
pub mod markdown;
mod meta;
mod recover;
pub mod write;
pub mod xml;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diag::{Code, Diagnostic};
use crate::load::Loaded;
use crate::lower::derive_description;
use crate::spec::Spec;
use crate::support::text::normalize as text;

/// The legacy form a file was read as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Form {
    /// Markdown with YAML frontmatter (Claude Code style).
    Markdown,
    /// Markdown with no frontmatter.
    PlainMarkdown,
    /// YAML frontmatter and an XML-tag body (seeds/004).
    Xml,
    /// The well-formed variant: `<?xml …?><agent><frontmatter>…`.
    XmlStrict,
}

/// An imported spec and what was recovered on the way.
#[derive(Debug, Clone)]
pub struct Imported {
    pub spec: Spec,
    pub form: Form,
    pub warnings: Vec<Diagnostic>,
}

/// What the stages share: the file and the warnings found so far.
pub struct Ctx {
    path: PathBuf,
    source: Arc<str>,
    warnings: Vec<Diagnostic>,
}

impl Ctx {
    #[cfg(test)]
    fn for_test(source: &str) -> Ctx {
        Ctx {
            path: PathBuf::from("t.md"),
            source: Arc::from(source),
            warnings: Vec::new(),
        }
    }

    /// A warning at byte `at` of the (cleaned) file text, spanning to its line end.
    fn warn(&mut self, code: Code, message: impl Into<String>, at: usize) {
        let mut at = at.min(self.source.len());
        while !self.source.is_char_boundary(at) {
            at -= 1;
        }
        let line = self.source[at..].split('\n').next().unwrap_or("");
        // Long lines (a one-line description) get a short caret, not a page of them.
        let end = at + line.char_indices().nth(40).map_or(line.len(), |(i, _)| i);
        let d = Diagnostic::warning(code, message)
            .at(&self.path)
            .span(&self.source, at..end);
        self.warnings.push(d);
    }
}

/// Imports the legacy file at `path` in memory, as a loaded spec (its source
/// text the file's), with the warnings of what was recovered.
pub fn import_file(path: &Path) -> Result<(Loaded, Vec<Diagnostic>), Diagnostic> {
    let bytes = crate::support::fs::read(path)?;
    let imported = import_bytes(path, &bytes)?;
    let loaded = Loaded {
        path: path.to_path_buf(),
        source: Arc::from(String::from_utf8_lossy(&bytes).as_ref()),
        spec: imported.spec,
    };
    Ok((loaded, imported.warnings))
}

/// Reads raw bytes: invalid UTF-8 is an error naming the offset.
pub fn import_bytes(path: &Path, bytes: &[u8]) -> Result<Imported, Diagnostic> {
    match std::str::from_utf8(bytes) {
        Ok(text) => import(path, text),
        Err(e) => {
            let at = e.valid_up_to();
            let lossy: Arc<str> = Arc::from(String::from_utf8_lossy(bytes).as_ref());
            Err(Diagnostic::error(
                Code::InvalidUtf8,
                format!("not UTF-8 text (invalid byte at offset {at})"),
            )
            .at(path)
            .span(&lossy, at..at)
            .help("agent files are UTF-8 text; re-encode the file"))
        }
    }
}

/// Imports one legacy agent file (Markdown with or without frontmatter, or the
/// XML v2.0 form) into a canonical spec.
pub fn import(path: &Path, text: &str) -> Result<Imported, Diagnostic> {
    let (clean, notes) = clean(text);
    let source: Arc<str> = Arc::from(clean.as_str());
    check_readable(path, &source)?;
    let mut ctx = Ctx {
        path: path.to_path_buf(),
        source: source.clone(),
        warnings: Vec::new(),
    };
    for (code, msg) in notes {
        ctx.warn(code, msg, 0);
    }
    let mut spec = Spec::default();
    let parts = locate(&source, &mut ctx);
    let description = meta::apply(&parts.entries, &mut spec, &mut ctx);
    name(&mut spec, path, &parts, &mut ctx);
    let body = &source[parts.body.clone()];
    let form = if parts.strict {
        xml::read(body, parts.body.start, &mut spec, &mut ctx);
        Form::XmlStrict
    } else if xml::is_xml_body(body) {
        xml::read(body, parts.body.start, &mut spec, &mut ctx);
        Form::Xml
    } else {
        markdown::read(body, &mut spec);
        lift::lift(&mut spec);
        meta::claude_tools(&parts.entries, &mut spec, &mut ctx);
        if !parts.has_frontmatter {
            Form::PlainMarkdown
        } else {
            Form::Markdown
        }
    };
    for s in &mut spec.sections {
        s.kind = classify::classify(&s.title, &s.body);
    }
    warn_control_chars(&source, &mut ctx);
    spec.description = decide_description(description, &spec, &mut ctx);
    Ok(Imported {
        spec,
        form,
        warnings: ctx.warnings,
    })
}

/// Binary and empty files are not agents.
fn check_readable(path: &Path, source: &Arc<str>) -> Result<(), Diagnostic> {
    if let Some(at) = source.find('\0') {
        let d = Diagnostic::error(
            Code::Binary,
            "a binary file (it holds NUL bytes), not an agent",
        );
        return Err(d.at(path).span(source, at..at + 1));
    }
    if source.trim().is_empty() {
        let d = Diagnostic::error(Code::Empty, "the file is empty")
            .at(path)
            .span(source, 0..0);
        return Err(d.help("an agent needs at least a body"));
    }
    Ok(())
}

/// The frontmatter entries and where the body is.
struct Parts {
    entries: Vec<frontmatter::Entry>,
    body: std::ops::Range<usize>,
    strict: bool,
    has_frontmatter: bool,
}

fn locate(source: &str, ctx: &mut Ctx) -> Parts {
    if let Some(p) = xml::strict_parts(source) {
        return Parts {
            entries: frontmatter::parse(&p.frontmatter, p.frontmatter_at, ctx),
            body: p.body_at..p.body_end,
            strict: true,
            has_frontmatter: true,
        };
    }
    let split = frontmatter::split(source, ctx);
    let entries = match &split.frontmatter {
        Some((fm, at)) => frontmatter::parse(fm, *at, ctx),
        None => {
            let msg = "the file has no frontmatter; the agent is named after the file";
            ctx.warn(Code::NoFrontmatter, msg, 0);
            Vec::new()
        }
    };
    Parts {
        entries,
        body: split.body_offset..source.len(),
        strict: false,
        has_frontmatter: split.frontmatter.is_some(),
    }
}

/// A missing name comes from the file name; any name is made an identifier.
fn name(spec: &mut Spec, path: &Path, parts: &Parts, ctx: &mut Ctx) {
    let entries = &parts.entries;
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name_at = entries
        .iter()
        .find(|e| e.key.eq_ignore_ascii_case("name"))
        .map_or(0, |e| e.offset);
    if spec.name.is_empty() && parts.has_frontmatter {
        let msg =
            format!("the frontmatter has no `name`; the agent is named after the file (`{stem}`)");
        ctx.warn(Code::NoName, msg, 0);
    }
    meta::normalise_name(spec, &stem, name_at, ctx);
}

/// Drops a BOM and makes line ends LF, saying so.
fn clean(text: &str) -> (String, Vec<(Code, &'static str)>) {
    let mut notes = Vec::new();
    let mut s = text;
    if let Some(rest) = s.strip_prefix('\u{feff}') {
        notes.push((
            Code::Bom,
            "the file starts with a byte order mark; dropped it",
        ));
        s = rest;
    }
    if !s.contains('\r') {
        return (s.to_string(), notes);
    }
    notes.push((
        Code::LineEnds,
        "the file has CR or CRLF line ends; read them as LF",
    ));
    (s.replace("\r\n", "\n").replace('\r', "\n"), notes)
}

fn warn_control_chars(source: &str, ctx: &mut Ctx) {
    let found = source
        .char_indices()
        .find(|(_, c)| c.is_control() && !matches!(c, '\n' | '\t'));
    if let Some((at, c)) = found {
        let msg = format!(
            "the file holds control characters (first: U+{:04X}); kept as they are",
            c as u32
        );
        ctx.warn(Code::ControlCharacter, msg, at);
    }
}

/// The description to store: `None` when it is the one lowering derives anyway.
fn decide_description(given: Option<String>, spec: &Spec, ctx: &mut Ctx) -> Option<String> {
    let role = spec.role.as_deref().map(text).unwrap_or_default();
    let triggers: Vec<String> = spec.triggers.iter().map(|t| text(t)).collect();
    let derived = derive_description(&role, &triggers, &spec.name);
    match given.map(|d| text(&d)) {
        Some(d) if d == derived => None,
        Some(d) if !d.is_empty() => Some(d),
        _ => {
            let shown: String = derived.chars().take(60).collect();
            ctx.warn(
                Code::DerivedDescription,
                format!("no description; the one derived from the body is used (\"{shown}…\")"),
                0,
            );
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Classifying keeps every section's title and text as written and in order.
    #[test]
    fn kinds_leave_titles_bodies_and_order_alone() {
        let body = "You are x.\n\n## Output\n\nA **table**.\n\n## Miscellany\n\nwords\n\n## Capabilities\n\n- a\n";
        let i = import(Path::new("x.md"), body).expect("imports");
        let got: Vec<(&str, Option<&str>, &str)> = i
            .spec
            .sections
            .iter()
            .map(|s| (s.title.as_str(), s.kind.map(|k| k.name()), s.body.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                ("Output", Some("output_format"), "A **table**."),
                ("Miscellany", None, "words"),
                ("Capabilities", Some("expertise"), "- a"),
            ]
        );
    }
}

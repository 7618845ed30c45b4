//! Where in a TOML file a value is: the one span finder for every diagnostic
//! that points into a spec, a target file or `agentc.toml`.
//!
//! A file is parsed into toml's spanned tree once where it is loaded; the
//! failing paths that meet a file again (a duplicate name, a bad option in a
//! target file) call [`find`], which parses the text it is given.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use toml::de::{DeTable, DeValue};

use super::Diagnostic;

/// One step into a TOML document: a table key or an array index.
#[derive(Debug, Clone, Copy)]
pub enum Key<'a> {
    K(&'a str),
    I(usize),
}

/// The span of the value at `path` in a parsed document.
pub fn locate(doc: &DeTable, path: &[Key]) -> Option<Range<usize>> {
    let mut value: Option<&toml::Spanned<DeValue>> = None;
    let mut table = Some(doc);
    for step in path {
        let next = match (*step, table, value.map(|v| v.get_ref())) {
            (Key::K(k), Some(t), _) => t.get(k),
            (Key::I(i), _, Some(DeValue::Array(a))) => a.get(i),
            _ => None,
        };
        let v = next?;
        table = match v.get_ref() {
            DeValue::Table(t) => Some(t),
            _ => None,
        };
        value = Some(v);
    }
    value.map(|v| v.span())
}

/// The span of the value at a path of table keys.
pub fn value_span(doc: &DeTable, keys: &[&str]) -> Option<Range<usize>> {
    let path: Vec<Key> = keys.iter().map(|k| Key::K(k)).collect();
    locate(doc, &path)
}

/// The span of the key itself (not its value) of the top-level entry `key`.
pub fn key_span(doc: &DeTable, key: &str) -> Option<Range<usize>> {
    doc.iter()
        .find(|(k, _)| k.get_ref() == key)
        .map(|(k, _)| k.span())
}

/// Parses `text` (as far as it parses) and finds the value at `path`.
pub fn find(text: &str, path: &[Key]) -> Option<Range<usize>> {
    let (doc, _) = DeTable::parse_recoverable(text);
    locate(doc.get_ref(), path)
}

/// Points `d` at `file`, and at the value at `path` when its `text` has one.
pub fn point(d: Diagnostic, file: &Path, text: &Arc<str>, path: &[Key]) -> Diagnostic {
    let d = d.at(file);
    match find(text, path) {
        Some(span) => d.span(text, span),
        None => d,
    }
}

/// One-based line and character column of byte offset `at` in `source`.
pub fn line_col(source: &str, at: usize) -> (usize, usize) {
    let at = floor_char_boundary(source, at.min(source.len()));
    let before = &source[..at];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, source[line_start..at].chars().count() + 1)
}

fn floor_char_boundary(s: &str, mut at: usize) -> usize {
    while !s.is_char_boundary(at) {
        at -= 1;
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_characters() {
        let cases = [
            ("abc", 0, (1, 1)),
            ("abc", 2, (1, 3)),
            ("a\nbc", 2, (2, 1)),
            ("a\nbc", 3, (2, 2)),
            ("é\nxé", 4, (2, 2)),
            ("é", 1, (1, 1)),
        ];
        for (src, at, want) in cases {
            assert_eq!(line_col(src, at), want, "{src:?} at {at}");
        }
    }

    #[test]
    fn finds_values_by_keys_and_indexes() {
        let text = "a = 1\n[t]\nlist = [\"x\", \"y\"]\n[[r]]\nid = \"1\"\n[[r]]\nid = \"2\"\n";
        let at = |path: &[Key]| find(text, path).map(|s| &text[s]);
        assert_eq!(at(&[Key::K("a")]), Some("1"));
        assert_eq!(at(&[Key::K("t"), Key::K("list"), Key::I(1)]), Some("\"y\""));
        assert_eq!(at(&[Key::K("r"), Key::I(1), Key::K("id")]), Some("\"2\""));
        assert_eq!(at(&[Key::K("t"), Key::K("nope")]), None);
        assert_eq!(at(&[Key::K("a"), Key::I(0)]), None);
        let (doc, _) = DeTable::parse_recoverable(text);
        assert_eq!(key_span(doc.get_ref(), "a").map(|s| &text[s]), Some("a"));
    }
}

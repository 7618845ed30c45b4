//! Import stage 1: finding the frontmatter and reading it, tolerantly.
//!
//! Input: the whole (BOM-free, LF) text of a legacy file. Output: the body's byte
//! offset and the frontmatter entries in file order, each a key, its value as YAML
//! reads it (a JSON value) and the raw scalar text written on the key's line.
//!
//! The frontmatter is parsed as YAML first. When that fails, it is cut into
//! entries line by line (a top-level `key:` line and its indented continuation)
//! and each entry is parsed alone; an entry YAML cannot read is recovered from its
//! raw text. Either way, a plain value that YAML would cut at a `#` (read as a
//! comment) is recovered in full. Every recovery is a warning saying why.

use crate::diag::Code;
use serde_json::Value;

use super::Ctx;
use super::recover::{Chunk, first_line, parse_chunk, recover_comment, strip_comment};
use crate::support::yaml;

/// One `key: value` of the frontmatter.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub key: String,
    pub value: Value,
    /// The scalar as written on the key's line (comment removed), e.g. `2.0`.
    pub raw: String,
    /// The whole entry as written: its key line and continuation lines.
    pub text: String,
    /// Byte offset of the key in the file.
    pub offset: usize,
}

/// Where the frontmatter and the body are.
#[derive(Debug, Clone, PartialEq)]
pub struct Split {
    /// The frontmatter text (without fences) and its byte offset, if there is one.
    pub frontmatter: Option<(String, usize)>,
    pub body_offset: usize,
}

/// Finds a `---` fenced block at the top, allowing blank lines before it and
/// indentation of the fences and of the whole block.
pub fn split(text: &str, ctx: &mut Ctx) -> Split {
    let mut lines = lines_with_offsets(text);
    let none = Split {
        frontmatter: None,
        body_offset: 0,
    };
    let Some((open_at, open)) = lines.find(|(_, l)| !l.trim().is_empty()) else {
        return none;
    };
    if open.trim() != "---" {
        return none;
    }
    let start = open_at + open.len() + 1;
    // A closing fence longer than `---` (a line of dashes people draw) closes too.
    let closes = |l: &str| {
        let l = l.trim();
        l == "..." || (l.len() >= 3 && l.bytes().all(|b| b == b'-'))
    };
    let Some((close_at, close)) = lines.find(|(_, l)| closes(l)) else {
        ctx.warn(
            Code::NoFrontmatterEnd,
            "the frontmatter has no closing `---`; read the file as a body",
            open_at,
        );
        return none;
    };
    if open_at > 0
        || open.starts_with(char::is_whitespace)
        || close.starts_with(char::is_whitespace)
    {
        ctx.warn(
            Code::FrontmatterLayout,
            "blank lines or indentation around the frontmatter fences were ignored",
            open_at,
        );
    }
    if close.trim().len() > 3 && close.trim() != "..." {
        ctx.warn(
            Code::FrontmatterLayout,
            format!(
                "the frontmatter closes with a line of {} dashes; read as `---`",
                close.trim().len()
            ),
            close_at,
        );
    }
    let inner = &text[start.min(close_at)..close_at];
    let body_offset = (close_at + close.len() + 1).min(text.len());
    Split {
        frontmatter: Some((dedent(inner, start, ctx), start)),
        body_offset,
    }
}

fn lines_with_offsets(text: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut at = 0;
    text.split('\n').map(move |l| {
        let here = at;
        at += l.len() + 1;
        (here, l)
    })
}

/// Removes indentation shared by every non-blank line, keeping offsets meaningful
/// only when there is none (the common case).
fn dedent(inner: &str, offset: usize, ctx: &mut Ctx) -> String {
    let indent = inner
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    if indent == 0 {
        return inner.to_string();
    }
    ctx.warn(
        Code::FrontmatterLayout,
        format!("the frontmatter is indented by {indent} spaces; read it dedented"),
        offset,
    );
    inner
        .lines()
        .map(|l| l.get(indent..).unwrap_or("").to_string() + "\n")
        .collect()
}

fn chunks<'a>(fm: &'a str, base: usize, ctx: &mut Ctx) -> Vec<Chunk<'a>> {
    let mut out: Vec<Chunk> = Vec::new();
    for (at, line) in lines_with_offsets(fm) {
        // YAML never indents with tabs: a tab-indented `key:` is a key.
        let untabbed = line.trim_start_matches('\t');
        let line = match top_level_key(untabbed) {
            Some(_) if untabbed.len() < line.len() => {
                ctx.warn(
                    Code::FrontmatterLayout,
                    "a key indented with a tab was read as a key",
                    base + at,
                );
                untabbed
            }
            _ => line,
        };
        match top_level_key(line) {
            Some((key, inline)) => out.push(Chunk {
                key,
                offset: base + at,
                inline,
                text: format!("{line}\n"),
            }),
            None => match out.last_mut() {
                Some(c) => {
                    c.text.push_str(line);
                    c.text.push('\n');
                }
                None if line.trim().is_empty() || line.starts_with('#') => {}
                None => ctx.warn(
                    Code::FrontmatterLine,
                    format!("ignored a frontmatter line with no key: `{}`", line.trim()),
                    base + at,
                ),
            },
        }
    }
    out
}

/// `key: rest` at column 0 (keys may be quoted).
fn top_level_key(line: &str) -> Option<(String, &str)> {
    if line.starts_with([' ', '\t', '#', '-', '[', '{']) || line.is_empty() {
        return None;
    }
    let (key, rest) = match line.strip_prefix(['"', '\'']) {
        Some(q) => {
            let quote = &line[..1];
            let end = q.find(quote)?;
            (
                q[..end].to_string(),
                q[end + 1..].trim_start().strip_prefix(':')?,
            )
        }
        None => {
            let ends_key = |i: usize| i + 1 == line.len() || line[i + 1..].starts_with([' ', '\t']);
            let colon = match line.char_indices().find(|&(i, c)| c == ':' && ends_key(i)) {
                Some((i, _)) => i,
                // `name:value` at column 0 can only be a key missing its space.
                None => line
                    .find(':')
                    .filter(|&i| is_word(&line[..i]) && !line[i..].starts_with("://"))?,
            };
            (line[..colon].trim_end().to_string(), &line[colon + 1..])
        }
    };
    (!key.is_empty()).then_some((key, rest.trim()))
}

fn is_word(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Reads the entries of one frontmatter text (at byte `base` of the file).
pub fn parse(fm: &str, base: usize, ctx: &mut Ctx) -> Vec<Entry> {
    let chunks = chunks(fm, base, ctx);
    let whole = match whole(fm, base, ctx) {
        Ok(map) => map,
        Err(entry) => return vec![entry],
    };
    let mut out: Vec<Entry> = Vec::new();
    for (i, c) in chunks.iter().enumerate() {
        let seen = out.iter().any(|e| e.key == c.key);
        // A key given twice: YAML's reading of the whole holds only one of
        // its values, so each line is read on its own (the first stays under
        // its key, the second goes to `<key>_2`, as the warning says).
        let repeated = seen || chunks[i + 1..].iter().any(|d| d.key == c.key);
        let value = match whole.as_ref().and_then(|m| m.get(&c.key)) {
            Some(v) if !repeated => v.clone(),
            _ => parse_chunk(c, ctx),
        };
        let value = recover_comment(c, value, ctx);
        let mut key = c.key.clone();
        if seen {
            let msg =
                format!("`{key}` is given twice; the second is kept as `{key}_2` in `[extra]`");
            ctx.warn(Code::DuplicateKey, msg, c.offset);
            key.push_str("_2");
        }
        let raw = strip_comment(c.inline).to_string();
        out.push(Entry {
            key,
            value,
            raw,
            text: c.text.clone(),
            offset: c.offset,
        });
    }
    // Keys YAML read that no `key:` line shows (flow mappings, complex keys).
    for (key, value) in whole.into_iter().flatten() {
        if !out.iter().any(|e| e.key == key) {
            out.push(Entry {
                key,
                value,
                raw: String::new(),
                text: String::new(),
                offset: base,
            });
        }
    }
    out
}

/// The frontmatter read as one YAML mapping: `Ok(None)` when it is not valid
/// YAML (recover entry by entry), `Err` with the whole text kept when it is YAML
/// but not a mapping.
fn whole(
    fm: &str,
    base: usize,
    ctx: &mut Ctx,
) -> Result<Option<serde_json::Map<String, Value>>, Entry> {
    match yaml::parse(fm) {
        Ok(Value::Object(map)) => Ok(Some(map)),
        Ok(Value::Null) => Ok(Some(Default::default())),
        Ok(_) => {
            let msg = "the frontmatter is not a `key: value` mapping; kept its text as `extra.frontmatter`";
            ctx.warn(Code::FrontmatterNotMapping, msg, base);
            let value = Value::String(fm.to_string());
            Err(Entry {
                key: "frontmatter".into(),
                value,
                raw: String::new(),
                text: String::new(),
                offset: base,
            })
        }
        Err(e) => {
            let at = e.offset.map_or(base, |o| base + o);
            let msg = format!(
                "the frontmatter is not valid YAML ({}); recovered it entry by entry",
                first_line(&e.message)
            );
            ctx.warn(Code::InvalidYaml, msg, at);
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn key_lines() {
        let cases = [
            ("name: x", Some(("name", "x"))),
            ("url: http://x.y", Some(("url", "http://x.y"))),
            ("key:", Some(("key", ""))),
            ("\"q k\": v", Some(("q k", "v"))),
            ("  name: x", None),
            ("- a", None),
            ("a:b", Some(("a", "b"))),
            ("http://x", None),
            ("a b:c", None),
            ("# c: d", None),
            ("", None),
        ];
        for (line, want) in cases {
            let got = top_level_key(line);
            assert_eq!(
                got.as_ref().map(|(k, v)| (k.as_str(), *v)),
                want,
                "{line:?}"
            );
        }
    }

    fn read(fm: &str) -> (Vec<(String, Value, String)>, Vec<&'static str>) {
        let mut ctx = Ctx::for_test(fm);
        let entries = parse(fm, 0, &mut ctx);
        let codes = ctx.warnings.iter().map(|w| w.code.as_str()).collect();
        (
            entries
                .into_iter()
                .map(|e| (e.key, e.value, e.raw))
                .collect(),
            codes,
        )
    }

    #[test]
    fn valid_yaml_is_read_as_yaml_and_keeps_raw_scalars() {
        let (e, codes) = read("name: a\nversion: 2.0\ntools:\n  - Read\n");
        assert!(codes.is_empty(), "{codes:?}");
        assert_eq!(e[1], ("version".into(), json!(2.0), "2.0".into()));
        assert_eq!(e[2].1, json!(["Read"]));
    }

    #[test]
    fn invalid_entries_are_recovered_one_by_one() {
        let (e, codes) = read("name: a\ndescription: x: y\nauthor: @me\ntags: [#a, #b]\nok: 1\n");
        assert_eq!(e[1].1, json!("x: y"));
        assert_eq!(e[2].1, json!("@me"));
        assert_eq!(e[3].1, json!(["#a", "#b"]));
        assert_eq!(e[4].1, json!(1));
        assert_eq!(
            codes.iter().filter(|c| **c == "recovered-value").count(),
            3,
            "{codes:?}"
        );
    }

    #[test]
    fn duplicate_keys_are_kept() {
        let (e, codes) = read("name: a\nname: b\n");
        assert_eq!(e[1].0, "name_2");
        assert!(codes.contains(&"duplicate-key"));
        // The first value stays under the key, the second under `_2`, as the
        // warning says (YAML alone keeps only one of them).
        for text in [
            "description: first\ndescription: second\n",
            "description: first\ntools: Read\ndescription: \"second\"\n",
        ] {
            let (e, _) = read(text);
            let get = |k: &str| {
                e.iter()
                    .find(|(key, _, _)| key == k)
                    .map(|(_, v, _)| format!("{v:?}"))
            };
            assert!(
                get("description").unwrap().contains("first"),
                "{text}: {e:?}"
            );
            assert!(
                get("description_2").unwrap().contains("second"),
                "{text}: {e:?}"
            );
        }
    }

    #[test]
    fn a_long_line_of_dashes_closes_the_frontmatter() {
        for close in ["----", "-----", "----------------------", "  -----  "] {
            let text = format!("---\nname: a\ndescription: d\n{close}\n\nYou are a.\n");
            let mut ctx = Ctx::for_test(&text);
            let s = split(&text, &mut ctx);
            let (fm, _) = s.frontmatter.expect(close);
            assert_eq!(fm.trim(), "name: a\ndescription: d", "{close}");
            assert_eq!(&text[s.body_offset..], "\nYou are a.\n", "{close}");
            assert!(
                ctx.warnings
                    .iter()
                    .any(|w| w.code == Code::FrontmatterLayout),
                "{close}"
            );
        }
        // Two dashes are text, not a fence.
        let text = "---\nname: a\n--\n";
        let mut ctx = Ctx::for_test(text);
        assert!(split(text, &mut ctx).frontmatter.is_none());
    }

    #[test]
    fn fences_may_be_indented_or_preceded_by_blank_lines() {
        let text = "\n  ---\n  name: a\n  ---\nbody\n";
        let mut ctx = Ctx::for_test(text);
        let s = split(text, &mut ctx);
        assert_eq!(s.frontmatter.map(|(f, _)| f), Some("name: a\n".to_string()));
        assert_eq!(&text[s.body_offset..], "body\n");
        let unclosed = split("---\nname: a\n", &mut ctx);
        assert_eq!(unclosed.frontmatter, None);
    }
}

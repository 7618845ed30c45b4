//! Import stage 1b: recovering frontmatter entries YAML cannot read as meant.
//!
//! Input: one entry (`key:` line and its continuation) of a frontmatter. Output:
//! its value, parsed alone when the whole frontmatter is not valid YAML, or read
//! from its raw text (quoted string, flow or block list, plain text) when even
//! that fails; and, for plain values, the text YAML would drop after a `#`.
//! Each recovery is a warning that says why.

use crate::diag::Code;
use serde_json::Value;

use super::Ctx;
use crate::support::yaml;

/// A top-level entry as written: key, its line's value text, continuation lines.
pub(super) struct Chunk<'a> {
    pub(super) key: String,
    pub(super) offset: usize,
    pub(super) inline: &'a str,
    pub(super) text: String,
}

/// serde_yaml's message without its position (relative to the parsed text; the
/// diagnostic carries the position in the file instead).
pub(super) fn first_line(s: &str) -> &str {
    let line = s.lines().next().unwrap_or(s);
    line.find(" at line ").map_or(line, |i| &line[..i])
}

/// Parses one entry alone; when YAML cannot, reads its raw text.
pub(super) fn parse_chunk(c: &Chunk, ctx: &mut Ctx) -> Value {
    if let Ok(Value::Object(map)) = yaml::parse(&c.text)
        && let Some(v) = map.into_iter().next().map(|(_, v)| v)
    {
        return v;
    }
    let reason = match yaml::parse(&c.text) {
        Err(e) => first_line(&e.message).to_string(),
        Ok(_) => "not a `key: value` entry".to_string(),
    };
    let value = raw_value(c);
    ctx.warn(
        Code::RecoveredValue,
        format!(
            "`{}` is not valid YAML ({reason}); read its text as written",
            c.key
        ),
        c.offset,
    );
    value
}

/// The value of an entry read from its text: a quoted string, a flow list,
/// a block list, or the plain text (continuation lines joined by spaces).
fn raw_value(c: &Chunk) -> Value {
    let inline = c.inline;
    let rest: Vec<&str> = c
        .text
        .lines()
        .skip(1)
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect();
    if inline.is_empty() && !rest.is_empty() && rest.iter().all(|l| l.starts_with('-')) {
        return Value::Array(
            rest.iter()
                .map(|l| Value::String(unquote(l[1..].trim())))
                .collect(),
        );
    }
    if let Some(list) = inline.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
        let items = list.split(',').map(str::trim).filter(|s| !s.is_empty());
        return Value::Array(items.map(|s| Value::String(unquote(s))).collect());
    }
    let mut text = unquote(inline);
    for l in rest {
        if !text.is_empty() {
            text.push(' ');
        }
        text.push_str(l);
    }
    Value::String(text)
}

fn unquote(s: &str) -> String {
    if s.len() >= 2 && s.starts_with('"') && s.ends_with('"') {
        if let Ok(v) = serde_json::from_str::<String>(s) {
            return v;
        }
        return s[1..s.len() - 1].to_string();
    }
    if s.len() >= 2 && s.starts_with('\'') && s.ends_with('\'') {
        return s[1..s.len() - 1].replace("''", "'");
    }
    s.to_string()
}

/// A plain value YAML cut at `#` (read as a comment) is taken in full.
pub(super) fn recover_comment(c: &Chunk, value: Value, ctx: &mut Ctx) -> Value {
    let inline = c.inline;
    let plain = !inline.starts_with(['"', '\'', '|', '>', '[', '{', '&', '*', '!']);
    if !plain || comment_at(inline).is_none() {
        return value;
    }
    let recovered = raw_value(c);
    if recovered == value {
        return value;
    }
    // A comment after a value is most likely meant as one (`model: sonnet # fast`);
    // only prose and values YAML reads as empty are taken in full.
    let whole = value.is_null() || c.key.eq_ignore_ascii_case("description");
    if !whole {
        let msg = format!("ignored a YAML comment after the value of `{}`", c.key);
        ctx.warn(Code::YamlComment, msg, c.offset);
        return value;
    }
    ctx.warn(
        Code::HashComment,
        format!(
            "YAML reads the `#` in `{}` as a comment; kept the text after it",
            c.key
        ),
        c.offset,
    );
    recovered
}

/// Byte index of a YAML comment in a plain value: `#` at the start or after a blank.
pub(super) fn comment_at(s: &str) -> Option<usize> {
    s.char_indices()
        .find(|&(i, c)| c == '#' && (i == 0 || s[..i].ends_with([' ', '\t'])))
        .map(|(i, _)| i)
}

/// The raw scalar without a trailing comment (quoted scalars are kept whole).
pub(super) fn strip_comment(s: &str) -> &str {
    if s.starts_with(['"', '\'']) {
        return s;
    }
    match comment_at(s) {
        Some(0) => s,
        Some(i) => s[..i].trim_end(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments_start_at_a_hash_after_a_blank() {
        for (s, want) in [
            ("#a", Some(0)),
            ("a #b", Some(2)),
            ("a\t#b", Some(2)),
            ("C#", None),
            ("x", None),
        ] {
            assert_eq!(comment_at(s), want, "{s:?}");
        }
    }

    #[test]
    fn quoted_scalars_are_unquoted() {
        for (s, want) in [
            ("\"a\\nb\"", "a\nb"),
            ("'it''s'", "it's"),
            ("plain", "plain"),
            ("\"", "\""),
        ] {
            assert_eq!(unquote(s), want, "{s:?}");
        }
        assert_eq!(strip_comment("sonnet # best"), "sonnet");
        assert_eq!(strip_comment("'a # b'"), "'a # b'");
    }
}

//! Every use of `serde_yaml` lives here, so the unmaintained crate can be swapped
//! for another in one place.
//!
//! Frontmatter is a mapping written key by key: each entry is serialized by
//! serde_yaml (which picks plain, quoted or block style so the value reads back
//! as the same string), except the two styles serde_yaml cannot produce and the
//! XML v2.0 form uses: flow lists (`[a, b]`) and plain version numbers.

use serde::Serialize;
use serde_json::Value;

/// How one frontmatter field is written (a target's `style` for the field).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldStyle {
    /// Whatever serde_yaml picks for the value to read back the same.
    #[default]
    Block,
    /// A YAML flow list `[a, b]`.
    Flow,
    /// Digits and dots written plain (`version: 2.0`), as the XML v2.0 form does.
    Version,
}

/// Serializes any value as a YAML document (no leading `---`).
pub fn to_string<T: Serialize>(value: &T) -> Result<String, String> {
    serde_yaml::to_string(value).map_err(|e| e.to_string())
}

/// Parses YAML into a JSON value (the neutral in-memory form used by importers).
pub fn parse(text: &str) -> Result<Value, ParseError> {
    // libyaml takes time quadratic in the depth of flow collections, and serde_yaml
    // rejects more than 128 levels anyway: refuse deep nesting before parsing.
    if let Some(offset) = too_deep(text, 128) {
        return Err(ParseError {
            message: "recursion limit exceeded".into(),
            offset: Some(offset),
        });
    }
    serde_yaml::from_str::<Value>(text).map_err(|e| ParseError {
        message: e.to_string(),
        offset: e.location().map(|l| l.index()),
    })
}

/// The offset where `[`/`{` nesting first passes `limit` (brackets in quoted
/// text count too: erring on the side of refusing is harmless here).
fn too_deep(text: &str, limit: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, b) in text.bytes().enumerate() {
        match b {
            b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(i);
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    None
}

/// A YAML syntax or type error, with the byte offset where the parser stopped.
#[derive(Debug, Clone, PartialEq)]
pub struct ParseError {
    pub message: String,
    pub offset: Option<usize>,
}

/// Writes an ordered mapping as frontmatter lines (without the `---` fences).
pub fn frontmatter(fields: &[(String, Value, FieldStyle)]) -> Result<String, String> {
    let mut out = String::new();
    // Consecutive block-style fields go through one serializer call: starting an
    // emitter costs more than writing a field.
    let mut block = serde_json::Map::new();
    for (key, value, style) in fields {
        let special = match (style, value) {
            (FieldStyle::Flow, Value::Array(items)) => {
                let items = items.iter().map(flow_item).collect::<Result<Vec<_>, _>>()?;
                Some(format!("{}: [{}]\n", plain_key(key)?, items.join(", ")))
            }
            (FieldStyle::Version, Value::String(s)) if is_version_number(s) => {
                Some(format!("{}: {s}\n", plain_key(key)?))
            }
            // Claude Code (and loaders like it) ends the frontmatter at the first
            // `---` anywhere, even inside a quoted value: a value holding one is
            // written as double-quoted flow YAML with no three dashes in a row.
            _ if has_dashes(value) || key.contains("---") => {
                let key = match key.contains("---") {
                    true => dashless(&Value::String(key.clone()))?,
                    false => plain_key(key)?,
                };
                Some(format!("{key}: {}\n", dashless(value)?))
            }
            // A literal `\n` reads, by the habit of hand-written agent files, as a
            // line break (the importer follows that habit): write its backslash as
            // an escape that does not show `\n`.
            (_, Value::String(s)) if s.contains("\\n") => Some(format!(
                "{}: {}\n",
                plain_key(key)?,
                backslash_n_escaped(s)?
            )),
            _ => None,
        };
        match special {
            Some(line) => {
                flush_block(&mut block, &mut out)?;
                out.push_str(&line);
            }
            None => {
                block.insert(key.clone(), value.clone());
            }
        }
    }
    flush_block(&mut block, &mut out)?;
    Ok(out)
}

/// Whether a string in `value` holds three dashes in a row.
fn has_dashes(value: &Value) -> bool {
    match value {
        Value::String(s) => s.contains("---"),
        Value::Array(items) => items.iter().any(has_dashes),
        Value::Object(map) => map.iter().any(|(k, v)| k.contains("---") || has_dashes(v)),
        _ => false,
    }
}

/// `value` as flow YAML (double-quoted strings, `[…]`, `{…}`) in which no two
/// dashes follow each other: each dash after a dash is the escape `\x2D`, so
/// the text never holds `---` while YAML reads the same value.
fn dashless(value: &Value) -> Result<String, String> {
    Ok(match value {
        Value::String(s) => {
            let quoted = backslash_n_escaped(s)?;
            let mut out = String::with_capacity(quoted.len() + 8);
            let mut after_dash = false;
            for c in quoted.chars() {
                match c {
                    '-' if after_dash => out.push_str("\\x2D"),
                    _ => out.push(c),
                }
                after_dash = c == '-';
            }
            out
        }
        Value::Array(items) => {
            let items = items.iter().map(dashless).collect::<Result<Vec<_>, _>>()?;
            format!("[{}]", items.join(", "))
        }
        Value::Object(map) => {
            let mut pairs = Vec::new();
            for (k, v) in map {
                pairs.push(format!(
                    "{}: {}",
                    dashless(&Value::String(k.clone()))?,
                    dashless(v)?
                ));
            }
            format!("{{{}}}", pairs.join(", "))
        }
        other => serde_json::to_string(other).map_err(|e| e.to_string())?,
    })
}

fn flush_block(block: &mut serde_json::Map<String, Value>, out: &mut String) -> Result<(), String> {
    if !block.is_empty() {
        out.push_str(&to_string(&*block)?);
        block.clear();
    }
    Ok(())
}

fn plain_key(key: &str) -> Result<String, String> {
    Ok(to_string(&key)?.trim_end().to_string())
}

/// One item of a flow list: serde_yaml's scalar when it is quoted or safe in a
/// flow context, else a double-quoted (JSON) string, which YAML reads the same.
fn flow_item(item: &Value) -> Result<String, String> {
    let yaml = to_string(item)?;
    let yaml = yaml.trim_end();
    let quoted = yaml.starts_with('\'') || yaml.starts_with('"');
    let flow_safe = !yaml.contains('\n')
        && !yaml.contains([',', '[', ']', '{', '}', '#', ':'])
        && !yaml.starts_with(['|', '>', '-', '?', ':', '&', '*', '!']);
    if item.is_string() && !(quoted || flow_safe) {
        return serde_json::to_string(item).map_err(|e| e.to_string());
    }
    if !item.is_string() && yaml.contains('\n') {
        return serde_json::to_string(item).map_err(|e| e.to_string());
    }
    Ok(yaml.to_string())
}

/// `s` double-quoted, each backslash before an `n` written `\x5C`. JSON quoting
/// does the rest, but leaves raw what YAML reads otherwise inside double quotes:
/// DEL and the C1 controls (not printable; NEL is a line break), the line and
/// paragraph separators (line breaks), the BOM and the two non-characters.
fn backslash_n_escaped(s: &str) -> Result<String, String> {
    let json = serde_json::to_string(s).map_err(|e| e.to_string())?;
    let mut out = String::with_capacity(json.len() + 8);
    let mut chars = json.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // JSON escapes are a backslash and one character (`\uXXXX` is
            // followed by plain hex digits).
            '\\' => {
                out.push(c);
                match chars.next() {
                    Some('\\') if chars.peek() == Some(&'n') => out.push_str("x5C"),
                    Some(e) => out.push(e),
                    None => {}
                }
            }
            '\u{7f}'..='\u{9f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{feff}'
            | '\u{fffe}'
            | '\u{ffff}' => out.push_str(&format!("\\u{:04X}", c as u32)),
            _ => out.push(c),
        }
    }
    Ok(out)
}

/// Whether double-quoted YAML text has the escape `\\` followed by an `n`: the
/// reading side of `backslash_n_escaped`, which never writes one.
pub fn escaped_backslash_before_n(text: &str) -> bool {
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.next() == Some('\\') && chars.peek() == Some(&'n') {
            return true;
        }
    }
    false
}

fn is_version_number(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').count() >= 2
        && s.split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse_back(text: &str) -> Value {
        parse(text).expect("valid yaml")
    }

    #[test]
    fn hostile_strings_read_back_the_same() {
        let nasty = [
            "plain",
            "a: b",
            "#hash",
            "@at",
            "x #y",
            "line1\nline2",
            "<example>\nuser: \"hi\"\n</example>",
            "'quoted'",
            "\"dq\"",
            "true",
            "2.0",
            "",
            " lead",
            "trail ",
            "{{ x }}",
            "- dash",
            "tab\there",
            "ctrl\u{1}\u{7f}",
            "emoji 🚀",
            "back\\slash",
            "Use \\n",
            "a\\nb\nc",
            "\\n ctl \u{1} del \u{7f} nel \u{85} c1 \u{9f} ls \u{2028} ps \u{2029} bom \u{feff} nc \u{fffe}\u{ffff} 🚀",
            "---",
            "...",
            "®:?",
        ];
        for s in nasty {
            let fields = vec![("k".to_string(), json!(s), FieldStyle::Block)];
            let text = frontmatter(&fields).unwrap();
            assert_eq!(parse_back(&text)["k"], json!(s), "{s:?} -> {text}");
            let flow = vec![("k".to_string(), json!([s, "b"]), FieldStyle::Flow)];
            let text = frontmatter(&flow).unwrap();
            assert_eq!(parse_back(&text)["k"], json!([s, "b"]), "{s:?} -> {text}");
        }
    }

    #[test]
    fn a_literal_backslash_n_is_double_quoted() {
        let fields = vec![("d".to_string(), json!("Use \\n"), FieldStyle::Block)];
        assert_eq!(frontmatter(&fields).unwrap(), "d: \"Use \\x5Cn\"\n");
        let tricky = "a\\\nb\\\\nc\\";
        let fields = vec![("d".to_string(), json!(tricky), FieldStyle::Block)];
        let text = frontmatter(&fields).unwrap();
        assert_eq!(text, "d: \"a\\\\\\nb\\\\\\x5Cnc\\\\\"\n");
        assert_eq!(parse_back(&text)["d"], json!(tricky));
    }

    #[test]
    fn escaped_backslashes_are_told_from_newline_escapes() {
        assert!(escaped_backslash_before_n(r#"d: "a\\nb""#));
        assert!(!escaped_backslash_before_n(r#"d: "a\nb \x5Cn""#));
        assert!(!escaped_backslash_before_n(r#"d: "a\\\nb \x5Cn""#));
    }

    #[test]
    fn xml_form_styles() {
        let fields = vec![
            ("version".to_string(), json!("2.0"), FieldStyle::Version),
            (
                "tools".to_string(),
                json!(["Write", "Read"]),
                FieldStyle::Flow,
            ),
            ("other".to_string(), json!("2.0"), FieldStyle::Block),
        ];
        assert_eq!(
            frontmatter(&fields).unwrap(),
            "version: 2.0\ntools: [Write, Read]\nother: '2.0'\n"
        );
    }

    #[test]
    fn no_value_or_key_writes_three_dashes() {
        for value in [
            json!("---"),
            json!("Use it when a --- b"),
            json!("a ----- b\\n c"),
            json!(["x", "--- y"]),
            json!({ "k---": "v", "w": ["----"] }),
        ] {
            let fields = vec![("d".to_string(), value.clone(), FieldStyle::Block)];
            let text = frontmatter(&fields).unwrap();
            assert!(!text.contains("---"), "{text}");
            assert_eq!(parse(&text).unwrap()["d"], value, "{text}");
        }
        let fields = vec![("a---b".to_string(), json!("x"), FieldStyle::Block)];
        let text = frontmatter(&fields).unwrap();
        assert!(!text.contains("---"), "{text}");
        assert_eq!(parse(&text).unwrap()["a---b"], "x", "{text}");
        let fields = vec![("d".to_string(), json!("---"), FieldStyle::Block)];
        assert_eq!(frontmatter(&fields).unwrap(), "d: \"-\\x2D\\x2D\"\n");
        // Two dashes stay as written.
        let fields = vec![("d".to_string(), json!("run --verbose"), FieldStyle::Block)];
        assert_eq!(frontmatter(&fields).unwrap(), "d: run --verbose\n");
    }
}

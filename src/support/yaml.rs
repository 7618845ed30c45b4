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

/// Frontmatter fields in order: key, value, style.
pub type Fields = Vec<(String, Value, FieldStyle)>;

/// The fields of a frontmatter for a tool that does not parse YAML but splits
/// each line at its first colon and keeps the rest, trimmed (Cursor), made fit
/// for [`plain_frontmatter`]: every string a plain one-line YAML scalar, so that
/// a YAML reader and the tool read the same text. A string that cannot be one
/// is normalised (never quoted: the tool would keep the quotes); a list, a map
/// or a string with nothing left is left out. Returns the fields and, for each
/// field changed or left out, what happened to it.
pub fn plain_fields(fields: Fields) -> Result<(Fields, Vec<String>), String> {
    let mut out = Vec::with_capacity(fields.len());
    let mut notes = Vec::new();
    for (key, value, style) in fields {
        if !is_plain_key(&key) {
            return Err(format!(
                "frontmatter key `{key}` is not a plain one-line key"
            ));
        }
        let value = match value {
            Value::Null => continue,
            Value::String(s) => {
                let (plain, changes) = plain_scalar(&s);
                if plain.is_empty() {
                    notes.push(format!(
                        "`{key}` left out: nothing of it can be written as one plain line"
                    ));
                    continue;
                }
                if !changes.is_empty() {
                    notes.push(format!(
                        "`{key}` written as one plain line, as the tool reads frontmatter \
                         line by line (not as YAML): {}",
                        changes.join(", ")
                    ));
                }
                if reads_as_non_string(&plain) {
                    notes.push(format!(
                        "`{key}: {plain}` is read as text by the tool but as a number, a \
                         boolean or null by a YAML reader (a plain line cannot be quoted)"
                    ));
                }
                Value::String(plain)
            }
            Value::Array(_) | Value::Object(_) => {
                notes.push(format!(
                    "`{key}` left out: a list or a map cannot be written as one plain line"
                ));
                continue;
            }
            other => other,
        };
        out.push((key, value, style));
    }
    Ok((out, notes))
}

/// Writes fields made fit by [`plain_fields`]: `key: value`, one line each.
pub fn plain_frontmatter(fields: &[(String, Value, FieldStyle)]) -> Result<String, String> {
    let mut out = String::new();
    for (key, value, _) in fields {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Bool(_) | Value::Number(_) => value.to_string(),
            _ => return Err(format!("`{key}` is not a plain scalar")),
        };
        if !is_plain_key(key) || text.contains(['\n', '\r']) {
            return Err(format!("`{key}` is not one plain line"));
        }
        out.push_str(&format!("{key}: {text}\n"));
    }
    Ok(out)
}

/// `s` as a plain one-line YAML scalar that a YAML reader reads as the same
/// string and a line splitter (first colon, trim) reads as written, with what
/// was changed to get there (empty: `s` as it is).
pub fn plain_scalar(s: &str) -> (String, Vec<&'static str>) {
    let mut changes = Vec::new();
    // Line breaks, tabs, controls and every other white space: one space each run.
    let mut flat = String::with_capacity(s.len());
    let mut space = false;
    for c in s.chars() {
        let blank = c.is_whitespace()
            || c.is_control()
            || matches!(
                c,
                '\u{feff}' | '\u{fffe}' | '\u{ffff}' | '\u{200b}'..='\u{200d}'
            );
        if blank {
            space = true;
        } else {
            if space && !flat.is_empty() {
                flat.push(' ');
            }
            space = false;
            flat.push(c);
        }
    }
    if flat != s {
        changes.push(if s.contains(['\n', '\r']) {
            "line breaks joined into spaces"
        } else {
            "white space and control characters made single spaces"
        });
    }
    // Indicators a plain scalar cannot start with: dropped, with a closing
    // quote that matches an opening one.
    let mut text = flat.as_str();
    let mut quoted;
    let mut dropped = false;
    loop {
        let mut chars = text.chars();
        let Some(first) = chars.next() else { break };
        let next_blank = chars.next().is_none_or(|c| c == ' ');
        let bad = matches!(
            first,
            '\'' | '"'
                | '|'
                | '>'
                | '['
                | ']'
                | '{'
                | '}'
                | '#'
                | '&'
                | '*'
                | '!'
                | '%'
                | '@'
                | '`'
                | ','
        ) || (matches!(first, '-' | '?' | ':') && next_blank);
        if !bad {
            break;
        }
        text = text[first.len_utf8()..].trim_start();
        dropped = true;
        // An opening quote goes with its closing one.
        if matches!(first, '\'' | '"')
            && let Some(i) = text.find(first)
        {
            quoted = format!("{}{}", &text[..i], &text[i + 1..]);
            text = quoted.trim();
        }
    }
    if dropped {
        changes.push("leading quotes or YAML indicators dropped");
    }
    let mut text = text.trim_end().to_string();
    // `: ` would start a mapping, ` #` a comment, a final `:` an empty mapping.
    if text.contains(": ") {
        text = text.replace(": ", " - ");
        changes.push("`: ` written ` - `");
    }
    if text.contains(" #") {
        text = text.replace(" #", " \u{ff03}");
        changes.push("` #` written ` \u{ff03}` (a comment in YAML)");
    }
    while text.ends_with(':') {
        text.pop();
        text.truncate(text.trim_end().len());
        if !changes.contains(&"a final `:` dropped") {
            changes.push("a final `:` dropped");
        }
    }
    // Anything still not read back as written (a case the steps above do not
    // foresee): only letters, digits and plain punctuation are kept.
    if !text.is_empty() && !reads_back_plain(&text) {
        let kept: String = text
            .chars()
            .map(|c| {
                if c.is_alphanumeric() || " .,;()_/-".contains(c) {
                    c
                } else {
                    ' '
                }
            })
            .collect();
        text = plain_scalar(&kept).0;
        changes.push("characters YAML would read otherwise replaced by spaces");
    }
    (text, changes)
}

/// Whether `text` after `k: ` reads back as itself (or as the scalar it spells,
/// `true`, `3`: the line splitter reads those as written too).
fn reads_back_plain(text: &str) -> bool {
    // Letters, digits and this punctuation inside a plain scalar that neither
    // starts with an indicator nor holds `: ` or ` #` are read as written.
    let common = |c: char| c.is_alphanumeric() || " .,;()_/-'\"?!".contains(c);
    if text.chars().all(common) && !text.starts_with(['-', '?']) {
        return true;
    }
    match parse(&format!("k: {text}\n")) {
        Ok(Value::Object(m)) => match m.get("k") {
            Some(Value::String(v)) => v == text,
            Some(Value::Bool(_) | Value::Number(_) | Value::Null) => true,
            _ => false,
        },
        _ => false,
    }
}

/// Whether YAML reads the plain scalar `text` as something other than a
/// string (`3`, `0.`, `true`, `~`); parsed only when it could be one.
fn reads_as_non_string(text: &str) -> bool {
    let maybe = text.starts_with(|c: char| c.is_ascii_digit() || "+-.~".contains(c))
        || (text.len() <= 5 && text.chars().all(|c| c.is_ascii_alphabetic()));
    maybe
        && !matches!(
            parse(&format!("k: {text}\n")),
            Ok(Value::Object(m)) if m.get("k").is_some_and(Value::is_string)
        )
}

/// A key of letters, digits, `_` and `-`, which every reader takes as written.
fn is_plain_key(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
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

    /// What a line splitter (Cursor's loader) reads from one frontmatter line:
    /// the text after the first colon, trimmed.
    fn split_read(line: &str) -> String {
        line.split_once(':')
            .map(|(_, v)| v.trim())
            .unwrap_or_default()
            .to_string()
    }

    #[test]
    fn plain_values_read_the_same_by_yaml_and_by_a_line_splitter() {
        let nasty = [
            "plain",
            "a: b",
            "key: value # not a comment, 'quotes', \"dq\"",
            "#hash",
            "x #y",
            "line1\nline2",
            "<example>\nuser: \"hi\"\n</example>",
            "'quoted'",
            "'Quoted' start",
            "\"dq\" start",
            "|-",
            "> folded",
            "- dash",
            "-dash",
            "? q",
            ": c",
            "[a, b]",
            "{a: b}",
            "&anchor",
            "*alias",
            "!tag",
            "%dir",
            "@at",
            "`tick`",
            "ends with colon:",
            "Examples:\n\n<example>Context: the user asks",
            "tab\there",
            "ctrl\u{1}\u{7f}\u{85}\u{2028}\u{feff}",
            "emoji 🚀",
            "back\\slash",
            "Use \\n",
            "---",
            "...",
            " lead",
            "trail ",
            "a:b http://x.y/z",
            "50% off, 3 items; (ok)",
            "::::",
            "'",
            "\"",
            " A",
            "'a ' b",
        ];
        for s in nasty {
            let fields = vec![("description".to_string(), json!(s), FieldStyle::Block)];
            let (fields, notes) = plain_fields(fields).unwrap();
            let Some((_, Value::String(v), _)) = fields.first() else {
                assert!(!notes.is_empty(), "{s:?} left out without a note");
                continue;
            };
            let text = plain_frontmatter(&fields).unwrap();
            assert_eq!(text.lines().count(), 1, "{s:?} -> {text:?}");
            assert_eq!(&split_read(&text), v, "{s:?} -> {text:?}");
            assert_eq!(
                parse_back(&text)["description"],
                json!(v),
                "{s:?} -> {text:?}"
            );
            assert_eq!(notes.is_empty(), v == s, "{s:?} -> {v:?}: {notes:?}");
        }
    }

    #[test]
    fn plain_normalisation_says_what_it_did() {
        let (v, changes) = plain_scalar("Key: value # x\nnext:");
        assert_eq!(v, "Key - value \u{ff03} x next");
        assert_eq!(changes.len(), 4, "{changes:?}");
        assert_eq!(plain_scalar("'Quoted' start").0, "Quoted start");
        assert_eq!(plain_scalar("|-").0, "");
        assert_eq!(
            plain_scalar("Use Read, Grep and Glob.").1,
            Vec::<&str>::new()
        );
    }

    #[test]
    fn plain_fields_leave_out_lists_and_keep_scalars() {
        let fields = vec![
            ("readonly".to_string(), json!(true), FieldStyle::Block),
            ("n".to_string(), json!(3), FieldStyle::Block),
            ("tools".to_string(), json!(["a"]), FieldStyle::Block),
            ("empty".to_string(), json!("|"), FieldStyle::Block),
        ];
        let (kept, notes) = plain_fields(fields).unwrap();
        assert_eq!(plain_frontmatter(&kept).unwrap(), "readonly: true\nn: 3\n");
        assert_eq!(notes.len(), 2, "{notes:?}");
        let numeric = vec![("name".to_string(), json!("0."), FieldStyle::Block)];
        let (kept, notes) = plain_fields(numeric).unwrap();
        assert_eq!(plain_frontmatter(&kept).unwrap(), "name: 0.\n");
        assert!(notes[0].contains("as a number"), "{notes:?}");
        assert!(!reads_as_non_string("Zero") && reads_as_non_string("true"));
        let bad = vec![("a: b".to_string(), json!("x"), FieldStyle::Block)];
        assert!(plain_fields(bad).is_err());
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

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

/// Serializes a JSON value as a YAML document, byte for byte what [`to_string`]
/// gives, faster for long multi-line strings (prompts): libyaml writes a
/// literal block scalar a character at a time, which was most of the time of
/// writing a `.roomodes` entry. Each such string that libyaml would write as a
/// literal block (see [`literal_as_libyaml`]) goes to serde_yaml as a short
/// stand-in, and its lines are put in place of the stand-in's, at the
/// indentation libyaml chose for it. Anything unforeseen falls back to
/// serializing the value as it is.
pub fn value_to_string(value: &Value) -> Result<String, String> {
    emit(value, false)
}

/// `[value]` as YAML (one item of a sequence), as [`value_to_string`] writes it.
pub fn item_to_string(value: &Value) -> Result<String, String> {
    emit(value, true)
}

fn emit(value: &Value, item: bool) -> Result<String, String> {
    let whole = |v: &Value| if item { to_string(&[v]) } else { to_string(v) };
    let mut long = Vec::new();
    let Some(stand_in) = swap_literals(value, &mut long) else {
        return whole(value);
    };
    let text = whole(&stand_in)?;
    match put_back(&text, &long) {
        Some(out) => Ok(out),
        None => whole(value),
    }
}

/// Strings shorter than this are written by serde_yaml as they are.
const LONG: usize = 128;

/// The stand-in of the `i`-th long string: a literal block of two lines, the
/// first one a mark found nowhere else (checked), with the same chomping as the
/// string (`|-` when it does not end with a line break, `|` when it ends with one).
fn stand_in(i: usize, clip: bool) -> (String, String) {
    let mark = format!("agentc-literal-{i}-q7x");
    let text = format!("{mark}\nx{}", if clip { "\n" } else { "" });
    (mark, text)
}

/// `value` with each long string libyaml would write as a literal block
/// replaced by its stand-in (the strings in `long`, in order); `None` when
/// there is none, so nothing is copied.
fn swap_literals<'v>(value: &'v Value, long: &mut Vec<(&'v str, String)>) -> Option<Value> {
    match value {
        Value::String(s) if s.len() >= LONG => {
            let clip = literal_as_libyaml(s)?;
            let (mark, text) = stand_in(long.len(), clip);
            long.push((s.as_str(), mark));
            Some(Value::String(text))
        }
        Value::Array(items) => {
            let swapped: Vec<Option<Value>> =
                items.iter().map(|v| swap_literals(v, long)).collect();
            swapped.iter().any(Option::is_some).then(|| {
                Value::Array(
                    swapped
                        .into_iter()
                        .zip(items)
                        .map(|(s, v)| s.unwrap_or_else(|| v.clone()))
                        .collect(),
                )
            })
        }
        Value::Object(map) => {
            let swapped: Vec<Option<Value>> =
                map.values().map(|v| swap_literals(v, long)).collect();
            swapped.iter().any(Option::is_some).then(|| {
                Value::Object(
                    swapped
                        .into_iter()
                        .zip(map)
                        .map(|(s, (k, v))| (k.clone(), s.unwrap_or_else(|| v.clone())))
                        .collect(),
                )
            })
        }
        _ => None,
    }
}

/// Whether serde_yaml writes `s` (a mapping value or sequence item) as a plain
/// literal block (`|` or `|-`, no indentation indicator), and if so whether it
/// ends with one line break (`|`). serde_yaml asks for a literal block for any
/// string with a `\n`; libyaml writes one when the string has no character it
/// would escape, no space before a line break and no space at the end. Only
/// `\n` breaks are taken (not `\r`, U+0085, U+2028, U+2029), no leading space
/// or break (which take an indentation indicator) and at most one final break
/// (more take `|+`): anything else is left to serde_yaml.
fn literal_as_libyaml(s: &str) -> Option<bool> {
    if !s.contains('\n') || s.starts_with([' ', '\n']) || s.ends_with(' ') {
        return None;
    }
    if s.ends_with("\n\n") {
        return None;
    }
    // One pass over the bytes: no space before a break, and whether every
    // byte is a printable ASCII character or a break.
    let mut ascii = true;
    let mut prev = 0;
    for b in s.bytes() {
        if b == b'\n' {
            if prev == b' ' {
                return None;
            }
        } else if !(b' '..=b'~').contains(&b) {
            ascii = false;
        }
        prev = b;
    }
    // libyaml's printable characters (IS_PRINTABLE), less its other line breaks.
    let printable = |c: char| match c {
        '\n' | ' '..='~' => true,
        '\u{2028}' | '\u{2029}' | '\u{feff}' | '\u{fffe}' | '\u{ffff}' => false,
        c => c >= '\u{a0}',
    };
    (ascii || s.chars().all(printable)).then(|| s.ends_with('\n'))
}

/// `text` (serde_yaml's output for the stand-ins) with each stand-in's two
/// lines replaced by the lines of its string, at the same indentation (an
/// empty line takes none, as libyaml writes it); `None` if a mark is not found
/// exactly once at the start of a line.
fn put_back(text: &str, long: &[(&str, String)]) -> Option<String> {
    let extra: usize = long.iter().map(|(s, _)| s.len() + s.len() / 8).sum();
    let mut out = String::with_capacity(text.len() + extra);
    let mut at = 0;
    for (s, mark) in long {
        let found = text[at..].find(mark.as_str())? + at;
        if text.matches(mark.as_str()).nth(1).is_some() {
            return None;
        }
        let line = text[..found].rfind('\n').map_or(0, |i| i + 1);
        let indent = &text[line..found];
        if line < at || !indent.bytes().all(|b| b == b' ') {
            return None;
        }
        let second = format!("{mark}\n{indent}x");
        if !text[found..].starts_with(&second) {
            return None;
        }
        out.push_str(&text[at..line]);
        let body = s.strip_suffix('\n').unwrap_or(s);
        for (n, l) in body.split('\n').enumerate() {
            if n > 0 {
                out.push('\n');
            }
            if !l.is_empty() {
                out.push_str(indent);
                out.push_str(l);
            }
        }
        at = found + second.len();
    }
    out.push_str(&text[at..]);
    Some(out)
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
        out.push_str(&value_to_string(&Value::Object(std::mem::take(block)))?);
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

    /// The fast path for long strings writes what serde_yaml writes, for strings
    /// of every kind (breaks of each sort, spaces and breaks at either end,
    /// characters libyaml escapes) in mappings, sequences and nested in both,
    /// and it is taken for an ordinary prompt.
    #[test]
    fn long_strings_are_written_as_serde_yaml_writes_them() {
        let pieces = [
            "word",
            " ",
            "\n",
            "\n\n",
            "\t",
            "# x",
            "- y",
            ": z",
            "é",
            "\u{2028}",
            "\u{85}",
            "\u{feff}",
            "😀",
            "\"",
            "'",
            "|",
            "---",
            "  indented",
            "\r\n",
            "\u{7f}",
            "\u{a0}",
        ];
        let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut fast = 0;
        for case in 0..3000 {
            let mut text = String::new();
            let n = 10 + next() % 60;
            for _ in 0..n {
                text.push_str(pieces[(next() % pieces.len() as u64) as usize]);
                if next() % 3 == 0 {
                    text.push_str("plain text of a prompt line");
                }
            }
            if case % 4 == 0 {
                // Mostly ordinary prompts: words and single breaks.
                text = text.replace(
                    ['\t', '\r', '\u{85}', '\u{2028}', '\u{feff}', '\u{7f}'],
                    "w",
                );
                text = text.trim_start().to_string();
            }
            if literal_as_libyaml(&text).is_some() && text.len() >= LONG {
                fast += 1;
            }
            let values = [
                Value::String(text.clone()),
                json!({ "slug": "a", "roleDefinition": text, "groups": ["read"] }),
                json!({ "a": [text, { "b": text, "c": "short\nstring" }], "d": text }),
                json!([{ "x": [[text]] }, text]),
            ];
            for v in &values {
                assert_eq!(value_to_string(v), to_string(v), "{text:?} in {v}");
                assert_eq!(item_to_string(v), to_string(&[v]), "{text:?} in [{v}]");
            }
        }
        assert!(fast > 300, "the fast path was taken {fast} times");
        let prompt = "You review code.\n\n## Steps\n\n- Read the diff: every file.\n  - Then \"the tests\".\n\nÜber alles, # not a comment\n".repeat(4);
        assert_eq!(literal_as_libyaml(&prompt), Some(true));
        let v = json!({ "customModes": [{ "roleDefinition": prompt }] });
        assert_eq!(value_to_string(&v), to_string(&v));
    }

    /// A stand-in's mark that a value also holds is not trusted: the value is
    /// written by serde_yaml as it is.
    #[test]
    fn a_value_holding_a_mark_falls_back() {
        let (mark, _) = stand_in(0, false);
        let long = format!("{}\nsecond line", "x".repeat(LONG));
        let v = json!({ "a": long, "b": format!("{mark}\nx") });
        assert_eq!(value_to_string(&v), to_string(&v));
        let v = json!({ "b": mark, "a": long });
        assert_eq!(value_to_string(&v), to_string(&v));
    }

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

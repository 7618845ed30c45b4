//! Import stage 2: frontmatter entries → the spec's metadata fields and `[extra]`.
//!
//! Input: the entries `frontmatter::parse` read. Output: the metadata of a `Spec`
//! (name, description, version, …, tools) with unknown keys in `[extra]`, their
//! YAML types mapped to TOML. Numbers in string fields are kept as written
//! (`version: 2.0` stays `"2.0"`), and names that are not identifiers are
//! normalised with the original kept as `extra.original_name`.

use crate::diag::Code;
use serde_json::Value;

use super::Ctx;
use super::frontmatter::Entry;
use crate::spec::{self, Spec, Table};

/// Fills the metadata of `spec` from the entries; returns the description as
/// written (decided on later, once the body is known).
pub fn apply(entries: &[Entry], spec: &mut Spec, ctx: &mut Ctx) -> Option<String> {
    let mut description = None;
    for e in entries {
        let at = e.offset;
        let key = known_key(&e.key, at, ctx);
        match key.as_str() {
            "name" => match scalar(e, ctx) {
                Some(n) => spec.name = n,
                None => keep_extra(e, spec, ctx),
            },
            "description" if matches!(e.value, Value::Array(_) | Value::Object(_)) => {
                set(&mut None, e, &mut spec.extra, ctx)
            }
            "description" => {
                description = scalar(e, ctx).map(|d| literal_newlines(&d, e, ctx));
                if description
                    .as_deref()
                    .is_some_and(crate::support::text::is_blank)
                {
                    let msg = "`description` is empty; left out, so agentc derives one";
                    ctx.warn(Code::EmptyValue, msg, at);
                    description = None;
                }
            }
            "version" => set(&mut spec.version, e, &mut spec.extra, ctx),
            "category" => set(&mut spec.category, e, &mut spec.extra, ctx),
            "author" => set(&mut spec.author, e, &mut spec.extra, ctx),
            "color" => set(&mut spec.color, e, &mut spec.extra, ctx),
            "model" => set(&mut spec.model, e, &mut spec.extra, ctx),
            "tags" => spec.tags = list(e, ctx),
            "tools" => spec.tools = list(e, ctx),
            "model_compatibility" => spec.model_compatibility = list(e, ctx),
            _ => keep_extra(e, spec, ctx),
        }
    }
    description
}

/// The tools of a Claude Code (Markdown) file as Claude Code reads them: an
/// empty `tools` (`''`, `[]`) is all tools, like no `tools`; a
/// `disallowedTools` denying every built-in tool (how the `claude` target
/// writes `tools = []`) is no tools. The XML form is agentc's own: there
/// `tools: []` is no tools, as written.
pub fn claude_tools(entries: &[Entry], spec: &mut Spec, ctx: &mut Ctx) {
    if spec.tools.as_ref().is_some_and(Vec::is_empty) {
        let at = entries
            .iter()
            .rev()
            .find(|e| e.key.eq_ignore_ascii_case("tools"))
            .map_or(0, |e| e.offset);
        let msg = "`tools` is empty, which Claude Code reads as all tools; imported as all tools (no `tools`)";
        ctx.warn(Code::EmptyValue, msg, at);
        spec.tools = None;
    }
    if spec.tools.is_none()
        && let Some(rest) = spec.extra.get(DISALLOWED).and_then(beyond_every_tool)
    {
        match rest {
            Some(rest) => spec.extra.insert(DISALLOWED.into(), rest),
            None => spec.extra.remove(DISALLOWED),
        };
        spec.tools = Some(Vec::new());
    }
}

const DISALLOWED: &str = "disallowedTools";

/// Whether a `disallowedTools` value names every built-in tool the `claude`
/// target denies an agent with no tools (its `all_tools` option): if so, the
/// tools it names beyond those (an MCP server's, say), in the same form (a
/// comma-separated string or a list), or none.
fn beyond_every_tool(value: &toml::Value) -> Option<Option<toml::Value>> {
    static ALL: std::sync::OnceLock<std::collections::BTreeSet<String>> =
        std::sync::OnceLock::new();
    let all = ALL.get_or_init(|| {
        let claude = crate::target::builtin("claude");
        let tools = claude
            .as_ref()
            .and_then(|t| t.options.get("all_tools")?.as_array());
        tools
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    });
    let named: Vec<&str> = match value {
        toml::Value::String(s) => s.split(',').map(str::trim).collect(),
        toml::Value::Array(items) => {
            let names: Option<Vec<&str>> = items.iter().map(|v| v.as_str()).collect();
            names?.into_iter().map(str::trim).collect()
        }
        _ => return None,
    };
    if all.is_empty() || !all.iter().all(|t| named.contains(&t.as_str())) {
        return None;
    }
    let mut rest: Vec<&str> = Vec::new();
    for t in named {
        if !t.is_empty() && !all.contains(t) && !rest.contains(&t) {
            rest.push(t);
        }
    }
    if rest.is_empty() {
        return Some(None);
    }
    Some(Some(match value {
        toml::Value::String(_) => toml::Value::String(rest.join(", ")),
        _ => toml::Value::Array(rest.into_iter().map(toml::Value::from).collect()),
    }))
}

const KNOWN: [&str; 10] = [
    "name",
    "description",
    "version",
    "category",
    "author",
    "color",
    "model",
    "tags",
    "tools",
    "model_compatibility",
];

/// A known key written in another case (`Name:`) is read as that key, with a warning.
fn known_key(key: &str, at: usize, ctx: &mut Ctx) -> String {
    match KNOWN
        .iter()
        .find(|k| **k != key && k.eq_ignore_ascii_case(key))
    {
        Some(k) => {
            ctx.warn(Code::KeyCase, format!("read `{key}` as `{k}`"), at);
            k.to_string()
        }
        None => key.to_string(),
    }
}

fn set(field: &mut Option<String>, e: &Entry, extra: &mut Table, ctx: &mut Ctx) {
    if matches!(e.value, Value::Array(_) | Value::Object(_)) {
        ctx.warn(
            Code::Type,
            format!("`{}` is not a string; kept in `[extra]`", e.key),
            e.offset,
        );
        if let Some(v) = to_toml(&e.value, &e.raw, &e.key, e.offset, ctx) {
            extra.insert(e.key.clone(), v);
        }
        return;
    }
    *field = scalar(e, ctx);
}

/// A string field's value; numbers and booleans as written.
fn scalar(e: &Entry, ctx: &mut Ctx) -> Option<String> {
    match &e.value {
        Value::String(s) => Some(s.clone()),
        Value::Number(_) | Value::Bool(_) => Some(e.raw.clone()),
        Value::Null => {
            ctx.warn(
                Code::EmptyValue,
                format!("`{}` has no value; left out", e.key),
                e.offset,
            );
            None
        }
        Value::Array(_) | Value::Object(_) => None,
    }
}

/// A list field: a YAML list, a comma-separated string, or (tags) words.
fn list(e: &Entry, ctx: &mut Ctx) -> Option<Vec<String>> {
    let items: Vec<String> = match &e.value {
        Value::Null => {
            ctx.warn(
                Code::EmptyValue,
                format!("`{}` has no value; read as absent", e.key),
                e.offset,
            );
            return None;
        }
        Value::Array(items) => items
            .iter()
            .filter_map(|v| item_text(v, &e.key, e.offset, ctx))
            .collect(),
        Value::String(s) if s.contains(',') => s
            .split(',')
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect(),
        Value::String(s) => s.split_whitespace().map(str::to_string).collect(),
        other => vec![other.to_string()],
    };
    if e.key != "tags" || !items.iter().any(|t| t.starts_with('#')) {
        return Some(items);
    }
    ctx.warn(
        Code::HashTags,
        "tags written as `#tag` were kept without the `#`",
        e.offset,
    );
    Some(
        items
            .into_iter()
            .map(|t| t.trim_start_matches('#').to_string())
            .filter(|t| !t.is_empty())
            .collect(),
    )
}

fn item_text(v: &Value, key: &str, at: usize, ctx: &mut Ctx) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => {
            ctx.warn(
                Code::EmptyValue,
                format!("an item of `{key}` has no value; left out"),
                at,
            );
            None
        }
        other => Some(other.to_string()),
    }
}

/// A description that spells newlines as `\n` gets real ones: written `\n` in
/// a plain or single-quoted scalar, or `\\n` in a double-quoted one (text escaped
/// twice). A backslash YAML reads from another escape (`"\x5Cn"`, as agentc
/// writes a literal `\n`) is kept as written.
fn literal_newlines(d: &str, e: &Entry, ctx: &mut Ctx) -> String {
    let written = match e.raw.starts_with('"') {
        true => crate::support::yaml::escaped_backslash_before_n(&e.text),
        false => e.text.contains("\\n"),
    };
    if !written || !d.contains("\\n") {
        return d.to_string();
    }
    let at = e.offset;
    ctx.warn(
        Code::LiteralNewline,
        "the description writes newlines as `\\n`; read them as line breaks",
        at,
    );
    d.replace("\\n", "\n")
}

fn keep_extra(e: &Entry, spec: &mut Spec, ctx: &mut Ctx) {
    if let Some(v) = to_toml(&e.value, &e.raw, &e.key, e.offset, ctx) {
        spec.extra.insert(e.key.clone(), v);
    }
}

/// A YAML value as TOML; `null` has no TOML form and is left out, with a warning.
fn to_toml(v: &Value, raw: &str, key: &str, at: usize, ctx: &mut Ctx) -> Option<toml::Value> {
    Some(match v {
        Value::Null => {
            ctx.warn(
                Code::EmptyValue,
                format!("`{key}` has no value (null); TOML has no null, so it was left out"),
                at,
            );
            return None;
        }
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Number(n) => number(n, raw),
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Array(items) => toml::Value::Array(
            items
                .iter()
                .filter_map(|i| to_toml(i, "", key, at, ctx))
                .collect(),
        ),
        Value::Object(map) => {
            let mut t = Table::new();
            for (k, v) in map {
                if let Some(v) = to_toml(v, "", &format!("{key}.{k}"), at, ctx) {
                    t.insert(k.clone(), v);
                }
            }
            toml::Value::Table(t)
        }
    })
}

/// Integers and floats as such when the raw text reads back the same; otherwise
/// (`1.10`, `2.0`, huge numbers) the text as written.
fn number(n: &serde_json::Number, raw: &str) -> toml::Value {
    let as_written = |s: String| raw.is_empty() || raw == s;
    match (n.as_i64(), n.as_f64()) {
        (Some(i), _) if as_written(i.to_string()) => return toml::Value::Integer(i),
        (None, Some(f)) if as_written(f.to_string()) => return toml::Value::Float(f),
        _ => {}
    }
    toml::Value::String(if raw.is_empty() {
        n.to_string()
    } else {
        raw.to_string()
    })
}

/// Makes `name` an identifier; the original goes to `extra.original_name`.
pub fn normalise_name(spec: &mut Spec, fallback: &str, at: usize, ctx: &mut Ctx) {
    if spec::is_valid_name(&spec.name) {
        return;
    }
    let original = spec.name.clone();
    let mut name = identifier(&original);
    if name.is_empty() {
        name = identifier(fallback);
    }
    if name.is_empty() {
        name = "agent".to_string();
    }
    if !original.is_empty() {
        ctx.warn(
            Code::NameNormalised,
            format!(
                "`{}` is not an identifier; named the agent `{name}`",
                original.escape_debug()
            ),
            at,
        );
        spec.extra.insert(
            crate::spec::ORIGINAL_NAME.into(),
            toml::Value::String(original),
        );
    }
    spec.name = name;
}

/// Lower-case ASCII letters, digits, `.`, `_`, `-`; anything else becomes `-`.
pub fn identifier(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars().flat_map(char::to_lowercase) {
        let c = if c.is_ascii_alphanumeric() || "._-".contains(c) {
            c
        } else {
            '-'
        };
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let out = out
        .trim_start_matches(['-', '.', '_'])
        .trim_end_matches('-');
    out.chars().take(128).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers() {
        let cases = [
            ("Backend Architect!", "backend-architect"),
            ("  --x__y--  ", "x__y"),
            ("Ünïcode Ω name", "n-code-name"),
            ("a.b_c-d", "a.b_c-d"),
            ("!!!", ""),
        ];
        for (input, want) in cases {
            assert_eq!(identifier(input), want, "{input:?}");
        }
    }

    #[test]
    fn numbers_keep_their_written_form() {
        let n = |s: &str| serde_json::from_str::<serde_json::Number>(s).expect("number");
        assert_eq!(number(&n("10"), "10"), toml::Value::Integer(10));
        assert_eq!(number(&n("1.5"), "1.5"), toml::Value::Float(1.5));
        assert_eq!(
            number(&n("1.1"), "1.10"),
            toml::Value::String("1.10".into())
        );
        assert_eq!(number(&n("2.0"), "2.0"), toml::Value::String("2.0".into()));
        assert_eq!(number(&n("10"), "0o12"), toml::Value::String("0o12".into()));
    }
}

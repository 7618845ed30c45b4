//! Import's last stage: `Spec` → TOML text a person would want to edit.
//!
//! Input: a spec and the name of the file it came from. Output: TOML in the
//! canonical key order (the field order of `spec::Spec`, as far as TOML allows:
//! plain keys before tables), prose as multi-line strings, short arrays on one
//! line and long ones one item per line, headed by a `#:schema` line and a comment
//! naming the source. toml's own serializer does the escaping; `toml_edit` only
//! changes layout. The text is parsed back and must give the identical spec.

use toml_edit::{Array, DocumentMut, Item, Table, Value};

use crate::spec::Spec;

/// Arrays whose one-line form is at most this long stay on one line.
const INLINE_WIDTH: usize = 80;

/// The TOML text of `spec`; `source` is named in a comment.
pub fn to_toml(spec: &Spec, source: &str) -> Result<String, String> {
    let pretty = toml::to_string_pretty(spec).map_err(|e| e.to_string())?;
    let mut doc: DocumentMut = pretty
        .parse()
        .map_err(|e: toml_edit::TomlError| e.to_string())?;
    layout_table(doc.as_table_mut(), true);
    let source: String = source
        .chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    let body = doc.to_string();
    let body = body.trim_end();
    let text = format!(
        "#:schema ../agentc.schema.json\n# Imported by `agentc import` from {source}\n{body}\n"
    );
    match toml::from_str::<Spec>(&text) {
        Ok(back) if back == *spec => Ok(text),
        Ok(_) => Err("the written TOML does not read back as the same spec".into()),
        Err(e) => Err(format!("the written TOML does not parse: {e}")),
    }
}

/// Lays out values; at the top level, multi-line values get a blank line before
/// them (inside `[[…]]` entries a title and its body stay together).
fn layout_table(table: &mut Table, top: bool) {
    for (i, (mut key, item)) in table.iter_mut().enumerate() {
        match item {
            Item::Value(Value::Array(a)) => layout_array(a),
            Item::Value(Value::String(s)) => {
                if let Some(raw) = prose(s.value()).and_then(|raw| raw_item(&raw)) {
                    *item = raw;
                }
            }
            Item::Table(t) => layout_table(t, false),
            Item::ArrayOfTables(ts) => ts.iter_mut().for_each(|t| layout_table(t, false)),
            _ => {}
        }
        let multi_line = item
            .as_value()
            .is_some_and(|v| v.to_string().contains('\n'));
        if top && multi_line && i > 0 {
            key.leaf_decor_mut().set_prefix("\n");
        }
    }
}

/// One line when short and single-line, else one item per line.
fn layout_array(a: &mut Array) {
    let mut one_line = a.clone();
    one_line.fmt();
    let flat = one_line.to_string();
    if flat.len() <= INLINE_WIDTH && !flat.contains('\n') {
        *a = one_line;
        a.decor_mut().set_prefix(" ");
        return;
    }
    for v in a.iter_mut() {
        v.decor_mut().set_prefix("\n  ");
        v.decor_mut().set_suffix("");
    }
    a.set_trailing_comma(true);
    a.set_trailing("\n");
}

/// Prose (multi-line or long) as a multi-line literal string, when it can be one:
/// no `'''`, no control characters but tab and newline, not ending in a quote.
fn prose(s: &str) -> Option<String> {
    let long = s.contains('\n') || s.chars().count() > INLINE_WIDTH;
    let literal_ok = !s.contains("'''")
        && !s.ends_with('\'')
        && !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t');
    (long && literal_ok).then(|| format!("'''\n{s}'''"))
}

/// A value item whose text is exactly `raw` (toml_edit keeps the representation).
fn raw_item(raw: &str) -> Option<Item> {
    let mut doc: DocumentMut = format!("x = {raw}\n").parse().ok()?;
    doc.as_table_mut().remove("x")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_is_multi_line_and_lists_are_laid_out_by_length() {
        let spec = Spec {
            name: "a".into(),
            role: Some("Line one.\nLine two.".into()),
            tools: Some(vec!["Read".into(), "Grep".into()]),
            triggers: vec!["x".repeat(50), "y".repeat(50)],
            ..Spec::default()
        };
        let text = to_toml(&spec, "old/a.md").expect("writes");
        assert!(text.starts_with(
            "#:schema ../agentc.schema.json\n# Imported by `agentc import` from old/a.md\n"
        ));
        assert!(
            text.contains("\nrole = '''\nLine one.\nLine two.'''\n"),
            "{text}"
        );
        assert!(text.contains("tools = [\"Read\", \"Grep\"]\n"), "{text}");
        assert!(text.contains("triggers = [\n  \"xxxx"), "{text}");
    }

    #[test]
    fn text_a_literal_string_cannot_hold_falls_back_to_escapes() {
        for s in [
            "ends with '",
            "has ''' inside\nand more",
            "bell \u{7}\nx",
            "short",
        ] {
            let spec = Spec {
                name: "a".into(),
                role: Some(s.into()),
                ..Spec::default()
            };
            let text = to_toml(&spec, "x").expect("writes");
            assert_eq!(
                toml::from_str::<Spec>(&text)
                    .expect("parses")
                    .role
                    .as_deref(),
                Some(s)
            );
        }
    }
}

//! The template environment of a run: the built-in templates (embedded from
//! the repository's `templates/` folder), a project's own templates over them,
//! and every filter and test templates, target `fields` and `checks` may use.
//!
//! A template loads only templates: a name is a relative path of plain
//! components, found in the project's `templates/` folder or among the
//! built-ins, never a path elsewhere on the machine.

use std::path::{Component, Path, PathBuf};

use include_dir::{Dir, include_dir};
use minijinja::{Environment, UndefinedBehavior, Value};
use strum::IntoEnumIterator;

use crate::diag::Loss;

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates");

/// The instructions one render may run (minijinja's fuel).
pub(crate) const FUEL: u64 = 20_000_000;

/// The bytes one render may write: a project's template could otherwise print
/// big strings in a loop until memory runs out, well within its fuel. Far
/// above any real agent file (the largest corpus agent renders under 100 KiB).
pub(crate) const MAX_OUTPUT: usize = 64 << 20;

/// A render's output, refusing to grow past [`MAX_OUTPUT`].
#[derive(Default)]
pub(super) struct Bounded {
    buf: Vec<u8>,
    exceeded: bool,
}

impl Bounded {
    /// Whether the render tried to write more than [`MAX_OUTPUT`].
    pub(super) fn exceeded(&self) -> bool {
        self.exceeded
    }

    /// What was written: templates write `str`s only, so it is UTF-8.
    pub(super) fn into_string(self) -> String {
        String::from_utf8(self.buf)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }
}

impl std::io::Write for Bounded {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        if self.buf.len() + data.len() > MAX_OUTPUT {
            self.exceeded = true;
            return Err(std::io::Error::other("output too large"));
        }
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The built-in templates: (file name, text), sorted by name.
pub fn builtin_templates() -> Vec<(&'static str, &'static str)> {
    let mut all: Vec<(&str, &str)> = TEMPLATES
        .files()
        .filter_map(|f| Some((f.path().to_str()?, f.contents_utf8()?)))
        .collect();
    all.sort();
    all
}

/// The built-in template `name`, if there is one.
pub fn builtin_template(name: &str) -> Option<&'static str> {
    TEMPLATES.get_file(name).and_then(|f| f.contents_utf8())
}

/// The environment every template of a run is compiled in.
pub(super) fn environment(templates_dir: Option<PathBuf>) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    let syntax = minijinja::syntax::SyntaxConfig::builder()
        .trim_blocks(true)
        .lstrip_blocks(true)
        .keep_trailing_newline(false)
        .build()
        .expect("the default delimiters are valid");
    env.set_syntax(syntax);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    // A bound on the work of one render: a project's template could otherwise
    // loop for ever (nested `range`s). Far above what rendering any real agent
    // takes (the largest corpus agent, for every target, takes under a tenth).
    env.set_fuel(Some(FUEL));
    add_filters(&mut env);
    env.add_filter("xml", |s: String, strict: Option<bool>| {
        let strict = strict.unwrap_or(false);
        note_lost_chars(&s, strict);
        crate::support::xmltext::escape(&s, strict)
    });
    env.add_filter("modelfile_system", modelfile_system);
    // Plain prompts: a body's headings go under the template's (`outline`).
    env.add_filter("relevel", super::outline::relevel);
    env.add_filter("unheading", super::outline::unheading);
    // `text | fence`: a code fence around text, longer than any run of
    // backticks inside it, so that nothing in the text can close it.
    env.add_filter("fence", fence);
    // `agent.sections | by_kind`: the sections grouped by kind, in one pass.
    env.add_filter("by_kind", by_kind);
    // `{{ warn("examples left out") }}`: a translation warning from a template
    // (what it chose not to carry, `dropped-content`; a loss's name as a second
    // argument reports another), reported like a filter's notes; writes nothing.
    env.add_function(
        "warn",
        |what: String, loss: Option<String>| -> Result<String, minijinja::Error> {
            let loss = match loss {
                None => Loss::DroppedContent,
                Some(name) => name.parse().map_err(|_| {
                    let names: Vec<&str> = Loss::iter().map(Loss::as_str).collect();
                    minijinja::Error::new(
                        minijinja::ErrorKind::InvalidOperation,
                        format!("warn: `{name}` is no loss; one of {}", names.join(", ")),
                    )
                })?,
            };
            note_as(loss, what);
            Ok(String::new())
        },
    );
    env.add_filter("xml_attr", |s: String, strict: Option<bool>| {
        let strict = strict.unwrap_or(false);
        note_lost_chars(&s, strict);
        crate::support::xmltext::escape_attr(&s, strict)
    });
    // `headings.tool_usage`: the heading of each structured field (spec::Field).
    let headings: std::collections::BTreeMap<&str, &str> = crate::spec::Field::all()
        .map(|f| (f.key(), f.heading()))
        .collect();
    env.add_global("headings", Value::from_pairs(headings));
    // `kinds`: every section kind's name, in the table's order (spec::Kind).
    let kinds: Vec<&str> = crate::spec::Kind::all().map(|k| k.name()).collect();
    env.add_global("kinds", Value::from(kinds));
    env.set_loader(move |name| load(templates_dir.as_deref(), name));
    env
}

/// A template by name: the project's file of that name, else the built-in.
pub(super) fn load(dir: Option<&Path>, name: &str) -> Result<Option<String>, minijinja::Error> {
    let refuse = |why: String| {
        Err(minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!("cannot load template `{name}`: {why}"),
        ))
    };
    let plain = Path::new(name)
        .components()
        .all(|c| matches!(c, Component::Normal(_)));
    if name.is_empty() || !plain {
        return refuse("templates load other templates by name, not by path".into());
    }
    if let Some(dir) = dir {
        let path = dir.join(name);
        // Anything there (a FIFO, a device, a dangling symlink too) is the
        // project's template, refused below unless it is a regular file: the
        // built-in of that name is not used in its place without a word.
        if path.symlink_metadata().is_ok_and(|m| !m.is_dir()) {
            // A project's template may be a symlink, but not to a file outside
            // its templates folder (as the walk that hashes them for the build
            // record): a pull request could otherwise render any file on the
            // machine into the outputs (and `check` into CI's log).
            let inside = match (path.canonicalize(), dir.canonicalize()) {
                (Ok(file), Ok(root)) => file.starts_with(root),
                _ => false,
            };
            if !inside {
                return refuse(format!(
                    "`{}` leads outside `{}`",
                    path.display(),
                    dir.display()
                ));
            }
            return match crate::support::fs::read_text(&path) {
                Ok(text) => Ok(Some(text)),
                Err(d) => refuse(format!("{}: {}", path.display(), d.message)),
            };
        }
    }
    Ok(builtin_template(name).map(str::to_string))
}

/// Adds agentc's filters and tests to `env`.
fn add_filters(env: &mut Environment<'static>) {
    // `tools | to_map("allow")`: a map from each item to one value.
    env.add_filter("to_map", |keys: Vec<String>, value: Value| {
        Value::from_pairs(keys.into_iter().map(|k| (k, value.clone())))
    });
    // `a | merge(b)`: the keys of `a`, then those of `b` (which win).
    env.add_filter(
        "merge",
        |a: Value, b: Value| -> Result<Value, minijinja::Error> {
            let mut pairs: Vec<(Value, Value)> = Vec::new();
            for map in [a, b] {
                for key in map.try_iter()? {
                    let value = map.get_item(&key)?;
                    pairs.retain(|(k, _)| *k != key);
                    pairs.push((key, value));
                }
            }
            Ok(Value::from_pairs(pairs))
        },
    );
    // `name is matching("^[a-z]+$")`: a regular expression search.
    env.add_test(
        "matching",
        |s: String, pattern: String| -> Result<bool, minijinja::Error> {
            Ok(compiled(&pattern)?.is_match(&s))
        },
    );
}

/// The regular expression `pattern`, compiled once per run: a target's check
/// runs `matching` for every agent with the same few patterns.
fn compiled(pattern: &str) -> Result<regex::Regex, minijinja::Error> {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<String, regex::Regex>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Default::default);
    if let Some(re) = cache.lock().unwrap_or_else(|e| e.into_inner()).get(pattern) {
        return Ok(re.clone());
    }
    let re = regex::Regex::new(pattern).map_err(|e| {
        minijinja::Error::new(
            minijinja::ErrorKind::InvalidOperation,
            format!("invalid regular expression: {e}"),
        )
    })?;
    let mut cache = cache.lock().unwrap_or_else(|e| e.into_inner());
    // A project's checks name a handful of patterns; a bound keeps a hostile
    // one from growing the cache without end.
    if cache.len() < 256 {
        cache.insert(pattern.to_string(), re.clone());
    }
    Ok(re)
}

/// `text` in a fenced block whose fence no run of backticks in it can close.
fn fence(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest.max(2) + 1);
    format!("{fence}\n{}\n{fence}", text.trim_end_matches('\n'))
}

/// The sections of an agent grouped by `kind` (`none`: unclassified), each
/// group in spec order: `k.workflow` is the list of workflow sections (empty when
/// there is none), `k.rest(["workflow", …])` every section whose kind is not in
/// the list, in spec order. One pass over the sections, so a template places each
/// kind without looping over every section for every kind.
fn by_kind(sections: Value) -> Result<Value, minijinja::Error> {
    let mut groups: Vec<(String, Vec<Value>)> = Vec::new();
    let mut all = Vec::new();
    for s in sections.try_iter()? {
        let kind = s
            .get_attr("kind")
            .ok()
            .filter(|k| !k.is_none() && !k.is_undefined());
        let kind = kind.map_or_else(|| "none".to_string(), |k| k.to_string());
        match groups.iter_mut().find(|(k, _)| *k == kind) {
            Some((_, list)) => list.push(s.clone()),
            None => groups.push((kind.clone(), vec![s.clone()])),
        }
        all.push((kind, s));
    }
    Ok(Value::from_object(ByKind {
        groups: groups
            .into_iter()
            .map(|(k, list)| (k, Value::from(list)))
            .collect(),
        all,
    }))
}

#[derive(Debug)]
struct ByKind {
    groups: Vec<(String, Value)>,
    all: Vec<(String, Value)>,
}

impl minijinja::value::Object for ByKind {
    fn get_value(self: &std::sync::Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        Some(
            self.groups
                .iter()
                .find(|(k, _)| k == key)
                .map_or_else(|| Value::from(Vec::<Value>::new()), |(_, v)| v.clone()),
        )
    }

    fn call_method(
        self: &std::sync::Arc<Self>,
        _state: &mut minijinja::State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, minijinja::Error> {
        if method != "rest" {
            return Err(minijinja::Error::from(minijinja::ErrorKind::UnknownMethod));
        }
        let (placed,): (Vec<String>,) = minijinja::value::from_args(args)?;
        Ok(Value::from(
            self.all
                .iter()
                .filter(|(k, _)| !placed.iter().any(|p| p == k))
                .map(|(_, s)| s.clone())
                .collect::<Vec<_>>(),
        ))
    }
}

thread_local! {
    /// What filters could not keep during the current render, drained into
    /// translation warnings by `Renderer::render` (one render runs on one thread).
    static NOTES: std::cell::RefCell<Vec<(Loss, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A filter's note: text it wrote another way.
fn note(what: String) {
    note_as(Loss::EscapedText, what);
}

fn note_as(loss: Loss, what: String) {
    NOTES.with(|n| n.borrow_mut().push((loss, what)));
}

fn note_lost_chars(text: &str, strict: bool) {
    if !strict {
        return;
    }
    let mut lost: Vec<char> = crate::support::xmltext::non_xml_chars(text).collect();
    if !lost.is_empty() {
        lost.sort_unstable();
        lost.dedup();
        let list: Vec<String> = lost
            .iter()
            .map(|c| format!("U+{:04X}", *c as u32))
            .collect();
        note(format!(
            "XML 1.0 cannot hold {}; replaced with U+FFFD",
            list.join(", ")
        ));
    }
}

pub(super) fn take_notes() -> Vec<(Loss, String)> {
    let mut notes = NOTES.with(|n| std::mem::take(&mut *n.borrow_mut()));
    notes.sort();
    notes.dedup();
    notes
}

/// The body of an Ollama Modelfile `SYSTEM """…"""` block. Ollama's parser has no
/// escapes: a `"""` followed by white space ends the block. Every run of three or
/// more quotes is written with backslashes (which the model then sees), with a note.
fn modelfile_system(text: String) -> String {
    if !text.contains("\"\"\"") {
        return text;
    }
    note(
        "an Ollama Modelfile cannot hold `\"\"\"`; runs of quotes are written as `\\\"`"
            .to_string(),
    );
    let mut out = String::with_capacity(text.len() + 16);
    let mut run = 0;
    for c in text.chars().chain(std::iter::once('\0')) {
        if c == '"' {
            run += 1;
            continue;
        }
        let quote = if run >= 3 { "\\\"" } else { "\"" };
        out.push_str(&quote.repeat(run));
        run = 0;
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eval(expr: &str) -> Result<Value, minijinja::Error> {
        let mut env = Environment::new();
        add_filters(&mut env);
        env.compile_expression(expr)?
            .eval(minijinja::context! { tools => vec!["read", "grep"] })
    }

    #[test]
    fn builds_ordered_maps() {
        let cases = [
            (
                "tools | to_map('allow')",
                "{'read': 'allow', 'grep': 'allow'}",
            ),
            (
                "{'*': 'deny'} | merge(tools | to_map('allow'))",
                "{'*': 'deny', 'read': 'allow', 'grep': 'allow'}",
            ),
            ("{'a': 1, 'b': 2} | merge({'a': 3})", "{'b': 2, 'a': 3}"),
            ("[] | to_map(1)", "{}"),
        ];
        for (expr, want) in cases {
            assert_eq!(
                eval(expr).map(|v| v.to_string()).ok().as_deref(),
                Some(want),
                "{expr}"
            );
        }
    }

    #[test]
    fn matching_is_a_regex_search() {
        let cases = [
            ("'a-b' is matching('^[a-z0-9-_]+$')", true),
            ("'a.b' is matching('^[a-z0-9-_]+$')", false),
            ("'x_' is matching('[-_]$')", true),
        ];
        for (expr, want) in cases {
            assert_eq!(eval(expr).map(|v| v.is_true()).ok(), Some(want), "{expr}");
        }
        assert!(
            eval("'a' is matching('(')").is_err(),
            "a bad pattern is an error"
        );
    }
    #[test]
    fn fences_are_longer_than_any_backtick_run() {
        let cases = [
            ("x", "```\nx\n```"),
            ("a ``` b\n", "````\na ``` b\n````"),
            ("`````", "``````\n`````\n``````"),
        ];
        for (text, want) in cases {
            assert_eq!(fence(text), want, "{text:?}");
        }
    }

    #[test]
    fn sections_group_by_kind_in_order() {
        let mut env = Environment::new();
        env.add_filter("by_kind", by_kind);
        let sections = vec![
            minijinja::context! { title => "A", kind => "workflow" },
            minijinja::context! { title => "B", kind => () },
            minijinja::context! { title => "C", kind => "workflow" },
            minijinja::context! { title => "D", kind => "style" },
        ];
        let out = env
            .render_str(
                "{% set k = s | by_kind %}{{ k.workflow | map(attribute='title') | join }}|{{ k.examples | length }}|{{ k.rest(['workflow']) | map(attribute='title') | join }}",
                minijinja::context! { s => sections },
            )
            .unwrap();
        assert_eq!(out, "AC|0|BD");
    }

    #[test]
    fn modelfile_system_never_holds_three_quotes() {
        let cases = [
            ("plain", "plain"),
            ("a \"\" b", "a \"\" b"),
            ("x\"\"\"y", "x\\\"\\\"\\\"y"),
            ("\"\"\"\"\"", "\\\"\\\"\\\"\\\"\\\""),
        ];
        for (input, want) in cases {
            let got = modelfile_system(input.to_string());
            assert_eq!(got, want, "{input:?}");
            assert!(!got.contains("\"\"\""), "{got:?}");
        }
        assert_eq!(take_notes().len(), 1);
    }

    /// `warn` reports what a template leaves out as `dropped-content`, or
    /// under the loss it names; a name that is no loss is an error naming it.
    #[test]
    fn warn_reports_dropped_content_or_the_loss_it_names() {
        take_notes();
        let env = environment(None);
        let out = env
            .render_str(
                r#"a{{ warn("x left out") }}b{{ warn("y rewritten", "escaped-text") }}"#,
                (),
            )
            .unwrap();
        assert_eq!(out, "ab");
        assert_eq!(
            take_notes(),
            [
                (Loss::EscapedText, "y rewritten".to_string()),
                (Loss::DroppedContent, "x left out".to_string()),
            ]
        );
        let err = env
            .render_str(r#"{{ warn("z", "lost-ish") }}"#, ())
            .unwrap_err();
        let text = format!("{err:#}");
        assert!(
            text.contains("`lost-ish` is no loss; one of all-tools,"),
            "{text}"
        );
        assert!(text.contains("dropped-content"), "{text}");
        assert!(take_notes().is_empty());
    }
}

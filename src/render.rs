//! Rendering: (IR, target) → artifact, through minijinja.
//!
//! One environment per run compiles each template once. Spec text reaches
//! templates only as values, never as template source, so `{{` in a prompt comes
//! out verbatim. Auto-escaping is off for every template (prompts are not HTML);
//! the XML targets escape explicitly with the `xml` filter. Frontmatter and
//! whole-file documents (TOML, JSON) come from serializers, never from pasting.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

use minijinja::{Environment, UndefinedBehavior, Value, context};
use serde::Serialize;
use serde_json::Value as Json;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::ir::Agent;
use crate::load::Key;
use crate::resolve::{self, Resolved};
use crate::spec::Table;
use crate::target::Target;

pub mod document;
use document::over_limit;

/// Built-in templates, embedded at compile time.
pub const BUILTIN_TEMPLATES: &[(&str, &str)] = &[
    ("claude.md.j2", include_str!("../templates/claude.md.j2")),
    ("xml.md.j2", include_str!("../templates/xml.md.j2")),
    ("gpt.md.j2", include_str!("../templates/gpt.md.j2")),
    ("gemini.md.j2", include_str!("../templates/gemini.md.j2")),
    ("llama.txt.j2", include_str!("../templates/llama.txt.j2")),
    (
        "deepseek.md.j2",
        include_str!("../templates/deepseek.md.j2"),
    ),
    (
        "opencode.md.j2",
        include_str!("../templates/opencode.md.j2"),
    ),
    ("copilot.md.j2", include_str!("../templates/copilot.md.j2")),
    (
        "gemini-cli.md.j2",
        include_str!("../templates/gemini-cli.md.j2"),
    ),
    ("qwen.md.j2", include_str!("../templates/qwen.md.j2")),
    ("codex.md.j2", include_str!("../templates/codex.md.j2")),
    ("cursor.md.j2", include_str!("../templates/cursor.md.j2")),
    ("kiro.md.j2", include_str!("../templates/kiro.md.j2")),
    ("roo.md.j2", include_str!("../templates/roo.md.j2")),
    ("_markdown.j2", include_str!("../templates/_markdown.j2")),
    ("_prompt.j2", include_str!("../templates/_prompt.j2")),
];

/// Where outputs go: `dist/<target>/…` or where each tool reads them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    #[default]
    Dist,
    Native,
}

/// One rendered output file, its path relative to the output root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Artifact {
    pub agent: String,
    pub target: String,
    pub path: PathBuf,
    pub content: String,
    /// xxh3-128 of the file's bytes (`cache::output_hash`), computed where the
    /// content is made, on the rendering threads: path collisions and the build
    /// record use it. For an aggregate file held on disk, the hash of that file.
    #[serde(skip)]
    pub hash: u128,
}

impl Artifact {
    pub fn new(agent: String, target: String, path: PathBuf, content: String) -> Artifact {
        let hash = crate::cache::output_hash(content.as_bytes());
        Artifact {
            agent,
            target,
            path,
            content,
            hash,
        }
    }
}

/// One agent's part of an aggregate target's file: its evaluated fields, as
/// the text that `document::frame` places in the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub agent: String,
    pub target: String,
    pub path: PathBuf,
    pub item: String,
}

/// What rendering one agent for one target gave.
#[derive(Debug, Default)]
pub struct Rendered {
    /// `None` when the agent is skipped for this target (or it is an aggregate).
    pub artifact: Option<Artifact>,
    /// For an aggregate target: the entry that `pipeline` collects into one file.
    pub entry: Option<Entry>,
    /// Translation warnings: what the target could not express.
    pub warnings: Vec<Diagnostic>,
}

/// A target's expressions, compiled once per run (see [`Renderer::prepare`]); an
/// expression that does not compile is `None` and reported when it is used.
pub struct Prepared<'r> {
    pub target: &'r Target,
    fields: Vec<Option<minijinja::Expression<'r, 'r>>>,
    checks: Vec<Option<minijinja::Expression<'r, 'r>>>,
    path: Option<minijinja::Template<'r, 'r>>,
}

pub struct Renderer {
    env: Environment<'static>,
    templates_dir: Option<PathBuf>,
    /// Project-wide target options from `agentc.toml`.
    options: BTreeMap<String, Table>,
}

impl Renderer {
    pub fn new(templates_dir: Option<PathBuf>, options: BTreeMap<String, Table>) -> Renderer {
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
        crate::filters::add(&mut env);
        env.add_filter("xml", |s: String, strict: Option<bool>| {
            let strict = strict.unwrap_or(false);
            note_lost_chars(&s, strict);
            crate::xmltext::escape(&s, strict)
        });
        env.add_filter("modelfile_system", modelfile_system);
        env.add_filter("xml_attr", |s: String, strict: Option<bool>| {
            let strict = strict.unwrap_or(false);
            note_lost_chars(&s, strict);
            crate::xmltext::escape_attr(&s, strict)
        });
        env.add_template(BODY_CALL, BODY_CALL_SOURCE)
            .expect("the body call is valid template syntax");
        let dir = templates_dir.clone();
        env.set_loader(move |name| {
            if let Some(dir) = &dir {
                let path = dir.join(name);
                if path.is_file() {
                    return std::fs::read_to_string(&path).map(Some).map_err(|e| {
                        minijinja::Error::new(
                            minijinja::ErrorKind::InvalidOperation,
                            format!("cannot read template `{}`: {e}", path.display()),
                        )
                    });
                }
            }
            Ok(BUILTIN_TEMPLATES
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| s.to_string()))
        });
        Renderer {
            env,
            templates_dir,
            options,
        }
    }

    /// Renders one agent for one target.
    pub fn render(
        &self,
        agent: &Agent,
        target: &Target,
        layout: Layout,
        source: &Path,
    ) -> Result<Rendered, Diagnostics> {
        let prep = self.prepare(target, layout);
        let mut one = self.render_all(agent, std::slice::from_ref(&prep), layout, source);
        one.remove(0)
    }

    /// Compiles a target's expressions (fields, checks, output path) once, for
    /// rendering many agents.
    pub fn prepare<'r>(&'r self, target: &'r Target, layout: Layout) -> Prepared<'r> {
        let path = match layout {
            Layout::Dist => &target.path,
            Layout::Native => &target.native_path,
        };
        Prepared {
            target,
            fields: target
                .fields
                .iter()
                .map(|f| self.env.compile_expression(&f.value).ok())
                .collect(),
            checks: target
                .checks
                .iter()
                .map(|c| self.env.compile_expression(&c.test).ok())
                .collect(),
            path: self.env.template_from_str(path).ok(),
        }
    }

    /// Renders one agent for each prepared target, converting it to a template
    /// value once.
    pub fn render_all(
        &self,
        agent: &Agent,
        targets: &[Prepared<'_>],
        layout: Layout,
        source: &Path,
    ) -> Vec<Result<Rendered, Diagnostics>> {
        let value = to_value(agent);
        let markdown = MarkdownBody::value(&value);
        targets
            .iter()
            .map(|t| self.render_value(agent, &value, &markdown, t, layout, source))
            .collect()
    }

    fn render_value(
        &self,
        agent: &Agent,
        agent_value: &Value,
        markdown: &Value,
        prep: &Prepared<'_>,
        layout: Layout,
        source: &Path,
    ) -> Result<Rendered, Diagnostics> {
        let target = prep.target;
        let over = agent
            .overrides
            .get(&target.name)
            .cloned()
            .unwrap_or_default();
        if over.skip || !resolve::is_compatible(agent, target) {
            return Ok(Rendered::default());
        }
        let resolved =
            resolve::resolve(agent, target, &over, self.options.get(&target.name), source)?;
        let Resolved {
            options,
            tools,
            model,
            color,
            description,
            extra,
            mut warnings,
        } = resolved;
        let base = context! {
            agent => agent_value.clone(),
            markdown => markdown.clone(),
            target => context! { name => &target.name },
            options => to_value(&options),
            tools => to_value(&tools),
            model => &model,
            color => &color,
            description => &description,
            extra => to_value(&extra),
        };
        take_notes(); // a failed render before this one may have left some
        let doc = self.document(prep, &base, &extra, source)?;
        for what in take_notes() {
            warnings.push(resolve::translation(&agent.name, &target.name, &what).at(source));
        }
        let fields: serde_json::Map<String, Json> =
            doc.fields.into_iter().map(|(k, v, _)| (k, v)).collect();
        let ctx = context! { fields => to_value(&fields), body => &doc.body, ..base };
        let written = self.check(agent, prep, &ctx, source, &mut warnings)?;
        warnings.extend(over_limit(agent, target, &doc.body, source));
        if !written {
            return Ok(Rendered {
                warnings,
                ..Rendered::default()
            });
        }
        let path = self.path(agent, prep, &options, layout, source)?;
        let mut rendered = Rendered {
            warnings,
            ..Rendered::default()
        };
        if target.aggregate.is_some() {
            let item = document::item(target, &Json::Object(fields))
                .map_err(|e| self.fail(target, source, e))?;
            rendered.entry = Some(Entry {
                agent: agent.name.clone(),
                target: target.name.clone(),
                path,
                item,
            });
        } else {
            rendered.artifact = Some(Artifact::new(
                agent.name.clone(),
                target.name.clone(),
                path,
                finish(doc.content),
            ));
        }
        Ok(rendered)
    }

    /// The canonical Markdown body (the `claude` target's) of an agent, which the
    /// importer renders to decide whether a section can be lifted into a field.
    pub fn markdown_body(&self, agent: &Agent) -> Result<String, minijinja::Error> {
        let ctx = context! { agent => to_value(agent), with_role => true };
        self.env.get_template(BODY_CALL)?.render(ctx)
    }

    /// Evaluates the target's fields, then appends the extra keys it carries.
    fn fields(
        &self,
        prep: &Prepared<'_>,
        ctx: &Value,
        extra: &Table,
        source: &Path,
    ) -> Result<Vec<(String, Json, crate::target::FieldStyle)>, Diagnostics> {
        let target = prep.target;
        let mut out = Vec::new();
        for (field, expr) in target.fields.iter().zip(&prep.fields) {
            let Some(expr) = expr else {
                // Compiled again only to report why it does not compile.
                let e = self.env.compile_expression(&field.value).err();
                return Err(self.compile_error(target, &format!("field `{}`", field.key), e));
            };
            let value = expr
                .eval(ctx)
                .map_err(|e| self.template_error(target, &format!("field `{}`", field.key), e))?;
            if value.is_undefined() || value.is_none() {
                continue;
            }
            let json = serde_json::to_value(&value)
                .map_err(|e| self.fail(target, source, e.to_string()))?;
            out.push((field.key.clone(), json, field.style));
        }
        for (key, value) in extra {
            if out.iter().any(|(k, _, _)| k == key) {
                continue;
            }
            let json = serde_json::to_value(value)
                .map_err(|e| self.fail(target, source, e.to_string()))?;
            out.push((key.clone(), json, Default::default()));
        }
        Ok(out)
    }

    fn body(&self, target: &Target, ctx: &Value, _source: &Path) -> Result<String, Diagnostics> {
        let tmpl = self
            .env
            .get_template(&target.template)
            .map_err(|e| self.template_error(target, &target.template, e))?;
        tmpl.render(ctx)
            .map_err(|e| self.template_error(target, &target.template, e))
    }

    fn path(
        &self,
        agent: &Agent,
        prep: &Prepared<'_>,
        options: &Table,
        layout: Layout,
        source: &Path,
    ) -> Result<PathBuf, Diagnostics> {
        let target = prep.target;
        let ctx = context! { name => &agent.name, options => to_value(options) };
        let Some(pattern) = &prep.path else {
            let pattern = match layout {
                Layout::Dist => &target.path,
                Layout::Native => &target.native_path,
            };
            let e = self.env.template_from_str(pattern).err();
            return Err(self.compile_error(target, "path", e));
        };
        let rendered = pattern
            .render(ctx)
            .map_err(|e| self.template_error(target, "path", e))?;
        let rel = PathBuf::from(rendered.trim());
        let escapes = rel.as_os_str().is_empty()
            || rel
                .components()
                .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir));
        if escapes {
            let key = match layout {
                Layout::Dist => "path",
                Layout::Native => "native_path",
            };
            let d = Diagnostic::error(
                "path-escapes",
                format!(
                    "target `{}` would write `{}` for `{}`, outside the output root",
                    target.name,
                    rel.display(),
                    agent.name
                ),
            )
            .help("output paths must be relative and may not contain `..`");
            // The pattern is the culprit when a project file set it.
            let d = match target_file(target, &[Key::K(key)]) {
                Some(at) => at.apply(d),
                None => d.at(source),
            };
            return Err(Diagnostics(vec![d]));
        }
        Ok(match layout {
            Layout::Dist => Path::new(&target.name).join(rel),
            Layout::Native => rel,
        })
    }

    /// The error of an expression that did not compile (`None`: it compiles now,
    /// which cannot happen for the same source and environment).
    fn compile_error(
        &self,
        target: &Target,
        what: &str,
        e: Option<minijinja::Error>,
    ) -> Diagnostics {
        let e = e.unwrap_or_else(|| {
            minijinja::Error::new(minijinja::ErrorKind::InvalidOperation, "does not compile")
        });
        self.template_error(target, what, e)
    }

    fn template_error(&self, target: &Target, what: &str, e: minijinja::Error) -> Diagnostics {
        // An expression (a field, a check, the path) or a missing template is the
        // target file's fault; anything else lies in the template named by the error.
        let in_target = what == "path"
            || what == "check"
            || what.starts_with("field")
            || e.kind() == minijinja::ErrorKind::TemplateNotFound;
        if in_target && let Some(at) = target_file(target, &self.key_of(target, what)) {
            return Diagnostics(vec![
                at.apply(Diagnostic::error("template", message(target, what, &e))),
            ]);
        }
        let file = e
            .name()
            .and_then(|n| self.templates_dir.as_ref().map(|d| d.join(n)))
            .filter(|p| p.is_file());
        let mut d = Diagnostic::error("template", message(target, what, &e));
        if let Some(file) = file {
            d = d.at(&file);
            if let (Some(line), Ok(text)) = (e.line(), std::fs::read_to_string(&file)) {
                let text: Arc<str> = Arc::from(text);
                let start = text
                    .split_inclusive('\n')
                    .take(line.saturating_sub(1))
                    .map(str::len)
                    .sum();
                let end = text[start..].find('\n').map_or(text.len(), |i| start + i);
                d = d.span(&text, start..end);
            }
        }
        Diagnostics(vec![d])
    }

    /// Where in a target file `what` (as `template_error` names it) is set.
    fn key_of<'t>(&self, target: &'t Target, what: &str) -> Vec<Key<'t>> {
        if let Some(i) = target
            .fields
            .iter()
            .position(|f| what == format!("field `{}`", f.key))
        {
            return vec![Key::K("fields"), Key::I(i), Key::K("value")];
        }
        match what {
            "path" => vec![Key::K("path")],
            "check" => vec![Key::K("checks")],
            _ => vec![Key::K("template")],
        }
    }

    fn fail(&self, target: &Target, source: &Path, msg: String) -> Diagnostics {
        Diagnostics(vec![
            Diagnostic::error("render", format!("target `{}`: {msg}", target.name)).at(source),
        ])
    }
}

fn message(target: &Target, what: &str, e: &minijinja::Error) -> String {
    let mut msg = format!("target `{}`: {what}: {}", target.name, e.kind());
    if let Some(detail) = e.detail() {
        msg.push_str(&format!(": {detail}"));
    }
    if let (Some(name), Some(line)) = (e.name(), e.line()) {
        msg.push_str(&format!(" (in {name} line {line})"));
    }
    msg
}

/// A place in a project's target file.
struct TargetAt {
    file: PathBuf,
    source: Option<(Arc<str>, std::ops::Range<usize>)>,
}

impl TargetAt {
    fn apply(self, d: Diagnostic) -> Diagnostic {
        let d = d.at(&self.file);
        match self.source {
            Some((text, span)) => d.span(&text, span),
            None => d,
        }
    }
}

/// The project file that defines `target`, and the span of `keys` in it when the
/// file sets them; `None` for a built-in target.
fn target_file(target: &Target, keys: &[Key]) -> Option<TargetAt> {
    let crate::target::Origin::Project(file) = &target.origin else {
        return None;
    };
    let text = std::fs::read_to_string(file).unwrap_or_default();
    let (doc, _) = toml::de::DeTable::parse_recoverable(&text);
    let span = crate::load::locate(doc.get_ref(), keys);
    let text: Arc<str> = Arc::from(text);
    Some(TargetAt {
        file: file.clone(),
        source: span.map(|s| (text, s)),
    })
}

thread_local! {
    /// What filters could not keep during the current render, drained into
    /// translation warnings by `Renderer::render` (one render runs on one thread).
    static NOTES: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

fn note(what: String) {
    NOTES.with(|n| n.borrow_mut().push(what));
}

fn note_lost_chars(text: &str, strict: bool) {
    if !strict {
        return;
    }
    let mut lost: Vec<char> = crate::xmltext::non_xml_chars(text).collect();
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

fn take_notes() -> Vec<String> {
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

/// A target's native path for people: `<name>` for the agent, default options.
pub fn describe_path(target: &Target) -> String {
    let env = Environment::new();
    let ctx = context! { name => "<name>", options => to_value(&target.options) };
    env.render_str(&target.native_path, ctx)
        .unwrap_or_else(|_| target.native_path.clone())
}

/// LF line ends, exactly one final newline.
pub(crate) fn finish(mut content: String) -> String {
    if content.contains('\r') {
        content = content.replace("\r\n", "\n");
    }
    let trimmed = content.trim_end_matches('\n').len();
    content.truncate(trimmed);
    content.push('\n');
    content
}

fn to_value<T: Serialize>(x: T) -> Value {
    Value::from(minijinja::value::Serde(x))
}

/// The template that calls `_markdown.j2`'s `body` macro (the project's own
/// `_markdown.j2`, if it has one), compiled once per run; its name is no file's.
const BODY_CALL: &str = "<agentc: the markdown body call>";
const BODY_CALL_SOURCE: &str =
    "{% from \"_markdown.j2\" import body %}{{ body(agent, with_role) }}";

/// `markdown.body(with_role=true)` in a template: the canonical Markdown body of the
/// agent being rendered, rendered once per agent and shared by every target that
/// uses it (claude, opencode, copilot, cursor, kiro, qwen and roo all do).
#[derive(Debug)]
struct MarkdownBody {
    agent: Value,
    /// Without and with the role.
    rendered: std::sync::Mutex<[Option<Value>; 2]>,
}

impl MarkdownBody {
    fn value(agent: &Value) -> Value {
        Value::from_object(MarkdownBody {
            agent: agent.clone(),
            rendered: Default::default(),
        })
    }
}

impl minijinja::value::Object for MarkdownBody {
    fn call_method(
        self: &Arc<Self>,
        state: &mut minijinja::State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, minijinja::Error> {
        if method != "body" {
            return Err(minijinja::Error::from(minijinja::ErrorKind::UnknownMethod));
        }
        let (with_role,): (Option<bool>,) = minijinja::value::from_args(args)?;
        let with_role = with_role.unwrap_or(true);
        let mut rendered = self.rendered.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(body) = &rendered[usize::from(with_role)] {
            return Ok(body.clone());
        }
        let ctx = context! { agent => self.agent.clone(), with_role };
        let body = Value::from(state.env().get_template(BODY_CALL)?.render(ctx)?);
        rendered[usize::from(with_role)] = Some(body.clone());
        Ok(body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    /// `markdown.body()` renders the project's own `_markdown.j2` when it has one,
    /// once per agent, with and without the role as each template asks.
    #[test]
    fn shared_markdown_body_honours_a_project_markdown_template() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("_markdown.j2"),
            "{% macro body(agent, with_role=true) %}OWN {{ agent.name }} {{ with_role }}{% endmacro %}",
        )
        .unwrap();
        let registry = crate::target::Registry::load(None).unwrap();
        let renderer = Renderer::new(Some(dir.path().to_path_buf()), Default::default());
        let spec = crate::spec::Spec {
            name: "a".into(),
            description: Some("D.".into()),
            role: Some("You help.".into()),
            ..Default::default()
        };
        let agent = crate::lower::lower(&spec);
        let targets: Vec<&Target> = ["claude", "opencode", "roo"]
            .iter()
            .map(|n| &**registry.get(n).unwrap())
            .collect();
        let prepared: Vec<Prepared> = targets
            .iter()
            .map(|t| renderer.prepare(t, Layout::Dist))
            .collect();
        let out = renderer.render_all(&agent, &prepared, Layout::Dist, Path::new("a.toml"));
        let text = |i: usize| match &out[i] {
            Ok(r) => r.artifact.as_ref().map(|a| a.content.clone()),
            Err(d) => panic!("{d:?}"),
        };
        assert!(
            text(0).unwrap().ends_with("---\n\nOWN a True\n"),
            "{:?}",
            text(0)
        );
        assert!(
            text(1).unwrap().ends_with("---\n\nOWN a True\n"),
            "{:?}",
            text(1)
        );
        let roo = out[2].as_ref().unwrap().entry.as_ref().unwrap();
        assert!(
            format!("{:?}", roo.item).contains("OWN a False"),
            "{:?}",
            roo.item
        );
    }

    /// Every file in templates/ must be embedded, or a project without its own
    /// templates/ folder fails where the repository itself works.
    #[test]
    fn every_template_file_is_embedded() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> = BUILTIN_TEMPLATES
            .iter()
            .map(|(n, _)| n.to_string())
            .collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }
}

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

use minijinja::{Environment, Value, context};
use serde::Serialize;
use serde_json::Value as Json;

use crate::artifact::{Artifact, Entry, Layout};
use crate::diag::span::Key;
use crate::diag::{Code, Diagnostic, Diagnostics, Loss};
use crate::ir::{Agent, Resolved};
use crate::spec::Table;
use crate::target::Target;

pub mod document;
mod env;
mod errors;
mod outline;

use document::over_limit;
pub use env::{builtin_template, builtin_templates};

/// What rendering one agent for one target gave.
#[derive(Debug, Default)]
pub struct Rendered {
    /// `None` when the agent is skipped for this target (or it is an aggregate).
    pub artifact: Option<Artifact>,
    /// For an aggregate target: the entry that `pipeline` collects into one file.
    pub entry: Option<Entry>,
    /// Translation warnings: what the target could not express.
    pub warnings: Vec<Diagnostic>,
    /// The name the tool knows the agent by (the target's `name_field`, as
    /// written), when the target has one and the agent was written.
    pub name: Option<String>,
}

/// A target's expressions, compiled once per run (see [`Renderer::prepare`]); an
/// expression that does not compile is `None` and reported when it is used.
pub struct Prepared<'r> {
    pub target: &'r Target,
    fields: Vec<Option<minijinja::Expression<'r, 'r>>>,
    checks: Vec<Option<minijinja::Expression<'r, 'r>>>,
    path: Option<minijinja::Template<'r, 'r>>,
    final_newline: Option<minijinja::Expression<'r, 'r>>,
    /// The first agent's options as a template value: most agents have the
    /// same (the target's and the project's), and converting them (a
    /// `tool_terms` map) cost more than a short section's render.
    options: std::sync::OnceLock<(Table, Value)>,
}

impl Prepared<'_> {
    /// `options` as a template value, converted once for the options most
    /// agents share.
    fn options_value(&self, options: &Table) -> Value {
        let (first, value) = self
            .options
            .get_or_init(|| (options.clone(), to_value(options)));
        if first == options {
            value.clone()
        } else {
            to_value(options)
        }
    }
}

pub struct Renderer {
    env: Environment<'static>,
    templates_dir: Option<PathBuf>,
}

impl Renderer {
    /// A renderer for a project whose own templates (if any) are in `templates_dir`.
    pub fn new(templates_dir: Option<PathBuf>) -> Renderer {
        let mut env = env::environment(templates_dir.clone());
        env.add_template(BODY_CALL, BODY_CALL_SOURCE)
            .expect("the body call is valid template syntax");
        Renderer { env, templates_dir }
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
            final_newline: target
                .final_newline
                .as_ref()
                .and_then(|e| self.env.compile_expression(e).ok()),
            options: std::sync::OnceLock::new(),
        }
    }

    /// Renders one agent for each prepared target, with what [`crate::resolve`]
    /// made of the agent for that target (`None`: the agent is skipped there),
    /// converting the agent to a template value once.
    pub fn render_all(
        &self,
        agent: &Agent,
        targets: &[Prepared<'_>],
        resolved: Vec<Result<Option<Resolved>, Diagnostics>>,
        layout: Layout,
        source: &Path,
    ) -> Vec<Result<Rendered, Diagnostics>> {
        let value = to_value(agent);
        let markdown = MarkdownBody::value(&value);
        targets
            .iter()
            .zip(resolved)
            .map(|(t, r)| match r? {
                Some(r) => self.render_value(agent, &value, &markdown, t, r, layout, source),
                None => Ok(Rendered::default()),
            })
            .collect()
    }

    #[allow(clippy::too_many_arguments)]
    fn render_value(
        &self,
        agent: &Agent,
        agent_value: &Value,
        markdown: &Value,
        prep: &Prepared<'_>,
        resolved: Resolved,
        layout: Layout,
        source: &Path,
    ) -> Result<Rendered, Diagnostics> {
        let target = prep.target;
        let Resolved {
            options,
            tools,
            model,
            color,
            description,
            extra,
            mut warnings,
        } = resolved;
        // The target's own name for each tool the agent's tool usage names, for
        // templates that write the prose of a tool with other tool names.
        let tool_names: BTreeMap<&str, String> = target
            .tools
            .as_ref()
            .map(|map| {
                agent
                    .tool_usage
                    .iter()
                    .filter_map(|t| Some((t.tool.as_str(), map.name_of(&t.tool)?)))
                    .collect()
            })
            .unwrap_or_default();
        let base = context! {
            agent => agent_value.clone(),
            tool_names => to_value(&tool_names),
            markdown => markdown.clone(),
            target => context! { name => &target.name },
            options => prep.options_value(&options),
            tools => to_value(&tools),
            model => &model,
            color => &color,
            description => &description,
            extra => to_value(&extra),
        };
        env::take_notes(); // a failed render before this one may have left some
        let doc = self.document(prep, &base, &extra, source)?;
        let escaped = doc
            .notes
            .iter()
            .map(|what| (Loss::EscapedText, what.clone()));
        for (loss, what) in escaped.chain(env::take_notes()) {
            warnings
                .push(Diagnostic::translation(&agent.name, &target.name, loss, &what).at(source));
        }
        for key in &doc.shadowed {
            let what = format!(
                "`[extra]` key `{key}` not written: the target writes its own `{key}` from the spec's fields"
            );
            warnings.push(
                Diagnostic::translation(&agent.name, &target.name, Loss::DroppedField, &what)
                    .at(source),
            );
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
        let name = target
            .name_field
            .as_ref()
            .and_then(|k| fields.get(k))
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let mut rendered = Rendered {
            warnings,
            name,
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
            let content = if self.final_newline(prep, &ctx)? {
                finish(doc.content)
            } else {
                finish(doc.content).trim_end_matches('\n').to_string()
            };
            rendered.artifact = Some(Artifact::new(
                agent.name.clone(),
                target.name.clone(),
                path,
                content,
            ));
        }
        Ok(rendered)
    }

    /// Whether the target's file ends with a newline (`final_newline`).
    fn final_newline(&self, prep: &Prepared<'_>, ctx: &Value) -> Result<bool, Diagnostics> {
        let target = prep.target;
        let Some(source) = &target.final_newline else {
            return Ok(true);
        };
        let what = "final_newline";
        let Some(expr) = &prep.final_newline else {
            let e = self.env.compile_expression(source).err();
            return Err(self.compile_error(target, what, e));
        };
        expr.eval(ctx)
            .map(|v| v.is_true())
            .map_err(|e| self.template_error(target, what, e))
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
        shadowed: &mut Vec<String>,
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
            if let Some((_, written, _)) = out.iter().find(|(k, _, _)| k == key) {
                // A field that reads `extra` has taken the key into its value
                // (claude's `disallowedTools` for no tools); otherwise the
                // spec's `[extra]` value is lost unless it is the same.
                let reads_extra = target
                    .fields
                    .iter()
                    .any(|f| f.key == *key && f.value.contains("extra"));
                if !reads_extra && serde_json::to_value(value).ok().as_ref() != Some(written) {
                    shadowed.push(key.clone());
                }
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
        let mut out = env::Bounded::default();
        match tmpl.render_captured_to(ctx, &mut out) {
            Ok(_) => Ok(out.into_string()),
            Err(_) if out.exceeded() => {
                let e = minijinja::Error::new(
                    minijinja::ErrorKind::InvalidOperation,
                    format!(
                        "the output of one agent passed {} MiB; rendering stopped",
                        env::MAX_OUTPUT >> 20
                    ),
                );
                Err(self.template_error(target, &target.template, e))
            }
            Err(e) => Err(self.template_error(target, &target.template, e)),
        }
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
        let ctx = context! { name => &agent.name, options => prep.options_value(options) };
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
        if escapes(&rel) {
            let key = match layout {
                Layout::Dist => "path",
                Layout::Native => "native_path",
            };
            let d = Diagnostic::error(
                Code::PathEscapes,
                format!(
                    "target `{}` would write `{}` for `{}`, outside the output root",
                    target.name,
                    rel.display(),
                    agent.name
                ),
            )
            .help("output paths must be relative and may not contain `..`");
            // The pattern is the culprit when a project file set it.
            let d = match errors::target_file(target, &[Key::K(key)]) {
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

    fn fail(&self, target: &Target, source: &Path, msg: String) -> Diagnostics {
        Diagnostics(vec![
            Diagnostic::error(Code::Render, format!("target `{}`: {msg}", target.name)).at(source),
        ])
    }
}

/// Whether a rendered output path is empty or leaves the output root.
pub(crate) fn escapes(rel: &Path) -> bool {
    rel.as_os_str().is_empty()
        || rel
            .components()
            .any(|c| !matches!(c, Component::Normal(_) | Component::CurDir))
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

    /// Templates see each section's kind (or none), the body parts in order with
    /// their kinds, and the list of kinds.
    #[test]
    fn templates_see_kinds_and_parts() {
        use crate::spec::{Boundaries, Kind, Section, Spec};
        let section = |title: &str, kind| Section {
            title: title.into(),
            kind,
            heading_in_body: false,
            body: format!("{title} text"),
        };
        let spec = Spec {
            name: "a".into(),
            expertise: vec!["x".into()],
            boundaries: Some(Boundaries {
                will_not: vec!["y".into()],
                ..Boundaries::default()
            }),
            sections: vec![
                section("Steps", Some(Kind::Workflow)),
                section("Notes", None),
                section("Rules", Some(Kind::Constraints)),
            ],
            ..Spec::default()
        };
        let renderer = Renderer::new(None);
        let ctx = context! { agent => to_value(crate::lower::lower(&spec)) };
        let render = |t: &str| renderer.env.render_str(t, ctx.clone()).unwrap();
        assert_eq!(
            render("{% for s in agent.sections %}{{ s.kind }};{% endfor %}"),
            "workflow;None;constraints;"
        );
        assert_eq!(
            render(
                "{% for p in agent.parts %}{{ p.kind }}={{ p.field or agent.sections[p.section].title }};{% endfor %}"
            ),
            "expertise=expertise;constraints=boundaries;workflow=Steps;None=Notes;constraints=Rules;"
        );
        assert_eq!(
            render(
                "{% for p in agent.parts if p.kind == 'constraints' %}{{ p.field or p.section }};{% endfor %}"
            ),
            "boundaries;2;"
        );
        assert_eq!(
            render(
                "{{ agent.sections | selectattr('kind', 'none') | map(attribute='title') | join(',') }}"
            ),
            "Notes"
        );
        assert_eq!(
            render("{{ kinds | length }} {{ kinds[0] }}"),
            "16 objective"
        );
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
        let renderer = Renderer::new(Some(dir.path().to_path_buf()));
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
        let resolved = targets
            .iter()
            .map(|t| crate::resolve::resolve(&agent, t, None, Path::new("a.toml")))
            .collect();
        let out = renderer.render_all(
            &agent,
            &prepared,
            resolved,
            Layout::Dist,
            Path::new("a.toml"),
        );
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
}

//! Provider requests: the rendered prompt placed where a model API takes it.
//!
//! The shapes are data, `[[request]]` in a target's file (see `target::RequestShape`):
//! the first shape whose `when` expression holds is taken, its `body` table is
//! copied into JSON and each string in it is rendered as a minijinja template
//! over `prompt`, `model`, `options`, `agent.name` and `target.name`. The prompt
//! reaches those templates as a value, never as template source, so `{{` in a
//! prompt comes out verbatim. A shape may render the prompt with some options
//! forced (`wrap = "none"` for Ollama's bare system prompt), through the same
//! pipeline as `build`.

use minijinja::{Environment, UndefinedBehavior, Value, context};
use serde_json::{Map, Value as Json};

use crate::artifact::Layout;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::load::Loaded;
use crate::pipeline::{self, Job, Specs};
use crate::spec::Table;
use crate::target::{PromptPart, RequestShape, Target};
use crate::{lower, resolve};

/// The request for one agent × target, `None` when the target declares no shape.
/// The request for one agent × target of `job`, `None` when the target declares no shape.
pub fn request(
    job: &Job,
    l: &Loaded,
    target: &Target,
    content: &str,
) -> Result<Option<Map<String, Json>>, Diagnostics> {
    if target.request.is_empty() {
        return Ok(None);
    }
    let agent = lower::lower(&l.spec);
    let Some(resolved) = resolve::resolve(&agent, target, job.options.get(&target.name), &l.path)?
    else {
        return Ok(None);
    };
    let over = agent.overrides.get(&target.name);
    let model = over
        .and_then(|o| o.model.as_ref())
        .or(agent.model.as_ref())
        .filter(|m| *m != "inherit");
    let ctx = context! {
        model => model,
        options => Value::from(minijinja::value::Serde(&resolved.options)),
        agent => context! { name => &agent.name },
        target => context! { name => &target.name },
    };
    let env = environment();
    let fail = |what: &str, e: minijinja::Error| {
        let mut msg = format!("target `{}`: request {what}: {}", target.name, e.kind());
        if let Some(detail) = e.detail() {
            msg.push_str(&format!(": {detail}"));
        }
        Diagnostics(vec![Diagnostic::error(Code::Request, msg).at(&l.path)])
    };
    let mut chosen = None;
    for shape in &target.request {
        let holds = match &shape.when {
            None => true,
            Some(expr) => env
                .compile_expression(expr)
                .and_then(|e| e.eval(&ctx))
                .map_err(|e| fail("`when`", e))?
                .is_true(),
        };
        if holds {
            chosen = Some(shape);
            break;
        }
    }
    let Some(shape) = chosen else {
        return Ok(None);
    };
    let prompt = prompt(job, l, target, shape, content)?;
    let ctx = context! { prompt => prompt, ..ctx };
    let mut body = Map::new();
    for (key, value) in &shape.body {
        body.insert(
            key.clone(),
            fill(&env, value, &ctx).map_err(|e| fail("`body`", e))?,
        );
    }
    Ok(Some(body))
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env
}

/// The prompt text of a shape: the file as built, or re-rendered with the
/// shape's options forced, then whole or without its frontmatter.
fn prompt(
    job: &Job,
    l: &Loaded,
    target: &Target,
    shape: &RequestShape,
    content: &str,
) -> Result<String, Diagnostics> {
    let mut text = content.to_string();
    if !shape.options.is_empty() {
        // The spec's own `[targets.<name>]` value would win over the project's: drop it.
        let mut l = l.clone();
        if let Some(over) = l.spec.targets.get_mut(&target.name) {
            over.rest.retain(|k, _| !shape.options.contains_key(k));
        }
        let mut options = job.options.clone();
        options
            .entry(target.name.clone())
            .or_default()
            .extend(shape.options.clone());
        let one = Job {
            specs: Specs::Loaded(vec![l]),
            explicit_sources: false,
            targets: vec![target.name.clone()],
            layout: Layout::Dist,
            strict: false,
            lint: None,
            registry: job.registry,
            renderer: job.renderer,
            options: &options,
            accept: job.accept,
        };
        let c = pipeline::compile_all(&one);
        if c.failed() {
            return Err(c.diags);
        }
        if let Some(a) = c.artifacts.first() {
            text = a.content.clone();
        }
    }
    Ok(match shape.prompt {
        PromptPart::Content => text,
        PromptPart::Body => strip_frontmatter(&text).to_string(),
    })
}

/// The text after a leading `---` … `---` block, without the blank lines that follow it.
fn strip_frontmatter(text: &str) -> &str {
    let Some(rest) = text.strip_prefix("---\n") else {
        return text;
    };
    let end = if rest.starts_with("---\n") {
        Some(0)
    } else {
        rest.find("\n---\n").map(|i| i + 1)
    };
    match end {
        Some(i) => rest[i + 4..].trim_start_matches('\n'),
        None => text,
    }
}

/// A TOML value as JSON, each string rendered as a template over `ctx`.
fn fill(
    env: &Environment<'static>,
    value: &toml::Value,
    ctx: &Value,
) -> Result<Json, minijinja::Error> {
    Ok(match value {
        toml::Value::String(s) => Json::String(env.render_str(s, ctx)?),
        toml::Value::Array(items) => Json::Array(
            items
                .iter()
                .map(|v| fill(env, v, ctx))
                .collect::<Result<_, _>>()?,
        ),
        toml::Value::Table(table) => Json::Object(fill_table(env, table, ctx)?),
        other => serde_json::to_value(other).unwrap_or(Json::Null),
    })
}

fn fill_table(
    env: &Environment<'static>,
    table: &Table,
    ctx: &Value,
) -> Result<Map<String, Json>, minijinja::Error> {
    table
        .iter()
        .map(|(k, v)| Ok((k.clone(), fill(env, v, ctx)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frontmatter_is_stripped_only_when_closed() {
        for (text, want) in [
            ("---\nname: a\n---\n\n<role>x</role>\n", "<role>x</role>\n"),
            ("---\n---\nbody\n", "body\n"),
            ("no frontmatter\n", "no frontmatter\n"),
            ("---\nunclosed\n", "---\nunclosed\n"),
        ] {
            assert_eq!(strip_frontmatter(text), want, "{text:?}");
        }
    }

    #[test]
    fn strings_are_templates_over_values_only() {
        let env = environment();
        let body: Table = toml::from_str(r#"messages = [{ role = "{{ 'a' if flag else 'b' }}", content = "{{ prompt }}", n = 1 }]"#).unwrap();
        let ctx = context! { prompt => "say {{ x }}\n", flag => true };
        let json = Json::Object(fill_table(&env, &body, &ctx).unwrap());
        assert_eq!(
            json,
            serde_json::json!({ "messages": [{ "role": "a", "content": "say {{ x }}\n", "n": 1 }] })
        );
    }
}

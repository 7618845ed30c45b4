//! Provider requests: the rendered prompt placed where a model API takes it.
//!
//! The shapes are data, `[[request]]` in a target's file (see `target::RequestShape`):
//! per API, the first shape whose `when` expression holds is taken, its `body`
//! table is copied into JSON and each string in it is rendered as a minijinja
//! template over `prompt`, `model`, `options`, `agent.name`, `agent.markdown`,
//! `target.name`, `user` (the placeholder of the user's message) and the
//! target's `request_vars`. The prompt reaches those templates as a value, never
//! as template source, so `{{` in a prompt comes out verbatim. A shape may render
//! the prompt with some options forced (`wrap = "none"` for Ollama's bare system
//! prompt), through the same pipeline as `build`. Each request says where the
//! user's message goes (`user`: a JSON Pointer and an action), and that place is
//! checked to exist in the body.

use std::collections::BTreeMap;

use minijinja::{Environment, UndefinedBehavior, Value, context};
use serde_json::{Map, Value as Json};

use crate::artifact::Layout;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::ir::Agent;
use crate::load::Loaded;
use crate::pipeline::{self, Job, Specs};
use crate::spec::Table;
use crate::target::{PromptPart, RequestShape, Target};
use crate::{lower, resolve};

use super::{Request, UserMessage};

/// The placeholder of the user's message, made unique against the prompt:
/// `{{user_message}}`, or with a number when the prompt holds that text.
fn placeholder(prompt: &str) -> String {
    let mut mark = "{{user_message}}".to_string();
    let mut n = 1;
    while prompt.contains(&mark) {
        n += 1;
        mark = format!("{{{{user_message_{n}}}}}");
    }
    mark
}

/// The requests for one agent × target of `job`, by API (empty when the target
/// declares no shape, or none holds).
pub fn requests(
    job: &Job,
    l: &Loaded,
    target: &Target,
    content: &str,
) -> Result<BTreeMap<String, Request>, Diagnostics> {
    let mut out = BTreeMap::new();
    if target.request.is_empty() {
        return Ok(out);
    }
    let agent = lower::lower(&l.spec);
    let Some(resolved) = resolve::resolve(&agent, target, job.options.get(&target.name), &l.path)?
    else {
        return Ok(out);
    };
    let over = agent.overrides.get(&target.name);
    let model = over
        .and_then(|o| o.model.as_ref())
        .or(agent.model.as_ref())
        .filter(|m| *m != "inherit");
    let mut ctx = context! {
        model => model,
        options => Value::from(minijinja::value::Serde(&resolved.options)),
        agent => context! { name => &agent.name, markdown => answers_in_markdown(&agent) },
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
    let eval = |expr: &str, ctx: &Value| env.compile_expression(expr).and_then(|e| e.eval(ctx));
    let mut vars = BTreeMap::new();
    for (name, expr) in &target.request_vars {
        let v = eval(expr, &ctx).map_err(|e| fail(&format!("`request_vars.{name}`"), e))?;
        vars.insert(name.clone(), v);
    }
    ctx = context! { ..Value::from(vars), ..ctx };
    for shape in &target.request {
        if out.contains_key(&shape.api) {
            continue;
        }
        let holds = match &shape.when {
            None => true,
            Some(expr) => eval(expr, &ctx).map_err(|e| fail("`when`", e))?.is_true(),
        };
        if !holds {
            continue;
        }
        let prompt = prompt(job, l, target, shape, &resolved.options, content)?;
        let mark = placeholder(&prompt);
        let ctx = context! { prompt => prompt, user => &mark, ..ctx.clone() };
        let mut body = Map::new();
        for (key, value) in &shape.body {
            body.insert(
                key.clone(),
                fill(&env, value, &ctx).map_err(|e| fail("`body`", e))?,
            );
        }
        let value = match &shape.user.value {
            Some(v) => Some(fill(&env, v, &ctx).map_err(|e| fail("`user.value`", e))?),
            None => None,
        };
        let user = UserMessage {
            at: shape.user.at.clone(),
            action: shape.user.action,
            value,
            placeholder: mark,
        };
        let mut body = Json::Object(body);
        for (at, expr) in &shape.values {
            let v = eval(expr, &ctx).map_err(|e| fail(&format!("`values.\"{at}\"`"), e))?;
            if v.is_undefined() || v.is_none() {
                continue;
            }
            let set = serde_json::to_value(&v)
                .map_err(|e| e.to_string())
                .and_then(|json| set_at(&mut body, at, json));
            if let Err(why) = set {
                let msg = format!(
                    "target `{}`: request `{}`: `values` cannot set `{at}`: {why}",
                    target.name, shape.api
                );
                return Err(Diagnostics(vec![
                    Diagnostic::error(Code::Request, msg).at(&l.path),
                ]));
            }
        }
        if let Err(why) = user.check(&body) {
            let msg = format!(
                "target `{}`: request `{}`: the user's message cannot go at `{}`: {why}",
                target.name, shape.api, user.at
            );
            return Err(Diagnostics(vec![
                Diagnostic::error(Code::Request, msg).at(&l.path),
            ]));
        }
        let Json::Object(body) = body else {
            unreachable!("built as an object above")
        };
        out.insert(
            shape.api.clone(),
            Request {
                body,
                user,
                needs: shape.needs.clone(),
            },
        );
    }
    Ok(out)
}

/// Whether the agent asks for Markdown in its answers: an output format (a
/// structured one, a section of kind `output_format`, or an unclassified
/// section whose title speaks of output, format or response) that names
/// Markdown or is itself laid out in Markdown.
pub fn answers_in_markdown(agent: &Agent) -> bool {
    let formats = agent.output_formats.iter().map(|f| f.body.as_str());
    let sections = agent
        .sections
        .iter()
        .filter(|s| match s.kind {
            Some(kind) => kind == crate::spec::Kind::OutputFormat,
            None => {
                let t = s.title.to_lowercase();
                t.contains("output") || t.contains("format") || t.contains("response")
            }
        })
        .map(|s| s.body.as_str());
    formats.chain(sections).any(is_markdown)
}

fn is_markdown(text: &str) -> bool {
    if text.to_lowercase().contains("markdown") {
        return true;
    }
    text.lines().map(str::trim_start).any(|l| {
        l.starts_with("```")
            || l.starts_with("| ")
            || l.starts_with("- **")
            || l.starts_with("* **")
            || l.starts_with("**")
            || (l.starts_with('#') && l.trim_start_matches('#').starts_with(' '))
    })
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_auto_escape_callback(|_| minijinja::AutoEscape::None);
    env
}

/// The prompt text of a shape: the file as built, or re-rendered with the
/// shape's options forced, then whole or without its frontmatter. The file as
/// built is that render already when the agent's options (`built`) hold the
/// forced values (Ollama's `wrap = "none"` is the default): it is not rendered
/// again.
fn prompt(
    job: &Job,
    l: &Loaded,
    target: &Target,
    shape: &RequestShape,
    built: &Table,
    content: &str,
) -> Result<String, Diagnostics> {
    let mut text = content.to_string();
    let same =
        target.aggregate.is_none() && shape.options.iter().all(|(k, v)| built.get(k) == Some(v));
    if !same {
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

/// Sets the key a JSON Pointer names in `body` to `value`, creating the objects
/// on the way; the key must be new and every step an object's key.
fn set_at(body: &mut Json, at: &str, value: Json) -> Result<(), String> {
    let keys = crate::target::pointer_keys(at)?;
    let (last, path) = keys.split_last().expect("split gives at least one key");
    let mut here = body;
    for key in path {
        let Json::Object(map) = here else {
            return Err(format!("`{key}`'s parent is not an object"));
        };
        here = map
            .entry(key.clone())
            .or_insert_with(|| Json::Object(Map::new()));
    }
    let Json::Object(map) = here else {
        return Err(format!("`{last}`'s parent is not an object"));
    };
    if map.contains_key(last) {
        return Err("the body already has a value there".into());
    }
    map.insert(last.clone(), value);
    Ok(())
}

/// `s` rendered as a template over `ctx`. Text without `{` or a line break
/// renders as itself, and `{{ name }}` of a string value as that string: both
/// are taken as they are, without compiling a template for every request.
fn render(env: &Environment<'static>, s: &str, ctx: &Value) -> Result<String, minijinja::Error> {
    if !s.contains(['{', '\n', '\r']) {
        return Ok(s.to_string());
    }
    let name = s.strip_prefix("{{ ").and_then(|r| r.strip_suffix(" }}"));
    let plain = |n: &str| {
        n.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !matches!(n, "true" | "false" | "none" | "True" | "False" | "None")
    };
    if let Some(name) = name.filter(|n| plain(n))
        && let Ok(value) = ctx.get_attr(name)
        && let Some(text) = value.as_str()
    {
        return Ok(text.to_string());
    }
    env.render_str(s, ctx)
}

/// A TOML value as JSON, each string rendered as a template over `ctx`.
fn fill(
    env: &Environment<'static>,
    value: &toml::Value,
    ctx: &Value,
) -> Result<Json, minijinja::Error> {
    Ok(match value {
        toml::Value::String(s) => Json::String(render(env, s, ctx)?),
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

    /// The shortcuts for plain text and a lone `{{ name }}` give what rendering
    /// the template gives, and anything else is rendered (errors included).
    #[test]
    fn shortcuts_render_as_templates_do() {
        let env = environment();
        let ctx = context! {
            prompt => "line {{ x }}\n\n", user => "{{user_message}}", n => 3,
            none => "a string named none", options => context! { wrap => "none" },
        };
        let cases = [
            "system",
            "",
            "a\n",
            "a\r\n",
            "tab\there",
            "{{ prompt }}",
            "{{ user }}",
            "{{ n }}",
            "{{ none }}",
            "{{ missing }}",
            "{{ prompt }}\n\n{{ user }}",
            "{{prompt}}",
            "{{ options }}",
            "{{ options.wrap }}",
            "{{ 1x }}",
            "{ not a tag }",
        ];
        for case in cases {
            let fast = render(&env, case, &ctx).map_err(|e| e.to_string());
            let slow = env.render_str(case, &ctx).map_err(|e| e.to_string());
            assert_eq!(fast, slow, "{case:?}");
        }
        assert!(render(&env, "{{ missing }}", &ctx).is_err());
    }

    #[test]
    fn typed_values_go_where_their_pointer_says() {
        let mut body = serde_json::json!({ "stream": false, "s": "x" });
        set_at(&mut body, "/options/num_ctx", Json::from(8192)).unwrap();
        set_at(&mut body, "/options/a~1b", Json::from(0.5)).unwrap();
        set_at(&mut body, "/top", Json::from(true)).unwrap();
        assert_eq!(
            body,
            serde_json::json!({ "stream": false, "s": "x", "top": true, "options": { "num_ctx": 8192, "a/b": 0.5 } })
        );
        for (at, want) in [
            ("options", "JSON Pointer"),
            ("/stream", "already has a value"),
            ("/options/num_ctx", "already has a value"),
            ("/s/t", "`t`'s parent is not an object"),
            ("/s/t/u", "`t`'s parent is not an object"),
            ("/a//b", "names no key"),
            ("/", "names no key"),
        ] {
            let err = set_at(&mut body.clone(), at, Json::from(1)).unwrap_err();
            assert!(err.contains(want), "{at}: {err}");
        }
    }

    #[test]
    fn the_placeholder_never_occurs_in_the_prompt() {
        assert_eq!(placeholder("Help."), "{{user_message}}");
        assert_eq!(placeholder("a {{user_message}} b"), "{{user_message_2}}");
        assert_eq!(
            placeholder("{{user_message}} {{user_message_2}}"),
            "{{user_message_3}}"
        );
    }

    #[test]
    fn the_user_message_goes_where_the_request_says() {
        use crate::bundle::UserMessage;
        use crate::target::UserAction;
        let slot = |at: &str, action, value: Option<Json>| UserMessage {
            at: at.into(),
            action,
            value,
            placeholder: "{{u}}".into(),
        };
        let body = serde_json::json!({ "messages": [{ "role": "system", "content": "P" }], "x": { "y": "P\n\n{{u}}" } });
        let user = serde_json::json!({ "role": "user", "content": "say {{u}}" });
        let out = slot("/messages", UserAction::Append, Some(user.clone()))
            .apply(body.clone(), "hi")
            .unwrap();
        assert_eq!(
            out["messages"][1],
            serde_json::json!({ "role": "user", "content": "say hi" })
        );
        let out = slot("/input", UserAction::Set, Some(Json::from("{{u}}")))
            .apply(body.clone(), "hi {{u}}")
            .unwrap();
        assert_eq!(
            out["input"], "hi {{u}}",
            "the user's text is not searched again"
        );
        let out = slot("/x/y", UserAction::Replace, None)
            .apply(body.clone(), "hi")
            .unwrap();
        assert_eq!(out["x"]["y"], "P\n\nhi");
        for (s, want) in [
            (
                slot("messages", UserAction::Append, Some(user.clone())),
                "JSON Pointer",
            ),
            (
                slot("/x", UserAction::Append, Some(user.clone())),
                "no array",
            ),
            (
                slot("/messages", UserAction::Append, None),
                "need a `value`",
            ),
            (
                slot("/nope/input", UserAction::Set, Some(user.clone())),
                "parent",
            ),
            (
                slot("/messages/0/content", UserAction::Replace, None),
                "exactly once",
            ),
            (
                slot("/x/y", UserAction::Replace, Some(user.clone())),
                "no `value`",
            ),
        ] {
            let err = s.check(&body).unwrap_err();
            assert!(err.contains(want), "{}: {err}", s.at);
        }
    }

    #[test]
    fn markdown_answers_are_told_by_the_output_format() {
        use crate::spec::{OutputFormat, Section};
        let agent = |formats: &[&str], sections: &[(&str, &str)]| {
            lower::lower(&crate::spec::Spec {
                name: "a".into(),
                output_formats: formats
                    .iter()
                    .map(|b| OutputFormat {
                        name: "f".into(),
                        body: b.to_string(),
                    })
                    .collect(),
                sections: sections
                    .iter()
                    .map(|(t, b)| Section {
                        title: t.to_string(),
                        body: b.to_string(),
                        ..Default::default()
                    })
                    .collect(),
                ..Default::default()
            })
        };
        assert!(answers_in_markdown(&agent(&["Reply in Markdown."], &[])));
        assert!(answers_in_markdown(&agent(&["## Summary\nOne line."], &[])));
        assert!(answers_in_markdown(&agent(
            &[],
            &[("Output Format", "```json\n{}\n```")]
        )));
        assert!(answers_in_markdown(&agent(
            &[],
            &[("Response", "| a | b |")]
        )));
        assert!(!answers_in_markdown(&agent(&["One plain sentence."], &[])));
        assert!(!answers_in_markdown(&agent(
            &[],
            &[("Workflow", "## Step one")]
        )));
        let mut classified = agent(&[], &[("Report", "## Findings")]);
        assert!(!answers_in_markdown(&classified));
        classified.sections[0].kind = Some(crate::spec::Kind::OutputFormat);
        assert!(answers_in_markdown(&classified));
        classified.sections[0].title = "Output Format".into();
        classified.sections[0].kind = Some(crate::spec::Kind::Workflow);
        assert!(!answers_in_markdown(&classified));
        assert!(!answers_in_markdown(&agent(&[], &[])));
    }
}

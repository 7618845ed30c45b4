//! What a target's file is made of: a template around YAML frontmatter, or the
//! TOML, JSON or YAML of its fields (one file per agent, or one `aggregate` file
//! for all of them); and the tool's rules (`checks`) run on every output.
//!
//! A child of `render`: these are `Renderer` methods, split off by concept.

use std::path::Path;

use minijinja::{Value, context};
use serde_json::Value as Json;

use super::{Artifact, Entry, Renderer, finish};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::ir::Agent;
use crate::resolve;
use crate::spec::Table;
use crate::target::{CheckLevel, Document, Target};

impl Renderer {
    /// Renders the file's content, its evaluated fields and its prompt text.
    pub(super) fn document(
        &self,
        target: &Target,
        base: &Value,
        extra: &Table,
        source: &Path,
    ) -> Result<Doc, Diagnostics> {
        if target.document == Document::Template {
            let fields = self.fields(target, base, extra, source)?;
            let frontmatter =
                crate::yaml::frontmatter(&fields).map_err(|e| self.fail(target, source, e))?;
            let ctx = context! { frontmatter => &frontmatter, ..base.clone() };
            let content = self.body(target, &ctx, source)?;
            let body = content
                .strip_prefix("---\n")
                .and_then(|rest| rest.strip_prefix(frontmatter.as_str()))
                .and_then(|rest| rest.strip_prefix("---"))
                .unwrap_or(&content)
                .trim()
                .to_string();
            return Ok(Doc {
                content,
                fields,
                body,
            });
        }
        let prompt = self.body(target, base, source)?;
        // Blank lines around the prompt go; indentation of its first line stays.
        let prompt = prompt.trim_start_matches('\n').trim_end().to_string();
        let ctx = context! { prompt => &prompt, ..base.clone() };
        let fields = self.fields(target, &ctx, extra, source)?;
        let map: serde_json::Map<String, Json> = fields
            .iter()
            .map(|(k, v, _)| (k.clone(), v.clone()))
            .collect();
        let content = if target.aggregate.is_some() {
            String::new()
        } else {
            serialize(target.document, &Json::Object(map))
                .map_err(|e| self.fail(target, source, e))?
        };
        Ok(Doc {
            content,
            fields,
            body: prompt,
        })
    }

    /// Runs the target's checks; returns whether the output may be written.
    pub(super) fn check(
        &self,
        agent: &Agent,
        target: &Target,
        ctx: &Value,
        source: &Path,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<bool, Diagnostics> {
        let mut written = true;
        let mut errors = Diagnostics::default();
        for check in &target.checks {
            let what = "check";
            let expr = self
                .env
                .compile_expression(&check.test)
                .map_err(|e| self.template_error(target, what, e))?;
            if expr
                .eval(ctx)
                .map_err(|e| self.template_error(target, what, e))?
                .is_true()
            {
                continue;
            }
            let message = self
                .env
                .render_str(&check.message, ctx)
                .map_err(|e| self.template_error(target, what, e))?;
            match check.level {
                CheckLevel::Error => errors.push(
                    Diagnostic::error(
                        "target-rule",
                        format!("`{}` → `{}`: {message}", agent.name, target.name),
                    )
                    .about(&agent.name, &target.name)
                    .at(source)
                    .help(format!(
                        "fix the spec, or set `skip = true` under `[targets.{}]`",
                        target.name
                    )),
                ),
                CheckLevel::Warning => warnings
                    .push(resolve::translation(&agent.name, &target.name, &message).at(source)),
                CheckLevel::Skip => {
                    written = false;
                    let what = format!("not written: {message}");
                    warnings
                        .push(resolve::translation(&agent.name, &target.name, &what).at(source));
                }
            }
        }
        if errors.is_empty() {
            Ok(written)
        } else {
            errors.0.append(warnings);
            Err(errors)
        }
    }

    /// Writes the entries of one aggregate target and path as one file.
    pub fn aggregate(&self, target: &Target, entries: &[Entry]) -> Result<Artifact, Diagnostics> {
        let (Some(agg), Some(first)) = (&target.aggregate, entries.first()) else {
            return Err(Diagnostics(vec![Diagnostic::error(
                "render",
                format!("target `{}` has nothing to aggregate", target.name),
            )]));
        };
        let list: Vec<Json> = entries.iter().map(|e| e.value.clone()).collect();
        let mut doc = serde_json::Map::new();
        doc.insert(agg.key.clone(), Json::Array(list));
        let content = serialize(target.document, &Json::Object(doc))
            .map_err(|e| self.fail(target, Path::new(""), e))?;
        let agents: Vec<&str> = entries.iter().map(|e| e.agent.as_str()).collect();
        Ok(Artifact {
            agent: agents.join(", "),
            target: target.name.clone(),
            path: first.path.clone(),
            content: finish(content),
        })
    }
}

/// The warning for a prompt longer than the target takes, if it is.
pub(super) fn over_limit(
    agent: &Agent,
    target: &Target,
    body: &str,
    source: &Path,
) -> Option<Diagnostic> {
    let max = target.limits.max_body_chars?;
    let chars = body.chars().count();
    let what = format!("the prompt has {chars} characters; the target takes at most {max}");
    (chars > max).then(|| resolve::translation(&agent.name, &target.name, &what).at(source))
}

/// A rendered document before it is finished: content, fields and prompt text.
pub(super) struct Doc {
    pub(super) content: String,
    pub(super) fields: Vec<(String, Json, crate::target::FieldStyle)>,
    /// The prompt alone (the Markdown body, or what the template renders).
    pub(super) body: String,
}

/// A whole-file document in the target's format.
fn serialize(document: Document, value: &Json) -> Result<String, String> {
    match document {
        Document::Toml => toml::to_string(value).map_err(|e| e.to_string()),
        Document::Json => serde_json::to_string_pretty(value).map_err(|e| e.to_string()),
        Document::Yaml | Document::Template => crate::yaml::to_string(value),
    }
}

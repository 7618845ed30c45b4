//! What a target's file is made of: a template around YAML frontmatter, or the
//! TOML, JSON or YAML of its fields (one file per agent, or one `aggregate` file
//! for all of them); and the tool's rules (`checks`) run on every output.
//!
//! A child of `render`: these are `Renderer` methods, split off by concept.

use std::path::Path;

use minijinja::{Value, context};
use serde_json::Value as Json;

use super::{Prepared, Renderer, escapes, finish, to_value};
use crate::artifact::{Artifact, Entry, Layout};
use crate::diag::{Code, Diagnostic, Diagnostics, Loss};
use crate::ir::Agent;
use crate::spec::Table;
use crate::target::{CheckLevel, Document, Frontmatter, ProjectFile, Target};

impl Renderer {
    /// Renders the file's content, its evaluated fields and its prompt text.
    pub(super) fn document(
        &self,
        prep: &Prepared<'_>,
        base: &Value,
        extra: &Table,
        source: &Path,
    ) -> Result<Doc, Diagnostics> {
        let target = prep.target;
        if target.document == Document::Template {
            let mut shadowed = Vec::new();
            let mut fields = self.fields(prep, base, extra, source, &mut shadowed)?;
            let mut notes = Vec::new();
            if target.frontmatter == Frontmatter::Plain {
                (fields, notes) = crate::support::yaml::plain_fields(fields)
                    .map_err(|e| self.fail(target, source, e))?;
            }
            let frontmatter = match target.frontmatter {
                Frontmatter::Yaml => crate::support::yaml::frontmatter(&fields),
                Frontmatter::Plain => crate::support::yaml::plain_frontmatter(&fields),
            }
            .map_err(|e| self.fail(target, source, e))?;
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
                notes,
                shadowed,
            });
        }
        let prompt = self.body(target, base, source)?;
        // Blank lines around the prompt go; indentation of its first line stays.
        let prompt = prompt.trim_start_matches('\n').trim_end().to_string();
        let ctx = context! { prompt => &prompt, ..base.clone() };
        let mut shadowed = Vec::new();
        let fields = self.fields(prep, &ctx, extra, source, &mut shadowed)?;
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
            notes: Vec::new(),
            shadowed,
        })
    }

    /// Runs the target's checks; returns whether the output may be written.
    pub(super) fn check(
        &self,
        agent: &Agent,
        prep: &Prepared<'_>,
        ctx: &Value,
        source: &Path,
        warnings: &mut Vec<Diagnostic>,
    ) -> Result<bool, Diagnostics> {
        let target = prep.target;
        let mut written = true;
        let mut errors = Diagnostics::default();
        for (check, expr) in target.checks.iter().zip(&prep.checks) {
            let what = "check";
            let Some(expr) = expr else {
                let e = self.env.compile_expression(&check.test).err();
                return Err(self.compile_error(target, what, e));
            };
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
                        Code::TargetRule,
                        format!("`{}` → `{}`: {message}", agent.name, target.name),
                    )
                    .about(&agent.name, &target.name)
                    .at(source)
                    .help(format!(
                        "fix the spec, or set `skip = true` under `[targets.{}]`",
                        target.name
                    )),
                ),
                CheckLevel::Warning => warnings.push(
                    Diagnostic::translation(
                        &agent.name,
                        &target.name,
                        check.code.unwrap_or(Loss::TargetRule),
                        &message,
                    )
                    .at(source),
                ),
                CheckLevel::Skip => {
                    written = false;
                    let what = format!("not written: {message}");
                    warnings.push(
                        Diagnostic::translation(&agent.name, &target.name, Loss::NotWritten, &what)
                            .at(source),
                    );
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
}

impl Renderer {
    /// The aggregate file of a few entries at once (the pipeline assembles large
    /// ones from a spool, through the same [`frame`]).
    pub fn aggregate(&self, target: &Target, entries: &[Entry]) -> Result<Artifact, Diagnostics> {
        let first = entries.first().ok_or_else(|| {
            Diagnostics(vec![Diagnostic::error(
                Code::Render,
                format!("target `{}` has nothing to aggregate", target.name),
            )])
        })?;
        let f = frame(target).map_err(|e| self.fail(target, Path::new(""), e))?;
        let items: Vec<&str> = entries.iter().map(|e| e.item.as_str()).collect();
        let agents: Vec<&str> = entries.iter().map(|e| e.agent.as_str()).collect();
        Ok(Artifact::new(
            agents.join(", "),
            target.name.clone(),
            first.path.clone(),
            finish(format!("{}{}{}", f.head, items.join(f.sep), f.tail)),
        ))
    }
}

impl Renderer {
    /// One of a target's project files (see [`ProjectFile`]): its fields over the
    /// target's project-wide `options` and the `agents` (name, path) the build wrote
    /// for the target, serialized in its document format. The artifact names no
    /// agent: it belongs to the target.
    pub fn project_file(
        &self,
        target: &Target,
        file: &ProjectFile,
        options: &Table,
        agents: &[(String, std::path::PathBuf)],
        layout: Layout,
    ) -> Result<Artifact, Diagnostics> {
        let agents: Vec<Json> = agents
            .iter()
            .map(|(name, path)| serde_json::json!({ "name": name, "path": path.to_string_lossy() }))
            .collect();
        let ctx = context! {
            options => to_value(options),
            target => context! { name => &target.name },
            agents => to_value(&agents),
        };
        let mut map = serde_json::Map::new();
        for field in &file.fields {
            let what = format!("field `{}` of a project file", field.key);
            let value = self
                .env
                .compile_expression(&field.value)
                .and_then(|e| e.eval(&ctx))
                .map_err(|e| self.template_error(target, &what, e))?;
            if value.is_undefined() || value.is_none() {
                continue;
            }
            let json = serde_json::to_value(&value)
                .map_err(|e| self.fail(target, Path::new(""), e.to_string()))?;
            map.insert(field.key.clone(), json);
        }
        let content = serialize(file.document, &Json::Object(map))
            .map_err(|e| self.fail(target, Path::new(""), e))?;
        let pattern = match layout {
            Layout::Dist => &file.path,
            Layout::Native => &file.native_path,
        };
        let rel = self
            .env
            .render_str(pattern, &ctx)
            .map_err(|e| self.template_error(target, "path", e))?;
        let rel = std::path::PathBuf::from(rel.trim());
        if escapes(&rel) {
            return Err(Diagnostics(vec![
                Diagnostic::error(
                    Code::PathEscapes,
                    format!(
                        "target `{}` would write its project file `{}` outside the output root",
                        target.name,
                        rel.display()
                    ),
                )
                .help("output paths must be relative and may not contain `..`"),
            ]));
        }
        let path = match layout {
            Layout::Dist => Path::new(&target.name).join(rel),
            Layout::Native => rel,
        };
        Ok(Artifact::new(
            String::new(),
            target.name.clone(),
            path,
            finish(content),
        ))
    }
}

/// An aggregate file (`{key: [entry, ...]}` in the target's document format) is
/// written a part at a time, so that it is never held as one tree: `head`, each
/// entry's [`item`] separated by `sep`, then `tail`. Joined, the parts are
/// byte for byte what serializing the whole document gives (tested).
pub struct Frame {
    pub head: String,
    pub sep: &'static str,
    pub tail: String,
}

/// The frame of an aggregate target's file.
pub fn frame(target: &Target) -> Result<Frame, String> {
    let key = aggregate_key(target)?;
    Ok(match target.document {
        Document::Yaml | Document::Template => Frame {
            head: format!("{}:\n", crate::support::yaml::to_string(&key)?.trim_end()),
            sep: "",
            tail: String::new(),
        },
        Document::Json => Frame {
            head: format!(
                "{{\n  {}: [\n",
                serde_json::to_string(key).map_err(|e| e.to_string())?
            ),
            sep: ",\n",
            tail: "\n  ]\n}".to_string(),
        },
        Document::Toml => Frame {
            head: String::new(),
            sep: "\n",
            tail: String::new(),
        },
    })
}

/// One entry of an aggregate target's file, as its frame places it.
pub fn item(target: &Target, value: &Json) -> Result<String, String> {
    let key = aggregate_key(target)?;
    match target.document {
        Document::Yaml | Document::Template => crate::support::yaml::item_to_string(value),
        Document::Json => {
            let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
            let lines: Vec<String> = text.lines().map(|l| format!("    {l}")).collect();
            Ok(lines.join("\n"))
        }
        Document::Toml => {
            let mut doc = serde_json::Map::new();
            doc.insert(key.to_string(), Json::Array(vec![value.clone()]));
            toml::to_string(&Json::Object(doc)).map_err(|e| e.to_string())
        }
    }
}

fn aggregate_key(target: &Target) -> Result<&str, String> {
    target
        .aggregate
        .as_ref()
        .map(|a| a.key.as_str())
        .ok_or_else(|| format!("target `{}` is not an aggregate", target.name))
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
    (chars > max).then(|| {
        Diagnostic::translation(&agent.name, &target.name, Loss::OverLimit, &what).at(source)
    })
}

/// A rendered document before it is finished: content, fields and prompt text.
pub(super) struct Doc {
    pub(super) content: String,
    pub(super) fields: Vec<(String, Json, crate::target::FieldStyle)>,
    /// The prompt alone (the Markdown body, or what the template renders).
    pub(super) body: String,
    /// What writing the fields changed or left out (a plain frontmatter).
    pub(super) notes: Vec<String>,
    /// `[extra]` keys not written because a field of the target wrote its own
    /// value under the same key.
    pub(super) shadowed: Vec<String>,
}

/// A whole-file document in the target's format.
fn serialize(document: Document, value: &Json) -> Result<String, String> {
    match document {
        Document::Toml => toml::to_string(value).map_err(|e| e.to_string()),
        Document::Json => serde_json::to_string_pretty(value).map_err(|e| e.to_string()),
        Document::Yaml | Document::Template => crate::support::yaml::value_to_string(value),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Head, items and tail joined are what serializing the whole document gives,
    /// for every document format and for one, two and three entries.
    #[test]
    fn an_aggregate_written_in_parts_equals_the_whole() {
        let registry = crate::target::Registry::load(None).unwrap();
        let roo = registry.get("roo").unwrap();
        let entries = [
            json!({"slug": "a", "roleDefinition": "line one\nline two\n", "groups": ["read", "edit"]}),
            json!({"slug": "b.c", "name": "B: \"quoted\"", "nested": {"k": [1, 2, {"x": "y"}]}, "n": 1.5}),
            json!({"slug": "d", "empty": [], "t": true, "s": "- not a list\n  # nor a comment"}),
        ];
        for document in [Document::Yaml, Document::Json, Document::Toml] {
            let mut target = (**roo).clone();
            target.document = document;
            let f = frame(&target).unwrap();
            for n in 1..=entries.len() {
                let items: Vec<String> = entries[..n]
                    .iter()
                    .map(|e| item(&target, e).unwrap())
                    .collect();
                let parts = format!("{}{}{}", f.head, items.join(f.sep), f.tail);
                let whole = serialize(document, &json!({ "customModes": entries[..n] })).unwrap();
                assert_eq!(parts, whole, "{document:?} with {n} entries");
            }
        }
    }
}

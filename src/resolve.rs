//! Per-target resolution: what one target makes of an agent's tools, model,
//! colour, options and extra keys, and the translation warnings for everything
//! it cannot express. Pure; the renderer calls it before templating.

use std::path::Path;

use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::ir::Agent;
use crate::spec::{Table, TargetOverride};
use crate::target::Target;

/// The target-specific values templates see beside the IR.
#[derive(Debug, Default)]
pub struct Resolved {
    pub options: Table,
    /// The target's tool names; `None` = inherit all (or not expressible).
    pub tools: Option<Vec<String>>,
    pub model: Option<String>,
    pub color: Option<String>,
    pub description: String,
    /// Extra frontmatter keys the target carries.
    pub extra: Table,
    pub warnings: Vec<Diagnostic>,
}

/// Whether the agent's `model_compatibility` admits this target's family.
pub fn is_compatible(agent: &Agent, target: &Target) -> bool {
    match (&agent.model_compatibility, &target.family) {
        (Some(list), Some(family)) if !list.is_empty() => list.iter().any(|f| f == family),
        _ => true,
    }
}

pub fn resolve(
    agent: &Agent,
    target: &Target,
    over: &TargetOverride,
    project: Option<&Table>,
    source: &Path,
) -> Result<Resolved, Diagnostics> {
    let mut r = Resolved {
        description: over
            .description
            .clone()
            .unwrap_or_else(|| agent.description.clone()),
        ..Resolved::default()
    };
    let warn = |what: String| {
        Diagnostic::warning(
            "translation",
            format!("`{}` → `{}`: {what}", agent.name, target.name),
        )
        .at(source)
    };
    let (options, free) = options(target, project, over, source)?;
    r.options = options;

    let tools = over.tools.as_ref().or(agent.tools.as_ref());
    r.tools = match (&target.tools, tools) {
        (_, None) => None,
        (None, Some(list)) => {
            if target.metadata {
                r.warnings.push(warn(format!(
                    "cannot restrict tools; dropped tools = {list:?}"
                )));
            }
            None
        }
        (Some(map), Some(list)) => {
            let mut out: Vec<String> = Vec::new();
            for tool in list {
                match map_tool(map, tool) {
                    Some(name) if !out.contains(&name) => out.push(name),
                    Some(_) => {}
                    None => r
                        .warnings
                        .push(warn(format!("tool `{tool}` has no equivalent; dropped"))),
                }
            }
            Some(out)
        }
    };

    let model = over.model.as_ref().or(agent.model.as_ref());
    r.model = match (&target.models, model) {
        (None, Some(m)) if m != "inherit" && target.metadata => {
            r.warnings.push(warn(format!(
                "cannot express a model; dropped model = `{m}`"
            )));
            None
        }
        (None, _) => None,
        (Some(_), None) => None,
        (Some(map), Some(m)) if m == "inherit" => map.inherit.clone(),
        (Some(map), Some(m)) => match map.map.get(m) {
            Some(v) if v.is_empty() => None,
            Some(v) => Some(v.clone()),
            None if map.passthrough.iter().any(|p| m.starts_with(p.as_str())) => Some(m.clone()),
            None => {
                r.warnings.push(warn(format!(
                    "model `{m}` is not one this target takes; dropped"
                )));
                map.inherit.clone()
            }
        },
    };

    let color = over.color.as_ref().or(agent.color.as_ref());
    r.color = match (&target.colors, color) {
        (_, None) => None,
        (Some(allowed), Some(c)) if allowed.iter().any(|a| a == c || a == "*") => Some(c.clone()),
        (Some(allowed), Some(c)) => {
            r.warnings.push(warn(format!(
                "colour `{c}` is not one of {allowed:?}; dropped"
            )));
            None
        }
        (None, Some(c)) => {
            if target.metadata {
                r.warnings.push(warn(format!(
                    "cannot express a colour; dropped color = `{c}`"
                )));
            }
            None
        }
    };

    let mut extra = agent.extra.clone();
    for (k, v) in free {
        extra.insert(k, v);
    }
    if target.extras {
        r.extra = extra;
    } else if target.metadata && !extra.is_empty() {
        let keys: Vec<&str> = extra.keys().map(String::as_str).collect();
        r.warnings
            .push(warn(format!("cannot carry extra keys; dropped {keys:?}")));
    }
    Ok(r)
}

/// The target's name for one canonical tool, if it has one.
fn map_tool(map: &crate::target::ToolMap, tool: &str) -> Option<String> {
    if let Some(rest) = tool.strip_prefix("mcp__") {
        let (server, name) = rest.split_once("__")?;
        if map.identity {
            return Some(tool.to_string());
        }
        let pattern = map.mcp.as_ref()?;
        return Some(pattern.replace("{server}", server).replace("{tool}", name));
    }
    if map.identity {
        return Some(tool.to_string());
    }
    map.map.get(tool).filter(|v| !v.is_empty()).cloned()
}

/// Merges option defaults, `agentc.toml` and the spec's override; returns the
/// options and the override's remaining (frontmatter) keys.
fn options(
    target: &Target,
    project: Option<&Table>,
    over: &TargetOverride,
    source: &Path,
) -> Result<(Table, Table), Diagnostics> {
    let mut options = target.options.clone();
    let mut diags = Diagnostics::default();
    for (k, v) in project.into_iter().flatten() {
        if options.contains_key(k) {
            options.insert(k.clone(), v.clone());
        } else {
            let mut d = Diagnostic::error(
                "unknown-option",
                format!(
                    "target `{}` has no option `{k}` (set in agentc.toml)",
                    target.name
                ),
            );
            if let Some(s) = did_you_mean(k, options.keys().map(String::as_str)) {
                d = d.help(format!("did you mean `{s}`?"));
            }
            diags.push(d);
        }
    }
    let mut free = Table::new();
    for (k, v) in &over.rest {
        if options.contains_key(k) {
            options.insert(k.clone(), v.clone());
        } else {
            free.insert(k.clone(), v.clone());
        }
    }
    for (k, v) in &options {
        let default = &target.options[k];
        if std::mem::discriminant(v) != std::mem::discriminant(default) {
            diags.push(
                Diagnostic::error(
                    "option-type",
                    format!(
                        "option `{k}` of target `{}` must be a {}",
                        target.name,
                        default.type_str()
                    ),
                )
                .at(source),
            );
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok((options, free))
    }
}

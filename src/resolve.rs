//! Per-target resolution: what one target makes of an agent's tools, model,
//! colour, options and extra keys, and the translation warnings for everything
//! it cannot express. Pure; the pipeline calls it for each agent and target and
//! hands the result to the renderer.

use std::path::Path;

use crate::diag::{Code, Diagnostic, Diagnostics, Loss, did_you_mean};
use crate::ir::{Agent, Resolved};
use crate::spec::{Table, TargetOverride};
use crate::target::Target;

/// Whether the agent's `model_compatibility` admits this target's family.
fn is_compatible(agent: &Agent, target: &Target) -> bool {
    match (&agent.model_compatibility, &target.family) {
        (Some(list), Some(family)) if !list.is_empty() => list.iter().any(|f| f == family),
        _ => true,
    }
}

/// What `target` makes of `agent`, with the project's options for it (from
/// `agentc.toml`); `None` when the agent is not built for the target (`skip =
/// true`, or its `model_compatibility` leaves the target's family out).
pub fn resolve(
    agent: &Agent,
    target: &Target,
    project: Option<&Table>,
    source: &Path,
) -> Result<Option<Resolved>, Diagnostics> {
    let default = TargetOverride::default();
    let over = agent.overrides.get(&target.name).unwrap_or(&default);
    if over.skip || !is_compatible(agent, target) {
        return Ok(None);
    }
    let mut r = Resolved {
        description: over
            .description
            .clone()
            .unwrap_or_else(|| agent.description.clone()),
        ..Resolved::default()
    };
    let mut warnings = Vec::new();
    let (options, free) = options(target, project, over, source)?;
    r.options = options;
    let lossless = target
        .lossless_option
        .as_ref()
        .is_some_and(|o| r.options.get(o) == Some(&toml::Value::Boolean(true)));
    r.tools = tools(
        target,
        lossless,
        over.tools.as_ref().or(agent.tools.as_ref()),
        &mut warnings,
    );
    r.model = model(
        target,
        over.model.as_deref(),
        agent.model.as_deref(),
        &mut warnings,
    );
    r.color = color(
        target,
        over.color.as_ref().or(agent.color.as_ref()),
        &mut warnings,
    );
    let mut extra = agent.extra.clone();
    for (k, v) in free {
        extra.insert(k, v);
    }
    r.extra = extras(target, lossless, extra, &mut warnings);
    r.warnings = warnings
        .into_iter()
        .map(|(loss, what)| {
            Diagnostic::translation(&agent.name, &target.name, loss, &what).at(source)
        })
        .collect();
    Ok(Some(r))
}

fn tools(
    target: &Target,
    lossless: bool,
    tools: Option<&Vec<String>>,
    warnings: &mut Vec<(Loss, String)>,
) -> Option<Vec<String>> {
    match (&target.tools, tools) {
        (_, None) => None,
        (None, Some(list)) => {
            if target.metadata {
                warnings.push((
                    Loss::AllTools,
                    format!("cannot restrict tools; dropped tools = {list:?}"),
                ));
            }
            None
        }
        (Some(map), Some(list)) => {
            let mut out: Vec<String> = Vec::new();
            let mut renamed = Vec::new();
            for tool in list {
                let tool = match map.legacy.get(tool) {
                    Some(new) if !lossless => {
                        renamed.push(format!("`{tool}` as `{new}`"));
                        new
                    }
                    _ => tool,
                };
                match map.name_of(tool) {
                    Some(name) if !out.contains(&name) => out.push(name),
                    Some(_) => {}
                    None => warnings.push((
                        Loss::DroppedTool,
                        format!("tool `{tool}` has no equivalent; dropped"),
                    )),
                }
            }
            if !renamed.is_empty() {
                warnings.push((
                    Loss::RenamedTool,
                    format!(
                        "legacy tool names written under their current names: {}",
                        renamed.join(", ")
                    ),
                ));
            }
            Some(out)
        }
    }
}

/// The target's model; a `[targets.<name>]` model the table does not know is
/// taken as written, since it was written for this target.
fn model(
    target: &Target,
    over: Option<&str>,
    spec: Option<&str>,
    warnings: &mut Vec<(Loss, String)>,
) -> Option<String> {
    let m = over.or(spec)?;
    let Some(map) = &target.models else {
        if m != "inherit" && target.metadata {
            warnings.push((
                Loss::DroppedModel,
                format!("cannot express a model; dropped model = `{m}`"),
            ));
        }
        return None;
    };
    if m == "inherit" {
        return map.inherit.clone();
    }
    if let Some(v) = map.map.get(m) {
        return Some(v.clone()).filter(|v| !v.is_empty());
    }
    if over.is_some() || map.passthrough.iter().any(|p| m.starts_with(p.as_str())) {
        return Some(m.to_string());
    }
    if let Some((from, to)) = map
        .prefix
        .iter()
        .find(|(from, _)| m.starts_with(from.as_str()))
    {
        return Some(format!("{to}{}", &m[from.len()..]));
    }
    if map.keep_unknown {
        warnings.push((
            Loss::UnknownModel,
            format!("model `{m}` is not one this target documents; kept as written"),
        ));
        return Some(m.to_string());
    }
    warnings.push((
        Loss::DroppedModel,
        format!("model `{m}` is not one this target takes; dropped"),
    ));
    map.inherit.clone()
}

fn color(
    target: &Target,
    color: Option<&String>,
    warnings: &mut Vec<(Loss, String)>,
) -> Option<String> {
    let c = color?;
    if target.takes_color(c) {
        return Some(c.clone());
    }
    if let Some(mapped) = target.color_map.get(c) {
        return Some(mapped.clone());
    }
    if target.colors.is_none() && target.color_pattern.is_none() && target.color_map.is_empty() {
        if target.metadata {
            warnings.push((
                Loss::DroppedColor,
                format!("cannot express a colour; dropped color = `{c}`"),
            ));
        }
        return None;
    }
    let mut allowed: Vec<&str> = target.colors.iter().flatten().map(String::as_str).collect();
    allowed.extend(target.color_map.keys().map(String::as_str));
    allowed.extend(target.color_pattern.as_deref());
    if target.keep_unknown_colors {
        warnings.push((
            Loss::UnknownColor,
            format!("colour `{c}` is not one of {allowed:?}; kept as written"),
        ));
        return Some(c.clone());
    }
    warnings.push((
        Loss::DroppedColor,
        format!("colour `{c}` is not one of {allowed:?}; dropped"),
    ));
    None
}

/// The extra keys the target carries, renamed where it names them differently.
fn extras(
    target: &Target,
    lossless: bool,
    extra: Table,
    warnings: &mut Vec<(Loss, String)>,
) -> Table {
    if target.extras || lossless {
        return extra;
    }
    let mut kept = Table::new();
    let mut dropped = Vec::new();
    for (k, v) in extra {
        match target.extra_keys.get(&k) {
            Some(name) => {
                kept.insert(name.clone(), v);
            }
            // agentc's own bookkeeping (the name a file had before import
            // normalised it) is no loss a user can act on: dropped unsaid.
            None if k == crate::spec::ORIGINAL_NAME => {}
            None => dropped.push(k),
        }
    }
    if target.metadata && !dropped.is_empty() {
        warnings.push((
            Loss::DroppedField,
            format!("cannot carry extra keys; dropped {dropped:?}"),
        ));
    }
    kept
}

/// A target's project-wide options: its defaults with `agentc.toml`'s values of
/// the same type over them (what `project_files` are rendered with; an unknown or
/// mistyped option is reported where each agent is resolved).
pub fn project_options(target: &Target, project: Option<&Table>) -> Table {
    let mut options = target.options.clone();
    for (k, v) in project.into_iter().flatten() {
        if let Some(default) = options.get(k)
            && std::mem::discriminant(v) == std::mem::discriminant(default)
        {
            options.insert(k.clone(), v.clone());
        }
    }
    options
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
                Code::UnknownOption,
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
                    Code::OptionType,
                    format!(
                        "option `{k}` of target `{}` must be a {}",
                        target.name,
                        default.type_str()
                    ),
                )
                .at(source),
            );
        } else if let Err(msg) = target.check_option(k, v) {
            diags.push(Diagnostic::error(Code::OptionValue, msg).at(source));
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok((options, free))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn target(extra: &str) -> Target {
        let text = format!(
            "name = \"t\"\ndescription = \"d\"\nchecked_against = \"c\"\ntemplate = \"t.j2\"\npath = \"p\"\nnative_path = \"p\"\n{extra}"
        );
        toml::from_str(&text).expect("a valid target")
    }

    #[test]
    fn models_map_pass_rewrite_or_drop() {
        let t = target(
            "[models]\ninherit = \"inherit\"\npassthrough = [\"p/\"]\n[models.map]\nfast = \"f\"\nslow = \"\"\n[models.prefix]\n\"claude-\" = \"anthropic/claude-\"",
        );
        // (override, spec, expected, warned)
        type Case<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>, bool);
        let cases: &[Case] = &[
            (None, None, None, false),
            (None, Some("inherit"), Some("inherit"), false),
            (None, Some("fast"), Some("f"), false),
            (None, Some("slow"), None, false),
            (None, Some("p/x"), Some("p/x"), false),
            (
                None,
                Some("claude-opus-4"),
                Some("anthropic/claude-opus-4"),
                false,
            ),
            (None, Some("gpt-5"), Some("inherit"), true),
            (Some("gateway/x"), Some("fast"), Some("gateway/x"), false),
            (Some("fast"), Some("gpt-5"), Some("f"), false),
        ];
        for (over, spec, want, warned) in cases {
            let mut w = Vec::new();
            assert_eq!(
                model(&t, *over, *spec, &mut w).as_deref(),
                *want,
                "{over:?} {spec:?}"
            );
            assert_eq!(!w.is_empty(), *warned, "{over:?} {spec:?}: {w:?}");
        }
    }

    #[test]
    fn colours_listed_matched_mapped_or_dropped() {
        let t = target(
            "colors = [\"info\"]\ncolor_pattern = \"^#[0-9a-f]{6}$\"\n[color_map]\ngreen = \"#00ff00\"",
        );
        let cases = [
            ("info", Some("info")),
            ("#abcdef", Some("#abcdef")),
            ("green", Some("#00ff00")),
            ("magenta", None),
        ];
        for (c, want) in cases {
            let mut w = Vec::new();
            assert_eq!(
                color(&t, Some(&c.to_string()), &mut w).as_deref(),
                want,
                "{c}"
            );
            assert_eq!(w.is_empty(), want.is_some(), "{c}: {w:?}");
        }
        let mut w = Vec::new();
        assert_eq!(color(&target(""), Some(&"red".to_string()), &mut w), None);
        assert!(w[0].1.contains("cannot express a colour"), "{w:?}");
        assert_eq!(w[0].0, Loss::DroppedColor);
    }

    #[test]
    fn extra_keys_are_renamed_or_reported() {
        let t = target("[extra_keys]\nmaxTurns = \"steps\"");
        // `original_name` is import's bookkeeping: dropped without a word.
        let extra: Table =
            toml::from_str("maxTurns = 5\nemoji = \"x\"\noriginal_name = \"My Agent\"")
                .expect("toml");
        let mut w = Vec::new();
        let kept = extras(&t, false, extra, &mut w);
        assert_eq!(kept.get("steps").and_then(|v| v.as_integer()), Some(5));
        assert_eq!(kept.len(), 1);
        assert_eq!(
            w,
            [(
                Loss::DroppedField,
                "cannot carry extra keys; dropped [\"emoji\"]".to_string()
            )]
        );
    }

    #[test]
    fn mcp_tools_follow_the_pattern() {
        let t = target("[tools]\nmcp = \"mcp_{server}_{tool}\"\n[tools.map]\nRead = \"read_file\"");
        let mut w = Vec::new();
        let list = vec![
            "Read".to_string(),
            "mcp__gh__get_pr".to_string(),
            "Bash".to_string(),
        ];
        assert_eq!(
            tools(&t, false, Some(&list), &mut w),
            Some(vec!["read_file".to_string(), "mcp_gh_get_pr".to_string()])
        );
        assert_eq!(
            w,
            [(
                Loss::DroppedTool,
                "tool `Bash` has no equivalent; dropped".to_string()
            )]
        );
    }

    /// `mcp__server` is every tool of one server: kept by an identity map,
    /// written in the target's own notation, a permission class, or reported.
    #[test]
    fn a_whole_mcp_server_maps_per_target() {
        let list = vec!["mcp__prompt-to-asset".to_string(), "Read".to_string()];
        for (extra, want, lost) in [
            (
                "identity = true",
                vec!["mcp__prompt-to-asset", "Read"],
                false,
            ),
            (
                "mcp = \"{server}/{tool}\"\nmcp_server = \"{server}/*\"\n[tools.map]\nRead = \"read\"",
                vec!["prompt-to-asset/*", "read"],
                false,
            ),
            (
                "mcp = \"read\"\n[tools.map]\nRead = \"read\"",
                vec!["read"],
                false,
            ),
            (
                "mcp = \"mcp_{server}_{tool}\"\n[tools.map]\nRead = \"read_file\"",
                vec!["read_file"],
                true,
            ),
        ] {
            let t = target(&format!("[tools]\n{extra}"));
            let mut w = Vec::new();
            let got = tools(&t, false, Some(&list), &mut w).unwrap();
            assert_eq!(got, want, "{extra}");
            assert_eq!(w.len(), usize::from(lost), "{extra}: {w:?}");
            if lost {
                assert_eq!(w[0].0, Loss::DroppedTool);
                assert!(w[0].1.contains("mcp__prompt-to-asset"), "{w:?}");
            }
        }
        assert!(crate::load::is_known_tool("mcp__prompt-to-asset"));
        assert!(!crate::load::is_known_tool("mcp__"));
        assert!(!crate::load::is_known_tool("mcp__a__"));
    }
}

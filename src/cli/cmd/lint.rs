//! `agentc lint`: the named rules over the specs, and `over-budget` over what
//! they render.

use std::path::Path;

use anyhow::Result;

use crate::artifact::Layout;
use crate::cli::LintArgs;
use crate::cli::ui::{Exit, Ui, json_diags, out, plural};
use crate::diag::{Code, Diagnostics, Severity};
use crate::lint::{Level, RULES};
use crate::pipeline::{self, Collect, Specs};
use crate::workspace::Workspace;

pub fn lint(ui: &Ui, cwd: &Path, args: &LintArgs) -> Result<Exit> {
    let Some(ws) = super::super::workspace(ui, cwd) else {
        return Ok(1);
    };
    if args.list && ui.json() {
        let rules: Vec<serde_json::Value> = RULES
            .iter()
            .map(|rule| {
                let level = format!("{:?}", ws.levels[&rule.code]).to_lowercase();
                serde_json::json!({ "name": rule.name(), "level": level, "summary": rule.summary })
            })
            .collect();
        ui.json_out(serde_json::json!({ "ok": true, "rules": rules }))?;
        return Ok(0);
    }
    if args.list {
        let mut text = String::new();
        for rule in RULES {
            let level = format!("{:?}", ws.levels[&rule.code]).to_lowercase();
            text.push_str(&format!(
                "{:<24} {level:<6} {}\n",
                rule.name(),
                rule.summary
            ));
        }
        out(&text)?;
        ui.summary(&format!(
            "{} rules; set their levels in agentc.toml's `[lint]`",
            RULES.len()
        ));
        return Ok(0);
    }
    let selection = ws.select(&args.paths, &args.targets);
    let mut diags = Diagnostics::default();
    let targets = pipeline::targets(&ws.registry, &selection.targets, &mut diags);
    let files = crate::load::discover(&selection.sources, &mut diags);
    let loaded = crate::load::load(&files, &mut diags);
    diags.extend(crate::lint::lint(
        &loaded,
        &targets,
        &ws.levels,
        Level::Warn,
    ));
    let level = ws.levels[&Code::OverBudget];
    if level != Level::Allow && !diags.has_errors() {
        diags.extend(budgets(&ws, &selection, loaded.clone(), level));
    }
    ui.diagnostics(&diags);
    let (errors, warnings) = (diags.error_count(), diags.warning_count());
    if ui.json() {
        out(&format!(
            "{}\n",
            serde_json::json!({ "ok": errors == 0, "files": loaded.len(), "diagnostics": json_diags(&diags) })
        ))?;
    }
    ui.summary(&format!(
        "linted {} spec{}: {errors} error{}, {warnings} warning{}",
        loaded.len(),
        plural(loaded.len()),
        plural(errors),
        plural(warnings)
    ));
    Ok(if errors > 0 { 1 } else { 0 })
}

/// The `over-budget` rule: renders the specs for the selected targets and
/// checks each file against its budget.
fn budgets(
    ws: &Workspace,
    selection: &crate::workspace::Selection,
    loaded: Vec<crate::load::Loaded>,
    level: Level,
) -> Diagnostics {
    let mut scratch = Diagnostics::default();
    let targets = pipeline::targets(&ws.registry, &selection.targets, &mut scratch);
    if !targets.iter().any(|t| ws.budgets.contains_key(&t.name)) {
        return Diagnostics::default();
    }
    let mut job = ws.job(selection, Layout::Dist, false, None);
    job.specs = Specs::Loaded(loaded);
    let mut all = Collect::default();
    let compiled = pipeline::compile(&job, &mut all);
    let (compiled, specs, _) = all.into(compiled);
    let severity = if level == Level::Deny {
        Severity::Error
    } else {
        Severity::Warning
    };
    // Rendering problems are `build`'s to report; lint adds only its rule's findings.
    crate::lint::budget::lint(&compiled.artifacts, &targets, &ws.budgets, &specs, severity)
}

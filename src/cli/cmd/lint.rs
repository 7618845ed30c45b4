//! `agentc lint`: the named rules over the specs, and `over-budget` over what
//! they render.

use std::path::Path;

use anyhow::Result;

use crate::artifact::Artifact;
use crate::artifact::Layout;
use crate::cli::LintArgs;
use crate::cli::ui::{Exit, Ui, json_diags, out, plural};
use crate::diag::{Code, Diagnostics, Severity};
use crate::lint::{Level, RULES};
use crate::load::{Loaded, SpecTexts};
use crate::pipeline::{self, Sink};
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
    let budget_level = ws.levels[&Code::OverBudget];
    // One compile, a chunk of specs at a time: the rules run on each chunk as it
    // is loaded, and only the targets with a budget are rendered, each file
    // checked and dropped (memory does not grow with the project).
    let mut job = ws.job(&selection, Layout::Dist, false, None);
    job.targets = if budget_level == Level::Allow {
        Vec::new()
    } else {
        targets
            .iter()
            .filter(|t| ws.budgets.contains_key(&t.name))
            .map(|t| t.name.clone())
            .collect()
    };
    let severity = if budget_level == Level::Deny {
        Severity::Error
    } else {
        Severity::Warning
    };
    let mut sink = Linting {
        ws: &ws,
        targets: &targets,
        severity,
        rules: Diagnostics::default(),
        budgets: Diagnostics::default(),
    };
    let compiled = pipeline::compile(&job, &mut sink);
    // What loading the specs finds is lint's to report; what rendering them
    // finds (translation, templates, collisions) is `build`'s.
    diags.extend(Diagnostics(
        compiled
            .diags
            .0
            .into_iter()
            .filter(|d| from_specs(d.code))
            .collect(),
    ));
    diags.extend(sink.rules);
    if !diags.has_errors() {
        diags.extend(sink.budgets);
    }
    let files = compiled.agents.len();
    ui.diagnostics(&diags);
    let (errors, warnings) = (diags.error_count(), diags.warning_count());
    if ui.json() {
        out(&format!(
            "{}\n",
            serde_json::json!({ "ok": errors == 0, "files": files, "diagnostics": json_diags(&diags) })
        ))?;
    }
    ui.summary(&format!(
        "linted {} spec{}: {errors} error{}, {warnings} warning{}",
        files,
        plural(files),
        plural(errors),
        plural(warnings)
    ));
    Ok(if errors > 0 { 1 } else { 0 })
}

/// A diagnostic of reading, parsing or checking a spec (not of rendering it).
fn from_specs(code: Code) -> bool {
    use Code::*;
    matches!(
        code,
        Io | NotFound
            | Binary
            | NotAFile
            | TooLarge
            | InvalidUtf8
            | Symlink
            | InvalidToml
            | InvalidSpec
            | UnknownKey
            | InvalidName
            | InvalidId
            | EmptyDescription
            | DuplicateName
            | UnknownTool
            | UnknownTarget
            | UnknownOption
            | OptionType
    )
}

/// Runs the rules on each chunk of specs and the `over-budget` rule on each
/// chunk of rendered files.
struct Linting<'a> {
    ws: &'a Workspace,
    targets: &'a [&'a crate::target::Target],
    severity: Severity,
    rules: Diagnostics,
    budgets: Diagnostics,
}

impl Sink for Linting<'_> {
    fn chunk(&mut self, artifacts: Vec<Artifact>, specs: &SpecTexts, _: &mut Diagnostics, _: bool) {
        self.budgets.extend(crate::lint::budget::lint(
            &artifacts,
            self.targets,
            &self.ws.budgets,
            specs,
            self.severity,
        ));
    }

    fn loaded(&mut self, chunk: Vec<Loaded>) {
        self.rules.extend(crate::lint::lint(
            &chunk,
            self.targets,
            &self.ws.levels,
            Level::Warn,
        ));
    }
}

//! The edge of `agentc stats`: the project set up as `build` does it, one compile
//! in memory, the table on stdout (or JSON) and budget findings as diagnostics.

use std::path::Path;

use anyhow::Result;

use crate::cli::{self, Exit, StatsArgs, Ui};
use crate::diagnostic::{Diagnostics, Severity};
use crate::pipeline::{self, Job};
use crate::render::Layout;

/// `agentc stats`.
pub fn stats(ui: &Ui, cwd: &Path, args: &StatsArgs) -> Result<Exit> {
    let Some((project, registry, renderer)) = cli::setup(ui, cwd) else {
        return Ok(1);
    };
    let Some(budgets) = cli::budgets(ui, &project, &registry, cwd) else {
        return Ok(1);
    };
    let (sources, targets) =
        cli::build_selection(&project, &registry, cwd, &args.paths, &args.targets);
    let job = Job {
        sources,
        explicit_sources: !args.paths.is_empty(),
        targets,
        layout: Layout::Dist,
        strict: false,
        lint: Default::default(),
        lint_min: None,
    };
    let compiled = pipeline::compile(&job, &registry, &renderer);
    // What a target cannot express is `build`'s report; stats shows sizes.
    let mut diags = Diagnostics(
        compiled
            .diags
            .iter()
            .filter(|d| d.is_error())
            .cloned()
            .collect(),
    );
    if diags.has_errors() {
        ui.diagnostics(&diags);
        let n = diags.error_count();
        ui.summary(&format!("error: {n} error{} found", cli::plural(n)));
        cli::fail_json(ui, &diags);
        return Ok(1);
    }
    let targets = pipeline::targets(&registry, &compiled.targets, &mut Diagnostics::default());
    let s = super::stats(&compiled.artifacts, &targets, &budgets, args.encoding);
    let severity = if args.strict || project.config.strict {
        Severity::Error
    } else {
        Severity::Warning
    };
    for f in &s.findings {
        diags.push(f.diagnostic(severity, &compiled.sources));
    }
    ui.diagnostics(&diags);
    let failed = diags.has_errors();
    if ui.json() {
        let mut json = super::to_json(&s);
        if let Some(obj) = json.as_object_mut() {
            let mut head = serde_json::Map::new();
            head.insert("ok".into(), (!failed).into());
            head.append(obj);
            head.insert("diagnostics".into(), cli::json_diags(&diags).into());
            *obj = head;
        }
        cli::out(&format!("{json}\n"))?;
    } else {
        cli::out(&super::human(&s, ui.stdout_color()))?;
    }
    let line = super::summary(&s, compiled.agents.len());
    ui.summary(&if failed {
        format!("error: {line}")
    } else {
        line
    });
    Ok(if failed { 1 } else { 0 })
}

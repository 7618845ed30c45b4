//! `agentc stats`: one compile, each file measured as it is rendered and then
//! dropped; the table on stdout (or JSON) and budget findings as diagnostics.

use std::path::Path;

use anyhow::Result;

use crate::artifact::{Artifact, Layout};
use crate::cli::StatsArgs;
use crate::cli::ui::{Exit, Ui, json_diags, out, plural};
use crate::diag::{Diagnostics, Severity};
use crate::load::SpecTexts;
use crate::pipeline::{self, Sink};
use crate::stats::Measure;

/// Measures each chunk of files as the compile hands it over, and turns each
/// finding over budget into a diagnostic while its spec's text is at hand.
struct Measuring<'a> {
    measure: Measure<'a>,
    severity: Severity,
    findings: Diagnostics,
}

impl Sink for Measuring<'_> {
    fn chunk(&mut self, artifacts: Vec<Artifact>, specs: &SpecTexts, _: &mut Diagnostics, _: bool) {
        for a in &artifacts {
            for f in self.measure.add(a) {
                self.findings.push(f.diagnostic(self.severity, specs));
            }
        }
    }
}

pub fn stats(ui: &Ui, cwd: &Path, args: &StatsArgs) -> Result<Exit> {
    let Some(ws) = super::super::workspace(ui, cwd) else {
        return Ok(1);
    };
    let selection = ws.select(&args.paths, &args.targets);
    let job = ws.job(&selection, Layout::Dist, false, None);
    let targets = pipeline::targets(
        &ws.registry,
        &selection.targets,
        &mut Diagnostics::default(),
    );
    let severity = if args.strict || ws.project.config.strict {
        Severity::Error
    } else {
        Severity::Warning
    };
    let mut sink = Measuring {
        measure: Measure::new(&targets, &ws.budgets, args.encoding),
        severity,
        findings: Diagnostics::default(),
    };
    let compiled = pipeline::compile(&job, &mut sink);
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
        ui.summary(&format!("error: {n} error{} found", plural(n)));
        ui.fail_json(&diags);
        return Ok(1);
    }
    let s = sink.measure.finish();
    diags.extend(sink.findings);
    ui.diagnostics(&diags);
    let failed = diags.has_errors();
    if ui.json() {
        let mut json = crate::stats::to_json(&s);
        if let Some(obj) = json.as_object_mut() {
            let mut head = serde_json::Map::new();
            head.insert("ok".into(), (!failed).into());
            head.append(obj);
            head.insert("diagnostics".into(), json_diags(&diags).into());
            *obj = head;
        }
        out(&format!("{json}\n"))?;
    } else {
        out(&crate::stats::human(&s, ui.stdout_color()))?;
    }
    let line = crate::stats::summary(&s, compiled.agents.len());
    ui.summary(&if failed {
        format!("error: {line}")
    } else {
        line
    });
    Ok(if failed { 1 } else { 0 })
}

//! `agentc convert FILE -t TARGET`: one agent file (a spec, or a legacy file
//! imported in memory) rendered for one target, to stdout or a file.

use std::path::Path;

use anyhow::Result;

use crate::artifact::Layout;
use crate::cli::ConvertArgs;
use crate::cli::ui::{Exit, Ui, out};
use crate::diag::Diagnostics;
use crate::pipeline::{self, Specs};
use crate::workspace::Selection;

pub fn convert(ui: &Ui, cwd: &Path, args: &ConvertArgs) -> Result<Exit> {
    let Some(ws) = super::super::workspace(ui, cwd) else {
        return Ok(1);
    };
    let selection = Selection {
        sources: vec![args.file.clone()],
        targets: vec![args.target.clone()],
        partial: false,
    };
    let mut job = ws.job(&selection, Layout::Dist, args.strict, None);
    let mut diags = Diagnostics::default();
    let is_toml = args.file.extension().is_some_and(|e| e == "toml");
    if !is_toml {
        match crate::import::import_file(&args.file) {
            Ok((loaded, warnings)) => {
                diags.0.extend(warnings);
                job.specs = Specs::Loaded(vec![loaded]);
            }
            Err(d) => diags.push(d),
        }
    }
    let mut compiled = match diags.has_errors() {
        true => pipeline::Compiled::default(),
        false => pipeline::compile_all(&job),
    };
    diags.extend(std::mem::take(&mut compiled.diags));
    if job.strict {
        diags.escalate();
    }
    ui.diagnostics(&diags);
    if diags.has_errors() {
        ui.fail_json(&diags);
        return Ok(1);
    }
    // The agent's own file, not a project file of its target (a plugin's manifest).
    let Some(artifact) = compiled.artifacts.iter().find(|a| !a.is_project_file()) else {
        ui.summary(&format!(
            "nothing to write: the agent is skipped for `{}`",
            args.target
        ));
        return Ok(0);
    };
    match &args.out {
        Some(path) => {
            let same =
                || crate::support::fs::read(path).is_ok_and(|b| b == artifact.content.as_bytes());
            if let Err(d) = crate::support::fs::may_replace(path, args.force, same)
                .and_then(|()| crate::support::fs::atomic_write(path, artifact.content.as_bytes()))
            {
                let d = Diagnostics(vec![d]);
                ui.diagnostics(&d);
                ui.fail_json(&d);
                return Ok(1);
            }
            ui.summary(&format!("wrote {}", path.display()));
        }
        None => out(&artifact.content)?,
    }
    Ok(0)
}

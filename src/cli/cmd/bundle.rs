//! `agentc bundle`: one reproducible artifact of every agent × target.

use std::path::Path;

use anyhow::Result;

use crate::bundle::archive::Format;
use crate::cli::BundleArgs;
use crate::cli::ui::{Exit, Ui, out, plural};
use crate::diag::{Code, Diagnostic, Diagnostics};

pub fn bundle(ui: &Ui, cwd: &Path, args: &BundleArgs) -> Result<Exit> {
    let format = match &args.out {
        Some(out) => match Format::from_name(out) {
            Some(f) => f,
            None => {
                let d = Diagnostic::error(
                    Code::Usage,
                    format!("cannot tell the bundle format of `{}`", out.display()),
                )
                .help("name it `*.json`, `*.tar.gz` or `*.zip`");
                let d = Diagnostics(vec![d]);
                ui.diagnostics(&d);
                ui.fail_json(&d);
                return Ok(2);
            }
        },
        None => Format::Json,
    };
    let Some(ws) = super::super::workspace(ui, cwd) else {
        return Ok(1);
    };
    let selection = ws.select(&args.paths, &args.targets);
    let path = match &args.out {
        Some(out) => out.clone(),
        None => ws.relative(&ws.project.root.join(crate::bundle::FILE_NAME)),
    };
    let fail = |d: &Diagnostics| {
        ui.diagnostics(d);
        ui.fail_json(d);
        let n = d.error_count();
        ui.summary(&format!(
            "error: {n} error{} found; no bundle was written",
            plural(n)
        ));
        Ok(1)
    };
    // Only a bundle agentc wrote is replaced without --force; its first bytes
    // tell (the whole of it can be larger than memory should hold).
    let ours = || crate::bundle::check::written_by_agentc(&path);
    if let Err(d) = crate::support::fs::may_replace(&path, args.force, ours) {
        return fail(&Diagnostics(vec![d]));
    }
    // The bundle is written as it is compiled, a chunk of agents at a time
    // (an archive's files wait in temporary files); a selection the streaming
    // writer does not take (project files) is assembled in memory.
    let written = if crate::bundle::stream::streams(&ws, &selection) {
        match crate::bundle::stream::write(&ws, &selection, args.strict, &path, format) {
            Ok(w) => w,
            Err(d) => return fail(&d),
        }
    } else {
        let assembled = match crate::bundle::assemble(&ws, &selection, args.strict) {
            Ok(a) => a,
            Err(d) => return fail(&d),
        };
        if let Err(d) = crate::bundle::archive::write(&path, format, &assembled.bundle) {
            return fail(&Diagnostics(vec![d]));
        }
        let b = assembled.bundle;
        crate::bundle::stream::Written {
            pairs: b.agents.values().map(|a| a.targets.len()).sum(),
            agents: b.agents.into_keys().collect(),
            targets: b.targets,
            source_digest: b.source_digest,
            diags: assembled.diags,
        }
    };
    ui.diagnostics(&written.diags);
    ui.summary(&format!(
        "bundled {} agent{} × {} target{} ({} prompts) into {}",
        written.agents.len(),
        plural(written.agents.len()),
        written.targets.len(),
        plural(written.targets.len()),
        written.pairs,
        path.display()
    ));
    if ui.json() {
        out(&format!(
            "{}\n",
            serde_json::json!({
                "ok": true, "bundle": path, "agents": written.agents,
                "targets": written.targets, "source_digest": written.source_digest,
            })
        ))?;
    }
    Ok(0)
}

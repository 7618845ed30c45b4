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
    let assembled = match crate::bundle::assemble(&ws, &selection, args.strict) {
        Ok(a) => a,
        Err(d) => {
            ui.diagnostics(&d);
            ui.fail_json(&d);
            let n = d.error_count();
            ui.summary(&format!(
                "error: {n} error{} found; no bundle was written",
                plural(n)
            ));
            return Ok(1);
        }
    };
    ui.diagnostics(&assembled.diags);
    let path = match &args.out {
        Some(out) => out.clone(),
        None => ws.relative(&ws.project.root.join(crate::bundle::FILE_NAME)),
    };
    // Only a bundle agentc wrote (one `check --bundle` reads) is replaced without --force.
    let ours = || crate::bundle::check::read_file(&path).is_ok();
    if let Err(d) = crate::support::fs::may_replace(&path, args.force, ours)
        .and_then(|()| crate::bundle::archive::write(&path, format, &assembled.bundle))
    {
        let d = Diagnostics(vec![d]);
        ui.diagnostics(&d);
        ui.fail_json(&d);
        return Ok(1);
    }
    let b = &assembled.bundle;
    let pairs: usize = b.agents.values().map(|a| a.targets.len()).sum();
    ui.summary(&format!(
        "bundled {} agent{} × {} target{} ({pairs} prompts) into {}",
        b.agents.len(),
        plural(b.agents.len()),
        b.targets.len(),
        plural(b.targets.len()),
        path.display()
    ));
    if ui.json() {
        out(&format!(
            "{}\n",
            serde_json::json!({
                "ok": true, "bundle": path, "agents": b.agents.keys().collect::<Vec<_>>(),
                "targets": b.targets, "source_digest": b.source_digest,
            })
        ))?;
    }
    Ok(0)
}

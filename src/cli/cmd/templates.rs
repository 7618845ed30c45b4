//! `agentc templates list|eject`: the built-in templates, and copies of them in
//! the project's `templates/` folder, where they override the built-ins.

use std::path::Path;

use anyhow::Result;

use crate::cli::TemplatesCommand;
use crate::cli::ui::{Exit, Ui, out, plural};
use crate::diag::Diagnostics;
use crate::render::builtin_templates;

pub fn templates(ui: &Ui, cwd: &Path, cmd: &TemplatesCommand) -> Result<Exit> {
    let builtins = builtin_templates();
    let (target, force) = match cmd {
        TemplatesCommand::List => {
            let names: Vec<&str> = builtins.iter().map(|(n, _)| *n).collect();
            if ui.json() {
                ui.json_out(serde_json::json!({ "ok": true, "templates": names }))?;
            } else {
                out(&format!("{}\n", names.join("\n")))?;
            }
            ui.summary(&format!(
                "{} built-in templates; `agentc templates eject [TARGET]` copies them into templates/",
                names.len()
            ));
            return Ok(0);
        }
        TemplatesCommand::Eject { target, force } => (target, *force),
    };
    let Some(ws) = super::super::workspace(ui, cwd) else {
        return Ok(1);
    };
    let wanted: Vec<&(&str, &str)> = match target {
        None => builtins.iter().collect(),
        Some(name) => {
            let mut diags = Diagnostics::default();
            let Some(t) =
                crate::pipeline::targets(&ws.registry, std::slice::from_ref(name), &mut diags)
                    .pop()
            else {
                ui.diagnostics(&diags);
                ui.fail_json(&diags);
                return Ok(1);
            };
            // The target's template and the partials every template may import.
            builtins
                .iter()
                .filter(|(n, _)| *n == t.template || n.starts_with('_'))
                .collect()
        }
    };
    let dir = ws.project.root.join("templates");
    let (mut written, mut kept) = (Vec::new(), Vec::new());
    for (name, text) in wanted {
        let path = dir.join(name);
        let shown = ws.relative(&path).display().to_string();
        if path.exists() && !force {
            kept.push(shown);
            ui.summary(&format!(
                "kept {} (exists; --force overwrites it)",
                ws.relative(&path).display()
            ));
            continue;
        }
        if let Err(d) = crate::support::fs::atomic_write(&path, text.as_bytes()) {
            let d = Diagnostics(vec![d]);
            ui.diagnostics(&d);
            ui.fail_json(&d);
            return Ok(1);
        }
        written.push(shown);
    }
    ui.summary(&format!(
        "ejected {} template{} into {}; edit them there: they now override the built-ins",
        written.len(),
        plural(written.len()),
        ws.relative(&dir).display()
    ));
    if ui.json() {
        ui.json_out(serde_json::json!({ "ok": true, "written": written, "kept": kept }))?;
    }
    Ok(0)
}

//! `agentc targets`: every target, where it writes and what it was checked against.

use std::path::Path;

use anyhow::Result;

use crate::cli::ui::{Exit, Ui, out};
use crate::target::Origin;

pub fn targets(ui: &Ui, cwd: &Path) -> Result<Exit> {
    let Some(ws) = super::super::workspace(ui, cwd) else {
        return Ok(1);
    };
    let registry = &ws.registry;
    if ui.json() {
        let list: Vec<_> = registry
            .targets
            .values()
            .map(|t| {
                serde_json::json!({
                    "name": t.name, "description": t.description, "path": t.path,
                    "native_path": t.native_path, "checked_against": t.checked_against,
                    "aggregate": t.aggregate.is_some(), "default": t.default,
                    "builtin": t.origin == Origin::Builtin,
                    "legacy": t.legacy.is_some(), "legacy_note": t.legacy,
                })
            })
            .collect();
        out(&format!("{}\n", serde_json::to_string_pretty(&list)?))?;
        return Ok(0);
    }
    let mut text = String::new();
    for t in registry.targets.values() {
        let origin = match &t.origin {
            Origin::Builtin => String::new(),
            Origin::Project(p) => format!(" (from {})", p.display()),
        };
        text.push_str(&format!(
            "{}{origin}\n  {}\n  native: {}\n  checked against: {}\n",
            t.name,
            t.description,
            crate::render::describe_path(t)
                + if t.aggregate.is_some() {
                    " (one file for all agents)"
                } else {
                    ""
                },
            t.checked_against
        ));
        if !t.default {
            text.push_str(&format!("  built when asked for: `-t {}`\n", t.name));
        }
        if let Some(note) = &t.legacy {
            text.push_str(&format!("  legacy: {note}\n"));
        }
    }
    out(&text)?;
    let (all, on) = (
        registry.targets.len(),
        registry.targets.values().filter(|t| t.default).count(),
    );
    ui.summary(&if on == all {
        format!("{all} targets, all built by default")
    } else {
        format!(
            "{all} targets: {on} built by default, {} when asked for (`-t NAME`)",
            all - on
        )
    });
    Ok(0)
}

//! `agentc check`: the outputs, or a bundle (`--bundle FILE`), against the sources.

use std::path::Path;

use anyhow::Result;

use crate::bundle::check::{self, Kind};
use crate::cli::CheckArgs;
use crate::cli::ui::{Exit, Ui, out};

pub fn check(ui: &Ui, cwd: &Path, args: &CheckArgs) -> Result<Exit> {
    if args.build.watch {
        eprintln!("error: `--watch` goes with `build`, not `check`");
        return Ok(2);
    }
    if let Some(file) = &args.bundle {
        return bundle(ui, cwd, args, file);
    }
    let Some(ws) = super::super::workspace(ui, cwd) else {
        return Ok(1);
    };
    let selection = ws.select(&args.build.paths, &args.build.targets);
    super::build::run(
        ui,
        &ws,
        &selection,
        &super::build::options(&args.build, true),
    )
}

/// `agentc check --bundle FILE`: exit 0 when the bundle matches the sources.
fn bundle(ui: &Ui, cwd: &Path, args: &CheckArgs, file: &Path) -> Result<Exit> {
    let found = match check::read_file(file) {
        Ok(r) => r,
        Err(d) => {
            ui.diagnostics(&d);
            ui.fail_json(&d);
            return Ok(1);
        }
    };
    // Out of memory while the fresh bundle is written.
    let found = match found.set_aside() {
        Ok(aside) => aside,
        Err(d) => {
            ui.diagnostics(&d);
            ui.fail_json(&d);
            return Ok(1);
        }
    };
    let Some(ws) = super::super::workspace(ui, cwd) else {
        return Ok(1);
    };
    // Without `-t`, the bundle's own targets are checked.
    let targets = if args.build.targets.is_empty() {
        found.targets.clone()
    } else {
        args.build.targets.clone()
    };
    let selection = ws.select(&args.build.paths, &targets);
    let fresh = match check::fresh(&ws, &selection, args.build.strict) {
        Ok(sums) => sums,
        Err(d) => {
            ui.diagnostics(&d);
            ui.fail_json(&d);
            return Ok(1);
        }
    };
    let found = match found.take() {
        Ok(read) => read,
        Err(d) => {
            ui.diagnostics(&d);
            ui.fail_json(&d);
            return Ok(1);
        }
    };
    let findings = check::compare(&fresh, &found);
    let digest_ok = fresh.source_digest == found.bundle.source_digest;
    if ui.json() {
        out(&format!(
            "{}\n",
            serde_json::json!({ "ok": findings.is_empty() && digest_ok, "findings": findings, "source_digest_matches": digest_ok })
        ))?;
    } else {
        out(&findings_text(&findings, digest_ok))?;
    }
    if findings.is_empty() && digest_ok {
        let pairs: usize = fresh.agents.values().map(|a| a.targets.len()).sum();
        ui.summary(&format!(
            "bundle {} matches the sources ({pairs} prompts)",
            file.display()
        ));
        return Ok(0);
    }
    let count = |k| findings.iter().filter(|f| f.kind == k).count();
    ui.summary(&format!(
        "error: bundle {} is out of date ({} stale, {} missing, {} extra); run `agentc bundle`",
        file.display(),
        count(Kind::Stale),
        count(Kind::Missing),
        count(Kind::Extra)
    ));
    Ok(1)
}

/// One line per finding: kind, agent × target and what differs.
fn findings_text(findings: &[check::Finding], digest_ok: bool) -> String {
    let mut text = String::new();
    for f in findings {
        let kind = match f.kind {
            Kind::Stale => "stale",
            Kind::Missing => "missing",
            Kind::Extra => "extra",
        };
        let what = if f.what.is_empty() {
            String::new()
        } else {
            format!(" (changed: {})", f.what)
        };
        text.push_str(&format!("{kind:<7} `{}` × `{}`{what}\n", f.agent, f.target));
    }
    if !digest_ok {
        text.push_str("stale   `source_digest`: an input changed (spec, agentc.toml, targets/ or templates/)\n");
    }
    text
}

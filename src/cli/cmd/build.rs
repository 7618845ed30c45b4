//! `agentc build` (and `build --watch`), and the report of `check`, which
//! runs the same build without writing.

use std::path::Path;

use anyhow::Result;

use crate::build::{self, Outcome};
use crate::cli::ui::{Exit, Progress, Ui, json_diags, out, plural};
use crate::cli::{BuildArgs, Global};
use crate::emit::{Drift, DriftKind, Summary};
use crate::pipeline::Compiled;

pub fn build(ui: &Ui, cwd: &Path, args: &BuildArgs) -> Result<Exit> {
    let Some(ws) = super::super::workspace(ui, cwd) else {
        return Ok(1);
    };
    let selection = ws.select(&args.paths, &args.targets);
    run(ui, &ws, &selection, &options(args, false))
}

/// The build options of `build` and `check`.
pub(super) fn options(args: &BuildArgs, check: bool) -> build::Options {
    build::Options {
        layout: args.layout,
        out: args.out.clone(),
        strict: args.strict,
        force: args.force,
        check,
    }
}

/// Runs a build or check and reports it.
pub(super) fn run(
    ui: &Ui,
    ws: &crate::workspace::Workspace,
    selection: &crate::workspace::Selection,
    opts: &build::Options,
) -> Result<Exit> {
    let mut progress: Option<Progress> = None;
    let on_wait = || {
        if !ui.global.quiet && !ui.json() {
            eprintln!("waiting for another agentc build of the same output root to finish");
        }
    };
    let outcome = build::run(
        ws,
        selection,
        opts,
        &mut |done, total| {
            progress
                .get_or_insert_with(|| ui.progress("rendering", total))
                .tick(done)
        },
        &on_wait,
    );
    if let Some(p) = &progress {
        p.finish();
    }
    match outcome {
        Outcome::Failed(compiled) => {
            ui.diagnostics(&compiled.diags);
            let n = compiled.diags.error_count();
            ui.summary(&format!(
                "error: {n} error{} found; nothing was written",
                plural(n)
            ));
            ui.fail_json(&compiled.diags);
            Ok(1)
        }
        Outcome::CommitFailed {
            root,
            mut compiled,
            changed,
        } => {
            if changed.is_empty() {
                ui.diagnostics(&compiled.diags);
                ui.summary("error: putting the outputs in place failed and was undone; nothing was written");
            } else {
                let list: Vec<String> = changed
                    .iter()
                    .map(|p| format!("`{}`", root.join(p).display()))
                    .collect();
                compiled.diags.push(
                    crate::diag::Diagnostic::error(
                        crate::diag::Code::Io,
                        format!(
                            "putting the outputs in place failed part-way, and {} changed file{} could not be put back: {}",
                            changed.len(),
                            plural(changed.len()),
                            list.join(", ")
                        ),
                    )
                    .help("fix the cause above and build again"),
                );
                ui.diagnostics(&compiled.diags);
                ui.summary(&format!(
                    "error: the build failed part-way; {} file{} changed",
                    changed.len(),
                    plural(changed.len())
                ));
            }
            ui.fail_json(&compiled.diags);
            Ok(1)
        }
        Outcome::Built {
            root,
            compiled,
            summary,
        } => report(ui, &root, &compiled, &summary),
        Outcome::Checked {
            root,
            compiled,
            outputs,
            drifts,
        } => check_report(ui, &root, &compiled, outputs, drifts),
    }
}

/// What a successful build prints.
fn report(ui: &Ui, root: &Path, compiled: &Compiled, summary: &Summary) -> Result<Exit> {
    ui.diagnostics(&compiled.diags);
    if ui.global.verbose && !ui.json() {
        for p in &summary.written {
            eprintln!("  wrote   {}", root.join(p).display());
        }
        for p in &summary.removed {
            eprintln!("  removed {}", root.join(p).display());
        }
    }
    let warnings = compiled.diags.warning_count();
    let report = crate::translation::groups(&compiled.diags);
    let translated: usize = report.iter().map(|g| g.items.len()).sum();
    ui.summary(&format!(
        "built {} agent{} × {} target{} into {}: {} written, {} unchanged, {} removed{}{}{}{}",
        compiled.agents.len(),
        plural(compiled.agents.len()),
        compiled.targets.len(),
        plural(compiled.targets.len()),
        root.display(),
        summary.written.len(),
        summary.unchanged,
        summary.removed.len(),
        if compiled.skipped > 0 {
            format!(", {} skipped", compiled.skipped)
        } else {
            String::new()
        },
        if warnings > 0 {
            format!(" ({warnings} warning{})", plural(warnings))
        } else {
            String::new()
        },
        if translated > 0 {
            format!(
                "; translation report: {translated} item{} for {} agent × target pair{}",
                plural(translated),
                report.len(),
                plural(report.len())
            )
        } else {
            String::new()
        },
        if compiled.accepted > 0 {
            format!("; {} accepted in agentc.toml", compiled.accepted)
        } else {
            String::new()
        },
    ));
    if ui.json() {
        out(&format!(
            "{}\n",
            serde_json::json!({
                "ok": true,
                "agents": compiled.agents,
                "targets": compiled.targets,
                "root": root,
                "written": summary.written,
                "unchanged": summary.unchanged,
                "removed": summary.removed,
                "skipped": compiled.skipped,
                "translation": crate::translation::to_json(&report),
                "diagnostics": json_diags(&compiled.diags),
            })
        ))?;
    }
    Ok(0)
}

/// What `check` prints: the drifts (diffs), or that every output is up to date.
fn check_report(
    ui: &Ui,
    root: &Path,
    compiled: &Compiled,
    outputs: usize,
    drifts: Vec<Drift>,
) -> Result<Exit> {
    ui.diagnostics(&compiled.diags);
    if ui.json() {
        out(&format!(
            "{}\n",
            serde_json::json!({ "ok": drifts.is_empty(), "drift": drifts, "diagnostics": json_diags(&compiled.diags) })
        ))?;
    } else {
        let mut text = String::new();
        for d in &drifts {
            text.push_str(&d.diff);
        }
        out(&text)?;
    }
    if drifts.is_empty() {
        ui.summary(&format!(
            "{} files up to date in {}",
            outputs,
            root.display()
        ));
        return Ok(0);
    }
    let count = |k| drifts.iter().filter(|d| d.kind == k).count();
    ui.summary(&format!(
        "error: {} of {} outputs out of date in {} ({} stale, {} missing, {} extra); run `agentc build`",
        drifts.len(),
        outputs,
        root.display(),
        count(DriftKind::Stale),
        count(DriftKind::Missing),
        count(DriftKind::Extra)
    ));
    Ok(1)
}

/// Builds, then rebuilds on every change of an input until interrupted.
pub fn watch(ui: &Ui, cwd: &Path, args: &BuildArgs) -> Result<Exit> {
    let Some(ws) = super::super::workspace(ui, cwd) else {
        return Ok(1);
    };
    let selection = ws.select(&args.paths, &args.targets);
    let root = ws.output_root(args.out.as_deref(), ws.layout(args.layout));
    let inputs = crate::watch::Inputs::of(&ws, &selection, &root);
    run(ui, &ws, &selection, &options(args, false))?;
    // Say what each rebuild wrote, not only how much.
    let ui = &Ui {
        global: Global {
            verbose: !ui.global.quiet,
            ..ui.global.clone()
        },
        color: ui.color,
        ci: ui.ci,
    };
    let ready = || eprintln!("watching for changes (Ctrl-C to stop)");
    let warn = |what: String| eprintln!("warning: {what}");
    crate::watch::watch(inputs, ready, warn, |changed| {
        let names: Vec<String> = changed
            .iter()
            .map(|p| crate::workspace::relative_to(p, cwd).display().to_string())
            .collect();
        eprintln!("changed: {}", names.join(", "));
        // The project itself may have changed (agentc.toml, a target file).
        let rebuilt = match crate::workspace::Workspace::open(cwd) {
            Ok(ws) => {
                let selection = ws.select(&args.paths, &args.targets);
                run(ui, &ws, &selection, &options(args, false))
            }
            Err(d) => {
                ui.diagnostics(&d);
                Ok(1)
            }
        };
        if let Err(e) = rebuilt {
            eprintln!("error: {e:#}");
        }
    })?;
    Ok(0)
}

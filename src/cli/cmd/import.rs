//! `agentc import`: legacy agent files (Claude-style Markdown, XML v2.0) into
//! canonical TOML specs.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::ImportArgs;
use crate::cli::ui::{Exit, Progress, Ui, out, plural};
use crate::diag::Diagnostics;
use crate::project::Project;
use crate::workspace::relative_to;

pub fn import(ui: &Ui, cwd: &Path, args: &ImportArgs) -> Result<Exit> {
    use crate::import::batch::{self, Status};
    let out_dir = args.out.clone().unwrap_or_else(|| {
        let project = Project::discover(cwd).ok();
        let first = project
            .as_ref()
            .and_then(|p| Some(p.path(p.config.sources.first()?)));
        first.map_or_else(|| PathBuf::from("agents"), |dir| relative_to(&dir, cwd))
    });
    let opts = batch::Options {
        out_dir,
        stdout: args.stdout,
        force: args.force,
    };
    let mut progress: Option<Progress> = None;
    let reports = batch::run_with(&args.paths, &opts, &mut |done, total| {
        progress
            .get_or_insert_with(|| ui.progress("importing", total))
            .tick(done)
    });
    if let Some(p) = &progress {
        p.finish();
    }
    let failed = reports.iter().any(|r| r.status == Status::Failed);
    if args.stdout {
        let docs: Vec<&str> = reports
            .iter()
            .filter_map(|r| r.toml.as_deref().filter(|_| r.status != Status::Failed))
            .collect();
        out(&docs.join("\n"))?;
    }
    if ui.json() {
        let files: Vec<_> = reports.iter().map(|r| r.to_json()).collect();
        let json =
            serde_json::json!({ "ok": !failed, "files": files, "totals": batch::totals(&reports) });
        if args.stdout {
            eprintln!("{json}");
        } else {
            out(&format!("{json}\n"))?;
        }
        return Ok(if failed { 1 } else { 0 });
    }
    for r in &reports {
        if ui.chatty() || r.status == Status::Failed {
            eprintln!("{}", r.line());
        } else if !ui.global.quiet && !r.warnings.is_empty() {
            // In CI the warnings stay, under the file they are about.
            eprintln!("{}", r.line());
        }
        if ui.global.verbose && !r.unclassified.is_empty() {
            let titles: Vec<String> = r.unclassified.iter().map(|t| format!("{t:?}")).collect();
            eprintln!(
                "  {} of {} section{} with no kind: {}",
                r.unclassified.len(),
                r.sections,
                plural(r.sections),
                titles.join(", ")
            );
        }
        if ui.global.verbose {
            ui.diagnostics(&Diagnostics(r.warnings.clone()));
        } else if !ui.global.quiet {
            for w in &r.warnings {
                eprintln!(
                    "  warning[{}] {}: {}",
                    w.code,
                    w.location().unwrap_or_default(),
                    w.message
                );
            }
        }
    }
    let t = batch::totals(&reports);
    let n = |key: &str| t[key].as_u64().unwrap_or(0) as usize;
    // Sections no heading rule or content shape could give a kind: counted
    // here, listed per file with -v (templates still render them, in place).
    let kinds = match (n("sections"), n("unclassified")) {
        (0, _) => String::new(),
        (all, 0) => format!("; {all} section{} classified", plural(all)),
        (all, none) => format!(
            "; {} of {all} section{} classified, {none} with no kind{}",
            all - none,
            plural(all),
            if ui.global.verbose {
                ""
            } else {
                " (-v lists them)"
            }
        ),
    };
    ui.summary(&format!(
        "{} file{}: {} imported, {} unchanged, {} failed, {} warning{}{kinds}",
        t["files"],
        plural(reports.len()),
        t["imported"],
        t["unchanged"],
        t["failed"],
        t["warnings"],
        plural(n("warnings"))
    ));
    Ok(if failed { 1 } else { 0 })
}

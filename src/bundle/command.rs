//! The edge of bundles: `agentc bundle`, `agentc check --bundle` and
//! `agentc schema --bundle`, with the project set up as `build` does it.

use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::Args;

use super::archive::{self, Format};
use super::check::{self, Kind};
use super::{FILE_NAME, assemble, to_json};
use crate::cli::{self, Exit, Format as OutFormat, Ui};
use crate::config::Project;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::pipeline::Job;
use crate::render::Layout;
use crate::target::Registry;

#[derive(Debug, Args, Clone)]
pub struct BundleArgs {
    /// Spec files or folders (default: the `sources` of agentc.toml, else agents/)
    pub paths: Vec<PathBuf>,
    /// Target to include (repeatable; default: every built-in target or agentc.toml's `targets`)
    #[arg(short, long = "target", value_name = "TARGET")]
    pub targets: Vec<String>,
    /// The bundle to write: NAME.json, NAME.tar.gz or NAME.zip (default: agentc-bundle.json in the project root)
    #[arg(short, long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Treat translation warnings as errors
    #[arg(long)]
    pub strict: bool,
}

fn json(ui: &Ui) -> bool {
    ui.global.format == OutFormat::Json
}

fn report(ui: &Ui, diags: &Diagnostics) {
    ui.diagnostics(diags);
    if json(ui) {
        let list: Vec<_> = diags.iter().map(Diagnostic::to_json).collect();
        let _ = cli::out(&format!(
            "{}\n",
            serde_json::json!({ "ok": false, "diagnostics": list })
        ));
    }
}

fn setup(ui: &Ui, cwd: &Path) -> Option<(Project, Registry)> {
    let project = Project::discover(cwd).map_err(|d| report(ui, &d)).ok()?;
    let registry = Registry::load(Some(&project.root.join("targets")))
        .map_err(|d| report(ui, &d))
        .ok()?;
    Some((project, registry))
}

/// The job `build` would run for these paths and targets; `None` (reported) when
/// the project's lint levels are invalid.
fn job(
    ui: &Ui,
    project: &Project,
    cwd: &Path,
    paths: &[PathBuf],
    targets: &[String],
    strict: bool,
) -> Option<Job> {
    let (sources, targets) = cli::selection(project, cwd, paths, targets);
    let lint = crate::lint::levels(&project.config.lint, project.file.as_deref())
        .map_err(|d| report(ui, &d))
        .ok()?;
    Some(Job {
        sources,
        explicit_sources: !paths.is_empty(),
        targets,
        layout: Layout::Dist,
        strict: strict || project.config.strict,
        lint,
        lint_min: Some(crate::lint::Level::Deny),
    })
}

/// `agentc bundle`.
pub fn bundle(ui: &Ui, cwd: &Path, args: &BundleArgs) -> Result<Exit> {
    let format = match &args.out {
        Some(out) => match Format::from_name(out) {
            Some(f) => f,
            None => {
                let d = Diagnostic::error(
                    "usage",
                    format!("cannot tell the bundle format of `{}`", out.display()),
                )
                .help("name it `*.json`, `*.tar.gz` or `*.zip`");
                report(ui, &Diagnostics(vec![d]));
                return Ok(2);
            }
        },
        None => Format::Json,
    };
    let Some((project, registry)) = setup(ui, cwd) else {
        return Ok(1);
    };
    let Some(job) = job(ui, &project, cwd, &args.paths, &args.targets, args.strict) else {
        return Ok(1);
    };
    let assembled = match assemble(&project, &registry, cwd, &job) {
        Ok(a) => a,
        Err(d) => {
            report(ui, &d);
            let n = d.error_count();
            ui.summary(&format!(
                "error: {n} error{} found; no bundle was written",
                if n == 1 { "" } else { "s" }
            ));
            return Ok(1);
        }
    };
    ui.diagnostics(&assembled.diags);
    let path = match &args.out {
        Some(out) => out.clone(),
        None => cli::relative_to(&project.root.join(FILE_NAME), cwd),
    };
    if let Err(d) = write(&path, format, &assembled) {
        report(ui, &Diagnostics(vec![d]));
        return Ok(1);
    }
    let b = &assembled.bundle;
    let pairs: usize = b.agents.values().map(|a| a.targets.len()).sum();
    ui.summary(&format!(
        "bundled {} agent{} × {} target{} ({pairs} prompts) into {}",
        b.agents.len(),
        if b.agents.len() == 1 { "" } else { "s" },
        b.targets.len(),
        if b.targets.len() == 1 { "" } else { "s" },
        path.display()
    ));
    if json(ui) {
        cli::out(&format!(
            "{}\n",
            serde_json::json!({
                "ok": true, "bundle": path, "agents": b.agents.keys().collect::<Vec<_>>(),
                "targets": b.targets, "source_digest": b.source_digest,
            })
        ))?;
    }
    Ok(0)
}

/// Writes the bundle in its format, atomically.
fn write(path: &Path, format: Format, assembled: &super::Assembled) -> Result<(), Diagnostic> {
    let manifest = to_json(&assembled.bundle);
    let bytes = match format {
        Format::Json => Ok(manifest.into_bytes()),
        Format::TarGz => {
            archive::epoch().and_then(|t| archive::tar_gz(&assembled.bundle.files(), &manifest, t))
        }
        Format::Zip => {
            archive::epoch().and_then(|t| archive::zip(&assembled.bundle.files(), &manifest, t))
        }
    };
    let bytes = bytes.map_err(|e| Diagnostic::error("bundle", e))?;
    crate::emit::atomic_write(path, &bytes)
}

/// `agentc check --bundle FILE`: exit 0 when the bundle matches the sources.
pub fn check(
    ui: &Ui,
    cwd: &Path,
    paths: &[PathBuf],
    targets: &[String],
    strict: bool,
    file: &Path,
) -> Result<Exit> {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            report(
                ui,
                &super::file_error(file, format!("cannot read the bundle: {e}")),
            );
            return Ok(1);
        }
    };
    let found = match check::read(&bytes) {
        Ok(r) => r,
        Err(e) => {
            report(ui, &super::file_error(file, e));
            return Ok(1);
        }
    };
    let Some((project, registry)) = setup(ui, cwd) else {
        return Ok(1);
    };
    let targets = if targets.is_empty() {
        found.bundle.targets.clone()
    } else {
        targets.to_vec()
    };
    let Some(job) = job(ui, &project, cwd, paths, &targets, strict) else {
        return Ok(1);
    };
    let fresh = match assemble(&project, &registry, cwd, &job) {
        Ok(a) => a.bundle,
        Err(d) => {
            report(ui, &d);
            return Ok(1);
        }
    };
    let findings = check::compare(&fresh, &found);
    let digest_ok = fresh.source_digest == found.bundle.source_digest;
    if json(ui) {
        cli::out(&format!(
            "{}\n",
            serde_json::json!({ "ok": findings.is_empty() && digest_ok, "findings": findings, "source_digest_matches": digest_ok })
        ))?;
    } else {
        cli::out(&findings_text(&findings, digest_ok))?;
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

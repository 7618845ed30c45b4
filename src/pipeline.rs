//! The whole compile in memory: sources → specs → IR → artifacts for each target.
//! `build`, `check` and `convert` share it; only `emit` touches the outputs.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::load::Loaded;
use crate::render::{Artifact, Layout, Renderer};
use crate::target::{Registry, Target};
use crate::{load, lower};

/// What to compile.
#[derive(Debug, Clone)]
pub struct Job {
    pub sources: Vec<PathBuf>,
    /// Sources were named on the command line (a subset of the project).
    pub explicit_sources: bool,
    pub targets: Vec<String>,
    pub layout: Layout,
    pub strict: bool,
}

/// What compiling gave: artifacts sorted by path, diagnostics of every stage.
#[derive(Debug, Default)]
pub struct Compiled {
    pub artifacts: Vec<Artifact>,
    pub diags: Diagnostics,
    pub agents: Vec<String>,
    pub targets: Vec<String>,
    /// Agent × target pairs left out (`skip = true` or `model_compatibility`).
    pub skipped: usize,
}

impl Compiled {
    /// True when nothing may be written.
    pub fn failed(&self) -> bool {
        self.diags.has_errors()
    }
}

/// Checks the target names against the registry.
pub fn targets<'r>(
    registry: &'r Registry,
    names: &[String],
    diags: &mut Diagnostics,
) -> Vec<&'r Target> {
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for name in names {
        match registry.get(name) {
            Some(t) if seen.insert(name.clone()) => out.push(&**t),
            Some(_) => {}
            None => {
                let mut d = Diagnostic::error("unknown-target", format!("unknown target `{name}`"));
                d = match did_you_mean(name, registry.names()) {
                    Some(s) => d.help(format!("did you mean `{s}`?")),
                    None => d.help(format!(
                        "`agentc targets` lists them: {}",
                        registry.names().collect::<Vec<_>>().join(", ")
                    )),
                };
                diags.push(d);
            }
        }
    }
    out
}

pub fn compile(job: &Job, registry: &Registry, renderer: &Renderer) -> Compiled {
    let mut c = Compiled::default();
    let targets = targets(registry, &job.targets, &mut c.diags);
    c.targets = targets.iter().map(|t| t.name.clone()).collect();
    let files = load::discover(&job.sources, &mut c.diags);
    let loaded = load::load(&files, &mut c.diags);
    check_overrides(&loaded, registry, &mut c.diags);
    compile_loaded(&loaded, &targets, job.layout, renderer, &mut c);
    if job.strict {
        c.diags.escalate();
    }
    c
}

/// Renders already loaded specs for the given targets into `c`.
pub fn compile_loaded(
    loaded: &[Loaded],
    targets: &[&Target],
    layout: Layout,
    renderer: &Renderer,
    c: &mut Compiled,
) {
    let mut loaded: Vec<&Loaded> = loaded.iter().collect();
    loaded.sort_by(|a, b| a.spec.name.cmp(&b.spec.name));
    for l in loaded {
        let agent = lower::lower(&l.spec);
        c.agents.push(agent.name.clone());
        for target in targets {
            match renderer.render(&agent, target, layout, &l.path) {
                Ok(r) => {
                    c.diags.0.extend(r.warnings);
                    match r.artifact {
                        Some(a) => c.artifacts.push(a),
                        None => c.skipped += 1,
                    }
                }
                Err(d) => c.diags.extend(d),
            }
        }
    }
    c.artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    check_collisions(&c.artifacts, &mut c.diags);
}

/// `[targets.<name>]` must name a target that exists.
fn check_overrides(loaded: &[Loaded], registry: &Registry, diags: &mut Diagnostics) {
    for l in loaded {
        for name in l.spec.targets.keys() {
            if registry.get(name).is_none() {
                let (doc, _) = toml::de::DeTable::parse_recoverable(&l.source);
                let mut d = Diagnostic::error(
                    "unknown-target",
                    format!("`[targets.{name}]` names an unknown target"),
                )
                .at(&l.path);
                if let Some(span) = load::value_span(doc.get_ref(), &["targets", name]) {
                    d = d.span(&l.source, span);
                }
                if let Some(s) = did_you_mean(name, registry.names()) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                diags.push(d);
            }
        }
    }
}

/// Two artifacts for one path would overwrite each other.
fn check_collisions(artifacts: &[Artifact], diags: &mut Diagnostics) {
    for pair in artifacts.windows(2) {
        let (a, b) = (&pair[0], &pair[1]);
        if a.path == b.path && a.content != b.content {
            diags.push(Diagnostic::error(
                "path-collision",
                format!(
                    "`{}` would be written by `{}` for `{}` and by `{}` for `{}`",
                    a.path.display(),
                    a.agent,
                    a.target,
                    b.agent,
                    b.target
                ),
            ));
        }
    }
}

/// The output root of a layout: `-o`, else the config's `out_dir` (dist) or the project root (native).
pub fn output_root(
    project_root: &Path,
    out_dir: &Path,
    cli_out: Option<&Path>,
    layout: Layout,
) -> PathBuf {
    match (cli_out, layout) {
        (Some(o), _) => o.to_path_buf(),
        (None, Layout::Dist) => project_root.join(out_dir),
        (None, Layout::Native) => project_root.to_path_buf(),
    }
}

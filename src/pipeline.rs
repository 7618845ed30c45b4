//! The whole compile in memory: sources → specs → IR → artifacts for each target.
//! `build`, `check` and `convert` share it; only `emit` touches the outputs.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::diagnostic::{Diagnostic, Diagnostics, did_you_mean};
use crate::lint::Level;
use crate::load::Loaded;
use crate::render::{Artifact, Entry, Layout, Renderer};
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
    /// Lint levels in force, and the lowest level to run (`build` runs `deny` only).
    pub lint: BTreeMap<&'static str, Level>,
    pub lint_min: Option<Level>,
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
    /// Each agent's spec file and text, to place findings about its outputs.
    pub sources: crate::budget::Sources,
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
    compile_with(job, registry, renderer, &mut |_, _| {})
}

/// Like [`compile`], calling `progress(done, total)` after each agent is rendered.
pub fn compile_with(
    job: &Job,
    registry: &Registry,
    renderer: &Renderer,
    progress: &mut dyn FnMut(usize, usize),
) -> Compiled {
    compile_keeping_with(job, registry, renderer, progress).0
}

/// Like [`compile`], also giving back the specs it loaded (`bundle` describes them).
pub fn compile_keeping(
    job: &Job,
    registry: &Registry,
    renderer: &Renderer,
) -> (Compiled, Vec<Loaded>) {
    compile_keeping_with(job, registry, renderer, &mut |_, _| {})
}

fn compile_keeping_with(
    job: &Job,
    registry: &Registry,
    renderer: &Renderer,
    progress: &mut dyn FnMut(usize, usize),
) -> (Compiled, Vec<Loaded>) {
    let mut c = Compiled::default();
    let targets = targets(registry, &job.targets, &mut c.diags);
    c.targets = targets.iter().map(|t| t.name.clone()).collect();
    let files = load::discover(&job.sources, &mut c.diags);
    let loaded = load::load(&files, &mut c.diags);
    check_overrides(&loaded, registry, &mut c.diags);
    if let Some(min) = job.lint_min {
        c.diags
            .extend(crate::lint::lint(&loaded, &targets, &job.lint, min));
    }
    render_all(&loaded, &targets, job.layout, renderer, &mut c, progress);
    if job.strict {
        c.diags.escalate();
    }
    if job.explicit_sources && !c.failed() {
        note_partial_aggregates(&c.artifacts, &targets, &mut c.diags);
    }
    c.diags.dedup();
    (c, loaded)
}

/// An aggregate file built from the sources named on the command line holds only
/// their agents; said once per file (a note, not a translation warning).
fn note_partial_aggregates(artifacts: &[Artifact], targets: &[&Target], diags: &mut Diagnostics) {
    for a in artifacts {
        if targets
            .iter()
            .any(|t| t.name == a.target && t.aggregate.is_some())
        {
            diags.push(
                Diagnostic::warning(
                    "partial-aggregate",
                    format!(
                        "`{}` holds only the agents named on the command line: {}",
                        a.path.display(),
                        a.agent
                    ),
                )
                .help("build without paths to write every agent of the project into it"),
            );
        }
    }
}

/// Renders already loaded specs for the given targets into `c`.
pub fn compile_loaded(
    loaded: &[Loaded],
    targets: &[&Target],
    layout: Layout,
    renderer: &Renderer,
    c: &mut Compiled,
) {
    render_all(loaded, targets, layout, renderer, c, &mut |_, _| {});
}

/// Agents render in parallel, a chunk at a time (so that `progress` can be told how
/// far it got); results are merged in name order, so the output does not depend on
/// the thread count.
fn render_all(
    loaded: &[Loaded],
    targets: &[&Target],
    layout: Layout,
    renderer: &Renderer,
    c: &mut Compiled,
    progress: &mut dyn FnMut(usize, usize),
) {
    use rayon::prelude::*;
    let total = loaded.len();
    let mut loaded: Vec<&Loaded> = loaded.iter().collect();
    loaded.sort_by(|a, b| a.spec.name.cmp(&b.spec.name));
    let mut entries: BTreeMap<(String, PathBuf), Vec<Entry>> = BTreeMap::new();
    for chunk in loaded.chunks(256) {
        let results: Vec<_> = chunk
            .par_iter()
            .map(|l| {
                let agent = lower::lower(&l.spec);
                let rendered = renderer.render_all(&agent, targets, layout, &l.path);
                (*l, agent.name, rendered)
            })
            .collect();
        for (l, name, rendered) in results {
            c.sources
                .insert(name.clone(), (l.path.clone(), l.source.clone()));
            c.agents.push(name);
            for r in rendered {
                match r {
                    Ok(r) => {
                        c.diags.0.extend(r.warnings);
                        match (r.artifact, r.entry) {
                            (Some(a), _) => c.artifacts.push(a),
                            (None, Some(e)) => entries
                                .entry((e.target.clone(), e.path.clone()))
                                .or_default()
                                .push(e),
                            (None, None) => c.skipped += 1,
                        }
                    }
                    Err(d) => c.diags.extend(d),
                }
            }
        }
        progress(c.agents.len(), total);
    }
    aggregate(entries, targets, renderer, c);
    c.artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    check_collisions(&c.artifacts, &mut c.diags);
}

/// Writes the entries of each aggregate target, one file per output path.
fn aggregate(
    entries: BTreeMap<(String, PathBuf), Vec<Entry>>,
    targets: &[&Target],
    renderer: &Renderer,
    c: &mut Compiled,
) {
    for ((name, _), list) in entries {
        let Some(target) = targets.iter().find(|t| t.name == name) else {
            continue;
        };
        match renderer.aggregate(target, &list) {
            Ok(a) => c.artifacts.push(a),
            Err(d) => c.diags.extend(d),
        }
    }
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

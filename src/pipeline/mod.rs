//! The compile: specs → IR → what each target makes of each agent → files,
//! a chunk of agents at a time, handed to a [`Sink`] (`build` stages them on
//! disk, `check` compares them with it, `bundle`, `stats`, `lint` and `convert`
//! collect them in memory). [`compile`] is the one entry; only the sink decides
//! what happens to the outputs.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::artifact::{Artifact, Layout};
use crate::diag::span::{self, Key};
use crate::diag::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::lint::{Level, Levels};
use crate::load::{Loaded, SpecTexts};
use crate::render::{Prepared, Rendered, Renderer};
use crate::spec::Table;
use crate::target::{Registry, Target};
use crate::{load, lower, resolve};

mod aggregate;

pub use aggregate::aggregate_in_memory;
use aggregate::{Spool, note_partial_aggregates};

/// The specs a compile starts from.
#[derive(Debug, Clone)]
pub enum Specs {
    /// Spec files, and folders searched for `*.toml`.
    Paths(Vec<PathBuf>),
    /// Specs already loaded (a legacy file imported in memory, or specs a
    /// command has read itself).
    Loaded(Vec<Loaded>),
}

/// What to compile, with what.
pub struct Job<'a> {
    pub specs: Specs,
    /// Sources were named on the command line (a subset of the project).
    pub explicit_sources: bool,
    pub targets: Vec<String>,
    pub layout: Layout,
    pub strict: bool,
    /// Lint rules run on each chunk of specs: their levels, and the lowest level
    /// run (`build` runs the denied rules only).
    pub lint: Option<(&'a Levels, Level)>,
    pub registry: &'a Registry,
    pub renderer: &'a Renderer,
    /// Target options set by the project (`[target.<name>]` in agentc.toml).
    pub options: &'a BTreeMap<String, Table>,
    /// Losses the project accepts (`[accept]` in agentc.toml): their
    /// translation warnings are counted in `Compiled::accepted`, not kept.
    pub accept: &'a crate::diag::Accept,
}

impl Job<'_> {
    /// What the job asks for, as text: the build record hashes it (the
    /// project's files are hashed on their own).
    pub fn fingerprint(&self) -> String {
        let specs = match &self.specs {
            Specs::Paths(p) => format!("{p:?}"),
            Specs::Loaded(l) => format!("{:?}", l.iter().map(|l| &l.path).collect::<Vec<_>>()),
        };
        let lint = self.lint.map(|(levels, min)| format!("{levels:?} {min:?}"));
        format!(
            "{specs} {} {:?} {:?} {} {lint:?}",
            self.explicit_sources, self.targets, self.layout, self.strict
        )
    }
}

/// What compiling gave: artifacts sorted by path (for a collecting sink),
/// diagnostics of every stage.
#[derive(Debug, Default)]
pub struct Compiled {
    pub artifacts: Vec<Artifact>,
    pub diags: Diagnostics,
    pub agents: Vec<String>,
    pub targets: Vec<String>,
    /// Agent × target pairs left out (`skip = true` or `model_compatibility`).
    pub skipped: usize,
    /// Translation warnings of losses the project accepts (not in `diags`).
    pub accepted: usize,
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
                let mut d =
                    Diagnostic::error(Code::UnknownTarget, format!("unknown target `{name}`"));
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

/// What receives the artifacts of a compile, a chunk of agents at a time: each
/// chunk's own files (with those agents' spec files and texts, to place
/// findings), then each aggregate file. It may add diagnostics.
pub trait Sink: Send {
    /// `failed`: the compile has already failed (nothing will be written).
    fn chunk(
        &mut self,
        artifacts: Vec<Artifact>,
        specs: &SpecTexts,
        diags: &mut Diagnostics,
        failed: bool,
    );

    /// An aggregate file, assembled in `file` (read it from the start; it can be
    /// large); `artifact.content` is empty. By default it is read into memory and
    /// passed on as a chunk of its own.
    fn aggregate(&mut self, artifact: Artifact, file: &mut std::fs::File, diags: &mut Diagnostics) {
        aggregate_in_memory(self, artifact, file, diags)
    }

    /// The specs of the chunk just handed over, for a sink that keeps them.
    fn loaded(&mut self, _chunk: Vec<Loaded>) {}

    /// What rendering the chunk about to be handed over reported (its
    /// translation warnings, in the compile's order, among them); called before
    /// [`Sink::chunk`]. They stay in the compile's diagnostics too.
    fn warnings(&mut self, _warnings: &[Diagnostic]) {}

    /// Called after each chunk with the agents done and the spec files in all.
    fn progress(&mut self, _done: usize, _total: usize) {}
}

/// A sink that holds every artifact in memory, sorted by path once the compile
/// is over ([`Collect::into`]); with `keep`, the loaded specs too.
#[derive(Default)]
pub struct Collect {
    pub artifacts: Vec<Artifact>,
    pub specs: SpecTexts,
    pub keep: bool,
    pub loaded: Vec<Loaded>,
}

impl Collect {
    /// A compile's result with the artifacts collected, sorted by path.
    pub fn into(mut self, mut c: Compiled) -> (Compiled, SpecTexts, Vec<Loaded>) {
        self.artifacts.sort_by(|a, b| a.path.cmp(&b.path));
        c.artifacts = self.artifacts;
        (c, self.specs, self.loaded)
    }
}

impl Sink for Collect {
    fn chunk(&mut self, artifacts: Vec<Artifact>, specs: &SpecTexts, _: &mut Diagnostics, _: bool) {
        self.artifacts.extend(artifacts);
        self.specs
            .extend(specs.iter().map(|(k, v)| (k.clone(), v.clone())));
    }

    fn loaded(&mut self, chunk: Vec<Loaded>) {
        if self.keep {
            self.loaded.extend(chunk);
        }
    }
}

/// Compiles `job` into memory: every artifact, sorted by path.
pub fn compile_all(job: &Job) -> Compiled {
    let mut all = Collect::default();
    let c = compile(job, &mut all);
    all.into(c).0
}

/// One agent rendered for one target, outside a compile (the importer and
/// tests use it).
pub fn render_one(
    renderer: &Renderer,
    agent: &crate::ir::Agent,
    target: &Target,
    options: Option<&Table>,
    layout: Layout,
    source: &Path,
) -> Result<Rendered, Diagnostics> {
    let prepared = [renderer.prepare(target, layout)];
    let resolved = vec![resolve::resolve(agent, target, options, source)];
    let mut one = renderer.render_all(agent, &prepared, resolved, layout, source);
    one.remove(0)
}

/// Agents per chunk: enough to keep both cores busy, few enough that a chunk's
/// outputs stay small (memory is bounded by a chunk, not by the project).
const CHUNK: usize = 64;

/// Compiles `job` a chunk of specs at a time: each chunk is loaded, checked and
/// rendered in parallel and handed to `sink`, then dropped, so memory does not
/// grow with the number of agents. Entries of aggregate targets are spooled to a
/// temporary file and assembled in agent-name order at the end. The returned
/// `Compiled` holds no artifacts; its agents are sorted by name.
pub fn compile(job: &Job, sink: &mut dyn Sink) -> Compiled {
    let mut c = Compiled::default();
    let targets = targets(job.registry, &job.targets, &mut c.diags);
    c.targets = targets.iter().map(|t| t.name.clone()).collect();
    let chunks: Vec<Chunk> = match &job.specs {
        Specs::Paths(paths) => load::discover(paths, &mut c.diags)
            .chunks(CHUNK)
            .map(|c| Chunk::Paths(c.to_vec()))
            .collect(),
        Specs::Loaded(loaded) => loaded
            .chunks(CHUNK)
            .map(|c| Chunk::Loaded(c.to_vec()))
            .collect(),
    };
    let total: usize = chunks.iter().map(Chunk::len).sum();
    let mut names: Vec<(String, PathBuf)> = Vec::new();
    let mut seen_names: HashSet<String> = HashSet::new();
    let mut run = Run::new(&targets, job);
    // Chunk k is loaded, linted and rendered while the sink takes chunk k - 1.
    let mut pending: Option<Pending> = None;
    for chunk in chunks {
        let failed = c.failed();
        let diags = &c.diags;
        let (work, taken) = rayon::join(
            || run.prepare_chunk(chunk, &seen_names),
            || hand_over(sink, pending.take(), diags, failed),
        );
        c.diags.extend(taken);
        c.diags.extend(work.diags);
        for (name, path) in work.names {
            seen_names.insert(name.clone());
            names.push((name, path));
        }
        let from = c.diags.0.len();
        let (artifacts, specs) = run.absorb(&work.loaded, work.rendered, &mut c);
        pending = Some((artifacts, specs, work.loaded, from..c.diags.0.len()));
        sink.progress(c.agents.len(), total);
    }
    let taken = hand_over(sink, pending.take(), &c.diags, c.failed());
    c.diags.extend(taken);
    let names: Vec<(&str, &Path)> = names
        .iter()
        .map(|(n, p)| (n.as_str(), p.as_path()))
        .collect();
    load::duplicates(&names, &mut c.diags);
    let aggregates = run.finish(&mut c, sink);
    c.agents.sort();
    if job.strict {
        c.diags.escalate();
    }
    if job.explicit_sources && !c.failed() {
        note_partial_aggregates(&aggregates, &mut c.diags);
    }
    c.diags.dedup();
    c
}

/// One chunk of the job's specs: files to load, or specs loaded already.
enum Chunk {
    Paths(Vec<PathBuf>),
    Loaded(Vec<Loaded>),
}

impl Chunk {
    fn len(&self) -> usize {
        match self {
            Chunk::Paths(p) => p.len(),
            Chunk::Loaded(l) => l.len(),
        }
    }
}

/// One chunk loaded, checked and rendered, not yet taken in.
#[derive(Default)]
struct ChunkWork {
    diags: Diagnostics,
    /// Every spec loaded (name, path), for the duplicate-name check.
    names: Vec<(String, PathBuf)>,
    /// The specs to render, in name order, and what each target made of them.
    loaded: Vec<Loaded>,
    rendered: Vec<Vec<Result<Rendered, Diagnostics>>>,
}

/// A chunk rendered, waiting for the sink: its own files, its agents' spec
/// texts, its specs, and the range of the compile's diagnostics its renders gave.
type Pending = (
    Vec<Artifact>,
    SpecTexts,
    Vec<Loaded>,
    std::ops::Range<usize>,
);

/// Hands a finished chunk to the sink; returns what it reported.
fn hand_over(
    sink: &mut dyn Sink,
    chunk: Option<Pending>,
    all: &Diagnostics,
    failed: bool,
) -> Diagnostics {
    let mut diags = Diagnostics::default();
    if let Some((artifacts, specs, loaded, range)) = chunk {
        sink.warnings(&all.0[range]);
        sink.chunk(artifacts, &specs, &mut diags, failed);
        sink.loaded(loaded);
    }
    diags
}

/// The path of every file a compile gave, to find two agents writing one path.
#[derive(Default)]
struct Outputs {
    /// Path → (agent, target, hash of the content).
    seen: HashMap<PathBuf, (Arc<str>, Arc<str>, u128)>,
    /// Agent and target names, each held once (a build of 10,000 agents makes
    /// 130,000 files).
    names: HashSet<Arc<str>>,
}

impl Outputs {
    fn add(&mut self, a: &Artifact, diags: &mut Diagnostics) {
        match self.seen.get(&a.path) {
            Some((agent, target, h)) if *h != a.hash => diags.push(Diagnostic::error(
                Code::PathCollision,
                format!(
                    "`{}` would be written by `{agent}` for `{target}` and by `{}` for `{}`",
                    a.path.display(),
                    a.agent,
                    a.target
                ),
            )),
            Some(_) => {}
            None => {
                let agent = crate::emit::manifest::intern(&mut self.names, &a.agent);
                let target = crate::emit::manifest::intern(&mut self.names, &a.target);
                self.seen.insert(a.path.clone(), (agent, target, a.hash));
            }
        }
    }
}

/// One compile's rendering: chunks of agents in parallel, the paths seen so far,
/// and the spooled entries of aggregate files.
struct Run<'a> {
    job: &'a Job<'a>,
    targets: &'a [&'a Target],
    /// Each target's expressions, compiled once.
    prepared: Vec<Prepared<'a>>,
    outputs: Outputs,
    /// (target, name written in its `name_field`) → (agent, spec file), to
    /// find two agents that a tool would know under one name.
    written_names: HashMap<(usize, String), (String, PathBuf)>,
    spools: BTreeMap<(String, PathBuf), Spool>,
    /// For each target with `project_files`: the agents written for it (name, path).
    written: BTreeMap<String, Vec<(String, PathBuf)>>,
}

impl<'a> Run<'a> {
    fn new(targets: &'a [&'a Target], job: &'a Job<'a>) -> Run<'a> {
        Run {
            job,
            targets,
            prepared: targets
                .iter()
                .map(|t| job.renderer.prepare(t, job.layout))
                .collect(),
            outputs: Outputs::default(),
            written_names: HashMap::new(),
            spools: BTreeMap::new(),
            written: targets
                .iter()
                .filter(|t| !t.project_files.is_empty())
                .map(|t| (t.name.clone(), Vec::new()))
                .collect(),
        }
    }

    /// Loads, checks and renders one chunk of specs in parallel (touching
    /// nothing shared: it runs beside the sink). A spec whose name an earlier one
    /// has (`seen`, or earlier in the chunk) is not rendered: it would only add
    /// collisions to the `duplicate-name` errors reported at the end.
    fn prepare_chunk(&self, chunk: Chunk, seen: &HashSet<String>) -> ChunkWork {
        use rayon::prelude::*;
        let results: Vec<(Option<Loaded>, Diagnostics)> = match chunk {
            Chunk::Paths(paths) => paths
                .par_iter()
                .map(|path| {
                    let mut d = Diagnostics::default();
                    (load::load_file(path, &mut d), d)
                })
                .collect(),
            Chunk::Loaded(loaded) => loaded
                .into_iter()
                .map(|l| (Some(l), Diagnostics::default()))
                .collect(),
        };
        let mut work = ChunkWork::default();
        let mut here = HashSet::new();
        for (l, d) in results {
            work.diags.extend(d);
            if let Some(l) = l {
                work.names.push((l.spec.name.clone(), l.path.clone()));
                if !seen.contains(&l.spec.name) && here.insert(l.spec.name.clone()) {
                    work.loaded.push(l);
                }
            }
        }
        check_overrides(&work.loaded, self.job.registry, &mut work.diags);
        if let Some((levels, min)) = self.job.lint {
            work.diags
                .extend(crate::lint::lint(&work.loaded, self.targets, levels, min));
        }
        // Merged in name order, so the output does not depend on the thread count.
        work.loaded.sort_by(|a, b| a.spec.name.cmp(&b.spec.name));
        work.rendered = self.render_each(&work.loaded);
        work
    }

    /// Each spec lowered, resolved and rendered for every target, in parallel,
    /// in the order given.
    fn render_each(&self, chunk: &[Loaded]) -> Vec<Vec<Result<Rendered, Diagnostics>>> {
        use rayon::prelude::*;
        let job = self.job;
        chunk
            .par_iter()
            .map(|l| {
                let agent = lower::lower(&l.spec);
                let resolved = self
                    .targets
                    .iter()
                    .map(|t| resolve::resolve(&agent, t, job.options.get(&t.name), &l.path))
                    .collect();
                job.renderer
                    .render_all(&agent, &self.prepared, resolved, job.layout, &l.path)
            })
            .collect()
    }

    /// Takes one chunk's renderings in: its own files and its agents' spec
    /// texts are returned, aggregate entries go to their spool.
    fn absorb<'l>(
        &mut self,
        chunk: impl IntoIterator<Item = &'l Loaded>,
        rendered: Vec<Vec<Result<Rendered, Diagnostics>>>,
        c: &mut Compiled,
    ) -> (Vec<Artifact>, SpecTexts) {
        let mut artifacts = Vec::new();
        let mut specs = SpecTexts::new();
        for (l, rendered) in chunk.into_iter().zip(rendered) {
            for (t, r) in rendered.into_iter().enumerate() {
                match r {
                    Ok(mut r) => {
                        let all = r.warnings.len();
                        let accept = self.job.accept;
                        r.warnings.retain(|d| !crate::diag::accepts(accept, d));
                        c.accepted += all - r.warnings.len();
                        c.diags.0.extend(r.warnings);
                        if let Some(name) = r.name {
                            self.name_written(l, t, name, &mut c.diags);
                        }
                        match (r.artifact, r.entry) {
                            (Some(a), _) => {
                                self.outputs.add(&a, &mut c.diags);
                                if let Some(w) = self.written.get_mut(&a.target) {
                                    w.push((a.agent.clone(), a.path.clone()));
                                }
                                artifacts.push(a);
                            }
                            (None, Some(e)) => {
                                let spool = self
                                    .spools
                                    .entry((e.target.clone(), e.path.clone()))
                                    .or_insert_with(|| Spool::new(&e.target, &e.path));
                                if let Err(d) = spool.push(&e) {
                                    c.diags.push(d);
                                }
                            }
                            (None, None) => c.skipped += 1,
                        }
                    }
                    Err(d) => c.diags.extend(d),
                }
            }
            c.agents.push(l.spec.name.clone());
            specs.insert(l.spec.name.clone(), (l.path.clone(), l.source.clone()));
        }
        (artifacts, specs)
    }

    /// Records that `l`'s agent is known as `name` in `target`; a second agent
    /// under that name is an error naming both spec files.
    fn name_written(&mut self, l: &Loaded, t: usize, name: String, diags: &mut Diagnostics) {
        use std::collections::hash_map::Entry;
        match self.written_names.entry((t, name)) {
            Entry::Vacant(v) => {
                v.insert((l.spec.name.clone(), l.path.clone()));
            }
            Entry::Occupied(o) => {
                let ((_, name), (agent, path)) = (o.key(), o.get());
                if *agent == l.spec.name {
                    return;
                }
                let target = &self.targets[t].name;
                let field = self.targets[t].name_field.as_deref().unwrap_or("name");
                let d = Diagnostic::error(
                    Code::NameCollision,
                    format!(
                        "`{}` and `{agent}` would both be `{field}: {name}` for `{target}` \
                         ({} and {})",
                        l.spec.name,
                        l.path.display(),
                        path.display()
                    ),
                )
                .about(&l.spec.name, target)
                .at(&l.path)
                .help(format!(
                    "rename one of them, or set `skip = true` under `[targets.{target}]` in one"
                ));
                diags.push(d);
            }
        }
    }

    /// Assembles each aggregate file and hands it to `sink`, then the project
    /// files of the targets that wrote any file; returns the aggregate files'
    /// paths and agents.
    fn finish(self, c: &mut Compiled, sink: &mut dyn Sink) -> Vec<(PathBuf, String)> {
        let mut outputs = self.outputs;
        let mut project = Vec::new();
        for (name, mut agents) in self.written {
            let Some(target) = self.targets.iter().find(|t| t.name == name) else {
                continue;
            };
            if agents.is_empty() {
                continue;
            }
            agents.sort();
            let options = resolve::project_options(target, self.job.options.get(&name));
            for file in &target.project_files {
                match self.job.renderer.project_file(
                    target,
                    file,
                    &options,
                    &agents,
                    self.job.layout,
                ) {
                    Ok(a) => {
                        outputs.add(&a, &mut c.diags);
                        project.push(a);
                    }
                    Err(d) => c.diags.extend(d),
                }
            }
        }
        if !project.is_empty() {
            let failed = c.failed();
            sink.chunk(project, &SpecTexts::new(), &mut c.diags, failed);
        }
        let mut aggregates = Vec::new();
        for ((name, _), spool) in self.spools {
            let Some(target) = self.targets.iter().find(|t| t.name == name) else {
                continue;
            };
            match spool.assemble(target) {
                Ok((a, mut file)) => {
                    outputs.add(&a, &mut c.diags);
                    aggregates.push((a.path.clone(), a.agent.clone()));
                    sink.aggregate(a, &mut file, &mut c.diags);
                }
                Err(d) => c.diags.push(d),
            }
        }
        aggregates
    }
}

/// `[targets.<name>]` must name a target that exists.
fn check_overrides(loaded: &[Loaded], registry: &Registry, diags: &mut Diagnostics) {
    for l in loaded {
        for name in l.spec.targets.keys() {
            if registry.get(name).is_none() {
                let d = Diagnostic::error(
                    Code::UnknownTarget,
                    format!("`[targets.{name}]` names an unknown target"),
                );
                let mut d = span::point(d, &l.path, &l.source, &[Key::K("targets"), Key::K(name)]);
                if let Some(s) = did_you_mean(name, registry.names()) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                diags.push(d);
            }
        }
    }
}

//! The compile: sources → specs → IR → artifacts for each target, a chunk of
//! agents at a time, handed to a `Sink` (`build` stages them on disk, `check`
//! compares them with it, `bundle`, `stats` and `convert` collect them in
//! memory); only `emit` touches the outputs.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::budget::Sources;
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

/// Like [`compile`], calling `progress(done, total)` after each chunk of agents.
/// Every artifact is held in memory, sorted by path; [`compile_streaming`] is
/// the bounded-memory form that `build` and `check` use.
pub fn compile_with(
    job: &Job,
    registry: &Registry,
    renderer: &Renderer,
    progress: &mut dyn FnMut(usize, usize),
) -> Compiled {
    collect(job, registry, renderer, progress, false).0
}

/// Like [`compile`], also giving back the specs it loaded (`bundle` describes them).
pub fn compile_keeping(
    job: &Job,
    registry: &Registry,
    renderer: &Renderer,
) -> (Compiled, Vec<Loaded>) {
    collect(job, registry, renderer, &mut |_, _| {}, true)
}

fn collect(
    job: &Job,
    registry: &Registry,
    renderer: &Renderer,
    progress: &mut dyn FnMut(usize, usize),
    keep: bool,
) -> (Compiled, Vec<Loaded>) {
    let mut all = Collect {
        keep,
        ..Collect::default()
    };
    let mut c = compile_streaming(job, registry, renderer, progress, &mut all);
    all.artifacts.sort_by(|a, b| a.path.cmp(&b.path));
    c.artifacts = all.artifacts;
    c.sources = all.sources;
    (c, all.loaded)
}

/// What receives the artifacts of a compile, a chunk of agents at a time: each
/// chunk's own files (with those agents' spec files and texts, to place
/// findings), then each aggregate file. It may add diagnostics.
pub trait Sink: Send {
    /// `failed`: the compile has already failed (nothing will be written).
    fn chunk(
        &mut self,
        artifacts: Vec<Artifact>,
        sources: &Sources,
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
}

/// `Sink::aggregate`'s default: the aggregate file read into the artifact's
/// content and passed to `sink` as a chunk of its own.
pub fn aggregate_in_memory<S: Sink + ?Sized>(
    sink: &mut S,
    mut artifact: Artifact,
    file: &mut std::fs::File,
    diags: &mut Diagnostics,
) {
    use std::io::Read;
    match file.read_to_string(&mut artifact.content) {
        Ok(_) => {
            let failed = diags.has_errors();
            sink.chunk(vec![artifact], &Sources::new(), diags, failed)
        }
        Err(e) => diags.push(Diagnostic::error(
            "io",
            format!("cannot read back `{}`: {e}", artifact.path.display()),
        )),
    }
}

/// Holds every artifact in memory (and the specs, with `keep`).
#[derive(Default)]
struct Collect {
    artifacts: Vec<Artifact>,
    sources: Sources,
    keep: bool,
    loaded: Vec<Loaded>,
}

impl Sink for Collect {
    fn chunk(&mut self, artifacts: Vec<Artifact>, sources: &Sources, _: &mut Diagnostics, _: bool) {
        self.artifacts.extend(artifacts);
        self.sources
            .extend(sources.iter().map(|(k, v)| (k.clone(), v.clone())));
    }

    fn loaded(&mut self, chunk: Vec<Loaded>) {
        if self.keep {
            self.loaded.extend(chunk);
        }
    }
}

/// Agents per chunk: enough to keep both cores busy, few enough that a chunk's
/// outputs stay small (memory is bounded by a chunk, not by the project).
const CHUNK: usize = 64;

/// Compiles `job` a chunk of spec files at a time: each chunk is loaded and
/// rendered in parallel and handed to `sink`, then dropped, so memory does not
/// grow with the number of agents. Entries of aggregate targets are spooled to a
/// temporary file and assembled in agent-name order at the end. The returned
/// `Compiled` holds no artifacts; its agents are sorted by name.
pub fn compile_streaming(
    job: &Job,
    registry: &Registry,
    renderer: &Renderer,
    progress: &mut dyn FnMut(usize, usize),
    sink: &mut dyn Sink,
) -> Compiled {
    let mut c = Compiled::default();
    let targets = targets(registry, &job.targets, &mut c.diags);
    c.targets = targets.iter().map(|t| t.name.clone()).collect();
    let files = load::discover(&job.sources, &mut c.diags);
    let mut names: Vec<(String, PathBuf)> = Vec::new();
    let mut seen_names: HashSet<String> = HashSet::new();
    let mut run = Run::new(&targets, job.layout, renderer);
    // Chunk k is loaded, linted and rendered while the sink takes chunk k - 1.
    let mut pending: Option<(Vec<Artifact>, Sources, Vec<Loaded>)> = None;
    for chunk in files.chunks(CHUNK) {
        let failed = c.failed();
        let (work, taken) = rayon::join(
            || run.prepare_chunk(chunk, registry, job, &seen_names),
            || hand_over(sink, pending.take(), failed),
        );
        c.diags.extend(taken);
        c.diags.extend(work.diags);
        for (name, path) in work.names {
            seen_names.insert(name.clone());
            names.push((name, path));
        }
        let (artifacts, sources) = run.absorb(&work.loaded, work.rendered, &mut c);
        pending = Some((artifacts, sources, work.loaded));
        progress(c.agents.len(), files.len());
    }
    let taken = hand_over(sink, pending.take(), c.failed());
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

/// One chunk loaded, checked and rendered, not yet taken in.
#[derive(Default)]
struct ChunkWork {
    diags: Diagnostics,
    /// Every spec loaded (name, path), for the duplicate-name check.
    names: Vec<(String, PathBuf)>,
    /// The specs to render, in name order, and what each target made of them.
    loaded: Vec<Loaded>,
    rendered: Vec<Vec<Result<crate::render::Rendered, Diagnostics>>>,
}

/// Hands a finished chunk to the sink; returns what it reported.
fn hand_over(
    sink: &mut dyn Sink,
    chunk: Option<(Vec<Artifact>, Sources, Vec<Loaded>)>,
    failed: bool,
) -> Diagnostics {
    let mut diags = Diagnostics::default();
    if let Some((artifacts, sources, loaded)) = chunk {
        sink.chunk(artifacts, &sources, &mut diags, failed);
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
                "path-collision",
                format!(
                    "`{}` would be written by `{agent}` for `{target}` and by `{}` for `{}`",
                    a.path.display(),
                    a.agent,
                    a.target
                ),
            )),
            Some(_) => {}
            None => {
                let agent = crate::emit::intern(&mut self.names, &a.agent);
                let target = crate::emit::intern(&mut self.names, &a.target);
                self.seen.insert(a.path.clone(), (agent, target, a.hash));
            }
        }
    }
}

/// The hash of an aggregate file's bytes as they are written, equal to
/// `cache::output_hash` of the whole.
type ContentHash = xxhash_rust::xxh3::Xxh3;

/// The entries of one aggregate file, spooled to an unnamed temporary file as
/// they are rendered (any order), indexed by agent name.
struct Spool {
    target: String,
    path: PathBuf,
    file: Option<std::fs::File>,
    len: u64,
    index: Vec<(String, u64, usize)>,
}

impl Spool {
    fn new(target: &str, path: &Path) -> Spool {
        Spool {
            target: target.to_string(),
            path: path.to_path_buf(),
            file: None,
            len: 0,
            index: Vec::new(),
        }
    }

    fn error(&self, e: std::io::Error) -> Diagnostic {
        Diagnostic::error(
            "io",
            format!(
                "cannot spool the entries of `{}` (target `{}`): {e}",
                self.path.display(),
                self.target
            ),
        )
    }

    fn push(&mut self, e: &Entry) -> Result<(), Diagnostic> {
        use std::io::Write;
        if self.file.is_none() {
            self.file = Some(tempfile::tempfile().map_err(|e| self.error(e))?);
        }
        let file = self.file.as_mut().expect("just opened");
        if let Err(err) = file.write_all(e.item.as_bytes()) {
            return Err(self.error(err));
        }
        self.index.push((e.agent.clone(), self.len, e.item.len()));
        self.len += e.item.len() as u64;
        Ok(())
    }

    /// The whole file, its entries in agent-name order, written to a temporary
    /// file (never held whole in memory); the artifact carries the hash of its bytes.
    fn assemble(mut self, target: &Target) -> Result<(Artifact, std::fs::File), Diagnostic> {
        use std::io::{Seek, SeekFrom};
        let frame = crate::render::document::frame(target)
            .map_err(|e| Diagnostic::error("render", format!("target `{}`: {e}", target.name)))?;
        self.index.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = tempfile::tempfile().map_err(|e| self.error(e))?;
        let Some(mut spool) = self.file.take() else {
            return Err(self.error(std::io::Error::other("no entries")));
        };
        let mut hash = ContentHash::new();
        {
            let mut text = Finished::new(std::io::BufWriter::new(&mut out), &mut hash);
            write_parts(&mut text, &frame, &self.index, &mut spool)
                .and_then(|_| text.end())
                .map_err(|e| self.error(e))?;
        }
        out.seek(SeekFrom::Start(0)).map_err(|e| self.error(e))?;
        let agents: Vec<&str> = self.index.iter().map(|(a, _, _)| a.as_str()).collect();
        let artifact = Artifact {
            agent: agents.join(", "),
            target: self.target,
            path: self.path,
            content: String::new(),
            hash: hash.digest128(),
        };
        Ok((artifact, out))
    }
}

/// Copies the spooled items (`index`: name, offset, length) in order, in their frame.
fn write_parts(
    text: &mut impl std::io::Write,
    frame: &crate::render::document::Frame,
    index: &[(String, u64, usize)],
    spool: &mut std::fs::File,
) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut bytes = Vec::new();
    text.write_all(frame.head.as_bytes())?;
    for (i, (_, at, len)) in index.iter().enumerate() {
        if i > 0 {
            text.write_all(frame.sep.as_bytes())?;
        }
        bytes.resize(*len, 0);
        spool.seek(SeekFrom::Start(*at))?;
        spool.read_exact(&mut bytes)?;
        text.write_all(&bytes)?;
    }
    text.write_all(frame.tail.as_bytes())
}

/// Writes text as `render::finish` leaves it: exactly one newline at the end
/// (held-back newlines are written only when more text follows). The parts of an
/// aggregate file never hold a carriage return: serializers escape it.
struct Finished<'h, W: std::io::Write> {
    out: W,
    hash: &'h mut ContentHash,
    newlines: usize,
}

impl<'h, W: std::io::Write> Finished<'h, W> {
    fn new(out: W, hash: &'h mut ContentHash) -> Self {
        Finished {
            out,
            hash,
            newlines: 0,
        }
    }

    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hash.update(bytes);
        self.out.write_all(bytes)
    }

    fn end(&mut self) -> std::io::Result<()> {
        self.put(b"\n")?;
        self.out.flush()
    }
}

impl<W: std::io::Write> std::io::Write for Finished<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = buf.iter().rposition(|b| *b != b'\n');
        if let Some(last) = text {
            for _ in 0..self.newlines {
                self.put(b"\n")?;
            }
            self.put(&buf[..=last])?;
            self.newlines = buf.len() - last - 1;
        } else {
            self.newlines += buf.len();
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// An aggregate file built from the sources named on the command line holds only
/// their agents; said once per file (a note, not a translation warning).
fn note_partial_aggregates(aggregates: &[(PathBuf, String)], diags: &mut Diagnostics) {
    for (path, agents) in aggregates {
        diags.push(
            Diagnostic::warning(
                "partial-aggregate",
                format!(
                    "`{}` holds only the agents named on the command line: {agents}",
                    path.display()
                ),
            )
            .help("build without paths to write every agent of the project into it"),
        );
    }
}

/// Renders already loaded specs for the given targets into `c` (in memory).
pub fn compile_loaded(
    loaded: &[Loaded],
    targets: &[&Target],
    layout: Layout,
    renderer: &Renderer,
    c: &mut Compiled,
) {
    let mut run = Run::new(targets, layout, renderer);
    let loaded: Vec<&Loaded> = loaded.iter().collect();
    for chunk in loaded.chunks(CHUNK) {
        let (artifacts, sources) = run.render(chunk, c);
        c.artifacts.extend(artifacts);
        c.sources.extend(sources);
    }
    let mut rest = Collect::default();
    run.finish(c, &mut rest);
    c.artifacts.extend(rest.artifacts);
    c.artifacts.sort_by(|a, b| a.path.cmp(&b.path));
}

/// One compile's rendering: chunks of agents in parallel, the paths seen so far,
/// and the spooled entries of aggregate files.
struct Run<'a> {
    targets: &'a [&'a Target],
    layout: Layout,
    renderer: &'a Renderer,
    /// Each target's expressions, compiled once.
    prepared: Vec<crate::render::Prepared<'a>>,
    outputs: Outputs,
    spools: BTreeMap<(String, PathBuf), Spool>,
}

impl<'a> Run<'a> {
    fn new(targets: &'a [&'a Target], layout: Layout, renderer: &'a Renderer) -> Run<'a> {
        Run {
            targets,
            layout,
            renderer,
            prepared: targets
                .iter()
                .map(|t| renderer.prepare(t, layout))
                .collect(),
            outputs: Outputs::default(),
            spools: BTreeMap::new(),
        }
    }

    /// Loads, checks and renders one chunk of spec files in parallel (touching
    /// nothing shared: it runs beside the sink). A spec whose name an earlier one
    /// has (`seen`, or earlier in the chunk) is not rendered: it would only add
    /// collisions to the `duplicate-name` errors reported at the end.
    fn prepare_chunk(
        &self,
        chunk: &[PathBuf],
        registry: &Registry,
        job: &Job,
        seen: &HashSet<String>,
    ) -> ChunkWork {
        use rayon::prelude::*;
        let results: Vec<(Option<Loaded>, Diagnostics)> = chunk
            .par_iter()
            .map(|path| {
                let mut d = Diagnostics::default();
                (load::load_file(path, &mut d), d)
            })
            .collect();
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
        check_overrides(&work.loaded, registry, &mut work.diags);
        if let Some(min) = job.lint_min {
            work.diags.extend(crate::lint::lint(
                &work.loaded,
                self.targets,
                &job.lint,
                min,
            ));
        }
        // Merged in name order, so the output does not depend on the thread count.
        work.loaded.sort_by(|a, b| a.spec.name.cmp(&b.spec.name));
        work.rendered = self.render_each(&work.loaded.iter().collect::<Vec<_>>());
        work
    }

    /// Renders already loaded specs (one chunk) in parallel and takes the results in.
    fn render(&mut self, chunk: &[&Loaded], c: &mut Compiled) -> (Vec<Artifact>, Sources) {
        let mut chunk = chunk.to_vec();
        chunk.sort_by(|a, b| a.spec.name.cmp(&b.spec.name));
        let rendered = self.render_each(&chunk);
        self.absorb(chunk, rendered, c)
    }

    /// Each spec rendered for every target, in parallel, in the order given.
    fn render_each(
        &self,
        chunk: &[&Loaded],
    ) -> Vec<Vec<Result<crate::render::Rendered, Diagnostics>>> {
        use rayon::prelude::*;
        let (layout, renderer, prepared) = (self.layout, self.renderer, &self.prepared);
        chunk
            .par_iter()
            .map(|l| renderer.render_all(&lower::lower(&l.spec), prepared, layout, &l.path))
            .collect()
    }

    /// Takes one chunk's renderings in: its own files and its agents' sources are
    /// returned, aggregate entries go to their spool.
    fn absorb<'l>(
        &mut self,
        chunk: impl IntoIterator<Item = &'l Loaded>,
        rendered: Vec<Vec<Result<crate::render::Rendered, Diagnostics>>>,
        c: &mut Compiled,
    ) -> (Vec<Artifact>, Sources) {
        let mut artifacts = Vec::new();
        let mut sources = Sources::new();
        for (l, rendered) in chunk.into_iter().zip(rendered) {
            for r in rendered {
                match r {
                    Ok(r) => {
                        c.diags.0.extend(r.warnings);
                        match (r.artifact, r.entry) {
                            (Some(a), _) => {
                                self.outputs.add(&a, &mut c.diags);
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
            sources.insert(l.spec.name.clone(), (l.path.clone(), l.source.clone()));
        }
        (artifacts, sources)
    }

    /// Assembles each aggregate file and hands it to `sink`; returns the
    /// aggregate files' paths and agents.
    fn finish(self, c: &mut Compiled, sink: &mut dyn Sink) -> Vec<(PathBuf, String)> {
        let mut outputs = self.outputs;
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

#[cfg(test)]
mod tests {
    use super::*;

    /// An aggregate is assembled on disk; the hash it carries (used for path
    /// collisions and the build record) is that of the bytes in the file.
    #[test]
    fn an_assembled_aggregate_carries_the_hash_of_its_bytes() {
        use std::io::Read;
        let registry = Registry::load(None).unwrap();
        let roo = registry.get("roo").unwrap();
        let renderer = Renderer::new(None, Default::default());
        let mut spool = Spool::new("roo", Path::new(".roomodes"));
        for name in ["b", "a"] {
            let spec = format!("name = \"{name}\"\ndescription = \"D.\"\nrole = \"You help.\"\n");
            let mut d = Diagnostics::default();
            let l = load::load_str(Path::new("a.toml"), &spec, &mut d).unwrap();
            let agent = lower::lower(&l.spec);
            let r = renderer.render(&agent, roo, Layout::Dist, Path::new("a.toml"));
            spool.push(&r.unwrap().entry.unwrap()).unwrap();
        }
        let (artifact, mut file) = spool.assemble(roo).unwrap();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        assert!(String::from_utf8_lossy(&bytes).contains("slug: a"));
        assert_eq!(artifact.hash, crate::cache::output_hash(&bytes));
        assert_ne!(artifact.hash, crate::cache::output_hash(b""));
    }
}

//! `agentc bundle` (a manifest, `.tar.gz` or `.zip`) without holding the
//! bundle in memory: each chunk of agents the compile hands over becomes that
//! chunk's agent entries (hashes, tokens, requests, warnings) and is spooled,
//! as JSON, to an unnamed temporary file; the manifest is then written agent
//! by agent in name order, each entry read back from the spool. Shared files
//! (an aggregate target's one file, 73 MB for roo at 10,000 agents) stay in
//! temporary files and are escaped into the manifest a piece at a time. For
//! an archive, the manifest goes to a temporary file and each entry's own
//! file to another, and the archive is packed from them a file at a time.
//! What stays in memory is a few numbers and names per agent and file. The
//! bytes are exactly those of [`super::to_json`] over [`super::assemble`]
//! and of [`super::archive::write`] (tests compare them).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use rayon::prelude::*;

use super::archive::Format;
use super::{AgentEntry, Bundle, Figures, SharedFile, Source, TargetEntry, Warning, request};
use crate::artifact::{Artifact, Layout};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::lint::Level;
use crate::load::{Loaded, SpecTexts};
use crate::pipeline::{self, Job, Sink};
use crate::project::inputs::{Inputs, slash_path};
use crate::target::Target;
use crate::workspace::{Selection, Workspace};

/// What was written: the figures the command's summary gives.
#[derive(Debug)]
pub struct Written {
    pub agents: Vec<String>,
    pub targets: Vec<String>,
    /// Agent × target entries.
    pub pairs: usize,
    pub source_digest: String,
    /// Warnings of the whole compile, for the command to print.
    pub diags: Diagnostics,
}

/// True when the streaming writer can write this selection's bundle: every
/// aggregate target is one without provider requests (a request is made from
/// the file's text, which for an aggregate is known only at the end), and no
/// target writes project files (files of no one agent, which the streaming
/// writer does not place yet).
pub fn streams(ws: &Workspace, selection: &Selection) -> bool {
    selection.targets.iter().all(|name| {
        ws.registry.get(name).is_none_or(|t| {
            (t.aggregate.is_none() || t.request.is_empty()) && t.project_files.is_empty()
        })
    })
}

/// Compiles the selection and writes its bundle to `path` (atomically): the
/// manifest, or an archive of the manifest and the native tree, whose files
/// wait in temporary files until they are packed, one at a time. Errors of
/// any stage come back as diagnostics.
pub fn write(
    ws: &Workspace,
    selection: &Selection,
    strict: bool,
    path: &Path,
    format: Format,
) -> Result<Written, Diagnostics> {
    let mtime = match format {
        Format::Json => 0,
        _ => super::archive::epoch().map_err(|e| super::file_error(path, e))?,
    };
    let job = ws.job(selection, Layout::Native, strict, Some(Level::Deny));
    let mut targets: Vec<&Target> = selection
        .targets
        .iter()
        .filter_map(|t| ws.registry.get(t).map(|t| &**t))
        .collect();
    targets.sort_by(|a, b| a.name.cmp(&b.name));
    targets.dedup_by(|a, b| a.name == b.name);
    let spool = tempfile::tempfile()
        .map_err(|e| super::file_error(path, format!("cannot make a temporary file: {e}")))?;
    let mut sink = Spooler {
        job: &job,
        targets,
        inputs: Inputs::new(&ws.project, &ws.cwd),
        pending: Vec::new(),
        warnings: HashMap::new(),
        seen: HashSet::new(),
        spool: std::io::BufWriter::new(spool),
        spooled: 0,
        index: Vec::new(),
        pointers: HashMap::new(),
        later: HashMap::new(),
        aggregates: Vec::new(),
        failed: false,
        error: None,
    };
    let compiled = pipeline::compile(&job, &mut sink);
    if compiled.failed() {
        return Err(compiled.diags);
    }
    if let Some(d) = sink.error.take() {
        return Err(d);
    }
    let source_digest = sink
        .inputs
        .digest()
        .ok_or_else(|| super::file_error(path, "cannot read back the spooled spec files"))?;
    let mut target_names = compiled.targets.clone();
    target_names.sort();
    let skeleton = Bundle {
        bundle_version: super::BUNDLE_VERSION,
        agentc_version: env!("CARGO_PKG_VERSION").to_string(),
        source_digest: source_digest.clone(),
        targets: target_names,
        agents: BTreeMap::new(),
        shared: BTreeMap::new(),
    };
    let mut spool = sink
        .spool
        .into_inner()
        .map_err(|e| super::file_error(path, format!("cannot spool the bundle: {e}")))?;
    let mut index = std::mem::take(&mut sink.index);
    index.sort_by(|a, b| a.0.cmp(&b.0));
    let shared_paths = shared_paths(&sink.pointers, &sink.aggregates);
    let mut pairs = 0;
    let mut shared = Shared::default();
    let aggregates = &sink.aggregates;
    let mut later = std::mem::take(&mut sink.later);
    let mut manifest = |w: &mut dyn Write, mut tree: Option<&mut Tree>| {
        let mut w = std::io::BufWriter::with_capacity(1 << 16, w);
        let head = serde_json::to_string_pretty(&skeleton).map_err(std::io::Error::other)?;
        // The skeleton ends `"agents": {},\n  "shared": {}\n}`: its agents
        // and shared files are written in their place.
        let cut = head
            .rfind("\"agents\": {}")
            .ok_or_else(|| std::io::Error::other("unexpected bundle skeleton"))?;
        w.write_all(&head.as_bytes()[..cut])?;
        w.write_all(b"\"agents\": ")?;
        if index.is_empty() {
            w.write_all(b"{}")?;
        } else {
            w.write_all(b"{\n")?;
        }
        let mut buf = Vec::new();
        for (i, (name, at, len)) in index.iter().enumerate() {
            spool.seek(SeekFrom::Start(*at))?;
            buf.clear();
            (&mut spool).take(*len).read_to_end(&mut buf)?;
            let mut entry: AgentEntry =
                serde_json::from_slice(&buf).map_err(std::io::Error::other)?;
            // An aggregate target's entry, for an agent that target rendered.
            for (target, e) in later.remove(name).unwrap_or_default() {
                if !e.path.is_empty() {
                    entry.targets.insert(target, e);
                }
            }
            for a in aggregates {
                if a.agents.contains(name.as_str())
                    && let Some(e) = entry.targets.get_mut(&a.target)
                {
                    // A file of this agent alone is its entry's own.
                    e.content = if shared_paths.contains(&a.path) {
                        None
                    } else {
                        Some(a.text()?)
                    };
                }
            }
            for (target, e) in entry.targets.iter_mut() {
                pairs += 1;
                if !shared_paths.contains(&e.path) {
                    if let (Some(tree), Some(content)) = (tree.as_deref_mut(), &e.content) {
                        tree.add(&e.path, content)?;
                    }
                    continue;
                }
                let content = e.content.take();
                shared.add(e, target, name, content)?;
            }
            w.write_all(b"    ")?;
            serde_json::to_writer(&mut w, name).map_err(std::io::Error::other)?;
            w.write_all(b": ")?;
            let text = serde_json::to_string_pretty(&entry).map_err(std::io::Error::other)?;
            write_indented(&mut w, &text, "    ")?;
            w.write_all(if i + 1 < index.len() {
                b",\n"
            } else {
                b"\n  }"
            })?;
        }
        w.write_all(b",\n  \"shared\": ")?;
        shared.write(&mut w, aggregates)?;
        w.write_all(b"\n}\n")?;
        w.flush()
    };
    let to_diags = |d| Diagnostics(vec![d]);
    match format {
        Format::Json => {
            crate::support::fs::atomic_write_with(path, |w| manifest(w, None)).map_err(to_diags)?
        }
        Format::TarGz | Format::Zip => {
            let io = |e: std::io::Error| {
                super::file_error(path, format!("cannot spool the bundle: {e}"))
            };
            let mut tree = Tree::new().map_err(io)?;
            let mut text = tempfile::tempfile().map_err(io)?;
            manifest(&mut text, Some(&mut tree)).map_err(io)?;
            let len = text.metadata().map_err(io)?.len();
            let (own, files) = tree.finish(&shared).map_err(io)?;
            let slots = super::archive::layout(files.iter().map(|(p, _)| p.as_str()))
                .map_err(|e| super::file_error(path, e))?;
            let (own, text, shared) = (&own, &text, &shared);
            let mut open = |i: usize| {
                let (file, at, len) = match files.get(i) {
                    Some((_, From::Own(at, len))) => (own, *at, *len),
                    Some((_, From::Shared(p))) => shared.place(p, aggregates)?,
                    None => (text, 0, len),
                };
                reader(file, at, len)
            };
            crate::support::fs::atomic_write_file(path, |f| {
                let err = std::io::Error::other;
                if format == Format::Zip {
                    let w = std::io::BufWriter::with_capacity(1 << 16, f);
                    let mut w = super::archive::zip_to(w, &slots, &mut open, mtime).map_err(err)?;
                    w.flush()
                } else {
                    let w = std::io::BufWriter::with_capacity(1 << 16, f);
                    let mut w =
                        super::archive::tar_gz_to(w, &slots, &mut open, mtime).map_err(err)?;
                    w.flush()
                }
            })
            .map_err(to_diags)?
        }
    }
    Ok(Written {
        agents: index.into_iter().map(|(name, _, _)| name).collect(),
        targets: skeleton.targets,
        pairs,
        source_digest,
        diags: compiled.diags,
    })
}

/// The files of an archive's tree: each entry's own file copied to a
/// temporary file as the manifest is written; shared files stay where
/// [`Shared`] keeps them.
struct Tree {
    spool: std::io::BufWriter<std::fs::File>,
    spooled: u64,
    /// Path, offset and length of each file in `spool`.
    own: Vec<(String, u64, u64)>,
}

/// Where a file of the tree is.
enum From {
    /// Offset and length in the tree's spool.
    Own(u64, u64),
    /// A shared file, by path.
    Shared(String),
}

impl Tree {
    fn new() -> std::io::Result<Tree> {
        Ok(Tree {
            spool: std::io::BufWriter::new(tempfile::tempfile()?),
            spooled: 0,
            own: Vec::new(),
        })
    }

    fn add(&mut self, path: &str, content: &str) -> std::io::Result<()> {
        self.spool.write_all(content.as_bytes())?;
        let len = content.len() as u64;
        self.own.push((path.to_string(), self.spooled, len));
        self.spooled += len;
        Ok(())
    }

    /// The spool, and every file of the tree: the entries' own, then the shared.
    fn finish(self, shared: &Shared) -> std::io::Result<(std::fs::File, Vec<(String, From)>)> {
        let mut out: Vec<(String, From)> = self
            .own
            .into_iter()
            .map(|(p, at, len)| (p, From::Own(at, len)))
            .collect();
        out.extend(
            shared
                .files
                .keys()
                .map(|p| (p.clone(), From::Shared(p.clone()))),
        );
        let spool = self.spool.into_inner().map_err(|e| e.into_error())?;
        Ok((spool, out))
    }
}

/// The bundle's `shared` files while the manifest is written: each record
/// without its text, which waits in a temporary file (an entry's file) or in
/// the compile's (an aggregate file) and is written, a piece at a time, last.
#[derive(Default)]
struct Shared {
    /// By path: the record (its `content` empty) and where its text is in `spool`.
    files: BTreeMap<String, (SharedFile, Option<(u64, u64)>)>,
    spool: Option<std::fs::File>,
    spooled: u64,
}

impl Shared {
    /// Adds the entry `e` (of `agent` for `target`) to the shared file at its
    /// path: the first target by name writes it (two targets may write one path
    /// only with the same bytes), and its model family counts the tokens.
    fn add(
        &mut self,
        e: &TargetEntry,
        target: &str,
        agent: &str,
        content: Option<String>,
    ) -> std::io::Result<()> {
        let (f, text) = self.files.entry(e.path.clone()).or_insert_with(|| {
            let file = SharedFile {
                target: target.to_string(),
                agents: Vec::new(),
                content: String::new(),
                sha256: e.sha256.clone(),
                characters: e.characters,
                tokens: e.tokens,
            };
            (file, None)
        });
        if target < f.target.as_str() {
            f.target = target.to_string();
            f.tokens = e.tokens;
        }
        // Agents come in name order: a repeat is the last one.
        if f.agents.last().is_none_or(|a| a != agent) {
            f.agents.push(agent.to_string());
        }
        if text.is_none()
            && let Some(c) = content
        {
            if self.spool.is_none() {
                self.spool = Some(tempfile::tempfile()?);
            }
            if let Some(spool) = self.spool.as_mut() {
                spool.seek(SeekFrom::Start(self.spooled))?;
                spool.write_all(c.as_bytes())?;
            }
            *text = Some((self.spooled, c.len() as u64));
            self.spooled += c.len() as u64;
        }
        Ok(())
    }

    /// The file, offset and length of the text of the shared file at `path`.
    fn place<'a>(
        &'a self,
        path: &str,
        aggregates: &'a [Aggregated],
    ) -> std::io::Result<(&'a std::fs::File, u64, u64)> {
        let text = self.files.get(path).and_then(|(_, text)| *text);
        match (text, &self.spool) {
            (Some((at, len)), Some(spool)) => Ok((spool, at, len)),
            _ => {
                // No entry gave the text: an aggregate file's.
                let a = aggregates
                    .iter()
                    .find(|a| a.path == path)
                    .ok_or_else(|| std::io::Error::other("a shared file has no text"))?;
                Ok((&a.file, 0, a.len))
            }
        }
    }

    /// Writes the `shared` object as `serde_json`'s pretty printer would at
    /// that depth, each file's text streamed into its `content`.
    fn write(&self, w: &mut impl Write, aggregates: &[Aggregated]) -> std::io::Result<()> {
        if self.files.is_empty() {
            return w.write_all(b"{}");
        }
        w.write_all(b"{\n")?;
        for (i, (path, (file, _))) in self.files.iter().enumerate() {
            w.write_all(b"    ")?;
            serde_json::to_writer(&mut *w, path).map_err(std::io::Error::other)?;
            w.write_all(b": ")?;
            let record = serde_json::to_string_pretty(file).map_err(std::io::Error::other)?;
            // The record's `content` is empty: its text goes between the quotes.
            // (A JSON string holds no bare `"`, so the first match is the key.)
            let at = record
                .find("\"content\": \"\"")
                .map(|at| at + "\"content\": \"".len())
                .ok_or_else(|| std::io::Error::other("unexpected shared file record"))?;
            write_indented(w, &record[..at], "    ")?;
            let mut put = |text: &str| {
                // A piece's escaped form, without its quotes: JSON escapes
                // character by character, so the pieces of a text escape to
                // the pieces of the text's escaped form.
                let quoted = serde_json::to_string(text).map_err(std::io::Error::other)?;
                w.write_all(&quoted.as_bytes()[1..quoted.len() - 1])
            };
            let (text, from, len) = self.place(path, aggregates)?;
            pieces(text, from, len, &mut put)?;
            write_indented(w, &record[at..], "    ")?;
            w.write_all(if i + 1 < self.files.len() {
                b",\n"
            } else {
                b"\n  }"
            })?;
        }
        Ok(())
    }
}

/// Paths that more than one agent × target entry points at.
fn shared_paths(pointers: &HashMap<String, usize>, aggregates: &[Aggregated]) -> HashSet<String> {
    let mut count: HashMap<&str, usize> = pointers.iter().map(|(p, n)| (p.as_str(), *n)).collect();
    for a in aggregates {
        *count.entry(a.path.as_str()).or_default() += a.agents.len();
    }
    count
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(p, _)| p.to_string())
        .collect()
}

/// Writes `text` with every line after the first indented by `indent` (JSON
/// strings hold no raw line break, so this nests a pretty value one level
/// deeper exactly as the pretty printer would).
fn write_indented(w: &mut impl Write, text: &str, indent: &str) -> std::io::Result<()> {
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            w.write_all(b"\n")?;
            w.write_all(indent.as_bytes())?;
        }
        w.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// An aggregate file (one file for many agents), kept to the end in the
/// compile's temporary file (at 10,000 agents roo's is 73 MB), never in memory.
struct Aggregated {
    target: String,
    path: String,
    agents: BTreeSet<String>,
    file: std::fs::File,
    len: u64,
}

impl Aggregated {
    /// The whole file as text: only for a file of one agent (no larger than
    /// any other agent's file).
    fn text(&self) -> std::io::Result<String> {
        let mut text = String::new();
        pieces(&self.file, 0, self.len, |piece| {
            text.push_str(piece);
            Ok(())
        })?;
        Ok(text)
    }
}

/// `len` bytes of `file` from `at`, to read once (an archive's entry).
fn reader(
    mut file: &std::fs::File,
    at: u64,
    len: u64,
) -> std::io::Result<(u64, Box<dyn Read + '_>)> {
    file.seek(SeekFrom::Start(at))?;
    Ok((len, Box::new(file.take(len))))
}

/// Calls `each` with the UTF-8 text of `len` bytes of `file` from `at`, a
/// piece (of at most 64 KiB, cut between characters) at a time.
fn pieces(
    mut file: &std::fs::File,
    at: u64,
    len: u64,
    mut each: impl FnMut(&str) -> std::io::Result<()>,
) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(at))?;
    let mut reader = file.take(len);
    let mut buf = vec![0u8; 64 * 1024];
    // Bytes of a character cut at the end of the last read.
    let mut kept = 0;
    let mut seen = 0u64;
    loop {
        let n = reader.read(&mut buf[kept..])?;
        seen += n as u64;
        let end = kept + n;
        if n == 0 {
            if kept > 0 || seen != len {
                return Err(std::io::Error::other("a spooled file ends early"));
            }
            return Ok(());
        }
        let text = match std::str::from_utf8(&buf[..end]) {
            Ok(t) => t,
            Err(e) if e.error_len().is_none() => {
                // A character cut at the end: the text before it now, the rest later.
                std::str::from_utf8(&buf[..e.valid_up_to()]).map_err(std::io::Error::other)?
            }
            Err(e) => return Err(std::io::Error::other(e)),
        };
        let used = text.len();
        each(text)?;
        buf.copy_within(used..end, 0);
        kept = end - used;
    }
}

/// The figures of a file read in pieces: its hash, characters and, for an
/// estimating tokenizer, tokens (an exact count needs the whole text).
fn figures_of_file(
    tokenizer: crate::support::tokens::Tokenizer,
    file: &std::fs::File,
    len: u64,
) -> std::io::Result<Figures> {
    use crate::support::tokens::{self, Tokenizer};
    if tokenizer != Tokenizer::Estimate {
        let mut text = String::new();
        pieces(file, 0, len, |p| {
            text.push_str(p);
            Ok(())
        })?;
        return Ok(Figures::of(tokenizer, &text));
    }
    use sha2::Digest;
    let mut hash = sha2::Sha256::new();
    let mut characters = 0;
    pieces(file, 0, len, |p| {
        hash.update(p.as_bytes());
        characters += p.chars().count();
        Ok(())
    })?;
    Ok(Figures {
        sha256: super::archive::hex(&hash.finalize()),
        characters,
        tokens: tokens::estimate_of(characters),
    })
}

/// The compile's sink: each chunk's entries spooled as JSON.
struct Spooler<'a> {
    job: &'a Job<'a>,
    /// The selected targets, sorted by name.
    targets: Vec<&'a Target>,
    inputs: Inputs,
    /// The chunk's files, until its specs arrive.
    pending: Vec<Artifact>,
    /// The chunk's translation warnings, by agent and target.
    warnings: HashMap<(String, String), Vec<Warning>>,
    /// Hashes of the warnings taken so far: the compile drops a warning said
    /// twice (same code, message, file and span), and so does the bundle.
    seen: HashSet<u64>,
    spool: std::io::BufWriter<std::fs::File>,
    spooled: u64,
    /// Each agent's entry in the spool: name, offset, length.
    index: Vec<(String, u64, u64)>,
    /// How many entries of their own point at each path.
    pointers: HashMap<String, usize>,
    /// Entries of aggregate targets, completed at the end: agent → target → entry.
    later: HashMap<String, Vec<(String, TargetEntry)>>,
    aggregates: Vec<Aggregated>,
    failed: bool,
    error: Option<Diagnostics>,
}

impl Spooler<'_> {
    fn fail(&mut self, d: Diagnostics) {
        self.error.get_or_insert(d);
    }

    /// Builds and spools the entries of one chunk of agents.
    fn take_in(&mut self, chunk: &[Loaded]) -> Result<(), Diagnostics> {
        let artifacts = std::mem::take(&mut self.pending);
        let mut warnings = std::mem::take(&mut self.warnings);
        let by_pair: HashMap<(&str, &str), &Artifact> = artifacts
            .iter()
            .map(|a| ((a.agent.as_str(), a.target.as_str()), a))
            .collect();
        let job = self.job;
        let targets = &self.targets;
        // Figures and requests in parallel, in input order.
        let built: Vec<Result<Vec<(String, TargetEntry)>, Diagnostics>> = chunk
            .par_iter()
            .map(|l| {
                let mut out = Vec::new();
                for t in targets {
                    let Some(a) = by_pair.get(&(l.spec.name.as_str(), t.name.as_str())) else {
                        continue;
                    };
                    let f = Figures::of(t.tokenizer, &a.content);
                    out.push((
                        t.name.clone(),
                        TargetEntry {
                            path: slash_path(&a.path),
                            content: Some(a.content.clone()),
                            sha256: f.sha256,
                            characters: f.characters,
                            tokens: f.tokens,
                            warnings: Vec::new(),
                            requests: request::requests(job, l, t, &a.content)?,
                        },
                    ));
                }
                Ok(out)
            })
            .collect();
        drop(by_pair);
        drop(artifacts);
        for (l, entries) in chunk.iter().zip(built) {
            let name = &l.spec.name;
            let (path, sha256) = self.inputs.add_spec(&l.path, l.source.as_bytes());
            let mut entry = super::agent_entry(l, Source { path, sha256 });
            for (target, mut e) in entries? {
                e.warnings = warnings
                    .remove(&(name.clone(), target.clone()))
                    .unwrap_or_default();
                *self.pointers.entry(e.path.clone()).or_default() += 1;
                entry.targets.insert(target, e);
            }
            // What is left for this agent belongs to an aggregate target's
            // entry (or to a target that wrote nothing: no entry).
            for t in &self.targets {
                if t.aggregate.is_none() {
                    continue;
                }
                let w = warnings
                    .remove(&(name.clone(), t.name.clone()))
                    .unwrap_or_default();
                self.later.entry(name.clone()).or_default().push((
                    t.name.clone(),
                    TargetEntry {
                        path: String::new(),
                        content: None,
                        sha256: String::new(),
                        characters: 0,
                        tokens: crate::support::tokens::estimate(""),
                        warnings: w,
                        requests: BTreeMap::new(),
                    },
                ));
            }
            let text = serde_json::to_vec(&entry).map_err(|e| {
                Diagnostics(vec![Diagnostic::error(
                    Code::Bundle,
                    format!("cannot spool `{name}`: {e}"),
                )])
            })?;
            self.spool.write_all(&text).map_err(|e| {
                Diagnostics(vec![Diagnostic::error(
                    Code::Io,
                    format!("cannot spool the bundle: {e}"),
                )])
            })?;
            self.index
                .push((name.clone(), self.spooled, text.len() as u64));
            self.spooled += text.len() as u64;
        }
        Ok(())
    }
}

impl Sink for Spooler<'_> {
    fn warnings(&mut self, warnings: &[Diagnostic]) {
        for d in warnings.iter().filter(|d| !d.is_error()) {
            let Some((agent, target)) = &d.subject else {
                continue;
            };
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (d.code, &d.message, &d.path, &d.span).hash(&mut h);
            if !self.seen.insert(h.finish()) {
                continue;
            }
            self.warnings
                .entry((agent.clone(), target.clone()))
                .or_default()
                .push(Warning {
                    code: d.code.to_string(),
                    message: d.message.clone(),
                });
        }
    }

    fn chunk(
        &mut self,
        artifacts: Vec<Artifact>,
        _: &SpecTexts,
        _: &mut Diagnostics,
        failed: bool,
    ) {
        self.failed |= failed;
        self.pending = if self.failed || self.error.is_some() {
            Vec::new()
        } else {
            artifacts
        };
    }

    fn loaded(&mut self, chunk: Vec<Loaded>) {
        if self.failed || self.error.is_some() {
            self.pending.clear();
            self.warnings.clear();
            return;
        }
        if let Err(d) = self.take_in(&chunk) {
            self.fail(d);
        }
    }

    fn aggregate(&mut self, artifact: Artifact, file: &mut std::fs::File, diags: &mut Diagnostics) {
        let Some(target) = self.targets.iter().find(|t| t.name == artifact.target) else {
            return;
        };
        let kept = file.try_clone().and_then(|f| {
            let len = f.metadata()?.len();
            let figures = figures_of_file(target.tokenizer, &f, len)?;
            Ok((f, len, figures))
        });
        let (file, len, f) = match kept {
            Ok(k) => k,
            Err(e) => {
                diags.push(Diagnostic::error(
                    Code::Io,
                    format!("cannot read back `{}`: {e}", artifact.path.display()),
                ));
                return;
            }
        };
        let agents: BTreeSet<String> = artifact.agent.split(", ").map(str::to_string).collect();
        let path = slash_path(&artifact.path);
        for agent in &agents {
            if let Some(list) = self.later.get_mut(agent)
                && let Some((_, e)) = list.iter_mut().find(|(t, _)| *t == artifact.target)
            {
                e.path = path.clone();
                e.sha256 = f.sha256.clone();
                e.characters = f.characters;
                e.tokens = f.tokens;
            }
        }
        self.aggregates.push(Aggregated {
            target: artifact.target,
            path,
            agents,
            file,
            len,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn project(files: &[(&str, String)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        }
        dir
    }

    /// The streamed manifest of `dir`'s project, and the one `assemble` holds in
    /// memory, as text.
    fn both(dir: &Path, targets: Option<&[&str]>) -> (String, String, Written) {
        let ws = Workspace::open(dir).unwrap();
        let names: Vec<String> = match targets {
            Some(t) => t.iter().map(|t| t.to_string()).collect(),
            None => ws
                .registry
                .targets
                .values()
                .filter(|t| t.project_files.is_empty())
                .map(|t| t.name.clone())
                .collect(),
        };
        let selection = Selection {
            sources: vec![dir.join("agents")],
            targets: names,
            partial: false,
        };
        assert!(streams(&ws, &selection));
        let out = dir.join("out.json");
        let written = write(&ws, &selection, false, &out, Format::Json).unwrap();
        let streamed = std::fs::read_to_string(&out).unwrap();
        let held = super::super::to_json(
            &super::super::assemble(&ws, &selection, false)
                .unwrap()
                .bundle,
        );
        (streamed, held, written)
    }

    fn spec(name: &str, extra: &str) -> String {
        format!(
            "name = \"{name}\"\ndescription = \"Use it when {name} is needed.\"\nrole = \"You are {name}.\"\n{extra}"
        )
    }

    /// Warnings, a file too long for copilot, an agent some targets skip, and
    /// roo's one file shared by every agent.
    #[test]
    fn streamed_manifest_is_the_assembled_one_byte_for_byte() {
        let dir = project(&[
            ("agentc.toml", "[target.xml]\nstrict = true\n".into()),
            (
                "agents/a.toml",
                spec(
                    "a",
                    "color = \"red\"\ntools = [\"Read\", \"TaskList\"]\n[targets.llama]\nwrap = \"modelfile\"\n",
                ),
            ),
            (
                "agents/b.toml",
                format!(
                    "name = \"b\"\ndescription = \"Use it.\"\nmodel = \"opus\"\nrole = \"{}\"\n",
                    "word ".repeat(7_000)
                ),
            ),
            (
                "agents/c.toml",
                "name = \"c\"\nrole = \"You help.\"\n".into(),
            ),
        ]);
        let (streamed, held, written) = both(dir.path(), None);
        assert!(
            streamed.contains("\"shared\": {\n    \".roomodes\""),
            "{streamed}"
        );
        assert_eq!(streamed, held);
        assert_eq!(written.agents, ["a", "b", "c"]);
        let bundle: Bundle = serde_json::from_str(&streamed).unwrap();
        let pairs: usize = bundle.agents.values().map(|a| a.targets.len()).sum();
        assert_eq!(written.pairs, pairs);
    }

    /// More agents than one chunk, whose file names do not sort like their
    /// names: entries come out in name order all the same.
    #[test]
    fn agents_of_many_chunks_come_out_in_name_order() {
        let mut files = Vec::new();
        for i in 0..150 {
            // File n-000 holds the agent named last.
            files.push((
                format!("agents/n-{i:03}.toml"),
                spec(&format!("a{}", 999 - i), ""),
            ));
        }
        let files: Vec<(&str, String)> =
            files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
        let dir = project(&files);
        let (streamed, held, written) = both(dir.path(), Some(&["claude", "gpt", "roo"]));
        assert_eq!(streamed, held);
        assert_eq!(written.agents.len(), 150);
        assert!(written.agents.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(written.pairs, 450);
    }

    /// roo's shared file larger than one piece (64 KiB), its text full of what
    /// JSON escapes and of characters of two to four bytes, some cut by the
    /// piece boundary: streamed in pieces, it is the assembled manifest.
    #[test]
    fn a_shared_file_of_many_pieces_is_escaped_as_one() {
        let mut files = Vec::new();
        for i in 0..40 {
            let role = format!("{i} é\\\"\\t\\u0001 ✓ 𝄞 ").repeat(300 + i);
            files.push((
                format!("agents/a{i:02}.toml"),
                format!("name = \"a{i:02}\"\ndescription = \"Use it.\"\nrole = \"{role}\"\n"),
            ));
        }
        let files: Vec<(&str, String)> =
            files.iter().map(|(p, t)| (p.as_str(), t.clone())).collect();
        let dir = project(&files);
        let (streamed, held, _) = both(dir.path(), Some(&["roo", "gpt"]));
        let bundle: Bundle = serde_json::from_str(&streamed).unwrap();
        let roo = &bundle.shared[".roomodes"];
        assert!(roo.content.len() > 3 * 64 * 1024, "{}", roo.content.len());
        // Quotes and backslashes (the YAML's escapes), which JSON escapes again.
        assert!(roo.content.contains("✓ 𝄞") && roo.content.contains("\\\""));
        assert_eq!(streamed, held);
    }

    /// Archives written as the bundle is compiled are byte for byte those
    /// packed from the assembled bundle: own files, roo's shared file, a file
    /// two targets share, in `.tar.gz` and `.zip`.
    #[test]
    fn streamed_archives_are_the_assembled_ones_byte_for_byte() {
        let dir = project(&[
            ("agents/a.toml", spec("a", "tools = [\"Read\"]\n")),
            ("agents/b.toml", spec("b", "")),
            (
                "agents/c.toml",
                "name = \"c\"\nrole = \"You help.\"\n".into(),
            ),
            ("targets/twin.toml", "extends = \"claude\"\n".into()),
        ]);
        let ws = Workspace::open(dir.path()).unwrap();
        let selection = Selection {
            sources: vec![dir.path().join("agents")],
            targets: ["twin", "claude", "gpt", "roo", "codex"]
                .map(str::to_string)
                .to_vec(),
            partial: false,
        };
        assert!(streams(&ws, &selection));
        let bundle = super::super::assemble(&ws, &selection, false)
            .unwrap()
            .bundle;
        assert!(bundle.shared.contains_key(".roomodes"));
        assert!(bundle.shared.contains_key(".claude/agents/a.md"));
        for (format, name) in [(Format::TarGz, "b.tar.gz"), (Format::Zip, "b.zip")] {
            let out = dir.path().join(name);
            let written = write(&ws, &selection, false, &out, format).unwrap();
            assert_eq!(written.agents, ["a", "b", "c"]);
            let held = dir.path().join(format!("held-{name}"));
            super::super::archive::write(&held, format, &bundle).unwrap();
            let (streamed, held) = (std::fs::read(&out).unwrap(), std::fs::read(&held).unwrap());
            assert!(streamed == held, "{name} differs");
            crate::bundle::check::read(&streamed).unwrap();
        }
    }

    /// Pieces are cut between characters, whatever the byte at the boundary;
    /// a file that is not UTF-8, or shorter than said, is an error.
    #[test]
    fn pieces_are_cut_between_characters() {
        use std::io::Write as _;
        for pad in 0..4 {
            let text = format!("{}{}", "x".repeat(64 * 1024 - pad), "𝄞é".repeat(50_000));
            let mut file = tempfile::tempfile().unwrap();
            file.write_all(b"head").unwrap();
            file.write_all(text.as_bytes()).unwrap();
            let mut back = String::new();
            let mut count = 0;
            pieces(&file, 4, text.len() as u64, |p| {
                back.push_str(p);
                count += 1;
                Ok(())
            })
            .unwrap();
            assert_eq!(back, text, "pad {pad}");
            assert!(count > 2);
        }
        let mut file = tempfile::tempfile().unwrap();
        file.write_all(b"ok \xff\xfe").unwrap();
        assert!(pieces(&file, 0, 5, |_| Ok(())).is_err());
        assert!(pieces(&file, 0, 3, |_| Ok(())).is_ok());
        assert!(pieces(&file, 0, 9, |_| Ok(())).is_err());
        // A character cut by the end of the file.
        let mut file = tempfile::tempfile().unwrap();
        file.write_all("é".as_bytes()).unwrap();
        assert!(pieces(&file, 0, 1, |_| Ok(())).is_err());
    }

    /// A target with project files (claude-plugin's manifests) is not streamed.
    #[test]
    fn a_target_with_project_files_is_assembled() {
        let dir = project(&[("agents/solo.toml", spec("solo", ""))]);
        let ws = Workspace::open(dir.path()).unwrap();
        let selection = |targets: &[&str]| Selection {
            sources: vec![dir.path().join("agents")],
            targets: targets.iter().map(|t| t.to_string()).collect(),
            partial: false,
        };
        assert!(streams(&ws, &selection(&["claude", "gpt"])));
        assert!(!streams(&ws, &selection(&["claude", "claude-plugin"])));
    }

    /// One agent: roo's file is its own (no `shared`); a project target that
    /// writes claude's path with claude's bytes shares it; no agents at all.
    #[test]
    fn own_shared_and_empty() {
        let dir = project(&[("agents/solo.toml", spec("solo", ""))]);
        let (streamed, held, _) = both(dir.path(), None);
        assert!(streamed.contains("\"shared\": {}\n}\n"), "{streamed}");
        assert_eq!(streamed, held);

        let dir = project(&[
            ("agents/a.toml", spec("a", "")),
            ("agents/b.toml", spec("b", "")),
            ("targets/twin.toml", "extends = \"claude\"\n".into()),
        ]);
        let (streamed, held, _) = both(dir.path(), Some(&["twin", "claude", "gpt"]));
        assert!(streamed.contains("\"target\": \"claude\""), "{streamed}");
        assert_eq!(streamed, held);

        let dir = project(&[("agents/README.md", "no specs here".into())]);
        let (streamed, held, written) = both(dir.path(), Some(&["claude"]));
        assert!(
            streamed.contains("\"agents\": {},\n  \"shared\": {}\n}\n"),
            "{streamed}"
        );
        assert_eq!(streamed, held);
        assert_eq!(written.pairs, 0);
    }
}

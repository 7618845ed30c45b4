//! `agentc bundle` into `agentc-bundle.json` without holding the bundle in
//! memory: each chunk of agents the compile hands over becomes that chunk's
//! agent entries (hashes, tokens, requests, warnings) and is spooled, as
//! JSON, to an unnamed temporary file; the manifest is then written agent by
//! agent in name order, each entry read back from the spool. What stays in
//! memory is a few numbers and names per agent and the shared files (an
//! aggregate target's one file). The bytes are exactly those of
//! [`super::to_json`] over [`super::assemble`] (a test compares them).

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;

use rayon::prelude::*;

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

/// Compiles the selection and writes its bundle manifest to `path`
/// (atomically); errors of any stage come back as diagnostics.
pub fn write_json(
    ws: &Workspace,
    selection: &Selection,
    strict: bool,
    path: &Path,
) -> Result<Written, Diagnostics> {
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
    let mut shared: BTreeMap<String, SharedFile> = BTreeMap::new();
    let aggregates = &sink.aggregates;
    let mut later = std::mem::take(&mut sink.later);
    crate::support::fs::atomic_write_with(path, |w| {
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
                    e.content = (!shared_paths.contains(&a.path)).then(|| a.content.clone());
                }
            }
            for (target, e) in entry.targets.iter_mut() {
                pairs += 1;
                if !shared_paths.contains(&e.path) {
                    continue;
                }
                let content = e.content.take();
                share(&mut shared, e, target, name, content);
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
        for a in aggregates {
            if let Some(f) = shared.get_mut(&a.path)
                && f.content.is_empty()
            {
                f.content = a.content.clone();
            }
        }
        w.write_all(b",\n  \"shared\": ")?;
        let text = serde_json::to_string_pretty(&shared).map_err(std::io::Error::other)?;
        write_indented(&mut w, &text, "  ")?;
        w.write_all(b"\n}\n")?;
        w.flush()
    })
    .map_err(|d| Diagnostics(vec![d]))?;
    Ok(Written {
        agents: index.into_iter().map(|(name, _, _)| name).collect(),
        targets: skeleton.targets,
        pairs,
        source_digest,
        diags: compiled.diags,
    })
}

/// Adds the entry `e` (of `agent` for `target`) to the shared file at its
/// path: the first target by name writes it (two targets may write one path
/// only with the same bytes), and its model family counts the tokens.
fn share(
    shared: &mut BTreeMap<String, SharedFile>,
    e: &TargetEntry,
    target: &str,
    agent: &str,
    content: Option<String>,
) {
    let f = shared.entry(e.path.clone()).or_insert_with(|| SharedFile {
        target: target.to_string(),
        agents: Vec::new(),
        content: String::new(),
        sha256: e.sha256.clone(),
        characters: e.characters,
        tokens: e.tokens,
    });
    if target < f.target.as_str() {
        f.target = target.to_string();
        f.tokens = e.tokens;
    }
    // Agents come in name order: a repeat is the last one.
    if f.agents.last().is_none_or(|a| a != agent) {
        f.agents.push(agent.to_string());
    }
    if f.content.is_empty()
        && let Some(c) = content
    {
        f.content = c;
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

/// An aggregate file (one file for many agents), kept to the end.
struct Aggregated {
    target: String,
    path: String,
    agents: BTreeSet<String>,
    content: String,
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
        let mut content = String::new();
        if let Err(e) = file.read_to_string(&mut content) {
            diags.push(Diagnostic::error(
                Code::Io,
                format!("cannot read back `{}`: {e}", artifact.path.display()),
            ));
            return;
        }
        let Some(target) = self.targets.iter().find(|t| t.name == artifact.target) else {
            return;
        };
        let agents: BTreeSet<String> = artifact.agent.split(", ").map(str::to_string).collect();
        let path = slash_path(&artifact.path);
        let f = Figures::of(target.tokenizer, &content);
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
            content,
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
        let written = write_json(&ws, &selection, false, &out).unwrap();
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

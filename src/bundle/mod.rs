//! Prompt bundles: one reproducible artifact for CI and for apps that call model APIs.
//!
//! `assemble` compiles the project once in memory, in the native layout (a
//! file's content does not depend on the layout: templates never see it), so a
//! bundle's content is byte for byte what `build` writes and its `path` is where
//! `build --layout native` puts it. Per agent × target it adds the file's hash,
//! size and token count, the pair's translation warnings (the compile's own,
//! grouped by the agent and target they are about) and, for targets whose file
//! declares `[[request]]` shapes, the provider request. A file that several
//! entries point at (an aggregate target's one file, such as `roo`'s
//! `.roomodes`) is stored once, in `shared`. The manifest is JSON with sorted
//! keys where order is not the data's own; `archive` packs it with the native
//! tree into a reproducible `.tar.gz` or `.zip`; `check` compares a bundle with
//! the sources. Same inputs, same bytes: nothing in a bundle depends on absolute
//! paths, file times, listing order or the thread count.

pub mod archive;
pub mod check;

pub mod request;
mod skim;
pub mod stream;
pub mod sums;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use rayon::prelude::*;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::artifact::{Artifact, Layout};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::lint::Level;
use crate::load::Loaded;
use crate::lower;
use crate::pipeline::{self, Collect};
use crate::project::inputs::{Inputs, slash_path};
use crate::support::tokens::{self, Tokenizer, Tokens};
use crate::target::Target;
use crate::workspace::{Selection, Workspace};

/// The bundle format this agentc writes and reads.
pub const BUNDLE_VERSION: u32 = 3;

/// The manifest's default file name, and its name inside an archive.
pub const FILE_NAME: &str = "agentc-bundle.json";

/// An agentc prompt bundle (`agentc-bundle.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "agentc prompt bundle")]
pub struct Bundle {
    /// The format version; readers reject any other.
    #[schemars(range(min = 3, max = 3))]
    pub bundle_version: u32,
    /// The agentc that wrote the bundle.
    pub agentc_version: String,
    /// Hex sha256 over every input (specs, `agentc.toml`, the project's `targets/`
    /// and `templates/` files): per file, sorted by path relative to the project
    /// root, the path, a NUL byte, the length as 8 big-endian bytes, the bytes.
    #[schemars(regex(pattern = r"^[0-9a-f]{64}$"))]
    pub source_digest: String,
    /// The targets rendered, sorted.
    pub targets: Vec<String>,
    /// One entry per agent, keyed (and sorted) by name.
    pub agents: BTreeMap<String, AgentEntry>,
    /// Files that more than one agent × target entry points at (the one file of
    /// an aggregate target, such as `roo`'s `.roomodes`), each stored once, keyed
    /// (and sorted) by its native `path`. An entry without `content` finds its
    /// file here, under its `path`.
    pub shared: BTreeMap<String, SharedFile>,
}

/// One agent: what its spec says and what each target made of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentEntry {
    pub name: String,
    pub description: String,
    pub source: Source,
    /// The model as the spec writes it (`inherit` when absent).
    pub model: String,
    /// Canonical tool names; `null`: all tools (inherit).
    pub tools: Option<Vec<String>>,
    /// One entry per target that renders this agent, keyed by target name
    /// (targets that skip it are absent).
    pub targets: BTreeMap<String, TargetEntry>,
}

/// The spec file an agent came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// Relative to the project root, `/`-separated.
    pub path: String,
    #[schemars(regex(pattern = r"^[0-9a-f]{64}$"))]
    pub sha256: String,
}

/// One agent rendered for one target.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TargetEntry {
    /// Where `build --layout native` writes the file, relative to the output
    /// root, `/`-separated; the file's key in `shared` when it is shared.
    pub path: String,
    /// The file exactly as `build` writes it, when the file is this entry's
    /// alone; absent when it is in `shared` (under `path`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(with = "String")]
    pub content: Option<String>,
    /// Hex sha256 of the file.
    #[schemars(regex(pattern = r"^[0-9a-f]{64}$"))]
    pub sha256: String,
    /// Unicode scalar values in the file.
    pub characters: usize,
    /// The file's tokens, counted for this target's model family.
    pub tokens: Tokens,
    /// What the target could not express.
    pub warnings: Vec<Warning>,
    /// The prompt placed where each provider API takes it, keyed (and sorted) by
    /// API (`openai.chat`, `openai.responses`, `anthropic.messages`,
    /// `gemini.generate_content`, `ollama.chat`); an app sends one as it is,
    /// adding only the user's message where `user` says and what `needs` lists.
    /// Absent for file-based targets.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub requests: BTreeMap<String, Request>,
}

/// One provider API request with the prompt in place.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Request {
    /// The request body, as the API's JSON takes it.
    pub body: serde_json::Map<String, serde_json::Value>,
    /// Where the user's message goes.
    pub user: UserMessage,
    /// What the app adds before sending: body keys (`model`, `max_tokens`), or
    /// for Gemini the model of the URL.
    pub needs: Vec<String>,
}

/// Where the user's message goes in a request's `body`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UserMessage {
    /// A JSON Pointer (RFC 6901) into `body`.
    pub at: String,
    /// `append`: append `value` to the array at `at`; `set`: set the key at `at`
    /// to `value`; `replace`: replace `placeholder` (which occurs there exactly
    /// once) in the string at `at` by the user's text.
    pub action: crate::target::UserAction,
    /// For `append` and `set`: the value to put there, in whose strings
    /// `placeholder` stands for the user's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<serde_json::Value>,
    /// The text that stands for the user's message; it does not occur in the prompt.
    pub placeholder: String,
}

impl UserMessage {
    /// Whether the user's message can go where this says in `body`.
    pub fn check(&self, body: &serde_json::Value) -> Result<(), String> {
        use crate::target::UserAction;
        let (parent, key) = self
            .at
            .rsplit_once('/')
            .filter(|_| self.at.starts_with('/'))
            .ok_or("not a JSON Pointer (it must start with `/`)")?;
        match (self.action, &self.value) {
            (UserAction::Replace, Some(_)) => return Err("`replace` takes no `value`".into()),
            (UserAction::Append | UserAction::Set, None) => {
                return Err("`append` and `set` need a `value`".into());
            }
            _ => {}
        }
        match self.action {
            UserAction::Append => match body.pointer(&self.at) {
                Some(serde_json::Value::Array(_)) => Ok(()),
                _ => Err("there is no array there".into()),
            },
            UserAction::Set => match body.pointer(parent) {
                Some(serde_json::Value::Object(_)) if !key.is_empty() => Ok(()),
                _ => Err("its parent is not an object".into()),
            },
            UserAction::Replace => match body.pointer(&self.at) {
                Some(serde_json::Value::String(s))
                    if s.matches(self.placeholder.as_str()).count() == 1 =>
                {
                    Ok(())
                }
                _ => Err(format!(
                    "there is no string holding `{}` exactly once",
                    self.placeholder
                )),
            },
        }
    }
}

#[cfg(test)]
impl UserMessage {
    /// `body` with the user's `text` in place (what an app does before sending).
    pub fn apply(
        &self,
        mut body: serde_json::Value,
        text: &str,
    ) -> Result<serde_json::Value, String> {
        use crate::target::UserAction;
        self.check(&body)?;
        let value = self.value.clone().map(|v| self.fill(v, text));
        let (parent, key) = self.at.rsplit_once('/').unwrap_or_default();
        match (self.action, value) {
            (UserAction::Append, Some(v)) => {
                if let Some(serde_json::Value::Array(a)) = body.pointer_mut(&self.at) {
                    a.push(v);
                }
            }
            (UserAction::Set, Some(v)) => {
                let key = key.replace("~1", "/").replace("~0", "~");
                if let Some(serde_json::Value::Object(o)) = body.pointer_mut(parent) {
                    o.insert(key, v);
                }
            }
            _ => {
                if let Some(serde_json::Value::String(s)) = body.pointer_mut(&self.at) {
                    *s = s.replacen(self.placeholder.as_str(), text, 1);
                }
            }
        }
        Ok(body)
    }

    fn fill(&self, value: serde_json::Value, text: &str) -> serde_json::Value {
        use serde_json::Value as J;
        match value {
            J::String(s) => J::String(s.replace(self.placeholder.as_str(), text)),
            J::Array(a) => J::Array(a.into_iter().map(|v| self.fill(v, text)).collect()),
            J::Object(o) => J::Object(
                o.into_iter()
                    .map(|(k, v)| (k, self.fill(v, text)))
                    .collect(),
            ),
            other => other,
        }
    }
}

/// A file written for more than one agent × target, stored once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SharedFile {
    /// The target that writes it (when two targets write the same bytes to one
    /// path, the first by name); its model family counts `tokens`.
    pub target: String,
    /// Every agent with an entry that points at the file, sorted.
    pub agents: Vec<String>,
    /// The file exactly as `build` writes it.
    pub content: String,
    /// Hex sha256 of `content`.
    #[schemars(regex(pattern = r"^[0-9a-f]{64}$"))]
    pub sha256: String,
    /// Unicode scalar values in `content`.
    pub characters: usize,
    pub tokens: Tokens,
}

/// A translation warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    pub code: String,
    pub message: String,
}

impl Bundle {
    /// The file of one agent × target entry: its own `content`, else the shared
    /// file at its `path`; `None` only for a malformed bundle.
    pub fn content<'a>(&'a self, entry: &'a TargetEntry) -> Option<&'a str> {
        match &entry.content {
            Some(c) => Some(c),
            None => self.shared.get(&entry.path).map(|f| f.content.as_str()),
        }
    }

    /// The native tree the bundle describes: every file once, by path (sorted).
    pub fn files(&self) -> BTreeMap<&str, &str> {
        // Every shared file, a target's project files among them, then each entry's own.
        let mut out: BTreeMap<&str, &str> = self
            .shared
            .iter()
            .map(|(path, f)| (path.as_str(), f.content.as_str()))
            .collect();
        for agent in self.agents.values() {
            for entry in agent.targets.values() {
                if let Some(content) = self.content(entry) {
                    out.insert(entry.path.as_str(), content);
                }
            }
        }
        out
    }
}

/// A bundle assembled from the sources.
#[derive(Debug)]
pub struct Assembled {
    pub bundle: Bundle,
    /// Warnings of the whole compile, for the command to print.
    pub diags: Diagnostics,
}

/// The JSON Schema of a bundle, as printed by `agentc schema --bundle`.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Bundle)).unwrap_or_default()
}

/// The manifest's bytes: pretty JSON, LF, one final newline.
pub fn to_json(bundle: &Bundle) -> String {
    let mut text = serde_json::to_string_pretty(bundle).unwrap_or_default();
    text.push('\n');
    text
}

pub use crate::project::inputs::sha256_hex;

/// A file's figures: hash, characters and tokens by one target's tokenizer.
#[derive(Debug, Clone)]
struct Figures {
    sha256: String,
    characters: usize,
    tokens: Tokens,
}

impl Figures {
    fn of(tokenizer: Tokenizer, content: &str) -> Figures {
        Figures {
            sha256: sha256_hex(content.as_bytes()),
            characters: content.chars().count(),
            tokens: tokens::count(tokenizer, content),
        }
    }
}

/// One agent × target that a target wrote a file for.
struct Pair<'a> {
    loaded: &'a Loaded,
    target: &'a Target,
    /// Index into the compile's artifacts.
    artifact: usize,
}

/// Compiles `selection` of the workspace for the bundle: errors of any stage
/// come back as diagnostics.
pub fn assemble(
    ws: &Workspace,
    selection: &Selection,
    strict: bool,
) -> Result<Assembled, Diagnostics> {
    let job = ws.job(selection, Layout::Native, strict, Some(Level::Deny));
    let mut all = Collect {
        keep: true,
        ..Collect::default()
    };
    let compiled = pipeline::compile(&job, &mut all);
    let (mut compiled, _, loaded) = all.into(compiled);
    if compiled.failed() {
        return Err(compiled.diags);
    }
    let registry = &ws.registry;
    let targets: Vec<&Target> = compiled
        .targets
        .iter()
        .filter_map(|t| registry.get(t).map(|t| &**t))
        .collect();
    let artifacts = &compiled.artifacts;
    let paths: Vec<String> = artifacts.iter().map(|a| slash_path(&a.path)).collect();
    let by_pair = index(artifacts);
    let mut pairs = Vec::new();
    for l in &loaded {
        for &target in &targets {
            if let Some(&artifact) = by_pair.get(&(l.spec.name.as_str(), target.name.as_str())) {
                pairs.push(Pair {
                    loaded: l,
                    target,
                    artifact,
                });
            }
        }
    }
    // Who points at each path: a path with more than one entry is shared.
    let mut pointers: BTreeMap<&str, Vec<&Pair>> = BTreeMap::new();
    for p in &pairs {
        pointers.entry(&paths[p.artifact]).or_default().push(p);
    }
    // Hash, size and tokens once per file, and the requests, in parallel;
    // both come back in input order, so the result is the same on any thread count.
    let figures: Vec<Figures> = artifacts
        .par_iter()
        .map(|a| {
            let tokenizer = registry.get(&a.target).map(|t| t.tokenizer);
            Figures::of(tokenizer.unwrap_or_default(), &a.content)
        })
        .collect();
    let requests: Vec<_> = pairs
        .par_iter()
        .map(|p| request::requests(&job, p.loaded, p.target, &artifacts[p.artifact].content))
        .collect();
    drop(by_pair);
    // A target's project files (a plugin's manifest) belong to no one agent: they
    // are shared files of every agent the target wrote.
    let project: Vec<(usize, String)> = artifacts
        .iter()
        .enumerate()
        .filter(|(_, a)| a.is_project_file())
        .map(|(i, a)| (i, a.target.clone()))
        .collect();
    // From here on each file's text is moved into the bundle, not copied.
    let mut contents: Vec<Option<String>> = std::mem::take(&mut compiled.artifacts)
        .into_iter()
        .map(|a| Some(a.content))
        .collect();
    let mut warnings = warnings(&compiled.diags);
    let mut inputs = Inputs::new(&ws.project, &ws.cwd);
    let mut agents: BTreeMap<String, AgentEntry> = BTreeMap::new();
    for l in &loaded {
        let (path, sha256) = inputs.add_spec(&l.path, l.source.as_bytes());
        let source = Source { path, sha256 };
        agents.insert(l.spec.name.clone(), agent_entry(l, source));
    }
    for (p, request) in pairs.iter().zip(requests) {
        let path = &paths[p.artifact];
        let own = pointers
            .get(path.as_str())
            .is_none_or(|list| list.len() < 2);
        let f = &figures[p.artifact];
        let key = (p.loaded.spec.name.as_str(), p.target.name.as_str());
        let entry = TargetEntry {
            path: path.clone(),
            // The one entry that points at its file takes its text.
            content: if own {
                contents[p.artifact].take()
            } else {
                None
            },
            sha256: f.sha256.clone(),
            characters: f.characters,
            tokens: f.tokens,
            warnings: warnings.remove(&key).unwrap_or_default(),
            requests: request?,
        };
        if let Some(agent) = agents.get_mut(key.0) {
            agent.targets.insert(key.1.to_string(), entry);
        }
    }
    let mut shared = BTreeMap::new();
    for (path, list) in pointers.iter().filter(|(_, list)| list.len() > 1) {
        // The first target by name writes it (two targets may write one path only
        // with the same bytes).
        let Some(first) = list.iter().min_by(|a, b| a.target.name.cmp(&b.target.name)) else {
            continue;
        };
        let agents: BTreeSet<&str> = list.iter().map(|p| p.loaded.spec.name.as_str()).collect();
        let f = &figures[first.artifact];
        shared.insert(
            path.to_string(),
            SharedFile {
                target: first.target.name.clone(),
                agents: agents.into_iter().map(str::to_string).collect(),
                content: contents[first.artifact].take().unwrap_or_default(),
                sha256: f.sha256.clone(),
                characters: f.characters,
                tokens: f.tokens,
            },
        );
    }
    for (i, target) in project {
        let agents: BTreeSet<&str> = pairs
            .iter()
            .filter(|p| p.target.name == target)
            .map(|p| p.loaded.spec.name.as_str())
            .collect();
        let f = &figures[i];
        shared.insert(
            paths[i].clone(),
            SharedFile {
                target,
                agents: agents.into_iter().map(str::to_string).collect(),
                content: contents[i].take().unwrap_or_default(),
                sha256: f.sha256.clone(),
                characters: f.characters,
                tokens: f.tokens,
            },
        );
    }
    let bundle = Bundle {
        bundle_version: BUNDLE_VERSION,
        agentc_version: env!("CARGO_PKG_VERSION").to_string(),
        source_digest: inputs.digest().ok_or_else(|| {
            Diagnostics(vec![Diagnostic::error(
                Code::Io,
                "cannot read back the spooled spec files",
            )])
        })?,
        targets: {
            let mut t = compiled.targets.clone();
            t.sort();
            t
        },
        agents,
        shared,
    };
    Ok(Assembled {
        bundle,
        diags: compiled.diags,
    })
}

/// The artifact (by index) of each agent × target; a target that writes one file
/// for many agents names them all in `agent`, comma-separated.
fn index(artifacts: &[Artifact]) -> HashMap<(&str, &str), usize> {
    let mut out = HashMap::new();
    for (i, a) in artifacts.iter().enumerate() {
        for agent in a.agent.split(", ") {
            out.entry((agent, a.target.as_str())).or_insert(i);
        }
    }
    out
}

/// The translation warnings of each agent × target, in the compile's order:
/// every warning a render gives is `about` the agent and target it concerns.
fn warnings(diags: &Diagnostics) -> HashMap<(&str, &str), Vec<Warning>> {
    let mut out: HashMap<(&str, &str), Vec<Warning>> = HashMap::new();
    for d in diags.iter().filter(|d| !d.is_error()) {
        if let Some((agent, target)) = &d.subject {
            out.entry((agent.as_str(), target.as_str()))
                .or_default()
                .push(Warning {
                    code: d.code.to_string(),
                    message: d.message.clone(),
                });
        }
    }
    out
}

fn agent_entry(l: &Loaded, source: Source) -> AgentEntry {
    AgentEntry {
        name: l.spec.name.clone(),
        description: lower::lower(&l.spec).description,
        source,
        model: l
            .spec
            .model
            .clone()
            .unwrap_or_else(|| "inherit".to_string()),
        tools: l.spec.tools.clone(),
        targets: BTreeMap::new(),
    }
}

/// An error about the bundle file itself.
pub fn file_error(path: &Path, message: impl Into<String>) -> Diagnostics {
    Diagnostics(vec![Diagnostic::error(Code::Bundle, message).at(path)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn index_matches_one_agent_or_a_file_shared_by_many() {
        let art = |agent: &str, target: &str| {
            Artifact::new(agent.into(), target.into(), target.into(), String::new())
        };
        let all = [art("a", "gpt"), art("ab", "claude"), art("a, b, c", "roo")];
        let index = index(&all);
        for (key, want) in [
            (("a", "gpt"), Some(0)),
            (("ab", "claude"), Some(1)),
            (("a", "claude"), None),
            (("b", "roo"), Some(2)),
            (("c", "roo"), Some(2)),
            (("d", "roo"), None),
            (("a, b", "roo"), None),
        ] {
            assert_eq!(index.get(&key).copied(), want, "{key:?}");
        }
        assert_eq!(index.len(), 5);
    }

    /// Each entry's warnings, taken from the one compile by the agent and target
    /// they are about, are exactly what compiling that one pair alone gives.
    #[test]
    fn warnings_of_a_pair_are_those_of_compiling_it_alone() {
        let dir = tempfile::tempdir().unwrap();
        let file = |path: &str, text: &str| {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().unwrap()).unwrap();
            std::fs::write(full, text).unwrap();
        };
        file("agentc.toml", "[target.xml]\nstrict = true\n");
        // A control character XML cannot hold, `"""` a Modelfile cannot, tools and
        // a colour some targets drop.
        file(
            "agents/a.toml",
            "name = \"a\"\ndescription = \"Use it.\"\ncolor = \"red\"\n\
             tools = [\"Read\", \"TaskList\"]\nrole = \"You say \\u0001 and \\\"\\\"\\\" here.\"\n\
             [targets.llama]\nwrap = \"modelfile\"\n",
        );
        // Longer than Copilot takes.
        file(
            "agents/b.toml",
            &format!(
                "name = \"b\"\ndescription = \"Use it.\"\nmodel = \"opus\"\nrole = \"{}\"\n",
                "word ".repeat(7_000)
            ),
        );
        // No description: some targets skip it, with a warning.
        file("agents/c.toml", "name = \"c\"\nrole = \"You help.\"\n");
        let ws = Workspace::open(dir.path()).unwrap();
        let registry = &ws.registry;
        let selection = Selection {
            sources: vec![dir.path().join("agents")],
            targets: registry.names().map(str::to_string).collect(),
            partial: false,
        };
        let assembled = assemble(&ws, &selection, false).unwrap();
        let mut diags = Diagnostics::default();
        let loaded = crate::load::load(
            &crate::load::discover(&selection.sources, &mut diags),
            &mut diags,
        );
        let mut seen = Vec::new();
        for l in &loaded {
            let entry = &assembled.bundle.agents[&l.spec.name];
            for name in &assembled.bundle.targets {
                let mut job = ws.job(&selection, Layout::Dist, false, None);
                job.specs = pipeline::Specs::Loaded(vec![l.clone()]);
                job.targets = vec![name.clone()];
                let one = pipeline::compile_all(&job);
                let alone: Vec<Warning> = one
                    .diags
                    .iter()
                    .map(|d| Warning {
                        code: d.code.to_string(),
                        message: d.message.clone(),
                    })
                    .collect();
                match entry.targets.get(name) {
                    Some(e) => assert_eq!(e.warnings, alone, "{} × {name}", l.spec.name),
                    None => assert!(one.artifacts.is_empty(), "{} × {name}", l.spec.name),
                }
                seen.extend(alone.into_iter().map(|w| w.message));
            }
        }
        for want in [
            "XML 1.0 cannot hold U+0001",
            "an Ollama Modelfile cannot hold",
            "the target takes at most 30000",
            "cannot restrict tools one by one",
            "not written:",
            "dropped color",
        ] {
            assert!(
                seen.iter().any(|m| m.contains(want)),
                "the fixture gives no `{want}` warning: {seen:#?}"
            );
        }
    }

    /// `bundle.schema.json` must be what `agentc schema --bundle` prints;
    /// regenerate it with `agentc schema --bundle > bundle.schema.json`.
    #[test]
    fn committed_bundle_schema_is_current() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("bundle.schema.json");
        let committed = std::fs::read_to_string(path).expect("bundle.schema.json is committed");
        let current = format!(
            "{}\n",
            serde_json::to_string_pretty(&super::json_schema()).unwrap()
        );
        assert!(
            committed == current,
            "bundle.schema.json is stale: run `agentc schema --bundle > bundle.schema.json`"
        );
    }
}

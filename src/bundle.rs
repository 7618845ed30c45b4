//! Prompt bundles: one reproducible artifact for CI and for apps that call model APIs.
//!
//! `assemble` compiles the project in memory with `pipeline::compile` (the dist
//! layout for each file's content, the native one for its path), so a bundle's
//! `content` is byte for byte what `build` writes, and adds per agent × target
//! the hashes, sizes, token counts, translation warnings and, for targets whose
//! file declares `[[request]]` shapes, the provider request. The manifest is
//! JSON with sorted keys where order is not the data's own; `archive` packs it
//! with the native tree into a reproducible `.tar.gz` or `.zip`; `check`
//! compares a bundle with the sources. Same inputs, same bytes: nothing in a
//! bundle depends on absolute paths, file times or listing order.

pub mod archive;
pub mod check;
pub mod command;
pub mod digest;
pub mod request;

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::Project;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::load::Loaded;
use crate::pipeline::{self, Compiled, Job};
use crate::render::{Artifact, Layout, Renderer};
use crate::target::{Registry, Target};
use crate::tokens::{self, Tokens};
use crate::{load, lower};

/// The bundle format this agentc writes and reads.
pub const BUNDLE_VERSION: u32 = 1;

/// The manifest's default file name, and its name inside an archive.
pub const FILE_NAME: &str = "agentc-bundle.json";

/// An agentc prompt bundle (`agentc-bundle.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "agentc prompt bundle")]
pub struct Bundle {
    /// The format version; readers reject any other.
    #[schemars(range(min = 1, max = 1))]
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
    /// Where `build --layout native` writes it, relative to the output root.
    pub path: String,
    /// The file exactly as `build` writes it.
    pub content: String,
    #[schemars(regex(pattern = r"^[0-9a-f]{64}$"))]
    pub sha256: String,
    /// Unicode scalar values in `content`.
    pub characters: usize,
    pub tokens: Tokens,
    /// What the target could not express.
    pub warnings: Vec<Warning>,
    /// The prompt placed where the provider's API takes it; an app sends it
    /// as it is, adding only its user message. Absent for file-based targets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<serde_json::Map<String, serde_json::Value>>,
}

/// A translation warning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Warning {
    pub code: String,
    pub message: String,
}

/// A bundle and the native tree it describes (`path` → content, sorted).
#[derive(Debug)]
pub struct Assembled {
    pub bundle: Bundle,
    pub files: BTreeMap<String, String>,
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

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Compiles `job` for the bundle: errors of any stage come back as diagnostics.
pub fn assemble(
    project: &Project,
    registry: &Registry,
    cwd: &Path,
    job: &Job,
) -> Result<Assembled, Diagnostics> {
    let renderer = renderer(project, &BTreeMap::new());
    let dist = compile(job, Layout::Dist, registry, &renderer)?;
    let native = compile(job, Layout::Native, registry, &renderer)?;
    let mut diags = Diagnostics::default();
    let loaded = load::load(&load::discover(&job.sources, &mut diags), &mut diags);
    if diags.has_errors() {
        return Err(diags);
    }
    let targets: Vec<&Target> = dist
        .targets
        .iter()
        .filter_map(|t| registry.get(t).map(|t| &**t))
        .collect();
    let mut inputs = digest::Inputs::new(project, cwd);
    let mut agents = BTreeMap::new();
    let mut files = BTreeMap::new();
    for l in &loaded {
        let source = inputs.add_spec(&l.path, l.source.as_bytes());
        let mut entry = agent_entry(l, source);
        for target in &targets {
            let key = (l.spec.name.as_str(), target.name.as_str());
            let (Some(content), Some(path)) =
                (find(&dist.artifacts, key), find(&native.artifacts, key))
            else {
                continue;
            };
            let path = digest::slash_path(&path.path);
            files.insert(path.clone(), content.content.clone());
            let t = target_entry(project, &renderer, l, target, path, &content.content)?;
            entry.targets.insert(target.name.clone(), t);
        }
        agents.insert(l.spec.name.clone(), entry);
    }
    let bundle = Bundle {
        bundle_version: BUNDLE_VERSION,
        agentc_version: env!("CARGO_PKG_VERSION").to_string(),
        source_digest: inputs.digest(),
        targets: {
            let mut t = dist.targets.clone();
            t.sort();
            t
        },
        agents,
    };
    Ok(Assembled {
        bundle,
        files,
        diags: dist.diags,
    })
}

fn compile(
    job: &Job,
    layout: Layout,
    registry: &Registry,
    renderer: &Renderer,
) -> Result<Compiled, Diagnostics> {
    let job = Job {
        layout,
        ..job.clone()
    };
    let c = pipeline::compile(&job, registry, renderer);
    if c.failed() { Err(c.diags) } else { Ok(c) }
}

/// A renderer for the project, with `forced` options set for some targets.
fn renderer(project: &Project, forced: &BTreeMap<String, crate::spec::Table>) -> Renderer {
    let templates = Some(project.root.join("templates")).filter(|p| p.is_dir());
    let mut options = project.config.target.clone();
    for (target, table) in forced {
        options
            .entry(target.clone())
            .or_default()
            .extend(table.clone());
    }
    Renderer::new(templates, options)
}

/// The artifact of one agent × target; a target that writes one file for many
/// agents names them all in `agent`, comma-separated.
fn find<'a>(artifacts: &'a [Artifact], (agent, target): (&str, &str)) -> Option<&'a Artifact> {
    artifacts
        .iter()
        .find(|a| a.target == target && a.agent.split(", ").any(|n| n == agent))
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

fn target_entry(
    project: &Project,
    renderer: &Renderer,
    l: &Loaded,
    target: &Target,
    path: String,
    content: &str,
) -> Result<TargetEntry, Diagnostics> {
    // The warnings of this one pair: the same compile, narrowed to it.
    let mut one = Compiled::default();
    pipeline::compile_loaded(
        std::slice::from_ref(l),
        &[target],
        Layout::Dist,
        renderer,
        &mut one,
    );
    let warnings = one
        .diags
        .iter()
        .map(|d| Warning {
            code: d.code.to_string(),
            message: d.message.clone(),
        })
        .collect();
    Ok(TargetEntry {
        path,
        content: content.to_string(),
        sha256: sha256_hex(content.as_bytes()),
        characters: content.chars().count(),
        tokens: tokens::count(target.family.as_deref(), content),
        warnings,
        request: request::request(project, l, target, content)?,
    })
}

/// An error about the bundle file itself.
pub fn file_error(path: &Path, message: impl Into<String>) -> Diagnostics {
    Diagnostics(vec![Diagnostic::error("bundle", message).at(path)])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_matches_one_agent_or_a_file_shared_by_many() {
        let art = |agent: &str, target: &str| Artifact {
            agent: agent.into(),
            target: target.into(),
            path: target.into(),
            content: String::new(),
        };
        let all = [art("a", "gpt"), art("ab", "claude"), art("a, b, c", "roo")];
        for (key, want) in [
            (("a", "gpt"), Some(0)),
            (("ab", "claude"), Some(1)),
            (("a", "claude"), None),
            (("b", "roo"), Some(2)),
            (("c", "roo"), Some(2)),
            (("d", "roo"), None),
        ] {
            assert_eq!(
                find(&all, key).map(|f| all.iter().position(|a| a == f).unwrap()),
                want,
                "{key:?}"
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

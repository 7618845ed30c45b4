//! Targets as data: `targets/<name>.toml` files, the built-ins embedded in the
//! binary and a project's own read from its `targets/` folder.
//!
//! A project file named like a built-in is merged over it (tables merged key by
//! key, other values replaced), so a project can add one tool mapping without
//! copying the rest; a new target can start from a built-in with `extends`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::spec::Table;

/// Built-in target files, embedded at compile time.
pub const BUILTIN_TARGETS: &[(&str, &str)] = &[
    ("claude", include_str!("../targets/claude.toml")),
    ("xml", include_str!("../targets/xml.toml")),
    ("gpt", include_str!("../targets/gpt.toml")),
    ("gemini", include_str!("../targets/gemini.toml")),
    ("llama", include_str!("../targets/llama.toml")),
    ("deepseek", include_str!("../targets/deepseek.toml")),
    ("opencode", include_str!("../targets/opencode.toml")),
    ("copilot", include_str!("../targets/copilot.toml")),
    ("gemini-cli", include_str!("../targets/gemini-cli.toml")),
    ("qwen", include_str!("../targets/qwen.toml")),
    ("codex", include_str!("../targets/codex.toml")),
    ("cursor", include_str!("../targets/cursor.toml")),
    ("kiro", include_str!("../targets/kiro.toml")),
    ("roo", include_str!("../targets/roo.toml")),
];

/// One target: where its files go, how they look and what it can express.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    pub name: String,
    pub description: String,
    /// The tool or model documentation version this target was checked against.
    pub checked_against: String,
    /// Start from this built-in target (project targets only).
    #[serde(default)]
    pub extends: Option<String>,
    /// The model family (`model_compatibility` entries name families).
    #[serde(default)]
    pub family: Option<String>,
    /// The body template, a file name in `templates/`.
    pub template: String,
    /// Output path under `dist/<target>/` (a template over `name` and `options`).
    pub path: String,
    /// Output path for `--layout native`, relative to the output root.
    pub native_path: String,
    #[serde(default)]
    pub document: Document,
    /// Ordered frontmatter (or document) fields, each a minijinja expression.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// Whether `[extra]` keys and free `[targets.<name>]` keys are re-emitted.
    #[serde(default)]
    pub extras: bool,
    /// Whether `build` renders this target when neither `-t` nor `agentc.toml`
    /// names targets. Every built-in is on; a project target file may turn one off.
    #[serde(default = "yes")]
    pub default: bool,
    /// Whether this target carries metadata at all; plain prompts do not, and
    /// report nothing for the metadata they leave out.
    #[serde(default = "yes")]
    pub metadata: bool,
    #[serde(default)]
    pub tools: Option<ToolMap>,
    #[serde(default)]
    pub models: Option<ModelMap>,
    /// Colours the target takes as written (`"*"`: any).
    #[serde(default)]
    pub colors: Option<Vec<String>>,
    /// A colour not in `colors` is kept as written (with a warning) rather than dropped.
    #[serde(default)]
    pub keep_unknown_colors: bool,
    /// Colours the target takes in another spelling, e.g. `green = "#22c55e"`.
    #[serde(default)]
    pub color_map: BTreeMap<String, String>,
    /// A regular expression for further colours the target takes as written.
    #[serde(default)]
    pub color_pattern: Option<String>,
    /// Extra keys the target carries under its own name (`maxTurns = "steps"`),
    /// when it does not carry every extra key (`extras = false`).
    #[serde(default)]
    pub extra_keys: BTreeMap<String, String>,
    /// Rules of the tool checked on every output: what it would reject.
    #[serde(default)]
    pub checks: Vec<Check>,
    /// Collect every agent's fields into one file per output path (Roo's `.roomodes`).
    #[serde(default)]
    pub aggregate: Option<Aggregate>,
    #[serde(default)]
    pub limits: Limits,
    /// Options with their defaults; set in `agentc.toml` or a spec's `[targets.<name>]`.
    #[serde(default)]
    pub options: Table,
    /// How a bundle places the prompt in this provider's API request (`[[request]]`,
    /// the first whose `when` holds); none: the bundle carries no `request`.
    #[serde(default)]
    pub request: Vec<RequestShape>,
    /// Where the definition came from (built-in or a project file).
    #[serde(skip)]
    pub origin: Origin,
}

impl Target {
    /// What makes a well-typed definition unusable, if anything.
    fn problem(&self) -> Option<String> {
        if self.aggregate.is_some() && self.document == Document::Template {
            return Some(
                "an `aggregate` target needs `document = \"yaml\"`, `\"toml\"` or `\"json\"`"
                    .into(),
            );
        }
        let pattern = self.color_pattern.as_deref()?;
        regex::Regex::new(pattern)
            .err()
            .map(|e| format!("`color_pattern` is not a regular expression: {e}"))
    }

    /// Whether the target takes colour `c` as written.
    pub fn takes_color(&self, c: &str) -> bool {
        let listed = self.colors.iter().flatten().any(|a| a == c || a == "*");
        let matched = self
            .color_pattern
            .as_deref()
            .and_then(|p| regex::Regex::new(p).ok())
            .is_some_and(|re| re.is_match(c));
        listed || matched
    }
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Default, PartialEq)]
pub enum Origin {
    #[default]
    Builtin,
    Project(PathBuf),
}

/// What a target's file is.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Document {
    /// The template writes the file; `frontmatter` holds the YAML of `fields`.
    #[default]
    Template,
    /// The file is the TOML of `fields`; the template renders `prompt`.
    Toml,
    /// The file is the JSON of `fields`; the template renders `prompt`.
    Json,
    /// The file is the YAML of `fields`; the template renders `prompt`.
    Yaml,
}

/// A rule the tool enforces, checked on each rendered output.
///
/// `test` is a minijinja expression over the render context plus `fields` (the
/// evaluated fields by key) and `body` (the prompt text); when it is false,
/// `message` (a template over the same context) is reported at `level`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub test: String,
    pub message: String,
    #[serde(default)]
    pub level: CheckLevel,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CheckLevel {
    /// The build fails.
    #[default]
    Error,
    /// A translation warning; the file is written.
    Warning,
    /// A translation warning; the file is not written for this agent.
    Skip,
}

/// How the entries of an aggregate target form one file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aggregate {
    /// The document key holding the list of entries (`customModes`).
    pub key: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    pub key: String,
    /// A minijinja expression; `none`, undefined and empty results are left out.
    pub value: String,
    #[serde(default)]
    pub style: FieldStyle,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldStyle {
    #[default]
    Block,
    /// A YAML flow list `[a, b]`.
    Flow,
    /// Digits and dots written plain (`version: 2.0`), as the XML v2.0 form does.
    Version,
}

/// Canonical tool name → the target's name. A canonical tool missing from `map`
/// (or mapped to `""`) cannot be expressed and is dropped with a warning.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ToolMap {
    /// Pass names through unchanged (the canonical vocabulary is the target's).
    #[serde(default)]
    pub identity: bool,
    #[serde(default)]
    pub map: BTreeMap<String, String>,
    /// How an MCP tool `mcp__server__tool` is written, with `{server}` and `{tool}`.
    #[serde(default)]
    pub mcp: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelMap {
    /// What `inherit` becomes; absent: the field is left out.
    #[serde(default)]
    pub inherit: Option<String>,
    /// Tier or alias → the target's model.
    #[serde(default)]
    pub map: BTreeMap<String, String>,
    /// Concrete ids with these prefixes are passed through.
    #[serde(default)]
    pub passthrough: Vec<String>,
    /// Concrete ids with a key's prefix get the value's prefix instead
    /// (`"claude-" = "anthropic/claude-"`).
    #[serde(default)]
    pub prefix: BTreeMap<String, String>,
    /// A model the table does not know is kept as written (with a warning) rather
    /// than dropped: for the target whose vocabulary is the canonical one.
    #[serde(default)]
    pub keep_unknown: bool,
}

/// One shape of a provider request, as data: `body` is a table whose strings are
/// minijinja templates over `prompt`, `model`, `options`, `agent` and `target`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestShape {
    /// A minijinja expression; the shape applies when it is true (absent: always).
    #[serde(default)]
    pub when: Option<String>,
    /// Which text is the prompt: the whole `content`, or its `body` without frontmatter.
    #[serde(default)]
    pub prompt: PromptPart,
    /// Options the prompt is rendered with for the request (e.g. `wrap = "none"`
    /// for the bare prompt rather than a chat-template wrapper).
    #[serde(default)]
    pub options: Table,
    pub body: Table,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PromptPart {
    #[default]
    Content,
    Body,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Limits {
    /// Most characters the prompt body may have.
    #[serde(default)]
    pub max_body_chars: Option<usize>,
}

/// All targets known to a run, by name.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub targets: BTreeMap<String, Arc<Target>>,
}

impl Registry {
    /// The built-ins, then the project's `targets/*.toml` merged over them.
    pub fn load(project_targets: Option<&Path>) -> Result<Registry, Diagnostics> {
        let mut diags = Diagnostics::default();
        let mut raw: BTreeMap<String, (Table, Origin)> = BTreeMap::new();
        for (name, text) in BUILTIN_TARGETS {
            match toml::from_str::<Table>(text) {
                Ok(table) => {
                    raw.insert(name.to_string(), (table, Origin::Builtin));
                }
                Err(e) => diags.push(Diagnostic::error(
                    "builtin-target",
                    format!("built-in target `{name}` is invalid: {}", e.message()),
                )),
            }
        }
        if let Some(dir) = project_targets.filter(|d| d.is_dir()) {
            for path in toml_files(dir, &mut diags) {
                read_project_target(&path, &mut raw, &mut diags);
            }
        }
        let mut targets = BTreeMap::new();
        for (name, (table, origin)) in raw {
            match table.clone().try_into::<Target>() {
                Ok(mut t) => {
                    t.origin = origin;
                    if t.name != name {
                        t.name = name.clone();
                    }
                    if let Some(problem) = t.problem() {
                        let mut d = Diagnostic::error(
                            "invalid-target",
                            format!("target `{name}`: {problem}"),
                        );
                        if let Origin::Project(p) = &t.origin {
                            d = d.at(p);
                        }
                        diags.push(d);
                        continue;
                    }
                    targets.insert(name, Arc::new(t));
                }
                Err(e) => {
                    let mut d = Diagnostic::error(
                        "invalid-target",
                        format!("target `{name}`: {}", e.message()),
                    );
                    if let Origin::Project(p) = &origin {
                        d = point_at_culprit(d.at(p), p, &table, e.message());
                    }
                    diags.push(d);
                }
            }
        }
        if diags.has_errors() {
            Err(diags)
        } else {
            Ok(Registry { targets })
        }
    }

    pub fn get(&self, name: &str) -> Option<&Arc<Target>> {
        self.targets.get(name)
    }

    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.targets.keys().map(String::as_str)
    }
}

fn toml_files(dir: &Path, diags: &mut Diagnostics) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(rd) => rd
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
            .collect(),
        Err(e) => {
            diags.push(Diagnostic::error("io", format!("cannot read folder: {e}")).at(dir));
            Vec::new()
        }
    };
    files.sort();
    files
}

fn read_project_target(
    path: &Path,
    raw: &mut BTreeMap<String, (Table, Origin)>,
    diags: &mut Diagnostics,
) {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) => {
            diags.push(Diagnostic::error("io", format!("cannot read target file: {e}")).at(path));
            return;
        }
    };
    let source: Arc<str> = Arc::from(text.as_str());
    let table = match toml::from_str::<Table>(&text) {
        Ok(t) => t,
        Err(e) => {
            let mut d = Diagnostic::error("invalid-toml", e.message().to_string()).at(path);
            if let Some(span) = e.span() {
                d = d.span(&source, span);
            }
            diags.push(d);
            return;
        }
    };
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    if !crate::spec::is_valid_name(&name) {
        diags.push(
            Diagnostic::error(
                "invalid-name",
                format!("target name `{name}` is not a valid identifier"),
            )
            .at(path),
        );
        return;
    }
    let base = match table.get("extends").and_then(|v| v.as_str()) {
        Some(parent) => match raw.get(parent) {
            Some((t, _)) => Some(t.clone()),
            None => {
                let known: Vec<&str> = raw.keys().map(String::as_str).collect();
                let mut d = Diagnostic::error(
                    "unknown-target",
                    format!("`extends` names unknown target `{parent}`"),
                )
                .at(path);
                if let Some(s) = crate::diagnostic::did_you_mean(parent, known) {
                    d = d.help(format!("did you mean `{s}`?"));
                }
                diags.push(d);
                return;
            }
        },
        None => raw.get(&name).map(|(t, _)| t.clone()),
    };
    let mut merged = base.unwrap_or_default();
    merge(&mut merged, table);
    merged.insert("name".into(), toml::Value::String(name.clone()));
    raw.insert(name, (merged, Origin::Project(path.to_path_buf())));
}

/// Points a target's type error at the top-level key of its file that causes it:
/// the unknown key named, or the first key without which the definition reads.
fn point_at_culprit(d: Diagnostic, path: &Path, merged: &Table, message: &str) -> Diagnostic {
    let Ok(text) = std::fs::read_to_string(path) else {
        return d;
    };
    let (doc, _) = toml::de::DeTable::parse_recoverable(&text);
    let unknown = message
        .strip_prefix("unknown field `")
        .and_then(|r| r.split('`').next());
    let culprit = doc.get_ref().iter().find(|(k, _)| {
        let k: &str = k.get_ref();
        if let Some(u) = unknown {
            return k == u;
        }
        let mut without = merged.clone();
        without.remove(k);
        match without.try_into::<Target>() {
            Ok(_) => true,
            Err(e) => e.message() != message && !e.message().starts_with("missing field"),
        }
    });
    match culprit {
        Some((k, v)) => {
            let span = if unknown.is_some() {
                k.span()
            } else {
                v.span()
            };
            d.span(&Arc::from(text.as_str()), span)
        }
        None => d,
    }
}

/// Deep-merges `over` into `base`: tables key by key, anything else replaced.
fn merge(base: &mut Table, over: Table) {
    for (k, v) in over {
        match (base.get_mut(&k), v) {
            (Some(toml::Value::Table(b)), toml::Value::Table(o)) => merge(b, o),
            (_, v) => {
                base.insert(k, v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_load() {
        let reg = Registry::load(None).expect("built-ins are valid");
        let names: Vec<&str> = reg.names().collect();
        assert_eq!(
            names,
            [
                "claude",
                "codex",
                "copilot",
                "cursor",
                "deepseek",
                "gemini",
                "gemini-cli",
                "gpt",
                "kiro",
                "llama",
                "opencode",
                "qwen",
                "roo",
                "xml"
            ]
        );
        for t in reg.targets.values() {
            assert!(!t.checked_against.is_empty(), "{}", t.name);
        }
    }

    #[test]
    fn every_target_file_is_embedded() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("targets");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| {
                e.unwrap()
                    .path()
                    .file_stem()
                    .unwrap()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        on_disk.sort();
        let mut embedded: Vec<String> =
            BUILTIN_TARGETS.iter().map(|(n, _)| n.to_string()).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }

    #[test]
    fn merge_is_deep_for_tables_only() {
        let mut base: Table = toml::from_str("a = 1\n[t]\nx = 1\ny = 2").unwrap();
        let over: Table = toml::from_str("a = [1]\n[t]\ny = 3\nz = 4").unwrap();
        merge(&mut base, over);
        let want: Table = toml::from_str("a = [1]\n[t]\nx = 1\ny = 3\nz = 4").unwrap();
        assert_eq!(base, want);
    }
}

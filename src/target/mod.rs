//! Targets as data: what a `targets/<name>.toml` file says (this module's
//! types, deserialized strictly) and the [`Registry`] of every target a run
//! knows: the built-ins embedded from the repository's `targets/` folder and a
//! project's own.

mod registry;

pub use registry::{Registry, builtin, builtin_targets};

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::Deserialize;

use crate::spec::Table;

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
    /// How this target's tokens are counted (`stats`, budgets, bundles).
    #[serde(default)]
    pub tokenizer: crate::support::tokens::Tokenizer,
    /// The body template, a file name in `templates/`.
    pub template: String,
    /// Output path under `dist/<target>/` (a template over `name` and `options`).
    pub path: String,
    /// Output path for `--layout native`, relative to the output root.
    pub native_path: String,
    #[serde(default)]
    pub document: Document,
    /// How the frontmatter of a `document = "template"` target is written:
    /// `yaml` (any YAML its serializer picks) or `plain` (one plain scalar a
    /// line, for a tool that splits each line at its first colon).
    #[serde(default)]
    pub frontmatter: Frontmatter,
    /// The field that names the agent inside the tool (`name`, Roo's `slug`):
    /// two agents whose written values are equal collide (an error naming both
    /// spec files), even when their spec names differ (`a.b`, `a_b`).
    #[serde(default)]
    pub name_field: Option<String>,
    /// Why the target is kept for existing users only (its tool has a
    /// successor); `agentc targets` shows it.
    #[serde(default)]
    pub legacy: Option<String>,
    /// Ordered frontmatter (or document) fields, each a minijinja expression.
    #[serde(default)]
    pub fields: Vec<Field>,
    /// Whether `[extra]` keys and free `[targets.<name>]` keys are re-emitted.
    #[serde(default)]
    pub extras: bool,
    /// A boolean option that, when true, writes the spec as it is: every extra
    /// key carried (as `extras = true` does) and legacy tool names kept as
    /// written (Claude's `lossless`: a legacy file imported and built again is
    /// the file it was, keys the tool does not read included).
    #[serde(default)]
    pub lossless_option: Option<String>,
    /// Whether `build` renders this target when neither `-t` nor `agentc.toml`
    /// names targets. Fourteen built-ins are on, the tools of 2026 off; a project
    /// target file may turn any on or off.
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
    /// `color_pattern` compiled, the first time a colour is checked (once per
    /// run, not once per agent).
    #[serde(skip)]
    color_re: std::sync::OnceLock<Option<regex::Regex>>,
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
    /// Files written once per build, not per agent (a plugin's manifest), when the
    /// build wrote at least one file of this target.
    #[serde(default)]
    pub project_files: Vec<ProjectFile>,
    #[serde(default)]
    pub limits: Limits,
    /// Options with their defaults; set in `agentc.toml` or a spec's `[targets.<name>]`.
    #[serde(default)]
    pub options: Table,
    /// Whether the file ends with a newline: a minijinja expression over
    /// `options` (absent: always). A chat-template turn ends at its end-of-turn
    /// token, with nothing after it (`llama` with `wrap = "llama3"`).
    #[serde(default)]
    pub final_newline: Option<String>,
    /// The values an option takes: a list (`wrap = ["none", "llama3"]`) or a
    /// pattern (`ollama_model = { pattern = "^…$" }`, compiled when the target
    /// is read). An option not named here takes any value of its default's type.
    #[serde(default)]
    pub option_values: BTreeMap<String, OptionValues>,
    /// How a bundle places the prompt in this provider's API request (`[[request]]`,
    /// the first whose `when` holds); none: the bundle carries no `request`.
    #[serde(default)]
    pub request: Vec<RequestShape>,
    /// Values every request shape's templates may use, each a minijinja
    /// expression over `model`, `options`, `agent` and `target`.
    #[serde(default)]
    pub request_vars: BTreeMap<String, String>,
    /// Where the definition came from (built-in or a project file).
    #[serde(skip)]
    pub origin: Origin,
}

/// The values one option takes.
#[derive(Debug, Clone, Deserialize)]
#[serde(try_from = "RawOptionValues")]
pub enum OptionValues {
    OneOf(Vec<toml::Value>),
    Matching { pattern: Pattern },
}

/// A regular expression from target data, compiled once, when it is read.
#[derive(Debug, Clone)]
pub struct Pattern(pub regex::Regex);

/// `option_values` as written, before its pattern is compiled.
#[derive(Deserialize)]
#[serde(untagged)]
enum RawOptionValues {
    OneOf(Vec<toml::Value>),
    Matching { pattern: String },
}

impl TryFrom<RawOptionValues> for OptionValues {
    type Error = String;

    fn try_from(raw: RawOptionValues) -> Result<Self, String> {
        match raw {
            RawOptionValues::OneOf(values) => Ok(OptionValues::OneOf(values)),
            RawOptionValues::Matching { pattern } => regex::Regex::new(&pattern)
                .map(|re| OptionValues::Matching {
                    pattern: Pattern(re),
                })
                .map_err(|e| format!("`{pattern}` is not a regular expression: {e}")),
        }
    }
}

impl Target {
    /// Whether option `key` may take `value` (whose type is already checked):
    /// the message naming the option, the value and what it takes when not.
    pub fn check_option(&self, key: &str, value: &toml::Value) -> Result<(), String> {
        let shown = |v: &toml::Value| match v {
            toml::Value::String(s) => format!("\"{s}\""),
            other => other.to_string(),
        };
        match self.option_values.get(key) {
            Some(OptionValues::OneOf(allowed)) if !allowed.contains(value) => {
                let list: Vec<String> = allowed.iter().map(shown).collect();
                Err(format!(
                    "option `{key}` of target `{}` cannot be {}; it takes {}",
                    self.name,
                    shown(value),
                    list.join(", ")
                ))
            }
            Some(OptionValues::Matching { pattern })
                if !value.as_str().is_some_and(|s| pattern.0.is_match(s)) =>
            {
                Err(format!(
                    "option `{key}` of target `{}` cannot be {}; it takes values matching `{}`",
                    self.name,
                    shown(value),
                    pattern.0.as_str()
                ))
            }
            _ => Ok(()),
        }
    }

    /// What makes a well-typed definition unusable, if anything.
    fn problem(&self) -> Option<String> {
        if let Some(o) = &self.lossless_option
            && !matches!(self.options.get(o), Some(toml::Value::Boolean(_)))
        {
            return Some(format!(
                "`lossless_option` names `{o}`, which is not a boolean option"
            ));
        }
        if let Some(key) = self
            .option_values
            .keys()
            .find(|k| !self.options.contains_key(*k))
        {
            return Some(format!(
                "`option_values` names `{key}`, which is not an option"
            ));
        }
        if let Some((key, _)) = self
            .options
            .iter()
            .find(|(k, v)| self.check_option(k, v).is_err())
        {
            return Some(format!(
                "the default of option `{key}` is not among its `option_values`"
            ));
        }
        if self
            .project_files
            .iter()
            .any(|f| f.document == Document::Template)
        {
            return Some(
                "a `project_files` entry needs `document = \"json\"`, `\"yaml\"` or `\"toml\"`"
                    .into(),
            );
        }
        if self.aggregate.is_some() && self.document == Document::Template {
            return Some(
                "an `aggregate` target needs `document = \"yaml\"`, `\"toml\"` or `\"json\"`"
                    .into(),
            );
        }
        if let Some(problem) = self.request.iter().find_map(RequestShape::problem) {
            return Some(problem);
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
            .color_re
            .get_or_init(|| {
                let pattern = self.color_pattern.as_deref()?;
                regex::Regex::new(pattern).ok()
            })
            .as_ref()
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

/// How a template target's frontmatter is written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Frontmatter {
    /// YAML: each value in whatever style reads back the same (quoted, block).
    #[default]
    Yaml,
    /// `key: value`, one line per field, every value a plain YAML scalar that a
    /// reader splitting at the first colon reads the same; a value that cannot
    /// be one is normalised (with a translation warning), never quoted.
    Plain,
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
    /// What a `warning` says is lost (the report groups by it; `[accept]`
    /// names it); `target-rule` when absent.
    #[serde(default)]
    pub code: Option<crate::diag::Loss>,
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

/// A file a target writes once per build from its project-wide options (those
/// of `agentc.toml`, not a spec's): e.g. the manifest of a Claude Code plugin
/// whose agents are the target's per-agent files. It is the serialized `fields`,
/// evaluated over `options`, `target` (`target.name`) and `agents` (every agent
/// the build wrote for the target, in name order: `name` and `path`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectFile {
    /// Output path under `dist/<target>/` (a template over `options`).
    pub path: String,
    /// Output path for `--layout native`, relative to the output root.
    pub native_path: String,
    /// `json`, `yaml` or `toml`.
    pub document: Document,
    pub fields: Vec<Field>,
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

pub use crate::support::yaml::FieldStyle;

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
    /// How a whole MCP server `mcp__server` (every tool it has, as Claude Code
    /// reads it) is written, with `{server}`; absent: `mcp` when it names no
    /// `{tool}` (a permission class), else the target cannot say it.
    #[serde(default)]
    pub mcp_server: Option<String>,
    /// Legacy names the tool has replaced (`MultiEdit = "Edit"`): written under
    /// the new name, the renaming reported.
    #[serde(default)]
    pub legacy: BTreeMap<String, String>,
}

impl ToolMap {
    /// The target's name for one canonical tool, if it has one.
    pub fn name_of(&self, tool: &str) -> Option<String> {
        if let Some(rest) = tool.strip_prefix("mcp__") {
            if self.identity {
                return Some(tool.to_string());
            }
            let Some((server, name)) = rest.split_once("__") else {
                // A whole server.
                if let Some(p) = &self.mcp_server {
                    return Some(p.replace("{server}", rest));
                }
                let p = self.mcp.as_ref()?;
                return (!p.contains("{tool}")).then(|| p.replace("{server}", rest));
            };
            let pattern = self.mcp.as_ref()?;
            return Some(pattern.replace("{server}", server).replace("{tool}", name));
        }
        if self.identity {
            return Some(tool.to_string());
        }
        self.map.get(tool).filter(|v| !v.is_empty()).cloned()
    }
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
/// minijinja templates over `prompt`, `model`, `options`, `agent`, `target`,
/// `user` (the placeholder of the user's message) and the target's `request_vars`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequestShape {
    /// The provider API the body is for (`openai.chat`, `anthropic.messages`, …):
    /// the request's key in the bundle. Of the shapes of one API, the first whose
    /// `when` holds is taken.
    pub api: String,
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
    /// What the app must add before sending (`model`, `max_tokens`).
    #[serde(default)]
    pub needs: Vec<String>,
    pub body: Table,
    /// Typed values: each key a JSON Pointer (RFC 6901) into `body`, each value a
    /// minijinja expression over the same values as `body`'s templates, whose
    /// result goes there as JSON of its own type (a number stays a number, where
    /// `body`'s strings are always strings). An expression that gives none or
    /// nothing leaves the key out; the objects on the way are created.
    #[serde(default)]
    pub values: BTreeMap<String, String>,
    /// Where the user's message goes.
    pub user: UserSlot,
}

impl RequestShape {
    /// What is wrong with the shape before any agent fills it in: a `values`
    /// key or `user.at` that is no JSON Pointer, an expression that does not
    /// compile, a `value` the action does not take. (Whether a pointer meets
    /// the body it points into is checked when the body is made.)
    fn problem(&self) -> Option<String> {
        let at = |what: String| format!("request `{}`: {what}", self.api);
        for key in self.values.keys() {
            if let Err(why) = pointer_keys(key) {
                return Some(at(format!("`values` key `{key}` is {why}")));
            }
        }
        if let Err(why) = pointer_keys(&self.user.at) {
            return Some(at(format!("`user.at` = `{}` is {why}", self.user.at)));
        }
        match (self.user.action, &self.user.value) {
            (UserAction::Replace, Some(_)) => {
                return Some(at("`user`: `replace` takes no `value`".into()));
            }
            (UserAction::Append | UserAction::Set, None) => {
                return Some(at("`user`: `append` and `set` need a `value`".into()));
            }
            _ => {}
        }
        let env = minijinja::Environment::new();
        let exprs = self.when.iter().map(|w| ("`when`".to_string(), w));
        let exprs = exprs.chain(
            self.values
                .iter()
                .map(|(k, v)| (format!("`values.\"{k}\"`"), v)),
        );
        for (what, expr) in exprs {
            if let Err(e) = env.compile_expression(expr) {
                return Some(at(format!("{what} is not an expression: {e}")));
            }
        }
        None
    }
}

/// The keys a JSON Pointer (RFC 6901) steps through, unescaped; an error for
/// one that does not start with `/` or has an empty step.
pub fn pointer_keys(at: &str) -> Result<Vec<String>, String> {
    let Some(rest) = at.strip_prefix('/') else {
        return Err("not a JSON Pointer (it must start with `/`)".into());
    };
    let keys: Vec<String> = rest
        .split('/')
        .map(|k| k.replace("~1", "/").replace("~0", "~"))
        .collect();
    if keys.iter().any(String::is_empty) {
        return Err("not a JSON Pointer to a key (a step of it names no key)".into());
    }
    Ok(keys)
}

/// Where the app puts the user's message in a request body.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSlot {
    /// A JSON Pointer (RFC 6901) into the body.
    pub at: String,
    pub action: UserAction,
    /// For `append` and `set`: the value to put there (templates, as in `body`;
    /// `{{ user }}` is the placeholder the app replaces with the user's text).
    #[serde(default)]
    pub value: Option<toml::Value>,
}

/// How the user's message is put at a [`UserSlot`]'s place.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum UserAction {
    /// Append `value` to the array at `at`.
    Append,
    /// Set the key at `at` to `value`.
    Set,
    /// Replace the placeholder in the string at `at` by the user's text.
    Replace,
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

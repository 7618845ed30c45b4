//! Loading: spec files → `Spec`s, with diagnostics for every file.
//!
//! Each file is parsed once into toml's spanned document tree. Unknown keys are
//! found by walking that tree against the spec's JSON Schema (so every unknown
//! key of a file is reported, each with "did you mean"), then serde gives the
//! typed spec, then names, ids and tools are checked. Errors of all files are
//! collected before anything is returned.

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde_json::Value as Json;
use toml::de::{DeTable, DeValue};

use crate::diag::span::{self, Key, locate, value_span};
use crate::diag::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::spec::{self, Spec};
use crate::support::fs;

/// A spec and the file it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub path: PathBuf,
    pub source: Arc<str>,
    pub spec: Spec,
}

/// Each agent's spec file and text, by agent name, to place findings about
/// its outputs.
pub type SpecTexts = BTreeMap<String, (PathBuf, Arc<str>)>;

/// Canonical tool names (Claude Code's vocabulary, legacy names included): every
/// built-in tool the `claude` target knows (its `all_tools` option; a test
/// checks) and the names those replaced.
pub const CANONICAL_TOOLS: &[&str] = &[
    "Read",
    "Write",
    "Edit",
    "MultiEdit",
    "Glob",
    "Grep",
    "LS",
    "Bash",
    "NotebookEdit",
    "NotebookRead",
    "WebFetch",
    "WebSearch",
    "Agent",
    "Task",
    "Skill",
    "TodoWrite",
    "AskUserQuestion",
    "TaskCreate",
    "TaskGet",
    "TaskList",
    "TaskUpdate",
    "TaskOutput",
    "TaskStop",
    "KillShell",
    "BashOutput",
    "ExitPlanMode",
    "SlashCommand",
    "EnterPlanMode",
    "EnterWorktree",
    "ExitWorktree",
    "CronCreate",
    "CronDelete",
    "CronList",
    "LSP",
    "ListMcpResourcesTool",
    "ReadMcpResourceTool",
    "PowerShell",
    "SendMessage",
    "TeamCreate",
    "TeamDelete",
    "ToolSearch",
];

/// Finds the spec files under `paths` (files as given, folders searched for
/// `*.toml` recursively), sorted so that the result does not depend on the file system.
pub fn discover(paths: &[PathBuf], diags: &mut Diagnostics) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for path in paths {
        if path.is_dir() {
            let (found, problems) = fs::files(path, usize::MAX, |p| {
                p.extension().is_some_and(|e| e == "toml")
            });
            files.extend(found);
            diags.0.extend(problems);
        } else if path.exists() {
            files.push(path.clone());
        } else {
            diags.push(Diagnostic::error(Code::NotFound, "no such file or folder").at(path));
        }
    }
    files.sort();
    files.dedup();
    files
}

/// Loads every file; a file with errors is left out of the result, and names
/// shared by two files are reported for both.
pub fn load(files: &[PathBuf], diags: &mut Diagnostics) -> Vec<Loaded> {
    let mut loaded: Vec<Loaded> = files.iter().filter_map(|p| load_file(p, diags)).collect();
    let names: Vec<(&str, &Path)> = loaded
        .iter()
        .map(|l| (l.spec.name.as_str(), l.path.as_path()))
        .collect();
    let dups = duplicates(&names, diags);
    // Rendering both would only add collisions to the errors already reported.
    loaded.retain(|l| !dups.contains(&l.spec.name));
    loaded
}

/// Reads, parses and checks one spec file; `None` when it has errors (all reported).
pub fn load_file(path: &Path, diags: &mut Diagnostics) -> Option<Loaded> {
    match fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => load_str(path, &text, diags),
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let lossy: Arc<str> = Arc::from(String::from_utf8_lossy(e.as_bytes()));
                diags.push(
                    Diagnostic::error(
                        Code::InvalidUtf8,
                        format!("not UTF-8 text (invalid byte at offset {at})"),
                    )
                    .at(path)
                    .span(&lossy, at..at)
                    .help("specs are UTF-8 text; re-encode the file"),
                );
                None
            }
        },
        Err(d) => {
            diags.push(d);
            None
        }
    }
}

/// Parses and checks one spec text; `None` when it has errors (all reported).
pub fn load_str(path: &Path, text: &str, diags: &mut Diagnostics) -> Option<Loaded> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let source: Arc<str> = Arc::from(text);
    let err = |code, msg: String, span: Option<Range<usize>>| {
        let d = Diagnostic::error(code, msg).at(path);
        match span {
            Some(s) => d.span(&source, s),
            None => d,
        }
    };
    let (doc, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        for e in syntax {
            diags.push(err(Code::InvalidToml, e.message().to_string(), e.span()));
        }
        return None;
    }
    let before = diags.error_count();
    let schema = schema();
    unknown_keys(schema, schema, doc.get_ref(), &mut |key, span, known| {
        let mut d = err(Code::UnknownKey, format!("unknown key `{key}`"), Some(span));
        d = match did_you_mean(key, known.iter().map(String::as_str)) {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None => d.help(format!("expected one of {}", quoted(known))),
        };
        diags.push(d);
    });
    if diags.error_count() > before {
        return None;
    }
    let spec: Spec = match Spec::deserialize_from(doc.clone()) {
        Ok(s) => s,
        Err(e) => {
            let (msg, help) = explain(e.message());
            let mut d = err(Code::InvalidSpec, msg, e.span().or(Some(0..0)));
            if let Some(h) = help {
                d = d.help(h);
            }
            diags.push(d);
            return None;
        }
    };
    let root = doc.get_ref();
    if !spec::is_valid_name(&spec.name) {
        let span = value_span(root, &["name"]);
        diags.push(
            err(Code::InvalidName, format!("invalid agent name `{}`", spec.name.escape_debug()), span)
                .help("names are lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit (at most 128)"),
        );
    }
    let blank = |d: &Option<String>| d.as_deref().is_some_and(crate::support::text::is_blank);
    let overrides = spec
        .targets
        .iter()
        .map(|(t, o)| (Some(t.as_str()), &o.description));
    for (target, description) in [(None, &spec.description)].into_iter().chain(overrides) {
        if blank(description) {
            let (span, key) = match target {
                None => (
                    value_span(root, &["description"]),
                    "description".to_string(),
                ),
                Some(t) => (
                    value_span(root, &["targets", t, "description"]),
                    format!("targets.{t}.description"),
                ),
            };
            diags.push(
                err(Code::EmptyDescription, format!("`{key}` is empty"), span)
                    .help("say when a coordinator should delegate to this agent, or remove the key to have one derived from the role"),
            );
        }
    }
    for (i, r) in spec.responsibilities.iter().enumerate() {
        if let Some(id) = r.id.as_deref().filter(|id| !spec::is_valid_id(id)) {
            let span = locate(root, &[Key::K("responsibilities"), Key::I(i), Key::K("id")]);
            diags.push(
                err(
                    Code::InvalidId,
                    format!("invalid responsibility id `{}`", id.escape_debug()),
                    span,
                )
                .help("ids are letters, digits, `_` and `-`"),
            );
        }
    }
    check_tools(&spec, root, path, &source, diags);
    (diags.error_count() == before).then(|| Loaded {
        path: path.to_path_buf(),
        source: source.clone(),
        spec,
    })
}

trait FromDoc: Sized {
    fn deserialize_from(doc: toml::Spanned<DeTable<'_>>) -> Result<Self, toml::de::Error>;
}

impl FromDoc for Spec {
    fn deserialize_from(doc: toml::Spanned<DeTable<'_>>) -> Result<Self, toml::de::Error> {
        serde::Deserialize::deserialize(toml::de::Deserializer::from(doc))
    }
}

fn quoted(keys: &[String]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Rewords serde's messages the way the rest of agentc speaks.
fn explain(msg: &str) -> (String, Option<String>) {
    if let Some(field) = msg.strip_prefix("missing field ") {
        let field = field.trim();
        return (
            format!("missing required key {field}"),
            Some(format!("add {field} = \"…\"").replace('`', "")),
        );
    }
    let msg = msg.trim();
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        // The only enum a spec holds is a section's `kind`.
        let given = rest.split('`').next().unwrap_or_default();
        let names = spec::Kind::all().map(spec::Kind::name);
        let help = match did_you_mean(given, names) {
            Some(s) => format!("did you mean `{s}`? The kinds are {}", spec::Kind::list()),
            None => format!("the kinds are {}", spec::Kind::list()),
        };
        return (format!("unknown section kind `{given}`"), Some(help));
    }
    let help = if msg.ends_with("expected a sequence") {
        Some("this key takes a list: key = [\"…\", \"…\"]")
    } else if msg.ends_with("expected a string") {
        Some("this key takes a string: quote it, key = \"…\" (version numbers too: \"2.0\")")
    } else if msg.ends_with("expected a boolean") {
        Some("this key takes `true` or `false`")
    } else if msg.contains("expected struct") || msg.contains("expected a map") {
        Some("this key takes a table: [key] or key = { … }")
    } else {
        None
    };
    (msg.to_string(), help.map(String::from))
}

/// The spec's JSON Schema, built once per process (it drives the unknown-key check).
fn schema() -> &'static Json {
    static SCHEMA: std::sync::OnceLock<Json> = std::sync::OnceLock::new();
    SCHEMA.get_or_init(spec::json_schema)
}

/// Unknown tools are warnings: Claude Code's vocabulary grows, and a name agentc
/// does not know still reaches the `claude` target as written.
fn check_tools(
    spec: &Spec,
    root: &DeTable,
    path: &Path,
    source: &Arc<str>,
    diags: &mut Diagnostics,
) {
    let mut lists: Vec<(Vec<String>, &Vec<String>)> = Vec::new();
    if let Some(t) = &spec.tools {
        lists.push((vec!["tools".into()], t));
    }
    for (name, o) in &spec.targets {
        if let Some(t) = &o.tools {
            lists.push((vec!["targets".into(), name.clone(), "tools".into()], t));
        }
    }
    for (keys, tools) in lists {
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        for (i, tool) in tools.iter().enumerate() {
            if is_known_tool(tool) {
                continue;
            }
            let mut d = Diagnostic::warning(
                Code::UnknownTool,
                format!("unknown tool `{}`", tool.escape_debug()),
            )
            .at(path);
            if let Some(span) = list_item_span(root, &keys, i) {
                d = d.span(source, span);
            }
            d = match did_you_mean(tool, CANONICAL_TOOLS.iter().copied()) {
                Some(s) => d.help(format!("did you mean `{s}`?")),
                None => d.help(
                    "use Claude Code tool names, `mcp__server__tool` for an MCP tool or `mcp__server` for all of a server's",
                ),
            };
            diags.push(d);
        }
    }
}

/// A canonical tool name: Claude Code's, an MCP tool `mcp__server__tool`, or
/// a whole MCP server `mcp__server` (Claude Code reads it as every tool of
/// that server).
pub fn is_known_tool(tool: &str) -> bool {
    CANONICAL_TOOLS.contains(&tool)
        || tool
            .strip_prefix("mcp__")
            .is_some_and(|r| match r.split_once("__") {
                Some((s, t)) => !s.is_empty() && !t.is_empty(),
                None => !r.is_empty(),
            })
}

/// Called with an unknown key, its span and the keys allowed there.
type Report<'a> = dyn FnMut(&str, Range<usize>, &[String]) + 'a;

/// Reports every key of `table` that `schema` does not allow, recursively.
fn unknown_keys(root: &Json, schema: &Json, table: &DeTable, report: &mut Report<'_>) {
    let schema = resolve(root, schema);
    let Some(props) = schema.get("properties").and_then(Json::as_object) else {
        return;
    };
    let closed = schema.get("additionalProperties") == Some(&Json::Bool(false));
    for (key, value) in table {
        match props.get(key.get_ref().as_ref()) {
            Some(sub) => check_value(root, sub, value.get_ref(), report),
            None if closed => {
                let known: Vec<String> = props.keys().cloned().collect();
                report(key.get_ref(), key.span(), &known)
            }
            None => {}
        }
    }
}

fn check_value(root: &Json, schema: &Json, value: &DeValue, report: &mut Report<'_>) {
    let schema = resolve(root, schema);
    match value {
        DeValue::Table(t) => {
            if schema.get("properties").is_some() {
                unknown_keys(root, schema, t, report);
            } else if let Some(extra) = schema.get("additionalProperties").filter(|v| v.is_object())
            {
                for (_, v) in t {
                    check_value(root, extra, v.get_ref(), report);
                }
            }
        }
        DeValue::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for item in items {
                    check_value(root, item_schema, item.get_ref(), report);
                }
            }
        }
        _ => {}
    }
}

/// Follows `$ref` and picks the non-null branch of an `Option`'s `anyOf`.
fn resolve<'a>(root: &'a Json, schema: &'a Json) -> &'a Json {
    if let Some(r) = schema.get("$ref").and_then(Json::as_str) {
        let name = r.rsplit('/').next().unwrap_or("");
        if let Some(def) = root.get("$defs").and_then(|d| d.get(name)) {
            return resolve(root, def);
        }
    }
    if let Some(branches) = schema.get("anyOf").and_then(Json::as_array)
        && let Some(b) = branches
            .iter()
            .find(|b| b.get("type") != Some(&Json::String("null".into())))
    {
        return resolve(root, b);
    }
    schema
}

/// The span of the item `index` of the list at `keys`.
fn list_item_span(root: &DeTable, keys: &[&str], index: usize) -> Option<Range<usize>> {
    let mut path: Vec<Key> = keys.iter().map(|k| Key::K(k)).collect();
    path.push(Key::I(index));
    locate(root, &path)
}

/// Two specs with one name would write the same files: an error on each, placed
/// at its `name` (the files are read again: this is the rare, failing path).
/// Returns the names used more than once.
pub fn duplicates(names: &[(&str, &Path)], diags: &mut Diagnostics) -> Vec<String> {
    let mut dups = Vec::new();
    let mut by_name: BTreeMap<&str, Vec<&Path>> = BTreeMap::new();
    for (name, path) in names {
        by_name.entry(name).or_default().push(path);
    }
    for (name, group) in by_name.into_iter().filter(|(_, g)| g.len() > 1) {
        dups.push(name.to_string());
        let paths: Vec<String> = group.iter().map(|p| p.display().to_string()).collect();
        for path in &group {
            let mut d = Diagnostic::error(
                Code::DuplicateName,
                format!("agent name `{name}` is used by {} files", group.len()),
            );
            // Read again: this is the rare, failing path.
            if let Ok(text) = fs::read_text(path) {
                let text: Arc<str> = Arc::from(text.strip_prefix('\u{feff}').unwrap_or(&text));
                d = span::point(d, path, &text, &[Key::K("name")]);
            } else {
                d = d.at(path);
            }
            diags.push(d.help(format!("names must be unique: {}", paths.join(", "))));
        }
    }
    dups
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> (Option<Loaded>, Diagnostics) {
        let mut diags = Diagnostics::default();
        let l = load_str(Path::new("a.toml"), text, &mut diags);
        (l, diags)
    }

    #[test]
    fn every_tool_claude_knows_is_canonical() {
        let claude = crate::target::builtin("claude").unwrap();
        let all = claude.options["all_tools"].as_array().unwrap();
        assert!(all.len() > 20);
        for tool in all {
            let tool = tool.as_str().unwrap();
            assert!(CANONICAL_TOOLS.contains(&tool), "{tool}");
        }
        let legacy = &claude.tools.as_ref().unwrap().legacy;
        for (old, new) in legacy {
            assert!(CANONICAL_TOOLS.contains(&old.as_str()), "{old}");
            assert!(CANONICAL_TOOLS.contains(&new.as_str()), "{new}");
        }
    }

    #[test]
    fn every_unknown_key_is_reported_with_a_suggestion() {
        let (l, d) = check(
            "name = \"a\"\ntool = []\n[boundaries]\nwil = []\n[[sections]]\ntitle = \"x\"\nbdy = \"y\"\n",
        );
        assert!(l.is_none());
        let msgs: Vec<String> = d
            .iter()
            .map(|d| format!("{} {:?} {:?}", d.message, d.line_col(), d.help))
            .collect();
        assert_eq!(d.error_count(), 3, "{msgs:#?}");
        assert!(
            msgs[0].contains("`tool`") && msgs[0].contains("(2, 1)") && msgs[0].contains("`tools`"),
            "{msgs:#?}"
        );
        assert!(
            msgs[1].contains("`wil`") && msgs[1].contains("`will`"),
            "{msgs:#?}"
        );
        assert!(
            msgs[2].contains("`bdy`") && msgs[2].contains("`body`"),
            "{msgs:#?}"
        );
    }

    #[test]
    fn extra_and_target_keys_are_free() {
        let (l, d) = check(
            "name = \"a\"\n[extra]\nemoji = \"x\"\n[targets.claude]\npermissionMode = \"plan\"\n",
        );
        assert!(l.is_some(), "{d:?}");
        assert!(d.is_empty());
    }

    #[test]
    fn wrong_type_points_at_the_value() {
        let (_, d) = check("name = \"a\"\ntags = \"x\"\n");
        let e = &d.0[0];
        assert_eq!(e.code, "invalid-spec");
        assert_eq!(e.line_col(), Some((2, 8)), "{e:?}");
    }

    #[test]
    fn names_are_checked() {
        for bad in ["../x", "Has Space", "UPPER", ""] {
            let (_, d) = check(&format!("name = {bad:?}\n"));
            assert_eq!(d.0[0].code, "invalid-name", "{bad}");
            assert_eq!(d.0[0].line_col(), Some((1, 8)));
        }
        let (_, d) = check("description = \"x\"\n");
        assert_eq!(d.0[0].code, "invalid-spec");
        assert!(
            d.0[0].message.contains("missing required key `name`"),
            "{:?}",
            d.0[0]
        );
    }

    #[test]
    fn a_blank_description_is_an_error_at_its_value() {
        for blank in ["", "  ", "\n\n\t"] {
            let (loaded, d) = check(&format!("name = \"a\"\ndescription = {blank:?}\n"));
            assert!(loaded.is_none(), "{blank:?}");
            assert_eq!(d.0[0].code, "empty-description", "{blank:?}");
            assert_eq!(d.0[0].line_col(), Some((2, 15)));
        }
        let (loaded, d) = check("name = \"a\"\n[targets.cursor]\ndescription = \"\"\n");
        assert!(loaded.is_none());
        assert_eq!(d.0[0].message, "`targets.cursor.description` is empty");
        assert_eq!(d.0[0].line_col(), Some((3, 15)));
        let (loaded, d) = check("name = \"a\"\ndescription = \"\\u0001\"\n");
        assert!(loaded.is_some() && d.0.is_empty(), "{:?}", d.0);
    }

    #[test]
    fn unknown_tools_warn_with_a_suggestion() {
        let (l, d) = check("name = \"a\"\ntools = [\"Read\", \"Raed\", \"mcp__gh__issues\"]\n");
        assert!(l.is_some());
        assert_eq!(d.warning_count(), 1);
        assert_eq!(d.0[0].help.as_deref(), Some("did you mean `Read`?"));
        assert_eq!(d.0[0].line_col(), Some((2, 18)));
    }

    #[test]
    fn an_unknown_section_kind_names_the_kinds() {
        let (l, d) = check("name = \"a\"\n\n[[sections]]\ntitle = \"x\"\nkind = \"workflw\"\n");
        assert!(l.is_none());
        let e = &d.0[0];
        assert_eq!(e.code, "invalid-spec");
        assert_eq!(e.message, "unknown section kind `workflw`");
        assert_eq!(e.line_col(), Some((5, 8)), "{e:?}");
        let help = e.help.as_deref().unwrap_or_default();
        assert!(help.starts_with("did you mean `workflow`?"), "{help}");
        assert!(
            help.contains("`output_format`") && help.contains("`checklist`"),
            "{help}"
        );
        let (l, d) = check("name = \"a\"\n[[sections]]\ntitle = \"x\"\nkind = \"output_format\"\n");
        assert_eq!(
            l.map(|l| l.spec.sections[0].kind),
            Some(Some(spec::Kind::OutputFormat)),
            "{d:?}"
        );
    }

    #[test]
    fn schema_comment_and_bom_are_fine() {
        let (l, d) = check("\u{feff}#:schema ../agentc.schema.json\nname = \"a\"\n");
        assert!(l.is_some(), "{d:?}");
    }
}

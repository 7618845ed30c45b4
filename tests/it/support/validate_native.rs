//! `validate_native`: checks one native agent file against the rules of the tool
//! that reads it (TARGETS.md), with a real parser of its format: YAML through
//! `agentc::support::yaml`, TOML through `toml`, JSON through `serde_json`.
//!
//! Independent of agentc's own target data on purpose: it restates each tool's
//! rules so that a wrong target file cannot pass its own test. Which targets are
//! native comes from the registry (`support::targets::native`). A native target
//! with no rules of its own here is held to what every native file must be (it
//! parses as the format its file name says, with a frontmatter mapping and a
//! body for Markdown), so that adding a target file does not need a change
//! here; its tool's own rules belong in a function of their own beside these.

use std::path::Path;

use regex::Regex;
use serde_json::{Map, Value};

/// Every way `content` (written at `path`, relative to the output root) breaks
/// the rules of `target`'s tool; empty when the tool would load it as meant.
pub fn validate_native(target: &str, path: &Path, content: &str) -> Vec<String> {
    let mut v = Problems::default();
    let path = path.to_string_lossy().replace('\\', "/");
    if !content.ends_with('\n') || content.contains('\r') {
        v.add("content must use LF line ends and end with a newline");
    }
    match target {
        "opencode" => opencode(&mut v, &path, content),
        "copilot" => copilot(&mut v, &path, content),
        "gemini-cli" => gemini_cli(&mut v, &path, content),
        "qwen" => qwen(&mut v, &path, content),
        "codex" => codex(&mut v, &path, content),
        "cursor" => cursor(&mut v, &path, content),
        "kiro" => kiro(&mut v, &path, content),
        "roo" => roo(&mut v, &path, content),
        "antigravity" => antigravity(&mut v, &path, content),
        "augment" => augment(&mut v, &path, content),
        "cline" => cline(&mut v, &path, content),
        "devin" => devin(&mut v, &path, content),
        "factory" => factory(&mut v, &path, content),
        "goose" => goose(&mut v, &path, content),
        "junie" => junie(&mut v, &path, content),
        "kilo" => kilo(&mut v, &path, content),
        "claude-plugin" => claude_plugin(&mut v, &path, content),
        _ => generic(&mut v, &path, content),
    }
    v.0
}

/// What every native file must be, whatever its tool: parsed by the format its
/// file name says.
fn generic(v: &mut Problems, path: &str, content: &str) {
    let ext = path.rsplit_once('.').map(|(_, e)| e).unwrap_or_default();
    match ext {
        "md" | "mdc" | "markdown" => {
            if let Some((fm, _)) = frontmatter(v, content)
                && fm.is_empty()
            {
                v.add("empty frontmatter");
            }
        }
        "toml" => {
            if let Err(e) = toml::from_str::<Value>(content) {
                v.add(format!("not TOML: {}", e.message()));
            }
        }
        "json" => match serde_json::from_str::<Value>(content) {
            Ok(Value::Object(_)) => {}
            Ok(_) => v.add("not a JSON object"),
            Err(e) => v.add(format!("not JSON: {e}")),
        },
        _ => match agentc::support::yaml::parse(content) {
            Ok(Value::Object(_)) => {}
            Ok(_) => v.add("not a YAML mapping"),
            Err(e) => v.add(format!("not YAML: {}", e.message)),
        },
    }
}

#[derive(Default)]
struct Problems(Vec<String>);

impl Problems {
    fn add(&mut self, p: impl Into<String>) {
        self.0.push(p.into());
    }

    fn path(&mut self, path: &str, pattern: &str) {
        if !matches(pattern, path) {
            self.add(format!("path `{path}` does not match `{pattern}`"));
        }
    }

    /// Keys outside `allowed` and missing `required` keys.
    fn keys(&mut self, map: &Map<String, Value>, allowed: &[&str], required: &[&str]) {
        for k in map.keys().filter(|k| !allowed.contains(&k.as_str())) {
            self.add(format!("key `{k}` is not one the tool takes"));
        }
        for k in required {
            match map.get(*k) {
                Some(Value::String(s)) if s.trim().is_empty() => {
                    self.add(format!("`{k}` is empty"))
                }
                Some(_) => {}
                None => self.add(format!("required key `{k}` is missing")),
            }
        }
    }

    /// `key`, when present, is a list of strings each in `vocab` or matching `extra`.
    fn tools(&mut self, map: &Map<String, Value>, key: &str, vocab: &[&str], extra: Option<&str>) {
        let Some(value) = map.get(key) else { return };
        let Some(list) = value.as_array() else {
            return self.add(format!("`{key}` must be a list"));
        };
        for t in list {
            match t.as_str() {
                Some(s) if vocab.contains(&s) || extra.is_some_and(|p| matches(p, s)) => {}
                _ => self.add(format!(
                    "`{key}` holds `{}`, not a tool name of this tool",
                    t.as_str().unwrap_or("?")
                )),
            }
        }
    }

    fn string(&mut self, map: &Map<String, Value>, key: &str) {
        if map.get(key).is_some_and(|v| !v.is_string()) {
            self.add(format!("`{key}` must be a string"));
        }
    }
}

fn matches(pattern: &str, s: &str) -> bool {
    Regex::new(pattern).is_ok_and(|re| re.is_match(s))
}

/// Splits `---\nYAML\n---\nbody` and parses the YAML into a mapping.
fn frontmatter(v: &mut Problems, content: &str) -> Option<(Map<String, Value>, String)> {
    let Some(rest) = content.strip_prefix("---\n") else {
        v.add("no YAML frontmatter");
        return None;
    };
    let Some(end) = rest
        .find("\n---\n")
        .map(|i| i + 1)
        .or_else(|| rest.starts_with("---\n").then_some(0))
    else {
        v.add("frontmatter is not closed by `---`");
        return None;
    };
    let (yaml, body) = (&rest[..end], &rest[end + 4..]);
    match agentc::support::yaml::parse(yaml) {
        Ok(Value::Object(map)) => Some((map, body.to_string())),
        Ok(other) => {
            v.add(format!("frontmatter is not a mapping: {other}"));
            None
        }
        Err(e) => {
            v.add(format!("frontmatter is not YAML: {}", e.message));
            None
        }
    }
}

const OPENCODE_KEYS: &[&str] = &[
    "description",
    "mode",
    "model",
    "temperature",
    "top_p",
    "steps",
    "color",
    "permission",
    "prompt",
    "disable",
    "hidden",
    "name",
];
const OPENCODE_THEME: &[&str] = &[
    "primary",
    "secondary",
    "accent",
    "success",
    "warning",
    "error",
    "info",
];

fn opencode(v: &mut Problems, path: &str, content: &str) {
    v.path(path, r"^\.opencode/agents/[^/]+\.md$");
    opencode_frontmatter(v, content);
}

/// Kilo Code is an OpenCode fork: the same frontmatter, in `.kilo/agents/`.
fn kilo(v: &mut Problems, path: &str, content: &str) {
    v.path(path, r"^\.kilo/agents/[^/]+\.md$");
    opencode_frontmatter(v, content);
}

fn opencode_frontmatter(v: &mut Problems, content: &str) {
    let Some((fm, _)) = frontmatter(v, content) else {
        return;
    };
    v.keys(&fm, OPENCODE_KEYS, &["description"]);
    if fm.get("mode").is_some_and(|m| m != "subagent") {
        v.add("`mode` must be `subagent`");
    }
    if let Some(c) = fm.get("color") {
        let ok = c
            .as_str()
            .is_some_and(|c| OPENCODE_THEME.contains(&c) || matches("^#[0-9a-fA-F]{6}$", c));
        if !ok {
            v.add(format!("colour {c} is neither `#RRGGBB` nor a theme name"));
        }
    }
    if let Some(m) = fm.get("model")
        && !m.as_str().is_some_and(|m| matches("^[^/ ]+/[^ ]+$", m))
    {
        v.add(format!("model {m} is not `provider/model-id`"));
    }
    match fm.get("permission") {
        None => {}
        Some(Value::Object(p)) => {
            for (tool, action) in p {
                if !matches("^(allow|ask|deny)$", action.as_str().unwrap_or_default()) {
                    v.add(format!(
                        "permission `{tool}` is {action}, not allow, ask or deny"
                    ));
                }
            }
        }
        Some(other) => v.add(format!("`permission` must be a map, not {other}")),
    }
    if fm
        .get("steps")
        .is_some_and(|n| n.as_u64().is_none_or(|n| n == 0))
    {
        v.add("`steps` must be a positive integer");
    }
    for key in ["temperature", "top_p"] {
        if fm.get(key).is_some_and(|n| !n.is_number()) {
            v.add(format!("`{key}` must be a number"));
        }
    }
}

const COPILOT_KEYS: &[&str] = &[
    "name",
    "description",
    "tools",
    "model",
    "target",
    "argument-hint",
    "handoffs",
    "mcp-servers",
];
const COPILOT_TOOLS: &[&str] = &["read", "edit", "execute", "search", "web", "agent", "todo"];

fn copilot(v: &mut Problems, path: &str, content: &str) {
    v.path(path, r"^\.github/agents/[^/]+\.agent\.md$");
    let Some((fm, body)) = frontmatter(v, content) else {
        return;
    };
    v.keys(&fm, COPILOT_KEYS, &["description"]);
    v.tools(&fm, "tools", COPILOT_TOOLS, Some("^[^/ ]+/[^/ ]+$"));
    v.string(&fm, "model");
    if body.trim().chars().count() > 30_000 {
        v.add("the prompt is over 30,000 characters");
    }
}

const GEMINI_KEYS: &[&str] = &[
    "kind",
    "name",
    "description",
    "display_name",
    "tools",
    "mcp_servers",
    "model",
    "temperature",
    "max_turns",
    "timeout_mins",
];
const GEMINI_TOOLS: &[&str] = &[
    "read_file",
    "read_many_files",
    "write_file",
    "replace",
    "run_shell_command",
    "grep_search",
    "glob",
    "list_directory",
    "web_fetch",
    "google_web_search",
    "write_todos",
    "ask_user",
    "invoke_agent",
    "activate_skill",
    "save_memory",
];

fn gemini_cli(v: &mut Problems, path: &str, content: &str) {
    v.path(path, r"^\.gemini/agents/[^/]+\.md$");
    let Some((fm, _)) = frontmatter(v, content) else {
        return;
    };
    v.keys(&fm, GEMINI_KEYS, &["name", "description"]);
    if !fm
        .get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| matches("^[a-z0-9-_]+$", n))
    {
        v.add("`name` must match `^[a-z0-9-_]+$`");
    }
    if fm.get("kind").is_some_and(|k| k != "local") {
        v.add("`kind` must be `local`");
    }
    v.tools(&fm, "tools", GEMINI_TOOLS, Some("^mcp_[^_]+_.+$"));
    if let Some(t) = fm.get("temperature")
        && !t.as_f64().is_some_and(|t| (0.0..=2.0).contains(&t))
    {
        v.add("`temperature` must be a number from 0 to 2");
    }
    for key in ["max_turns", "timeout_mins"] {
        if fm
            .get(key)
            .is_some_and(|n| n.as_u64().is_none_or(|n| n == 0))
        {
            v.add(format!("`{key}` must be a positive integer"));
        }
    }
}

const QWEN_KEYS: &[&str] = &[
    "name",
    "description",
    "tools",
    "disallowedTools",
    "model",
    "color",
    "approvalMode",
    "permissionMode",
    "maxTurns",
    "background",
    "mcpServers",
    "hooks",
    "runConfig",
];
const QWEN_TOOLS: &[&str] = &[
    "read_file",
    "write_file",
    "edit",
    "exec",
    "run_shell_command",
    "grep_search",
    "glob",
    "list_directory",
    "lsp",
    "web_fetch",
    "web_search",
    "agent",
    "skill",
    "todo_write",
    "save_memory",
    "ask_user_question",
    "exit_plan_mode",
];
const QWEN_COLORS: &[&str] = &[
    "red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan", "auto",
];
const QWEN_RESERVED: &[&str] = &[
    "self", "system", "user", "model", "tool", "config", "default", "main",
];

fn qwen(v: &mut Problems, path: &str, content: &str) {
    v.path(path, r"^\.qwen/agents/[^/]+\.md$");
    let Some((fm, body)) = frontmatter(v, content) else {
        return;
    };
    v.keys(&fm, QWEN_KEYS, &["name", "description"]);
    let name = fm.get("name").and_then(Value::as_str).unwrap_or_default();
    if !matches("^[A-Za-z0-9][A-Za-z0-9_-]{0,48}[A-Za-z0-9]$", name)
        || QWEN_RESERVED.contains(&name.to_lowercase().as_str())
    {
        v.add(format!("name `{name}` breaks Qwen's name rules"));
    }
    if body.trim().chars().count() < 10 {
        v.add("the prompt is under 10 characters");
    }
    v.tools(&fm, "tools", QWEN_TOOLS, Some("^mcp__.+__.+$"));
    v.tools(&fm, "disallowedTools", QWEN_TOOLS, Some("^mcp__.+__.+$"));
    if fm
        .get("tools")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        v.add("an empty `tools` list gives every tool in Qwen");
    }
    if let Some(c) = fm.get("color")
        && !c.as_str().is_some_and(|c| QWEN_COLORS.contains(&c))
    {
        v.add(format!("colour {c} would be dropped by Qwen"));
    }
}

fn codex(v: &mut Problems, path: &str, content: &str) {
    v.path(path, r"^\.codex/agents/[^/]+\.toml$");
    let map = match toml::from_str::<Value>(content) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return v.add("not a TOML table"),
        Err(e) => return v.add(format!("not TOML: {}", e.message())),
    };
    let allowed = [
        "name",
        "description",
        "developer_instructions",
        "model",
        "model_reasoning_effort",
        "sandbox_mode",
    ];
    v.keys(
        &map,
        &allowed,
        &["name", "description", "developer_instructions"],
    );
    if let Some(s) = map.get("sandbox_mode")
        && !s
            .as_str()
            .is_some_and(|s| ["read-only", "workspace-write"].contains(&s))
    {
        v.add(format!(
            "`sandbox_mode` is {s}, not `read-only` or `workspace-write`"
        ));
    }
    v.string(&map, "model");
}

fn cursor(v: &mut Problems, path: &str, content: &str) {
    v.path(path, r"^\.cursor/agents/[^/]+\.md$");
    let Some((fm, _)) = frontmatter(v, content) else {
        return;
    };
    // Cursor's loader is not YAML: it splits each frontmatter line at its first
    // colon and keeps the rest, trimmed. What it reads must be what YAML reads.
    let lines = content["---\n".len()..]
        .split("\n---")
        .next()
        .unwrap_or_default();
    let mut seen = 0;
    for line in lines
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim().starts_with('#'))
    {
        let Some((key, raw)) = line.split_once(':') else {
            v.add(format!(
                "frontmatter line `{line}` has no colon: Cursor drops it"
            ));
            continue;
        };
        let (key, raw) = (key.trim().to_lowercase(), raw.trim());
        let yaml = match fm.get(&key) {
            Some(Value::String(s)) => s.clone(),
            // A number or a boolean: the text is its spelling either way (`0.`
            // and `0.0` are one number to YAML).
            Some(Value::Bool(_) | Value::Number(_) | Value::Null) => {
                seen += 1;
                continue;
            }
            Some(other) => {
                v.add(format!(
                    "`{key}` is {other}, which Cursor reads as the text `{raw}`"
                ));
                continue;
            }
            None => {
                v.add(format!("frontmatter line `{line}` is no key of the YAML"));
                continue;
            }
        };
        seen += 1;
        if raw != yaml {
            v.add(format!(
                "Cursor reads `{key}` as `{raw}`; YAML reads `{yaml}`"
            ));
        }
    }
    if seen != fm.len() {
        v.add("a frontmatter value spans more than one line: Cursor reads one line a key");
    }
    v.keys(
        &fm,
        &["name", "description", "model", "readonly", "is_background"],
        &["name", "description"],
    );
    for key in ["readonly", "is_background"] {
        if fm.get(key).is_some_and(|b| !b.is_boolean()) {
            v.add(format!("`{key}` must be a boolean"));
        }
    }
    v.string(&fm, "model");
}

const KIRO_KEYS: &[&str] = &[
    "$schema",
    "name",
    "description",
    "prompt",
    "tools",
    "allowedTools",
    "model",
    "resources",
    "mcpServers",
    "toolAliases",
    "toolsSettings",
    "hooks",
    "useLegacyMcpJson",
];
const KIRO_TOOLS: &[&str] = &[
    "*",
    "read",
    "write",
    "shell",
    "grep",
    "glob",
    "web_fetch",
    "web_search",
    "todo_list",
    "aws",
    "knowledge",
    "introspect",
];

fn kiro(v: &mut Problems, path: &str, content: &str) {
    v.path(path, r"^\.kiro/agents/[^/]+\.json$");
    let map = match serde_json::from_str::<Value>(content) {
        Ok(Value::Object(map)) => map,
        Ok(_) => return v.add("not a JSON object"),
        Err(e) => return v.add(format!("not JSON: {e}")),
    };
    v.keys(&map, KIRO_KEYS, &["name"]);
    v.tools(&map, "tools", KIRO_TOOLS, Some("^@[^/]+(/.+)?$"));
    v.tools(&map, "allowedTools", KIRO_TOOLS, Some("^@[^/]+(/.+)?$"));
    v.string(&map, "model");
}

const ROO_KEYS: &[&str] = &[
    "slug",
    "name",
    "roleDefinition",
    "whenToUse",
    "customInstructions",
    "groups",
    "description",
    "source",
];
// Roo Code 3.52 (@roo-code/types 1.115.0): `browser` was removed in February 2026
// and is stripped without a word; `modes` switches modes and starts subtasks.
const ROO_GROUPS: &[&str] = &["read", "edit", "command", "mcp", "modes"];
/// Roo's built-in modes: a custom mode of one of these slugs replaces it (and
/// Kilo Code skips it).
const ROO_BUILTIN_MODES: &[&str] = &["code", "architect", "ask", "debug", "orchestrator"];

fn roo(v: &mut Problems, path: &str, content: &str) {
    v.path(path, r"^\.roomodes$");
    let doc = match agentc::support::yaml::parse(content) {
        Ok(doc) => doc,
        Err(e) => return v.add(format!("not YAML: {}", e.message)),
    };
    let Some(modes) = doc.get("customModes").and_then(Value::as_array) else {
        return v.add("no `customModes` list");
    };
    let mut slugs = Vec::new();
    for mode in modes {
        let Some(m) = mode.as_object() else {
            v.add("a mode is not a mapping");
            continue;
        };
        v.keys(m, ROO_KEYS, &["slug", "name", "roleDefinition", "groups"]);
        let slug = m.get("slug").and_then(Value::as_str).unwrap_or_default();
        if !matches("^[a-zA-Z0-9-]+$", slug) {
            v.add(format!("slug `{slug}` must match `^[a-zA-Z0-9-]+$`"));
        }
        if slugs.contains(&slug) {
            v.add(format!("slug `{slug}` appears twice"));
        }
        if ROO_BUILTIN_MODES.contains(&slug) {
            v.add(format!("slug `{slug}` replaces Roo's built-in mode"));
        }
        slugs.push(slug);
        v.tools(m, "groups", ROO_GROUPS, None);
    }
}

/// A non-empty prompt after the frontmatter (Cline and Factory refuse an empty one).
fn prompt(v: &mut Problems, body: &str) {
    if body.trim().is_empty() {
        v.add("the prompt is empty");
    }
}

/// `key`, when present, is `true` or `false`.
fn boolean(v: &mut Problems, map: &Map<String, Value>, key: &str) {
    if map.get(key).is_some_and(|b| !b.is_boolean()) {
        v.add(format!("`{key}` must be a boolean"));
    }
}

const ANTIGRAVITY_KEYS: &[&str] = &[
    "name",
    "description",
    "tools",
    "model",
    "mainAgent",
    "subagent",
    "commandExecutionPolicy",
    "mcpServers",
    "skills",
    "plugins",
];
const ANTIGRAVITY_TOOLS: &[&str] = &[
    "view_file",
    "write_to_file",
    "replace_file_content",
    "multi_replace_file_content",
    "run_command",
    "grep_search",
    "find_by_name",
    "list_dir",
    "read_url_content",
    "search_web",
];

fn antigravity(v: &mut Problems, path: &str, content: &str) {
    v.path(path, r"^\.agents/agents/[^/]+\.md$");
    let Some((fm, _)) = frontmatter(v, content) else {
        return;
    };
    v.keys(&fm, ANTIGRAVITY_KEYS, &["name", "description"]);
    v.tools(&fm, "tools", ANTIGRAVITY_TOOLS, None);
    if let Some(m) = fm.get("model")
        && !m
            .as_str()
            .is_some_and(|m| ["inherit", "flash", "pro"].contains(&m))
    {
        v.add(format!("model {m} is not inherit, flash or pro"));
    }
    boolean(v, &fm, "subagent");
    boolean(v, &fm, "mainAgent");
}

const AUGMENT_KEYS: &[&str] = &[
    "name",
    "description",
    "model",
    "color",
    "tools",
    "disabled_tools",
];
const AUGMENT_TOOLS: &[&str] = &[
    "view",
    "save-file",
    "str-replace-editor",
    "remove-files",
    "launch-process",
    "read-process",
    "write-process",
    "kill-process",
    "list-processes",
    "grep-search",
    "codebase-retrieval",
    "web-fetch",
    "web-search",
    "view_tasklist",
    "add_tasks",
    "update_tasks",
    "reorganize_tasklist",
    "sub-agent",
];
const AUGMENT_COLORS: &[&str] = &[
    "red", "blue", "green", "yellow", "orange", "purple", "pink", "cyan",
];

fn augment(v: &mut Problems, path: &str, content: &str) {
    v.path(path, r"^\.augment/agents/[^/]+\.md$");
    let Some((fm, _)) = frontmatter(v, content) else {
        return;
    };
    v.keys(&fm, AUGMENT_KEYS, &["name", "description"]);
    let name = fm.get("name").and_then(Value::as_str).unwrap_or_default();
    if !matches("^[a-zA-Z0-9_-]+$", name) {
        v.add(format!("Auggie would rewrite the name `{name}`"));
    }
    v.tools(&fm, "tools", AUGMENT_TOOLS, None);
    v.tools(&fm, "disabled_tools", AUGMENT_TOOLS, None);
    if fm
        .get("tools")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        v.add("an empty `tools` list gives every tool in Auggie");
    }
    if fm.contains_key("tools") && fm.contains_key("disabled_tools") {
        v.add("Auggie ignores `disabled_tools` beside `tools`");
    }
    if let Some(c) = fm.get("color")
        && !c.as_str().is_some_and(|c| AUGMENT_COLORS.contains(&c))
    {
        v.add(format!("colour {c} is not one Auggie shows"));
    }
    v.string(&fm, "model");
}

const CLINE_KEYS: &[&str] = &[
    "name",
    "description",
    "tools",
    "skills",
    "providerId",
    "modelId",
    "maxIterations",
];
const CLINE_TOOLS: &[&str] = &[
    "read_files",
    "search_codebase",
    "run_commands",
    "fetch_web_content",
    "apply_patch",
    "editor",
    "skills",
    "ask_question",
    "submit_and_exit",
];

fn cline(v: &mut Problems, path: &str, content: &str) {
    v.path(path, r"^\.cline/agents/[^/]+\.ya?ml$");
    let Some((fm, body)) = frontmatter(v, content) else {
        return;
    };
    v.keys(&fm, CLINE_KEYS, &["name", "description"]);
    v.tools(&fm, "tools", CLINE_TOOLS, None);
    v.string(&fm, "providerId");
    v.string(&fm, "modelId");
    if fm.contains_key("providerId") != fm.contains_key("modelId") {
        v.add("`providerId` and `modelId` go together");
    }
    if fm
        .get("maxIterations")
        .is_some_and(|n| n.as_u64().is_none_or(|n| n == 0))
    {
        v.add("`maxIterations` must be a positive integer");
    }
    prompt(v, &body);
}

const DEVIN_KEYS: &[&str] = &[
    "name",
    "description",
    "model",
    "allowed-tools",
    "tools",
    "max-nesting",
];
const DEVIN_TOOLS: &[&str] = &["read", "write", "edit", "grep", "glob", "exec"];

fn devin(v: &mut Problems, path: &str, content: &str) {
    v.path(path, r"^\.devin/agents/[^/]+/AGENT\.md$");
    let Some((fm, _)) = frontmatter(v, content) else {
        return;
    };
    v.keys(&fm, DEVIN_KEYS, &["name", "description"]);
    v.tools(&fm, "allowed-tools", DEVIN_TOOLS, Some("^mcp__.+__.+$"));
    v.string(&fm, "model");
    if fm.get("max-nesting").is_some_and(|n| n.as_u64().is_none()) {
        v.add("`max-nesting` must be a whole number");
    }
    let folder = path.split('/').nth(2).unwrap_or_default();
    if fm.get("name").and_then(Value::as_str) != Some(folder) {
        v.add(format!("name is not the folder's, `{folder}`"));
    }
}

const FACTORY_KEYS: &[&str] = &[
    "name",
    "description",
    "model",
    "reasoningEffort",
    "tools",
    "mcpServers",
];
const FACTORY_TOOLS: &[&str] = &[
    "Read",
    "LS",
    "Grep",
    "Glob",
    "Create",
    "Edit",
    "ApplyPatch",
    "Execute",
    "AskUser",
    "WebSearch",
    "FetchUrl",
    "Task",
    "TodoWrite",
    "Skill",
];
const FACTORY_CATEGORIES: &[&str] = &["read-only", "edit", "execute", "web", "mcp"];

fn factory(v: &mut Problems, path: &str, content: &str) {
    v.path(path, r"^\.factory/droids/[^/]+\.md$");
    let Some((fm, body)) = frontmatter(v, content) else {
        return;
    };
    v.keys(&fm, FACTORY_KEYS, &["name"]);
    let name = fm.get("name").and_then(Value::as_str).unwrap_or_default();
    if !matches("^[a-z0-9_-]+$", name) {
        v.add(format!("droid name `{name}` is not `^[a-z0-9-_]+$`"));
    }
    match fm.get("tools") {
        Some(Value::String(c)) if !FACTORY_CATEGORIES.contains(&c.as_str()) => {
            v.add(format!("`tools: {c}` is not a tool category"))
        }
        Some(Value::Array(list)) if list.is_empty() => {
            v.add("an empty `tools` list is refused (at least one tool)")
        }
        Some(Value::String(_)) | None => {}
        Some(_) => v.tools(&fm, "tools", FACTORY_TOOLS, None),
    }
    v.string(&fm, "model");
    prompt(v, &body);
}

fn goose(v: &mut Problems, path: &str, content: &str) {
    v.path(path, r"^\.goose/agents/[^/]+\.md$");
    let Some((fm, _)) = frontmatter(v, content) else {
        return;
    };
    v.keys(
        &fm,
        &["name", "description", "model"],
        &["name", "description"],
    );
    v.string(&fm, "model");
}

const JUNIE_KEYS: &[&str] = &[
    "name",
    "description",
    "tools",
    "disallowedTools",
    "mcpServers",
    "model",
    "reasoningLevel",
    "maxTurns",
    "skills",
    "allowPromptArgument",
];
const JUNIE_TOOLS: &[&str] = &[
    "Read",
    "Bash",
    "Glob",
    "Grep",
    "Write",
    "Edit",
    "WebSearch",
    "AskUserQuestion",
];

fn junie(v: &mut Problems, path: &str, content: &str) {
    v.path(path, r"^\.junie/agents/[^/]+\.md$");
    let Some((fm, _)) = frontmatter(v, content) else {
        return;
    };
    v.keys(&fm, JUNIE_KEYS, &["description"]);
    if let Some(n) = fm.get("name")
        && !n.as_str().is_some_and(|n| matches("^[a-z][a-z0-9-]*$", n))
    {
        v.add(format!("name {n} is not `[a-z][a-z0-9-]*`"));
    }
    v.tools(&fm, "tools", JUNIE_TOOLS, None);
    v.tools(&fm, "disallowedTools", JUNIE_TOOLS, None);
    if fm
        .get("tools")
        .and_then(Value::as_array)
        .is_some_and(Vec::is_empty)
    {
        v.add("an empty `tools` list gives every tool group in Junie");
    }
    v.string(&fm, "model");
    boolean(v, &fm, "allowPromptArgument");
}

/// The frontmatter keys Claude Code 2.1 reads in a plugin's agent (what it does
/// not, it logs as a key it "does not recognize"; measured with extra-clients.sh).
const CLAUDE_PLUGIN_KEYS: &[&str] = &[
    "name",
    "description",
    "tools",
    "disallowedTools",
    "model",
    "maxTurns",
    "skills",
    "memory",
    "background",
    "effort",
    "isolation",
    "color",
    "initialPrompt",
];

/// The keys Claude Code 2.1 reads in a project's agent: a plugin's, and the
/// three a plugin's agents may not set.
pub fn claude_keys() -> impl Iterator<Item = &'static str> {
    let project_only = ["permissionMode", "mcpServers", "hooks"];
    CLAUDE_PLUGIN_KEYS.iter().copied().chain(project_only)
}
const CLAUDE_COLORS: &[&str] = &[
    "red", "blue", "green", "yellow", "purple", "orange", "pink", "cyan",
];

/// A kebab-case plugin or marketplace name.
fn kebab(v: &mut Problems, what: &str, name: Option<&Value>) {
    if !name
        .and_then(Value::as_str)
        .is_some_and(|n| matches("^[a-z0-9]+(-[a-z0-9]+)*$", n))
    {
        v.add(format!("{what} name {name:?} is not kebab-case"));
    }
}

/// A Claude Code plugin: agents in Claude Code's format (never hooks, mcpServers
/// or permissionMode), its `plugin.json`, and the marketplace that lists it.
fn claude_plugin(v: &mut Problems, path: &str, content: &str) {
    if path == ".claude-plugin/marketplace.json" {
        let doc: Map<String, Value> = match serde_json::from_str(content) {
            Ok(Value::Object(m)) => m,
            _ => return v.add("marketplace.json is not a JSON object"),
        };
        kebab(v, "marketplace", doc.get("name"));
        if !doc
            .get("owner")
            .and_then(|o| o.get("name"))
            .is_some_and(Value::is_string)
        {
            v.add("the marketplace needs `owner.name`");
        }
        let plugins = doc.get("plugins").and_then(Value::as_array);
        if plugins.is_none_or(Vec::is_empty) {
            v.add("the marketplace lists no plugin");
        }
        for p in plugins.into_iter().flatten() {
            kebab(v, "plugin", p.get("name"));
            let source = p.get("source").and_then(Value::as_str).unwrap_or_default();
            if !matches(r"^\./plugins/[a-z0-9-]+$", source) {
                v.add(format!(
                    "plugin source `{source}` is not `./plugins/<name>`"
                ));
            }
        }
        return;
    }
    if path.ends_with("/.claude-plugin/plugin.json") {
        v.path(path, r"^plugins/[a-z0-9-]+/\.claude-plugin/plugin\.json$");
        let doc: Map<String, Value> = match serde_json::from_str(content) {
            Ok(Value::Object(m)) => m,
            _ => return v.add("plugin.json is not a JSON object"),
        };
        kebab(v, "plugin", doc.get("name"));
        let folder = path.split('/').nth(1);
        if doc.get("name").and_then(Value::as_str) != folder {
            v.add("the plugin's name is not its folder's");
        }
        return;
    }
    v.path(path, r"^plugins/[a-z0-9-]+/agents/[^/]+\.md$");
    let Some((fm, _)) = frontmatter(v, content) else {
        return;
    };
    v.keys(&fm, CLAUDE_PLUGIN_KEYS, &["name", "description"]);
    for key in ["tools", "disallowedTools"] {
        if fm
            .get(key)
            .is_some_and(|t| t.as_str().is_none_or(|t| t.is_empty()))
        {
            v.add(format!(
                "`{key}` must be a non-empty comma-separated string"
            ));
        }
    }
    if let Some(c) = fm.get("color")
        && !c.as_str().is_some_and(|c| CLAUDE_COLORS.contains(&c))
    {
        v.add(format!("colour {c} is not one Claude Code shows"));
    }
    let yaml = content.split("\n---\n").next().unwrap_or_default();
    if yaml
        .lines()
        .skip(1)
        .any(|l| l.trim_start().starts_with("---"))
    {
        v.add("a `---` line inside the frontmatter ends Claude Code's split early");
    }
}

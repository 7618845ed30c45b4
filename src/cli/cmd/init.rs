//! `agentc init` (a project: agentc.toml, the spec schema, one example agent)
//! and `agentc new NAME` (one starter spec).

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::cli::NewArgs;
use crate::cli::ui::{Exit, Ui, out};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::workspace::relative_to;

const STARTER: &str = r#"#:schema ../agentc.schema.json
name = "{name}"
description = """
Use this agent when … (say when a coordinator should delegate to it).
"""
# model = "balanced"          # inherit | fast | balanced | powerful | haiku | sonnet | opus | an id
# tools = ["Read", "Grep", "Glob"]

role = """
You are …
"""

triggers = [
  "…",
]

[boundaries]
will = ["… (what it does)"]
will_not = ["… (what it leaves to others)"]
"#;

pub fn new(ui: &Ui, cwd: &Path, args: &NewArgs) -> Result<Exit> {
    if !crate::spec::is_valid_name(&args.name) {
        let d = Diagnostic::error(Code::InvalidName, format!("invalid agent name `{}`", args.name))
            .help("names are lower-case letters, digits, `.`, `_` and `-`, starting with a letter or digit");
        return fail(ui, d);
    }
    let dir = match &args.dir {
        Some(dir) => cwd.join(dir),
        None => match spec_folder(cwd) {
            Ok(dir) => dir,
            Err(d) => return fail(ui, d),
        },
    };
    let path = dir.join(format!("{}.toml", args.name));
    if let Err(d) = create_new(&path, &STARTER.replace("{name}", &args.name)) {
        return fail(ui, d);
    }
    let shown = relative_to(&path, cwd);
    ui.summary(&format!(
        "created {}; edit it, then run `agentc build`",
        shown.display()
    ));
    created_json(ui, &[shown.display().to_string()])
}

/// Where `new` puts a spec: the project's first `sources` folder (a folder the
/// build reads, so the new agent is built), else `agents/`.
fn spec_folder(cwd: &Path) -> Result<PathBuf, Diagnostic> {
    let project = crate::project::Project::discover(cwd).map_err(|mut d| d.0.remove(0))?;
    let folder = project
        .config
        .sources
        .iter()
        .find(|s| s.extension().is_none_or(|e| e != "toml"))
        .map(|s| project.path(s));
    folder.ok_or_else(|| {
        Diagnostic::error(
            Code::Usage,
            "agentc.toml's `sources` names no folder to create the spec in",
        )
        .help("pass `--dir FOLDER`, or add a folder to `sources`")
    })
}

fn fail(ui: &Ui, d: Diagnostic) -> Result<Exit> {
    let d = Diagnostics(vec![d]);
    ui.diagnostics(&d);
    ui.fail_json(&d);
    Ok(1)
}

/// With `--format json`, what was created.
fn created_json(ui: &Ui, created: &[String]) -> Result<Exit> {
    if ui.json() {
        out(&format!(
            "{}\n",
            serde_json::json!({ "ok": true, "created": created })
        ))?;
    }
    Ok(0)
}

/// Writes a new file; an error when it exists or cannot be written.
fn create_new(path: &Path, text: &str) -> Result<(), Diagnostic> {
    if path.exists() {
        return Err(Diagnostic::error(
            Code::Exists,
            format!("`{}` already exists", path.display()),
        )
        .help("choose another name, or edit it"));
    }
    crate::support::fs::atomic_write(path, text.as_bytes())
}

const INIT_CONFIG: &str = r#"# agentc project file; `agentc --help` lists the commands.
sources = ["agents"]
out_dir = "dist"
# layout = "native"               # write where each tool reads its agents
# targets = ["claude", "gpt"]     # default: every target (`agentc targets` lists them)
# strict = true                   # translation warnings are errors

# Per-target options:
# [target.llama]
# wrap = "modelfile"              # none | llama3 | llama4 | modelfile

# Budgets per target, for `agentc stats` and the lint rule `over-budget`:
# [budget.gpt]
# max_tokens = 4000               # exact for gpt (o200k_base), estimated for the others
# max_chars = 16000
"#;

pub fn init(ui: &Ui, cwd: &Path) -> Result<Exit> {
    let config = cwd.join(crate::project::FILE_NAME);
    if let Err(d) = create_new(&config, INIT_CONFIG) {
        return fail(ui, d);
    }
    let mut created = vec![crate::project::FILE_NAME.to_string()];
    // The schema the specs' `#:schema` line names, for taplo / Even Better TOML.
    let schema = cwd.join("agentc.schema.json");
    if !schema.exists() {
        let text = format!(
            "{}\n",
            serde_json::to_string_pretty(&crate::spec::json_schema())?
        );
        if let Err(d) = create_new(&schema, &text) {
            return fail(ui, d);
        }
        created.push("agentc.schema.json".to_string());
    }
    let example = cwd.join("agents").join("example.toml");
    if !example.exists() {
        if let Err(d) = create_new(&example, &STARTER.replace("{name}", "example")) {
            return fail(ui, d);
        }
        created.push(relative_to(&example, cwd).display().to_string());
    }
    ui.summary(&format!(
        "created {}; next: `agentc new NAME` or `agentc build`",
        created.join(", ")
    ));
    created_json(ui, &created)
}

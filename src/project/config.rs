//! `agentc.toml`: found by walking up from the working directory; sets the
//! sources, output folder, layout, targets and per-target options of a project.
//! Command-line flags win over it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::artifact::Layout;
use crate::diag::span::{self, Key};
use crate::diag::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::spec::Table;
use crate::target::Registry;

pub const FILE_NAME: &str = "agentc.toml";

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Spec files or folders, relative to the project root.
    #[serde(default = "default_sources")]
    pub sources: Vec<PathBuf>,
    /// Output folder of the `dist` layout, relative to the project root.
    #[serde(default = "default_out")]
    pub out_dir: PathBuf,
    #[serde(default)]
    pub layout: Layout,
    /// Targets built when no `-t` is given (default: every target with `default = true`).
    #[serde(default)]
    pub targets: Option<Vec<String>>,
    /// Translation warnings are errors.
    #[serde(default)]
    pub strict: bool,
    /// Per-target options: `[target.llama] wrap = "modelfile"`.
    #[serde(default)]
    pub target: BTreeMap<String, Table>,
    /// Lint levels: `[lint] empty-role = "deny"`.
    #[serde(default)]
    pub lint: BTreeMap<String, crate::lint::Level>,
    /// Per-target budgets: `[budget.gpt] max_tokens = 4000`.
    #[serde(default)]
    pub budget: BTreeMap<String, crate::lint::budget::Budget>,
    /// Losses the project knows of and accepts, per target: `[accept]
    /// dropped-field = ["codex"]` (or `["*"]`, every target). Their translation
    /// warnings are counted, not printed, and `--strict` lets them pass.
    #[serde(default)]
    pub accept: Accept,
}

pub use crate::diag::Accept;

fn default_sources() -> Vec<PathBuf> {
    vec![PathBuf::from("agents")]
}

fn default_out() -> PathBuf {
    PathBuf::from("dist")
}

impl Default for Config {
    fn default() -> Self {
        Config {
            sources: default_sources(),
            out_dir: default_out(),
            layout: Layout::Dist,
            targets: None,
            strict: false,
            target: BTreeMap::new(),
            lint: BTreeMap::new(),
            budget: BTreeMap::new(),
            accept: BTreeMap::new(),
        }
    }
}

/// A project: its root folder and its configuration.
#[derive(Debug, Clone)]
pub struct Project {
    pub root: PathBuf,
    /// The `agentc.toml` read, if any, and its text.
    pub file: Option<PathBuf>,
    pub text: Option<Arc<str>>,
    pub config: Config,
}

impl Project {
    /// Walks up from `start` to the first folder holding `agentc.toml`; without
    /// one, `start` is the root and the defaults apply.
    pub fn discover(start: &Path) -> Result<Project, Diagnostics> {
        for dir in start.ancestors() {
            let file = dir.join(FILE_NAME);
            if file.exists() {
                let (text, config) = read(&file)?;
                return Ok(Project {
                    root: dir.to_path_buf(),
                    file: Some(file),
                    text: Some(text),
                    config,
                });
            }
        }
        Ok(Project {
            root: start.to_path_buf(),
            file: None,
            text: None,
            config: Config::default(),
        })
    }

    /// A path from the config, made relative to the project root.
    pub fn path(&self, p: &Path) -> PathBuf {
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.root.join(p)
        }
    }
}

fn read(file: &Path) -> Result<(Arc<str>, Config), Diagnostics> {
    let text = crate::support::fs::read_text(file).map_err(|d| Diagnostics(vec![d]))?;
    let source: Arc<str> = Arc::from(text.as_str());
    let config = toml::from_str::<Config>(&text).map_err(|e| {
        let mut d = Diagnostic::error(Code::InvalidConfig, e.message().trim().to_string()).at(file);
        if let Some(span) = e.span() {
            d = d.span(&source, span);
        }
        if let Some(key) = e
            .message()
            .strip_prefix("unknown field `")
            .and_then(|r| r.split('`').next())
        {
            let known = [
                "sources",
                "out_dir",
                "layout",
                "targets",
                "strict",
                "target",
                "lint",
                "budget",
                "max_tokens",
                "max_chars",
            ];
            if let Some(s) = did_you_mean(key, known) {
                d = d.help(format!("did you mean `{s}`?"));
            }
        }
        Diagnostics(vec![d])
    })?;
    Ok((source, config))
}

/// Checks the targets and target options `agentc.toml` names against the known
/// targets, and its `out_dir` against the project, each problem pointing at its
/// line (a typo would otherwise be ignored).
pub fn check_targets(project: &Project, registry: &Registry) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let (Some(file), Some(text)) = (&project.file, &project.text) else {
        return diags;
    };
    if let Some(problem) = out_dir_problem(&project.config) {
        let d = Diagnostic::error(Code::InvalidConfig, problem).help(
            "name a folder of its own inside the project, e.g. `out_dir = \"dist\"` (`-o` writes anywhere)",
        );
        diags.push(span::point(d, file, text, &[Key::K("out_dir")]));
    }
    let mut report = |d: Diagnostic, at: &[Key], known: Vec<&str>, given: &str| {
        let mut d = span::point(d, file, text, at);
        if let Some(s) = did_you_mean(given, known) {
            d = d.help(format!("did you mean `{s}`?"));
        }
        diags.push(d);
    };
    for (i, name) in project.config.targets.iter().flatten().enumerate() {
        if registry.get(name).is_none() {
            let d = Diagnostic::error(Code::UnknownTarget, format!("unknown target `{name}`"));
            report(
                d,
                &[Key::K("targets"), Key::I(i)],
                registry.names().collect(),
                name,
            );
        }
    }
    for (loss, targets) in &project.config.accept {
        let at = [Key::K("accept"), Key::K(loss.as_str())];
        if *loss == crate::diag::Loss::AllTools {
            let d = Diagnostic::error(
                Code::InvalidConfig,
                "`all-tools` cannot be accepted: an agent whose tools became every tool has more permissions than its spec gives",
            )
            .help("give the agent `[targets.<name>] skip = true`, or a tools list the target can express");
            report(d, &at, Vec::new(), "");
            continue;
        }
        for (i, name) in targets.iter().enumerate() {
            if name != "*" && registry.get(name).is_none() {
                let d = Diagnostic::error(
                    Code::UnknownTarget,
                    format!("`[accept] {loss}` names an unknown target `{name}`"),
                );
                let at = [Key::K("accept"), Key::K(loss.as_str()), Key::I(i)];
                report(d, &at, registry.names().collect(), name);
            }
        }
    }
    for (name, options) in &project.config.target {
        let Some(target) = registry.get(name) else {
            let d = Diagnostic::error(
                Code::UnknownTarget,
                format!("`[target.{name}]` names an unknown target"),
            );
            report(
                d,
                &[Key::K("target"), Key::K(name)],
                registry.names().collect(),
                name,
            );
            continue;
        };
        for (key, value) in options {
            let at = [Key::K("target"), Key::K(name), Key::K(key)];
            let known: Vec<&str> = target.options.keys().map(String::as_str).collect();
            match target.options.get(key) {
                None => {
                    let msg = format!("target `{name}` has no option `{key}`");
                    report(Diagnostic::error(Code::UnknownOption, msg), &at, known, key);
                }
                Some(default)
                    if std::mem::discriminant(value) != std::mem::discriminant(default) =>
                {
                    let msg = format!(
                        "option `{key}` of target `{name}` must be a {}",
                        default.type_str()
                    );
                    report(
                        Diagnostic::error(Code::OptionType, msg),
                        &at,
                        Vec::new(),
                        key,
                    );
                }
                Some(_) => {
                    if let Err(msg) = target.check_option(key, value) {
                        report(
                            Diagnostic::error(Code::OptionValue, msg),
                            &at,
                            Vec::new(),
                            key,
                        );
                    }
                }
            }
        }
    }
    diags
}

/// What is wrong with `out_dir`, if anything: the dist layout's output root
/// must be a folder inside the project (never `/`, `..`, an absolute path or the
/// project root itself), and outside every source folder, whose `.toml` files
/// are read as specs (codex writes `.toml` files).
fn out_dir_problem(config: &Config) -> Option<String> {
    use std::path::Component;
    let out = &config.out_dir;
    let shown = out.display();
    let plain = out
        .components()
        .all(|c| matches!(c, Component::Normal(_) | Component::CurDir));
    if !plain {
        return Some(format!(
            "`out_dir = \"{shown}\"` leaves the project: it must be a relative path without `..`"
        ));
    }
    let norm = |p: &Path| -> PathBuf {
        p.components()
            .filter(|c| matches!(c, Component::Normal(_)))
            .collect()
    };
    let out = norm(out);
    if out.as_os_str().is_empty() {
        return Some(format!(
            "`out_dir = \"{shown}\"` is the project root: it must be a folder of its own"
        ));
    }
    for source in &config.sources {
        if source.is_absolute() || source.components().any(|c| c == Component::ParentDir) {
            continue;
        }
        let src = norm(source);
        if out.starts_with(&src) || src.starts_with(&out) {
            return Some(format!(
                "`out_dir = \"{shown}\"` overlaps the source folder `{}`: outputs would be read back as specs",
                source.display()
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_without_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = Project::discover(dir.path()).unwrap();
        assert!(p.file.is_none());
        assert_eq!(p.config.sources, [PathBuf::from("agents")]);
    }

    #[test]
    fn found_by_walking_up() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            "out_dir = \"out\"\n[target.llama]\nwrap = \"modelfile\"\n",
        )
        .unwrap();
        let sub = dir.path().join("a/b");
        std::fs::create_dir_all(&sub).unwrap();
        let p = Project::discover(&sub).unwrap();
        assert_eq!(p.root, dir.path());
        assert_eq!(p.config.out_dir, PathBuf::from("out"));
        assert_eq!(p.config.target["llama"]["wrap"].as_str(), Some("modelfile"));
    }

    #[test]
    fn unknown_key_is_an_error_with_help() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(FILE_NAME), "outdir = \"x\"\n").unwrap();
        let err = Project::discover(dir.path()).unwrap_err();
        assert_eq!(err.0[0].line_col(), Some((1, 1)));
        assert_eq!(err.0[0].help.as_deref(), Some("did you mean `out_dir`?"));
    }

    #[test]
    fn budget_tables_are_read_and_checked() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(FILE_NAME);
        std::fs::write(&file, "[budget.gpt]\nmax_tokens = 10\n").unwrap();
        let p = Project::discover(dir.path()).unwrap();
        assert_eq!(p.config.budget["gpt"].max_tokens, Some(10));
        std::fs::write(&file, "[budget.gpt]\nmax_token = 10\n").unwrap();
        let err = Project::discover(dir.path()).unwrap_err();
        assert_eq!(err.0[0].line_col(), Some((2, 1)));
        assert_eq!(err.0[0].help.as_deref(), Some("did you mean `max_tokens`?"));
    }
}

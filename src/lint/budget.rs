//! Budgets: the most characters and tokens one rendered file may take, per target.
//!
//! Input: `[budget.<target>]` of agentc.toml (`max_tokens`, `max_chars`), the
//! targets' own limits (copilot's `limits.max_body_chars`, built in) and the
//! rendered artifacts. Output: the findings over budget, which `stats` prints
//! (errors under `--strict`) and the `over-budget` lint rule reports. Budgets are
//! measured over the whole file as `build` writes it, so a target's body limit is
//! checked conservatively (frontmatter counts too). Pure.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::artifact::Artifact;
use crate::diag::span::{self, Key};
use crate::diag::{Code, Diagnostic, Diagnostics, Severity, did_you_mean};
use crate::load::SpecTexts;
use crate::support::tokens::{self, GptEncoding, Tokens};
use crate::target::{Registry, Target};

/// `[budget.<target>]` as written in agentc.toml.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Budget {
    /// Most tokens per file (exact for `gpt`, estimated for the others).
    pub max_tokens: Option<usize>,
    /// Most characters (Unicode scalar values) per file.
    pub max_chars: Option<usize>,
}

/// The budget in force for one target.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Limit {
    pub max_tokens: Option<usize>,
    pub max_chars: Option<usize>,
    /// `max_chars` is the target's own limit, not one from agentc.toml.
    pub builtin: bool,
}

/// The budgets in force, by target name.
pub type Budgets = BTreeMap<String, Limit>;

/// The targets' built-in limits with agentc.toml's `[budget.<target>]` over them;
/// every table must name a known target.
pub fn resolve(
    config: &BTreeMap<String, Budget>,
    registry: &Registry,
    config_file: Option<(&Path, &Arc<str>)>,
) -> Result<Budgets, Diagnostics> {
    let mut out = Budgets::new();
    for t in registry.targets.values() {
        if let Some(max) = t.limits.max_body_chars {
            out.insert(
                t.name.clone(),
                Limit {
                    max_chars: Some(max),
                    builtin: true,
                    ..Limit::default()
                },
            );
        }
    }
    let mut diags = Diagnostics::default();
    for (name, b) in config {
        if registry.get(name).is_none() {
            diags.push(unknown_target(name, registry, config_file));
            continue;
        }
        let limit = out.entry(name.clone()).or_default();
        if b.max_chars.is_some() {
            limit.max_chars = b.max_chars;
            limit.builtin = false;
        }
        limit.max_tokens = b.max_tokens.or(limit.max_tokens);
    }
    if diags.is_empty() {
        Ok(out)
    } else {
        Err(diags)
    }
}

fn unknown_target(
    name: &str,
    registry: &Registry,
    config_file: Option<(&Path, &Arc<str>)>,
) -> Diagnostic {
    let mut d = Diagnostic::error(
        Code::UnknownTarget,
        format!("`[budget.{name}]` names an unknown target"),
    );
    if let Some((file, text)) = config_file {
        d = span::point(d, file, text, &[Key::K("budget"), Key::K(name)]);
    }
    match did_you_mean(name, registry.names()) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help("`agentc targets` lists the targets"),
    }
}

/// One file over one of its target's budgets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub agent: String,
    pub target: String,
    pub path: PathBuf,
    /// `characters` or `tokens`.
    pub measure: &'static str,
    pub value: usize,
    pub max: usize,
    /// False when `value` is an estimated token count.
    pub exact: bool,
    /// The limit is the target's own (copilot's body limit), not agentc.toml's.
    pub builtin: bool,
}

impl Finding {
    pub fn message(&self) -> String {
        let approx = if self.exact { "" } else { "~" };
        let estimate = if self.exact { "" } else { " (estimated)" };
        let whose = if self.builtin {
            format!("`{}` takes at most", self.target)
        } else {
            format!("the `{}` budget is", self.target)
        };
        format!(
            "`{}` for `{}` is {approx}{} {}{estimate}; {whose} {}",
            self.agent, self.target, self.value, self.measure, self.max
        )
    }

    pub fn help(&self) -> String {
        let key = if self.measure == "tokens" {
            "max_tokens"
        } else {
            "max_chars"
        };
        if self.builtin {
            format!(
                "shorten the prompt, or skip it with `[targets.{}] skip = true`",
                self.target
            )
        } else {
            format!(
                "shorten the prompt, or raise `[budget.{}] {key}` in agentc.toml",
                self.target
            )
        }
    }

    /// The finding as a diagnostic at the agent's spec, if known.
    pub fn diagnostic(&self, severity: Severity, sources: &SpecTexts) -> Diagnostic {
        let mut d = Diagnostic::warning(Code::OverBudget, self.message())
            .about(&self.agent, &self.target)
            .help(self.help());
        d.severity = severity;
        if let Some((path, source)) = sources.get(&self.agent) {
            d = span::point(d, path, source, &[Key::K("name")]);
        }
        d
    }
}

/// The findings of one file, given its characters and (counted only when a token
/// budget needs them) its tokens.
pub fn check(
    artifact: &Artifact,
    limit: &Limit,
    characters: usize,
    tokens: impl FnOnce() -> Tokens,
) -> Vec<Finding> {
    let finding = |measure, value, max, exact, builtin| Finding {
        agent: artifact.agent.clone(),
        target: artifact.target.clone(),
        path: artifact.path.clone(),
        measure,
        value,
        max,
        exact,
        builtin,
    };
    let mut out = Vec::new();
    if let Some(max) = limit.max_chars.filter(|m| characters > *m) {
        out.push(finding("characters", characters, max, true, limit.builtin));
    }
    if let Some(max) = limit.max_tokens {
        let t = tokens();
        if t.count > max {
            out.push(finding("tokens", t.count, max, t.exact, false));
        }
    }
    out
}

/// The `over-budget` lint rule over rendered artifacts, at `severity`.
pub fn lint(
    artifacts: &[Artifact],
    targets: &[&Target],
    budgets: &Budgets,
    sources: &SpecTexts,
    severity: Severity,
) -> Diagnostics {
    let mut out = Diagnostics::default();
    for a in artifacts {
        let (Some(limit), Some(target)) = (
            budgets.get(&a.target),
            targets.iter().find(|t| t.name == a.target),
        ) else {
            continue;
        };
        let found = check(a, limit, a.content.chars().count(), || {
            tokens::count_with(target.tokenizer, &a.content, GptEncoding::O200kBase)
        });
        for f in found {
            out.push(f.diagnostic(severity, sources));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn artifact(content: &str) -> Artifact {
        Artifact::new("a".into(), "gpt".into(), "gpt/a.md".into(), content.into())
    }

    #[test]
    fn over_each_budget() {
        let limit = Limit {
            max_tokens: Some(1),
            max_chars: Some(5),
            builtin: false,
        };
        let a = artifact("hello world");
        let found = check(&a, &limit, 11, || {
            tokens::count(tokens::Tokenizer::Openai, &a.content)
        });
        let what: Vec<_> = found.iter().map(|f| (f.measure, f.value, f.max)).collect();
        assert_eq!(what, [("characters", 11, 5), ("tokens", 2, 1)]);
        assert_eq!(
            found[1].message(),
            "`a` for `gpt` is 2 tokens; the `gpt` budget is 1"
        );
        let within = check(&a, &Limit::default(), 11, || panic!("no token budget"));
        assert!(within.is_empty());
    }

    #[test]
    fn estimates_and_builtin_limits_say_so() {
        let f = Finding {
            agent: "a".into(),
            target: "copilot".into(),
            path: "copilot/a.agent.md".into(),
            measure: "tokens",
            value: 9,
            max: 8,
            exact: false,
            builtin: false,
        };
        assert_eq!(
            f.message(),
            "`a` for `copilot` is ~9 tokens (estimated); the `copilot` budget is 8"
        );
        let f = Finding {
            measure: "characters",
            builtin: true,
            exact: true,
            ..f
        };
        assert_eq!(
            f.message(),
            "`a` for `copilot` is 9 characters; `copilot` takes at most 8"
        );
    }

    #[test]
    fn resolve_merges_config_over_target_limits() {
        let registry = Registry::load(None).expect("built-in targets");
        let mut cfg = BTreeMap::new();
        cfg.insert(
            "gpt".to_string(),
            Budget {
                max_tokens: Some(100),
                max_chars: None,
            },
        );
        let b = resolve(&cfg, &registry, None).expect("valid");
        assert_eq!(b["copilot"].max_chars, Some(30000));
        assert!(b["copilot"].builtin);
        assert_eq!(b["gpt"].max_tokens, Some(100));
        cfg.insert("claud".to_string(), Budget::default());
        let err = resolve(&cfg, &registry, None).unwrap_err();
        assert_eq!(err.0[0].message, "`[budget.claud]` names an unknown target");
        assert_eq!(err.0[0].help.as_deref(), Some("did you mean `claude`?"));
    }
}

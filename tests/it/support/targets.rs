//! The built-in targets as the registry has them. No list of target names is
//! kept in the tests: each one they need is derived here from target data, so a
//! target file added to `targets/` is covered without a change to a test.
//!
//! - every target: [`all`]; those `build` renders by default: [`built_by_default`];
//! - the prompt targets: `family` set (a model family's prompt, or Claude's own
//!   formats), checked by the golden snapshots and the prompt properties;
//! - the native targets: no `family` (a tool's own file format), checked by
//!   `validate_native` against the tool's rules;
//! - the plain prompts: `metadata = false` (no frontmatter, nothing but the prompt).

use std::sync::LazyLock;

use agentc::target::{Registry, Target};

static REGISTRY: LazyLock<Registry> =
    LazyLock::new(|| Registry::load(None).expect("the built-in targets load"));

/// The built-in targets, by name.
pub fn registry() -> &'static Registry {
    &REGISTRY
}

fn names(keep: impl Fn(&Target) -> bool) -> Vec<&'static str> {
    REGISTRY
        .targets
        .values()
        .filter(|t| keep(t))
        .map(|t| t.name.as_str())
        .collect()
}

/// Every built-in target, in name order.
pub fn all() -> Vec<&'static str> {
    names(|_| true)
}

/// What `build` renders without `-t` or an `agentc.toml` list: `default = true`.
pub fn built_by_default() -> Vec<&'static str> {
    names(|t| t.default)
}

/// The prompt targets: `family` is set.
pub fn prompt() -> Vec<&'static str> {
    names(|t| t.family.is_some())
}

/// The native tool targets: no `family`.
pub fn native() -> Vec<&'static str> {
    names(|t| t.family.is_none())
}

/// The plain prompts: `metadata = false`, so no frontmatter.
pub fn plain() -> Vec<&'static str> {
    names(|t| !t.metadata)
}

/// Whether `name` writes one file for all its agents (`aggregate`).
pub fn is_aggregate(name: &str) -> bool {
    target(name).aggregate.is_some()
}

/// How many files `name` writes once per build (`project_files`), not per agent.
pub fn project_files(name: &str) -> usize {
    target(name).project_files.len()
}

/// The model family of `name`, if it has one.
pub fn family(name: &str) -> Option<&'static str> {
    target(name).family.as_deref()
}

fn target(name: &str) -> &'static Target {
    REGISTRY
        .get(name)
        .unwrap_or_else(|| panic!("no built-in target `{name}`"))
}

/// The file target `t` writes for agent `name` under `dist/`: its `path`
/// pattern rendered with its default options, as `build` does (an aggregate
/// target's one file whatever the name).
pub fn dist_file(t: &str, name: &str) -> String {
    let target = target(t);
    let rel = minijinja::Environment::new()
        .render_str(
            &target.path,
            minijinja::context! { name => name, options => minijinja::Value::from(minijinja::value::Serde(&target.options)) },
        )
        .unwrap_or_else(|e| panic!("the path of `{t}`: {e}"));
    format!("dist/{t}/{}", rel.trim())
}

/// How many targets `build` renders by default.
pub fn count() -> usize {
    built_by_default().len()
}

/// The files a default build writes for `agents` agents, each of which every
/// default target writes: one per agent for each target, one in all for an
/// aggregate target.
pub fn files(agents: usize) -> usize {
    built_by_default()
        .into_iter()
        .map(|t| {
            if is_aggregate(t) {
                usize::from(agents > 0)
            } else {
                agents
            }
        })
        .sum()
}

/// How many default targets write one file for all their agents.
pub fn aggregates() -> usize {
    built_by_default()
        .into_iter()
        .filter(|t| is_aggregate(t))
        .count()
}

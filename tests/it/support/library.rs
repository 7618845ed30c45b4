//! The compile through the library, for tests that check what it makes rather
//! than what the binary prints: one agent rendered for one built-in target, or
//! specs compiled for some targets, with no project around them (no options, no
//! templates of its own).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::LazyLock;

use agentc::artifact::Layout;
use agentc::diag::Diagnostics;
use agentc::ir::Agent;
use agentc::load::Loaded;
use agentc::pipeline::{self, Compiled, Job, Specs};
use agentc::render::{Rendered, Renderer};
use agentc::spec::Table;
use agentc::target::{Registry, Target};

use super::targets;

static RENDERER: LazyLock<Renderer> = LazyLock::new(|| Renderer::new(None));

/// The renderer of the built-in templates (an aggregate file of some entries:
/// `renderer().aggregate(target, &entries)`).
pub fn renderer() -> &'static Renderer {
    &RENDERER
}

/// `agent` rendered for the built-in target `target` (`options`: the target's
/// options as a project would set them), as `build` renders it from `source`.
pub fn render(
    agent: &Agent,
    target: &str,
    options: Option<&Table>,
    layout: Layout,
    source: &Path,
) -> Result<Rendered, Diagnostics> {
    let target = targets::registry()
        .get(target)
        .unwrap_or_else(|| panic!("no built-in target `{target}`"));
    render_for(agent, target, options, layout, source)
}

/// Like [`render`], for a target from any registry.
pub fn render_for(
    agent: &Agent,
    target: &Target,
    options: Option<&Table>,
    layout: Layout,
    source: &Path,
) -> Result<Rendered, Diagnostics> {
    pipeline::render_one(&RENDERER, agent, target, options, layout, source)
}

/// The spec files or folders `paths` compiled for `targets`, named on the
/// command line (`explicit_sources`), as `agentc build PATHS -t ...` does with
/// the project targets in `project_targets`; every artifact held in memory.
pub fn compile(
    paths: Vec<PathBuf>,
    targets: &[&str],
    layout: Layout,
    strict: bool,
    project_targets: Option<&Path>,
) -> Compiled {
    let registry = Registry::load(project_targets).expect("targets load");
    run(
        Specs::Paths(paths),
        true,
        targets,
        layout,
        strict,
        &registry,
    )
}

/// Specs already loaded, compiled for `targets` (the built-ins).
pub fn compile_loaded(loaded: Vec<Loaded>, targets: &[&str], layout: Layout) -> Compiled {
    let registry = targets::registry();
    run(
        Specs::Loaded(loaded),
        false,
        targets,
        layout,
        false,
        registry,
    )
}

fn run(
    specs: Specs,
    explicit_sources: bool,
    targets: &[&str],
    layout: Layout,
    strict: bool,
    registry: &Registry,
) -> Compiled {
    let options = BTreeMap::new();
    let accept = BTreeMap::new();
    let job = Job {
        specs,
        explicit_sources,
        targets: targets.iter().map(|t| t.to_string()).collect(),
        layout,
        strict,
        lint: None,
        registry,
        renderer: &RENDERER,
        options: &options,
        accept: &accept,
    };
    pipeline::compile_all(&job)
}

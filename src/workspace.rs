//! The project resolved once: where it is, its `agentc.toml`, its targets and
//! templates, lint levels and budgets, and which specs and targets a command
//! works on. Every command starts from [`Workspace::open`], so `build`,
//! `check`, `bundle`, `lint`, `stats` and `watch` see the same project and
//! select the same targets for it.

use std::path::{Path, PathBuf};

use crate::artifact::Layout;
use crate::diag::Diagnostics;
use crate::lint::budget::{self, Budgets};
use crate::lint::{self, Level, Levels};
use crate::pipeline::{Job, Specs};
use crate::project::{self, Project};
use crate::render::Renderer;
use crate::target::Registry;

/// A project, ready to compile.
pub struct Workspace {
    /// The working folder paths are shown relative to.
    pub cwd: PathBuf,
    pub project: Project,
    pub registry: Registry,
    pub renderer: Renderer,
    pub levels: Levels,
    pub budgets: Budgets,
}

/// What a command works on: spec files or folders, and target names.
#[derive(Debug, Clone)]
pub struct Selection {
    pub sources: Vec<PathBuf>,
    pub targets: Vec<String>,
    /// Some of the project's specs were named, not all of them: an aggregate
    /// file (Roo's `.roomodes`) built from them holds only those agents, and
    /// only their stale outputs may be removed.
    pub partial: bool,
}

impl Workspace {
    /// Finds the project from `cwd` (walking up to `agentc.toml`) and reads
    /// everything about it that commands share; every problem is reported.
    pub fn open(cwd: &Path) -> Result<Workspace, Diagnostics> {
        let project = Project::discover(cwd)?;
        let registry = Registry::load(Some(&project.root.join("targets")))?;
        let mut diags = project::check_targets(&project, &registry);
        let file = project.file.as_deref().map(|f| relative_to(f, cwd));
        let levels = lint::levels(&project.config.lint, file.as_deref())
            .map_err(|d| diags.extend(d))
            .ok();
        let config_text = file.as_deref().zip(project.text.as_ref());
        let budgets = budget::resolve(&project.config.budget, &registry, config_text)
            .map_err(|d| diags.extend(d))
            .ok();
        let (Some(levels), Some(budgets)) = (levels, budgets) else {
            return Err(diags);
        };
        if diags.has_errors() {
            return Err(diags);
        }
        let templates = Some(project.root.join("templates")).filter(|p| p.is_dir());
        Ok(Workspace {
            cwd: cwd.to_path_buf(),
            renderer: Renderer::new(templates),
            project,
            registry,
            levels,
            budgets,
        })
    }

    /// The specs and targets a command works on: the paths and `-t` names given,
    /// else `sources` and `targets` of agentc.toml, else `agents/` and every
    /// target that is on by default (built-in or the project's own).
    pub fn select(&self, paths: &[PathBuf], targets: &[String]) -> Selection {
        let cfg = &self.project.config;
        let sources = if paths.is_empty() {
            self.source_specs()
        } else {
            paths.to_vec()
        };
        let targets = if !targets.is_empty() {
            targets.to_vec()
        } else if let Some(t) = &cfg.targets {
            t.clone()
        } else {
            self.registry
                .targets
                .values()
                .filter(|t| t.default)
                .map(|t| t.name.clone())
                .collect()
        };
        let partial = !paths.is_empty() && self.names_part_of_the_project(paths);
        Selection {
            sources,
            targets,
            partial,
        }
    }

    /// The project's sources as the compile reads them, relative to the working
    /// folder. A source folder that holds what is not a spec (`agentc.toml`,
    /// the project's `targets/` and `templates/`, the `out_dir` or files the
    /// native layout wrote, as `sources = ["."]` does) is given as its spec
    /// files one by one, without those: a build never reads its own outputs
    /// back in as specs.
    fn source_specs(&self) -> Vec<PathBuf> {
        let not_specs = self.not_specs();
        let mut out = Vec::new();
        for s in self.own_sources() {
            if !(s.is_dir() && not_specs.iter().any(|n| n.starts_with(&s))) {
                out.push(relative_to(&s, &self.cwd));
                continue;
            }
            let mut scratch = Diagnostics::default();
            for f in crate::load::discover(std::slice::from_ref(&s), &mut scratch) {
                if !not_specs.iter().any(|n| f.starts_with(n)) {
                    out.push(relative_to(&f, &self.cwd));
                }
            }
        }
        out
    }

    /// What lies in the project's folders but is no spec, absolute.
    fn not_specs(&self) -> Vec<PathBuf> {
        let root = &self.project.root;
        let mut out: Vec<PathBuf> = self.project.file.iter().cloned().collect();
        out.push(root.join("targets"));
        out.push(root.join("templates"));
        out.push(self.project.path(&self.project.config.out_dir));
        if let Ok(m) = crate::emit::manifest::read_manifest(root) {
            out.extend(m.files.keys().map(|p| root.join(p)));
        }
        out
    }

    /// The project's own spec folders and files, absolute.
    fn own_sources(&self) -> Vec<PathBuf> {
        self.project
            .config
            .sources
            .iter()
            .map(|s| self.project.path(s))
            .collect()
    }

    /// Whether the specs under `paths` are some of the project's own but not
    /// all of them. Every spec of the project, or specs from elsewhere, make
    /// whole aggregate files.
    fn names_part_of_the_project(&self, paths: &[PathBuf]) -> bool {
        let mut scratch = Diagnostics::default();
        let mut specs = |paths: &[PathBuf]| -> std::collections::BTreeSet<PathBuf> {
            crate::load::discover(paths, &mut scratch)
                .into_iter()
                .filter_map(|p| p.canonicalize().ok())
                .collect()
        };
        let (own, named) = (specs(&self.own_sources()), specs(paths));
        !named.is_disjoint(&own) && !own.is_subset(&named)
    }

    /// The job of compiling `selection`: `lint` is the lowest level of the lint
    /// rules run on each chunk of specs (`build` runs the denied ones).
    pub fn job(
        &self,
        selection: &Selection,
        layout: Layout,
        strict: bool,
        lint: Option<Level>,
    ) -> Job<'_> {
        Job {
            specs: Specs::Paths(selection.sources.clone()),
            explicit_sources: selection.partial,
            targets: selection.targets.clone(),
            layout,
            strict: strict || self.project.config.strict,
            lint: lint.map(|min| (&self.levels, min)),
            registry: &self.registry,
            renderer: &self.renderer,
            options: &self.project.config.target,
            accept: &self.project.config.accept,
        }
    }

    /// The layout: the command line's, else agentc.toml's.
    pub fn layout(&self, given: Option<Layout>) -> Layout {
        given.unwrap_or(self.project.config.layout)
    }

    /// The output root of a layout: `-o`, else agentc.toml's `out_dir` (dist) or
    /// the project root (native); relative to the working folder when below it.
    pub fn output_root(&self, given: Option<&Path>, layout: Layout) -> PathBuf {
        let root = match (given, layout) {
            (Some(o), _) => o.to_path_buf(),
            (None, Layout::Dist) => self.project.root.join(&self.project.config.out_dir),
            (None, Layout::Native) => self.project.root.clone(),
        };
        relative_to(&root, &self.cwd)
    }

    /// `path`, relative to the working folder when it lies below it.
    pub fn relative(&self, path: &Path) -> PathBuf {
        relative_to(path, &self.cwd)
    }
}

/// `path` relative to `cwd` when it lies below it, for shorter messages.
pub fn relative_to(path: &Path, cwd: &Path) -> PathBuf {
    match path.strip_prefix(cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => path.to_path_buf(),
    }
}

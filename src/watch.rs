//! `build --watch`: rebuild when a spec, target, template or agentc.toml changes.
//!
//! File events are debounced (many editors write a file in several steps), then
//! filtered to the inputs: events in the output tree, agentc's own temp files and
//! the manifest are ignored, so a build never triggers the next one. Each rebuild
//! is a whole build, which is all-or-nothing: an invalid edit prints its errors and
//! leaves the last good outputs in place.

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

use anyhow::{Context, Result};
use notify_debouncer_full::notify::{EventKind, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, new_debouncer};

use crate::workspace::{Selection, Workspace};

/// What to watch: folders watched recursively and single files.
pub struct Inputs {
    pub dirs: Vec<PathBuf>,
    pub files: Vec<PathBuf>,
    /// Outputs live here; changes below it are not inputs.
    pub ignore: Vec<PathBuf>,
}

impl Inputs {
    /// The inputs of building `selection` of the workspace into `root`: the
    /// spec folders and files, the project's `targets/` and `templates/`, and
    /// agentc.toml; the output root is not an input unless it is the project.
    pub fn of(ws: &Workspace, selection: &Selection, root: &Path) -> Inputs {
        let project = &ws.project;
        let sources = &selection.sources;
        let root = ws.cwd.join(root);
        Inputs {
            dirs: sources
                .iter()
                .filter(|s| s.is_dir())
                .cloned()
                .chain([project.root.join("targets"), project.root.join("templates")])
                .collect(),
            files: sources
                .iter()
                .filter(|s| !s.is_dir())
                .cloned()
                .chain([project.root.join(crate::project::FILE_NAME)])
                .collect(),
            ignore: if same_folder(&root, &project.root) {
                Vec::new()
            } else {
                vec![root]
            },
        }
    }

    fn is_input(&self, path: &Path) -> bool {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default();
        if name.starts_with(".agentc-") || name.ends_with('~') || name.starts_with(".#") {
            return false;
        }
        if self.ignore.iter().any(|i| path.starts_with(i)) {
            return false;
        }
        self.files.iter().any(|f| path == f) || self.dirs.iter().any(|d| path.starts_with(d))
    }
}

/// Calls `ready` once the inputs are watched, then `rebuild` with the changed
/// inputs after each debounced batch of changes.
/// Returns only when the watcher fails.
pub fn watch(
    inputs: Inputs,
    ready: impl FnOnce(),
    mut warn: impl FnMut(String),
    mut rebuild: impl FnMut(&[PathBuf]),
) -> Result<()> {
    let (tx, rx) = mpsc::channel::<DebounceEventResult>();
    let mut debouncer = new_debouncer(Duration::from_millis(150), None, tx)
        .context("cannot start the file watcher")?;
    let canon = |p: &PathBuf| p.canonicalize().unwrap_or_else(|_| p.clone());
    let inputs = Inputs {
        dirs: inputs.dirs.iter().map(canon).collect(),
        files: inputs.files.iter().map(canon).collect(),
        ignore: inputs.ignore.iter().map(canon).collect(),
    };
    for dir in inputs.dirs.iter().filter(|d| d.is_dir()) {
        debouncer
            .watch(dir, RecursiveMode::Recursive)
            .with_context(|| format!("cannot watch {}", dir.display()))?;
    }
    for file in &inputs.files {
        // Watch the folder, so that a file created or replaced later is seen too.
        if let Some(parent) = file.parent().filter(|p| p.is_dir()) {
            debouncer
                .watch(parent, RecursiveMode::NonRecursive)
                .with_context(|| format!("cannot watch {}", parent.display()))?;
        }
    }
    ready();
    for batch in rx {
        let events = match batch {
            Ok(events) => events,
            Err(errors) => {
                for e in errors {
                    warn(format!("file watcher: {e}"));
                }
                continue;
            }
        };
        // Reading a file is an event too (the build reads every input): only changes count.
        let mut changed: Vec<PathBuf> = events
            .into_iter()
            .filter(|e| !matches!(e.kind, EventKind::Access(_)))
            .flat_map(|e| e.event.paths)
            .filter(|p| inputs.is_input(p))
            .collect();
        changed.sort();
        changed.dedup();
        if !changed.is_empty() {
            rebuild(&changed);
        }
    }
    Ok(())
}

fn same_folder(a: &Path, b: &Path) -> bool {
    let canon = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    canon(a) == canon(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outputs_and_temp_files_are_not_inputs() {
        let inputs = Inputs {
            dirs: vec![PathBuf::from("/p/agents"), PathBuf::from("/p/templates")],
            files: vec![PathBuf::from("/p/agentc.toml")],
            ignore: vec![PathBuf::from("/p/dist")],
        };
        assert!(inputs.is_input(Path::new("/p/agents/a.toml")));
        assert!(inputs.is_input(Path::new("/p/agentc.toml")));
        assert!(!inputs.is_input(Path::new("/p/dist/claude/a.md")));
        assert!(!inputs.is_input(Path::new("/p/agents/.agentc-x1y2")));
        assert!(!inputs.is_input(Path::new("/q/other.toml")));
    }
}

//! `check`: compares what the sources give with the disk, writing nothing.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::manifest::{Manifest, key, read_manifest};
use super::{Body, Drift, DriftKind, Scope, check_path};
use crate::artifact::Artifact;
use crate::diag::Diagnostics;

/// `check` a chunk of outputs at a time: what differs is kept (with its diff),
/// what matches only by path.
pub struct Checker {
    root: PathBuf,
    /// A shared lock on the root (when it exists): no build commits meanwhile.
    _lock: Option<crate::support::fs::DirLock>,
    manifest: Manifest,
    expected: BTreeSet<String>,
    drifts: Vec<Drift>,
}

impl Checker {
    pub fn new(root: &Path, on_wait: impl FnOnce()) -> Result<Checker, Diagnostics> {
        let lock = match root.is_dir() {
            true => crate::support::fs::lock_dir(root, false, on_wait)
                .ok()
                .map(|(l, _)| l),
            false => None,
        };
        Ok(Checker {
            root: root.to_path_buf(),
            _lock: lock,
            manifest: read_manifest(root).map_err(|d| Diagnostics(vec![d]))?,
            expected: BTreeSet::new(),
            drifts: Vec::new(),
        })
    }

    /// Outputs compared so far.
    pub fn count(&self) -> usize {
        self.expected.len()
    }

    pub fn check(&mut self, artifacts: &[Artifact]) {
        for a in artifacts {
            self.check_body(a, Body::Text(&a.content));
        }
    }

    /// Like `check` for one file whose bytes are in `body` (`a.content` unused).
    pub fn check_body(&mut self, a: &Artifact, mut body: Body<'_>) {
        self.expected.insert(key(&a.path));
        let full = self.root.join(&a.path);
        let label = a.path.display().to_string();
        // What a build would refuse to write through (a symlink, a path out of
        // the root) is not read either: a committed symlink must not make `check`
        // print another file into a CI log.
        if let Err(d) = check_path(&self.root, &a.path) {
            self.drifts.push(Drift {
                path: a.path.clone(),
                kind: DriftKind::Stale,
                diff: format!("{}\n", d.message),
            });
            return;
        }
        match body.same_as(&full) {
            Ok(true) => {}
            Ok(false) => {
                let old = disk_text(&full);
                self.drifts.push(Drift {
                    path: a.path.clone(),
                    kind: DriftKind::Stale,
                    diff: diff(&old, &body.text(), &label),
                })
            }
            Err(_) => self.drifts.push(Drift {
                path: a.path.clone(),
                kind: DriftKind::Missing,
                diff: diff("", &body.text(), &label),
            }),
        }
    }

    /// The drifts found, with the files agentc wrote that no source gives any more.
    pub fn finish(mut self, scope: &Scope) -> Vec<Drift> {
        for (k, owner) in &self.manifest.files {
            if self.expected.contains(k)
                || !scope.covers(owner)
                || check_path(&self.root, Path::new(k)).is_err()
            {
                continue;
            }
            let full = self.root.join(k);
            if full.symlink_metadata().is_ok() {
                self.drifts.push(Drift {
                    path: PathBuf::from(k),
                    kind: DriftKind::Extra,
                    diff: diff(&disk_text(&full), "", k),
                });
            }
        }
        self.drifts.sort_by(|a, b| a.path.cmp(&b.path));
        self.drifts
    }
}

/// A file on disk as text for a diff: read only when it is a regular file of
/// a bounded size (a committed output may be a FIFO, a device or huge).
fn disk_text(path: &Path) -> String {
    match crate::support::fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(d) => format!("({})\n", d.message),
    }
}

fn diff(old: &str, new: &str, label: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{label}"), &format!("b/{label}"))
        .to_string()
}

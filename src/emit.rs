//! Emission: artifacts → files under one output root, or a diff against them.
//!
//! Writes are atomic (temp file + rename in the same folder) and happen only
//! when content changed. A manifest (`.agentc-manifest.json` in the root) records
//! what agentc wrote, so that its own stale outputs are removed and a file it did
//! not write is never overwritten or deleted without `--force`. Before any file
//! is touched the manifest is widened to cover the files about to be written, so
//! a build killed half-way leaves a manifest that still owns them.

use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::render::Artifact;

pub const MANIFEST: &str = ".agentc-manifest.json";

/// What agentc wrote under one output root: path → (target, agent).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub version: u32,
    pub files: BTreeMap<String, Owner>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Owner {
    pub target: String,
    pub agent: String,
}

/// Which stale files a run may remove: those of its targets, and when it did
/// not build every source, only those of the agents it built.
#[derive(Debug, Clone)]
pub struct Scope {
    pub targets: BTreeSet<String>,
    pub agents: Option<BTreeSet<String>>,
}

impl Scope {
    fn covers(&self, owner: &Owner) -> bool {
        self.targets.contains(&owner.target)
            && self
                .agents
                .as_ref()
                .is_none_or(|a| a.contains(&owner.agent))
    }
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub written: Vec<PathBuf>,
    pub unchanged: usize,
    pub removed: Vec<PathBuf>,
}

/// One difference between what the sources give and what is on disk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    pub path: PathBuf,
    pub kind: DriftKind,
    /// A unified diff (disk → expected).
    pub diff: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DriftKind {
    Stale,
    Missing,
    Extra,
}

pub fn read_manifest(root: &Path) -> Result<Manifest, Diagnostic> {
    let path = root.join(MANIFEST);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| {
            Diagnostic::error(
                "invalid-manifest",
                format!("cannot read agentc's manifest: {e}"),
            )
            .at(&path)
            .help("delete it and build with --force to take the outputs over again")
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Manifest {
            version: 1,
            ..Manifest::default()
        }),
        Err(e) => Err(Diagnostic::error("io", format!("cannot read manifest: {e}")).at(&path)),
    }
}

fn key(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

/// Refuses a path that leaves the root or passes through a symlink.
fn check_path(root: &Path, rel: &Path) -> Result<(), Diagnostic> {
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(Diagnostic::error(
            "path-escapes",
            format!(
                "refusing to write `{}`: outside the output root",
                rel.display()
            ),
        ));
    }
    let mut at = root.to_path_buf();
    for c in rel.components() {
        at.push(c);
        if at
            .symlink_metadata()
            .is_ok_and(|m| m.file_type().is_symlink())
        {
            return Err(Diagnostic::error(
                "symlink",
                format!("refusing to write through symlink `{}`", at.display()),
            )
            .help("agentc writes only real files and folders under its output root"));
        }
    }
    Ok(())
}

/// Writes the artifacts under `root`, all checks first, then the files.
pub fn write(
    root: &Path,
    artifacts: &[Artifact],
    scope: &Scope,
    force: bool,
) -> Result<Summary, Diagnostics> {
    let mut diags = Diagnostics::default();
    if root
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        // A symlinked root is the user's choice; what matters is what lies below it.
    }
    let manifest = read_manifest(root).map_err(|d| Diagnostics(vec![d]))?;
    let mut plan: Vec<(&Artifact, bool)> = Vec::new(); // (artifact, needs write)
    for a in artifacts {
        if let Err(d) = check_path(root, &a.path) {
            diags.push(d);
            continue;
        }
        let full = root.join(&a.path);
        match std::fs::read(&full) {
            Ok(existing) if existing == a.content.as_bytes() => plan.push((a, false)),
            Ok(_) if manifest.files.contains_key(&key(&a.path)) || force => plan.push((a, true)),
            Ok(_) => diags.push(
                Diagnostic::error(
                    "not-owned",
                    format!("`{}` exists and was not written by agentc", full.display()),
                )
                .help("move it away, or pass --force to overwrite it"),
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => plan.push((a, true)),
            Err(e) if e.kind() == std::io::ErrorKind::IsADirectory || full.is_dir() => diags.push(
                Diagnostic::error("io", format!("`{}` is a folder", full.display())),
            ),
            Err(e) => diags.push(Diagnostic::error(
                "io",
                format!("cannot read `{}`: {e}", full.display()),
            )),
        }
    }
    if diags.has_errors() {
        return Err(diags);
    }
    let new_keys: BTreeMap<String, Owner> = artifacts
        .iter()
        .map(|a| {
            (
                key(&a.path),
                Owner {
                    target: a.target.clone(),
                    agent: a.agent.clone(),
                },
            )
        })
        .collect();
    let stale: Vec<String> = manifest
        .files
        .iter()
        .filter(|(k, o)| !new_keys.contains_key(*k) && scope.covers(o))
        .map(|(k, _)| k.clone())
        .collect();

    // Widen the manifest first: a crash from here on leaves every file owned.
    let mut widened = manifest.clone();
    widened.version = 1;
    widened.files.extend(new_keys.clone());
    let fail = |d: Diagnostic| Diagnostics(vec![d]);
    if plan.iter().any(|(_, w)| *w) || !stale.is_empty() || widened != manifest {
        save_manifest(root, &widened).map_err(fail)?;
    }
    let mut summary = Summary::default();
    for (a, needs) in plan {
        if needs {
            atomic_write(&root.join(&a.path), a.content.as_bytes()).map_err(fail)?;
            summary.written.push(a.path.clone());
        } else {
            summary.unchanged += 1;
        }
    }
    let mut fin = widened;
    for k in stale {
        let path = root.join(&k);
        if check_path(root, Path::new(&k)).is_ok() {
            match std::fs::remove_file(&path) {
                Ok(()) => {
                    summary.removed.push(PathBuf::from(&k));
                    remove_empty_parents(root, &path);
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(fail(Diagnostic::error(
                        "io",
                        format!("cannot remove `{}`: {e}", path.display()),
                    )));
                }
            }
        }
        fin.files.remove(&k);
    }
    if fin != read_manifest(root).unwrap_or_default() {
        save_manifest(root, &fin).map_err(fail)?;
    }
    Ok(summary)
}

fn remove_empty_parents(root: &Path, file: &Path) {
    let mut dir = file.parent();
    while let Some(d) = dir {
        if d == root || !d.starts_with(root) || std::fs::remove_dir(d).is_err() {
            break;
        }
        dir = d.parent();
    }
}

fn save_manifest(root: &Path, manifest: &Manifest) -> Result<(), Diagnostic> {
    let mut text = serde_json::to_string_pretty(manifest).unwrap_or_default();
    text.push('\n');
    atomic_write(&root.join(MANIFEST), text.as_bytes())
}

/// Writes `bytes` to `path` through a temp file in the same folder and a rename,
/// so a reader sees the old file or the new one, never a part of either.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    let io = |what: &str, e: std::io::Error| {
        Diagnostic::error("io", format!("cannot {what} `{}`: {e}", path.display()))
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| io("create the folder of", e))?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".agentc-");
    // Created like any new file (0666 less the umask), not tempfile's private 0600;
    // a file being replaced keeps its own mode.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    let mut tmp = builder.tempfile_in(dir).map_err(|e| io("write", e))?;
    if let Ok(meta) = std::fs::metadata(path) {
        tmp.as_file()
            .set_permissions(meta.permissions())
            .map_err(|e| io("write", e))?;
    }
    injected_fault().map_err(|e| io("write", e))?;
    tmp.write_all(bytes).map_err(|e| io("write", e))?;
    // No fsync: the rename is atomic for every reader and against the process being
    // killed, which is what a build must survive; syncing each of thousands of files
    // would cost more than the build itself and only adds safety against power loss.
    tmp.persist(path).map_err(|e| io("write", e.error))?;
    Ok(())
}

/// A deterministic disk-full for tests: with `AGENTC_FAULT_WRITE_AFTER=N` in the
/// environment, a debug build fails every file write after the first `N`.
/// Release builds ignore the variable.
fn injected_fault() -> std::io::Result<()> {
    #[cfg(debug_assertions)]
    {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static WRITES: AtomicUsize = AtomicUsize::new(0);
        let limit = std::env::var("AGENTC_FAULT_WRITE_AFTER")
            .ok()
            .and_then(|v| v.parse::<usize>().ok());
        if let Some(limit) = limit
            && WRITES.fetch_add(1, Ordering::SeqCst) >= limit
        {
            return Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                "no space left on device (injected by AGENTC_FAULT_WRITE_AFTER)",
            ));
        }
    }
    Ok(())
}

/// Compares what the sources give with what is on disk, writing nothing.
pub fn check(
    root: &Path,
    artifacts: &[Artifact],
    scope: &Scope,
) -> Result<Vec<Drift>, Diagnostics> {
    let manifest = read_manifest(root).map_err(|d| Diagnostics(vec![d]))?;
    let mut drifts = Vec::new();
    let mut expected = BTreeSet::new();
    for a in artifacts {
        expected.insert(key(&a.path));
        let full = root.join(&a.path);
        let label = a.path.display().to_string();
        match std::fs::read(&full) {
            Ok(bytes) if bytes == a.content.as_bytes() => {}
            Ok(bytes) => drifts.push(Drift {
                path: a.path.clone(),
                kind: DriftKind::Stale,
                diff: diff(&String::from_utf8_lossy(&bytes), &a.content, &label),
            }),
            Err(_) => drifts.push(Drift {
                path: a.path.clone(),
                kind: DriftKind::Missing,
                diff: diff("", &a.content, &label),
            }),
        }
    }
    for (k, owner) in &manifest.files {
        if expected.contains(k) || !scope.covers(owner) || check_path(root, Path::new(k)).is_err() {
            continue;
        }
        if let Ok(bytes) = std::fs::read(root.join(k)) {
            drifts.push(Drift {
                path: PathBuf::from(k),
                kind: DriftKind::Extra,
                diff: diff(&String::from_utf8_lossy(&bytes), "", k),
            });
        }
    }
    drifts.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(drifts)
}

fn diff(old: &str, new: &str, label: &str) -> String {
    similar::TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{label}"), &format!("b/{label}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(path: &str, content: &str) -> Artifact {
        Artifact {
            agent: "a".into(),
            target: "t".into(),
            path: PathBuf::from(path),
            content: content.into(),
        }
    }

    fn scope() -> Scope {
        Scope {
            targets: ["t".to_string()].into(),
            agents: None,
        }
    }

    #[test]
    fn writes_then_leaves_unchanged_then_removes_stale() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let s = write(
            root,
            &[art("t/a.md", "1\n"), art("t/b.md", "2\n")],
            &scope(),
            false,
        )
        .unwrap();
        assert_eq!(s.written.len(), 2);
        let s = write(
            root,
            &[art("t/a.md", "1\n"), art("t/b.md", "2\n")],
            &scope(),
            false,
        )
        .unwrap();
        assert_eq!((s.written.len(), s.unchanged), (0, 2));
        let s = write(root, &[art("t/a.md", "1\n")], &scope(), false).unwrap();
        assert_eq!(s.removed, [PathBuf::from("t/b.md")]);
        assert!(!root.join("t/b.md").exists());
        assert_eq!(read_manifest(root).unwrap().files.len(), 1);
    }

    #[test]
    fn never_overwrites_a_foreign_file_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("t")).unwrap();
        std::fs::write(root.join("t/a.md"), "mine\n").unwrap();
        let err = write(root, &[art("t/a.md", "new\n")], &scope(), false).unwrap_err();
        assert_eq!(err.0[0].code, "not-owned");
        assert_eq!(
            std::fs::read_to_string(root.join("t/a.md")).unwrap(),
            "mine\n"
        );
        write(root, &[art("t/a.md", "new\n")], &scope(), true).unwrap();
        assert_eq!(
            std::fs::read_to_string(root.join("t/a.md")).unwrap(),
            "new\n"
        );
    }

    #[test]
    fn check_reports_stale_missing_and_extra() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(
            root,
            &[art("t/a.md", "1\n"), art("t/x.md", "x\n")],
            &scope(),
            false,
        )
        .unwrap();
        let drifts = check(
            root,
            &[art("t/a.md", "2\n"), art("t/b.md", "b\n")],
            &scope(),
        )
        .unwrap();
        let kinds: Vec<_> = drifts
            .iter()
            .map(|d| (d.path.display().to_string(), d.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("t/a.md".into(), DriftKind::Stale),
                ("t/b.md".into(), DriftKind::Missing),
                ("t/x.md".into(), DriftKind::Extra)
            ]
        );
        assert!(drifts[0].diff.contains("-1\n+2\n"), "{}", drifts[0].diff);
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_and_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::os::unix::fs::symlink(outside.path(), root.join("t")).unwrap();
        let err = write(root, &[art("t/a.md", "1\n")], &scope(), true).unwrap_err();
        assert_eq!(err.0[0].code, "symlink");
        assert!(std::fs::read_dir(outside.path()).unwrap().next().is_none());
        let err = write(root, &[art("../a.md", "1\n")], &scope(), true).unwrap_err();
        assert_eq!(err.0[0].code, "path-escapes");
    }
}

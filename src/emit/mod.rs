//! Emission: artifacts → files under one output root, or a diff against them.
//!
//! A build's changed files are staged in a folder in the root as they are
//! rendered and renamed into place only once the whole build succeeded
//! ([`Writer`]); files whose content did not change are not touched. A
//! [`manifest`] records what agentc wrote, so that its own stale outputs are
//! removed and a file it did not write is never overwritten or deleted without
//! `--force`. `check` compares instead of writing ([`Checker`]). One build at a
//! time per output root: a writer holds the root's lock until it is dropped.

use std::collections::{BTreeSet, HashSet};
use std::path::{Component, Path, PathBuf};

use serde::Serialize;

use crate::diag::{Code, Diagnostic};

mod checker;
pub mod manifest;
mod writer;

pub use checker::Checker;
pub use manifest::{Manifest, Owner, key, read_manifest};
pub use writer::{Writer, tidy};

/// Which stale files a run may remove: those of its targets, and when it did
/// not build every source, only those of the agents it built.
#[derive(Debug, Clone)]
pub struct Scope {
    pub targets: BTreeSet<String>,
    pub agents: Option<BTreeSet<String>>,
}

impl Scope {
    pub fn covers(&self, owner: &Owner) -> bool {
        self.targets.contains(&*owner.target)
            && self
                .agents
                .as_ref()
                .is_none_or(|a| a.contains(&*owner.agent))
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

/// Refuses a path that leaves the root or passes through a symlink.
fn check_path(root: &Path, rel: &Path) -> Result<(), Diagnostic> {
    check_path_in(root, rel, &mut Folders::default()).map(|_| ())
}

/// The folders under an output root that one build has looked at.
#[derive(Default)]
struct Folders {
    /// Found, and not symlinks.
    real: HashSet<PathBuf>,
    /// Found missing: nothing under them exists yet, so a file there needs no
    /// look-up (a first build of 10,000 agents made 260,000 that failed).
    missing: HashSet<PathBuf>,
}

/// `check_path`, remembering in `folders` what it found. `Ok(false)` when the
/// file is known not to exist (it, or a folder above it, was found missing);
/// `Ok(true)` when it may exist.
fn check_path_in(root: &Path, rel: &Path, folders: &mut Folders) -> Result<bool, Diagnostic> {
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return Err(Diagnostic::error(
            Code::PathEscapes,
            format!(
                "refusing to write `{}`: outside the output root",
                rel.display()
            ),
        ));
    }
    // agentc's own files in the root (the manifest, staging folders, temp
    // files) are never a target's output: a custom target could otherwise
    // write over the manifest and take ownership of any file.
    if rel
        .components()
        .any(|c| c.as_os_str().to_string_lossy().starts_with(".agentc-"))
    {
        return Err(Diagnostic::error(
            Code::PathEscapes,
            format!(
                "refusing to write `{}`: names starting `.agentc-` are agentc's own files",
                rel.display()
            ),
        )
        .help("give the target another `path` or `native_path`"));
    }
    let mut at = root.to_path_buf();
    let last = rel.components().count();
    for (i, c) in rel.components().enumerate() {
        at.push(c);
        let folder = i + 1 < last;
        if folder && folders.real.contains(&at) {
            continue;
        }
        if folder && folders.missing.contains(&at) {
            return Ok(false);
        }
        match at.symlink_metadata() {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(Diagnostic::error(
                    Code::Symlink,
                    format!("refusing to write through symlink `{}`", at.display()),
                )
                .help("agentc writes only real files and folders under its output root"));
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if folder {
                    folders.missing.insert(at);
                }
                return Ok(false);
            }
            // Anything else (not a folder, no permission) is found out, and
            // reported, by the reads and writes that follow.
            _ if folder => {
                folders.real.insert(at.clone());
            }
            _ => {}
        }
    }
    Ok(true)
}

/// An output's bytes: in memory, or in a (large) file.
pub enum Body<'b> {
    Text(&'b str),
    File(&'b mut std::fs::File),
}

impl Body<'_> {
    fn len(&mut self) -> std::io::Result<u64> {
        match self {
            Body::Text(t) => Ok(t.len() as u64),
            Body::File(f) => Ok(f.metadata()?.len()),
        }
    }

    fn rewound(&mut self) -> std::io::Result<Box<dyn std::io::Read + '_>> {
        match self {
            Body::Text(t) => Ok(Box::new(t.as_bytes())),
            Body::File(f) => Ok(Box::new(from_start(f)?)),
        }
    }

    /// `same_as`, for a file that a look-up made before may have found absent.
    fn found_at(&mut self, path: &Path, may_exist: bool) -> std::io::Result<bool> {
        if may_exist {
            self.same_as(path)
        } else {
            Err(std::io::ErrorKind::NotFound.into())
        }
    }

    /// Whether the file at `path` holds exactly these bytes, compared a block at
    /// a time (a file of another length is not read at all).
    fn same_as(&mut self, path: &Path) -> std::io::Result<bool> {
        // A FIFO or a device where an output goes is an error, found without
        // blocking or reading it.
        let (mut file, meta) = crate::support::fs::open_regular(path)?;
        if meta.len() != self.len()? {
            return Ok(false);
        }
        if let Body::Text(t) = self {
            return same_bytes(&mut file, t.as_bytes());
        }
        let mut ours = self.rewound()?;
        let (mut a, mut b) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
        loop {
            let n = read_full(&mut file, &mut a)?;
            let m = read_full(&mut ours, &mut b[..n.max(1)])?;
            if n != m || a[..n] != b[..m] {
                return Ok(false);
            }
            if n == 0 {
                return Ok(true);
            }
        }
    }

    fn write_to(&mut self, out: &mut std::fs::File) -> std::io::Result<()> {
        use std::io::Write;
        match self {
            // One write call: `io::copy` would go through its 8 KiB buffer.
            Body::Text(t) => out.write_all(t.as_bytes()),
            // File to file: the kernel copies (`copy_file_range` on Linux).
            Body::File(f) => std::io::copy(from_start(f)?, out).map(|_| ()),
        }
    }

    /// The bytes as text (for a diff).
    fn text(&mut self) -> String {
        use std::io::Read;
        let mut bytes = Vec::new();
        let _ = self.rewound().and_then(|mut r| r.read_to_end(&mut bytes));
        String::from_utf8_lossy(&bytes).into_owned()
    }
}

/// `file`, to be read from its start.
fn from_start(file: &mut std::fs::File) -> std::io::Result<&mut std::fs::File> {
    use std::io::{Seek, SeekFrom};
    file.seek(SeekFrom::Start(0))?;
    Ok(file)
}

/// Whether `file` (already known to have the length of `ours`) holds exactly
/// `ours`. Each block is read into spare capacity, which is never zeroed: most
/// outputs are compared on every build, and clearing a buffer for each cost more
/// than reading the file.
fn same_bytes(file: &mut std::fs::File, ours: &[u8]) -> std::io::Result<bool> {
    use std::io::Read;
    const BLOCK: usize = 64 * 1024;
    let mut buf = Vec::with_capacity(ours.len().min(BLOCK));
    for block in ours.chunks(BLOCK) {
        buf.clear();
        (&mut *file)
            .take(block.len() as u64)
            .read_to_end(&mut buf)?;
        if buf != block {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Reads until `buf` is full or the input ends.
fn read_full(r: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::Artifact;
    use crate::diag::Diagnostics;

    /// Writes the artifacts under `root`, all checks first, then the files.
    fn write(
        root: &Path,
        artifacts: &[Artifact],
        scope: &Scope,
        force: bool,
    ) -> Result<Summary, Diagnostics> {
        let mut w = Writer::new(root, force, || {})?;
        w.stage(artifacts);
        w.commit(scope).map_err(|e| e.diags)
    }

    /// Compares what the sources give with what is on disk, writing nothing.
    fn check(
        root: &Path,
        artifacts: &[Artifact],
        scope: &Scope,
    ) -> Result<Vec<Drift>, Diagnostics> {
        let mut c = Checker::new(root, || {})?;
        c.check(artifacts);
        Ok(c.finish(scope))
    }

    fn art(path: &str, content: &str) -> Artifact {
        Artifact::new("a".into(), "t".into(), PathBuf::from(path), content.into())
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

    /// Every entry of the tree under `root` (relative, `/`-separated), with the
    /// contents of its files; the manifest left out.
    fn tree(root: &Path) -> Vec<(String, Option<String>)> {
        fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Option<String>)>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let path = e.unwrap().path();
                let rel = key(path.strip_prefix(root).unwrap());
                if path.is_dir() {
                    out.push((rel, None));
                    walk(root, &path, out);
                } else if rel != manifest::MANIFEST {
                    out.push((rel, Some(std::fs::read_to_string(&path).unwrap())));
                }
            }
        }
        let mut out = Vec::new();
        walk(root, root, &mut out);
        out.sort();
        out
    }

    /// New folders are renamed into place whole, beside files placed one by one
    /// in folders that exist, and in folders nested in existing ones.
    #[test]
    fn new_folders_and_existing_ones_both_get_their_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let first = [art("t/a.md", "1\n"), art(".t.yaml", "top\n")];
        let s = write(root, &first, &scope(), false).unwrap();
        assert_eq!(s.written.len(), 2);
        let second = [
            art("t/a.md", "1 changed\n"),
            art("t/new/b.md", "b\n"),
            art("t/new/deeper/c.md", "c\n"),
            art("u/d.md", "d\n"),
            art("u/e.md", "e\n"),
            art("v/w/f.md", "f\n"),
            art(".t.yaml", "top changed\n"),
            // Two agents may write one path with the same bytes: staged once.
            art("u/d.md", "d\n"),
        ];
        let s = write(root, &second, &scope(), false).unwrap();
        assert_eq!(s.written.len(), 7, "{:?}", s.written);
        let file = |p: &str, c: &str| (p.to_string(), Some(c.to_string()));
        let folder = |p: &str| (p.to_string(), None);
        assert_eq!(
            tree(root),
            [
                file(".t.yaml", "top changed\n"),
                folder("t"),
                file("t/a.md", "1 changed\n"),
                folder("t/new"),
                file("t/new/b.md", "b\n"),
                folder("t/new/deeper"),
                file("t/new/deeper/c.md", "c\n"),
                folder("u"),
                file("u/d.md", "d\n"),
                file("u/e.md", "e\n"),
                folder("v"),
                folder("v/w"),
                file("v/w/f.md", "f\n"),
            ],
            "every file in place, no staging folder left"
        );
        let owned = read_manifest(root).unwrap().files;
        assert_eq!(owned.len(), 7);
        // A failed build with new folders leaves none of them behind.
        let mut w = Writer::new(root, false, || {}).unwrap();
        w.stage(&[art("x/y/z.md", "z\n"), art("t/a.md", "again\n")]);
        w.diags.push(Diagnostic::error(Code::Io, "injected"));
        assert!(w.commit(&scope()).is_err());
        assert!(!root.join("x").exists());
        assert_eq!(tree(root).len(), 13);
    }

    /// Stale files are found among interleaved old and new paths, and only within
    /// the scope: a file another target owns stays.
    #[test]
    fn stale_files_between_and_after_the_new_ones_go() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let other = Artifact::new("a".into(), "u".into(), "u/z.md".into(), "z\n".into());
        let first = [
            art("t/a.md", "a\n"),
            art("t/c.md", "c\n"),
            art("t/e.md", "e\n"),
            other,
        ];
        write(root, &first, &scope(), false).unwrap();
        let second = [
            art("t/b.md", "b\n"),
            art("t/c.md", "c\n"),
            art("t/d.md", "d\n"),
        ];
        let s = write(root, &second, &scope(), false).unwrap();
        assert_eq!(
            s.removed,
            [PathBuf::from("t/a.md"), PathBuf::from("t/e.md")]
        );
        assert_eq!((s.written.len(), s.unchanged), (2, 1));
        let owned: Vec<String> = read_manifest(root).unwrap().files.into_keys().collect();
        assert_eq!(owned, ["t/b.md", "t/c.md", "t/d.md", "u/z.md"]);
        assert!(root.join("u/z.md").exists());
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

    /// A folder found missing answers for every file under it, without a look-up;
    /// a file is known absent only when a look-up found it so.
    #[test]
    fn a_missing_folder_answers_for_its_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("here")).unwrap();
        std::fs::write(root.join("here/a.md"), "1\n").unwrap();
        let mut folders = Folders::default();
        let may_exist =
            |rel: &str, f: &mut Folders| check_path_in(root, Path::new(rel), f).unwrap();
        assert!(may_exist("here/a.md", &mut folders));
        assert!(!may_exist("here/b.md", &mut folders));
        assert!(!may_exist("gone/x/a.md", &mut folders));
        assert!(folders.missing.contains(&root.join("gone")));
        assert!(folders.real.contains(&root.join("here")));
        // The answer is remembered: the folder is not looked up again in this build.
        std::fs::create_dir_all(root.join("gone/x")).unwrap();
        std::fs::write(root.join("gone/x/a.md"), "1\n").unwrap();
        assert!(!may_exist("gone/x/a.md", &mut folders));
        assert!(may_exist("gone/x/a.md", &mut Folders::default()));
    }
}

//! The writer of a build: stages each changed output as it is rendered, then
//! commits the whole build at once (or nothing).

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::manifest::{self, Manifest, Owner, intern, key, read_manifest};
use super::{Body, Folders, Scope, Summary, check_path, check_path_in};
use crate::artifact::Artifact;
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::support::fs::{DirLock, atomic_write, injected_fault};

/// Writes a build's outputs as they are rendered, a chunk at a time, without
/// touching any of them until the whole build has succeeded: each file that
/// changed is written to a staging folder in the output root (`stage`); `commit`
/// then widens the manifest, renames every staged file into place, and removes
/// the stale outputs. A failed build drops the staging folder: nothing changed.
pub struct Writer {
    root: PathBuf,
    force: bool,
    manifest: Manifest,
    staging: Option<tempfile::TempDir>,
    /// Paths relative to the root, in the order staged; each is staged at the
    /// same relative path in the staging folder, so that a folder the output
    /// root does not have yet is put in place by one rename.
    staged: Vec<PathBuf>,
    /// Folders made in the staging folder.
    staged_dirs: HashSet<PathBuf>,
    new_keys: BTreeMap<String, Owner>,
    unchanged: usize,
    /// The root did not exist: a failed build removes it again.
    made_root: bool,
    /// Folders under the root found real (not symlinks) or missing.
    folders: Folders,
    /// Target and agent names, each held once.
    names: HashSet<Arc<str>>,
    pub diags: Diagnostics,
    /// The output root's lock, held until the writer is dropped.
    _lock: DirLock,
}

const STAGING: &str = ".agentc-staging-";

impl Writer {
    /// A writer into `root`, made if it does not exist, holding the root's lock
    /// (waiting while another build holds it; `on_wait` is called first). The
    /// manifest is read under the lock, so a build that waited sees what the
    /// other one wrote.
    pub fn new(root: &Path, force: bool, on_wait: impl FnOnce()) -> Result<Writer, Diagnostics> {
        let fail = |what: &str, e: std::io::Error| {
            Diagnostics(vec![Diagnostic::error(
                Code::Io,
                format!("cannot {what} `{}`: {e}", root.display()),
            )])
        };
        let made_root = !root.exists();
        std::fs::create_dir_all(root).map_err(|e| fail("create the output root", e))?;
        let lock = crate::support::fs::lock_dir(root, true, on_wait);
        let (lock, _) = match lock {
            Ok(l) => l,
            Err(e) => {
                if made_root {
                    let _ = std::fs::remove_dir(root);
                }
                return Err(fail("lock the output root", e));
            }
        };
        let manifest = read_manifest(root).map_err(|d| Diagnostics(vec![d]))?;
        remove_abandoned_staging(root);
        Ok(Writer {
            root: root.to_path_buf(),
            force,
            manifest,
            staging: None,
            staged: Vec::new(),
            staged_dirs: HashSet::new(),
            new_keys: BTreeMap::new(),
            unchanged: 0,
            made_root,
            folders: Folders::default(),
            names: HashSet::new(),
            diags: Diagnostics::default(),
            _lock: lock,
        })
    }

    /// Checks each artifact against the disk and stages those that changed.
    /// Once anything failed, files are only checked (for the report), no longer
    /// staged. The comparisons, then the writes, run in parallel: when files are
    /// slow to create, the writes, not the rendering, take the time of a build.
    pub fn stage(&mut self, artifacts: &[Artifact]) {
        use rayon::prelude::*;
        let fulls: Vec<Option<(PathBuf, bool)>> =
            artifacts.iter().map(|a| self.register(a)).collect();
        let found: Vec<Option<std::io::Result<bool>>> = artifacts
            .par_iter()
            .zip(&fulls)
            .map(|(a, full)| {
                let (full, may_exist) = full.as_ref()?;
                Some(Body::Text(&a.content).found_at(full, *may_exist))
            })
            .collect();
        let mut writes: Vec<(&Artifact, &Path, bool)> = Vec::new();
        for ((a, full), found) in artifacts.iter().zip(&fulls).zip(found) {
            if let (Some((full, _)), Some(found)) = (full, found)
                && let Some(replaces) = self.decide(a, full, found)
            {
                writes.push((a, full, replaces));
            }
        }
        if writes.is_empty() || self.diags.has_errors() {
            return;
        }
        for (a, _, _) in &writes {
            if let Err(d) = self.make_staging(&a.path) {
                return self.diags.push(d);
            }
        }
        let this = &*self;
        let written: Vec<Result<bool, Diagnostic>> = writes
            .par_iter()
            .map(|(a, full, replaces)| {
                this.write_staged(&a.path, full, Body::Text(&a.content), *replaces)
            })
            .collect();
        for ((a, _, _), w) in writes.iter().zip(written) {
            self.took(&a.path, w);
        }
    }

    /// Like `stage` for one file whose bytes are in `body` (`a.content` unused).
    pub fn stage_body(&mut self, a: &Artifact, mut body: Body<'_>) {
        let Some((full, may_exist)) = self.register(a) else {
            return;
        };
        let found = body.found_at(&full, may_exist);
        let Some(replaces) = self.decide(a, &full, found) else {
            return;
        };
        if self.diags.has_errors() {
            return;
        }
        let written = self
            .make_staging(&a.path)
            .and_then(|()| self.write_staged(&a.path, &full, body, replaces));
        self.took(&a.path, written);
    }

    /// Takes in what `write_staged` did with the file at `rel`.
    fn took(&mut self, rel: &Path, written: Result<bool, Diagnostic>) {
        match written {
            Ok(true) => self.staged.push(rel.to_path_buf()),
            Ok(false) => {}
            Err(d) => self.diags.push(d),
        }
    }

    /// Records that this build owns the output; its full path and whether a file
    /// may be there, unless the path is refused (outside the root, or through a
    /// symlink).
    fn register(&mut self, a: &Artifact) -> Option<(PathBuf, bool)> {
        self.new_keys.insert(
            key(&a.path),
            Owner {
                target: intern(&mut self.names, &a.target),
                agent: intern(&mut self.names, &a.agent),
            },
        );
        match check_path_in(&self.root, &a.path, &mut self.folders) {
            Ok(may_exist) => Some((self.root.join(&a.path), may_exist)),
            Err(d) => {
                self.diags.push(d);
                None
            }
        }
    }

    /// What to do with an output, given whether the disk holds the same bytes:
    /// count it unchanged, report it, or stage it (`Some(replaces)`, true when
    /// a file is there, whose mode the new one keeps).
    fn decide(&mut self, a: &Artifact, full: &Path, found: std::io::Result<bool>) -> Option<bool> {
        match found {
            Ok(true) => self.unchanged += 1,
            Ok(false) if self.manifest.files.contains_key(&key(&a.path)) || self.force => {
                return Some(true);
            }
            Ok(false) => self.diags.push(
                Diagnostic::error(
                    Code::NotOwned,
                    format!("`{}` exists and was not written by agentc", full.display()),
                )
                .help("move it away, or pass --force to overwrite it"),
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(false),
            Err(e) if e.kind() == std::io::ErrorKind::IsADirectory || full.is_dir() => {
                self.diags.push(Diagnostic::error(
                    Code::Io,
                    format!("`{}` is a folder", full.display()),
                ))
            }
            Err(e) => self.diags.push(Diagnostic::error(
                Code::Io,
                format!("cannot read `{}`: {e}", full.display()),
            )),
        }
        None
    }

    /// Makes the staging folder, and in it the folder of `rel`, once each.
    fn make_staging(&mut self, rel: &Path) -> Result<(), Diagnostic> {
        let io = |what: &str, e: std::io::Error| {
            let full = self.root.join(rel);
            Diagnostic::error(Code::Io, format!("cannot {what} `{}`: {e}", full.display()))
        };
        if self.staging.is_none() {
            std::fs::create_dir_all(&self.root).map_err(|e| io("create the output root for", e))?;
            let dir = tempfile::Builder::new()
                .prefix(STAGING)
                .tempdir_in(&self.root)
                .map_err(|e| io("write", e))?;
            self.staging = Some(dir);
        }
        let staged = self.staged_path(rel);
        if let Some(dir) = staged.parent()
            && !self.staged_dirs.contains(dir)
        {
            std::fs::create_dir_all(dir).map_err(|e| io("write", e))?;
            self.staged_dirs.insert(dir.to_path_buf());
        }
        Ok(())
    }

    /// Writes the file into the staging folder (made by `make_staging`); `false`
    /// when it is staged already (two agents may write one path with the same bytes).
    fn write_staged(
        &self,
        rel: &Path,
        full: &Path,
        mut body: Body<'_>,
        replaces: bool,
    ) -> Result<bool, Diagnostic> {
        let io = |what: &str, e: std::io::Error| {
            Diagnostic::error(Code::Io, format!("cannot {what} `{}`: {e}", full.display()))
        };
        let staged = self.staged_path(rel);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        // Created like any new file (0666 less the umask); a file being replaced
        // keeps its own mode.
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o666);
        }
        let mut file = match options.open(&staged) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => return Ok(false),
            Err(e) => return Err(io("write", e)),
        };
        if let Some(meta) = replaces.then(|| std::fs::metadata(full).ok()).flatten() {
            file.set_permissions(meta.permissions())
                .map_err(|e| io("write", e))?;
        }
        injected_fault().map_err(|e| io("write", e))?;
        body.write_to(&mut file).map_err(|e| io("write", e))?;
        Ok(true)
    }

    /// Where the file at `rel` (relative to the root) is staged.
    fn staged_path(&self, rel: &Path) -> PathBuf {
        match &self.staging {
            Some(dir) => dir.path().join(rel),
            None => PathBuf::new(),
        }
    }

    /// Puts every staged file in place and removes the stale outputs of `scope`,
    /// or, when anything failed, leaves the tree as it was. When putting files in
    /// place fails part-way, what was done is undone (old versions are kept
    /// until the commit succeeds); whatever could not be undone is listed in the
    /// error.
    pub fn commit(mut self, scope: &Scope) -> Result<Summary, CommitError> {
        if self.diags.has_errors() {
            self.abandon();
            return Err(CommitError {
                diags: std::mem::take(&mut self.diags),
                changed: Vec::new(),
            });
        }
        let mut journal = Journal::default();
        match self.put_in_place(scope, &mut journal) {
            Ok(summary) => Ok(summary),
            Err(d) => {
                let changed = journal.undo(&self.root);
                Err(CommitError {
                    diags: Diagnostics(vec![d]),
                    changed,
                })
            }
        }
    }

    fn put_in_place(
        &mut self,
        scope: &Scope,
        journal: &mut Journal,
    ) -> Result<Summary, Diagnostic> {
        // One walk over both sorted maps (a large project owns 100,000s of files):
        // the stale files of the scope, and whether this build owns anything anew.
        let mut stale: Vec<String> = Vec::new();
        let mut widens = false;
        let mut old = self.manifest.files.iter().peekable();
        for (k, owner) in &self.new_keys {
            while let Some((gone, o)) = old.next_if(|(ok, _)| ok.as_str() < k.as_str()) {
                if scope.covers(o) {
                    stale.push(gone.clone());
                }
            }
            match old.next_if(|(ok, _)| *ok == k) {
                Some((_, o)) => widens |= o != owner,
                None => widens = true,
            }
        }
        stale.extend(old.filter(|(_, o)| scope.covers(o)).map(|(k, _)| k.clone()));
        let mut manifest = std::mem::take(&mut self.manifest);
        // Widen the manifest first: a crash from here on leaves every file owned.
        if !self.staged.is_empty() || !stale.is_empty() || widens {
            journal.keep_manifest(&self.root)?;
            manifest.version = 1;
            // A merge of two sorted maps (`extend` would insert, and compare, key by key).
            manifest.files.append(&mut self.new_keys);
            manifest::save(&self.root, &manifest)?;
        }
        let mut summary = Summary {
            unchanged: self.unchanged,
            ..Summary::default()
        };
        let mut made = HashSet::new();
        let mut folders = NewFolders::default();
        let staging = self.staging.as_ref().map(|d| d.path().to_path_buf());
        let staged_path = |rel: &Path| match &staging {
            Some(dir) => dir.join(rel),
            None => PathBuf::new(),
        };
        for rel in std::mem::take(&mut self.staged) {
            let dest = self.root.join(&rel);
            commit_fault(&dest)?;
            if let Some(folder) = folders.placed(&self.root, &rel, staged_path) {
                if let Some(folder) = folder {
                    journal.moved.push(folder);
                }
            } else {
                let kept = journal.keep_old(&self.root, &rel)?;
                place(&staged_path(&rel), &dest, &mut made)?;
                journal.placed.push((rel.clone(), kept));
            }
            summary.written.push(rel);
        }
        for k in &stale {
            let path = self.root.join(k);
            if check_path(&self.root, Path::new(k)).is_ok() {
                commit_fault(&path)?;
                match journal.remove(&self.root, Path::new(k)) {
                    Ok(true) => summary.removed.push(PathBuf::from(k)),
                    Ok(false) => {}
                    Err(e) => {
                        return Err(Diagnostic::error(
                            Code::Io,
                            format!("cannot remove `{}`: {e}", path.display()),
                        ));
                    }
                }
            }
            manifest.files.remove(k);
        }
        if !stale.is_empty() {
            manifest::save(&self.root, &manifest)?;
        }
        // Done: the old versions kept for an undo go with the journal.
        for rel in &summary.removed {
            remove_empty_parents(&self.root, &self.root.join(rel));
        }
        Ok(summary)
    }

    /// Drops what was staged (and the root, when this build made it).
    fn abandon(&mut self) {
        self.staged.clear();
        if let Some(dir) = self.staging.take() {
            let _ = dir.close();
        }
        if self.made_root {
            let _ = std::fs::remove_dir(&self.root);
        }
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        self.abandon();
    }
}

/// The folders of a commit that the output root did not have: each is renamed
/// into place whole from the staging folder (on a first build, one rename per
/// target instead of one per file).
#[derive(Default)]
struct NewFolders {
    /// Folder (relative to the root) → whether the root has it.
    exists: HashMap<PathBuf, bool>,
    /// Folders renamed into place whole.
    moved: HashSet<PathBuf>,
    /// A folder rename failed (another file system below the root): place files one by one.
    off: bool,
}

impl NewFolders {
    /// Whether the staged file `rel` is in place through a folder renamed
    /// whole: `Some(Some(folder))` when this call renamed `folder` into place,
    /// `Some(None)` when an earlier one did, `None` when the file is still to
    /// be placed; `staged` maps a relative path to its place in the staging folder.
    fn placed(
        &mut self,
        root: &Path,
        rel: &Path,
        staged: impl Fn(&Path) -> PathBuf,
    ) -> Option<Option<PathBuf>> {
        let mut folders: Vec<&Path> = rel
            .ancestors()
            .skip(1)
            .filter(|a| !a.as_os_str().is_empty())
            .collect();
        folders.reverse();
        if folders.iter().any(|f| self.moved.contains(*f)) {
            return Some(None);
        }
        if self.off {
            return None;
        }
        for folder in folders {
            let there = *self
                .exists
                .entry(folder.to_path_buf())
                .or_insert_with(|| std::fs::symlink_metadata(root.join(folder)).is_ok());
            if there {
                continue;
            }
            if std::fs::rename(staged(folder), root.join(folder)).is_err() {
                self.off = true;
                return None;
            }
            self.moved.insert(folder.to_path_buf());
            return Some(Some(folder.to_path_buf()));
        }
        None
    }
}

/// A commit that failed: why, and the outputs it changed that could not be
/// put back (empty when the tree is as it was).
#[derive(Debug)]
pub struct CommitError {
    pub diags: Diagnostics,
    pub changed: Vec<PathBuf>,
}

/// What a commit has done so far, to be undone if it fails part-way. The old
/// version of each file it replaces or removes is kept (a hard link, else a
/// copy) in a folder of its own in the output root until the commit ends.
#[derive(Default)]
struct Journal {
    /// The manifest's bytes before the commit (`None`: there was none), once saved.
    manifest: Option<Option<Vec<u8>>>,
    /// Files put in place one by one, each with where its old version is kept.
    placed: Vec<(PathBuf, Option<PathBuf>)>,
    /// Folders renamed into place whole (nothing was there).
    moved: Vec<PathBuf>,
    /// Stale files removed: where each one is kept.
    removed: Vec<(PathBuf, PathBuf)>,
    /// Where old versions are kept; removed with everything in it when dropped.
    old: Option<tempfile::TempDir>,
    /// Folders made in `old`.
    old_dirs: HashSet<PathBuf>,
}

impl Journal {
    fn keep_manifest(&mut self, root: &Path) -> Result<(), Diagnostic> {
        let path = root.join(manifest::MANIFEST);
        let bytes = match std::fs::read(&path) {
            Ok(b) => Some(b),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(Diagnostic::error(
                    Code::Io,
                    format!("cannot read `{}`: {e}", path.display()),
                ));
            }
        };
        self.manifest = Some(bytes);
        Ok(())
    }

    /// Where the old version of `rel` is kept (its folder made).
    fn old_path(&mut self, root: &Path, rel: &Path) -> std::io::Result<PathBuf> {
        if self.old.is_none() {
            self.old = Some(tempfile::Builder::new().prefix(STAGING).tempdir_in(root)?);
        }
        let at = self
            .old
            .as_ref()
            .map(|d| d.path().join(rel))
            .unwrap_or_default();
        if let Some(dir) = at.parent()
            && !self.old_dirs.contains(dir)
        {
            std::fs::create_dir_all(dir)?;
            self.old_dirs.insert(dir.to_path_buf());
        }
        Ok(at)
    }

    /// Keeps the file at `rel`, if there is one, before it is replaced: a hard
    /// link (the file stays in place meanwhile), else a copy.
    fn keep_old(&mut self, root: &Path, rel: &Path) -> Result<Option<PathBuf>, Diagnostic> {
        let dest = root.join(rel);
        let io = |e: std::io::Error| {
            Diagnostic::error(Code::Io, format!("cannot write `{}`: {e}", dest.display()))
        };
        if dest.symlink_metadata().is_err() {
            return Ok(None);
        }
        let at = self.old_path(root, rel).map_err(io)?;
        if std::fs::hard_link(&dest, &at).is_err() {
            std::fs::copy(&dest, &at).map_err(io)?;
        }
        Ok(Some(at))
    }

    /// Removes the stale file at `rel`, keeping it; `false` when it was gone.
    fn remove(&mut self, root: &Path, rel: &Path) -> std::io::Result<bool> {
        let path = root.join(rel);
        if path.symlink_metadata().is_err() {
            return Ok(false);
        }
        let at = self.old_path(root, rel)?;
        if std::fs::rename(&path, &at).is_err() {
            std::fs::copy(&path, &at)?;
            std::fs::remove_file(&path)?;
        }
        self.removed.push((rel.to_path_buf(), at));
        Ok(true)
    }

    /// Undoes the commit, last step first; the outputs it could not put back.
    fn undo(&mut self, root: &Path) -> Vec<PathBuf> {
        let mut failed = Vec::new();
        for (rel, at) in self.removed.drain(..).rev() {
            if restore(&at, &root.join(&rel)).is_err() {
                failed.push(rel);
            }
        }
        for (rel, kept) in self.placed.drain(..).rev() {
            let dest = root.join(&rel);
            let undone = match &kept {
                Some(at) => restore(at, &dest),
                None => std::fs::remove_file(&dest).map(|()| remove_empty_parents(root, &dest)),
            };
            if undone.is_err() {
                failed.push(rel);
            }
        }
        for folder in self.moved.drain(..).rev() {
            if std::fs::remove_dir_all(root.join(&folder)).is_err() {
                failed.push(folder);
            }
        }
        if let Some(bytes) = self.manifest.take() {
            let path = root.join(manifest::MANIFEST);
            let undone = match bytes {
                Some(b) => crate::support::fs::write_atomically(&path, &b).map_err(|_| ()),
                None => std::fs::remove_file(&path).map_err(|_| ()),
            };
            if undone.is_err() {
                failed.push(PathBuf::from(manifest::MANIFEST));
            }
        }
        failed.sort();
        failed
    }
}

/// Puts a kept old version back at `dest`.
fn restore(kept: &Path, dest: &Path) -> std::io::Result<()> {
    if let Some(dir) = dest.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if std::fs::rename(kept, dest).is_ok() {
        return Ok(());
    }
    let bytes = std::fs::read(kept)?;
    crate::support::fs::write_atomically(dest, &bytes).map_err(|d| std::io::Error::other(d.message))
}

/// A commit step that fails on purpose, for tests: with
/// `AGENTC_FAULT_COMMIT_AFTER=N`, a debug build fails every step of a commit
/// (a file or folder put in place, a stale file removed) after the first `N`.
fn commit_fault(path: &Path) -> Result<(), Diagnostic> {
    crate::support::fs::fault("AGENTC_FAULT_COMMIT_AFTER", 1)
        .map_err(|e| Diagnostic::error(Code::Io, format!("cannot write `{}`: {e}", path.display())))
}

/// Moves a staged file to its place: a rename, or where the destination lies on
/// another file system, a copy through a temp file beside it.
/// `made` holds the folders known to exist.
fn place(staged: &Path, dest: &Path, made: &mut HashSet<PathBuf>) -> Result<(), Diagnostic> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    if !made.contains(dir) {
        std::fs::create_dir_all(dir).map_err(|e| {
            Diagnostic::error(
                Code::Io,
                format!("cannot create the folder of `{}`: {e}", dest.display()),
            )
        })?;
        made.insert(dir.to_path_buf());
    }
    if std::fs::rename(staged, dest).is_ok() {
        return Ok(());
    }
    let bytes = std::fs::read(staged).map_err(|e| {
        Diagnostic::error(Code::Io, format!("cannot write `{}`: {e}", dest.display()))
    })?;
    atomic_write(dest, &bytes)
}

/// What a killed build left in `root` goes, unless another build is running
/// there now (for a build that has nothing to write: the record said so).
pub fn tidy(root: &Path) {
    if let Ok(Some(_lock)) = crate::support::fs::try_lock_dir(root, true) {
        remove_abandoned_staging(root);
    }
}

/// Staging folders left by a build that was killed: any found while the root's
/// lock is held, since no other build can be running in the root.
fn remove_abandoned_staging(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(STAGING) && e.file_type().is_ok_and(|t| t.is_dir()) {
            let _ = std::fs::remove_dir_all(e.path());
        }
    }
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

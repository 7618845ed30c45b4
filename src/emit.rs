//! Emission: artifacts → files under one output root, or a diff against them.
//!
//! A build's changed files are staged in a folder in the root as they are
//! rendered and renamed into place only once the whole build succeeded; files
//! whose content did not change are not touched. A manifest (`.agentc-manifest.json` in the root) records
//! what agentc wrote, so that its own stale outputs are removed and a file it did
//! not write is never overwritten or deleted without `--force`. Before any file
//! is touched the manifest is widened to cover the files about to be written, so
//! a build killed half-way leaves a manifest that still owns them.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

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
    /// Shared between the entries of one target or agent (a manifest can list
    /// hundreds of thousands of files).
    pub target: Arc<str>,
    pub agent: Arc<str>,
}

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

/// A path as the manifest writes it: relative, `/`-separated.
pub fn key(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
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
            "path-escapes",
            format!(
                "refusing to write `{}`: outside the output root",
                rel.display()
            ),
        ));
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
                    "symlink",
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
}

const STAGING: &str = ".agentc-staging-";

impl Writer {
    pub fn new(root: &Path, force: bool) -> Result<Writer, Diagnostics> {
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
            made_root: false,
            folders: Folders::default(),
            names: HashSet::new(),
            diags: Diagnostics::default(),
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
                    "not-owned",
                    format!("`{}` exists and was not written by agentc", full.display()),
                )
                .help("move it away, or pass --force to overwrite it"),
            ),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Some(false),
            Err(e) if e.kind() == std::io::ErrorKind::IsADirectory || full.is_dir() => {
                self.diags.push(Diagnostic::error(
                    "io",
                    format!("`{}` is a folder", full.display()),
                ))
            }
            Err(e) => self.diags.push(Diagnostic::error(
                "io",
                format!("cannot read `{}`: {e}", full.display()),
            )),
        }
        None
    }

    /// Makes the staging folder, and in it the folder of `rel`, once each.
    fn make_staging(&mut self, rel: &Path) -> Result<(), Diagnostic> {
        let io = |what: &str, e: std::io::Error| {
            let full = self.root.join(rel);
            Diagnostic::error("io", format!("cannot {what} `{}`: {e}", full.display()))
        };
        if self.staging.is_none() {
            if !self.root.exists() {
                self.made_root = true;
            }
            std::fs::create_dir_all(&self.root).map_err(|e| io("create the output root for", e))?;
            let dir = tempfile::Builder::new()
                .prefix(&format!("{STAGING}{}-", std::process::id()))
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
            Diagnostic::error("io", format!("cannot {what} `{}`: {e}", full.display()))
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
    /// or, when anything failed, leaves the tree as it was.
    pub fn commit(mut self, scope: &Scope) -> Result<Summary, Diagnostics> {
        if self.diags.has_errors() {
            self.abandon();
            return Err(std::mem::take(&mut self.diags));
        }
        let fail = |d: Diagnostic| Diagnostics(vec![d]);
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
            manifest.version = 1;
            // A merge of two sorted maps (`extend` would insert, and compare, key by key).
            manifest.files.append(&mut self.new_keys);
            save_manifest(&self.root, &manifest).map_err(fail)?;
        }
        let mut summary = Summary {
            unchanged: self.unchanged,
            ..Summary::default()
        };
        let mut made = HashSet::new();
        let mut folders = NewFolders::default();
        for rel in std::mem::take(&mut self.staged) {
            let dest = self.root.join(&rel);
            if !folders.placed(&self.root, &rel, |top| self.staged_path(top)) {
                place(&self.staged_path(&rel), &dest, &mut made).map_err(fail)?;
            }
            summary.written.push(rel);
        }
        for k in &stale {
            let path = self.root.join(k);
            if check_path(&self.root, Path::new(k)).is_ok() {
                match std::fs::remove_file(&path) {
                    Ok(()) => {
                        summary.removed.push(PathBuf::from(k));
                        remove_empty_parents(&self.root, &path);
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
            manifest.files.remove(k);
        }
        if !stale.is_empty() {
            save_manifest(&self.root, &manifest).map_err(fail)?;
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

/// The one copy of `name` in `names`, added if it is not there yet.
pub(crate) fn intern(names: &mut HashSet<Arc<str>>, name: &str) -> Arc<str> {
    if let Some(n) = names.get(name) {
        return n.clone();
    }
    let n: Arc<str> = Arc::from(name);
    names.insert(n.clone());
    n
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
    /// whole (now, or by an earlier file); `staged` maps a relative path to its
    /// place in the staging folder.
    fn placed(&mut self, root: &Path, rel: &Path, staged: impl Fn(&Path) -> PathBuf) -> bool {
        let mut folders: Vec<&Path> = rel
            .ancestors()
            .skip(1)
            .filter(|a| !a.as_os_str().is_empty())
            .collect();
        folders.reverse();
        if folders.iter().any(|f| self.moved.contains(*f)) {
            return true;
        }
        if self.off {
            return false;
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
                return false;
            }
            self.moved.insert(folder.to_path_buf());
            return true;
        }
        false
    }
}

/// Moves a staged file to its place: a rename, or where the destination lies on
/// another file system, a copy through a temp file beside it.
/// `made` holds the folders known to exist.
fn place(staged: &Path, dest: &Path, made: &mut HashSet<PathBuf>) -> Result<(), Diagnostic> {
    let dir = dest.parent().unwrap_or(Path::new("."));
    if !made.contains(dir) {
        std::fs::create_dir_all(dir).map_err(|e| {
            Diagnostic::error(
                "io",
                format!("cannot create the folder of `{}`: {e}", dest.display()),
            )
        })?;
        made.insert(dir.to_path_buf());
    }
    if std::fs::rename(staged, dest).is_ok() {
        return Ok(());
    }
    let bytes = std::fs::read(staged)
        .map_err(|e| Diagnostic::error("io", format!("cannot write `{}`: {e}", dest.display())))?;
    atomic_write(dest, &bytes)
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
        let mut file = std::fs::File::open(path)?;
        let meta = file.metadata()?;
        if meta.is_dir() {
            return Err(std::io::Error::new(
                std::io::ErrorKind::IsADirectory,
                "is a folder",
            ));
        }
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

/// Staging folders left by a build that was killed (its process is gone).
pub fn remove_abandoned_staging(root: &Path) {
    let Ok(entries) = std::fs::read_dir(root) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(rest) = name.strip_prefix(STAGING) else {
            continue;
        };
        let pid = rest.split('-').next().unwrap_or_default();
        let alive = Path::new("/proc").is_dir() && Path::new("/proc").join(pid).exists();
        if !alive && e.file_type().is_ok_and(|t| t.is_dir()) {
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

/// `check` a chunk of outputs at a time: what differs is kept (with its diff),
/// what matches only by path.
pub struct Checker {
    root: PathBuf,
    manifest: Manifest,
    expected: BTreeSet<String>,
    drifts: Vec<Drift>,
}

impl Checker {
    pub fn new(root: &Path) -> Result<Checker, Diagnostics> {
        Ok(Checker {
            root: root.to_path_buf(),
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
        match body.same_as(&full) {
            Ok(true) => {}
            Ok(false) => {
                let bytes = std::fs::read(&full).unwrap_or_default();
                self.drifts.push(Drift {
                    path: a.path.clone(),
                    kind: DriftKind::Stale,
                    diff: diff(&String::from_utf8_lossy(&bytes), &body.text(), &label),
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
            if let Ok(bytes) = std::fs::read(self.root.join(k)) {
                self.drifts.push(Drift {
                    path: PathBuf::from(k),
                    kind: DriftKind::Extra,
                    diff: diff(&String::from_utf8_lossy(&bytes), "", k),
                });
            }
        }
        self.drifts.sort_by(|a, b| a.path.cmp(&b.path));
        self.drifts
    }
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

    /// Writes the artifacts under `root`, all checks first, then the files.
    fn write(
        root: &Path,
        artifacts: &[Artifact],
        scope: &Scope,
        force: bool,
    ) -> Result<Summary, Diagnostics> {
        let mut w = Writer::new(root, force)?;
        w.stage(artifacts);
        w.commit(scope)
    }

    /// Compares what the sources give with what is on disk, writing nothing.
    fn check(
        root: &Path,
        artifacts: &[Artifact],
        scope: &Scope,
    ) -> Result<Vec<Drift>, Diagnostics> {
        let mut c = Checker::new(root)?;
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
                } else if rel != MANIFEST {
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
        let mut w = Writer::new(root, false).unwrap();
        w.stage(&[art("x/y/z.md", "z\n"), art("t/a.md", "again\n")]);
        w.diags.push(Diagnostic::error("io", "injected"));
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

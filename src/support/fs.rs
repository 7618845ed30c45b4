//! The file system, the way every part of agentc meets it: one directory walk,
//! bounded reads of regular files only, atomic writes, and the lock that keeps
//! two builds off one output root.
//!
//! A project may be hostile (in CI a pull request supplies it), so a read never
//! blocks on a FIFO or device and never takes more than a fixed number of bytes.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use crate::diag::{Code, Diagnostic};

/// The most bytes agentc reads from one input file (a spec, a legacy agent, a
/// target file, a template, `agentc.toml`): far above any real agent, far below
/// what would hurt a CI machine.
pub const MAX_INPUT: u64 = 16 * 1024 * 1024;

/// Every regular file below `dir` (at most `depth` folders down) that `keep`
/// accepts, sorted (so that nothing depends on the order the file system lists
/// them in). A symlink whose target lies inside `dir` is followed, to a file or
/// a folder alike, so that a file reached through one is read, hashed and
/// watched like any other; one that leads outside `dir` is reported and left
/// out (a project must not make agentc read any file on the machine), and so
/// are a loop and a file `keep` wants that is not regular (a FIFO or a device
/// would block or never end).
pub fn files(
    dir: &Path,
    depth: usize,
    keep: impl Fn(&Path) -> bool,
) -> (Vec<PathBuf>, Vec<Diagnostic>) {
    let mut found = Vec::new();
    let mut problems = Vec::new();
    let root = dir.canonicalize().unwrap_or_else(|_| dir.to_path_buf());
    let walk = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .max_depth(depth)
        .sort_by_file_name();
    let mut walk = walk.into_iter();
    while let Some(entry) = walk.next() {
        if let Ok(e) = &entry
            && e.path_is_symlink()
            && !e.path().canonicalize().is_ok_and(|p| p.starts_with(&root))
        {
            if e.file_type().is_dir() {
                walk.skip_current_dir();
            }
            if e.file_type().is_dir() || keep(e.path()) {
                problems.push(
                    Diagnostic::error(
                        Code::Symlink,
                        format!("a symlink that leads outside `{}`; left out", dir.display()),
                    )
                    .at(e.path()),
                );
            }
            continue;
        }
        match entry {
            Ok(e) if e.file_type().is_file() && keep(e.path()) => found.push(e.into_path()),
            Ok(e) if !e.file_type().is_dir() && keep(e.path()) => problems.push(
                Diagnostic::error(Code::NotAFile, "not a regular file; left out").at(e.path()),
            ),
            Ok(_) => {}
            Err(e) => {
                let at = e.path().unwrap_or(dir).to_path_buf();
                let what = if e.loop_ancestor().is_some() {
                    "a symlink loop; not followed".to_string()
                } else {
                    format!("cannot read folder: {}", io_message(e.io_error()))
                };
                problems.push(Diagnostic::error(Code::Io, what).at(&at));
            }
        }
    }
    (found, problems)
}

fn io_message(e: Option<&std::io::Error>) -> String {
    e.map_or_else(|| "unknown error".to_string(), ToString::to_string)
}

/// Opens the regular file at `path` for reading (a symlink is followed), with
/// its metadata. Anything else is an error of kind `IsADirectory` (a folder) or
/// `InvalidInput` (a FIFO, a socket, a device), found without blocking: on Unix
/// the file is opened non-blocking, since opening a FIFO would wait for a
/// writer; a regular file reads the same either way.
pub fn open_regular(path: &Path) -> std::io::Result<(std::fs::File, std::fs::Metadata)> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if meta.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::IsADirectory,
            "is a folder",
        ));
    }
    if !meta.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file",
        ));
    }
    Ok((file, meta))
}

/// The bytes of the regular file at `path` (a symlink is followed), at most
/// `limit` of them: anything else (a folder, a FIFO, a device, a larger file)
/// is an error, found before a byte is read.
pub fn read_bounded(path: &Path, limit: u64) -> Result<Vec<u8>, Diagnostic> {
    let err = |msg: String| Diagnostic::error(Code::Io, msg).at(path);
    let (file, meta) = match open_regular(path) {
        Ok(f) => f,
        Err(e)
            if matches!(
                e.kind(),
                std::io::ErrorKind::IsADirectory | std::io::ErrorKind::InvalidInput
            ) =>
        {
            let what = if e.kind() == std::io::ErrorKind::IsADirectory {
                "a folder"
            } else {
                "not a regular file"
            };
            return Err(Diagnostic::error(
                Code::NotAFile,
                format!("cannot read `{}`: {what}", path.display()),
            )
            .at(path));
        }
        Err(e) => return Err(err(format!("cannot read file: {e}"))),
    };
    if meta.len() > limit {
        return Err(too_large(path, limit));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| err(format!("cannot read file: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, limit));
    }
    Ok(bytes)
}

fn too_large(path: &Path, limit: u64) -> Diagnostic {
    Diagnostic::error(
        Code::TooLarge,
        format!(
            "`{}` is larger than {} MiB",
            path.display(),
            limit / (1024 * 1024)
        ),
    )
    .at(path)
    .help("agentc reads input files of a bounded size only")
}

/// An input file's bytes ([`read_bounded`] at [`MAX_INPUT`]).
pub fn read(path: &Path) -> Result<Vec<u8>, Diagnostic> {
    read_bounded(path, MAX_INPUT)
}

/// An input file as text; bytes that are not UTF-8 are an error at the first one.
pub fn read_text(path: &Path) -> Result<String, Diagnostic> {
    let bytes = read(path)?;
    String::from_utf8(bytes).map_err(|e| {
        Diagnostic::error(
            Code::InvalidUtf8,
            format!(
                "not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ),
        )
        .at(path)
    })
}

/// Writes `bytes` to `path` through a temp file in the same folder and a rename,
/// so a reader sees the old file or the new one, never a part of either.
pub fn atomic_write(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    write_file(path, true, |w| w.write_all(bytes))
}

/// [`atomic_write`] that no injected fault stops: for putting things back
/// after a failure.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Diagnostic> {
    write_file(path, false, |w| w.write_all(bytes))
}

/// Like [`atomic_write`], the bytes written by `fill` (which buffers them as it
/// needs), for a file too large to assemble in memory first.
pub fn atomic_write_with(
    path: &Path,
    fill: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), Diagnostic> {
    write_file(path, true, |f| fill(f))
}

/// Like [`atomic_write_with`], given the temporary file itself (a writer that
/// can seek, as a zip's must).
pub fn atomic_write_file(
    path: &Path,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), Diagnostic> {
    write_file(path, true, fill)
}

fn write_file(
    path: &Path,
    may_fault: bool,
    fill: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), Diagnostic> {
    let io = |what: &str, e: std::io::Error| {
        Diagnostic::error(Code::Io, format!("cannot {what} `{}`: {e}", path.display()))
    };
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
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
    if may_fault {
        injected_fault().map_err(|e| io("write", e))?;
    }
    fill(tmp.as_file_mut()).map_err(|e| io("write", e))?;
    // No fsync: the rename is atomic for every reader and against the process being
    // killed, which is what a build must survive; syncing each of thousands of files
    // would cost more than the build itself and only adds safety against power loss.
    tmp.persist(path).map_err(|e| io("write", e.error))?;
    Ok(())
}

/// Whether a command may write its one output file (`convert -o`, `bundle -o`)
/// at `path`: when nothing is there, with `force`, or when `ours` says the file
/// there is one agentc wrote. A folder, a FIFO or anyone else's file is an error
/// (`not-owned`), so that no file is replaced silently.
pub fn may_replace(
    path: &Path,
    force: bool,
    ours: impl FnOnce() -> bool,
) -> Result<(), Diagnostic> {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return Ok(());
    };
    if meta.is_dir() {
        return Err(Diagnostic::error(
            Code::Io,
            format!("cannot write `{}`: it is a folder", path.display()),
        ));
    }
    if force || (meta.is_file() && ours()) {
        return Ok(());
    }
    Err(Diagnostic::error(
        Code::NotOwned,
        format!("`{}` exists and was not written by agentc", path.display()),
    )
    .help("move it away, or pass --force to replace it"))
}

/// A deterministic disk-full for tests: with `AGENTC_FAULT_WRITE_AFTER=N` in the
/// environment, a debug build fails every file write after the first `N`.
/// Release builds ignore the variable.
pub fn injected_fault() -> std::io::Result<()> {
    fault("AGENTC_FAULT_WRITE_AFTER", 0)
}

/// Faults injected for tests, in debug builds only: with `var=N` in the
/// environment, every call after the first `N` of those that name `var` (and
/// `counter`, 0 to 3, one per variable) fails. Release builds ignore them.
pub fn fault(var: &str, counter: usize) -> std::io::Result<()> {
    #[cfg(debug_assertions)]
    {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static CALLS: [AtomicUsize; 4] = [const { AtomicUsize::new(0) }; 4];
        let limit = std::env::var(var)
            .ok()
            .and_then(|v| v.parse::<usize>().ok());
        if let Some(limit) = limit
            && CALLS[counter].fetch_add(1, Ordering::SeqCst) >= limit
        {
            return Err(std::io::Error::new(
                std::io::ErrorKind::StorageFull,
                format!("no space left on device (injected by {var})"),
            ));
        }
    }
    #[cfg(not(debug_assertions))]
    let _ = (var, counter);
    Ok(())
}

/// A lock on a folder, held until dropped: exclusive for a build that writes
/// into it, shared for one that only reads it. On Unix the folder itself is
/// locked (`flock`), so no lock file is left in a project; elsewhere a
/// `.agentc-lock` file in it is.
#[derive(Debug)]
pub struct DirLock {
    _file: std::fs::File,
}

/// Whether [`lock_dir`] got the lock at once or had to wait for another process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Waited {
    No,
    Yes,
}

/// Locks the folder `dir` (which must exist), waiting while another process
/// holds it; `on_wait` is called once before waiting.
pub fn lock_dir(
    dir: &Path,
    exclusive: bool,
    on_wait: impl FnOnce(),
) -> std::io::Result<(DirLock, Waited)> {
    if let Some(lock) = try_lock_dir(dir, exclusive)? {
        return Ok((lock, Waited::No));
    }
    on_wait();
    let file = lock_file(dir)?;
    if exclusive {
        file.lock()?
    } else {
        file.lock_shared()?
    }
    Ok((DirLock { _file: file }, Waited::Yes))
}

/// Locks the folder `dir` if no other process holds it; `None` when one does.
pub fn try_lock_dir(dir: &Path, exclusive: bool) -> std::io::Result<Option<DirLock>> {
    let file = lock_file(dir)?;
    let got = if exclusive {
        file.try_lock()
    } else {
        file.try_lock_shared()
    };
    match got {
        Ok(()) => Ok(Some(DirLock { _file: file })),
        Err(std::fs::TryLockError::WouldBlock) => Ok(None),
        Err(std::fs::TryLockError::Error(e)) => Err(e),
    }
}

/// What is locked for `dir`: the folder itself on Unix, a file in it elsewhere.
fn lock_file(dir: &Path) -> std::io::Result<std::fs::File> {
    #[cfg(unix)]
    return std::fs::File::open(dir);
    #[cfg(not(unix))]
    return std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(dir.join(".agentc-lock"));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_follow_symlinks_and_sort() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        std::fs::write(root.join("b/c/x.toml"), "").unwrap();
        std::fs::write(root.join("a.toml"), "").unwrap();
        std::fs::write(root.join("a.md"), "").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(root.join("b"), root.join("linked")).unwrap();
        let (found, problems) = files(root, usize::MAX, |p| {
            p.extension().is_some_and(|e| e == "toml")
        });
        let names: Vec<String> = found
            .iter()
            .map(|p| p.strip_prefix(root).unwrap().display().to_string())
            .collect();
        #[cfg(unix)]
        assert_eq!(names, ["a.toml", "b/c/x.toml", "linked/c/x.toml"]);
        #[cfg(not(unix))]
        assert_eq!(names, ["a.toml", "b/c/x.toml"]);
        assert!(problems.is_empty(), "{problems:?}");
    }

    /// A symlink out of the walked folder, to a file or a folder, is reported
    /// and left out: what it leads to is never read.
    #[cfg(unix)]
    #[test]
    fn walks_do_not_leave_their_folder_through_a_symlink() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.toml"), "").unwrap();
        std::os::unix::fs::symlink(outside.path(), dir.path().join("out")).unwrap();
        std::os::unix::fs::symlink(
            outside.path().join("secret.toml"),
            dir.path().join("s.toml"),
        )
        .unwrap();
        std::fs::write(dir.path().join("ok.toml"), "").unwrap();
        let (found, problems) = files(dir.path(), usize::MAX, |p| {
            p.extension().is_some_and(|e| e == "toml")
        });
        assert_eq!(found, [dir.path().join("ok.toml")]);
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(problems.iter().all(|d| d.code == Code::Symlink));
    }

    #[cfg(unix)]
    #[test]
    fn a_symlink_loop_is_reported_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("d")).unwrap();
        std::os::unix::fs::symlink(dir.path(), dir.path().join("d/up")).unwrap();
        let (_, problems) = files(dir.path(), usize::MAX, |_| true);
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(problems[0].message.contains("loop"), "{problems:?}");
    }

    #[test]
    fn reads_are_bounded_and_regular_files_only() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("f");
        std::fs::write(&file, "12345").unwrap();
        assert_eq!(read_bounded(&file, 5).unwrap(), b"12345");
        assert_eq!(read_bounded(&file, 4).unwrap_err().code, Code::TooLarge);
        assert_eq!(
            read_bounded(dir.path(), 100).unwrap_err().code,
            Code::NotAFile
        );
        assert_eq!(
            read_bounded(&dir.path().join("none"), 100)
                .unwrap_err()
                .code,
            Code::Io
        );
        #[cfg(unix)]
        {
            let fifo = dir.path().join("fifo");
            let made = std::process::Command::new("mkfifo").arg(&fifo).status();
            if made.is_ok_and(|s| s.success()) {
                // Refused from its metadata: opening it would block.
                assert_eq!(read_bounded(&fifo, 100).unwrap_err().code, Code::NotAFile);
            }
            if Path::new("/dev/zero").exists() {
                assert_eq!(
                    read_bounded(Path::new("/dev/zero"), 100).unwrap_err().code,
                    Code::NotAFile
                );
            }
        }
    }

    #[test]
    fn a_second_exclusive_lock_waits_for_the_first() {
        let dir = tempfile::tempdir().unwrap();
        let (first, waited) = lock_dir(dir.path(), true, || {}).unwrap();
        assert_eq!(waited, Waited::No);
        let path = dir.path().to_path_buf();
        let (tx, rx) = std::sync::mpsc::channel();
        let second = std::thread::spawn(move || {
            let (_lock, waited) = lock_dir(&path, true, || tx.send(()).unwrap()).unwrap();
            waited
        });
        // The second asks while the first holds the lock, so it must wait.
        rx.recv().unwrap();
        drop(first);
        assert_eq!(second.join().unwrap(), Waited::Yes);
    }
}

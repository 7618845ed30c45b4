//! The inputs of a project and their digest: one sha256 over every input of a build or bundle, independent of
//! where the project lies, of file times and of the order files are listed in.
//!
//! Inputs are the spec files compiled, `agentc.toml` and every file under the
//! project's `targets/` and `templates/` folders. Each is named by its path
//! relative to the project root with `/` separators; the digest hashes, per file
//! in the order of those names, the name, a NUL byte, the content length as
//! 8 big-endian bytes and the content.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use sha2::{Digest, Sha256};

use super::Project;
use crate::support::fs;

/// The inputs of one bundle, by relative name.
#[derive(Debug)]
pub struct Inputs {
    root: PathBuf,
    cwd: PathBuf,
    files: BTreeMap<String, Stored>,
    /// Spec files' bytes, kept in an unnamed temporary file until the digest is
    /// taken (a bundle of 10,000 specs does not hold them all in memory).
    spool: Option<std::fs::File>,
    spooled: u64,
    /// A write to the spool failed: later files are kept in memory.
    spool_failed: bool,
}

/// A file's bytes: in memory, or at an offset and length in the spool.
#[derive(Debug)]
enum Stored {
    Bytes(Vec<u8>),
    Spooled(u64, u64),
}

impl Inputs {
    /// Starts with the project's `agentc.toml`, `targets/` and `templates/` files.
    pub fn new(project: &Project, cwd: &Path) -> Inputs {
        let mut inputs = Inputs {
            root: normalize(&project.root),
            cwd: normalize(cwd),
            files: BTreeMap::new(),
            spool: None,
            spooled: 0,
            spool_failed: false,
        };
        if let Some(file) = &project.file
            && let Ok(bytes) = fs::read(file)
        {
            inputs.insert(file, bytes);
        }
        for dir in ["targets", "templates"] {
            let dir = project.root.join(dir);
            if !dir.is_dir() {
                continue;
            }
            // The files the build reads, reached the way it reaches them
            // (symlinks followed), so that no change to one goes unseen.
            for path in fs::files(&dir, usize::MAX, |_| true).0 {
                if let Ok(bytes) = fs::read(&path) {
                    inputs.insert(&path, bytes);
                }
            }
        }
        inputs
    }

    /// Adds a spec file (as read by `load`); returns its name and sha256.
    pub fn add_spec(&mut self, path: &Path, bytes: &[u8]) -> (String, String) {
        let name = self.name(path);
        let stored = match self.spool(bytes) {
            Some(at) => Stored::Spooled(at, bytes.len() as u64),
            None => Stored::Bytes(bytes.to_vec()),
        };
        self.files.insert(name.clone(), stored);
        (name, sha256_hex(bytes))
    }

    /// Appends `bytes` to the spool; their offset, `None` when there is no
    /// spool to write to (the bytes are then kept in memory).
    fn spool(&mut self, bytes: &[u8]) -> Option<u64> {
        use std::io::Write;
        if self.spool_failed {
            return None;
        }
        if self.spool.is_none() {
            self.spool = tempfile::tempfile().ok();
            self.spool_failed = self.spool.is_none();
        }
        let file = self.spool.as_mut()?;
        let at = self.spooled;
        match file.write_all(bytes) {
            Ok(()) => {
                self.spooled += bytes.len() as u64;
                Some(at)
            }
            Err(_) => {
                // The files spooled so far stay readable; where this one
                // ended is unknown, so later files are kept in memory.
                self.spool_failed = true;
                None
            }
        }
    }

    fn insert(&mut self, path: &Path, bytes: Vec<u8>) -> String {
        let name = self.name(path);
        self.files.insert(name.clone(), Stored::Bytes(bytes));
        name
    }

    /// `path` relative to the project root, `/`-separated; a file outside the
    /// root keeps its (normalised) path.
    pub fn name(&self, path: &Path) -> String {
        let abs = normalize(&self.cwd.join(path));
        slash_path(abs.strip_prefix(&self.root).unwrap_or(&abs))
    }

    /// The sha256 over every file, by name; `None` when a spooled file cannot
    /// be read back.
    pub fn digest(&self) -> Option<String> {
        use std::io::{Read, Seek, SeekFrom};
        let mut h = Sha256::new();
        let mut buf = Vec::new();
        for (name, stored) in &self.files {
            let bytes = match stored {
                Stored::Bytes(b) => b.as_slice(),
                Stored::Spooled(at, len) => {
                    let mut file = self.spool.as_ref()?;
                    file.seek(SeekFrom::Start(*at)).ok()?;
                    buf.clear();
                    file.take(*len).read_to_end(&mut buf).ok()?;
                    if buf.len() as u64 != *len {
                        return None;
                    }
                    buf.as_slice()
                }
            };
            h.update(name.as_bytes());
            h.update([0]);
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        }
        Some(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
    }

    #[cfg(test)]
    fn names(&self) -> Vec<&str> {
        self.files.keys().map(String::as_str).collect()
    }
}

/// Resolves `.` and `..` lexically (no file system access, no symlinks followed).
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The sha256 of `bytes`, in lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A relative path with `/` separators, whatever the platform.
pub fn slash_path(path: &Path) -> String {
    let parts: Vec<_> = path
        .components()
        .filter(|c| !matches!(c, Component::RootDir | Component::Prefix(_)))
        .map(|c| c.as_os_str().to_string_lossy())
        .collect();
    let root = if path.has_root() { "/" } else { "" };
    format!("{root}{}", parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::project::config::Config;

    fn project(root: &Path) -> Project {
        Project {
            root: root.to_path_buf(),
            file: None,
            text: None,
            config: Config::default(),
        }
    }

    #[test]
    fn names_are_relative_and_slashed() {
        let p = project(Path::new("/p/q"));
        let inputs = Inputs::new(&p, Path::new("/p/q/sub"));
        for (given, want) in [
            ("../agents/a.toml", "agents/a.toml"),
            ("./x/../b.toml", "sub/b.toml"),
            ("/p/q/agents/c.toml", "agents/c.toml"),
            ("/elsewhere/d.toml", "/elsewhere/d.toml"),
        ] {
            assert_eq!(inputs.name(Path::new(given)), want, "{given}");
        }
    }

    #[test]
    fn digest_depends_on_names_and_contents_only() {
        let p = project(Path::new("/nowhere"));
        let mut a = Inputs::new(&p, Path::new("/nowhere"));
        a.add_spec(Path::new("agents/b.toml"), b"b");
        a.add_spec(Path::new("agents/a.toml"), b"a");
        let mut b = Inputs::new(&p, Path::new("/nowhere"));
        b.add_spec(Path::new("agents/a.toml"), b"a");
        b.add_spec(Path::new("agents/b.toml"), b"b");
        assert_eq!(a.digest(), b.digest());
        assert_eq!(a.names(), ["agents/a.toml", "agents/b.toml"]);
        // Moving bytes between name and content changes the digest.
        let mut c = Inputs::new(&p, Path::new("/nowhere"));
        c.add_spec(Path::new("agents/a.toml"), b"ab");
        c.add_spec(Path::new("agents/b.toml"), b"");
        assert_ne!(a.digest(), c.digest());
        // Spooled (a) or held in memory (d), the bytes hash the same.
        let mut d = Inputs::new(&p, Path::new("/nowhere"));
        d.spool_failed = true;
        d.add_spec(Path::new("agents/a.toml"), b"a");
        d.add_spec(Path::new("agents/b.toml"), b"b");
        assert!(d.spool.is_none() && a.spool.is_some());
        assert!(a.digest().is_some());
        assert_eq!(a.digest(), d.digest());
    }
}

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
    files: BTreeMap<String, Vec<u8>>,
}

impl Inputs {
    /// Starts with the project's `agentc.toml`, `targets/` and `templates/` files.
    pub fn new(project: &Project, cwd: &Path) -> Inputs {
        let mut inputs = Inputs {
            root: normalize(&project.root),
            cwd: normalize(cwd),
            files: BTreeMap::new(),
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
        let name = self.insert(path, bytes.to_vec());
        (name, sha256_hex(bytes))
    }

    fn insert(&mut self, path: &Path, bytes: Vec<u8>) -> String {
        let name = self.name(path);
        self.files.insert(name.clone(), bytes);
        name
    }

    /// `path` relative to the project root, `/`-separated; a file outside the
    /// root keeps its (normalised) path.
    pub fn name(&self, path: &Path) -> String {
        let abs = normalize(&self.cwd.join(path));
        slash_path(abs.strip_prefix(&self.root).unwrap_or(&abs))
    }

    pub fn digest(&self) -> String {
        let mut h = Sha256::new();
        for (name, bytes) in &self.files {
            h.update(name.as_bytes());
            h.update([0]);
            h.update((bytes.len() as u64).to_be_bytes());
            h.update(bytes);
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
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
    }
}

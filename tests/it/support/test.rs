//! A project in a temp dir and the real `agentc` binary run in it. Every run of
//! the binary goes through here, so none of them writes build records into the
//! user's cache: `AGENTC_CACHE_DIR` is a temp dir of the test's own.
//!
//! ```ignore
//! let out = Test::new().file("agents/a.toml", SPEC).args(["build"]).run();
//! out.status(0);
//! assert!(out.tree.contains_key("dist/claude/a.md"));
//! ```

use std::collections::BTreeMap;
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

/// A project folder and the command line to run in it.
pub struct Test {
    dir: tempfile::TempDir,
    /// agentc's build records (`AGENTC_CACHE_DIR`), outside the project tree.
    cache: tempfile::TempDir,
    args: Vec<OsString>,
    cwd: PathBuf,
    env: Vec<(OsString, OsString)>,
}

impl Default for Test {
    fn default() -> Self {
        Self::new()
    }
}

impl Test {
    pub fn new() -> Test {
        Test {
            dir: tempfile::tempdir().expect("temp dir"),
            cache: tempfile::tempdir().expect("temp dir"),
            args: Vec::new(),
            cwd: PathBuf::new(),
            env: Vec::new(),
        }
    }

    /// Writes `content` to `rel` (folders created) now.
    pub fn file(self, rel: &str, content: impl AsRef<[u8]>) -> Test {
        self.write(rel, content);
        self
    }

    /// The arguments of the next `run`.
    pub fn args<I, S>(mut self, args: I) -> Test
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args = args.into_iter().map(Into::into).collect();
        self
    }

    /// Runs from this subfolder of the project (created) instead of its root.
    pub fn cwd(mut self, rel: &str) -> Test {
        std::fs::create_dir_all(self.path(rel)).expect("create cwd");
        self.cwd = PathBuf::from(rel);
        self
    }

    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Runs the binary with the arguments given to `args`.
    pub fn run(&self) -> Output {
        self.run_args(self.args.clone())
    }

    /// Runs the binary with `args`.
    pub fn run_args<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        self.output(self.command(&args), &args)
    }

    /// Runs the binary with `args` from the subfolder `rel` of the project.
    pub fn run_in<I, S>(&self, rel: &str, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        let args: Vec<OsString> = args.into_iter().map(Into::into).collect();
        let mut cmd = self.command(&args);
        cmd.current_dir(self.path(rel));
        self.output(cmd, &args)
    }

    /// The command `run_args` runs, for a test that needs the process itself
    /// (to kill it, or to read its output as it comes).
    pub fn command<I, S>(&self, args: I) -> Command
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        let mut cmd = self.program(env!("CARGO_BIN_EXE_agentc"));
        cmd.args(args);
        cmd
    }

    /// Another program (a script that runs agentc, an example loader) run like
    /// the binary: in the project, with the same environment, and `AGENTC`
    /// naming the binary.
    pub fn program(&self, program: impl AsRef<OsStr>) -> Command {
        let mut cmd = Command::new(program);
        cmd.current_dir(self.dir.path().join(&self.cwd))
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE")
            .env_remove("SOURCE_DATE_EPOCH")
            .env_remove("CI")
            .env("AGENTC", env!("CARGO_BIN_EXE_agentc"))
            .env("AGENTC_CACHE_DIR", self.cache.path());
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        cmd
    }

    fn output(&self, mut cmd: Command, args: &[OsString]) -> Output {
        let out = cmd.output().expect("run agentc");
        Output {
            args: args
                .iter()
                .map(|a| a.to_string_lossy().into_owned())
                .collect(),
            code: out.status.code().expect("agentc exited by a signal"),
            stdout: String::from_utf8(out.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(out.stderr).expect("stderr is UTF-8"),
            tree: self.tree(),
        }
    }

    /// Copies the repository folder `from` (recursively) to `to` in the project.
    pub fn copy(self, from: &str, to: &str) -> Test {
        copy_dir(&super::repo().join(from), &self.path(to));
        self
    }

    /// The folder of agentc's build records for this test.
    pub fn cache_dir(&self) -> &Path {
        self.cache.path()
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn write(&self, rel: &str, content: impl AsRef<[u8]>) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("create folder");
        std::fs::write(path, content).expect("write file");
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("read {rel}: {e}"))
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path(rel)).unwrap_or_else(|e| panic!("remove {rel}: {e}"));
    }

    /// Every file under the project: `a/b.md` → bytes.
    pub fn tree(&self) -> BTreeMap<String, Vec<u8>> {
        let mut files = BTreeMap::new();
        walk(self.dir.path(), self.dir.path(), &mut |rel, path| {
            // A hostile project holds symlinks (to `/dev/zero`, out of the
            // project) and FIFOs: each is recorded as what it is, never read.
            let meta = std::fs::symlink_metadata(path).expect("metadata");
            let bytes = if meta.file_type().is_symlink() {
                let to = std::fs::read_link(path).expect("read link");
                format!("symlink to {}", to.display()).into_bytes()
            } else if !meta.is_file() {
                b"not a regular file".to_vec()
            } else {
                std::fs::read(path).expect("read file")
            };
            files.insert(rel, bytes);
        });
        files
    }

    /// The modification time of every file under `rel`.
    pub fn mtimes(&self, rel: &str) -> BTreeMap<String, SystemTime> {
        let mut times = BTreeMap::new();
        walk(self.dir.path(), &self.path(rel), &mut |rel, path| {
            let m = std::fs::metadata(path)
                .and_then(|m| m.modified())
                .expect("mtime");
            times.insert(rel, m);
        });
        times
    }

    /// Sets the modification time of every file under `rel` to `t`.
    pub fn set_mtimes(&self, rel: &str, t: SystemTime) {
        walk(self.dir.path(), &self.path(rel), &mut |_, path| {
            let f = std::fs::File::options()
                .write(true)
                .open(path)
                .expect("open");
            f.set_modified(t).expect("set mtime");
        });
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let path = entry.expect("dir entry").path();
        let dest = to.join(path.file_name().expect("a file name"));
        if path.is_dir() {
            copy_dir(&path, &dest);
        } else {
            std::fs::copy(&path, &dest).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
}

fn walk(root: &Path, dir: &Path, f: &mut dyn FnMut(String, &Path)) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.map(|e| e.expect("dir entry").path()).collect();
    entries.sort();
    for path in entries {
        // Symlinked folders are not walked into (they may lead out, or loop).
        if path.symlink_metadata().is_ok_and(|m| m.is_dir()) {
            walk(root, &path, f);
        } else {
            let rel = path.strip_prefix(root).expect("under root");
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            f(rel, &path);
        }
    }
}

/// What one run gave, and the project's files after it.
pub struct Output {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub tree: BTreeMap<String, Vec<u8>>,
}

impl Output {
    /// Asserts the exit code, showing the output when it differs.
    pub fn status(&self, code: i32) -> &Output {
        assert_eq!(
            self.code,
            code,
            "agentc {:?} exited {}, not {code}\n{}",
            self.args,
            self.code,
            self.show()
        );
        self
    }

    pub fn stdout_has(&self, text: &str) -> &Output {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}\n{}",
            self.show()
        );
        self
    }

    pub fn stderr_has(&self, text: &str) -> &Output {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}\n{}",
            self.show()
        );
        self
    }

    /// Paths of the files under `prefix` (a folder, with its trailing `/`).
    pub fn files_under(&self, prefix: &str) -> Vec<&str> {
        self.tree
            .keys()
            .filter(|k| k.starts_with(prefix))
            .map(String::as_str)
            .collect()
    }

    pub fn text(&self, rel: &str) -> &str {
        let bytes = self
            .tree
            .get(rel)
            .unwrap_or_else(|| panic!("no file {rel}; files: {:?}", self.tree.keys()));
        std::str::from_utf8(bytes).expect("UTF-8 file")
    }

    pub fn show(&self) -> String {
        format!("--- stdout\n{}--- stderr\n{}---", self.stdout, self.stderr)
    }
}

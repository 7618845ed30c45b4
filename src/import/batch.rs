//! `agentc import` over many files: discover, import, write, report.
//!
//! Input: files or folders (folders are searched recursively for `*.md` and
//! `*.txt`) and where to write. Output: one `FileReport` per input, in path
//! order. A file that cannot be read as an agent fails alone; two inputs that map
//! to one agent name both fail, each naming the other, unless `on_collision`
//! names them apart (by the collection folder each comes from, or by file
//! stem); an existing spec is never overwritten without `force` (an identical
//! one counts as unchanged).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{Form, Imported, import_bytes, write};
use crate::diag::{Code, Diagnostic};

pub struct Options {
    pub out_dir: PathBuf,
    /// Print the specs instead of writing them.
    pub stdout: bool,
    pub force: bool,
    /// What two inputs that give one agent name do.
    pub on_collision: Collision,
}

/// What to do with inputs that give one agent name.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Collision {
    /// Every one of them fails, naming the others.
    #[default]
    Fail,
    /// Each is named `<folder>-<name>`, by the first folder its path does not
    /// share with the others' (the collection it comes from).
    Prefix,
    /// Each is named by its file stem.
    Stem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Imported,
    Unchanged,
    Failed,
}

/// What happened to one input file.
#[derive(Debug)]
pub struct FileReport {
    pub path: PathBuf,
    pub status: Status,
    pub name: Option<String>,
    pub form: Option<Form>,
    /// Where the spec was (or would be) written.
    pub output: Option<PathBuf>,
    pub warnings: Vec<Diagnostic>,
    pub error: Option<Diagnostic>,
    /// The TOML text (kept for `--stdout`).
    pub toml: Option<String>,
    /// The spec, until the names are settled (a collision may rename it).
    spec: Option<crate::spec::Spec>,
    /// How many free sections the spec has, and the titles of those that
    /// `classify` could give no kind.
    pub sections: usize,
    pub unclassified: Vec<String>,
}

impl FileReport {
    fn failed(path: &Path, error: Diagnostic) -> FileReport {
        FileReport {
            path: path.to_path_buf(),
            status: Status::Failed,
            name: None,
            form: None,
            output: None,
            warnings: Vec::new(),
            error: Some(error),
            toml: None,
            spec: None,
            sections: 0,
            unclassified: Vec::new(),
        }
    }

    fn fail(&mut self, error: Diagnostic) {
        self.status = Status::Failed;
        self.error = Some(error);
    }
}

/// The input files under `paths`: files as given, folders searched for `*.md`/`*.txt`.
pub fn discover(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<FileReport>) {
    let mut files = Vec::new();
    let mut missing = Vec::new();
    for path in paths {
        if path.is_dir() {
            let (found, problems) = crate::support::fs::files(path, usize::MAX, is_agent_candidate);
            files.extend(found);
            missing.extend(problems.into_iter().map(|d| {
                let at = d.path.clone().unwrap_or_else(|| path.clone());
                FileReport::failed(&at, d)
            }));
        } else if path.exists() {
            files.push(path.clone());
        } else {
            missing.push(FileReport::failed(
                path,
                Diagnostic::error(Code::NotFound, "no such file or folder").at(path),
            ));
        }
    }
    files.sort();
    files.dedup();
    (files, missing)
}

/// A folder walk takes `*.md` and `*.txt`, except the documents that sit beside
/// agents in a repository (README, LICENSE, …): name one explicitly to import it.
fn is_agent_candidate(path: &Path) -> bool {
    const DOCS: &[&str] = &[
        "readme",
        "license",
        "licence",
        "changelog",
        "contributing",
        "source",
        "notice",
        "code_of_conduct",
        "security",
        "authors",
    ];
    let ext_ok = path.extension().is_some_and(|e| e == "md" || e == "txt");
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    ext_ok && !DOCS.contains(&stem.as_str())
}

/// Imports every file and writes (or collects) the specs.
pub fn run(paths: &[PathBuf], opts: &Options) -> Vec<FileReport> {
    run_with(paths, opts, &mut |_, _| {})
}

/// Like [`run`], calling `progress(done, total)` after each file is imported.
pub fn run_with(
    paths: &[PathBuf],
    opts: &Options,
    progress: &mut dyn FnMut(usize, usize),
) -> Vec<FileReport> {
    let (files, mut reports) = discover(paths);
    for (i, path) in files.iter().enumerate() {
        reports.push(import_one(path, &opts.out_dir));
        progress(i + 1, files.len());
    }
    reports.sort_by(|a, b| a.path.cmp(&b.path));
    check_duplicates(&mut reports, opts);
    for r in reports.iter_mut().filter(|r| r.status != Status::Failed) {
        if opts.stdout {
            r.output = None;
        } else {
            write_one(r, opts.force);
        }
    }
    reports
}

fn import_one(path: &Path, out_dir: &Path) -> FileReport {
    if path.extension().is_some_and(|e| e == "toml") {
        let d = Diagnostic::error(
            Code::AlreadyASpec,
            "a `.toml` file is already a canonical spec",
        )
        .at(path)
        .help("`agentc build` and `agentc convert` read specs directly");
        return FileReport::failed(path, d);
    }
    // A regular file of a bounded size only: a FIFO would block, `/dev/zero`
    // would never end.
    let bytes = match crate::support::fs::read(path) {
        Ok(b) => b,
        Err(d) => return FileReport::failed(path, d),
    };
    let Imported {
        spec,
        form,
        warnings,
    } = match import_bytes(path, &bytes) {
        Ok(i) => i,
        Err(e) => return FileReport::failed(path, e),
    };
    let mut report = FileReport {
        path: path.to_path_buf(),
        status: Status::Imported,
        name: Some(spec.name.clone()),
        form: Some(form),
        output: Some(out_dir.join(format!("{}.toml", spec.name))),
        warnings,
        error: None,
        toml: None,
        spec: None,
        sections: spec.sections.len(),
        unclassified: spec
            .sections
            .iter()
            .filter(|s| s.kind.is_none())
            .map(|s| s.title.clone())
            .collect(),
    };
    match write::to_toml(&spec, &path.display().to_string()) {
        Ok(text) => report.toml = Some(text),
        Err(e) => report.fail(
            Diagnostic::error(Code::Write, format!("cannot write the spec as TOML: {e}")).at(path),
        ),
    }
    report.spec = Some(spec);
    report
}

/// Two inputs for one agent name would write one file: with `Collision::Fail`
/// (or when the policy cannot tell them apart) both fail, each naming every
/// file of the clash; else each is renamed, with a warning naming the others.
fn check_duplicates(reports: &mut [FileReport], opts: &Options) {
    let mut by_name: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, r) in reports.iter().enumerate() {
        if let (Status::Imported, Some(n)) = (r.status, &r.name) {
            by_name.entry(n.clone()).or_default().push(i);
        }
    }
    let taken: std::collections::BTreeSet<String> = by_name.keys().cloned().collect();
    let mut given: std::collections::BTreeSet<String> = std::collections::BTreeSet::new();
    for (name, group) in by_name.into_iter().filter(|(_, g)| g.len() > 1) {
        let paths: Vec<&Path> = group.iter().map(|&i| reports[i].path.as_path()).collect();
        let listed: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        let names = new_names(&name, &paths, opts.on_collision);
        let usable = names.as_ref().is_some_and(|n| {
            let distinct: std::collections::BTreeSet<&String> = n.iter().collect();
            distinct.len() == n.len()
                && n.iter().all(|x| {
                    crate::spec::is_valid_name(x) && !taken.contains(x) && !given.contains(x)
                })
        });
        match names {
            Some(names) if usable => {
                for (&i, new) in group.iter().zip(names) {
                    given.insert(new.clone());
                    rename(&mut reports[i], &name, &new, &listed, &opts.out_dir);
                }
            }
            _ => {
                let help = match opts.on_collision {
                    Collision::Fail => {
                        "pass `--on-collision prefix` (a name from each file's collection folder) or `--on-collision stem` (from its file name), or import them into different folders"
                    }
                    _ => {
                        "the names this `--on-collision` gives would clash too: try the other one, or rename one agent"
                    }
                };
                for &i in &group {
                    let d = Diagnostic::error(
                        Code::DuplicateName,
                        format!(
                            "agent name `{name}` comes from {} files: {}",
                            group.len(),
                            listed.join(", ")
                        ),
                    )
                    .at(&reports[i].path)
                    .help(help);
                    reports[i].fail(d);
                }
            }
        }
    }
}

/// The names `policy` gives the files of one clash, in order; `None` for `Fail`.
fn new_names(name: &str, paths: &[&Path], policy: Collision) -> Option<Vec<String>> {
    let ident = super::meta::identifier;
    match policy {
        Collision::Fail => None,
        Collision::Stem => paths
            .iter()
            .map(|p| Some(ident(&p.file_stem()?.to_string_lossy())))
            .collect(),
        Collision::Prefix => {
            // The folders all the paths share, then the first one of each's own.
            let folders: Vec<Vec<_>> = paths
                .iter()
                .map(|p| {
                    p.parent()
                        .map(|d| d.components().collect())
                        .unwrap_or_default()
                })
                .collect();
            let shared = (0..)
                .take_while(|&k| {
                    folders
                        .iter()
                        .all(|f: &Vec<_>| f.get(k).is_some() && f.get(k) == folders[0].get(k))
                })
                .count();
            folders
                .iter()
                .map(|f| {
                    let own = f.get(shared)?.as_os_str().to_string_lossy();
                    Some(format!("{}-{name}", ident(&own)))
                })
                .collect()
        }
    }
}

/// Gives the agent of `r` its new name (keeping the old one as `original_name`).
fn rename(r: &mut FileReport, old: &str, new: &str, clash: &[String], out_dir: &Path) {
    let Some(spec) = r.spec.as_mut() else {
        return;
    };
    spec.name = new.to_string();
    spec.extra
        .entry(crate::spec::ORIGINAL_NAME)
        .or_insert_with(|| toml::Value::String(old.to_string()));
    match write::to_toml(spec, &r.path.display().to_string()) {
        Ok(text) => r.toml = Some(text),
        Err(e) => {
            let d = Diagnostic::error(Code::Write, format!("cannot write the spec as TOML: {e}"))
                .at(&r.path);
            r.fail(d);
            return;
        }
    }
    r.name = Some(new.to_string());
    r.output = Some(out_dir.join(format!("{new}.toml")));
    let others: Vec<&str> = clash
        .iter()
        .map(String::as_str)
        .filter(|p| Path::new(p) != r.path)
        .collect();
    r.warnings.push(
        Diagnostic::warning(
            Code::DuplicateName,
            format!(
                "agent name `{old}` also comes from {}; named this one `{new}`",
                others.join(", ")
            ),
        )
        .at(&r.path),
    );
}

fn write_one(r: &mut FileReport, force: bool) {
    let (Some(out), Some(text)) = (r.output.clone(), r.toml.clone()) else {
        return;
    };
    if std::fs::symlink_metadata(&out).is_ok() {
        let existing = crate::support::fs::read(&out);
        if existing.as_deref().is_ok_and(|e| e == text.as_bytes()) {
            r.status = Status::Unchanged;
            return;
        }
        if !force {
            let d = Diagnostic::error(Code::Exists, format!("`{}` already exists", out.display()))
                .at(&r.path)
                .help("pass `--force` to overwrite it, or `-o DIR` to write elsewhere");
            r.fail(d);
            return;
        }
    }
    if let Err(d) = crate::support::fs::atomic_write(&out, text.as_bytes()) {
        r.fail(d);
    }
}

impl FileReport {
    /// The one-line human summary: `imported`, `imported with N warnings`, or `failed`.
    pub fn line(&self) -> String {
        let path = self.path.display();
        let out = self
            .output
            .as_ref()
            .map(|o| format!(" -> {}", o.display()))
            .unwrap_or_default();
        let n = self.warnings.len();
        match (&self.status, &self.error) {
            (Status::Failed, Some(e)) => {
                let loc = e.location().unwrap_or_else(|| path.to_string());
                let help = e
                    .help
                    .as_ref()
                    .map(|h| format!("\n          help: {h}"))
                    .unwrap_or_default();
                format!("failed    {path}: {} ({loc}){help}", e.message)
            }
            (Status::Failed, None) => format!("failed    {path}"),
            (Status::Unchanged, _) => format!("unchanged {path}{out}"),
            (Status::Imported, _) if n == 0 => format!("imported  {path}{out}"),
            (Status::Imported, _) => format!(
                "imported  {path}{out} with {n} warning{}",
                if n == 1 { "" } else { "s" }
            ),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "path": self.path.display().to_string(),
            "status": self.status,
            "name": self.name,
            "form": self.form,
            "output": self.output.as_ref().map(|o| o.display().to_string()),
            "warnings": self.warnings.iter().map(Diagnostic::to_json).collect::<Vec<_>>(),
            "error": self.error.as_ref().map(Diagnostic::to_json),
            "sections": self.sections,
            "unclassified": self.unclassified,
        })
    }
}

/// Totals over a run: files, imported (incl. unchanged), failed, warnings, and
/// the free sections of the files that did not fail (and of those, unclassified).
pub fn totals(reports: &[FileReport]) -> serde_json::Value {
    let count = |s: Status| reports.iter().filter(|r| r.status == s).count();
    let ok = || reports.iter().filter(|r| r.status != Status::Failed);
    serde_json::json!({
        "files": reports.len(),
        "imported": count(Status::Imported),
        "unchanged": count(Status::Unchanged),
        "failed": count(Status::Failed),
        "warnings": reports.iter().map(|r| r.warnings.len()).sum::<usize>(),
        "sections": ok().map(|r| r.sections).sum::<usize>(),
        "unclassified": ok().map(|r| r.unclassified.len()).sum::<usize>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_walks_skip_repository_documents() {
        let cases = [
            ("a.md", true),
            ("seed.txt", true),
            ("README.md", false),
            ("SOURCE.txt", false),
            ("x.toml", false),
        ];
        for (name, want) in cases {
            assert_eq!(is_agent_candidate(Path::new(name)), want, "{name}");
        }
    }
}

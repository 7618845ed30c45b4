//! `check --bundle`: reading a bundle back (JSON, `.tar.gz` or `.zip`) and
//! comparing it, agent × target, with the bundle the sources give now, both as
//! their sums ([`Sums`]: every field, each file's text as its sha256), read a
//! piece at a time: memory holds metadata, never the bundle's text.
//! An entry's file is its own `content` or the `shared` file at its `path`:
//! a change to a shared file makes every agent × target that points at it stale.
//!
//! Reading never panics: bytes that are not a bundle, a truncated file, another
//! `bundle_version`, a manifest of the wrong shape or an entry whose file is
//! nowhere each give one message.

use std::collections::BTreeSet;
use std::path::Path;

use std::io::{Read as _, Seek as _};

use serde::Serialize;

use super::archive::{self, Format};
use super::sums::{self, EntrySums, Failed, SharedSums, Sums};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::workspace::{Selection, Workspace};

/// How one agent × target of a bundle differs from the sources.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    /// In both, but different.
    Stale,
    /// The sources give it; the bundle lacks it.
    Missing,
    /// The bundle has it; the sources no longer give it.
    Extra,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Finding {
    pub agent: String,
    pub target: String,
    pub kind: Kind,
    /// What differs, e.g. `content, sha256`.
    pub what: String,
}

/// A bundle read from a file, as its sums ([`Sums`]): what `compare` needs,
/// without the files' text.
#[derive(Debug)]
pub struct Read {
    pub bundle: Sums,
}

impl Read {
    /// The sums set aside in a temporary file while the fresh bundle is
    /// written, so that what each holds does not add up (at 10,000 agents the
    /// sums are about 50 MB, writing the fresh bundle peaks at about 190 MiB);
    /// [`SetAside::take`] reads them back.
    pub fn set_aside(self) -> Result<SetAside, Diagnostics> {
        use std::io::Write as _;
        let targets = self.bundle.targets.clone();
        let file = tempfile::tempfile().and_then(|file| {
            let mut w = std::io::BufWriter::new(&file);
            serde_json::to_writer(&mut w, &self.bundle)?;
            w.flush()?;
            drop(w);
            Ok(file)
        });
        let file = file.map_err(|e| aside_error(&e))?;
        Ok(SetAside { file, targets })
    }
}

/// A bundle's sums ([`Read`]) waiting in a temporary file.
#[derive(Debug)]
pub struct SetAside {
    file: std::fs::File,
    /// The bundle's `targets`.
    pub targets: Vec<String>,
}

impl SetAside {
    /// The sums read back.
    pub fn take(mut self) -> Result<Read, Diagnostics> {
        let read = self.file.rewind().and_then(|()| {
            let r = std::io::BufReader::new(&self.file);
            Ok(serde_json::from_reader(r)?)
        });
        let bundle = read.map_err(|e| aside_error(&e))?;
        Ok(Read { bundle })
    }
}

fn aside_error(e: &std::io::Error) -> Diagnostics {
    Diagnostics(vec![Diagnostic::error(
        Code::Io,
        format!("cannot keep the bundle's sums in a temporary file: {e}"),
    )])
}

/// Reads the bundle in `file`, whatever its format, a piece at a time (the
/// file is read twice, an archive's manifest entry three times); a problem is
/// one diagnostic about the file.
pub fn read_file(file: &Path) -> Result<Read, Diagnostics> {
    let open = crate::support::fs::open_regular(file);
    let (f, _) = open.map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::IsADirectory => {
                format!("cannot read `{}`: a folder", file.display())
            }
            std::io::ErrorKind::InvalidInput => {
                format!("cannot read `{}`: not a regular file", file.display())
            }
            _ => format!("cannot read file: {e}"),
        };
        super::file_error(file, format!("cannot read the bundle: {why}"))
    })?;
    let mut open = || -> std::io::Result<Box<dyn archive::Source + '_>> {
        let mut f = f.try_clone()?;
        f.seek(std::io::SeekFrom::Start(0))?;
        Ok(Box::new(f))
    };
    read_from(&mut open).map_err(|e| super::file_error(file, e))
}

/// Reads a bundle from a file's bytes, whatever its format, as [`read_file`]
/// reads a file.
pub fn read(bytes: &[u8]) -> Result<Read, String> {
    let mut open = || -> std::io::Result<Box<dyn archive::Source + '_>> {
        Ok(Box::new(std::io::Cursor::new(bytes)))
    };
    read_from(&mut open)
}

/// Most bytes read from the start of a file to tell whether agentc wrote it.
const HEAD: u64 = 64 * 1024;

/// Whether `file` is a bundle agentc wrote, told from its first bytes (and a
/// zip's end record) alone, never by reading the whole file (which at 10,000
/// agents holds 1.5 GB): a manifest that opens with the fields agentc writes
/// first, in its layout (`bundle_version`, `agentc_version`, `source_digest`,
/// `targets`), or an archive whose first entry is stored as agentc stores
/// entries (see [`archive`]: owner 0/0 without names, mode 0755 or 0644, no
/// extra fields). An older agentc's bundle is agentc's too. A truncated or
/// foreign file, or one that cannot be read, is not.
pub fn written_by_agentc(file: &Path) -> bool {
    use std::io::Read;
    let Ok((f, meta)) = crate::support::fs::open_regular(file) else {
        return false;
    };
    let mut head = Vec::new();
    if (&f).take(HEAD).read_to_end(&mut head).is_err() {
        return false;
    }
    match Format::sniff(&head) {
        Format::Json => json_head(&head),
        Format::TarGz => archive::agentc_tar_gz_head(&head),
        Format::Zip => archive::agentc_zip(&head, &f, meta.len()),
    }
}

/// Whether a manifest's first five lines are those agentc writes.
fn json_head(head: &[u8]) -> bool {
    let mut lines = head.split(|b| *b == b'\n');
    if lines.next() != Some(b"{") {
        return false;
    }
    let mut field = |key: &str| -> Option<String> {
        let line = std::str::from_utf8(lines.next()?).ok()?;
        let value = line.strip_prefix(&format!("  \"{key}\": "))?;
        Some(value.strip_suffix(',').unwrap_or(value).to_string())
    };
    let version = field("bundle_version");
    let agentc = field("agentc_version");
    let digest = field("source_digest");
    let targets = field("targets");
    // The targets line ends: the header is not cut short.
    let whole = lines.next().is_some();
    whole
        && version.is_some_and(|v| {
            !v.is_empty() && v.len() <= 10 && v.bytes().all(|b| b.is_ascii_digit())
        })
        && agentc.is_some_and(|v| {
            serde_json::from_str::<String>(&v)
                .is_ok_and(|v| !v.is_empty() && !v.contains(char::is_control))
        })
        && digest.is_some_and(|v| {
            v.len() == 66
                && v.starts_with('"')
                && v.ends_with('"')
                && v[1..65]
                    .bytes()
                    .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
        })
        && targets.is_some_and(|v| v == "[" || v == "[]")
}

/// Reads a bundle strictly, whatever its format: the archive's entries
/// ([`archive::unpack`]), the manifest's shape ([`sums::scan`], then
/// [`sums::parse`]), every file's `sha256`, `shared` holding only files that
/// entries point at, and an archive's tree being the manifest's files
/// ([`archive::check_tree`]). `open` gives the file from its start, once per pass.
fn read_from(open: &mut archive::Opener) -> Result<Read, String> {
    let mut head = Vec::new();
    open()
        .and_then(|f| f.take(8).read_to_end(&mut head))
        .map_err(|e| format!("cannot read the bundle: {e}"))?;
    let format = Format::sniff(&head);
    let unreadable = |e: Failed| match e {
        Failed::Bundle(m) => m,
        Failed::Read(e) => format!("cannot read the bundle: {e}"),
    };
    let bundle = match format {
        Format::Json => {
            sums::scan(&mut reopen(open)?).map_err(unreadable)?;
            sums::parse(&mut reopen(open)?).map_err(unreadable)?
        }
        Format::TarGz | Format::Zip => {
            let unpacked = archive::unpack(open, format, &mut |r| sums::scan(r))?;
            if let Some(m) = unpacked.manifest_error {
                return Err(m);
            }
            let bundle = archive::with_manifest(open, format, &mut |r| sums::parse(r))?;
            validate(&bundle)?;
            archive::check_tree(&unpacked, &bundle.files())?;
            return Ok(Read { bundle });
        }
    };
    validate(&bundle)?;
    Ok(Read { bundle })
}

/// The sums of the bundle the sources give now: written as `agentc bundle`
/// writes it, a piece at a time, to a temporary file read back as any bundle is
/// (a selection the streaming writer does not take is assembled in memory).
pub fn fresh(ws: &Workspace, selection: &Selection, strict: bool) -> Result<Sums, Diagnostics> {
    if !super::stream::streams(ws, selection) {
        let assembled = super::assemble(ws, selection, strict)?;
        return Ok(Sums::of(&assembled.bundle));
    }
    let spool = |e: std::io::Error| {
        Diagnostics(vec![Diagnostic::error(
            Code::Io,
            format!("cannot make a temporary folder for the fresh bundle: {e}"),
        )])
    };
    let dir = tempfile::tempdir().map_err(spool)?;
    let path = dir.path().join(super::FILE_NAME);
    super::stream::write(ws, selection, strict, &path, Format::Json)?;
    Ok(read_file(&path)?.bundle)
}

/// The file from its start again.
fn reopen<'a>(open: &mut archive::Opener<'a>) -> Result<Box<dyn archive::Source + 'a>, String> {
    open().map_err(|e| format!("cannot read the bundle: {e}"))
}

/// The rules of a manifest beyond its shape: plain relative paths, every entry's
/// file found (its own `content` or `shared` at its `path`), one file per path,
/// every `sha256` that of its file, and no `shared` file that no entry points at
/// (but a target's project file, which names its target and agents).
fn validate(bundle: &Sums) -> Result<(), String> {
    let mut own: BTreeSet<&str> = BTreeSet::new();
    let mut pointed: BTreeSet<&str> = BTreeSet::new();
    for (name, agent) in &bundle.agents {
        for (target, entry) in &agent.targets {
            let pair = format!("`{name}` × `{target}`");
            if let Some(why) = archive::bad_path(&entry.path) {
                return Err(format!(
                    "malformed bundle: {pair} has {why}: `{}`",
                    entry.path
                ));
            }
            match &entry.content {
                Some(sum) => {
                    if !own.insert(&entry.path) || bundle.shared.contains_key(&entry.path) {
                        return Err(format!(
                            "malformed bundle: {pair} writes `{}`, which another entry writes too",
                            entry.path
                        ));
                    }
                    if Some(*sum) != entry.sha256 {
                        return Err(format!(
                            "malformed bundle: {pair}: `content` does not match its `sha256`"
                        ));
                    }
                }
                None => {
                    let Some(file) = bundle.shared.get(&entry.path) else {
                        return Err(format!(
                            "malformed bundle: {pair} has no `content` and `shared` has no `{}`",
                            entry.path
                        ));
                    };
                    if file.sha256 != entry.sha256 {
                        return Err(format!(
                            "malformed bundle: {pair}: `sha256` is not that of `shared` `{}`",
                            entry.path
                        ));
                    }
                    pointed.insert(&entry.path);
                }
            }
        }
    }
    // A target's project file (a plugin's manifest) is pointed at by no entry: it
    // names its target and the agents it serves, each of which has that target
    // with a file of its own (a copy of a file entries share is no project file).
    let project_file = |file: &SharedSums| {
        !file.agents.is_empty()
            && file.agents.iter().all(|a| {
                bundle
                    .agents
                    .get(a)
                    .and_then(|agent| agent.targets.get(&file.target))
                    .is_some_and(|e| e.content.is_some())
            })
    };
    for (path, file) in &bundle.shared {
        if !pointed.contains(path.as_str()) && !project_file(file) {
            return Err(format!(
                "malformed bundle: `shared` has `{path}`, which no entry points at"
            ));
        }
        if Some(file.content) != file.sha256 {
            return Err(format!(
                "malformed bundle: `shared` `{path}`: `content` does not match its `sha256`"
            ));
        }
    }
    Ok(())
}

/// Every agent × target where `found` differs from `fresh` (the sources), sorted.
pub fn compare(fresh: &Sums, found: &Read) -> Vec<Finding> {
    let mut out = Vec::new();
    let old = &found.bundle;
    let names: BTreeSet<&String> = fresh.agents.keys().chain(old.agents.keys()).collect();
    for name in names {
        let (new, was) = (fresh.agents.get(name), old.agents.get(name));
        let new_targets = new.map(|a| &a.targets);
        let old_targets = was.map(|a| &a.targets);
        let targets: BTreeSet<&String> = new_targets
            .into_iter()
            .flatten()
            .chain(old_targets.into_iter().flatten())
            .map(|(t, _)| t)
            .collect();
        let agent_diff: Vec<&str> = match (new, was) {
            (Some(n), Some(o)) => [
                ("description", n.description != o.description),
                ("source", n.source != o.source),
                ("model", n.model != o.model),
                ("tools", n.tools != o.tools),
            ]
            .into_iter()
            .filter(|(_, d)| *d)
            .map(|(w, _)| w)
            .collect(),
            _ => Vec::new(),
        };
        for target in targets {
            let n = new_targets.and_then(|t| t.get(target));
            let o = old_targets.and_then(|t| t.get(target));
            let finding = |kind, what: String| Finding {
                agent: name.clone(),
                target: target.clone(),
                kind,
                what,
            };
            match (n, o) {
                (Some(_), None) => out.push(finding(Kind::Missing, String::new())),
                (None, Some(_)) => out.push(finding(Kind::Extra, String::new())),
                (Some(n), Some(o)) => {
                    let mut what = agent_diff.clone();
                    what.extend(target_diff((fresh, n), (old, o)));
                    if !what.is_empty() {
                        out.push(finding(Kind::Stale, what.join(", ")));
                    }
                }
                (None, None) => {}
            }
        }
    }
    out.sort();
    out
}

/// The fields of one agent × target that differ, each entry with its bundle:
/// `content` compares the files (own or shared), `shared file` says that the file
/// moved in or out of `shared` or that its record there (target, agents, figures)
/// differs. (An archive's copy of a file that is not the manifest's is rejected
/// by [`read`].)
fn target_diff(
    (fresh, n): (&Sums, &EntrySums),
    (old, o): (&Sums, &EntrySums),
) -> Vec<&'static str> {
    let content = old.content(o);
    [
        ("path", n.path != o.path),
        ("content", fresh.content(n) != content),
        ("sha256", n.sha256 != o.sha256),
        ("characters", n.characters != o.characters),
        ("tokens", n.tokens != o.tokens),
        ("warnings", n.warnings != o.warnings),
        ("requests", n.requests != o.requests),
        (
            "shared file",
            !same_record(fresh.shared_of(n), old.shared_of(o)),
        ),
    ]
    .into_iter()
    .filter(|(_, d)| *d)
    .map(|(w, _)| w)
    .collect()
}

/// Whether two entries' shared files (`None`: a file of its own) are alike but
/// for their content, which `content` compares.
fn same_record(n: Option<&SharedSums>, o: Option<&SharedSums>) -> bool {
    match (n, o) {
        (None, None) => true,
        (Some(n), Some(o)) => {
            (&n.target, &n.agents, &n.sha256, n.characters, n.tokens)
                == (&o.target, &o.agents, &o.sha256, o.characters, o.tokens)
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_files_get_a_message() {
        for (bytes, want) in [
            (&b""[..], "truncated JSON"),
            (b"{\"bundle_version\": 3, \"agents\"", "truncated JSON"),
            (b"hello", "invalid JSON"),
            (b"{}", "no `bundle_version`"),
            (b"[1, 2]", "no `bundle_version`"),
            (b"{\"bundle_version\": 1}", "unsupported `bundle_version` 1"),
            (b"{\"bundle_version\": 2}", "unsupported `bundle_version` 2"),
            (b"{\"bundle_version\": 4}", "unsupported `bundle_version` 4"),
            (b"{\"bundle_version\": \"3\"}", "must be a number"),
            (b"{\"bundle_version\": 3}", "malformed bundle"),
            (b"\x1f\x8b\x08\x00garbage", "not a readable tar.gz"),
            (b"PK\x03\x04garbage", "not a readable zip"),
            (b"\xff\xfe", "not UTF-8"),
        ] {
            let err = read(bytes).unwrap_err();
            assert!(err.contains(want), "{bytes:?}: {err}");
        }
    }

    /// Sums set aside in a temporary file come back the same.
    #[test]
    fn sums_set_aside_come_back_the_same() {
        use super::super::sums::tests::{bundle, long_bundle};
        for b in [bundle(), long_bundle()] {
            let want = Sums::of(&b);
            let found = read(super::super::to_json(&b).as_bytes()).unwrap();
            assert_eq!(found.bundle, want);
            let aside = found.set_aside().unwrap();
            assert_eq!(aside.targets, b.targets);
            assert_eq!(aside.take().unwrap().bundle, want);
        }
    }
}

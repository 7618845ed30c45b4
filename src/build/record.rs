//! The record of the last successful build of an output root, so that a build
//! whose inputs did not change (a no-op rebuild, `check` in CI) reads the
//! outputs once instead of rendering every agent again.
//!
//! The record (one file per output root in the user's cache folder:
//! `$AGENTC_CACHE_DIR`, else `$XDG_CACHE_HOME/agentc`, else `~/.cache/agentc`;
//! `AGENTC_CACHE_DIR=""` turns it off) holds a key, the
//! xxh3-128 hash of every input of the build: the agentc binary itself (size,
//! time, inode), the working folder, the job (sources, targets, layout, strict,
//! lint levels), `agentc.toml`, the project's `targets/` and `templates/`
//! files, and every spec file's path and bytes. Beside the key it keeps what the
//! build reported (agents, targets, skipped pairs, diagnostics) and the hash of
//! every output it wrote. A later run with the same key trusts nothing else: it
//! reads every output and compares its hash, finds no stale file in the
//! manifest, and only then replays the report; anything else (a missing or
//! edited output, a record it cannot read) falls back to the full build. The
//! record is never needed: deleting it only makes the next run slower.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh3::{Xxh3, xxh3_128};

use crate::artifact::{hash, hash_file};
use crate::diag::{Code, Diagnostic, Diagnostics, Loss, Severity};
use crate::emit::{Manifest, Scope};
use crate::pipeline::Job;
use crate::project::Project;

pub const VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Record {
    pub version: u32,
    pub key: String,
    pub agents: Vec<String>,
    pub targets: Vec<String>,
    pub skipped: usize,
    /// Translation warnings of losses the project accepts.
    #[serde(default)]
    pub accepted: usize,
    pub diagnostics: Vec<Diag>,
    /// Output path (relative to the root, `/`-separated) → xxh3-128 of its bytes, hex.
    pub outputs: Vec<(String, String)>,
}

/// A diagnostic as recorded; one with a span points into the spec file at `path`,
/// whose text (without a BOM) must still hash to `source`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diag {
    pub error: bool,
    pub code: Code,
    pub message: String,
    pub path: Option<PathBuf>,
    pub span: Option<(usize, usize)>,
    pub source: Option<String>,
    pub help: Option<String>,
    pub subject: Option<(String, String)>,
    #[serde(default)]
    pub loss: Option<Loss>,
}

pub fn hex(h: u128) -> String {
    format!("{h:032x}")
}

/// The key of a build: `None` when an input cannot be read (the build then runs
/// in full and reports it).
pub fn key(
    project: &Project,
    cwd: &Path,
    root: &Path,
    job: &Job,
    specs: &[PathBuf],
) -> Option<String> {
    let mut h = Xxh3::new();
    let mut part = |bytes: &[u8]| {
        h.update(&(bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    };
    part(concat!("agentc ", env!("CARGO_PKG_VERSION")).as_bytes());
    part(exe_identity()?.as_bytes());
    part(cwd.canonicalize().ok()?.as_os_str().as_encoded_bytes());
    part(root.as_os_str().as_encoded_bytes());
    part(job.fingerprint().as_bytes());
    let inputs = crate::project::inputs::Inputs::new(project, cwd);
    part(inputs.digest()?.as_bytes());
    let files: Vec<Option<u128>> = specs
        .par_iter()
        .map(|p| {
            // Bounded, regular files only: a FIFO would block the build.
            let bytes = crate::support::fs::read(p).ok()?;
            let mut f = Xxh3::new();
            f.update(p.as_os_str().as_encoded_bytes());
            f.update(&[0]);
            f.update(&bytes);
            Some(f.digest128())
        })
        .collect();
    for f in files {
        part(&f?.to_le_bytes());
    }
    Some(hex(h.digest128()))
}

/// What identifies the running agentc binary: a rebuilt one is another.
fn exe_identity() -> Option<String> {
    let meta = std::env::current_exe().ok()?.metadata().ok()?;
    let time = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    #[cfg(unix)]
    let ino = std::os::unix::fs::MetadataExt::ino(&meta);
    #[cfg(not(unix))]
    let ino = 0u64;
    Some(format!("{} {} {ino}", meta.len(), time.as_nanos()))
}

/// The folder of the records; `None` when they are turned off.
fn dir() -> Option<PathBuf> {
    Some(match std::env::var_os("AGENTC_CACHE_DIR") {
        Some(d) if d.is_empty() => return None,
        Some(d) => PathBuf::from(d),
        None => match std::env::var_os("XDG_CACHE_HOME").filter(|d| !d.is_empty()) {
            Some(d) => PathBuf::from(d).join("agentc"),
            None => PathBuf::from(std::env::var_os("HOME")?).join(".cache/agentc"),
        },
    })
}

/// Whether builds keep records: when they do not, no key is worth computing.
pub fn enabled() -> bool {
    dir().is_some()
}

/// Where the record of the output root `root` lives (the root must exist).
fn path(root: &Path) -> Option<PathBuf> {
    let dir = dir()?;
    let root = root.canonicalize().ok()?;
    let name = hex(xxh3_128(root.as_os_str().as_encoded_bytes()));
    Some(dir.join(format!("{name}.json")))
}

pub fn read(root: &Path) -> Option<Record> {
    let text = crate::support::fs::read_bounded(&path(root)?, 1024 * 1024 * 1024).ok()?;
    serde_json::from_slice::<Record>(&text)
        .ok()
        .filter(|r| r.version == VERSION)
}

/// Saves the record (atomically); failing to is not an error of the build.
pub fn save(root: &Path, record: &Record) {
    if let (Some(path), Ok(text)) = (path(root), serde_json::to_vec(record)) {
        let _ = crate::support::fs::atomic_write(&path, &text);
    }
}

/// Whether the outputs under `root` are exactly those the record lists, with no
/// stale file of the manifest in `scope` (which the full build would remove).
pub fn outputs_match(root: &Path, record: &Record, manifest: &Manifest, scope: &Scope) -> bool {
    let listed: std::collections::HashSet<&str> =
        record.outputs.iter().map(|(p, _)| p.as_str()).collect();
    let owned = record
        .outputs
        .iter()
        .all(|(p, _)| manifest.files.contains_key(p));
    let stale = manifest
        .files
        .iter()
        .any(|(p, o)| !listed.contains(p.as_str()) && scope.covers(o));
    if !owned || stale {
        return false;
    }
    record.outputs.par_iter().all(|(path, hash)| {
        // A symlink, FIFO or device where an output goes is no match (the full
        // build reports it): hashing `/dev/zero` would never end.
        let full = root.join(path);
        full.symlink_metadata().is_ok_and(|m| m.is_file())
            && crate::support::fs::open_regular(&full)
                .and_then(|(mut f, _)| hash_file(&mut f))
                .is_ok_and(|h| &hex(h) == hash)
    })
}

/// The diagnostics of a build, as recorded.
pub fn record_diags(diags: &Diagnostics) -> Vec<Diag> {
    diags
        .iter()
        .map(|d| Diag {
            error: d.is_error(),
            code: d.code,
            message: d.message.clone(),
            path: d.path.clone(),
            span: d.span.as_ref().map(|s| (s.start, s.end)),
            source: d.source.as_ref().map(|s| hex(hash(s.as_bytes()))),
            help: d.help.clone(),
            subject: d.subject.clone(),
            loss: d.loss,
        })
        .collect()
}

/// The recorded diagnostics back; `None` when a span's file changed.
pub fn replay_diags(diags: &[Diag]) -> Option<Diagnostics> {
    let mut out = Diagnostics::default();
    for d in diags {
        let mut diag = Diagnostic::warning(d.code, d.message.clone());
        if d.error {
            diag.severity = Severity::Error;
        }
        diag.path = d.path.clone();
        diag.help = d.help.clone();
        diag.subject = d.subject.clone();
        diag.loss = d.loss;
        if let (Some(path), Some((start, end)), Some(recorded)) = (&d.path, d.span, &d.source) {
            let text = crate::support::fs::read_text(path).ok()?;
            let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
            if &hex(hash(text.as_bytes())) != recorded {
                return None;
            }
            let source: Arc<str> = Arc::from(text);
            diag = diag.span(&source, start..end);
        } else if d.span.is_some() {
            return None;
        }
        out.push(diag);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diagnostics_survive_the_record() {
        let dir = tempfile::tempdir().unwrap();
        let spec = dir.path().join("a.toml");
        std::fs::write(&spec, "\u{feff}name = \"a\"\ntools = [\"Raed\"]\n").unwrap();
        let text: Arc<str> = Arc::from("name = \"a\"\ntools = [\"Raed\"]\n");
        let diags = Diagnostics(vec![
            Diagnostic::warning(Code::UnknownTool, "unknown tool `Raed`")
                .at(&spec)
                .span(&text, 19..25)
                .help("did you mean `Read`?"),
            Diagnostic::error(Code::TargetRule, "no").about("a", "roo"),
            Diagnostic::translation("a", "codex", Loss::DroppedField, "dropped [\"x\"]"),
        ]);
        let back = replay_diags(&record_diags(&diags)).unwrap();
        assert_eq!(back.0.len(), 3);
        assert_eq!(back.0[2].loss, Some(Loss::DroppedField));
        for (a, b) in diags.iter().zip(back.iter()) {
            assert_eq!(
                (
                    a.severity, a.code, &a.message, &a.path, &a.span, &a.help, &a.subject
                ),
                (
                    b.severity, b.code, &b.message, &b.path, &b.span, &b.help, &b.subject
                )
            );
            assert_eq!(a.render(false), b.render(false));
        }
        // The spec changed: the span would point at other text.
        std::fs::write(&spec, "name = \"b\"\ntools = [\"Raed\"]\n").unwrap();
        assert!(replay_diags(&record_diags(&diags)).is_none());
    }
}

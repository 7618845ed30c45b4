//! `check --bundle`: reading a bundle back (JSON, `.tar.gz` or `.zip`) and
//! comparing it, agent × target, with a bundle assembled fresh from the sources.
//! An entry's file is its own `content` or the `shared` file at its `path`:
//! a change to a shared file makes every agent × target that points at it stale.
//!
//! Reading never panics: bytes that are not a bundle, a truncated file, another
//! `bundle_version`, a manifest of the wrong shape or an entry whose file is
//! nowhere each give one message.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::Serialize;

use super::archive::{self, Format};
use super::{BUNDLE_VERSION, Bundle, FILE_NAME, SharedFile, TargetEntry};
use crate::diag::Diagnostics;

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

/// A bundle read from a file, with the other files an archive holds.
#[derive(Debug)]
pub struct Read {
    pub bundle: Bundle,
    pub format: Format,
    /// Path → bytes of the archive's files besides the manifest (empty for JSON).
    pub files: BTreeMap<String, Vec<u8>>,
}

/// The most bytes a bundle file may have.
const MAX_BUNDLE: u64 = 1024 * 1024 * 1024;

/// Reads the bundle in `file`, whatever its format; a problem is one diagnostic
/// about the file.
pub fn read_file(file: &Path) -> Result<Read, Diagnostics> {
    let bytes = crate::support::fs::read_bounded(file, MAX_BUNDLE)
        .map_err(|d| super::file_error(file, format!("cannot read the bundle: {}", d.message)))?;
    read(&bytes).map_err(|e| super::file_error(file, e))
}

/// Reads a bundle from a file's bytes, whatever its format.
pub fn read(bytes: &[u8]) -> Result<Read, String> {
    let format = Format::sniff(bytes);
    let mut files = archive::read(bytes, format)?;
    let manifest = files
        .remove(FILE_NAME)
        .ok_or_else(|| format!("the archive holds no `{FILE_NAME}`: not an agentc bundle"))?;
    let text = String::from_utf8(manifest)
        .map_err(|_| "not an agentc bundle: the manifest is not UTF-8 text".to_string())?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        let why = if e.is_eof() {
            "truncated JSON"
        } else {
            "invalid JSON"
        };
        format!("not an agentc bundle: {why} ({e})")
    })?;
    let version = match value.get("bundle_version") {
        Some(v) => v
            .as_u64()
            .ok_or_else(|| format!("`bundle_version` must be a number, not `{v}`"))?,
        None => return Err("not an agentc bundle: it has no `bundle_version`".to_string()),
    };
    if version != u64::from(BUNDLE_VERSION) {
        let hint = if version < u64::from(BUNDLE_VERSION) {
            "an older agentc wrote it; run `agentc bundle` to write it again"
        } else {
            "a newer agentc wrote it"
        };
        return Err(format!(
            "unsupported `bundle_version` {version}: this agentc reads version {BUNDLE_VERSION} ({hint})"
        ));
    }
    let bundle: Bundle =
        serde_json::from_value(value).map_err(|e| format!("malformed bundle: {e}"))?;
    for (name, agent) in &bundle.agents {
        for (target, entry) in &agent.targets {
            if bundle.content(entry).is_none() {
                return Err(format!(
                    "malformed bundle: `{name}` × `{target}` has no `content` and `shared` has no `{}`",
                    entry.path
                ));
            }
        }
    }
    Ok(Read {
        bundle,
        format,
        files,
    })
}

/// Every agent × target where `found` differs from `fresh` (the sources), sorted.
pub fn compare(fresh: &Bundle, found: &Read) -> Vec<Finding> {
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
                    what.extend(target_diff((fresh, n), (old, o), found));
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
/// differs, and `archive file` that an archive's copy of the file is not the
/// manifest's.
fn target_diff(
    (fresh, n): (&Bundle, &TargetEntry),
    (old, o): (&Bundle, &TargetEntry),
    found: &Read,
) -> Vec<&'static str> {
    let content = old.content(o);
    let mut what: Vec<&str> = [
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
    .collect();
    if found.format != Format::Json
        && found.files.get(&o.path).map(Vec::as_slice) != content.map(str::as_bytes)
    {
        what.push("archive file");
    }
    what
}

/// Whether two entries' shared files (`None`: a file of its own) are alike but
/// for their content, which `content` compares.
fn same_record(n: Option<&SharedFile>, o: Option<&SharedFile>) -> bool {
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
}

//! `check --bundle`: reading a bundle back (JSON, `.tar.gz` or `.zip`) and
//! comparing it, agent × target, with a bundle assembled fresh from the sources.
//! An entry's file is its own `content` or the `shared` file at its `path`:
//! a change to a shared file makes every agent × target that points at it stale.
//!
//! Reading never panics: bytes that are not a bundle, a truncated file, another
//! `bundle_version`, a manifest of the wrong shape or an entry whose file is
//! nowhere each give one message.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Serialize;
use sha2::Digest;

use super::archive::{self, Format};
use super::{BUNDLE_VERSION, Bundle, SharedFile, TargetEntry};
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

/// A bundle read from a file.
#[derive(Debug)]
pub struct Read {
    pub bundle: Bundle,
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

/// Reads a bundle from a file's bytes, whatever its format, strictly: the
/// archive's entries ([`archive::unpack`]), the manifest's shape, every file's
/// `sha256`, `shared` holding only files that entries point at, and an
/// archive's tree being the manifest's files ([`archive::check_tree`]).
pub fn read(bytes: &[u8]) -> Result<Read, String> {
    let format = Format::sniff(bytes);
    let unpacked = archive::unpack(bytes, format)?;
    let manifest = unpacked.manifest.as_deref().unwrap_or_default();
    let bundle = parse(manifest)?;
    validate(&bundle)?;
    if format != Format::Json {
        archive::check_tree(&unpacked, &bundle.files())?;
    }
    Ok(Read { bundle })
}

/// The manifest's JSON as a bundle of this agentc's version.
fn parse(manifest: &[u8]) -> Result<Bundle, String> {
    let text = std::str::from_utf8(manifest)
        .map_err(|_| "not an agentc bundle: the manifest is not UTF-8 text".to_string())?;
    let syntax = |e: serde_json::Error| {
        let why = if e.is_eof() {
            "truncated JSON"
        } else {
            "invalid JSON"
        };
        format!("not an agentc bundle: {why} ({e})")
    };
    /// The version alone; the rest of the document is skipped, not kept.
    #[derive(serde::Deserialize)]
    struct Version {
        bundle_version: Option<serde_json::Value>,
    }
    // A JSON array may fill the struct too; only an object is a manifest.
    if !text.trim_start().starts_with('{') {
        serde_json::from_str::<serde::de::IgnoredAny>(text).map_err(syntax)?;
        return Err("not an agentc bundle: it has no `bundle_version`".to_string());
    }
    let version = match serde_json::from_str::<Version>(text) {
        Ok(v) => v.bundle_version,
        Err(e) if e.is_data() => None,
        Err(e) => return Err(syntax(e)),
    };
    let version = match version {
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
    serde_json::from_str(text).map_err(|e| format!("malformed bundle: {e}"))
}

/// The rules of a manifest beyond its shape: plain relative paths, every entry's
/// file found (its own `content` or `shared` at its `path`), one file per path,
/// every `sha256` that of its file, and no `shared` file that no entry points at
/// (but a target's project file, which names its target and agents).
fn validate(bundle: &Bundle) -> Result<(), String> {
    let sha = |text: &str| archive::hex(&sha2::Sha256::digest(text.as_bytes()));
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
                Some(content) => {
                    if !own.insert(&entry.path) || bundle.shared.contains_key(&entry.path) {
                        return Err(format!(
                            "malformed bundle: {pair} writes `{}`, which another entry writes too",
                            entry.path
                        ));
                    }
                    if sha(content) != entry.sha256 {
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
    let project_file = |file: &SharedFile| {
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
        if sha(&file.content) != file.sha256 {
            return Err(format!(
                "malformed bundle: `shared` `{path}`: `content` does not match its `sha256`"
            ));
        }
    }
    Ok(())
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
    (fresh, n): (&Bundle, &TargetEntry),
    (old, o): (&Bundle, &TargetEntry),
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

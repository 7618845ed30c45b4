//! The manifest (`.agentc-manifest.json` in the output root): what agentc
//! wrote there, path → (target, agent). Ownership rests on it: agentc removes
//! or overwrites only the files it lists.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::diag::{Code, Diagnostic};

pub const MANIFEST: &str = ".agentc-manifest.json";

/// The largest manifest agentc reads: ~80 bytes an output, so room for
/// millions of outputs.
const MAX_MANIFEST: u64 = 512 * 1024 * 1024;

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

pub fn read_manifest(root: &Path) -> Result<Manifest, Diagnostic> {
    let path = root.join(MANIFEST);
    if std::fs::symlink_metadata(&path).is_err_and(|e| e.kind() == std::io::ErrorKind::NotFound) {
        return Ok(Manifest {
            version: 1,
            ..Manifest::default()
        });
    }
    // A regular file of a bounded size only: a FIFO or `/dev/zero` committed as
    // the manifest must not hang a build.
    match crate::support::fs::read_bounded(&path, MAX_MANIFEST) {
        Ok(text) => serde_json::from_slice(&text).map_err(|e| {
            Diagnostic::error(
                Code::InvalidManifest,
                format!("cannot read agentc's manifest: {e}"),
            )
            .at(&path)
            .help("delete it and build with --force to take the outputs over again")
        }),
        Err(d) => Err(d.help("delete it and build with --force to take the outputs over again")),
    }
}

/// A path as the manifest writes it: relative, `/`-separated.
pub fn key(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/")
}

pub(super) fn save(root: &Path, manifest: &Manifest) -> Result<(), Diagnostic> {
    let mut text = serde_json::to_string_pretty(manifest).unwrap_or_default();
    text.push('\n');
    crate::support::fs::atomic_write(&root.join(MANIFEST), text.as_bytes())
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

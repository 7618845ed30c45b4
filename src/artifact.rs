//! What rendering makes and emitting writes: one output file (an [`Artifact`]),
//! one agent's part of a file shared by many ([`Entry`]), and where outputs go
//! ([`Layout`]). Data only.

use std::path::PathBuf;

use serde::Serialize;
use xxhash_rust::xxh3::{Xxh3, xxh3_128};

/// Where outputs go: `dist/<target>/…` or where each tool reads them.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    #[default]
    Dist,
    Native,
}

/// One rendered output file, its path relative to the output root.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Artifact {
    /// The agent it was rendered for; several, comma-separated, for an aggregate
    /// file; none (empty) for a target's project file ([`Artifact::is_project_file`]).
    pub agent: String,
    pub target: String,
    pub path: PathBuf,
    pub content: String,
    /// xxh3-128 of the file's bytes ([`hash`]), computed where the
    /// content is made, on the rendering threads: path collisions and the build
    /// record use it. For an aggregate file held on disk, the hash of that file.
    #[serde(skip)]
    pub hash: u128,
}

impl Artifact {
    /// A file a target writes once per build (`project_files`), for no one agent.
    pub fn is_project_file(&self) -> bool {
        self.agent.is_empty()
    }

    pub fn new(agent: String, target: String, path: PathBuf, content: String) -> Artifact {
        let hash = hash(content.as_bytes());
        Artifact {
            agent,
            target,
            path,
            content,
            hash,
        }
    }
}

/// One agent's part of an aggregate target's file: its evaluated fields, as
/// the text that `document::frame` places in the file.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Entry {
    pub agent: String,
    pub target: String,
    pub path: PathBuf,
    pub item: String,
}

/// The hash of an output's bytes (xxh3-128): path collisions, the build record
/// and unchanged-file checks compare outputs by it.
pub fn hash(bytes: &[u8]) -> u128 {
    xxh3_128(bytes)
}

/// The same hash over a file, read a block at a time.
pub fn hash_file(file: &mut impl std::io::Read) -> std::io::Result<u128> {
    let mut h = Xxh3::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        match file.read(&mut buf)? {
            0 => return Ok(h.digest128()),
            n => h.update(&buf[..n]),
        }
    }
}

//! Files that hold every agent of a target (Roo's `.roomodes`): each agent's
//! entry is spooled to a temporary file as it is rendered, in any order, and
//! the file is assembled at the end in agent-name order, never held whole in
//! memory.

use std::path::{Path, PathBuf};

use super::Sink;
use crate::artifact::{Artifact, Entry};
use crate::diag::{Code, Diagnostic, Diagnostics};
use crate::target::Target;

/// `Sink::aggregate`'s default: the aggregate file read into the artifact's
/// content and passed to `sink` as a chunk of its own.
pub fn aggregate_in_memory<S: Sink + ?Sized>(
    sink: &mut S,
    mut artifact: Artifact,
    file: &mut std::fs::File,
    diags: &mut Diagnostics,
) {
    use std::io::Read;
    match file.read_to_string(&mut artifact.content) {
        Ok(_) => {
            let failed = diags.has_errors();
            sink.chunk(
                vec![artifact],
                &crate::load::SpecTexts::new(),
                diags,
                failed,
            )
        }
        Err(e) => diags.push(Diagnostic::error(
            Code::Io,
            format!("cannot read back `{}`: {e}", artifact.path.display()),
        )),
    }
}

/// The hash of an aggregate file's bytes as they are written, equal to
/// `cache::output_hash` of the whole.
type ContentHash = xxhash_rust::xxh3::Xxh3;

/// The entries of one aggregate file, spooled to an unnamed temporary file as
/// they are rendered (any order), indexed by agent name.
pub(super) struct Spool {
    target: String,
    path: PathBuf,
    file: Option<std::fs::File>,
    len: u64,
    index: Vec<(String, u64, usize)>,
}

impl Spool {
    pub(super) fn new(target: &str, path: &Path) -> Spool {
        Spool {
            target: target.to_string(),
            path: path.to_path_buf(),
            file: None,
            len: 0,
            index: Vec::new(),
        }
    }

    fn error(&self, e: std::io::Error) -> Diagnostic {
        Diagnostic::error(
            Code::Io,
            format!(
                "cannot spool the entries of `{}` (target `{}`): {e}",
                self.path.display(),
                self.target
            ),
        )
    }

    pub(super) fn push(&mut self, e: &Entry) -> Result<(), Diagnostic> {
        use std::io::Write;
        if self.file.is_none() {
            self.file = Some(tempfile::tempfile().map_err(|e| self.error(e))?);
        }
        let file = self.file.as_mut().expect("just opened");
        if let Err(err) = file.write_all(e.item.as_bytes()) {
            return Err(self.error(err));
        }
        self.index.push((e.agent.clone(), self.len, e.item.len()));
        self.len += e.item.len() as u64;
        Ok(())
    }

    /// The whole file, its entries in agent-name order, written to a temporary
    /// file (never held whole in memory); the artifact carries the hash of its bytes.
    pub(super) fn assemble(
        mut self,
        target: &Target,
    ) -> Result<(Artifact, std::fs::File), Diagnostic> {
        use std::io::{Seek, SeekFrom};
        let frame = crate::render::document::frame(target).map_err(|e| {
            Diagnostic::error(Code::Render, format!("target `{}`: {e}", target.name))
        })?;
        self.index.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out = tempfile::tempfile().map_err(|e| self.error(e))?;
        let Some(mut spool) = self.file.take() else {
            return Err(self.error(std::io::Error::other("no entries")));
        };
        let mut hash = ContentHash::new();
        {
            let mut text = Finished::new(std::io::BufWriter::new(&mut out), &mut hash);
            write_parts(&mut text, &frame, &self.index, &mut spool)
                .and_then(|_| text.end())
                .map_err(|e| self.error(e))?;
        }
        out.seek(SeekFrom::Start(0)).map_err(|e| self.error(e))?;
        let agents: Vec<&str> = self.index.iter().map(|(a, _, _)| a.as_str()).collect();
        let artifact = Artifact {
            agent: agents.join(", "),
            target: self.target,
            path: self.path,
            content: String::new(),
            hash: hash.digest128(),
        };
        Ok((artifact, out))
    }
}

/// Copies the spooled items (`index`: name, offset, length) in order, in their frame.
fn write_parts(
    text: &mut impl std::io::Write,
    frame: &crate::render::document::Frame,
    index: &[(String, u64, usize)],
    spool: &mut std::fs::File,
) -> std::io::Result<()> {
    use std::io::{Read, Seek, SeekFrom};
    let mut bytes = Vec::new();
    text.write_all(frame.head.as_bytes())?;
    for (i, (_, at, len)) in index.iter().enumerate() {
        if i > 0 {
            text.write_all(frame.sep.as_bytes())?;
        }
        bytes.resize(*len, 0);
        spool.seek(SeekFrom::Start(*at))?;
        spool.read_exact(&mut bytes)?;
        text.write_all(&bytes)?;
    }
    text.write_all(frame.tail.as_bytes())
}

/// Writes text as `render::finish` leaves it: exactly one newline at the end
/// (held-back newlines are written only when more text follows). The parts of an
/// aggregate file never hold a carriage return: serializers escape it.
struct Finished<'h, W: std::io::Write> {
    out: W,
    hash: &'h mut ContentHash,
    newlines: usize,
}

impl<'h, W: std::io::Write> Finished<'h, W> {
    fn new(out: W, hash: &'h mut ContentHash) -> Self {
        Finished {
            out,
            hash,
            newlines: 0,
        }
    }

    fn put(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.hash.update(bytes);
        self.out.write_all(bytes)
    }

    fn end(&mut self) -> std::io::Result<()> {
        self.put(b"\n")?;
        self.out.flush()
    }
}

impl<W: std::io::Write> std::io::Write for Finished<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = buf.iter().rposition(|b| *b != b'\n');
        if let Some(last) = text {
            for _ in 0..self.newlines {
                self.put(b"\n")?;
            }
            self.put(&buf[..=last])?;
            self.newlines = buf.len() - last - 1;
        } else {
            self.newlines += buf.len();
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.out.flush()
    }
}

/// An aggregate file built from the sources named on the command line holds only
/// their agents; said once per file (a note, not a translation warning).
pub(super) fn note_partial_aggregates(aggregates: &[(PathBuf, String)], diags: &mut Diagnostics) {
    for (path, agents) in aggregates {
        diags.push(
            Diagnostic::warning(
                Code::PartialAggregate,
                format!(
                    "`{}` holds only the agents named on the command line: {agents}",
                    path.display()
                ),
            )
            .help("build without paths to write every agent of the project into it"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::artifact::Layout;
    use crate::diag::Diagnostics;
    use crate::render::Renderer;
    use crate::target::Registry;
    use crate::{load, lower};

    /// An aggregate is assembled on disk; the hash it carries (used for path
    /// collisions and the build record) is that of the bytes in the file.
    #[test]
    fn an_assembled_aggregate_carries_the_hash_of_its_bytes() {
        use std::io::Read;
        let registry = Registry::load(None).unwrap();
        let roo = registry.get("roo").unwrap();
        let renderer = Renderer::new(None);
        let mut spool = Spool::new("roo", Path::new(".roomodes"));
        for name in ["b", "a"] {
            let spec = format!("name = \"{name}\"\ndescription = \"D.\"\nrole = \"You help.\"\n");
            let mut d = Diagnostics::default();
            let l = load::load_str(Path::new("a.toml"), &spec, &mut d).unwrap();
            let agent = lower::lower(&l.spec);
            let r = super::super::render_one(
                &renderer,
                &agent,
                roo,
                None,
                Layout::Dist,
                Path::new("a.toml"),
            );
            spool.push(&r.unwrap().entry.unwrap()).unwrap();
        }
        let (artifact, mut file) = spool.assemble(roo).unwrap();
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).unwrap();
        assert!(String::from_utf8_lossy(&bytes).contains("slug: a"));
        assert_eq!(artifact.hash, crate::artifact::hash(&bytes));
        assert_ne!(artifact.hash, crate::artifact::hash(b""));
    }
}

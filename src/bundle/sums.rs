//! A bundle in digest form, for `check --bundle`: every field it compares, but
//! each file's text (an entry's `content`, a `shared` file's), each entry's
//! warnings and requests replaced by their sha256. A 10,000-agent bundle is a
//! 1.5 GB manifest; its sums are a few hundred bytes per agent × target.
//!
//! The manifest is read from a stream ([`read`]) in two passes, as strictly as
//! the whole document was read before: first a scan that keeps nothing but
//! `bundle_version` (the document's syntax, its UTF-8 and its version), then
//! the strict reading, which holds one agent's entry (or one `shared` file) at
//! a time: each file's text (an entry's or a shared file's `content`) is
//! hashed as it streams by, before the parser, which sees an empty string in
//! its place ([`Skim`]; serde_json would hold the whole string first).
//! What one entry may span is bounded ([`Limits`]), and so is the number of
//! entries kept.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, VecDeque};
use std::fmt;
use std::io::Read;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};
use sha2::Digest;

use super::skim::Skim;
use super::{BUNDLE_VERSION, Bundle, Request, SharedFile, Source, TargetEntry, Warning};
use crate::support::tokens::Tokens;

/// A sha256.
pub type Sum = [u8; 32];

/// A bundle with its files, warnings and requests as sums. (Serialized only to
/// wait in a temporary file, see [`super::check::Read::set_aside`].)
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sums {
    pub bundle_version: u32,
    pub agentc_version: String,
    pub source_digest: String,
    pub targets: Vec<String>,
    pub agents: BTreeMap<String, AgentSums>,
    pub shared: BTreeMap<String, SharedSums>,
}

/// One agent: its spec's figures as the bundle gives them, and its entries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgentSums {
    pub description: String,
    pub source: Source,
    pub model: String,
    pub tools: Option<Vec<String>>,
    pub targets: Targets,
}

/// An agent's entries by target, sorted: a list sized to fit (a map's nodes
/// would take several times the room at 10,000 agents).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Targets(Vec<(String, EntrySums)>);

impl Targets {
    /// From entries sorted by target, each once (a map's order).
    fn of(sorted: impl Iterator<Item = (String, EntrySums)>) -> Targets {
        let mut list: Vec<_> = sorted.collect();
        list.shrink_to_fit();
        Targets(list)
    }

    pub fn get(&self, target: &str) -> Option<&EntrySums> {
        let i = self
            .0
            .binary_search_by(|(t, _)| t.as_str().cmp(target))
            .ok()?;
        Some(&self.0[i].1)
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn values(&self) -> impl Iterator<Item = &EntrySums> {
        self.0.iter().map(|(_, e)| e)
    }
}

impl<'a> IntoIterator for &'a Targets {
    type Item = &'a (String, EntrySums);
    type IntoIter = std::slice::Iter<'a, (String, EntrySums)>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// A declared `sha256`: its bytes when it is 64 lowercase hex digits, else
/// `None` (which matches no file).
fn declared(hex: &str) -> Option<Sum> {
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let digit = |b: u8| match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        _ => None,
    };
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks(2).enumerate() {
        out[i] = digit(pair[0])? << 4 | digit(pair[1])?;
    }
    Some(out)
}

/// One agent × target entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntrySums {
    pub path: String,
    /// The sum of the entry's own `content`; `None`: its file is in `shared`.
    pub content: Option<Sum>,
    /// The `sha256` the entry declares (`None`: not a sha256).
    pub sha256: Option<Sum>,
    pub characters: usize,
    pub tokens: Tokens,
    pub warnings: Sum,
    pub requests: Sum,
}

/// A `shared` file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SharedSums {
    pub target: String,
    pub agents: Vec<String>,
    /// The sum of its `content`.
    pub content: Sum,
    /// The `sha256` the file declares (`None`: not a sha256).
    pub sha256: Option<Sum>,
    pub characters: usize,
    pub tokens: Tokens,
}

impl Sums {
    /// The sums of a bundle held in memory (one assembled from the sources):
    /// what [`read`] gives for its manifest.
    pub fn of(bundle: &Bundle) -> Sums {
        Sums {
            bundle_version: bundle.bundle_version,
            agentc_version: bundle.agentc_version.clone(),
            source_digest: bundle.source_digest.clone(),
            targets: bundle.targets.clone(),
            agents: bundle
                .agents
                .iter()
                .map(|(name, a)| {
                    let sums = AgentSums {
                        description: a.description.clone(),
                        source: a.source.clone(),
                        model: a.model.clone(),
                        tools: a.tools.clone(),
                        targets: Targets::of(
                            a.targets.iter().map(|(t, e)| (t.clone(), EntrySums::of(e))),
                        ),
                    };
                    (name.clone(), sums)
                })
                .collect(),
            shared: bundle
                .shared
                .iter()
                .map(|(path, f)| (path.clone(), SharedSums::of(f)))
                .collect(),
        }
    }

    /// The sum of an entry's file: its own `content`'s, else that of the
    /// `shared` file at its `path`; `None` only for a malformed bundle.
    pub fn content(&self, entry: &EntrySums) -> Option<Sum> {
        entry
            .content
            .or_else(|| self.shared.get(&entry.path).map(|f| f.content))
    }

    /// The shared file an entry points at, `None` for a file of its own.
    pub fn shared_of(&self, entry: &EntrySums) -> Option<&SharedSums> {
        match entry.content {
            Some(_) => None,
            None => self.shared.get(&entry.path),
        }
    }

    /// The native tree the bundle describes: every file's sum, by path.
    pub fn files(&self) -> BTreeMap<&str, Sum> {
        let mut out: BTreeMap<&str, Sum> = self
            .shared
            .iter()
            .map(|(path, f)| (path.as_str(), f.content))
            .collect();
        for agent in self.agents.values() {
            for entry in agent.targets.values() {
                if let Some(sum) = self.content(entry) {
                    out.insert(entry.path.as_str(), sum);
                }
            }
        }
        out
    }
}

impl EntrySums {
    fn of(e: &TargetEntry) -> EntrySums {
        EntrySums {
            path: e.path.clone(),
            content: e.content.as_deref().map(|c| sha(c.as_bytes())),
            sha256: declared(&e.sha256),
            characters: e.characters,
            tokens: e.tokens,
            warnings: warnings_sum(&e.warnings),
            requests: requests_sum(&e.requests),
        }
    }
}

impl SharedSums {
    fn of(f: &SharedFile) -> SharedSums {
        SharedSums {
            target: f.target.clone(),
            agents: f.agents.clone(),
            content: sha(f.content.as_bytes()),
            sha256: declared(&f.sha256),
            characters: f.characters,
            tokens: f.tokens,
        }
    }
}

/// The sha256 of `bytes`.
pub fn sha(bytes: &[u8]) -> Sum {
    sha2::Sha256::digest(bytes).into()
}

fn warnings_sum(warnings: &[Warning]) -> Sum {
    let mut h = sha2::Sha256::new();
    for w in warnings {
        feed_str(&mut h, &w.code);
        feed_str(&mut h, &w.message);
    }
    h.finalize().into()
}

/// The sum of an entry's requests, equal for equal requests: a JSON object's
/// keys are taken in sorted order (two bodies with the same keys in another
/// order are the same body).
fn requests_sum(requests: &BTreeMap<String, Request>) -> Sum {
    let mut h = sha2::Sha256::new();
    let value = serde_json::to_value(requests).unwrap_or_default();
    feed_value(&mut h, &value);
    h.finalize().into()
}

fn feed_str(h: &mut sha2::Sha256, s: &str) {
    h.update((s.len() as u64).to_be_bytes());
    h.update(s.as_bytes());
}

fn feed_value(h: &mut sha2::Sha256, v: &serde_json::Value) {
    use serde_json::Value as J;
    match v {
        J::Object(map) => {
            let mut keys: Vec<(&String, &J)> = map.iter().collect();
            keys.sort_by(|a, b| a.0.cmp(b.0));
            h.update(b"{");
            for (k, v) in keys {
                feed_str(h, k);
                feed_value(h, v);
            }
            h.update(b"}");
        }
        J::Array(items) => {
            h.update(b"[");
            for v in items {
                feed_value(h, v);
            }
            h.update(b"]");
        }
        J::String(s) => {
            h.update(b"s");
            feed_str(h, s);
        }
        other => {
            h.update(b"v");
            feed_str(h, &other.to_string());
        }
    }
}

/// The bounds of a strict reading.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Most bytes of the manifest one agent's entry may span (its requests are
    /// held while it is read; its files' text is hashed, not held), and the
    /// fields beside `agents` and `shared`.
    pub entry: u64,
    /// Most bytes of the manifest one `shared` file may span (its text is hashed
    /// as it is read; roo's one file is 73 MB at 10,000 agents).
    pub shared: u64,
    /// Most agents plus agent × target entries, and most `shared` files (10,000
    /// corpus agents have about 150,000 entries).
    pub entries: usize,
}

impl Limits {
    pub const DEFAULT: Limits = Limits {
        entry: 256 * 1024 * 1024,
        shared: 1024 * 1024 * 1024,
        entries: 2_000_000,
    };
}

thread_local! {
    /// The bounds of the reading under way.
    static LIMITS: Cell<Limits> = const { Cell::new(Limits::DEFAULT) };
    /// The bytes read since the current window opened, its limit and what it spans.
    static WINDOW: Cell<(u64, u64, &'static str)> = const { Cell::new((0, u64::MAX, "")) };
    /// The sums of the files' texts the reader took out of the manifest ([`Skim`]),
    /// in order, until the parser meets their places.
    static TEXTS: RefCell<VecDeque<Sum>> = const { RefCell::new(VecDeque::new()) };
}

/// The window of an agent's entry ([`Limits::entry`]).
const ENTRY: u64 = u64::MAX - 1;
/// The window of a shared file ([`Limits::shared`]).
const SHARED: u64 = u64::MAX - 2;

/// Opens a window of `limit` bytes over what the parser reads next, spanning `what`.
fn window(limit: u64, what: &'static str) {
    let limit = match limit {
        ENTRY => LIMITS.with(Cell::get).entry,
        SHARED => LIMITS.with(Cell::get).shared,
        other => other,
    };
    WINDOW.with(|w| w.set((0, limit, what)));
}

/// Why the manifest could not be read.
#[derive(Debug)]
pub enum Failed {
    /// The reader under the parser failed (a broken archive entry, a disk).
    Read(std::io::Error),
    /// The manifest is not a bundle this agentc reads: the message.
    Bundle(String),
}

/// What went wrong under the parser, found by the reader itself.
#[derive(Debug)]
enum Failure {
    NotUtf8,
    TooLarge(String),
    Read(std::io::Error),
}

/// The manifest as the parser reads it: checked to be UTF-8, the files' texts
/// taken out and hashed (with [`Skim`], in the strict reading), and counted
/// against the current window. A failure is kept here, for the message.
struct Checked<'a> {
    inner: &'a mut dyn Read,
    skim: Option<Skim>,
    buf: Box<[u8]>,
    /// `buf[pos..ok]` is checked and not yet handed out; `buf[ok..len]` is the
    /// start of a character cut by the end of the last read.
    pos: usize,
    ok: usize,
    len: usize,
    eof: bool,
    failure: Option<Failure>,
}

impl<'a> Checked<'a> {
    fn new(inner: &'a mut dyn Read, skim: bool) -> Checked<'a> {
        Checked {
            inner,
            skim: skim.then(Skim::new),
            buf: vec![0; 64 * 1024].into_boxed_slice(),
            pos: 0,
            ok: 0,
            len: 0,
            eof: false,
            failure: None,
        }
    }

    /// Reads what is left, for its UTF-8 alone.
    fn drain(&mut self) {
        let mut sink = vec![0u8; 64 * 1024];
        window(u64::MAX, "");
        while let Ok(n) = self.read(&mut sink) {
            if n == 0 {
                break;
            }
        }
    }

    fn fail(&mut self, failure: Failure) -> std::io::Error {
        let e = std::io::Error::other(match &failure {
            Failure::NotUtf8 => "not UTF-8".to_string(),
            Failure::TooLarge(m) => m.clone(),
            Failure::Read(e) => e.to_string(),
        });
        self.failure.get_or_insert(failure);
        e
    }

    /// `n` bytes handed to the parser, counted against the current window.
    fn count(n: usize) -> Result<usize, Failure> {
        let (used, limit, what) = WINDOW.with(Cell::get);
        let used = used + n as u64;
        WINDOW.with(|w| w.set((used, limit, what)));
        if used > limit {
            let size = if limit >= 1 << 20 {
                format!("{} MiB", limit >> 20)
            } else {
                format!("{} KiB", limit >> 10)
            };
            return Err(Failure::TooLarge(format!(
                "{what} is larger than {size}: not a bundle agentc reads"
            )));
        }
        Ok(n)
    }

    fn next(&mut self, out: &mut [u8]) -> Result<usize, Failure> {
        if out.is_empty() {
            return Ok(0);
        }
        loop {
            if let Some(skim) = &mut self.skim {
                let (read, written) = skim.step(&self.buf[self.pos..self.ok], out);
                self.pos += read;
                while let Some(sum) = skim.take_sum() {
                    TEXTS.with(|t| t.borrow_mut().push_back(sum));
                }
                if written > 0 {
                    return Self::count(written);
                }
                if self.pos < self.ok {
                    continue;
                }
            } else if self.pos < self.ok {
                let n = out.len().min(self.ok - self.pos);
                out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
                self.pos += n;
                return Self::count(n);
            }
            if self.eof {
                if self.len > self.ok {
                    return Err(Failure::NotUtf8);
                }
                // A text cut short by the end goes to the parser, which says so.
                let written = self.skim.as_mut().map_or(0, |s| s.end(out));
                return Self::count(written);
            }
            self.buf.copy_within(self.ok..self.len, 0);
            self.len -= self.ok;
            (self.pos, self.ok) = (0, 0);
            let n = match self.inner.read(&mut self.buf[self.len..]) {
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(Failure::Read(e)),
            };
            if n == 0 {
                self.eof = true;
                continue;
            }
            self.len += n;
            match std::str::from_utf8(&self.buf[..self.len]) {
                Ok(_) => self.ok = self.len,
                Err(e) if e.error_len().is_some() => return Err(Failure::NotUtf8),
                Err(e) => self.ok = e.valid_up_to(),
            }
        }
    }
}

impl Read for Checked<'_> {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.failure.is_some() {
            return Err(std::io::Error::other("the manifest was not read"));
        }
        self.next(out).map_err(|f| self.fail(f))
    }
}

/// The failure the reader kept, as the error of a pass.
fn failed(failure: Failure) -> Failed {
    match failure {
        Failure::NotUtf8 => {
            Failed::Bundle("not an agentc bundle: the manifest is not UTF-8 text".to_string())
        }
        Failure::TooLarge(m) => Failed::Bundle(m),
        Failure::Read(e) => Failed::Read(e),
    }
}

/// The first pass over a manifest: the document's syntax, its UTF-8 and its
/// `bundle_version`, keeping nothing else. Reads `reader` to its end unless
/// the reader fails.
pub fn scan(reader: &mut dyn Read) -> Result<(), Failed> {
    let mut checked = Checked::new(reader, false);
    window(u64::MAX, "");
    let version = {
        let mut parser =
            serde_json::Deserializer::from_reader(std::io::BufReader::new(&mut checked));
        Probe
            .deserialize(&mut parser)
            .and_then(|v| parser.end().map(|()| v))
    };
    window(u64::MAX, "");
    // Bytes that are not UTF-8 anywhere make it no manifest, whatever else is wrong.
    if checked.failure.is_none() {
        checked.drain();
    }
    if let Some(f) = checked.failure.take() {
        return Err(failed(f));
    }
    let syntax = |e: serde_json::Error| {
        let why = if e.is_eof() {
            "truncated JSON"
        } else {
            "invalid JSON"
        };
        Failed::Bundle(format!("not an agentc bundle: {why} ({e})"))
    };
    let version = match version {
        Ok(v) => v,
        Err(e) if e.is_data() => None,
        Err(e) => return Err(syntax(e)),
    };
    let version = match version {
        Some(serde_json::Value::Null) | None => {
            return Err(Failed::Bundle(
                "not an agentc bundle: it has no `bundle_version`".to_string(),
            ));
        }
        Some(v) => v.as_u64().ok_or_else(|| {
            Failed::Bundle(format!("`bundle_version` must be a number, not `{v}`"))
        })?,
    };
    if version != u64::from(BUNDLE_VERSION) {
        let hint = if version < u64::from(BUNDLE_VERSION) {
            "an older agentc wrote it; run `agentc bundle` to write it again"
        } else {
            "a newer agentc wrote it"
        };
        return Err(Failed::Bundle(format!(
            "unsupported `bundle_version` {version}: this agentc reads version {BUNDLE_VERSION} ({hint})"
        )));
    }
    Ok(())
}

/// The second pass, after [`scan`] found nothing wrong: the manifest read
/// strictly as a bundle, into its sums, an agent (or a shared file) at a time.
pub fn parse(reader: &mut dyn Read) -> Result<Sums, Failed> {
    parse_within(reader, Limits::DEFAULT)
}

/// [`parse`] within `limits`.
pub fn parse_within(reader: &mut dyn Read, limits: Limits) -> Result<Sums, Failed> {
    parse_skimmed(reader, limits, true)
}

/// [`parse_within`], the files' texts taken out before the parser (`skim`) or
/// read by the parser itself (as before [`Skim`]; the tests compare the two).
fn parse_skimmed(reader: &mut dyn Read, limits: Limits, skim: bool) -> Result<Sums, Failed> {
    LIMITS.with(|l| l.set(limits));
    TEXTS.with(|t| t.borrow_mut().clear());
    let mut checked = Checked::new(reader, skim);
    window(ENTRY, "the manifest's header");
    let result = {
        let mut parser =
            serde_json::Deserializer::from_reader(std::io::BufReader::new(&mut checked));
        BundleIn::deserialize(&mut parser).and_then(|b| parser.end().map(|()| b))
    };
    window(u64::MAX, "");
    LIMITS.with(|l| l.set(Limits::DEFAULT));
    TEXTS.with(|t| *t.borrow_mut() = VecDeque::new());
    if let Some(f) = checked.failure.take() {
        return Err(failed(f));
    }
    match result {
        Ok(b) => Ok(Sums {
            bundle_version: b.bundle_version,
            agentc_version: b.agentc_version,
            source_digest: b.source_digest,
            targets: b.targets,
            agents: b.agents.0,
            shared: b.shared.0,
        }),
        Err(e) => Err(Failed::Bundle(format!("malformed bundle: {e}"))),
    }
}

/// Any JSON value; of an object, its `bundle_version` (kept) and nothing else.
struct Probe;

impl<'de> DeserializeSeed<'de> for Probe {
    type Value = Option<serde_json::Value>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(Probe)
    }
}

impl<'de> Visitor<'de> for Probe {
    type Value = Option<serde_json::Value>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut version = None;
        loop {
            window(ENTRY, "a key of the manifest");
            let Some(key) = map.next_key::<IsVersion>()? else {
                break;
            };
            if key.0 {
                if version.is_some() {
                    return Err(de::Error::duplicate_field("bundle_version"));
                }
                window(ENTRY, "`bundle_version`");
                version = Some(map.next_value::<Option<serde_json::Value>>()?);
            } else {
                window(u64::MAX, "");
                map.next_value::<IgnoredAny>()?;
            }
        }
        window(u64::MAX, "");
        Ok(version.flatten())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        window(u64::MAX, "");
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_bool<E>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}

/// Whether a key is `bundle_version`.
struct IsVersion(bool);

impl<'de> Deserialize<'de> for IsVersion {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = IsVersion;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a key")
            }
            fn visit_str<E>(self, v: &str) -> Result<IsVersion, E> {
                Ok(IsVersion(v == "bundle_version"))
            }
        }
        d.deserialize_str(V)
    }
}

/// The manifest as read: the fields and messages of [`Bundle`]'s own reading.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct BundleIn {
    bundle_version: u32,
    agentc_version: String,
    source_digest: String,
    targets: Vec<String>,
    agents: AgentsIn,
    shared: SharedIn,
}

/// [`super::AgentEntry`] as read, each file's text hashed.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AgentIn {
    #[allow(dead_code)]
    name: String,
    description: String,
    source: Source,
    model: String,
    tools: Option<Vec<String>>,
    targets: BTreeMap<String, EntryIn>,
}

/// [`TargetEntry`] as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EntryIn {
    path: String,
    #[serde(default)]
    content: Option<Hashed>,
    sha256: String,
    characters: usize,
    tokens: Tokens,
    warnings: Vec<Warning>,
    #[serde(default)]
    requests: BTreeMap<String, Request>,
}

/// [`SharedFile`] as read.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SharedIn1 {
    target: String,
    agents: Vec<String>,
    content: Hashed,
    sha256: String,
    characters: usize,
    tokens: Tokens,
}

/// A file's text, kept as its sum: the one [`Skim`] took out of the manifest
/// in its place (the parser sees an empty string), else hashed from the
/// parser's buffer.
struct Hashed(Sum);

impl<'de> Deserialize<'de> for Hashed {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Hashed;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E>(self, v: &str) -> Result<Hashed, E> {
                let skimmed = TEXTS.with(|t| t.borrow_mut().pop_front());
                Ok(Hashed(skimmed.unwrap_or_else(|| sha(v.as_bytes()))))
            }
        }
        d.deserialize_str(V)
    }
}

/// The `agents` object, read an agent at a time.
struct AgentsIn(BTreeMap<String, AgentSums>);

/// The `shared` object, read a file at a time.
struct SharedIn(BTreeMap<String, SharedSums>);

/// The entries kept so far: agents and agent × target entries.
fn count_entries<E: de::Error>(kept: &mut usize, more: usize) -> Result<(), E> {
    *kept += more;
    let most = LIMITS.with(Cell::get).entries;
    if *kept > most {
        return Err(E::custom(format!(
            "more than {most} agents and agent × target entries (or `shared` files): not a bundle agentc reads"
        )));
    }
    Ok(())
}

impl<'de> Deserialize<'de> for AgentsIn {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AgentsIn;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<AgentsIn, A::Error> {
                let mut out = BTreeMap::new();
                let mut kept = 0;
                loop {
                    window(ENTRY, "an agent's entry in the manifest");
                    let Some(name) = map.next_key::<String>()? else {
                        break;
                    };
                    let a: AgentIn = map.next_value()?;
                    count_entries(&mut kept, 1 + a.targets.len())?;
                    let targets = Targets::of(a.targets.into_iter().map(|(t, e)| {
                        let sums = EntrySums {
                            path: e.path,
                            content: e.content.map(|h| h.0),
                            sha256: declared(&e.sha256),
                            characters: e.characters,
                            tokens: e.tokens,
                            warnings: warnings_sum(&e.warnings),
                            requests: requests_sum(&e.requests),
                        };
                        (t, sums)
                    }));
                    let sums = AgentSums {
                        description: a.description,
                        source: a.source,
                        model: a.model,
                        tools: a.tools,
                        targets,
                    };
                    out.insert(name, sums);
                }
                window(ENTRY, "the manifest's fields after `agents`");
                Ok(AgentsIn(out))
            }
        }
        d.deserialize_map(V)
    }
}

impl<'de> Deserialize<'de> for SharedIn {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = SharedIn;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<SharedIn, A::Error> {
                let mut out = BTreeMap::new();
                let mut kept = 0;
                loop {
                    window(SHARED, "a `shared` file in the manifest");
                    let Some(path) = map.next_key::<String>()? else {
                        break;
                    };
                    let f: SharedIn1 = map.next_value()?;
                    count_entries(&mut kept, 1)?;
                    let sums = SharedSums {
                        target: f.target,
                        agents: f.agents,
                        content: f.content.0,
                        sha256: declared(&f.sha256),
                        characters: f.characters,
                        tokens: f.tokens,
                    };
                    out.insert(path, sums);
                }
                window(ENTRY, "the manifest's fields after `shared`");
                Ok(SharedIn(out))
            }
        }
        d.deserialize_map(V)
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::{AgentEntry, UserMessage};
    use super::*;
    use crate::target::UserAction;

    /// A bundle of two agents: own files with warnings and a request, and one
    /// file both point at; every `sha256` right.
    pub(in crate::bundle) fn bundle() -> Bundle {
        let file = |text: &str| TargetEntry {
            path: String::new(),
            content: Some(text.to_string()),
            sha256: super::super::archive::hex(&sha(text.as_bytes())),
            characters: text.chars().count(),
            tokens: crate::support::tokens::estimate(text),
            warnings: Vec::new(),
            requests: BTreeMap::new(),
        };
        let shared_text = "- a\n- b ✓\n";
        let mut agents = BTreeMap::new();
        for name in ["a", "b"] {
            let mut gpt = file(&format!("You are {name}. é 𝄞 \"quoted\"\n"));
            gpt.path = format!("prompts/gpt/{name}.md");
            gpt.warnings = vec![Warning {
                code: "dropped".into(),
                message: format!("dropped color of {name}"),
            }];
            let body: serde_json::Map<String, serde_json::Value> = serde_json::from_str(
                r#"{"messages": [{"role": "system", "content": "x"}], "stream": false}"#,
            )
            .unwrap();
            gpt.requests.insert(
                "openai.chat".into(),
                Request {
                    body,
                    user: UserMessage {
                        at: "/messages".into(),
                        action: UserAction::Append,
                        value: Some(serde_json::json!({"role": "user", "content": "USER"})),
                        placeholder: "USER".into(),
                    },
                    needs: vec!["model".into()],
                },
            );
            let mut roo = file(shared_text);
            roo.path = ".roomodes".into();
            roo.content = None;
            agents.insert(
                name.to_string(),
                AgentEntry {
                    name: name.into(),
                    description: format!("Use {name}."),
                    source: Source {
                        path: format!("agents/{name}.toml"),
                        sha256: "0".repeat(64),
                    },
                    model: "inherit".into(),
                    tools: Some(vec!["Read".into()]),
                    targets: [("gpt".to_string(), gpt), ("roo".to_string(), roo)]
                        .into_iter()
                        .collect(),
                },
            );
        }
        let roo = file(shared_text);
        let shared = SharedFile {
            target: "roo".into(),
            agents: vec!["a".into(), "b".into()],
            content: shared_text.into(),
            sha256: roo.sha256,
            characters: roo.characters,
            tokens: roo.tokens,
        };
        Bundle {
            bundle_version: BUNDLE_VERSION,
            agentc_version: "0.1.0".into(),
            source_digest: "f".repeat(64),
            targets: vec!["gpt".into(), "roo".into()],
            agents,
            shared: [(".roomodes".to_string(), shared)].into_iter().collect(),
        }
    }

    fn parse_text(text: &str) -> Result<Sums, String> {
        scan(&mut text.as_bytes()).map_err(message)?;
        parse(&mut text.as_bytes()).map_err(message)
    }

    fn message(f: Failed) -> String {
        match f {
            Failed::Bundle(m) => m,
            Failed::Read(e) => format!("read: {e}"),
        }
    }

    /// A reader that hands out one byte at a time (every character cut).
    struct Trickle<'a>(&'a [u8]);

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let Some((first, rest)) = self.0.split_first() else {
                return Ok(0);
            };
            if buf.is_empty() {
                return Ok(0);
            }
            buf[0] = *first;
            self.0 = rest;
            Ok(1)
        }
    }

    #[test]
    fn the_sums_read_from_a_manifest_are_those_of_its_bundle() {
        let b = bundle();
        let text = super::super::to_json(&b);
        let want = Sums::of(&b);
        assert_eq!(parse_text(&text).unwrap(), want);
        // A byte at a time, each multi-byte character cut between reads.
        scan(&mut Trickle(text.as_bytes())).unwrap();
        assert_eq!(parse(&mut Trickle(text.as_bytes())).unwrap(), want);
        // Compact JSON, keys in another order: the same bundle.
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        let compact = serde_json::to_string(&value).unwrap();
        assert_eq!(parse_text(&compact).unwrap(), want);
        let reversed = |v: &serde_json::Value| -> serde_json::Value {
            let m = v.as_object().unwrap();
            serde_json::Value::Object(
                m.iter()
                    .rev()
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            )
        };
        value = reversed(&value);
        let body = &mut value["agents"]["a"]["targets"]["gpt"]["requests"]["openai.chat"]["body"];
        *body = reversed(body);
        assert_eq!(
            parse_text(&serde_json::to_string(&value).unwrap()).unwrap(),
            want
        );
    }

    #[test]
    fn each_field_compared_changes_its_sum() {
        let b = bundle();
        let base = Sums::of(&b);
        let entry = |s: &Sums| s.agents["a"].targets.get("gpt").unwrap().clone();
        let mut other = b.clone();
        let gpt = other.agents.get_mut("a").unwrap().targets.get_mut("gpt");
        gpt.unwrap().content = Some("You are A.\n".into());
        assert_ne!(entry(&Sums::of(&other)).content, entry(&base).content);
        let mut other = b.clone();
        let gpt = other.agents.get_mut("a").unwrap().targets.get_mut("gpt");
        gpt.unwrap().warnings[0].message.push('!');
        assert_ne!(entry(&Sums::of(&other)).warnings, entry(&base).warnings);
        // Code and message are told apart: moving a character across is a change.
        let mut other = b.clone();
        let w = &mut other.agents.get_mut("a").unwrap().targets.get_mut("gpt");
        let w = &mut w.as_mut().unwrap().warnings[0];
        w.code.push('d');
        w.message.remove(0);
        assert_ne!(entry(&Sums::of(&other)).warnings, entry(&base).warnings);
        let mut other = b.clone();
        let gpt = other.agents.get_mut("a").unwrap().targets.get_mut("gpt");
        let r = gpt.unwrap().requests.get_mut("openai.chat").unwrap();
        r.body
            .insert("stream".into(), serde_json::Value::Bool(true));
        assert_ne!(entry(&Sums::of(&other)).requests, entry(&base).requests);
        let mut other = b.clone();
        other.shared.get_mut(".roomodes").unwrap().content.push('x');
        assert_ne!(
            Sums::of(&other).shared[".roomodes"].content,
            base.shared[".roomodes"].content
        );
    }

    /// `streamed` is `malformed bundle: ` and the message of the whole reading,
    /// at the same line (a column may be one further: the stream's parser counts
    /// the character it looked ahead at).
    fn same_message(streamed: &str, whole: &serde_json::Error, label: &str) {
        let whole = format!("malformed bundle: {whole}");
        let cut = |m: &str| -> (String, String) {
            let (what, at) = m.rsplit_once(" column ").unwrap_or((m, ""));
            (what.to_string(), at.to_string())
        };
        let ((s, sc), (w, wc)) = (cut(streamed), cut(&whole));
        assert_eq!(s, w, "{label}");
        let (sc, wc): (u64, u64) = (sc.parse().unwrap(), wc.parse().unwrap());
        assert!(sc == wc || sc == wc + 1, "{label}: {streamed} / {whole}");
    }

    /// The messages of a malformed manifest are those of reading it whole.
    #[test]
    fn malformed_manifests_get_the_messages_of_the_whole_reading() {
        let text = super::super::to_json(&bundle());
        let base: serde_json::Value = serde_json::from_str(&text).unwrap();
        type Edit = Box<dyn Fn(&mut serde_json::Value)>;
        let edits: Vec<(&str, Edit)> = vec![
            ("unknown top field", Box::new(|m| m["extra"] = 1.into())),
            (
                "no shared",
                Box::new(|m| drop(m.as_object_mut().unwrap().shift_remove("shared"))),
            ),
            ("agents not a map", Box::new(|m| m["agents"] = 5.into())),
            (
                "shared a list",
                Box::new(|m| m["shared"] = serde_json::json!([1])),
            ),
            (
                "version a string",
                Box::new(|m| m["agentc_version"] = 3.into()),
            ),
            (
                "unknown agent field",
                Box::new(|m| m["agents"]["a"]["colour"] = "red".into()),
            ),
            (
                "no description",
                Box::new(|m| {
                    drop(
                        m["agents"]["a"]
                            .as_object_mut()
                            .unwrap()
                            .shift_remove("description"),
                    )
                }),
            ),
            (
                "content a number",
                Box::new(|m| m["agents"]["a"]["targets"]["gpt"]["content"] = 5.into()),
            ),
            (
                "tokens wrong",
                Box::new(|m| m["agents"]["b"]["targets"]["gpt"]["tokens"] = "many".into()),
            ),
            (
                "request unknown field",
                Box::new(|m| {
                    m["agents"]["b"]["targets"]["gpt"]["requests"]["openai.chat"]["extra"] =
                        1.into()
                }),
            ),
            (
                "user action unknown",
                Box::new(|m| {
                    m["agents"]["b"]["targets"]["gpt"]["requests"]["openai.chat"]["user"]["action"] =
                        "shout".into()
                }),
            ),
            (
                "shared unknown field",
                Box::new(|m| m["shared"][".roomodes"]["mode"] = 1.into()),
            ),
            (
                "shared content null",
                Box::new(|m| m["shared"][".roomodes"]["content"] = serde_json::Value::Null),
            ),
            (
                "targets of numbers",
                Box::new(|m| m["targets"] = serde_json::json!([1, 2])),
            ),
        ];
        for (label, edit) in edits {
            let mut m = base.clone();
            edit(&mut m);
            let text = serde_json::to_string_pretty(&m).unwrap();
            let whole = serde_json::from_str::<Bundle>(&text).unwrap_err();
            same_message(&parse_text(&text).unwrap_err(), &whole, label);
        }
        // A key twice: the whole reading's message for a field of the bundle;
        // in `agents` the last one is kept, as a whole reading keeps it.
        let twice = text.replacen("\"targets\": [", "\"targets\": [],\n  \"targets\": [", 1);
        let whole = serde_json::from_str::<Bundle>(&twice).unwrap_err();
        same_message(&parse_text(&twice).unwrap_err(), &whole, "targets twice");
        let a = text.find("    \"a\": {").unwrap();
        let b = text.find("    \"b\": {").unwrap();
        let renamed = format!(
            "{}{}",
            &text[..b],
            text[b..].replacen("\"b\": {", "\"a\": {", 1)
        );
        let whole: Bundle = serde_json::from_str(&renamed).unwrap();
        assert_eq!(parse_text(&renamed).unwrap(), Sums::of(&whole));
        assert!(a < b);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_found_anywhere() {
        let text = super::super::to_json(&bundle());
        for at in [0, 1, text.len() / 2, text.len() - 2] {
            let mut bytes = text.clone().into_bytes();
            // Not after a multi-byte character's lead byte: replace a whole ASCII byte.
            let at = (at..bytes.len()).find(|&i| bytes[i].is_ascii()).unwrap();
            bytes[at] = 0xff;
            let err = scan(&mut &bytes[..]).map_err(message).unwrap_err();
            assert!(err.contains("not UTF-8"), "{at}: {err}");
        }
        // After a syntax error, and cut at the end.
        let err = scan(&mut &b"{]\n\xff"[..]).map_err(message).unwrap_err();
        assert!(err.contains("not UTF-8"), "{err}");
        let err = scan(&mut &b"{\"a\": \"\xc3"[..])
            .map_err(message)
            .unwrap_err();
        assert!(err.contains("not UTF-8"), "{err}");
        let err = scan(&mut &b"{\"bundle_version\": 3} \xe2\x9c"[..])
            .map_err(message)
            .unwrap_err();
        assert!(err.contains("not UTF-8"), "{err}");
    }

    /// A bundle whose texts are long and hold every kind of character and
    /// escape: the one of [`bundle`] with its shared file and an own file grown.
    pub(in crate::bundle) fn long_bundle() -> Bundle {
        let mut b = bundle();
        let mut text = String::new();
        for i in 0..3000 {
            text.push_str(&format!(
                "- line {i}: é ✓ 𝄞 \"q\" \\ / \t\u{1}\u{7f}\u{8}\u{c}\r\n"
            ));
        }
        let set = |e: &mut TargetEntry| {
            e.sha256 = super::super::archive::hex(&sha(text.as_bytes()));
            e.characters = text.chars().count();
        };
        let shared = b.shared.get_mut(".roomodes").unwrap();
        shared.content = text.clone();
        shared.sha256 = super::super::archive::hex(&sha(text.as_bytes()));
        shared.characters = text.chars().count();
        for agent in b.agents.values_mut() {
            set(agent.targets.get_mut("roo").unwrap());
        }
        let gpt = b
            .agents
            .get_mut("a")
            .unwrap()
            .targets
            .get_mut("gpt")
            .unwrap();
        gpt.content = Some(text.clone());
        set(gpt);
        b
    }

    /// Long texts, taken out of the manifest and hashed as they stream by, give
    /// the sums of the whole reading, however the manifest comes in.
    #[test]
    fn long_texts_hashed_as_they_stream_give_the_sums_of_the_bundle() {
        let b = long_bundle();
        let want = Sums::of(&b);
        let pretty = super::super::to_json(&b);
        let compact = serde_json::to_string(&b).unwrap();
        // `\/` and `\u` escapes (of one character and of a surrogate pair),
        // which agentc does not write, decode to the same text.
        let escaped = pretty
            .replace("- line 7:", "- line \\u0037\\u003a")
            .replace(
                "- line 9: é ✓ 𝄞",
                "- line 9: \\u00e9 \\u2713 \\uD834\\uDD1E",
            );
        assert_ne!(escaped, pretty);
        for text in [&pretty, &compact, &escaped] {
            assert_eq!(parse_text(text).unwrap(), want);
            assert_eq!(parse(&mut Trickle(text.as_bytes())).unwrap(), want);
            let read = parse_skimmed(&mut text.as_bytes(), Limits::DEFAULT, false);
            assert_eq!(read.unwrap(), want);
        }
    }

    /// A text that breaks a rule of JSON strings gets the message the parser
    /// gives reading it itself, at the same line and column, whether it is an
    /// entry's or a shared file's, and the whole reading's message.
    #[test]
    fn texts_at_fault_get_the_parsers_messages() {
        let pretty = super::super::to_json(&long_bundle());
        let compact = serde_json::to_string(&long_bundle()).unwrap();
        for text in [&pretty, &compact] {
            // Agent `a`'s own file first, the shared file last.
            let own = text.find("- line 2999").unwrap();
            let shared = text.rfind("- line 2999").unwrap();
            assert!(own < text.find("\"shared\"").unwrap() && shared > own);
            for at in [own, shared] {
                for fault in [
                    "\\q",
                    "\\u12G4",
                    "\\uDC00",
                    "\\uD800x",
                    "\\uD800\\n",
                    "\\uD800\\u0041",
                    "\\uD800\\uD800",
                    "\\uD800",
                    "\t",
                    "\n",
                    "\u{1f}",
                    "\u{0}",
                ] {
                    let bad = format!("{}{fault}{}", &text[..at], &text[at..]);
                    // Both passes, as `check --bundle` reads; the first finds most faults.
                    let streamed = parse_text(&bad).unwrap_err();
                    // The second alone: the same message as the parser's own reading.
                    let second = parse(&mut bad.as_bytes()).map_err(message).unwrap_err();
                    let parser = parse_skimmed(&mut bad.as_bytes(), Limits::DEFAULT, false);
                    assert_eq!(second, message(parser.unwrap_err()), "{fault:?}");
                    let whole = serde_json::from_str::<Bundle>(&bad).unwrap_err();
                    if streamed.starts_with("malformed") {
                        same_message(&streamed, &whole, fault);
                    } else {
                        assert!(
                            streamed.contains(&whole.to_string()),
                            "{streamed} / {whole}"
                        );
                    }
                    same_message(&second, &whole, fault);
                }
                // Cut short inside the text, also inside an escape.
                for cut in [at + 5, text[at..].find("\\\"").unwrap() + at + 1] {
                    let bad = &text[..cut];
                    let second = parse(&mut bad.as_bytes()).map_err(message).unwrap_err();
                    let parser = parse_skimmed(&mut bad.as_bytes(), Limits::DEFAULT, false);
                    assert_eq!(second, message(parser.unwrap_err()));
                    assert!(second.contains("EOF while parsing a string"), "{second}");
                    let whole = serde_json::from_str::<Bundle>(bad).unwrap_err();
                    same_message(&second, &whole, "cut");
                }
            }
        }
    }

    /// Any text, within JSON's rules for strings or not, written raw into the
    /// manifest as an own file's and the shared file's: the reading with the
    /// texts taken out before the parser agrees with the parser's own reading
    /// (the same sums, or the same message), also cut short after the first.
    #[test]
    fn texts_taken_out_and_texts_parsed_agree() {
        use proptest::prelude::*;
        let fragment = prop_oneof![
            "[a-z ]{1,8}",
            prop::sample::select(vec![
                "é𝄞", "\\n", "\\\"", "\\\\", "\\/", "\\b", "\\t", "\\", "\"", "\t", "\u{1}", "\n",
                "\\q", "\\u",
            ])
            .prop_map(str::to_string),
            "[0-9a-fA-FxG\"\\\\]{0,4}".prop_map(|h| format!("\\u{h}")),
            prop::sample::select(vec![
                "D800", "DBFF", "DC00", "DFFF", "0041", "00e9", "D834", "DD1E"
            ])
            .prop_map(|h| format!("\\u{h}")),
        ];
        let text = prop::collection::vec(fragment, 0..10).prop_map(|v| v.concat());
        let b = bundle();
        let json = super::super::to_json(&b);
        let escaped = |s: &str| {
            let quoted = serde_json::to_string(s).unwrap();
            quoted[1..quoted.len() - 1].to_string()
        };
        let own = escaped(b.agents["a"].targets["gpt"].content.as_deref().unwrap());
        let shared = escaped(&b.shared[".roomodes"].content);
        assert_eq!(
            (json.matches(&own).count(), json.matches(&shared).count()),
            (1, 1)
        );
        let config = proptest::test_runner::Config {
            cases: 400,
            failure_persistence: None,
            ..Default::default()
        };
        proptest!(config, |(a in text.clone(), b in text, cut in any::<bool>())| {
            let mut manifest = json.replace(&own, &a).replace(&shared, &b);
            if cut {
                manifest.truncate(json.find(&own).unwrap() + a.len());
            }
            let read = |skim: bool, trickle: bool| {
                let result = if trickle {
                    parse_skimmed(&mut Trickle(manifest.as_bytes()), Limits::DEFAULT, skim)
                } else {
                    parse_skimmed(&mut manifest.as_bytes(), Limits::DEFAULT, skim)
                };
                result.map_err(message)
            };
            let parsed = read(false, false);
            prop_assert_eq!(&read(true, false), &parsed, "{}", manifest);
            prop_assert_eq!(&read(true, true), &parsed, "{}", manifest);
        });
    }

    /// An agent's entry or a shared file larger than its bound, and more
    /// entries than the bound, are refused as they are read, not once held
    /// (a bound holds give or take the parser's look-ahead buffer, 8 KiB).
    #[test]
    fn what_is_over_a_bound_is_refused() {
        let limits = Limits {
            entry: 256 * 1024,
            shared: 512 * 1024,
            entries: 6,
        };
        let within = |m: &serde_json::Value| {
            let text = serde_json::to_string(m).unwrap();
            scan(&mut text.as_bytes()).unwrap();
            parse_within(&mut text.as_bytes(), limits).map_err(message)
        };
        let base: serde_json::Value =
            serde_json::from_str(&super::super::to_json(&bundle())).unwrap();
        assert!(within(&base).is_ok());
        let pad = |n: usize| serde_json::Value::from("x".repeat(n));
        let mut m = base.clone();
        m["agents"]["a"]["targets"]["gpt"]["requests"]["openai.chat"]["body"]["pad"] =
            pad(300 * 1024);
        assert_eq!(
            within(&m).unwrap_err(),
            "an agent's entry in the manifest is larger than 256 KiB: not a bundle agentc reads"
        );
        // A shared file may be larger than an agent's entry, up to its own bound.
        let mut m = base.clone();
        m["shared"][".roomodes"]["content"] = pad(300 * 1024);
        assert!(within(&m).is_ok());
        let mut m = base.clone();
        m["shared"][".roomodes"]["content"] = pad(600 * 1024);
        assert!(
            within(&m)
                .unwrap_err()
                .starts_with("a `shared` file in the manifest is larger")
        );
        // Fields beside `agents` and `shared` are bounded as an agent's entry is.
        let mut m = base.clone();
        m["agentc_version"] = pad(300 * 1024);
        assert!(
            within(&m)
                .unwrap_err()
                .starts_with("the manifest's header is larger")
        );
        // Two agents of two entries each are 6; one more target is 7.
        let mut m = base.clone();
        let copy = m["agents"]["a"]["targets"]["gpt"].clone();
        m["agents"]["a"]["targets"]["claude"] = copy;
        let err = within(&m).unwrap_err();
        assert!(
            err.contains("more than 6 agents and agent × target entries"),
            "{err}"
        );
    }
}

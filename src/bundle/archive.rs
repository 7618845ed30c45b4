//! Bundle archives: the native layout tree plus the manifest, as `.tar.gz` or
//! `.zip`, byte-identical for the same inputs (reproducible-builds.org rules):
//! entries sorted by path, each folder before what it holds, one fixed time
//! (`SOURCE_DATE_EPOCH` when set, else 1980-01-01, the earliest a zip can
//! hold), owner 0/0 with empty names, modes 0644 for files and 0755 for folders.
//! Reading ([`unpack`], [`with_manifest`]) streams an archive, strictly, for
//! `check --bundle`: each tree file is hashed as it goes by, the manifest
//! entry is handed to a reader of it; nothing read is held.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read, Seek, Write};

use sha2::Digest;
use std::path::Path;

use super::FILE_NAME;
use super::sums::{Failed, Sum};
use crate::diag::{Code, Diagnostic};

/// 1980-01-01T00:00:00Z.
pub const DEFAULT_EPOCH: u64 = 315_532_800;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    TarGz,
    Zip,
}

impl Format {
    /// The format a file name asks for, `None` for an unknown extension.
    pub fn from_name(path: &Path) -> Option<Format> {
        let name = path.file_name()?.to_string_lossy().to_ascii_lowercase();
        if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
            Some(Format::TarGz)
        } else if name.ends_with(".zip") {
            Some(Format::Zip)
        } else if name.ends_with(".json") {
            Some(Format::Json)
        } else {
            None
        }
    }

    /// The format of a file's bytes, by their magic numbers.
    pub fn sniff(bytes: &[u8]) -> Format {
        if bytes.starts_with(&[0x1f, 0x8b]) {
            Format::TarGz
        } else if bytes.starts_with(b"PK") {
            Format::Zip
        } else {
            Format::Json
        }
    }
}

/// Writes `bundle` to `path` in `format`, atomically.
pub fn write(path: &Path, format: Format, bundle: &super::Bundle) -> Result<(), Diagnostic> {
    let manifest = super::to_json(bundle);
    let bytes = match format {
        Format::Json => Ok(manifest.into_bytes()),
        Format::TarGz => epoch().and_then(|t| tar_gz(&bundle.files(), &manifest, t)),
        Format::Zip => epoch().and_then(|t| zip(&bundle.files(), &manifest, t)),
    };
    let bytes = bytes.map_err(|e| Diagnostic::error(Code::Bundle, e).at(path))?;
    crate::support::fs::atomic_write(path, &bytes)
}

/// The archive time: `SOURCE_DATE_EPOCH` if set, else 1980-01-01.
pub fn epoch() -> Result<u64, String> {
    match std::env::var("SOURCE_DATE_EPOCH") {
        Ok(v) if !v.trim().is_empty() => v.trim().parse().map_err(|_| {
            format!("`SOURCE_DATE_EPOCH` must be a whole number of seconds, not `{v}`")
        }),
        _ => Ok(DEFAULT_EPOCH),
    }
}

/// An archive entry: its path, and for a file its number among the files the
/// writer was given (the manifest's is their count); `None` for a folder,
/// whose path ends in `/`.
pub type Slot = (String, Option<usize>);

/// Where a file's bytes come from when an archive is written: given a file's
/// number, its length and a reader of exactly that many bytes.
pub type Open<'a> = dyn FnMut(usize) -> std::io::Result<(u64, Box<dyn Read + 'a>)> + 'a;

/// Every entry of an archive of the files at `paths` (numbered in that order)
/// and the manifest: folders and files, sorted, a folder before its contents.
pub fn layout<'a>(paths: impl Iterator<Item = &'a str>) -> Result<Vec<Slot>, String> {
    let mut all: BTreeMap<String, Option<usize>> = BTreeMap::new();
    let mut dirs = BTreeSet::new();
    let mut count = 0;
    for (i, path) in paths.enumerate() {
        if path == FILE_NAME {
            return Err(format!(
                "a target writes `{FILE_NAME}`, the name of the manifest"
            ));
        }
        all.insert(path.to_string(), Some(i));
        count = i + 1;
    }
    all.insert(FILE_NAME.to_string(), Some(count));
    for path in all.keys() {
        let mut at = 0;
        while let Some(i) = path[at..].find('/') {
            at += i + 1;
            dirs.insert(path[..at].to_string());
        }
    }
    for d in dirs {
        all.insert(d, None);
    }
    Ok(all.into_iter().collect())
}

/// `files` (path → content, each file once) and the manifest, as the entries
/// and bytes the writers take.
fn in_memory<'a>(
    files: &'a BTreeMap<&str, &str>,
    manifest: &'a str,
) -> Result<(Vec<Slot>, Box<Open<'a>>), String> {
    let list: Vec<&'a str> = files.values().copied().collect();
    let slots = layout(files.keys().copied())?;
    let open = move |i: usize| {
        let text = list.get(i).copied().unwrap_or(manifest);
        let reader: Box<dyn Read + 'a> = Box::new(text.as_bytes());
        Ok((text.len() as u64, reader))
    };
    Ok((slots, Box::new(open)))
}

/// The native tree (`path` → content, each file once) and the manifest as a `.tar.gz`.
pub fn tar_gz(files: &BTreeMap<&str, &str>, manifest: &str, mtime: u64) -> Result<Vec<u8>, String> {
    let (slots, mut open) = in_memory(files, manifest)?;
    tar_gz_to(Vec::new(), &slots, &mut *open, mtime)
}

/// Writes the entries `slots` (files read through `open`) as a `.tar.gz` to
/// `out`, a file at a time; returns `out`.
pub fn tar_gz_to<W: Write>(
    out: W,
    slots: &[Slot],
    open: &mut Open,
    mtime: u64,
) -> Result<W, String> {
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(out, flate2::Compression::new(9));
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    let io = |e: std::io::Error| format!("cannot write the archive: {e}");
    for (path, file) in slots {
        let mut h = tar::Header::new_gnu();
        h.set_mtime(mtime);
        h.set_uid(0);
        h.set_gid(0);
        h.set_username("").map_err(io)?;
        h.set_groupname("").map_err(io)?;
        match file {
            None => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
                tar.append_data(&mut h, path, std::io::empty())
                    .map_err(io)?;
            }
            Some(i) => {
                let (len, reader) = open(*i).map_err(io)?;
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(0o644);
                h.set_size(len);
                tar.append_data(&mut h, path, reader).map_err(io)?;
            }
        }
    }
    let gz = tar.into_inner().map_err(io)?;
    gz.finish().map_err(io)
}

/// The native tree (`path` → content, each file once) and the manifest as a `.zip`.
pub fn zip(files: &BTreeMap<&str, &str>, manifest: &str, mtime: u64) -> Result<Vec<u8>, String> {
    let (slots, mut open) = in_memory(files, manifest)?;
    Ok(zip_to(Cursor::new(Vec::new()), &slots, &mut *open, mtime)?.into_inner())
}

/// Writes the entries `slots` (files read through `open`) as a `.zip` to
/// `out`, a file at a time; returns `out`.
pub fn zip_to<W: Write + std::io::Seek>(
    out: W,
    slots: &[Slot],
    open: &mut Open,
    mtime: u64,
) -> Result<W, String> {
    let err = |e: zip::result::ZipError| format!("cannot write the archive: {e}");
    let io = |e: std::io::Error| format!("cannot write the archive: {e}");
    let time = dos_time(mtime);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(time)
        .large_file(false);
    let mut zip = zip::ZipWriter::new(out);
    for (path, file) in slots {
        match file {
            None => zip
                .add_directory(path, options.unix_permissions(0o755))
                .map_err(err)?,
            Some(i) => {
                let (_, mut reader) = open(*i).map_err(io)?;
                zip.start_file(path, options.unix_permissions(0o644))
                    .map_err(err)?;
                std::io::copy(&mut reader, &mut zip).map_err(io)?;
            }
        }
    }
    zip.finish().map_err(err)
}

/// A Unix time as a zip (MS-DOS) time in UTC, clamped to 1980–2107.
fn dos_time(secs: u64) -> zip::DateTime {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    if y < 1980 {
        return zip::DateTime::default();
    }
    let y = u16::try_from(y).unwrap_or(2107).min(2107);
    zip::DateTime::from_date_and_time(
        y,
        m,
        d,
        (rem / 3600) as u8,
        (rem % 3600 / 60) as u8,
        (rem % 60) as u8,
    )
    .unwrap_or_default()
}

/// Howard Hinnant's days-since-1970 → (year, month, day), proleptic Gregorian.
fn civil_from_days(z: i64) -> (i64, u8, u8) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// The gzip header agentc writes: deflate, no flags, no time, best
/// compression, operating system unknown.
const GZIP_HEAD: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 2, 0xff];

/// Whether `head` (the first bytes of a file) opens a `.tar.gz` as [`tar_gz`]
/// writes it: its gzip header, and a first tar entry that is a folder (mode
/// 0755) or a file (0644) with a plain path, owner 0/0 without names, in a
/// GNU header whose checksum holds. Only the first 512 bytes are unpacked.
pub fn agentc_tar_gz_head(head: &[u8]) -> bool {
    if !head.starts_with(&GZIP_HEAD) {
        return false;
    }
    let mut block = [0u8; 512];
    if flate2::read::GzDecoder::new(head)
        .read_exact(&mut block)
        .is_err()
    {
        return false;
    }
    let h = tar::Header::from_byte_slice(&block);
    let mut summed = h.clone();
    summed.set_cksum();
    let mode = match h.entry_type() {
        tar::EntryType::Directory => 0o755,
        tar::EntryType::Regular => 0o644,
        _ => return false,
    };
    let path = h.path_bytes();
    let path = std::str::from_utf8(&path).unwrap_or_default();
    h.as_gnu().is_some()
        && summed.as_bytes()[..] == block[..]
        && h.mode().ok() == Some(mode)
        && h.uid().ok() == Some(0)
        && h.gid().ok() == Some(0)
        && h.username_bytes().is_some_and(<[u8]>::is_empty)
        && h.groupname_bytes().is_some_and(<[u8]>::is_empty)
        && bad_path(path.strip_suffix('/').unwrap_or(path)).is_none()
}

/// Whether `file` (of `len` bytes, starting with `head`) is a `.zip` as [`zip`]
/// writes it: a first entry stored (a folder) or deflated (a file) with a
/// plain path and no extra field, listed first in the central directory as
/// made on Unix with mode 0755 or 0644, and an end record without comment at
/// the very end. Reads `head` and at most a few hundred bytes more.
pub fn agentc_zip(head: &[u8], file: &std::fs::File, len: u64) -> bool {
    agentc_zip_inner(head, file, len).unwrap_or(false)
}

fn agentc_zip_inner(head: &[u8], mut file: &std::fs::File, len: u64) -> Option<bool> {
    use std::io::{Seek, SeekFrom};
    let u16_at = |b: &[u8], at: usize| -> Option<u16> {
        Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
    };
    let u32_at = |b: &[u8], at: usize| -> Option<u32> {
        Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
    };
    // The first local header.
    let local_ok = head.starts_with(&[0x50, 0x4b, 3, 4])
        && u16_at(head, 4)? == 20
        && u16_at(head, 6)? & !0x0800 == 0
        && matches!(u16_at(head, 8)?, 0 | 8)
        && u16_at(head, 28)? == 0;
    let n = usize::from(u16_at(head, 26)?);
    let name = head.get(30..30 + n)?;
    let path = std::str::from_utf8(name).ok()?;
    if !local_ok || bad_path(path.strip_suffix('/').unwrap_or(path)).is_some() {
        return Some(false);
    }
    // The end record: the last 22 bytes, no comment, one disk, no zip64.
    let mut end = [0u8; 22];
    file.seek(SeekFrom::Start(len.checked_sub(22)?)).ok()?;
    file.read_exact(&mut end).ok()?;
    let entries = u16_at(&end, 10)?;
    let (size, offset) = (u64::from(u32_at(&end, 12)?), u64::from(u32_at(&end, 16)?));
    if end[..4] != [0x50, 0x4b, 5, 6]
        || u32_at(&end, 4)? != 0
        || u16_at(&end, 8)? != entries
        || u16_at(&end, 20)? != 0
        || offset.checked_add(size)? != len - 22
    {
        return Some(false);
    }
    // The central directory's first record names the first entry, with its mode.
    let mut record = vec![0u8; 46 + n];
    file.seek(SeekFrom::Start(offset)).ok()?;
    file.read_exact(&mut record).ok()?;
    let mode = if path.ends_with('/') {
        0o040_755
    } else {
        0o100_644
    };
    Some(
        record[..4] == [0x50, 0x4b, 1, 2]
            && u16_at(&record, 4)? == (3 << 8) | 20
            && usize::from(u16_at(&record, 28)?) == n
            && u16_at(&record, 30)? == 0
            && u16_at(&record, 32)? == 0
            && u32_at(&record, 38)? == mode << 16
            && u32_at(&record, 42)? == 0
            && record[46..] == *name,
    )
}

/// Most bytes an archive may unpack to: the data of all its entries, and for a
/// `.tar.gz` the whole tar stream. Nothing read is held (entries are hashed or
/// parsed as they stream by): this bounds the work a small decompression bomb
/// makes, at about ten times what 10,000 corpus agents unpack to (3 GB).
pub const MAX_UNPACKED: u64 = 32 * 1024 * 1024 * 1024;

/// What an archive holds, read strictly ([`unpack`]): the sha256 of every file
/// but the manifest, by path, and its folders (without the final `/`).
#[derive(Debug, Default)]
pub struct Unpacked {
    pub files: BTreeMap<String, Sum>,
    pub dirs: BTreeSet<String>,
    /// Whether the archive holds a manifest.
    pub manifest: bool,
    /// What the first look at the manifest found wrong, told once the
    /// archive's own rules hold.
    pub manifest_error: Option<String>,
}

/// A file an archive is read from, again from its start for each pass.
pub trait Source: Read + Seek {}

impl<T: Read + Seek> Source for T {}

/// Opens the archive (or manifest) at its start.
pub type Opener<'a> = dyn FnMut() -> std::io::Result<Box<dyn Source + 'a>> + 'a;

/// What reads the manifest entry as it streams by: a message for a manifest
/// that is no bundle, or the failure of the reader under it.
pub type OnManifest<'a> = dyn FnMut(&mut dyn Read) -> Result<(), Failed> + 'a;

/// Reads an archive strictly, one entry at a time, keeping only each file's
/// sha256; the manifest entry is handed to `manifest` as it comes (which reads
/// it through; its message waits in [`Unpacked::manifest_error`]). Rejected: an
/// entry that is not a plain file or a folder (a symlink, a hard link, a device,
/// a FIFO, a pax or other extension header), a path that is not relative and
/// plain (empty, absolute, `.`, `..`, `\\`, an empty part, not UTF-8), a path
/// found twice, no manifest at the top, data over [`MAX_UNPACKED`] in all.
/// Whether the files are the manifest's tree is for [`check_tree`].
/// `examples/bundle-app/load.py` and `load.mjs` apply the same rules (and
/// bounds of their own: they hold the manifest in memory).
pub fn unpack(
    open: &mut Opener,
    format: Format,
    manifest: &mut OnManifest,
) -> Result<Unpacked, String> {
    let mut out = Unpacked::default();
    let source = open().map_err(|e| format!("cannot read the bundle: {e}"))?;
    match format {
        Format::Json => return Err("a manifest is not an archive".to_string()),
        Format::TarGz => unpack_tar(source, &mut out, manifest)?,
        Format::Zip => unpack_zip(source, &mut out, manifest)?,
    }
    if !out.manifest {
        return Err(format!(
            "the archive holds no `{FILE_NAME}`: not an agentc bundle"
        ));
    }
    Ok(out)
}

/// Reads the manifest of an archive that [`unpack`] accepted, again: hands its
/// entry to `read`.
pub fn with_manifest<T>(
    open: &mut Opener,
    format: Format,
    read: &mut dyn FnMut(&mut dyn Read) -> Result<T, Failed>,
) -> Result<T, String> {
    let source = open().map_err(|e| format!("cannot read the bundle: {e}"))?;
    let bad = |e: Failed| match e {
        Failed::Bundle(m) => m,
        Failed::Read(e) => format!("entry `{FILE_NAME}` cannot be read: {e}"),
    };
    match format {
        Format::Json => Err("a manifest is not an archive".to_string()),
        Format::TarGz => {
            let mut tar = tar::Archive::new(tar_stream(source));
            let entries = tar.entries().map_err(tar_error)?;
            for entry in entries {
                let mut entry = entry.map_err(tar_error)?;
                if *entry.path_bytes() == *FILE_NAME.as_bytes() {
                    return read(&mut entry).map_err(bad);
                }
            }
            Err(format!("the archive holds no `{FILE_NAME}`"))
        }
        Format::Zip => {
            let mut zip = zip::ZipArchive::new(source).map_err(zip_error)?;
            let mut file = zip.by_name(FILE_NAME).map_err(zip_error)?;
            read(&mut file).map_err(bad)
        }
    }
}

fn unpacks_too_large() -> String {
    format!(
        "the archive unpacks to more than {} GiB: not a bundle agentc reads",
        MAX_UNPACKED / (1024 * 1024 * 1024)
    )
}

/// Why an entry's path is not a plain relative path, if it is not.
pub fn bad_path(path: &str) -> Option<&'static str> {
    if path.is_empty() {
        Some("an empty path")
    } else if path.starts_with('/') {
        Some("an absolute path")
    } else if path.contains('\\') || path.contains('\0') {
        Some("a path with a backslash or a NUL")
    } else if path.split('/').any(|p| p == "..") {
        Some("a path that climbs out with `..`")
    } else if path.split('/').any(|p| p.is_empty() || p == ".") {
        Some("a path with an empty or `.` part")
    } else {
        None
    }
}

/// A reader that counts the bytes that went through it.
struct Counted<'a> {
    inner: &'a mut dyn Read,
    seen: u64,
}

impl Read for Counted<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.seen += n as u64;
        Ok(n)
    }
}

/// One entry's place in `out`: a folder (`data` is `None`) or a file, whose data
/// is read here (hashed, or for the manifest handed to `manifest`), counted
/// against `total`.
fn add_entry(
    out: &mut Unpacked,
    raw: &[u8],
    is_dir: bool,
    size: u64,
    data: &mut dyn Read,
    total: &mut u64,
    manifest: &mut OnManifest,
) -> Result<(), String> {
    let name = std::str::from_utf8(raw).map_err(|_| {
        format!(
            "entry `{}`: its path is not UTF-8",
            String::from_utf8_lossy(raw)
        )
    })?;
    let path = if is_dir {
        name.strip_suffix('/').unwrap_or(name)
    } else {
        name
    };
    if let Some(why) = bad_path(path) {
        return Err(format!("entry `{name}`: {why}"));
    }
    if out.dirs.contains(path)
        || out.files.contains_key(path)
        || (path == FILE_NAME && out.manifest)
    {
        return Err(format!("entry `{path}` is in the archive twice"));
    }
    if is_dir {
        out.dirs.insert(path.to_string());
        return Ok(());
    }
    *total = total.saturating_add(size);
    if *total > MAX_UNPACKED {
        return Err(unpacks_too_large());
    }
    let bad = |e: std::io::Error| format!("entry `{path}` cannot be read: {e}");
    let mut limited = data.take(size + 1);
    let mut counted = Counted {
        inner: &mut limited,
        seen: 0,
    };
    let sum = if path == FILE_NAME {
        out.manifest = true;
        match manifest(&mut counted) {
            Ok(()) => {}
            Err(Failed::Bundle(m)) => out.manifest_error = Some(m),
            Err(Failed::Read(e)) => return Err(bad(e)),
        }
        // What the first look left unread is read too, for the count.
        std::io::copy(&mut counted, &mut std::io::sink()).map_err(bad)?;
        None
    } else {
        let mut hasher = sha2::Sha256::new();
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = counted.read(&mut buf).map_err(bad)?;
            if n == 0 {
                break;
            }
            hasher.update(&buf[..n]);
        }
        Some(hasher.finalize().into())
    };
    let seen = counted.seen;
    if seen != size {
        return Err(format!(
            "entry `{path}` holds {seen} bytes, not the {size} its header says"
        ));
    }
    if let Some(sum) = sum {
        out.files.insert(path.to_string(), sum);
    }
    Ok(())
}

/// Lowercase hex of a digest.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// A reader that fails once more than `limit` bytes went through it.
struct Bounded<R> {
    inner: R,
    read: u64,
    limit: u64,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.limit {
            return Err(std::io::Error::other(unpacks_too_large()));
        }
        Ok(n)
    }
}

/// The tar stream of a `.tar.gz`, bounded by [`MAX_UNPACKED`].
fn tar_stream<R: Read>(source: R) -> Bounded<flate2::read::MultiGzDecoder<std::io::BufReader<R>>> {
    Bounded {
        inner: flate2::read::MultiGzDecoder::new(std::io::BufReader::with_capacity(
            1 << 16,
            source,
        )),
        read: 0,
        limit: MAX_UNPACKED,
    }
}

fn tar_error(e: std::io::Error) -> String {
    let e = e.to_string();
    if e == unpacks_too_large() {
        e
    } else {
        format!("not a readable tar.gz archive: {e}")
    }
}

fn unpack_tar(
    source: impl Read,
    out: &mut Unpacked,
    manifest: &mut OnManifest,
) -> Result<(), String> {
    let mut tar = tar::Archive::new(tar_stream(source));
    let mut total = 0u64;
    {
        let entries = tar.entries().map_err(tar_error)?;
        for entry in entries {
            let mut entry = entry.map_err(tar_error)?;
            let raw = entry.path_bytes().into_owned();
            let shown = String::from_utf8_lossy(&raw).into_owned();
            let kind = entry.header().entry_type();
            let is_dir = match kind {
                tar::EntryType::Regular => false,
                tar::EntryType::Directory => true,
                other => {
                    return Err(format!(
                        "entry `{shown}` is {}: a bundle holds only files and folders",
                        tar_kind(other)
                    ));
                }
            };
            if entry.pax_extensions().map_err(tar_error)?.is_some() {
                return Err(format!(
                    "entry `{shown}` has a pax extension header: a bundle holds only files and folders"
                ));
            }
            let size = entry.header().entry_size().map_err(tar_error)?;
            if is_dir && size != 0 {
                return Err(format!("entry `{shown}` is a folder with data"));
            }
            add_entry(out, &raw, is_dir, size, &mut entry, &mut total, manifest)?;
        }
    }
    // What follows the end of the archive is unpacked too, and counted.
    std::io::copy(tar.into_inner().by_ref(), &mut std::io::sink()).map_err(tar_error)?;
    Ok(())
}

/// A tar entry type, in words.
fn tar_kind(kind: tar::EntryType) -> String {
    match kind {
        tar::EntryType::Symlink => "a symbolic link".into(),
        tar::EntryType::Link => "a hard link".into(),
        tar::EntryType::Char | tar::EntryType::Block => "a device".into(),
        tar::EntryType::Fifo => "a FIFO".into(),
        tar::EntryType::XGlobalHeader | tar::EntryType::XHeader => "a pax header".into(),
        other => format!("an entry of type `{}`", other.as_byte().escape_ascii()),
    }
}

fn zip_error(e: zip::result::ZipError) -> String {
    format!("not a readable zip archive: {e}")
}

fn unpack_zip(
    mut source: Box<dyn Source + '_>,
    out: &mut Unpacked,
    manifest: &mut OnManifest,
) -> Result<(), String> {
    // The zip reader keeps one entry per name: a name written twice is seen
    // by the count the end record declares.
    let declared = zip_declared_entries(&mut source)
        .ok_or_else(|| "not a readable zip archive: its end record is unreadable".to_string())?;
    let mut zip = zip::ZipArchive::new(std::io::BufReader::with_capacity(1 << 16, source))
        .map_err(zip_error)?;
    if declared != zip.len() as u64 {
        return Err(format!(
            "an entry is in the archive twice (the zip lists {declared} entries under {} names)",
            zip.len()
        ));
    }
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut file = zip.by_index(i).map_err(zip_error)?;
        let raw = file.name_raw().to_vec();
        let shown = String::from_utf8_lossy(&raw).into_owned();
        // The file type in the Unix mode, if the zip records one.
        let kind = file.unix_mode().map(|m| m & 0o170_000).unwrap_or(0);
        let is_dir = file.is_dir();
        match kind {
            0 => {}
            0o100_000 if !is_dir => {}
            0o040_000 if is_dir => {}
            0o120_000 => {
                return Err(format!(
                    "entry `{shown}` is a symbolic link: a bundle holds only files and folders"
                ));
            }
            _ => {
                return Err(format!(
                    "entry `{shown}` is not a plain file or folder: a bundle holds only files and folders"
                ));
            }
        }
        let size = file.size();
        if is_dir && size != 0 {
            return Err(format!("entry `{shown}` is a folder with data"));
        }
        add_entry(out, &raw, is_dir, size, &mut file, &mut total, manifest)?;
    }
    Ok(())
}

/// The number of entries a zip's end record declares (its zip64 record's when
/// the count does not fit 16 bits). Reads the file's last 64 KiB, and for
/// zip64 the record the locator points at.
fn zip_declared_entries(file: &mut dyn Source) -> Option<u64> {
    use std::io::SeekFrom;
    const END: [u8; 4] = [0x50, 0x4b, 0x05, 0x06];
    let len = file.seek(SeekFrom::End(0)).ok()?;
    let start = len.saturating_sub(65_535 + 22);
    file.seek(SeekFrom::Start(start)).ok()?;
    let mut tail = Vec::new();
    file.take(len - start).read_to_end(&mut tail).ok()?;
    let last = tail.len().checked_sub(22)?;
    let at = (0..=last).rev().find(|&i| tail[i..i + 4] == END)?;
    let count = u16::from_le_bytes([tail[at + 10], tail[at + 11]]);
    if count != 0xFFFF {
        return Some(count.into());
    }
    // Zip64: a locator just before the end record gives the zip64 record's offset.
    let locator = tail.get(at.checked_sub(20)?..at)?;
    if locator[..4] != [0x50, 0x4b, 0x06, 0x07] {
        return None;
    }
    let offset = u64::from_le_bytes(locator[8..16].try_into().ok()?);
    let mut record = [0u8; 56];
    file.seek(SeekFrom::Start(offset)).ok()?;
    file.read_exact(&mut record).ok()?;
    if record[..4] != [0x50, 0x4b, 0x06, 0x06] {
        return None;
    }
    Some(u64::from_le_bytes(record[32..40].try_into().ok()?))
}

/// Whether the archive's files and folders are exactly the manifest's tree
/// (`files`: path → sha256): no file missing or extra, each the manifest's
/// bytes, and no folder that holds none of them.
pub fn check_tree(found: &Unpacked, files: &BTreeMap<&str, Sum>) -> Result<(), String> {
    let mut dirs = BTreeSet::new();
    for (path, sum) in files {
        match found.files.get(*path) {
            None => {
                return Err(format!(
                    "the archive lacks `{path}`, a file of the manifest"
                ));
            }
            Some(found) if found != sum => {
                return Err(format!(
                    "the archive's `{path}` differs from the manifest's"
                ));
            }
            Some(_) => {}
        }
        let mut at = 0;
        while let Some(i) = path[at..].find('/') {
            dirs.insert(&path[..at + i]);
            at += i + 1;
        }
    }
    if let Some(extra) = found.files.keys().find(|p| !files.contains_key(p.as_str())) {
        return Err(format!(
            "the archive holds `{extra}`, a file the manifest does not list"
        ));
    }
    if let Some(extra) = found.dirs.iter().find(|d| !dirs.contains(d.as_str())) {
        return Err(format!(
            "the archive holds the folder `{extra}/`, which holds no file of the manifest"
        ));
    }
    Ok(())
}
#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> BTreeMap<&'static str, &'static str> {
        [(".claude/agents/a.md", "a\n"), ("prompts/gpt/a.md", "g\n")]
            .into_iter()
            .collect()
    }

    #[test]
    fn folders_come_before_their_files() {
        let files = files();
        let names: Vec<String> = layout(files.keys().copied())
            .unwrap()
            .into_iter()
            .map(|(p, _)| p)
            .collect();
        assert_eq!(
            names,
            [
                ".claude/",
                ".claude/agents/",
                ".claude/agents/a.md",
                FILE_NAME,
                "prompts/",
                "prompts/gpt/",
                "prompts/gpt/a.md"
            ]
        );
    }

    #[test]
    fn archives_round_trip_and_repeat_byte_for_byte() {
        for format in [Format::TarGz, Format::Zip] {
            let write = |t| match format {
                Format::TarGz => tar_gz(&files(), "{}\n", t).unwrap(),
                _ => zip(&files(), "{}\n", t).unwrap(),
            };
            let bytes = write(DEFAULT_EPOCH);
            assert_eq!(bytes, write(DEFAULT_EPOCH), "{format:?}");
            assert_ne!(
                bytes,
                write(1_700_000_000),
                "{format:?}: the time is recorded"
            );
            assert_eq!(Format::sniff(&bytes), format);
            let mut open = || -> std::io::Result<Box<dyn Source + '_>> {
                Ok(Box::new(Cursor::new(&bytes[..])))
            };
            let mut manifest = Vec::new();
            let back = unpack(&mut open, format, &mut |r| {
                r.read_to_end(&mut manifest)
                    .map(|_| ())
                    .map_err(Failed::Read)
            })
            .unwrap();
            assert!(back.manifest && back.manifest_error.is_none());
            assert_eq!(manifest, b"{}\n");
            let sums: BTreeMap<&str, Sum> = files()
                .into_iter()
                .map(|(p, c)| (p, super::super::sums::sha(c.as_bytes())))
                .collect();
            check_tree(&back, &sums).unwrap();
            let mut other = sums.clone();
            other.insert("prompts/gpt/a.md", super::super::sums::sha(b"other\n"));
            assert!(check_tree(&back, &other).unwrap_err().contains("differs"));
            assert_eq!(
                back.dirs.iter().map(String::as_str).collect::<Vec<_>>(),
                [".claude", ".claude/agents", "prompts", "prompts/gpt"]
            );
        }
    }

    #[test]
    fn dos_times_are_clamped() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(dos_time(0), zip::DateTime::default());
        let t = dos_time(1_700_000_000); // 2023-11-14T22:13:20Z
        assert_eq!(
            (
                t.year(),
                t.month(),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            ),
            (2023, 11, 14, 22, 13, 20)
        );
    }
}

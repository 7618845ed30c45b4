//! Bundle archives: the native layout tree plus the manifest, as `.tar.gz` or
//! `.zip`, byte-identical for the same inputs (reproducible-builds.org rules):
//! entries sorted by path, each folder before what it holds, one fixed time
//! (`SOURCE_DATE_EPOCH` when set, else 1980-01-01, the earliest a zip can
//! hold), owner 0/0 with empty names, modes 0644 for files and 0755 for folders.
//! Reading takes the manifest back out, for `check --bundle`.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{Cursor, Read, Write};
use std::path::Path;

use super::FILE_NAME;
use crate::diag::{Code, Diagnostic};

/// 1980-01-01T00:00:00Z.
pub const DEFAULT_EPOCH: u64 = 315_532_800;

/// Largest manifest read back from an archive (a guard against a zip bomb).
const MAX_MANIFEST: u64 = 512 * 1024 * 1024;

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

/// An archive entry: its path, and its bytes (`None` for a folder, whose path ends in `/`).
type Entry<'a> = (String, Option<&'a [u8]>);

/// Every entry: folders and files, sorted, a folder before its contents.
fn entries<'a>(
    files: &'a BTreeMap<&str, &str>,
    manifest: &'a str,
) -> Result<Vec<Entry<'a>>, String> {
    if files.contains_key(FILE_NAME) {
        return Err(format!(
            "a target writes `{FILE_NAME}`, the name of the manifest"
        ));
    }
    let mut all: BTreeMap<String, Option<&[u8]>> = BTreeMap::new();
    let mut dirs = BTreeSet::new();
    for (path, content) in files
        .iter()
        .map(|(p, c)| (*p, *c))
        .chain([(FILE_NAME, manifest)])
    {
        let mut at = 0;
        while let Some(i) = path[at..].find('/') {
            at += i + 1;
            dirs.insert(path[..at].to_string());
        }
        all.insert(path.to_string(), Some(content.as_bytes()));
    }
    for d in dirs {
        all.insert(d, None);
    }
    Ok(all.into_iter().collect())
}

/// The native tree (`path` → content, each file once) and the manifest as a `.tar.gz`.
pub fn tar_gz(files: &BTreeMap<&str, &str>, manifest: &str, mtime: u64) -> Result<Vec<u8>, String> {
    let gz = flate2::GzBuilder::new()
        .mtime(0)
        .operating_system(255)
        .write(Vec::new(), flate2::Compression::new(9));
    let mut tar = tar::Builder::new(gz);
    tar.mode(tar::HeaderMode::Deterministic);
    let io = |e: std::io::Error| format!("cannot write the archive: {e}");
    for (path, data) in entries(files, manifest)? {
        let mut h = tar::Header::new_gnu();
        h.set_mtime(mtime);
        h.set_uid(0);
        h.set_gid(0);
        h.set_username("").map_err(io)?;
        h.set_groupname("").map_err(io)?;
        match data {
            None => {
                h.set_entry_type(tar::EntryType::Directory);
                h.set_mode(0o755);
                h.set_size(0);
                tar.append_data(&mut h, &path, std::io::empty())
                    .map_err(io)?;
            }
            Some(bytes) => {
                h.set_entry_type(tar::EntryType::Regular);
                h.set_mode(0o644);
                h.set_size(bytes.len() as u64);
                tar.append_data(&mut h, &path, bytes).map_err(io)?;
            }
        }
    }
    let gz = tar.into_inner().map_err(io)?;
    gz.finish().map_err(io)
}

/// The native tree (`path` → content, each file once) and the manifest as a `.zip`.
pub fn zip(files: &BTreeMap<&str, &str>, manifest: &str, mtime: u64) -> Result<Vec<u8>, String> {
    let err = |e: zip::result::ZipError| format!("cannot write the archive: {e}");
    let time = dos_time(mtime);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .compression_level(Some(9))
        .last_modified_time(time)
        .large_file(false);
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    for (path, data) in entries(files, manifest)? {
        match data {
            None => zip
                .add_directory(path, options.unix_permissions(0o755))
                .map_err(err)?,
            Some(bytes) => {
                zip.start_file(path, options.unix_permissions(0o644))
                    .map_err(err)?;
                zip.write_all(bytes)
                    .map_err(|e| format!("cannot write the archive: {e}"))?;
            }
        }
    }
    Ok(zip.finish().map_err(err)?.into_inner())
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

/// An archive's files (path → bytes); the manifest among them.
pub fn read(bytes: &[u8], format: Format) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut out = BTreeMap::new();
    match format {
        Format::Json => {
            out.insert(FILE_NAME.to_string(), bytes.to_vec());
        }
        Format::TarGz => {
            let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
            let bad = |e: std::io::Error| format!("not a readable tar.gz archive: {e}");
            for entry in tar.entries().map_err(bad)? {
                let entry = entry.map_err(bad)?;
                if entry.header().entry_type() != tar::EntryType::Regular {
                    continue;
                }
                let path = entry.path().map_err(bad)?.to_string_lossy().into_owned();
                let mut data = Vec::new();
                entry
                    .take(MAX_MANIFEST)
                    .read_to_end(&mut data)
                    .map_err(bad)?;
                out.insert(path, data);
            }
        }
        Format::Zip => {
            let bad = |e: zip::result::ZipError| format!("not a readable zip archive: {e}");
            let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(bad)?;
            for i in 0..zip.len() {
                let file = zip.by_index(i).map_err(bad)?;
                if file.is_dir() {
                    continue;
                }
                let path = file.name().map_err(bad)?.into_owned();
                let mut data = Vec::new();
                file.take(MAX_MANIFEST)
                    .read_to_end(&mut data)
                    .map_err(|e| format!("not a readable zip archive: {e}"))?;
                out.insert(path, data);
            }
        }
    }
    Ok(out)
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
        let names: Vec<String> = entries(&files, "{}")
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
            let back = read(&bytes, format).unwrap();
            assert_eq!(back[FILE_NAME], b"{}\n");
            assert_eq!(back["prompts/gpt/a.md"], b"g\n");
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

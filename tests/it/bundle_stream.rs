//! `check --bundle` reads a bundle a piece at a time, as sums (issue 18, classes
//! 3 and 8): a bundle edited by hand (a file, a shared file, a warning, a
//! request), consistent in itself, is still found stale, field by field, in
//! each format; an edit that changes nothing a reader sees (a request body's
//! keys in another order) is not; and a bundle of many agents, one of them
//! large, is checked whole. (Memory is measured by bench/bench.py, not here.)

use std::io::{Read, Write};

use serde_json::Value;
use sha2::Digest;

use crate::support::{Output, Test};

const FORMATS: [&str; 3] = ["b.json", "b.tar.gz", "b.zip"];

/// A project of three agents with bundles of it in every format.
fn project() -> Test {
    let p = Test::new().file("agentc.toml", "sources = [\"agents\"]\n");
    for name in ["code-reviewer", "planner", "writer"] {
        p.write(&format!("agents/{name}.toml"), crate::support::spec(name));
    }
    for name in FORMATS {
        p.run_args(["bundle", "-o", name]).status(0);
    }
    p
}

fn hex(bytes: &[u8]) -> String {
    sha2::Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Every entry of an archive (or the manifest alone): path and bytes, a
/// folder's path ending in `/` with no bytes.
fn unpack(name: &str, bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    if name.ends_with(".tar.gz") {
        let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
        for e in tar.entries().unwrap() {
            let mut e = e.unwrap();
            let path = String::from_utf8(e.path_bytes().into_owned()).unwrap();
            let mut data = Vec::new();
            e.read_to_end(&mut data).unwrap();
            out.push((path, data));
        }
    } else if name.ends_with(".zip") {
        let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        for i in 0..zip.len() {
            let mut f = zip.by_index(i).unwrap();
            let mut data = Vec::new();
            f.read_to_end(&mut data).unwrap();
            let path = String::from_utf8(f.name_raw().to_vec()).unwrap();
            out.push((path, data));
        }
    } else {
        out.push(("agentc-bundle.json".to_string(), bytes.to_vec()));
    }
    out
}

/// The archive (or manifest) of `entries`, as `name`'s format.
fn pack(name: &str, entries: &[(String, Vec<u8>)]) -> Vec<u8> {
    if name.ends_with(".tar.gz") {
        let gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        let mut tar = tar::Builder::new(gz);
        for (path, data) in entries {
            let mut h = tar::Header::new_gnu();
            let dir = path.ends_with('/');
            h.set_entry_type(if dir {
                tar::EntryType::Directory
            } else {
                tar::EntryType::Regular
            });
            h.set_mode(if dir { 0o755 } else { 0o644 });
            h.set_size(data.len() as u64);
            tar.append_data(&mut h, path, &data[..]).unwrap();
        }
        tar.into_inner().unwrap().finish().unwrap()
    } else if name.ends_with(".zip") {
        let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default();
        for (path, data) in entries {
            if path.ends_with('/') {
                zip.add_directory(path.as_str(), options).unwrap();
            } else {
                zip.start_file(path.as_str(), options).unwrap();
                zip.write_all(data).unwrap();
            }
        }
        zip.finish().unwrap().into_inner()
    } else {
        entries[0].1.clone()
    }
}

/// Rewrites the bundle `name`: `edit` changes its manifest and may give new
/// bytes for tree files (by path); each such file is replaced in the archive.
fn rewrite(p: &Test, name: &str, edit: &dyn Fn(&mut Value) -> Vec<(String, String)>) {
    let mut entries = unpack(name, &std::fs::read(p.path(name)).unwrap());
    let at = entries
        .iter()
        .position(|(path, _)| path == "agentc-bundle.json")
        .unwrap();
    let mut manifest: Value = serde_json::from_slice(&entries[at].1).unwrap();
    let files = edit(&mut manifest);
    entries[at].1 = serde_json::to_vec_pretty(&manifest).unwrap();
    if !name.ends_with(".json") {
        for (path, text) in files {
            let e = entries.iter_mut().find(|(p, _)| *p == path).unwrap();
            e.1 = text.into_bytes();
        }
    }
    std::fs::write(p.path(name), pack(name, &entries)).unwrap();
}

/// The lines `check --bundle` names stale, and its exit code.
fn stale(p: &Test, name: &str) -> (Output, Vec<String>) {
    let out = p.run_args(["check", "--bundle", name]);
    let lines = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("stale "))
        .map(str::to_string)
        .collect();
    (out, lines)
}

/// Sets an entry's own file to `text`, with its `sha256`: the bundle is
/// consistent in itself, but no longer what the sources give.
fn set_own(m: &mut Value, agent: &str, target: &str, text: &str) -> Vec<(String, String)> {
    let e = &mut m["agents"][agent]["targets"][target];
    e["content"] = text.into();
    e["sha256"] = hex(text.as_bytes()).into();
    vec![(e["path"].as_str().unwrap().to_string(), text.to_string())]
}

#[test]
fn a_file_edited_in_the_bundle_is_stale_in_every_format() {
    let p = project();
    for name in FORMATS {
        // The letters swapped: as many characters, the same tokens or not.
        rewrite(&p, name, &|m| {
            let e = &m["agents"]["planner"]["targets"]["gpt"];
            let text = e["content"].as_str().unwrap().replace("planner", "plannre");
            set_own(m, "planner", "gpt", &text)
        });
        let (out, lines) = stale(&p, name);
        out.status(1);
        assert_eq!(lines.len(), 1, "{name}: {}", out.stdout);
        assert!(
            lines[0].starts_with("stale   `planner` × `gpt` (changed: content, sha256"),
            "{name}: {lines:?}"
        );
        out.stderr_has("1 stale, 0 missing, 0 extra");
    }
}

#[test]
fn a_shared_file_edited_in_the_bundle_makes_every_agent_on_it_stale() {
    let p = project();
    for name in FORMATS {
        rewrite(&p, name, &|m| {
            let path = m["agents"]["planner"]["targets"]["roo"]["path"]
                .as_str()
                .unwrap()
                .to_string();
            let f = &mut m["shared"][&path];
            let text = format!("{}# edited\n", f["content"].as_str().unwrap());
            let sum = hex(text.as_bytes());
            f["content"] = text.clone().into();
            f["sha256"] = sum.clone().into();
            for agent in ["code-reviewer", "planner", "writer"] {
                m["agents"][agent]["targets"]["roo"]["sha256"] = sum.clone().into();
            }
            vec![(path, text)]
        });
        let (out, lines) = stale(&p, name);
        out.status(1);
        assert_eq!(lines.len(), 3, "{name}: {}", out.stdout);
        for (line, agent) in lines.iter().zip(["code-reviewer", "planner", "writer"]) {
            assert!(
                line.starts_with(&format!(
                    "stale   `{agent}` × `roo` (changed: content, sha256"
                )),
                "{name}: {line}"
            );
            assert!(line.ends_with("shared file)"), "{name}: {line}");
        }
    }
}

/// A warning or a request edited, the files untouched: only that field is stale.
#[test]
fn a_warning_or_a_request_edited_in_the_bundle_is_named() {
    let p = project();
    let base: Value = serde_json::from_slice(&std::fs::read(p.path("b.json")).unwrap()).unwrap();
    // A target whose entries carry provider requests.
    let with_requests = base["agents"]["writer"]["targets"]
        .as_object()
        .unwrap()
        .iter()
        .find(|(_, e)| e.get("requests").is_some())
        .map(|(t, _)| t.clone())
        .expect("a target with requests");
    for name in FORMATS {
        rewrite(&p, name, &|m| {
            m["agents"]["code-reviewer"]["targets"]["claude"]["warnings"] =
                serde_json::json!([{"code": "dropped", "message": "added by hand"}]);
            let requests = &mut m["agents"]["writer"]["targets"][&with_requests]["requests"];
            let api = requests.as_object().unwrap().keys().next().unwrap().clone();
            requests[&api]["body"]["temperature"] = 0.5.into();
            Vec::new()
        });
        let (out, lines) = stale(&p, name);
        out.status(1);
        assert_eq!(
            lines,
            [
                "stale   `code-reviewer` × `claude` (changed: warnings)".to_string(),
                format!("stale   `writer` × `{with_requests}` (changed: requests)"),
            ],
            "{name}"
        );
    }
    // Written again, then a request body's keys in reverse order: the same
    // request, not stale.
    let bodies = base["agents"]["writer"]["targets"]
        .as_object()
        .unwrap()
        .values()
        .filter_map(|e| e.get("requests").and_then(Value::as_object))
        .flat_map(|r| r.values())
        .filter(|r| r["body"].as_object().unwrap().len() > 1)
        .count();
    assert!(bodies > 0, "no request body of two keys or more to reorder");
    for name in FORMATS {
        // Edited by hand, no longer agentc's own bytes: replaced with --force.
        p.run_args(["bundle", "-o", name, "--force"]).status(0);
        rewrite(&p, name, &|m| {
            for e in m["agents"]["writer"]["targets"]
                .as_object_mut()
                .unwrap()
                .values_mut()
            {
                let Some(requests) = e.get_mut("requests").and_then(Value::as_object_mut) else {
                    continue;
                };
                for r in requests.values_mut() {
                    let body = r["body"].as_object().unwrap();
                    r["body"] = Value::Object(
                        body.iter()
                            .rev()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                    );
                }
            }
            Vec::new()
        });
        let (out, lines) = stale(&p, name);
        assert!(lines.is_empty(), "{name}: {lines:?}");
        out.status(0).stderr_has("matches the sources");
    }
}

/// Many agents, one of them with a role of 400 KB (its entry, with
/// its requests, is many megabytes of manifest): checked whole in every
/// format; one changed spec is stale where it should be, and only there.
#[test]
fn a_bundle_of_many_agents_and_a_large_one_is_checked_whole() {
    let p = Test::new().file("agentc.toml", "sources = [\"agents\"]\n");
    for i in 0..150 {
        p.write(
            &format!("agents/a{i:03}.toml"),
            crate::support::spec(&format!("a{i:03}")),
        );
    }
    let role = "You review code with care, line by line. ".repeat(10_000);
    let big =
        format!("name = \"big\"\ndescription = \"Use it for big reviews.\"\nrole = \"{role}\"\n");
    p.write("agents/big.toml", &big);
    for name in FORMATS {
        p.run_args(["bundle", "-o", name]).status(0);
    }
    let manifest = std::fs::metadata(p.path("b.json")).unwrap().len();
    assert!(manifest > 8 * 1024 * 1024, "{manifest}");
    let targets = {
        let m: Value = serde_json::from_slice(&std::fs::read(p.path("b.json")).unwrap()).unwrap();
        m["agents"]["big"]["targets"].as_object().unwrap().len()
    };
    for name in FORMATS {
        let out = p.run_args(["check", "--bundle", name]);
        out.status(0).stderr_has("matches the sources");
    }
    p.write(
        "agents/big.toml",
        big.replace("line by line", "file by file"),
    );
    for name in FORMATS {
        let (out, lines) = stale(&p, name);
        out.status(1);
        let own: Vec<&String> = lines.iter().filter(|l| l.contains("`big` ×")).collect();
        assert_eq!(own.len(), targets, "{name}: {lines:?}");
        // Others only where they share roo's one file with it.
        assert!(
            lines
                .iter()
                .filter(|l| !l.contains("`big` ×") && !l.contains("`source_digest`"))
                .all(|l| l.contains("× `roo`")),
            "{name}: {lines:?}"
        );
        assert!(
            out.stdout.contains("stale   `source_digest`"),
            "{name}: {}",
            out.stdout
        );
    }
}

/// Replaces the manifest of the bundle `name` with `edit` of its text, the
/// archive's other entries as they were.
fn rewrite_text(p: &Test, name: &str, edit: &dyn Fn(&str) -> String) {
    let mut entries = unpack(name, &std::fs::read(p.path(name)).unwrap());
    let e = entries
        .iter_mut()
        .find(|(path, _)| path == "agentc-bundle.json")
        .unwrap();
    e.1 = edit(std::str::from_utf8(&e.1).unwrap()).into_bytes();
    std::fs::write(p.path(name), pack(name, &entries)).unwrap();
}

/// The manifest as a JSON writer that escapes all but ASCII writes it (and `/`
/// as `\/`): every character outside ASCII as `\u` escapes, a surrogate pair
/// beyond the first plane. Only strings hold such characters.
fn ascii_only(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c == '/' {
            out.push_str("\\/");
        } else if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// The files' texts are hashed as they stream by, before the JSON parser
/// (issue 18, class 8): a manifest written with escapes agentc does not write
/// reads as the same bundle, and a text that breaks JSON's rules gets the
/// parser's message, at its line and column, in every format.
#[test]
fn texts_are_read_by_the_rules_of_json_strings_in_every_format() {
    let p = Test::new().file("agentc.toml", "sources = [\"agents\"]\n");
    for name in ["planner", "writer"] {
        p.write(
            &format!("agents/{name}.toml"),
            format!(
                "name = \"{name}\"\ndescription = \"Use {name} for café menus ✓.\"\nrole = \"You are {name}: é, ✓ and 𝄞 / \\\"quoted\\\"\\ttabbed.\"\n"
            ),
        );
    }
    for name in FORMATS {
        p.run_args(["bundle", "-o", name]).status(0);
    }
    let text = std::fs::read_to_string(p.path("b.json")).unwrap();
    assert!(text.contains('𝄞') && text.contains("\\t"));
    for name in FORMATS {
        rewrite_text(&p, name, &ascii_only);
        let m: Value = serde_json::from_slice(&std::fs::read(p.path("b.json")).unwrap()).unwrap();
        assert_eq!(m, serde_json::from_str::<Value>(&text).unwrap());
        let out = p.run_args(["check", "--bundle", name]);
        out.status(0).stderr_has("matches the sources");
    }
    // A trailing surrogate alone, first in roo's shared file, then in an own file.
    for (i, key) in ["\".roomodes\": {", "\"gpt\": {"].iter().enumerate() {
        let at = text.find(key).unwrap();
        let at = at + text[at..].find("\"content\": \"").unwrap() + "\"content\": \"".len();
        let bad = format!("{}\\udc00{}", &text[..at], &text[at..]);
        let line = text[..at].matches('\n').count() + 1;
        let column = at - text[..at].rfind('\n').unwrap() - 1 + 6;
        let want = format!(
            "malformed bundle: lone leading surrogate in hex escape at line {line} column {column}"
        );
        for name in FORMATS {
            rewrite_text(&p, name, &|_| bad.clone());
            let out = p.run_args(["check", "--bundle", name]);
            out.status(1).stderr_has(&want);
        }
        assert!(i == 0 || at < text.find("\"shared\": {").unwrap());
    }
}

//! `agentc bundle` and `agentc check --bundle` through the real binary, in temp
//! projects built from the repository's own agents.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use serde_json::Value;
use sha2::Digest;

use crate::support::{Output, Test, repo};

/// A temp project; files are written in the order given.
type Project = Test;

/// The repository's agents, a config, a project target and a project template.
fn sample() -> Project {
    let p = Test::new();
    for (path, text) in sample_files() {
        p.write(&path, &text);
    }
    p
}

/// Runs and asserts the exit code; returns stdout.
fn ok(p: &Project, args: &[&str]) -> String {
    p.run_args(args.iter().copied()).status(0).stdout.clone()
}

fn read(p: &Project, path: &str) -> Vec<u8> {
    std::fs::read(p.path(path)).unwrap()
}

fn json(p: &Project, path: &str) -> Value {
    serde_json::from_slice(&read(p, path)).unwrap()
}

fn sample_files() -> Vec<(String, String)> {
    let mut files: Vec<(String, String)> = std::fs::read_dir(repo().join("agents"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .map(|p| {
            (
                format!("agents/{}", p.file_name().unwrap().to_string_lossy()),
                std::fs::read_to_string(&p).unwrap(),
            )
        })
        .collect();
    files.sort();
    files.push((
        "agentc.toml".into(),
        "sources = [\"agents\"]\n\n[target.deepseek]\nsystem_prompt = true\n".into(),
    ));
    files.push((
        "targets/gpt.toml".into(),
        "checked_against = \"this project\"\n".into(),
    ));
    let gpt = std::fs::read_to_string(repo().join("templates/gpt.md.j2")).unwrap();
    files.push(("templates/gpt.md.j2".into(), gpt));
    files
}

fn stderr(out: &Output) -> String {
    out.stderr.clone()
}

/// What a program run with `Test::command` or `Test::program` said on stderr.
fn program_stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The file of one agent × target entry: its own `content`, else the shared
/// file at its `path`.
fn content_of<'a>(bundle: &'a Value, entry: &'a Value) -> &'a str {
    match entry.get("content") {
        Some(c) => c.as_str().unwrap(),
        None => {
            let path = entry["path"].as_str().unwrap();
            bundle["shared"][path]["content"]
                .as_str()
                .unwrap_or_else(|| panic!("`{path}` is not in `shared`: {entry}"))
        }
    }
}

const FORMATS: [&str; 3] = ["b.json", "b.tar.gz", "b.zip"];

#[test]
fn bundles_are_byte_identical_across_runs_locations_times_and_order() {
    let a = sample();
    // The same files, created in reverse order, in another folder, with other times.
    let b = Test::new();
    let nested = b.root().join("deeper/copy");
    for (path, text) in sample_files().into_iter().rev() {
        let full = nested.join(&path);
        std::fs::create_dir_all(full.parent().unwrap()).unwrap();
        std::fs::write(&full, text).unwrap();
        let t = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        std::fs::File::options()
            .write(true)
            .open(&full)
            .unwrap()
            .set_modified(t)
            .unwrap();
    }
    for name in FORMATS {
        ok(&a, &["bundle", "-o", name]);
        let first = read(&a, name);
        ok(&a, &["bundle", "-o", name]);
        assert_eq!(first, read(&a, name), "{name}: two runs differ");
        b.run_in("deeper/copy", ["bundle", "-o", name]).status(0);
        assert_eq!(
            first,
            std::fs::read(nested.join(name)).unwrap(),
            "{name}: another location differs"
        );
    }
    // Run from a subfolder: the project (and so the bundle) is the same.
    std::fs::create_dir_all(nested.join("agents/sub")).unwrap();
    b.run_in("deeper/copy/agents/sub", ["bundle", "-o", "../../c.json"])
        .status(0);
    assert_eq!(
        read(&a, "b.json"),
        std::fs::read(nested.join("c.json")).unwrap()
    );
    // The default output is agentc-bundle.json in the project root.
    ok(&a, &["bundle"]);
    assert_eq!(read(&a, "agentc-bundle.json"), read(&a, "b.json"));
}

#[test]
fn source_digest_covers_every_input_and_source_date_epoch_sets_archive_times() {
    let p = sample();
    ok(&p, &["bundle", "-o", "a.json"]);
    let digest =
        |p: &Project, name: &str| json(p, name)["source_digest"].as_str().unwrap().to_string();
    let before = digest(&p, "a.json");
    for (path, edit) in [
        ("agentc.toml", "# a comment\n"),
        ("targets/gpt.toml", "# a comment\n"),
        ("templates/gpt.md.j2", "{# a comment #}\n"),
        ("templates/unused.j2", "x\n"),
        ("agents/code-reviewer.toml", "# a comment\n"),
    ] {
        let old = std::fs::read_to_string(p.root().join(path)).unwrap_or_default();
        p.write(path, format!("{old}{edit}"));
        ok(&p, &["bundle", "-o", "b.json"]);
        assert_ne!(digest(&p, "b.json"), before, "{path} is not covered");
        if old.is_empty() {
            std::fs::remove_file(p.root().join(path)).unwrap();
        } else {
            p.write(path, &old);
        }
        ok(&p, &["bundle", "-o", "b.json"]);
        assert_eq!(
            digest(&p, "b.json"),
            before,
            "{path}: restoring it restores the digest"
        );
    }

    ok(&p, &["bundle", "-o", "a.tar.gz"]);
    let out = p
        .command(["bundle", "-o", "e.tar.gz"])
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", program_stderr(&out));
    assert_ne!(read(&p, "a.tar.gz"), read(&p, "e.tar.gz"));
    let bytes = read(&p, "e.tar.gz");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
    for entry in tar.entries().unwrap() {
        let h = entry.unwrap().header().clone();
        assert_eq!(
            (h.mtime().unwrap(), h.uid().unwrap(), h.gid().unwrap()),
            (1_700_000_000, 0, 0)
        );
        let dir = h.entry_type().is_dir();
        assert_eq!(h.mode().unwrap(), if dir { 0o755 } else { 0o644 });
        assert_eq!(h.username().unwrap(), Some(""));
    }
    let bad = p
        .command(["bundle", "-o", "f.zip"])
        .env("SOURCE_DATE_EPOCH", "yesterday")
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        program_stderr(&bad).contains("`SOURCE_DATE_EPOCH` must be a whole number"),
        "{}",
        program_stderr(&bad)
    );
}

/// Every target the registry has (built-ins and the project's).
fn all_targets(p: &Project) -> Vec<String> {
    let list: Value = serde_json::from_str(&ok(p, &["targets", "--format", "json"])).unwrap();
    list.as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn content_is_what_build_writes_for_every_agent_and_target() {
    let p = sample();
    let targets = all_targets(&p);
    assert!(targets.len() >= 6, "{targets:?}");
    let mut args: Vec<&str> = vec!["bundle", "-o", "b.json"];
    let mut build = vec!["build", "-o", "dist"];
    let mut native = vec!["build", "--layout", "native", "-o", "native"];
    for t in &targets {
        for list in [&mut args, &mut build, &mut native] {
            list.extend(["-t", t.as_str()]);
        }
    }
    ok(&p, &args);
    ok(&p, &build);
    ok(&p, &native);
    let bundle = json(&p, "b.json");
    let agents = bundle["agents"].as_object().unwrap();
    let specs = std::fs::read_dir(p.root().join("agents")).unwrap().count();
    assert_eq!(agents.len(), specs);
    // Per target: the files `build` wrote, and the contents the bundle holds. A
    // target that writes one file for all agents gives each of them that file.
    let mut from_build: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for t in &targets {
        let files = walk(&p.root().join("dist").join(t));
        from_build.insert(
            t.clone(),
            files
                .iter()
                .map(|f| std::fs::read_to_string(f).unwrap())
                .collect(),
        );
    }
    let mut from_bundle: BTreeMap<String, BTreeSet<String>> = targets
        .iter()
        .map(|t| (t.clone(), BTreeSet::new()))
        .collect();
    for (name, agent) in agents {
        assert_eq!(agent["name"], name.as_str());
        assert_eq!(agent["source"]["path"], format!("agents/{name}.toml"));
        for (target, entry) in agent["targets"].as_object().unwrap() {
            let content = content_of(&bundle, entry);
            from_bundle
                .get_mut(target)
                .unwrap()
                .insert(content.to_string());
            let native_path = p
                .root()
                .join("native")
                .join(entry["path"].as_str().unwrap());
            assert_eq!(
                std::fs::read_to_string(native_path).unwrap(),
                content,
                "{name} × {target} (native)"
            );
            assert_eq!(entry["characters"], content.chars().count());
            assert_eq!(entry["sha256"].as_str().unwrap().len(), 64);
        }
    }
    // A target's project files (a plugin's manifest) are shared files no entry points at.
    for file in bundle["shared"].as_object().unwrap().values() {
        let target = file["target"].as_str().unwrap();
        from_bundle
            .get_mut(target)
            .unwrap()
            .insert(file["content"].as_str().unwrap().to_string());
    }
    for t in &targets {
        assert!(!from_build[t].is_empty(), "build wrote nothing for {t}");
    }
    assert_eq!(
        from_bundle, from_build,
        "the bundle holds exactly what build writes"
    );
    // The archive holds the native tree and the manifest, nothing else.
    args[2] = "b.tar.gz";
    ok(&p, &args);
    let bytes = read(&p, "b.tar.gz");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
    let mut in_archive = BTreeMap::new();
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        if entry.header().entry_type().is_file() {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut entry, &mut text).unwrap();
            in_archive.insert(entry.path().unwrap().to_string_lossy().into_owned(), text);
        }
    }
    assert_eq!(
        in_archive
            .remove("agentc-bundle.json")
            .map(|t| t.into_bytes()),
        Some(read(&p, "b.json"))
    );
    let native_root = p.root().join("native");
    let mut on_disk: BTreeMap<String, String> = BTreeMap::new();
    for f in walk(&native_root) {
        if !f.ends_with(".agentc-manifest.json") {
            let rel = f
                .strip_prefix(&native_root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            on_disk.insert(rel, std::fs::read_to_string(&f).unwrap());
        }
    }
    assert_eq!(in_archive, on_disk);
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd {
            let path = e.unwrap().path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn bundle_validates_against_the_committed_schema() {
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join("bundle.schema.json")).unwrap())
            .unwrap();
    let printed: Value = serde_json::from_str(&ok(&Test::new(), &["schema", "--bundle"])).unwrap();
    assert_eq!(
        schema, printed,
        "bundle.schema.json is stale: run `agentc schema --bundle > bundle.schema.json`"
    );
    let validator = jsonschema::validator_for(&schema).unwrap();
    let p = sample();
    ok(&p, &["bundle", "-o", "b.json"]);
    let bundle = json(&p, "b.json");
    let errors: Vec<String> = validator
        .iter_errors(&bundle)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    // The validator is not vacuous: a wrong version, a missing field and a bad hash fail.
    for (pointer, value) in [
        ("/bundle_version", Value::from(1)),
        ("/source_digest", Value::from("abc")),
        ("/shared/.roomodes/sha256", Value::from("abc")),
        ("/shared/.roomodes/agents", Value::from("code-reviewer")),
        (
            "/agents/code-reviewer/targets/gpt/tokens/encoding",
            Value::from("words"),
        ),
    ] {
        let mut bad = bundle.clone();
        *bad.pointer_mut(pointer).unwrap() = value;
        assert!(!validator.is_valid(&bad), "{pointer}");
    }
    for key in ["targets", "shared"] {
        let mut bad = bundle.clone();
        bad.as_object_mut().unwrap().remove(key);
        assert!(!validator.is_valid(&bad), "without {key}");
    }
}

#[test]
fn check_bundle_passes_when_fresh_and_names_every_stale_pair() {
    let p = sample();
    for name in FORMATS {
        ok(&p, &["bundle", "-o", name]);
        let out = p.run_args(["check", "--bundle", name]);
        assert_eq!(Some(out.code), Some(0), "{name}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("matches the sources"),
            "{}",
            stderr(&out)
        );
    }
    let targets: Vec<String> = json(&p, "b.json")["targets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t.as_str().unwrap().to_string())
        .collect();
    let spec = std::fs::read_to_string(p.root().join("agents/code-reviewer.toml")).unwrap();
    p.write(
        "agents/code-reviewer.toml",
        spec.replace(
            "You are a senior code reviewer.",
            "You are a strict code reviewer.",
        ),
    );
    for name in FORMATS {
        let out = p.run_args(["check", "--bundle", name]);
        assert_eq!(Some(out.code), Some(1), "{name}");
        let stdout = out.stdout.clone();
        let stale: Vec<&str> = stdout
            .lines()
            .filter(|l| l.starts_with("stale ") && l.contains("`code-reviewer` ×"))
            .collect();
        assert_eq!(stale.len(), targets.len(), "{name}: {stdout}");
        for t in &targets {
            assert!(
                stdout.contains(&format!("`code-reviewer` × `{t}`")),
                "{name}: {t}: {stdout}"
            );
        }
        // The other agents are stale only where they share one file with it (roo's
        // `.roomodes` holds every agent).
        let others: Vec<&str> = stdout
            .lines()
            .filter(|l| {
                l.starts_with("stale ") && !l.contains("`code-reviewer` ×") && l.contains(" × ")
            })
            .collect();
        assert!(others.iter().all(|l| l.contains("× `roo`")), "{stdout}");
        let total = targets.len() + others.len();
        assert!(
            stderr(&out).contains(&format!("{total} stale, 0 missing, 0 extra")),
            "{}",
            stderr(&out)
        );
    }
    // An agent removed is extra in the bundle; one added is missing from it.
    std::fs::remove_file(p.root().join("agents/release-notes-writer.toml")).unwrap();
    p.write(
        "agents/new-agent.toml",
        "name = \"new-agent\"\nrole = \"You help.\"\n",
    );
    let out = p.run_args(["check", "--bundle", "b.json", "-t", "gpt"]);
    assert_eq!(Some(out.code), Some(1));
    let stdout = out.stdout.clone();
    assert!(
        stdout.contains("extra   `release-notes-writer` × `gpt`"),
        "{stdout}"
    );
    assert!(stdout.contains("missing `new-agent` × `gpt`"), "{stdout}");
    // Rebuilt, it passes again; JSON output says so too.
    ok(&p, &["bundle", "-o", "b.json"]);
    let report: Value = serde_json::from_str(&ok(
        &p,
        &["check", "--bundle", "b.json", "--format", "json"],
    ))
    .unwrap();
    assert_eq!(report["ok"], true);
}

#[test]
fn check_bundle_rejects_corrupt_truncated_and_foreign_files() {
    let p = sample();
    for name in FORMATS {
        ok(&p, &["bundle", "-o", name]);
    }
    let bytes = read(&p, "b.json");
    let mut tampered = json(&p, "b.json");
    tampered["agents"]["code-reviewer"]["targets"]["gpt"]["content"] = Value::from("changed\n");
    // An entry whose file is neither its own nor shared.
    let mut dangling = json(&p, "b.json");
    dangling["shared"] = serde_json::json!({});
    let mut cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.json",
            bytes[..bytes.len() / 2].to_vec(),
            "truncated JSON",
        ),
        ("empty.json", Vec::new(), "truncated JSON"),
        (
            "foreign.json",
            b"{\"name\": \"x\"}".to_vec(),
            "no `bundle_version`",
        ),
        (
            "future.json",
            b"{\"bundle_version\": 4}".to_vec(),
            "unsupported `bundle_version` 4",
        ),
        ("text.json", b"hello".to_vec(), "invalid JSON"),
        ("binary.json", vec![0xff, 0xfe, 0], "not UTF-8"),
        (
            "truncated.tar.gz",
            read(&p, "b.tar.gz")[..200].to_vec(),
            "tar.gz",
        ),
        ("truncated.zip", read(&p, "b.zip")[..200].to_vec(), "zip"),
        (
            "tampered.json",
            serde_json::to_vec(&tampered).unwrap(),
            "`code-reviewer` × `gpt`",
        ),
        (
            "dangling.json",
            serde_json::to_vec(&dangling).unwrap(),
            "× `roo` has no `content` and `shared` has no `.roomodes`",
        ),
    ];
    let mut corrupt = read(&p, "b.zip");
    let mid = corrupt.len() / 2;
    corrupt[mid..mid + 64].fill(0);
    cases.push(("corrupt.zip", corrupt, "zip"));
    for (name, bytes, want) in &cases {
        p.write(name, "");
        std::fs::write(p.root().join(name), bytes).unwrap();
        let out = p.run_args(["check", "--bundle", name]);
        let all = format!("{}{}", out.stdout, out.stderr);
        assert!(matches!(out.code, 1 | 2), "{name}: exit {} {all}", out.code);
        assert!(all.contains(want), "{name}: {all}");
        assert!(!all.contains("panicked"), "{name}: {all}");
    }
    let out = p.run_args(["check", "--bundle", "nowhere.json"]);
    assert_eq!(Some(out.code), Some(1));
    assert!(
        stderr(&out).contains("cannot read the bundle"),
        "{}",
        stderr(&out)
    );
    let out = p.run_args(["bundle", "-o", "b.txt"]);
    assert_eq!(Some(out.code), Some(2));
    assert!(
        stderr(&out).contains("cannot tell the bundle format"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_file_written_for_many_agents_is_stored_once_and_every_agent_points_at_it() {
    let p = sample();
    ok(&p, &["bundle", "-o", "b.json"]);
    ok(&p, &["bundle", "-o", "b.tar.gz"]);
    ok(
        &p,
        &["build", "--layout", "native", "-t", "roo", "-o", "native"],
    );
    let manifest = String::from_utf8(read(&p, "b.json")).unwrap();
    let bundle: Value = serde_json::from_str(&manifest).unwrap();
    let agents: Vec<&String> = bundle["agents"].as_object().unwrap().keys().collect();
    assert!(agents.len() >= 3, "{agents:?}");
    let shared = bundle["shared"].as_object().unwrap();
    assert_eq!(
        shared.keys().collect::<Vec<_>>(),
        [".roomodes"],
        "only roo writes one file for several agents"
    );
    let file = &shared[".roomodes"];
    let built = std::fs::read_to_string(p.root().join("native/.roomodes")).unwrap();
    assert_eq!(file["content"], built.as_str());
    assert_eq!(file["target"], "roo");
    assert_eq!(
        file["agents"],
        serde_json::to_value(&agents).unwrap(),
        "every agent, sorted"
    );
    let sha: String = sha2::Sha256::digest(built.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(file["sha256"], sha.as_str());
    assert_eq!(file["characters"], built.chars().count());
    for name in &agents {
        for (target, entry) in bundle["agents"][name.as_str()]["targets"]
            .as_object()
            .unwrap()
        {
            let path = entry["path"].as_str().unwrap();
            if target == "roo" {
                assert_eq!(path, ".roomodes");
                assert!(entry.get("content").is_none(), "{name}: {entry}");
                for key in ["sha256", "characters", "tokens"] {
                    assert_eq!(entry[key], file[key], "{name}: {key}");
                }
                assert_eq!(content_of(&bundle, entry), built);
            } else {
                assert!(entry["content"].is_string(), "{name} × {target}");
                assert!(!shared.contains_key(path), "{name} × {target}");
            }
        }
    }
    // The manifest holds the file's text once; the archive holds the file once.
    let escaped = serde_json::to_string(&built).unwrap();
    assert_eq!(manifest.matches(escaped.as_str()).count(), 1);
    let bytes = read(&p, "b.tar.gz");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
    let mut paths = Vec::new();
    for entry in tar.entries().unwrap() {
        let entry = entry.unwrap();
        paths.push(entry.path().unwrap().to_string_lossy().into_owned());
    }
    assert_eq!(paths.iter().filter(|p| *p == ".roomodes").count(), 1);
    let unique: BTreeSet<&String> = paths.iter().collect();
    assert_eq!(unique.len(), paths.len(), "{paths:?}");

    // A change to the shared file makes every agent × target pointing at it stale.
    // `check --bundle` of an edited copy: exit 1, one line per roo agent.
    let stale_roo = |edited: &Value, what: &str| {
        std::fs::write(
            p.root().join("edited.json"),
            serde_json::to_vec(edited).unwrap(),
        )
        .unwrap();
        let out = p.run_args(["check", "--bundle", "edited.json"]);
        assert_eq!(Some(out.code), Some(1), "{}", stderr(&out));
        let stdout = out.stdout.clone();
        let want: Vec<String> = agents
            .iter()
            .map(|a| format!("stale   `{a}` × `roo` (changed: {what})"))
            .collect();
        assert_eq!(stdout.lines().collect::<Vec<_>>(), want, "{stdout}");
    };
    // A shared file edited with its hashes (a coherent bundle, but stale).
    let mut edited = bundle.clone();
    let text = "customModes: []\n";
    let sha: String = sha2::Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    edited["shared"][".roomodes"]["content"] = Value::from(text);
    edited["shared"][".roomodes"]["sha256"] = Value::from(sha.clone());
    for agent in &agents {
        edited["agents"][agent]["targets"]["roo"]["sha256"] = Value::from(sha.clone());
    }
    stale_roo(&edited, "content, sha256, shared file");
    // Edited without its hash, it is no bundle: rejected before any comparison.
    let mut edited = bundle.clone();
    edited["shared"][".roomodes"]["content"] = Value::from(text);
    std::fs::write(
        p.root().join("edited.json"),
        serde_json::to_vec(&edited).unwrap(),
    )
    .unwrap();
    p.run_args(["check", "--bundle", "edited.json"])
        .status(1)
        .stderr_has("`shared` `.roomodes`: `content` does not match its `sha256`");
    // So does a change to its record.
    let mut edited = bundle.clone();
    edited["shared"][".roomodes"]["agents"] = serde_json::json!(["code-reviewer"]);
    stale_roo(&edited, "shared file");
    // An entry with a file of its own at the shared file's path: two files at
    // one path, no bundle.
    let first = agents[0].as_str();
    edited["agents"][first]["targets"]["roo"]["content"] = Value::from(built.as_str());
    std::fs::write(
        p.root().join("edited.json"),
        serde_json::to_vec(&edited).unwrap(),
    )
    .unwrap();
    p.run_args(["check", "--bundle", "edited.json"])
        .status(1)
        .stderr_has("writes `.roomodes`, which another entry writes too");
}

#[test]
fn version_1_bundles_are_rejected_with_a_clear_error() {
    let p = sample();
    ok(&p, &["bundle", "-o", "b.json"]);
    // The same bundle in the version-1 shape: every entry with its file, no `shared`.
    let mut v1 = json(&p, "b.json");
    let shared = v1.as_object_mut().unwrap().remove("shared").unwrap();
    for agent in v1["agents"].as_object_mut().unwrap().values_mut() {
        for entry in agent["targets"].as_object_mut().unwrap().values_mut() {
            if entry.get("content").is_none() {
                let path = entry["path"].as_str().unwrap().to_string();
                entry["content"] = shared[&path]["content"].clone();
            }
        }
    }
    v1["bundle_version"] = Value::from(1);
    std::fs::write(p.root().join("v1.json"), serde_json::to_vec(&v1).unwrap()).unwrap();
    let out = p.run_args(["check", "--bundle", "v1.json"]);
    assert_eq!(Some(out.code), Some(1));
    let err = stderr(&out);
    assert!(
        err.contains("unsupported `bundle_version` 1: this agentc reads version 3")
            && err.contains("run `agentc bundle`"),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
    let loaders: [(&str, &str); 2] = [("python3", "load.py"), ("node", "load.mjs")];
    for (program, script) in loaders {
        if !crate::support::have(program) {
            continue;
        }
        let out = p
            .program(program)
            .arg(repo().join("examples/bundle-app").join(script))
            .args(["v1.json", "code-reviewer", "gpt"])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(1),
            "{script}: {}",
            program_stderr(&out)
        );
        assert!(
            program_stderr(&out).contains("version 3"),
            "{script}: {}",
            program_stderr(&out)
        );
    }
}

/// One agent with a given model, bundled for one target with some config.
fn request_of(model: Option<&str>, target: &str, config: &str, over: &str) -> Value {
    let p = Test::new();
    let model = model
        .map(|m| format!("model = \"{m}\"\n"))
        .unwrap_or_default();
    p.write("agentc.toml", config);
    p.write(
        "agents/a.toml",
        format!("name = \"a\"\n{model}role = \"You help with {{{{ x }}}}.\"\n{over}"),
    );
    ok(&p, &["bundle", "-t", target, "-o", "b.json"]);
    let entry = json(&p, "b.json")["agents"]["a"]["targets"][target].clone();
    assert!(entry["requests"].is_object(), "{target}: {entry}");
    entry
}

/// The user's message placed where the request says (as the example loaders do).
fn with_user(request: &Value, text: &str) -> Value {
    let mut body = request["body"].clone();
    let user = &request["user"];
    let at = user["at"].as_str().unwrap();
    let mark = user["placeholder"].as_str().unwrap();
    fn fill(v: &Value, mark: &str, text: &str) -> Value {
        match v {
            Value::String(s) => Value::from(s.replace(mark, text)),
            Value::Array(a) => a.iter().map(|v| fill(v, mark, text)).collect(),
            Value::Object(o) => Value::Object(
                o.iter()
                    .map(|(k, v)| (k.clone(), fill(v, mark, text)))
                    .collect(),
            ),
            other => other.clone(),
        }
    }
    let fill = |v: &Value| fill(v, mark, text);
    match user["action"].as_str().unwrap() {
        "append" => body
            .pointer_mut(at)
            .unwrap()
            .as_array_mut()
            .unwrap()
            .push(fill(&user["value"])),
        "set" => {
            let (parent, key) = at.rsplit_once('/').unwrap();
            body.pointer_mut(parent).unwrap()[key] = fill(&user["value"]);
        }
        "replace" => {
            let s = body.pointer_mut(at).unwrap();
            assert_eq!(s.as_str().unwrap().matches(mark).count(), 1);
            *s = Value::from(s.as_str().unwrap().replace(mark, text));
        }
        other => panic!("unknown action {other}"),
    }
    body
}

#[test]
fn requests_place_the_prompt_where_each_provider_takes_it() {
    let chat =
        |model, config| request_of(model, "gpt", config, "")["requests"]["openai.chat"].clone();
    let role = |model, config| chat(model, config)["body"]["messages"][0]["role"].clone();
    for (model, want) in [
        (None, "developer"),
        (Some("powerful"), "developer"),
        (Some("o3"), "developer"),
        (Some("gpt-5.1"), "developer"),
        (Some("gpt-4o"), "system"),
        (Some("gpt-4.1-mini"), "system"),
        (Some("gpt-3.5-turbo"), "system"),
    ] {
        assert_eq!(role(model, ""), want, "{model:?}");
    }
    assert_eq!(
        role(Some("o3"), "[target.gpt]\nmessage_role = \"system\"\n"),
        "system"
    );
    assert_eq!(
        role(
            Some("gpt-4o"),
            "[target.gpt]\nmessage_role = \"developer\"\n"
        ),
        "developer"
    );

    // Chat Completions and Responses, each saying where the user's message goes.
    let e = request_of(None, "gpt", "", "");
    let r = &e["requests"];
    assert_eq!(
        r.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["openai.chat", "openai.responses"]
    );
    assert_eq!(
        r["openai.chat"]["body"]["messages"][0]["content"],
        e["content"]
    );
    assert!(
        e["content"].as_str().unwrap().contains("{{ x }}"),
        "prompt text is data, not a template"
    );
    assert_eq!(
        with_user(&r["openai.chat"], "Hi {{ y }}")["messages"][1],
        serde_json::json!({ "role": "user", "content": "Hi {{ y }}" })
    );
    assert_eq!(r["openai.chat"]["needs"], serde_json::json!(["model"]));
    assert_eq!(
        with_user(&r["openai.responses"], "Hi"),
        serde_json::json!({ "instructions": e["content"], "input": "Hi" })
    );

    // A developer message of an agent that answers in Markdown opens with
    // `Formatting re-enabled`; a system message never does.
    let md = "[[output_formats]]\nname = \"r\"\nbody = \"## Summary\\n- item\"\n";
    for (model, first) in [(None, true), (Some("gpt-4o"), false)] {
        let e = request_of(model, "gpt", "", md);
        let content = e["content"].as_str().unwrap();
        for (api, pointer) in [
            ("openai.chat", "/messages/0/content"),
            ("openai.responses", "/instructions"),
        ] {
            let sent = e["requests"][api]["body"]
                .pointer(pointer)
                .unwrap()
                .as_str()
                .unwrap();
            let want = if first {
                format!("Formatting re-enabled\n{content}")
            } else {
                content.to_string()
            };
            assert_eq!(sent, want, "{model:?} {api}");
        }
    }

    let e = request_of(None, "gemini", "", "");
    let r = &e["requests"]["gemini.generate_content"];
    assert_eq!(
        with_user(r, "Hi"),
        serde_json::json!({
            "system_instruction": { "parts": [{ "text": e["content"] }] },
            "contents": [{ "role": "user", "parts": [{ "text": "Hi" }] }],
        })
    );
    let e = request_of(None, "deepseek", "", "");
    assert_eq!(
        with_user(&e["requests"]["openai.chat"], "Hi"),
        serde_json::json!({ "messages": [
            { "role": "system", "content": e["content"] },
            { "role": "user", "content": "Hi" },
        ] })
    );
    // R1: no system prompt; the instructions open the user turn, the user's
    // request goes where the placeholder marks it, with R1's sampling.
    let e = request_of(
        None,
        "deepseek",
        "[target.deepseek]\nsystem_prompt = false\n",
        "",
    );
    let r = &e["requests"]["openai.chat"];
    assert_eq!(r["user"]["action"], "replace");
    let content = e["content"].as_str().unwrap();
    assert_eq!(
        with_user(r, "Hi"),
        serde_json::json!({
            "messages": [{ "role": "user", "content": format!("{content}\n\nHi") }],
            "temperature": 0.6,
            "top_p": 0.95,
        })
    );
    // A prompt that holds the placeholder gets another one.
    let e = request_of(
        None,
        "deepseek",
        "[target.deepseek]\nsystem_prompt = false\n",
        "[[sections]]\ntitle = \"Odd\"\nbody = \"Say {{user_message}}.\"\n",
    );
    let r = &e["requests"]["openai.chat"];
    assert_eq!(r["user"]["placeholder"], "{{user_message_2}}");
    let sent = with_user(r, "Hi");
    let sent = sent["messages"][0]["content"].as_str().unwrap();
    assert!(
        sent.contains("Say {{user_message}}.") && sent.ends_with("\n\nHi"),
        "{sent}"
    );

    // Ollama gets the bare prompt, whatever wrapper the file has.
    let bare = request_of(None, "llama", "", "")["content"].clone();
    for (config, over) in [
        ("[target.llama]\nwrap = \"modelfile\"\n", ""),
        ("", "[targets.llama]\nwrap = \"llama3\"\n"),
    ] {
        let e = request_of(None, "llama", config, over);
        assert_ne!(e["content"], bare, "{config}{over}");
        assert_eq!(
            e["requests"]["ollama.chat"]["body"],
            serde_json::json!({
                "messages": [{ "role": "system", "content": bare }],
                "stream": false,
                "options": { "num_ctx": 64000 }
            })
        );
    }
    // The context window is an integer, as Ollama's API takes it (it refuses a
    // string), from the project or the spec; 0 leaves `options` out.
    for (config, over, want) in [
        ("[target.llama]\nnum_ctx = 8192\n", "", Some(8192)),
        ("", "[targets.llama]\nnum_ctx = 131072\n", Some(131072)),
        ("[target.llama]\nnum_ctx = 0\n", "", None),
    ] {
        let e = request_of(None, "llama", config, over);
        let body = &e["requests"]["ollama.chat"]["body"];
        match want {
            Some(n) => {
                assert!(body["options"]["num_ctx"].is_u64(), "{body}");
                assert_eq!(body["options"], serde_json::json!({ "num_ctx": n }));
            }
            None => assert!(body.get("options").is_none(), "{body}"),
        }
    }

    // Anthropic gets the XML body, without the YAML frontmatter, and the strict
    // form's request the same unescaped body, not its XML document.
    let e = request_of(
        Some("sonnet"),
        "xml",
        "",
        "[[sections]]\ntitle = \"Rules\"\nbody = \"Use a < b & c.\"\n",
    );
    let r = &e["requests"]["anthropic.messages"];
    let system = r["body"]["system"].as_str().unwrap();
    assert!(e["content"].as_str().unwrap().starts_with("---\n"));
    assert!(system.starts_with("<role>"), "{system}");
    assert!(e["content"].as_str().unwrap().ends_with(system));
    assert_eq!(r["needs"], serde_json::json!(["model", "max_tokens"]));
    assert_eq!(
        with_user(r, "Hi")["messages"],
        serde_json::json!([{ "role": "user", "content": "Hi" }])
    );
    let strict = request_of(
        Some("sonnet"),
        "xml",
        "[target.xml]\nstrict = true\n",
        "[[sections]]\ntitle = \"Rules\"\nbody = \"Use a < b & c.\"\n",
    );
    let content = strict["content"].as_str().unwrap();
    assert!(
        content.starts_with("<?xml") && content.contains("a &lt; b &amp; c"),
        "{content}"
    );
    assert_eq!(
        strict["requests"]["anthropic.messages"]["body"]["system"],
        system
    );
    assert!(system.contains("a < b & c"), "{system}");

    // A project target declares its own request shape as data.
    let p = Test::new();
    p.write("agents/a.toml", "name = \"a\"\nrole = \"You help.\"\n");
    p.write(
        "targets/ollama-generate.toml",
        "extends = \"llama\"\ndescription = \"Ollama /api/generate\"\nchecked_against = \"test\"\n\n\
         [[request]]\napi = \"ollama.generate\"\n\
         body = { model = \"{{ options.ollama_model }}\", system = \"{{ prompt }}\", stream = false }\n\
         user = { at = \"/prompt\", action = \"set\", value = \"{{ user }}\" }\n",
    );
    ok(&p, &["bundle", "-t", "ollama-generate", "-o", "b.json"]);
    let e = &json(&p, "b.json")["agents"]["a"]["targets"]["ollama-generate"];
    assert_eq!(
        with_user(&e["requests"]["ollama.generate"], "Hi"),
        serde_json::json!({ "model": "llama3.3", "system": e["content"], "stream": false, "prompt": "Hi" })
    );
    // Typed `values` keep their type; one that has no place in the body is an error.
    p.write(
        "targets/ollama-generate.toml",
        "extends = \"llama\"\ndescription = \"Ollama /api/generate\"\nchecked_against = \"test\"\n\n\
         [[request]]\napi = \"ollama.generate\"\n\
         body = { system = \"{{ prompt }}\", options = { seed = 1 } }\n\
         values = { \"/options/num_ctx\" = \"options.num_ctx\", \"/raw\" = \"options.bos\", \"/none\" = \"none\" }\n\
         user = { at = \"/prompt\", action = \"set\", value = \"{{ user }}\" }\n",
    );
    ok(&p, &["bundle", "-t", "ollama-generate", "-o", "b.json"]);
    let e = &json(&p, "b.json")["agents"]["a"]["targets"]["ollama-generate"];
    let body = &e["requests"]["ollama.generate"]["body"];
    assert_eq!(
        body["options"],
        serde_json::json!({ "seed": 1, "num_ctx": 64000 })
    );
    assert_eq!(body["raw"], serde_json::json!(true));
    assert!(body.get("none").is_none(), "{body}");
    p.write(
        "targets/ollama-generate.toml",
        "extends = \"llama\"\ndescription = \"Ollama /api/generate\"\nchecked_against = \"test\"\n\n\
         [[request]]\napi = \"ollama.generate\"\nbody = { system = \"{{ prompt }}\" }\n\
         values = { \"/system/n\" = \"1\" }\n\
         user = { at = \"/prompt\", action = \"set\", value = \"{{ user }}\" }\n",
    );
    let err = p
        .run_args(["bundle", "-t", "ollama-generate", "-o", "c.json"])
        .status(1)
        .stderr
        .clone();
    assert!(
        err.contains("request `ollama.generate`: `values` cannot set `/system/n`: `n`'s parent is not an object"),
        "{err}"
    );
    p.write(
        "targets/ollama-generate.toml",
        "extends = \"llama\"\ndescription = \"Ollama /api/generate\"\nchecked_against = \"test\"\n\n\
         [[request]]\napi = \"ollama.generate\"\nbody = { system = \"{{ prompt }}\" }\n\
         values = { \"/n\" = \"options.num_ctx +\" }\n\
         user = { at = \"/prompt\", action = \"set\", value = \"{{ user }}\" }\n",
    );
    let err = p
        .run_args(["bundle", "-t", "ollama-generate", "-o", "c.json"])
        .status(1)
        .stderr
        .clone();
    assert!(
        err.contains(
            "target `ollama-generate`: request `ollama.generate`: `values.\"/n\"` is not an expression: syntax error"
        ),
        "{err}"
    );
    assert!(!p.path("c.json").exists(), "nothing is written");
    // One whose user message has no place in its body is an error.
    p.write(
        "targets/ollama-generate.toml",
        "extends = \"llama\"\ndescription = \"Ollama /api/generate\"\nchecked_against = \"test\"\n\n\
         [[request]]\napi = \"ollama.generate\"\nbody = { system = \"{{ prompt }}\" }\n\
         user = { at = \"/messages\", action = \"append\", value = \"{{ user }}\" }\n",
    );
    let err = p
        .run_args(["bundle", "-t", "ollama-generate", "-o", "c.json"])
        .status(1)
        .stderr
        .clone();
    assert!(
        err.contains("the user's message cannot go at `/messages`: there is no array there"),
        "{err}"
    );

    // File targets carry no request.
    let p = Test::new();
    p.write("agents/a.toml", "name = \"a\"\nrole = \"You help.\"\n");
    ok(&p, &["bundle", "-t", "claude", "-o", "b.json"]);
    assert!(
        json(&p, "b.json")["agents"]["a"]["targets"]["claude"]
            .get("requests")
            .is_none()
    );
}

#[test]
fn tokens_are_exact_for_gpt_and_labelled_estimates_elsewhere() {
    let p = sample();
    ok(&p, &["bundle", "-o", "b.json"]);
    let bundle = json(&p, "b.json");
    let mut seen = BTreeMap::new();
    for agent in bundle["agents"].as_object().unwrap().values() {
        for (target, e) in agent["targets"].as_object().unwrap() {
            let t = &e["tokens"];
            let chars = e["characters"].as_u64().unwrap();
            if target == "gpt" {
                assert_eq!(
                    (t["exact"].as_bool(), t["encoding"].as_str()),
                    (Some(true), Some("o200k_base"))
                );
            } else {
                assert_eq!(
                    (t["exact"].as_bool(), t["encoding"].as_str()),
                    (Some(false), Some("estimate"))
                );
                assert_eq!(t["count"].as_u64().unwrap(), chars.div_ceil(4));
            }
            seen.insert(target.clone(), ());
        }
    }
    assert!(seen.len() >= 6);
}

fn python() -> Option<&'static str> {
    crate::support::have("python3").then_some("python3")
}

#[test]
fn python_example_prints_the_request_with_the_rendered_prompt() {
    let Some(python) = python() else {
        return;
    };
    let p = sample();
    ok(&p, &["build", "-t", "gpt", "-t", "gemini", "-o", "dist"]);
    let script = repo().join("examples/bundle-app/load.py");
    for name in FORMATS {
        ok(&p, &["bundle", "-o", name]);
        for (target, api, pointer) in [
            ("gpt", "openai.chat", "/messages/0/content"),
            ("gpt", "openai.responses", "/instructions"),
            (
                "gemini",
                "gemini.generate_content",
                "/system_instruction/parts/0/text",
            ),
        ] {
            let out = p
                .program(python)
                .arg(&script)
                .args(["--api", api, "--user", "Review {{user_message}} $1"])
                .args([name, "code-reviewer", target])
                .output()
                .unwrap();
            assert_eq!(
                out.status.code(),
                Some(0),
                "{name}: {}",
                program_stderr(&out)
            );
            let request: Value = serde_json::from_slice(&out.stdout).unwrap();
            let built =
                std::fs::read_to_string(p.root().join(format!("dist/{target}/code-reviewer.md")))
                    .unwrap();
            // code-reviewer's report format is Markdown: an OpenAI developer
            // message opens with `Formatting re-enabled`.
            let want = if target == "gpt" {
                format!("Formatting re-enabled\n{built}")
            } else {
                built
            };
            assert_eq!(
                request.pointer(pointer).and_then(Value::as_str),
                Some(want.as_str()),
                "{name} {target}"
            );
            let user = match api {
                "openai.chat" => &request["messages"][1]["content"],
                "openai.responses" => &request["input"],
                _ => &request["contents"][0]["parts"][0]["text"],
            };
            assert_eq!(user, "Review {{user_message}} $1", "{name} {api}");
            if api == "openai.chat" {
                assert_eq!(request["messages"][0]["role"], "developer");
            }
        }
    }
    let out = p
        .program(python)
        .arg(&script)
        .args(["b.json", "code-reviewer", "claude"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        program_stderr(&out).contains("not an API prompt"),
        "{}",
        program_stderr(&out)
    );
    loader_prints_every_file_as_build_writes_it(&p, python, &script, &FORMATS);
}

/// `--content` prints an agent's file byte for byte as `build --layout native`
/// writes it, its own or the one it shares (roo): every target of one agent and
/// roo and gpt of every agent from the first format, one of each from the others.
fn loader_prints_every_file_as_build_writes_it(
    p: &Project,
    program: &str,
    script: &Path,
    formats: &[&str],
) {
    ok(p, &["build", "--layout", "native", "-o", "native"]);
    let bundle = json(p, "b.json");
    for (i, name) in formats.iter().enumerate() {
        ok(p, &["bundle", "-o", name]);
        for (agent, entry) in bundle["agents"].as_object().unwrap() {
            for (target, e) in entry["targets"].as_object().unwrap() {
                let wanted = match (i, agent.as_str(), target.as_str()) {
                    (_, "code-reviewer", "roo" | "gpt") => true,
                    (0, a, t) => a == "code-reviewer" || t == "roo" || t == "gpt",
                    _ => false,
                };
                if !wanted {
                    continue;
                }
                let out = p
                    .program(program)
                    .arg(script)
                    .args(["--content", name, agent, target])
                    .output()
                    .unwrap();
                assert_eq!(
                    out.status.code(),
                    Some(0),
                    "{name}: {}",
                    program_stderr(&out)
                );
                let built = read(p, &format!("native/{}", e["path"].as_str().unwrap()));
                assert!(
                    out.stdout == built,
                    "{program} {name}: {agent} × {target} differs from what build wrote"
                );
            }
        }
    }
}

#[test]
fn javascript_example_prints_the_same_request() {
    if !crate::support::have("node") {
        return;
    }
    let p = sample();
    let script = repo().join("examples/bundle-app/load.mjs");
    for name in ["b.json", "b.tar.gz"] {
        ok(&p, &["bundle", "-o", name]);
        let node = p
            .program("node")
            .arg(&script)
            .args(["--user", "Notes for {{user_message}} $&"])
            .args([name, "release-notes-writer", "deepseek"])
            .output()
            .unwrap();
        assert_eq!(
            node.status.code(),
            Some(0),
            "{name}: {}",
            program_stderr(&node)
        );
        let request: Value = serde_json::from_slice(&node.stdout).unwrap();
        let bundle = json(&p, "b.json");
        let want = &bundle["agents"]["release-notes-writer"]["targets"]["deepseek"]["requests"]["openai.chat"];
        assert_eq!(
            request,
            with_user(want, "Notes for {{user_message}} $&"),
            "{name}"
        );
    }
    loader_prints_every_file_as_build_writes_it(&p, "node", &script, &["b.json", "b.tar.gz"]);
}

/// The `agentc` commands of a CI recipe (`run:` lines that start with `agentc `), in order.
fn recipe_commands(file: &str) -> Vec<Vec<String>> {
    fn collect(v: &Value, out: &mut Vec<Vec<String>>) {
        match v {
            Value::Object(m) => {
                for (k, v) in m {
                    match v.as_str() {
                        Some(cmd) if k == "run" && cmd.starts_with("agentc ") => {
                            out.push(cmd.split_whitespace().skip(1).map(String::from).collect())
                        }
                        _ => collect(v, out),
                    }
                }
            }
            Value::Array(a) => a.iter().for_each(|v| collect(v, out)),
            _ => {}
        }
    }
    let text = std::fs::read_to_string(repo().join(file)).unwrap();
    let doc = agentc::support::yaml::parse(&text).unwrap_or_else(|e| panic!("{file}: {e:?}"));
    let mut out = Vec::new();
    collect(&doc, &mut out);
    out
}

#[test]
fn github_bundle_recipe_builds_and_verifies_then_catches_a_stale_bundle() {
    let cmds = recipe_commands("examples/ci/github-bundle.yml");
    assert!(cmds.iter().any(|c| c[0] == "bundle"), "{cmds:?}");
    let check = cmds
        .iter()
        .find(|c| c[0] == "check")
        .expect("the recipe verifies the bundle");
    let p = sample();
    for cmd in &cmds {
        let args: Vec<&str> = cmd.iter().map(String::as_str).collect();
        ok(&p, &args);
    }
    let spec = std::fs::read_to_string(p.root().join("agents/code-reviewer.toml")).unwrap();
    p.write(
        "agents/code-reviewer.toml",
        spec.replace("senior code reviewer", "strict code reviewer"),
    );
    let args: Vec<&str> = check.iter().map(String::as_str).collect();
    assert_eq!(
        Some(p.run_args(args.iter().copied()).code),
        Some(1),
        "a stale bundle fails the job"
    );
}

#[test]
fn check_bundle_rejects_an_archive_file_that_differs_from_its_manifest() {
    let p = sample();
    ok(&p, &["bundle", "-o", "b.tar.gz"]);
    let bytes = read(&p, "b.tar.gz");
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(&bytes[..]));
    let mut out = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::default(),
    ));
    for entry in tar.entries().unwrap() {
        let mut entry = entry.unwrap();
        let mut header = entry.header().clone();
        let path = entry.path().unwrap().into_owned();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut entry, &mut data).unwrap();
        if path == Path::new("prompts/gpt/code-reviewer.md") {
            data = b"edited by hand\n".to_vec();
            header.set_size(data.len() as u64);
            header.set_cksum();
        }
        out.append(&header, &data[..]).unwrap();
    }
    std::fs::write(
        p.root().join("edited.tar.gz"),
        out.into_inner().unwrap().finish().unwrap(),
    )
    .unwrap();
    let run = p.run_args(["check", "--bundle", "edited.tar.gz"]);
    assert_eq!(Some(run.code), Some(1), "{}", stderr(&run));
    assert!(
        stderr(&run)
            .contains("the archive's `prompts/gpt/code-reviewer.md` differs from the manifest's"),
        "{}",
        stderr(&run)
    );
}

/// The Python that has the official SDKs: `AGENTC_SDK_PYTHON` (`.ci/run` sets it
/// to its virtual environment's) or `python3`; `None` when they are not
/// installed, which fails under `CI`.
fn sdk_python() -> Option<String> {
    let python = std::env::var("AGENTC_SDK_PYTHON").unwrap_or_else(|_| "python3".into());
    let found = Command::new(&python)
        .args(["-c", "import openai, anthropic, google.genai, ollama"])
        .output()
        .is_ok_and(|o| o.status.success());
    if found {
        return Some(python);
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty());
    assert!(
        !ci,
        "CI is set but `{python}` lacks the official SDKs: run .ci/run, or \
         pip install -r examples/bundle-app/requirements.txt and set AGENTC_SDK_PYTHON"
    );
    eprintln!("note: the official Python SDKs are not installed; skipping sdk_check.py");
    None
}

/// Every request of a bundle goes through the official Python SDKs (openai,
/// anthropic, google-genai, ollama) to a loopback server and arrives as the
/// bundle says; a body an SDK refuses fails the script.
#[test]
fn sdk_script_sends_every_request_through_the_official_sdks() {
    let Some(python) = sdk_python() else {
        return;
    };
    let script = repo().join("examples/bundle-app/sdk_check.py");
    let p = sample();
    for config in [
        "sources = [\"agents\"]\n",
        "sources = [\"agents\"]\n[target.xml]\nstrict = true\n[target.deepseek]\nsystem_prompt = false\n[target.gpt]\nmessage_role = \"system\"\n[target.llama]\nnum_ctx = 8192\n",
    ] {
        p.write("agentc.toml", config);
        ok(&p, &["bundle", "-o", "b.json"]);
        let bundle = json(&p, "b.json");
        let count: usize = bundle["agents"]
            .as_object()
            .unwrap()
            .values()
            .flat_map(|a| a["targets"].as_object().unwrap().values())
            .filter_map(|t| t.get("requests").and_then(Value::as_object))
            .map(|r| r.len())
            .sum();
        assert!(count >= 18, "{count} requests");
        let num_ctx = &bundle["agents"]["code-reviewer"]["targets"]["llama"]["requests"]["ollama.chat"]
            ["body"]["options"]["num_ctx"];
        assert!(num_ctx.is_u64(), "{config}: num_ctx is {num_ctx}");
        let out = p
            .program(&python)
            .arg(&script)
            .arg("b.json")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{config}{stdout}{}",
            program_stderr(&out)
        );
        assert!(
            stdout.contains(&format!(
                "{count}/{count} requests arrived as the bundle says"
            )),
            "{stdout}"
        );
    }
    // A body the SDK does not take is a failure, named.
    p.write("agentc.toml", "sources = [\"agents\"]\n");
    p.write(
        "targets/gpt.toml",
        "checked_against = \"this project\"\n\n[[request]]\napi = \"openai.chat\"\nneeds = [\"model\"]\n\
         body = { messages = [{ role = \"system\", content = \"{{ prompt }}\" }], bogus_key = 1 }\n\
         user = { at = \"/messages\", action = \"append\", value = { role = \"user\", content = \"{{ user }}\" } }\n",
    );
    ok(&p, &["bundle", "-t", "gpt", "-o", "bad.json"]);
    let out = p
        .program(&python)
        .arg(&script)
        .arg("bad.json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", program_stderr(&out));
    let err = program_stderr(&out);
    assert!(
        err.contains("FAIL code-reviewer × gpt × openai.chat") && err.contains("bogus_key"),
        "{err}"
    );
    // Ollama's context window as a string (which Ollama refuses, though its SDK
    // passes it on) is a failure too.
    std::fs::remove_file(p.path("targets/gpt.toml")).unwrap();
    p.write(
        "targets/llama.toml",
        "checked_against = \"this project\"\n\n[[request]]\napi = \"ollama.chat\"\nneeds = [\"model\"]\n\
         body = { messages = [{ role = \"system\", content = \"{{ prompt }}\" }], options = { num_ctx = \"{{ options.num_ctx }}\" } }\n\
         user = { at = \"/messages\", action = \"append\", value = { role = \"user\", content = \"{{ user }}\" } }\n",
    );
    ok(&p, &["bundle", "-t", "llama", "-o", "bad.json"]);
    let out = p
        .program(&python)
        .arg(&script)
        .arg("bad.json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", program_stderr(&out));
    let err = program_stderr(&out);
    assert!(
        err.contains("FAIL code-reviewer × llama × ollama.chat: /options/num_ctx: expected an integer, got \"64000\""),
        "{err}"
    );
}

//! The whole corpus (`../shared/corpus`, 202 real agent files) built for every
//! target in the native layout, the way `agentc import` then `agentc build
//! --layout native` does it: the importer writes the specs, the loader reads them
//! back, and the compile renders every built-in target. No error; every native
//! file passes `validate_native` (the tools' own rules), every prompt file is clean;
//! the translation report (what each target left out) is printed by target and kind.

use std::collections::BTreeMap;

use agentc::artifact::Layout;
use agentc::diag::Diagnostics;
use agentc::import::batch::{Options, Status};

use crate::support::import::corpus_files;
use crate::support::validate_native::validate_native;
use crate::support::{library, shared, targets};

/// A translation message with its particulars (names, values, lists, counts)
/// blanked: "tool `X` has no equivalent; dropped" → "tool `…` has no equivalent; dropped".
fn kind(message: &str) -> String {
    // `agent` → `target`: what
    let what = message.split_once("`: ").map_or(message, |(_, w)| w);
    let mut out = String::new();
    let mut quoted: Option<char> = None;
    let mut depth = 0;
    for c in what.chars() {
        match quoted {
            // A list may hold brackets of its own (a colour pattern `#[0-9a-f]{6}`).
            Some(']') if c == '[' => depth += 1,
            Some(']') if c == ']' && depth > 0 => depth -= 1,
            Some(q) if c == q => {
                out.push('…');
                out.push(c);
                quoted = None;
            }
            Some(_) => {}
            None if c == '`' || c == '\'' => {
                out.push(c);
                quoted = Some(c);
            }
            None if c == '[' => {
                out.push(c);
                quoted = Some(']');
            }
            None if c.is_ascii_digit() => {
                if !out.ends_with('N') {
                    out.push('N');
                }
            }
            None => out.push(c),
        }
    }
    out
}

/// Every file is clean text; the prompt formats with metadata (Claude's two)
/// parse as YAML frontmatter.
fn check_prompt(target: &str, content: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if !content.ends_with('\n') || content.ends_with("\n\n") || content.contains('\r') {
        problems.push("not LF with one final newline".to_string());
    }
    if content.trim().is_empty() {
        problems.push("empty".to_string());
    }
    if !targets::plain().contains(&target) {
        let fm = content
            .strip_prefix("---\n")
            .and_then(|rest| rest.find("\n---\n").map(|end| &rest[..=end]));
        match fm.map(agentc::support::yaml::parse) {
            Some(Ok(serde_json::Value::Object(_))) => {}
            other => problems.push(format!("frontmatter is not a YAML mapping: {other:?}")),
        }
    }
    problems
}

#[test]
fn corpus_builds_for_every_target_in_the_native_layout() {
    let Some(dir) = shared("corpus") else {
        return;
    };
    let mut files = Vec::new();
    corpus_files(&dir, &mut files);
    files.sort();
    assert_eq!(files.len(), 202, "the corpus holds 202 agent files");

    // `agentc import CORPUS -o SPECS`
    let specs = tempfile::tempdir().expect("temp dir");
    let opts = Options {
        out_dir: specs.path().to_path_buf(),
        stdout: false,
        force: false,
        on_collision: Default::default(),
    };
    let reports = agentc::import::batch::run(&files, &opts);
    let failed: Vec<String> = reports
        .iter()
        .filter(|r| r.status == Status::Failed)
        .map(|r| {
            let e = r.error.as_ref().map_or("?", |e| e.message.as_str());
            format!("{}: {e}", r.path.display())
        })
        .collect();
    assert!(failed.is_empty(), "imports failed:\n{}", failed.join("\n"));

    // `agentc build SPECS --layout native`, every built-in target.
    let mut diags = Diagnostics::default();
    let found = agentc::load::discover(&[specs.path().to_path_buf()], &mut diags);
    let loaded = agentc::load::load(&found, &mut diags);
    assert!(
        !diags.has_errors(),
        "the imported specs load: {:?}",
        diags.iter().map(|d| &d.message).collect::<Vec<_>>()
    );
    assert_eq!(loaded.len(), 202, "one spec per corpus file");
    let specs_loaded = loaded.len();
    let c = library::compile_loaded(loaded, &targets::all(), Layout::Native);
    assert_eq!(c.targets, targets::all(), "every built-in target");
    let errors: Vec<String> = c
        .diags
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message.clone())
        .collect();
    assert!(errors.is_empty(), "build errors:\n{}", errors.join("\n"));

    // Every output valid by its tool's rules.
    let mut outputs: BTreeMap<&str, usize> = BTreeMap::new();
    let mut invalid = Vec::new();
    for a in &c.artifacts {
        *outputs.entry(a.target.as_str()).or_default() += 1;
        let problems = if targets::native().contains(&a.target.as_str()) {
            validate_native(&a.target, &a.path, &a.content)
        } else {
            check_prompt(&a.target, &a.content)
        };
        if !problems.is_empty() {
            invalid.push(format!("{} ({}): {problems:?}", a.path.display(), a.agent));
        }
    }

    // The translation report, counted by target and by kind of drop.
    let mut by_target: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_kind: BTreeMap<(String, String), usize> = BTreeMap::new();
    let mut other: BTreeMap<&str, usize> = BTreeMap::new();
    for d in c.diags.iter() {
        match &d.subject {
            Some((_, target)) if d.code == "translation" => {
                *by_target.entry(target.clone()).or_default() += 1;
                *by_kind
                    .entry((target.clone(), kind(&d.message)))
                    .or_default() += 1;
            }
            _ => *other.entry(d.code.as_str()).or_default() += 1,
        }
    }
    let not_written: BTreeMap<&str, usize> = by_kind
        .iter()
        .filter(|((_, k), _)| k.starts_with("not written"))
        .fold(BTreeMap::new(), |mut m, ((t, _), n)| {
            *m.entry(t.as_str()).or_default() += n;
            m
        });
    eprintln!(
        "native corpus: {} files, {} specs, {} outputs, {} skipped by the specs",
        files.len(),
        specs_loaded,
        c.artifacts.len(),
        c.skipped
    );
    eprintln!("outputs per target: {outputs:?}");
    eprintln!("left out with a warning, per target: {not_written:?}");
    eprintln!(
        "translation warnings per target ({} in all): {by_target:?}",
        by_target.values().sum::<usize>()
    );
    eprintln!("translation warnings by target and kind:");
    for ((target, kind), n) in &by_kind {
        eprintln!("  {target:<10} {n:>4}  {kind}");
    }
    if !other.is_empty() {
        eprintln!("other diagnostics: {other:?}");
    }

    assert!(
        invalid.is_empty(),
        "{} invalid outputs:\n{}",
        invalid.len(),
        invalid.join("\n")
    );
    // Each per-agent target writes one file per agent it does not leave out (with a
    // warning); Roo writes its one `.roomodes`; a target's project files come once.
    for t in targets::all() {
        let want = if targets::is_aggregate(t) {
            1
        } else {
            202 - not_written.get(t).copied().unwrap_or(0)
        } + targets::project_files(t);
        assert_eq!(outputs.get(t).copied().unwrap_or(0), want, "outputs of {t}");
    }
}
